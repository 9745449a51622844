/* cw-witness-server.c: a witness's HTTPS endpoint, POST
 * /witness/add-checkpoint of c2sp.org/tlog-witness, with a body cap, one
 * log line per request and a clean shutdown. */
#include "config.h"

#include <string.h>

#include "cw-node-config.h"
#include "cw-node-drain.h"
#include "cw-node-listener.h"
#include "cw-witness.h"
#include "cw-witness-server.h"

/* Per-request state, kept on the SoupServerMessage. */
typedef struct
{
  gint64 started;
  GByteArray *body;
  gboolean too_large;
  const char *outcome;
} RequestData;

#define REQUEST_DATA_KEY "cw-witness-request-data"

/* How long a stopping witness waits for the answers in progress. */
#define SHUTDOWN_TIMEOUT_S 10

struct _CwWitnessServer
{
  GObject parent_instance;

  CwWitnessConfig *config;
  CwWitnessStore *store;
  CwSigningKey *key;
  GTlsCertificate *certificate;
  SoupServer *soup_server;
  CwNodeDrain *drain;
};

G_DEFINE_FINAL_TYPE (CwWitnessServer, cw_witness_server, G_TYPE_OBJECT)

static void
request_data_free (gpointer data)
{
  RequestData *request = data;

  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request);
}

static RequestData *
get_request_data (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), REQUEST_DATA_KEY);
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *content_type,
              const char        *text)
{
  RequestData *request = get_request_data (msg);
  g_autofree char *body = g_str_has_suffix (text, "\n") ? g_strdup (text)
                                                        : g_strconcat (text, "\n", NULL);
  gsize len = strlen (body);

  if (request != NULL && request->outcome == NULL)
    request->outcome = status == SOUP_STATUS_OK ? "cosigned" : "refused";

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), len);
}

/* As the node does (cw-node-server.c): a request that arrives while the
 * witness shuts down is answered, not dropped; the log retries it. */
static void
respond_shutting_down (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_replace (headers, "Retry-After", "5");
  respond_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                "The witness is shutting down; try again shortly");
}

static void
handle_add_checkpoint (CwWitnessServer   *self,
                       SoupServerMessage *msg)
{
  RequestData *request = get_request_data (msg);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  guint64 size = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const guint8 *body = NULL;
  gsize len = 0;

  if (request != NULL && request->body != NULL)
    {
      body = request->body->data;
      len = request->body->len;
    }

  line = cw_witness_add_checkpoint (self->store, self->key, body, len, now, &size, &error);
  if (line != NULL)
    {
      respond_text (msg, SOUP_STATUS_OK, "text/plain; charset=utf-8", line);
      return;
    }

  if (g_error_matches (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_OLD_SIZE))
    {
      /* The spec's answer: our size, so that the log can catch us up. */
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", size);

      respond_text (msg, SOUP_STATUS_CONFLICT, CW_WITNESS_SIZE_CONTENT_TYPE, text);
      return;
    }

  if (g_error_matches (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_FAILED) ||
      error->domain != CW_WITNESS_ERROR)
    {
      /* The details go to the operator's log, never to the client. */
      g_message ("add-checkpoint failed: %s", error->message);
      respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                    "Internal error");
      return;
    }

  respond_text (msg, cw_witness_error_get_status (error), "text/plain; charset=utf-8",
                error->message);
}

static void
server_handler_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  CwWitnessServer *self = user_data;
  RequestData *request = get_request_data (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (response_headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (response_headers, "Cache-Control", "no-store");

  /* Its head came in before the drain began, its body after. */
  if (cw_node_drain_is_draining (self->drain))
    {
      respond_shutting_down (msg);
      return;
    }

  if (request != NULL && request->too_large)
    {
      respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "text/plain; charset=utf-8",
                    "The request body is too large");
      return;
    }

  if (!g_str_equal (path, CW_WITNESS_ADD_CHECKPOINT_PATH))
    {
      respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", "No such endpoint");
      return;
    }

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (response_headers, "Allow", "POST");
      respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "add-checkpoint only answers POST");
      return;
    }

  handle_add_checkpoint (self, msg);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  CwWitnessServer *self = user_data;
  RequestData *request = get_request_data (msg);
  gsize max = cw_witness_config_get_max_body_size (self->config);
  gsize len = g_bytes_get_size (chunk);

  if (request == NULL || request->too_large || request->body == NULL)
    return;

  /* Chunked bodies have no length up front; stop keeping them at the cap. */
  if (len > max - request->body->len)
    {
      request->too_large = TRUE;
      g_clear_pointer (&request->body, g_byte_array_unref);
      return;
    }

  g_byte_array_append (request->body, g_bytes_get_data (chunk, NULL), len);
}

