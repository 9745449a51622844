/* cw-note.c: C2SP signed notes, signing and opening against known keys.
 *
 * Spec: https://c2sp.org/signed-note (v1.0.0).
 */
#include "config.h"

#include "cw-note.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-encoding.h"

/* U+2014 EM DASH and a space open every signature line. */
#define SIG_PREFIX "\xe2\x80\x94 "
#define SIG_PREFIX_LEN 4
#define KEY_ID_SIZE 4

G_DEFINE_QUARK (cw-note-error-quark, cw_note_error)

typedef struct {
  CwVerifierKey    *key;
  CwNoteVerifyFunc  func;
  gpointer          user_data;
  GDestroyNotify    destroy;
} VerifierEntry;

struct _CwNoteVerifiers {
  GPtrArray *entries;  /* of VerifierEntry */
};

struct _CwNoteSignature {
  char          *name;
  guint32        key_id;
  GBytes        *sig;
  CwVerifierKey *key;
};

struct _CwNote {
  char      *text;
  gsize      text_len;
  GPtrArray *sigs;        /* of CwNoteSignature, verified */
  GPtrArray *unverified;  /* of CwNoteSignature, unknown signers */
};

static void
verifier_entry_free (gpointer data)
{
  VerifierEntry *entry = data;

  if (entry->destroy != NULL)
    entry->destroy (entry->user_data);
  g_clear_pointer (&entry->key, cw_verifier_key_unref);
  g_free (entry);
}

static gboolean
ed25519_verify (CwVerifierKey *key,
                const guint8  *text,
                gsize          text_len,
                const guint8  *sig,
                gsize          sig_len,
                gpointer       user_data)
{
  if (sig_len != CW_SIGNATURE_SIZE)
    return FALSE;

  return cw_verifier_key_verify (key, text, text_len, sig);
}

CwNoteVerifiers *
cw_note_verifiers_new (void)
{
  CwNoteVerifiers *self = g_rc_box_new0 (CwNoteVerifiers);

  self->entries = g_ptr_array_new_with_free_func (verifier_entry_free);
  return self;
}

CwNoteVerifiers *
cw_note_verifiers_ref (CwNoteVerifiers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_rc_box_acquire (self);
}

static void
cw_note_verifiers_clear (CwNoteVerifiers *self)
{
  g_clear_pointer (&self->entries, g_ptr_array_unref);
}

void
cw_note_verifiers_unref (CwNoteVerifiers *self)
{
  g_return_if_fail (self != NULL);

  g_rc_box_release_full (self, (GDestroyNotify) cw_note_verifiers_clear);
}

static VerifierEntry *
cw_note_verifiers_lookup (CwNoteVerifiers *self,
                          const char      *name,
                          guint32          key_id)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      VerifierEntry *entry = g_ptr_array_index (self->entries, i);

      if (cw_verifier_key_get_key_id (entry->key) == key_id &&
          g_str_equal (cw_verifier_key_get_name (entry->key), name))
        return entry;
    }

  return NULL;
}

gboolean
cw_note_verifiers_add_full (CwNoteVerifiers   *self,
                            CwVerifierKey     *key,
                            CwNoteVerifyFunc   func,
                            gpointer           user_data,
                            GDestroyNotify     destroy,
                            GError           **error)
{
  const char *name;
  guint32 key_id;
  VerifierEntry *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = cw_verifier_key_get_name (key);
  key_id = cw_verifier_key_get_key_id (key);

  /* A name and key ID must pick exactly one key, or a signature could be
   * checked against the wrong one. */
  if (cw_note_verifiers_lookup (self, name, key_id) != NULL)
    {
      if (destroy != NULL)
        destroy (user_data);
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_DUPLICATE_KEY,
                   _("Key %s+%08x is already a known key"), name, key_id);
      return FALSE;
    }

  entry = g_new0 (VerifierEntry, 1);
  entry->key = cw_verifier_key_ref (key);
  entry->func = func;
  entry->user_data = user_data;
  entry->destroy = destroy;
  g_ptr_array_add (self->entries, entry);

  return TRUE;
}

