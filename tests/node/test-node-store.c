/* test-node-store.c: unit tests of the node's storage, directory, invites,
 * config and field rules, without a server. */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-node-config.h"
#include "cw-node-directory.h"
#include "cw-node-invite.h"
#include "cw-node-store-sqlite.h"
#include "node-test-util.h"

typedef struct
{
  char *tmpdir;
  char *db_path;
  CwNodeStore *store;
  CwNodeDirectory *directory;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint8 empty_root[CW_HASH_SIZE];

  fixture->tmpdir = node_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->tmpdir, "node.db", NULL);
  fixture->store = cw_node_store_sqlite_new (fixture->db_path, TRUE, &error);
  g_assert_no_error (error);

  cw_sha256 (NULL, 0, empty_root);
  cw_node_store_initialize (fixture->store, "test.example/log", empty_root, &error);
  g_assert_no_error (error);

  fixture->directory = cw_node_directory_new (fixture->store, 3);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->directory);
  g_clear_object (&fixture->store);
  node_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->db_path);
}

static GBytes *
random_key (void)
{
  guint8 key[32];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = g_random_int_range (0, 256);

  return g_bytes_new (key, sizeof key);
}

static CwNodeProvider *
add_provider (Fixture    *fixture,
              const char *id,
              const char *name,
              const char *organization)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = random_key ();
  CwNodeProvider *provider;

  provider = cw_node_directory_add (fixture->directory, id, name, organization,
                                    CW_NODE_PROVIDER_KIND_PRACTICE, key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (provider);

  return provider;
}

