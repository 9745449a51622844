/* test-dsse.c: DSSE envelopes: the PAE known answer, key IDs, signing and
 * verifying, strict parsing, and that one flipped bit anywhere in an
 * envelope or its payload is always rejected. */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-tx.h"

static CwSigningKey *
signing_key (guint8 fill)
{
  guint8 seed[CW_SEED_SIZE];
  g_autoptr(GError) error = NULL;
  CwSigningKey *key;

  memset (seed, fill, sizeof seed);
  key = cw_signing_key_new_from_seed ("patient", CW_KEY_TYPE_ED25519, seed, &error);
  g_assert_no_error (error);
  return key;
}

/* A small, valid revoke payload signed by @key. */
static GBytes *
example_payload (CwSigningKey *key)
{
  guint8 nonce[CW_TX_NONCE_SIZE], prev[CW_TX_ID_SIZE], grant[CW_TX_ID_SIZE];
  g_autoptr(GDateTime) time = cw_tx_parse_time ("2024-05-01T12:00:00Z");
  CwTxCommon common = { cw_signing_key_get_public_key (key), 2, prev, time, nonce };
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GError) error = NULL;

  memset (nonce, 0x02, sizeof nonce);
  memset (prev, 0x03, sizeof prev);
  memset (grant, 0x04, sizeof grant);
  tx = cw_tx_new_revoke (&common, grant, &error);
  g_assert_no_error (error);
  return cw_tx_to_payload (tx);
}

static char *
example_envelope (CwSigningKey *key,
                  gsize        *len)
{
  g_autoptr(GBytes) payload = example_payload (key);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_sign (payload, key, &error);

  g_assert_no_error (error);
  return cw_dsse_envelope_to_json (envelope, len);
}

static void
test_pae_known_answer (void)
{
  g_autoptr(GBytes) pae = cw_dsse_pae ("http://example.com/HelloWorld", (const guint8 *) "hello world", 11);
  static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
  g_autoptr(GBytes) empty = cw_dsse_pae ("t", NULL, 0);
  /* Lengths count bytes, not characters. */
  g_autoptr(GBytes) utf8 = cw_dsse_pae ("t", (const guint8 *) "\xc3\xa9", 2);

  g_assert_cmpmem (g_bytes_get_data (pae, NULL), g_bytes_get_size (pae), want, strlen (want));
  g_assert_cmpmem (g_bytes_get_data (empty, NULL), g_bytes_get_size (empty), "DSSEv1 1 t 0 ", 13);
  g_assert_cmpmem (g_bytes_get_data (utf8, NULL), g_bytes_get_size (utf8), "DSSEv1 1 t 2 \xc3\xa9", 15);
}

static void
test_key_id (void)
{
  guint8 zeros[CW_PUBLIC_KEY_SIZE] = { 0 };
  g_autofree char *id = cw_dsse_key_id (zeros);

  /* SHA-256 of 32 zero bytes. */
  g_assert_cmpstr (id, ==, "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
}

static void
test_sign_verify (void)
{
  g_autoptr(CwSigningKey) key = signing_key (0x11);
  CwVerifierKey *verifier = cw_signing_key_get_verifier (key);
  g_autoptr(GBytes) payload = example_payload (key);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_sign (payload, key, &error);
  g_autoptr(CwDsseEnvelope) parsed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) pae = NULL;
  g_autofree char *json = NULL;
  g_autofree char *key_id = cw_dsse_key_id (cw_signing_key_get_public_key (key));
  g_autofree guchar *sig = NULL;
  JsonObject *sig_object;
  gsize len, sig_len;

  g_assert_no_error (error);
  g_assert_true (cw_dsse_envelope_verify (envelope, verifier, &error));
  g_assert_no_error (error);

  json = cw_dsse_envelope_to_json (envelope, &len);
  g_assert_cmpuint (len, ==, strlen (json));
  g_assert_true (g_str_has_prefix (json, "{\"payload\":\""));
  g_assert_nonnull (strstr (json, "\",\"payloadType\":\"application/vnd.consentwallet.tx+json\","
                                  "\"signatures\":[{\"keyid\":\""));
  g_assert_null (strchr (json, ' '));

  parsed = cw_dsse_envelope_parse (json, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_dsse_envelope_get_payload_type (parsed), ==, CW_DSSE_PAYLOAD_TYPE);
  g_assert_cmpuint (cw_dsse_envelope_get_n_signatures (parsed), ==, 1);
  g_assert_cmpstr (cw_dsse_envelope_get_key_id (parsed, 0), ==, key_id);
  got = cw_dsse_envelope_get_payload (parsed);
  g_assert_true (g_bytes_equal (got, payload));

  opened = cw_dsse_open (json, len, verifier, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened, payload));

  /* Independently of cw-dsse: libsodium over the PAE we expect. */
  root = json_from_string (json, NULL);
  sig_object = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root),
                                                                            "signatures"), 0);
  sig = g_base64_decode (json_object_get_string_member (sig_object, "sig"), &sig_len);
  g_assert_cmpuint (sig_len, ==, CW_SIGNATURE_SIZE);
  pae = cw_dsse_pae (CW_DSSE_PAYLOAD_TYPE, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  g_assert_cmpint (crypto_sign_verify_detached (sig, g_bytes_get_data (pae, NULL), g_bytes_get_size (pae),
                                                cw_signing_key_get_public_key (key)), ==, 0);
}

