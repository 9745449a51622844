/* test-encoding.c: the strict codecs accept exactly the canonical encodings. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"

static void
test_base64_round_trip (void)
{
  for (gsize len = 0; len < 70; len++)
    {
      guint8 data[70];
      g_autofree char *text = NULL;
      g_autofree char *glib_text = NULL;
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;

      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) g_test_rand_int ();

      text = cw_base64_encode (data, len);
      glib_text = g_base64_encode (data, len);
      g_assert_cmpstr (text, ==, glib_text);

      back = cw_base64_decode (text, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), data, len);
    }
}

static void
test_base64_rejects (void)
{
  const char *bad[] = {
    "A", "AA", "AAA", "A===", "====", "AA=A", "AB==",  /* AB== has non-zero padding bits */
    "AAA\n", " AAA", "AA-_", "AA==AA==", "ab*d", "QUI=QUI=",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = cw_base64_decode (bad[i], -1, &error);

      g_assert_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID);
      g_assert_null (bytes);
    }
}

static void
test_base64_fixed (void)
{
  guint8 out[3];
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_base64_decode_fixed ("QUJD", -1, out, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, 3, "ABC", 3);

  g_assert_false (cw_base64_decode_fixed ("QUI=", -1, out, 3, &error));
  g_assert_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID);
}

/* Every byte value at every position of a hash's text: accepted exactly
 * when the text is the canonical encoding of what it decodes to, the same
 * answer whether the character falls in a full block of four or the last. */
static void
test_base64_every_character (void)
{
  guint8 hash[32];
  g_autofree char *good = NULL;

  for (gsize i = 0; i < sizeof hash; i++)
    hash[i] = (guint8) (i * 37 + 11);
  good = cw_base64_encode (hash, sizeof hash);
  g_assert_cmpuint (strlen (good), ==, 44);

  for (gsize pos = 0; pos < 44; pos++)
    for (guint c = 1; c < 256; c++)
      {
        char text[45];
        guint8 out[32];
        gsize glib_len;
        g_autofree guchar *glib_bytes = NULL;
        g_autofree char *glib_again = NULL;
        g_autoptr(GBytes) bytes = NULL;
        gboolean canonical, fixed;

        memcpy (text, good, sizeof text);
        text[pos] = (char) c;
        glib_bytes = g_base64_decode (text, &glib_len);
        glib_again = g_base64_encode (glib_bytes, glib_len);
        canonical = g_str_equal (glib_again, text);

        fixed = cw_base64_decode_fixed (text, -1, out, sizeof out, NULL);
        bytes = cw_base64_decode (text, 44, NULL);
        g_assert_true ((bytes != NULL) == canonical);
        g_assert_true (fixed == (canonical && glib_len == sizeof out));
        if (fixed)
          g_assert_cmpmem (out, sizeof out, glib_bytes, glib_len);
      }
}

static void
test_base64url (void)
{
  const guint8 data[] = { 0xfb, 0xff, 0xbf, 0x01 };
  g_autofree char *text = cw_base64url_encode (data, sizeof data);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (text, ==, "-_-_AQ");
  back = cw_base64url_decode (text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), data, sizeof data);

  for (gsize i = 0; i < 3; i++)
    {
      const char *bad[] = { "-_-_AQ==", "+/+/AQ", "-_-_A" };
      g_autoptr(GError) e = NULL;
      g_autoptr(GBytes) b = cw_base64url_decode (bad[i], -1, &e);

      g_assert_error (e, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID);
      g_assert_null (b);
    }

  /* Non-zero trailing bits: "AR" would decode to 0x01 with junk bits. */
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(GBytes) b = cw_base64url_decode ("AR", -1, &e);

    g_assert_error (e, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID);
    g_assert_null (b);
  }
}

static void
test_hex (void)
{
  const guint8 data[] = { 0x00, 0xc7, 0x4f, 0xff };
  g_autofree char *text = cw_hex_encode (data, sizeof data);
  guint8 back[4];
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (text, ==, "00c74fff");
  g_assert_true (cw_hex_decode_fixed (text, -1, back, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back, 4, data, 4);

  g_assert_false (cw_hex_decode_fixed ("00C74FFF", -1, back, 4, &error));
  g_assert_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cw_hex_decode_fixed ("00c74f", -1, back, 4, &error));
  g_assert_error (error, CW_ENCODING_ERROR, CW_ENCODING_ERROR_INVALID);
}

static void
test_uint64 (void)
{
  guint64 v = 7;

  g_assert_true (cw_parse_uint64 ("0", -1, &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (cw_parse_uint64 ("18446744073709551615", -1, &v));
  g_assert_cmpuint (v, ==, G_MAXUINT64);
  g_assert_true (cw_parse_uint64 ("1234xyz", 4, &v));
  g_assert_cmpuint (v, ==, 1234);

  g_assert_false (cw_parse_uint64 ("18446744073709551616", -1, &v));
  g_assert_false (cw_parse_uint64 ("01", -1, &v));
  g_assert_false (cw_parse_uint64 ("", -1, &v));
  g_assert_false (cw_parse_uint64 ("-1", -1, &v));
  g_assert_false (cw_parse_uint64 ("+1", -1, &v));
  g_assert_false (cw_parse_uint64 (" 1", -1, &v));
  g_assert_false (cw_parse_uint64 ("1 ", -1, &v));
}

static void
test_sha256 (void)
{
  guint8 digest[CW_HASH_SIZE];
  g_autofree char *hex = NULL;

  cw_sha256 ((const guint8 *) "", 0, digest);
  hex = cw_hex_encode (digest, sizeof digest);
  g_assert_cmpstr (hex, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/encoding/base64/round-trip", test_base64_round_trip);
  g_test_add_func ("/encoding/base64/rejects", test_base64_rejects);
  g_test_add_func ("/encoding/base64/fixed", test_base64_fixed);
  g_test_add_func ("/encoding/base64/every-character", test_base64_every_character);
  g_test_add_func ("/encoding/base64url", test_base64url);
  g_test_add_func ("/encoding/hex", test_hex);
  g_test_add_func ("/encoding/uint64", test_uint64);
  g_test_add_func ("/encoding/sha256", test_sha256);

  return g_test_run ();
}
