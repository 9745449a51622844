/* test-node-auth.c: RFC 9421 authentication of the node's reads and the
 * server's limits, over HTTPS against the real consent-node: missing,
 * malformed, wrong-key, stale, future, replayed (also across a restart)
 * and tampered signatures, another patient's key, a rotated-away key, the
 * per-client rate limit, a slow sender, an idle kept-alive connection,
 * and oversized or deeply nested JSON bodies. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "node-test-tx.h"

typedef struct
{
  TxNode node;
  TxPatient *patient;
  char *path;          /* the patient's /chain */
} Fixture;

static void
enroll (TxNode    *node,
        TxPatient *patient)
{
  g_autofree char *code = tx_node_invite (node, "gp-one");
  g_autoptr(CwTx) tx = tx_make_enroll (patient, code, "gp-one");
  g_autoptr(JsonObject) receipt = tx_submit_ok (node, tx, patient->key);

  tx_patient_advance (patient, tx);
}

static char *
chain_path (TxPatient  *patient,
            const char *query)
{
  g_autofree char *pid = cw_base64url_encode (patient->id, CW_PUBLIC_KEY_SIZE);

  return g_strdup_printf ("/v1/patients/%s/chain%s%s", pid,
                          query != NULL ? "?" : "", query != NULL ? query : "");
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  tx_node_setup (&fixture->node);
  tx_node_start (&fixture->node);
  fixture->patient = tx_patient_new ();
  enroll (&fixture->node, fixture->patient);
  fixture->path = chain_path (fixture->patient, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->patient, tx_patient_free);
  g_free (fixture->path);
  tx_node_teardown (&fixture->node);
}

/* GET @path with these fields; asserts the status and code. */
static void
expect (Fixture    *fixture,
        const char *path,
        const char *input,
        const char *signature,
        guint       status,
        const char *code)
{
  g_autoptr(JsonObject) answer = NULL;
  guint got = tx_get_with_signature (&fixture->node, path, input, signature, &answer);

  g_test_message ("GET %s → %u", path, got);
  g_assert_cmpuint (got, ==, status);
  if (code != NULL)
    tx_expect_error (answer, code);
}

static void
test_ok (Fixture       *fixture,
         gconstpointer  data)
{
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (tx_get_signed (&fixture->node, fixture->path, fixture->patient->key, &answer),
                    ==, 200);
  g_assert_true (json_object_has_member (answer, "checkpoint"));
}

static void
test_missing_and_malformed (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *no_alg = NULL;
  g_autofree char *second = NULL;
  const char *malformed[][2] = {
    { "sig1=(\"@method\"", "sig1=:AAAA:" },
    { "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created=1", "sig1=:!!:" },
    { "garbage", "garbage" },
    { "sig1=();created=1;nonce=\"x\";keyid=\"y\"", "sig2=:AAAA:" },
  };

  expect (fixture, fixture->path, NULL, NULL, 401, "unauthenticated");

  tx_sign_read (&fixture->node, fixture->path, fixture->patient->key, 0, &input, &signature);
  expect (fixture, fixture->path, input, NULL, 401, "unauthenticated");
  expect (fixture, fixture->path, NULL, signature, 401, "unauthenticated");

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    expect (fixture, fixture->path, malformed[i][0], malformed[i][1], 401, "unauthenticated");

  /* Without alg, or with a component missing: outside the policy. */
  no_alg = g_strdup (input);
  *strstr (no_alg, ";alg=") = '\0';
  expect (fixture, fixture->path, no_alg, signature, 401, "unauthenticated");
  second = g_strdup (input);
  memcpy (strstr (second, "\"@query\""), "\"@method\"", strlen ("\"@query\""));
  expect (fixture, fixture->path, second, signature, 401, "unauthenticated");

  /* A signature by the right keyid that does not verify. */
  {
    g_autofree char *bad = g_strdup (signature);

    bad[strlen ("sig1=:") + 2] = bad[strlen ("sig1=:") + 2] == 'A' ? 'B' : 'A';
    expect (fixture, fixture->path, input, bad, 401, "unauthenticated");
  }
}

