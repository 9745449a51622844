/* cw-node-sequencer-log.c: the sequencer's Merkle log: loading and
 * checking it on start, and reads of the published log (checkpoint,
 * tiles, proofs) for the public endpoints. */
#include "config.h"

#include <string.h>

#include "cw-checkpoint.h"
#include "cw-node-log.h"
#include "cw-node-sequencer-private.h"

static gboolean
set_inconsistent (GError     **error,
                  const char  *message)
{
  g_set_error (error, CW_NODE_SEQUENCER_ERROR, CW_NODE_SEQUENCER_ERROR_INCONSISTENT,
               "The stored log is inconsistent: %s; refusing to sign anything", message);
  return FALSE;
}

static CwLogTree *
load_tree (CwNodeSequencer  *self,
           GError          **error)
{
  g_autoptr(GBytes) hashes = NULL;
  g_autoptr(CwLogTree) tree = NULL;
  guint8 head_root[CW_MERKLE_HASH_SIZE];
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 head_size;
  guint64 size;
  gsize len = 0;
  const guint8 *data;

  hashes = cw_node_store_load_tree_hashes (self->writer, &size, error);
  if (hashes == NULL)
    return NULL;

  data = g_bytes_get_data (hashes, &len);
  tree = cw_log_tree_new_from_stored (size, data, len, error);
  if (tree == NULL)
    return NULL;

  if (!cw_node_store_get_tree_head (self->writer, &head_size, head_root, error) ||
      !cw_log_tree_get_root (tree, size, root, error))
    return NULL;

  if (head_size != size || memcmp (root, head_root, sizeof root) != 0)
    {
      set_inconsistent (error, "the tree's hashes do not give the stored head");
      return NULL;
    }

  return g_steal_pointer (&tree);
}

/* The latest signed checkpoint must be a prefix of the stored tree. */
static gboolean
check_latest_checkpoint (CwNodeSequencer  *self,
                         CwLogTree        *tree,
                         gboolean         *out_signed_head,
                         GError          **error)
{
  g_autofree char *latest = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) local_error = NULL;
  CwCheckpoint *checkpoint;
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 latest_size = 0;

  latest = cw_node_store_dup_latest_checkpoint (self->writer, &latest_size, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *out_signed_head = FALSE;
  if (latest == NULL)
    return TRUE;

  opened = cw_signed_checkpoint_open (latest, strlen (latest),
                                      cw_signing_key_get_verifier (self->log_key),
                                      NULL, 0, error);
  if (opened == NULL)
    return FALSE;

  checkpoint = cw_signed_checkpoint_get_checkpoint (opened);
  if (cw_checkpoint_get_size (checkpoint) != latest_size ||
      latest_size > cw_log_tree_get_size (tree) ||
      g_strcmp0 (cw_checkpoint_get_origin (checkpoint), self->origin) != 0)
    return set_inconsistent (error, "the latest checkpoint does not fit the tree");

  if (!cw_log_tree_get_root (tree, latest_size, root, error))
    return FALSE;
  if (memcmp (root, cw_checkpoint_get_root_hash (checkpoint), sizeof root) != 0)
    return set_inconsistent (error, "the latest checkpoint's root is not the tree's");

  *out_signed_head = latest_size == cw_log_tree_get_size (tree);

  return TRUE;
}

/* Every entry's leaf hash must be the tree's. */
static GByteArray *
load_entries (CwNodeSequencer  *self,
              CwLogTree        *tree,
              GError          **error)
{
  g_autoptr(GBytes) ids = NULL;
  guint64 size = cw_log_tree_get_size (tree);
  const guint8 *data;

  ids = cw_node_store_read_entries (self->writer, 0, size, error);
  if (ids == NULL)
    return NULL;

  data = g_bytes_get_data (ids, NULL);
  for (guint64 i = 0; i < size; i++)
    {
      guint8 leaf[CW_MERKLE_HASH_SIZE];
      guint8 stored[CW_MERKLE_HASH_SIZE];

      cw_merkle_hash_leaf (data + i * CW_TX_ID_SIZE, CW_TX_ID_SIZE, leaf);
      if (!cw_log_tree_get_node_hash (tree, 0, i, stored, error))
        return NULL;
      if (memcmp (leaf, stored, sizeof leaf) != 0)
        {
          set_inconsistent (error, "a stored transaction is not its log entry");
          return NULL;
        }
    }

  return g_bytes_unref_to_array (g_steal_pointer (&ids));
}

gboolean
cw_node_sequencer_load_log (CwNodeSequencer  *self,
                            GError          **error)
{
  g_autoptr(CwLogTree) tree = NULL;
  g_autoptr(GByteArray) entries = NULL;
  g_autofree char *checkpoint = NULL;
  gboolean signed_head;
  guint64 size;

  tree = load_tree (self, error);
  if (tree == NULL || !check_latest_checkpoint (self, tree, &signed_head, error))
    return FALSE;

  /* Committed before a crash, never signed: sign it now. */
  if (!signed_head &&
      !cw_node_log_sign_checkpoint (self->writer, self->origin, self->log_key, error))
    return FALSE;

  entries = load_entries (self, tree, error);
  if (entries == NULL)
    return FALSE;

  size = cw_log_tree_get_size (tree);
  checkpoint = cw_node_store_dup_checkpoint (self->writer, size, error);
  if (checkpoint == NULL)
    return FALSE;

  g_rw_lock_writer_lock (&self->tree_lock);
  g_clear_pointer (&self->tree, cw_log_tree_free);
  g_clear_pointer (&self->entries, g_byte_array_unref);
  self->tree = g_steal_pointer (&tree);
  self->entries = g_steal_pointer (&entries);
  g_rw_lock_writer_unlock (&self->tree_lock);

  g_mutex_lock (&self->lock);
  g_free (self->published_checkpoint);
  self->published_checkpoint = g_steal_pointer (&checkpoint);
  self->published_size = size;
  g_mutex_unlock (&self->lock);

  return TRUE;
}

