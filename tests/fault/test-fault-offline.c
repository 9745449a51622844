/* test-fault-offline.c: a wallet offline for weeks, then back. The real
 * consent-wallet-cli and consent-node, a real gnome-keyring: a grant for
 * a week and one for a year are logged, the node goes down, a new grant
 * and the revocation of the year-long one wait in the outbox, then both
 * clocks move three weeks ahead (libfaketime; the node restarts under
 * it). One sync sends the two in order and both are confirmed, the week
 * grant shows as expired in the CLI and in the engine's grant model, and
 * verify passes. */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "cli-test-util.h"
#include "cw-keyring.h"
#include "cw-grant-item.h"
#include "cw-wallet.h"
#include "fault-clock.h"

#define WEEKS_LATER "+21d"

static CliDevice device;

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* `grant --json` for @period; returns the transaction ID. */
static char *
grant (const char *wallet,
       const char *scopes,
       const char *period,
       int         status)
{
  g_autoptr(CliRun) run = cli_run (&device, wallet, "--json", "grant", "--provider", "gp-one",
                                   "--scopes", scopes, "--purpose", "TREAT", "--for", period, NULL);
  g_autoptr(JsonNode) answer = cli_run_json (run, status);
  JsonObject *tx = json_object_get_object_member (object_of (answer), "transaction");

  return g_strdup (json_object_get_string_member (tx, "id"));
}

/* The status of grant @id in `grants --all --json`. */
static const char *
grant_status (JsonNode   *grants,
              const char *id)
{
  JsonArray *list = json_node_get_array (grants);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *item = json_array_get_object_element (list, i);

      if (g_str_equal (json_object_get_string_member (item, "id"), id))
        return json_object_get_string_member (item, "status");
    }
  g_assert_not_reached ();
}

/* Child mode: the engine's grant model of the wallet in @store_path, one
 * "<id> <state>" line per grant, as the app would show it now. */
static int
print_grant_model (const char *store_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(CwWallet) wallet = cw_wallet_new (store_path, keyring, CW_NODE_CLIENT_FLAGS_NONE,
                                              &error);
  GListModel *grants;

  if (wallet == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* Loaded in a worker thread, then applied on this context. */
  grants = cw_wallet_get_grants (wallet);
  while (g_list_model_get_n_items (grants) == 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < g_list_model_get_n_items (grants); i++)
    {
      g_autoptr(CwGrantItem) item = g_list_model_get_item (grants, i);

      g_print ("%s %s\n", cw_grant_item_get_id (item), cw_grant_item_get_state (item));
    }
  return 0;
}

/* Runs this binary in child mode under @offset; returns its output. */
static char *
grant_model_under (const char *offset,
                   const char *store_path)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  g_assert_nonnull (self);
  fault_clock_shift_children (offset);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, self, "--grant-model", store_path, NULL);
  fault_clock_shift_children (NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("grant model under %s:\n%s%s", offset, out, err);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  return out;
}

static gboolean
model_has (const char *model,
           const char *id,
           const char *state)
{
  g_autofree char *line = g_strdup_printf ("%s %s\n", id, state);

  return strstr (model, line) != NULL;
}

static void
test_offline_weeks (void)
{
  CliNode node;
  g_autofree char *wallet = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *week = NULL;
  g_autofree char *year = NULL;
  g_autofree char *later = NULL;
  g_autofree char *model = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) synced = NULL;
  g_autoptr(JsonNode) grants = NULL;
  g_autoptr(JsonNode) activity = NULL;
  JsonArray *list;
  gint64 grant_index = -1, revoke_index = -1;
  guint n_revokes = 0;

  cli_node_setup (&node);
  wallet = g_build_filename (node.node.tmpdir, "wallet", NULL);
  store_path = g_build_filename (wallet, "wallet.db", NULL);
  patient = cli_enroll (&node, &device, wallet);
  week = grant (wallet, "allergies", "7d", 0);
  year = grant (wallet, "medications", "1y", 0);

  /* The node goes away; the patient keeps deciding. */
  cli_node_keep_port (&node);
  tx_node_stop (&node.node);
  later = grant (wallet, "vitals", "1y", 4);
  run = cli_run (&device, wallet, "--json", "revoke", year, NULL);
  g_assert_cmpint (run->status, ==, 4);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device, wallet, "--json", "status", NULL);
  status = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  list = json_object_get_array_member (object_of (status), "waiting");
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "id"),
                   ==, later);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1), "type"),
                   ==, "revoke");

  /* Today the week grant is still active in the engine's model. */
  model = grant_model_under ("+0", store_path);
  g_assert_true (model_has (model, week, "active"));
  g_clear_pointer (&model, g_free);

  /* Three weeks later, on both sides: the node restarts on that clock. */
  fault_clock_shift_children (WEEKS_LATER);
  tx_node_start (&node.node);

  run = cli_run (&device, wallet, "--json", "sync", NULL);
  synced = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpint (json_object_get_int_member (object_of (synced), "sent"), ==, 2);

  run = cli_run (&device, wallet, "--json", "grants", "--all", NULL);
  grants = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpstr (grant_status (grants, week), ==, "expired");
  g_assert_cmpstr (grant_status (grants, year), ==, "revoked");
  g_assert_cmpstr (grant_status (grants, later), ==, "active");
  g_clear_pointer (&grants, json_node_unref);

  /* Without --all only what is in force. */
  run = cli_run (&device, wallet, "--json", "grants", NULL);
  grants = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (grants)), ==, 1);

  run = cli_run (&device, wallet, "grants", "--all", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_test_message ("%s", run->out);
  g_clear_pointer (&run, cli_run_free);

  /* Sent in order: the grant before the revocation, both confirmed. */
  run = cli_run (&device, wallet, "--json", "activity", NULL);
  activity = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  list = json_object_get_array_member (object_of (activity), "transactions");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *tx = json_array_get_object_element (list, i);

      g_assert_cmpstr (json_object_get_string_member (tx, "state"), ==, "confirmed");
      if (g_str_equal (json_object_get_string_member (tx, "id"), later))
        grant_index = json_object_get_int_member (tx, "log_index");
      if (g_str_equal (json_object_get_string_member (tx, "type"), "revoke"))
        {
          revoke_index = json_object_get_int_member (tx, "log_index");
          n_revokes++;
        }
    }
  g_assert_cmpuint (n_revokes, ==, 1);
  g_assert_cmpint (grant_index, ==, 3);
  g_assert_cmpint (revoke_index, ==, 4);

  run = cli_run (&device, wallet, "--json", "status", NULL);
  g_clear_pointer (&status, json_node_unref);
  status = cli_run_json (run, 0);
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (status),
                                                                         "waiting")), ==, 0);

  run = cli_run (&device, wallet, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);
  fault_clock_shift_children (NULL);

  /* The engine's model, three weeks later, as the app shows it. */
  model = grant_model_under (WEEKS_LATER, store_path);
  g_assert_true (model_has (model, week, "expired"));
  g_assert_true (model_has (model, year, "revoked"));
  g_assert_true (model_has (model, later, "active"));

  cli_node_teardown (&node);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (argc == 3 && g_str_equal (argv[1], "--grant-model"))
    return print_grant_model (argv[2]);

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  cli_device_start (&device);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", device.address, TRUE);

  g_test_add_func ("/fault/offline/weeks", test_offline_weeks);

  status = g_test_run ();
  {
    g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

    if (session != NULL)
      g_dbus_connection_set_exit_on_close (session, FALSE);
  }
  cli_device_stop (&device);
  return status;
}
