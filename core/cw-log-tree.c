/* cw-log-tree.c: an append-only RFC 9162 Merkle tree over a flat sequence of
 * complete-subtree hashes; proofs per RFC 9162 §2.1.3.1 and §2.1.4.1. The
 * layout is described in cw-log-tree.h. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-log-tree.h"

#define HASH_SIZE CW_MERKLE_HASH_SIZE
/* Keeps the stored-hash byte count far from overflowing 64 bits. */
#define MAX_TREE_SIZE (G_GUINT64_CONSTANT (1) << 56)

struct _CwLogTree
{
  guint64  size;
  guint8  *hashes;
  guint64  n_stored;
  guint64  n_alloc;
};

G_DEFINE_QUARK (cw-log-tree-error-quark, cw_log_tree_error)

static guint
popcount64 (guint64 x)
{
  return (guint) __builtin_popcountll (x);
}

static guint
ctz64 (guint64 x)
{
  return x == 0 ? 64 : (guint) __builtin_ctzll (x);
}

static guint
log2_floor (guint64 x)
{
  return 63 - (guint) __builtin_clzll (x);
}

/* Largest power of two strictly below @n (n ≥ 2): RFC 9162's split point. */
static guint64
split_point (guint64 n)
{
  return G_GUINT64_CONSTANT (1) << log2_floor (n - 1);
}

guint64
cw_log_tree_stored_hash_count (guint64 size)
{
  return 2 * size - popcount64 (size);
}

guint64
cw_log_tree_stored_hash_index (guint   level,
                               guint64 n)
{
  guint64 last_leaf = ((n + 1) << level) - 1;

  return cw_log_tree_stored_hash_count (last_leaf) + level;
}

CwLogTree *
cw_log_tree_new (void)
{
  return g_new0 (CwLogTree, 1);
}

void
cw_log_tree_free (CwLogTree *self)
{
  if (self == NULL)
    return;
  g_free (self->hashes);
  g_free (self);
}

guint64
cw_log_tree_get_size (CwLogTree *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->size;
}

static void
reserve (CwLogTree *self,
         guint64    n_hashes)
{
  guint64 n_alloc;

  if (n_hashes <= self->n_alloc)
    return;
  n_alloc = MAX (MAX (self->n_alloc * 2, n_hashes), 256);
  self->hashes = g_realloc_n (self->hashes, n_alloc, HASH_SIZE);
  self->n_alloc = n_alloc;
}

static const guint8 *
stored_hash (CwLogTree *self,
             guint64    index)
{
  g_assert (index < self->n_stored);
  return self->hashes + index * HASH_SIZE;
}

static void
push_hash (CwLogTree    *self,
           const guint8  hash[HASH_SIZE])
{
  g_assert (self->n_stored < self->n_alloc);
  memcpy (self->hashes + self->n_stored * HASH_SIZE, hash, HASH_SIZE);
  self->n_stored++;
}

void
cw_log_tree_append_leaf_hash (CwLogTree    *self,
                              const guint8  leaf_hash[HASH_SIZE])
{
  guint64 completed;
  guint n_nodes;
  guint8 cur[HASH_SIZE];

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->size < MAX_TREE_SIZE);

  completed = self->size + 1;
  n_nodes = ctz64 (completed);
  reserve (self, self->n_stored + 1 + n_nodes);

  memcpy (cur, leaf_hash, HASH_SIZE);
  push_hash (self, cur);
  /* The new leaf closes one complete subtree per trailing zero bit of the
   * new size; each one's left half is already stored. */
  for (guint k = 1; k <= n_nodes; k++)
    {
      guint64 left = (completed >> (k - 1)) - 2;

      cw_merkle_hash_node (stored_hash (self, cw_log_tree_stored_hash_index (k - 1, left)),
                           cur, cur);
      push_hash (self, cur);
    }
  self->size = completed;
}

