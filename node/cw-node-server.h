/* cw-node-server.h: the node's HTTPS API: routing, limits, JSON errors and
 * one log line per request. */
#pragma once

#include <libsoup/soup.h>

#include "cw-node-config.h"
#include "cw-node-directory.h"
#include "cw-node-sequencer.h"
#include "cw-node-store.h"

G_BEGIN_DECLS

#define CW_TYPE_NODE_SERVER (cw_node_server_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeServer, cw_node_server, CW, NODE_SERVER, GObject)

CwNodeServer *cw_node_server_new         (CwNodeConfig     *config,
                                          CwNodeStore      *store,
                                          CwNodeDirectory  *directory,
                                          CwNodeSequencer  *sequencer,
                                          GTlsCertificate  *certificate);

/* Listens (HTTPS only) on the configured address. */
gboolean      cw_node_server_start       (CwNodeServer     *self,
                                          GError          **error);
/* "https://<address>:<port>" once started, with the real port. */
char         *cw_node_server_dup_url     (CwNodeServer     *self);
/* Closes the listening sockets and every connection. */
void          cw_node_server_stop        (CwNodeServer     *self);
/* A clean stop, from the thread that started the server, with its main
 * loop no longer running: stops accepting connections, refuses new
 * requests on open ones (503 shutting_down), has the sequencer commit what
 * is queued at once, runs the main context until every request in
 * progress is answered or [node] shutdown-timeout has passed, then stops
 * as cw_node_server_stop() does. */
void          cw_node_server_shutdown    (CwNodeServer     *self);

G_END_DECLS
