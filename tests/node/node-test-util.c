/* node-test-util.c: helpers for the node tests: temporary directories,
 * running consent-node and reading its output, and a pinned HTTPS client. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "node-test-util.h"

/* Servers still running, killed at exit whatever happened to the test. */
static GPtrArray *running_servers;

void
node_run_free (NodeRun *run)
{
  if (run == NULL)
    return;
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

const char *
node_test_binary (void)
{
  const char *env = g_getenv ("CW_NODE_BINARY");

  return env != NULL ? env : CW_NODE_BINARY;
}

/* CW_NODE_WRAPPER, a command line that every consent-node the tests start
 * runs under (meson's valgrind setup sets it to memcheck); parsed once. */
static const char * const *
node_test_wrapper (void)
{
  static GStrv wrapper;
  static gsize parsed;

  if (g_once_init_enter (&parsed))
    {
      const char *env = g_getenv ("CW_NODE_WRAPPER");
      g_autoptr(GError) error = NULL;

      if (env != NULL && *env != '\0')
        {
          g_shell_parse_argv (env, NULL, &wrapper, &error);
          g_assert_no_error (error);
        }
      g_once_init_leave (&parsed, 1);
    }
  return (const char * const *) wrapper;
}

GPtrArray *
node_test_argv_new (void)
{
  const char * const *wrapper = node_test_wrapper ();
  GPtrArray *argv = g_ptr_array_new ();

  for (guint i = 0; wrapper != NULL && wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) wrapper[i]);
  g_ptr_array_add (argv, (gpointer) node_test_binary ());
  return argv;
}

char *
node_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cw-node-test-XXXXXX", &error);

  g_assert_no_error (error);

  return dir;
}

void
node_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            node_test_remove_tree (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

NodeRun *
node_test_runv (const char * const *args)
{
  g_autoptr(GPtrArray) argv = node_test_argv_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  NodeRun *run = g_new0 (NodeRun, 1);

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);

  run->exit_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                          : -1;

  {
    g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata);

    g_test_message ("$ %s → %d\n%s%s", line, run->exit_status, run->out, run->err);
  }

  return run;
}

NodeRun *
node_test_run (const char *first_arg,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return node_test_runv ((const char * const *) args->pdata);
}

char *
node_test_get_field (const char *text,
                     const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *prefix = g_strconcat (key, ": ", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        return g_strdup (lines[i] + strlen (prefix));
    }

  return NULL;
}

