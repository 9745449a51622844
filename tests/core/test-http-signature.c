/* test-http-signature.c: RFC 9421 HTTP Message Signatures, checked against
 * the RFC's Appendix B.2.6 Ed25519 example and against tampering. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "cw-encoding.h"
#include "cw-http-signature.h"
#include "cw-key.h"

#define NOW G_GINT64_CONSTANT (1700000000)

/* RFC 9421 Appendix B.1.4, "test-key-ed25519". The RFC gives the keys as PEM:
 *   public:  MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
 *   private: MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
 * The public key is an RFC 8410 SubjectPublicKeyInfo: the 12 bytes
 * 30 2a 30 05 06 03 2b 65 70 03 21 00 (SEQUENCE, AlgorithmIdentifier with the
 * Ed25519 OID 1.3.101.112, BIT STRING of 33 bytes with no unused bits) and
 * then the raw key. The private key is a PKCS #8 OneAsymmetricKey: the 16
 * bytes 30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 (SEQUENCE, version 0,
 * the same AlgorithmIdentifier, an OCTET STRING wrapping the 32-byte OCTET
 * STRING CurvePrivateKey) and then the seed. test_rfc_keys() checks this
 * reading against the PEM bodies. */
static const char rfc_public_der_b64[] =
  "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
static const char rfc_private_der_b64[] =
  "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
static const guint8 spki_prefix[] = {
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};
static const guint8 pkcs8_prefix[] = {
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
  0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
};
static const guint8 rfc_public_key[CW_PUBLIC_KEY_SIZE] = {
  0x26, 0xb4, 0x0b, 0x8f, 0x93, 0xff, 0xf3, 0xd8, 0x97, 0x11, 0x2f, 0x7e, 0xbc, 0x58, 0x2b, 0x23,
  0x2d, 0xbd, 0x72, 0x51, 0x7d, 0x08, 0x2f, 0xe8, 0x3c, 0xfb, 0x30, 0xdd, 0xce, 0x43, 0xd1, 0xbb,
};
static const guint8 rfc_seed[CW_SEED_SIZE] = {
  0x9f, 0x83, 0x62, 0xf8, 0x7a, 0x48, 0x4a, 0x95, 0x4e, 0x6e, 0x74, 0x0c, 0x5b, 0x4c, 0x0e, 0x84,
  0x22, 0x91, 0x39, 0xa2, 0x0a, 0xa8, 0xab, 0x56, 0xff, 0x66, 0x58, 0x6f, 0x6a, 0x7d, 0x29, 0xc5,
};

/* Appendix B.2.6, unwrapped from its RFC 8792 line folding. */
static const char b26_signature_input[] =
  "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
  "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
static const char b26_signature[] =
  "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";
static const char b26_base[] =
  "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
  "\"@method\": POST\n"
  "\"@path\": /foo\n"
  "\"@authority\": example.com\n"
  "\"content-type\": application/json\n"
  "\"content-length\": 18\n"
  "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
  "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";

/* The test-request of Appendix B.2:
 *   POST /foo?param=Value&Pet=dog HTTP/1.1
 *   Host: example.com
 *   Date: Tue, 20 Apr 2021 02:07:55 GMT
 *   Content-Type: application/json
 *   Content-Digest: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
 *   Content-Length: 18
 *
 *   {"hello": "world"}
 */
static CwHttpRequest *
new_rfc_request_full (const char *method,
                      const char *authority,
                      const char *path,
                      const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = NULL;
  const char *headers[] = {
    "Host", "example.com",
    "Date", "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type", "application/json",
    "Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
    "Content-Length", "18",
  };

  request = cw_http_request_new (method, "https", authority, path, query, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (headers); i += 2)
    {
      cw_http_request_add_header (request, headers[i], headers[i + 1], &error);
      g_assert_no_error (error);
    }

  return g_steal_pointer (&request);
}

static CwHttpRequest *
new_rfc_request (void)
{
  return new_rfc_request_full ("POST", "example.com", "/foo", "param=Value&Pet=dog");
}

static CwSigningKey *
new_rfc_signing_key (void)
{
  g_autoptr(GError) error = NULL;
  CwSigningKey *key;

  key = cw_signing_key_new_from_seed ("test-key-ed25519", CW_KEY_TYPE_ED25519, rfc_seed, &error);
  g_assert_no_error (error);
  return key;
}

static CwVerifierKey *
new_rfc_verifier_key (void)
{
  g_autoptr(GError) error = NULL;
  CwVerifierKey *key;

  key = cw_verifier_key_new ("test-key-ed25519", CW_KEY_TYPE_ED25519, rfc_public_key, &error);
  g_assert_no_error (error);
  return key;
}

