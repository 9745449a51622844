/* test-node-shutdown.c: SIGTERM with submissions queued in the sequencer
 * (a batch interval far longer than the test) drains the node: every
 * queued submission is committed and answered with a receipt that
 * verifies, no new connection is accepted on any serving thread's socket,
 * a request on a connection that stays open gets 503 shutting_down, the
 * node exits 0 and, after a restart, the log holds exactly the answered
 * transactions. A request whose body the test holds back keeps the drain
 * going while the test looks. Loopback only; no timing assertions. */
#include "config.h"

#include <signal.h>

#include "cw-merkle.h"
#include "node-test-tx.h"

#define N_SUBMISSIONS 6

/* Longer than the test takes, so that nothing is committed before SIGTERM. */
#define BATCH_INTERVAL_MS 10000
/* Guards against a node that hangs, not timing assertions. */
#define GENEROUS_TIMEOUT "120"

typedef struct
{
  TxNode *node;
  CwTx *tx;
  guint status;
  JsonObject *answer;
} Submission;

static void
submission_clear (Submission *submission)
{
  g_clear_pointer (&submission->tx, cw_tx_unref);
  g_clear_pointer (&submission->answer, json_object_unref);
}

/* One submission on a connection of its own, waiting for its answer. */
static gpointer
submit_thread (gpointer data)
{
  Submission *submission = data;
  TxNode view = *submission->node;
  g_autoptr(GBytes) envelope = tx_sign (submission->tx, submission->node->gp_key);

  view.session = node_test_session_new (submission->node->cert_path);
  submission->status = tx_post (&view, envelope, &submission->answer);
  g_clear_object (&view.session);

  return NULL;
}