gboolean
cw_note_verifiers_add (CwNoteVerifiers  *self,
                       CwVerifierKey    *key,
                       GError          **error)
{
  g_return_val_if_fail (key != NULL, FALSE);

  if (cw_verifier_key_get_key_type (key) != CW_KEY_TYPE_ED25519)
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_UNSUPPORTED_KEY,
                   _("Key %s has signature type 0x%02x, which needs its own verifier"),
                   cw_verifier_key_get_name (key),
                   cw_verifier_key_get_key_type (key));
      return FALSE;
    }

  return cw_note_verifiers_add_full (self, key, ed25519_verify, NULL, NULL, error);
}

guint
cw_note_verifiers_get_size (CwNoteVerifiers *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

static void
cw_note_signature_free (gpointer data)
{
  CwNoteSignature *self = data;

  g_free (self->name);
  g_clear_pointer (&self->sig, g_bytes_unref);
  g_clear_pointer (&self->key, cw_verifier_key_unref);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNoteSignature, cw_note_signature_free)

const char *
cw_note_signature_get_name (CwNoteSignature *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

guint32
cw_note_signature_get_key_id (CwNoteSignature *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->key_id;
}

GBytes *
cw_note_signature_get_signature (CwNoteSignature *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->sig;
}

CwVerifierKey *
cw_note_signature_get_key (CwNoteSignature *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->key;
}

static CwNote *
cw_note_new (const char *text,
             gsize       len)
{
  CwNote *self = g_rc_box_new0 (CwNote);

  self->text = g_strndup (text, len);
  self->text_len = len;
  self->sigs = g_ptr_array_new_with_free_func (cw_note_signature_free);
  self->unverified = g_ptr_array_new_with_free_func (cw_note_signature_free);
  return self;
}

CwNote *
cw_note_ref (CwNote *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_rc_box_acquire (self);
}

static void
cw_note_clear (CwNote *self)
{
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->sigs, g_ptr_array_unref);
  g_clear_pointer (&self->unverified, g_ptr_array_unref);
}

void
cw_note_unref (CwNote *self)
{
  g_return_if_fail (self != NULL);

  g_rc_box_release_full (self, (GDestroyNotify) cw_note_clear);
}

const char *
cw_note_get_text (CwNote *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

guint
cw_note_get_n_signatures (CwNote *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->sigs->len;
}

CwNoteSignature *
cw_note_get_signature (CwNote *self,
                       guint   index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->sigs->len, NULL);

  return g_ptr_array_index (self->sigs, index);
}

CwNoteSignature *
cw_note_find_signature (CwNote        *self,
                        CwVerifierKey *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < self->sigs->len; i++)
    {
      CwNoteSignature *sig = g_ptr_array_index (self->sigs, i);

      if (sig->key_id == cw_verifier_key_get_key_id (key) &&
          g_str_equal (sig->name, cw_verifier_key_get_name (key)))
        return sig;
    }

  return NULL;
}

guint
cw_note_get_n_unverified (CwNote *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->unverified->len;
}

CwNoteSignature *
cw_note_get_unverified (CwNote *self,
                        guint   index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->unverified->len, NULL);

  return g_ptr_array_index (self->unverified, index);
}

/* Valid UTF-8 and no ASCII control characters other than newline. */
static gboolean
check_characters (const char  *msg,
                  gsize        len,
                  GError     **error)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = msg[i];

      if (c < 0x20 && c != '\n')
        {
          g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                       _("Note contains control character 0x%02x at byte %zu"),
                       c, i);
          return FALSE;
        }
    }

  if (!g_utf8_validate_len (msg, len, NULL))
    {
      g_set_error_literal (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                           _("Note is not valid UTF-8"));
      return FALSE;
    }

  return TRUE;
}

gboolean
cw_note_text_is_valid (const char  *text,
                       gsize        len,
                       GError     **error)
{
  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  if (len == 0 || text[len - 1] != '\n')
    {
      g_set_error_literal (error, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_TEXT,
                           _("Note text does not end in a newline"));
      return FALSE;
    }

  return check_characters (text, len, error);
}

