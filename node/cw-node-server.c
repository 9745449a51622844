/* cw-node-server.c: the node's HTTPS API: routing, limits, JSON errors,
 * one log line per request, listening and the clean shutdown. The serving
 * threads beyond the caller's are in cw-node-server-threads.c. */
#include "config.h"

#include <string.h>

#include "cw-node-api-error.h"
#include "cw-node-drain.h"
#include "cw-node-listener.h"
#include "cw-node-query.h"
#include "cw-node-server-private.h"

#define PROVIDERS_PATH "/v1/providers"
#define TX_PATH "/v1/tx"

/* Per-request state, kept on the SoupServerMessage. */
typedef struct
{
  gint64 started;
  GByteArray *body;
  gsize body_size;
  gboolean too_large;
} RequestData;

#define REQUEST_DATA_KEY "cw-node-request-data"

G_DEFINE_FINAL_TYPE (CwNodeServer, cw_node_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_STORE,
  PROP_DIRECTORY,
  PROP_CERTIFICATE,
  PROP_SEQUENCER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static GQuark
disconnected_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("cw-node-server-disconnected");
  return quark;
}

static void
paused_message_disconnected_cb (SoupServerMessage *msg)
{
  g_object_set_qdata (G_OBJECT (msg), disconnected_quark (), GINT_TO_POINTER (TRUE));
}

void
cw_node_server_pause (SoupServerMessage *msg)
{
  g_signal_connect (msg, "disconnected", G_CALLBACK (paused_message_disconnected_cb), NULL);
  soup_server_message_pause (msg);
}

void
cw_node_server_resume (SoupServerMessage *msg)
{
  g_signal_handlers_disconnect_by_func (msg, paused_message_disconnected_cb, NULL);
  if (g_object_get_qdata (G_OBJECT (msg), disconnected_quark ()) != NULL)
    return;
  cw_node_drain_prepare_answer (msg);
  soup_server_message_unpause (msg);
}

void
cw_node_server_respond_json (SoupServerMessage *msg,
                             guint              status,
                             JsonNode          *root)
{
  char *body = json_to_string (root, FALSE);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    body, strlen (body));
}

void
cw_node_server_respond_internal_error (SoupServerMessage *msg,
                                       const char        *what,
                                       const GError      *error)
{
  /* The details go to the operator's log, never to the client. */
  g_warning ("%s: %s", what, error != NULL ? error->message : "unknown error");
  cw_node_api_error_respond (msg, CW_NODE_API_ERROR_INTERNAL, "Internal error");
}

/* Once the drain began, a request that arrives on a connection still open
 * gets a stable code, and idle kept-alive connections stay open until the
 * drain ends instead of being closed when it begins: a client whose
 * request crosses the shutdown learns that nothing was done and when to
 * try again, where a reset could not be told from a lost answer. Nothing
 * the request asks is started; the connection closes after the answer. */
static void
respond_shutting_down (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_replace (headers, "Retry-After", "5");
  cw_node_api_error_respond (msg, CW_NODE_API_ERROR_SHUTTING_DOWN,
                             "The node is shutting down; try again shortly");
}

gboolean
cw_node_server_check_read_method (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Allow", "GET, HEAD");
  cw_node_api_error_respond (msg, CW_NODE_API_ERROR_METHOD_NOT_ALLOWED,
                             "This resource only answers GET and HEAD");
  return FALSE;
}

