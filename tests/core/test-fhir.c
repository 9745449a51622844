/* test-fhir.c: a grant exported as an HL7 FHIR R4 Consent resource parses
 * back as JSON and carries the right codes. */
#include "config.h"

#include <string.h>

#include "cw-fhir.h"

static guint8 patient[CW_PUBLIC_KEY_SIZE];
static guint8 prev[CW_TX_ID_SIZE];
static guint8 nonce[CW_TX_NONCE_SIZE];

static CwTx *
make_grant (gboolean with_data_period)
{
  g_autoptr(GDateTime) time = cw_tx_parse_time ("2024-05-01T12:00:00Z");
  g_autoptr(GDateTime) expires = cw_tx_parse_time ("2025-05-01T00:00:00Z");
  CwTxCommon common = { patient, 4, prev, time, nonce };
  g_autoptr(GError) error = NULL;
  CwTx *grant;

  grant = cw_tx_new_grant (&common, "st-olaf-clinic", CW_SCOPE_LAB_RESULTS | CW_SCOPE_MENTAL_HEALTH,
                           CW_PURPOSE_TREAT, CW_ACCESS_VIEW | CW_ACCESS_STORE,
                           with_data_period ? "2020-01-01" : NULL,
                           with_data_period ? "2024-12-31" : NULL,
                           expires, NULL, &error);
  g_assert_no_error (error);
  return grant;
}

/* Exports, prints, and parses back, as a consumer would see it. */
static JsonObject *
export (CwTx                *grant,
        GDateTime           *logged_at,
        CwFhirConsentStatus  status,
        const char          *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cw_fhir_consent_from_grant (grant, logged_at, status, name, &error);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) back = NULL;

  g_assert_no_error (error);
  text = json_to_string (node, TRUE);
  back = json_from_string (text, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (back));
}

static JsonObject *
first_coding (JsonObject *concept)
{
  return json_array_get_object_element (json_object_get_array_member (concept, "coding"), 0);
}

static void
assert_coding (JsonObject *coding,
               const char *system,
               const char *code)
{
  g_assert_cmpstr (json_object_get_string_member (coding, "system"), ==, system);
  g_assert_cmpstr (json_object_get_string_member (coding, "code"), ==, code);
}

static void
assert_provider (JsonObject *reference,
                 const char *display)
{
  g_assert_cmpstr (json_object_get_string_member (reference, "reference"), ==, "Organization/st-olaf-clinic");
  g_assert_cmpstr (json_object_get_string_member_with_default (reference, "display", NULL), ==, display);
}

static void
test_consent (void)
{
  g_autoptr(CwTx) grant = make_grant (TRUE);
  g_autoptr(GDateTime) logged = cw_tx_parse_time ("2024-05-01T12:00:07Z");
  g_autoptr(JsonObject) c = export (grant, logged, CW_FHIR_CONSENT_ACTIVE, "St Olaf Clinic");
  g_autofree char *tx_id = cw_tx_dup_id_base64 (grant);
  g_autofree char *patient_id = cw_tx_dup_patient_id (grant);
  JsonObject *identifier, *provision, *actor, *period, *data_period;
  JsonArray *array;
  guint8 id[CW_TX_ID_SIZE];
  g_autofree char *hex = NULL;

  cw_tx_compute_id (grant, id);
  hex = cw_hex_encode (id, sizeof id);

  g_assert_cmpstr (json_object_get_string_member (c, "resourceType"), ==, "Consent");
  g_assert_cmpstr (json_object_get_string_member (c, "id"), ==, hex);
  g_assert_cmpstr (json_object_get_string_member (c, "status"), ==, "active");
  identifier = json_array_get_object_element (json_object_get_array_member (c, "identifier"), 0);
  g_assert_cmpstr (json_object_get_string_member (identifier, "system"), ==, CW_FHIR_SYSTEM_TRANSACTION);
  g_assert_cmpstr (json_object_get_string_member (identifier, "value"), ==, tx_id);

  assert_coding (first_coding (json_object_get_object_member (c, "scope")),
                 "http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy");
  assert_coding (first_coding (json_array_get_object_element (json_object_get_array_member (c, "category"), 0)),
                 "http://loinc.org", "59284-0");
  identifier = json_object_get_object_member (json_object_get_object_member (c, "patient"), "identifier");
  g_assert_cmpstr (json_object_get_string_member (identifier, "system"), ==, CW_FHIR_SYSTEM_PATIENT);
  g_assert_cmpstr (json_object_get_string_member (identifier, "value"), ==, patient_id);
  g_assert_cmpstr (json_object_get_string_member (c, "dateTime"), ==, "2024-05-01T12:00:00Z");
  identifier = json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (c, "performer"), 0), "identifier");
  g_assert_cmpstr (json_object_get_string_member (identifier, "value"), ==, patient_id);
  g_assert_false (json_object_has_member (c, "organization"));
  assert_coding (first_coding (json_object_get_object_member (c, "policyRule")),
                 "http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN");

  provision = json_object_get_object_member (c, "provision");
  g_assert_cmpstr (json_object_get_string_member (provision, "type"), ==, "permit");
  period = json_object_get_object_member (provision, "period");
  g_assert_cmpstr (json_object_get_string_member (period, "start"), ==, "2024-05-01T12:00:07Z");
  g_assert_cmpstr (json_object_get_string_member (period, "end"), ==, "2025-05-01T00:00:00Z");

  actor = json_array_get_object_element (json_object_get_array_member (provision, "actor"), 0);
  assert_coding (first_coding (json_object_get_object_member (actor, "role")),
                 "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP");
  assert_provider (json_object_get_object_member (actor, "reference"), "St Olaf Clinic");

  array = json_object_get_array_member (provision, "action");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  assert_coding (first_coding (json_array_get_object_element (array, 0)),
                 "http://terminology.hl7.org/CodeSystem/consentaction", "access");
  assert_coding (first_coding (json_array_get_object_element (array, 1)),
                 "http://terminology.hl7.org/CodeSystem/consentaction", "collect");

  array = json_object_get_array_member (provision, "purpose");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  assert_coding (json_array_get_object_element (array, 0),
                 "http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT");

  array = json_object_get_array_member (provision, "class");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  assert_coding (json_array_get_object_element (array, 0), CW_FHIR_SYSTEM_SCOPE, "lab-results");
  assert_coding (json_array_get_object_element (array, 1), CW_FHIR_SYSTEM_SCOPE, "mental-health");
  array = json_object_get_array_member (provision, "code");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  assert_coding (first_coding (json_array_get_object_element (array, 0)), CW_FHIR_SYSTEM_SCOPE, "lab-results");
  assert_coding (first_coding (json_array_get_object_element (array, 1)), CW_FHIR_SYSTEM_SCOPE, "mental-health");

  data_period = json_object_get_object_member (provision, "dataPeriod");
  g_assert_cmpstr (json_object_get_string_member (data_period, "start"), ==, "2020-01-01");
  g_assert_cmpstr (json_object_get_string_member (data_period, "end"), ==, "2024-12-31");
}

