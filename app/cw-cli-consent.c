/* cw-cli-consent.c: consent-wallet-cli's consent commands: grants, grant,
 * revoke, requests, approve and deny. Everything from the command line is
 * checked before the wallet is opened, so a usage error changes nothing. */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "cw-cli.h"

/* One positional argument, a base64 transaction ID. */
static gboolean
single_id_argument (CwCli       *cli,
                    int          argc,
                    char       **argv,
                    const char  *what,
                    int         *status)
{
  guint8 id[CW_TX_ID_SIZE];

  if (argc != 2)
    {
      *status = cw_cli_usage_error (cli, _("Give exactly one %s."), what);
      return FALSE;
    }
  if (!cw_base64_decode_fixed (argv[1], -1, id, sizeof id, NULL))
    {
      *status = cw_cli_usage_error (cli, _("“%s” is not a %s (the base64 ID that “grants” or "
                                           "“requests” shows)."), argv[1], what);
      return FALSE;
    }
  return TRUE;
}

/* The provider's name into the cache, if the node tells it. */
static void
learn_provider (CwCli      *cli,
                const char *provider_id)
{
  g_autoptr(CwStoreProvider) cached = NULL;
  g_autoptr(CwStoreProvider) provider = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  CwNodeClient *client;

  cached = cw_wallet_store_get_provider (cw_wallet_get_store (cli->wallet), provider_id, NULL);
  if (cached != NULL || (client = cw_cli_get_client (cli, NULL)) == NULL)
    return;
  cw_node_client_get_provider_async (client, provider_id, NULL, cw_cli_done_cb, &result);
  provider = cw_node_client_get_provider_finish (client, cw_cli_wait (&result), NULL);
  if (provider != NULL)
    cw_wallet_store_upsert_provider (cw_wallet_get_store (cli->wallet), provider, NULL);
}

/* Prints what became of @tx and returns the exit code. */
static int
report_tx (CwCli     *cli,
           CwStoreTx *tx)
{
  g_autofree char *what = cw_cli_describe_tx (cli, tx);
  g_autofree char *state = cw_cli_describe_tx_state (tx);
  gboolean waiting = tx->state == CW_STORE_TX_QUEUED || tx->state == CW_STORE_TX_SENT;

  if (cli->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) root = NULL;

      json_object_set_member (object, "transaction", cw_cli_tx_to_json (cli, tx));
      if (tx->type == CW_TX_TYPE_GRANT && tx->state == CW_STORE_TX_CONFIRMED)
        {
          g_autoptr(CwStoreGrant) grant = NULL;

          grant = cw_wallet_store_get_grant (cw_wallet_get_store (cli->wallet), tx->id, NULL);
          if (grant != NULL)
            json_object_set_member (object, "grant", cw_cli_grant_to_json (cli, grant));
        }
      root = json_node_init_object (json_node_alloc (), object);
      cw_cli_print_json (root);
    }
  else if (waiting)
    {
      g_print (_("%s.\nSigned and saved, but the node could not be reached: it is waiting to be "
                 "sent. Run “consent-wallet-cli sync” later.\n"), what);
    }
  else
    {
      g_autofree char *capitalized = g_strdup (state);

      capitalized[0] = g_ascii_toupper (capitalized[0]);
      g_print ("%s. %s.\n", what, capitalized);
    }

  if (waiting)
    g_printerr (_("Waiting to be sent: the node could not be reached.\n"));
  return waiting ? CW_CLI_EXIT_QUEUED : CW_CLI_EXIT_OK;
}

static int
finish_tx (CwCli        *cli,
           GAsyncResult *result)
{
  g_autoptr(CwStoreTx) tx = NULL;
  g_autoptr(GError) error = NULL;

  tx = cw_wallet_transaction_finish (cli->wallet, result, &error);
  if (tx == NULL)
    return cw_cli_fail (cli, error);
  return report_tx (cli, tx);
}

