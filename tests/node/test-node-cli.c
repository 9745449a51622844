/* test-node-cli.c: integration tests of the consent-node admin commands,
 * run as a separate process in a temporary directory. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "node-test-util.h"

#define ORIGIN "consent.test/log"

typedef struct
{
  char *tmpdir;
  char *dir;        /* the node directory, initialized */
  char *init_out;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(NodeRun) run = NULL;

  fixture->tmpdir = node_test_make_tmpdir ();
  fixture->dir = g_build_filename (fixture->tmpdir, "node", NULL);

  run = node_test_run ("init", "--dir", fixture->dir, "--origin", ORIGIN,
                       "--listen", "127.0.0.1:0", NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  fixture->init_out = g_steal_pointer (&run->out);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  node_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->dir);
  g_free (fixture->init_out);
}

static char *
node_file (Fixture    *fixture,
           const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static char *
provider_list_json (Fixture *fixture)
{
  g_autoptr(NodeRun) run = node_test_run ("provider", "list", "--dir", fixture->dir, "--json", NULL);

  g_assert_cmpint (run->exit_status, ==, 0);

  return g_steal_pointer (&run->out);
}

static void
test_help (void)
{
  static const char * const commands[][3] = {
    { "init", NULL }, { "serve", NULL }, { "invite", NULL }, { "status", NULL },
    { "provider", "add" }, { "provider", "list" }, { "provider", "remove" },
  };
  g_autoptr(NodeRun) top = node_test_run ("--help", NULL);
  static const char * const no_args[] = { NULL };
  g_autoptr(NodeRun) none = node_test_runv (no_args);
  g_autoptr(NodeRun) unknown = node_test_run ("frobnicate", NULL);
  g_autoptr(NodeRun) provider_none = node_test_run ("provider", NULL);
  g_autoptr(NodeRun) bad_option = node_test_run ("status", "--bogus", NULL);
  g_autoptr(NodeRun) extra = node_test_run ("status", "--dir", "/nonexistent", "extra", NULL);

  g_assert_cmpint (top->exit_status, ==, 0);
  g_assert_nonnull (strstr (top->out, "provider"));
  g_assert_cmpint (none->exit_status, ==, 2);
  g_assert_cmpint (unknown->exit_status, ==, 2);
  g_assert_nonnull (strstr (unknown->err, "frobnicate"));
  g_assert_cmpint (provider_none->exit_status, ==, 2);
  g_assert_cmpint (bad_option->exit_status, ==, 2);
  g_assert_nonnull (strstr (bad_option->err, "--help"));
  g_assert_cmpint (extra->exit_status, ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[4] = { commands[i][0], commands[i][1], NULL, NULL };
      g_autoptr(NodeRun) run = NULL;

      args[commands[i][1] != NULL ? 2 : 1] = "--help";
      run = node_test_runv (args);
      g_assert_cmpint (run->exit_status, ==, 0);
      g_assert_nonnull (strstr (run->out, "Usage:"));
      g_assert_nonnull (strstr (run->out, "--dir"));
    }
}

static void
test_init (Fixture       *fixture,
           gconstpointer  data)
{
  static const char * const private_files[] = {
    "log.key", "node.conf", "node.db", "tls-cert.pem", "tls-key.pem",
  };
  g_autofree char *verifier = node_test_get_field (fixture->init_out, "verifier-key");
  g_autofree char *pin = node_test_get_field (fixture->init_out, "tls-pin");
  g_autofree char *log_key_path = node_file (fixture, "log.key");
  g_autofree char *log_key = NULL;
  g_autofree char *log_key_after = NULL;
  g_autoptr(NodeRun) again = NULL;
  g_autoptr(NodeRun) status = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (node_test_file_mode (fixture->dir), ==, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (private_files); i++)
    {
      g_autofree char *path = node_file (fixture, private_files[i]);

      g_test_message ("%s", private_files[i]);
      g_assert_cmpint (node_test_file_mode (path), ==, 0600);
    }

  g_assert_nonnull (verifier);
  g_assert_true (g_str_has_prefix (verifier, ORIGIN "+"));
  g_assert_nonnull (pin);
  g_assert_cmpuint (strlen (pin), ==, 44);

  g_file_get_contents (log_key_path, &log_key, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (log_key, "PRIVATE+KEY+" ORIGIN "+"));

  /* A second init over it is refused and changes nothing. */
  again = node_test_run ("init", "--dir", fixture->dir, "--origin", "other/log", NULL);
  g_assert_cmpint (again->exit_status, ==, 1);
  g_assert_nonnull (strstr (again->err, "refusing to overwrite"));
  g_file_get_contents (log_key_path, &log_key_after, NULL, &error);
  g_assert_cmpstr (log_key, ==, log_key_after);

  status = node_test_run ("status", "--dir", fixture->dir, NULL);
  g_assert_cmpint (status->exit_status, ==, 0);
  {
    g_autofree char *origin = node_test_get_field (status->out, "origin");
    g_autofree char *size = node_test_get_field (status->out, "tree-size");
    g_autofree char *providers = node_test_get_field (status->out, "providers");
    g_autofree char *invites = node_test_get_field (status->out, "pending-invites");
    g_autofree char *status_verifier = node_test_get_field (status->out, "verifier-key");
    g_autofree char *status_pin = node_test_get_field (status->out, "tls-pin");

    g_assert_cmpstr (origin, ==, ORIGIN);
    g_assert_cmpstr (size, ==, "0");
    g_assert_cmpstr (providers, ==, "0");
    g_assert_cmpstr (invites, ==, "0");
    g_assert_cmpstr (status_verifier, ==, verifier);
    g_assert_cmpstr (status_pin, ==, pin);
  }
}

static void
test_init_existing_empty_dir (void)
{
  g_autofree char *tmpdir = node_test_make_tmpdir ();
  g_autofree char *dir = g_build_filename (tmpdir, "empty", NULL);
  g_autoptr(NodeRun) run = NULL;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  run = node_test_run ("init", "--dir", dir, "--origin", ORIGIN, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpint (node_test_file_mode (dir), ==, 0700);

  node_test_remove_tree (tmpdir);
}

static void
test_init_bad (void)
{
  static const struct {
    const char *args[10];
    int status;
  } cases[] = {
    { { "--origin", ORIGIN }, 2 },                                    /* no --dir */
    { { "--dir", "DIR" }, 2 },                                        /* no --origin */
    { { "--dir", "DIR", "--origin", "has space" }, 1 },
    { { "--dir", "DIR", "--origin", "a+b" }, 1 },
    { { "--dir", "DIR", "--origin", "" }, 1 },
    { { "--dir", "DIR", "--origin", ORIGIN, "--listen", "localhost:80" }, 1 },
    { { "--dir", "DIR", "--origin", ORIGIN, "--listen", "127.0.0.1:65536" }, 1 },
    { { "--dir", "DIR", "--origin", ORIGIN, "--cert", "/nonexistent.pem" }, 2 },
    { { "--dir", "DIR", "--origin", ORIGIN, "--cert", "/nonexistent.pem", "--key", "/nonexistent.key" }, 1 },
  };
  g_autofree char *tmpdir = node_test_make_tmpdir ();
  g_autofree char *dir = g_build_filename (tmpdir, "node", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[12] = { "init" };
      g_autoptr(NodeRun) run = NULL;

      for (guint j = 0; cases[i].args[j] != NULL; j++)
        args[j + 1] = g_str_equal (cases[i].args[j], "DIR") ? dir : cases[i].args[j];

      run = node_test_runv (args);
      g_assert_cmpint (run->exit_status, ==, cases[i].status);
      g_assert_cmpstr (run->err, !=, "");
      /* Nothing is left behind by a failed init. */
      g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
    }

  node_test_remove_tree (tmpdir);
}

static void
test_init_with_cert (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *cert = node_file (fixture, "tls-cert.pem");
  g_autofree char *key = node_file (fixture, "tls-key.pem");
  g_autofree char *other = g_build_filename (fixture->tmpdir, "other", NULL);
  g_autofree char *other_cert = g_build_filename (other, "tls-cert.pem", NULL);
  g_autofree char *pin = node_test_get_field (fixture->init_out, "tls-pin");
  g_autofree char *other_pin = NULL;
  g_autoptr(NodeRun) run = NULL;
  g_autoptr(NodeRun) mismatched = NULL;
  g_autofree char *log_key = node_file (fixture, "log.key");

  run = node_test_run ("init", "--dir", other, "--origin", "other.test/log",
                       "--cert", cert, "--key", key, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  other_pin = node_test_get_field (run->out, "tls-pin");
  g_assert_cmpstr (other_pin, ==, pin);
  g_assert_false (g_file_test (other_cert, G_FILE_TEST_EXISTS));
  node_test_remove_tree (other);

  /* A key that is not the certificate's is refused. */
  mismatched = node_test_run ("init", "--dir", other, "--origin", "other.test/log",
                              "--cert", cert, "--key", log_key, NULL);
  g_assert_cmpint (mismatched->exit_status, ==, 1);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
}

static void
test_provider (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *key_path = g_build_filename (fixture->tmpdir, "gp.key", NULL);
  g_autofree char *key_text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(NodeRun) add = NULL;
  g_autoptr(NodeRun) add2 = NULL;
  g_autoptr(NodeRun) list = NULL;
  g_autoptr(NodeRun) remove = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *providers;
  JsonObject *first;

  add = node_test_run ("provider", "add", "--dir", fixture->dir, "--id", "gp-riverside",
                       "--name", "Riverside GP Practice", "--organization", "Riverside Health",
                       "--kind", "practice", "--generate-key", key_path, NULL);
  g_assert_cmpint (add->exit_status, ==, 0);
  g_assert_cmpint (node_test_file_mode (key_path), ==, 0600);
  g_file_get_contents (key_path, &key_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (key_text, "PRIVATE+KEY+gp-riverside+"));

  add2 = node_test_run ("provider", "add", "--dir", fixture->dir, "--id", "lab-central",
                        "--name", "Central Laboratory", "--organization", "City Labs",
                        "--kind", "lab",
                        "--public-key", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", NULL);
  g_assert_cmpint (add2->exit_status, ==, 0);

  list = node_test_run ("provider", "list", "--dir", fixture->dir, NULL);
  g_assert_cmpint (list->exit_status, ==, 0);
  g_assert_nonnull (strstr (list->out, "gp-riverside\tpractice\tRiverside GP Practice"));
  g_assert_nonnull (strstr (list->out, "lab-central\tlab\tCentral Laboratory"));

  json = provider_list_json (fixture);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  providers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "providers");
  g_assert_cmpuint (json_array_get_length (providers), ==, 2);
  /* Ordered by name: "Central..." first. */
  first = json_array_get_object_element (providers, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, "lab-central");
  g_assert_cmpstr (json_object_get_string_member (first, "kind"), ==, "lab");
  g_assert_cmpstr (json_object_get_string_member (first, "public_key"), ==,
                   "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "verifier_key"),
                                   "lab-central+"));

  remove = node_test_run ("provider", "remove", "--dir", fixture->dir, "--id", "lab-central", NULL);
  g_assert_cmpint (remove->exit_status, ==, 0);
  g_clear_pointer (&list, node_run_free);
  list = node_test_run ("provider", "list", "--dir", fixture->dir, NULL);
  g_assert_null (strstr (list->out, "lab-central"));
  g_assert_nonnull (strstr (list->out, "gp-riverside"));
}

static void
test_provider_bad (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char good_key[] = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
  g_autofree char *long_name = g_strnfill (201, 'n');
  g_autofree char *existing_file = g_build_filename (fixture->tmpdir, "existing.key", NULL);
  g_autofree char *new_key_file = g_build_filename (fixture->tmpdir, "new.key", NULL);
  const struct {
    const char *args[16];
    int status;
  } cases[] = {
    /* IDs */
    { { "--id", "-gp", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "gp-", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "GP", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "g_p", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "exists", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", "9Y7d0dW+2bMPT7fqFrNfGk7m9Xz3MOXYZ7yvwXYBSzs=" }, 1 },
    /* names and organizations */
    { { "--id", "x", "--name", "", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "x", "--name", " N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "x", "--name", "a\001b", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "x", "--name", long_name, "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },
    { { "--id", "x", "--name", "N", "--organization", "", "--kind", "lab", "--public-key", good_key }, 1 },
    /* kind */
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "doctor", "--public-key", good_key }, 2 },
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "LAB", "--public-key", good_key }, 2 },
    /* keys */
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "lab" }, 2 },
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key, "--generate-key", new_key_file }, 2 },
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", "not base64!" }, 1 },
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", "AAAA" }, 1 },
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUR=" }, 1 },
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo" }, 1 },
    { { "--id", "other", "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 1 },   /* key taken */
    { { "--id", "x", "--name", "N", "--organization", "O", "--kind", "lab", "--generate-key", existing_file }, 1 },
    { { "--id", "exists", "--name", "N", "--organization", "O", "--kind", "lab", "--generate-key", new_key_file }, 1 },
    /* missing fields */
    { { "--id", "x", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 2 },
    { { "--name", "N", "--organization", "O", "--kind", "lab", "--public-key", good_key }, 2 },
  };
  g_autoptr(NodeRun) setup = NULL;
  g_autofree char *before = NULL;
  g_autofree char *existing_before = NULL;

  setup = node_test_run ("provider", "add", "--dir", fixture->dir, "--id", "exists", "--name", "N",
                         "--organization", "O", "--kind", "lab", "--public-key", good_key, NULL);
  g_assert_cmpint (setup->exit_status, ==, 0);
  g_assert_true (g_file_set_contents (existing_file, "keep me", -1, NULL));

  before = provider_list_json (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[20] = { "provider", "add", "--dir", fixture->dir };
      g_autoptr(NodeRun) run = NULL;
      g_autofree char *after = NULL;

      for (guint j = 0; cases[i].args[j] != NULL; j++)
        args[j + 4] = cases[i].args[j];

      run = node_test_runv (args);
      g_assert_cmpint (run->exit_status, ==, cases[i].status);
      g_assert_true (g_str_has_prefix (run->err, "consent-node provider add: "));

      after = provider_list_json (fixture);
      g_assert_cmpstr (after, ==, before);
      g_assert_false (g_file_test (new_key_file, G_FILE_TEST_EXISTS));
    }

  g_file_get_contents (existing_file, &existing_before, NULL, NULL);
  g_assert_cmpstr (existing_before, ==, "keep me");

  /* remove: unknown and malformed IDs */
  {
    g_autoptr(NodeRun) unknown = node_test_run ("provider", "remove", "--dir", fixture->dir,
                                                "--id", "nobody", NULL);
    g_autoptr(NodeRun) malformed = node_test_run ("provider", "remove", "--dir", fixture->dir,
                                                  "--id", "../x", NULL);
    g_autoptr(NodeRun) missing = node_test_run ("provider", "remove", "--dir", fixture->dir, NULL);
    g_autoptr(NodeRun) no_dir = node_test_run ("provider", "list", "--dir", fixture->tmpdir, NULL);
    g_autofree char *after = provider_list_json (fixture);

    g_assert_cmpint (unknown->exit_status, ==, 1);
    g_assert_cmpint (malformed->exit_status, ==, 1);
    g_assert_cmpint (missing->exit_status, ==, 2);
    g_assert_cmpint (no_dir->exit_status, ==, 1);
    g_assert_nonnull (strstr (no_dir->err, "not a node directory"));
    g_assert_cmpstr (after, ==, before);
  }
}

static void
test_invite (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *key_path = g_build_filename (fixture->tmpdir, "clinic.key", NULL);
  g_autofree char *other_key_path = g_build_filename (fixture->tmpdir, "other.key", NULL);
  g_autofree char *db = node_file (fixture, "node.db");
  g_autofree char *db_wal = node_file (fixture, "node.db-wal");
  g_autofree char *code = NULL;
  g_autofree char *bare_code = NULL;
  g_autoptr(GRegex) format = g_regex_new ("^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}\n$", 0, 0, NULL);
  g_autoptr(NodeRun) add = NULL;
  g_autoptr(NodeRun) add_other = NULL;
  g_autoptr(NodeRun) invite = NULL;
  g_autoptr(NodeRun) later = NULL;
  g_autoptr(NodeRun) status = NULL;
  g_auto(GStrv) groups = NULL;

  add = node_test_run ("provider", "add", "--dir", fixture->dir, "--id", "clinic",
                       "--name", "Clinic", "--organization", "Clinic Org", "--kind", "practice",
                       "--generate-key", key_path, NULL);
  g_assert_cmpint (add->exit_status, ==, 0);
  add_other = node_test_run ("provider", "add", "--dir", fixture->dir, "--id", "other",
                             "--name", "Other", "--organization", "Other Org", "--kind", "lab",
                             "--generate-key", other_key_path, NULL);
  g_assert_cmpint (add_other->exit_status, ==, 0);

  invite = node_test_run ("invite", "--dir", fixture->dir, "--provider", "clinic",
                          "--key", key_path, "--expires", "2d", NULL);
  g_assert_cmpint (invite->exit_status, ==, 0);
  g_assert_true (g_regex_match (format, invite->out, 0, NULL));
  code = g_strstrip (g_strdup (invite->out));
  groups = g_strsplit (code, "-", -1);
  bare_code = g_strjoinv ("", groups);

  later = node_test_run ("invite", "--dir", fixture->dir, "--provider", "clinic",
                         "--key", key_path, "--expires", "2099-01-01T00:00:00Z", NULL);
  g_assert_cmpint (later->exit_status, ==, 1);
  g_clear_pointer (&later, node_run_free);
  later = node_test_run ("invite", "--dir", fixture->dir, "--provider", "clinic",
                         "--key", key_path, NULL);
  g_assert_cmpint (later->exit_status, ==, 0);

  /* Only a hash is stored: the code is nowhere in the database files. */
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_false (node_test_file_contains (db, code));
  g_assert_false (node_test_file_contains (db, bare_code));
  g_assert_false (node_test_file_contains (db_wal, code));
  g_assert_false (node_test_file_contains (db_wal, bare_code));

  /* Refusals: wrong key, unknown clinic, readable key file, bad expiry. */
  {
    g_autofree char *readable = g_build_filename (fixture->tmpdir, "readable.key", NULL);
    g_autofree char *key_text = NULL;
    const char *bad[][6] = {
      { "--provider", "clinic", "--key", other_key_path },
      { "--provider", "nobody", "--key", key_path },
      { "--provider", "clinic", "--key", readable },
      { "--provider", "clinic", "--key", "/nonexistent.key" },
      { "--provider", "clinic", "--key", db },
      { "--provider", "clinic", "--key", key_path, "--expires", "yesterday" },
      { "--provider", "clinic", "--key", key_path, "--expires", "-1d" },
      { "--provider", "clinic", "--key", key_path, "--expires", "400d" },
      { "--provider", "clinic", "--key", key_path, "--expires", "2001-01-01T00:00:00Z" },
    };

    g_assert_true (g_file_get_contents (key_path, &key_text, NULL, NULL));
    g_assert_true (g_file_set_contents (readable, key_text, -1, NULL));
    g_assert_cmpint (g_chmod (readable, 0644), ==, 0);

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        const char *args[10] = { "invite", "--dir", fixture->dir };
        g_autoptr(NodeRun) run = NULL;

        for (guint j = 0; j < 6 && bad[i][j] != NULL; j++)
          args[j + 3] = bad[i][j];
        run = node_test_runv (args);
        g_assert_cmpint (run->exit_status, ==, 1);
        g_assert_cmpstr (run->out, ==, "");
        g_assert_true (g_str_has_prefix (run->err, "consent-node invite: "));
      }
  }

  status = node_test_run ("status", "--dir", fixture->dir, NULL);
  g_assert_cmpint (status->exit_status, ==, 0);
  {
    g_autofree char *pending = node_test_get_field (status->out, "pending-invites");
    g_autofree char *providers = node_test_get_field (status->out, "providers");

    g_assert_cmpstr (pending, ==, "2");
    g_assert_cmpstr (providers, ==, "2");
  }

  /* Removing the clinic withdraws its unused invites. */
  {
    g_autoptr(NodeRun) remove = node_test_run ("provider", "remove", "--dir", fixture->dir,
                                               "--id", "clinic", NULL);
    g_autoptr(NodeRun) after = node_test_run ("status", "--dir", fixture->dir, NULL);
    g_autofree char *pending = node_test_get_field (after->out, "pending-invites");

    g_assert_cmpint (remove->exit_status, ==, 0);
    g_assert_cmpstr (pending, ==, "0");
  }
}

