/* test-node-server.c: integration tests of `consent-node serve`: the real
 * binary on 127.0.0.1 with an ephemeral port, spoken to over HTTPS with its
 * certificate pinned. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cw-checkpoint.h"
#include "cw-encoding.h"
#include "node-test-util.h"

#define ORIGIN "consent.test/log"
#define MAX_RESULTS 3
#define MAX_BODY 2048

typedef struct
{
  char *tmpdir;
  char *dir;
  char *verifier_key;
  char *cert_path;
  NodeServer *server;
  SoupSession *session;
} Fixture;

static void
add_provider (Fixture    *fixture,
              const char *id,
              const char *name,
              const char *organization,
              const char *kind)
{
  g_autofree char *key_path = g_strdup_printf ("%s/%s.key", fixture->tmpdir, id);
  g_autoptr(NodeRun) run = node_test_run ("provider", "add", "--dir", fixture->dir, "--id", id,
                                          "--name", name, "--organization", organization,
                                          "--kind", kind, "--generate-key", key_path, NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
}

/* Lower limits than the defaults, so the tests can reach them. */
static void
set_limits (Fixture *fixture)
{
  g_autofree char *results = g_strdup_printf ("%d", MAX_RESULTS);
  g_autofree char *body = g_strdup_printf ("%d", MAX_BODY);

  node_test_set_config (fixture->dir, "limits", "max-search-results", results);
  node_test_set_config (fixture->dir, "limits", "max-body-size", body);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(NodeRun) init = NULL;

  fixture->tmpdir = node_test_make_tmpdir ();
  fixture->dir = g_build_filename (fixture->tmpdir, "node", NULL);
  init = node_test_run ("init", "--dir", fixture->dir, "--origin", ORIGIN,
                        "--listen", "127.0.0.1:0", NULL);
  g_assert_cmpint (init->exit_status, ==, 0);
  fixture->verifier_key = node_test_get_field (init->out, "verifier-key");
  fixture->cert_path = g_build_filename (fixture->dir, "tls-cert.pem", NULL);

  set_limits (fixture);
  add_provider (fixture, "gp-riverside", "Riverside GP Practice", "Riverside Health", "practice");
  add_provider (fixture, "cardio-stmary", "Cardiology Department", "St Mary's Hospital", "hospital");
  add_provider (fixture, "lab-central", "Central Laboratory", "Riverside Health", "lab");
  add_provider (fixture, "pharm-corner", "Corner Pharmacy", "Corner Chemists", "pharmacy");
  add_provider (fixture, "insure-one", "Member Services", "One Insurance", "insurer");

  fixture->server = node_test_server_start (fixture->dir);
  fixture->session = node_test_session_new (fixture->cert_path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->session);
  /* Kills the server if the test did not stop it. */
  g_clear_pointer (&fixture->server, node_test_server_free);
  node_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->dir);
  g_free (fixture->verifier_key);
  g_free (fixture->cert_path);
}

