/* cw-node-listener.h: listening sockets for a server that accepts on
 * several threads: @n TCP sockets bound to one address and port with
 * SO_REUSEPORT, so that the kernel spreads new connections over them and
 * each serving thread accepts from its own socket without waking the
 * others. And stopping any listening socket at shutdown, while its
 * connections are still being answered (cw-node-drain.h). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Binds and listens @n sockets (GSocket) on @address; port 0 picks one
 * free port, shared by all of them. */
GPtrArray *cw_node_listener_open (GSocketAddress  *address,
                                  guint            n,
                                  GError         **error);

/* Stops @socket listening at once, from any thread: a new connection is
 * refused (or goes to another socket of the group that still listens),
 * and the server's accept watch on it ends. Connections already accepted
 * stay open. */
void       cw_node_listener_stop (GSocket         *socket);

G_END_DECLS
