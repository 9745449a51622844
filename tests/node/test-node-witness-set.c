/* test-node-witness-set.c: rotating a node's witnesses with the admin commands,
 * against a real consent-node and three real `consent-node witness serve`
 * processes: the log proposes {B, C} to replace {A, B} (quorum 2), the
 * witnesses sign, and publish refuses the note until the log and two
 * current witnesses signed it untampered, every new witness is reachable
 * and the latest checkpoint carries their cosignatures; then
 * GET /v1/log/witnesses serves it and the node gathers cosignatures from
 * B and C only, at once and after a restart. */
#include "config.h"

#include <string.h>

#include "cw-checkpoint.h"
#include "cw-tlog-proof.h"
#include "cw-witness-set.h"
#include "node-test-tx.h"
#include "witness-test-util.h"

#define WITNESS_TIMEOUT_MS 60000

typedef struct
{
  TxNode node;
  TestWitness *witnesses[3];   /* A, B, C */
  CwVerifierKey *keys[3];
  char *log_key;
  TxPatient *patient;
  gboolean enrolled;
} Fixture;

static void
node_add (Fixture     *f,
          TestWitness *witness,
          const char  *quorum)
{
  g_autoptr(NodeRun) run = node_test_run ("witness", "node-add", "--dir", f->node.dir,
                                          "--url", witness->url, "--pin", witness->pin,
                                          "--key", witness->verifier_key, "--quorum", quorum,
                                          NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *timeout = g_strdup_printf ("%u", WITNESS_TIMEOUT_MS);

  tx_node_setup (&f->node);
  f->log_key = cw_verifier_key_to_string (f->node.log_key);
  for (guint i = 0; i < G_N_ELEMENTS (f->witnesses); i++)
    {
      g_autofree char *name = g_strdup_printf ("witness-%c.test", 'a' + i);

      f->witnesses[i] = test_witness_new (name);
      f->keys[i] = cw_verifier_key_ref (f->witnesses[i]->key);
      test_witness_add_log (f->witnesses[i], TX_TEST_ORIGIN, f->node.log_key);
      test_witness_start (f->witnesses[i]);
    }
  /* Wallets invited now trust {A, B} with quorum 2. */
  node_add (f, f->witnesses[0], "1");
  node_add (f, f->witnesses[1], "2");
  tx_node_set_config (&f->node, "witnesses", "timeout-ms", timeout);
  tx_node_start (&f->node);
  f->patient = tx_patient_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tx_node_teardown (&f->node);
  for (guint i = 0; i < G_N_ELEMENTS (f->witnesses); i++)
    {
      g_clear_pointer (&f->witnesses[i], test_witness_free);
      g_clear_pointer (&f->keys[i], cw_verifier_key_unref);
    }
  g_free (f->log_key);
  g_clear_pointer (&f->patient, tx_patient_free);
}

/* The witnesses (0 = A, 1 = B, 2 = C) whose cosignature the checkpoint of
 * @receipt carries, as a bit set. */
static guint
cosigners_of_receipt (Fixture    *f,
                      JsonObject *receipt)
{
  g_autoptr(CwTlogProof) proof = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) error = NULL;
  guint set = 0;

  proof = cw_tlog_proof_parse (json_object_get_string_member (receipt, "proof"), -1, &error);
  g_assert_no_error (error);
  opened = cw_signed_checkpoint_open (proof->checkpoint, strlen (proof->checkpoint),
                                      f->node.log_key, f->keys, G_N_ELEMENTS (f->keys), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (f->keys); i++)
    if (cw_signed_checkpoint_is_cosigned_by (opened, f->keys[i], NULL))
      set |= 1u << i;
  return set;
}

