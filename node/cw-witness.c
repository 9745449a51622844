/* cw-witness.c: the witness side of c2sp.org/tlog-witness add-checkpoint:
 * parsing the request, checking it against the stored state, persisting
 * the new checkpoint and cosigning it (c2sp.org/tlog-cosignature v1). */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "cw-checkpoint.h"
#include "cw-cosignature.h"
#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-witness.h"

G_DEFINE_QUARK (cw-witness-error-quark, cw_witness_error)

guint
cw_witness_error_get_status (const GError *error)
{
  if (error == NULL || error->domain != CW_WITNESS_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;

  switch ((CwWitnessError) error->code)
    {
    case CW_WITNESS_ERROR_MALFORMED:
      return SOUP_STATUS_BAD_REQUEST;
    case CW_WITNESS_ERROR_FORBIDDEN:
      return SOUP_STATUS_FORBIDDEN;
    case CW_WITNESS_ERROR_UNKNOWN_LOG:
      return SOUP_STATUS_NOT_FOUND;
    case CW_WITNESS_ERROR_OLD_SIZE:
    case CW_WITNESS_ERROR_ROOT_MISMATCH:
      return SOUP_STATUS_CONFLICT;
    case CW_WITNESS_ERROR_INCONSISTENT:
      return SOUP_STATUS_UNPROCESSABLE_ENTITY;
    case CW_WITNESS_ERROR_FAILED:
    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

void
cw_witness_request_free (CwWitnessRequest *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->proof, g_ptr_array_unref);
  g_free (self->note);
  g_free (self);
}

static gboolean
malformed (GError     **error,
           const char  *message)
{
  g_set_error_literal (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_MALFORMED, message);
  return FALSE;
}

/* The next "\n"-terminated line at *pos, without its newline. */
static gboolean
next_line (const guint8  *body,
           gsize          len,
           gsize         *pos,
           const char   **out_line,
           gsize         *out_len)
{
  const guint8 *nl;

  if (*pos >= len)
    return FALSE;

  nl = memchr (body + *pos, '\n', len - *pos);
  if (nl == NULL)
    return FALSE;

  *out_line = (const char *) body + *pos;
  *out_len = nl - (body + *pos);
  *pos += *out_len + 1;

  return TRUE;
}

CwWitnessRequest *
cw_witness_request_parse (const guint8  *body,
                          gsize          len,
                          GError       **error)
{
  g_autoptr(CwWitnessRequest) request = g_new0 (CwWitnessRequest, 1);
  const char *line;
  gsize line_len;
  gsize pos = 0;

  g_return_val_if_fail (body != NULL || len == 0, NULL);

  request->proof = cw_merkle_proof_new ();

  if (!next_line (body, len, &pos, &line, &line_len) ||
      line_len <= 4 || memcmp (line, "old ", 4) != 0 ||
      !cw_parse_uint64 (line + 4, line_len - 4, &request->old_size))
    {
      malformed (error, "The body must start with “old <size>” and a newline");
      return NULL;
    }

  for (;;)
    {
      guint8 hash[CW_MERKLE_HASH_SIZE];

      if (!next_line (body, len, &pos, &line, &line_len))
        {
          malformed (error, "The consistency proof must end with an empty line");
          return NULL;
        }
      if (line_len == 0)
        break;

      if (request->proof->len == CW_WITNESS_MAX_PROOF_LINES)
        {
          malformed (error, "The consistency proof has more than 63 lines");
          return NULL;
        }
      if (!cw_base64_decode_fixed (line, line_len, hash, sizeof hash, NULL))
        {
          malformed (error, "Each consistency proof line must be one base64 SHA-256 hash");
          return NULL;
        }
      cw_merkle_proof_add (request->proof, hash);
    }

  if (pos >= len)
    {
      malformed (error, "The body has no checkpoint");
      return NULL;
    }
  if (memchr (body + pos, '\0', len - pos) != NULL)
    {
      malformed (error, "The checkpoint contains a NUL byte");
      return NULL;
    }

  request->note_len = len - pos;
  request->note = g_strndup ((const char *) body + pos, request->note_len);

  return g_steal_pointer (&request);
}

GBytes *
cw_witness_request_format (guint64     old_size,
                           GPtrArray  *proof,
                           const char *signed_note)
{
  GString *body = g_string_new (NULL);

  g_return_val_if_fail (signed_note != NULL, NULL);

  g_string_append_printf (body, "old %" G_GUINT64_FORMAT "\n", old_size);
  for (guint i = 0; proof != NULL && i < proof->len; i++)
    {
      gsize hash_len = 0;
      const guint8 *hash = g_bytes_get_data (g_ptr_array_index (proof, i), &hash_len);
      g_autofree char *line = cw_base64_encode (hash, hash_len);

      g_string_append_printf (body, "%s\n", line);
    }
  g_string_append_c (body, '\n');
  g_string_append (body, signed_note);

  return g_string_free_to_bytes (body);
}

/* Maps a failure to open the checkpoint to the spec's answers: a body that
 * is not a signed checkpoint is malformed; one without a valid signature by
 * the log's key is forbidden. */
static void
set_open_error (GError       **error,
                const GError  *open_error)
{
  gboolean is_malformed =
    g_error_matches (open_error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED) ||
    g_error_matches (open_error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_MALFORMED);

  g_set_error (error, CW_WITNESS_ERROR,
               is_malformed ? CW_WITNESS_ERROR_MALFORMED : CW_WITNESS_ERROR_FORBIDDEN,
               is_malformed ? "Not a signed checkpoint: %s"
                            : "The checkpoint is not validly signed by the log: %s",
               open_error->message);
}

static void
keep_evidence (CwWitnessStore *store,
               const char     *origin,
               const char     *reason,
               const guint8   *body,
               gsize           len,
               gint64          now)
{
  g_autoptr(GError) error = NULL;

  if (!cw_witness_store_add_evidence (store, origin, reason, body, len, now, &error))
    g_message ("Could not keep evidence against log %s: %s", origin, error->message);
  else
    g_message ("Refused a checkpoint signed by log %s: %s (kept as evidence)", origin, reason);
}

/* Checks the new checkpoint against the stored one. */
static gboolean
check_consistency (CwWitnessLog     *log,
                   CwWitnessRequest *request,
                   CwCheckpoint     *checkpoint,
                   guint64          *out_size,
                   GError          **error)
{
  guint64 new_size = cw_checkpoint_get_size (checkpoint);
  const guint8 *new_root = cw_checkpoint_get_root_hash (checkpoint);
  g_autoptr(GError) local_error = NULL;

  if (request->old_size != log->size)
    {
      if (out_size != NULL)
        *out_size = log->size;
      g_set_error (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_OLD_SIZE,
                   "The old size %" G_GUINT64_FORMAT " is not the size last cosigned (%"
                   G_GUINT64_FORMAT ")", request->old_size, log->size);
      return FALSE;
    }

  if (new_size == log->size)
    {
      if (memcmp (new_root, log->root, CW_MERKLE_HASH_SIZE) != 0)
        {
          g_set_error (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_ROOT_MISMATCH,
                       "A different root was cosigned for size %" G_GUINT64_FORMAT, new_size);
          return FALSE;
        }
      if (request->proof->len != 0)
        {
          g_set_error_literal (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_INCONSISTENT,
                               "A proof between equal sizes must be empty");
          return FALSE;
        }
      return TRUE;
    }

  if (request->old_size == 0)
    {
      if (request->proof->len != 0)
        {
          g_set_error_literal (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_INCONSISTENT,
                               "The proof must be empty when the old size is zero");
          return FALSE;
        }
      return TRUE;
    }

  if (!cw_merkle_verify_consistency (request->old_size, new_size, log->root, new_root,
                                     request->proof, &local_error))
    {
      g_set_error (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_INCONSISTENT,
                   "The consistency proof does not verify: %s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

char *
cw_witness_add_checkpoint (CwWitnessStore  *store,
                           CwSigningKey    *key,
                           const guint8    *body,
                           gsize            len,
                           gint64           now,
                           guint64         *out_size,
                           GError         **error)
{
  g_autoptr(CwWitnessRequest) request = NULL;
  g_autoptr(CwWitnessLog) log = NULL;
  g_autoptr(CwSignedCheckpoint) signed_checkpoint = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *origin = NULL;
  const char *newline;
  const char *text;
  CwCheckpoint *checkpoint;
  guint64 new_size;
  guint64 current_size = 0;

  g_return_val_if_fail (CW_IS_WITNESS_STORE (store), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  request = cw_witness_request_parse (body, len, error);
  if (request == NULL)
    return NULL;

  /* The origin picks the trusted key; the signature is checked next. */
  newline = strchr (request->note, '\n');
  if (newline == NULL || newline == request->note)
    {
      malformed (error, "The checkpoint has no origin line");
      return NULL;
    }
  origin = g_strndup (request->note, newline - request->note);

  log = cw_witness_store_lookup_log (store, origin, &local_error);
  if (log == NULL)
    {
      if (g_error_matches (local_error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_NOT_FOUND))
        g_set_error_literal (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_UNKNOWN_LOG,
                             "This witness does not witness that log");
      else
        g_set_error (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_FAILED,
                     "%s", local_error->message);
      return NULL;
    }

  signed_checkpoint = cw_signed_checkpoint_open (request->note, request->note_len, log->key,
                                                 NULL, 0, &local_error);
  if (signed_checkpoint == NULL)
    {
      set_open_error (error, local_error);
      return NULL;
    }

  checkpoint = cw_signed_checkpoint_get_checkpoint (signed_checkpoint);
  new_size = cw_checkpoint_get_size (checkpoint);
  if (request->old_size > new_size)
    {
      malformed (error, "The old size is larger than the checkpoint's size");
      return NULL;
    }

  if (!check_consistency (log, request, checkpoint, out_size, &local_error))
    {
      if (!g_error_matches (local_error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_OLD_SIZE))
        keep_evidence (store, origin, local_error->message, body, len, now);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Persisted before the cosignature leaves; compare-and-set, so a request
   * racing this one can never roll the stored size back. */
  if (!cw_witness_store_update_log (store, origin, log->size, log->root, new_size,
                                    cw_checkpoint_get_root_hash (checkpoint), now,
                                    &local_error))
    {
      g_autoptr(CwWitnessLog) current = NULL;

      if (!g_error_matches (local_error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_CONFLICT))
        {
          g_set_error (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_FAILED,
                       "%s", local_error->message);
          return NULL;
        }

      current = cw_witness_store_lookup_log (store, origin, NULL);
      current_size = current != NULL ? current->size : log->size;
      if (out_size != NULL)
        *out_size = current_size;
      g_set_error (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_OLD_SIZE,
                   "The log moved on to size %" G_GUINT64_FORMAT " meanwhile", current_size);
      return NULL;
    }

  text = cw_note_get_text (cw_signed_checkpoint_get_note (signed_checkpoint));
  {
    char *line = cw_cosignature_sign_line (key, text, strlen (text), (guint64) MAX (now, 0),
                                           &local_error);

    if (line == NULL)
      g_set_error (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_FAILED,
                   "Could not cosign: %s", local_error->message);
    return line;
  }
}