static void
test_schema (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(CwNodeStore) again = NULL;
  g_autoptr(CwNodeStore) newer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *junk_path = g_build_filename (fixture->tmpdir, "junk.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (node_test_file_mode (fixture->db_path), ==, 0600);

  /* Creating over an existing file is refused. */
  again = cw_node_store_sqlite_new (fixture->db_path, TRUE, &error);
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS);
  g_assert_null (again);
  g_clear_error (&error);

  /* Reopening finds the same log at the current schema version. */
  again = cw_node_store_sqlite_new (fixture->db_path, FALSE, &error);
  g_assert_no_error (error);
  origin = cw_node_store_dup_origin (again, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (origin, ==, "test.example/log");
  g_clear_object (&again);

  g_assert_cmpint (sqlite3_open (fixture->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, CW_NODE_STORE_SQLITE_SCHEMA_VERSION);
  sqlite3_finalize (stmt);

  /* A database from a newer consent-node is refused, not downgraded. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_clear_object (&fixture->directory);
  g_clear_object (&fixture->store);
  newer = cw_node_store_sqlite_new (fixture->db_path, FALSE, &error);
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_VERSION);
  g_assert_null (newer);
  g_clear_error (&error);

  /* Not a database at all. */
  g_file_set_contents (junk_path, "this is not sqlite, just some text padding it out......"
                       "...........................................................", -1, &error);
  g_assert_no_error (error);
  newer = cw_node_store_sqlite_new (junk_path, FALSE, &error);
  g_assert_nonnull (error);
  g_assert_null (newer);
}

static void
test_tree_and_checkpoints (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) hashes = NULL;
  g_autofree char *note = NULL;
  guint8 root[CW_HASH_SIZE];
  guint8 empty_root[CW_HASH_SIZE];
  guint8 other_root[CW_HASH_SIZE] = { 1 };
  guint64 size = 99;
  guint64 tree_size = 99;

  cw_sha256 (NULL, 0, empty_root);
  g_assert_true (cw_node_store_get_tree_head (fixture->store, &size, root, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 0);
  g_assert_cmpmem (root, sizeof root, empty_root, sizeof empty_root);

  hashes = cw_node_store_load_tree_hashes (fixture->store, &tree_size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tree_size, ==, 0);
  g_assert_cmpuint (g_bytes_get_size (hashes), ==, 0);

  note = cw_node_store_dup_latest_checkpoint (fixture->store, &size, &error);
  g_assert_no_error (error);
  g_assert_null (note);

  /* Only the committed head may be published. */
  g_assert_false (cw_node_store_add_checkpoint (fixture->store, 1, empty_root, "x\n", 0, &error));
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (cw_node_store_add_checkpoint (fixture->store, 0, other_root, "x\n", 0, &error));
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_true (cw_node_store_add_checkpoint (fixture->store, 0, empty_root, "signed\n", 0, &error));
  g_assert_no_error (error);
  note = cw_node_store_dup_latest_checkpoint (fixture->store, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (note, ==, "signed\n");
  g_assert_cmpuint (size, ==, 0);

  /* initialize() happens once per database. */
  g_assert_false (cw_node_store_initialize (fixture->store, "other/log", empty_root, &error));
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS);
}

static void
test_providers (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CwNodeProvider) a = add_provider (fixture, "gp-riverside", "Riverside GP", "Riverside Health");
  g_autoptr(CwNodeProvider) b = add_provider (fixture, "aerzte-nord", "ÄRZTEHAUS Nord", "Nord 100% Gesund");
  g_autoptr(CwNodeProvider) c = add_provider (fixture, "lab-1", "Central Lab", "Riverside Health");
  g_autoptr(CwNodeProvider) d = add_provider (fixture, "pharm", "Pharmacy", "Chemists");
  g_autoptr(CwNodeProvider) found = NULL;
  g_autoptr(CwNodeProvider) dup = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gboolean truncated = TRUE;
  guint64 count = 0;

  found = cw_node_directory_lookup (fixture->directory, "lab-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_node_provider_get_name (found), ==, "Central Lab");
  g_assert_true (g_bytes_equal (cw_node_provider_get_public_key (found),
                                cw_node_provider_get_public_key (c)));
  g_clear_object (&found);

  /* Case-insensitive beyond ASCII, on name and organization. */
  results = cw_node_directory_search (fixture->directory, "ärztehaus", &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_false (truncated);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = cw_node_directory_search (fixture->directory, "RIVERSIDE", &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* '%' and '_' are not wildcards. */
  results = cw_node_directory_search (fixture->directory, "100%", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = cw_node_directory_search (fixture->directory, "%", NULL, &error);
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = cw_node_directory_search (fixture->directory, "_", NULL, &error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* The cap (3 here) holds, and says so. */
  results = cw_node_directory_search (fixture->directory, NULL, &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_true (truncated);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Duplicate ID, duplicate key. */
  dup = cw_node_directory_add (fixture->directory, "lab-1", "Other", "Other",
                               CW_NODE_PROVIDER_KIND_LAB, cw_node_provider_get_public_key (d), &error);
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS);
  g_assert_null (dup);
  g_clear_error (&error);
  dup = cw_node_directory_add (fixture->directory, "lab-2", "Other", "Other",
                               CW_NODE_PROVIDER_KIND_LAB, cw_node_provider_get_public_key (d), &error);
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  /* Removal hides the provider and keeps its ID reserved. */
  g_assert_true (cw_node_directory_remove (fixture->directory, "lab-1", &error));
  g_assert_no_error (error);
  found = cw_node_directory_lookup (fixture->directory, "lab-1", &error);
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cw_node_directory_remove (fixture->directory, "lab-1", &error));
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr(GBytes) key = random_key ();

    dup = cw_node_directory_add (fixture->directory, "lab-1", "Central Lab", "Riverside Health",
                                 CW_NODE_PROVIDER_KIND_LAB, key, &error);
    g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS);
    g_clear_error (&error);
  }

  g_assert_true (cw_node_store_count_providers (fixture->store, &count, &error));
  g_assert_cmpuint (count, ==, 3);

  /* Lookups of things that are not IDs never reach the store. */
  found = cw_node_directory_lookup (fixture->directory, "../etc", &error);
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND);
  g_assert_null (found);
}

static void
test_provider_fields (void)
{
  static const char * const good_ids[] = { "a", "0", "gp-1", "a-b-c", "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz0" };
  static const char * const bad_ids[] = { "", "-", "-a", "a-", "A", "a_b", "a b", "a.b", "é",
                                          "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz01" };
  static const char * const bad_texts[] = { "", " lead", "trail ", "tab\there", "new\nline",
                                            "\x01", "bad \xff utf8", "zero\u200bwidth" };
  g_autoptr(GBytes) key = random_key ();
  g_autoptr(GBytes) short_key = g_bytes_new ("abc", 3);
  g_autofree char *long_text = g_strnfill (201, 'x');
  g_autofree char *max_text = g_strnfill (200, 'x');
  CwNodeProviderKind kind;

  g_assert_cmpuint (strlen (good_ids[4]), ==, 64);
  for (guint i = 0; i < G_N_ELEMENTS (good_ids); i++)
    g_assert_true (cw_node_provider_id_is_valid (good_ids[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    g_assert_false (cw_node_provider_id_is_valid (bad_ids[i]));
  g_assert_false (cw_node_provider_id_is_valid (NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad_texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CwNodeProvider) p = NULL;

      p = cw_node_provider_new ("ok", bad_texts[i], "Org", CW_NODE_PROVIDER_KIND_LAB, key, 0, &error);
      g_assert_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_NAME);
      g_assert_null (p);
      g_clear_error (&error);
      p = cw_node_provider_new ("ok", "Name", bad_texts[i], CW_NODE_PROVIDER_KIND_LAB, key, 0, &error);
      g_assert_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_ORGANIZATION);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CwNodeProvider) p = NULL;

    p = cw_node_provider_new ("ok", long_text, "Org", CW_NODE_PROVIDER_KIND_LAB, key, 0, &error);
    g_assert_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_NAME);
    g_clear_error (&error);
    p = cw_node_provider_new ("ok", "Name", "Org", CW_NODE_PROVIDER_KIND_LAB, short_key, 0, &error);
    g_assert_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_KEY);
    g_clear_error (&error);
    p = cw_node_provider_new ("ok", max_text, "Ärzte & Co.", CW_NODE_PROVIDER_KIND_LAB, key, 0, &error);
    g_assert_no_error (error);
    g_assert_nonnull (p);
  }

  g_assert_true (cw_node_provider_kind_from_string ("research", &kind));
  g_assert_cmpint (kind, ==, CW_NODE_PROVIDER_KIND_RESEARCH);
  g_assert_false (cw_node_provider_kind_from_string ("Research", &kind));
  g_assert_false (cw_node_provider_kind_from_string ("", &kind));
}

