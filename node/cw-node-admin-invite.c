/* cw-node-admin-invite.c: `consent-node invite`: registers a one-time code
 * for a clinic and signs the clinic's invite (PROTOCOL.md §11) with its
 * key: printed as a consentwallet: URI and, with --out-dir, written as a
 * .cwinvite file, a QR code PNG and (--sheet) a printable PDF. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cw-invite.h"
#include "cw-key.h"
#include "cw-node-admin.h"
#include "cw-node-data-dir.h"
#include "cw-node-directory.h"
#include "cw-node-invite.h"
#include "cw-node-invite-sheet.h"
#include "cw-node-secret-file.h"

#define QR_MODULE_PX 6

/* What a wallet needs to trust this node: the URL clinics hand out, the
 * TLS pin, the log key, and the witnesses and quorum from node.conf. */
static CwNodeProfile *
node_profile (CwNodeDataDir  *data_dir,
              const char     *url,
              GError        **error)
{
  CwNodeConfig *config = cw_node_data_dir_get_config (data_dir);
  const char * const *entries = cw_node_config_get_witnesses (config);
  g_autoptr(GPtrArray) witnesses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *log_verifier = NULL;
  g_autofree char *default_url = NULL;

  log_key = cw_node_data_dir_load_log_key (data_dir, error);
  if (log_key == NULL)
    return NULL;
  pin = cw_node_data_dir_compute_tls_pin (data_dir, error);
  if (pin == NULL)
    return NULL;
  log_verifier = cw_verifier_key_to_string (cw_signing_key_get_verifier (log_key));

  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    g_ptr_array_add (witnesses, g_strndup (entries[i], strcspn (entries[i], " ")));
  g_ptr_array_add (witnesses, NULL);

  if (url == NULL)
    {
      const char *listen = cw_node_config_get_listen (config);

      if (g_str_has_suffix (listen, ":0"))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "The node listens on an ephemeral port: give --url");
          return NULL;
        }
      url = default_url = g_strconcat ("https://", listen, NULL);
    }
  return cw_node_profile_new (url, pin, log_verifier, (const char * const *) witnesses->pdata,
                              cw_node_config_get_witness_quorum (config), error);
}

static gboolean
parse_grant (const char     *scopes,
             const char     *purpose,
             const char     *access,
             gint            days,
             CwInviteGrant  *grant,
             GError        **error)
{
  g_auto(GStrv) names = g_strsplit (scopes, ",", -1);

  memset (grant, 0, sizeof *grant);
  for (guint i = 0; names[i] != NULL; i++)
    {
      CwScopes scope;

      if (!cw_scope_from_string (g_strstrip (names[i]), &scope))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” is not a scope", names[i]);
          return FALSE;
        }
      grant->scopes |= scope;
    }
  if (purpose == NULL || !cw_purpose_from_string (purpose, &grant->purpose))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--grant-purpose must be a PurposeOfUse code such as TREAT");
      return FALSE;
    }
  if (access == NULL || strcmp (access, "view") == 0)
    grant->access = CW_ACCESS_VIEW;
  else if (strcmp (access, "store") == 0)
    grant->access = CW_ACCESS_STORE;
  else if (strcmp (access, "store,view") == 0 || strcmp (access, "view,store") == 0)
    grant->access = CW_ACCESS_VIEW | CW_ACCESS_STORE;
  else
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--grant-access must be view, store or view,store");
      return FALSE;
    }
  if (days <= 0 || days > CW_INVITE_MAX_GRANT_DAYS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--grant-days must be 1 to %d", CW_INVITE_MAX_GRANT_DAYS);
      return FALSE;
    }
  grant->days = (guint) days;
  return TRUE;
}

