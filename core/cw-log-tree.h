/* cw-log-tree.h: an append-only RFC 9162 Merkle tree that can answer for any
 * earlier size: roots, inclusion proofs (RFC 9162 §2.1.3.1), consistency
 * proofs (§2.1.4.1) and the node hashes c2sp.org/tlog-tiles serves.
 *
 * Storage layout
 * --------------
 * The tree keeps one flat, append-only sequence of 32-byte "stored hashes":
 * the hash of every complete subtree, in the order in which the subtrees are
 * completed. Appending leaf m (0-based) stores its leaf hash, then, for each
 * level k ≥ 1 at which m + 1 is a multiple of 2^k, the hash of the complete
 * subtree of 2^k leaves ending at m. So:
 *
 *   - a tree of n leaves has cw_log_tree_stored_hash_count (n) =
 *     2n − popcount(n) stored hashes, and those are a prefix of the stored
 *     hashes of any larger tree (nothing is ever rewritten);
 *   - the subtree at level k with number j (leaves [j·2^k, (j+1)·2^k)) sits at
 *     cw_log_tree_stored_hash_index (k, j);
 *   - everything else (roots at any size, proofs, tile hashes) is computed
 *     from at most ~64 stored hashes per subtree involved.
 *
 * A node persists the tree by writing, in the same transaction as the rest
 * of its state, the rows cw_log_tree_get_stored_hashes() returns for the
 * sizes it grew between (key: stored index, value: 32 bytes), and reloads it
 * with cw_log_tree_new_from_stored() without rehashing any leaf. Loading
 * trusts the storage: compare the reloaded root with the last checkpoint
 * the node signed.
 */
#pragma once

#include <glib.h>

#include "cw-merkle.h"

G_BEGIN_DECLS

#define CW_LOG_TREE_ERROR (cw_log_tree_error_quark ())

typedef enum {
  CW_LOG_TREE_ERROR_OUT_OF_RANGE,
  CW_LOG_TREE_ERROR_INVALID_STORAGE,
} CwLogTreeError;

typedef struct _CwLogTree CwLogTree;

GQuark      cw_log_tree_error_quark          (void);

CwLogTree  *cw_log_tree_new                  (void);
CwLogTree  *cw_log_tree_new_from_stored      (guint64        size,
                                              const guint8  *hashes,
                                              gsize          hashes_len,
                                              GError       **error);
void        cw_log_tree_free                 (CwLogTree     *self);

guint64     cw_log_tree_get_size             (CwLogTree     *self);

/* Appending hashes the leaf and completes O(1) nodes per leaf on average. */
void        cw_log_tree_append               (CwLogTree     *self,
                                              const guint8  *data,
                                              gsize          len);
void        cw_log_tree_append_leaf_hash     (CwLogTree     *self,
                                              const guint8   leaf_hash[CW_MERKLE_HASH_SIZE]);
/* Appends @n_entries entries of @entry_len bytes each, stored back to back. */
void        cw_log_tree_append_many          (CwLogTree     *self,
                                              const guint8  *entries,
                                              gsize          entry_len,
                                              gsize          n_entries);

/* Root of the first @size leaves (size 0: SHA-256 of nothing). */
gboolean    cw_log_tree_get_root             (CwLogTree     *self,
                                              guint64        size,
                                              guint8         out[CW_MERKLE_HASH_SIZE],
                                              GError       **error);
/* Hash of the complete subtree at @level number @n (leaves [n·2^level,
 * (n+1)·2^level)); level 0 gives leaf hashes. */
gboolean    cw_log_tree_get_node_hash        (CwLogTree     *self,
                                              guint          level,
                                              guint64        n,
                                              guint8         out[CW_MERKLE_HASH_SIZE],
                                              GError       **error);

/* Proofs as GPtrArrays of 32-byte GBytes, ready for cw-merkle.h. */
GPtrArray  *cw_log_tree_prove_inclusion      (CwLogTree     *self,
                                              guint64        index,
                                              guint64        size,
                                              GError       **error);
/* 0 < @old_size ≤ @new_size ≤ current size. */
GPtrArray  *cw_log_tree_prove_consistency    (CwLogTree     *self,
                                              guint64        old_size,
                                              guint64        new_size,
                                              GError       **error);

/* Persistence seam (see "Storage layout" above). */
guint64     cw_log_tree_stored_hash_count    (guint64        size);
guint64     cw_log_tree_stored_hash_index    (guint          level,
                                              guint64        n);
/* The stored hashes that growing from @old_size to @new_size created:
 * indexes [stored_hash_count (old_size), stored_hash_count (new_size)),
 * concatenated. */
GBytes     *cw_log_tree_get_stored_hashes    (CwLogTree     *self,
                                              guint64        old_size,
                                              guint64        new_size,
                                              GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwLogTree, cw_log_tree_free)

G_END_DECLS
