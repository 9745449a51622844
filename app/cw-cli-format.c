/* cw-cli-format.c: consent-wallet-cli's reading of scopes, purposes, dates
 * and passphrases from the command line, and its plain-language and JSON
 * descriptions of grants and transactions. */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cw-cli.h"
#include "cw-dsse.h"

#define MAX_PASSPHRASE 1024

static gboolean
usage (GError     **error,
       const char  *format,
       ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage (GError     **error,
       const char  *format,
       ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                                format, args));
  va_end (args);
  return FALSE;
}

gboolean
cw_cli_parse_scopes (const char  *text,
                     CwScopes    *scopes,
                     GError     **error)
{
  g_auto(GStrv) names = g_strsplit (text, ",", -1);

  *scopes = 0;
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      CwScopes scope;

      /* The shortcut never includes a sensitive category. */
      if (g_str_equal (name, "all"))
        *scopes |= CW_SCOPES_ALL & ~CW_SCOPES_SENSITIVE;
      else if (cw_scope_from_string (name, &scope))
        *scopes |= scope;
      else
        return usage (error, _("Unknown scope “%s”. Scopes: summary, allergies, medications, "
                               "problems, immunizations, lab-results, imaging, clinical-notes, "
                               "vitals, billing, “all” for every one of these, and the sensitive "
                               "mental-health, substance-use, sexual-health, genetics, which "
                               "must each be named."), name);
    }
  if (*scopes == 0)
    return usage (error, _("Name at least one scope."));
  return TRUE;
}

gboolean
cw_cli_parse_access (const char  *text,
                     CwAccess    *access,
                     GError     **error)
{
  g_auto(GStrv) names = g_strsplit (text, ",", -1);

  *access = 0;
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);

      if (g_str_equal (name, "view"))
        *access |= CW_ACCESS_VIEW;
      else if (g_str_equal (name, "store"))
        *access |= CW_ACCESS_STORE;
      else
        return usage (error, _("Unknown access “%s”: use view, store or view,store."), name);
    }
  if (*access == 0)
    return usage (error, _("Name at least one kind of access (view, store)."));
  return TRUE;
}

gboolean
cw_cli_parse_purpose (const char  *text,
                      CwPurpose   *purpose,
                      GError     **error)
{
  g_autofree char *upper = g_ascii_strup (text, -1);

  if (!cw_purpose_from_string (upper, purpose))
    return usage (error, _("Unknown purpose “%s”. Purposes: TREAT, ETREAT, CAREMGT, HPAYMT, "
                           "HOPERAT, HRESCH, PUBHLTH, PATRQT, COVERAGE."), text);
  return TRUE;
}

GDateTime *
cw_cli_parse_expires (const char  *text,
                      GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = NULL;

  if (cw_tx_date_is_valid (text))
    {
      g_autofree char *end_of_day = g_strconcat (text, "T23:59:59Z", NULL);

      expires = cw_tx_parse_time (end_of_day);
    }
  else
    {
      expires = cw_tx_parse_time (text);
    }
  if (expires == NULL)
    {
      usage (error, _("“%s” is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ."), text);
      return NULL;
    }
  if (g_date_time_compare (expires, now) <= 0)
    {
      usage (error, _("The end date %s is in the past."), text);
      return NULL;
    }
  return g_steal_pointer (&expires);
}

GDateTime *
cw_cli_parse_duration (const char  *text,
                       GDateTime   *now,
                       GError     **error)
{
  guint64 count = 0;
  char *end = NULL;
  GDateTime *expires = NULL;

  if (g_ascii_isdigit (text[0]))
    {
      errno = 0;
      count = g_ascii_strtoull (text, &end, 10);
    }
  if (count == 0 || count > 100 || errno != 0 || end == NULL || end[0] == '\0' || end[1] != '\0')
    {
      usage (error, _("“%s” is not a period: use a number from 1 to 100 and d, w, m or y, "
                      "for example 1w, 6m or 1y."), text);
      return NULL;
    }
  switch (end[0])
    {
    case 'd':
      expires = g_date_time_add_days (now, (int) count);
      break;
    case 'w':
      expires = g_date_time_add_weeks (now, (int) count);
      break;
    case 'm':
      expires = g_date_time_add_months (now, (int) count);
      break;
    case 'y':
      expires = g_date_time_add_years (now, (int) count);
      break;
    default:
      usage (error, _("“%s” is not a period: use d, w, m or y, for example 1w, 6m or 1y."), text);
      return NULL;
    }
  /* Whole seconds: the wire form has no fractions. */
  {
    GDateTime *whole = g_date_time_new_from_unix_utc (g_date_time_to_unix (expires));

    g_date_time_unref (expires);
    return whole;
  }
}

