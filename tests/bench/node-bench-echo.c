/* node-bench-echo.c: the ceiling baseline of the node benchmark. A
 * minimal libsoup 3 HTTPS server with the node's certificate and TLS
 * settings and the same number of serving threads (one SoupServer and
 * GMainContext per thread, each on its own SO_REUSEPORT socket, as
 * `consent-node serve` does), whose POST /v1/tx does no work and answers a
 * receipt-sized JSON. What node-bench measures against it is what any
 * libsoup-based node can reach on the machine.
 *
 * Prints "listening on https://127.0.0.1:PORT" and serves until killed. */
#include "config.h"

#include <libsoup/soup.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cw-node-listener.h"

static char *opt_cert = NULL;
static char *opt_key = NULL;
static int opt_threads = 1;
static int opt_body_size = 1024;

static const GOptionEntry option_entries[] = {
  { "cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "TLS certificate (PEM)", "FILE" },
  { "key", 0, 0, G_OPTION_ARG_FILENAME, &opt_key, "TLS private key (PEM)", "FILE" },
  { "threads", 0, 0, G_OPTION_ARG_INT, &opt_threads, "Serving threads (default 1)", "N" },
  { "body-size", 0, 0, G_OPTION_ARG_INT, &opt_body_size,
    "Size of the answer in bytes (default 1024)", "N" },
  { NULL }
};

typedef struct
{
  GTlsCertificate *certificate;
  GSocket *socket;
  GBytes *answer;
  GMutex lock;
  GCond cond;
  gboolean listening;
  GError *error;
} Server;

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Server *self = user_data;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST || !g_str_equal (path, "/v1/tx"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    g_bytes_get_data (self->answer, NULL),
                                    g_bytes_get_size (self->answer));
}

static gpointer
serving_thread (gpointer data)
{
  Server *self = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(SoupServer) server = NULL;
  GError *error = NULL;

  /* The server's sources go to the context current when it listens. */
  g_main_context_push_thread_default (context);
  server = soup_server_new ("tls-certificate", self->certificate,
                            "server-header", "consent-node/" PACKAGE_VERSION,
                            "raw-paths", TRUE,
                            NULL);
  soup_server_add_handler (server, NULL, handler_cb, self, NULL);
  soup_server_listen_socket (server, self->socket, SOUP_SERVER_LISTEN_HTTPS, &error);

  g_mutex_lock (&self->lock);
  self->listening = TRUE;
  self->error = error;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (error == NULL)
    g_main_loop_run (loop);

  return NULL;
}

/* Valid JSON of exactly @size bytes shaped like a receipt. */
static GBytes *
make_answer (gsize size)
{
  GString *body = g_string_new ("{\"id\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
                                "\"index\":1,\"proof\":\"");

  while (body->len + 2 < size)
    g_string_append_c (body, 'x');
  g_string_append (body, "\"}");

  return g_string_free_to_bytes (body);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GPtrArray) sockets = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  Server *servers;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, option_entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_cert == NULL || opt_key == NULL || opt_threads < 1 || opt_body_size < 64)
    {
      g_printerr ("Usage: node-bench-echo --cert FILE --key FILE [--threads N] [--body-size N]\n");
      return 2;
    }

  certificate = g_tls_certificate_new_from_files (opt_cert, opt_key, &error);
  if (certificate == NULL)
    {
      g_printerr ("Loading the certificate: %s\n", error->message);
      return 1;
    }

  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  sockets = cw_node_listener_open (address, opt_threads, &error);
  if (sockets == NULL)
    {
      g_printerr ("Listening: %s\n", error->message);
      return 1;
    }

  answer = make_answer (opt_body_size);
  servers = g_new0 (Server, opt_threads);
  for (int i = 0; i < opt_threads; i++)
    {
      Server *server = &servers[i];

      server->certificate = certificate;
      server->socket = g_ptr_array_index (sockets, i);
      server->answer = answer;
      g_mutex_init (&server->lock);
      g_cond_init (&server->cond);
      g_thread_unref (g_thread_new ("echo-serve", serving_thread, server));

      g_mutex_lock (&server->lock);
      while (!server->listening)
        g_cond_wait (&server->cond, &server->lock);
      g_mutex_unlock (&server->lock);
      if (server->error != NULL)
        {
          g_printerr ("Listening: %s\n", server->error->message);
          return 1;
        }
    }

  local = g_socket_get_local_address (g_ptr_array_index (sockets, 0), &error);
  if (local == NULL)
    {
      g_printerr ("Local address: %s\n", error->message);
      return 1;
    }
  g_print ("listening on https://127.0.0.1:%u\n",
           g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  fflush (stdout);

  /* Until node-bench kills it. */
  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);

  return 0;
}