static void
test_wrong_keys (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TxPatient) stranger = tx_patient_new ();
  g_autoptr(TxPatient) other = tx_patient_new ();
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(JsonObject) forbidden = NULL;
  g_autoptr(JsonObject) provider = NULL;

  /* Nobody's key. */
  g_assert_cmpuint (tx_get_signed (&fixture->node, fixture->path, stranger->key, &unknown), ==, 401);
  tx_expect_error (unknown, "unauthenticated");

  /* Another enrolled patient's key, and a provider's. */
  enroll (&fixture->node, other);
  g_assert_cmpuint (tx_get_signed (&fixture->node, fixture->path, other->key, &forbidden), ==, 403);
  tx_expect_error (forbidden, "forbidden");
  g_assert_cmpuint (tx_get_signed (&fixture->node, fixture->path, fixture->node.gp_key, &provider),
                    ==, 403);
  tx_expect_error (provider, "forbidden");
}

static void
test_stale_and_future (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *old_input = NULL;
  g_autofree char *old_signature = NULL;
  g_autofree char *future_input = NULL;
  g_autofree char *future_signature = NULL;

  tx_sign_read (&fixture->node, fixture->path, fixture->patient->key, now - 400,
                &old_input, &old_signature);
  expect (fixture, fixture->path, old_input, old_signature, 401, "stale_signature");

  tx_sign_read (&fixture->node, fixture->path, fixture->patient->key, now + 120,
                &future_input, &future_signature);
  expect (fixture, fixture->path, future_input, future_signature, 401, "stale_signature");
}

static void
test_replay (Fixture       *fixture,
             gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *input2 = NULL;
  g_autofree char *signature2 = NULL;
  g_autofree char *listen = NULL;

  tx_sign_read (node, fixture->path, fixture->patient->key, 0, &input, &signature);
  expect (fixture, fixture->path, input, signature, 200, NULL);
  expect (fixture, fixture->path, input, signature, 401, "replayed_signature");

  /* The same port again, so that @authority still matches. */
  listen = g_strdup (node->server->url + strlen ("https://"));
  tx_node_stop (node);
  tx_node_set_config (node, "node", "listen", listen);
  tx_node_start (node);
  g_assert_cmpstr (node->server->url + strlen ("https://"), ==, listen);
  expect (fixture, fixture->path, input, signature, 401, "replayed_signature");

  /* A fresh signature still passes. */
  tx_sign_read (node, fixture->path, fixture->patient->key, 0, &input2, &signature2);
  expect (fixture, fixture->path, input2, signature2, 200, NULL);
}

static void
test_tampered (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *signed_path = chain_path (fixture->patient, "from=0");
  g_autofree char *other_query = chain_path (fixture->patient, "from=1");
  g_autofree char *other_path = NULL;
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;

  /* Same patient, same query, another list. */
  other_path = g_strdup_printf ("%.*s/grants?after=0",
                                (int) (strstr (signed_path, "/chain") - signed_path), signed_path);

  tx_sign_read (&fixture->node, signed_path, fixture->patient->key, 0, &input, &signature);
  expect (fixture, other_query, input, signature, 401, "unauthenticated");
  expect (fixture, other_path, input, signature, 401, "unauthenticated");
  /* Refused attempts do not use the nonce up. */
  expect (fixture, signed_path, input, signature, 200, NULL);
}

static void
test_rotated_key (Fixture       *fixture,
                  gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(CwSigningKey) new_key = NULL;
  g_autoptr(CwSigningKey) old_key = NULL;
  g_autoptr(CwTx) rotate = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  CwTxCommon common;

  new_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  common = tx_patient_next (fixture->patient, NULL);
  rotate = cw_tx_new_rotate (&common, cw_signing_key_get_public_key (new_key), NULL, &error);
  g_assert_no_error (error);
  receipt = tx_submit_ok (node, rotate, fixture->patient->key);
  tx_patient_advance (fixture->patient, rotate);

  old_key = g_steal_pointer (&fixture->patient->key);
  fixture->patient->key = cw_signing_key_ref (new_key);

  g_assert_cmpuint (tx_get_signed (node, fixture->path, old_key, &refused), ==, 401);
  tx_expect_error (refused, "unauthenticated");
  g_assert_cmpuint (tx_get_signed (node, fixture->path, new_key, &answer), ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (answer, "head"),
                                               "seq"), ==, 1);
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  TxNode *node = &fixture->node;
  guint limited = 0;

  tx_node_stop (node);
  tx_node_set_config (node, "limits", "rate-limit", "1");
  tx_node_set_config (node, "limits", "rate-burst", "3");
  tx_node_set_config (node, "limits", "rate-limit-loopback", "1");
  tx_node_start (node);

  for (guint i = 0; i < 20 && limited == 0; i++)
    {
      g_autoptr(GBytes) body = NULL;

      if (tx_get (node, "/log/checkpoint", &body) == 429)
        {
          g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body));

          g_assert_nonnull (strstr (text, "\"rate_limited\""));
          limited++;
        }
    }
  g_assert_cmpuint (limited, >, 0);
}

