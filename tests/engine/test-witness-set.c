/* test-witness-set.c: a wallet follows its consortium's witness sets
 * during sync, against a real consent-node, three real `consent-node
 * witness serve` processes and a real gnome-keyring. It starts with {A, B}
 * and quorum 2 from its invite; a set signed by the log and only one old
 * witness raises an alert and changes nothing; the published set {B, C}
 * is taken (by the next transaction or sync), and checkpoints cosigned by
 * B and C alone verify from then on;
 * a replay of an older set after a newer one raises an alert. */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <stdarg.h>
#include <string.h>

#include "cw-checkpoint.h"
#include "cw-wallet-store.h"
#include "cw-witness-set.h"
#include "engine-test-util.h"
#include "witness-test-util.h"

typedef struct
{
  EngineFixture base;
  TestWitness *witnesses[3];   /* A, B, C */
  CwVerifierKey *keys[3];
} Fixture;

static void
node_add (Fixture     *f,
          TestWitness *witness,
          const char  *quorum)
{
  g_autoptr(NodeRun) run = node_test_run ("witness", "node-add", "--dir", f->base.node.dir,
                                          "--url", witness->url, "--pin", witness->pin,
                                          "--key", witness->verifier_key, "--quorum", quorum,
                                          NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  engine_fixture_setup (&f->base, data);
  tx_node_stop (&f->base.node);
  for (guint i = 0; i < G_N_ELEMENTS (f->witnesses); i++)
    {
      g_autofree char *name = g_strdup_printf ("witness-%c.test", 'a' + i);

      f->witnesses[i] = test_witness_new (name);
      f->keys[i] = cw_verifier_key_ref (f->witnesses[i]->key);
      test_witness_add_log (f->witnesses[i], TX_TEST_ORIGIN, f->base.node.log_key);
      test_witness_start (f->witnesses[i]);
    }
  node_add (f, f->witnesses[0], "1");
  node_add (f, f->witnesses[1], "2");
  tx_node_set_config (&f->base.node, "witnesses", "timeout-ms", "60000");
  tx_node_start (&f->base.node);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  engine_fixture_teardown (&f->base, data);
  for (guint i = 0; i < G_N_ELEMENTS (f->witnesses); i++)
    {
      g_clear_pointer (&f->witnesses[i], test_witness_free);
      g_clear_pointer (&f->keys[i], cw_verifier_key_unref);
    }
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Enrolls as an invite with {A, B}, quorum 2, would have it. */
static void
enroll (Fixture *f)
{
  const char *witnesses[] = { f->witnesses[0]->verifier_key, f->witnesses[1]->verifier_key,
                              NULL };
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = tx_node_invite (&f->base.node, "gp-one");
  g_autofree char *recovery = NULL;

  profile = cw_node_profile_new (f->base.node.server->url, f->base.pin, f->base.log_key,
                                 witnesses, 2, &error);
  g_assert_no_error (error);
  cw_wallet_enroll_async (f->base.wallet, profile, "gp-one", code, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  recovery = cw_wallet_enroll_finish (f->base.wallet, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (recovery);
}

/* A restarted node listens on a new port; the wallet keeps its witnesses. */
static void
restart_node (Fixture *f)
{
  CwWalletStore *store = engine_store (&f->base);
  g_autoptr(CwNodeProfile) stored = NULL;
  g_autoptr(CwNodeProfile) moved = NULL;
  g_autoptr(GError) error = NULL;

  tx_node_stop (&f->base.node);
  tx_node_start (&f->base.node);
  stored = cw_wallet_store_get_node_profile (store, &error);
  g_assert_no_error (error);
  moved = cw_node_profile_new (f->base.node.server->url, stored->tls_pin, stored->log_key,
                               (const char * const *) stored->witness_keys, stored->quorum,
                               &error);
  g_assert_no_error (error);
  cw_wallet_store_set_node_profile (store, moved, &error);
  g_assert_no_error (error);
}

/* The wallet's witnesses (bits: 1 = A, 2 = B, 4 = C), quorum and set
 * version. */
static guint
wallet_witnesses (Fixture *f,
                  guint   *out_quorum,
                  guint64 *out_version)
{
  CwWalletStore *store = engine_store (&f->base);
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  guint set = 0;

  profile = cw_wallet_store_get_node_profile (store, &error);
  g_assert_no_error (error);
  cw_wallet_store_get_witness_set_version (store, out_version, &error);
  g_assert_no_error (error);
  for (guint i = 0; profile->witness_keys[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (f->witnesses); j++)
        if (g_str_equal (profile->witness_keys[i], f->witnesses[j]->verifier_key))
          {
            set |= 1u << j;
            found = TRUE;
          }
      g_assert_true (found);
    }
  g_assert_cmpuint (g_strv_length (profile->witness_keys), ==, __builtin_popcount (set));
  *out_quorum = profile->quorum;
  return set;
}

static void
assert_wallet_witnesses (Fixture *f,
                         guint    witnesses,
                         guint    quorum,
                         guint64  version)
{
  guint64 held_version = 0;
  guint held_quorum = 0;

  g_assert_cmpuint (wallet_witnesses (f, &held_quorum, &held_version), ==, witnesses);
  g_assert_cmpuint (held_quorum, ==, quorum);
  g_assert_cmpuint (held_version, ==, version);
}

/* Who cosigned the node's current checkpoint (bits as above). */
static guint
checkpoint_cosigners (Fixture *f)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) error = NULL;
  guint set = 0;

  g_assert_cmpuint (tx_get (&f->base.node, "/log/checkpoint", &body), ==, 200);
  opened = cw_signed_checkpoint_open (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                      f->base.node.log_key, f->keys, G_N_ELEMENTS (f->keys),
                                      &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (f->keys); i++)
    if (cw_signed_checkpoint_is_cosigned_by (opened, f->keys[i], NULL))
      set |= 1u << i;
  return set;
}

static char *
tmp_file (Fixture    *f,
          const char *name)
{
  return g_build_filename (f->base.node.tmpdir, name, NULL);
}

static void
run_ok (const char *first_arg,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(NodeRun) run = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run = node_test_runv ((const char * const *) args->pdata);
  if (run->exit_status != 0)
    g_test_message ("%s", run->err);
  g_assert_cmpint (run->exit_status, ==, 0);
}

static void
sign_set (Fixture     *f,
          TestWitness *witness,
          const char  *in,
          const char  *out)
{
  run_ok ("witness", "sign-set", "--dir", witness->dir, "--in", in, "--log-key", f->base.log_key,
          "--out", out, NULL);
}

/* What a malicious node operator could do: serve any note it likes. */
static void
serve_directly (Fixture    *f,
                const char *note_path)
{
  g_autofree char *text = NULL;
  g_autofree char *served = g_build_filename (f->base.node.dir, "witness-set.note", NULL);
  g_autoptr(GError) error = NULL;

  g_file_get_contents (note_path, &text, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (served, text, -1, &error);
  g_assert_no_error (error);
}

static void
sync_refused (Fixture *f,
              guint    n_alerts)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (engine_sync (&f->base, &error));
  g_assert_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION);
  g_assert_nonnull (strstr (error->message, "witness set"));
  engine_wait_alerts (&f->base, n_alerts);
  g_assert_cmpuint (f->base.n_alerts, ==, n_alerts);
}

static void
sync_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (engine_sync (&f->base, &error));
  g_assert_no_error (error);
}

