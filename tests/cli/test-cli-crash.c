/* test-cli-crash.c: kill -9 of consent-wallet-cli at random moments during
 * `grant` and `revoke`, 50 times, against a real consent-node and a real
 * gnome-keyring. After each kill a new process runs `sync`; at the end
 * every consent is on the node exactly once and the local chain equals the
 * node's copy, transaction for transaction. The random delays come from
 * the test's seed (--seed to replay); nothing is timed. */
#include "config.h"

#include <signal.h>
#include <sodium.h>
#include <string.h>

#include "cli-test-util.h"
#include "cw-encoding.h"
#include "cw-keyring.h"
#include "cw-wallet-store.h"

#define N_ROUNDS 25  /* a grant and a revoke each: 50 kills */

static CliDevice device;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs the CLI and sends SIGKILL after a random delay below @window_us.
 * Returns TRUE if the kill ended it; FALSE if it had finished (with 0). */
static gboolean
run_and_kill (const char          *wallet,
              const char * const  *args,
              gint64               window_us)
{
  g_autoptr(GSubprocess) process = cli_spawnv (&device, wallet, args);
  g_autoptr(GError) error = NULL;

  g_usleep ((gulong) g_test_rand_int_range (0, (gint32) window_us));
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (process))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
      return TRUE;
    }
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return FALSE;
}

/* How many transactions wait in the outbox (killed after signing). */
static guint
count_waiting (const char *wallet)
{
  g_autoptr(CliRun) run = cli_run (&device, wallet, "--json", "status", NULL);
  g_autoptr(JsonNode) status = cli_run_json (run, 0);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (status),
                                                              "waiting"));
}

static void
sync_ok (const char *wallet)
{
  g_autoptr(CliRun) run = cli_run (&device, wallet, "sync", NULL);

  if (run->status != 0)
    g_test_message ("sync: %s", run->err);
  g_assert_cmpint (run->status, ==, 0);
}

static char *
first_active_grant (const char *wallet)
{
  g_autoptr(CliRun) run = cli_run (&device, wallet, "--json", "grants", NULL);
  g_autoptr(JsonNode) grants = cli_run_json (run, 0);
  JsonArray *array = json_node_get_array (grants);

  if (json_array_get_length (array) == 0)
    return NULL;
  return g_strdup (json_object_get_string_member (json_array_get_object_element (array, 0), "id"));
}

static CwTx *
parse_listed_envelope (JsonObject *item)
{
  JsonObject *envelope = json_object_get_object_member (item, "envelope");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = cw_base64_decode (json_object_get_string_member (envelope, "payload"),
                                                -1, &error);
  CwTx *tx;

  g_assert_no_error (error);
  tx = cw_tx_parse_payload_bytes (payload, &error);
  g_assert_no_error (error);
  return tx;
}

