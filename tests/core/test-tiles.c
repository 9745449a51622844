/* test-tiles.c: c2sp.org/tlog-tiles paths, tile sets, tile data (recomputing
 * tree roots from tiles alone) and entry bundles. */
#include "config.h"

#include <string.h>

#include "cw-log-tree.h"
#include "cw-merkle.h"
#include "cw-tiles.h"

#define TREE_SIZE 70001

static void
make_entry (guint64 i,
            guint8  out[32])
{
  g_autofree char *text = g_strdup_printf ("tile entry %" G_GUINT64_FORMAT, i);

  cw_merkle_hash_leaf ((const guint8 *) text, strlen (text), out);
}

static CwLogTree *
make_tree (guint64 size)
{
  CwLogTree *tree = cw_log_tree_new ();
  guint8 entry[32];

  for (guint64 i = 0; i < size; i++)
    {
      make_entry (i, entry);
      cw_log_tree_append (tree, entry, sizeof entry);
    }
  return tree;
}

static void
check_path (int         level,
            guint64     index,
            guint       width,
            const char *want)
{
  CwTile tile = { level, index, width }, parsed;
  g_autofree char *path = cw_tile_path (&tile);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (path, ==, want);
  g_assert_true (cw_tile_parse_path (path, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.level, ==, level);
  g_assert_cmpuint (parsed.index, ==, index);
  g_assert_cmpuint (parsed.width, ==, width);
}

static void
test_path_encode (void)
{
  check_path (0, 1234067, 256, "tile/0/x001/x234/067");
  check_path (0, 5, 256, "tile/0/005");
  check_path (0, 0, 1, "tile/0/000.p/1");
  check_path (1, 999, 255, "tile/1/999.p/255");
  check_path (2, 1000, 256, "tile/2/x001/000");
  check_path (63, 0, 17, "tile/63/000.p/17");
  check_path (CW_TILE_LEVEL_ENTRIES, 1234067, 112, "tile/entries/x001/x234/067.p/112");
  check_path (CW_TILE_LEVEL_ENTRIES, 0, 256, "tile/entries/000");
  check_path (0, G_MAXUINT64, 256, "tile/0/x018/x446/x744/x073/x709/x551/615");
}

static void
test_path_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 2000; i++)
    {
      CwTile tile, parsed;
      g_autofree char *path = NULL;

      tile.level = g_rand_int_range (rand, CW_TILE_LEVEL_ENTRIES, CW_TILE_MAX_LEVEL + 1);
      tile.index = ((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) >> g_rand_int_range (rand, 0, 64);
      tile.width = g_rand_int_range (rand, 1, CW_TILE_WIDTH + 1);
      path = cw_tile_path (&tile);
      g_assert_true (cw_tile_parse_path (path, &parsed, NULL));
      g_assert_true (cw_tile_equal (&tile, &parsed));
    }
}

static void
test_path_reject (void)
{
  static const char *const bad[] = {
    "", "tile", "tile/", "tile/0", "tile/0/", "/tile/0/000", "tile/0/000/",
    " tile/0/000", "tile/0/000 ", "tile/0/000\n", "TILE/0/000", "tiles/0/000",
    "tile/0/00", "tile/0/0000", "tile/0/0a0", "tile/0/+00", "tile/0/-01",
    "tile/00/000", "tile/01/000", "tile/64/000", "tile/100/000", "tile/-1/000",
    "tile/1a/000", "tile//000", "tile/data/000", "tile/entries/", "tile/entries/000/",
    "tile/entries/00", "tile/8/0/000",
    "tile/0/x000/005", "tile/0/x000/x001/000", "tile/0/x001", "tile/0/x001/",
    "tile/0/001/002", "tile/0/X001/000", "tile/0/x1000/000", "tile/0/x00a/000",
    "tile/0/xx001/000", "tile/0/x001//000",
    "tile/0/x018/x446/x744/x073/x709/x551/616",
    "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
    "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/1000", "tile/0/000.p/010",
    "tile/0/000.p/", "tile/0/000.p", "tile/0/000.p/5x", "tile/0/000.p/255/",
    "tile/0/000.p/+5", "tile/0/000.q/5", "tile/0/000.p/1.5", "tile/0/000.p/ 5",
    "tile/0/000.p/5.p/5", "tile/0/000.P/5",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      CwTile tile = { 5, 5, 5 };

      if (cw_tile_parse_path (bad[i], &tile, &error))
        g_error ("accepted bad tile path “%s”", bad[i]);
      g_assert_error (error, CW_TILES_ERROR, CW_TILES_ERROR_INVALID_PATH);
      g_assert_cmpint (tile.level, ==, 5);
    }
}

