/* test-log-tree.c: CwLogTree roots and proofs against an independent RFC 9162
 * §2.1.1 recomputation and the cw-merkle verifiers (RFC 9162 §2.1.3, §2.1.4). */
#include "config.h"

#include <string.h>

#include "cw-log-tree.h"
#include "cw-merkle.h"

#define SMALL_MAX 300
#define BIG_SIZE 100000
#define N_RANDOM 10000
#define SEED 0x6c6f6774u

typedef struct {
  CwLogTree *tree;
  guint8 (*leaves)[CW_MERKLE_HASH_SIZE];
  guint64 size;
} Fixture;

static void
make_entry (guint64 i,
            guint8  out[32])
{
  g_autofree char *text = g_strdup_printf ("entry %" G_GUINT64_FORMAT, i);

  /* Leaf data is a 32-byte transaction ID, as in the log. */
  cw_merkle_hash_leaf ((const guint8 *) text, strlen (text), out);
}

static void
fixture_init (Fixture *fx,
              guint64  size)
{
  guint8 entry[32];

  fx->tree = cw_log_tree_new ();
  fx->leaves = g_malloc_n (MAX (size, 1), CW_MERKLE_HASH_SIZE);
  fx->size = size;
  for (guint64 i = 0; i < size; i++)
    {
      make_entry (i, entry);
      cw_merkle_hash_leaf (entry, sizeof entry, fx->leaves[i]);
      cw_log_tree_append (fx->tree, entry, sizeof entry);
    }
}

static void
fixture_clear (Fixture *fx)
{
  g_clear_pointer (&fx->tree, cw_log_tree_free);
  g_clear_pointer (&fx->leaves, g_free);
}

/* MTH(D[lo:hi]) straight from RFC 9162 §2.1.1, sharing no code with the tree. */
static void
reference_mth (guint8  (*leaves)[CW_MERKLE_HASH_SIZE],
               guint64   lo,
               guint64   hi,
               guint8    out[CW_MERKLE_HASH_SIZE])
{
  guint8 left[CW_MERKLE_HASH_SIZE], right[CW_MERKLE_HASH_SIZE];
  guint64 k = 1;

  if (hi == lo)
    {
      cw_merkle_hash_empty (out);
      return;
    }
  if (hi - lo == 1)
    {
      memcpy (out, leaves[lo], CW_MERKLE_HASH_SIZE);
      return;
    }
  while (k * 2 < hi - lo)
    k *= 2;
  reference_mth (leaves, lo, lo + k, left);
  reference_mth (leaves, lo + k, hi, right);
  cw_merkle_hash_node (left, right, out);
}

static void
get_root (CwLogTree *tree,
          guint64    size,
          guint8     out[CW_MERKLE_HASH_SIZE])
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_log_tree_get_root (tree, size, out, &error));
  g_assert_no_error (error);
}

static void
check_inclusion (Fixture *fx,
                 guint64  index,
                 guint64  size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) proof = NULL;
  guint8 root[CW_MERKLE_HASH_SIZE];

  get_root (fx->tree, size, root);
  proof = cw_log_tree_prove_inclusion (fx->tree, index, size, &error);
  g_assert_no_error (error);
  cw_merkle_verify_inclusion (index, size, fx->leaves[index], root, proof, &error);
  g_assert_no_error (error);
}

static void
check_consistency (Fixture *fx,
                   guint64  old_size,
                   guint64  new_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) proof = NULL;
  guint8 old_root[CW_MERKLE_HASH_SIZE], new_root[CW_MERKLE_HASH_SIZE];

  get_root (fx->tree, old_size, old_root);
  get_root (fx->tree, new_size, new_root);
  proof = cw_log_tree_prove_consistency (fx->tree, old_size, new_size, &error);
  g_assert_no_error (error);
  cw_merkle_verify_consistency (old_size, new_size, old_root, new_root, proof, &error);
  g_assert_no_error (error);
}

