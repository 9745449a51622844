/* cw-invite.c: CwInvite, a clinic's signed invite (PROTOCOL.md §11), a
 * c2sp.org/signed-note whose text is one "<field> <value>" line per field
 * in a fixed order. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-invite.h"
#include "cw-note.h"
#include "cw-tx-fields.h"

G_DEFINE_QUARK (cw-invite-error-quark, cw_invite_error)

struct _CwInvite
{
  GObject parent_instance;

  CwNodeProfile *profile;
  char *clinic;
  char *code;
  gint64 expires;
  gboolean has_grant;
  CwInviteGrant grant;
  char *note;
  gboolean verified;
};

G_DEFINE_FINAL_TYPE (CwInvite, cw_invite, G_TYPE_OBJECT)

#define EM_DASH "\xe2\x80\x94"

static void
cw_invite_finalize (GObject *object)
{
  CwInvite *self = CW_INVITE (object);

  g_clear_pointer (&self->profile, cw_node_profile_free);
  g_free (self->clinic);
  g_free (self->code);
  g_free (self->note);

  G_OBJECT_CLASS (cw_invite_parent_class)->finalize (object);
}

static void
cw_invite_class_init (CwInviteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_invite_finalize;
}

static void
cw_invite_init (CwInvite *self)
{
}

static gboolean
grant_is_valid (const CwInviteGrant  *grant,
                GError              **error)
{
  if (grant->scopes == 0 || (grant->scopes & ~CW_SCOPES_ALL) != 0 ||
      (guint) grant->purpose >= CW_N_PURPOSES ||
      grant->access == 0 || (grant->access & ~(CW_ACCESS_VIEW | CW_ACCESS_STORE)) != 0 ||
      grant->days == 0 || grant->days > CW_INVITE_MAX_GRANT_DAYS)
    {
      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED,
                   _("The proposed grant needs scopes, a purpose, an access and 1 to %u days."),
                   CW_INVITE_MAX_GRANT_DAYS);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_fields (const CwNodeProfile  *profile,
              const char           *clinic,
              const char           *code,
              gint64                expires,
              GError              **error)
{
  g_autoptr(GUri) uri = g_uri_parse (profile->url, G_URI_FLAGS_NONE, NULL);
  const char *bad = NULL;

  /* Written exactly "https://host[:port][/path]", so that two invites of
   * one node compare equal and the text formats back the same. */
  if (uri == NULL || !g_str_has_prefix (profile->url, "https://") ||
      g_uri_get_host (uri) == NULL || g_uri_get_userinfo (uri) != NULL ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      strchr (profile->url, ' ') != NULL)
    bad = _("node URL (an https:// URL)");
  else if (profile->tls_pin != NULL && strchr (profile->tls_pin, ' ') != NULL)
    bad = _("TLS pin");
  else if (profile->witness_keys != NULL &&
           g_strv_length (profile->witness_keys) > CW_INVITE_MAX_WITNESSES)
    bad = _("witness list (at most 16)");
  else if (!cw_tx_provider_id_is_valid (clinic))
    bad = _("clinic ID");
  else if (!cw_tx_invite_is_valid (code))
    bad = _("one-time code");
  else if (expires <= 0 || expires > 253402300799)   /* 9999-12-31T23:59:59Z */
    bad = _("expiry");

  if (bad != NULL)
    {
      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED,
                   /* TRANSLATORS: %s is a part of the invite, such as “TLS pin” or “clinic ID” */
                   _("The invite's %s is not valid."), bad);
      return FALSE;
    }
  return TRUE;
}

CwInvite *
cw_invite_new (const CwNodeProfile  *profile,
               const char           *clinic,
               const char           *code,
               gint64                expires,
               const CwInviteGrant  *grant,
               GError              **error)
{
  CwInvite *self;

  g_return_val_if_fail (profile != NULL, NULL);

  if (clinic == NULL || code == NULL ||
      !check_fields (profile, clinic, code, expires, error) ||
      (grant != NULL && !grant_is_valid (grant, error)))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED,
                             _("An invite needs a clinic and a code."));
      return NULL;
    }

  self = g_object_new (CW_TYPE_INVITE, NULL);
  self->profile = cw_node_profile_copy (profile);
  self->clinic = g_strdup (clinic);
  self->code = g_strdup (code);
  self->expires = expires;
  if (grant != NULL)
    {
      self->has_grant = TRUE;
      self->grant = *grant;
    }
  return self;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Scope names in wire order (ascending), joined by commas. */
