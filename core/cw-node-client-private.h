/* cw-node-client-private.h: what the CwNodeClient files share: the
 * object (cw-node-client.c), one request with retries, capped reads and
 * parsing off the thread (cw-node-client-request.c), and the typed API
 * calls built on it (cw-node-client-calls.c). Not for callers. */
#pragma once

#include <libsoup/soup.h>

#include "cw-node-client.h"

G_BEGIN_DECLS

/* Answer caps: a list page holds up to 1000 items of up to 32 KiB each. */
#define CW_NODE_CLIENT_SMALL_ANSWER_CAP (256 * 1024)
#define CW_NODE_CLIENT_LIST_ANSWER_CAP (40 * 1024 * 1024)
#define CW_NODE_CLIENT_MAX_RETRY_DELAY_MS 30000
#define CW_NODE_CLIENT_DEFAULT_DEADLINE_S 120

struct _CwNodeClient
{
  GObject parent_instance;

  CwNodeProfile *profile;
  CwNodeClientFlags flags;
  SoupSession *session;
  GUri *base;
  guint timeout;
  guint max_retries;
  guint retry_delay;
  guint deadline;     /* seconds for one attempt, start to the last byte */
  /* The node's clock as its last Date header showed it: node − local, in
   * seconds, and when that was (monotonic µs, 0 for never); see
   * cw-node-client-request.c. */
  gint64 clock_offset;
  gint64 clock_seen;
};

/* Turns a 200 answer's body into the call's result, on a pool thread. */
typedef gpointer (*CwNodeClientParseFunc) (GBytes  *body,
                                           GError **error);

/* A CW_NODE_CLIENT_ERROR carrying the node's code, status and head. */
GError   *cw_node_client_error_new      (CwNodeClientError      code,
                                         guint                  status,
                                         const char            *node_code,
                                         gboolean               has_head,
                                         guint64                head_seq,
                                         const char            *head_id,
                                         const char            *format,
                                         ...) G_GNUC_PRINTF (7, 8);

/* One API request: @path is path and query, encoded; @key (may be %NULL)
 * signs it per RFC 9421; answers above @cap bytes are refused; a 200 body
 * goes through @parse. Retries per the client's policy. */
void      cw_node_client_request_async  (CwNodeClient          *self,
                                         const char            *method,
                                         const char            *path,
                                         GBytes                *body,
                                         CwSigningKey          *key,
                                         gsize                  cap,
                                         CwNodeClientParseFunc  parse,
                                         GDestroyNotify         result_free,
                                         gpointer               source_tag,
                                         GCancellable          *cancellable,
                                         GAsyncReadyCallback    callback,
                                         gpointer               user_data);
gpointer  cw_node_client_request_finish (CwNodeClient          *self,
                                         GAsyncResult          *result,
                                         gpointer               source_tag,
                                         GError               **error);

G_END_DECLS
