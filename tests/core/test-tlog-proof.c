/* test-tlog-proof.c: c2sp.org/tlog-proof bundles: format, parse, round trip
 * and rejection of malformed bundles. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-log-tree.h"
#include "cw-merkle.h"
#include "cw-tlog-proof.h"

#define TREE_SIZE 1000
#define INDEX 123

/* The checkpoint is opaque to the bundle; a realistic one suffices. */
#define CHECKPOINT_TAIL \
  "\n— consent.example.org/log Az3grlDG1vqGZvVDcBjbtv1c0y4FL12D8aBOGS1tjhyhjNTc4aG3nqfoyVbvB4uxuGeEIJo/HFvQ+o6A3HhJLQ6kCwA=\n"

typedef struct {
  CwLogTree *tree;
  guint8     root[CW_MERKLE_HASH_SIZE];
  guint8     leaf[CW_MERKLE_HASH_SIZE];
  char      *checkpoint;
} Fixture;

static void
fixture_init (Fixture *fx)
{
  g_autofree char *root_b64 = NULL;

  fx->tree = cw_log_tree_new ();
  for (guint i = 0; i < TREE_SIZE; i++)
    {
      guint8 id[32];

      cw_sha256 ((const guint8 *) &i, sizeof i, id);
      cw_log_tree_append (fx->tree, id, sizeof id);
      if (i == INDEX)
        cw_merkle_hash_leaf (id, sizeof id, fx->leaf);
    }
  g_assert_true (cw_log_tree_get_root (fx->tree, TREE_SIZE, fx->root, NULL));
  root_b64 = cw_base64_encode (fx->root, sizeof fx->root);
  fx->checkpoint = g_strdup_printf ("consent.example.org/log\n%u\n%s\n" CHECKPOINT_TAIL,
                                    TREE_SIZE, root_b64);
}

static void
fixture_clear (Fixture *fx)
{
  g_clear_pointer (&fx->tree, cw_log_tree_free);
  g_clear_pointer (&fx->checkpoint, g_free);
}

static CwTlogProof *
make_bundle (Fixture *fx,
             guint64  index,
             GBytes  *extra)
{
  g_autoptr(GPtrArray) proof = cw_log_tree_prove_inclusion (fx->tree, index, TREE_SIZE, NULL);

  return cw_tlog_proof_new (index, proof, fx->checkpoint, extra);
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

static gboolean
extras_equal (GBytes *a,
              GBytes *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_bytes_equal (a, b);
}

static void
check_round_trip (const CwTlogProof *bundle)
{
  g_autofree char *text = cw_tlog_proof_format (bundle);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTlogProof) parsed = cw_tlog_proof_parse (text, -1, &error);
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (parsed->index, ==, bundle->index);
  g_assert_true (proofs_equal (parsed->proof, bundle->proof));
  g_assert_cmpstr (parsed->checkpoint, ==, bundle->checkpoint);
  g_assert_true (extras_equal (parsed->extra, bundle->extra));
  again = cw_tlog_proof_format (parsed);
  g_assert_cmpstr (again, ==, text);
}

static void
test_round_trip (void)
{
  g_autoptr(GBytes) extra = g_bytes_new_static ("age-v1.2.1-darwin-arm64.tar.gz", 30);
  Fixture fx;

  fixture_init (&fx);
  for (guint64 index = 0; index < TREE_SIZE; index += 37)
    {
      g_autoptr(CwTlogProof) plain = make_bundle (&fx, index, NULL);
      g_autoptr(CwTlogProof) with_extra = make_bundle (&fx, index, extra);

      check_round_trip (plain);
      check_round_trip (with_extra);
    }
  fixture_clear (&fx);
}

static void
test_exact_format (void)
{
  g_autoptr(GPtrArray) proof = cw_merkle_proof_new ();
  g_autoptr(GBytes) extra = g_bytes_new_static ("hi", 2);
  g_autoptr(CwTlogProof) bundle = NULL;
  g_autoptr(CwTlogProof) empty = NULL;
  g_autofree char *text = NULL;
  g_autofree char *empty_text = NULL;
  guint8 zero[32] = { 0 }, ff[32];

  memset (ff, 0xff, sizeof ff);
  cw_merkle_proof_add (proof, zero);
  cw_merkle_proof_add (proof, ff);
  bundle = cw_tlog_proof_new (73894, proof, "example.com/log\n5\nroot\n\n— sig\n", extra);
  text = cw_tlog_proof_format (bundle);
  g_assert_cmpstr (text, ==,
                   "c2sp.org/tlog-proof@v1\n"
                   "extra aGk=\n"
                   "index 73894\n"
                   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                   "//////////////////////////////////////////8=\n"
                   "\n"
                   "example.com/log\n5\nroot\n\n— sig\n");

  /* A single-entry tree has an empty inclusion path. */
  g_ptr_array_set_size (proof, 0);
  empty = cw_tlog_proof_new (0, proof, "c\n", NULL);
  empty_text = cw_tlog_proof_format (empty);
  g_assert_cmpstr (empty_text, ==, "c2sp.org/tlog-proof@v1\nindex 0\n\nc\n");
  check_round_trip (empty);
}

