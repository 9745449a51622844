/* cw-tx.h: consent transaction payloads (DESIGN.md "Consent transactions"):
 * the model of every type, builders, canonical encoding, strict parsing and
 * transaction IDs.
 *
 * The vocabularies (types, scopes, purposes, access) are declared in
 * cw-tx-vocabulary.h and the single-field rules in cw-tx-fields.h; this
 * header includes both, so users include only cw-tx.h.
 *
 * A payload is one flat JSON object in canonical form (cw-canonical-json.h)
 * with the common fields v (1), type, patient, time, nonce and either seq and
 * prev (patient-signed types) or provider (provider-signed types), plus the
 * fields of its type. Decisions beyond DESIGN.md, binding on every reader:
 *
 *  - patient, recovery_key, new_key, new_recovery_key: standard base64 of a
 *    32-byte Ed25519 public key. prev, grant, request: standard base64 of a
 *    32-byte transaction ID. nonce: standard base64 of 16 bytes. Padding is
 *    required and unused bits must be zero (cw-encoding.h).
 *  - seq is 0 for enroll and at least 1 for grant, revoke, deny and rotate;
 *    prev is present exactly when seq > 0. request and access carry neither.
 *  - time and expires: RFC 3339 UTC in exactly the form
 *    "YYYY-MM-DDTHH:MM:SSZ", a real date and time (no leap second, no
 *    fraction). expires must be later than time.
 *  - data_from, data_to: RFC 3339 full-dates "YYYY-MM-DD"; data_from is not
 *    after data_to when both are present.
 *  - scopes: a non-empty JSON array of scope names, strictly ascending by
 *    code unit (so without duplicates). access: likewise, of "store" and
 *    "view" (so ["store","view"] when both).
 *  - purpose: exactly one HL7 v3 PurposeOfUse code from the list below.
 *  - provider and clinic: provider IDs, 1 to 64 characters of [a-z0-9-], not
 *    starting or ending with '-'.
 *  - invite: the one-time code, 1 to 128 printable ASCII characters (0x21 to
 *    0x7E, so no spaces).
 *  - reason: free text, 1 to 500 bytes of UTF-8 without control characters.
 *  - The whole payload is at most CW_TX_MAX_PAYLOAD_SIZE bytes. Unknown
 *    fields, missing required fields and JSON values of the wrong type are
 *    all rejected.
 */
#pragma once

#include <glib-object.h>

#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-tx-fields.h"
#include "cw-tx-vocabulary.h"

G_BEGIN_DECLS

#define CW_TX_ERROR (cw_tx_error_quark ())

typedef enum {
  CW_TX_ERROR_TOO_LARGE,        /* the payload or a string is too long */
  CW_TX_ERROR_NOT_OBJECT,       /* the payload is not a JSON object */
  CW_TX_ERROR_VERSION,          /* v is not 1 */
  CW_TX_ERROR_UNKNOWN_TYPE,     /* type is not one we know */
  CW_TX_ERROR_MISSING_FIELD,    /* a required field is absent */
  CW_TX_ERROR_UNKNOWN_FIELD,    /* a field this type does not have */
  CW_TX_ERROR_WRONG_JSON_TYPE,  /* e.g. a number where a string belongs */
  CW_TX_ERROR_INVALID_VALUE,    /* right JSON type, wrong content */
  CW_TX_ERROR_SEQUENCE,         /* seq and prev do not fit the type */
} CwTxError;

#define CW_TX_VERSION 1
#define CW_TX_MAX_PAYLOAD_SIZE (16 * 1024)
#define CW_TX_NONCE_SIZE 16
#define CW_TX_ID_SIZE CW_HASH_SIZE

GQuark       cw_tx_error_quark           (void);

typedef struct _CwTx CwTx;

/* The fields every type has. For enroll seq is 0 and prev NULL; for request
 * and access both are unused and must be 0 and NULL. time NULL means now;
 * nonce NULL means 16 fresh random bytes. */
typedef struct {
  const guint8 *patient;  /* CW_PUBLIC_KEY_SIZE bytes */
  guint64       seq;
  const guint8 *prev;     /* CW_TX_ID_SIZE bytes or NULL */
  GDateTime    *time;
  const guint8 *nonce;    /* CW_TX_NONCE_SIZE bytes or NULL */
} CwTxCommon;

