/* gen-tlog.c: writes a log built by CwLogTree (roots, RFC 9162 inclusion and
 * consistency proofs, c2sp.org/tlog-tiles tiles and entry bundles) into a
 * directory for check-tlog.go to verify with golang.org/x/mod/sumdb/tlog.
 *
 * Layout of DIR:
 *   checkpoints   "<size> <base64 root>" per published tree size
 *   inclusion     "<index> <size> <base64 root> <proof>" per proof
 *   consistency   "<old> <new> <base64 old root> <base64 new root> <proof>"
 *   tile/...      tiles and entry bundles of every published size
 * where <proof> is the base64 hashes joined by "," or "-" when empty.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-log-tree.h"
#include "cw-merkle.h"
#include "cw-tiles.h"

/* Full and partial tiles at levels 0, 1 and 2 (65536 + 256 + 1). */
#define FINAL_SIZE 65793
#define EARLY_SIZE 4100
#define ENTRY_LEN 32

static const guint64 published[] = { EARLY_SIZE, FINAL_SIZE };

static void
make_id (guint64 i,
         guint8  out[ENTRY_LEN])
{
  g_autofree char *text = g_strdup_printf ("consent transaction %" G_GUINT64_FORMAT, i);

  cw_sha256 ((const guint8 *) text, strlen (text), out);
}

static void
write_file (const char *dir,
            const char *relpath,
            const void *data,
            gsize       len)
{
  g_autofree char *path = g_build_filename (dir, relpath, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (parent, 0755) != 0)
    g_error ("mkdir %s: %s", parent, g_strerror (errno));
  if (!g_file_set_contents (path, data, len, &error))
    g_error ("%s", error->message);
}

static char *
root_b64 (CwLogTree *tree,
          guint64    size)
{
  guint8 root[CW_MERKLE_HASH_SIZE];

  if (!cw_log_tree_get_root (tree, size, root, NULL))
    g_error ("no root for size %" G_GUINT64_FORMAT, size);
  return cw_base64_encode (root, sizeof root);
}

static void
append_proof (GString   *out,
              GPtrArray *proof)
{
  if (proof->len == 0)
    g_string_append_c (out, '-');
  for (guint i = 0; i < proof->len; i++)
    {
      g_autofree char *b64 = cw_base64_encode (g_bytes_get_data (g_ptr_array_index (proof, i), NULL),
                                               CW_MERKLE_HASH_SIZE);

      g_string_append_printf (out, "%s%s", i ? "," : "", b64);
    }
  g_string_append_c (out, '\n');
}

static void
add_inclusion (GString   *out,
               CwLogTree *tree,
               guint64    index,
               guint64    size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) proof = cw_log_tree_prove_inclusion (tree, index, size, &error);
  g_autofree char *root = root_b64 (tree, size);

  g_assert_no_error (error);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s ",
                          index, size, root);
  append_proof (out, proof);
}

static void
add_consistency (GString   *out,
                 CwLogTree *tree,
                 guint64    old_size,
                 guint64    new_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) proof = cw_log_tree_prove_consistency (tree, old_size, new_size, &error);
  g_autofree char *old_root = root_b64 (tree, old_size);
  g_autofree char *new_root = root_b64 (tree, new_size);

  g_assert_no_error (error);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s %s ",
                          old_size, new_size, old_root, new_root);
  append_proof (out, proof);
}

static void
write_proofs (const char *dir,
              CwLogTree  *tree)
{
  static const guint64 sizes[] = {
    1, 2, 3, 7, 8, 9, 255, 256, 257, 4099, 4100, 65535, 65536, 65537, FINAL_SIZE,
  };
  g_autoptr(GString) inclusion = g_string_new (NULL);
  g_autoptr(GString) consistency = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      add_inclusion (inclusion, tree, 0, sizes[i]);
      add_inclusion (inclusion, tree, sizes[i] / 2, sizes[i]);
      add_inclusion (inclusion, tree, sizes[i] - 1, sizes[i]);
      for (gsize j = 0; j <= i; j++)
        add_consistency (consistency, tree, sizes[j], sizes[i]);
    }
  for (guint i = 0; i < 300; i++)
    {
      guint64 size = g_rand_int_range (rand, 1, FINAL_SIZE + 1);
      guint64 new_size = g_rand_int_range (rand, 1, FINAL_SIZE + 1);

      add_inclusion (inclusion, tree, g_rand_int_range (rand, 0, size), size);
      add_consistency (consistency, tree, g_rand_int_range (rand, 1, new_size + 1), new_size);
    }
  write_file (dir, "inclusion", inclusion->str, inclusion->len);
  write_file (dir, "consistency", consistency->str, consistency->len);
}

static GBytes *
entry_bundle (const CwTile *tile)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  GBytes *bundle;

  for (guint i = 0; i < tile->width; i++)
    {
      guint8 id[ENTRY_LEN];

      make_id (tile->index * CW_TILE_WIDTH + i, id);
      g_ptr_array_add (entries, g_bytes_new (id, sizeof id));
    }
  bundle = cw_entry_bundle_build (entries, &error);
  g_assert_no_error (error);
  return bundle;
}

static void
write_tile (const char   *dir,
            CwLogTree    *tree,
            const CwTile *tile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = cw_tile_read_data (tile, tree, &error);
  g_autofree char *path = cw_tile_path (tile);

  g_assert_no_error (error);
  write_file (dir, path, g_bytes_get_data (data, NULL), g_bytes_get_size (data));

  if (tile->level == 0)
    {
      CwTile entries = *tile;
      g_autoptr(GBytes) bundle = entry_bundle (tile);
      g_autofree char *entries_path = NULL;

      entries.level = CW_TILE_LEVEL_ENTRIES;
      entries_path = cw_tile_path (&entries);
      write_file (dir, entries_path, g_bytes_get_data (bundle, NULL), g_bytes_get_size (bundle));
    }
}

static void
write_published (const char *dir,
                 CwLogTree  *tree)
{
  g_autoptr(GString) checkpoints = g_string_new (NULL);
  guint64 previous = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (published); i++)
    {
      g_autoptr(GArray) tiles = cw_tiles_for_tree_size (previous, published[i]);
      g_autofree char *root = root_b64 (tree, published[i]);

      for (guint j = 0; j < tiles->len; j++)
        write_tile (dir, tree, &g_array_index (tiles, CwTile, j));
      g_string_append_printf (checkpoints, "%" G_GUINT64_FORMAT " %s\n", published[i], root);
      previous = published[i];
    }
  write_file (dir, "checkpoints", checkpoints->str, checkpoints->len);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CwLogTree) tree = cw_log_tree_new ();
  g_autofree guint8 *ids = g_malloc (FINAL_SIZE * ENTRY_LEN);

  if (argc != 2)
    {
      g_printerr ("Usage: %s DIR\n", argv[0]);
      return 2;
    }

  for (guint64 i = 0; i < FINAL_SIZE; i++)
    make_id (i, ids + i * ENTRY_LEN);
  cw_log_tree_append_many (tree, ids, ENTRY_LEN, FINAL_SIZE);

  write_proofs (argv[1], tree);
  write_published (argv[1], tree);
  return 0;
}