/* Witness mode itself is tested in test-witness.c. */
static void
test_witness_not_implemented (void)
{
  g_autoptr(NodeRun) init = node_test_run ("witness", "init", NULL);
  g_autoptr(NodeRun) serve = node_test_run ("witness", "serve", NULL);

  g_assert_cmpint (init->exit_status, ==, 2);
  g_assert_nonnull (strstr (init->err, "--dir is required"));
  g_assert_cmpint (serve->exit_status, ==, 2);
  g_assert_nonnull (strstr (serve->err, "--dir is required"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/node/cli/help", test_help);
  g_test_add ("/node/cli/init", Fixture, NULL, fixture_setup, test_init, fixture_teardown);
  g_test_add_func ("/node/cli/init-existing-empty-dir", test_init_existing_empty_dir);
  g_test_add_func ("/node/cli/init-bad", test_init_bad);
  g_test_add ("/node/cli/init-with-cert", Fixture, NULL, fixture_setup, test_init_with_cert,
              fixture_teardown);
  g_test_add ("/node/cli/provider", Fixture, NULL, fixture_setup, test_provider, fixture_teardown);
  g_test_add ("/node/cli/provider-bad", Fixture, NULL, fixture_setup, test_provider_bad,
              fixture_teardown);
  g_test_add ("/node/cli/invite", Fixture, NULL, fixture_setup, test_invite, fixture_teardown);
  g_test_add_func ("/node/cli/witness", test_witness_not_implemented);

  return g_test_run ();
}
