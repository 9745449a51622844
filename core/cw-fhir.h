/* cw-fhir.h: exports a grant as an HL7 FHIR R4 Consent resource
 * (hl7.org/fhir/R4/consent.html).
 *
 * Mapping: status active or inactive (revoked or expired); scope
 * patient-privacy; category LOINC 59284-0 "Patient Consent"; id = lower-case
 * hex of the transaction ID and identifier = its base64 under
 * CW_FHIR_SYSTEM_TRANSACTION; patient by identifier (base64 patient ID under
 * CW_FHIR_SYSTEM_PATIENT, since it is no valid FHIR id); dateTime = the
 * grant's time; performer = the patient (the grantor, by identifier);
 * policyRule v3-ActCode OPTIN; provision type permit with period = log time
 * to expires, actor = the provider in role v3-ParticipationType IRCP,
 * action consentaction "access" (view) and "collect" (store), purpose
 * v3-ActReason PurposeOfUse code, class and code = the scopes in the code
 * system CW_FHIR_SYSTEM_SCOPE, dataPeriod = data_from to data_to.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cw-tx.h"

G_BEGIN_DECLS

#define CW_FHIR_ERROR (cw_fhir_error_quark ())

typedef enum {
  CW_FHIR_ERROR_NOT_A_GRANT,
} CwFhirError;

#define CW_FHIR_SYSTEM_SCOPE "https://consentwallet.github.io/fhir/CodeSystem/scope"
#define CW_FHIR_SYSTEM_PATIENT "https://consentwallet.github.io/fhir/NamingSystem/patient-id"
#define CW_FHIR_SYSTEM_PROVIDER "https://consentwallet.github.io/fhir/NamingSystem/provider-id"
#define CW_FHIR_SYSTEM_TRANSACTION "https://consentwallet.github.io/fhir/NamingSystem/transaction-id"

typedef enum {
  CW_FHIR_CONSENT_ACTIVE,
  CW_FHIR_CONSENT_INACTIVE,
} CwFhirConsentStatus;

GQuark               cw_fhir_error_quark              (void);

/* Inactive when @revoked or when @now (NULL: the current time) is at or
 * after the grant's expires. */
CwFhirConsentStatus  cw_fhir_consent_status_for_grant (CwTx                 *grant,
                                                       gboolean              revoked,
                                                       GDateTime            *now);

/* @logged_at: when the grant entered the log (NULL: the grant's own time);
 * @provider_name: display name from the directory, or NULL. */
JsonNode            *cw_fhir_consent_from_grant       (CwTx                 *grant,
                                                       GDateTime            *logged_at,
                                                       CwFhirConsentStatus   status,
                                                       const char           *provider_name,
                                                       GError              **error);

G_END_DECLS
