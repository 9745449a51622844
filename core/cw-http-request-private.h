/* cw-http-request-private.h: what cw-http-signature.c needs of a
 * CwHttpRequest to build the signature base of RFC 9421 §2.5. */
#pragma once

#include "cw-http-request.h"

G_BEGIN_DECLS

/* Whether @name is a derived component we can compute (RFC 9421 §2.2). */
gboolean  cw_http_request_is_derived_component (const char     *name);
/* The value of a derived component (§2.2) or of a lower-case field name
 * (§2.1), which must have passed the checks of CwHttpSignatureParams. */
char     *cw_http_request_get_component_value  (CwHttpRequest  *self,
                                                const char     *name,
                                                GError        **error);

G_END_DECLS
