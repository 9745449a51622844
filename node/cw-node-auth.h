/* cw-node-auth.h: authentication of the node's non-public reads by RFC 9421
 * HTTP message signatures (PROTOCOL.md §7 and §8 "Authenticated reads").
 *
 * Two steps. On the main loop, cw_node_auth_new_for_message() turns the
 * SoupServerMessage into a CwHttpRequest as received, parses
 * Signature-Input and Signature and applies the policy (components,
 * created window, nonce, keyid, alg). On a worker thread, with a store
 * handle of its own, cw_node_auth_authorize() finds the key, verifies the
 * signature, checks that the key may read the resource and records the
 * nonce so that the same signature is refused until it is stale, also
 * after a restart.
 */
#pragma once

#include <libsoup/soup.h>

#include "cw-node-api-error.h"
#include "cw-node-store.h"

G_BEGIN_DECLS

#define CW_NODE_AUTH_ERROR (cw_node_auth_error_quark ())

typedef enum {
  CW_NODE_AUTH_ERROR_UNAUTHENTICATED,  /* no, malformed or bad signature, unknown key */
  CW_NODE_AUTH_ERROR_STALE,            /* created outside the window */
  CW_NODE_AUTH_ERROR_REPLAYED,         /* the (keyid, nonce) pair was seen */
  CW_NODE_AUTH_ERROR_FORBIDDEN,        /* a valid signature by a key that may not read this */
  CW_NODE_AUTH_ERROR_FAILED,           /* the store failed */
} CwNodeAuthError;

typedef struct _CwNodeAuth CwNodeAuth;

GQuark          cw_node_auth_error_quark        (void);

/* Parses the request's signature and checks the policy at @now. */
CwNodeAuth     *cw_node_auth_new_for_message    (SoupServerMessage  *msg,
                                                 gint64              now,
                                                 GError            **error);
void            cw_node_auth_free               (CwNodeAuth         *self);
const char     *cw_node_auth_get_key_id         (CwNodeAuth         *self);

/* Passes if the signature verifies with the current key of @patient_id or
 * the directory key of @provider_id (either may be %NULL) and its nonce is
 * new. Blocks on @store: call it from a worker thread. */
gboolean        cw_node_auth_authorize          (CwNodeAuth         *self,
                                                 CwNodeStore        *store,
                                                 const char         *patient_id,
                                                 const char         *provider_id,
                                                 gint64              now,
                                                 GError            **error);

/* Passes if the signature's keyid is that of @public_key, it verifies with
 * that key and its nonce is new: for resources that name the key they
 * must be read with (PROTOCOL.md §12). Blocks on @store. */
gboolean        cw_node_auth_authorize_key      (CwNodeAuth         *self,
                                                 CwNodeStore        *store,
                                                 const guint8        public_key[CW_PUBLIC_KEY_SIZE],
                                                 gint64              now,
                                                 GError            **error);

/* The API error a CW_NODE_AUTH_ERROR is answered with. */
CwNodeApiError  cw_node_auth_error_to_api       (const GError       *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeAuth, cw_node_auth_free)

G_END_DECLS
