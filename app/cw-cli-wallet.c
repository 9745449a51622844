/* cw-cli-wallet.c: consent-wallet-cli's commands about the wallet as a
 * whole: status, providers, activity, sync and verify (enroll is in
 * cw-cli-onboard.c). */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "cw-cli.h"

static gboolean
no_arguments (CwCli  *cli,
              int     argc,
              char  **argv,
              int    *status)
{
  if (argc > 1)
    {
      *status = cw_cli_usage_error (cli, _("Unexpected argument “%s”."), argv[1]);
      return FALSE;
    }
  return TRUE;
}

static guint
count_active_grants (GPtrArray *grants)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n = 0;

  for (guint i = 0; i < grants->len; i++)
    {
      CwStoreGrant *grant = g_ptr_array_index (grants, i);

      n += grant->revoked_by == NULL && grant->expires > now;
    }
  return n;
}

int
cw_cli_status (CwCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwStoreCheckpoint) checkpoint = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  CwWalletStore *store;
  guint n_pending_requests = 0;
  int status;

  context = cw_cli_option_context_new (cli, NULL,
                                       _("Show the identity, the node, what waits to be sent, and "
                                         "any alerts."), NULL);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!no_arguments (cli, argc, argv, &status))
    return status;
  if ((status = cw_cli_open_wallet (cli, FALSE)) != CW_CLI_EXIT_OK)
    return status;

  store = cw_wallet_get_store (cli->wallet);
  identity = cw_wallet_store_get_identity (store, &error);
  if (error == NULL)
    profile = cw_wallet_store_get_node_profile (store, &error);
  if (error == NULL)
    checkpoint = cw_wallet_store_get_latest_checkpoint (store, &error);
  if (error == NULL)
    waiting = cw_wallet_store_list_transactions (store, FALSE, &error);
  if (error == NULL)
    grants = cw_wallet_store_list_grants (store, &error);
  if (error == NULL)
    requests = cw_wallet_store_list_requests (store, &error);
  if (error == NULL)
    alerts = cw_wallet_store_list_alerts (store, FALSE, &error);
  if (error != NULL)
    return cw_cli_fail (cli, error);
  for (guint i = 0; i < requests->len; i++)
    n_pending_requests += ((CwStoreRequest *) requests->pdata[i])->state == CW_STORE_REQUEST_PENDING;

  if (cli->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      JsonArray *queue = json_array_new ();
      JsonArray *alert_list = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      json_object_set_boolean_member (object, "enrolled", identity != NULL);
      json_object_set_string_member (object, "data_dir", cli->data_dir);
      if (identity != NULL)
        {
          json_object_set_string_member (object, "patient_id", identity->patient_id);
          json_object_set_string_member (object, "public_key", identity->public_key);
          json_object_set_string_member (object, "clinic", identity->clinic);
        }
      if (profile != NULL)
        json_object_set_string_member (object, "node", profile->url);
      if (checkpoint != NULL)
        json_object_set_int_member (object, "checkpoint_size", (gint64) checkpoint->size);
      json_object_set_int_member (object, "active_grants", count_active_grants (grants));
      json_object_set_int_member (object, "pending_requests", n_pending_requests);
      for (guint i = 0; i < waiting->len; i++)
        json_array_add_element (queue, cw_cli_tx_to_json (cli, waiting->pdata[i]));
      json_object_set_array_member (object, "waiting", queue);
      for (guint i = 0; i < alerts->len; i++)
        {
          CwStoreAlert *alert = g_ptr_array_index (alerts, i);
          JsonObject *item = json_object_new ();

          json_object_set_int_member (item, "id", alert->id);
          json_object_set_string_member (item, "kind", alert->kind);
          json_object_set_string_member (item, "message", alert->message);
          json_array_add_object_element (alert_list, item);
        }
      json_object_set_array_member (object, "alerts", alert_list);
      root = json_node_init_object (json_node_alloc (), object);
      cw_cli_print_json (root);
      return CW_CLI_EXIT_OK;
    }

  if (identity == NULL)
    {
      g_print (_("This wallet (%s) is not enrolled.\n"), cli->data_dir);
      return CW_CLI_EXIT_OK;
    }
  g_print (_("Patient ID: %s\nEnrolled with: %s\nNode: %s\n"), identity->patient_id,
           identity->clinic, profile != NULL ? profile->url : _("none"));
  if (checkpoint != NULL)
    g_print (_("Log verified up to size %" PRIu64 ".\n"), checkpoint->size);
  g_print (_("Active grants: %u. Requests waiting for your answer: %u.\n"),
           count_active_grants (grants), n_pending_requests);
  if (waiting->len == 0)
    g_print (_("Nothing is waiting to be sent.\n"));
  else
    g_print (ngettext ("%u change is waiting to be sent:\n", "%u changes are waiting to be sent:\n",
                       waiting->len), waiting->len);
  for (guint i = 0; i < waiting->len; i++)
    {
      g_autofree char *what = cw_cli_describe_tx (cli, waiting->pdata[i]);
      g_autofree char *state = cw_cli_describe_tx_state (waiting->pdata[i]);

      g_print ("  %s — %s\n", what, state);
    }
  for (guint i = 0; i < alerts->len; i++)
    g_print (_("ALERT (%s): %s\n"), ((CwStoreAlert *) alerts->pdata[i])->kind,
             ((CwStoreAlert *) alerts->pdata[i])->message);
  return CW_CLI_EXIT_OK;
}

