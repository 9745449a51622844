/* cw-node-listener.c: SO_REUSEPORT listening sockets for the serving
 * threads, and stopping a listening socket at shutdown; see
 * cw-node-listener.h. */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "cw-node-listener.h"

#define LISTEN_BACKLOG 1024

static GSocket *
open_one (GSocketAddress  *address,
          gboolean         reuse_port,
          GError         **error)
{
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);

  if (reuse_port)
    {
      struct sockaddr_storage native;
      gsize len = g_socket_address_get_native_size (address);

      /* Set before bind on every socket of the group, as Linux requires;
       * and bound directly, since g_socket_bind() clears SO_REUSEPORT on
       * stream sockets. */
      if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error) ||
          !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error) ||
          !g_socket_address_to_native (address, &native, sizeof native, error))
        return NULL;
      if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, len) != 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Could not listen on the node's port: %s", g_strerror (saved));
          return NULL;
        }
    }
  else if (!g_socket_bind (socket, address, TRUE, error))
    {
      return NULL;
    }

  if (!g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

GPtrArray *
cw_node_listener_open (GSocketAddress  *address,
                       guint            n,
                       GError         **error)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) probe = NULL;

  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);
  g_return_val_if_fail (n > 0, NULL);

  /* A plain bind first, so that a port some other server (say a second
   * node) already listens on is refused as in use, instead of joining its
   * group and sharing its connections. It also picks the port for 0. */
  probe = open_one (address, FALSE, error);
  if (probe == NULL)
    return NULL;
  bound = g_socket_get_local_address (probe, error);
  if (bound == NULL)
    return NULL;
  g_socket_close (probe, NULL);

  for (guint i = 0; i < n; i++)
    {
      GSocket *socket = open_one (bound, TRUE, error);

      if (socket == NULL)
        return NULL;
      g_ptr_array_add (sockets, socket);
    }

  return g_steal_pointer (&sockets);
}

void
cw_node_listener_stop (GSocket *socket)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (G_IS_SOCKET (socket));

  /* Not g_socket_close(): libsoup's accept watch on the other thread would
   * poll a closed descriptor, which the kernel may hand out again. On
   * Linux, shutdown() of a listening socket takes it out of the listening
   * table (and its SO_REUSEPORT group) and wakes its pollers; the watch's
   * accept then fails and libsoup 3.2 drops the watch. The descriptor is
   * closed with the server. */
  if (!g_socket_shutdown (socket, TRUE, TRUE, &error))
    g_warning ("Closing a listening socket: %s", error->message);
}