void
cw_log_tree_append (CwLogTree    *self,
                    const guint8 *data,
                    gsize         len)
{
  guint8 leaf[HASH_SIZE];

  cw_merkle_hash_leaf (data, len, leaf);
  cw_log_tree_append_leaf_hash (self, leaf);
}

void
cw_log_tree_append_many (CwLogTree    *self,
                         const guint8 *entries,
                         gsize         entry_len,
                         gsize         n_entries)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n_entries <= MAX_TREE_SIZE - self->size);

  reserve (self, cw_log_tree_stored_hash_count (self->size + n_entries));
  for (gsize i = 0; i < n_entries; i++)
    cw_log_tree_append (self, entries + i * entry_len, entry_len);
}

static gboolean
check_size (CwLogTree  *self,
            guint64     size,
            GError    **error)
{
  if (size <= self->size)
    return TRUE;
  g_set_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE,
               _("Tree size %" PRIu64 " is beyond the log's size %" PRIu64),
               size, self->size);
  return FALSE;
}

/* MTH(D[lo:hi]) for a range RFC 9162 recursion produces (lo aligned to a
 * power of two at least hi − lo), or any prefix [0, hi): split greedily into
 * stored complete subtrees, then fold them from the right. */
static void
range_hash (CwLogTree *self,
            guint64    lo,
            guint64    hi,
            guint8     out[HASH_SIZE])
{
  const guint8 *parts[64];
  guint n_parts = 0;

  g_assert (lo < hi && hi <= self->size);
  while (lo < hi)
    {
      guint k = MIN (log2_floor (hi - lo), ctz64 (lo));

      parts[n_parts++] = stored_hash (self, cw_log_tree_stored_hash_index (k, lo >> k));
      lo += G_GUINT64_CONSTANT (1) << k;
    }

  memcpy (out, parts[n_parts - 1], HASH_SIZE);
  for (guint i = n_parts - 1; i > 0; i--)
    cw_merkle_hash_node (parts[i - 1], out, out);
}

gboolean
cw_log_tree_get_root (CwLogTree  *self,
                      guint64     size,
                      guint8      out[HASH_SIZE],
                      GError    **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!check_size (self, size, error))
    return FALSE;
  if (size == 0)
    cw_merkle_hash_empty (out);
  else
    range_hash (self, 0, size, out);
  return TRUE;
}

gboolean
cw_log_tree_get_node_hash (CwLogTree  *self,
                           guint       level,
                           guint64     n,
                           guint8      out[HASH_SIZE],
                           GError    **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (level >= 64 || n >= (self->size >> level))
    {
      g_set_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE,
                   _("Node %" PRIu64 " at level %u is not complete in a tree of size %"
                     PRIu64), n, level, self->size);
      return FALSE;
    }
  memcpy (out, stored_hash (self, cw_log_tree_stored_hash_index (level, n)), HASH_SIZE);
  return TRUE;
}

static void
add_range_hash (CwLogTree *self,
                GPtrArray *proof,
                guint64    lo,
                guint64    hi)
{
  guint8 hash[HASH_SIZE];

  range_hash (self, lo, hi, hash);
  cw_merkle_proof_add (proof, hash);
}

/* The recursions emit the root's sibling first; proofs start at the leaf. */
static GPtrArray *
reversed (GPtrArray *proof)
{
  for (guint i = 0, j = proof->len; i + 1 < j; i++, j--)
    {
      gpointer tmp = proof->pdata[i];

      proof->pdata[i] = proof->pdata[j - 1];
      proof->pdata[j - 1] = tmp;
    }
  return proof;
}

GPtrArray *
cw_log_tree_prove_inclusion (CwLogTree  *self,
                             guint64     index,
                             guint64     size,
                             GError    **error)
{
  g_autoptr(GPtrArray) proof = NULL;
  guint64 lo = 0, hi = size;

  g_return_val_if_fail (self != NULL, NULL);

  if (!check_size (self, size, error))
    return NULL;
  if (index >= size)
    {
      g_set_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE,
                   _("Entry %" PRIu64 " is not in a tree of size %" PRIu64),
                   index, size);
      return NULL;
    }

  proof = cw_merkle_proof_new ();
  while (hi - lo > 1)
    {
      guint64 k = split_point (hi - lo);

      if (index < lo + k)
        {
          add_range_hash (self, proof, lo + k, hi);
          hi = lo + k;
        }
      else
        {
          add_range_hash (self, proof, lo, lo + k);
          lo += k;
        }
    }
  return reversed (g_steal_pointer (&proof));
}

