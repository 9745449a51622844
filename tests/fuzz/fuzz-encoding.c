/* fuzz-encoding.c: strict base64, base64url, hex and decimal parsing. Every
 * decoder accepts only the canonical text, so decoding then encoding gives
 * back the input. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-encoding.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *text = (const char *) data;
  g_autoptr(GBytes) decoded = NULL;
  g_autoptr(GBytes) decoded_url = NULL;
  g_autofree char *nul_text = fuzz_strndup (data, size);
  g_autoptr(GBytes) decoded_nul = NULL;
  guint8 fixed[64];
  guint64 value;

  decoded = cw_base64_decode (text, size, NULL);
  if (decoded != NULL)
    {
      g_autofree char *again = cw_base64_encode (g_bytes_get_data (decoded, NULL),
                                                 g_bytes_get_size (decoded));

      FUZZ_ASSERT (fuzz_bytes_equal (again, strlen (again), data, size));
      if (g_bytes_get_size (decoded) <= sizeof fixed)
        FUZZ_ASSERT (cw_base64_decode_fixed (text, size, fixed, g_bytes_get_size (decoded), NULL));
    }
  for (gsize n = 0; n <= 33; n += 1)
    if (cw_base64_decode_fixed (text, size, fixed, n, NULL))
      FUZZ_ASSERT (decoded != NULL && g_bytes_get_size (decoded) == n &&
                   memcmp (fixed, g_bytes_get_data (decoded, NULL), n) == 0);

  /* With -1 the text ends at the first NUL. */
  decoded_nul = cw_base64_decode (nul_text, -1, NULL);
  if (decoded_nul != NULL)
    {
      g_autofree char *again = cw_base64_encode (g_bytes_get_data (decoded_nul, NULL),
                                                 g_bytes_get_size (decoded_nul));

      FUZZ_ASSERT (g_strcmp0 (again, nul_text) == 0);
    }

  decoded_url = cw_base64url_decode (text, size, NULL);
  if (decoded_url != NULL)
    {
      g_autofree char *again = cw_base64url_encode (g_bytes_get_data (decoded_url, NULL),
                                                    g_bytes_get_size (decoded_url));

      FUZZ_ASSERT (fuzz_bytes_equal (again, strlen (again), data, size));
    }

  if (size % 2 == 0 && size / 2 <= sizeof fixed &&
      cw_hex_decode_fixed (text, size, fixed, size / 2, NULL))
    {
      g_autofree char *again = cw_hex_encode (fixed, size / 2);

      FUZZ_ASSERT (fuzz_bytes_equal (again, strlen (again), data, size));
    }
  cw_hex_decode_fixed (text, size, fixed, 32, NULL);

  if (cw_parse_uint64 (text, size, &value))
    {
      g_autofree char *again = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

      FUZZ_ASSERT (fuzz_bytes_equal (again, strlen (again), data, size));
    }

  return 0;
}