static guint
submit (Fixture *f)
{
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(JsonObject) receipt = NULL;

  if (!f->enrolled)
    {
      g_autofree char *code = tx_node_invite (&f->node, "gp-one");

      tx = tx_make_enroll (f->patient, code, "gp-one");
      f->enrolled = TRUE;
    }
  else
    {
      tx = tx_make_grant (f->patient, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
    }
  receipt = tx_submit_ok (&f->node, tx, f->patient->key);
  tx_patient_advance (f->patient, tx);
  return cosigners_of_receipt (f, receipt);
}

/* GET /v1/log/witnesses: the status, and the body and headers of a 200. */
static guint
get_witnesses (Fixture  *f,
               char    **out_body)
{
  g_autofree char *url = g_strconcat (f->node.server->url, "/v1/log/witnesses", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  body = soup_session_send_and_read (f->node.session, msg, NULL, &error);
  g_assert_no_error (error);
  headers = soup_message_get_response_headers (msg);
  if (soup_message_get_status (msg) == SOUP_STATUS_OK)
    {
      g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "text/plain");
      g_assert_cmpstr (soup_message_headers_get_one (headers, "Cache-Control"), ==, "no-store");
    }
  else
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                  (gssize) g_bytes_get_size (body), &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object,
                                                                                     "error"),
                                                      "code"), ==, "not_found");
    }
  if (out_body != NULL)
    *out_body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return soup_message_get_status (msg);
}

static char *
tmp_file (Fixture    *f,
          const char *name)
{
  return g_build_filename (f->node.tmpdir, name, NULL);
}