static gboolean
check_consistency_sizes (CwLogTree  *self,
                         guint64     old_size,
                         guint64     new_size,
                         GError    **error)
{
  if (!check_size (self, new_size, error))
    return FALSE;
  if (old_size == 0 || old_size > new_size)
    {
      g_set_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE,
                   _("No consistency proof from size %" PRIu64 " to %" PRIu64),
                   old_size, new_size);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cw_log_tree_prove_consistency (CwLogTree  *self,
                               guint64     old_size,
                               guint64     new_size,
                               GError    **error)
{
  g_autoptr(GPtrArray) upper = NULL;
  g_autoptr(GPtrArray) proof = NULL;
  guint64 lo = 0, hi = new_size;
  gboolean whole_old_tree = TRUE;

  g_return_val_if_fail (self != NULL, NULL);

  if (!check_consistency_sizes (self, old_size, new_size, error))
    return NULL;

  /* RFC 9162 SUBPROOF, unrolled: walk down until the old tree's edge is the
   * edge of the current subtree, collecting the siblings on the way. */
  upper = cw_merkle_proof_new ();
  while (old_size != hi)
    {
      guint64 k = split_point (hi - lo);

      if (old_size - lo <= k)
        {
          add_range_hash (self, upper, lo + k, hi);
          hi = lo + k;
        }
      else
        {
          add_range_hash (self, upper, lo, lo + k);
          lo += k;
          whole_old_tree = FALSE;
        }
    }

  proof = cw_merkle_proof_new ();
  if (!whole_old_tree)
    add_range_hash (self, proof, lo, hi);
  for (guint i = upper->len; i > 0; i--)
    g_ptr_array_add (proof, g_bytes_ref (g_ptr_array_index (upper, i - 1)));
  return g_steal_pointer (&proof);
}

GBytes *
cw_log_tree_get_stored_hashes (CwLogTree  *self,
                               guint64     old_size,
                               guint64     new_size,
                               GError    **error)
{
  guint64 first, last;

  g_return_val_if_fail (self != NULL, NULL);

  if (!check_size (self, new_size, error))
    return NULL;
  if (old_size > new_size)
    {
      g_set_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE,
                   _("Tree sizes %" PRIu64 " and %" PRIu64 " are out of order"),
                   old_size, new_size);
      return NULL;
    }

  first = cw_log_tree_stored_hash_count (old_size);
  last = cw_log_tree_stored_hash_count (new_size);
  return g_bytes_new (self->hashes + first * HASH_SIZE, (last - first) * HASH_SIZE);
}

CwLogTree *
cw_log_tree_new_from_stored (guint64        size,
                             const guint8  *hashes,
                             gsize          hashes_len,
                             GError       **error)
{
  g_autoptr(CwLogTree) self = NULL;
  guint64 n_hashes;

  if (size > MAX_TREE_SIZE ||
      hashes_len % HASH_SIZE != 0 ||
      hashes_len / HASH_SIZE != cw_log_tree_stored_hash_count (size))
    {
      g_set_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_INVALID_STORAGE,
                   _("Stored hashes of %zu bytes do not fit a tree of size %"
                     PRIu64), hashes_len, size);
      return NULL;
    }

  n_hashes = hashes_len / HASH_SIZE;
  self = cw_log_tree_new ();
  reserve (self, n_hashes);
  if (n_hashes > 0)
    memcpy (self->hashes, hashes, hashes_len);
  self->n_stored = n_hashes;
  self->size = size;
  return g_steal_pointer (&self);
}