/* A bundle that still parses after corruption must say something else, so
 * that the inclusion check or the checkpoint's signature rejects it. */
static void
assert_detected (Fixture           *fx,
                 const CwTlogProof *orig,
                 const char        *text,
                 gsize              len)
{
  g_autoptr(CwTlogProof) parsed = cw_tlog_proof_parse (text, len, NULL);
  g_autoptr(GError) error = NULL;

  if (parsed == NULL)
    return;
  if (g_strcmp0 (parsed->checkpoint, orig->checkpoint) != 0)
    return;
  g_assert_true (extras_equal (parsed->extra, orig->extra));
  g_assert_false (cw_merkle_verify_inclusion (parsed->index, TREE_SIZE, fx->leaf, fx->root,
                                              parsed->proof, &error));
}

static void
test_flipped_bits (void)
{
  Fixture fx;
  g_autoptr(CwTlogProof) bundle = NULL;
  g_autofree char *text = NULL;
  gsize len;

  fixture_init (&fx);
  bundle = make_bundle (&fx, INDEX, NULL);
  text = cw_tlog_proof_format (bundle);
  len = strlen (text);
  g_assert_true (cw_merkle_verify_inclusion (INDEX, TREE_SIZE, fx.leaf, fx.root,
                                             bundle->proof, NULL));
  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree char *copy = g_memdup2 (text, len);

      copy[bit / 8] ^= (char) (1u << (bit % 8));
      assert_detected (&fx, bundle, copy, len);
    }
  fixture_clear (&fx);
}

static void
test_truncation (void)
{
  Fixture fx;
  g_autoptr(CwTlogProof) bundle = NULL;
  g_autofree char *text = NULL;
  gsize len, checkpoint_at;

  fixture_init (&fx);
  bundle = make_bundle (&fx, INDEX, NULL);
  text = cw_tlog_proof_format (bundle);
  len = strlen (text);
  checkpoint_at = len - strlen (fx.checkpoint);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(CwTlogProof) parsed = cw_tlog_proof_parse (text, cut, NULL);

      if (cut <= checkpoint_at)
        g_assert_null (parsed);
      else if (parsed != NULL)
        g_assert_cmpstr (parsed->checkpoint, !=, bundle->checkpoint);
    }
  fixture_clear (&fx);
}

static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static void
expect_invalid (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTlogProof) parsed = cw_tlog_proof_parse (text, -1, &error);

  if (parsed != NULL)
    g_error ("accepted malformed bundle:\n%s", text);
  g_assert_error (error, CW_TLOG_PROOF_ERROR, CW_TLOG_PROOF_ERROR_INVALID);
}

#define H0 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define GOOD "c2sp.org/tlog-proof@v1\nextra aGk=\nindex 5\n" H0 "\n" H0 "\n\nlog\n8\nroot\n\n— sig\n"

