/* cw-http-request.h: the parts of an HTTP request that an RFC 9421 HTTP
 * message signature can cover, kept independent of any HTTP library.
 *
 * Covered: the derived components @method, @authority, @path, @query,
 * @target-uri, @scheme and @request-target (RFC 9421 §2.2) and plain HTTP
 * fields, repeated lines combined (§2.1). Errors are in the
 * CW_HTTP_SIGNATURE_ERROR domain of cw-http-signature.h, whose caps apply.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CwHttpRequest CwHttpRequest;

/* @query is without the leading '?' and NULL when the target has none; @path
 * and @query keep their percent-encoding as on the wire. The scheme and the
 * authority are normalised (lower case, default port dropped). */
CwHttpRequest *cw_http_request_new          (const char     *method,
                                             const char     *scheme,
                                             const char     *authority,
                                             const char     *path,
                                             const char     *query,
                                             GError        **error);
/* The same from an absolute URI, as libsoup hands it out. The URI must keep
 * its percent-encoding (G_URI_FLAGS_ENCODED_PATH and _QUERY, which libsoup
 * sets), or the signature covers a re-encoded path the peer never sent. */
CwHttpRequest *cw_http_request_new_for_uri  (const char     *method,
                                             GUri           *uri,
                                             GError        **error);
void           cw_http_request_free         (CwHttpRequest  *self);
/* Appends one field line; repeated names combine in order (RFC 9421 §2.1). */
gboolean       cw_http_request_add_header   (CwHttpRequest  *self,
                                             const char     *name,
                                             const char     *value,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwHttpRequest, cw_http_request_free)

G_END_DECLS