static void
test_small_roots (void)
{
  Fixture fx;

  fixture_init (&fx, SMALL_MAX);
  for (guint64 size = 0; size <= SMALL_MAX; size++)
    {
      guint8 want[CW_MERKLE_HASH_SIZE], got[CW_MERKLE_HASH_SIZE];

      reference_mth (fx.leaves, 0, size, want);
      get_root (fx.tree, size, got);
      g_assert_cmpmem (got, sizeof got, want, sizeof want);
    }
  fixture_clear (&fx);
}

static void
test_small_inclusion (void)
{
  Fixture fx;
  guint n = 0;

  fixture_init (&fx, SMALL_MAX);
  for (guint64 size = 1; size <= SMALL_MAX; size++)
    for (guint64 index = 0; index < size; index++, n++)
      check_inclusion (&fx, index, size);
  g_assert_cmpuint (n, ==, SMALL_MAX * (SMALL_MAX + 1) / 2);
  fixture_clear (&fx);
}

static void
test_small_consistency (void)
{
  Fixture fx;

  fixture_init (&fx, SMALL_MAX);
  for (guint64 new_size = 1; new_size <= SMALL_MAX; new_size++)
    for (guint64 old_size = 1; old_size <= new_size; old_size++)
      check_consistency (&fx, old_size, new_size);
  fixture_clear (&fx);
}

static void
test_random_pairs (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  Fixture fx;

  fixture_init (&fx, BIG_SIZE);
  for (guint i = 0; i < N_RANDOM; i++)
    {
      guint64 size = g_rand_int_range (rand, 1, BIG_SIZE + 1);
      guint64 index = g_rand_int_range (rand, 0, size);
      guint64 new_size = g_rand_int_range (rand, 1, BIG_SIZE + 1);
      guint64 old_size = g_rand_int_range (rand, 1, new_size + 1);

      check_inclusion (&fx, index, size);
      check_consistency (&fx, old_size, new_size);
    }
  fixture_clear (&fx);
}

static void
test_big_roots (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED + 1);
  Fixture fx;

  fixture_init (&fx, BIG_SIZE);
  for (guint i = 0; i < 12; i++)
    {
      guint64 size = i == 0 ? BIG_SIZE : (guint64) g_rand_int_range (rand, 1, BIG_SIZE);
      guint8 want[CW_MERKLE_HASH_SIZE], got[CW_MERKLE_HASH_SIZE];

      reference_mth (fx.leaves, 0, size, want);
      get_root (fx.tree, size, got);
      g_assert_cmpmem (got, sizeof got, want, sizeof want);
    }
  fixture_clear (&fx);
}

static void
test_batch_append (void)
{
  g_autoptr(CwLogTree) single = cw_log_tree_new ();
  g_autoptr(CwLogTree) batch = cw_log_tree_new ();
  g_autofree guint8 *entries = g_malloc (1000 * 32);
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      make_entry (i, entries + i * 32);
      cw_log_tree_append (single, entries + i * 32, 32);
    }
  cw_log_tree_append_many (batch, entries, 32, 7);
  cw_log_tree_append_many (batch, entries + 7 * 32, 32, 993);

  g_assert_cmpuint (cw_log_tree_get_size (batch), ==, 1000);
  a = cw_log_tree_get_stored_hashes (single, 0, 1000, NULL);
  b = cw_log_tree_get_stored_hashes (batch, 0, 1000, NULL);
  g_assert_true (g_bytes_equal (a, b));
  g_assert_cmpuint (g_bytes_get_size (a), ==, cw_log_tree_stored_hash_count (1000) * 32);
}

