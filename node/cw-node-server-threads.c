/* cw-node-server-threads.c: CwNodeServer's serving threads beyond the
 * caller's ([node] serving-threads): each with its own SoupServer, main
 * context and listening socket (docs/PERFORMANCE.md, "Serving threads: what
 * they share and why it is safe"). */
#include "config.h"

#include "cw-node-listener.h"
#include "cw-node-server-private.h"

/* A serving thread beyond the first: its own SoupServer, main context and
 * listening socket. Its handlers run there, and so do the callbacks of the
 * GTasks they start (a GTask returns to the context it was made in). */
typedef struct
{
  CwNodeServer *server;     /* weak: the server joins its threads first */
  GSocket *socket;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean started;
  GError *error;
} ServingThread;

static gpointer
serving_thread_run (gpointer data)
{
  ServingThread *serving = data;
  g_autoptr(SoupServer) server = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (serving->context);
  server = cw_node_server_new_soup_server (serving->server);
  soup_server_listen_socket (server, serving->socket, SOUP_SERVER_LISTEN_HTTPS, &error);

  g_mutex_lock (&serving->lock);
  serving->started = TRUE;
  serving->error = error;
  g_cond_signal (&serving->cond);
  g_mutex_unlock (&serving->lock);

  if (error == NULL)
    g_main_loop_run (serving->loop);

  /* Connections and their pending answers go with the server, here. */
  soup_server_disconnect (server);
  g_clear_object (&server);
  while (g_main_context_iteration (serving->context, FALSE))
    ;
  g_main_context_pop_thread_default (serving->context);

  return NULL;
}

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

static void
serving_thread_stop (ServingThread *serving)
{
  if (serving->thread != NULL)
    {
      g_main_context_invoke (serving->context, quit_loop_cb, serving->loop);
      g_thread_join (g_steal_pointer (&serving->thread));
    }
  g_clear_pointer (&serving->loop, g_main_loop_unref);
  g_clear_pointer (&serving->context, g_main_context_unref);
  g_clear_object (&serving->socket);
  g_clear_error (&serving->error);
  g_mutex_clear (&serving->lock);
  g_cond_clear (&serving->cond);
  g_free (serving);
}

void
cw_node_server_stop_serving_threads (CwNodeServer *self)
{
  if (self->serving_threads == NULL)
    return;

  for (guint i = 0; i < self->serving_threads->len; i++)
    serving_thread_stop (g_ptr_array_index (self->serving_threads, i));
  g_ptr_array_set_size (self->serving_threads, 0);
}

gboolean
cw_node_server_start_serving_thread (CwNodeServer  *self,
                                     GSocket       *socket,
                                     GError       **error)
{
  ServingThread *serving = g_new0 (ServingThread, 1);

  serving->server = self;
  serving->socket = g_object_ref (socket);
  serving->context = g_main_context_new ();
  serving->loop = g_main_loop_new (serving->context, FALSE);
  g_mutex_init (&serving->lock);
  g_cond_init (&serving->cond);
  g_ptr_array_add (self->serving_threads, serving);

  serving->thread = g_thread_new ("cw-serve", serving_thread_run, serving);
  g_mutex_lock (&serving->lock);
  while (!serving->started)
    g_cond_wait (&serving->cond, &serving->lock);
  g_mutex_unlock (&serving->lock);

  if (serving->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&serving->error));
      return FALSE;
    }

  return TRUE;
}

void
cw_node_server_stop_thread_listeners (CwNodeServer *self)
{
  for (guint i = 0; i < self->serving_threads->len; i++)
    {
      ServingThread *serving = g_ptr_array_index (self->serving_threads, i);

      cw_node_listener_stop (serving->socket);
    }
}
