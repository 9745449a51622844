/* cw-tlog-proof.c: c2sp.org/tlog-proof bundle format and strict parser
 * (https://c2sp.org/tlog-proof; hashes per RFC 9162 §2.1.3). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-tlog-proof.h"

G_DEFINE_QUARK (cw-tlog-proof-error-quark, cw_tlog_proof_error)

CwTlogProof *
cw_tlog_proof_new (guint64     index,
                   GPtrArray  *proof,
                   const char *checkpoint,
                   GBytes     *extra)
{
  CwTlogProof *self;

  g_return_val_if_fail (proof != NULL, NULL);
  g_return_val_if_fail (checkpoint != NULL, NULL);

  self = g_new0 (CwTlogProof, 1);
  self->index = index;
  self->proof = g_ptr_array_ref (proof);
  self->checkpoint = g_strdup (checkpoint);
  self->extra = extra ? g_bytes_ref (extra) : NULL;
  return self;
}

void
cw_tlog_proof_free (CwTlogProof *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->proof, g_ptr_array_unref);
  g_clear_pointer (&self->checkpoint, g_free);
  g_clear_pointer (&self->extra, g_bytes_unref);
  g_free (self);
}

static void
append_base64_line (GString    *out,
                    const char *prefix,
                    GBytes     *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree char *b64 = cw_base64_encode (data, len);

  g_string_append_printf (out, "%s%s\n", prefix, b64);
}

char *
cw_tlog_proof_format (const CwTlogProof *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (g_str_has_suffix (self->checkpoint, "\n"), NULL);

  out = g_string_new (CW_TLOG_PROOF_HEADER "\n");
  if (self->extra != NULL && g_bytes_get_size (self->extra) > 0)
    append_base64_line (out, "extra ", self->extra);
  g_string_append_printf (out, "index %" G_GUINT64_FORMAT "\n", self->index);
  for (guint i = 0; i < self->proof->len; i++)
    {
      GBytes *hash = g_ptr_array_index (self->proof, i);

      g_warn_if_fail (g_bytes_get_size (hash) == CW_MERKLE_HASH_SIZE);
      append_base64_line (out, "", hash);
    }
  g_string_append_c (out, '\n');
  g_string_append (out, self->checkpoint);
  return g_string_free (out, FALSE);
}

char *
cw_tlog_proof_format_flat (guint64       index,
                           const guint8 *hashes,
                           guint         n_hashes,
                           const char   *checkpoint)
{
  g_autoptr(GPtrArray) proof = cw_merkle_proof_new_from_flat (hashes, n_hashes);
  g_autoptr(CwTlogProof) bundle = cw_tlog_proof_new (index, proof, checkpoint, NULL);

  return cw_tlog_proof_format (bundle);
}

typedef struct {
  const char *p;
  const char *end;
  const char *line;
  gsize       line_len;
} Reader;

static gboolean
set_invalid (GError     **error,
             const char  *what)
{
  g_set_error (error, CW_TLOG_PROOF_ERROR, CW_TLOG_PROOF_ERROR_INVALID,
               _("Malformed tlog-proof: %s"), what);
  return FALSE;
}

static gpointer
invalid_bundle (GError     **error,
                const char  *what)
{
  set_invalid (error, what);
  return NULL;
}

/* Moves to the next "\n"-terminated line; FALSE at the end of the text. */
static gboolean
reader_next_line (Reader *r)
{
  const char *nl = memchr (r->p, '\n', r->end - r->p);

  if (nl == NULL)
    return FALSE;
  r->line = r->p;
  r->line_len = nl - r->p;
  r->p = nl + 1;
  return TRUE;
}

static gboolean
line_has_prefix (Reader     *r,
                 const char *prefix)
{
  gsize n = strlen (prefix);

  return r->line_len >= n && memcmp (r->line, prefix, n) == 0;
}

static gboolean
parse_extra (Reader       *r,
             CwTlogProof  *self,
             GError      **error)
{
  gsize n = strlen ("extra ");

  if (!line_has_prefix (r, "extra "))
    return TRUE;
  self->extra = cw_base64_decode (r->line + n, r->line_len - n, NULL);
  if (self->extra == NULL || g_bytes_get_size (self->extra) == 0)
    return set_invalid (error, _("the extra line is not non-empty canonical base64"));
  if (!reader_next_line (r))
    return set_invalid (error, _("no index line"));
  return TRUE;
}

static gboolean
parse_index (Reader       *r,
             CwTlogProof  *self,
             GError      **error)
{
  gsize n = strlen ("index ");

  if (!line_has_prefix (r, "index ") ||
      !cw_parse_uint64 (r->line + n, r->line_len - n, &self->index))
    return set_invalid (error, _("the index line is not “index <decimal>”"));
  return TRUE;
}

static gboolean
parse_hashes (Reader       *r,
              CwTlogProof  *self,
              GError      **error)
{
  for (;;)
    {
      guint8 hash[CW_MERKLE_HASH_SIZE];

      if (!reader_next_line (r))
        return set_invalid (error, _("no empty line before the checkpoint"));
      if (r->line_len == 0)
        return TRUE;
      if (self->proof->len >= CW_MERKLE_MAX_PROOF_LENGTH)
        return set_invalid (error, _("too many proof hashes"));
      if (!cw_base64_decode_fixed (r->line, r->line_len, hash, sizeof hash, NULL))
        return set_invalid (error, _("a proof line is not one base64 SHA-256 hash"));
      cw_merkle_proof_add (self->proof, hash);
    }
}

static gboolean
parse_checkpoint (Reader       *r,
                  CwTlogProof  *self,
                  GError      **error)
{
  gsize n = r->end - r->p;

  if (n == 0 || r->end[-1] != '\n')
    return set_invalid (error, _("the checkpoint is missing or does not end with a newline"));
  self->checkpoint = g_strndup (r->p, n);
  return TRUE;
}

CwTlogProof *
cw_tlog_proof_parse (const char  *text,
                     gssize       len,
                     GError     **error)
{
  g_autoptr(CwTlogProof) self = NULL;
  Reader r;

  g_return_val_if_fail (text != NULL, NULL);

  if (len < 0)
    len = strlen (text);
  if (memchr (text, '\0', len) != NULL)
    return invalid_bundle (error, _("NUL byte in the text"));

  r = (Reader) { .p = text, .end = text + len };
  self = g_new0 (CwTlogProof, 1);
  self->proof = cw_merkle_proof_new ();

  if (!reader_next_line (&r) ||
      r.line_len != strlen (CW_TLOG_PROOF_HEADER) ||
      memcmp (r.line, CW_TLOG_PROOF_HEADER, r.line_len) != 0)
    {
      g_autofree char *what = g_strdup_printf (_("the first line is not %s"), CW_TLOG_PROOF_HEADER);

      return invalid_bundle (error, what);
    }
  if (!reader_next_line (&r))
    return invalid_bundle (error, _("no index line"));
  if (!parse_extra (&r, self, error) ||
      !parse_index (&r, self, error) ||
      !parse_hashes (&r, self, error) ||
      !parse_checkpoint (&r, self, error))
    return NULL;
  return g_steal_pointer (&self);
}
