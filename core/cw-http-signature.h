/* cw-http-signature.h: the subset of HTTP Message Signatures (RFC 9421) the
 * node API needs, with Ed25519 keys, kept independent of any HTTP library.
 *
 * Covered: the signature base (RFC 9421 §2.5) over the derived components
 * @method, @authority, @path, @query, @target-uri, @scheme and
 * @request-target (§2.2) and over plain HTTP fields (§2.1) of a CwHttpRequest
 * (cw-http-request.h); the signature parameters created, expires, nonce, alg,
 * keyid and tag (§2.3) of a CwHttpSignatureParams
 * (cw-http-signature-params.h); the Signature-Input and Signature fields (§4.1,
 * §4.2), parsed and serialised as RFC 8941 dictionaries with
 * cw-structured-field.h; alg "ed25519" (§3.3.6). Not covered: component
 * parameters (sf, key, bs, req, tr, name), @query-param, @status, responses,
 * Accept-Signature.
 *
 * The node uses it like this: wrap the request in a CwHttpRequest, parse the
 * two fields with cw_http_signatures_parse(), pick the signature with
 * cw_http_signatures_get(), check cw_http_signature_params_check_policy(),
 * look the nonce up in its replay cache and the keyid up in its key table,
 * then call cw_http_signature_verify().
 */
#pragma once

#include <glib.h>

#include "cw-http-request.h"
#include "cw-http-signature-params.h"
#include "cw-key.h"

G_BEGIN_DECLS

#define CW_HTTP_SIGNATURE_ERROR (cw_http_signature_error_quark ())

typedef enum {
  CW_HTTP_SIGNATURE_ERROR_MALFORMED,          /* bad field syntax or structure */
  CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED,        /* valid RFC 9421, outside our subset */
  CW_HTTP_SIGNATURE_ERROR_TOO_LARGE,          /* a size cap was exceeded */
  CW_HTTP_SIGNATURE_ERROR_INVALID_REQUEST,    /* the request description is unusable */
  CW_HTTP_SIGNATURE_ERROR_MISSING_COMPONENT,  /* a covered field is absent */
  CW_HTTP_SIGNATURE_ERROR_NO_SIGNATURE,       /* no (or no unique) signature to check */
  CW_HTTP_SIGNATURE_ERROR_NOT_COVERED,        /* policy: a required component is not signed */
  CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER,  /* policy: created, nonce or keyid absent */
  CW_HTTP_SIGNATURE_ERROR_EXPIRED,            /* created too old, or expires passed */
  CW_HTTP_SIGNATURE_ERROR_FUTURE,             /* created later than now plus the skew */
  CW_HTTP_SIGNATURE_ERROR_BAD_SIGNATURE,      /* the signature does not verify */
} CwHttpSignatureError;

/* Caps on what we accept from outside. */
#define CW_HTTP_SIGNATURE_MAX_FIELD_LENGTH  8192  /* Signature-Input, Signature */
#define CW_HTTP_SIGNATURE_MAX_SIGNATURES    8     /* members per dictionary */
#define CW_HTTP_SIGNATURE_MAX_COMPONENTS    32    /* covered components */
#define CW_HTTP_SIGNATURE_MAX_PARAMETERS    16    /* parameters per signature */
#define CW_HTTP_SIGNATURE_MAX_HEADERS       128   /* field lines per request */
#define CW_HTTP_SIGNATURE_MAX_VALUE_LENGTH  8192  /* one request field line */

/* The defaults of the node's policy. */
#define CW_HTTP_SIGNATURE_DEFAULT_MAX_AGE   300   /* seconds */
#define CW_HTTP_SIGNATURE_DEFAULT_MAX_SKEW  30    /* seconds */

#define CW_HTTP_SIGNATURE_ALG_ED25519 "ed25519"

GQuark cw_http_signature_error_quark (void);

/* The signature base of RFC 9421 §2.5, without a trailing newline. */
char        *cw_http_signature_base    (CwHttpRequest          *request,
                                        CwHttpSignatureParams  *params,
                                        GError                **error);

/* Signs @request and returns the member values for Signature-Input and
 * Signature under @label (e.g. "sig1"), each a one-member dictionary. */
gboolean     cw_http_signature_sign    (CwHttpRequest          *request,
                                        CwHttpSignatureParams  *params,
                                        const char             *label,
                                        CwSigningKey           *key,
                                        char                  **signature_input,
                                        char                  **signature,
                                        GError                **error);

/* Checks only the cryptography: rebuilds the base and verifies @signature
 * (64 bytes) with @key. Apply the policy first. */
gboolean     cw_http_signature_verify  (CwHttpRequest          *request,
                                        CwHttpSignatureParams  *params,
                                        GBytes                 *signature,
                                        CwVerifierKey          *key,
                                        GError                **error);

/* The parsed Signature-Input and Signature fields: labels, each with its
 * parameters and signature bytes. */
typedef struct _CwHttpSignatures CwHttpSignatures;

CwHttpSignatures *cw_http_signatures_new    (void);
void              cw_http_signatures_free   (CwHttpSignatures       *self);
/* Both fields must carry the same labels; duplicates are rejected. */
CwHttpSignatures *cw_http_signatures_parse  (const char             *signature_input,
                                             const char             *signature,
                                             GError                **error);
gboolean          cw_http_signatures_add    (CwHttpSignatures       *self,
                                             const char             *label,
                                             CwHttpSignatureParams  *params,
                                             GBytes                 *signature,
                                             GError                **error);
guint             cw_http_signatures_get_n_signatures (CwHttpSignatures *self);
const char       *cw_http_signatures_get_label        (CwHttpSignatures *self,
                                                       guint             index);
/* The signature under @label, or with @label NULL the only one there is. */
gboolean          cw_http_signatures_get    (CwHttpSignatures       *self,
                                             const char             *label,
                                             CwHttpSignatureParams **params,
                                             GBytes                **signature,
                                             GError                **error);
char             *cw_http_signatures_to_signature_input (CwHttpSignatures *self);
char             *cw_http_signatures_to_signature       (CwHttpSignatures *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwHttpSignatures, cw_http_signatures_free)

G_END_DECLS