/* The options a grant and an approval share. */
typedef struct {
  char *provider;
  char *scopes;
  char *purpose;
  char *access;
  char *data_from;
  char *data_to;
  char *expires;
  char *period;
} GrantOptions;

static void
grant_options_clear (GrantOptions *options)
{
  g_free (options->provider);
  g_free (options->scopes);
  g_free (options->purpose);
  g_free (options->access);
  g_free (options->data_from);
  g_free (options->data_to);
  g_free (options->expires);
  g_free (options->period);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GrantOptions, grant_options_clear)

/* The period: exactly one of --expires and --for, unless @fallback. */
static GDateTime *
parse_period (GrantOptions  *options,
              GDateTime     *fallback,
              GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (options->expires != NULL && options->period != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Give either --expires or --for, not both."));
      return NULL;
    }
  if (options->expires != NULL)
    return cw_cli_parse_expires (options->expires, error);
  if (options->period != NULL)
    return cw_cli_parse_duration (options->period, now, error);
  if (fallback != NULL)
    return g_date_time_ref (fallback);
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Say how long the grant lasts: --expires DATE or --for 1w, 1m, 1y…"));
  return NULL;
}

static gboolean
check_data_period (GrantOptions  *options,
                   GError       **error)
{
  if ((options->data_from != NULL && !cw_tx_date_is_valid (options->data_from)) ||
      (options->data_to != NULL && !cw_tx_date_is_valid (options->data_to)))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--data-from and --data-to take dates as YYYY-MM-DD."));
      return FALSE;
    }
  if (options->data_from != NULL && options->data_to != NULL &&
      strcmp (options->data_from, options->data_to) > 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--data-from is after --data-to."));
      return FALSE;
    }
  return TRUE;
}

#define GRANT_TERMS_ENTRIES(o) \
  { "scopes", 0, 0, G_OPTION_ARG_STRING, &(o).scopes, \
    N_("Data categories, comma-separated; “all” means every one except the sensitive " \
       "mental-health, substance-use, sexual-health and genetics, which must each be named"), \
    N_("A,B") }, \
  { "purpose", 0, 0, G_OPTION_ARG_STRING, &(o).purpose, \
    N_("Purpose of use: TREAT, ETREAT, CAREMGT, HPAYMT, HOPERAT, HRESCH, PUBHLTH, PATRQT, " \
       "COVERAGE"), N_("PURPOSE") }, \
  { "access", 0, 0, G_OPTION_ARG_STRING, &(o).access, \
    N_("view, store or view,store"), N_("ACCESS") }, \
  { "expires", 0, 0, G_OPTION_ARG_STRING, &(o).expires, \
    N_("Last day (YYYY-MM-DD, to the end of the day UTC) or YYYY-MM-DDTHH:MM:SSZ"), N_("DATE") }, \
  { "for", 0, 0, G_OPTION_ARG_STRING, &(o).period, \
    N_("How long from now: 10d, 2w, 6m, 1y…"), N_("PERIOD") }

