/* test-fault-node-crash.c: the real node stopped dead at each phase of a
 * batch (node/cw-node-fault.h: after the rules decided, after the batch
 * was stored, after the checkpoint was signed, while answering). After a
 * restart the transaction is logged exactly once when it is sent again,
 * every acknowledged transaction is still there, and every checkpoint
 * served before the crash is consistent with the one served after it. */
#include "config.h"

#include "cw-node-fault.h"
#include "node-test-tx.h"

typedef struct {
  guint64 size;
  guint8 root[32];
} Seen;

static Seen
fetch_checkpoint (TxNode *node)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *note = NULL;
  Seen seen;

  g_assert_cmpuint (tx_get (node, "/log/checkpoint", &body), ==, 200);
  note = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  tx_open_checkpoint (node, note, &seen.size, seen.root);

  return seen;
}

static void
test_crash_at (gconstpointer data)
{
  const char *point = data;
  TxNode node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(CwTx) grant = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(JsonObject) first_answer = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  guint64 acked_index = G_MAXUINT64;
  Seen before, after;
  guint status;

  tx_node_setup (&node);
  tx_node_start (&node);
  {
    g_autofree char *code = tx_node_invite (&node, "gp-one");
    g_autoptr(CwTx) enroll = tx_make_enroll (patient, code, "gp-one");
    g_autoptr(JsonObject) enrolled = tx_submit_ok (&node, enroll, patient->key);

    g_assert_nonnull (enrolled);
    tx_patient_advance (patient, enroll);
  }
  before = fetch_checkpoint (&node);
  g_assert_cmpuint (before.size, ==, 1);

  /* The same node, armed to die at @point of its next batch. */
  tx_node_stop (&node);
  g_setenv ("CW_NODE_FAULT", point, TRUE);
  tx_node_start (&node);
  g_unsetenv ("CW_NODE_FAULT");

  grant = tx_make_grant (patient, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
  envelope = tx_sign (grant, patient->key);
  status = tx_post (&node, envelope, &first_answer);
  g_test_message ("%s: the submitter got status %u", point, status);
  /* Only an answer that made it out counts as acknowledged. */
  if (status == 200)
    acked_index = json_object_get_int_member (first_answer, "index");
  else
    g_assert_cmpuint (status, ==, 0);

  g_subprocess_wait (node.server->process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (node.server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (node.server->process), ==,
                   CW_NODE_FAULT_EXIT_STATUS);
  g_clear_pointer (&node.server, node_test_server_free);

  /* Restarted: the log is whole and consistent with what was served. */
  tx_node_start (&node);
  after = fetch_checkpoint (&node);
  g_assert_cmpuint (after.size, >=, before.size);
  tx_check_consistency (&node, before.size, before.root, after.size, after.root);
  if (acked_index != G_MAXUINT64)
    g_assert_cmpuint (acked_index, <, after.size);

  /* Sent again, as the wallet's outbox does: logged exactly once, at the
   * index it was given before the crash if it was stored then. */
  receipt = tx_submit_ok (&node, grant, patient->key);
  g_assert_cmpint (json_object_get_int_member (receipt, "index"), ==, 1);
  g_assert_cmpuint (tx_check_receipt (&node, receipt, grant), ==, 2);
  tx_patient_advance (patient, grant);

  /* And the node goes on: the next transaction follows. */
  {
    g_autoptr(CwTx) next = tx_make_grant (patient, "lab-two", CW_SCOPE_LAB_RESULTS,
                                          CW_PURPOSE_TREAT);
    g_autoptr(JsonObject) next_receipt = tx_submit_ok (&node, next, patient->key);

    g_assert_cmpint (json_object_get_int_member (next_receipt, "index"), ==, 2);
  }
  after = fetch_checkpoint (&node);
  g_assert_cmpuint (after.size, ==, 3);
  tx_check_consistency (&node, before.size, before.root, after.size, after.root);

  tx_node_teardown (&node);
}

int
main (int   argc,
      char *argv[])
{
  const char *points[] = {
    CW_NODE_FAULT_AFTER_VERIFY,
    CW_NODE_FAULT_AFTER_PERSIST,
    CW_NODE_FAULT_AFTER_SIGN,
    CW_NODE_FAULT_WHILE_ANSWERING,
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autofree char *path = g_strdup_printf ("/fault/node-crash/%s", points[i]);

      g_test_add_data_func (path, points[i], test_crash_at);
    }

  return g_test_run ();
}