void
node_test_set_config (const char *dir,
                      const char *group,
                      const char *key,
                      const char *value)
{
  g_autofree char *conf = g_build_filename (dir, "node.conf", NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (key_file, conf, G_KEY_FILE_KEEP_COMMENTS, &error);
  g_assert_no_error (error);
  g_key_file_set_value (key_file, group, key, value);
  g_key_file_save_to_file (key_file, conf, &error);
  g_assert_no_error (error);
}

int
node_test_file_mode (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return -1;

  return st.st_mode & 0777;
}

gboolean
node_test_file_contains (const char *path,
                         const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  gsize needle_len = strlen (needle);

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;

  /* Binary data: no string functions that stop at a NUL byte. */
  for (gsize i = 0; needle_len > 0 && i + needle_len <= len; i++)
    {
      if (memcmp (contents + i, needle, needle_len) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
child_setup (gpointer user_data)
{
  /* If the test process dies in any way, the server goes with it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
kill_running_servers (void)
{
  if (running_servers == NULL)
    return;

  for (guint i = 0; i < running_servers->len; i++)
    g_subprocess_force_exit (g_ptr_array_index (running_servers, i));
}

/* The next line of @in that contains @needle, or NULL at its end. */
static char *
read_line_containing (GDataInputStream *in,
                      const char       *needle)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        return NULL;
      g_test_message ("node: %s", line);
      if (strstr (line, needle) != NULL)
        return g_steal_pointer (&line);
    }
}

static NodeServer *
start_server (const char *dir,
              gboolean    logged)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  NodeServer *server;

  if (running_servers == NULL)
    {
      running_servers = g_ptr_array_new ();
      atexit (kill_running_servers);
    }

  launcher = g_subprocess_launcher_new (logged ? G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                 G_SUBPROCESS_FLAGS_STDERR_MERGE
                                               : G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  if (logged)
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "consent-node", TRUE);

  argv = node_test_argv_new ();
  g_ptr_array_add (argv, (gpointer) "serve");
  g_ptr_array_add (argv, (gpointer) "--dir");
  g_ptr_array_add (argv, (gpointer) dir);
  g_ptr_array_add (argv, NULL);
  server = g_new0 (NodeServer, 1);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);
  g_ptr_array_add (running_servers, server->process);

  /* The first line says where it listens; EOF means it failed to start.
   * With the log in the same pipe, it is the first line of stdout. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = logged ? read_line_containing (out, "listening on ")
                : g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));

  server->url = g_strdup (line + strlen ("listening on "));
  g_test_message ("server at %s", server->url);
  if (logged)
    server->output = g_steal_pointer (&out);

  return server;
}

NodeServer *
node_test_server_start (const char *dir)
{
  return start_server (dir, FALSE);
}

NodeServer *
node_test_server_start_logged (const char *dir)
{
  return start_server (dir, TRUE);
}

char *
node_test_server_wait_log (NodeServer *server,
                           const char *needle)
{
  g_return_val_if_fail (server->output != NULL, NULL);

  return read_line_containing (server->output, needle);
}

int
node_test_server_stop (NodeServer *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (server->process))
    return -1;

  return g_subprocess_get_exit_status (server->process);
}

void
node_test_server_free (NodeServer *server)
{
  if (server == NULL)
    return;

  if (g_subprocess_get_identifier (server->process) != NULL)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
    }

  if (running_servers != NULL)
    g_ptr_array_remove (running_servers, server->process);
  g_clear_object (&server->output);
  g_clear_object (&server->process);
  g_free (server->url);
  g_free (server);
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  GTlsCertificate *pinned = user_data;

  /* Self-signed, so never trusted by the system; accepted only if it is
   * exactly the node's own certificate. */
  return g_tls_certificate_is_same (peer, pinned);
}

SoupSession *
node_test_session_new (const char *cert_path)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *pinned;
  SoupSession *session;

  pinned = g_tls_certificate_new_from_file (cert_path, &error);
  g_assert_no_error (error);

  session = soup_session_new_with_options ("timeout", 60, NULL);
  g_object_set_data_full (G_OBJECT (session), "pinned-certificate", pinned, g_object_unref);

  return session;
}

guint
node_test_request (SoupSession  *session,
                   const char   *method,
                   const char   *url,
                   GBytes       *body,
                   gboolean      chunked,
                   GBytes      **out_body,
                   char        **out_content_type)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) response = NULL;
  GTlsCertificate *pinned = g_object_get_data (G_OBJECT (session), "pinned-certificate");

  g_assert_nonnull (msg);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), pinned);

  if (body != NULL && chunked)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (body);

      soup_message_set_request_body (msg, "application/json", stream, -1);
    }
  else if (body != NULL)
    {
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }

  response = soup_session_send_and_read (session, msg, NULL, &error);
  if (response == NULL)
    {
      g_test_message ("%s %s failed: %s", method, url, error->message);
      return 0;
    }

  if (out_content_type != NULL)
    *out_content_type = g_strdup (soup_message_headers_get_content_type (
                                    soup_message_get_response_headers (msg), NULL));
  if (out_body != NULL)
    *out_body = g_steal_pointer (&response);

  return soup_message_get_status (msg);
}

static gboolean
accept_pinned_connection_cb (GTlsConnection       *connection,
                             GTlsCertificate      *peer,
                             GTlsCertificateFlags  errors,
                             gpointer              user_data)
{
  return g_tls_certificate_is_same (peer, user_data);
}