int
cw_cli_providers (CwCli  *cli,
                  int     argc,
                  char  **argv)
{
  g_autofree char *query = NULL;
  const GOptionEntry entries[] = {
    { "search", 's', 0, G_OPTION_ARG_STRING, &query, N_("Words in the name or organization"),
      N_("Q") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  CwNodeClient *client;
  int status;

  context = cw_cli_option_context_new (cli, NULL, _("List the node's provider directory, or search "
                                                    "it."), entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!no_arguments (cli, argc, argv, &status))
    return status;
  if (query != NULL && strlen (query) > 200)
    return cw_cli_usage_error (cli, _("The search is too long."));
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;
  if ((client = cw_cli_get_client (cli, &error)) == NULL)
    return cw_cli_fail (cli, error);

  cw_node_client_search_providers_async (client, query, NULL, cw_cli_done_cb, &result);
  providers = cw_node_client_search_providers_finish (client, cw_cli_wait (&result), &error);
  if (providers == NULL)
    return cw_cli_fail (cli, error);

  /* The cache gives names to grants and activity. */
  for (guint i = 0; i < providers->len; i++)
    if (!cw_wallet_store_upsert_provider (cw_wallet_get_store (cli->wallet),
                                          providers->pdata[i], &error))
      return cw_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      for (guint i = 0; i < providers->len; i++)
        {
          CwStoreProvider *provider = g_ptr_array_index (providers, i);
          JsonObject *item = json_object_new ();

          json_object_set_string_member (item, "id", provider->id);
          json_object_set_string_member (item, "name", provider->name);
          json_object_set_string_member (item, "organization", provider->organization);
          json_object_set_string_member (item, "kind", provider->kind);
          json_object_set_string_member (item, "public_key", provider->public_key);
          json_array_add_object_element (array, item);
        }
      root = json_node_init_array (json_node_alloc (), array);
      cw_cli_print_json (root);
      return CW_CLI_EXIT_OK;
    }

  if (providers->len == 0)
    g_print (_("No provider found.\n"));
  for (guint i = 0; i < providers->len; i++)
    {
      CwStoreProvider *provider = g_ptr_array_index (providers, i);

      g_print ("%-24s %s — %s (%s)\n", provider->id, provider->name, provider->organization,
               provider->kind);
    }
  return CW_CLI_EXIT_OK;
}

static char *
describe_access_event (CwCli              *cli,
                       CwStoreAccessEvent *event)
{
  g_autofree char *name = cw_cli_provider_name (cli, event->provider);
  g_autofree char *scopes = cw_cli_describe_scopes (event->scopes);
  g_autofree char *purpose = cw_cli_describe_purpose (event->purpose);

  if (event->allowed)
    return g_strdup_printf (_("%s accessed %s for %s (allowed by your grant), logged at index %"
                              PRId64), name, scopes, purpose, event->log_index);
  return g_strdup_printf (_("%s tried to access %s for %s and was refused, logged at index %"
                            PRId64), name, scopes, purpose, event->log_index);
}

int
cw_cli_activity (CwCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) events = NULL;
  CwWalletStore *store;
  int status;

  context = cw_cli_option_context_new (cli, NULL,
                                       _("Show your own transactions (with what still waits to be "
                                         "sent) and every access to your records that the node "
                                         "logged. Run “sync” first for the newest."), NULL);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!no_arguments (cli, argc, argv, &status))
    return status;
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;

  store = cw_wallet_get_store (cli->wallet);
  if ((history = cw_wallet_store_list_transactions (store, TRUE, &error)) == NULL ||
      (events = cw_wallet_store_list_access_events (store, FALSE, &error)) == NULL)
    return cw_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      JsonArray *txs = json_array_new ();
      JsonArray *accesses = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      for (guint i = 0; i < history->len; i++)
        json_array_add_element (txs, cw_cli_tx_to_json (cli, history->pdata[i]));
      for (guint i = 0; i < events->len; i++)
        {
          CwStoreAccessEvent *event = g_ptr_array_index (events, i);
          JsonObject *item = json_object_new ();
          g_autofree char *time = cw_cli_format_time (event->time);
          g_autofree char *description = describe_access_event (cli, event);

          json_object_set_string_member (item, "id", event->id);
          json_object_set_string_member (item, "provider", event->provider);
          json_object_set_string_member (item, "grant", event->grant_id);
          json_object_set_member (item, "scopes", cw_cli_scopes_to_json (event->scopes));
          json_object_set_string_member (item, "purpose", cw_purpose_to_string (event->purpose));
          json_object_set_string_member (item, "time", time);
          json_object_set_boolean_member (item, "allowed", event->allowed);
          json_object_set_int_member (item, "log_index", event->log_index);
          json_object_set_string_member (item, "description", description);
          json_array_add_object_element (accesses, item);
        }
      json_object_set_array_member (object, "transactions", txs);
      json_object_set_array_member (object, "access_events", accesses);
      root = json_node_init_object (json_node_alloc (), object);
      cw_cli_print_json (root);
      return CW_CLI_EXIT_OK;
    }

  g_print (_("Your transactions:\n"));
  for (guint i = 0; i < history->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (history, i);
      g_autofree char *time = cw_cli_format_time (tx->created);
      g_autofree char *what = cw_cli_describe_tx (cli, tx);
      g_autofree char *state = cw_cli_describe_tx_state (tx);

      g_print ("  %s  #%" G_GUINT64_FORMAT "  %s — %s\n", time, tx->seq, what, state);
    }
  g_print (_("Access to your records:\n"));
  if (events->len == 0)
    g_print (_("  none logged\n"));
  for (guint i = 0; i < events->len; i++)
    {
      CwStoreAccessEvent *event = g_ptr_array_index (events, i);
      g_autofree char *time = cw_cli_format_time (event->time);
      g_autofree char *what = describe_access_event (cli, event);

      g_print ("  %s  %s\n", time, what);
    }
  return CW_CLI_EXIT_OK;
}