static void
test_invites (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CwNodeProvider) clinic = add_provider (fixture, "clinic", "Clinic", "Clinic Org");
  g_autoptr(GRegex) format = g_regex_new ("^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$", 0, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *code2 = NULL;
  g_autofree char *lower = NULL;
  guint8 hash1[CW_HASH_SIZE];
  guint8 hash2[CW_HASH_SIZE];
  gint64 now = 1700000000;
  guint64 count = 0;

  code = cw_node_invite_create (fixture->store, "clinic", now, now + 3600, &error);
  g_assert_no_error (error);
  g_assert_true (g_regex_match (format, code, 0, NULL));
  code2 = cw_node_invite_create (fixture->store, "clinic", now, now + 60, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, !=, code2);

  /* Typed in any case, with or without the dashes, it is the same code. */
  lower = g_ascii_strdown (code, -1);
  g_strdelimit (lower, "-", ' ');
  g_assert_true (cw_node_invite_hash_code (code, hash1, &error));
  g_assert_true (cw_node_invite_hash_code (lower, hash2, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (hash1, sizeof hash1, hash2, sizeof hash2);

  g_assert_false (cw_node_invite_hash_code ("ABCDE-FGHIJ-KLMNO-PQRS1", hash1, &error));
  g_assert_error (error, CW_NODE_INVITE_ERROR, CW_NODE_INVITE_ERROR_INVALID_CODE);
  g_clear_error (&error);
  g_assert_false (cw_node_invite_hash_code ("ABCDE", hash1, &error));
  g_assert_error (error, CW_NODE_INVITE_ERROR, CW_NODE_INVITE_ERROR_INVALID_CODE);
  g_clear_error (&error);

  /* Registering the same code twice is refused. */
  g_assert_true (cw_node_invite_hash_code (code, hash1, &error));
  g_assert_false (cw_node_store_add_invite (fixture->store, hash1, "clinic", now, now + 10, &error));
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_null (cw_node_invite_create (fixture->store, "nobody", now, now + 60, &error));
  g_assert_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (cw_node_store_count_pending_invites (fixture->store, now, &count, &error));
  g_assert_cmpuint (count, ==, 2);
  g_assert_true (cw_node_store_count_pending_invites (fixture->store, now + 120, &count, &error));
  g_assert_cmpuint (count, ==, 1);

  /* A removed clinic's unused invites go with it. */
  g_assert_true (cw_node_directory_remove (fixture->directory, "clinic", &error));
  g_assert_true (cw_node_store_count_pending_invites (fixture->store, now, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 0);
}

static void
test_expiry (void)
{
  static const struct {
    const char *text;
    gint64 expected;   /* offset from now; 0 = invalid */
  } cases[] = {
    { "90m", 90 * 60 },
    { "12h", 12 * 3600 },
    { "7d", 7 * 86400 },
    { "2w", 14 * 86400 },
    { "3600s", 3600 },
    { "365d", 365 * 86400 },
    { "2023-11-14T22:13:20Z", 100 },
    { "2023-11-15T00:13:20+02:00", 100 },
    { "366d", 0 },
    { "0s", 0 },
    { "-1d", 0 },
    { "d", 0 },
    { "1y", 0 },
    { "07d", 0 },
    { "1 d", 0 },
    { "99999999999999999999d", 0 },
    { "2023-11-15T22:13:20", 0 },      /* no zone */
    { "2023-11-15", 0 },
    { "2020-01-01T00:00:00Z", 0 },     /* past */
    { "2030-01-01T00:00:00Z", 0 },     /* too far */
    { "tomorrow", 0 },
    { "", 0 },
  };
  const gint64 now = 1700000000 - 100;   /* 2023-11-14T22:11:40Z */
  gint64 expires;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = cw_node_invite_parse_expiry (cases[i].text, now, &expires, &error);

      g_test_message ("expiry “%s”", cases[i].text);
      if (cases[i].expected == 0)
        {
          g_assert_false (ok);
          g_assert_error (error, CW_NODE_INVITE_ERROR, CW_NODE_INVITE_ERROR_INVALID_EXPIRY);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpint (expires - now, ==, cases[i].expected);
        }
    }

  g_assert_true (cw_node_invite_parse_expiry (NULL, now, &expires, NULL));
  g_assert_cmpint (expires - now, ==, 7 * 86400);
}

static void
test_listen_address (void)
{
  static const char * const good[] = { "127.0.0.1:0", "127.0.0.1:8443", "[::1]:443", "0.0.0.0:65535" };
  static const char * const bad[] = { "", "127.0.0.1", "localhost:80", "127.0.0.1:65536",
                                      "127.0.0.1:-1", "127.0.0.1:08", "::1:80", "[::1]80",
                                      "127.0.0.1: 80", ":80", "[127.0.0.1:80" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = cw_node_config_parse_listen (good[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (address);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = cw_node_config_parse_listen (bad[i], &error);

      g_test_message ("listen “%s”", bad[i]);
      g_assert_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID);
      g_assert_null (address);
    }
}

static void
test_config_roundtrip (void)
{
  g_autofree char *tmpdir = node_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (tmpdir, "node.conf", NULL);
  g_autofree char *db_path = NULL;
  g_autoptr(CwNodeConfig) config = cw_node_config_new (tmpdir, "example.org/log");
  g_autoptr(CwNodeConfig) loaded = NULL;
  g_autoptr(GError) error = NULL;

  cw_node_config_set_listen (config, "127.0.0.1:0");
  g_assert_true (cw_node_config_save (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (node_test_file_mode (path), ==, 0600);

  /* Never overwritten. */
  g_assert_false (cw_node_config_save (config, path, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  loaded = cw_node_config_load (path, tmpdir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_node_config_get_origin (loaded), ==, "example.org/log");
  g_assert_cmpstr (cw_node_config_get_listen (loaded), ==, "127.0.0.1:0");
  g_assert_cmpuint (cw_node_config_get_max_search_results (loaded), ==, 50);
  db_path = cw_node_config_get_database_path (loaded);
  g_assert_true (g_str_has_prefix (db_path, tmpdir));
  g_clear_object (&loaded);

  /* Out-of-range and malformed values are refused with the key's name. */
  g_assert_true (g_file_set_contents (path,
                                      "[node]\norigin=example.org/log\n"
                                      "[limits]\nmax-body-size=12\n", -1, NULL));
  loaded = cw_node_config_load (path, tmpdir, &error);
  g_assert_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "max-body-size"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "[node]\norigin=has space\n", -1, NULL));
  loaded = cw_node_config_load (path, tmpdir, &error);
  g_assert_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "not a key file", -1, NULL));
  loaded = cw_node_config_load (path, tmpdir, &error);
  g_assert_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_IO);

  node_test_remove_tree (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/store/schema", Fixture, NULL, fixture_setup, test_schema, fixture_teardown);
  g_test_add ("/node/store/tree-and-checkpoints", Fixture, NULL, fixture_setup,
              test_tree_and_checkpoints, fixture_teardown);
  g_test_add ("/node/store/providers", Fixture, NULL, fixture_setup, test_providers,
              fixture_teardown);
  g_test_add ("/node/store/invites", Fixture, NULL, fixture_setup, test_invites, fixture_teardown);
  g_test_add_func ("/node/provider/fields", test_provider_fields);
  g_test_add_func ("/node/invite/expiry", test_expiry);
  g_test_add_func ("/node/config/listen-address", test_listen_address);
  g_test_add_func ("/node/config/roundtrip", test_config_roundtrip);

  return g_test_run ();
}