static void
test_rotate (Fixture       *f,
             gconstpointer  data)
{
  TestWitness *a = f->witnesses[0], *b = f->witnesses[1], *c = f->witnesses[2];
  const char *dir = f->base.node.dir;
  g_autofree char *v1 = tmp_file (f, "v1.note");
  g_autofree char *v1_b = tmp_file (f, "v1-b.note");
  g_autofree char *v1_ab = tmp_file (f, "v1-ab.note");
  g_autofree char *v2 = tmp_file (f, "v2.note");
  g_autofree char *v2_b = tmp_file (f, "v2-b.note");
  g_autofree char *v2_bc = tmp_file (f, "v2-bc.note");
  g_autofree char *served = g_build_filename (dir, "witness-set.note", NULL);
  g_autoptr(CwStoreTx) grant = NULL;
  g_autoptr(GError) error = NULL;

  /* {A, B}, quorum 2, and no set served yet (404): nothing to do. */
  enroll (f);
  sync_ok (f);
  assert_wallet_witnesses (f, 0x3, 2, 0);

  /* The node gathers from C too before the rotation. */
  node_add (f, c, "2");
  restart_node (f);
  grant = engine_grant (&f->base, "gp-one", CW_SCOPE_SUMMARY, &error);
  g_assert_no_error (error);
  g_clear_pointer (&grant, cw_store_tx_free);
  g_assert_cmpuint (checkpoint_cosigners (f), ==, 0x7);

  run_ok ("witness-set", "propose", "--dir", dir, "--version", "1", "--quorum", "2",
          "--witness", b->verifier_key, "--witness", c->verifier_key, "--out", v1, NULL);
  sign_set (f, b, v1, v1_b);

  /* Signed by the log and only one of the two old witnesses: an alert,
   * and the wallet keeps {A, B}. */
  serve_directly (f, v1_b);
  sync_refused (f, 1);
  assert_wallet_witnesses (f, 0x3, 2, 0);
  g_assert_cmpint (g_unlink (served), ==, 0);

  /* Signed by A and B too, and published: the wallet moves to {B, C}. */
  sign_set (f, a, v1_b, v1_ab);
  run_ok ("witness-set", "publish", "--dir", dir, "--in", v1_ab, NULL);

  /* Its next transaction moves it to {B, C} first (as a wallet back from
   * weeks offline would), and its receipt, cosigned by B and C alone,
   * verifies. */
  grant = engine_grant (&f->base, "gp-one", CW_SCOPE_ALLERGIES, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checkpoint_cosigners (f), ==, 0x6);
  assert_wallet_witnesses (f, 0x6, 2, 1);
  sync_ok (f);
  assert_wallet_witnesses (f, 0x6, 2, 1);
  g_assert_cmpuint (f->base.n_alerts, ==, 1);

  /* Version 2 lowers the quorum to 1; B and C sign it. */
  run_ok ("witness-set", "propose", "--dir", dir, "--version", "2", "--quorum", "1",
          "--witness", b->verifier_key, "--witness", c->verifier_key, "--out", v2, NULL);
  sign_set (f, b, v2, v2_b);
  sign_set (f, c, v2_b, v2_bc);
  run_ok ("witness-set", "publish", "--dir", dir, "--in", v2_bc, NULL);
  sync_ok (f);
  assert_wallet_witnesses (f, 0x6, 1, 2);

  /* The node serves version 1 again: an alert, version 2 stays. */
  serve_directly (f, v1_ab);
  sync_refused (f, 2);
  assert_wallet_witnesses (f, 0x6, 1, 2);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  engine_test_start_keyring ();

  g_test_add ("/engine/witness-set/rotate", Fixture, NULL, fixture_setup, test_rotate,
              fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
