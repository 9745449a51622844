/* test-tx.c: consent transaction payloads: builders, round trips of every
 * type, strict parsing (missing fields, wrong JSON types, invalid values,
 * non-canonical bytes), IDs and the name tables. */
#include "config.h"

#include <string.h>

#include "cw-canonical-json.h"
#include "cw-tx.h"

static guint8 key_patient[CW_PUBLIC_KEY_SIZE];
static guint8 key_other[CW_PUBLIC_KEY_SIZE];
static guint8 id_prev[CW_TX_ID_SIZE];
static guint8 id_ref[CW_TX_ID_SIZE];
static guint8 nonce[CW_TX_NONCE_SIZE];

static void
fill_fixtures (void)
{
  memset (key_patient, 0x01, sizeof key_patient);
  memset (nonce, 0x02, sizeof nonce);
  memset (id_prev, 0x03, sizeof id_prev);
  memset (id_ref, 0x04, sizeof id_ref);
  memset (key_other, 0x05, sizeof key_other);
}

static GDateTime *
at (const char *text)
{
  GDateTime *time = cw_tx_parse_time (text);

  g_assert_nonnull (time);
  return time;
}

static CwTxCommon
common_for (guint64 seq)
{
  static GDateTime *time;
  CwTxCommon common = { key_patient, seq, seq > 0 ? id_prev : NULL, NULL, nonce };

  if (time == NULL)
    time = at ("2024-05-01T12:00:00Z");
  common.time = time;
  return common;
}

enum {
  EX_ENROLL,
  EX_GRANT,
  EX_GRANT_MINIMAL,
  EX_REVOKE,
  EX_DENY,
  EX_ROTATE,
  EX_ROTATE_MINIMAL,
  EX_REQUEST,
  EX_ACCESS,
  N_EXAMPLES,
};