static gboolean
write_new_file (const char  *path,
                const char  *contents,
                GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = g_file_create (file, G_FILE_CREATE_NONE, NULL, error);

  return stream != NULL &&
         g_output_stream_write_all (G_OUTPUT_STREAM (stream), contents, strlen (contents), NULL,
                                    NULL, error) &&
         g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

int
cw_node_admin_invite (const char  *prog,
                      int          argc,
                      char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *expires_text = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out_dir = NULL;
  gboolean sheet = FALSE;
  g_autofree char *grant_scopes = NULL;
  g_autofree char *grant_purpose = NULL;
  g_autofree char *grant_access = NULL;
  gint grant_days = 365;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_id, "The inviting clinic's ID", "ID" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "The clinic's signer key file", "FILE" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires_text,
      "Lifetime (90m, 12h, 7d, 2w) or RFC 3339 time; default 7d, at most 365d", "WHEN" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url,
      "The node's https:// URL as wallets reach it (default: https://<listen address>)", "URL" },
    { "out-dir", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Also write <provider>-invite.cwinvite and <provider>-invite-qr.png here", "DIR" },
    { "sheet", 0, 0, G_OPTION_ARG_NONE, &sheet,
      "Also write a printable page, <provider>-invite-sheet.pdf (needs --out-dir)", NULL },
    { "grant-scopes", 0, 0, G_OPTION_ARG_STRING, &grant_scopes,
      "Propose a first grant of these scopes (comma-separated)", "SCOPES" },
    { "grant-purpose", 0, 0, G_OPTION_ARG_STRING, &grant_purpose,
      "Purpose of the proposed grant (TREAT, CAREMGT, ...)", "CODE" },
    { "grant-access", 0, 0, G_OPTION_ARG_STRING, &grant_access,
      "Access of the proposed grant: view (default), store or view,store", "ACCESS" },
    { "grant-days", 0, 0, G_OPTION_ARG_INT, &grant_days,
      "Length of the proposed grant in days (default 365)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwNodeDirectory) directory = NULL;
  g_autoptr(CwNodeProvider) provider = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GDateTime) expiry_time = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *expiry_text = NULL;
  g_autofree char *note = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *file_path = NULL;
  g_autofree char *qr_path = NULL;
  g_autofree char *sheet_path = NULL;
  g_autofree char *no_invite_reason = NULL;
  CwInviteGrant grant;
  GBytes *public_key;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires;
  int status;

  g_option_context_set_summary (context,
                                "Registers a one-time enrollment code for a clinic and prints "
                                "it, then the clinic's signed invite as a consentwallet: URI. "
                                "Only the code's SHA-256 is stored: neither can be shown again.\n"
                                "\n"
                                "Standard output: the code on the first line, the URI on the "
                                "second.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;

  if (dir == NULL || provider_id == NULL || key_file == NULL)
    return cw_node_cli_usage_error (prog, "--dir, --provider and --key are required");
  if (sheet && out_dir == NULL)
    return cw_node_cli_usage_error (prog, "--sheet needs --out-dir");
  if ((grant_purpose != NULL || grant_access != NULL) && grant_scopes == NULL)
    return cw_node_cli_usage_error (prog, "a proposed grant needs --grant-scopes");
  if (grant_scopes != NULL &&
      !parse_grant (grant_scopes, grant_purpose, grant_access, grant_days, &grant, &error))
    return cw_node_cli_usage_error (prog, error->message);

  if (!cw_node_invite_parse_expiry (expires_text, now, &expires, &error))
    return cw_node_cli_fail (prog, error);

  key = cw_node_secret_file_read_key (key_file, &error);
  if (key == NULL)
    return cw_node_cli_fail (prog, error);

  if (out_dir != NULL)
    {
      file_path = g_strdup_printf ("%s/%s-invite.cwinvite", out_dir, provider_id);
      qr_path = g_strdup_printf ("%s/%s-invite-qr.png", out_dir, provider_id);
      sheet_path = g_strdup_printf ("%s/%s-invite-sheet.pdf", out_dir, provider_id);
      /* Checked before the code is made, so a refusal changes nothing. */
      if (!g_file_test (out_dir, G_FILE_TEST_IS_DIR))
        return cw_node_cli_usage_error (prog, "--out-dir is not a directory");
      if (g_file_test (file_path, G_FILE_TEST_EXISTS) || g_file_test (qr_path, G_FILE_TEST_EXISTS) ||
          (sheet && g_file_test (sheet_path, G_FILE_TEST_EXISTS)))
        {
          g_printerr ("%s: invite files for %s exist in %s already; move them away first\n",
                      prog, provider_id, out_dir);
          return CW_NODE_EXIT_FAILURE;
        }
    }

  data_dir = cw_node_data_dir_open (dir, &error);
  if (data_dir == NULL)
    return cw_node_cli_fail (prog, error);

  directory = cw_node_directory_new (cw_node_data_dir_get_store (data_dir), 1);
  provider = cw_node_directory_lookup (directory, provider_id, &error);
  if (provider == NULL)
    return cw_node_cli_fail (prog, error);

  public_key = cw_node_provider_get_public_key (provider);
  if (cw_signing_key_get_key_type (key) != CW_KEY_TYPE_ED25519 ||
      memcmp (cw_signing_key_get_public_key (key), g_bytes_get_data (public_key, NULL),
              CW_PUBLIC_KEY_SIZE) != 0)
    {
      g_printerr ("%s: the key in “%s” is not the key of provider “%s”\n",
                  prog, key_file, provider_id);
      return CW_NODE_EXIT_FAILURE;
    }

  profile = node_profile (data_dir, url, &error);
  if (profile == NULL && (out_dir != NULL || url != NULL || grant_scopes != NULL))
    return cw_node_cli_fail (prog, error);
  if (profile == NULL)
    {
      no_invite_reason = g_strdup (error->message);
      g_clear_error (&error);
    }

  code = cw_node_invite_create (cw_node_data_dir_get_store (data_dir), provider_id,
                                now, expires, &error);
  if (code == NULL)
    return cw_node_cli_fail (prog, error);

  expiry_time = g_date_time_new_from_unix_utc (expires);
  expiry_text = g_date_time_format_iso8601 (expiry_time);

  /* Without a URL wallets can use there is no invite, only the code, as
   * before invites existed. */
  if (profile == NULL)
    {
      g_print ("%s\n", code);
      g_printerr ("One-time code for %s, valid until %s. It is not stored and cannot be shown "
                  "again. No invite was made: %s.\n", provider_id, expiry_text, no_invite_reason);
      return CW_NODE_EXIT_OK;
    }

  invite = cw_invite_new (profile, provider_id, code, expires,
                          grant_scopes != NULL ? &grant : NULL, &error);
  if (invite == NULL || (note = cw_invite_sign (invite, key, &error)) == NULL)
    return cw_node_cli_fail (prog, error);
  uri = cw_invite_note_to_uri (note);

  g_print ("%s\n%s\n", code, uri);
  g_printerr ("One-time code and invite for %s, valid until %s. Neither is stored and they "
              "cannot be shown again.\n", provider_id, expiry_text);

  if (out_dir != NULL)
    {
      if (!write_new_file (file_path, note, &error) ||
          !cw_node_invite_sheet_write_qr_png (uri, QR_MODULE_PX, qr_path, &error) ||
          (sheet && !cw_node_invite_sheet_write_pdf (uri, cw_node_provider_get_name (provider),
                                                     cw_node_provider_get_organization (provider),
                                                     code, expires, sheet_path, &error)))
        return cw_node_cli_fail (prog, error);
      g_printerr ("Wrote %s and %s%s%s.\n", file_path, qr_path, sheet ? " and " : "",
                  sheet ? sheet_path : "");
    }

  return CW_NODE_EXIT_OK;
}