char *
cw_node_sequencer_dup_checkpoint (CwNodeSequencer *self,
                                  guint64         *out_size)
{
  char *checkpoint;

  g_return_val_if_fail (CW_IS_NODE_SEQUENCER (self), NULL);

  g_mutex_lock (&self->lock);
  checkpoint = g_strdup (self->published_checkpoint);
  if (out_size != NULL)
    *out_size = self->published_size;
  g_mutex_unlock (&self->lock);

  return checkpoint;
}

static guint64
get_published_size (CwNodeSequencer *self)
{
  guint64 size;

  g_mutex_lock (&self->lock);
  size = self->published_size;
  g_mutex_unlock (&self->lock);

  return size;
}

/* The largest size a consistency proof may reach: the published one, or
 * for the cosign step (on the sequencer thread, before publishing) the
 * committed size being cosigned. */
static guint64
get_provable_size (CwNodeSequencer *self)
{
  guint64 size;

  g_mutex_lock (&self->lock);
  if (self->cosign_thread != NULL && self->cosign_thread == g_thread_self ())
    size = self->cosign_size;
  else
    size = self->published_size;
  g_mutex_unlock (&self->lock);

  return size;
}

static gboolean
set_out_of_range (GError     **error,
                  const char  *message)
{
  g_set_error_literal (error, CW_NODE_SEQUENCER_ERROR, CW_NODE_SEQUENCER_ERROR_OUT_OF_RANGE,
                       message);
  return FALSE;
}

/* Whether the published tree has every hash of @tile: its last subtree,
 * number N·256 + W − 1 at level 8·L, must be complete. */
static gboolean
tile_is_published (const CwTile *tile,
                   guint64       size)
{
  guint level = tile->level == CW_TILE_LEVEL_ENTRIES ? 0 : (guint) tile->level;
  guint64 complete;

  if (level * CW_TILE_HEIGHT >= 64)
    return FALSE;

  complete = size >> (level * CW_TILE_HEIGHT);
  if (tile->index > (G_MAXUINT64 - tile->width) / CW_TILE_WIDTH)
    return FALSE;

  return tile->index * CW_TILE_WIDTH + tile->width <= complete;
}

static GBytes *
read_entry_bundle (CwNodeSequencer  *self,
                   const CwTile     *tile,
                   GError          **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint64 first = tile->index * CW_TILE_WIDTH;

  g_rw_lock_reader_lock (&self->tree_lock);
  for (guint i = 0; i < tile->width; i++)
    g_ptr_array_add (entries, g_bytes_new (self->entries->data + (first + i) * CW_TX_ID_SIZE,
                                           CW_TX_ID_SIZE));
  g_rw_lock_reader_unlock (&self->tree_lock);

  return cw_entry_bundle_build (entries, error);
}

GBytes *
cw_node_sequencer_read_tile (CwNodeSequencer  *self,
                             const CwTile     *tile,
                             GError          **error)
{
  GBytes *data;

  g_return_val_if_fail (CW_IS_NODE_SEQUENCER (self), NULL);
  g_return_val_if_fail (tile != NULL, NULL);

  if (!cw_tile_is_valid (tile) || !tile_is_published (tile, get_published_size (self)))
    {
      set_out_of_range (error, "The log has no such tile yet");
      return NULL;
    }

  if (tile->level == CW_TILE_LEVEL_ENTRIES)
    return read_entry_bundle (self, tile, error);

  g_rw_lock_reader_lock (&self->tree_lock);
  data = cw_tile_read_data (tile, self->tree, error);
  g_rw_lock_reader_unlock (&self->tree_lock);

  return data;
}

GPtrArray *
cw_node_sequencer_prove_inclusion (CwNodeSequencer  *self,
                                   guint64           index,
                                   guint64           size,
                                   GError          **error)
{
  GPtrArray *proof;

  g_return_val_if_fail (CW_IS_NODE_SEQUENCER (self), NULL);

  if (size > get_published_size (self) || index >= size)
    {
      set_out_of_range (error, "index must be below size, and size at most the checkpoint's");
      return NULL;
    }

  g_rw_lock_reader_lock (&self->tree_lock);
  proof = cw_log_tree_prove_inclusion (self->tree, index, size, error);
  g_rw_lock_reader_unlock (&self->tree_lock);

  return proof;
}

GPtrArray *
cw_node_sequencer_prove_consistency (CwNodeSequencer  *self,
                                     guint64           old_size,
                                     guint64           new_size,
                                     GError          **error)
{
  GPtrArray *proof;

  g_return_val_if_fail (CW_IS_NODE_SEQUENCER (self), NULL);

  if (old_size == 0 || old_size > new_size || new_size > get_provable_size (self))
    {
      set_out_of_range (error, "0 < old ≤ new ≤ the checkpoint's size is required");
      return NULL;
    }

  g_rw_lock_reader_lock (&self->tree_lock);
  proof = cw_log_tree_prove_consistency (self->tree, old_size, new_size, error);
  g_rw_lock_reader_unlock (&self->tree_lock);

  return proof;
}