static guint
count_tiles (GArray *tiles,
             int     level,
             guint   width)
{
  guint n = 0;

  for (guint i = 0; i < tiles->len; i++)
    {
      CwTile *t = &g_array_index (tiles, CwTile, i);

      if (t->level == level && (width == 0 || t->width == width))
        n++;
    }
  return n;
}

/* The two examples of the spec's "Partial Tiles" section. */
static void
test_tiles_for_size_spec (void)
{
  g_autoptr(GArray) t70000 = cw_tiles_for_tree_size (0, 70000);
  g_autoptr(GArray) t256 = cw_tiles_for_tree_size (0, 256);
  g_autoptr(GArray) t0 = cw_tiles_for_tree_size (0, 0);

  g_assert_cmpuint (t70000->len, ==, 273 + 1 + 1 + 1 + 1);
  g_assert_cmpuint (count_tiles (t70000, 0, 256), ==, 273);
  g_assert_cmpuint (count_tiles (t70000, 0, 112), ==, 1);
  g_assert_cmpuint (count_tiles (t70000, 1, 256), ==, 1);
  g_assert_cmpuint (count_tiles (t70000, 1, 17), ==, 1);
  g_assert_cmpuint (count_tiles (t70000, 2, 1), ==, 1);

  g_assert_cmpuint (t256->len, ==, 2);
  g_assert_cmpuint (count_tiles (t256, 0, 256), ==, 1);
  g_assert_cmpuint (count_tiles (t256, 1, 1), ==, 1);

  g_assert_cmpuint (t0->len, ==, 0);
}

static gboolean
contains_tile (GArray       *tiles,
               const CwTile *tile)
{
  for (guint i = 0; i < tiles->len; i++)
    if (cw_tile_equal (&g_array_index (tiles, CwTile, i), tile))
      return TRUE;
  return FALSE;
}

/* Growing from old to new publishes exactly the tiles of new that old lacks. */
static void
test_tiles_for_size_growth (void)
{
  static const guint64 sizes[][2] = {
    { 1, 2 }, { 255, 256 }, { 256, 257 }, { 100, 70000 }, { 65535, 65536 },
    { 65536, 65537 }, { 70000, 70000 }, { 512, 513 }, { 300, 301 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GArray) old_all = cw_tiles_for_tree_size (0, sizes[i][0]);
      g_autoptr(GArray) new_all = cw_tiles_for_tree_size (0, sizes[i][1]);
      g_autoptr(GArray) delta = cw_tiles_for_tree_size (sizes[i][0], sizes[i][1]);

      for (guint j = 0; j < new_all->len; j++)
        {
          CwTile *t = &g_array_index (new_all, CwTile, j);

          g_assert_true (contains_tile (delta, t) != contains_tile (old_all, t));
        }
      for (guint j = 0; j < delta->len; j++)
        g_assert_true (contains_tile (new_all, &g_array_index (delta, CwTile, j)));
    }
}

typedef struct {
  GHashTable *tiles;   /* path → GBytes */
} TileStore;

static void
tile_store_fill (TileStore *store,
                 CwLogTree *tree,
                 guint64    size)
{
  g_autoptr(GArray) tiles = cw_tiles_for_tree_size (0, size);

  store->tiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < tiles->len; i++)
    {
      CwTile *t = &g_array_index (tiles, CwTile, i);
      g_autoptr(GError) error = NULL;
      GBytes *data = cw_tile_read_data (t, tree, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (data), ==, t->width * CW_MERKLE_HASH_SIZE);
      g_hash_table_insert (store->tiles, cw_tile_path (t), data);
    }
}

/* Hash number @n at tile level @level, read from the tile that holds it in
 * a tree of @size. */
static const guint8 *
tile_store_hash (TileStore *store,
                 guint64    size,
                 int        level,
                 guint64    n)
{
  guint64 hashes_at_level = size >> (CW_TILE_HEIGHT * level);
  guint64 tile_index = n / CW_TILE_WIDTH;
  guint width = (tile_index + 1) * CW_TILE_WIDTH <= hashes_at_level
                ? CW_TILE_WIDTH : (guint) (hashes_at_level % CW_TILE_WIDTH);
  CwTile tile = { level, tile_index, width };
  g_autofree char *path = cw_tile_path (&tile);
  GBytes *data = g_hash_table_lookup (store->tiles, path);

  g_assert_nonnull (data);
  return (const guint8 *) g_bytes_get_data (data, NULL) + (n % CW_TILE_WIDTH) * CW_MERKLE_HASH_SIZE;
}

