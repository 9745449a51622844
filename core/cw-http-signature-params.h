/* cw-http-signature-params.h: the covered components and parameters of one
 * RFC 9421 HTTP message signature (§2.3), and the node's policy on them.
 *
 * Errors are in the CW_HTTP_SIGNATURE_ERROR domain of cw-http-signature.h,
 * whose caps and policy defaults apply.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The covered components and parameters of one signature (RFC 9421 §2.3). */
typedef struct _CwHttpSignatureParams CwHttpSignatureParams;

CwHttpSignatureParams *cw_http_signature_params_new   (void);
/* Covers @method, @authority, @path and @query, with created = @created, a
 * random nonce, alg="ed25519" and keyid = @keyid: what the node requires. */
CwHttpSignatureParams *cw_http_signature_params_new_for_node (gint64        created,
                                                              const char   *keyid,
                                                              GError      **error);
CwHttpSignatureParams *cw_http_signature_params_ref   (CwHttpSignatureParams  *self);
void                   cw_http_signature_params_unref (CwHttpSignatureParams  *self);

/* A derived component ("@path") or a field name, lower case. */
gboolean     cw_http_signature_params_add_component (CwHttpSignatureParams  *self,
                                                     const char             *name,
                                                     GError                **error);
guint        cw_http_signature_params_get_n_components (CwHttpSignatureParams *self);
const char  *cw_http_signature_params_get_component    (CwHttpSignatureParams *self,
                                                        guint                  index);
gboolean     cw_http_signature_params_covers           (CwHttpSignatureParams *self,
                                                        const char            *name);

/* Parameters serialise in the order they were first set. */
void         cw_http_signature_params_set_created (CwHttpSignatureParams  *self,
                                                   gint64                  created);
void         cw_http_signature_params_set_expires (CwHttpSignatureParams  *self,
                                                   gint64                  expires);
gboolean     cw_http_signature_params_set_nonce   (CwHttpSignatureParams  *self,
                                                   const char             *nonce,
                                                   GError                **error);
gboolean     cw_http_signature_params_set_alg     (CwHttpSignatureParams  *self,
                                                   const char             *alg,
                                                   GError                **error);
gboolean     cw_http_signature_params_set_keyid   (CwHttpSignatureParams  *self,
                                                   const char             *keyid,
                                                   GError                **error);
gboolean     cw_http_signature_params_set_tag     (CwHttpSignatureParams  *self,
                                                   const char             *tag,
                                                   GError                **error);

/* The getters return FALSE or NULL when the parameter is absent. */
gboolean     cw_http_signature_params_get_created (CwHttpSignatureParams  *self,
                                                   gint64                 *created);
gboolean     cw_http_signature_params_get_expires (CwHttpSignatureParams  *self,
                                                   gint64                 *expires);
const char  *cw_http_signature_params_get_nonce   (CwHttpSignatureParams  *self);
const char  *cw_http_signature_params_get_alg     (CwHttpSignatureParams  *self);
const char  *cw_http_signature_params_get_keyid   (CwHttpSignatureParams  *self);
const char  *cw_http_signature_params_get_tag     (CwHttpSignatureParams  *self);

/* The inner list as it appears in Signature-Input and on the
 * "@signature-params" line: ("@method" ...);created=...;keyid="...". */
char        *cw_http_signature_params_to_string   (CwHttpSignatureParams  *self);

/* The node's policy: @method, @authority, @path and @query covered; created
 * present, no older than @max_age seconds and no later than @now + @max_skew;
 * expires, when present, not passed; nonce and keyid present and non-empty;
 * alg, when present, "ed25519". Replay detection is the caller's. */
gboolean     cw_http_signature_params_check_policy (CwHttpSignatureParams  *self,
                                                    gint64                  now,
                                                    guint                   max_age,
                                                    guint                   max_skew,
                                                    GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwHttpSignatureParams, cw_http_signature_params_unref)

G_END_DECLS
