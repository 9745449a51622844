/* cw-witness-set.c: witness set notes: formatting, signing, parsing and
 * the check that lets a wallet move to a new set (see the header and
 * PROTOCOL.md §4 "Witness sets"). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-note.h"
#include "cw-witness-set.h"

G_DEFINE_QUARK (cw-witness-set-error-quark, cw_witness_set_error)

void
cw_witness_set_free (CwWitnessSet *self)
{
  if (self == NULL)
    return;

  g_free (self->origin);
  g_strfreev (self->witness_keys);
  g_free (self);
}

static gboolean
check_members (const char          *origin,
               guint                quorum,
               const char * const  *witness_keys,
               GError             **error)
{
  guint n = witness_keys != NULL ? g_strv_length ((char **) witness_keys) : 0;

  if (origin == NULL || !cw_key_name_is_valid (origin))
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("The witness set names no valid log origin"));
      return FALSE;
    }
  if (n == 0 || n > CW_WITNESS_SET_MAX_WITNESSES || quorum == 0 || quorum > n)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("A witness set needs 1 to %u witnesses and a quorum between 1 and their "
                     "number (got %u witnesses, quorum %u)"), CW_WITNESS_SET_MAX_WITNESSES, n,
                   quorum);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwVerifierKey) key = NULL;
      g_autoptr(GError) cause = NULL;

      key = cw_verifier_key_new_from_string (witness_keys[i], &cause);
      if (key == NULL)
        {
          g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                       _("Witness key %u of the set is not a verifier key: %s"), i + 1,
                       cause->message);
          return FALSE;
        }
      if (cw_verifier_key_get_key_type (key) != CW_KEY_TYPE_COSIGNATURE_V1)
        {
          g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                       _("Witness key %u of the set is not a tlog-cosignature/v1 key"), i + 1);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (g_str_equal (witness_keys[i], witness_keys[j]))
          {
            g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                         _("Witness key %u of the set is listed twice"), i + 1);
            return FALSE;
          }
    }

  return TRUE;
}

char *
cw_witness_set_format (const char          *origin,
                       guint64              version,
                       guint                quorum,
                       const char * const  *witness_keys,
                       GError             **error)
{
  GString *text;

  if (!check_members (origin, quorum, witness_keys, error))
    return NULL;

  text = g_string_new (CW_WITNESS_SET_HEADER "\n");
  g_string_append_printf (text, "origin %s\nversion %" G_GUINT64_FORMAT "\nquorum %u\n", origin,
                          version, quorum);
  for (guint i = 0; witness_keys[i] != NULL; i++)
    g_string_append_printf (text, "witness %s\n", witness_keys[i]);
  return g_string_free (text, FALSE);
}

static gboolean
parse_number (const char  *line,
              const char  *prefix,
              guint64      max,
              guint64     *out,
              GError     **error)
{
  gsize len = strlen (prefix);

  if (!g_str_has_prefix (line, prefix) || line[len] != ' ' ||
      !cw_parse_uint64 (line + len + 1, -1, out) || *out > max)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("The witness set lacks a valid “%s” line"), prefix);
      return FALSE;
    }
  return TRUE;
}

CwWitnessSet *
cw_witness_set_parse_text (const char  *text,
                           GError     **error)
{
  g_autoptr(CwWitnessSet) set = g_new0 (CwWitnessSet, 1);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;
  guint64 quorum = 0;
  guint n;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_str_has_suffix (text, "\n"))
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("The witness set does not end with a newline"));
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines) - 1;   /* the empty string after the last newline */
  if (n < 5 || !g_str_equal (lines[0], CW_WITNESS_SET_HEADER) ||
      !g_str_has_prefix (lines[1], "origin "))
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("Not a %s note"), CW_WITNESS_SET_HEADER);
      return NULL;
    }
  set->origin = g_strdup (lines[1] + strlen ("origin "));
  if (!parse_number (lines[2], "version", G_MAXUINT64, &set->version, error) ||
      !parse_number (lines[3], "quorum", CW_WITNESS_SET_MAX_WITNESSES, &quorum, error))
    return NULL;
  set->quorum = (guint) quorum;

  for (guint i = 4; i < n; i++)
    {
      if (!g_str_has_prefix (lines[i], "witness "))
        {
          g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                       _("Line %u of the witness set is not a “witness” line"), i + 1);
          return NULL;
        }
      g_ptr_array_add (keys, g_strdup (lines[i] + strlen ("witness ")));
    }
  g_ptr_array_add (keys, NULL);
  set->witness_keys = (char **) g_ptr_array_free (g_steal_pointer (&keys), FALSE);

  if (!check_members (set->origin, set->quorum, (const char * const *) set->witness_keys, error))
    return NULL;

  return g_steal_pointer (&set);
}

