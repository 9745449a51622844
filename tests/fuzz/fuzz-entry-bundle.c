/* fuzz-entry-bundle.c: cw_entry_bundle_parse() with a fuzzed entry count and
 * entry length; what parses builds back to the same bytes.
 *
 * Input: two bytes of entry count (big-endian, so up to 65535), one byte of
 * entry length (0 for any, else the required length), then the bundle. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-tiles.h"

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
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint n_entries;
  gsize entry_len;

  if (size < 3)
    return 0;
  n_entries = (guint) data[0] << 8 | data[1];
  entry_len = data[2];
  bundle = g_bytes_new (data + 3, size - 3);

  entries = cw_entry_bundle_parse (bundle, n_entries, entry_len, &error);
  if (entries == NULL)
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_TILES_ERROR);
      return 0;
    }

  FUZZ_ASSERT (entries->len == n_entries);
  for (guint i = 0; i < entries->len && entry_len > 0; i++)
    FUZZ_ASSERT (g_bytes_get_size (g_ptr_array_index (entries, i)) == entry_len);
  again = cw_entry_bundle_build (entries, NULL);
  FUZZ_ASSERT (again != NULL && g_bytes_equal (again, bundle));

  return 0;
}