static void
assert_der_suffix (const char   *der_b64,
                   const guint8 *prefix,
                   gsize         prefix_len,
                   const guint8  key[32])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = cw_base64_decode (der_b64, -1, &error);
  const guint8 *data;
  gsize len;

  g_assert_no_error (error);
  data = g_bytes_get_data (der, &len);
  g_assert_cmpmem (data, prefix_len, prefix, prefix_len);
  g_assert_cmpmem (data + prefix_len, len - prefix_len, key, 32);
}

static void
test_rfc_keys (void)
{
  g_autoptr(CwSigningKey) signer = new_rfc_signing_key ();

  assert_der_suffix (rfc_public_der_b64, spki_prefix, sizeof spki_prefix, rfc_public_key);
  assert_der_suffix (rfc_private_der_b64, pkcs8_prefix, sizeof pkcs8_prefix, rfc_seed);
  g_assert_cmpmem (cw_signing_key_get_public_key (signer), CW_PUBLIC_KEY_SIZE,
                   rfc_public_key, CW_PUBLIC_KEY_SIZE);
}

static CwHttpSignatures *
parse_ok (const char *signature_input,
          const char *signature)
{
  g_autoptr(GError) error = NULL;
  CwHttpSignatures *signatures;

  signatures = cw_http_signatures_parse (signature_input, signature, &error);
  g_assert_no_error (error);
  g_assert_nonnull (signatures);
  return signatures;
}

static void
test_rfc_b26_base (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwHttpSignatures) signatures = parse_ok (b26_signature_input, b26_signature);
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autofree char *base = NULL;
  gint64 created = 0;

  cw_http_signatures_get (signatures, "sig-b26", &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cw_http_signature_params_get_created (params, &created));
  g_assert_cmpint (created, ==, 1618884473);
  g_assert_cmpstr (cw_http_signature_params_get_keyid (params), ==, "test-key-ed25519");
  g_assert_null (cw_http_signature_params_get_nonce (params));
  g_assert_null (cw_http_signature_params_get_alg (params));

  base = cw_http_signature_base (request, params, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (base, ==, b26_base);
}

static void
test_rfc_b26_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwVerifierKey) key = new_rfc_verifier_key ();
  g_autoptr(CwHttpSignatures) signatures = parse_ok (b26_signature_input, b26_signature);
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GBytes) signature = NULL;

  /* The only signature, picked without naming it. */
  cw_http_signatures_get (signatures, NULL, &params, &signature, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, CW_SIGNATURE_SIZE);

  g_assert_true (cw_http_signature_verify (request, params, signature, key, &error));
  g_assert_no_error (error);
}

static void
test_rfc_b26_sign (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwSigningKey) key = new_rfc_signing_key ();
  g_autoptr(CwHttpSignatureParams) params = cw_http_signature_params_new ();
  const char *components[] = {
    "date", "@method", "@path", "@authority", "content-type", "content-length",
  };
  g_autofree char *signature_input = NULL;
  g_autofree char *signature = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (components); i++)
    {
      cw_http_signature_params_add_component (params, components[i], &error);
      g_assert_no_error (error);
    }
  cw_http_signature_params_set_created (params, 1618884473);
  cw_http_signature_params_set_keyid (params, "test-key-ed25519", &error);
  g_assert_no_error (error);

  /* Ed25519 is deterministic: the RFC's bytes come out again. */
  cw_http_signature_sign (request, params, "sig-b26", key, &signature_input, &signature, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (signature_input, ==, b26_signature_input);
  g_assert_cmpstr (signature, ==, b26_signature);
}

/* Signs a request to the node the way the wallet will. */
static void
sign_for_node (CwHttpRequest  *request,
               CwSigningKey   *key,
               char          **signature_input,
               char          **signature)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpSignatureParams) params = NULL;

  params = cw_http_signature_params_new_for_node (NOW, "alice", &error);
  g_assert_no_error (error);
  cw_http_signature_sign (request, params, "sig1", key, signature_input, signature, &error);
  g_assert_no_error (error);
}

/* The node's side: parse, policy, verify. Returns the error, or NULL. */
static GError *
node_check (CwHttpRequest  *request,
            const char     *signature_input,
            const char     *signature,
            CwVerifierKey  *key,
            gint64          now)
{
  GError *error = NULL;
  g_autoptr(CwHttpSignatures) signatures = NULL;
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GBytes) bytes = NULL;

  signatures = cw_http_signatures_parse (signature_input, signature, &error);
  if (signatures == NULL ||
      !cw_http_signatures_get (signatures, NULL, &params, &bytes, &error) ||
      !cw_http_signature_params_check_policy (params, now,
                                              CW_HTTP_SIGNATURE_DEFAULT_MAX_AGE,
                                              CW_HTTP_SIGNATURE_DEFAULT_MAX_SKEW,
                                              &error) ||
      !cw_http_signature_verify (request, params, bytes, key, &error))
    return error;

  return NULL;
}