static char *
scopes_to_text (CwScopes scopes)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (scopes & (1u << i))
      g_ptr_array_add (names, (char *) cw_scope_to_string (1u << i));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

char *
cw_invite_to_text (CwInvite *self)
{
  GString *text = g_string_new (CW_INVITE_HEADER "\n");
  g_autoptr(GDateTime) expires = NULL;
  g_autofree char *expires_text = NULL;

  g_return_val_if_fail (CW_IS_INVITE (self), NULL);

  expires = g_date_time_new_from_unix_utc (self->expires);
  expires_text = cw_tx_format_time (expires);
  g_string_append_printf (text, "node %s\n", self->profile->url);
  if (self->profile->tls_pin != NULL)
    g_string_append_printf (text, "tls-pin %s\n", self->profile->tls_pin);
  g_string_append_printf (text, "log-key %s\n", self->profile->log_key);
  for (guint i = 0; self->profile->witness_keys != NULL && self->profile->witness_keys[i]; i++)
    g_string_append_printf (text, "witness %s\n", self->profile->witness_keys[i]);
  g_string_append_printf (text, "quorum %u\n", self->profile->quorum);
  g_string_append_printf (text, "clinic %s\n", self->clinic);
  g_string_append_printf (text, "code %s\n", self->code);
  g_string_append_printf (text, "expires %s\n", expires_text);
  if (self->has_grant)
    {
      g_autofree char *scopes = scopes_to_text (self->grant.scopes);
      const char *access = self->grant.access == CW_ACCESS_VIEW ? "view"
                         : self->grant.access == CW_ACCESS_STORE ? "store" : "store,view";

      g_string_append_printf (text, "grant %s %s %s %u\n", scopes,
                              cw_purpose_to_string (self->grant.purpose), access, self->grant.days);
    }
  return g_string_free (text, FALSE);
}

char *
cw_invite_sign (CwInvite      *self,
                CwSigningKey  *clinic_key,
                GError       **error)
{
  g_autoptr(CwSigningKey) named = NULL;
  g_autofree char *text = NULL;
  char *note;

  g_return_val_if_fail (CW_IS_INVITE (self), NULL);

  /* The key name in the signature line is always the clinic's ID, whatever
   * name the key file gave it, so that a wallet knows whose key to fetch. */
  named = cw_signing_key_new_from_seed (self->clinic, CW_KEY_TYPE_ED25519,
                                        cw_signing_key_peek_seed (clinic_key), error);
  if (named == NULL)
    return NULL;
  text = cw_invite_to_text (self);
  note = cw_note_sign (text, &named, 1, error);
  if (note != NULL && strlen (note) > CW_INVITE_MAX_NOTE_LENGTH)
    {
      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_TOO_LARGE,
                   _("The invite would be longer than %d bytes."), CW_INVITE_MAX_NOTE_LENGTH);
      g_free (note);
      return NULL;
    }
  if (note != NULL)
    {
      g_free (self->note);
      self->note = g_strdup (note);
    }
  return note;
}

char *
cw_invite_note_to_uri (const char *note)
{
  g_autofree char *encoded = cw_base64url_encode ((const guint8 *) note, strlen (note));

  return g_strconcat (CW_INVITE_URI_SCHEME ":", encoded, NULL);
}

static gboolean
malformed (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
malformed (GError    **error,
           const char *format,
           ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED,
               _("This is not a valid invite: %s"), message);
  return FALSE;
}

