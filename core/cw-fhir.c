/* cw-fhir.c: HL7 FHIR R4 Consent resources for grants
 * (hl7.org/fhir/R4/consent.html; the mapping is in cw-fhir.h).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-fhir.h"

G_DEFINE_QUARK (cw-fhir-error-quark, cw_fhir_error)

#define SYSTEM_CONSENT_SCOPE "http://terminology.hl7.org/CodeSystem/consentscope"
#define SYSTEM_CONSENT_ACTION "http://terminology.hl7.org/CodeSystem/consentaction"
#define SYSTEM_LOINC "http://loinc.org"
#define SYSTEM_ACT_CODE "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define SYSTEM_ACT_REASON "http://terminology.hl7.org/CodeSystem/v3-ActReason"
#define SYSTEM_PARTICIPATION "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

static const struct {
  CwAccess    access;
  const char *code;
  const char *display;
} action_table[] = {
  { CW_ACCESS_VIEW,  "access",  "Access" },
  { CW_ACCESS_STORE, "collect", "Collect" },
};

CwFhirConsentStatus
cw_fhir_consent_status_for_grant (CwTx      *grant,
                                  gboolean   revoked,
                                  GDateTime *now)
{
  g_autoptr(GDateTime) current = NULL;
  GDateTime *expires;

  g_return_val_if_fail (grant != NULL, CW_FHIR_CONSENT_INACTIVE);

  expires = cw_tx_get_expires (grant);
  current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  if (revoked || expires == NULL || g_date_time_compare (current, expires) >= 0)
    return CW_FHIR_CONSENT_INACTIVE;
  return CW_FHIR_CONSENT_ACTIVE;
}

static void
add_coding (JsonBuilder *b,
            const char  *system,
            const char  *code,
            const char  *display)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, system);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  if (display != NULL)
    {
      json_builder_set_member_name (b, "display");
      json_builder_add_string_value (b, display);
    }
  json_builder_end_object (b);
}

/* A CodeableConcept of one coding. */
static void
add_concept (JsonBuilder *b,
             const char  *system,
             const char  *code,
             const char  *display)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "coding");
  json_builder_begin_array (b);
  add_coding (b, system, code, display);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
add_string_member (JsonBuilder *b,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_identifier (JsonBuilder *b,
                const char  *system,
                const char  *value)
{
  json_builder_begin_object (b);
  add_string_member (b, "system", system);
  add_string_member (b, "value", value);
  json_builder_end_object (b);
}

static void
add_provider_reference (JsonBuilder *b,
                        const char  *provider,
                        const char  *provider_name)
{
  g_autofree char *reference = g_strconcat ("Organization/", provider, NULL);

  json_builder_begin_object (b);
  add_string_member (b, "reference", reference);
  json_builder_set_member_name (b, "identifier");
  add_identifier (b, CW_FHIR_SYSTEM_PROVIDER, provider);
  if (provider_name != NULL)
    add_string_member (b, "display", provider_name);
  json_builder_end_object (b);
}

static void
add_period (JsonBuilder *b,
            const char  *name,
            const char  *start,
            const char  *end)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  if (start != NULL)
    add_string_member (b, "start", start);
  if (end != NULL)
    add_string_member (b, "end", end);
  json_builder_end_object (b);
}

static void
add_header (JsonBuilder *b,
            CwTx        *grant,
            CwFhirConsentStatus status)
{
  guint8 id[CW_TX_ID_SIZE];
  g_autofree char *hex_id = NULL;
  g_autofree char *base64_id = NULL;
  g_autofree char *patient = cw_tx_dup_patient_id (grant);
  g_autofree char *time = cw_tx_format_time (cw_tx_get_time (grant));

  cw_tx_compute_id (grant, id);
  hex_id = cw_hex_encode (id, sizeof id);
  base64_id = cw_base64_encode (id, sizeof id);

  add_string_member (b, "resourceType", "Consent");
  add_string_member (b, "id", hex_id);
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  add_identifier (b, CW_FHIR_SYSTEM_TRANSACTION, base64_id);
  json_builder_end_array (b);
  add_string_member (b, "status", status == CW_FHIR_CONSENT_ACTIVE ? "active" : "inactive");
  json_builder_set_member_name (b, "scope");
  add_concept (b, SYSTEM_CONSENT_SCOPE, "patient-privacy", "Privacy Consent");
  json_builder_set_member_name (b, "category");
  json_builder_begin_array (b);
  add_concept (b, SYSTEM_LOINC, "59284-0", "Patient Consent");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "patient");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "identifier");
  add_identifier (b, CW_FHIR_SYSTEM_PATIENT, patient);
  json_builder_end_object (b);
  add_string_member (b, "dateTime", time);
}