static CwSigningKey *
new_alice (void)
{
  g_autoptr(GError) error = NULL;
  CwSigningKey *key = cw_signing_key_generate ("alice", CW_KEY_TYPE_ED25519, &error);

  g_assert_no_error (error);
  return key;
}

static CwHttpRequest *
new_node_request (const char *method,
                  const char *authority,
                  const char *path,
                  const char *query)
{
  g_autoptr(GError) error = NULL;
  CwHttpRequest *request;

  request = cw_http_request_new (method, "https", authority, path, query, &error);
  g_assert_no_error (error);
  return request;
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) key = new_alice ();
  g_autoptr(CwHttpRequest) request = new_node_request ("GET", "node.example", "/grants", "subject=abc");
  g_autoptr(CwHttpSignatures) signatures = NULL;
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autofree char *signature_input = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *input_again = NULL;
  g_autofree char *signature_again = NULL;
  GError *check;

  sign_for_node (request, key, &signature_input, &signature);
  check = node_check (request, signature_input, signature,
                      cw_signing_key_get_verifier (key), NOW + 10);
  g_assert_no_error (check);

  /* The node gets the keyid and nonce for its key table and replay cache. */
  signatures = parse_ok (signature_input, signature);
  cw_http_signatures_get (signatures, "sig1", &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_http_signature_params_get_keyid (params), ==, "alice");
  g_assert_cmpstr (cw_http_signature_params_get_alg (params), ==, "ed25519");
  g_assert_cmpuint (strlen (cw_http_signature_params_get_nonce (params)), ==, 22);
  g_assert_cmpstr (cw_http_signatures_get_label (signatures, 0), ==, "sig1");

  /* What we parse we serialise back unchanged. */
  input_again = cw_http_signatures_to_signature_input (signatures);
  signature_again = cw_http_signatures_to_signature (signatures);
  g_assert_cmpstr (input_again, ==, signature_input);
  g_assert_cmpstr (signature_again, ==, signature);
}

static void
test_nonces_differ (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpSignatureParams) a = cw_http_signature_params_new_for_node (NOW, "k", &error);
  g_autoptr(CwHttpSignatureParams) b = cw_http_signature_params_new_for_node (NOW, "k", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (cw_http_signature_params_get_nonce (a), !=,
                   cw_http_signature_params_get_nonce (b));
}

static void
test_round_trip_all_components (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) key = new_alice ();
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwHttpSignatureParams) params = cw_http_signature_params_new ();
  g_autoptr(CwHttpSignatures) signatures = NULL;
  g_autoptr(CwHttpSignatureParams) parsed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *components[] = {
    "@method", "@target-uri", "@authority", "@scheme", "@request-target",
    "@path", "@query", "content-digest", "content-type", "x-multi",
  };
  g_autofree char *signature_input = NULL;
  g_autofree char *signature = NULL;
  gint64 expires = 0;

  cw_http_request_add_header (request, "X-Multi", "  one ", &error);
  cw_http_request_add_header (request, "x-multi", "two\t", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (components); i++)
    g_assert_true (cw_http_signature_params_add_component (params, components[i], NULL));
  cw_http_signature_params_set_created (params, NOW);
  cw_http_signature_params_set_expires (params, NOW + 60);
  g_assert_true (cw_http_signature_params_set_nonce (params, "n-\"quoted\"\\", NULL));
  g_assert_true (cw_http_signature_params_set_alg (params, "ed25519", NULL));
  g_assert_true (cw_http_signature_params_set_keyid (params, "alice", NULL));
  g_assert_true (cw_http_signature_params_set_tag (params, "consent-wallet", NULL));

  cw_http_signature_sign (request, params, "w", key, &signature_input, &signature, &error);
  g_assert_no_error (error);

  signatures = parse_ok (signature_input, signature);
  cw_http_signatures_get (signatures, "w", &parsed, &bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_http_signature_params_get_nonce (parsed), ==, "n-\"quoted\"\\");
  g_assert_cmpstr (cw_http_signature_params_get_tag (parsed), ==, "consent-wallet");
  g_assert_true (cw_http_signature_params_get_expires (parsed, &expires));
  g_assert_cmpint (expires, ==, NOW + 60);
  g_assert_cmpuint (cw_http_signature_params_get_n_components (parsed), ==, G_N_ELEMENTS (components));
  g_assert_cmpstr (cw_http_signature_params_get_component (parsed, 9), ==, "x-multi");

  g_assert_true (cw_http_signature_verify (request, parsed, bytes,
                                           cw_signing_key_get_verifier (key), &error));
  g_assert_no_error (error);
  g_assert_true (cw_http_signature_params_check_policy (parsed, NOW + 1, 300, 30, &error));
  g_assert_no_error (error);
}

