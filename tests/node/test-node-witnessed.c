/* test-node-witnessed.c: a real consent-node with two real `consent-node
 * witness serve` processes (quorum 2): every receipt and /log/checkpoint
 * carry both cosignatures; a witness that is down costs its cosignature
 * but never the node's answers; a witness that comes back, and a node that
 * restarts and no longer knows the witnesses' sizes, catch up through the
 * witnesses' 409 answers; cosignatures survive a restart of the node. */
#include "config.h"

#include <string.h>

#include "cw-checkpoint.h"
#include "cw-tlog-proof.h"
#include "cw-witness-config.h"
#include "node-test-tx.h"
#include "witness-test-util.h"

#define QUORUM 2
/* Long enough never to matter: a stopped witness refuses the connection. */
#define WITNESS_TIMEOUT_MS 60000

typedef struct
{
  TxNode node;
  TestWitness *witnesses[2];
  CwVerifierKey *witness_keys[2];
} Fixture;

/* Makes the witness listen on the port it got first, so that a restart
 * keeps the URL the node was configured with. */
static void
pin_witness_port (TestWitness *witness)
{
  g_autofree char *conf = g_build_filename (witness->dir, CW_WITNESS_CONFIG_FILE, NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;

  g_assert_true (g_str_has_prefix (witness->url, "https://"));
  listen = g_strdup (witness->url + strlen ("https://"));

  g_key_file_load_from_file (key_file, conf, G_KEY_FILE_KEEP_COMMENTS, &error);
  g_assert_no_error (error);
  g_key_file_set_string (key_file, "witness", "listen", listen);
  g_key_file_save_to_file (key_file, conf, &error);
  g_assert_no_error (error);
}

static void
set_witness_timeout (TxNode *node,
                     guint   timeout_ms)
{
  g_autofree char *value = g_strdup_printf ("%u", timeout_ms);

  tx_node_set_config (node, "witnesses", "timeout-ms", value);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  TxNode *node = &fixture->node;

  tx_node_setup (node);

  for (guint i = 0; i < G_N_ELEMENTS (fixture->witnesses); i++)
    {
      g_autofree char *name = g_strdup_printf ("witness-%u.test", i + 1);
      g_autoptr(NodeRun) run = NULL;
      TestWitness *witness;

      witness = fixture->witnesses[i] = test_witness_new (name);
      fixture->witness_keys[i] = cw_verifier_key_ref (witness->key);
      test_witness_add_log (witness, TX_TEST_ORIGIN, node->log_key);
      test_witness_start (witness);
      pin_witness_port (witness);

      run = node_test_run ("witness", "node-add", "--dir", node->dir, "--url", witness->url,
                           "--pin", witness->pin, "--key", witness->verifier_key,
                           "--quorum", i + 1 == QUORUM ? "2" : "1", NULL);
      g_assert_cmpint (run->exit_status, ==, 0);
    }

  set_witness_timeout (node, WITNESS_TIMEOUT_MS);
  tx_node_start (node);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  tx_node_teardown (&fixture->node);
  for (guint i = 0; i < G_N_ELEMENTS (fixture->witnesses); i++)
    {
      g_clear_pointer (&fixture->witnesses[i], test_witness_free);
      g_clear_pointer (&fixture->witness_keys[i], cw_verifier_key_unref);
    }
}

/* Opens @note with the log key and both witness keys; returns how many
 * witnesses cosigned it, and checks the quorum when all of them did. */
static guint
open_cosigned (Fixture    *fixture,
               const char *note,
               guint64    *out_size)
{
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  opened = cw_signed_checkpoint_open (note, strlen (note), fixture->node.log_key,
                                      fixture->witness_keys, G_N_ELEMENTS (fixture->witness_keys),
                                      &error);
  g_assert_no_error (error);
  if (out_size != NULL)
    *out_size = cw_checkpoint_get_size (cw_signed_checkpoint_get_checkpoint (opened));

  n = cw_signed_checkpoint_get_n_cosigners (opened);
  if (n >= QUORUM)
    {
      cw_signed_checkpoint_check_quorum (opened, QUORUM, &error);
      g_assert_no_error (error);
    }
  else
    {
      g_assert_false (cw_signed_checkpoint_check_quorum (opened, QUORUM, &error));
      g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_NO_QUORUM);
    }

  return n;
}