int
cw_cli_grant (CwCli  *cli,
              int     argc,
              char  **argv)
{
  g_auto(GrantOptions) options = { 0 };
  const GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &options.provider,
      N_("The provider's ID (see “providers”)"), N_("ID") },
    GRANT_TERMS_ENTRIES (options),
    { "data-from", 0, 0, G_OPTION_ARG_STRING, &options.data_from,
      N_("Only records from this date (YYYY-MM-DD)"), N_("DATE") },
    { "data-to", 0, 0, G_OPTION_ARG_STRING, &options.data_to,
      N_("Only records up to this date (YYYY-MM-DD)"), N_("DATE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CwWalletGrantParams params = { 0 };
  int status;

  context = cw_cli_option_context_new (cli, NULL,
                                       _("Grant a provider access to parts of your records, for "
                                         "a purpose and a period. Signed with your key, saved, then "
                                         "sent to the node and verified."), entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (argc > 1)
    return cw_cli_usage_error (cli, _("Unexpected argument “%s”."), argv[1]);
  if (options.provider == NULL || options.scopes == NULL || options.purpose == NULL)
    return cw_cli_usage_error (cli, _("--provider, --scopes and --purpose are required."));
  if (!cw_tx_provider_id_is_valid (options.provider))
    return cw_cli_usage_error (cli, _("“%s” is not a provider ID."), options.provider);
  params.access = CW_ACCESS_VIEW;
  if (!cw_cli_parse_scopes (options.scopes, &params.scopes, &error) ||
      !cw_cli_parse_purpose (options.purpose, &params.purpose, &error) ||
      (options.access != NULL && !cw_cli_parse_access (options.access, &params.access, &error)) ||
      !check_data_period (&options, &error) ||
      (expires = parse_period (&options, NULL, &error)) == NULL)
    return cw_cli_usage_error (cli, "%s", error->message);

  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;
  params.provider = options.provider;
  params.data_from = options.data_from;
  params.data_to = options.data_to;
  params.expires = expires;
  cw_wallet_grant_async (cli->wallet, &params, NULL, cw_cli_done_cb, &result);
  cw_cli_wait (&result);
  learn_provider (cli, options.provider);
  return finish_tx (cli, result);
}

int
cw_cli_revoke (CwCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CwStoreGrant) grant = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = cw_cli_option_context_new (cli, _("GRANT-ID"),
                                       _("Revoke one of your grants: the provider loses access "
                                         "once the node logs it."), NULL);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!single_id_argument (cli, argc, argv, _("grant ID"), &status))
    return status;
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;

  grant = cw_wallet_store_get_grant (cw_wallet_get_store (cli->wallet), argv[1], &error);
  if (grant == NULL)
    {
      if (error == NULL)
        g_set_error (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_FOUND,
                     _("There is no confirmed grant %s in this wallet (see “grants”)."), argv[1]);
      return cw_cli_fail (cli, error);
    }
  if (grant->revoked_by != NULL)
    {
      g_set_error (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED,
                   _("Grant %s is already revoked."), argv[1]);
      return cw_cli_fail (cli, error);
    }

  cw_wallet_revoke_async (cli->wallet, argv[1], NULL, cw_cli_done_cb, &result);
  return finish_tx (cli, cw_cli_wait (&result));
}

int
cw_cli_grants (CwCli  *cli,
               int     argc,
               char  **argv)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Also list revoked and expired grants"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(JsonArray) array = NULL;
  guint shown = 0;
  int status;

  context = cw_cli_option_context_new (cli, NULL, _("List the access you have granted."), entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (argc > 1)
    return cw_cli_usage_error (cli, _("Unexpected argument “%s”."), argv[1]);
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;
  if ((grants = cw_wallet_store_list_grants (cw_wallet_get_store (cli->wallet), &error)) == NULL)
    return cw_cli_fail (cli, error);

  if (cli->json)
    array = json_array_new ();
  for (guint i = 0; i < grants->len; i++)
    {
      CwStoreGrant *grant = g_ptr_array_index (grants, i);
      gboolean active = grant->revoked_by == NULL && grant->expires > now;
      g_autofree char *name = NULL;
      g_autofree char *scopes = NULL;
      g_autofree char *purpose = NULL;
      g_autofree char *until = NULL;
      g_autofree char *access = NULL;

      if (!active && !all)
        continue;
      shown++;
      if (array != NULL)
        {
          json_array_add_element (array, cw_cli_grant_to_json (cli, grant));
          continue;
        }
      name = cw_cli_provider_name (cli, grant->provider);
      scopes = cw_cli_describe_scopes (grant->scopes);
      purpose = cw_cli_describe_purpose (grant->purpose);
      until = cw_cli_describe_date (grant->expires);
      access = cw_cli_describe_access (grant->access);
      g_print ("%s\n  ", grant->id);
      if (grant->revoked_by != NULL)
        g_print (_("(revoked) "));
      else if (!active)
        g_print (_("(expired) "));
      g_print (_("%s may %s %s for %s until %s"), name, access, scopes, purpose, until);
      if (grant->data_from != NULL || grant->data_to != NULL)
        g_print (_(" (records from %s to %s)"),
                 grant->data_from != NULL ? grant->data_from : _("the start"),
                 grant->data_to != NULL ? grant->data_to : _("today"));
      g_print (_(", logged at index %" PRId64 ".\n"), grant->log_index);
    }

  if (array != NULL)
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), array);

      cw_cli_print_json (root);
    }
  else if (shown == 0)
    {
      g_print (_("No active grants.\n"));
    }
  return CW_CLI_EXIT_OK;
}

