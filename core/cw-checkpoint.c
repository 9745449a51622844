/* cw-checkpoint.c: transparency log checkpoints, parsed strictly and opened
 * against the log key and witness cosigners.
 *
 * Spec: https://c2sp.org/tlog-checkpoint and https://c2sp.org/tlog-cosignature.
 */
#include "config.h"

#include "cw-checkpoint.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-cosignature.h"
#include "cw-encoding.h"

G_DEFINE_QUARK (cw-checkpoint-error-quark, cw_checkpoint_error)

struct _CwCheckpoint {
  char    *origin;
  guint64  size;
  guint8   root_hash[CW_CHECKPOINT_HASH_SIZE];
  char   **extensions;
};

typedef struct {
  CwVerifierKey *key;
  guint64        time;
} Cosigner;

struct _CwSignedCheckpoint {
  CwCheckpoint *checkpoint;
  CwNote       *note;
  GArray       *cosigners;  /* of Cosigner */
};

/* A checkpoint line: non-empty, valid UTF-8, no control characters. */
static gboolean
line_is_valid (const char *line)
{
  if (line == NULL || *line == '\0' || !g_utf8_validate (line, -1, NULL))
    return FALSE;

  for (const char *p = line; *p; p++)
    {
      if ((guchar) *p < 0x20)
        return FALSE;
    }

  return TRUE;
}

static CwCheckpoint *
checkpoint_alloc (const char         *origin,
                  guint64             size,
                  const guint8       *root_hash,
                  const char * const *extensions)
{
  CwCheckpoint *self = g_rc_box_new0 (CwCheckpoint);

  self->origin = g_strdup (origin);
  self->size = size;
  memcpy (self->root_hash, root_hash, CW_CHECKPOINT_HASH_SIZE);
  self->extensions = extensions ? g_strdupv ((char **) extensions) : g_new0 (char *, 1);
  return self;
}

CwCheckpoint *
cw_checkpoint_new (const char          *origin,
                   guint64              size,
                   const guint8         root_hash[CW_CHECKPOINT_HASH_SIZE],
                   const char * const  *extensions,
                   GError             **error)
{
  g_return_val_if_fail (root_hash != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!line_is_valid (origin))
    {
      g_set_error_literal (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_ARGUMENT,
                           _("Checkpoint origin must be non-empty UTF-8 without control "
                             "characters"));
      return NULL;
    }

  for (guint i = 0; extensions != NULL && extensions[i] != NULL; i++)
    {
      if (!line_is_valid (extensions[i]))
        {
          g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_ARGUMENT,
                       _("Checkpoint extension line %u must be non-empty UTF-8 "
                         "without control characters"), i + 1);
          return NULL;
        }
    }

  return checkpoint_alloc (origin, size, root_hash, extensions);
}

static gboolean
parse_failed (GError     **error,
              const char  *what)
{
  g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_MALFORMED,
               _("Malformed checkpoint: %s"), what);
  return FALSE;
}

/* Splits the text into its lines; the last element is the empty string after
 * the final newline, which the caller has checked for. */
static gboolean
split_lines (const char   *text,
             gsize         len,
             GStrv        *out_lines,
             GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  if (!cw_note_text_is_valid (text, len, &local_error))
    return parse_failed (error, local_error->message);

  copy = g_strndup (text, len - 1);
  lines = g_strsplit (copy, "\n", -1);
  n = g_strv_length (lines);
  if (n < 3)
    return parse_failed (error, _("fewer than three lines"));

  for (guint i = 0; i < n; i++)
    {
      if (lines[i][0] == '\0')
        return parse_failed (error, i == 0 ? _("empty origin line") : _("empty line"));
    }

  *out_lines = g_steal_pointer (&lines);
  return TRUE;
}

CwCheckpoint *
cw_checkpoint_parse (const char  *text,
                     gsize        len,
                     GError     **error)
{
  g_auto(GStrv) lines = NULL;
  guint8 root[CW_CHECKPOINT_HASH_SIZE];
  guint64 size;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!split_lines (text, len, &lines, error))
    return NULL;

  if (!cw_parse_uint64 (lines[1], -1, &size))
    {
      parse_failed (error, _("tree size is not a decimal number without leading "
                             "zeros that fits in 64 bits"));
      return NULL;
    }

  if (!cw_base64_decode_fixed (lines[2], -1, root, sizeof root, NULL))
    {
      parse_failed (error, _("root hash is not 32 bytes of canonical base64"));
      return NULL;
    }

  return checkpoint_alloc (lines[0], size, root, (const char * const *) lines + 3);
}

CwCheckpoint *
cw_checkpoint_ref (CwCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_rc_box_acquire (self);
}

static void
cw_checkpoint_clear (CwCheckpoint *self)
{
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->extensions, g_strfreev);
}