static void
test_node_hashes (void)
{
  g_autoptr(GError) error = NULL;
  Fixture fx;
  guint8 got[CW_MERKLE_HASH_SIZE], want[CW_MERKLE_HASH_SIZE];

  fixture_init (&fx, SMALL_MAX);
  for (guint level = 0; level < 9; level++)
    for (guint64 n = 0; (n + 1) << level <= SMALL_MAX; n++)
      {
        g_assert_true (cw_log_tree_get_node_hash (fx.tree, level, n, got, &error));
        reference_mth (fx.leaves, n << level, (n + 1) << level, want);
        g_assert_cmpmem (got, sizeof got, want, sizeof want);
      }
  /* Incomplete or missing nodes are refused. */
  g_assert_false (cw_log_tree_get_node_hash (fx.tree, 0, SMALL_MAX, got, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (cw_log_tree_get_node_hash (fx.tree, 9, 0, got, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (cw_log_tree_get_node_hash (fx.tree, 64, 0, got, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  fixture_clear (&fx);
}

static GBytes *
stored_slice (CwLogTree *tree,
              guint64    from,
              guint64    to)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = cw_log_tree_get_stored_hashes (tree, from, to, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==,
                    (cw_log_tree_stored_hash_count (to) - cw_log_tree_stored_hash_count (from)) * 32);
  return bytes;
}

static void
assert_same_tree (CwLogTree *a,
                  CwLogTree *b)
{
  guint64 size = cw_log_tree_get_size (a);
  g_autoptr(GBytes) stored_a = stored_slice (a, 0, size);
  g_autoptr(GBytes) stored_b = stored_slice (b, 0, size);

  g_assert_cmpuint (cw_log_tree_get_size (b), ==, size);
  g_assert_true (g_bytes_equal (stored_a, stored_b));
  for (guint64 s = size > 50 ? size - 50 : 0; s <= size; s++)
    {
      guint8 ra[CW_MERKLE_HASH_SIZE], rb[CW_MERKLE_HASH_SIZE];

      get_root (a, s, ra);
      get_root (b, s, rb);
      g_assert_cmpmem (ra, sizeof ra, rb, sizeof rb);
    }
}

/* Writes the tree out in the increments a node would commit, reloads it,
 * and checks that the reloaded tree answers and grows like the original. */
static void
test_persistence (void)
{
  static const guint64 checkpoints[] = { 0, 1, 2, 3, 100, 255, 256, 257, 1000, 4097 };
  g_autoptr(GByteArray) db = g_byte_array_new ();
  g_autoptr(CwLogTree) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fx;
  guint8 entry[32];

  fixture_init (&fx, 4097);
  for (gsize i = 1; i < G_N_ELEMENTS (checkpoints); i++)
    {
      g_autoptr(GBytes) rows = stored_slice (fx.tree, checkpoints[i - 1], checkpoints[i]);

      g_assert_cmpuint (db->len, ==, cw_log_tree_stored_hash_count (checkpoints[i - 1]) * 32);
      g_byte_array_append (db, g_bytes_get_data (rows, NULL), g_bytes_get_size (rows));
    }

  reloaded = cw_log_tree_new_from_stored (4097, db->data, db->len, &error);
  g_assert_no_error (error);
  assert_same_tree (fx.tree, reloaded);
  check_inclusion (&fx, 4000, 4097);

  for (guint64 i = 4097; i < 4500; i++)
    {
      make_entry (i, entry);
      cw_log_tree_append (fx.tree, entry, sizeof entry);
      cw_log_tree_append (reloaded, entry, sizeof entry);
    }
  assert_same_tree (fx.tree, reloaded);

  /* A prefix of the stored hashes reloads the tree at that earlier size. */
  g_clear_pointer (&reloaded, cw_log_tree_free);
  reloaded = cw_log_tree_new_from_stored (257, db->data,
                                          cw_log_tree_stored_hash_count (257) * 32, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_log_tree_get_size (reloaded), ==, 257);
  fixture_clear (&fx);
}

static void
test_persistence_rejects (void)
{
  g_autoptr(GError) error = NULL;
  guint8 buf[32 * 8] = { 0 };

  g_assert_null (cw_log_tree_new_from_stored (4, buf, 32 * 6, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_INVALID_STORAGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_new_from_stored (4, buf, 32 * 7 + 1, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_INVALID_STORAGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_new_from_stored (G_MAXUINT64, buf, sizeof buf, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_INVALID_STORAGE);
  g_clear_error (&error);

  /* Size 4 stores exactly 7 hashes; size 0 stores none. */
  {
    g_autoptr(CwLogTree) t4 = cw_log_tree_new_from_stored (4, buf, 32 * 7, &error);
    g_autoptr(CwLogTree) t0 = cw_log_tree_new_from_stored (0, NULL, 0, &error);

    g_assert_no_error (error);
    g_assert_nonnull (t4);
    g_assert_nonnull (t0);
  }
}

static void
test_stored_layout (void)
{
  /* Leaves 0 and 1, their parent, leaf 2, leaf 3, parent (2,3), root of 4. */
  g_assert_cmpuint (cw_log_tree_stored_hash_index (0, 0), ==, 0);
  g_assert_cmpuint (cw_log_tree_stored_hash_index (0, 1), ==, 1);
  g_assert_cmpuint (cw_log_tree_stored_hash_index (1, 0), ==, 2);
  g_assert_cmpuint (cw_log_tree_stored_hash_index (0, 2), ==, 3);
  g_assert_cmpuint (cw_log_tree_stored_hash_index (0, 3), ==, 4);
  g_assert_cmpuint (cw_log_tree_stored_hash_index (1, 1), ==, 5);
  g_assert_cmpuint (cw_log_tree_stored_hash_index (2, 0), ==, 6);
  g_assert_cmpuint (cw_log_tree_stored_hash_count (4), ==, 7);
  g_assert_cmpuint (cw_log_tree_stored_hash_count (5), ==, 8);
}

static void
test_bad_requests (void)
{
  g_autoptr(GError) error = NULL;
  guint8 root[CW_MERKLE_HASH_SIZE], empty[CW_MERKLE_HASH_SIZE];
  Fixture fx;

  fixture_init (&fx, 10);
  get_root (fx.tree, 0, root);
  cw_merkle_hash_empty (empty);
  g_assert_cmpmem (root, sizeof root, empty, sizeof empty);

  g_assert_false (cw_log_tree_get_root (fx.tree, 11, root, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_prove_inclusion (fx.tree, 10, 10, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_prove_inclusion (fx.tree, 0, 11, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_prove_consistency (fx.tree, 0, 5, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_prove_consistency (fx.tree, 6, 5, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_prove_consistency (fx.tree, 5, 11, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (cw_log_tree_get_stored_hashes (fx.tree, 6, 5, &error));
  g_assert_error (error, CW_LOG_TREE_ERROR, CW_LOG_TREE_ERROR_OUT_OF_RANGE);
  fixture_clear (&fx);
}

static void
flip_bit (guint8 *data,
          gsize   bit)
{
  data[bit / 8] ^= (guint8) (1u << (bit % 8));
}

/* Returns a deep copy of @proof with one bit flipped. */
static GPtrArray *
proof_with_flip (GPtrArray *proof,
                 gsize      bit)
{
  GPtrArray *copy = cw_merkle_proof_new ();

  for (guint i = 0; i < proof->len; i++)
    {
      guint8 hash[CW_MERKLE_HASH_SIZE];

      memcpy (hash, g_bytes_get_data (g_ptr_array_index (proof, i), NULL), sizeof hash);
      if (bit / (8 * CW_MERKLE_HASH_SIZE) == i)
        flip_bit (hash, bit % (8 * CW_MERKLE_HASH_SIZE));
      cw_merkle_proof_add (copy, hash);
    }
  return copy;
}

static void
check_inclusion_flips (Fixture *fx,
                       guint64  index,
                       guint64  size)
{
  g_autoptr(GPtrArray) proof = cw_log_tree_prove_inclusion (fx->tree, index, size, NULL);
  guint8 root[CW_MERKLE_HASH_SIZE], leaf[CW_MERKLE_HASH_SIZE];

  get_root (fx->tree, size, root);
  /* The good proof first, so that each bad one below follows a success
   * on the same path (cw-merkle.c remembers the nodes it hashed). */
  g_assert_true (cw_merkle_verify_inclusion (index, size, fx->leaves[index], root, proof, NULL));
  for (gsize bit = 0; bit < proof->len * 8 * CW_MERKLE_HASH_SIZE; bit++)
    {
      g_autoptr(GPtrArray) bad = proof_with_flip (proof, bit);

      g_assert_false (cw_merkle_verify_inclusion (index, size, fx->leaves[index], root, bad, NULL));
    }
  for (gsize bit = 0; bit < 8 * CW_MERKLE_HASH_SIZE; bit++)
    {
      memcpy (leaf, fx->leaves[index], sizeof leaf);
      flip_bit (leaf, bit);
      g_assert_false (cw_merkle_verify_inclusion (index, size, leaf, root, proof, NULL));
      flip_bit (root, bit);
      g_assert_false (cw_merkle_verify_inclusion (index, size, fx->leaves[index], root, proof, NULL));
      flip_bit (root, bit);
    }
  for (guint bit = 0; bit < 20; bit++)
    {
      g_assert_false (cw_merkle_verify_inclusion (index ^ (1u << bit), size,
                                                  fx->leaves[index], root, proof, NULL));
    }
  g_assert_true (cw_merkle_verify_inclusion (index, size, fx->leaves[index], root, proof, NULL));
}

static void
check_consistency_flips (Fixture *fx,
                         guint64  old_size,
                         guint64  new_size)
{
  g_autoptr(GPtrArray) proof = cw_log_tree_prove_consistency (fx->tree, old_size, new_size, NULL);
  guint8 old_root[CW_MERKLE_HASH_SIZE], new_root[CW_MERKLE_HASH_SIZE];

  get_root (fx->tree, old_size, old_root);
  get_root (fx->tree, new_size, new_root);
  for (gsize bit = 0; bit < proof->len * 8 * CW_MERKLE_HASH_SIZE; bit++)
    {
      g_autoptr(GPtrArray) bad = proof_with_flip (proof, bit);

      g_assert_false (cw_merkle_verify_consistency (old_size, new_size, old_root, new_root,
                                                    bad, NULL));
    }
  for (gsize bit = 0; bit < 8 * CW_MERKLE_HASH_SIZE; bit++)
    {
      flip_bit (old_root, bit);
      g_assert_false (cw_merkle_verify_consistency (old_size, new_size, old_root, new_root,
                                                    proof, NULL));
      flip_bit (old_root, bit);
      flip_bit (new_root, bit);
      g_assert_false (cw_merkle_verify_consistency (old_size, new_size, old_root, new_root,
                                                    proof, NULL));
      flip_bit (new_root, bit);
    }
  g_assert_true (cw_merkle_verify_consistency (old_size, new_size, old_root, new_root,
                                               proof, NULL));
}

static void
test_flipped_bits (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED + 2);
  Fixture fx;

  fixture_init (&fx, 5000);
  for (guint i = 0; i < 40; i++)
    {
      guint64 size = g_rand_int_range (rand, 2, 5001);
      guint64 new_size = g_rand_int_range (rand, 2, 5001);

      check_inclusion_flips (&fx, g_rand_int_range (rand, 0, size), size);
      check_consistency_flips (&fx, g_rand_int_range (rand, 1, new_size), new_size);
    }
  /* Edges: first and last entry, power-of-two sizes, neighbours. */
  check_inclusion_flips (&fx, 0, 4096);
  check_inclusion_flips (&fx, 4096, 4097);
  check_consistency_flips (&fx, 4096, 4097);
  check_consistency_flips (&fx, 1, 5000);
  check_consistency_flips (&fx, 4999, 5000);
  fixture_clear (&fx);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log-tree/roots/small", test_small_roots);
  g_test_add_func ("/log-tree/roots/big", test_big_roots);
  g_test_add_func ("/log-tree/inclusion/all-small", test_small_inclusion);
  g_test_add_func ("/log-tree/consistency/all-small", test_small_consistency);
  g_test_add_func ("/log-tree/proofs/random", test_random_pairs);
  g_test_add_func ("/log-tree/proofs/flipped-bits", test_flipped_bits);
  g_test_add_func ("/log-tree/append/batch", test_batch_append);
  g_test_add_func ("/log-tree/node-hashes", test_node_hashes);
  g_test_add_func ("/log-tree/bad-requests", test_bad_requests);
  g_test_add_func ("/log-tree/storage/layout", test_stored_layout);
  g_test_add_func ("/log-tree/storage/round-trip", test_persistence);
  g_test_add_func ("/log-tree/storage/rejects", test_persistence_rejects);

  return g_test_run ();
}