static void
test_malformed (void)
{
  static const char *const replacements[][2] = {
    /* header */
    { "c2sp.org/tlog-proof@v1\n", "" },
    { "c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v2\n" },
    { "c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v1 \n" },
    { "c2sp.org/tlog-proof@v1\n", " c2sp.org/tlog-proof@v1\n" },
    { "c2sp.org/tlog-proof@v1\n", "\nc2sp.org/tlog-proof@v1\n" },
    { "c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v1\r\n" },
    { "c2sp.org/tlog-proof@v1\n", "C2SP.org/tlog-proof@v1\n" },
    /* extra lines and ordering */
    { "extra aGk=\n", "extra aGk=\nextra aGk=\n" },
    { "extra aGk=\n", "note hello\n" },
    { "extra aGk=\n", "\n" },
    { "extra aGk=\nindex 5\n", "index 5\nextra aGk=\n" },
    { "index 5\n", "index 5\nindex 5\n" },
    { "index 5\n", "" },
    { "\n\nlog", "\nlog" },
    /* extra data */
    { "extra aGk=", "extra " },
    { "extra aGk=", "extra" },
    { "extra aGk=", "extra aGk" },
    { "extra aGk=", "extra aGl=" },
    { "extra aGk=", "extra  aGk=" },
    { "extra aGk=", "extra aGk= " },
    { "extra aGk=", "extra a Gk=" },
    { "extra aGk=", "extra a-k=" },
    /* index */
    { "index 5", "index 05" },
    { "index 5", "index 00" },
    { "index 5", "index +5" },
    { "index 5", "index -5" },
    { "index 5", "index 5 " },
    { "index 5", "index  5" },
    { "index 5", "index 0x5" },
    { "index 5", "index " },
    { "index 5", "index" },
    { "index 5", "Index 5" },
    { "index 5", "index\t5" },
    { "index 5", "index 18446744073709551616" },
    { "index 5", "index 99999999999999999999" },
    /* proof hashes */
    { H0 "\n\n", H0 "\ngarbage\n\n" },
    { H0 "\n\n", H0 "\n \n\n" },
    { H0 "\n\n", H0 " \n\n" },
    { H0 "\n\n", " " H0 "\n\n" },
    { H0 "\n\n", H0 "\r\n\n" },
    { H0 "\n\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n\n" },
    { H0 "\n\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\n" },
    { H0 "\n\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n\n" },
    { H0 "\n\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\n" },
    { H0 "\n\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-=\n\n" },
    { H0 "\n\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n" },
    { H0 "\n\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n\n" },
    { H0 "\n\n", H0 H0 "\n\n" },
    /* checkpoint */
    { "\n\nlog\n8\nroot\n\n— sig\n", "\n\n" },
    { "— sig\n", "— sig" },
  };
  g_autoptr(GString) many = g_string_new ("c2sp.org/tlog-proof@v1\nindex 5\n");
  g_autoptr(CwTlogProof) good = cw_tlog_proof_parse (GOOD, -1, NULL);

  g_assert_nonnull (good);
  g_assert_cmpuint (good->proof->len, ==, 2);
  for (gsize i = 0; i < G_N_ELEMENTS (replacements); i++)
    {
      g_autofree char *bad = replace_once (GOOD, replacements[i][0], replacements[i][1]);

      expect_invalid (bad);
    }

  expect_invalid ("");
  expect_invalid ("c2sp.org/tlog-proof@v1");
  expect_invalid ("c2sp.org/tlog-proof@v1\n");
  expect_invalid ("c2sp.org/tlog-proof@v1\nindex 5\n");
  expect_invalid ("c2sp.org/tlog-proof@v1\nindex 5\n\n");

  /* More hashes than any 64-bit tree needs. */
  for (guint i = 0; i < CW_MERKLE_MAX_PROOF_LENGTH + 1; i++)
    g_string_append (many, H0 "\n");
  g_string_append (many, "\nlog\n");
  expect_invalid (many->str);

  /* A NUL byte inside an explicitly sized text. */
  {
    g_autofree char *copy = g_strdup (GOOD);

    copy[strlen (copy) - 3] = '\0';
    g_assert_null (cw_tlog_proof_parse (copy, strlen (GOOD), NULL));
  }
}

static void
test_accepts_largest_index (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTlogProof) parsed =
    cw_tlog_proof_parse ("c2sp.org/tlog-proof@v1\nindex 18446744073709551615\n\nc\n", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (parsed->index, ==, G_MAXUINT64);
  g_assert_cmpuint (parsed->proof->len, ==, 0);
  g_assert_null (parsed->extra);
}

/* cw_tlog_proof_format_flat() writes what cw_tlog_proof_format() writes
 * for the same parts, and it parses back to them; no hashes is a proof of
 * a tree of one. */
static void
test_format_flat (void)
{
  const char *note = "example.org/log\n2\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
  guint8 hashes[3 * CW_MERKLE_HASH_SIZE];

  for (guint i = 0; i < sizeof hashes; i++)
    hashes[i] = (guint8) (i * 7);

  for (guint n = 0; n <= 3; n++)
    {
      g_autoptr(GPtrArray) proof = cw_merkle_proof_new_from_flat (hashes, n);
      g_autoptr(CwTlogProof) bundle = cw_tlog_proof_new (5, proof, note, NULL);
      g_autofree char *expected = cw_tlog_proof_format (bundle);
      g_autofree char *text = cw_tlog_proof_format_flat (5, n > 0 ? hashes : NULL, n, note);
      g_autoptr(CwTlogProof) parsed = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (text, ==, expected);
      parsed = cw_tlog_proof_parse (text, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (parsed->index, ==, 5);
      g_assert_cmpuint (parsed->proof->len, ==, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (parsed->proof, i), NULL),
                         CW_MERKLE_HASH_SIZE, hashes + i * CW_MERKLE_HASH_SIZE, CW_MERKLE_HASH_SIZE);
      g_assert_cmpstr (parsed->checkpoint, ==, note);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tlog-proof/round-trip", test_round_trip);
  g_test_add_func ("/tlog-proof/exact-format", test_exact_format);
  g_test_add_func ("/tlog-proof/format-flat", test_format_flat);
  g_test_add_func ("/tlog-proof/largest-index", test_accepts_largest_index);
  g_test_add_func ("/tlog-proof/reject/flipped-bits", test_flipped_bits);
  g_test_add_func ("/tlog-proof/reject/truncation", test_truncation);
  g_test_add_func ("/tlog-proof/reject/malformed", test_malformed);

  return g_test_run ();
}