void
cw_checkpoint_unref (CwCheckpoint *self)
{
  g_return_if_fail (self != NULL);

  g_rc_box_release_full (self, (GDestroyNotify) cw_checkpoint_clear);
}

const char *
cw_checkpoint_get_origin (CwCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->origin;
}

guint64
cw_checkpoint_get_size (CwCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}

const guint8 *
cw_checkpoint_get_root_hash (CwCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->root_hash;
}

const char * const *
cw_checkpoint_get_extensions (CwCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->extensions;
}

gboolean
cw_checkpoint_equal (CwCheckpoint *a,
                     CwCheckpoint *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->size == b->size &&
         g_str_equal (a->origin, b->origin) &&
         memcmp (a->root_hash, b->root_hash, CW_CHECKPOINT_HASH_SIZE) == 0 &&
         g_strv_equal ((const char * const *) a->extensions,
                       (const char * const *) b->extensions);
}

char *
cw_checkpoint_format (CwCheckpoint *self)
{
  g_autofree char *root = NULL;
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  root = cw_base64_encode (self->root_hash, CW_CHECKPOINT_HASH_SIZE);
  out = g_string_new (NULL);
  g_string_append_printf (out, "%s\n%" G_GUINT64_FORMAT "\n%s\n",
                          self->origin, self->size, root);
  for (guint i = 0; self->extensions[i] != NULL; i++)
    g_string_append_printf (out, "%s\n", self->extensions[i]);

  return g_string_free (out, FALSE);
}

static gboolean
check_log_key_type (const char  *name,
                    CwKeyType    type,
                    GError     **error)
{
  if (type != CW_KEY_TYPE_ED25519)
    {
      g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_KEY,
                   _("Log key %s has signature type 0x%02x, expected Ed25519 (0x01)"),
                   name, type);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_origin (const char  *origin,
              const char  *name,
              GError     **error)
{
  if (!g_str_equal (origin, name))
    {
      g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_WRONG_ORIGIN,
                   _("Log key name %s does not match checkpoint origin %s"),
                   name, origin);
      return FALSE;
    }

  return TRUE;
}

char *
cw_checkpoint_sign (CwCheckpoint  *self,
                    CwSigningKey  *log_key,
                    GError       **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (log_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_log_key_type (cw_signing_key_get_name (log_key),
                           cw_signing_key_get_key_type (log_key), error) ||
      !check_origin (self->origin, cw_signing_key_get_name (log_key), error))
    return NULL;

  text = cw_checkpoint_format (self);
  return cw_note_sign (text, &log_key, 1, error);
}

/* Witnesses must be cosignature keys, and distinct keys: the v1 signed
 * message does not name the cosigner, so one key listed under two names
 * would count twice towards a quorum. */
static gboolean
check_witnesses (CwVerifierKey  **witnesses,
                 guint            n_witnesses,
                 GError         **error)
{
  for (guint i = 0; i < n_witnesses; i++)
    {
      const guint8 *pub = cw_verifier_key_get_public_key (witnesses[i]);

      if (cw_verifier_key_get_key_type (witnesses[i]) != CW_KEY_TYPE_COSIGNATURE_V1)
        {
          g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_KEY,
                       _("Witness key %s is not a cosignature/v1 key (type 0x04)"),
                       cw_verifier_key_get_name (witnesses[i]));
          return FALSE;
        }

      for (guint j = 0; j < i; j++)
        {
          if (memcmp (pub, cw_verifier_key_get_public_key (witnesses[j]),
                      CW_PUBLIC_KEY_SIZE) == 0)
            {
              g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_KEY,
                           _("Witnesses %s and %s share one public key"),
                           cw_verifier_key_get_name (witnesses[j]),
                           cw_verifier_key_get_name (witnesses[i]));
              return FALSE;
            }
        }
    }

  return TRUE;
}

static CwNoteVerifiers *
build_verifiers (CwVerifierKey  *log_key,
                 CwVerifierKey **witnesses,
                 guint           n_witnesses,
                 GError        **error)
{
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();

  if (!cw_note_verifiers_add (verifiers, log_key, error))
    return NULL;

  for (guint i = 0; i < n_witnesses; i++)
    {
      if (!cw_cosignature_add_verifier (verifiers, witnesses[i], error))
        return NULL;
    }

  return g_steal_pointer (&verifiers);
}

static void
cosigner_clear (gpointer data)
{
  Cosigner *cosigner = data;

  g_clear_pointer (&cosigner->key, cw_verifier_key_unref);
}

static gboolean
collect_cosigners (CwSignedCheckpoint  *self,
                   CwVerifierKey      **witnesses,
                   guint                n_witnesses,
                   GError             **error)
{
  for (guint i = 0; i < n_witnesses; i++)
    {
      CwNoteSignature *sig = cw_note_find_signature (self->note, witnesses[i]);
      Cosigner cosigner = { NULL, 0 };

      if (sig == NULL)
        continue;
      if (!cw_cosignature_get_timestamp (sig, &cosigner.time, error))
        return FALSE;
      cosigner.key = cw_verifier_key_ref (witnesses[i]);
      g_array_append_val (self->cosigners, cosigner);
    }

  return TRUE;
}