static char *
join_names (GPtrArray *names)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0 && i == names->len - 1)
        g_string_append (text, _(" and "));
      else if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (names, i));
    }
  return g_string_free (text, FALSE);
}

/* Category and purpose names are capitalised on their own; inside a
 * sentence English and Spanish lower them, German keeps its nouns. */
static char *
name_in_sentence (const char *translated_name)
{
  /* Translators: "keep" if names of data categories and purposes keep their
   * capital letter inside a sentence in your language; otherwise "lower". */
  if (g_strcmp0 (C_("names in a sentence", "lower"), "keep") == 0)
    return g_strdup (translated_name);
  return g_utf8_strdown (translated_name, -1);
}

char *
cw_cli_describe_scopes (CwScopes scopes)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (scopes & (1u << i))
      g_ptr_array_add (names, name_in_sentence (_(cw_scope_get_display_name (1u << i))));
  joined = join_names (names);
  /* TRANSLATORS: "your medications and lab results" */
  return g_strdup_printf (_("your %s"), joined);
}

char *
cw_cli_describe_access (CwAccess access)
{
  if (access == (CW_ACCESS_VIEW | CW_ACCESS_STORE))
    return g_strdup (_("view and store"));
  return g_strdup (access == CW_ACCESS_STORE ? _("store") : _("view"));
}

char *
cw_cli_describe_purpose (CwPurpose purpose)
{
  return name_in_sentence (_(cw_purpose_get_display_name (purpose)));
}

char *
cw_cli_describe_date (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (time, "%-d %B %Y");
}

char *
cw_cli_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return cw_tx_format_time (time);
}

char *
cw_cli_provider_name (CwCli      *cli,
                      const char *provider_id)
{
  g_autoptr(CwStoreProvider) provider = NULL;

  provider = cw_wallet_store_get_provider (cw_wallet_get_store (cli->wallet), provider_id, NULL);
  if (provider != NULL && provider->name != NULL && provider->name[0] != '\0')
    return g_strdup (provider->name);
  return g_strdup (provider_id);
}

char *
cw_cli_describe_tx_state (const CwStoreTx *tx)
{
  switch (tx->state)
    {
    case CW_STORE_TX_QUEUED:
      return g_strdup (_("waiting to be sent"));
    case CW_STORE_TX_SENT:
      return g_strdup (_("waiting to be sent (sent, no receipt yet)"));
    case CW_STORE_TX_CONFIRMED:
      return g_strdup_printf (_("logged at index %" PRId64 ", verified"), tx->log_index);
    case CW_STORE_TX_REJECTED:
      return g_strdup_printf (_("refused by the node: %s"),
                              tx->error != NULL ? tx->error : _("no reason given"));
    default:
      g_assert_not_reached ();
    }
}

static CwTx *
payload_of (const char *envelope_json)
{
  g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (envelope_json,
                                                               strlen (envelope_json), NULL);
  g_autoptr(GBytes) payload = envelope != NULL ? cw_dsse_envelope_get_payload (envelope) : NULL;

  return payload != NULL ? cw_tx_parse_payload_bytes (payload, NULL) : NULL;
}