/* Submits the patient's next grant; returns the number of cosignatures on
 * its receipt's checkpoint. */
static guint
submit_grant (Fixture   *fixture,
              TxPatient *patient)
{
  g_autoptr(CwTx) tx = tx_make_grant (patient, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
  g_autoptr(JsonObject) receipt = tx_submit_ok (&fixture->node, tx, patient->key);
  g_autoptr(CwTlogProof) proof = NULL;
  g_autoptr(GError) error = NULL;
  guint64 size;
  guint n;

  tx_patient_advance (patient, tx);

  proof = cw_tlog_proof_parse (json_object_get_string_member (receipt, "proof"), -1, &error);
  g_assert_no_error (error);
  n = open_cosigned (fixture, proof->checkpoint, &size);
  g_assert_cmpuint (size, ==, proof->index + 1);

  return n;
}

static void
enroll (Fixture   *fixture,
        TxPatient *patient)
{
  g_autofree char *code = tx_node_invite (&fixture->node, "gp-one");
  g_autoptr(CwTx) tx = tx_make_enroll (patient, code, "gp-one");
  g_autoptr(JsonObject) receipt = tx_submit_ok (&fixture->node, tx, patient->key);
  g_autoptr(CwTlogProof) proof = NULL;
  g_autoptr(GError) error = NULL;

  tx_patient_advance (patient, tx);
  proof = cw_tlog_proof_parse (json_object_get_string_member (receipt, "proof"), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open_cosigned (fixture, proof->checkpoint, NULL), ==, 2);
}

/* The cosignatures on /log/checkpoint, whose size must be @size. */
static guint
published_cosignatures (Fixture *fixture,
                        guint64  size)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *note = NULL;
  guint64 published;
  guint n;

  g_assert_cmpuint (tx_get (&fixture->node, "/log/checkpoint", &body), ==, 200);
  note = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  n = open_cosigned (fixture, note, &published);
  g_assert_cmpuint (published, ==, size);

  return n;
}

static void
assert_witness_size (TestWitness *witness,
                     guint64      size)
{
  guint64 witnessed = 0;

  test_witness_get_state (witness, TX_TEST_ORIGIN, &witnessed, NULL);
  g_assert_cmpuint (witnessed, ==, size);
}

static void
restart_node (TxNode *node)
{
  tx_node_stop (node);
  tx_node_start (node);
}

static void
test_witnessed (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TxPatient) patient = tx_patient_new ();
  TestWitness *first = fixture->witnesses[0];
  TestWitness *second = fixture->witnesses[1];
  guint64 size;

  /* Both witnesses up: every receipt and the checkpoint meet the quorum. */
  enroll (fixture, patient);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (submit_grant (fixture, patient), ==, 2);
  size = 1 + 5;
  g_assert_cmpuint (published_cosignatures (fixture, size), ==, 2);

  /* One down: the node still answers, with one cosignature. */
  g_assert_cmpint (test_witness_stop (second), ==, 0);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (submit_grant (fixture, patient), ==, 1);
  size += 3;
  g_assert_cmpuint (published_cosignatures (fixture, size), ==, 1);
  assert_witness_size (second, 6);

  /* A restarted node forgets the witnesses' sizes: it serves the stored
   * cosignature, and the witness that is up takes the 409 route. */
  restart_node (&fixture->node);
  g_assert_cmpuint (published_cosignatures (fixture, size), ==, 1);
  g_assert_cmpuint (submit_grant (fixture, patient), ==, 1);
  size += 1;
  assert_witness_size (first, size);

  /* The second comes back: asked from size 0, it answers 409 with the size
   * it holds and catches up with a proof from there. */
  test_witness_start (second);
  g_assert_cmpuint (submit_grant (fixture, patient), ==, 2);
  size += 1;
  assert_witness_size (second, size);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpuint (submit_grant (fixture, patient), ==, 2);
  size += 2;
  g_assert_cmpuint (published_cosignatures (fixture, size), ==, 2);

  /* The cosignatures come back from the store after a restart. */
  restart_node (&fixture->node);
  g_assert_cmpuint (published_cosignatures (fixture, size), ==, 2);
  g_assert_cmpuint (submit_grant (fixture, patient), ==, 2);
  size += 1;
  assert_witness_size (first, size);
  assert_witness_size (second, size);
}

