/* cw-tiles.c: c2sp.org/tlog-tiles tile coordinates, paths, tile data and
 * entry bundles (https://c2sp.org/tlog-tiles). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-tiles.h"

#define PATH_GROUP 1000

G_DEFINE_QUARK (cw-tiles-error-quark, cw_tiles_error)

gboolean
cw_tile_is_valid (const CwTile *tile)
{
  return tile != NULL &&
         tile->level >= CW_TILE_LEVEL_ENTRIES && tile->level <= CW_TILE_MAX_LEVEL &&
         tile->width >= 1 && tile->width <= CW_TILE_WIDTH;
}

gboolean
cw_tile_equal (const CwTile *a,
               const CwTile *b)
{
  return a->level == b->level && a->index == b->index && a->width == b->width;
}

static void
append_index (GString *path,
              guint64  index)
{
  guint groups[7];
  guint n_groups = 0;

  do
    {
      groups[n_groups++] = (guint) (index % PATH_GROUP);
      index /= PATH_GROUP;
    }
  while (index > 0);

  for (guint i = n_groups; i > 1; i--)
    g_string_append_printf (path, "x%03u/", groups[i - 1]);
  g_string_append_printf (path, "%03u", groups[0]);
}

char *
cw_tile_path (const CwTile *tile)
{
  GString *path;

  g_return_val_if_fail (cw_tile_is_valid (tile), NULL);

  path = g_string_new ("tile/");
  if (tile->level == CW_TILE_LEVEL_ENTRIES)
    g_string_append (path, "entries/");
  else
    g_string_append_printf (path, "%d/", tile->level);
  append_index (path, tile->index);
  if (tile->width < CW_TILE_WIDTH)
    g_string_append_printf (path, ".p/%u", tile->width);
  return g_string_free (path, FALSE);
}

/* Reads a decimal number of at most @max_digits digits at *@p, without
 * leading zeros, and moves *@p past it. */
static gboolean
read_decimal (const char **p,
              guint        max_digits,
              guint64     *out)
{
  const char *s = *p;
  guint n = 0;
  guint64 value = 0;

  while (g_ascii_isdigit (s[n]) && n <= max_digits)
    {
      value = value * 10 + (guint64) (s[n] - '0');
      n++;
    }
  if (n == 0 || n > max_digits || (n > 1 && s[0] == '0'))
    return FALSE;
  *p = s + n;
  *out = value;
  return TRUE;
}