static void
test_wrong_key (void)
{
  g_autoptr(CwSigningKey) key = signing_key (0x11);
  g_autoptr(CwSigningKey) other = signing_key (0x22);
  CwVerifierKey *other_verifier = cw_signing_key_get_verifier (other);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autofree char *json = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *key_id = cw_dsse_key_id (cw_signing_key_get_public_key (key));
  g_autofree char *other_id = cw_dsse_key_id (cw_signing_key_get_public_key (other));
  g_autoptr(GBytes) payload = NULL;
  char *p;
  gsize len;

  json = example_envelope (key, &len);
  envelope = cw_dsse_envelope_parse (json, len, &error);
  g_assert_no_error (error);
  g_assert_false (cw_dsse_envelope_verify (envelope, other_verifier, &error));
  g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_NO_SIGNATURE);
  g_clear_error (&error);

  /* Claiming the other key's ID does not make the signature its. */
  forged = g_strdup (json);
  p = strstr (forged, key_id);
  memcpy (p, other_id, strlen (other_id));
  payload = cw_dsse_open (forged, len, other_verifier, &error);
  g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_BAD_SIGNATURE);
  g_assert_null (payload);
}

static void
test_multiple_signatures (void)
{
  g_autoptr(CwSigningKey) a = signing_key (0x11);
  g_autoptr(CwSigningKey) b = signing_key (0x22);
  CwVerifierKey *va = cw_signing_key_get_verifier (a);
  CwVerifierKey *vb = cw_signing_key_get_verifier (b);
  g_autoptr(GBytes) payload = example_payload (a);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_sign (payload, a, &error);
  g_autoptr(CwDsseEnvelope) parsed = NULL;
  g_autofree char *json = NULL;

  g_assert_true (cw_dsse_envelope_add_signature (envelope, b, &error));
  g_assert_no_error (error);
  g_assert_false (cw_dsse_envelope_add_signature (envelope, b, &error));
  g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_MALFORMED);
  g_clear_error (&error);

  json = cw_dsse_envelope_to_json (envelope, NULL);
  parsed = cw_dsse_envelope_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_dsse_envelope_get_n_signatures (parsed), ==, 2);
  g_assert_true (cw_dsse_envelope_verify (parsed, va, NULL));
  g_assert_true (cw_dsse_envelope_verify (parsed, vb, NULL));

  for (guint8 fill = 0x33; cw_dsse_envelope_get_n_signatures (envelope) < CW_DSSE_MAX_SIGNATURES; fill++)
    {
      g_autoptr(CwSigningKey) more = signing_key (fill);
      g_assert_true (cw_dsse_envelope_add_signature (envelope, more, NULL));
    }
  {
    g_autoptr(CwSigningKey) one_too_many = signing_key (0x99);
    g_assert_false (cw_dsse_envelope_add_signature (envelope, one_too_many, &error));
    g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE);
  }
}

/* Other DSSE writers may use white space and another member order. */
static void
test_parse_foreign_layout (void)
{
  g_autoptr(CwSigningKey) key = signing_key (0x11);
  CwVerifierKey *verifier = cw_signing_key_get_verifier (key);
  g_autofree char *json = example_envelope (key, NULL);
  g_autoptr(JsonNode) root = json_from_string (json, NULL);
  JsonObject *object = json_node_get_object (root);
  g_autofree char *pretty = NULL;
  g_autoptr(JsonObject) reordered = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;

  json_object_set_member (reordered, "signatures", json_node_copy (json_object_get_member (object, "signatures")));
  json_object_set_member (reordered, "payloadType", json_node_copy (json_object_get_member (object, "payloadType")));
  json_object_set_member (reordered, "payload", json_node_copy (json_object_get_member (object, "payload")));
  json_node_take_object (root, g_steal_pointer (&reordered));
  pretty = json_to_string (root, TRUE);

  payload = cw_dsse_open (pretty, strlen (pretty), verifier, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payload);
}