static void
test_consent_minimal (void)
{
  g_autoptr(CwTx) grant = make_grant (FALSE);
  g_autoptr(JsonObject) c = export (grant, NULL, CW_FHIR_CONSENT_INACTIVE, NULL);
  JsonObject *provision = json_object_get_object_member (c, "provision");
  JsonObject *period = json_object_get_object_member (provision, "period");

  g_assert_cmpstr (json_object_get_string_member (c, "status"), ==, "inactive");
  g_assert_false (json_object_has_member (provision, "dataPeriod"));
  g_assert_cmpstr (json_object_get_string_member (period, "start"), ==, "2024-05-01T12:00:00Z");
  assert_provider (json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (provision, "actor"), 0), "reference"), NULL);
}

static void
test_status (void)
{
  g_autoptr(CwTx) grant = make_grant (FALSE);
  g_autoptr(GDateTime) before = cw_tx_parse_time ("2025-04-30T23:59:59Z");
  g_autoptr(GDateTime) at = cw_tx_parse_time ("2025-05-01T00:00:00Z");

  g_assert_cmpint (cw_fhir_consent_status_for_grant (grant, FALSE, before), ==, CW_FHIR_CONSENT_ACTIVE);
  g_assert_cmpint (cw_fhir_consent_status_for_grant (grant, TRUE, before), ==, CW_FHIR_CONSENT_INACTIVE);
  g_assert_cmpint (cw_fhir_consent_status_for_grant (grant, FALSE, at), ==, CW_FHIR_CONSENT_INACTIVE);
}

static void
test_not_a_grant (void)
{
  guint8 grant_id[CW_TX_ID_SIZE] = { 0 };
  CwTxCommon common = { patient, 5, prev, NULL, nonce };
  g_autoptr(CwTx) revoke = cw_tx_new_revoke (&common, grant_id, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cw_fhir_consent_from_grant (revoke, NULL, CW_FHIR_CONSENT_ACTIVE, NULL, &error);

  g_assert_error (error, CW_FHIR_ERROR, CW_FHIR_ERROR_NOT_A_GRANT);
  g_assert_null (node);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  memset (patient, 0x01, sizeof patient);
  memset (prev, 0x03, sizeof prev);
  memset (nonce, 0x02, sizeof nonce);

  g_test_add_func ("/fhir/consent", test_consent);
  g_test_add_func ("/fhir/consent-minimal", test_consent_minimal);
  g_test_add_func ("/fhir/status", test_status);
  g_test_add_func ("/fhir/not-a-grant", test_not_a_grant);

  return g_test_run ();
}
