/* cw-http-signature-params-private.h: what cw-http-signature.c needs of a
 * CwHttpSignatureParams to build signature bases and Signature-Input fields. */
#pragma once

#include "cw-http-signature-params.h"
#include "cw-structured-field.h"

G_BEGIN_DECLS

/* Appends the inner list of cw_http_signature_params_to_string() to @out. */
void                   cw_http_signature_params_append          (CwHttpSignatureParams    *self,
                                                                 GString                  *out);
/* Takes what a parsed Signature-Input member holds: it must be an inner list
 * of component names; its parameters move into the new object. */
CwHttpSignatureParams *cw_http_signature_params_new_from_member (CwStructuredFieldMember  *member,
                                                                 GError                  **error);

G_END_DECLS