static void
handle_provider_search (CwNodeServer      *self,
                        SoupServerMessage *msg,
                        GHashTable        *query)
{
  const char *raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  const char *q = NULL;
  guint max_length = cw_node_config_get_max_query_length (self->config);
  gboolean truncated = FALSE;

  if (!cw_node_query_parse_search (raw_query, query, max_length, &q))
    {
      g_autofree char *message =
        g_strdup_printf ("Only “q” is allowed, as printable UTF-8 of at most %u characters",
                         max_length);

      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_INVALID_QUERY, message);
      return;
    }

  providers = cw_node_directory_search (self->directory, q, &truncated, &error);
  if (providers == NULL)
    {
      cw_node_server_respond_internal_error (msg, "Searching providers", error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "providers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < providers->len; i++)
    json_builder_add_value (builder, cw_node_provider_to_json (g_ptr_array_index (providers, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "truncated");
  json_builder_add_boolean_value (builder, truncated);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  cw_node_server_respond_json (msg, SOUP_STATUS_OK, root);
}

static void
handle_provider (CwNodeServer      *self,
                 SoupServerMessage *msg,
                 const char        *id)
{
  g_autoptr(CwNodeProvider) provider = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  provider = cw_node_directory_lookup (self->directory, id, &error);
  if (provider == NULL)
    {
      if (g_error_matches (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
        cw_node_api_error_respond (msg, CW_NODE_API_ERROR_PROVIDER_NOT_FOUND,
                                   "No provider with this ID");
      else
        cw_node_server_respond_internal_error (msg, "Looking up a provider", error);
      return;
    }

  root = cw_node_provider_to_json (provider);
  cw_node_server_respond_json (msg, SOUP_STATUS_OK, root);
}

static void
server_handler_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  CwNodeServer *self = user_data;
  RequestData *request = get_request_data (msg);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "X-Content-Type-Options", "nosniff");

  /* Its head came in before the drain began, its body after. */
  if (cw_node_drain_is_draining (self->drain))
    {
      respond_shutting_down (msg);
      return;
    }

  if (request != NULL && request->too_large)
    {
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_PAYLOAD_TOO_LARGE,
                                 "The request body is too large");
      return;
    }

  if (g_str_equal (path, PROVIDERS_PATH))
    {
      if (cw_node_server_check_read_method (msg))
        handle_provider_search (self, msg, query);
    }
  else if (g_str_has_prefix (path, PROVIDERS_PATH "/"))
    {
      if (cw_node_server_check_read_method (msg))
        handle_provider (self, msg, path + strlen (PROVIDERS_PATH "/"));
    }
  else if (g_str_equal (path, TX_PATH))
    {
      cw_node_server_handle_tx (self, msg, request != NULL ? request->body : NULL);
    }
  else if (cw_node_server_handle_witness_set (self, msg, path))
    {
      /* The published witness set. */
    }
  else if (cw_node_server_handle_log (self, msg, path, query))
    {
      /* A log endpoint. */
    }
  else if (cw_node_server_handle_patient (self, msg, path, query))
    {
      /* An authenticated read. */
    }
  else if (cw_node_server_handle_recovery (self, msg, path, query))
    {
      /* The patient ID for its recovery key. */
    }
  else
    {
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_NOT_FOUND, "No such endpoint");
    }
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  CwNodeServer *self = user_data;
  RequestData *request = get_request_data (msg);
  gsize max = cw_node_config_get_max_body_size (self->config);
  gsize len = g_bytes_get_size (chunk);

  if (request == NULL || request->too_large)
    return;

  /* Chunked bodies have no length up front; stop keeping them at the cap. */
  if (len > max - request->body_size)
    {
      request->too_large = TRUE;
      g_clear_pointer (&request->body, g_byte_array_unref);
      return;
    }

  request->body_size += len;
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
  CwNodeServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  RequestData *request = get_request_data (msg);
  gsize max = cw_node_config_get_max_body_size (self->config);
  const char *length;

  if (!cw_node_limits_admit (self->limits, msg))
    return;

  /* libsoup takes "Content-Length: -5" for -5 and warns (fatally under
   * G_DEBUG=fatal-warnings) once it reads the body, which it does even
   * after an early answer: drop such a connection unanswered instead.
   * RFC 9110 allows only 1*DIGIT. */
  length = soup_message_headers_get_one (headers, "Content-Length");
  if (length != NULL &&
      (*length == '\0' || strlen (length) > 18 || strspn (length, "0123456789") != strlen (length)))
    {
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

      g_message ("%s: invalid Content-Length; connection dropped",
                 soup_server_message_get_remote_host (msg));
      g_io_stream_close (stream, NULL, NULL);
      return;
    }

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
      /* Answered now; the connection closes. libsoup still reads the body
       * before it answers: never keep it. */
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_PAYLOAD_TOO_LARGE,
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
    elapsed_us = g_get_monotonic_time () - request->started;

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

SoupServer *
cw_node_server_new_soup_server (CwNodeServer *self)
{
  SoupServer *server;

  /* raw-paths: the path keeps its percent-encoding for RFC 9421 @path
   * (GUri still normalises encoded unreserved characters). */
  server = soup_server_new ("tls-certificate", self->certificate,
                            "server-header", "consent-node/" PACKAGE_VERSION,
                            "raw-paths", TRUE,
                            NULL);
  cw_node_limits_attach (self->limits, server);
  cw_node_drain_attach (self->drain, server);

  g_signal_connect_object (server, "request-started", G_CALLBACK (request_started_cb), self, 0);
  g_signal_connect_object (server, "request-finished", G_CALLBACK (request_finished_cb), self, 0);
  g_signal_connect_object (server, "request-aborted", G_CALLBACK (request_aborted_cb), self, 0);

  soup_server_add_early_handler (server, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (server, NULL, server_handler_cb, self, NULL);

  return server;
}

static void
cw_node_server_constructed (GObject *object)
{
  CwNodeServer *self = (CwNodeServer *)object;

  G_OBJECT_CLASS (cw_node_server_parent_class)->constructed (object);

  self->read_stores = g_async_queue_new_full (g_object_unref);
  self->limits = cw_node_limits_new (cw_node_config_get_rate_limit (self->config),
                                     cw_node_config_get_rate_burst (self->config),
                                     cw_node_config_get_rate_limit_loopback (self->config),
                                     cw_node_config_get_idle_timeout (self->config),
                                     cw_node_config_get_body_timeout (self->config));
  self->drain = cw_node_drain_new ();
  self->soup_server = cw_node_server_new_soup_server (self);
  self->serving_threads = g_ptr_array_new ();
}

static void
cw_node_server_dispose (GObject *object)
{
  CwNodeServer *self = (CwNodeServer *)object;

  cw_node_server_stop_serving_threads (self);
  g_clear_pointer (&self->serving_threads, g_ptr_array_unref);
  if (self->soup_server != NULL)
    soup_server_disconnect (self->soup_server);
  g_clear_object (&self->soup_server);
  g_clear_object (&self->limits);
  g_clear_object (&self->drain);
  g_clear_pointer (&self->read_stores, g_async_queue_unref);
  g_clear_object (&self->directory);
  g_clear_object (&self->sequencer);
  g_clear_object (&self->store);
  g_clear_object (&self->config);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (cw_node_server_parent_class)->dispose (object);
}

static void
cw_node_server_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwNodeServer *self = CW_NODE_SERVER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_DIRECTORY:
      g_value_set_object (value, self->directory);
      break;
    case PROP_CERTIFICATE:
      g_value_set_object (value, self->certificate);
      break;
    case PROP_SEQUENCER:
      g_value_set_object (value, self->sequencer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_server_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CwNodeServer *self = CW_NODE_SERVER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_DIRECTORY:
      self->directory = g_value_dup_object (value);
      break;
    case PROP_CERTIFICATE:
      self->certificate = g_value_dup_object (value);
      break;
    case PROP_SEQUENCER:
      self->sequencer = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_server_class_init (CwNodeServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = cw_node_server_constructed;
  object_class->dispose = cw_node_server_dispose;
  object_class->get_property = cw_node_server_get_property;
  object_class->set_property = cw_node_server_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, "The node's settings", CW_TYPE_NODE_CONFIG, flags);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, "The node's storage", CW_TYPE_NODE_STORE, flags);
  properties[PROP_DIRECTORY] =
    g_param_spec_object ("directory", NULL, "The provider directory",
                         CW_TYPE_NODE_DIRECTORY, flags);
  properties[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, "TLS certificate with its private key",
                         G_TYPE_TLS_CERTIFICATE, flags);
  properties[PROP_SEQUENCER] =
    g_param_spec_object ("sequencer", NULL, "Orders transactions into the log",
                         CW_TYPE_NODE_SEQUENCER, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_server_init (CwNodeServer *self)
{
}

CwNodeServer *
cw_node_server_new (CwNodeConfig    *config,
                    CwNodeStore     *store,
                    CwNodeDirectory *directory,
                    CwNodeSequencer *sequencer,
                    GTlsCertificate *certificate)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (config), NULL);
  g_return_val_if_fail (CW_IS_NODE_STORE (store), NULL);
  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (directory), NULL);
  g_return_val_if_fail (CW_IS_NODE_SEQUENCER (sequencer), NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  return g_object_new (CW_TYPE_NODE_SERVER,
                       "config", config,
                       "store", store,
                       "directory", directory,
                       "sequencer", sequencer,
                       "certificate", certificate,
                       NULL);
}

gboolean
cw_node_server_start (CwNodeServer  *self,
                      GError       **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GPtrArray) sockets = NULL;
  guint n = cw_node_config_get_serving_threads (self->config);

  g_return_val_if_fail (CW_IS_NODE_SERVER (self), FALSE);

  address = cw_node_config_parse_listen (cw_node_config_get_listen (self->config), error);
  if (address == NULL)
    return FALSE;

  if (n <= 1)
    return soup_server_listen (self->soup_server, address, SOUP_SERVER_LISTEN_HTTPS, error);

  /* The first socket is served by the caller's main loop, the others by
   * their own threads. */
  sockets = cw_node_listener_open (address, n, error);
  if (sockets == NULL ||
      !soup_server_listen_socket (self->soup_server, g_ptr_array_index (sockets, 0),
                                  SOUP_SERVER_LISTEN_HTTPS, error))
    return FALSE;

  for (guint i = 1; i < n; i++)
    {
      if (!cw_node_server_start_serving_thread (self, g_ptr_array_index (sockets, i), error))
        {
          cw_node_server_stop (self);
          return FALSE;
        }
    }

  return TRUE;
}

char *
cw_node_server_dup_url (CwNodeServer *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (CW_IS_NODE_SERVER (self), NULL);

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
cw_node_server_stop (CwNodeServer *self)
{
  g_return_if_fail (CW_IS_NODE_SERVER (self));

  cw_node_server_stop_serving_threads (self);
  soup_server_disconnect (self->soup_server);
}

/* From the caller's thread, for every serving thread too: shutdown(2)
 * needs no hand-over, so once this returns no new connection is accepted
 * anywhere. */
static void
stop_listening (CwNodeServer *self)
{
  GSList *listeners = soup_server_get_listeners (self->soup_server);

  for (GSList *l = listeners; l != NULL; l = l->next)
    cw_node_listener_stop (l->data);
  g_slist_free (listeners);
  cw_node_server_stop_thread_listeners (self);
}

void
cw_node_server_shutdown (CwNodeServer *self)
{
  g_return_if_fail (CW_IS_NODE_SERVER (self));

  stop_listening (self);
  cw_node_drain_begin (self->drain);
  /* The queued submissions: answered after their batch, not after the
   * batch interval. */
  cw_node_sequencer_flush (self->sequencer);
  cw_node_drain_wait (self->drain, cw_node_config_get_shutdown_timeout (self->config));
  cw_node_server_stop (self);
}
