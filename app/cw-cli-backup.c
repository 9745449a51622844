/* cw-cli-backup.c: consent-wallet-cli's commands that move data out of and
 * into the wallet: export-fhir, backup and restore (PROTOCOL.md §10). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cw-cli.h"
#include "cw-encoding.h"

/* A backup is a few hundred bytes; anything much larger is not one. */
#define MAX_BACKUP_SIZE (64 * 1024)


static gboolean
write_private_file (const char  *path,
                    const void  *data,
                    gsize        len,
                    GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = NULL;

  /* Never overwrites: an old backup may be the only one that opens. */
  stream = g_file_create (file, G_FILE_CREATE_PRIVATE, NULL, error);
  if (stream == NULL)
    return FALSE;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), data, len, NULL, NULL, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error))
    {
      g_file_delete (file, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

int
cw_cli_export_fhir (CwCli  *cli,
                    int     argc,
                    char  **argv)
{
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to FILE (created, never overwritten) instead of the standard output"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *consent = NULL;
  guint8 id[CW_TX_ID_SIZE];
  int status;

  context = cw_cli_option_context_new (cli, _("GRANT-ID"),
                                       _("Export a grant as an HL7 FHIR R4 Consent resource "
                                         "(JSON)."), entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (argc != 2)
    return cw_cli_usage_error (cli, _("Give exactly one grant ID."));
  if (!cw_base64_decode_fixed (argv[1], -1, id, sizeof id, NULL))
    return cw_cli_usage_error (cli, _("“%s” is not a grant ID (see “grants”)."), argv[1]);
  if (output != NULL && g_file_test (output, G_FILE_TEST_EXISTS))
    return cw_cli_usage_error (cli, _("%s already exists."), output);
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;

  cw_wallet_export_fhir_async (cli->wallet, argv[1], NULL, cw_cli_done_cb, &result);
  consent = cw_wallet_export_fhir_finish (cli->wallet, cw_cli_wait (&result), &error);
  if (consent == NULL)
    return cw_cli_fail (cli, error);

  if (output == NULL)
    {
      g_print ("%s\n", consent);
      return CW_CLI_EXIT_OK;
    }
  if (!write_private_file (output, consent, strlen (consent), &error))
    return cw_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "grant");
      json_builder_add_string_value (builder, argv[1]);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, output);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cw_cli_print_json (root);
    }
  else
    {
      g_print (_("Wrote the FHIR Consent of grant %s to %s.\n"), argv[1], output);
    }
  return CW_CLI_EXIT_OK;
}

int
cw_cli_backup (CwCli  *cli,
               int     argc,
               char  **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *passphrase_file = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The backup file to create (never overwritten)"), N_("FILE") },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Read the passphrase from the first line of FILE instead of asking"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwCliSecret) passphrase = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(CwBackup) backup = NULL;
  g_autoptr(GBytes) sealed = NULL;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];
  CwWalletStore *store;
  int status;

  context = cw_cli_option_context_new (cli, NULL,
                                       _("Write your identity key, sealed with a passphrase "
                                         "(Argon2id, XChaCha20-Poly1305), to a file you keep "
                                         "somewhere safe."), entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (argc > 1)
    return cw_cli_usage_error (cli, _("Unexpected argument “%s”."), argv[1]);
  if (output == NULL)
    return cw_cli_usage_error (cli, _("Name the backup file with -o FILE."));
  if (g_file_test (output, G_FILE_TEST_EXISTS))
    return cw_cli_usage_error (cli, _("%s already exists."), output);
  if ((passphrase = cw_cli_read_passphrase (passphrase_file, TRUE, &error)) == NULL)
    return error->domain == G_OPTION_ERROR ? cw_cli_usage_error (cli, "%s", error->message)
                                           : cw_cli_fail (cli, error);
  if ((status = cw_cli_open_wallet (cli, TRUE)) != CW_CLI_EXIT_OK)
    return status;

  store = cw_wallet_get_store (cli->wallet);
  if ((identity = cw_wallet_store_get_identity (store, &error)) == NULL ||
      (profile = cw_wallet_store_get_node_profile (store, &error)) == NULL ||
      !cw_base64_decode_fixed (identity->public_key, -1, public_key, sizeof public_key, &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                             _("This wallet is not enrolled."));
      return cw_cli_fail (cli, error);
    }

  cw_keyring_lookup_async (cli->keyring, identity->patient_id, public_key, "patient", NULL,
                           cw_cli_done_cb, &result);
  key = cw_keyring_lookup_finish (cli->keyring, cw_cli_wait (&result), &error);
  if (key == NULL)
    return cw_cli_fail (cli, error);

  backup = cw_backup_new (key, identity->patient_id, identity->recovery_key, profile);
  g_clear_pointer (&key, cw_signing_key_unref);
  g_clear_object (&result);
  cw_backup_seal_async (backup, passphrase, NULL, cw_cli_done_cb, &result);
  sealed = cw_backup_seal_finish (backup, cw_cli_wait (&result), &error);
  if (sealed == NULL || !write_private_file (output, g_bytes_get_data (sealed, NULL),
                                             g_bytes_get_size (sealed), &error))
    return cw_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, output);
      json_builder_set_member_name (builder, "patient_id");
      json_builder_add_string_value (builder, identity->patient_id);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cw_cli_print_json (root);
    }
  else
    {
      g_print (_("Wrote an encrypted backup of your identity to %s. It opens only with the "
                 "passphrase: keep both safe, apart.\n"), output);
    }
  return CW_CLI_EXIT_OK;
}