char *
cw_cli_describe_tx (CwCli           *cli,
                    const CwStoreTx *tx)
{
  g_autoptr(CwTx) parsed = payload_of (tx->envelope);
  g_autofree char *name = NULL;
  g_autofree char *scopes = NULL;
  g_autofree char *purpose = NULL;
  g_autofree char *until = NULL;
  g_autofree char *ref = NULL;

  if (parsed == NULL)
    return g_strdup (_("An unreadable transaction"));

  switch (tx->type)
    {
    case CW_TX_TYPE_ENROLL:
      return g_strdup_printf (_("Enrolled with %s"), cw_tx_get_clinic (parsed));
    case CW_TX_TYPE_GRANT:
      name = cw_cli_provider_name (cli, cw_tx_get_provider (parsed));
      scopes = cw_cli_describe_scopes (cw_tx_get_scopes (parsed));
      purpose = cw_cli_describe_purpose (cw_tx_get_purpose (parsed));
      until = cw_cli_describe_date (g_date_time_to_unix (cw_tx_get_expires (parsed)));
      return g_strdup_printf (_("Granted %s access to %s for %s until %s"), name, scopes, purpose,
                              until);
    case CW_TX_TYPE_REVOKE:
      ref = cw_base64_encode (cw_tx_get_grant (parsed), CW_TX_ID_SIZE);
      {
        g_autoptr(CwStoreGrant) grant = cw_wallet_store_get_grant (cw_wallet_get_store (cli->wallet),
                                                                   ref, NULL);

        if (grant != NULL)
          {
            name = cw_cli_provider_name (cli, grant->provider);
            return g_strdup_printf (_("Revoked the access of %s (grant %s)"), name, ref);
          }
      }
      return g_strdup_printf (_("Revoked grant %s"), ref);
    case CW_TX_TYPE_DENY:
      ref = cw_base64_encode (cw_tx_get_request (parsed), CW_TX_ID_SIZE);
      return g_strdup_printf (_("Denied request %s"), ref);
    case CW_TX_TYPE_ROTATE:
      return g_strdup (_("Replaced your identity key"));
    default:
      return g_strdup (cw_tx_type_to_string (tx->type));
    }
}

JsonNode *
cw_cli_scopes_to_json (CwScopes scopes)
{
  g_autoptr(JsonArray) array = json_array_new ();

  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (scopes & (1u << i))
      json_array_add_string_element (array, cw_scope_to_string (1u << i));
  return json_node_init_array (json_node_alloc (), array);
}

JsonNode *
cw_cli_access_to_json (CwAccess access)
{
  g_autoptr(JsonArray) array = json_array_new ();

  if (access & CW_ACCESS_STORE)
    json_array_add_string_element (array, "store");
  if (access & CW_ACCESS_VIEW)
    json_array_add_string_element (array, "view");
  return json_node_init_array (json_node_alloc (), array);
}

JsonNode *
cw_cli_tx_to_json (CwCli           *cli,
                   const CwStoreTx *tx)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *description = cw_cli_describe_tx (cli, tx);
  g_autofree char *created = cw_cli_format_time (tx->created);

  json_object_set_string_member (object, "id", tx->id);
  json_object_set_int_member (object, "seq", (gint64) tx->seq);
  json_object_set_string_member (object, "type", cw_tx_type_to_string (tx->type));
  json_object_set_string_member (object, "state", cw_store_tx_state_to_string (tx->state));
  json_object_set_boolean_member (object, "waiting", tx->state == CW_STORE_TX_QUEUED ||
                                                     tx->state == CW_STORE_TX_SENT);
  if (tx->log_index >= 0)
    json_object_set_int_member (object, "log_index", tx->log_index);
  else
    json_object_set_null_member (object, "log_index");
  if (tx->error != NULL)
    json_object_set_string_member (object, "error", tx->error);
  json_object_set_int_member (object, "attempts", tx->attempts);
  json_object_set_string_member (object, "created", created);
  json_object_set_string_member (object, "description", description);
  return json_node_init_object (json_node_alloc (), object);
}

