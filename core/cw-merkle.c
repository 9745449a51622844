/* cw-merkle.c: RFC 6962 / RFC 9162 Merkle hashing and proof verification
 * (RFC 9162 §2.1.1, §2.1.3.2, §2.1.4.2). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>
#include <sodium.h>

#include "cw-merkle.h"

G_DEFINE_QUARK (cw-merkle-error-quark, cw_merkle_error)

static void
hash_prefixed (guint8        prefix,
               const guint8 *a,
               gsize         a_len,
               const guint8 *b,
               gsize         b_len,
               guint8        out[CW_MERKLE_HASH_SIZE])
{
  crypto_hash_sha256_state state;

  crypto_hash_sha256_init (&state);
  crypto_hash_sha256_update (&state, &prefix, 1);
  if (a_len > 0)
    crypto_hash_sha256_update (&state, a, a_len);
  if (b_len > 0)
    crypto_hash_sha256_update (&state, b, b_len);
  crypto_hash_sha256_final (&state, out);
}

void
cw_merkle_hash_leaf (const guint8 *data,
                     gsize         len,
                     guint8        out[CW_MERKLE_HASH_SIZE])
{
  hash_prefixed (0x00, data, len, NULL, 0, out);
}

void
cw_merkle_hash_node (const guint8 left[CW_MERKLE_HASH_SIZE],
                     const guint8 right[CW_MERKLE_HASH_SIZE],
                     guint8       out[CW_MERKLE_HASH_SIZE])
{
  guint8 input[1 + 2 * CW_MERKLE_HASH_SIZE];

  /* One call on one buffer: cheaper than three updates of 1, 32 and 32. */
  input[0] = 0x01;
  memcpy (input + 1, left, CW_MERKLE_HASH_SIZE);
  memcpy (input + 1 + CW_MERKLE_HASH_SIZE, right, CW_MERKLE_HASH_SIZE);
  crypto_hash_sha256 (out, input, sizeof input);
}

/* The last node hashed at each step of an inclusion proof, per thread.
 * Proofs of neighbouring entries in one tree share their upper nodes, so
 * checking a page of consecutive entries hashes the same inputs again and
 * again; a node is taken from here only when both of its inputs are the
 * same bytes, so this is a cache of SHA-256 itself and cannot change any
 * outcome. */
typedef struct {
  guint8 left[CW_MERKLE_HASH_SIZE];
  guint8 right[CW_MERKLE_HASH_SIZE];
  guint8 out[CW_MERKLE_HASH_SIZE];
  gboolean used;
} NodeMemo;

static _Thread_local NodeMemo node_memo[CW_MERKLE_MAX_PROOF_LENGTH];

static void
hash_node_remembered (guint         step,
                      const guint8  left[CW_MERKLE_HASH_SIZE],
                      const guint8  right[CW_MERKLE_HASH_SIZE],
                      guint8        out[CW_MERKLE_HASH_SIZE])
{
  NodeMemo *memo = &node_memo[step];

  if (memo->used && memcmp (memo->left, left, CW_MERKLE_HASH_SIZE) == 0 &&
      memcmp (memo->right, right, CW_MERKLE_HASH_SIZE) == 0)
    {
      memcpy (out, memo->out, CW_MERKLE_HASH_SIZE);
      return;
    }
  /* @out may be @left or @right. */
  memmove (memo->left, left, CW_MERKLE_HASH_SIZE);
  memmove (memo->right, right, CW_MERKLE_HASH_SIZE);
  cw_merkle_hash_node (memo->left, memo->right, memo->out);
  memo->used = TRUE;
  memcpy (out, memo->out, CW_MERKLE_HASH_SIZE);
}

void
cw_merkle_hash_empty (guint8 out[CW_MERKLE_HASH_SIZE])
{
  crypto_hash_sha256 (out, NULL, 0);
}

gboolean
cw_merkle_hash_from_bytes (GBytes  *bytes,
                           guint8   out[CW_MERKLE_HASH_SIZE],
                           GError **error)
{
  gsize len = 0;
  const guint8 *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  if (len != CW_MERKLE_HASH_SIZE)
    {
      g_set_error (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_HASH_SIZE,
                   _("A Merkle hash must be %d bytes, not %zu"),
                   CW_MERKLE_HASH_SIZE, len);
      return FALSE;
    }
  memcpy (out, data, CW_MERKLE_HASH_SIZE);
  return TRUE;
}

GPtrArray *
cw_merkle_proof_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

void
cw_merkle_proof_add (GPtrArray    *proof,
                     const guint8  hash[CW_MERKLE_HASH_SIZE])
{
  g_ptr_array_add (proof, g_bytes_new (hash, CW_MERKLE_HASH_SIZE));
}