static gboolean
parse_grant (const char     *value,
             CwInviteGrant  *grant,
             GError        **error)
{
  g_auto(GStrv) parts = g_strsplit (value, " ", -1);
  g_auto(GStrv) scopes = NULL;
  g_auto(GStrv) access = NULL;
  guint64 days;

  memset (grant, 0, sizeof *grant);
  if (g_strv_length (parts) != 4)
    return malformed (error, _("the proposed grant is not “SCOPES PURPOSE ACCESS DAYS”."));

  scopes = g_strsplit (parts[0], ",", -1);
  for (guint i = 0; scopes[i] != NULL; i++)
    {
      CwScopes scope;

      if (!cw_scope_from_string (scopes[i], &scope) ||
          (i > 0 && strcmp (scopes[i - 1], scopes[i]) >= 0))
        return malformed (error, _("the proposed grant's scopes are not known scopes in ascending "
                            "order."));
      grant->scopes |= scope;
    }
  if (!cw_purpose_from_string (parts[1], &grant->purpose))
    return malformed (error, _("the proposed grant's purpose is unknown."));
  if (strcmp (parts[2], "view") == 0)
    grant->access = CW_ACCESS_VIEW;
  else if (strcmp (parts[2], "store") == 0)
    grant->access = CW_ACCESS_STORE;
  else if (strcmp (parts[2], "store,view") == 0)
    grant->access = CW_ACCESS_STORE | CW_ACCESS_VIEW;
  else
    return malformed (error, _("the proposed grant's access is not view, store or store,view."));
  if (!cw_parse_uint64 (parts[3], -1, &days) || days == 0 || days > CW_INVITE_MAX_GRANT_DAYS)
    return malformed (error, _("the proposed grant's period is not 1 to %u days."),
                      CW_INVITE_MAX_GRANT_DAYS);
  grant->days = (guint) days;
  return grant_is_valid (grant, error);
}

/* The fields in the order they must appear; "witness" may repeat. */
static const struct {
  const char *name;
  gboolean optional;
  gboolean repeats;
} fields[] = {
  { "node", FALSE, FALSE },
  { "tls-pin", TRUE, FALSE },
  { "log-key", FALSE, FALSE },
  { "witness", TRUE, TRUE },
  { "quorum", FALSE, FALSE },
  { "clinic", FALSE, FALSE },
  { "code", FALSE, FALSE },
  { "expires", FALSE, FALSE },
  { "grant", TRUE, FALSE },
};

static CwInvite *
parse_text (const char  *text,
            GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  const char *values[G_N_ELEMENTS (fields)] = { NULL };
  g_autoptr(GPtrArray) witnesses = g_ptr_array_new ();
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GError) cause = NULL;
  CwInviteGrant grant;
  guint next = 0;
  guint n_lines = g_strv_length (lines);
  guint64 quorum;
  CwInvite *self;

  /* The text ends in "\n", so the last split piece is empty. */
  if (n_lines < 2 || strcmp (lines[0], CW_INVITE_HEADER) != 0)
    {
      if (g_str_has_prefix (lines[0], "consentwallet.github.io/invite/"))
        {
          g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_UNSUPPORTED,
                       _("This invite is of a newer format (“%s”) than this wallet reads. "
                         "Update Consent Wallet."), lines[0]);
          return NULL;
        }
      malformed (error, _("its first line is not “%s”."), CW_INVITE_HEADER);
      return NULL;
    }

  for (guint i = 1; i + 1 < n_lines; i++)
    {
      const char *space = strchr (lines[i], ' ');
      g_autofree char *name = NULL;
      const char *value;
      guint f;

      if (space == NULL || space == lines[i] || space[1] == '\0')
        {
          malformed (error, _("line %u is not “FIELD VALUE”."), i + 1);
          return NULL;
        }
      name = g_strndup (lines[i], space - lines[i]);
      value = space + 1;
      for (f = 0; f < G_N_ELEMENTS (fields); f++)
        if (strcmp (fields[f].name, name) == 0)
          break;
      if (f == G_N_ELEMENTS (fields))
        {
          g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_UNSUPPORTED,
                       _("This invite has a field this wallet does not know (“%s”, line %u)."),
                       name, i + 1);
          return NULL;
        }
      if (f < next || (f == next && values[f] != NULL && !fields[f].repeats) ||
          (fields[f].repeats && witnesses->len >= CW_INVITE_MAX_WITNESSES))
        {
          malformed (error, _("field “%s” is repeated or out of order (line %u)."), name, i + 1);
          return NULL;
        }
      for (guint skipped = next; skipped < f; skipped++)
        if (!fields[skipped].optional && values[skipped] == NULL)
          {
            malformed (error, _("field “%s” is missing."), fields[skipped].name);
            return NULL;
          }
      next = f;
      if (fields[f].repeats)
        g_ptr_array_add (witnesses, (char *) value);
      values[f] = value;
    }
  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    if (!fields[f].optional && values[f] == NULL)
      {
        malformed (error, _("field “%s” is missing."), fields[f].name);
        return NULL;
      }

  if (!cw_parse_uint64 (values[4], -1, &quorum) || quorum > CW_INVITE_MAX_WITNESSES)
    {
      malformed (error, _("the quorum is not a number from 0 to %d."), CW_INVITE_MAX_WITNESSES);
      return NULL;
    }
  g_ptr_array_add (witnesses, NULL);
  profile = cw_node_profile_new (values[0], values[1], values[2],
                                 (const char * const *) witnesses->pdata, (guint) quorum, &cause);
  if (profile == NULL)
    {
      malformed (error, "%s", cause->message);
      return NULL;
    }
  expires = cw_tx_parse_time (values[7]);
  if (expires == NULL)
    {
      malformed (error, _("the expiry is not a time like 2026-01-31T12:00:00Z."));
      return NULL;
    }
  if (values[8] != NULL && !parse_grant (values[8], &grant, error))
    return NULL;

  self = cw_invite_new (profile, values[5], values[6], g_date_time_to_unix (expires),
                        values[8] != NULL ? &grant : NULL, error);
  return self;
}