/* Offset of the last "\n\n" in @msg, or -1. */
static gssize
find_last_blank_line (const char *msg,
                      gsize       len)
{
  for (gsize i = len; i >= 2; i--)
    {
      if (msg[i - 2] == '\n' && msg[i - 1] == '\n')
        return i - 2;
    }

  return -1;
}

static guint
count_lines (const char *block,
             gsize       len)
{
  guint n = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (block[i] == '\n')
        n++;
    }

  return n;
}

/* Parses one signature line (without its newline) into an unverified
 * signature. */
static CwNoteSignature *
parse_signature_line (const char  *line,
                      gsize        len,
                      guint        line_no,
                      GError     **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GBytes) blob = NULL;
  const char *space;
  const char *b64;
  const guint8 *data;
  gsize b64_len;
  gsize size;
  CwNoteSignature *sig;

  if (len < SIG_PREFIX_LEN || memcmp (line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                   _("Signature line %u does not start with an em dash and a space"),
                   line_no);
      return NULL;
    }
  line += SIG_PREFIX_LEN;
  len -= SIG_PREFIX_LEN;

  space = memchr (line, ' ', len);
  if (space == NULL)
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                   _("Signature line %u has no space between key name and signature"),
                   line_no);
      return NULL;
    }

  name = g_strndup (line, space - line);
  if (!cw_key_name_is_valid (name))
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                   _("Signature line %u has an invalid key name"), line_no);
      return NULL;
    }

  b64 = space + 1;
  b64_len = len - (b64 - line);
  if (b64_len == 0 || !(blob = cw_base64_decode (b64, b64_len, NULL)))
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                   _("Signature line %u (%s) is not valid base64"), line_no, name);
      return NULL;
    }

  data = g_bytes_get_data (blob, &size);
  if (size <= KEY_ID_SIZE)
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                   _("Signature line %u (%s) is too short to hold a key ID and a signature"),
                   line_no, name);
      return NULL;
    }

  sig = g_new0 (CwNoteSignature, 1);
  sig->name = g_steal_pointer (&name);
  sig->key_id = ((guint32) data[0] << 24) | ((guint32) data[1] << 16) |
                ((guint32) data[2] << 8) | (guint32) data[3];
  sig->sig = g_bytes_new_from_bytes (blob, KEY_ID_SIZE, size - KEY_ID_SIZE);
  return sig;
}

static gboolean
signature_equal (CwNoteSignature *a,
                 CwNoteSignature *b)
{
  return a->key_id == b->key_id &&
         g_str_equal (a->name, b->name) &&
         g_bytes_equal (a->sig, b->sig);
}

static gboolean
contains_signature (GPtrArray       *list,
                    CwNoteSignature *sig)
{
  for (guint i = 0; i < list->len; i++)
    {
      if (signature_equal (g_ptr_array_index (list, i), sig))
        return TRUE;
    }

  return FALSE;
}

/* Checks one signature against the known keys and files it in @note. */
static gboolean
add_signature (CwNote           *note,
               CwNoteVerifiers  *known,
               CwNoteSignature  *sig,
               GError          **error)
{
  g_autoptr(CwNoteSignature) owned = sig;
  VerifierEntry *entry;
  const guint8 *data;
  gsize size;

  entry = cw_note_verifiers_lookup (known, sig->name, sig->key_id);
  if (entry == NULL)
    {
      if (!contains_signature (note->unverified, sig))
        g_ptr_array_add (note->unverified, g_steal_pointer (&owned));
      return TRUE;
    }

  /* Every signature by a known key is checked, repeated ones included: one
   * bad signature from a key we trust is reason enough to distrust the note. */
  data = g_bytes_get_data (sig->sig, &size);
  if (!entry->func (entry->key, (const guint8 *) note->text, note->text_len,
                    data, size, entry->user_data))
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_SIGNATURE,
                   _("Invalid signature by known key %s+%08x"),
                   sig->name, sig->key_id);
      return FALSE;
    }

  if (cw_note_find_signature (note, entry->key) == NULL)
    {
      sig->key = cw_verifier_key_ref (entry->key);
      g_ptr_array_add (note->sigs, g_steal_pointer (&owned));
    }

  return TRUE;
}