JsonNode *
cw_cli_grant_to_json (CwCli              *cli,
                      const CwStoreGrant *grant)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *name = cw_cli_provider_name (cli, grant->provider);
  g_autofree char *time = cw_cli_format_time (grant->time);
  g_autofree char *expires = cw_cli_format_time (grant->expires);
  const char *status = "active";

  if (grant->revoked_by != NULL)
    status = "revoked";
  else if (grant->expires <= g_get_real_time () / G_USEC_PER_SEC)
    status = "expired";

  json_object_set_string_member (object, "id", grant->id);
  json_object_set_string_member (object, "provider", grant->provider);
  json_object_set_string_member (object, "provider_name", name);
  json_object_set_member (object, "scopes", cw_cli_scopes_to_json (grant->scopes));
  json_object_set_string_member (object, "purpose", cw_purpose_to_string (grant->purpose));
  json_object_set_member (object, "access", cw_cli_access_to_json (grant->access));
  if (grant->data_from != NULL)
    json_object_set_string_member (object, "data_from", grant->data_from);
  if (grant->data_to != NULL)
    json_object_set_string_member (object, "data_to", grant->data_to);
  json_object_set_string_member (object, "time", time);
  json_object_set_string_member (object, "expires", expires);
  if (grant->request_id != NULL)
    json_object_set_string_member (object, "request", grant->request_id);
  if (grant->log_index >= 0)
    json_object_set_int_member (object, "log_index", grant->log_index);
  json_object_set_string_member (object, "status", status);
  if (grant->revoked_by != NULL)
    json_object_set_string_member (object, "revoked_by", grant->revoked_by);
  return json_node_init_object (json_node_alloc (), object);
}

/* Reads one line from the terminal with echo off. */
static gboolean
prompt_line (const char  *prompt,
             char        *buffer,
             GError     **error)
{
  struct termios saved, quiet;
  gsize len = 0;
  gboolean ok = TRUE;
  int c;

  if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &saved) != 0)
    return usage (error, _("No terminal to ask for the passphrase: use --passphrase-file FILE."));

  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  fputs (prompt, stderr);
  fflush (stderr);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  while ((c = getchar ()) != EOF && c != '\n')
    {
      if (len + 1 >= MAX_PASSPHRASE)
        ok = FALSE;
      else
        buffer[len++] = (char) c;
    }
  buffer[len] = '\0';
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  fputs ("\n", stderr);
  if (!ok)
    return usage (error, _("The passphrase is too long."));
  return TRUE;
}

char *
cw_cli_read_passphrase (const char  *file,
                        gboolean     confirm,
                        GError     **error)
{
  char *passphrase = sodium_malloc (MAX_PASSPHRASE);

  if (passphrase == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of secure memory."));
      return NULL;
    }

  if (file != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0, line;

      if (!g_file_get_contents (file, &contents, &len, error))
        {
          sodium_free (passphrase);
          return NULL;
        }
      line = strcspn (contents, "\r\n");
      if (line + 1 > MAX_PASSPHRASE)
        {
          sodium_memzero (contents, len);
          sodium_free (passphrase);
          usage (error, _("The passphrase in %s is too long."), file);
          return NULL;
        }
      memcpy (passphrase, contents, line);
      passphrase[line] = '\0';
      sodium_memzero (contents, len);
    }
  else
    {
      if (!prompt_line (_("Backup passphrase: "), passphrase, error))
        {
          sodium_free (passphrase);
          return NULL;
        }
      if (confirm)
        {
          char *again = sodium_malloc (MAX_PASSPHRASE);
          gboolean same;

          if (again == NULL || !prompt_line (_("Same passphrase again: "), again, error))
            {
              if (again != NULL)
                sodium_free (again);
              sodium_free (passphrase);
              return NULL;
            }
          same = g_str_equal (again, passphrase);
          sodium_free (again);
          if (!same)
            {
              sodium_free (passphrase);
              usage (error, _("The two passphrases differ."));
              return NULL;
            }
        }
    }

  if (passphrase[0] == '\0')
    {
      sodium_free (passphrase);
      usage (error, _("The passphrase is empty."));
      return NULL;
    }
  return passphrase;
}