static void
assert_base_line (CwHttpRequest *request,
                  const char    *component,
                  const char    *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpSignatureParams) params = cw_http_signature_params_new ();
  g_autofree char *base = NULL;
  g_autofree char *line = NULL;

  cw_http_signature_params_add_component (params, component, &error);
  g_assert_no_error (error);
  base = cw_http_signature_base (request, params, &error);
  g_assert_no_error (error);

  *strchr (base, '\n') = '\0';
  line = g_strdup_printf ("\"%s\": %s", component, expected);
  g_assert_cmpstr (base, ==, line);
}

/* RFC 9421 §2.1 and §2.2, with values from its own examples. */
static void
test_component_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwHttpRequest) bare = NULL;
  g_autoptr(CwHttpRequest) normal = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(CwHttpRequest) from_uri = NULL;

  assert_base_line (request, "@method", "POST");
  assert_base_line (request, "@target-uri", "https://example.com/foo?param=Value&Pet=dog");
  assert_base_line (request, "@authority", "example.com");
  assert_base_line (request, "@scheme", "https");
  assert_base_line (request, "@request-target", "/foo?param=Value&Pet=dog");
  assert_base_line (request, "@path", "/foo");
  assert_base_line (request, "@query", "?param=Value&Pet=dog");
  assert_base_line (request, "content-digest",
                    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:");

  /* §2.1: trimmed and combined in order; an empty value keeps its line. */
  cw_http_request_add_header (request, "Cache-Control", "max-age=60", &error);
  cw_http_request_add_header (request, "cache-control", "   must-revalidate", &error);
  cw_http_request_add_header (request, "X-Empty-Header", "", &error);
  g_assert_no_error (error);
  assert_base_line (request, "cache-control", "max-age=60, must-revalidate");
  assert_base_line (request, "x-empty-header", "");

  /* §2.2.7: no query is a lone "?"; an empty path is "/". */
  bare = new_node_request ("GET", "example.com", "", NULL);
  assert_base_line (bare, "@query", "?");
  assert_base_line (bare, "@path", "/");
  assert_base_line (bare, "@request-target", "/");

  /* §2.2.3: lower case, default port dropped; other ports kept. */
  normal = cw_http_request_new ("GET", "HTTPS", "WWW.Example.COM:443", "/", NULL, &error);
  g_assert_no_error (error);
  assert_base_line (normal, "@authority", "www.example.com");
  assert_base_line (normal, "@scheme", "https");
  g_clear_pointer (&normal, cw_http_request_free);
  normal = cw_http_request_new ("GET", "http", "[::1]:8080", "/", NULL, &error);
  g_assert_no_error (error);
  assert_base_line (normal, "@authority", "[::1]:8080");

  /* From a GUri parsed the way libsoup parses, percent-encoding kept. */
  uri = g_uri_parse ("https://Node.Example:443/a%20b/c?x=%2F&y",
                     G_URI_FLAGS_ENCODED_PATH | G_URI_FLAGS_ENCODED_QUERY, &error);
  g_assert_no_error (error);
  from_uri = cw_http_request_new_for_uri ("PUT", uri, &error);
  g_assert_no_error (error);
  assert_base_line (from_uri, "@target-uri", "https://node.example/a%20b/c?x=%2F&y");
}

static void
assert_bad_signature (CwHttpRequest *request,
                      const char    *signature_input,
                      const char    *signature,
                      CwVerifierKey *key)
{
  g_autoptr(GError) error = node_check (request, signature_input, signature, key, NOW);

  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_BAD_SIGNATURE);
}

static void
test_flipped_bits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwVerifierKey) key = new_rfc_verifier_key ();
  g_autoptr(CwHttpSignatures) signatures = parse_ok (b26_signature_input, b26_signature);
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GBytes) signature = NULL;
  guint8 sig[CW_SIGNATURE_SIZE];

  cw_http_signatures_get (signatures, NULL, &params, &signature, &error);
  g_assert_no_error (error);

  for (guint bit = 0; bit < CW_SIGNATURE_SIZE * 8; bit++)
    {
      g_autoptr(GBytes) flipped = NULL;

      memcpy (sig, g_bytes_get_data (signature, NULL), sizeof sig);
      sig[bit / 8] ^= 1 << (bit % 8);
      flipped = g_bytes_new (sig, sizeof sig);
      g_assert_false (cw_http_signature_verify (request, params, flipped, key, &error));
      g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_BAD_SIGNATURE);
      g_clear_error (&error);
    }
}