/* The patient agrees to the rule, so they are the performer (R4: "who is
 * agreeing to the policy"); the provider appears as the recipient actor of
 * the provision instead. */
static void
add_parties (JsonBuilder *b,
             CwTx        *grant)
{
  g_autofree char *patient = cw_tx_dup_patient_id (grant);

  json_builder_set_member_name (b, "performer");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "identifier");
  add_identifier (b, CW_FHIR_SYSTEM_PATIENT, patient);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "policyRule");
  add_concept (b, SYSTEM_ACT_CODE, "OPTIN", NULL);
}

static void
add_scopes (JsonBuilder *b,
            CwScopes     scopes,
            gboolean     as_concepts)
{
  json_builder_set_member_name (b, as_concepts ? "code" : "class");
  json_builder_begin_array (b);
  for (guint bit = 0; bit < CW_N_SCOPES; bit++)
    {
      CwScopes scope = 1 << bit;

      if (!(scopes & scope))
        continue;
      if (as_concepts)
        add_concept (b, CW_FHIR_SYSTEM_SCOPE, cw_scope_to_string (scope), cw_scope_get_display_name (scope));
      else
        add_coding (b, CW_FHIR_SYSTEM_SCOPE, cw_scope_to_string (scope), cw_scope_get_display_name (scope));
    }
  json_builder_end_array (b);
}

static void
add_provision (JsonBuilder *b,
               CwTx        *grant,
               GDateTime   *logged_at,
               const char  *provider_name)
{
  g_autofree char *start = cw_tx_format_time (logged_at != NULL ? logged_at : cw_tx_get_time (grant));
  g_autofree char *end = cw_tx_format_time (cw_tx_get_expires (grant));

  json_builder_set_member_name (b, "provision");
  json_builder_begin_object (b);
  add_string_member (b, "type", "permit");
  add_period (b, "period", start, end);

  json_builder_set_member_name (b, "actor");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  add_concept (b, SYSTEM_PARTICIPATION, "IRCP", "information recipient");
  json_builder_set_member_name (b, "reference");
  add_provider_reference (b, cw_tx_get_provider (grant), provider_name);
  json_builder_end_object (b);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "action");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (action_table); i++)
    if (cw_tx_get_access (grant) & action_table[i].access)
      add_concept (b, SYSTEM_CONSENT_ACTION, action_table[i].code, action_table[i].display);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "purpose");
  json_builder_begin_array (b);
  add_coding (b, SYSTEM_ACT_REASON, cw_purpose_to_string (cw_tx_get_purpose (grant)), NULL);
  json_builder_end_array (b);

  add_scopes (b, cw_tx_get_scopes (grant), FALSE);
  add_scopes (b, cw_tx_get_scopes (grant), TRUE);

  if (cw_tx_get_data_from (grant) != NULL || cw_tx_get_data_to (grant) != NULL)
    add_period (b, "dataPeriod", cw_tx_get_data_from (grant), cw_tx_get_data_to (grant));
  json_builder_end_object (b);
}

JsonNode *
cw_fhir_consent_from_grant (CwTx                 *grant,
                            GDateTime            *logged_at,
                            CwFhirConsentStatus   status,
                            const char           *provider_name,
                            GError              **error)
{
  g_autoptr(JsonBuilder) b = NULL;

  g_return_val_if_fail (grant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (cw_tx_get_tx_type (grant) != CW_TX_TYPE_GRANT)
    {
      g_set_error (error, CW_FHIR_ERROR, CW_FHIR_ERROR_NOT_A_GRANT,
                   _("Only grants export as FHIR Consent, not a %s"),
                   cw_tx_type_to_string (cw_tx_get_tx_type (grant)));
      return NULL;
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_header (b, grant, status);
  add_parties (b, grant);
  add_provision (b, grant, logged_at, provider_name);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