/* GETs @path and parses the JSON body. */
static JsonNode *
get_json (Fixture    *fixture,
          const char *method,
          const char *path,
          GBytes     *body,
          gboolean    chunked,
          guint       expected_status)
{
  g_autofree char *url = g_strconcat (fixture->server->url, path, NULL);
  g_autofree char *content_type = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint status;

  status = node_test_request (fixture->session, method, url, body, chunked, &response,
                              &content_type);
  g_test_message ("%s %s → %u", method, path, status);
  g_assert_cmpuint (status, ==, expected_status);
  g_assert_cmpstr (content_type, ==, "application/json");

  json_parser_load_from_data (parser, g_bytes_get_data (response, NULL),
                              g_bytes_get_size (response), &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

/* Checks the error shape exactly: {"error": {"code": ..., "message": ...}}. */
static void
assert_api_error (JsonNode   *root,
                  const char *code)
{
  JsonObject *object;
  JsonObject *error;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_cmpuint (json_object_get_size (object), ==, 1);
  error = json_object_get_object_member (object, "error");
  g_assert_nonnull (error);
  g_assert_cmpuint (json_object_get_size (error), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), !=, "");
}

static void
assert_error_response (Fixture    *fixture,
                       const char *method,
                       const char *path,
                       guint       status,
                       const char *code)
{
  g_autoptr(JsonNode) root = get_json (fixture, method, path, NULL, FALSE, status);

  assert_api_error (root, code);
}

static void
stop_server (Fixture *fixture)
{
  g_assert_cmpint (node_test_server_stop (fixture->server), ==, 0);
}

static void
test_providers (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JsonNode) river = get_json (fixture, "GET", "/v1/providers?q=RIVERSIDE", NULL, FALSE, 200);
  g_autoptr(JsonNode) one = get_json (fixture, "GET", "/v1/providers?q=cardio", NULL, FALSE, 200);
  g_autoptr(JsonNode) all = get_json (fixture, "GET", "/v1/providers", NULL, FALSE, 200);
  g_autoptr(JsonNode) none = get_json (fixture, "GET", "/v1/providers?q=dentist", NULL, FALSE, 200);
  g_autoptr(JsonNode) single = get_json (fixture, "GET", "/v1/providers/lab-central", NULL, FALSE, 200);
  JsonArray *providers;
  JsonObject *provider;

  providers = json_object_get_array_member (json_node_get_object (river), "providers");
  g_assert_cmpuint (json_array_get_length (providers), ==, 2);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (river), "truncated"));

  providers = json_object_get_array_member (json_node_get_object (one), "providers");
  g_assert_cmpuint (json_array_get_length (providers), ==, 1);
  provider = json_array_get_object_element (providers, 0);
  g_assert_cmpstr (json_object_get_string_member (provider, "id"), ==, "cardio-stmary");
  g_assert_cmpstr (json_object_get_string_member (provider, "kind"), ==, "hospital");
  g_assert_cmpstr (json_object_get_string_member (provider, "organization"), ==, "St Mary's Hospital");

  /* Five providers, capped at three. */
  providers = json_object_get_array_member (json_node_get_object (all), "providers");
  g_assert_cmpuint (json_array_get_length (providers), ==, MAX_RESULTS);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (all), "truncated"));

  providers = json_object_get_array_member (json_node_get_object (none), "providers");
  g_assert_cmpuint (json_array_get_length (providers), ==, 0);

  provider = json_node_get_object (single);
  g_assert_cmpstr (json_object_get_string_member (provider, "id"), ==, "lab-central");
  g_assert_cmpstr (json_object_get_string_member (provider, "name"), ==, "Central Laboratory");
  g_assert_cmpstr (json_object_get_string_member (provider, "kind"), ==, "lab");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (provider, "verifier_key"),
                                   "lab-central+"));
  {
    guint8 key[32];

    g_assert_true (cw_base64_decode_fixed (json_object_get_string_member (provider, "public_key"),
                                           -1, key, sizeof key, NULL));
  }

  /* Bad queries and unknown providers. */
  {
    g_autofree char *long_q = g_strnfill (129, 'a');
    g_autofree char *long_path = g_strconcat ("/v1/providers?q=", long_q, NULL);

    assert_error_response (fixture, "GET", long_path, 400, "invalid_query");
    assert_error_response (fixture, "GET", "/v1/providers?q=a&limit=1000", 400, "invalid_query");
    assert_error_response (fixture, "GET", "/v1/providers?q=%00", 400, "invalid_query");
    assert_error_response (fixture, "GET", "/v1/providers?q=%FF", 400, "invalid_query");
    assert_error_response (fixture, "GET", "/v1/providers?q=%01", 400, "invalid_query");
    /* libsoup's table leaves a pair without "=" out; it is not a search
     * for everything. */
    assert_error_response (fixture, "GET", "/v1/providers?x", 400, "invalid_query");
    assert_error_response (fixture, "GET", "/v1/providers/nobody", 404, "provider_not_found");
    assert_error_response (fixture, "GET", "/v1/providers/UPPER", 404, "provider_not_found");
    assert_error_response (fixture, "GET", "/v1/providers/lab-central/x", 404, "provider_not_found");
    assert_error_response (fixture, "GET", "/v1/providers/", 404, "provider_not_found");
  }

  stop_server (fixture);
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  assert_error_response (fixture, "GET", "/", 404, "not_found");
  assert_error_response (fixture, "GET", "/nope", 404, "not_found");
  /* Authenticated reads ask for a signature before anything else. */
  assert_error_response (fixture, "GET", "/v1/tx/abc", 401, "unauthenticated");
  assert_error_response (fixture, "GET", "/log/tile/0/000", 404, "not_found");
  assert_error_response (fixture, "POST", "/v1/providers", 405, "method_not_allowed");
  assert_error_response (fixture, "DELETE", "/v1/providers/lab-central", 405, "method_not_allowed");
  assert_error_response (fixture, "PUT", "/log/checkpoint", 405, "method_not_allowed");

  stop_server (fixture);
}

