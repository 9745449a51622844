/* test-fault-clock-skew.c: the wallet's clock far from the node's, beyond
 * the 5-minute window of signed requests (PROTOCOL.md §7 "Clock skew").
 * The real consent-wallet-cli runs under a shifted clock (libfaketime)
 * against a real consent-node over HTTPS and a real gnome-keyring: sync
 * grant and verify fail with exit status 5 and a message that gives the
 * difference and says to set the date and time; the node logs nothing,
 * the new grant is not even signed, a grant queued earlier keeps waiting,
 * and once the clock is right one sync sends it, exactly once. Also the node's own rule for a transaction's
 * `time` under a shifted node clock: ahead is refused, the past is not. */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "cli-test-util.h"
#include "fault-clock.h"

static CliDevice device;

typedef struct {
  const char *offset;      /* the wallet's clock against the node's */
  const char *direction;   /* as the message says it */
} Skew;

static const Skew wallet_behind = { "-10m", "about 10 minutes behind the node's clock" };
static const Skew wallet_ahead = { "+10m", "about 10 minutes ahead of the node's clock" };

static guint64
checkpoint_size (TxNode *node)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *note = NULL;
  guint64 size = 0;
  guint8 root[32];

  g_assert_cmpuint (tx_get (node, "/log/checkpoint", &body), ==, 200);
  note = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  tx_open_checkpoint (node, note, &size, root);
  return size;
}

/* Asserts @run failed for the clock, in --json and for people. */
static void
assert_clock_error (CliRun     *run,
                    const Skew *skew)
{
  g_autoptr(JsonNode) answer = cli_run_json (run, 5);
  JsonObject *error = json_object_get_object_member (json_node_get_object (answer), "error");
  const char *message = json_object_get_string_member (error, "message");

  g_test_message ("%s", message);
  g_assert_cmpstr (json_object_get_string_member (error, "kind"), ==, "clock");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (answer), "exit"), ==, 5);
  g_assert_nonnull (strstr (message, skew->direction));
  g_assert_nonnull (strstr (message, "Set the correct date and time"));
  /* The same words on standard error, where a person reads them. */
  g_assert_nonnull (strstr (run->err, skew->direction));
}

/* The wallet's outbox as `status --json` lists it. */
static JsonArray *
waiting_of (JsonNode *status)
{
  return json_object_get_array_member (json_node_get_object (status), "waiting");
}

/* `grant --json` of @scopes for a week; returns its parsed answer. */
static JsonNode *
grant_json (const char *wallet,
            const char *scopes,
            int         status)
{
  g_autoptr(CliRun) run = cli_run (&device, wallet, "--json", "grant", "--provider", "gp-one",
                                   "--scopes", scopes, "--purpose", "TREAT", "--for", "1w", NULL);

  return cli_run_json (run, status);
}

static void
test_wallet_skew (gconstpointer data)
{
  const Skew *skew = data;
  CliNode node;
  g_autofree char *wallet = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *queued_id = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) offline = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) synced = NULL;
  g_autoptr(JsonNode) grants = NULL;
  JsonObject *queued;
  JsonArray *list;
  guint64 size;

  cli_node_setup (&node);
  wallet = g_build_filename (node.node.tmpdir, "wallet", NULL);
  patient = cli_enroll (&node, &device, wallet);

  /* A grant signed on the right clock while the node was down waits in
   * the outbox. */
  cli_node_keep_port (&node);
  tx_node_stop (&node.node);
  offline = grant_json (wallet, "medications", 4);
  queued_id = g_strdup (json_object_get_string_member (
    json_object_get_object_member (json_node_get_object (offline), "transaction"), "id"));
  tx_node_start (&node.node);
  size = checkpoint_size (&node.node);
  g_assert_cmpuint (size, ==, 1);

  /* The node runs on the real clock; the wallet's is shifted. */
  fault_clock_shift_children (skew->offset);

  run = cli_run (&device, wallet, "--json", "sync", NULL);
  assert_clock_error (run, skew);
  g_clear_pointer (&run, cli_run_free);

  /* A new grant is refused before it is signed: nothing is stored. */
  run = cli_run (&device, wallet, "--json", "grant", "--provider", "gp-one", "--scopes",
                 "allergies", "--purpose", "TREAT", "--for", "1w", NULL);
  assert_clock_error (run, skew);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device, wallet, "verify", NULL);
  g_assert_cmpint (run->status, ==, 5);
  g_assert_nonnull (strstr (run->err, skew->direction));
  g_clear_pointer (&run, cli_run_free);

  /* status reads only the wallet: the first grant still waits, not
   * refused, and nothing else was queued. */
  run = cli_run (&device, wallet, "--json", "status", NULL);
  status = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  list = waiting_of (status);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  queued = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (queued, "id"), ==, queued_id);
  g_assert_cmpstr (json_object_get_string_member (queued, "state"), !=, "rejected");
  g_assert_true (json_object_get_boolean_member (queued, "waiting"));
  g_assert_false (json_object_has_member (queued, "error"));
  g_clear_pointer (&status, json_node_unref);

  fault_clock_shift_children (NULL);

  /* Nothing reached the log. */
  g_assert_cmpuint (checkpoint_size (&node.node), ==, size);

  /* The clock set right: one sync sends the waiting grant, once. */
  run = cli_run (&device, wallet, "--json", "sync", NULL);
  synced = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (synced), "sent"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (synced), "active_grants"),
                   ==, 1);
  g_clear_pointer (&synced, json_node_unref);
  g_assert_cmpuint (checkpoint_size (&node.node), ==, size + 1);

  run = cli_run (&device, wallet, "--json", "sync", NULL);
  synced = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (synced), "sent"), ==, 0);
  g_assert_cmpuint (checkpoint_size (&node.node), ==, size + 1);

  run = cli_run (&device, wallet, "--json", "status", NULL);
  status = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpuint (json_array_get_length (waiting_of (status)), ==, 0);

  run = cli_run (&device, wallet, "--json", "grants", NULL);
  grants = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  list = json_node_get_array (grants);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "id"),
                   ==, queued_id);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                  "status"), ==, "active");

  run = cli_run (&device, wallet, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);

  cli_node_teardown (&node);
}