static void
test_kill_during_grant_and_revoke (void)
{
  CliNode node;
  g_autofree char *wallet = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *pid_url = NULL;
  g_autofree char *store_path = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(CwWalletStore) store = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) node_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) grant_expiries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) revoked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) finished_dates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start, window;
  guint n_killed = 0, n_finished = 0, n_grants = 0, n_waiting = 0;
  gint64 from = 0;

  cli_node_setup (&node);
  wallet = g_build_filename (node.node.tmpdir, "wallet", NULL);
  store_path = g_build_filename (wallet, "wallet.db", NULL);
  patient = cli_enroll (&node, &device, wallet);

  /* One grant run to the end gives the scale of the random window. */
  start = g_get_monotonic_time ();
  run = cli_run (&device, wallet, "grant", "--provider", "gp-one", "--scopes", "summary",
                 "--purpose", "TREAT", "--expires", "2035-01-01", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_hash_table_add (finished_dates, g_strdup ("2035-01-01T23:59:59Z"));
  window = CLAMP ((g_get_monotonic_time () - start) * 3 / 2, 20000, 3 * G_USEC_PER_SEC);
  g_test_message ("kill window %" G_GINT64_FORMAT " µs", window);

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      g_autofree char *date = g_strdup_printf ("2031-01-%02u", round + 1);
      const char *grant_args[] = { "grant", "--provider", "gp-one", "--scopes", "summary",
                                   "--purpose", "TREAT", "--expires", date, NULL };
      g_autofree char *grant_id = NULL;

      if (run_and_kill (wallet, grant_args, window))
        n_killed++;
      else
        n_finished++, g_hash_table_add (finished_dates, g_strdup_printf ("%sT23:59:59Z", date));
      n_waiting += count_waiting (wallet);
      sync_ok (wallet);

      grant_id = first_active_grant (wallet);
      if (grant_id == NULL)
        {
          /* Every grant so far revoked or never made: one to revoke. */
          g_autofree char *spare = g_strdup_printf ("2033-01-%02u", round + 1);
          g_autoptr(CliRun) granted = cli_run (&device, wallet, "grant", "--provider", "gp-one",
                                                "--scopes", "allergies", "--purpose", "TREAT",
                                                "--expires", spare, NULL);

          g_assert_cmpint (granted->status, ==, 0);
          g_hash_table_add (finished_dates, g_strdup_printf ("%sT23:59:59Z", spare));
          grant_id = first_active_grant (wallet);
        }
      g_assert_nonnull (grant_id);
      {
        const char *revoke_args[] = { "revoke", grant_id, NULL };

        if (run_and_kill (wallet, revoke_args, window))
          n_killed++;
        else
          n_finished++;
      }
      n_waiting += count_waiting (wallet);
      sync_ok (wallet);
    }
  g_test_message ("%u runs killed, %u finished before their kill; %u kills left a signed "
                  "transaction in the outbox for the next sync", n_killed, n_finished, n_waiting);

  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device, wallet, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);

  /* The local chain: everything confirmed, nothing waiting. */
  store = cw_wallet_store_new (store_path, &error);
  g_assert_no_error (error);
  history = cw_wallet_store_list_transactions (store, TRUE, &error);
  g_assert_no_error (error);

  /* The node's copy, every page. */
  cw_keyring_lookup_async (keyring, patient, NULL, "patient", NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  key = cw_keyring_lookup_finish (keyring, result, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) raw = cw_base64_decode (patient, -1, &error);

    g_assert_no_error (error);
    pid_url = cw_base64url_encode (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  }
  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("/v1/patients/%s/chain?from=%" G_GINT64_FORMAT,
                                               pid_url, from);
      g_autoptr(JsonObject) answer = NULL;
      JsonArray *items;

      g_assert_cmpuint (tx_get_signed (&node.node, path, key, &answer), ==, 200);
      items = json_object_get_array_member (answer, "transactions");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          g_autoptr(CwTx) tx = parse_listed_envelope (item);

          g_assert_cmpint (json_object_get_int_member (item, "seq"), ==, node_ids->len);
          g_ptr_array_add (node_ids, g_strdup (json_object_get_string_member (item, "id")));
          if (cw_tx_get_tx_type (tx) == CW_TX_TYPE_GRANT)
            {
              g_autofree char *expires = cw_tx_format_time (cw_tx_get_expires (tx));

              /* Each attempt has its own end date: at most one grant each. */
              g_assert_false (g_hash_table_contains (grant_expiries, expires));
              g_hash_table_add (grant_expiries, g_steal_pointer (&expires));
              n_grants++;
            }
          else if (cw_tx_get_tx_type (tx) == CW_TX_TYPE_REVOKE)
            {
              g_autofree char *target = cw_base64_encode (cw_tx_get_grant (tx), CW_TX_ID_SIZE);

              g_assert_false (g_hash_table_contains (revoked, target));
              g_hash_table_add (revoked, g_steal_pointer (&target));
            }
        }
      if (json_object_get_null_member (answer, "next"))
        break;
      from = json_object_get_int_member (answer, "next");
    }

  /* Every run that finished is there; nothing is there twice; the chains
   * are equal. */
  {
    GHashTableIter iter;
    const char *date;

    g_hash_table_iter_init (&iter, finished_dates);
    while (g_hash_table_iter_next (&iter, (gpointer *) &date, NULL))
      g_assert_true (g_hash_table_contains (grant_expiries, date));
  }
  g_test_message ("node chain: %u transactions, %u grants, %u revokes", node_ids->len, n_grants,
                  g_hash_table_size (revoked));
  {
    guint n_local = 0;

    for (guint i = 0; i < history->len; i++)
      {
        CwStoreTx *tx = g_ptr_array_index (history, i);

        if (tx->state == CW_STORE_TX_REJECTED)
          continue;
        g_assert_cmpint (tx->state, ==, CW_STORE_TX_CONFIRMED);
        g_assert_cmpuint (n_local, <, node_ids->len);
        g_assert_cmpuint (tx->seq, ==, n_local);
        g_assert_cmpstr (tx->id, ==, node_ids->pdata[n_local]);
        n_local++;
      }
    g_assert_cmpuint (n_local, ==, node_ids->len);
  }

  g_clear_object (&store);
  cli_node_teardown (&node);
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

  g_test_add_func ("/cli/crash/kill-during-grant-and-revoke", test_kill_during_grant_and_revoke);

  status = g_test_run ();
  {
    g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

    if (session != NULL)
      g_dbus_connection_set_exit_on_close (session, FALSE);
  }
  cli_device_stop (&device);
  return status;
}