/* A raw TLS connection to the node that accepts exactly its certificate. */
static gboolean
raw_accept_cb (GTlsConnection       *conn,
               GTlsCertificate      *peer,
               GTlsCertificateFlags  errors,
               gpointer              user_data)
{
  return g_tls_certificate_is_same (peer, user_data);
}

static void
raw_event_cb (GSocketClient      *client,
              GSocketClientEvent  event,
              GSocketConnectable *connectable,
              GIOStream          *connection,
              gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (raw_accept_cb), user_data);
}

/* NULL if the node ended the connection during the TLS handshake. With
 * the short idle timeout of the slow-sender test, a slow machine (a
 * sanitizer build) can take longer than that for the handshake alone, and
 * the node then rightly closes it as a client that sent nothing in time. */
static GIOStream *
raw_connect (TxNode   *node,
             gboolean  tls)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GTlsCertificate) pinned = NULL;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  pinned = g_tls_certificate_new_from_file (node->cert_path, &error);
  g_assert_no_error (error);
  g_socket_client_set_tls (client, tls);
  /* An upper bound only: the node is expected to close much sooner. */
  g_socket_client_set_timeout (client, 60);
  g_signal_connect (client, "event", G_CALLBACK (raw_event_cb), pinned);
  connection = g_socket_client_connect_to_uri (client, node->server->url, 443, NULL, &error);
  if (connection == NULL && tls &&
      (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS) ||
       g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)))
    {
      g_test_message ("closed by the node during the handshake: %s", error->message);
      return NULL;
    }
  g_assert_no_error (error);

  return G_IO_STREAM (connection);
}

static void
raw_write (GIOStream  *stream,
           const char *text)
{
  g_autoptr(GError) error = NULL;

  if (stream == NULL)
    return;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), text, strlen (text),
                             NULL, NULL, &error);
  /* The node may already have closed it, which is what is checked next. */
  if (error != NULL)
    g_test_message ("write ended with: %s", error->message);
}

/* Blocks until the node ends the connection, and returns what it sent
 * before; fails on our own timeout. */
static GString *
read_until_closed (GIOStream *stream)
{
  g_autoptr(GError) error = NULL;
  GString *received = g_string_new (NULL);
  char buffer[256];
  gssize n;

  if (stream == NULL)
    return received;

  while ((n = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer,
                                   NULL, &error)) > 0)
    g_string_append_len (received, buffer, n);

  if (n < 0)
    {
      g_test_message ("read ended with: %s", error->message);
      g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
    }
  return received;
}

static void
assert_closed_by_node (GIOStream *stream)
{
  g_string_free (read_until_closed (stream), TRUE);
}