static void
test_changed_request (void)
{
  g_autoptr(CwSigningKey) key = new_alice ();
  CwVerifierKey *verifier = cw_signing_key_get_verifier (key);
  g_autoptr(CwHttpRequest) request = new_node_request ("GET", "node.example", "/grants", "subject=abc");
  g_autofree char *signature_input = NULL;
  g_autofree char *signature = NULL;
  const struct {
    const char *method, *authority, *path, *query;
  } changes[] = {
    { "POST", "node.example", "/grants", "subject=abc" },
    { "get", "node.example", "/grants", "subject=abc" },
    { "GET", "node.example:8443", "/grants", "subject=abc" },
    { "GET", "evil.example", "/grants", "subject=abc" },
    { "GET", "node.example", "/grants/", "subject=abc" },
    { "GET", "node.example", "/Grants", "subject=abc" },
    { "GET", "node.example", "/grants", "subject=abd" },
    { "GET", "node.example", "/grants", "subject=abc&x" },
    { "GET", "node.example", "/grants", "" },
    { "GET", "node.example", "/grants", NULL },
  };

  sign_for_node (request, key, &signature_input, &signature);

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autoptr(CwHttpRequest) changed = NULL;

      changed = new_node_request (changes[i].method, changes[i].authority,
                                  changes[i].path, changes[i].query);
      /* "" and NULL queries both read "?", so they still verify. */
      if (changes[i].query != NULL && changes[i].query[0] == '\0')
        continue;
      assert_bad_signature (changed, signature_input, signature, verifier);
    }
}

/* Verification alone, for the RFC's example, which the node's policy would
 * refuse since it does not cover @query. */
static void
assert_rfc_signature_fails (CwHttpRequest *request,
                            CwVerifierKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpSignatures) signatures = parse_ok (b26_signature_input, b26_signature);
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GBytes) signature = NULL;

  cw_http_signatures_get (signatures, NULL, &params, &signature, &error);
  g_assert_no_error (error);
  g_assert_false (cw_http_signature_verify (request, params, signature, key, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_BAD_SIGNATURE);
}

static void
test_changed_header (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwVerifierKey) key = new_rfc_verifier_key ();
  g_autoptr(CwHttpRequest) changed = new_rfc_request ();
  g_autoptr(CwVerifierKey) other = NULL;
  g_autoptr(CwSigningKey) alice = new_alice ();

  /* A second Content-Type line changes the combined value. */
  cw_http_request_add_header (changed, "Content-Type", "text/plain", &error);
  g_assert_no_error (error);
  assert_rfc_signature_fails (changed, key);

  /* The right request but somebody else's key. */
  other = cw_verifier_key_ref (cw_signing_key_get_verifier (alice));
  assert_rfc_signature_fails (request, other);
}

static void
test_missing_component (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = NULL;
  g_autoptr(CwHttpSignatures) signatures = parse_ok (b26_signature_input, b26_signature);
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autofree char *base = NULL;

  /* A covered field the request lacks. */
  request = cw_http_request_new ("POST", "https", "example.com", "/foo", NULL, &error);
  g_assert_no_error (error);
  cw_http_signatures_get (signatures, "sig-b26", &params, NULL, &error);
  g_assert_no_error (error);
  base = cw_http_signature_base (request, params, &error);
  g_assert_null (base);
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_MISSING_COMPONENT);
  g_clear_error (&error);

  /* The RFC's example does not cover @query, which the node requires. */
  g_assert_false (cw_http_signature_params_check_policy (params, 1618884473, 300, 30, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_NOT_COVERED);
}

/* Each required component left out in turn. */
static void
test_required_components (void)
{
  const char *required[] = { "@method", "@authority", "@path", "@query" };

  for (guint skip = 0; skip < G_N_ELEMENTS (required); skip++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CwHttpSignatureParams) params = cw_http_signature_params_new ();

      for (guint i = 0; i < G_N_ELEMENTS (required); i++)
        if (i != skip)
          g_assert_true (cw_http_signature_params_add_component (params, required[i], NULL));
      cw_http_signature_params_set_created (params, NOW);
      g_assert_true (cw_http_signature_params_set_nonce (params, "n", NULL));
      g_assert_true (cw_http_signature_params_set_keyid (params, "k", NULL));

      g_assert_false (cw_http_signature_params_check_policy (params, NOW, 300, 30, &error));
      g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_NOT_COVERED);
      g_assert_nonnull (strstr (error->message, required[skip]));
    }
}

static GError *
check_policy_at (CwHttpSignatureParams *params,
                 gint64                 now)
{
  GError *error = NULL;

  cw_http_signature_params_check_policy (params, now, 300, 30, &error);
  return error;
}