CwInvite *
cw_invite_parse (const char  *data,
                 gsize        len,
                 GError     **error)
{
  g_autoptr(GBytes) decoded = NULL;
  g_autofree char *note = NULL;
  g_autofree char *text = NULL;
  g_autoptr(CwInvite) self = NULL;
  g_autofree char *signature_prefix = NULL;
  const char *start = data;
  const char *end = data + len;
  const char *blank;
  const char *lines;
  gsize note_len;
  guint n_signatures = 0;
  gboolean clinic_signed = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > CW_INVITE_MAX_URI_LENGTH)
    {
      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_TOO_LARGE,
                   _("This is too long to be an invite (%zu bytes)."), len);
      return NULL;
    }
  if (memchr (data, '\0', len) != NULL)
    {
      malformed (error, _("it contains a NUL byte."));
      return NULL;
    }

  while (start < end && g_ascii_isspace (*start))
    start++;
  if ((gsize) (end - start) > strlen (CW_INVITE_URI_SCHEME ":") &&
      g_ascii_strncasecmp (start, CW_INVITE_URI_SCHEME ":", strlen (CW_INVITE_URI_SCHEME ":")) == 0)
    {
      g_autoptr(GError) cause = NULL;

      start += strlen (CW_INVITE_URI_SCHEME ":");
      while (end > start && g_ascii_isspace (end[-1]))
        end--;
      decoded = cw_base64url_decode (start, end - start, &cause);
      if (decoded == NULL)
        {
          malformed (error, _("the consentwallet: link is damaged (%s)."), cause->message);
          return NULL;
        }
      note_len = g_bytes_get_size (decoded);
      note = g_strndup (g_bytes_get_data (decoded, NULL), note_len);
      if (strlen (note) != note_len)
        {
          malformed (error, _("it contains a NUL byte."));
          return NULL;
        }
    }
  else
    {
      note = g_strndup (data, len);
      note_len = len;
    }
  if (note_len > CW_INVITE_MAX_NOTE_LENGTH)
    {
      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_TOO_LARGE,
                   _("This is too long to be an invite (%zu bytes)."), note_len);
      return NULL;
    }

  /* Invite text has no empty line, so the first blank line ends it. */
  blank = strstr (note, "\n\n");
  if (blank == NULL)
    {
      malformed (error, _("it is not a signed note."));
      return NULL;
    }
  text = g_strndup (note, blank + 1 - note);
  if (!cw_note_text_is_valid (text, strlen (text), NULL))
    {
      malformed (error, _("its text is not valid UTF-8 text lines."));
      return NULL;
    }

  self = parse_text (text, error);
  if (self == NULL)
    return NULL;

  /* The signatures are checked later with the clinic's key; here only
   * their form, and that one claims to be the clinic's. */
  signature_prefix = g_strconcat (EM_DASH " ", self->clinic, " ", NULL);
  lines = blank + 2;
  if (*lines == '\0')
    {
      malformed (error, _("it has no signature."));
      return NULL;
    }
  while (*lines != '\0')
    {
      const char *eol = strchr (lines, '\n');

      if (eol == NULL || !g_str_has_prefix (lines, EM_DASH " ") ||
          ++n_signatures > CW_NOTE_MAX_SIGNATURES)
        {
          malformed (error, _("its signature lines are malformed."));
          return NULL;
        }
      if (strncmp (lines, signature_prefix, strlen (signature_prefix)) == 0)
        clinic_signed = TRUE;
      lines = eol + 1;
    }
  if (!clinic_signed)
    {
      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_BAD_SIGNATURE,
                   _("This invite is not signed by the clinic it names (“%s”)."), self->clinic);
      return NULL;
    }

  self->note = g_steal_pointer (&note);
  return g_steal_pointer (&self);
}

