/* fuzz-merkle.c: RFC 9162 inclusion and consistency proof verification with
 * fuzzed proofs, sizes and roots.
 *
 * Input: a mode byte, then the sizes (one byte each, or eight big-endian
 * bytes each with mode bit 2), then with mode bit 1 clear a leaf (or old
 * root) and a root of 32 bytes each, then the proof in 32-byte pieces; a
 * shorter last piece stays short. With mode bit 1 set, the leaf and roots
 * are the real ones of a 64-leaf tree, and a proof that verifies must then
 * be the one the tree gives (a different one would be a second preimage). */
#include "config.h"

#include "fuzz-common.h"

#include "cw-log-tree.h"
#include "cw-merkle.h"

#define TREE_SIZE 64

static CwLogTree *tree;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  tree = cw_log_tree_new ();
  for (guint64 i = 0; i < TREE_SIZE; i++)
    {
      guint8 entry[8];

      for (guint j = 0; j < 8; j++)
        entry[j] = (guint8) (i >> (56 - 8 * j));
      cw_log_tree_append (tree, entry, sizeof entry);
    }

  return 0;
}

static guint64
read_size (const guint8 **p,
           const guint8  *end,
           gboolean       wide)
{
  guint64 value = 0;
  guint n = wide ? 8 : 1;

  for (guint i = 0; i < n && *p < end; i++, (*p)++)
    value = value << 8 | **p;

  return value;
}

static gboolean
proofs_equal (GPtrArray *a,
              GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!g_bytes_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;

  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const guint8 *p = data, *end = data + size;
  g_autoptr(GPtrArray) proof = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 a[CW_MERKLE_HASH_SIZE] = { 0, }, b[CW_MERKLE_HASH_SIZE] = { 0, };
  guint64 first, second;
  gboolean consistency, real, wide, ok;
  guint8 mode;

  if (size < 1)
    return 0;
  mode = *p++;
  consistency = mode & 1;
  real = mode & 2;
  wide = mode & 4;
  first = read_size (&p, end, wide);
  second = read_size (&p, end, wide);

  if (real)
    {
      if (first >= TREE_SIZE || second > TREE_SIZE)
        return 0;
      if (consistency)
        {
          if (!cw_log_tree_get_root (tree, first, a, NULL))
            abort ();
        }
      else if (!cw_log_tree_get_node_hash (tree, 0, first, a, NULL))
        abort ();
      if (!cw_log_tree_get_root (tree, second, b, NULL))
        abort ();
    }
  else
    {
      gsize n = MIN ((gsize) (end - p), sizeof a);

      memcpy (a, p, n);
      p += n;
      n = MIN ((gsize) (end - p), sizeof b);
      memcpy (b, p, n);
      p += n;
    }

  while (p < end)
    {
      gsize n = MIN ((gsize) (end - p), CW_MERKLE_HASH_SIZE);

      g_ptr_array_add (proof, g_bytes_new (p, n));
      p += n;
    }

  if (!consistency)
    {
      ok = cw_merkle_verify_inclusion (first, second, a, b, proof, NULL);
      if (ok)
        FUZZ_ASSERT (first < second);
      if (real && first < second)
        {
          g_autoptr(GPtrArray) genuine = cw_log_tree_prove_inclusion (tree, first, second, NULL);

          FUZZ_ASSERT (genuine != NULL);
          FUZZ_ASSERT (cw_merkle_verify_inclusion (first, second, a, b, genuine, NULL));
          if (ok)
            FUZZ_ASSERT (proofs_equal (proof, genuine));
        }
    }
  else
    {
      g_autoptr(GBytes) old_root = g_bytes_new (a, sizeof a);
      g_autoptr(GBytes) new_root = g_bytes_new (b, sizeof b);

      ok = cw_merkle_verify_consistency (first, second, a, b, proof, NULL);
      FUZZ_ASSERT (ok == cw_merkle_verify_consistency_bytes (first, second, old_root, new_root,
                                                              proof, NULL));
      if (ok)
        FUZZ_ASSERT (first > 0 && first <= second);
      if (real && first > 0 && first <= second)
        {
          g_autoptr(GPtrArray) genuine = cw_log_tree_prove_consistency (tree, first, second, NULL);

          FUZZ_ASSERT (genuine != NULL);
          FUZZ_ASSERT (cw_merkle_verify_consistency (first, second, a, b, genuine, NULL));
          if (ok)
            FUZZ_ASSERT (proofs_equal (proof, genuine));
        }

      /* Roots of any length, as received. */
      if (size > 2)
        {
          gsize cut = data[size - 1] % 40;
          g_autoptr(GBytes) short_root = g_bytes_new (data, MIN (cut, size));

          cw_merkle_verify_consistency_bytes (first, second, short_root, new_root, proof, NULL);
          cw_merkle_verify_consistency_bytes (first, second, old_root, short_root, proof, NULL);
        }
    }

  return 0;
}