static CwTx *
build_example (guint which)
{
  g_autoptr(GDateTime) expires = at ("2025-05-01T00:00:00Z");
  g_autoptr(GError) error = NULL;
  CwTxCommon c0 = common_for (0), c1 = common_for (1), c7 = common_for (7);
  CwTx *tx = NULL;

  switch (which)
    {
    case EX_ENROLL:
      tx = cw_tx_new_enroll (&c0, key_other, "INV-7f3a!x", "st-olaf-clinic", &error);
      break;
    case EX_GRANT:
      tx = cw_tx_new_grant (&c1, "st-olaf-clinic", CW_SCOPE_LAB_RESULTS | CW_SCOPE_ALLERGIES | CW_SCOPE_MENTAL_HEALTH,
                            CW_PURPOSE_TREAT, CW_ACCESS_VIEW | CW_ACCESS_STORE,
                            "2020-01-01", "2024-12-31", expires, id_ref, &error);
      break;
    case EX_GRANT_MINIMAL:
      tx = cw_tx_new_grant (&c7, "lab-2", CW_SCOPE_SUMMARY, CW_PURPOSE_COVERAGE, CW_ACCESS_VIEW,
                            NULL, NULL, expires, NULL, &error);
      break;
    case EX_REVOKE:
      tx = cw_tx_new_revoke (&c7, id_ref, &error);
      break;
    case EX_DENY:
      tx = cw_tx_new_deny (&c7, id_ref, &error);
      break;
    case EX_ROTATE:
      tx = cw_tx_new_rotate (&c7, key_other, key_patient, &error);
      break;
    case EX_ROTATE_MINIMAL:
      tx = cw_tx_new_rotate (&c7, key_other, NULL, &error);
      break;
    case EX_REQUEST:
      tx = cw_tx_new_request (&c0, "st-olaf-clinic", CW_SCOPE_IMAGING | CW_SCOPE_GENETICS, CW_PURPOSE_CAREMGT,
                              CW_ACCESS_STORE, expires, "Follow-up after your visit on 3 May \xe2\x80\x94 Dr. M\xc3\xbcller",
                              &error);
      break;
    case EX_ACCESS:
      tx = cw_tx_new_access (&c0, "st-olaf-clinic", id_ref, CW_SCOPE_LAB_RESULTS, CW_PURPOSE_ETREAT, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  g_assert_no_error (error);
  g_assert_nonnull (tx);
  return tx;
}

static char *
payload_text (CwTx *tx)
{
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);

  return g_strndup (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
}

static CwTx *
parse_text (const char  *text,
            GError     **error)
{
  return cw_tx_parse_payload ((const guint8 *) text, strlen (text), error);
}

/* The example's payload with @member set to @json (NULL: removed),
 * re-encoded canonically. */
static char *
modified (guint       which,
          const char *member,
          const char *json)
{
  g_autoptr(CwTx) tx = build_example (which);
  g_autofree char *text = payload_text (tx);
  g_autoptr(JsonNode) root = json_from_string (text, NULL);
  JsonObject *object = json_node_get_object (root);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (json == NULL)
    json_object_remove_member (object, member);
  else
    json_object_set_member (object, member, json_from_string (json, NULL));

  bytes = cw_canonical_json_encode (root, &error);
  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
assert_rejected (const char *text,
                 GQuark      domain,
                 int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTx) tx = parse_text (text, &error);

  if (error == NULL || error->domain != domain || error->code != code)
    {
      g_autofree char *shown = g_strescape (text, NULL);
      g_test_message ("payload: %s", shown);
    }
  g_assert_error (error, domain, code);
  g_assert_null (tx);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_known_answer (void)
{
  g_autoptr(CwTx) tx = build_example (EX_REVOKE);
  g_autoptr(GDateTime) time = at ("2024-05-01T12:00:00Z");
  CwTxCommon common = { key_patient, 3, id_prev, time, nonce };
  g_autoptr(CwTx) revoke = cw_tx_new_revoke (&common, id_ref, NULL);
  g_autofree char *text = payload_text (revoke);
  g_autofree char *id_hex = NULL;
  guint8 id[CW_TX_ID_SIZE];

  g_assert_cmpstr (text, ==,
                   "{\"grant\":\"BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=\","
                   "\"nonce\":\"AgICAgICAgICAgICAgICAg==\","
                   "\"patient\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\","
                   "\"prev\":\"AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\","
                   "\"seq\":3,\"time\":\"2024-05-01T12:00:00Z\",\"type\":\"revoke\",\"v\":1}");
  cw_tx_compute_id (revoke, id);
  id_hex = cw_hex_encode (id, sizeof id);
  g_assert_cmpstr (id_hex, ==, "714e1325524eca5f2834651ce3727c958c176de5b59bad47d63c6262b813da57");
}

static void
test_round_trip (void)
{
  for (guint i = 0; i < N_EXAMPLES; i++)
    {
      g_autoptr(CwTx) built = build_example (i);
      g_autoptr(GBytes) payload = cw_tx_to_payload (built);
      g_autoptr(GError) error = NULL;
      g_autoptr(CwTx) parsed = cw_tx_parse_payload_bytes (payload, &error);
      g_autoptr(GBytes) again = NULL;
      guint8 id_a[CW_TX_ID_SIZE], id_b[CW_TX_ID_SIZE], id_c[CW_TX_ID_SIZE];
      gsize len;
      const guint8 *data = g_bytes_get_data (payload, &len);

      g_assert_no_error (error);
      g_assert_true (cw_canonical_json_check (data, len, NULL, NULL));
      again = cw_tx_to_payload (parsed);
      g_assert_true (g_bytes_equal (payload, again));

      cw_tx_compute_id (built, id_a);
      cw_tx_compute_id (parsed, id_b);
      cw_sha256 (data, len, id_c);
      g_assert_cmpmem (id_a, sizeof id_a, id_b, sizeof id_b);
      g_assert_cmpmem (id_a, sizeof id_a, id_c, sizeof id_c);

      g_assert_cmpint (cw_tx_get_tx_type (parsed), ==, cw_tx_get_tx_type (built));
      g_assert_cmpmem (cw_tx_get_patient (parsed), CW_PUBLIC_KEY_SIZE, key_patient, CW_PUBLIC_KEY_SIZE);
      g_assert_cmpmem (cw_tx_get_nonce (parsed), CW_TX_NONCE_SIZE, nonce, CW_TX_NONCE_SIZE);
      g_assert_cmpuint (cw_tx_get_seq (parsed), ==, cw_tx_get_seq (built));
      g_assert_true (g_date_time_equal (cw_tx_get_time (parsed), cw_tx_get_time (built)));
      g_assert_cmpstr (cw_tx_get_provider (parsed), ==, cw_tx_get_provider (built));
      g_assert_cmpuint (cw_tx_get_scopes (parsed), ==, cw_tx_get_scopes (built));
      g_assert_cmpstr (cw_tx_get_reason (parsed), ==, cw_tx_get_reason (built));
    }
}

static void
test_getters (void)
{
  g_autoptr(CwTx) grant = build_example (EX_GRANT);
  g_autoptr(CwTx) enroll = build_example (EX_ENROLL);
  g_autoptr(CwTx) rotate = build_example (EX_ROTATE_MINIMAL);
  g_autoptr(CwTx) request = build_example (EX_REQUEST);
  g_autofree char *grant_text = payload_text (grant);
  g_autofree char *request_text = payload_text (request);
  g_autofree char *time = NULL;
  g_autofree char *patient_id = cw_tx_dup_patient_id (grant);

  g_assert_cmpstr (patient_id, ==, "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=");
  g_assert_cmpmem (cw_tx_get_prev (grant), CW_TX_ID_SIZE, id_prev, CW_TX_ID_SIZE);
  g_assert_cmpmem (cw_tx_get_request (grant), CW_TX_ID_SIZE, id_ref, CW_TX_ID_SIZE);
  g_assert_cmpuint (cw_tx_get_purpose (grant), ==, CW_PURPOSE_TREAT);
  g_assert_cmpuint (cw_tx_get_access (grant), ==, CW_ACCESS_VIEW | CW_ACCESS_STORE);
  g_assert_cmpstr (cw_tx_get_data_from (grant), ==, "2020-01-01");
  g_assert_cmpstr (cw_tx_get_data_to (grant), ==, "2024-12-31");
  time = cw_tx_format_time (cw_tx_get_expires (grant));
  g_assert_cmpstr (time, ==, "2025-05-01T00:00:00Z");
  g_assert_nonnull (strstr (grant_text, "\"access\":[\"store\",\"view\"]"));
  g_assert_nonnull (strstr (grant_text, "\"scopes\":[\"allergies\",\"lab-results\",\"mental-health\"]"));

  g_assert_null (cw_tx_get_prev (enroll));
  g_assert_cmpmem (cw_tx_get_recovery_key (enroll), CW_PUBLIC_KEY_SIZE, key_other, CW_PUBLIC_KEY_SIZE);
  g_assert_cmpstr (cw_tx_get_invite (enroll), ==, "INV-7f3a!x");
  g_assert_cmpstr (cw_tx_get_clinic (enroll), ==, "st-olaf-clinic");
  g_assert_null (cw_tx_get_grant (enroll));

  g_assert_cmpmem (cw_tx_get_new_key (rotate), CW_PUBLIC_KEY_SIZE, key_other, CW_PUBLIC_KEY_SIZE);
  g_assert_null (cw_tx_get_new_recovery_key (rotate));

  /* Provider-signed types carry no seq or prev. */
  g_assert_null (strstr (request_text, "\"seq\""));
  g_assert_null (strstr (request_text, "\"prev\""));
  g_assert_nonnull (strstr (request_text, "\"provider\":\"st-olaf-clinic\""));
  g_assert_nonnull (strstr (request_text, "Dr. M\xc3\xbcller"));
}

static gboolean
is_optional (CwTxType    type,
             const char *member)
{
  static const char * const grant[] = { "data_from", "data_to", "request", NULL };
  static const char * const rotate[] = { "new_recovery_key", NULL };

  return (type == CW_TX_TYPE_GRANT && g_strv_contains (grant, member)) ||
         (type == CW_TX_TYPE_ROTATE && g_strv_contains (rotate, member));
}

/* Every member of every type, removed: rejected unless optional. */
static void
test_missing_fields (void)
{
  for (guint i = 0; i < N_EXAMPLES; i++)
    {
      g_autoptr(CwTx) tx = build_example (i);
      g_autofree char *text = payload_text (tx);
      g_autoptr(JsonNode) root = json_from_string (text, NULL);
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (root));

      for (const GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *without = modified (i, l->data, NULL);
          g_autoptr(GError) error = NULL;
          g_autoptr(CwTx) parsed = parse_text (without, &error);

          if (is_optional (cw_tx_get_tx_type (tx), l->data))
            g_assert_no_error (error);
          else if (strcmp (l->data, "prev") == 0)
            g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE);
          else
            g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_MISSING_FIELD);
        }
    }
}