static CwSignedCheckpoint *
cw_signed_checkpoint_new (CwNote *note)
{
  CwSignedCheckpoint *self = g_rc_box_new0 (CwSignedCheckpoint);

  self->note = cw_note_ref (note);
  self->cosigners = g_array_new (FALSE, TRUE, sizeof (Cosigner));
  g_array_set_clear_func (self->cosigners, cosigner_clear);
  return self;
}

CwSignedCheckpoint *
cw_signed_checkpoint_open (const char      *msg,
                           gsize            len,
                           CwVerifierKey   *log_key,
                           CwVerifierKey  **witnesses,
                           guint            n_witnesses,
                           GError         **error)
{
  g_autoptr(CwSignedCheckpoint) self = NULL;
  g_autoptr(CwNoteVerifiers) verifiers = NULL;
  g_autoptr(CwNote) note = NULL;
  const char *text;

  g_return_val_if_fail (msg != NULL || len == 0, NULL);
  g_return_val_if_fail (log_key != NULL, NULL);
  g_return_val_if_fail (witnesses != NULL || n_witnesses == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_log_key_type (cw_verifier_key_get_name (log_key),
                           cw_verifier_key_get_key_type (log_key), error) ||
      !check_witnesses (witnesses, n_witnesses, error) ||
      !(verifiers = build_verifiers (log_key, witnesses, n_witnesses, error)) ||
      !(note = cw_note_open (msg, len, verifiers, error)))
    return NULL;

  if (cw_note_find_signature (note, log_key) == NULL)
    {
      g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_NOT_SIGNED_BY_LOG,
                   _("Checkpoint is not signed by log key %s"),
                   cw_verifier_key_get_name (log_key));
      return NULL;
    }

  self = cw_signed_checkpoint_new (note);
  text = cw_note_get_text (note);
  if (!(self->checkpoint = cw_checkpoint_parse (text, strlen (text), error)) ||
      !check_origin (self->checkpoint->origin, cw_verifier_key_get_name (log_key), error) ||
      !collect_cosigners (self, witnesses, n_witnesses, error))
    return NULL;

  return g_steal_pointer (&self);
}

CwSignedCheckpoint *
cw_signed_checkpoint_ref (CwSignedCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_rc_box_acquire (self);
}

static void
cw_signed_checkpoint_clear (CwSignedCheckpoint *self)
{
  g_clear_pointer (&self->checkpoint, cw_checkpoint_unref);
  g_clear_pointer (&self->note, cw_note_unref);
  g_clear_pointer (&self->cosigners, g_array_unref);
}

void
cw_signed_checkpoint_unref (CwSignedCheckpoint *self)
{
  g_return_if_fail (self != NULL);

  g_rc_box_release_full (self, (GDestroyNotify) cw_signed_checkpoint_clear);
}

CwCheckpoint *
cw_signed_checkpoint_get_checkpoint (CwSignedCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->checkpoint;
}

CwNote *
cw_signed_checkpoint_get_note (CwSignedCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->note;
}

guint
cw_signed_checkpoint_get_n_cosigners (CwSignedCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->cosigners->len;
}

CwVerifierKey *
cw_signed_checkpoint_get_cosigner (CwSignedCheckpoint *self,
                                   guint               index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->cosigners->len, NULL);

  return g_array_index (self->cosigners, Cosigner, index).key;
}

guint64
cw_signed_checkpoint_get_cosignature_time (CwSignedCheckpoint *self,
                                           guint               index)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->cosigners->len, 0);

  return g_array_index (self->cosigners, Cosigner, index).time;
}

gboolean
cw_signed_checkpoint_is_cosigned_by (CwSignedCheckpoint *self,
                                     CwVerifierKey      *witness,
                                     guint64            *out_time)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (witness != NULL, FALSE);

  for (guint i = 0; i < self->cosigners->len; i++)
    {
      Cosigner *cosigner = &g_array_index (self->cosigners, Cosigner, i);

      if (cw_verifier_key_get_key_id (cosigner->key) == cw_verifier_key_get_key_id (witness) &&
          g_str_equal (cw_verifier_key_get_name (cosigner->key),
                       cw_verifier_key_get_name (witness)))
        {
          if (out_time != NULL)
            *out_time = cosigner->time;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
cw_signed_checkpoint_check_quorum (CwSignedCheckpoint  *self,
                                   guint                quorum,
                                   GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->cosigners->len < quorum)
    {
      g_set_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_NO_QUORUM,
                   _("Only %u witness(es) cosigned the checkpoint; %u required"),
                   self->cosigners->len, quorum);
      return FALSE;
    }

  return TRUE;
}