CwWitnessSet *
cw_witness_set_parse_note (const char  *note,
                           gsize        len,
                           GError     **error)
{
  const char *end;
  g_autofree char *text = NULL;

  g_return_val_if_fail (note != NULL, NULL);

  end = len <= CW_WITNESS_SET_MAX_SIZE ? g_strstr_len (note, len, "\n\n") : NULL;
  if (end == NULL || memchr (note, '\0', len) != NULL)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("The witness set is not a signed note of at most %u bytes"),
                   CW_WITNESS_SET_MAX_SIZE);
      return NULL;
    }
  text = g_strndup (note, (gsize) (end - note) + 1);
  return cw_witness_set_parse_text (text, error);
}

/* Keys are compared in their canonical string form. */
static char *
canonical_key (const char *key_text)
{
  g_autoptr(CwVerifierKey) key = cw_verifier_key_new_from_string (key_text, NULL);

  return key != NULL ? cw_verifier_key_to_string (key) : g_strdup (key_text);
}

static gboolean
contains_key (char       **keys,
              const char  *key_text)
{
  g_autofree char *wanted = canonical_key (key_text);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *candidate = canonical_key (keys[i]);

      if (g_str_equal (candidate, wanted))
        return TRUE;
    }
  return FALSE;
}

gboolean
cw_witness_set_matches (const CwWitnessSet  *self,
                        const CwNodeProfile *profile)
{
  guint n_self, n_profile;

  g_return_val_if_fail (self != NULL && profile != NULL, FALSE);

  n_self = g_strv_length (self->witness_keys);
  n_profile = profile->witness_keys != NULL ? g_strv_length (profile->witness_keys) : 0;
  if (self->quorum != profile->quorum || n_self != n_profile)
    return FALSE;
  /* Both lists hold distinct keys, so one inclusion is equality. */
  for (guint i = 0; i < n_self; i++)
    if (!contains_key (profile->witness_keys, self->witness_keys[i]))
      return FALSE;
  return TRUE;
}

char *
cw_witness_set_add_signature (const char    *note,
                              CwSigningKey  *key,
                              GError       **error)
{
  const char *end = strstr (note, "\n\n");
  g_autofree char *text = g_strndup (note, end != NULL ? (gsize) (end - note) + 1 : strlen (note));
  g_autofree char *signed_text = cw_note_sign (text, &key, 1, error);

  if (signed_text == NULL)
    return NULL;

  /* The new line is the last one cw_note_sign wrote. */
  if (end == NULL)
    return g_steal_pointer (&signed_text);
  return g_strconcat (note, signed_text + strlen (text) + 1, NULL);
}

/* The Ed25519 key a witness signs sets with: its cosigning key's name and
 * public key under type 0x01. */
static CwVerifierKey *
set_signing_key_of (const char  *witness_key,
                    GError     **error)
{
  g_autoptr(CwVerifierKey) cosigner = cw_verifier_key_new_from_string (witness_key, error);

  if (cosigner == NULL)
    return NULL;
  return cw_verifier_key_new (cw_verifier_key_get_name (cosigner), CW_KEY_TYPE_ED25519,
                              cw_verifier_key_get_public_key (cosigner), error);
}