GIOStream *
node_test_tls_connect (const char      *host,
                       guint16          port,
                       GTlsCertificate *pinned)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  /* A guard against a node that hangs, not a timing assertion. */
  g_socket_client_set_timeout (client, 60);
  tcp = g_socket_client_connect_to_host (client, host, port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_pinned_connection_cb), pinned);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&tls);
}

struct _NodeHeldRequest
{
  GTlsCertificate *pinned;
  GIOStream *tls;
  GBytes *body;
};

void
node_test_held_request_free (NodeHeldRequest *held)
{
  if (held == NULL)
    return;
  g_clear_object (&held->tls);
  g_clear_object (&held->pinned);
  g_clear_pointer (&held->body, g_bytes_unref);
  g_free (held);
}

/* Reads from @stream until @received holds a blank line or the stream
 * ends: the offset after the blank line, or -1. */
static gssize
read_head (GIOStream  *stream,
           GByteArray *received)
{
  const char *end = NULL;

  while (end == NULL)
    {
      g_autoptr(GError) error = NULL;
      guint8 buffer[4096];
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer,
                                      sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        return -1;
      g_byte_array_append (received, buffer, n);
      end = g_strstr_len ((const char *) received->data, received->len, "\r\n\r\n");
    }

  return end + 4 - (const char *) received->data;
}

static GUri *
parse_url (const char *url)
{
  g_autoptr(GError) error = NULL;
  GUri *uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);

  return uri;
}

NodeHeldRequest *
node_test_held_request_start (const char *url,
                              const char *cert_path,
                              GBytes     *body)
{
  g_autoptr(NodeHeldRequest) held = g_new0 (NodeHeldRequest, 1);
  g_autoptr(GByteArray) received = g_byte_array_new ();
  g_autoptr(GUri) uri = parse_url (url);
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;

  held->body = g_bytes_ref (body);
  held->pinned = g_tls_certificate_new_from_file (cert_path, &error);
  g_assert_no_error (error);

  held->tls = node_test_tls_connect (g_uri_get_host (uri), (guint16) g_uri_get_port (uri),
                                     held->pinned);

  head = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: %s:%d\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                          "Expect: 100-continue\r\n\r\n",
                          g_uri_get_path (uri), g_uri_get_host (uri), g_uri_get_port (uri),
                          g_bytes_get_size (body));
  g_output_stream_write_all (g_io_stream_get_output_stream (held->tls), head, strlen (head),
                             NULL, NULL, &error);
  g_assert_no_error (error);

  /* Sent once the head is in and the early handlers have run. */
  g_assert_cmpint (read_head (held->tls, received), ==, (gssize) received->len);
  g_assert_true (g_str_has_prefix ((const char *) received->data, "HTTP/1.1 100 "));

  return g_steal_pointer (&held);
}

guint
node_test_held_request_finish (NodeHeldRequest  *held,
                               GBytes          **out_body,
                               gboolean         *out_close)
{
  g_autoptr(GByteArray) received = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (held->body, &len);
  gssize body_at;
  guint8 buffer[4096];
  gssize n;

  g_output_stream_write_all (g_io_stream_get_output_stream (held->tls), data, len, NULL, NULL,
                             &error);
  g_assert_no_error (error);

  body_at = read_head (held->tls, received);
  g_assert_cmpint (body_at, >, 0);
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (held->tls), buffer,
                                   sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (received, buffer, n);
  g_assert_no_error (error);

  head = g_ascii_strdown ((const char *) received->data, body_at);
  g_test_message ("held request answered: %s", head);
  *out_close = strstr (head, "\r\nconnection: close\r\n") != NULL;
  *out_body = g_bytes_new (received->data + body_at, received->len - body_at);

  return (guint) g_ascii_strtoull (head + strlen ("http/1.1 "), NULL, 10);
}

gboolean
node_test_connection_refused (const char *url)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GUri) uri = parse_url (url);
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                (guint16) g_uri_get_port (uri), NULL, &error);

  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}
