/* cw-node-drain.h: a clean stop for HTTPS servers: requests in progress
 * are answered before the connections close.
 *
 * A request is in progress from the moment its head is in until its answer
 * is completely written (or its connection fails). One CwNodeDrain counts
 * them over every SoupServer attached to it, whichever thread runs each.
 * To stop, the owner closes the listening sockets (cw_node_listener_stop()),
 * calls cw_node_drain_begin(), refuses whatever request arrives from then on
 * on an open connection (cw_node_drain_is_draining()), and waits with
 * cw_node_drain_wait() until nothing is in progress, or its time is up;
 * then it disconnects the servers. The drain logs one line when it begins
 * and one when it ends.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CW_TYPE_NODE_DRAIN (cw_node_drain_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeDrain, cw_node_drain, CW, NODE_DRAIN, GObject)

/* cw_node_drain_wait() will run the caller's thread-default main context. */
CwNodeDrain *cw_node_drain_new           (void);

/* Counts the requests of @server from now on. Call it on the thread that
 * runs @server. */
void         cw_node_drain_attach        (CwNodeDrain       *self,
                                          SoupServer        *server);

/* Whether the drain began: from any thread. */
gboolean     cw_node_drain_is_draining   (CwNodeDrain       *self);

/* For the answer of a request in progress, about to be sent: once the
 * drain of its server began, the connection is to close after it, so that
 * the client does not send another request on it. */
void         cw_node_drain_prepare_answer (SoupServerMessage *msg);

/* Logs the start with the number of requests in progress. */
void         cw_node_drain_begin         (CwNodeDrain       *self);

/* Iterates the main context cw_node_drain_new() was called in until no
 * request is in progress on any attached server, or until @timeout_s
 * seconds after cw_node_drain_begin(); logs the outcome. TRUE if every
 * request in progress was answered or ended by its client. */
gboolean     cw_node_drain_wait          (CwNodeDrain       *self,
                                          guint              timeout_s);

G_END_DECLS