static void
test_slow_sender (Fixture       *fixture,
                  gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(GIOStream) head = NULL;
  g_autoptr(GIOStream) body = NULL;
  g_autoptr(GIOStream) silent = NULL;
  g_autoptr(GIOStream) kept = NULL;
  g_autoptr(GString) kept_answer = NULL;
  g_autoptr(GBytes) answer = NULL;
  const char *partial_head = "GET /log/checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  const char *partial_body = "POST /v1/tx HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"pay";

  /* Short limits, so the test waits only that long for the closes; not
   * shorter, because a TLS handshake of a sanitizer build on a loaded
   * machine takes seconds, and the "served meanwhile" request below needs
   * one too. */
  tx_node_stop (node);
  tx_node_set_config (node, "limits", "idle-timeout", "10");
  tx_node_set_config (node, "limits", "body-timeout", "10");
  tx_node_start (node);

  /* Half a head, half a body, a TCP connection that never says hello,
   * and a kept-alive one that goes quiet after its first answer. */
  head = raw_connect (node, TRUE);
  raw_write (head, partial_head);
  body = raw_connect (node, TRUE);
  raw_write (body, partial_body);
  silent = raw_connect (node, FALSE);
  kept = raw_connect (node, TRUE);
  raw_write (kept, "GET /log/checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

  /* Others are served meanwhile. */
  g_assert_cmpuint (tx_get (node, "/log/checkpoint", &answer), ==, 200);

  assert_closed_by_node (head);
  assert_closed_by_node (body);
  assert_closed_by_node (silent);
  /* Answered, then closed: never left open unread, where a client reusing
   * it would wait for an answer forever. */
  kept_answer = read_until_closed (kept);
  if (kept != NULL)
    g_assert_true (g_str_has_prefix (kept_answer->str, "HTTP/1.1 200"));

  g_clear_pointer (&answer, g_bytes_unref);
  g_assert_cmpuint (tx_get (node, "/log/checkpoint", &answer), ==, 200);
}

static void
test_json_limits (Fixture       *fixture,
                  gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) wide = g_string_new ("{\"payloadType\": \"");
  g_autoptr(GString) huge = g_string_new ("{\"payload\": \"");
  g_autoptr(GBytes) deep_body = NULL;
  g_autoptr(GBytes) wide_body = NULL;
  g_autoptr(GBytes) huge_body = NULL;
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;
  g_autoptr(JsonObject) c = NULL;
  g_autoptr(JsonObject) ok = NULL;
  guint status;

  /* Nested 30000 deep, still under the 64 KiB body cap. */
  for (guint i = 0; i < 30000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 30000; i++)
    g_string_append_c (deep, ']');
  deep_body = g_bytes_new (deep->str, deep->len);
  status = tx_post (node, deep_body, &a);
  g_assert_cmpuint (status, >=, 400);
  g_assert_cmpuint (status, <, 500);

  /* A 60 000-character string under the cap, and one over it. */
  for (guint i = 0; i < 60000; i++)
    g_string_append_c (wide, 'a');
  g_string_append (wide, "\"}");
  wide_body = g_bytes_new (wide->str, wide->len);
  status = tx_post (node, wide_body, &b);
  g_assert_cmpuint (status, >=, 400);
  g_assert_cmpuint (status, <, 500);

  for (guint i = 0; i < 200000; i++)
    g_string_append_c (huge, 'A');
  g_string_append (huge, "\"}");
  huge_body = g_bytes_new (huge->str, huge->len);
  g_assert_cmpuint (tx_post (node, huge_body, &c), ==, 413);
  tx_expect_error (c, "payload_too_large");

  /* Still serving. */
  g_assert_cmpuint (tx_get_signed (node, fixture->path, fixture->patient->key, &ok), ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/auth/ok", Fixture, NULL, fixture_setup, test_ok, fixture_teardown);
  g_test_add ("/node/auth/missing-and-malformed", Fixture, NULL, fixture_setup,
              test_missing_and_malformed, fixture_teardown);
  g_test_add ("/node/auth/wrong-keys", Fixture, NULL, fixture_setup, test_wrong_keys,
              fixture_teardown);
  g_test_add ("/node/auth/stale-and-future", Fixture, NULL, fixture_setup, test_stale_and_future,
              fixture_teardown);
  g_test_add ("/node/auth/replay", Fixture, NULL, fixture_setup, test_replay, fixture_teardown);
  g_test_add ("/node/auth/tampered", Fixture, NULL, fixture_setup, test_tampered,
              fixture_teardown);
  g_test_add ("/node/auth/rotated-key", Fixture, NULL, fixture_setup, test_rotated_key,
              fixture_teardown);
  g_test_add ("/node/limits/rate", Fixture, NULL, fixture_setup, test_rate_limit,
              fixture_teardown);
  g_test_add ("/node/limits/slow-sender", Fixture, NULL, fixture_setup, test_slow_sender,
              fixture_teardown);
  g_test_add ("/node/limits/json", Fixture, NULL, fixture_setup, test_json_limits,
              fixture_teardown);

  return g_test_run ();
}