static void
test_policy_times (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpSignatureParams) params = cw_http_signature_params_new_for_node (NOW, "k", &error);
  GError *e;

  g_assert_no_error (error);
  g_assert_no_error (check_policy_at (params, NOW));
  g_assert_no_error (check_policy_at (params, NOW + 300));
  g_assert_no_error (check_policy_at (params, NOW - 30));

  e = check_policy_at (params, NOW + 301);
  g_assert_error (e, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_EXPIRED);
  g_clear_error (&e);
  e = check_policy_at (params, NOW + 100000);
  g_assert_error (e, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_EXPIRED);
  g_clear_error (&e);
  e = check_policy_at (params, NOW - 31);
  g_assert_error (e, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_FUTURE);
  g_clear_error (&e);

  cw_http_signature_params_set_expires (params, NOW + 10);
  g_assert_no_error (check_policy_at (params, NOW + 10));
  e = check_policy_at (params, NOW + 11);
  g_assert_error (e, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_EXPIRED);
  g_clear_error (&e);
}

/* A stale or future signature is rejected end to end, before the crypto. */
static void
test_policy_end_to_end (void)
{
  g_autoptr(CwSigningKey) key = new_alice ();
  g_autoptr(CwHttpRequest) request = new_node_request ("GET", "node.example", "/grants", NULL);
  g_autofree char *signature_input = NULL;
  g_autofree char *signature = NULL;
  GError *e;

  sign_for_node (request, key, &signature_input, &signature);
  e = node_check (request, signature_input, signature, cw_signing_key_get_verifier (key), NOW + 3600);
  g_assert_error (e, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_EXPIRED);
  g_clear_error (&e);
  e = node_check (request, signature_input, signature, cw_signing_key_get_verifier (key), NOW - 3600);
  g_assert_error (e, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_FUTURE);
  g_clear_error (&e);
}

static void
test_policy_parameters (void)
{
  const char *base = "(\"@method\" \"@authority\" \"@path\" \"@query\")";
  const struct {
    const char *params;
    CwHttpSignatureError code;
  } cases[] = {
    { ";nonce=\"n\";keyid=\"k\"", CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER },
    { ";created=1700000000;keyid=\"k\"", CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER },
    { ";created=1700000000;nonce=\"\";keyid=\"k\"", CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER },
    { ";created=1700000000;nonce=\"n\"", CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER },
    { ";created=1700000000;nonce=\"n\";keyid=\"\"", CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER },
    { ";created=1700000000;nonce=\"n\";keyid=\"k\";alg=\"rsa-pss-sha512\"", CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *input = g_strdup_printf ("s=%s%s", base, cases[i].params);
      g_autoptr(CwHttpSignatures) signatures = parse_ok (input, "s=:AAAA:");
      g_autoptr(CwHttpSignatureParams) params = NULL;

      cw_http_signatures_get (signatures, "s", &params, NULL, &error);
      g_assert_no_error (error);
      g_assert_false (cw_http_signature_params_check_policy (params, NOW, 300, 30, &error));
      g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, (gint) cases[i].code);
    }
}

static void
test_wrong_length_signature (void)
{
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwVerifierKey) key = new_rfc_verifier_key ();
  g_autoptr(GError) error = NULL;

  error = node_check (request,
                      "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created=1700000000;nonce=\"n\";keyid=\"k\"",
                      "sig1=:AAAA:", key, NOW);
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_BAD_SIGNATURE);
}

static void
test_labels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpSignatures) signatures = NULL;
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GBytes) bytes = NULL;

  signatures = parse_ok ("a=(\"@path\");created=1, b=(\"@method\");created=2",
                         "b=:AQ==:, a=:AA==:");
  g_assert_cmpuint (cw_http_signatures_get_n_signatures (signatures), ==, 2);

  g_assert_false (cw_http_signatures_get (signatures, NULL, &params, NULL, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_NO_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (cw_http_signatures_get (signatures, "c", &params, NULL, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_NO_SIGNATURE);
  g_clear_error (&error);

  g_assert_true (cw_http_signatures_get (signatures, "b", &params, &bytes, &error));
  g_assert_cmpstr (cw_http_signature_params_get_component (params, 0), ==, "@method");
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bytes, NULL))[0], ==, 1);
}

/* Valid RFC 8941 that is not in canonical form parses and comes back
 * canonical; unknown parameters are kept, since they are signed too. */