static char *
with_member (const char *json,
             const char *object_path,
             const char *member,
             const char *value)
{
  g_autoptr(JsonNode) root = json_from_string (json, NULL);
  JsonObject *object = json_node_get_object (root);

  if (g_strcmp0 (object_path, "sig0") == 0)
    object = json_array_get_object_element (json_object_get_array_member (object, "signatures"), 0);

  if (value == NULL)
    json_object_remove_member (object, member);
  else
    json_object_set_member (object, member, json_from_string (value, NULL));
  return json_to_string (root, FALSE);
}

static void
test_parse_rejects (void)
{
  g_autoptr(CwSigningKey) key = signing_key (0x11);
  g_autofree char *json = example_envelope (key, NULL);
  g_autoptr(JsonNode) root = json_from_string (json, NULL);
  JsonObject *object = json_node_get_object (root);
  const char *payload = json_object_get_string_member (object, "payload");
  JsonObject *sig0 = json_array_get_object_element (json_object_get_array_member (object, "signatures"), 0);
  g_autofree char *sig = g_strdup_printf ("\"%s\"", json_object_get_string_member (sig0, "sig"));
  g_autofree char *keyid = g_strdup (json_object_get_string_member (sig0, "keyid"));
  g_autofree char *upper_keyid = g_strdup_printf ("\"%s\"", keyid);
  g_autofree char *payload_unpadded = g_strdup_printf ("\"%.*s\"", (int) strlen (payload) - 1, payload);
  g_autofree char *payload_spaced = g_strdup_printf ("\"%.8s %s\"", payload, payload + 8);
  g_autofree char *short_sig = g_strdup_printf ("\"%.84s\"", sig + 1);
  g_autofree char *dup_sigs = g_strdup_printf ("[{\"keyid\":\"%s\",\"sig\":%s},{\"keyid\":\"%s\",\"sig\":%s}]",
                                               keyid, sig, keyid, sig);
  g_autofree char *dup_member = NULL;
  g_autoptr(GString) huge = g_string_new (json);
  g_autoptr(GString) many = g_string_new ("[");
  struct {
    const char *where;
    const char *member;
    const char *value;
    CwDsseError code;
  } cases[] = {
    { NULL, "payloadType", "\"application/vnd.in-toto+json\"", CW_DSSE_ERROR_PAYLOAD_TYPE },
    { NULL, "payloadType", "\"application/vnd.consentwallet.tx+json \"", CW_DSSE_ERROR_PAYLOAD_TYPE },
    { NULL, "payloadType", "1", CW_DSSE_ERROR_MALFORMED },
    { NULL, "payloadType", NULL, CW_DSSE_ERROR_MALFORMED },
    { NULL, "payload", NULL, CW_DSSE_ERROR_MALFORMED },
    { NULL, "payload", payload_unpadded, CW_DSSE_ERROR_MALFORMED },
    { NULL, "payload", payload_spaced, CW_DSSE_ERROR_MALFORMED },
    { NULL, "payload", "\"a-b_\"", CW_DSSE_ERROR_MALFORMED },
    { NULL, "payload", "[]", CW_DSSE_ERROR_MALFORMED },
    { NULL, "signatures", NULL, CW_DSSE_ERROR_MALFORMED },
    { NULL, "signatures", "[]", CW_DSSE_ERROR_MALFORMED },
    { NULL, "signatures", "{}", CW_DSSE_ERROR_MALFORMED },
    { NULL, "signatures", "[1]", CW_DSSE_ERROR_MALFORMED },
    { NULL, "signatures", dup_sigs, CW_DSSE_ERROR_MALFORMED },
    { NULL, "extra", "1", CW_DSSE_ERROR_MALFORMED },
    { "sig0", "keyid", NULL, CW_DSSE_ERROR_MALFORMED },
    { "sig0", "keyid", "\"\"", CW_DSSE_ERROR_MALFORMED },
    { "sig0", "keyid", "\"abc\"", CW_DSSE_ERROR_MALFORMED },
    { "sig0", "keyid", upper_keyid, CW_DSSE_ERROR_MALFORMED },
    { "sig0", "sig", NULL, CW_DSSE_ERROR_MALFORMED },
    { "sig0", "sig", short_sig, CW_DSSE_ERROR_MALFORMED },
    { "sig0", "sig", "\"\"", CW_DSSE_ERROR_MALFORMED },
    { "sig0", "extra", "\"x\"", CW_DSSE_ERROR_MALFORMED },
  };

  for (char *p = upper_keyid; *p != '\0'; p++)
    *p = g_ascii_toupper (*p);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *bad = with_member (json, cases[i].where, cases[i].member, cases[i].value);
      g_autoptr(GError) error = NULL;
      g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (bad, strlen (bad), &error);

      g_test_message ("case %u: %s", i, bad);
      g_assert_error (error, CW_DSSE_ERROR, (int) cases[i].code);
      g_assert_null (envelope);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CwDsseEnvelope) envelope = NULL;

    /* Duplicate members, which json-glib alone would take silently. */
    dup_member = g_strdup_printf ("{\"payload\":\"e30=\",%s", json + 1);
    envelope = cw_dsse_envelope_parse (dup_member, strlen (dup_member), &error);
    g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_MALFORMED);
    g_clear_error (&error);

    envelope = cw_dsse_envelope_parse ("[]", 2, &error);
    g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_MALFORMED);
    g_clear_error (&error);

    while (huge->len <= CW_DSSE_MAX_ENVELOPE_SIZE)
      g_string_append_c (huge, ' ');
    envelope = cw_dsse_envelope_parse (huge->str, huge->len, &error);
    g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }

  for (guint i = 0; i <= CW_DSSE_MAX_SIGNATURES; i++)
    {
      g_autofree char *id = g_strdup_printf ("%064x", i);
      g_string_append_printf (many, "%s{\"keyid\":\"%s\",\"sig\":%s}", i > 0 ? "," : "", id, sig);
    }
  g_string_append_c (many, ']');
  {
    g_autofree char *bad = with_member (json, NULL, "signatures", many->str);
    g_autoptr(GError) error = NULL;
    g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (bad, strlen (bad), &error);

    g_assert_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE);
  }
}