/* Sends the outbox; returns the exit code, CW_CLI_EXIT_OK when empty. */
static int
flush_outbox (CwCli *cli,
              guint *n_sent)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cw_wallet_flush_async (cli->wallet, NULL, cw_cli_done_cb, &result);
  if (!cw_wallet_flush_finish (cli->wallet, cw_cli_wait (&result), n_sent, &error))
    return cw_cli_fail (cli, error);
  return CW_CLI_EXIT_OK;
}

static gboolean
sync_with_node (CwCli   *cli,
                GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_wallet_sync_async (cli->wallet, NULL, cw_cli_done_cb, &result);
  return cw_wallet_sync_finish (cli->wallet, cw_cli_wait (&result), error);
}

int
cw_cli_sync (CwCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreCheckpoint) checkpoint = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n_sent = 0;
  int status;

  context = cw_cli_option_context_new (cli, NULL,
                                       _("Send what waits in the outbox, in order, then fetch and "
                                         "verify the log, your chain, grants, requests and access "
                                         "events."), NULL);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!no_arguments (cli, argc, argv, &status))
    return status;
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;

  if ((status = flush_outbox (cli, &n_sent)) != CW_CLI_EXIT_OK)
    return status;
  if (!sync_with_node (cli, &error))
    return cw_cli_fail (cli, error);

  checkpoint = cw_wallet_store_get_latest_checkpoint (cw_wallet_get_store (cli->wallet), &error);
  if (error == NULL)
    grants = cw_wallet_store_list_grants (cw_wallet_get_store (cli->wallet), &error);
  if (error == NULL)
    events = cw_wallet_store_list_access_events (cw_wallet_get_store (cli->wallet), FALSE, &error);
  if (error != NULL)
    return cw_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) root = NULL;

      json_object_set_int_member (object, "sent", n_sent);
      json_object_set_int_member (object, "checkpoint_size",
                                  checkpoint != NULL ? (gint64) checkpoint->size : 0);
      json_object_set_int_member (object, "active_grants", count_active_grants (grants));
      json_object_set_int_member (object, "access_events", events->len);
      root = json_node_init_object (json_node_alloc (), object);
      cw_cli_print_json (root);
      return CW_CLI_EXIT_OK;
    }

  if (n_sent > 0)
    g_print (ngettext ("Sent %u waiting change.\n", "Sent %u waiting changes.\n", n_sent), n_sent);
  g_print (_("In sync with the node: log verified up to size %" PRIu64 ", %u active "
             "grants, %u access events.\n"),
           checkpoint != NULL ? checkpoint->size : 0, count_active_grants (grants), events->len);
  return CW_CLI_EXIT_OK;
}

