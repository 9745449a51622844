/* test-merkle-vectors.c: runs every RFC 6962 / RFC 9162 proof vector in
 * shared/testvectors/merkle (transparency-dev/merkle testdata) through
 * cw-merkle, read from $CW_TESTVECTORS_DIR at test time. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cw-encoding.h"
#include "cw-merkle.h"

#define EXPECTED_VECTOR_COUNT 196

static char *
merkle_dir (void)
{
  const char *base = g_getenv ("CW_TESTVECTORS_DIR");

  g_assert_nonnull (base);
  return g_build_filename (base, "merkle", NULL);
}

static gboolean
decode_hash (JsonObject  *obj,
             const char  *member,
             guint8       out[CW_MERKLE_HASH_SIZE],
             GError     **error)
{
  g_autoptr(GBytes) bytes = cw_base64_decode (json_object_get_string_member (obj, member),
                                              -1, error);

  return bytes != NULL && cw_merkle_hash_from_bytes (bytes, out, error);
}

static GPtrArray *
decode_proof (JsonObject  *obj,
              GError     **error)
{
  g_autoptr(GPtrArray) proof = cw_merkle_proof_new ();
  JsonNode *node = json_object_get_member (obj, "proof");
  JsonArray *array;

  if (JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&proof);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      GBytes *hash = cw_base64_decode (json_array_get_string_element (array, i), -1, error);

      if (hash == NULL)
        return NULL;
      g_ptr_array_add (proof, hash);
    }
  return g_steal_pointer (&proof);
}

static gboolean
run_inclusion (JsonObject  *obj,
               GError     **error)
{
  guint8 root[CW_MERKLE_HASH_SIZE], leaf[CW_MERKLE_HASH_SIZE];
  g_autoptr(GPtrArray) proof = NULL;

  if (!decode_hash (obj, "root", root, error) ||
      !decode_hash (obj, "leafHash", leaf, error) ||
      !(proof = decode_proof (obj, error)))
    return FALSE;

  return cw_merkle_verify_inclusion (json_object_get_int_member (obj, "leafIdx"),
                                     json_object_get_int_member (obj, "treeSize"),
                                     leaf, root, proof, error);
}

static gboolean
run_consistency (JsonObject  *obj,
                 GError     **error)
{
  g_autoptr(GBytes) root1 = NULL;
  g_autoptr(GBytes) root2 = NULL;
  g_autoptr(GPtrArray) proof = NULL;

  /* Roots go in as received: one case compares two equal 12-byte roots of
   * equal-size trees, which RFC 9162 §2.1.4.2 step 1 accepts. */
  if (!(root1 = cw_base64_decode (json_object_get_string_member (obj, "root1"), -1, error)) ||
      !(root2 = cw_base64_decode (json_object_get_string_member (obj, "root2"), -1, error)) ||
      !(proof = decode_proof (obj, error)))
    return FALSE;

  return cw_merkle_verify_consistency_bytes (json_object_get_int_member (obj, "size1"),
                                             json_object_get_int_member (obj, "size2"),
                                             root1, root2, proof, error);
}

static void
check_vector (const char *path,
              const char *relpath)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) verify_error = NULL;
  JsonObject *obj;
  gboolean ok, want_err;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  want_err = json_object_get_boolean_member (obj, "wantErr");

  if (g_str_has_prefix (relpath, "inclusion"))
    ok = run_inclusion (obj, &verify_error);
  else
    ok = run_consistency (obj, &verify_error);

  if (ok == want_err)
    g_error ("%s: wantErr %d but verification %s (%s)", relpath, want_err,
             ok ? "passed" : "failed", verify_error ? verify_error->message : "");
}

static void
walk_dir (const char *root,
          const char *relpath,
          guint      *count)
{
  g_autofree char *path = g_build_filename (root, relpath, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child_rel = relpath[0] ? g_strconcat (relpath, "/", name, NULL)
                                              : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        walk_dir (root, child_rel, count);
      else if (g_str_has_suffix (name, ".json"))
        {
          check_vector (child, child_rel);
          (*count)++;
        }
    }
}

static void
test_all_vectors (void)
{
  g_autofree char *root = merkle_dir ();
  guint n_inclusion = 0, n_consistency = 0;

  walk_dir (root, "inclusion", &n_inclusion);
  walk_dir (root, "consistency", &n_consistency);
  g_test_message ("%u inclusion and %u consistency vectors", n_inclusion, n_consistency);
  g_assert_cmpuint (n_inclusion, >, 0);
  g_assert_cmpuint (n_consistency, >, 0);
  g_assert_cmpuint (n_inclusion + n_consistency, ==, EXPECTED_VECTOR_COUNT);
}

/* Known-answer root from the README: the eight RFC 6962 test leaves. */
static void
test_known_root (void)
{
  static const char *const leaves_hex[] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
  };
  guint8 hashes[8][CW_MERKLE_HASH_SIZE];
  g_autofree char *root_hex = NULL;

  for (guint i = 0; i < 8; i++)
    {
      gsize len = strlen (leaves_hex[i]) / 2;
      g_autofree guint8 *data = g_malloc0 (len + 1);

      g_assert_true (len == 0 || cw_hex_decode_fixed (leaves_hex[i], -1, data, len, NULL));
      cw_merkle_hash_leaf (data, len, hashes[i]);
    }
  for (guint width = 1; width < 8; width *= 2)
    for (guint i = 0; i + width < 8; i += 2 * width)
      cw_merkle_hash_node (hashes[i], hashes[i + width], hashes[i]);

  root_hex = cw_hex_encode (hashes[0], CW_MERKLE_HASH_SIZE);
  g_assert_cmpstr (root_hex, ==,
                   "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

static void
test_empty_tree (void)
{
  guint8 empty[CW_MERKLE_HASH_SIZE];
  g_autofree char *hex = NULL;

  cw_merkle_hash_empty (empty);
  hex = cw_hex_encode (empty, CW_MERKLE_HASH_SIZE);
  g_assert_cmpstr (hex, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/merkle/vectors/all", test_all_vectors);
  g_test_add_func ("/merkle/known-root/size-8", test_known_root);
  g_test_add_func ("/merkle/empty-tree", test_empty_tree);

  return g_test_run ();
}