static const char *
request_state_to_string (CwStoreRequestState state)
{
  switch (state)
    {
    case CW_STORE_REQUEST_PENDING: return "pending";
    case CW_STORE_REQUEST_APPROVED: return "approved";
    case CW_STORE_REQUEST_DENIED: return "denied";
    case CW_STORE_REQUEST_EXPIRED: return "expired";
    default: g_assert_not_reached ();
    }
}

int
cw_cli_requests (CwCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) array = NULL;
  int status;

  context = cw_cli_option_context_new (cli, NULL,
                                       _("List providers' requests for access, as of the last "
                                         "sync."), NULL);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (argc > 1)
    return cw_cli_usage_error (cli, _("Unexpected argument “%s”."), argv[1]);
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;
  if ((requests = cw_wallet_store_list_requests (cw_wallet_get_store (cli->wallet), &error)) == NULL)
    return cw_cli_fail (cli, error);

  if (cli->json)
    array = json_array_new ();
  if (array == NULL && requests->len == 0)
    g_print (_("No requests. (Run “sync” to fetch new ones.)\n"));
  for (guint i = 0; i < requests->len; i++)
    {
      CwStoreRequest *request = g_ptr_array_index (requests, i);
      g_autofree char *name = cw_cli_provider_name (cli, request->provider);
      g_autofree char *scopes = cw_cli_describe_scopes (request->scopes);
      g_autofree char *purpose = cw_cli_describe_purpose (request->purpose);
      g_autofree char *until = cw_cli_describe_date (request->expires);
      g_autofree char *access = cw_cli_describe_access (request->access);

      if (array != NULL)
        {
          JsonObject *item = json_object_new ();
          g_autofree char *time = cw_cli_format_time (request->time);
          g_autofree char *expires = cw_cli_format_time (request->expires);

          json_object_set_string_member (item, "id", request->id);
          json_object_set_string_member (item, "provider", request->provider);
          json_object_set_string_member (item, "provider_name", name);
          json_object_set_member (item, "scopes", cw_cli_scopes_to_json (request->scopes));
          json_object_set_string_member (item, "purpose", cw_purpose_to_string (request->purpose));
          json_object_set_member (item, "access", cw_cli_access_to_json (request->access));
          json_object_set_string_member (item, "time", time);
          json_object_set_string_member (item, "expires", expires);
          json_object_set_string_member (item, "reason", request->reason);
          json_object_set_string_member (item, "state", request_state_to_string (request->state));
          if (request->answer_id != NULL)
            json_object_set_string_member (item, "answer", request->answer_id);
          json_array_add_object_element (array, item);
          continue;
        }
      g_print ("%s  (%s)\n  ", request->id, request_state_to_string (request->state));
      g_print (_("%s asks to %s %s for %s until %s: “%s”\n"), name, access, scopes, purpose, until,
               request->reason);
    }
  if (array != NULL)
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), array);

      cw_cli_print_json (root);
    }
  return CW_CLI_EXIT_OK;
}

