/* cw-encoding.c: strict codecs for base64 (RFC 4648 §4, §5), hex and decimals. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"

G_DEFINE_QUARK (cw-encoding-error-quark, cw_encoding_error)

static const char b64_std[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Character -> 6-bit value, or -1, for one alphabet; built once, since
 * receipts and listings decode hundreds of thousands of hashes a sync. */
typedef struct {
  gint8 value[256];
} B64Table;

static const B64Table *
b64_table (const char *alphabet)
{
  static B64Table tables[2];
  static gsize ready;

  if (g_once_init_enter (&ready))
    {
      for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
        {
          const char *chars = t == 0 ? b64_std : b64_url;

          memset (tables[t].value, -1, sizeof tables[t].value);
          for (guint i = 0; i < 64; i++)
            tables[t].value[(guint8) chars[i]] = (gint8) i;
        }
      g_once_init_leave (&ready, 1);
    }
  return &tables[alphabet == b64_std ? 0 : 1];
}

/* Checks the shape of base64 text (@len characters of @text, or up to its
 * NUL when negative): with @padded, the length must be a multiple of four
 * with at most two '=' at the end; without, no length of the form 4k + 1.
 * Returns the number of data characters (without padding) and the number
 * of bytes they decode to. */
static gboolean
b64_measure (gboolean     padded,
             const char  *text,
             gssize       len,
             gsize       *n_data_out,
             gsize       *n_bytes_out,
             GError     **error)
{
  gsize n_chars, n_data;

  if (text == NULL)
    {
      g_set_error_literal (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                           _("Missing base64 text"));
      return FALSE;
    }
  n_chars = len < 0 ? strlen (text) : (gsize) len;
  n_data = n_chars;

  if (padded)
    {
      if (n_chars % 4 != 0)
        {
          g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                       _("Base64 length %zu is not a multiple of 4"), n_chars);
          return FALSE;
        }
      while (n_chars - n_data < 2 && n_data > 0 && text[n_data - 1] == '=')
        n_data--;
    }
  if (n_data % 4 == 1)
    {
      g_set_error_literal (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                           _("Base64 text has an impossible length"));
      return FALSE;
    }

  *n_data_out = n_data;
  *n_bytes_out = n_data / 4 * 3 + (n_data % 4 == 0 ? 0 : n_data % 4 - 1);
  return TRUE;
}

/* Decodes @n_data data characters of @text with @alphabet into @out, which
 * has room for what b64_measure() counted. Unused trailing bits must be
 * zero so that each byte string has exactly one accepted encoding. */
static gboolean
b64_decode_into (const char  *alphabet,
                 const char  *text,
                 gsize        n_data,
                 guint8      *out,
                 GError     **error)
{
  const gint8 *value = b64_table (alphabet)->value;
  gsize i = 0, o = 0;
  guint32 acc = 0;
  guint bits = 0;

  /* Four characters to three bytes while they last; any invalid
   * character makes the OR negative. */
  for (; i + 4 <= n_data; i += 4)
    {
      int a = value[(guint8) text[i]], b = value[(guint8) text[i + 1]];
      int c = value[(guint8) text[i + 2]], d = value[(guint8) text[i + 3]];
      guint32 v;

      if ((a | b | c | d) < 0)
        break;
      v = (guint32) a << 18 | (guint32) b << 12 | (guint32) c << 6 | (guint32) d;
      out[o++] = (guint8) (v >> 16);
      out[o++] = (guint8) (v >> 8);
      out[o++] = (guint8) v;
    }

  for (; i < n_data; i++)
    {
      int v = value[(guint8) text[i]];

      if (v < 0)
        {
          g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                       _("Invalid base64 character at offset %zu"), i);
          return FALSE;
        }
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (guint8) (acc >> bits);
          acc &= (1u << bits) - 1;
        }
    }

  if (acc != 0)
    {
      g_set_error_literal (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                           _("Base64 text is not canonical (non-zero padding bits)"));
      return FALSE;
    }
  return TRUE;
}

static GBytes *
b64_decode (const char  *alphabet,
            gboolean     padded,
            const char  *text,
            gssize       len,
            GError     **error)
{
  g_autofree guint8 *out = NULL;
  gsize n_data, n_bytes;

  if (!b64_measure (padded, text, len, &n_data, &n_bytes, error))
    return NULL;

  out = g_malloc (MAX (n_bytes, 1));
  if (!b64_decode_into (alphabet, text, n_data, out, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&out), n_bytes);
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
  gsize n_data, n_bytes;

  if (!b64_measure (TRUE, text, len, &n_data, &n_bytes, error))
    return FALSE;
  if (n_bytes != out_len)
    {
      g_set_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID,
                   _("Expected %zu bytes of base64, got %zu"),
                   out_len, n_bytes);
      return FALSE;
    }
  return b64_decode_into (b64_std, text, n_data, out, error);
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
                   _("Expected %zu hex digits, got %zu"),
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
                       _("Invalid lower-case hex digit at offset %zu"),
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