static void
sign_set (Fixture     *f,
          TestWitness *witness,
          const char  *in,
          const char  *out)
{
  g_autoptr(NodeRun) run = node_test_run ("witness", "sign-set", "--dir", witness->dir,
                                          "--in", in, "--log-key", f->log_key, "--out", out,
                                          NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpint (node_test_file_mode (out), ==, 0644);
}

/* Publishing @in fails with a message that contains @reason and changes
 * nothing: no set served, node.conf as it was. */
static void
publish_refused (Fixture    *f,
                 const char *in,
                 const char *reason,
                 const char *served)
{
  g_autofree char *conf_path = g_build_filename (f->node.dir, "node.conf", NULL);
  g_autofree char *conf_before = NULL;
  g_autofree char *conf_after = NULL;
  g_autofree char *body = NULL;
  g_autoptr(NodeRun) run = NULL;

  g_assert_true (g_file_get_contents (conf_path, &conf_before, NULL, NULL));
  run = node_test_run ("witness-set", "publish", "--dir", f->node.dir, "--in", in, NULL);
  g_test_message ("publish: %s", run->err);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_nonnull (strstr (run->err, reason));
  g_assert_true (g_file_get_contents (conf_path, &conf_after, NULL, NULL));
  g_assert_cmpstr (conf_after, ==, conf_before);

  if (served == NULL)
    g_assert_cmpuint (get_witnesses (f, NULL), ==, 404);
  else
    {
      g_assert_cmpuint (get_witnesses (f, &body), ==, 200);
      g_assert_cmpstr (body, ==, served);
    }
}

static void
test_rotate (Fixture       *f,
             gconstpointer  data)
{
  TestWitness *a = f->witnesses[0], *b = f->witnesses[1], *c = f->witnesses[2];
  g_autofree char *proposed = tmp_file (f, "proposed.note");
  g_autofree char *by_b = tmp_file (f, "by-b.note");
  g_autofree char *by_ab = tmp_file (f, "by-ab.note");
  g_autofree char *tampered = tmp_file (f, "tampered.note");
  g_autofree char *text = NULL;
  g_autofree char *served = NULL;
  g_autofree char *conf = NULL;
  g_autoptr(CwWitnessSet) set = NULL;
  g_autofree char *published = NULL;
  g_autoptr(NodeRun) run = NULL;
  g_autoptr(GError) error = NULL;
  char *at;

  g_assert_cmpuint (submit (f), ==, 0x3);
  g_assert_cmpuint (get_witnesses (f, NULL), ==, 404);

  /* Usage errors name what is missing. */
  run = node_test_run ("witness-set", "propose", "--dir", f->node.dir, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->err, "--version"));
  g_clear_pointer (&run, node_run_free);

  /* The log proposes {B, C}, quorum 2. */
  run = node_test_run ("witness-set", "propose", "--dir", f->node.dir, "--version", "1",
                       "--quorum", "2", "--witness", b->verifier_key, "--witness",
                       c->verifier_key, "--out", proposed, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpint (node_test_file_mode (proposed), ==, 0644);
  g_assert_true (g_file_get_contents (proposed, &text, NULL, &error));
  g_assert_no_error (error);
  set = cw_witness_set_parse_note (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->version, ==, 1);
  g_assert_cmpuint (set->quorum, ==, 2);
  g_assert_cmpuint (g_strv_length (set->witness_keys), ==, 2);

  /* Signed by the log alone, then by one witness: too few. */
  publish_refused (f, proposed, "Only 0 of", NULL);
  sign_set (f, b, proposed, by_b);
  publish_refused (f, by_b, "Only 1 of", NULL);

  /* B cannot count twice. */
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "sign-set", "--dir", b->dir, "--in", by_b, "--log-key",
                       f->log_key, "--out", by_ab, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_nonnull (strstr (run->err, "already signed"));
  g_assert_false (g_file_test (by_ab, G_FILE_TEST_EXISTS));

  /* A witness refuses a note the log did not sign. */
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "sign-set", "--dir", a->dir, "--in", by_b, "--log-key",
                       b->verifier_key, "--out", by_ab, NULL);
  g_assert_cmpint (run->exit_status, !=, 0);
  g_assert_false (g_file_test (by_ab, G_FILE_TEST_EXISTS));

  /* Quorum reached, but a changed line breaks every signature. */
  sign_set (f, a, by_b, by_ab);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (by_ab, &text, NULL, NULL));
  at = strstr (text, "quorum 2\n");
  g_assert_nonnull (at);
  at[strlen ("quorum ")] = '1';
  g_assert_true (g_file_set_contents (tampered, text, -1, NULL));
  publish_refused (f, tampered, "log key", NULL);

  /* C is not in node.conf yet: the node could not reach it. */
  publish_refused (f, by_ab, "witness node-add", NULL);
  /* Known, but no checkpoint carries its cosignature yet. */
  node_add (f, c, "2");
  publish_refused (f, by_ab, "latest checkpoint", NULL);
  tx_node_stop (&f->node);
  tx_node_start (&f->node);
  g_assert_cmpuint (submit (f), ==, 0x7);

  /* Now it goes through, and is served as it was signed. */
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness-set", "publish", "--dir", f->node.dir, "--in", by_ab, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  published = node_test_get_field (run->out, "published");
  g_assert_cmpstr (published, ==, "version 1, 2 witnesses, quorum 2");
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (by_ab, &text, NULL, NULL));
  g_assert_cmpuint (get_witnesses (f, &served), ==, 200);
  g_assert_cmpstr (served, ==, text);
  {
    g_autofree char *url = g_strconcat (f->node.server->url, "/v1/log/witnesses", NULL);
    g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);

    g_assert_cmpuint (node_test_request (f->node.session, "POST", url, body, FALSE, NULL, NULL),
                      ==, 405);
  }

  /* node.conf lists B and C only, private as before. */
  conf = g_build_filename (f->node.dir, "node.conf", NULL);
  g_assert_cmpint (node_test_file_mode (conf), ==, 0600);
  g_assert_false (node_test_file_contains (conf, a->url));
  g_assert_true (node_test_file_contains (conf, b->url));
  g_assert_true (node_test_file_contains (conf, c->url));

  /* The same note again is not newer than the published one. */
  publish_refused (f, by_ab, "not above", served);

  /* The running node gathers from B and C only from its next checkpoint,
   * and so does it after a restart. */
  g_assert_cmpuint (submit (f), ==, 0x6);
  tx_node_stop (&f->node);
  tx_node_start (&f->node);
  g_assert_cmpuint (submit (f), ==, 0x6);
  g_clear_pointer (&served, g_free);
  g_assert_cmpuint (get_witnesses (f, &served), ==, 200);
  g_assert_cmpstr (served, ==, text);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/witness-set/rotate", Fixture, NULL, fixture_setup, test_rotate,
              fixture_teardown);

  return g_test_run ();
}