/* Reads exactly three digits (leading zeros required) into *@out. */
static gboolean
read_group (const char **p,
            guint       *out)
{
  const char *s = *p;

  if (!g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
    return FALSE;
  *out = (guint) ((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
  *p = s + 3;
  return TRUE;
}

static gboolean
read_level (const char **p,
            int         *level)
{
  guint64 value;

  if (g_str_has_prefix (*p, "entries/"))
    {
      *p += strlen ("entries/");
      *level = CW_TILE_LEVEL_ENTRIES;
      return TRUE;
    }
  if (!read_decimal (p, 2, &value) || value > CW_TILE_MAX_LEVEL || **p != '/')
    return FALSE;
  (*p)++;
  *level = (int) value;
  return TRUE;
}

static gboolean
read_index (const char **p,
            guint64     *index)
{
  guint64 value = 0;
  guint group;

  for (;;)
    {
      gboolean more = (**p == 'x');

      if (more)
        (*p)++;
      if (!read_group (p, &group))
        return FALSE;
      if (value > (G_MAXUINT64 - group) / PATH_GROUP)
        return FALSE;
      value = value * PATH_GROUP + group;
      if (!more)
        break;
      if (**p != '/')
        return FALSE;
      (*p)++;
    }
  *index = value;
  return TRUE;
}

static gboolean
read_width (const char **p,
            guint       *width)
{
  guint64 value;

  if (**p == '\0')
    {
      *width = CW_TILE_WIDTH;
      return TRUE;
    }
  if (!g_str_has_prefix (*p, ".p/"))
    return FALSE;
  *p += strlen (".p/");
  if (!read_decimal (p, 3, &value) || value == 0 || value >= CW_TILE_WIDTH)
    return FALSE;
  *width = (guint) value;
  return TRUE;
}

gboolean
cw_tile_parse_path (const char  *path,
                    CwTile      *out,
                    GError     **error)
{
  g_autofree char *canonical = NULL;
  const char *p = path;
  CwTile tile = { 0 };

  g_return_val_if_fail (out != NULL, FALSE);

  if (p == NULL || !g_str_has_prefix (p, "tile/"))
    goto bad;
  p += strlen ("tile/");
  if (!read_level (&p, &tile.level) ||
      !read_index (&p, &tile.index) ||
      !read_width (&p, &tile.width) ||
      *p != '\0')
    goto bad;

  /* Leading "x000/" groups would name the same tile twice. */
  canonical = cw_tile_path (&tile);
  if (strcmp (canonical, path) != 0)
    goto bad;

  *out = tile;
  return TRUE;

bad:
  g_set_error (error, CW_TILES_ERROR, CW_TILES_ERROR_INVALID_PATH,
               _("“%s” is not a tlog-tiles path"), path ? path : "(null)");
  return FALSE;
}

static void
add_tile (GArray  *tiles,
          int      level,
          guint64  index,
          guint    width)
{
  CwTile tile = { level, index, width };

  g_array_append_val (tiles, tile);
}

GArray *
cw_tiles_for_tree_size (guint64 old_size,
                        guint64 new_size)
{
  GArray *tiles = g_array_new (FALSE, FALSE, sizeof (CwTile));

  if (old_size >= new_size)
    return tiles;

  for (int level = 0; level <= CW_TILE_MAX_LEVEL; level++)
    {
      guint shift = CW_TILE_HEIGHT * (guint) level;
      guint64 old_hashes = shift < 64 ? old_size >> shift : 0;
      guint64 new_hashes = shift < 64 ? new_size >> shift : 0;
      guint partial = (guint) (new_hashes % CW_TILE_WIDTH);

      if (new_hashes == 0)
        break;
      for (guint64 n = old_hashes / CW_TILE_WIDTH; n < new_hashes / CW_TILE_WIDTH; n++)
        add_tile (tiles, level, n, CW_TILE_WIDTH);
      if (partial > 0 && old_hashes < new_hashes)
        add_tile (tiles, level, new_hashes / CW_TILE_WIDTH, partial);
    }
  return tiles;
}

GBytes *
cw_tile_read_data (const CwTile  *tile,
                   CwLogTree     *tree,
                   GError       **error)
{
  g_autoptr(GByteArray) data = NULL;
  guint64 first;
  guint level;

  g_return_val_if_fail (cw_tile_is_valid (tile) && tile->level >= 0, NULL);

  level = CW_TILE_HEIGHT * (guint) tile->level;
  if (level >= 64 || tile->index > (G_MAXUINT64 >> CW_TILE_HEIGHT) - 1 ||
      tile->index * CW_TILE_WIDTH + tile->width > (cw_log_tree_get_size (tree) >> level))
    {
      g_set_error (error, CW_TILES_ERROR, CW_TILES_ERROR_OUT_OF_RANGE,
                   _("Tile %d/%" PRIu64 " of width %u is beyond the tree"),
                   tile->level, tile->index, tile->width);
      return NULL;
    }

  data = g_byte_array_sized_new (tile->width * CW_MERKLE_HASH_SIZE);
  first = tile->index * CW_TILE_WIDTH;
  for (guint i = 0; i < tile->width; i++)
    {
      guint8 hash[CW_MERKLE_HASH_SIZE];

      if (!cw_log_tree_get_node_hash (tree, level, first + i, hash, error))
        return NULL;
      g_byte_array_append (data, hash, sizeof hash);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

GBytes *
cw_entry_bundle_build (GPtrArray  *entries,
                       GError    **error)
{
  g_autoptr(GByteArray) bundle = g_byte_array_new ();

  g_return_val_if_fail (entries != NULL, NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (entries, i), &len);
      guint8 prefix[2];

      if (len > G_MAXUINT16)
        {
          g_set_error (error, CW_TILES_ERROR, CW_TILES_ERROR_INVALID_BUNDLE,
                       _("Entry %u is %zu bytes, too long for a bundle"), i, len);
          return NULL;
        }
      prefix[0] = (guint8) (len >> 8);
      prefix[1] = (guint8) (len & 0xff);
      g_byte_array_append (bundle, prefix, 2);
      if (len > 0)
        g_byte_array_append (bundle, data, (guint) len);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bundle));
}

static gpointer
bad_bundle (GError     **error,
            const char  *why,
            guint        entry)
{
  g_set_error (error, CW_TILES_ERROR, CW_TILES_ERROR_INVALID_BUNDLE,
               _("Entry bundle is malformed at entry %u: %s"), entry, why);
  return NULL;
}

GPtrArray *
cw_entry_bundle_parse (GBytes  *bundle,
                       guint    n_entries,
                       gsize    entry_len,
                       GError **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize size = 0, offset = 0;
  const guint8 *data;

  g_return_val_if_fail (bundle != NULL, NULL);

  data = g_bytes_get_data (bundle, &size);
  for (guint i = 0; i < n_entries; i++)
    {
      gsize len;

      if (size - offset < 2)
        return bad_bundle (error, _("truncated length"), i);
      len = ((gsize) data[offset] << 8) | data[offset + 1];
      offset += 2;
      if (size - offset < len)
        return bad_bundle (error, _("truncated entry"), i);
      if (entry_len > 0 && len != entry_len)
        return bad_bundle (error, _("unexpected entry length"), i);
      g_ptr_array_add (entries, g_bytes_new_from_bytes (bundle, offset, len));
      offset += len;
    }
  if (offset != size)
    return bad_bundle (error, _("data after the last entry"), n_entries);
  return g_steal_pointer (&entries);
}