/* Every element must be one hash; checked before any hashing starts. */
static gboolean
check_proof_hashes (GPtrArray  *proof,
                    GError    **error)
{
  if (proof == NULL)
    return TRUE;

  if (proof->len > CW_MERKLE_MAX_PROOF_LENGTH)
    {
      g_set_error (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_PROOF_LENGTH,
                   _("Proof has %u hashes, more than any tree needs"), proof->len);
      return FALSE;
    }

  for (guint i = 0; i < proof->len; i++)
    {
      if (g_bytes_get_size (g_ptr_array_index (proof, i)) != CW_MERKLE_HASH_SIZE)
        {
          g_set_error (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_HASH_SIZE,
                       _("Proof hash %u is not %d bytes long"), i, CW_MERKLE_HASH_SIZE);
          return FALSE;
        }
    }
  return TRUE;
}

static const guint8 *
proof_hash (GPtrArray *proof,
            guint      i)
{
  return g_bytes_get_data (g_ptr_array_index (proof, i), NULL);
}

static gboolean
set_mismatch (GError     **error,
              const char  *what)
{
  g_set_error (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_MISMATCH,
               /* TRANSLATORS: %s is “tree root”, “old tree root”, “new tree root” or “root of
                * the same tree size” */
               _("The %s does not match the proof"), what);
  return FALSE;
}

static gboolean
set_proof_length (GError **error)
{
  g_set_error_literal (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_PROOF_LENGTH,
                       _("The proof has the wrong number of hashes for these sizes"));
  return FALSE;
}

gboolean
cw_merkle_verify_inclusion_flat (guint64        index,
                                 guint64        size,
                                 const guint8   leaf_hash[CW_MERKLE_HASH_SIZE],
                                 const guint8   root[CW_MERKLE_HASH_SIZE],
                                 const guint8  *hashes,
                                 guint          n_hashes,
                                 GError       **error)
{
  guint8 r[CW_MERKLE_HASH_SIZE];
  guint64 fn = index, sn;

  g_return_val_if_fail (hashes != NULL || n_hashes == 0, FALSE);

  if (index >= size)
    {
      g_set_error (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_INVALID_SIZE,
                   _("Entry %" PRIu64 " is outside a tree of size %" PRIu64),
                   index, size);
      return FALSE;
    }
  if (n_hashes > CW_MERKLE_MAX_PROOF_LENGTH)
    {
      g_set_error (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_PROOF_LENGTH,
                   _("Proof has %u hashes, more than any tree needs"), n_hashes);
      return FALSE;
    }

  sn = size - 1;
  memcpy (r, leaf_hash, CW_MERKLE_HASH_SIZE);
  for (guint i = 0; i < n_hashes; i++)
    {
      const guint8 *p = hashes + (gsize) i * CW_MERKLE_HASH_SIZE;

      if (sn == 0)
        return set_proof_length (error);
      if ((fn & 1) || fn == sn)
        {
          hash_node_remembered (i, p, r, r);
          while (!(fn & 1) && fn != 0)
            {
              fn >>= 1;
              sn >>= 1;
            }
        }
      else
        hash_node_remembered (i, r, p, r);
      fn >>= 1;
      sn >>= 1;
    }

  if (sn != 0)
    return set_proof_length (error);
  if (memcmp (r, root, CW_MERKLE_HASH_SIZE) != 0)
    return set_mismatch (error, _("tree root"));
  return TRUE;
}

gboolean
cw_merkle_verify_inclusion (guint64        index,
                            guint64        size,
                            const guint8   leaf_hash[CW_MERKLE_HASH_SIZE],
                            const guint8   root[CW_MERKLE_HASH_SIZE],
                            GPtrArray     *proof,
                            GError       **error)
{
  guint8 flat[CW_MERKLE_MAX_PROOF_LENGTH * CW_MERKLE_HASH_SIZE];
  guint n_proof = proof ? proof->len : 0;

  /* The index first, as the flat check does: the same error for the
   * same bad input whichever form the proof came in. */
  if (index >= size)
    return cw_merkle_verify_inclusion_flat (index, size, leaf_hash, root, NULL, 0, error);
  if (!check_proof_hashes (proof, error))
    return FALSE;
  for (guint i = 0; i < n_proof; i++)
    memcpy (flat + (gsize) i * CW_MERKLE_HASH_SIZE, proof_hash (proof, i), CW_MERKLE_HASH_SIZE);

  return cw_merkle_verify_inclusion_flat (index, size, leaf_hash, root, flat, n_proof, error);
}

