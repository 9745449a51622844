/* test-witness-details.c: the grant details window against a real
 * consent-node whose checkpoints two real `consent-node witness serve`
 * processes cosign (quorum 2), with a wallet that knows both witness keys:
 * the receipt verifies and the details name each cosigning witness. A
 * screenshot of the view lands in CW_SCREENSHOT_DIR. */
#include "config.h"

#include <adwaita.h>
#include <sodium.h>

#include "cw-grant-details-private.h"
#include "cw-tls-pin.h"
#include "engine-test-util.h"
#include "ui-test-util.h"
#include "witness-test-util.h"

#define N_WITNESSES 2

typedef struct {
  EngineFixture engine;
  TestWitness  *witnesses[N_WITNESSES];
} Fixture;

/* The engine fixture's node, with two witnesses added before it starts. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  EngineFixture *f = &fixture->engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;

  tx_node_setup (&f->node);
  for (guint i = 0; i < N_WITNESSES; i++)
    {
      g_autofree char *name = g_strdup_printf ("witness-%u.test", i + 1);
      g_autoptr(NodeRun) run = NULL;

      fixture->witnesses[i] = test_witness_new (name);
      test_witness_add_log (fixture->witnesses[i], TX_TEST_ORIGIN, f->node.log_key);
      test_witness_start (fixture->witnesses[i]);
      /* The last one added sets the quorum: both. */
      run = node_test_run ("witness", "node-add", "--dir", f->node.dir,
                           "--url", fixture->witnesses[i]->url,
                           "--pin", fixture->witnesses[i]->pin,
                           "--key", fixture->witnesses[i]->verifier_key,
                           "--quorum", i + 1 == N_WITNESSES ? "2" : "1", NULL);
      g_assert_cmpint (run->exit_status, ==, 0);
    }
  tx_node_start (&f->node);

  cert = g_tls_certificate_new_from_file (f->node.cert_path, &error);
  g_assert_no_error (error);
  f->pin = cw_tls_pin_for_certificate (cert, &error);
  g_assert_no_error (error);
  f->log_key = cw_verifier_key_to_string (f->node.log_key);
  f->store_path = g_build_filename (f->node.tmpdir, "wallet", "wallet.db", NULL);
  f->keyring = cw_keyring_new (NULL);
  f->wallet = cw_wallet_new (f->store_path, f->keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  cw_wallet_set_max_retries (f->wallet, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  engine_fixture_teardown (&fixture->engine, NULL);
  for (guint i = 0; i < N_WITNESSES; i++)
    g_clear_pointer (&fixture->witnesses[i], test_witness_free);
}

/* Enrolls with a profile that knows both witnesses and wants both. */
static void
enroll_witnessed (Fixture *fixture)
{
  EngineFixture *f = &fixture->engine;
  const char *keys[N_WITNESSES + 1] = { NULL };
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = tx_node_invite (&f->node, "gp-one");
  g_autofree char *recovery = NULL;

  for (guint i = 0; i < N_WITNESSES; i++)
    keys[i] = fixture->witnesses[i]->verifier_key;
  profile = cw_node_profile_new (f->node.server->url, f->pin, f->log_key, keys, N_WITNESSES,
                                 &error);
  g_assert_no_error (error);
  cw_wallet_enroll_async (f->wallet, profile, "gp-one", code, NULL, ui_test_result_cb, &result);
  ui_test_wait_result (&result, 120);
  recovery = cw_wallet_enroll_finish (f->wallet, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (recovery);
}

static gboolean
details_loaded (gpointer data)
{
  return g_strcmp0 (cw_grant_details_get_state (data), "loading") != 0;
}

static void
test_witnessed_receipt (Fixture       *fixture,
                        gconstpointer  data)
{
  EngineFixture *f = &fixture->engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  CwGrantDetails *details;
  const char *witnesses;

  enroll_witnessed (fixture);
  tx = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tx->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  details = cw_grant_details_new (f->wallet, tx->id);
  gtk_window_set_default_size (GTK_WINDOW (details), 1200, 800);
  gtk_window_present (GTK_WINDOW (details));
  g_assert_true (ui_test_wait_until (details_loaded, details, UI_TEST_TIMEOUT_S));
  g_assert_cmpstr (cw_grant_details_get_state (details), ==, "details");
  g_assert_cmpstr (cw_grant_details_get_receipt_text (details), ==, "Verified");

  /* "2 (2 required)", then one line per cosigning witness. */
  witnesses = cw_grant_details_get_row_text (details, "witnesses");
  g_test_message ("witnesses: %s", witnesses);
  g_assert_true (g_str_has_prefix (witnesses, "2 (2 required)\n"));
  for (guint i = 0; i < N_WITNESSES; i++)
    {
      g_auto(GStrv) lines = g_strsplit (witnesses, "\n", -1);

      g_assert_true (g_strv_contains ((const char * const *) lines, fixture->witnesses[i]->name));
    }
  g_free (ui_test_save_screenshot (GTK_WIDGET (details), NULL, "e2e-grant-details-witnessed"));
  gtk_window_destroy (GTK_WINDOW (details));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  engine_test_start_keyring ();
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/witness-details/receipt", Fixture, NULL, fixture_setup,
              test_witnessed_receipt, fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