gboolean
cw_invite_verify_signature (CwInvite      *self,
                            const guint8   clinic_public_key[CW_PUBLIC_KEY_SIZE],
                            GError       **error)
{
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  g_autoptr(CwVerifierKey) key = NULL;
  g_autoptr(CwNote) opened = NULL;
  g_autoptr(GError) cause = NULL;

  g_return_val_if_fail (CW_IS_INVITE (self), FALSE);

  if (self->note == NULL)
    {
      g_set_error_literal (error, CW_INVITE_ERROR, CW_INVITE_ERROR_BAD_SIGNATURE,
                           _("This invite is not signed."));
      return FALSE;
    }
  key = cw_verifier_key_new (self->clinic, CW_KEY_TYPE_ED25519, clinic_public_key, &cause);
  if (key == NULL || !cw_note_verifiers_add (verifiers, key, &cause) ||
      (opened = cw_note_open (self->note, strlen (self->note), verifiers, &cause)) == NULL)
    {
      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_BAD_SIGNATURE,
                   _("This invite is not signed by the key of clinic “%s” in the node's "
                     "directory. It may be forged or damaged: do not use it, and ask the clinic "
                     "for a new one."), self->clinic);
      return FALSE;
    }
  self->verified = TRUE;
  return TRUE;
}

gboolean
cw_invite_check_expiry (CwInvite  *self,
                        gint64     now,
                        GError   **error)
{
  g_return_val_if_fail (CW_IS_INVITE (self), FALSE);

  if (now >= self->expires)
    {
      g_autoptr(GDateTime) expires = g_date_time_new_from_unix_utc (self->expires);
      g_autofree char *when = cw_tx_format_time (expires);

      g_set_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_EXPIRED,
                   _("This invite expired on %s. Ask the clinic for a new one."), when);
      return FALSE;
    }
  return TRUE;
}

gboolean
cw_invite_is_verified (CwInvite *self)
{
  g_return_val_if_fail (CW_IS_INVITE (self), FALSE);
  return self->verified;
}

const CwNodeProfile *
cw_invite_get_node_profile (CwInvite *self)
{
  g_return_val_if_fail (CW_IS_INVITE (self), NULL);
  return self->profile;
}

const char *
cw_invite_get_clinic (CwInvite *self)
{
  g_return_val_if_fail (CW_IS_INVITE (self), NULL);
  return self->clinic;
}

const char *
cw_invite_get_code (CwInvite *self)
{
  g_return_val_if_fail (CW_IS_INVITE (self), NULL);
  return self->code;
}

gint64
cw_invite_get_expires (CwInvite *self)
{
  g_return_val_if_fail (CW_IS_INVITE (self), 0);
  return self->expires;
}

const CwInviteGrant *
cw_invite_get_proposed_grant (CwInvite *self)
{
  g_return_val_if_fail (CW_IS_INVITE (self), NULL);
  return self->has_grant ? &self->grant : NULL;
}

const char *
cw_invite_get_note (CwInvite *self)
{
  g_return_val_if_fail (CW_IS_INVITE (self), NULL);
  return self->note;
}