/* Parse, verify, then parse the payload as a transaction: what a node or
 * wallet does with an envelope it receives. */
static gboolean
accept_envelope (const char    *data,
                 gsize          len,
                 CwVerifierKey *key)
{
  g_autoptr(GBytes) payload = cw_dsse_open (data, len, key, NULL);
  g_autoptr(CwTx) tx = NULL;

  if (payload == NULL)
    return FALSE;
  tx = cw_tx_parse_payload_bytes (payload, NULL);
  return tx != NULL;
}

static void
test_bit_flips_envelope (void)
{
  g_autoptr(CwSigningKey) key = signing_key (0x11);
  CwVerifierKey *verifier = cw_signing_key_get_verifier (key);
  gsize len;
  g_autofree char *json = example_envelope (key, &len);
  g_autofree char *copy = g_malloc (len + 1);

  g_assert_true (accept_envelope (json, len, verifier));
  for (gsize bit = 0; bit < len * 8; bit++)
    {
      memcpy (copy, json, len + 1);
      copy[bit / 8] ^= 1 << (bit % 8);
      if (accept_envelope (copy, len, verifier))
        g_error ("Flipping bit %" G_GSIZE_FORMAT " of the envelope went unnoticed", bit);
    }
}

static void
test_bit_flips_payload (void)
{
  g_autoptr(CwSigningKey) key = signing_key (0x11);
  CwVerifierKey *verifier = cw_signing_key_get_verifier (key);
  g_autoptr(GBytes) payload = example_payload (key);
  g_autofree char *json = example_envelope (key, NULL);
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  g_autofree char *encoded = cw_base64_encode (data, len);
  g_autofree guint8 *copy = g_malloc (len);
  const char *at = strstr (json, encoded);

  g_assert_nonnull (at);
  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree char *flipped = NULL;
      g_autofree char *forged = NULL;

      memcpy (copy, data, len);
      copy[bit / 8] ^= 1 << (bit % 8);
      flipped = cw_base64_encode (copy, len);
      forged = g_strdup_printf ("%.*s%s%s", (int) (at - json), json, flipped, at + strlen (encoded));
      if (accept_envelope (forged, strlen (forged), verifier))
        g_error ("Flipping bit %" G_GSIZE_FORMAT " of the payload went unnoticed", bit);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dsse/pae-known-answer", test_pae_known_answer);
  g_test_add_func ("/dsse/key-id", test_key_id);
  g_test_add_func ("/dsse/sign-verify", test_sign_verify);
  g_test_add_func ("/dsse/wrong-key", test_wrong_key);
  g_test_add_func ("/dsse/multiple-signatures", test_multiple_signatures);
  g_test_add_func ("/dsse/parse/foreign-layout", test_parse_foreign_layout);
  g_test_add_func ("/dsse/parse/rejects", test_parse_rejects);
  g_test_add_func ("/dsse/bit-flips/envelope", test_bit_flips_envelope);
  g_test_add_func ("/dsse/bit-flips/payload", test_bit_flips_payload);

  return g_test_run ();
}