/* MTH of 2^@height consecutive hashes: a subtree inside one tile. */
static void
hash_within_tile (const guint8 *hashes,
                  guint         height,
                  guint8        out[CW_MERKLE_HASH_SIZE])
{
  guint8 left[CW_MERKLE_HASH_SIZE], right[CW_MERKLE_HASH_SIZE];
  gsize half;

  if (height == 0)
    {
      memcpy (out, hashes, CW_MERKLE_HASH_SIZE);
      return;
    }
  half = (gsize) 1 << (height - 1);
  hash_within_tile (hashes, height - 1, left);
  hash_within_tile (hashes + half * CW_MERKLE_HASH_SIZE, height - 1, right);
  cw_merkle_hash_node (left, right, out);
}

static void
root_from_tiles (TileStore *store,
                 guint64    size,
                 guint8     out[CW_MERKLE_HASH_SIZE])
{
  guint8 parts[64][CW_MERKLE_HASH_SIZE];
  guint n_parts = 0;
  guint64 start = 0;

  for (int k = 63; k >= 0; k--)
    {
      guint64 n;

      if (!(size & (G_GUINT64_CONSTANT (1) << k)))
        continue;
      n = start >> k;
      hash_within_tile (tile_store_hash (store, size, k / CW_TILE_HEIGHT,
                                         n << (k % CW_TILE_HEIGHT)),
                        k % CW_TILE_HEIGHT, parts[n_parts++]);
      start += G_GUINT64_CONSTANT (1) << k;
    }

  memcpy (out, parts[n_parts - 1], CW_MERKLE_HASH_SIZE);
  for (guint i = n_parts - 1; i > 0; i--)
    cw_merkle_hash_node (parts[i - 1], out, out);
}

static void
check_root_from_tiles (CwLogTree *tree,
                       guint64    size)
{
  TileStore store;
  guint8 want[CW_MERKLE_HASH_SIZE], got[CW_MERKLE_HASH_SIZE];

  tile_store_fill (&store, tree, size);
  g_assert_true (cw_log_tree_get_root (tree, size, want, NULL));
  root_from_tiles (&store, size, got);
  g_assert_cmpmem (got, sizeof got, want, sizeof want);
  g_hash_table_unref (store.tiles);
}

static void
test_tiles_recompute_root (void)
{
  static const guint64 sizes[] = {
    1, 2, 3, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70000, TREE_SIZE,
  };
  g_autoptr(CwLogTree) tree = make_tree (TREE_SIZE);
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    check_root_from_tiles (tree, sizes[i]);
  for (guint i = 0; i < 20; i++)
    check_root_from_tiles (tree, g_rand_int_range (rand, 1, TREE_SIZE + 1));
}

/* Each hash of a level-1 tile is the root of the full level-0 tile below. */
static void
test_tile_levels_link (void)
{
  g_autoptr(CwLogTree) tree = make_tree (TREE_SIZE);
  CwTile upper = { 1, 0, 256 };
  g_autoptr(GBytes) upper_data = cw_tile_read_data (&upper, tree, NULL);

  for (guint i = 0; i < 256; i++)
    {
      CwTile lower = { 0, i, 256 };
      g_autoptr(GBytes) lower_data = cw_tile_read_data (&lower, tree, NULL);
      guint8 root[CW_MERKLE_HASH_SIZE];

      hash_within_tile (g_bytes_get_data (lower_data, NULL), CW_TILE_HEIGHT, root);
      g_assert_cmpmem (root, sizeof root,
                       (const guint8 *) g_bytes_get_data (upper_data, NULL) + i * 32, 32);
    }
}

static void
test_tile_read_out_of_range (void)
{
  g_autoptr(CwLogTree) tree = make_tree (300);
  static const CwTile bad[] = {
    { 0, 1, 45 }, { 0, 1, 256 }, { 0, 2, 1 }, { 1, 0, 2 }, { 2, 0, 1 },
    { 8, 0, 1 }, { 63, 0, 1 }, { 0, G_MAXUINT64, 1 }, { 0, G_MAXUINT64 / 256, 256 },
  };
  CwTile good = { 0, 1, 44 };
  g_autoptr(GBytes) data = cw_tile_read_data (&good, tree, NULL);

  g_assert_nonnull (data);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (cw_tile_read_data (&bad[i], tree, &error));
      g_assert_error (error, CW_TILES_ERROR, CW_TILES_ERROR_OUT_OF_RANGE);
    }
}

static GPtrArray *
make_entries (guint first,
              guint n)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n; i++)
    {
      guint8 entry[32];

      make_entry (first + i, entry);
      g_ptr_array_add (entries, g_bytes_new (entry, sizeof entry));
    }
  return entries;
}