/* The pending request @id, or an exit code in @status. */
static CwStoreRequest *
pending_request (CwCli      *cli,
                 const char *id,
                 int        *status)
{
  g_autoptr(CwStoreRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  request = cw_wallet_store_get_request (cw_wallet_get_store (cli->wallet), id, &error);
  if (request == NULL && error == NULL)
    g_set_error (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_FOUND,
                 _("There is no request %s in this wallet (run “sync”, then see “requests”)."), id);
  else if (request != NULL && request->state != CW_STORE_REQUEST_PENDING)
    g_set_error (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED,
                 _("Request %s was already answered or has expired."), id);
  if (error != NULL)
    {
      *status = cw_cli_fail (cli, error);
      return NULL;
    }
  return g_steal_pointer (&request);
}

int
cw_cli_approve (CwCli  *cli,
                int     argc,
                char  **argv)
{
  g_auto(GrantOptions) options = { 0 };
  const GOptionEntry entries[] = {
    GRANT_TERMS_ENTRIES (options),
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CwStoreRequest) request = NULL;
  g_autoptr(GDateTime) asked = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CwWalletGrantParams params = { 0 };
  CwScopes scopes = 0;
  CwAccess access = 0;
  gboolean has_purpose;
  int status;

  context = cw_cli_option_context_new (cli, _("REQUEST-ID"),
                                       _("Approve a provider's request. You may narrow it: fewer "
                                         "scopes, less access, an earlier end, another purpose."),
                                       entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!single_id_argument (cli, argc, argv, _("request ID"), &status))
    return status;
  if ((options.scopes != NULL && !cw_cli_parse_scopes (options.scopes, &scopes, &error)) ||
      (options.purpose != NULL && !cw_cli_parse_purpose (options.purpose, &params.purpose, &error)) ||
      (options.access != NULL && !cw_cli_parse_access (options.access, &access, &error)))
    return cw_cli_usage_error (cli, "%s", error->message);
  has_purpose = options.purpose != NULL;
  if ((options.expires != NULL || options.period != NULL) &&
      (expires = parse_period (&options, NULL, &error)) == NULL)
    return cw_cli_usage_error (cli, "%s", error->message);

  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;
  if ((request = pending_request (cli, argv[1], &status)) == NULL)
    return status;

  /* Approving can only narrow what was asked. */
  if (scopes != 0 && (scopes & ~request->scopes) != 0)
    return cw_cli_usage_error (cli, _("The request does not ask for every scope given: you can "
                                      "only remove scopes from it."));
  if (access != 0 && (access & ~request->access) != 0)
    return cw_cli_usage_error (cli, _("The request does not ask for that access."));
  asked = g_date_time_new_from_unix_utc (request->expires);
  if (expires != NULL && g_date_time_compare (expires, asked) > 0)
    return cw_cli_usage_error (cli, _("The request asks for less time than that: you can only "
                                      "shorten it."));

  params.provider = request->provider;
  params.scopes = scopes != 0 ? scopes : request->scopes;
  params.purpose = has_purpose ? params.purpose : request->purpose;
  params.access = access != 0 ? access : request->access;
  params.expires = expires != NULL ? expires : asked;
  params.request_id = request->id;
  cw_wallet_approve_request_async (cli->wallet, &params, NULL, cw_cli_done_cb, &result);
  cw_cli_wait (&result);
  learn_provider (cli, request->provider);
  return finish_tx (cli, result);
}

int
cw_cli_deny (CwCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CwStoreRequest) request = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  int status;

  context = cw_cli_option_context_new (cli, _("REQUEST-ID"),
                                       _("Deny a provider's request; the denial is logged."), NULL);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (!single_id_argument (cli, argc, argv, _("request ID"), &status))
    return status;
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;
  if ((request = pending_request (cli, argv[1], &status)) == NULL)
    return status;

  cw_wallet_deny_request_async (cli->wallet, argv[1], NULL, cw_cli_done_cb, &result);
  return finish_tx (cli, cw_cli_wait (&result));
}