static void
test_body_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *big = g_strnfill (MAX_BODY + 1, 'x');
  g_autofree char *huge = g_strnfill (64 * 1024, 'x');
  g_autofree char *small = g_strnfill (100, 'x');
  g_autoptr(GBytes) big_body = g_bytes_new (big, strlen (big));
  g_autoptr(GBytes) huge_body = g_bytes_new (huge, strlen (huge));
  g_autoptr(GBytes) small_body = g_bytes_new (small, strlen (small));
  g_autoptr(JsonNode) with_length = NULL;
  g_autoptr(JsonNode) chunked = NULL;
  g_autoptr(JsonNode) huge_chunked = NULL;
  g_autoptr(JsonNode) ok_size = NULL;
  g_autoptr(JsonNode) after = NULL;

  /* Declared too large: refused before the body is read. */
  with_length = get_json (fixture, "POST", "/v1/tx", big_body, FALSE, 413);
  assert_api_error (with_length, "payload_too_large");

  /* Too large without a declared length: refused once the cap is passed. */
  chunked = get_json (fixture, "POST", "/v1/tx", big_body, TRUE, 413);
  assert_api_error (chunked, "payload_too_large");
  huge_chunked = get_json (fixture, "POST", "/v1/providers", huge_body, TRUE, 413);
  assert_api_error (huge_chunked, "payload_too_large");

  /* Under the cap, the request is routed as usual (to the sequencer). */
  ok_size = get_json (fixture, "POST", "/v1/tx", small_body, FALSE, 400);
  assert_api_error (ok_size, "malformed_envelope");

  /* And the server still answers. */
  after = get_json (fixture, "GET", "/v1/providers/gp-riverside", NULL, FALSE, 200);

  stop_server (fixture);
}

static void
test_checkpoint (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fixture->server->url, "/log/checkpoint", NULL);
  g_autofree char *content_type = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(CwVerifierKey) log_key = NULL;
  g_autoptr(CwSignedCheckpoint) signed_checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  CwCheckpoint *checkpoint;
  guint8 empty_root[CW_HASH_SIZE];
  guint status;

  status = node_test_request (fixture->session, "GET", url, NULL, FALSE, &body, &content_type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (content_type, ==, "text/plain");

  log_key = cw_verifier_key_new_from_string (fixture->verifier_key, &error);
  g_assert_no_error (error);
  signed_checkpoint = cw_signed_checkpoint_open (g_bytes_get_data (body, NULL),
                                                 g_bytes_get_size (body),
                                                 log_key, NULL, 0, &error);
  g_assert_no_error (error);

  /* The empty log: size 0, root SHA-256 of nothing. */
  checkpoint = cw_signed_checkpoint_get_checkpoint (signed_checkpoint);
  cw_sha256 (NULL, 0, empty_root);
  g_assert_cmpstr (cw_checkpoint_get_origin (checkpoint), ==, ORIGIN);
  g_assert_cmpuint (cw_checkpoint_get_size (checkpoint), ==, 0);
  g_assert_cmpmem (cw_checkpoint_get_root_hash (checkpoint), CW_HASH_SIZE,
                   empty_root, sizeof empty_root);

  stop_server (fixture);
}