static void
test_bundle_round_trip (void)
{
  g_autoptr(GPtrArray) entries = make_entries (256, 256);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = cw_entry_bundle_build (entries, &error);
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(CwLogTree) tree = make_tree (600);
  CwTile tile = { 0, 1, 256 };
  g_autoptr(GBytes) tile_data = cw_tile_read_data (&tile, tree, NULL);
  const guint8 *bytes;

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bundle), ==, 256 * 34);
  bytes = g_bytes_get_data (bundle, NULL);
  g_assert_cmpuint (bytes[0], ==, 0);
  g_assert_cmpuint (bytes[1], ==, 32);

  parsed = cw_entry_bundle_parse (bundle, 256, 32, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 256);
  for (guint i = 0; i < 256; i++)
    {
      guint8 leaf[CW_MERKLE_HASH_SIZE];

      g_assert_true (g_bytes_equal (g_ptr_array_index (parsed, i), g_ptr_array_index (entries, i)));
      /* Each entry hashes to its place in the level-0 tile. */
      cw_merkle_hash_leaf (g_bytes_get_data (g_ptr_array_index (parsed, i), NULL), 32, leaf);
      g_assert_cmpmem (leaf, 32, (const guint8 *) g_bytes_get_data (tile_data, NULL) + i * 32, 32);
    }
}

static void
test_bundle_variable_lengths (void)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree guint8 *big = g_malloc0 (65536);
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (entries, g_bytes_new (NULL, 0));
  g_ptr_array_add (entries, g_bytes_new ("abc", 3));
  g_ptr_array_add (entries, g_bytes_new (big, 65535));
  bundle = cw_entry_bundle_build (entries, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bundle), ==, 6 + 3 + 65535);
  parsed = cw_entry_bundle_parse (bundle, 3, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (parsed, i), g_ptr_array_index (entries, i)));

  g_clear_pointer (&bundle, g_bytes_unref);
  g_ptr_array_add (entries, g_bytes_new (big, 65536));
  g_assert_null (cw_entry_bundle_build (entries, &error));
  g_assert_error (error, CW_TILES_ERROR, CW_TILES_ERROR_INVALID_BUNDLE);
}

static void
expect_bad_bundle (GBytes *bundle,
                   guint   n_entries,
                   gsize   entry_len)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (cw_entry_bundle_parse (bundle, n_entries, entry_len, &error));
  g_assert_error (error, CW_TILES_ERROR, CW_TILES_ERROR_INVALID_BUNDLE);
}

static void
test_bundle_reject (void)
{
  g_autoptr(GPtrArray) entries = make_entries (0, 10);
  g_autoptr(GBytes) bundle = cw_entry_bundle_build (entries, NULL);
  gsize size = g_bytes_get_size (bundle);
  const guint8 *data = g_bytes_get_data (bundle, NULL);

  expect_bad_bundle (bundle, 9, 32);    /* data after the last entry */
  expect_bad_bundle (bundle, 11, 32);   /* one entry missing */
  expect_bad_bundle (bundle, 10, 31);   /* wrong entry length */
  expect_bad_bundle (bundle, 10, 33);
  for (gsize len = 0; len < size; len++)
    {
      g_autoptr(GBytes) truncated = g_bytes_new (data, len);

      expect_bad_bundle (truncated, 10, 0);
    }
  /* A corrupted length prefix either misaligns or lengthens an entry. */
  for (gsize bit = 0; bit < 16; bit++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) bad = NULL;

      copy[34 * 3 + bit / 8] ^= (guint8) (1u << (bit % 8));
      bad = g_bytes_new (copy, size);
      expect_bad_bundle (bad, 10, 32);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tiles/path/encode", test_path_encode);
  g_test_add_func ("/tiles/path/round-trip", test_path_round_trip);
  g_test_add_func ("/tiles/path/reject", test_path_reject);
  g_test_add_func ("/tiles/for-size/spec-examples", test_tiles_for_size_spec);
  g_test_add_func ("/tiles/for-size/growth", test_tiles_for_size_growth);
  g_test_add_func ("/tiles/data/recompute-root", test_tiles_recompute_root);
  g_test_add_func ("/tiles/data/levels-link", test_tile_levels_link);
  g_test_add_func ("/tiles/data/out-of-range", test_tile_read_out_of_range);
  g_test_add_func ("/tiles/bundle/round-trip", test_bundle_round_trip);
  g_test_add_func ("/tiles/bundle/variable-lengths", test_bundle_variable_lengths);
  g_test_add_func ("/tiles/bundle/reject", test_bundle_reject);

  return g_test_run ();
}
