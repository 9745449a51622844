/* cw-node-server-private.h: what the files of the HTTPS API share: the
 * server's state, response helpers and the handlers each file adds. */
#pragma once

#include "cw-node-drain.h"
#include "cw-node-limits.h"
#include "cw-node-server.h"

G_BEGIN_DECLS

struct _CwNodeServer
{
  GObject parent_instance;

  CwNodeConfig *config;
  CwNodeStore *store;
  CwNodeDirectory *directory;
  CwNodeSequencer *sequencer;
  GTlsCertificate *certificate;
  SoupServer *soup_server;
  CwNodeLimits *limits;
  CwNodeDrain *drain;         /* counts the requests of every serving thread */
  GAsyncQueue *read_stores;   /* idle CwNodeStore handles for worker threads */
  GPtrArray *serving_threads; /* beyond the caller's: cw-node-server-threads.c */
};

void      cw_node_server_respond_json           (SoupServerMessage *msg,
                                                 guint              status,
                                                 JsonNode          *root);
/* Logs @error for the operator and answers 500 without details. */
void      cw_node_server_respond_internal_error (SoupServerMessage *msg,
                                                 const char        *what,
                                                 const GError      *error);
/* Answers 405 unless the method is GET or HEAD. */
gboolean  cw_node_server_check_read_method      (SoupServerMessage *msg);

/* Pauses @msg while its answer is prepared elsewhere (a worker thread,
 * the sequencer). */
void      cw_node_server_pause                  (SoupServerMessage *msg);
/* Sends the answer of a message paused with cw_node_server_pause(),
 * unless its connection has closed meanwhile (the client gone, or the
 * server stopping): then there is nothing to send it on. While the server
 * shuts down, the connection closes after the answer. */
void      cw_node_server_resume                 (SoupServerMessage *msg);

/* A SoupServer with the node's handlers; its sources go to the calling
 * thread's default main context. */
SoupServer *cw_node_server_new_soup_server      (CwNodeServer      *self);

/* cw-node-server-threads.c: a serving thread for @socket, started and
 * listening when this returns TRUE; all of them stopped and joined; and
 * shutdown(2) on their sockets, from any thread. */
gboolean  cw_node_server_start_serving_thread   (CwNodeServer      *self,
                                                 GSocket           *socket,
                                                 GError           **error);
void      cw_node_server_stop_serving_threads   (CwNodeServer      *self);
void      cw_node_server_stop_thread_listeners  (CwNodeServer      *self);

/* cw-node-server-tx.c: POST /v1/tx. @body may be %NULL (none). */
void      cw_node_server_handle_tx              (CwNodeServer      *self,
                                                 SoupServerMessage *msg,
                                                 GByteArray        *body);

/* cw-node-server-witnesses.c: GET /v1/log/witnesses; FALSE for another
 * path. */
gboolean  cw_node_server_handle_witness_set     (CwNodeServer      *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path);

/* cw-node-server-log.c: /log/checkpoint, /log/tile/..., /v1/log/proof/...;
 * FALSE if @path is none of them. */
gboolean  cw_node_server_handle_log             (CwNodeServer      *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path,
                                                 GHashTable        *query);

/* cw-node-server-patient.c: the authenticated reads, /v1/patients/<pid>/...
 * and GET /v1/tx/<id>; FALSE if @path is none of them. */
gboolean  cw_node_server_handle_patient         (CwNodeServer      *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path,
                                                 GHashTable        *query);

/* cw-node-server-recovery.c: GET /v1/recovery/<key>, the patient ID for
 * a request signed by that recovery key; FALSE if @path is not under it. */
gboolean  cw_node_server_handle_recovery        (CwNodeServer      *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path,
                                                 GHashTable        *query);

G_END_DECLS