static void
test_lenient_syntax (void)
{
  const struct {
    const char *input;
    const char *canonical;
  } cases[] = {
    { "  sig1=( \"@method\"   \"@path\" );created=1;keyid=\"k\"",
      "sig1=(\"@method\" \"@path\");created=1;keyid=\"k\"" },
    { "sig1=();created=0", "sig1=();created=0" },
    { "sig1=(\"@path\");x=?1;y=?0;z=tok/en:1;w=:AQID:;v=-5;created=007",
      "sig1=(\"@path\");x;y=?0;z=tok/en:1;w=:AQID:;v=-5;created=7" },
    { "sig1=(\"@path\");keyid=\"a\\\\b\\\"c\"", "sig1=(\"@path\");keyid=\"a\\\\b\\\"c\"" },
    { "a=(\"@path\"),\tb=(\"@path\")", "a=(\"@path\"), b=(\"@path\")" },
    { "sig1=(\"@path\");  created=1", "sig1=(\"@path\");created=1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *signature = NULL;
      g_autoptr(CwHttpSignatures) signatures = NULL;
      g_autofree char *again = NULL;

      signature = g_str_has_prefix (cases[i].input, "a=") ? g_strdup ("a=::, b=::") : g_strdup ("sig1=::");
      signatures = cw_http_signatures_parse (cases[i].input, signature, &error);
      g_assert_no_error (error);
      again = cw_http_signatures_to_signature_input (signatures);
      g_assert_cmpstr (again, ==, cases[i].canonical);
    }
}

#define GOOD_INPUT "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created=1700000000;nonce=\"n\";keyid=\"k\""
#define GOOD_SIG "sig1=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"

static void
test_malformed (void)
{
  const struct {
    const char *signature_input;
    const char *signature;
    CwHttpSignatureError code;
  } cases[] = {
    /* Signature-Input: RFC 8941 syntax. */
    { "", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "   ", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\"", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\"\"@path\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "Sig1=(\"@method\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "1sig=(\"@method\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(@method)", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");keyid=\"abc", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");keyid=\"a\\q\"", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");keyid=\"a\tb\"", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");keyid=\"\xc3\xa9\"", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");created=1.5", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");created=1234567890123456", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");created=-", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");created=1;created=2", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");;created=1", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");flag=?2", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");blob=:AQ=:", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\") x", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\"),", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\") sig2=(\"@path\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\"), sig1=(\"@path\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    /* Signature-Input: RFC 9421 structure. */
    { "sig1", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=\"@method\"", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(@method \"@path\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(method)", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");created=\"1\"", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");created=-1", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");keyid=k", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\");nonce=1", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@method\" \"@method\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@signature-params\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"Content-Type\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"content type\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { "sig1=(\"@status\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED },
    { "sig1=(\"@query-param\";name=\"foo\")", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED },
    { "sig1=(\"content-type\";sf)", GOOD_SIG, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED },
    /* Signature. */
    { GOOD_INPUT, "", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:abc:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YR==:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YQ:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YW Jj:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YW-j:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YWJj", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=YWJj", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=\"YWJj\"", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=(:YWJj:)", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YWJj:;x=1", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig2=:YWJj:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YWJj:, sig2=:YWJj:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
    { GOOD_INPUT, "sig1=:YWJj:, sig1=:YWJj:", CW_HTTP_SIGNATURE_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CwHttpSignatures) signatures = NULL;

      signatures = cw_http_signatures_parse (cases[i].signature_input, cases[i].signature, &error);
      if (signatures != NULL || error == NULL || error->code != (int) cases[i].code)
        g_test_message ("case %u: %s / %s", i, cases[i].signature_input, cases[i].signature);
      g_assert_null (signatures);
      g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, (gint) cases[i].code);
      g_test_message ("case %u: %s", i, error->message);
    }
}

static void
test_limits (void)
{
  g_autoptr(GString) labels = g_string_new (NULL);
  g_autoptr(GString) sigs = g_string_new (NULL);
  g_autoptr(GString) components = g_string_new ("sig1=(");
  g_autoptr(GString) params = g_string_new ("sig1=()");
  g_autofree char *huge = NULL;
  GError *error = NULL;

  for (guint i = 0; i <= CW_HTTP_SIGNATURE_MAX_SIGNATURES; i++)
    {
      g_string_append_printf (labels, "%ss%u=()", i ? ", " : "", i);
      g_string_append_printf (sigs, "%ss%u=::", i ? ", " : "", i);
    }
  g_assert_null (cw_http_signatures_parse (labels->str, sigs->str, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  for (guint i = 0; i <= CW_HTTP_SIGNATURE_MAX_COMPONENTS; i++)
    g_string_append_printf (components, "\"x-h%u\" ", i);
  g_string_append_c (components, ')');
  g_assert_null (cw_http_signatures_parse (components->str, "sig1=::", &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  for (guint i = 0; i <= CW_HTTP_SIGNATURE_MAX_PARAMETERS; i++)
    g_string_append_printf (params, ";p%u=%u", i, i);
  g_assert_null (cw_http_signatures_parse (params->str, "sig1=::", &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  huge = g_strdup_printf ("sig1=(\"@path\");keyid=\"%0*d\"", CW_HTTP_SIGNATURE_MAX_FIELD_LENGTH, 0);
  g_assert_null (cw_http_signatures_parse (huge, "sig1=::", &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_TOO_LARGE);
  g_clear_error (&error);
}

static void
test_invalid_request (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  const char *parts[][5] = {
    { "", "https", "example.com", "/", NULL },
    { "GE T", "https", "example.com", "/", NULL },
    { "GET", "", "example.com", "/", NULL },
    { "GET", "1http", "example.com", "/", NULL },
    { "GET", "https", "", "/", NULL },
    { "GET", "https", "user@example.com", "/", NULL },
    { "GET", "https", "example.com", "foo", NULL },
    { "GET", "https", "example.com", "/a b", NULL },
    { "GET", "https", "example.com", "/a?b", NULL },
    { "GET", "https", "example.com", "/\xc3\xa9", NULL },
    { "GET", "https", "example.com", "/", "a#b" },
    { "GET", "https", "example.com", "/", "a\nb" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_assert_null (cw_http_request_new (parts[i][0], parts[i][1], parts[i][2],
                                          parts[i][3], parts[i][4], &error));
      g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_INVALID_REQUEST);
      g_clear_error (&error);
    }

  g_assert_false (cw_http_request_add_header (request, "X-Bad", "a\r\nInjected: yes", &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (cw_http_request_add_header (request, "X Bad", "a", &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
}

static void
test_sign_refuses (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwHttpRequest) request = new_rfc_request ();
  g_autoptr(CwSigningKey) key = new_rfc_signing_key ();
  g_autoptr(CwSigningKey) cosigner = NULL;
  g_autoptr(CwHttpSignatureParams) params = cw_http_signature_params_new_for_node (NOW, "k", &error);
  char *out = NULL;

  g_assert_no_error (error);
  g_assert_false (cw_http_signature_sign (request, params, "Bad", key, &out, NULL, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_MALFORMED);
  g_clear_error (&error);

  cosigner = cw_signing_key_new_from_seed ("c", CW_KEY_TYPE_COSIGNATURE_V1, rfc_seed, &error);
  g_assert_no_error (error);
  g_assert_false (cw_http_signature_sign (request, params, "sig1", cosigner, &out, NULL, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  g_assert_true (cw_http_signature_params_set_alg (params, "hmac-sha256", &error));
  g_assert_false (cw_http_signature_sign (request, params, "sig1", key, &out, NULL, &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  g_assert_false (cw_http_signature_params_set_keyid (params, "line\nbreak", &error));
  g_assert_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_MALFORMED);
  g_assert_null (out);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http-signature/rfc9421/keys", test_rfc_keys);
  g_test_add_func ("/http-signature/rfc9421/b26-base", test_rfc_b26_base);
  g_test_add_func ("/http-signature/rfc9421/b26-verify", test_rfc_b26_verify);
  g_test_add_func ("/http-signature/rfc9421/b26-sign", test_rfc_b26_sign);
  g_test_add_func ("/http-signature/component-values", test_component_values);
  g_test_add_func ("/http-signature/round-trip", test_round_trip);
  g_test_add_func ("/http-signature/round-trip-all-components", test_round_trip_all_components);
  g_test_add_func ("/http-signature/nonces-differ", test_nonces_differ);
  g_test_add_func ("/http-signature/reject/flipped-bits", test_flipped_bits);
  g_test_add_func ("/http-signature/reject/changed-request", test_changed_request);
  g_test_add_func ("/http-signature/reject/changed-header", test_changed_header);
  g_test_add_func ("/http-signature/reject/wrong-length", test_wrong_length_signature);
  g_test_add_func ("/http-signature/reject/missing-component", test_missing_component);
  g_test_add_func ("/http-signature/policy/required-components", test_required_components);
  g_test_add_func ("/http-signature/policy/times", test_policy_times);
  g_test_add_func ("/http-signature/policy/end-to-end", test_policy_end_to_end);
  g_test_add_func ("/http-signature/policy/parameters", test_policy_parameters);
  g_test_add_func ("/http-signature/parse/labels", test_labels);
  g_test_add_func ("/http-signature/parse/lenient-syntax", test_lenient_syntax);
  g_test_add_func ("/http-signature/parse/malformed", test_malformed);
  g_test_add_func ("/http-signature/parse/limits", test_limits);
  g_test_add_func ("/http-signature/invalid-request", test_invalid_request);
  g_test_add_func ("/http-signature/sign-refuses", test_sign_refuses);

  return g_test_run ();
}