static gboolean
parse_signatures (CwNote           *note,
                  CwNoteVerifiers  *known,
                  const char       *block,
                  gsize             len,
                  GError          **error)
{
  guint line_no = 0;
  gsize pos = 0;

  if (len == 0 || block[len - 1] != '\n')
    {
      g_set_error_literal (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                           _("Note has no signature lines after its last blank line, "
                             "or its last line does not end in a newline"));
      return FALSE;
    }

  if (count_lines (block, len) > CW_NOTE_MAX_SIGNATURES)
    {
      g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                   _("Note has more than %d signature lines"), CW_NOTE_MAX_SIGNATURES);
      return FALSE;
    }

  while (pos < len)
    {
      const char *line = block + pos;
      const char *end = memchr (line, '\n', len - pos);
      CwNoteSignature *sig;

      sig = parse_signature_line (line, end - line, ++line_no, error);
      if (sig == NULL || !add_signature (note, known, sig, error))
        return FALSE;
      pos = (end - block) + 1;
    }

  return TRUE;
}

CwNote *
cw_note_open (const char       *msg,
              gsize             len,
              CwNoteVerifiers  *known,
              GError          **error)
{
  g_autoptr(CwNote) note = NULL;
  gssize split;

  g_return_val_if_fail (msg != NULL || len == 0, NULL);
  g_return_val_if_fail (known != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_characters (msg, len, error))
    return NULL;

  split = find_last_blank_line (msg, len);
  if (split < 0)
    {
      g_set_error_literal (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED,
                           _("Note has no blank line before its signatures"));
      return NULL;
    }

  note = cw_note_new (msg, split + 1);
  if (!parse_signatures (note, known, msg + split + 2, len - split - 2, error))
    return NULL;

  if (note->sigs->len == 0)
    {
      g_set_error_literal (error, CW_NOTE_ERROR, CW_NOTE_ERROR_UNVERIFIED,
                           _("Note is not signed by any known key"));
      return NULL;
    }

  return g_steal_pointer (&note);
}

char *
cw_note_format_signature_line (const char   *name,
                               guint32       key_id,
                               const guint8 *sig,
                               gsize         sig_len)
{
  g_autofree guint8 *blob = NULL;
  g_autofree char *b64 = NULL;

  g_return_val_if_fail (cw_key_name_is_valid (name), NULL);
  g_return_val_if_fail (sig != NULL || sig_len == 0, NULL);

  blob = g_malloc (KEY_ID_SIZE + sig_len);
  blob[0] = key_id >> 24;
  blob[1] = key_id >> 16;
  blob[2] = key_id >> 8;
  blob[3] = key_id;
  if (sig_len > 0)
    memcpy (blob + KEY_ID_SIZE, sig, sig_len);

  b64 = cw_base64_encode (blob, KEY_ID_SIZE + sig_len);
  return g_strconcat (SIG_PREFIX, name, " ", b64, "\n", NULL);
}

char *
cw_note_sign (const char    *text,
              CwSigningKey **signers,
              guint          n_signers,
              GError       **error)
{
  g_autoptr(GString) out = NULL;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (signers != NULL || n_signers == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);
  if (!cw_note_text_is_valid (text, len, error))
    return NULL;

  if (n_signers == 0)
    {
      g_set_error_literal (error, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_TEXT,
                           _("A signed note needs at least one signer"));
      return NULL;
    }

  out = g_string_new (text);
  g_string_append_c (out, '\n');

  for (guint i = 0; i < n_signers; i++)
    {
      CwSigningKey *key = signers[i];
      guint8 sig[CW_SIGNATURE_SIZE];
      g_autofree char *line = NULL;

      if (cw_signing_key_get_key_type (key) != CW_KEY_TYPE_ED25519)
        {
          g_set_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_UNSUPPORTED_KEY,
                       _("Key %s has signature type 0x%02x and cannot sign plain notes"),
                       cw_signing_key_get_name (key),
                       cw_signing_key_get_key_type (key));
          return NULL;
        }

      cw_signing_key_sign (key, (const guint8 *) text, len, sig);
      line = cw_note_format_signature_line (cw_signing_key_get_name (key),
                                            cw_signing_key_get_key_id (key),
                                            sig, sizeof sig);
      g_string_append (out, line);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