/* Builders validate exactly as cw_tx_parse_payload() does. */
CwTx        *cw_tx_new_enroll            (const CwTxCommon  *common,
                                          const guint8      *recovery_key,
                                          const char        *invite,
                                          const char        *clinic,
                                          GError           **error);
/* data_from, data_to and request may be NULL. */
CwTx        *cw_tx_new_grant             (const CwTxCommon  *common,
                                          const char        *provider,
                                          CwScopes           scopes,
                                          CwPurpose          purpose,
                                          CwAccess           access,
                                          const char        *data_from,
                                          const char        *data_to,
                                          GDateTime         *expires,
                                          const guint8      *request,
                                          GError           **error);
CwTx        *cw_tx_new_revoke            (const CwTxCommon  *common,
                                          const guint8      *grant,
                                          GError           **error);
CwTx        *cw_tx_new_deny              (const CwTxCommon  *common,
                                          const guint8      *request,
                                          GError           **error);
/* new_recovery_key may be NULL. */
CwTx        *cw_tx_new_rotate            (const CwTxCommon  *common,
                                          const guint8      *new_key,
                                          const guint8      *new_recovery_key,
                                          GError           **error);
CwTx        *cw_tx_new_request           (const CwTxCommon  *common,
                                          const char        *provider,
                                          CwScopes           scopes,
                                          CwPurpose          purpose,
                                          CwAccess           access,
                                          GDateTime         *expires,
                                          const char        *reason,
                                          GError           **error);
CwTx        *cw_tx_new_access            (const CwTxCommon  *common,
                                          const char        *provider,
                                          const guint8      *grant,
                                          CwScopes           scopes,
                                          CwPurpose          purpose,
                                          GError           **error);

/* Strict: fails with a CW_CANONICAL_JSON_ERROR if the bytes are not
 * canonical (the message names the byte offset), else with a CW_TX_ERROR. */
CwTx        *cw_tx_parse_payload         (const guint8  *data,
                                          gsize          len,
                                          GError       **error);
CwTx        *cw_tx_parse_payload_bytes   (GBytes        *payload,
                                          GError       **error);

GType        cw_tx_get_type              (void) G_GNUC_CONST;
CwTx        *cw_tx_ref                   (CwTx          *self);
void         cw_tx_unref                 (CwTx          *self);

/* The canonical payload bytes: for a parsed transaction, the bytes parsed. */
GBytes      *cw_tx_to_payload            (CwTx          *self);
/* SHA-256 of the payload bytes. */
void         cw_tx_compute_id            (CwTx          *self,
                                          guint8         id_out[CW_TX_ID_SIZE]);
/* The same as standard base64, the form payloads cite. */
char        *cw_tx_dup_id_base64         (CwTx          *self);

CwTxType     cw_tx_get_tx_type           (CwTx          *self);
/* The patient ID: the enrollment public key (CW_PUBLIC_KEY_SIZE bytes). */
const guint8 *cw_tx_get_patient          (CwTx          *self);
/* Standard base64 of the patient ID, as it is written on the wire. */
char        *cw_tx_dup_patient_id        (CwTx          *self);
guint64      cw_tx_get_seq               (CwTx          *self);
/* Getters of optional or type-specific bytes return NULL when absent. */
const guint8 *cw_tx_get_prev             (CwTx          *self);
GDateTime   *cw_tx_get_time              (CwTx          *self);
const guint8 *cw_tx_get_nonce            (CwTx          *self);
const char  *cw_tx_get_provider          (CwTx          *self);
const guint8 *cw_tx_get_recovery_key     (CwTx          *self);
const char  *cw_tx_get_invite            (CwTx          *self);
const char  *cw_tx_get_clinic            (CwTx          *self);
CwScopes     cw_tx_get_scopes            (CwTx          *self);
/* Only meaningful when the type has a purpose (grant, request, access). */
CwPurpose    cw_tx_get_purpose           (CwTx          *self);
CwAccess     cw_tx_get_access            (CwTx          *self);
const char  *cw_tx_get_data_from         (CwTx          *self);
const char  *cw_tx_get_data_to           (CwTx          *self);
GDateTime   *cw_tx_get_expires           (CwTx          *self);
const guint8 *cw_tx_get_request          (CwTx          *self);
const guint8 *cw_tx_get_grant            (CwTx          *self);
const guint8 *cw_tx_get_new_key          (CwTx          *self);
const guint8 *cw_tx_get_new_recovery_key (CwTx          *self);
const char  *cw_tx_get_reason            (CwTx          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwTx, cw_tx_unref)

G_END_DECLS
