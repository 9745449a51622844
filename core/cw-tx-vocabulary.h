/* cw-tx-vocabulary.h: the closed vocabularies of consent transactions
 * (types, scopes, purposes and access), their names on the wire and their
 * display names; included by cw-tx.h.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CW_TX_TYPE_ENROLL,
  CW_TX_TYPE_GRANT,
  CW_TX_TYPE_REVOKE,
  CW_TX_TYPE_DENY,
  CW_TX_TYPE_ROTATE,
  CW_TX_TYPE_REQUEST,
  CW_TX_TYPE_ACCESS,
} CwTxType;

/* Data categories, in the order DESIGN.md lists them (also display order). */
typedef enum {
  CW_SCOPE_SUMMARY        = 1 << 0,
  CW_SCOPE_ALLERGIES      = 1 << 1,
  CW_SCOPE_MEDICATIONS    = 1 << 2,
  CW_SCOPE_PROBLEMS       = 1 << 3,
  CW_SCOPE_IMMUNIZATIONS  = 1 << 4,
  CW_SCOPE_LAB_RESULTS    = 1 << 5,
  CW_SCOPE_IMAGING        = 1 << 6,
  CW_SCOPE_CLINICAL_NOTES = 1 << 7,
  CW_SCOPE_VITALS         = 1 << 8,
  CW_SCOPE_MENTAL_HEALTH  = 1 << 9,
  CW_SCOPE_SUBSTANCE_USE  = 1 << 10,
  CW_SCOPE_SEXUAL_HEALTH  = 1 << 11,
  CW_SCOPE_GENETICS       = 1 << 12,
  CW_SCOPE_BILLING        = 1 << 13,
} CwScopes;

#define CW_N_SCOPES 14
#define CW_SCOPES_ALL ((CwScopes) ((1 << CW_N_SCOPES) - 1))
/* Never implied by any shortcut: always chosen one by one. */
#define CW_SCOPES_SENSITIVE ((CwScopes) (CW_SCOPE_MENTAL_HEALTH | CW_SCOPE_SUBSTANCE_USE | \
                                         CW_SCOPE_SEXUAL_HEALTH | CW_SCOPE_GENETICS))

/* HL7 v3 PurposeOfUse codes. */
typedef enum {
  CW_PURPOSE_TREAT,
  CW_PURPOSE_ETREAT,
  CW_PURPOSE_CAREMGT,
  CW_PURPOSE_HPAYMT,
  CW_PURPOSE_HOPERAT,
  CW_PURPOSE_HRESCH,
  CW_PURPOSE_PUBHLTH,
  CW_PURPOSE_PATRQT,
  CW_PURPOSE_COVERAGE,
} CwPurpose;

#define CW_N_PURPOSES 9

typedef enum {
  CW_ACCESS_VIEW  = 1 << 0,
  CW_ACCESS_STORE = 1 << 1,
} CwAccess;

/* Names on the wire, and back; the lookups return FALSE for unknown names. */
const char  *cw_tx_type_to_string        (CwTxType      type);
gboolean     cw_tx_type_from_string      (const char   *name,
                                          CwTxType     *type);
/* TRUE for request and access, signed by a provider key. */
gboolean     cw_tx_type_is_provider_signed (CwTxType    type);

/* @scope is a single flag. */
const char  *cw_scope_to_string          (CwScopes      scope);
gboolean     cw_scope_from_string        (const char   *name,
                                          CwScopes     *scope);
gboolean     cw_scope_is_sensitive       (CwScopes      scope);
/* Plain English, untranslated (mark-up N_()); pass through gettext to show. */
const char  *cw_scope_get_display_name   (CwScopes      scope);

const char  *cw_purpose_to_string        (CwPurpose     purpose);
gboolean     cw_purpose_from_string      (const char   *code,
                                          CwPurpose    *purpose);
const char  *cw_purpose_get_display_name (CwPurpose     purpose);

G_END_DECLS
