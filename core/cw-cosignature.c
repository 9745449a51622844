/* cw-cosignature.c: tlog-cosignature/v1 witness cosignatures (Ed25519, type 0x04).
 *
 * Spec: https://c2sp.org/tlog-cosignature.
 */
#include "config.h"

#include "cw-cosignature.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#define TIMESTAMP_SIZE 8

G_DEFINE_QUARK (cw-cosignature-error-quark, cw_cosignature_error)

GBytes *
cw_cosignature_signed_message (guint64     timestamp,
                               const char *body,
                               gsize       body_len)
{
  GString *msg;

  g_return_val_if_fail (body != NULL || body_len == 0, NULL);

  msg = g_string_new ("cosignature/v1\n");
  g_string_append_printf (msg, "time %" G_GUINT64_FORMAT "\n", timestamp);
  g_string_append_len (msg, body, body_len);
  return g_string_free_to_bytes (msg);
}

static void
write_be64 (guint8  out[TIMESTAMP_SIZE],
            guint64 value)
{
  for (int i = TIMESTAMP_SIZE - 1; i >= 0; i--)
    {
      out[i] = value & 0xff;
      value >>= 8;
    }
}

static guint64
read_be64 (const guint8 in[TIMESTAMP_SIZE])
{
  guint64 value = 0;

  for (int i = 0; i < TIMESTAMP_SIZE; i++)
    value = (value << 8) | in[i];

  return value;
}

static gboolean
check_timestamp (guint64   timestamp,
                 GError  **error)
{
  if (timestamp > CW_COSIGNATURE_MAX_TIME)
    {
      g_set_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID_TIME,
                   _("Cosignature time %" PRIu64 " exceeds 2^63 - 1"),
                   timestamp);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_key_type (const char  *name,
                CwKeyType    type,
                GError     **error)
{
  if (type != CW_KEY_TYPE_COSIGNATURE_V1)
    {
      g_set_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_WRONG_KEY_TYPE,
                   _("Key %s has signature type 0x%02x, not a cosignature/v1 key (0x04)"),
                   name, type);
      return FALSE;
    }

  return TRUE;
}

gboolean
cw_cosignature_sign (CwSigningKey  *key,
                     const char    *body,
                     gsize          body_len,
                     guint64        timestamp,
                     guint8         sig_out[CW_COSIGNATURE_SIZE],
                     GError       **error)
{
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_key_type (cw_signing_key_get_name (key),
                       cw_signing_key_get_key_type (key), error) ||
      !check_timestamp (timestamp, error))
    return FALSE;

  if (!cw_note_text_is_valid (body, body_len, &local_error))
    {
      g_set_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID_BODY,
                   _("Cannot cosign: %s"), local_error->message);
      return FALSE;
    }

  msg = cw_cosignature_signed_message (timestamp, body, body_len);
  data = g_bytes_get_data (msg, &size);
  write_be64 (sig_out, timestamp);
  cw_signing_key_sign (key, data, size, sig_out + TIMESTAMP_SIZE);
  return TRUE;
}

char *
cw_cosignature_sign_line (CwSigningKey  *key,
                          const char    *body,
                          gsize          body_len,
                          guint64        timestamp,
                          GError       **error)
{
  guint8 sig[CW_COSIGNATURE_SIZE];

  if (!cw_cosignature_sign (key, body, body_len, timestamp, sig, error))
    return NULL;

  return cw_note_format_signature_line (cw_signing_key_get_name (key),
                                        cw_signing_key_get_key_id (key),
                                        sig, sizeof sig);
}

gboolean
cw_cosignature_verify (CwVerifierKey  *key,
                       const char     *body,
                       gsize           body_len,
                       const guint8   *sig,
                       gsize           sig_len,
                       guint64        *out_timestamp,
                       GError        **error)
{
  g_autoptr(GBytes) msg = NULL;
  guint64 timestamp;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (sig != NULL || sig_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_key_type (cw_verifier_key_get_name (key),
                       cw_verifier_key_get_key_type (key), error))
    return FALSE;

  if (sig_len != CW_COSIGNATURE_SIZE)
    {
      g_set_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_MALFORMED,
                   _("Cosignature by %s is %zu bytes, expected %d"),
                   cw_verifier_key_get_name (key), sig_len, CW_COSIGNATURE_SIZE);
      return FALSE;
    }

  timestamp = read_be64 (sig);
  if (!check_timestamp (timestamp, error))
    return FALSE;

  msg = cw_cosignature_signed_message (timestamp, body, body_len);
  data = g_bytes_get_data (msg, &size);
  if (!cw_verifier_key_verify (key, data, size, sig + TIMESTAMP_SIZE))
    {
      g_set_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID,
                   _("Invalid cosignature by %s+%08x at time %" PRIu64),
                   cw_verifier_key_get_name (key),
                   cw_verifier_key_get_key_id (key), timestamp);
      return FALSE;
    }

  if (out_timestamp != NULL)
    *out_timestamp = timestamp;
  return TRUE;
}

static gboolean
note_verify_cb (CwVerifierKey *key,
                const guint8  *text,
                gsize          text_len,
                const guint8  *sig,
                gsize          sig_len,
                gpointer       user_data)
{
  return cw_cosignature_verify (key, (const char *) text, text_len,
                                sig, sig_len, NULL, NULL);
}

gboolean
cw_cosignature_add_verifier (CwNoteVerifiers  *verifiers,
                             CwVerifierKey    *key,
                             GError          **error)
{
  g_return_val_if_fail (verifiers != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_key_type (cw_verifier_key_get_name (key),
                       cw_verifier_key_get_key_type (key), error))
    return FALSE;

  return cw_note_verifiers_add_full (verifiers, key, note_verify_cb,
                                     NULL, NULL, error);
}

gboolean
cw_cosignature_get_timestamp (CwNoteSignature  *sig,
                              guint64          *out_timestamp,
                              GError          **error)
{
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (sig != NULL, FALSE);
  g_return_val_if_fail (out_timestamp != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = g_bytes_get_data (cw_note_signature_get_signature (sig), &size);
  if (size != CW_COSIGNATURE_SIZE)
    {
      g_set_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_MALFORMED,
                   _("Signature by %s is %zu bytes, not a cosignature"),
                   cw_note_signature_get_name (sig), size);
      return FALSE;
    }

  *out_timestamp = read_be64 (data);
  return check_timestamp (*out_timestamp, error);
}