CwWitnessSet *
cw_witness_set_verify (const char          *note,
                       gsize                len,
                       const CwNodeProfile *current,
                       guint64              current_version,
                       GError             **error)
{
  g_autoptr(CwNoteVerifiers) known = cw_note_verifiers_new ();
  g_autoptr(CwVerifierKey) log_key = NULL;
  g_autoptr(GPtrArray) witnesses = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_verifier_key_unref);
  g_autoptr(CwNote) opened = NULL;
  g_autoptr(CwWitnessSet) set = NULL;
  g_autoptr(GError) cause = NULL;
  guint n_signed = 0;

  g_return_val_if_fail (note != NULL && current != NULL, NULL);

  if (len > CW_WITNESS_SET_MAX_SIZE)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("The witness set is larger than %u bytes"), CW_WITNESS_SET_MAX_SIZE);
      return NULL;
    }

  log_key = cw_verifier_key_new_from_string (current->log_key, &cause);
  if (log_key == NULL || !cw_note_verifiers_add (known, log_key, &cause))
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   _("The wallet's log key is unusable: %s"), cause->message);
      return NULL;
    }
  for (guint i = 0; current->witness_keys != NULL && current->witness_keys[i] != NULL; i++)
    {
      CwVerifierKey *key = set_signing_key_of (current->witness_keys[i], &cause);

      if (key == NULL)
        {
          g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                       _("A witness key of the wallet is unusable: %s"), cause->message);
          return NULL;
        }
      g_ptr_array_add (witnesses, key);
      if (!cw_note_verifiers_add (known, key, &cause))
        {
          g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                       _("A witness key of the wallet is unusable: %s"), cause->message);
          return NULL;
        }
    }

  opened = cw_note_open (note, len, known, &cause);
  if (opened == NULL)
    {
      if (g_error_matches (cause, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_SIGNATURE))
        g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_BAD_SIGNATURE,
                     _("A signature on the witness set does not verify: %s"), cause->message);
      else if (g_error_matches (cause, CW_NOTE_ERROR, CW_NOTE_ERROR_UNVERIFIED))
        g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_NOT_LOG_SIGNED,
                     _("Neither the log nor any witness you trust signed the witness set"));
      else
        g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                     _("The witness set is not a signed note: %s"), cause->message);
      return NULL;
    }

  set = cw_witness_set_parse_text (cw_note_get_text (opened), error);
  if (set == NULL)
    return NULL;
  if (!g_str_equal (set->origin, cw_verifier_key_get_name (log_key)))
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_WRONG_LOG,
                   _("The witness set is for the log “%s”, not “%s”"), set->origin,
                   cw_verifier_key_get_name (log_key));
      return NULL;
    }
  if (cw_note_find_signature (opened, log_key) == NULL)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_NOT_LOG_SIGNED,
                   _("The log key did not sign the witness set"));
      return NULL;
    }

  /* The log operator alone cannot replace the witnesses: a quorum of the
   * ones the wallet trusts now must agree. */
  for (guint i = 0; i < witnesses->len; i++)
    if (cw_note_find_signature (opened, g_ptr_array_index (witnesses, i)) != NULL)
      n_signed++;
  if (n_signed < MAX (current->quorum, 1))
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_NO_QUORUM,
                   _("Only %u of the witnesses you trust signed the new witness set; %u must"),
                   n_signed, MAX (current->quorum, 1));
      return NULL;
    }

  if (set->version <= current_version)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_OLD_VERSION,
                   _("The witness set has version %" PRIu64 ", not above the %"
                     PRIu64 " in use"), set->version, current_version);
      return NULL;
    }

  return g_steal_pointer (&set);
}