static int
restore_with_recovery_code (CwCli       *cli,
                            int          argc,
                            const char  *code,
                            const char  *code_file,
                            const char  *patient_id,
                            const char  *invite_arg,
                            const char  *url,
                            const char  *pin,
                            const char  *log_key,
                            GStrv        witnesses,
                            gint         quorum)
{
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file_code = NULL;
  guint8 patient[CW_PUBLIC_KEY_SIZE];
  int status;

  if (argc > 1)
    return cw_cli_usage_error (cli, _("Give a backup file or a recovery code, not both."));
  if (code != NULL && code_file != NULL)
    return cw_cli_usage_error (cli, _("Give --recovery-code or --recovery-code-file, not both."));
  /* Optional: without it, the node is asked with the recovery key. */
  if (patient_id != NULL &&
      !cw_base64_decode_fixed (patient_id, -1, patient, sizeof patient, NULL))
    return cw_cli_usage_error (cli, _("--patient-id must be your patient ID, as shown at "
                                      "enrollment."));
  if ((invite_arg != NULL) == (url != NULL))
    return cw_cli_usage_error (cli, _("Give the node with --invite or with --node, --pin and "
                                      "--log-key."));
  if (invite_arg != NULL)
    {
      g_autoptr(CwInvite) invite = NULL;
      g_autofree char *text = NULL;
      gsize len = 0;

      if (g_ascii_strncasecmp (invite_arg, CW_INVITE_URI_SCHEME ":", 14) == 0)
        text = g_strdup (invite_arg);
      else if (!g_file_get_contents (invite_arg, &text, &len, &error))
        return cw_cli_usage_error (cli, "%s", error->message);
      /* Only the node profile is used; the chain fetched with it is
       * verified against its log key. */
      invite = cw_invite_parse (text, strlen (text), &error);
      if (invite == NULL)
        return cw_cli_usage_error (cli, "%s", error->message);
      profile = cw_node_profile_copy (cw_invite_get_node_profile (invite));
    }
  else
    {
      if (log_key == NULL || quorum < 0)
        return cw_cli_usage_error (cli, _("--node needs --log-key (and a quorum of 0 or more)."));
      profile = cw_node_profile_new (url, pin, log_key, (const char * const *) witnesses,
                                     (guint) quorum, &error);
      if (profile == NULL)
        return cw_cli_usage_error (cli, "%s", error->message);
    }
  if (code_file != NULL)
    {
      if (!g_file_get_contents (code_file, &file_code, NULL, &error))
        return cw_cli_usage_error (cli, "%s", error->message);
      file_code[strcspn (file_code, "\n")] = '\0';
      code = file_code;
    }
  status = cw_cli_recover (cli, code, patient_id, profile);
  if (file_code != NULL)
    explicit_bzero (file_code, strlen (file_code));
  return status;
}

