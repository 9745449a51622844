/* cw-node-client.h: the wallet's HTTPS client for the consortium node API
 * (docs/PROTOCOL.md §8), on libsoup 3.
 *
 * Transport policy: https only, except http:// to a loopback address when
 * the client is made with CW_NODE_CLIENT_FLAGS_ALLOW_INSECURE_LOOPBACK (for
 * development). With a TLS pin in the profile the node's certificate is
 * accepted exactly when its SPKI SHA-256 is the pin (cw-tls-pin.h), so a
 * pinned self-signed certificate works; without one, the system CAs decide.
 * Connect and I/O timeouts; answers larger than a per-call cap are refused.
 * Connection failures, timeouts and 503 are retried with exponential backoff
 * and full jitter (Retry-After honoured up to the cap); 4xx never is. Every
 * answer goes through the strict parsers of cw-node-results.h.
 *
 * Authenticated reads are signed per RFC 9421 (PROTOCOL.md §7) with the
 * CwSigningKey given to each call; the client keeps a reference only while
 * that call runs. The client belongs to the thread-default main context it
 * was created in, like its SoupSession.
 */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"
#include "cw-node-profile.h"
#include "cw-node-results.h"

G_BEGIN_DECLS

#define CW_NODE_CLIENT_ERROR (cw_node_client_error_quark ())

typedef enum {
  CW_NODE_CLIENT_ERROR_INSECURE_URL,       /* not https (or not loopback in dev mode) */
  CW_NODE_CLIENT_ERROR_UNREACHABLE,        /* could not connect or the connection broke */
  CW_NODE_CLIENT_ERROR_TLS_PIN_MISMATCH,   /* the certificate's key is not the pinned one */
  CW_NODE_CLIENT_ERROR_TLS_FAILED,         /* untrusted certificate or TLS failure */
  CW_NODE_CLIENT_ERROR_TIMEOUT,            /* no answer in time */
  CW_NODE_CLIENT_ERROR_REJECTED,           /* 4xx: see the node code */
  CW_NODE_CLIENT_ERROR_CONFLICT,           /* 409 chain_conflict: see the head */
  CW_NODE_CLIENT_ERROR_UNAVAILABLE,        /* 503 after the retries, or 5xx */
  CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE, /* not the answer PROTOCOL.md describes */
  CW_NODE_CLIENT_ERROR_TOO_LARGE,          /* the answer exceeds the cap */
  CW_NODE_CLIENT_ERROR_CLOCK_SKEW,         /* this computer's clock is too far from the node's */
} CwNodeClientError;

GQuark        cw_node_client_error_quark        (void);
/* For REJECTED and CONFLICT errors: the node's stable code ("invalid_invite")
 * and HTTP status; %NULL / 0 for other errors. */
const char   *cw_node_client_error_get_node_code (const GError *error);
guint         cw_node_client_error_get_status    (const GError *error);
/* For CONFLICT: the node's chain head, if it sent one. */
gboolean      cw_node_client_error_get_head      (const GError *error,
                                                  guint64      *seq,
                                                  const char  **id);
/* Whether retrying the same request later may succeed (unreachable,
 * timeout, unavailable): the outbox keeps such transactions queued. */
gboolean      cw_node_client_error_is_transient  (const GError *error);

typedef enum {
  CW_NODE_CLIENT_FLAGS_NONE = 0,
  CW_NODE_CLIENT_FLAGS_ALLOW_INSECURE_LOOPBACK = 1 << 0,
} CwNodeClientFlags;

#define CW_TYPE_NODE_CLIENT (cw_node_client_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeClient, cw_node_client, CW, NODE_CLIENT, GObject)

CwNodeClient  *cw_node_client_new               (const CwNodeProfile  *profile,
                                                 CwNodeClientFlags     flags,
                                                 GError              **error);
const CwNodeProfile *cw_node_client_get_profile (CwNodeClient         *self);
/* Properties "timeout" (seconds, connect and each read, default 30),
 * "max-retries" (default 4) and "retry-delay" (first backoff in ms,
 * default 500; doubles per attempt up to 30 s). */