/* Every member of every type, given a value of the wrong JSON type. */
static void
test_wrong_json_types (void)
{
  for (guint i = 0; i < N_EXAMPLES; i++)
    {
      g_autoptr(CwTx) tx = build_example (i);
      g_autofree char *text = payload_text (tx);
      g_autoptr(JsonNode) root = json_from_string (text, NULL);
      JsonObject *object = json_node_get_object (root);
      g_autoptr(GList) members = json_object_get_members (object);

      for (const GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (object, l->data);
          const char *swapped = JSON_NODE_HOLDS_VALUE (node) &&
                                json_node_get_value_type (node) == G_TYPE_INT64 ? "\"1\"" : "1";
          const char *others[] = { "{}", "null", "true", swapped };

          if (JSON_NODE_HOLDS_ARRAY (node))
            {
              g_autofree char *bad_element = modified (i, l->data, "[1]");
              assert_rejected (bad_element, CW_TX_ERROR, CW_TX_ERROR_WRONG_JSON_TYPE);
            }
          for (guint k = 0; k < G_N_ELEMENTS (others); k++)
            {
              g_autofree char *bad = modified (i, l->data, others[k]);
              assert_rejected (bad, CW_TX_ERROR, CW_TX_ERROR_WRONG_JSON_TYPE);
            }
        }
    }
}

