/* fuzz-tile-path.c: cw_tile_parse_path(), which accepts only what
 * cw_tile_path() writes. The path is a C string, so it ends at the first
 * NUL of the input. */
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
  g_autofree char *path = fuzz_strndup (data, size);
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  CwTile tile = { 0, };
  CwTile tile2 = { 0, };

  if (!cw_tile_parse_path (path, &tile, &error))
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_TILES_ERROR);
      return 0;
    }

  FUZZ_ASSERT (cw_tile_is_valid (&tile));
  again = cw_tile_path (&tile);
  FUZZ_ASSERT (g_strcmp0 (again, path) == 0);
  FUZZ_ASSERT (cw_tile_parse_path (again, &tile2, NULL) && cw_tile_equal (&tile, &tile2));

  return 0;
}
