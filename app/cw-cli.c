/* cw-cli.c: consent-wallet-cli's dispatcher: global options, the table of
 * subcommands, opening the wallet, waiting for the engine, and turning
 * errors into messages and exit codes. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cw-cli.h"

/* A person waiting at a terminal: fewer, shorter retries than the app. */
#define CLI_MAX_RETRIES 2

typedef struct {
  const char *name;
  int (*run) (CwCli *cli, int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "enroll", cw_cli_enroll, N_("Create your identity and enroll with a clinic's invite, or join another clinic") },
  { "status", cw_cli_status, N_("Show the wallet's identity, node, outbox and alerts") },
  { "providers", cw_cli_providers, N_("List or search healthcare providers") },
  { "grants", cw_cli_grants, N_("List the access you have granted") },
  { "grant", cw_cli_grant, N_("Grant a provider access to parts of your records") },
  { "revoke", cw_cli_revoke, N_("Revoke a grant") },
  { "requests", cw_cli_requests, N_("List providers' requests for access") },
  { "approve", cw_cli_approve, N_("Approve a request, possibly narrowed") },
  { "deny", cw_cli_deny, N_("Deny a request") },
  { "activity", cw_cli_activity, N_("Show your transactions and every access to your records") },
  { "sync", cw_cli_sync, N_("Send waiting changes, then fetch and verify everything from the node") },
  { "verify", cw_cli_verify, N_("Re-verify everything stored, compare with the node, report alerts") },
  { "export-fhir", cw_cli_export_fhir, N_("Export a grant as an HL7 FHIR R4 Consent resource") },
  { "backup", cw_cli_backup, N_("Write a passphrase-encrypted backup of your identity") },
  { "restore", cw_cli_restore, N_("Take over an identity from a backup or a recovery code into an empty wallet") },
};

static void
cw_cli_clear (CwCli *cli)
{
  g_clear_object (&cli->client);
  g_clear_object (&cli->wallet);
  g_clear_object (&cli->keyring);
  g_clear_pointer (&cli->data_dir, g_free);
  g_clear_pointer (&cli->store_path, g_free);
}

static void
add_global_entries (CwCli          *cli,
                    GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &cli->data_dir,
      N_("Wallet folder (default: the user data folder/consent-wallet)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Machine-readable JSON output"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

GOptionContext *
cw_cli_option_context_new (CwCli              *cli,
                           const char         *parameter,
                           const char         *summary,
                           const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_global_entries (cli, context);
  return context;
}

gboolean
cw_cli_parse (CwCli           *cli,
              GOptionContext  *context,
              int             *argc,
              char          ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cw_cli_usage_error (cli, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static void
print_json_error (const char *kind,
                  const char *message,
                  int         code)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "exit");
  json_builder_add_int_value (builder, code);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  cw_cli_print_json (root);
}

int
cw_cli_usage_error (CwCli      *cli,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (cli->command != NULL)
    {
      g_printerr ("consent-wallet-cli %s: %s\n", cli->command, message);
      g_printerr (_("Try “consent-wallet-cli %s --help” for more information.\n"), cli->command);
    }
  else
    {
      g_printerr ("consent-wallet-cli: %s\n", message);
      g_printerr (_("Try “consent-wallet-cli --help” for more information.\n"));
    }
  if (cli->json)
    print_json_error ("usage", message, CW_CLI_EXIT_USAGE);
  return CW_CLI_EXIT_USAGE;
}

static const char *
error_kind (const GError *error)
{
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION))
    return "verification";
  if (g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_CLOCK_SKEW))
    return "clock";
  if (cw_node_client_error_is_transient (error))
    return "unreachable";
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED) ||
      g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_REJECTED))
    return "rejected";
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_FOUND))
    return "not-found";
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED))
    return "not-enrolled";
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID))
    return "invalid";
  if (error->domain == G_OPTION_ERROR)
    return "usage";
  if (error->domain == CW_KEYRING_ERROR)
    return "keyring";
  if (error->domain == CW_BACKUP_ERROR)
    return "backup";
  return "failed";
}

int
cw_cli_exit_code_for (const GError *error)
{
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION))
    return CW_CLI_EXIT_ALERT;
  if (error->domain == G_OPTION_ERROR)
    return CW_CLI_EXIT_USAGE;
  if (cw_node_client_error_is_transient (error))
    return CW_CLI_EXIT_QUEUED;
  if (g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_CLOCK_SKEW))
    return CW_CLI_EXIT_CLOCK;
  /* The engine refused the arguments before anything was stored. */
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID))
    return CW_CLI_EXIT_USAGE;
  return CW_CLI_EXIT_FAILED;
}

