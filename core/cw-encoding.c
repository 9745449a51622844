/* cw-encoding.c: strict codecs for base64 (RFC 4648 §4, §5), hex and decimals. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"

G_DEFINE_QUARK (cw-encoding-error-quark, cw_encoding_error)

static const char b64_std[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Both alphabets share their first 62 characters; ranges instead of a
 * search, since receipts and listings decode thousands of hashes. */
static int
b64_value (const char *alphabet,
           char        c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c != '\0' && c == alphabet[62])
    return 62;
  if (c != '\0' && c == alphabet[63])
    return 63;
  return -1;
}

/* Decodes @len characters of @text with @alphabet. With @padded, the length
 * must be a multiple of four with '=' padding; without, no '=' may appear.
 * Unused trailing bits must be zero so that each byte string has exactly
 * one accepted encoding. */
static GBytes *
b64_decode (const char  *alphabet,
            gboolean     padded,
            const char  *text,
            gssize       len,
            GError     **error)
{
  g_autoptr(GByteArray) out = NULL;
  gsize n_chars, n_pad = 0;
  guint32 acc = 0;
  guint bits = 0;

  if (text == NULL)
    {
      g_set_error_literal (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                           "Missing base64 text");
      return NULL;
    }
  n_chars = len < 0 ? strlen (text) : (gsize) len;

  if (padded)
    {
      if (n_chars % 4 != 0)
        {
          g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                       "Base64 length %" G_GSIZE_FORMAT " is not a multiple of 4", n_chars);
          return NULL;
        }
      while (n_pad < 2 && n_chars > n_pad && text[n_chars - 1 - n_pad] == '=')
        n_pad++;
    }
  else if (n_chars % 4 == 1)
    {
      g_set_error_literal (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                           "Base64url text has an impossible length");
      return NULL;
    }

  out = g_byte_array_sized_new (n_chars / 4 * 3 + 3);
  for (gsize i = 0; i < n_chars - n_pad; i++)
    {
      int v = b64_value (alphabet, text[i]);

      if (v < 0)
        {
          g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                       "Invalid base64 character at offset %" G_GSIZE_FORMAT, i);
          return NULL;
        }
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          guint8 byte;

          bits -= 8;
          byte = (guint8) (acc >> bits);
          g_byte_array_append (out, &byte, 1);
          acc &= (1u << bits) - 1;
        }
    }

  if (acc != 0)
    {
      g_set_error_literal (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                           "Base64 text is not canonical (non-zero padding bits)");
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static char *
b64_encode (const char   *alphabet,
            gboolean      padded,
            const guint8 *data,
            gsize         len)
{
  GString *s = g_string_sized_new ((len + 2) / 3 * 4 + 1);
  gsize i;

  for (i = 0; i + 2 < len; i += 3)
    {
      guint32 v = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8 | data[i + 2];

      g_string_append_c (s, alphabet[(v >> 18) & 63]);
      g_string_append_c (s, alphabet[(v >> 12) & 63]);
      g_string_append_c (s, alphabet[(v >> 6) & 63]);
      g_string_append_c (s, alphabet[v & 63]);
    }

  if (len - i == 1)
    {
      guint32 v = (guint32) data[i] << 16;

      g_string_append_c (s, alphabet[(v >> 18) & 63]);
      g_string_append_c (s, alphabet[(v >> 12) & 63]);
      if (padded)
        g_string_append (s, "==");
    }
  else if (len - i == 2)
    {
      guint32 v = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8;

      g_string_append_c (s, alphabet[(v >> 18) & 63]);
      g_string_append_c (s, alphabet[(v >> 12) & 63]);
      g_string_append_c (s, alphabet[(v >> 6) & 63]);
      if (padded)
        g_string_append_c (s, '=');
    }

  return g_string_free (s, FALSE);
}

GBytes *
cw_base64_decode (const char  *text,
                  gssize       len,
                  GError     **error)
{
  return b64_decode (b64_std, TRUE, text, len, error);
}

char *
cw_base64_encode (const guint8 *data,
                  gsize         len)
{
  return b64_encode (b64_std, TRUE, data, len);
}

gboolean
cw_base64_decode_fixed (const char  *text,
                        gssize       len,
                        guint8      *out,
                        gsize        out_len,
                        GError     **error)
{
  g_autoptr(GBytes) bytes = cw_base64_decode (text, len, error);

  if (bytes == NULL)
    return FALSE;

  if (g_bytes_get_size (bytes) != out_len)
    {
      g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                   "Expected %" G_GSIZE_FORMAT " bytes of base64, got %" G_GSIZE_FORMAT,
                   out_len, g_bytes_get_size (bytes));
      return FALSE;
    }

  memcpy (out, g_bytes_get_data (bytes, NULL), out_len);
  return TRUE;
}

GBytes *
cw_base64url_decode (const char  *text,
                     gssize       len,
                     GError     **error)
{
  return b64_decode (b64_url, FALSE, text, len, error);
}

char *
cw_base64url_encode (const guint8 *data,
                     gsize         len)
{
  return b64_encode (b64_url, FALSE, data, len);
}

char *
cw_hex_encode (const guint8 *data,
               gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 15];
    }
  out[len * 2] = '\0';

  return out;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

gboolean
cw_hex_decode_fixed (const char  *text,
                     gssize       len,
                     guint8      *out,
                     gsize        out_len,
                     GError     **error)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;

  if (n != out_len * 2)
    {
      g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                   "Expected %" G_GSIZE_FORMAT " hex digits, got %" G_GSIZE_FORMAT,
                   out_len * 2, n);
      return FALSE;
    }

  for (gsize i = 0; i < out_len; i++)
    {
      int hi = hex_value (text[2 * i]);
      int lo = hex_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        {
          g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                       "Invalid lower-case hex digit at offset %" G_GSIZE_FORMAT,
                       2 * i + (hi < 0 ? 0 : 1));
          return FALSE;
        }
      out[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

void
cw_sha256 (const guint8 *data,
           gsize         len,
           guint8        out[CW_HASH_SIZE])
{
  crypto_hash_sha256 (out, data, len);
}

gboolean
cw_memequal (const guint8 *a,
             const guint8 *b,
             gsize         len)
{
  return sodium_memcmp (a, b, len) == 0;
}

gboolean
cw_parse_uint64 (const char *text,
                 gssize      len,
                 guint64    *out)
{
  gsize n;
  guint64 value = 0;

  if (text == NULL)
    return FALSE;
  n = len < 0 ? strlen (text) : (gsize) len;
  if (n == 0 || n > 20 || (n > 1 && text[0] == '0'))
    return FALSE;

  for (gsize i = 0; i < n; i++)
    {
      guint digit;

      if (text[i] < '0' || text[i] > '9')
        return FALSE;
      digit = (guint) (text[i] - '0');
      if (value > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }

  *out = value;
  return TRUE;
}