int
cw_cli_verify (CwCli  *cli,
               int     argc,
               char  **argv)
{
  gboolean offline = FALSE;
  const GOptionEntry entries[] = {
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline,
      N_("Only re-check what is stored; do not compare with the node"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  guint n_checked = 0;
  int status, node_status = CW_CLI_EXIT_OK;

  context = cw_cli_option_context_new (cli, NULL,
                                       _("Re-verify everything stored (your chain, every receipt "
                                         "against its signed checkpoint, grants, access events), "
                                         "then compare your chain and the log with the node, and "
                                         "report alerts. Exits with 3 when there is any alert."),
                                       entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!no_arguments (cli, argc, argv, &status))
    return status;
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;

  cw_wallet_verify_async (cli->wallet, NULL, cw_cli_done_cb, &result);
  if (!cw_wallet_verify_finish (cli->wallet, cw_cli_wait (&result), &n_checked, &error))
    {
      if (cw_cli_exit_code_for (error) != CW_CLI_EXIT_ALERT)
        return cw_cli_fail (cli, error);
      /* Reported below with the other alerts. */
      status = CW_CLI_EXIT_ALERT;
      g_clear_error (&error);
    }
  if (!offline && status == CW_CLI_EXIT_OK && !sync_with_node (cli, &error))
    {
      node_status = cw_cli_exit_code_for (error);
      g_printerr ("consent-wallet-cli %s: %s\n", cli->command, error->message);
      g_clear_error (&error);
    }

  alerts = cw_wallet_store_list_alerts (cw_wallet_get_store (cli->wallet), FALSE, &error);
  if (alerts == NULL)
    return cw_cli_fail (cli, error);
  if (alerts->len > 0)
    status = CW_CLI_EXIT_ALERT;
  else if (status == CW_CLI_EXIT_OK)
    status = node_status;

  if (cli->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      JsonArray *list = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      json_object_set_int_member (object, "checked", n_checked);
      json_object_set_boolean_member (object, "compared_with_node",
                                      !offline && node_status == CW_CLI_EXIT_OK);
      for (guint i = 0; i < alerts->len; i++)
        {
          CwStoreAlert *alert = g_ptr_array_index (alerts, i);
          JsonObject *item = json_object_new ();
          g_autofree char *created = cw_cli_format_time (alert->created);

          json_object_set_int_member (item, "id", alert->id);
          json_object_set_string_member (item, "kind", alert->kind);
          json_object_set_string_member (item, "message", alert->message);
          json_object_set_string_member (item, "created", created);
          json_array_add_object_element (list, item);
        }
      json_object_set_array_member (object, "alerts", list);
      json_object_set_int_member (object, "exit", status);
      root = json_node_init_object (json_node_alloc (), object);
      cw_cli_print_json (root);
      return status;
    }

  g_print (ngettext ("Re-verified %u stored record.\n", "Re-verified %u stored records.\n",
                     n_checked), n_checked);
  if (!offline && node_status == CW_CLI_EXIT_OK)
    g_print (_("Your chain and the log agree with the node.\n"));
  if (alerts->len == 0)
    g_print (_("No alerts.\n"));
  for (guint i = 0; i < alerts->len; i++)
    {
      CwStoreAlert *alert = g_ptr_array_index (alerts, i);
      g_autofree char *created = cw_cli_format_time (alert->created);

      g_print (_("ALERT %s (%s): %s\n"), created, alert->kind, alert->message);
    }
  return status;
}