static void
test_unknown_fields (void)
{
  static const struct {
    guint       which;
    const char *member;
    const char *json;
  } cases[] = {
    { EX_GRANT, "zzz", "1" },
    { EX_GRANT, "Provider", "\"x\"" },
    { EX_GRANT, "reason", "\"because\"" },
    { EX_REVOKE, "request", "\"BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=\"" },
    { EX_REQUEST, "seq", "1" },
    { EX_REQUEST, "prev", "\"AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\"" },
    { EX_ACCESS, "expires", "\"2030-01-01T00:00:00Z\"" },
    { EX_ENROLL, "provider", "\"x\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = modified (cases[i].which, cases[i].member, cases[i].json);
      assert_rejected (text, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_FIELD);
    }
}

static void
test_invalid_values (void)
{
  static const struct {
    guint       which;
    const char *member;
    const char *json;
    CwTxError   code;
  } cases[] = {
    { EX_GRANT, "v", "2", CW_TX_ERROR_VERSION },
    { EX_GRANT, "v", "0", CW_TX_ERROR_VERSION },
    { EX_GRANT, "type", "\"grants\"", CW_TX_ERROR_UNKNOWN_TYPE },
    { EX_GRANT, "type", "\"Grant\"", CW_TX_ERROR_UNKNOWN_TYPE },
    { EX_GRANT, "seq", "0", CW_TX_ERROR_SEQUENCE },
    { EX_GRANT, "seq", "-1", CW_TX_ERROR_INVALID_VALUE },
    { EX_ENROLL, "seq", "1", CW_TX_ERROR_SEQUENCE },
    { EX_ENROLL, "prev", "\"AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\"", CW_TX_ERROR_SEQUENCE },
    { EX_GRANT, "scopes", "[]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "scopes", "[\"summary\",\"allergies\"]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "scopes", "[\"allergies\",\"allergies\"]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "scopes", "[\"dental\"]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "scopes", "[\"Summary\"]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "access", "[\"view\",\"store\"]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "access", "[\"edit\"]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "access", "[]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "purpose", "\"treat\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "purpose", "\"RESEARCH\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-02-30T00:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2023-02-29T00:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-01-01T24:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-01-01T23:59:60Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-01-01T00:00:00+00:00\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-01-01t00:00:00z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-01-01T00:00:00.5Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-1-01T00:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"0000-01-01T00:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "expires", "\"2024-05-01T12:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "expires", "\"2023-05-01T12:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "data_from", "\"2020-13-01\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "data_from", "\"2020-01-01T00:00:00Z\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "data_from", "\"2025-01-01\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "data_to", "\"2024-04-31\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "nonce", "\"AgICAgICAgICAgICAgIC\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "nonce", "\"AgICAgICAgICAgICAgICAgI=\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "nonce", "\"AgICAgICAgICAgICAgICAg\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "patient", "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "patient", "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQF=\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "patient", "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "patient", "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE-\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "prev", "\"\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "request", "\"AwMD\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "provider", "\"St-Olaf\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "provider", "\"-olaf\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "provider", "\"olaf-\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "provider", "\"\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "provider", "\"st_olaf\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "provider", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
      CW_TX_ERROR_INVALID_VALUE },
    { EX_ENROLL, "clinic", "\"a b\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_ENROLL, "invite", "\"has space\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_ENROLL, "invite", "\"\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_ENROLL, "invite", "\"caf\xc3\xa9\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_ENROLL, "recovery_key", "\"BQUF\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_ROTATE, "new_key", "\"BQUF\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_REQUEST, "reason", "\"\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_REQUEST, "reason", "\"bell\\u0007\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_REQUEST, "reason", "\"line\\nbreak\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_REQUEST, "reason", "\"c1 \xc2\x85\"", CW_TX_ERROR_INVALID_VALUE },
    /* Integers read as integers, whatever their sign or size. */
    { EX_GRANT, "v", "-1", CW_TX_ERROR_VERSION },
    { EX_GRANT, "v", "9007199254740991", CW_TX_ERROR_VERSION },
    { EX_GRANT, "seq", "-9007199254740991", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "v", "\"1\"", CW_TX_ERROR_WRONG_JSON_TYPE },
    { EX_GRANT, "seq", "[1]", CW_TX_ERROR_WRONG_JSON_TYPE },
    { EX_GRANT, "scopes", "\"allergies\"", CW_TX_ERROR_WRONG_JSON_TYPE },
    { EX_GRANT, "scopes", "[1]", CW_TX_ERROR_WRONG_JSON_TYPE },
    { EX_GRANT, "provider", "null", CW_TX_ERROR_WRONG_JSON_TYPE },
    { EX_GRANT, "type", "{}", CW_TX_ERROR_WRONG_JSON_TYPE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = modified (cases[i].which, cases[i].member, cases[i].json);
      assert_rejected (text, CW_TX_ERROR, cases[i].code);
    }
}

/* U+0000, which no C string holds, in each kind of string a payload has:
 * written into the canonical text after encoding, since json-glib would
 * cut the string there. */
static void
test_nul_in_strings (void)
{
  static const struct {
    guint       which;
    const char *member;
    const char *json;   /* NUL marks where U+0000 goes */
    CwTxError   code;
  } cases[] = {
    { EX_REQUEST, "reason", "\"nulNUL\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "provider", "\"olafNUL\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "time", "\"2024-05-01T12:00:00ZNUL\"", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "scopes", "[\"allergiesNUL\"]", CW_TX_ERROR_INVALID_VALUE },
    { EX_GRANT, "type", "\"grantNUL\"", CW_TX_ERROR_UNKNOWN_TYPE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = modified (cases[i].which, cases[i].member, cases[i].json);
      g_auto(GStrv) parts = g_strsplit (text, "NUL", -1);
      g_autofree char *with_nul = g_strjoinv ("\\u0000", parts);

      g_assert_cmpuint (g_strv_length (parts), ==, 2);
      g_assert_true (cw_canonical_json_check ((const guint8 *) with_nul, strlen (with_nul), NULL, NULL));
      assert_rejected (with_nul, CW_TX_ERROR, cases[i].code);
    }
}

static void
test_limits (void)
{
  g_autoptr(GString) reason = g_string_new ("\"");
  g_autoptr(GString) invite = g_string_new ("\"");
  g_autoptr(GString) big = NULL;
  g_autofree char *text = NULL;
  g_autofree char *base = NULL;
  g_autoptr(CwTx) ok = NULL;

  for (guint i = 0; i < CW_TX_MAX_REASON_LEN; i++)
    g_string_append_c (reason, 'r');
  g_string_append_c (reason, '"');
  text = modified (EX_REQUEST, "reason", reason->str);
  ok = parse_text (text, NULL);
  g_assert_nonnull (ok);
  g_clear_pointer (&text, g_free);
  g_string_insert_c (reason, 1, 'r');
  text = modified (EX_REQUEST, "reason", reason->str);
  assert_rejected (text, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);
  g_clear_pointer (&text, g_free);

  for (guint i = 0; i <= CW_TX_MAX_INVITE_LEN; i++)
    g_string_append_c (invite, 'i');
  g_string_append_c (invite, '"');
  text = modified (EX_ENROLL, "invite", invite->str);
  assert_rejected (text, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);

  /* Over the payload cap: rejected before anything else is looked at. */
  base = modified (EX_GRANT, "v", "1");
  big = g_string_new (base);
  while (big->len <= CW_TX_MAX_PAYLOAD_SIZE)
    g_string_append_c (big, ' ');
  assert_rejected (big->str, CW_TX_ERROR, CW_TX_ERROR_TOO_LARGE);

  assert_rejected ("[]", CW_TX_ERROR, CW_TX_ERROR_NOT_OBJECT);
  assert_rejected ("\"grant\"", CW_TX_ERROR, CW_TX_ERROR_NOT_OBJECT);
  assert_rejected ("{}", CW_TX_ERROR, CW_TX_ERROR_MISSING_FIELD);
}

static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *p = strstr (text, from);

  g_assert_nonnull (p);
  return g_strdup_printf ("%.*s%s%s", (int) (p - text), text, to, p + strlen (from));
}

/* Non-canonical variants of a valid payload, each with its precise error. */
static void
test_not_canonical (void)
{
  static const struct {
    const char *from;
    const char *to;
    int         code;   /* CwCanonicalJsonError */
    gsize       offset;
  } cases[] = {
    { "{\"grant\"", "{ \"grant\"", CW_CANONICAL_JSON_ERROR_WHITESPACE, 1 },
    { "\"seq\":7", "\"seq\": 7", CW_CANONICAL_JSON_ERROR_WHITESPACE, 0 },
    { "\"v\":1}", "\"v\":1}\n", CW_CANONICAL_JSON_ERROR_WHITESPACE, 0 },
    { "\"type\":\"revoke\",\"v\":1", "\"v\":1,\"type\":\"revoke\"", CW_CANONICAL_JSON_ERROR_UNSORTED_KEYS, 0 },
    { "\"v\":1}", "\"v\":1,\"v\":1}", CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY, 0 },
    { "\"v\":1}", "\"v\":1.0}", CW_CANONICAL_JSON_ERROR_FLOAT, 0 },
    { "\"seq\":7", "\"seq\":7e0", CW_CANONICAL_JSON_ERROR_FLOAT, 0 },
    { "\"seq\":7", "\"seq\":07", CW_CANONICAL_JSON_ERROR_NUMBER_FORM, 0 },
    { "\"seq\":7", "\"seq\":-0", CW_CANONICAL_JSON_ERROR_NUMBER_FORM, 0 },
    { "\"revoke\"", "\"r\\u0065voke\"", CW_CANONICAL_JSON_ERROR_ESCAPE, 0 },
    { "\"revoke\"", "\"revoke\\/\"", CW_CANONICAL_JSON_ERROR_ESCAPE, 0 },
    { "\"revoke\"", "\"revoke\\u001F\"", CW_CANONICAL_JSON_ERROR_HEX_CASE, 0 },
    { "\"revoke\"", "\"revoke\xc3\"", CW_CANONICAL_JSON_ERROR_UTF8, 0 },
    { "\"v\":1}", "\"v\":1}junk", CW_CANONICAL_JSON_ERROR_TRAILING, 0 },
  };
  g_autoptr(CwTx) tx = build_example (EX_REVOKE);
  g_autofree char *text = payload_text (tx);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *bad = replace_once (text, cases[i].from, cases[i].to);
      g_autoptr(GError) error = NULL;
      g_autoptr(CwTx) parsed = parse_text (bad, &error);
      g_autofree char *shown = g_strescape (cases[i].to, NULL);

      g_test_message ("case %u: %s", i, shown);
      g_assert_error (error, CW_CANONICAL_JSON_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "At byte "));
      if (cases[i].offset > 0)
        g_assert_cmpuint (strtoul (error->message + strlen ("At byte "), NULL, 10), ==, cases[i].offset);
      g_assert_null (parsed);
    }
}

static void
test_builder_errors (void)
{
  g_autoptr(GDateTime) expires = at ("2025-05-01T00:00:00Z");
  g_autoptr(GDateTime) past = at ("2020-05-01T00:00:00Z");
  CwTxCommon c0 = common_for (0), c1 = common_for (1);
  CwTxCommon no_prev = c1;
  g_autoptr(GError) error = NULL;
  CwTx *tx;

  no_prev.prev = NULL;

  tx = cw_tx_new_grant (&c1, "Bad Provider", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                        NULL, NULL, expires, NULL, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);
  g_assert_null (tx);
  g_clear_error (&error);

  tx = cw_tx_new_grant (&c1, NULL, CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                        NULL, NULL, expires, NULL, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_MISSING_FIELD);
  g_clear_error (&error);

  tx = cw_tx_new_grant (&c1, "lab", 0, CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL, expires, NULL, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  tx = cw_tx_new_grant (&c1, "lab", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, 0, NULL, NULL, expires, NULL, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  tx = cw_tx_new_grant (&c1, "lab", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL, past, NULL, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  tx = cw_tx_new_grant (&c1, "lab", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                        "2024-02-30", NULL, expires, NULL, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  tx = cw_tx_new_revoke (&no_prev, id_ref, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE);
  g_clear_error (&error);

  tx = cw_tx_new_revoke (&c0, id_ref, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE);
  g_clear_error (&error);

  tx = cw_tx_new_enroll (&c1, key_other, "code", "clinic", &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE);
  g_clear_error (&error);

  tx = cw_tx_new_request (&c1, "lab", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                          expires, "why", &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE);
  g_clear_error (&error);

  tx = cw_tx_new_access (&c0, "lab", NULL, CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_MISSING_FIELD);
  g_clear_error (&error);

  tx = cw_tx_new_request (&c0, "lab", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                          expires, "tab\there", &error);
  g_assert_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE);
  g_clear_error (&error);
}

/* A NULL nonce draws fresh random bytes; a NULL time means now, and
 * sub-second precision and time zones are normalised away. */
static void
test_builder_defaults (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_offset (2 * 3600);
  g_autoptr(GDateTime) local = g_date_time_new (zone, 2024, 5, 1, 14, 0, 0.75);
  CwTxCommon common = { key_patient, 1, id_prev, local, NULL };
  g_autoptr(CwTx) a = cw_tx_new_revoke (&common, id_ref, NULL);
  g_autoptr(CwTx) b = cw_tx_new_revoke (&common, id_ref, NULL);
  g_autoptr(CwTx) c = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autofree char *time = cw_tx_format_time (cw_tx_get_time (a));

  g_assert_true (memcmp (cw_tx_get_nonce (a), cw_tx_get_nonce (b), CW_TX_NONCE_SIZE) != 0);
  g_assert_cmpstr (time, ==, "2024-05-01T12:00:00Z");

  common.time = NULL;
  c = cw_tx_new_revoke (&common, id_ref, NULL);
  g_assert_cmpint (g_date_time_difference (cw_tx_get_time (c), before), >=, -G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_date_time_difference (cw_tx_get_time (c), before), <=, 60 * G_TIME_SPAN_SECOND);
}

static void
test_names (void)
{
  guint n_sensitive = 0;

  for (guint bit = 0; bit < CW_N_SCOPES; bit++)
    {
      CwScopes scope = 1 << bit, back = 0;
      const char *name = cw_scope_to_string (scope);

      g_assert_nonnull (name);
      g_assert_true (cw_scope_from_string (name, &back));
      g_assert_cmpuint (back, ==, scope);
      g_assert_nonnull (cw_scope_get_display_name (scope));
      n_sensitive += cw_scope_is_sensitive (scope);
    }
  g_assert_cmpuint (n_sensitive, ==, 4);
  g_assert_true (cw_scope_is_sensitive (CW_SCOPE_MENTAL_HEALTH));
  g_assert_true (cw_scope_is_sensitive (CW_SCOPE_SUBSTANCE_USE));
  g_assert_true (cw_scope_is_sensitive (CW_SCOPE_SEXUAL_HEALTH));
  g_assert_true (cw_scope_is_sensitive (CW_SCOPE_GENETICS));
  g_assert_false (cw_scope_is_sensitive (CW_SCOPE_LAB_RESULTS));
  g_assert_false (cw_scope_is_sensitive (CW_SCOPE_MENTAL_HEALTH | CW_SCOPE_GENETICS));
  g_assert_null (cw_scope_to_string (CW_SCOPE_SUMMARY | CW_SCOPE_VITALS));

  for (guint i = 0; i < CW_N_PURPOSES; i++)
    {
      CwPurpose back;

      g_assert_true (cw_purpose_from_string (cw_purpose_to_string (i), &back));
      g_assert_cmpuint (back, ==, i);
      g_assert_nonnull (cw_purpose_get_display_name (i));
    }
  for (guint i = CW_TX_TYPE_ENROLL; i <= CW_TX_TYPE_ACCESS; i++)
    {
      CwTxType back;

      g_assert_true (cw_tx_type_from_string (cw_tx_type_to_string (i), &back));
      g_assert_cmpuint (back, ==, i);
    }
  g_assert_true (cw_tx_type_is_provider_signed (CW_TX_TYPE_REQUEST));
  g_assert_true (cw_tx_type_is_provider_signed (CW_TX_TYPE_ACCESS));
  g_assert_false (cw_tx_type_is_provider_signed (CW_TX_TYPE_GRANT));
}

static void
test_field_validators (void)
{
  g_autoptr(GDateTime) leap = cw_tx_parse_time ("2024-02-29T23:59:59Z");
  g_autoptr(GDateTime) last = cw_tx_parse_time ("9999-12-31T23:59:59Z");

  g_assert_nonnull (leap);
  g_assert_nonnull (last);
  g_assert_true (cw_tx_provider_id_is_valid ("a"));
  g_assert_true (cw_tx_provider_id_is_valid ("st-olaf-2"));
  g_assert_false (cw_tx_provider_id_is_valid ("st--"));
  g_assert_false (cw_tx_provider_id_is_valid (NULL));
  g_assert_true (cw_tx_invite_is_valid ("!~"));
  g_assert_false (cw_tx_invite_is_valid ("a\x7f"));
  g_assert_true (cw_tx_reason_is_valid ("caf\xc3\xa9"));
  g_assert_false (cw_tx_reason_is_valid ("bad \xff"));
  g_assert_true (cw_tx_date_is_valid ("2000-02-29"));
  g_assert_false (cw_tx_date_is_valid ("1900-02-29"));
  g_assert_false (cw_tx_date_is_valid ("2000-02-29 "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fill_fixtures ();

  g_test_add_func ("/tx/known-answer", test_known_answer);
  g_test_add_func ("/tx/round-trip", test_round_trip);
  g_test_add_func ("/tx/getters", test_getters);
  g_test_add_func ("/tx/missing-fields", test_missing_fields);
  g_test_add_func ("/tx/wrong-json-types", test_wrong_json_types);
  g_test_add_func ("/tx/unknown-fields", test_unknown_fields);
  g_test_add_func ("/tx/invalid-values", test_invalid_values);
  g_test_add_func ("/tx/nul-in-strings", test_nul_in_strings);
  g_test_add_func ("/tx/limits", test_limits);
  g_test_add_func ("/tx/not-canonical", test_not_canonical);
  g_test_add_func ("/tx/builder-errors", test_builder_errors);
  g_test_add_func ("/tx/builder-defaults", test_builder_defaults);
  g_test_add_func ("/tx/names", test_names);
  g_test_add_func ("/tx/field-validators", test_field_validators);

  return g_test_run ();
}