static void
test_pinning (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *other = g_build_filename (fixture->tmpdir, "other", NULL);
  g_autofree char *other_cert = g_build_filename (other, "tls-cert.pem", NULL);
  g_autofree char *url = g_strconcat (fixture->server->url, "/v1/providers", NULL);
  g_autoptr(NodeRun) init = NULL;
  g_autoptr(SoupSession) wrong = NULL;
  g_autoptr(SoupSession) unpinned = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

  /* A client pinning another certificate does not talk to this node. */
  init = node_test_run ("init", "--dir", other, "--origin", "other.test/log", NULL);
  g_assert_cmpint (init->exit_status, ==, 0);
  wrong = node_test_session_new (other_cert);
  g_assert_cmpuint (node_test_request (wrong, "GET", url, NULL, FALSE, NULL, NULL), ==, 0);

  /* Nor does one that trusts only the system CAs. */
  response = soup_session_send_and_read (unpinned, msg, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_null (response);

  /* Plain HTTP is not served. */
  {
    g_autofree char *http_url = g_strconcat ("http://", fixture->server->url + strlen ("https://"),
                                             "/v1/providers", NULL);
    g_autoptr(SoupMessage) plain = soup_message_new ("GET", http_url);
    g_autoptr(GBytes) plain_response = NULL;
    g_autoptr(GError) plain_error = NULL;

    plain_response = soup_session_send_and_read (unpinned, plain, NULL, &plain_error);
    g_assert_true (plain_response == NULL ||
                   soup_message_get_status (plain) != SOUP_STATUS_OK);
  }

  stop_server (fixture);
}

static void
test_process (Fixture       *fixture,
              gconstpointer  data)
{
  const char *pid = g_subprocess_get_identifier (fixture->server->process);
  g_autofree char *limits_path = g_strdup_printf ("/proc/%s/limits", pid);
  g_autofree char *limits = NULL;
  g_autoptr(GRegex) no_core = g_regex_new ("^Max core file size\\s+0\\s+0\\s", G_REGEX_MULTILINE,
                                           0, NULL);

  /* Core dumps are off: the process holds the log key. */
  g_assert_true (g_file_get_contents (limits_path, &limits, NULL, NULL));
  g_assert_true (g_regex_match (no_core, limits, 0, NULL));

  /* SIGTERM is a clean shutdown. */
  stop_server (fixture);
}

static void
test_serve_bad (void)
{
  g_autofree char *tmpdir = node_test_make_tmpdir ();
  g_autofree char *dir = g_build_filename (tmpdir, "node", NULL);
  g_autofree char *key = g_build_filename (dir, "log.key", NULL);
  g_autoptr(NodeRun) missing = node_test_run ("serve", "--dir", dir, NULL);
  g_autoptr(NodeRun) no_dir = node_test_run ("serve", NULL);
  g_autoptr(NodeRun) init = NULL;
  g_autoptr(NodeRun) readable = NULL;

  g_assert_cmpint (missing->exit_status, ==, 1);
  g_assert_cmpint (no_dir->exit_status, ==, 2);

  /* A log key others can read is refused before anything is served. */
  init = node_test_run ("init", "--dir", dir, "--origin", ORIGIN, "--listen", "127.0.0.1:0", NULL);
  g_assert_cmpint (init->exit_status, ==, 0);
  g_assert_cmpint (g_chmod (key, 0644), ==, 0);
  readable = node_test_run ("serve", "--dir", dir, NULL);
  g_assert_cmpint (readable->exit_status, ==, 1);
  g_assert_nonnull (strstr (readable->err, "chmod 600"));
  g_assert_cmpstr (readable->out, ==, "");

  node_test_remove_tree (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/server/providers", Fixture, NULL, fixture_setup, test_providers,
              fixture_teardown);
  g_test_add ("/node/server/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/node/server/body-limit", Fixture, NULL, fixture_setup, test_body_limit,
              fixture_teardown);
  g_test_add ("/node/server/checkpoint", Fixture, NULL, fixture_setup, test_checkpoint,
              fixture_teardown);
  g_test_add ("/node/server/pinning", Fixture, NULL, fixture_setup, test_pinning,
              fixture_teardown);
  g_test_add ("/node/server/process", Fixture, NULL, fixture_setup, test_process,
              fixture_teardown);
  g_test_add_func ("/node/server/serve-bad", test_serve_bad);

  return g_test_run ();
}