GPtrArray *
cw_merkle_proof_new_from_flat (const guint8 *hashes,
                               guint         n_hashes)
{
  GPtrArray *proof = g_ptr_array_new_full (n_hashes, (GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n_hashes; i++)
    cw_merkle_proof_add (proof, hashes + (gsize) i * CW_MERKLE_HASH_SIZE);
  return proof;
}

static gboolean
check_consistency_sizes (guint64   old_size,
                         guint64   new_size,
                         GError  **error)
{
  if (old_size == 0)
    {
      g_set_error_literal (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_INVALID_SIZE,
                           _("A consistency proof from the empty tree proves nothing"));
      return FALSE;
    }
  if (old_size > new_size)
    {
      g_set_error (error, CW_MERKLE_ERROR, CW_MERKLE_ERROR_INVALID_SIZE,
                   _("Tree size went down from %" PRIu64 " to %" PRIu64),
                   old_size, new_size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
verify_same_size (const guint8   old_root[CW_MERKLE_HASH_SIZE],
                  const guint8   new_root[CW_MERKLE_HASH_SIZE],
                  GPtrArray     *proof,
                  GError       **error)
{
  if (proof != NULL && proof->len > 0)
    return set_proof_length (error);
  if (memcmp (old_root, new_root, CW_MERKLE_HASH_SIZE) != 0)
    return set_mismatch (error, _("root of the same tree size"));
  return TRUE;
}

/* RFC 9162 §2.1.4.2, steps 2 to 7. */
static gboolean
verify_consistency_path (guint64        old_size,
                         guint64        new_size,
                         const guint8   old_root[CW_MERKLE_HASH_SIZE],
                         const guint8   new_root[CW_MERKLE_HASH_SIZE],
                         GPtrArray     *proof,
                         GError       **error)
{
  guint8 fr[CW_MERKLE_HASH_SIZE], sr[CW_MERKLE_HASH_SIZE];
  guint64 fn = old_size - 1, sn = new_size - 1;
  guint i = 0;

  /* A power-of-two old tree is itself a node of the new tree, so the path
   * starts with its root instead of repeating it. */
  if ((old_size & (old_size - 1)) == 0)
    memcpy (fr, old_root, CW_MERKLE_HASH_SIZE);
  else
    memcpy (fr, proof_hash (proof, i++), CW_MERKLE_HASH_SIZE);
  memcpy (sr, fr, CW_MERKLE_HASH_SIZE);

  while (fn & 1)
    {
      fn >>= 1;
      sn >>= 1;
    }

  for (; i < proof->len; i++)
    {
      const guint8 *c = proof_hash (proof, i);

      if (sn == 0)
        return set_proof_length (error);
      if ((fn & 1) || fn == sn)
        {
          cw_merkle_hash_node (c, fr, fr);
          cw_merkle_hash_node (c, sr, sr);
          while (!(fn & 1) && fn != 0)
            {
              fn >>= 1;
              sn >>= 1;
            }
        }
      else
        cw_merkle_hash_node (sr, c, sr);
      fn >>= 1;
      sn >>= 1;
    }

  if (sn != 0)
    return set_proof_length (error);
  if (memcmp (fr, old_root, CW_MERKLE_HASH_SIZE) != 0)
    return set_mismatch (error, _("old tree root"));
  if (memcmp (sr, new_root, CW_MERKLE_HASH_SIZE) != 0)
    return set_mismatch (error, _("new tree root"));
  return TRUE;
}

gboolean
cw_merkle_verify_consistency (guint64        old_size,
                              guint64        new_size,
                              const guint8   old_root[CW_MERKLE_HASH_SIZE],
                              const guint8   new_root[CW_MERKLE_HASH_SIZE],
                              GPtrArray     *proof,
                              GError       **error)
{
  if (!check_consistency_sizes (old_size, new_size, error))
    return FALSE;
  if (!check_proof_hashes (proof, error))
    return FALSE;
  if (old_size == new_size)
    return verify_same_size (old_root, new_root, proof, error);
  if (proof == NULL || proof->len == 0)
    return set_proof_length (error);
  return verify_consistency_path (old_size, new_size, old_root, new_root, proof, error);
}

gboolean
cw_merkle_verify_consistency_bytes (guint64     old_size,
                                    guint64     new_size,
                                    GBytes     *old_root,
                                    GBytes     *new_root,
                                    GPtrArray  *proof,
                                    GError    **error)
{
  guint8 old_hash[CW_MERKLE_HASH_SIZE], new_hash[CW_MERKLE_HASH_SIZE];

  if (!check_consistency_sizes (old_size, new_size, error))
    return FALSE;

  if (old_size == new_size)
    {
      if (!check_proof_hashes (proof, error))
        return FALSE;
      if (proof != NULL && proof->len > 0)
        return set_proof_length (error);
      if (!g_bytes_equal (old_root, new_root))
        return set_mismatch (error, _("root of the same tree size"));
      return TRUE;
    }

  if (!cw_merkle_hash_from_bytes (old_root, old_hash, error) ||
      !cw_merkle_hash_from_bytes (new_root, new_hash, error))
    return FALSE;

  return cw_merkle_verify_consistency (old_size, new_size, old_hash, new_hash, proof, error);
}