/* A transaction whose `time` is off from the node's clock, posted
 * straight to a node whose clock is shifted: PROTOCOL.md §8 accepts any
 * past time (an outbox is sent late) and refuses more than 300 s ahead. */
static void
test_node_tx_time (void)
{
  TxNode node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(GDateTime) node_now = NULL;
  g_autoptr(GDateTime) ahead = NULL;
  g_autoptr(GDateTime) weeks_ago = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTx) late = NULL;
  g_autoptr(CwTx) early = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  g_autofree char *code = NULL;
  CwTxCommon common;

  tx_node_setup (&node);
  /* The node three weeks ahead of this process, its invite issued then. */
  fault_clock_shift_children ("+21d");
  tx_node_start (&node);
  code = tx_node_invite (&node, "gp-one");
  fault_clock_shift_children (NULL);
  node_now = g_date_time_new_from_unix_utc (fault_clock_child_now ("+21d"));

  {
    g_autoptr(CwTx) enroll = tx_make_enroll (patient, code, "gp-one");
    g_autoptr(JsonObject) enrolled = tx_submit_ok (&node, enroll, patient->key);

    tx_patient_advance (patient, enroll);
  }
  g_assert_cmpuint (checkpoint_size (&node), ==, 1);

  /* Ten minutes ahead of the node's clock: refused, nothing logged. */
  ahead = g_date_time_add_minutes (node_now, 10);
  expires = g_date_time_add_days (node_now, 7);
  common = tx_patient_next (patient, ahead);
  early = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                           NULL, NULL, expires, NULL, &error);
  g_assert_no_error (error);
  envelope = tx_sign (early, patient->key);
  answer = tx_post_expect (&node, envelope, 422, "time_in_future");
  g_assert_cmpuint (checkpoint_size (&node), ==, 1);

  /* Three weeks behind the node's clock (this process's real time): an
   * outbox signed offline is accepted as long as it is otherwise valid. */
  weeks_ago = g_date_time_add_days (node_now, -21);
  common = tx_patient_next (patient, weeks_ago);
  late = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                          NULL, NULL, expires, NULL, &error);
  g_assert_no_error (error);
  receipt = tx_submit_ok (&node, late, patient->key);
  g_assert_cmpint (json_object_get_int_member (receipt, "index"), ==, 1);
  g_assert_cmpuint (checkpoint_size (&node), ==, 2);

  tx_node_teardown (&node);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  cli_device_start (&device);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", device.address, TRUE);

  g_test_add_data_func ("/fault/clock-skew/wallet-behind", &wallet_behind, test_wallet_skew);
  g_test_add_data_func ("/fault/clock-skew/wallet-ahead", &wallet_ahead, test_wallet_skew);
  g_test_add_func ("/fault/clock-skew/node-tx-time", test_node_tx_time);

  status = g_test_run ();
  {
    g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

    if (session != NULL)
      g_dbus_connection_set_exit_on_close (session, FALSE);
  }
  cli_device_stop (&device);
  return status;
}