int
cw_cli_fail (CwCli        *cli,
             const GError *error)
{
  int code = cw_cli_exit_code_for (error);

  g_printerr ("consent-wallet-cli %s: %s\n", cli->command, error->message);
  if (code == CW_CLI_EXIT_QUEUED)
    g_printerr (_("The node could not be reached. Anything you changed waits in the outbox "
                  "and is sent by the next command that reaches the node (for example "
                  "“consent-wallet-cli sync”).\n"));
  if (cli->json)
    print_json_error (error_kind (error), error->message, code);
  return code;
}

static void
alert_raised_cb (CwWallet   *wallet,
                 gint64      id,
                 const char *kind,
                 const char *message,
                 CwCli      *cli)
{
  g_printerr (_("ALERT (%s): %s\n"), kind, message);
}

int
cw_cli_open_wallet (CwCli    *cli,
                    gboolean  need_enrolled)
{
  g_autoptr(GError) error = NULL;

  if (cli->data_dir == NULL)
    cli->data_dir = g_build_filename (g_get_user_data_dir (), "consent-wallet", NULL);
  cli->store_path = g_build_filename (cli->data_dir, "wallet.db", NULL);
  cli->keyring = cw_keyring_new (NULL);
  cli->wallet = cw_wallet_new (cli->store_path, cli->keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
  if (cli->wallet == NULL)
    return cw_cli_fail (cli, error);
  cw_wallet_set_max_retries (cli->wallet, CLI_MAX_RETRIES);
  g_signal_connect (cli->wallet, "alert-raised", G_CALLBACK (alert_raised_cb), cli);

  if (need_enrolled && !cw_wallet_get_enrolled (cli->wallet))
    {
      g_set_error (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                   _("The wallet in %s is not enrolled. Run “consent-wallet-cli enroll” or "
                     "“consent-wallet-cli restore” first."), cli->data_dir);
      return cw_cli_fail (cli, error);
    }
  return CW_CLI_EXIT_OK;
}

CwNodeClient *
cw_cli_get_client (CwCli   *cli,
                   GError **error)
{
  g_autoptr(CwNodeProfile) profile = NULL;

  if (cli->client != NULL)
    return cli->client;
  profile = cw_wallet_store_get_node_profile (cw_wallet_get_store (cli->wallet), error);
  if (profile == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                             _("This wallet has no node configured. Enroll first."));
      return NULL;
    }
  cli->client = cw_node_client_new (profile, CW_NODE_CLIENT_FLAGS_NONE, error);
  if (cli->client != NULL)
    cw_node_client_set_max_retries (cli->client, CLI_MAX_RETRIES);
  return cli->client;
}

void
cw_cli_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
cw_cli_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* Let signals queued by the worker (alerts) reach their handlers. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  return *slot;
}

void
cw_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

void
cw_cli_print (CwCli      *cli,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (cli->json)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_print ("%s", message);
}

static char *
describe_commands (void)
{
  GString *text = g_string_new (_("Commands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append (text, _("\nRun “consent-wallet-cli COMMAND --help” for a command's options.\n\n"
                           "Exit status:\n"
                           "  0  success\n"
                           "  1  the operation failed or the node refused it\n"
                           "  2  usage error: bad command line, nothing was changed\n"
                           "  3  verification alert: a check of what the node said failed;\n"
                           "     nothing from it was accepted (see “status” and “verify”)\n"
                           "  4  the node could not be reached: a new grant, revoke, approval\n"
                           "     or denial is signed and waits in the outbox; “sync” sends it\n"
                           "  5  this computer's clock differs from the node's by more than the\n"
                           "     node allows: nothing was sent; set the date and time, then “sync”\n"));
  return g_string_free (text, FALSE);
}

int
cw_cli_main (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *description = describe_commands ();
  g_autofree char *prgname = NULL;
  CwCli cli = { 0 };
  int status;

  context = cw_cli_option_context_new (&cli, _("COMMAND [OPTION…]"),
                                       _("Consent Wallet on the command line: see and change who "
                                         "may access your health records."),
                                       NULL);
  g_option_context_set_description (context, description);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!cw_cli_parse (&cli, context, &argc, &argv))
    {
      cw_cli_clear (&cli);
      return CW_CLI_EXIT_USAGE;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      cw_cli_clear (&cli);
      return CW_CLI_EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (!g_str_equal (argv[1], commands[i].name))
        continue;
      cli.command = commands[i].name;
      prgname = g_strdup_printf ("consent-wallet-cli %s", cli.command);
      g_set_prgname (prgname);
      status = commands[i].run (&cli, argc - 1, argv + 1);
      cw_cli_clear (&cli);
      return status;
    }

  status = cw_cli_usage_error (&cli, _("Unknown command “%s”."), argv[1]);
  cw_cli_clear (&cli);
  return status;
}
