/* cw-tiles.h: c2sp.org/tlog-tiles coordinates, paths, tile data and entry
 * bundles, with tiles of height 8 (256 hashes) as the spec fixes them.
 *
 * A tile at level L, index N holds the hashes of the complete subtrees of
 * 256^L leaves number N·256 … N·256 + W − 1 (level 0: leaf hashes). Paths
 * are "tile/<L>/<N>[.p/<W>]" and "tile/entries/<N>[.p/<W>]", relative to
 * the log prefix; N is written in 3-digit groups, all but the last with an
 * "x" prefix (1234067 → x001/x234/067), and ".p/<W>" marks a partial tile
 * (1 ≤ W ≤ 255). Entry bundles hold each entry as a big-endian uint16
 * length followed by its bytes.
 */
#pragma once

#include <glib.h>

#include "cw-log-tree.h"

G_BEGIN_DECLS

#define CW_TILE_HEIGHT 8
#define CW_TILE_WIDTH 256
#define CW_TILE_MAX_LEVEL 63
/* The level of entry bundles, which share N and W with level-0 tiles. */
#define CW_TILE_LEVEL_ENTRIES (-1)

#define CW_TILES_ERROR (cw_tiles_error_quark ())

typedef enum {
  CW_TILES_ERROR_INVALID_PATH,
  CW_TILES_ERROR_OUT_OF_RANGE,
  CW_TILES_ERROR_INVALID_BUNDLE,
} CwTilesError;

typedef struct {
  int      level;   /* 0 … 63, or CW_TILE_LEVEL_ENTRIES */
  guint64  index;
  guint    width;   /* 1 … 256; 256 is a full tile */
} CwTile;

GQuark      cw_tiles_error_quark          (void);

gboolean    cw_tile_is_valid              (const CwTile  *tile);
gboolean    cw_tile_equal                 (const CwTile  *a,
                                           const CwTile  *b);
char       *cw_tile_path                  (const CwTile  *tile);
/* Strict: only the exact string cw_tile_path() would produce is accepted. */
gboolean    cw_tile_parse_path            (const char    *path,
                                           CwTile        *out,
                                           GError       **error);

/* Every tile (full and partial, all levels, not entry bundles) that a tree
 * of @new_size has and a tree of @old_size did not have in that form: with
 * @old_size 0, all tiles of the tree. Array of CwTile. */
GArray     *cw_tiles_for_tree_size        (guint64        old_size,
                                           guint64        new_size);

/* The W·32 bytes of @tile (not an entry bundle) from @tree. */
GBytes     *cw_tile_read_data             (const CwTile  *tile,
                                           CwLogTree     *tree,
                                           GError       **error);

/* Entry bundles. @entries is an array of GBytes of at most 65535 bytes. */
GBytes     *cw_entry_bundle_build         (GPtrArray     *entries,
                                           GError       **error);
/* Parses exactly @n_entries entries and nothing after them; with
 * @entry_len > 0, every entry must have that length. Array of GBytes. */
GPtrArray  *cw_entry_bundle_parse         (GBytes        *bundle,
                                           guint          n_entries,
                                           gsize          entry_len,
                                           GError       **error);

G_END_DECLS