/* The witness this time comes back to a node that still knows its old
 * size: it catches up from there with a consistency proof. */
static void
test_witness_restart (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TxPatient) patient = tx_patient_new ();
  TestWitness *second = fixture->witnesses[1];

  enroll (fixture, patient);
  g_assert_cmpint (test_witness_stop (second), ==, 0);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (submit_grant (fixture, patient), ==, 1);
  assert_witness_size (second, 1);

  test_witness_start (second);
  g_assert_cmpuint (submit_grant (fixture, patient), ==, 2);
  assert_witness_size (second, 6);
  g_assert_cmpuint (published_cosignatures (fixture, 6), ==, 2);
}

/* A head below the quorum goes to the witnesses when the node starts, so
 * that it is served cosigned before the next transaction: a new log's, for
 * a wallet that requires the quorum to enroll, and one logged while the
 * witnesses were down. */
static void
test_head_at_start (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autofree char *code = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(JsonObject) receipt = NULL;

  g_assert_cmpuint (published_cosignatures (fixture, 0), ==, 2);
  assert_witness_size (fixture->witnesses[0], 0);
  assert_witness_size (fixture->witnesses[1], 0);

  for (guint i = 0; i < G_N_ELEMENTS (fixture->witnesses); i++)
    g_assert_cmpint (test_witness_stop (fixture->witnesses[i]), ==, 0);
  code = tx_node_invite (&fixture->node, "gp-one");
  tx = tx_make_enroll (patient, code, "gp-one");
  receipt = tx_submit_ok (&fixture->node, tx, patient->key);
  g_assert_cmpuint (published_cosignatures (fixture, 1), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (fixture->witnesses); i++)
    test_witness_start (fixture->witnesses[i]);
  restart_node (&fixture->node);
  g_assert_cmpuint (published_cosignatures (fixture, 1), ==, 2);
  assert_witness_size (fixture->witnesses[0], 1);
  assert_witness_size (fixture->witnesses[1], 1);
}

/* Both witnesses down from the start: the node still sequences. */
static void
test_no_witness (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autofree char *code = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(JsonObject) receipt = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (fixture->witnesses); i++)
    g_assert_cmpint (test_witness_stop (fixture->witnesses[i]), ==, 0);

  code = tx_node_invite (&fixture->node, "gp-one");
  tx = tx_make_enroll (patient, code, "gp-one");
  receipt = tx_submit_ok (&fixture->node, tx, patient->key);
  tx_patient_advance (patient, tx);
  g_assert_cmpuint (submit_grant (fixture, patient), ==, 0);
  g_assert_cmpuint (published_cosignatures (fixture, 2), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (fixture->witnesses); i++)
    test_witness_start (fixture->witnesses[i]);
  g_assert_cmpuint (submit_grant (fixture, patient), ==, 2);
  g_assert_cmpuint (published_cosignatures (fixture, 3), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/witnessed/quorum", Fixture, NULL, fixture_setup, test_witnessed,
              fixture_teardown);
  g_test_add ("/node/witnessed/witness-restart", Fixture, NULL, fixture_setup,
              test_witness_restart, fixture_teardown);
  g_test_add ("/node/witnessed/head-at-start", Fixture, NULL, fixture_setup,
              test_head_at_start, fixture_teardown);
  g_test_add ("/node/witnessed/no-witness", Fixture, NULL, fixture_setup, test_no_witness,
              fixture_teardown);

  return g_test_run ();
}