/* Runs once the headers are in, before any body is read. */
static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  CwWitnessServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  RequestData *request = get_request_data (msg);
  gsize max = cw_witness_config_get_max_body_size (self->config);

  if (cw_node_drain_is_draining (self->drain))
    {
      /* libsoup still reads the body before it answers: never keep it. */
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      respond_shutting_down (msg);
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) max)
    {
      /* Answered now, without reading the body; the connection closes. */
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "text/plain; charset=utf-8",
                    "The request body is too large");
      return;
    }

  if (request != NULL)
    {
      /* The body is kept here, capped, instead of in libsoup's buffer. */
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      request->body = g_byte_array_new ();
      g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self, 0);
    }
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  RequestData *request = g_new0 (RequestData, 1);

  request->started = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), REQUEST_DATA_KEY, request, request_data_free);
}

static void
log_request (SoupServerMessage *msg,
             const char        *outcome)
{
  RequestData *request = get_request_data (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *remote = soup_server_message_get_remote_host (msg);
  gint64 elapsed_us = 0;

  if (request != NULL)
    {
      elapsed_us = g_get_monotonic_time () - request->started;
      if (request->outcome != NULL && g_str_equal (outcome, "done"))
        outcome = request->outcome;
    }

  g_message ("%s \"%s %s\" %u %s %" G_GINT64_FORMAT ".%03dms",
             remote != NULL ? remote : "-",
             soup_server_message_get_method (msg),
             uri != NULL ? g_uri_get_path (uri) : "-",
             soup_server_message_get_status (msg),
             outcome,
             elapsed_us / 1000, (int) (elapsed_us % 1000));
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  log_request (msg, "done");
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  log_request (msg, "aborted");
}

static void
cw_witness_server_dispose (GObject *object)
{
  CwWitnessServer *self = (CwWitnessServer *)object;

  if (self->soup_server != NULL)
    soup_server_disconnect (self->soup_server);
  g_clear_object (&self->soup_server);
  g_clear_object (&self->drain);
  g_clear_object (&self->store);
  g_clear_object (&self->config);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->key, cw_signing_key_unref);

  G_OBJECT_CLASS (cw_witness_server_parent_class)->dispose (object);
}

static void
cw_witness_server_class_init (CwWitnessServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_witness_server_dispose;
}

static void
cw_witness_server_init (CwWitnessServer *self)
{
}

CwWitnessServer *
cw_witness_server_new (CwWitnessConfig *config,
                       CwWitnessStore  *store,
                       CwSigningKey    *key,
                       GTlsCertificate *certificate)
{
  CwWitnessServer *self;

  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (config), NULL);
  g_return_val_if_fail (CW_IS_WITNESS_STORE (store), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  self = g_object_new (CW_TYPE_WITNESS_SERVER, NULL);
  self->config = g_object_ref (config);
  self->store = g_object_ref (store);
  self->key = cw_signing_key_ref (key);
  self->certificate = g_object_ref (certificate);

  self->soup_server = soup_server_new ("tls-certificate", self->certificate,
                                       "server-header", "consent-node-witness/" PACKAGE_VERSION,
                                       NULL);

  g_signal_connect_object (self->soup_server, "request-started",
                           G_CALLBACK (request_started_cb), self, 0);
  g_signal_connect_object (self->soup_server, "request-finished",
                           G_CALLBACK (request_finished_cb), self, 0);
  g_signal_connect_object (self->soup_server, "request-aborted",
                           G_CALLBACK (request_aborted_cb), self, 0);

  self->drain = cw_node_drain_new ();
  cw_node_drain_attach (self->drain, self->soup_server);

  soup_server_add_early_handler (self->soup_server, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup_server, NULL, server_handler_cb, self, NULL);

  return self;
}

gboolean
cw_witness_server_start (CwWitnessServer  *self,
                         GError          **error)
{
  g_autoptr(GSocketAddress) address = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_SERVER (self), FALSE);

  address = cw_node_config_parse_listen (cw_witness_config_get_listen (self->config), error);
  if (address == NULL)
    return FALSE;

  return soup_server_listen (self->soup_server, address, SOUP_SERVER_LISTEN_HTTPS, error);
}

char *
cw_witness_server_dup_url (CwWitnessServer *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_SERVER (self), NULL);

  uris = soup_server_get_uris (self->soup_server);
  if (uris != NULL)
    {
      GUri *uri = uris->data;
      const char *host = g_uri_get_host (uri);

      url = g_strdup_printf (strchr (host, ':') != NULL ? "https://[%s]:%d" : "https://%s:%d",
                             host, g_uri_get_port (uri));
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

void
cw_witness_server_stop (CwWitnessServer *self)
{
  g_return_if_fail (CW_IS_WITNESS_SERVER (self));

  soup_server_disconnect (self->soup_server);
}

void
cw_witness_server_shutdown (CwWitnessServer *self)
{
  GSList *listeners;

  g_return_if_fail (CW_IS_WITNESS_SERVER (self));

  listeners = soup_server_get_listeners (self->soup_server);
  for (GSList *l = listeners; l != NULL; l = l->next)
    cw_node_listener_stop (l->data);
  g_slist_free (listeners);

  cw_node_drain_begin (self->drain);
  cw_node_drain_wait (self->drain, SHUTDOWN_TIMEOUT_S);
  cw_witness_server_stop (self);
}