void           cw_node_client_set_max_retries   (CwNodeClient         *self,
                                                 guint                 max_retries);
/* How long one attempt may take in all, from connecting to the answer's
 * last byte, in seconds (default 120): a node that drips its answer a byte
 * at a time, each within "timeout", is cut off there. */
void           cw_node_client_set_deadline      (CwNodeClient         *self,
                                                 guint                 seconds);

/* Compares this computer's clock with the node's (the Date header of
 * GET /log/checkpoint). Fails with CW_NODE_CLIENT_ERROR_CLOCK_SKEW, whose
 * message gives the difference, when it lies beyond the window of signed
 * requests (PROTOCOL.md §7 "Clock skew"); succeeds when it is within it or
 * could not be told (no answer: the next request reports why). */
void           cw_node_client_check_clock_async (CwNodeClient         *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       cw_node_client_check_clock_finish (CwNodeClient        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* POST /v1/tx with one envelope (JSON text). */
void           cw_node_client_submit_async      (CwNodeClient         *self,
                                                 const char           *envelope,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
CwNodeReceipt *cw_node_client_submit_finish     (CwNodeClient         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* GET /log/checkpoint: the signed note, unverified. */
void           cw_node_client_get_checkpoint_async  (CwNodeClient     *self,
                                                     GCancellable     *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer          user_data);
char          *cw_node_client_get_checkpoint_finish (CwNodeClient     *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

/* GET /v1/log/proof/consistency?old=&new=: 32-byte GBytes. */
void           cw_node_client_get_consistency_async  (CwNodeClient    *self,
                                                      guint64          old_size,
                                                      guint64          new_size,
                                                      GCancellable    *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer         user_data);
GPtrArray     *cw_node_client_get_consistency_finish (CwNodeClient    *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);

/* GET /v1/providers?q= (CwStoreProvider elements) and /v1/providers/<id>. */
void           cw_node_client_search_providers_async  (CwNodeClient   *self,
                                                       const char     *query,
                                                       GCancellable   *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer        user_data);
GPtrArray     *cw_node_client_search_providers_finish (CwNodeClient   *self,
                                                       GAsyncResult   *result,
                                                       GError        **error);
void           cw_node_client_get_provider_async      (CwNodeClient   *self,
                                                       const char     *provider_id,
                                                       GCancellable   *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer        user_data);
CwStoreProvider *cw_node_client_get_provider_finish   (CwNodeClient   *self,
                                                       GAsyncResult   *result,
                                                       GError        **error);

/* Authenticated list reads for @patient_id (standard base64; the client
 * writes it base64url in the path), signed with @key, the patient's current
 * key. @position is from= for the chain and after= for the others (ignored
 * when @has_position is FALSE); @limit 0 leaves it to the node. */
void           cw_node_client_list_async        (CwNodeClient         *self,
                                                 CwNodeListKind        kind,
                                                 const char           *patient_id,
                                                 gboolean              has_position,
                                                 guint64               position,
                                                 guint                 limit,
                                                 CwSigningKey         *key,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
CwNodeListing *cw_node_client_list_finish       (CwNodeClient         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* GET /v1/tx/<id> (@tx_id standard base64), signed with @key. */
void           cw_node_client_get_tx_async      (CwNodeClient         *self,
                                                 const char           *tx_id,
                                                 CwSigningKey         *key,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
CwNodeTxRecord *cw_node_client_get_tx_finish    (CwNodeClient         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* GET /v1/recovery/<recovery public key>, signed with @recovery_key
 * itself (PROTOCOL.md §12): the ID of the patient whose current recovery
 * key it is. A key the node does not know is CW_NODE_CLIENT_ERROR with the
 * node code "not_found". */
void           cw_node_client_find_recovery_patient_async  (CwNodeClient        *self,
                                                            CwSigningKey        *recovery_key,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
char          *cw_node_client_find_recovery_patient_finish (CwNodeClient        *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

G_END_DECLS