/* An access attempt by the provider: logged (as denied) without a grant. */
static CwTx *
make_access (TxPatient *patient)
{
  static const guint8 no_grant[CW_TX_ID_SIZE] = { 7 };

  return tx_make_access (patient, "gp-one", no_grant, CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
}

/* The session's pinned certificate, for a message sent without
 * node_test_request(). */
static gboolean
accept_pinned_cb (SoupMessage          *msg,
                  GTlsCertificate      *peer,
                  GTlsCertificateFlags  errors,
                  gpointer              user_data)
{
  return g_tls_certificate_is_same (peer, user_data);
}

static JsonObject *
parse_object (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* GET on the session's kept-alive connection; the status, the JSON answer
 * and the Connection header. */
static guint
get_kept_alive (TxNode      *node,
                const char  *path,
                JsonObject **out_answer,
                char       **out_connection)
{
  g_autofree char *url = g_strconcat (node->server->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *pinned = g_object_get_data (G_OBJECT (node->session), "pinned-certificate");

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_pinned_cb), pinned);
  body = soup_session_send_and_read (node->session, msg, NULL, &error);
  g_assert_no_error (error);

  *out_answer = parse_object (body);
  *out_connection = g_strdup (soup_message_headers_get_one (
                                soup_message_get_response_headers (msg), "Connection"));

  return soup_message_get_status (msg);
}

/* Enrolls @patient with the default batch interval, then sets one longer
 * than the test and starts the node with its log readable. */
static void
start_slow_batches (TxNode     *node,
                    TxPatient  *patient,
                    const char *serving_threads)
{
  g_autofree char *code = NULL;
  g_autoptr(CwTx) enroll = NULL;
  g_autoptr(JsonObject) receipt = NULL;

  tx_node_set_config (node, "node", "serving-threads", serving_threads);
  tx_node_set_config (node, "node", "shutdown-timeout", GENEROUS_TIMEOUT);
  tx_node_set_config (node, "limits", "idle-timeout", GENEROUS_TIMEOUT);
  tx_node_set_config (node, "limits", "body-timeout", GENEROUS_TIMEOUT);

  tx_node_start (node);
  code = tx_node_invite (node, "gp-one");
  enroll = tx_make_enroll (patient, code, "gp-one");
  receipt = tx_submit_ok (node, enroll, patient->key);
  tx_node_stop (node);

  tx_node_configure (node, BATCH_INTERVAL_MS, 4096);
  node->server = node_test_server_start_logged (node->dir);
}

static void
test_drain (gconstpointer data)
{
  const char *serving_threads = data;
  TxNode node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(CwTx) held_tx = NULL;
  g_autoptr(GBytes) held_envelope = NULL;
  g_autoptr(NodeHeldRequest) held = NULL;
  g_autoptr(GBytes) held_body = NULL;
  g_autofree char *tx_url = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) held_answer = NULL;
  g_autoptr(GArray) acked = g_array_new (FALSE, FALSE, sizeof (TxAcked));
  g_autoptr(CwLogTree) tree = NULL;
  g_autofree char *connection = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  Submission submissions[N_SUBMISSIONS] = { 0 };
  GThread *threads[N_SUBMISSIONS];
  gboolean held_close = FALSE;
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 size;

  tx_node_setup (&node);
  start_slow_batches (&node, patient, serving_threads);

  /* A kept-alive connection, idle when the node stops, and a request
   * whose body has not come yet. */
  g_assert_cmpuint (tx_get (&node, "/log/checkpoint", NULL), ==, 200);
  held_tx = make_access (patient);
  held_envelope = tx_sign (held_tx, node.gp_key);
  tx_url = g_strconcat (node.server->url, "/v1/tx", NULL);
  held = node_test_held_request_start (tx_url, node.cert_path, held_envelope);

  for (guint i = 0; i < N_SUBMISSIONS; i++)
    {
      submissions[i].node = &node;
      submissions[i].tx = make_access (patient);
      threads[i] = g_thread_new ("submitter", submit_thread, &submissions[i]);
    }
  for (guint i = 0; i < N_SUBMISSIONS; i++)
    {
      g_autofree char *queued = node_test_server_wait_log (node.server,
                                                           "sequencer: submission queued");

      g_assert_nonnull (queued);
    }

  g_subprocess_send_signal (node.server->process, SIGTERM);

  /* Every submission queued before the signal is answered with its
   * receipt. */
  for (guint i = 0; i < N_SUBMISSIONS; i++)
    {
      TxAcked item;

      g_thread_join (threads[i]);
      g_assert_cmpuint (submissions[i].status, ==, 200);
      tx_check_receipt (&node, submissions[i].answer, submissions[i].tx);
      item.index = json_object_get_int_member (submissions[i].answer, "index");
      cw_tx_compute_id (submissions[i].tx, item.id);
      g_array_append_val (acked, item);
    }

  /* The held request keeps the node draining, yet no socket of any
   * serving thread accepts a connection any more. */
  line = node_test_server_wait_log (node.server, "shutting down: no new connections");
  g_assert_nonnull (line);
  g_assert_true (node_test_connection_refused (node.server->url));

  /* A request on a connection that stayed open is refused, and the
   * connection closes after the answer. */
  g_assert_cmpuint (get_kept_alive (&node, "/log/checkpoint", &answer, &connection), ==, 503);
  tx_expect_error (answer, "shutting_down");
  g_assert_cmpstr (connection, ==, "close");

  /* So is the held request, whose body came after the drain began. */
  g_assert_cmpuint (node_test_held_request_finish (held, &held_body, &held_close), ==, 503);
  held_answer = parse_object (held_body);
  tx_expect_error (held_answer, "shutting_down");
  g_assert_true (held_close);

  /* Then the node ends by itself, cleanly. */
  g_clear_pointer (&line, g_free);
  line = node_test_server_wait_log (node.server, "shut down after ");
  g_assert_nonnull (line);
  g_subprocess_wait (node.server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (node.server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (node.server->process), ==, 0);
  g_clear_pointer (&node.server, node_test_server_free);

  /* After a restart: every answered transaction at its index, the
   * enrollment before them, and nothing else (not the held one). */
  tx_node_start (&node);
  {
    g_autoptr(GBytes) body = tx_get_ok (&node, "/log/checkpoint");
    g_autofree char *note = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

    tx_open_checkpoint (&node, note, &size, root);
  }
  g_assert_cmpuint (size, ==, 1 + N_SUBMISSIONS);
  tree = tx_rebuild_tree (&node, size, root);
  tx_assert_acked_logged (tree, size, acked);

  tx_node_stop (&node);
  for (guint i = 0; i < N_SUBMISSIONS; i++)
    submission_clear (&submissions[i]);
  tx_node_teardown (&node);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/node/shutdown/drain", "1", test_drain);
  g_test_add_data_func ("/node/shutdown/drain-serving-threads", "2", test_drain);

  return g_test_run ();
}
