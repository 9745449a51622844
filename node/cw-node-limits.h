/* cw-node-limits.h: the HTTPS server's per-client limits: a request rate
 * (a token bucket per client address) and a watchdog that closes a
 * connection which does not deliver a request in time, so that a slow or
 * silent client cannot hold a connection forever.
 *
 * libsoup 3.2's SoupServer has no timeouts of its own. Every request gets a
 * deadline when libsoup starts waiting for it (which, on a new connection,
 * is before the TLS handshake, and on a kept-alive one is the idle wait):
 * its head must be in within the idle timeout, then its body within the
 * body timeout. A request past its deadline has its socket closed, which
 * ends the connection. The socket also gets the two timeouts together as
 * its I/O timeout, so a client that stops reading an answer is dropped.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CW_TYPE_NODE_LIMITS (cw_node_limits_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeLimits, cw_node_limits, CW, NODE_LIMITS, GObject)

/* @rate requests per second and @burst at once per client address (an
 * IPv6 client by its /64); @rate 0 turns the rate limit off, and loopback
 * clients are exempt unless @limit_loopback. Timeouts are in seconds. */
CwNodeLimits *cw_node_limits_new            (guint              rate,
                                             guint              burst,
                                             gboolean           limit_loopback,
                                             guint              idle_timeout,
                                             guint              body_timeout);

/* Watches every request of @server from now on. Call it on the thread
 * that runs @server, with its main context as the thread default: the
 * watchdog's timer runs there. Rate buckets are shared by all servers. */
void          cw_node_limits_attach         (CwNodeLimits      *self,
                                             SoupServer        *server);

/* For the early handler: takes a token of the client's bucket, or answers
 * 429 rate_limited with Retry-After and returns FALSE. */
gboolean      cw_node_limits_admit          (CwNodeLimits      *self,
                                             SoupServerMessage *msg);

G_END_DECLS