int
cw_cli_restore (CwCli  *cli,
                int     argc,
                char  **argv)
{
  g_autofree char *passphrase_file = NULL;
  g_autofree char *recovery_code = NULL;
  g_autofree char *recovery_code_file = NULL;
  g_autofree char *patient_id = NULL;
  g_autofree char *invite_arg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *log_key = NULL;
  g_auto(GStrv) witnesses = NULL;
  gint quorum = 0;
  const GOptionEntry entries[] = {
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Read the passphrase from the first line of FILE instead of asking"), N_("FILE") },
    { "recovery-code", 0, 0, G_OPTION_ARG_STRING, &recovery_code,
      N_("Instead of a backup: the recovery code written down at enrollment"), N_("CODE") },
    { "recovery-code-file", 0, 0, G_OPTION_ARG_FILENAME, &recovery_code_file,
      N_("Read the recovery code from the first line of FILE"), N_("FILE") },
    { "patient-id", 0, 0, G_OPTION_ARG_STRING, &patient_id,
      N_("With a recovery code, optional: your patient ID, shown at enrollment"), N_("ID") },
    { "invite", 0, 0, G_OPTION_ARG_STRING, &invite_arg,
      N_("With a recovery code: the node from an invite of your clinic (link or file)"),
      N_("INVITE") },
    { "node", 0, 0, G_OPTION_ARG_STRING, &url, N_("Or the node's https:// URL"), N_("URL") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin, N_("The node's TLS key pin"), N_("PIN") },
    { "log-key", 0, 0, G_OPTION_ARG_STRING, &log_key, N_("The log's verifier key"), N_("VKEY") },
    { "witness", 0, 0, G_OPTION_ARG_STRING_ARRAY, &witnesses,
      N_("A witness verifier key (repeat for each witness)"), N_("VKEY") },
    { "quorum", 0, 0, G_OPTION_ARG_INT, &quorum, N_("Witness quorum (default 0)"), N_("N") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwCliSecret) passphrase = NULL;
  g_autoptr(CwBackup) backup = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  int status;

  context = cw_cli_option_context_new (cli, _("[FILE]"),
                                       _("Take over the identity in a backup FILE: its key goes "
                                         "into your keyring, your history is fetched from the node "
                                         "and verified. The wallet must be empty.\n\n"
                                         "Without a backup, on a new device: --recovery-code "
                                         "and the node (--invite with any invite of the node, even "
                                         "an expired one, or --node, --pin, --log-key, "
                                         "--witness, --quorum). The node tells which patient "
                                         "the code belongs to (asked with a request signed by "
                                         "the recovery key); --patient-id, shown at enrollment, "
                                         "may be given instead. A new identity key is made in "
                                         "this device's keyring and a rotation signed with the "
                                         "recovery key makes it your key; the old key and the "
                                         "old recovery code stop working, and a new recovery "
                                         "code is shown once. Your history is then fetched "
                                         "and verified."), entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (recovery_code != NULL || recovery_code_file != NULL)
    return restore_with_recovery_code (cli, argc, recovery_code, recovery_code_file, patient_id,
                                       invite_arg, url, pin, log_key, witnesses, quorum);
  if (argc != 2)
    return cw_cli_usage_error (cli, _("Give exactly one backup file."));
  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    return cw_cli_usage_error (cli, "%s", error->message);
  if (len > MAX_BACKUP_SIZE)
    return cw_cli_usage_error (cli, _("%s is not a Consent Wallet backup."), argv[1]);
  file = g_bytes_new_take (g_steal_pointer (&contents), len);
  if ((passphrase = cw_cli_read_passphrase (passphrase_file, FALSE, &error)) == NULL)
    return error->domain == G_OPTION_ERROR ? cw_cli_usage_error (cli, "%s", error->message)
                                           : cw_cli_fail (cli, error);
  if ((status = cw_cli_open_wallet (cli, FALSE)) != CW_CLI_EXIT_OK)
    return status;
  if (cw_wallet_get_enrolled (cli->wallet))
    {
      g_set_error (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_ALREADY_ENROLLED,
                   _("The wallet in %s already holds an identity. Restore into an empty data "
                     "folder (--data-dir)."), cli->data_dir);
      return cw_cli_fail (cli, error);
    }

  cw_backup_open_async (file, passphrase, NULL, cw_cli_done_cb, &result);
  backup = cw_backup_open_finish (cw_cli_wait (&result), &error);
  g_clear_pointer (&passphrase, cw_secure_string_free);
  if (backup == NULL)
    return cw_cli_fail (cli, error);

  g_clear_object (&result);
  cw_wallet_restore_async (cli->wallet, backup, NULL, cw_cli_done_cb, &result);
  if (!cw_wallet_restore_finish (cli->wallet, cw_cli_wait (&result), &error))
    return cw_cli_fail (cli, error);

  /* Requests and access events come with a sync. */
  g_clear_object (&result);
  cw_wallet_sync_async (cli->wallet, NULL, cw_cli_done_cb, &result);
  if (!cw_wallet_sync_finish (cli->wallet, cw_cli_wait (&result), &error))
    return cw_cli_fail (cli, error);

  history = cw_wallet_store_list_transactions (cw_wallet_get_store (cli->wallet), TRUE, &error);
  if (history == NULL)
    return cw_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "patient_id");
      json_builder_add_string_value (builder, cw_wallet_get_patient_id (cli->wallet));
      json_builder_set_member_name (builder, "transactions");
      json_builder_add_int_value (builder, history->len);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cw_cli_print_json (root);
    }
  else
    {
      g_print (ngettext ("Restored identity %s with its history of %u verified transaction.\n",
                         "Restored identity %s with its history of %u verified transactions.\n",
                         history->len),
               cw_wallet_get_patient_id (cli->wallet), history->len);
    }
  return CW_CLI_EXIT_OK;
}
