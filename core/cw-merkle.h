/* cw-merkle.h: RFC 6962 / RFC 9162 Merkle tree hashing and proof verification.
 *
 * Hashes follow RFC 9162 §2.1.1 (leaf = SHA-256(0x00 || data), node =
 * SHA-256(0x01 || left || right), empty tree = SHA-256("")); inclusion
 * proofs are checked as in RFC 9162 §2.1.3.2 and consistency proofs as in
 * §2.1.4.2. A proof is a GPtrArray of GBytes, one 32-byte hash each, in the
 * order the RFC sends them (the leaf's sibling or the deepest node first).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_MERKLE_HASH_SIZE 32
/* Deep enough for any 64-bit tree size. */
#define CW_MERKLE_MAX_PROOF_LENGTH 64

#define CW_MERKLE_ERROR (cw_merkle_error_quark ())

typedef enum {
  CW_MERKLE_ERROR_HASH_SIZE,
  CW_MERKLE_ERROR_INVALID_SIZE,
  CW_MERKLE_ERROR_PROOF_LENGTH,
  CW_MERKLE_ERROR_MISMATCH,
} CwMerkleError;

GQuark      cw_merkle_error_quark         (void);

void        cw_merkle_hash_leaf           (const guint8  *data,
                                           gsize          len,
                                           guint8         out[CW_MERKLE_HASH_SIZE]);
void        cw_merkle_hash_node           (const guint8   left[CW_MERKLE_HASH_SIZE],
                                           const guint8   right[CW_MERKLE_HASH_SIZE],
                                           guint8         out[CW_MERKLE_HASH_SIZE]);
void        cw_merkle_hash_empty          (guint8         out[CW_MERKLE_HASH_SIZE]);

/* Copies @bytes into @out if it is exactly one hash long. */
gboolean    cw_merkle_hash_from_bytes     (GBytes        *bytes,
                                           guint8         out[CW_MERKLE_HASH_SIZE],
                                           GError       **error);

/* An empty proof that owns its GBytes elements. */
GPtrArray  *cw_merkle_proof_new           (void);
void        cw_merkle_proof_add           (GPtrArray     *proof,
                                           const guint8   hash[CW_MERKLE_HASH_SIZE]);

/* The same proof as a GPtrArray, from @n_hashes hashes laid end to end. */
GPtrArray  *cw_merkle_proof_new_from_flat (const guint8  *hashes,
                                           guint          n_hashes);

/* Checks that @leaf_hash is entry @index of the tree of @size with @root. */
gboolean    cw_merkle_verify_inclusion    (guint64        index,
                                           guint64        size,
                                           const guint8   leaf_hash[CW_MERKLE_HASH_SIZE],
                                           const guint8   root[CW_MERKLE_HASH_SIZE],
                                           GPtrArray     *proof,
                                           GError       **error);

/* The same check with the proof as @n_hashes hashes laid end to end in
 * one buffer (n_hashes * CW_MERKLE_HASH_SIZE bytes): what a list of
 * thousands of items keeps, one allocation per proof instead of one per
 * hash. */
gboolean    cw_merkle_verify_inclusion_flat (guint64      index,
                                             guint64      size,
                                             const guint8 leaf_hash[CW_MERKLE_HASH_SIZE],
                                             const guint8 root[CW_MERKLE_HASH_SIZE],
                                             const guint8 *hashes,
                                             guint        n_hashes,
                                             GError     **error);

/* Checks that the tree of @old_size with @old_root is a prefix of the tree of
 * @new_size with @new_root. A proof from size 0 is always rejected: it proves
 * nothing, and accepting one would let anything pass as a prefix. */
gboolean    cw_merkle_verify_consistency  (guint64        old_size,
                                           guint64        new_size,
                                           const guint8   old_root[CW_MERKLE_HASH_SIZE],
                                           const guint8   new_root[CW_MERKLE_HASH_SIZE],
                                           GPtrArray     *proof,
                                           GError       **error);

/* The same check for roots as received, of any length. RFC 9162 §2.1.4.2
 * step 1 compares the roots of equal-size trees as they are; every other
 * case needs both roots exactly one hash long. */
gboolean    cw_merkle_verify_consistency_bytes (guint64    old_size,
                                                guint64    new_size,
                                                GBytes    *old_root,
                                                GBytes    *new_root,
                                                GPtrArray *proof,
                                                GError   **error);

G_END_DECLS
