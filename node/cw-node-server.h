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

G_END_DECLS
