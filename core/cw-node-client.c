/* cw-node-client.c: libsoup 3 client of the node API (docs/PROTOCOL.md §8)
 * with TLS pinning, timeouts, capped answers, retries with backoff and
 * RFC 9421 signed reads. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-http-signature.h"
#include "cw-node-client.h"
#include "cw-tls-pin.h"

/* Answer caps: a list page holds up to 1000 items of up to 32 KiB each. */
#define SMALL_ANSWER_CAP (256 * 1024)
#define LIST_ANSWER_CAP (40 * 1024 * 1024)
#define READ_CHUNK 16384
#define MAX_RETRY_DELAY_MS 30000

typedef struct {
  char    *node_code;
  guint    status;
  gboolean has_head;
  guint64  head_seq;
  char    *head_id;
} CwNodeClientErrorPrivate;

static void
cw_node_client_error_private_init (CwNodeClientErrorPrivate *priv)
{
}

static void
cw_node_client_error_private_copy (const CwNodeClientErrorPrivate *src,
                                   CwNodeClientErrorPrivate       *dest)
{
  dest->node_code = g_strdup (src->node_code);
  dest->status = src->status;
  dest->has_head = src->has_head;
  dest->head_seq = src->head_seq;
  dest->head_id = g_strdup (src->head_id);
}

static void
cw_node_client_error_private_clear (CwNodeClientErrorPrivate *priv)
{
  g_clear_pointer (&priv->node_code, g_free);
  g_clear_pointer (&priv->head_id, g_free);
}

G_DEFINE_EXTENDED_ERROR (CwNodeClientError, cw_node_client_error)

struct _CwNodeClient
{
  GObject parent_instance;

  CwNodeProfile *profile;
  CwNodeClientFlags flags;
  SoupSession *session;
  GUri *base;
  guint timeout;
  guint max_retries;
  guint retry_delay;
};

enum {
  PROP_0,
  PROP_TIMEOUT,
  PROP_MAX_RETRIES,
  PROP_RETRY_DELAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CwNodeClient, cw_node_client, G_TYPE_OBJECT)

typedef gpointer (*ParseFunc) (GBytes  *body,
                               GError **error);

typedef struct {
  char *method;
  char *path;           /* path and query, encoded */
  GBytes *body;
  CwSigningKey *key;    /* held only for this call */
  gsize cap;
  ParseFunc parse;
  GDestroyNotify result_free;
  guint attempt;
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *buffer;
  gboolean pin_mismatch;
} Request;

static void request_start (GTask *task);

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->key, cw_signing_key_unref);
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);
  g_free (request);
}

const char *
cw_node_client_error_get_node_code (const GError *error)
{
  CwNodeClientErrorPrivate *priv = cw_node_client_error_get_private (error);

  return priv != NULL ? priv->node_code : NULL;
}

guint
cw_node_client_error_get_status (const GError *error)
{
  CwNodeClientErrorPrivate *priv = cw_node_client_error_get_private (error);

  return priv != NULL ? priv->status : 0;
}

gboolean
cw_node_client_error_get_head (const GError  *error,
                               guint64       *seq,
                               const char   **id)
{
  CwNodeClientErrorPrivate *priv = cw_node_client_error_get_private (error);

  if (priv == NULL || !priv->has_head)
    return FALSE;
  if (seq != NULL)
    *seq = priv->head_seq;
  if (id != NULL)
    *id = priv->head_id;
  return TRUE;
}

gboolean
cw_node_client_error_is_transient (const GError *error)
{
  return g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_UNREACHABLE) ||
         g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TIMEOUT) ||
         g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_UNAVAILABLE);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

CwNodeClient *
cw_node_client_new (const CwNodeProfile  *profile,
                    CwNodeClientFlags     flags,
                    GError              **error)
{
  g_autoptr(CwNodeClient) self = NULL;
  g_autoptr(GUri) base = NULL;
  const char *scheme;

  g_return_val_if_fail (profile != NULL, NULL);

  base = g_uri_parse (profile->url, SOUP_HTTP_URI_FLAGS, NULL);
  if (base == NULL || g_uri_get_host (base) == NULL || *g_uri_get_host (base) == '\0')
    {
      g_set_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_INSECURE_URL,
                   "The node address “%s” is not a valid URL. Check the address your "
                   "clinic gave you.", profile->url);
      return NULL;
    }

  scheme = g_uri_get_scheme (base);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 &&
        (flags & CW_NODE_CLIENT_FLAGS_ALLOW_INSECURE_LOOPBACK) != 0 &&
        host_is_loopback (g_uri_get_host (base))))
    {
      g_set_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_INSECURE_URL,
                   "The node address “%s” does not use https. Consent Wallet only talks to "
                   "nodes over https; ask your clinic for the https address.", profile->url);
      return NULL;
    }

  self = g_object_new (CW_TYPE_NODE_CLIENT, NULL);
  self->profile = cw_node_profile_copy (profile);
  self->flags = flags;
  self->base = g_steal_pointer (&base);
  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "idle-timeout", 60,
                                                 "user-agent", "consent-wallet/" PACKAGE_VERSION " ",
                                                 NULL);
  if (profile->tls_pin != NULL)
    {
      g_autoptr(GTlsDatabase) database = cw_tls_pin_database_new (profile->tls_pin, error);

      if (database == NULL)
        return NULL;
      soup_session_set_tls_database (self->session, database);
    }

  return g_steal_pointer (&self);
}

const CwNodeProfile *
cw_node_client_get_profile (CwNodeClient *self)
{
  g_return_val_if_fail (CW_IS_NODE_CLIENT (self), NULL);

  return self->profile;
}

void
cw_node_client_set_max_retries (CwNodeClient *self,
                                guint         max_retries)
{
  g_return_if_fail (CW_IS_NODE_CLIENT (self));

  if (self->max_retries == max_retries)
    return;
  self->max_retries = max_retries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
}

static GError *
node_error_new (CwNodeClientError  code,
                guint              status,
                const char        *node_code,
                gboolean           has_head,
                guint64            head_seq,
                const char        *head_id,
                const char        *format,
                ...) G_GNUC_PRINTF (7, 8);

static GError *
node_error_new (CwNodeClientError  code,
                guint              status,
                const char        *node_code,
                gboolean           has_head,
                guint64            head_seq,
                const char        *head_id,
                const char        *format,
                ...)
{
  CwNodeClientErrorPrivate *priv;
  GError *error;
  va_list ap;

  va_start (ap, format);
  error = g_error_new_valist (CW_NODE_CLIENT_ERROR, code, format, ap);
  va_end (ap);

  priv = cw_node_client_error_get_private (error);
  priv->status = status;
  priv->node_code = g_strdup (node_code);
  priv->has_head = has_head;
  priv->head_seq = head_seq;
  priv->head_id = g_strdup (head_id);

  return error;
}

static gboolean
retry_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!g_task_return_error_if_cancelled (task))
    request_start (task);
  else
    g_object_unref (task);

  return G_SOURCE_REMOVE;
}

/* Schedules another attempt if any are left; takes the task reference. */
static gboolean
maybe_retry (GTask *task,
             guint  retry_after_s)
{
  CwNodeClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GSource) source = NULL;
  guint64 delay;

  if (request->attempt >= self->max_retries)
    return FALSE;

  /* Exponential backoff with full jitter in [delay/2, delay]. */
  delay = (guint64) self->retry_delay << MIN (request->attempt, 16);
  delay = MIN (delay, MAX_RETRY_DELAY_MS);
  delay = delay / 2 + g_random_int_range (0, (gint32) (delay / 2) + 1);
  if (retry_after_s > 0)
    delay = MAX (delay, MIN ((guint64) retry_after_s * 1000, MAX_RETRY_DELAY_MS));

  request->attempt++;
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);

  source = g_timeout_source_new ((guint) delay);
  g_source_set_static_name (source, "[cw] node request retry");
  g_source_set_callback (source, retry_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  return TRUE;
}

static void
fail_transport (GTask  *task,
                GError *cause)
{
  Request *request = g_task_get_task_data (task);
  CwNodeClient *self = g_task_get_source_object (task);
  const char *url = self->profile->url;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_error_copy (cause));
    }
  else if (request->pin_mismatch)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TLS_PIN_MISMATCH,
                               "The node at %s presented a certificate whose key is not the "
                               "pinned one, so the connection was refused. Someone may be "
                               "intercepting it, or the node changed its certificate: check "
                               "the pin with your clinic.", url);
    }
  else if (cause->domain == G_TLS_ERROR)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TLS_FAILED,
                               "The secure connection to %s failed: %s. Check the node "
                               "address and its certificate pin.", url, cause->message);
    }
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      if (maybe_retry (task, 0))
        return;
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TIMEOUT,
                               "The node at %s did not answer in time. Your consent is kept "
                               "and sent again later.", url);
    }
  else
    {
      if (maybe_retry (task, 0))
        return;
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_UNREACHABLE,
                               "Could not reach the node at %s: %s. Check your connection; "
                               "waiting transactions are sent again later.", url, cause->message);
    }

  g_object_unref (task);
}

/* Parsing runs in a pool thread under a task of its own, without the
 * client as source object: the client and its session must only ever be
 * released on their own context, never by a pool thread's last unref. */
typedef struct {
  GBytes *body;
  ParseFunc parse;
  GDestroyNotify result_free;
} ParseJob;

static void
parse_job_free (ParseJob *job)
{
  g_clear_pointer (&job->body, g_bytes_unref);
  g_free (job);
}

static void
parse_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ParseJob *job = task_data;
  GError *error = NULL;
  gpointer result;

  result = job->parse (job->body, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, job->result_free);
}

static void
parsed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gpointer parsed;

  parsed = g_task_propagate_pointer (G_TASK (result), &error);
  if (parsed == NULL)
    g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE,
                             "%s", error->message);
  else
    g_task_return_pointer (task, parsed, request->result_free);
  g_object_unref (task);
}

static void
start_parse (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(GTask) parse = g_task_new (NULL, NULL, parsed_cb, task);
  ParseJob *job = g_new0 (ParseJob, 1);

  job->body = g_byte_array_free_to_bytes (g_steal_pointer (&request->buffer));
  job->parse = request->parse;
  job->result_free = request->result_free;
  g_task_set_source_tag (parse, start_parse);
  g_task_set_task_data (parse, job, (GDestroyNotify) parse_job_free);
  g_task_run_in_thread (parse, parse_thread);
}

static void
finish_response (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  guint status = soup_message_get_status (request->msg);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *head_id = NULL;
  gboolean has_head = FALSE;
  guint64 head_seq = 0;

  if (status == SOUP_STATUS_OK)
    {
      start_parse (task);
      return;
    }

  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      const char *retry_after = soup_message_headers_get_one (soup_message_get_response_headers (request->msg),
                                                              "Retry-After");
      guint64 seconds = 0;

      if (retry_after == NULL || !cw_parse_uint64 (retry_after, -1, &seconds))
        seconds = 0;
      if (maybe_retry (task, (guint) MIN (seconds, 3600)))
        return;
    }

  body = g_bytes_new (request->buffer->data, request->buffer->len);
  if (!cw_node_error_body_parse (body, &code, &message, &has_head, &head_seq, &head_id))
    {
      code = NULL;
      message = g_strdup (soup_status_get_phrase (status));
    }

  if (status == SOUP_STATUS_CONFLICT)
    g_task_return_error (task, node_error_new (CW_NODE_CLIENT_ERROR_CONFLICT, status, code,
                                               has_head, head_seq, head_id,
                                               "The node's copy of your history has moved on "
                                               "(%s). Synchronise, then try again.", message));
  else if (status >= 400 && status < 500)
    g_task_return_error (task, node_error_new (CW_NODE_CLIENT_ERROR_REJECTED, status, code,
                                               FALSE, 0, NULL, "The node refused the request: %s (%s)",
                                               message, code != NULL ? code : "no code"));
  else if (status >= 500)
    g_task_return_error (task, node_error_new (CW_NODE_CLIENT_ERROR_UNAVAILABLE, status, code,
                                               FALSE, 0, NULL,
                                               "The node is unavailable (%u %s). Waiting "
                                               "transactions are sent again later.",
                                               status, message));
  else
    g_task_return_error (task, node_error_new (CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE, status,
                                               NULL, FALSE, 0, NULL,
                                               "The node answered with unexpected status %u", status));
  g_object_unref (task);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      fail_transport (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      finish_response (task);
      return;
    }

  if (request->buffer->len + g_bytes_get_size (chunk) > request->cap)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TOO_LARGE,
                               "The node's answer is larger than %" G_GSIZE_FORMAT " bytes, "
                               "more than any valid answer; it was not read.", request->cap);
      g_object_unref (task);
      return;
    }

  g_byte_array_append (request->buffer, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  goffset length;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      fail_transport (task, error);
      return;
    }

  length = soup_message_headers_get_content_length (soup_message_get_response_headers (request->msg));
  if (length > 0 && (guint64) length > request->cap)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TOO_LARGE,
                               "The node's answer is larger than %" G_GSIZE_FORMAT " bytes, "
                               "more than any valid answer; it was not read.", request->cap);
      g_object_unref (task);
      return;
    }

  request->buffer = g_byte_array_new ();
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Request *request = user_data;

  /* Only reached when the pin database refused the key. */
  request->pin_mismatch = TRUE;
  return FALSE;
}

static gboolean
sign_message (CwNodeClient  *self,
              Request       *request,
              GError       **error)
{
  g_autoptr(CwHttpRequest) http = NULL;
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autofree char *keyid = cw_dsse_key_id (cw_signing_key_get_public_key (request->key));
  g_autofree char *signature_input = NULL;
  g_autofree char *signature = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (request->msg);

  http = cw_http_request_new_for_uri (request->method, soup_message_get_uri (request->msg), error);
  if (http == NULL)
    return FALSE;
  params = cw_http_signature_params_new_for_node (g_get_real_time () / G_USEC_PER_SEC, keyid, error);
  if (params == NULL ||
      !cw_http_signature_sign (http, params, "sig1", request->key, &signature_input, &signature,
                               error))
    return FALSE;

  soup_message_headers_replace (headers, "Signature-Input", signature_input);
  soup_message_headers_replace (headers, "Signature", signature);
  return TRUE;
}

/* One attempt; takes the task reference. */
static void
request_start (GTask *task)
{
  CwNodeClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;

  uri = g_uri_parse_relative (self->base, request->path, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_INSECURE_URL,
                               "Could not build the request URL: %s", error->message);
      g_object_unref (task);
      return;
    }

  request->pin_mismatch = FALSE;
  request->msg = soup_message_new_from_uri (request->method, uri);
  soup_message_headers_replace (soup_message_get_request_headers (request->msg),
                                "Accept", "application/json");
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->msg, "application/json", request->body);
  /* POST /v1/tx is idempotent (the same envelope gets the same receipt):
   * this lets libsoup reuse a kept-alive connection instead of a new TLS
   * handshake per submission. */
  if (g_str_equal (request->method, "POST") && g_str_equal (request->path, "/v1/tx"))
    soup_message_add_flags (request->msg, SOUP_MESSAGE_IDEMPOTENT);
  if (self->profile->tls_pin != NULL)
    g_signal_connect (request->msg, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                      request);

  /* A fresh created and nonce for every attempt: the node refuses replays. */
  if (request->key != NULL && !sign_message (self, request, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  soup_session_send_async (self->session, request->msg, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), sent_cb, task);
}

static void
request_async (CwNodeClient        *self,
               const char          *method,
               const char          *path,
               GBytes              *body,
               CwSigningKey        *key,
               gsize                cap,
               ParseFunc            parse,
               GDestroyNotify       result_free,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->body = body != NULL ? g_bytes_ref (body) : NULL;
  request->key = key != NULL ? cw_signing_key_ref (key) : NULL;
  request->cap = cap;
  request->parse = parse;
  request->result_free = result_free;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  request_start (task);
}

static gpointer
request_finish (CwNodeClient  *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
parse_text (GBytes  *body,
            GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    {
      g_set_error_literal (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED,
                           "The node sent a checkpoint that is not text");
      return NULL;
    }

  return g_strndup (data, len);
}

void
cw_node_client_submit_async (CwNodeClient        *self,
                             const char          *envelope,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (CW_IS_NODE_CLIENT (self));
  g_return_if_fail (envelope != NULL);

  body = g_bytes_new (envelope, strlen (envelope));
  request_async (self, "POST", "/v1/tx", body, NULL, SMALL_ANSWER_CAP,
                 (ParseFunc) cw_node_receipt_parse, (GDestroyNotify) cw_node_receipt_free,
                 cw_node_client_submit_async, cancellable, callback, user_data);
}

CwNodeReceipt *
cw_node_client_submit_finish (CwNodeClient  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return request_finish (self, result, cw_node_client_submit_async, error);
}

void
cw_node_client_get_checkpoint_async (CwNodeClient        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CW_IS_NODE_CLIENT (self));

  request_async (self, "GET", "/log/checkpoint", NULL, NULL, SMALL_ANSWER_CAP, parse_text, g_free,
                 cw_node_client_get_checkpoint_async, cancellable, callback, user_data);
}

char *
cw_node_client_get_checkpoint_finish (CwNodeClient  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return request_finish (self, result, cw_node_client_get_checkpoint_async, error);
}

void
cw_node_client_get_consistency_async (CwNodeClient        *self,
                                      guint64              old_size,
                                      guint64              new_size,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CW_IS_NODE_CLIENT (self));

  path = g_strdup_printf ("/v1/log/proof/consistency?old=%" G_GUINT64_FORMAT
                          "&new=%" G_GUINT64_FORMAT, old_size, new_size);
  request_async (self, "GET", path, NULL, NULL, SMALL_ANSWER_CAP,
                 (ParseFunc) cw_node_proof_parse, (GDestroyNotify) g_ptr_array_unref,
                 cw_node_client_get_consistency_async, cancellable, callback, user_data);
}

GPtrArray *
cw_node_client_get_consistency_finish (CwNodeClient  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return request_finish (self, result, cw_node_client_get_consistency_async, error);
}

void
cw_node_client_search_providers_async (CwNodeClient        *self,
                                       const char          *query,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CW_IS_NODE_CLIENT (self));

  escaped = g_uri_escape_string (query != NULL ? query : "", NULL, FALSE);
  path = g_strconcat ("/v1/providers?q=", escaped, NULL);
  request_async (self, "GET", path, NULL, NULL, LIST_ANSWER_CAP,
                 (ParseFunc) cw_node_provider_list_parse, (GDestroyNotify) g_ptr_array_unref,
                 cw_node_client_search_providers_async, cancellable, callback, user_data);
}

GPtrArray *
cw_node_client_search_providers_finish (CwNodeClient  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return request_finish (self, result, cw_node_client_search_providers_async, error);
}

void
cw_node_client_get_provider_async (CwNodeClient        *self,
                                   const char          *provider_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CW_IS_NODE_CLIENT (self));
  g_return_if_fail (cw_tx_provider_id_is_valid (provider_id));

  path = g_strconcat ("/v1/providers/", provider_id, NULL);
  request_async (self, "GET", path, NULL, NULL, SMALL_ANSWER_CAP,
                 (ParseFunc) cw_node_provider_parse, (GDestroyNotify) cw_store_provider_free,
                 cw_node_client_get_provider_async, cancellable, callback, user_data);
}

CwStoreProvider *
cw_node_client_get_provider_finish (CwNodeClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return request_finish (self, result, cw_node_client_get_provider_async, error);
}

static gpointer
parse_chain (GBytes *body, GError **error)
{
  return cw_node_listing_parse (body, CW_NODE_LIST_CHAIN, error);
}

static gpointer
parse_grants (GBytes *body, GError **error)
{
  return cw_node_listing_parse (body, CW_NODE_LIST_GRANTS, error);
}

static gpointer
parse_requests (GBytes *body, GError **error)
{
  return cw_node_listing_parse (body, CW_NODE_LIST_REQUESTS, error);
}

static gpointer
parse_access (GBytes *body, GError **error)
{
  return cw_node_listing_parse (body, CW_NODE_LIST_ACCESS, error);
}

void
cw_node_client_list_async (CwNodeClient        *self,
                           CwNodeListKind       kind,
                           const char          *patient_id,
                           gboolean             has_position,
                           guint64              position,
                           guint                limit,
                           CwSigningKey        *key,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  static const char * const names[] = { "chain", "grants", "requests", "access" };
  static const ParseFunc parsers[] = { parse_chain, parse_grants, parse_requests, parse_access };
  g_autoptr(GBytes) pid = NULL;
  g_autofree char *pid_url = NULL;
  g_autoptr(GString) path = g_string_new ("/v1/patients/");
  const char *separator = "?";

  g_return_if_fail (CW_IS_NODE_CLIENT (self));
  g_return_if_fail (kind <= CW_NODE_LIST_ACCESS);
  g_return_if_fail (key != NULL);

  pid = cw_base64_decode (patient_id, -1, NULL);
  g_return_if_fail (pid != NULL);
  pid_url = cw_base64url_encode (g_bytes_get_data (pid, NULL), g_bytes_get_size (pid));

  g_string_append_printf (path, "%s/%s", pid_url, names[kind]);
  if (has_position)
    {
      g_string_append_printf (path, "?%s=%" G_GUINT64_FORMAT,
                              kind == CW_NODE_LIST_CHAIN ? "from" : "after", position);
      separator = "&";
    }
  if (limit > 0)
    g_string_append_printf (path, "%slimit=%u", separator, limit);

  request_async (self, "GET", path->str, NULL, key, LIST_ANSWER_CAP, parsers[kind],
                 (GDestroyNotify) cw_node_listing_free, cw_node_client_list_async,
                 cancellable, callback, user_data);
}

CwNodeListing *
cw_node_client_list_finish (CwNodeClient  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return request_finish (self, result, cw_node_client_list_async, error);
}

void
cw_node_client_get_tx_async (CwNodeClient        *self,
                             const char          *tx_id,
                             CwSigningKey        *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  guint8 id[CW_HASH_SIZE];
  g_autofree char *hex = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CW_IS_NODE_CLIENT (self));
  g_return_if_fail (cw_base64_decode_fixed (tx_id, -1, id, sizeof id, NULL));

  hex = cw_hex_encode (id, sizeof id);
  path = g_strconcat ("/v1/tx/", hex, NULL);
  request_async (self, "GET", path, NULL, key, SMALL_ANSWER_CAP,
                 (ParseFunc) cw_node_tx_record_parse, (GDestroyNotify) cw_node_tx_record_free,
                 cw_node_client_get_tx_async, cancellable, callback, user_data);
}

CwNodeTxRecord *
cw_node_client_get_tx_finish (CwNodeClient  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return request_finish (self, result, cw_node_client_get_tx_async, error);
}

static void
cw_node_client_dispose (GObject *object)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cw_node_client_parent_class)->dispose (object);
}

static void
cw_node_client_finalize (GObject *object)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  g_clear_pointer (&self->profile, cw_node_profile_free);
  g_clear_pointer (&self->base, g_uri_unref);

  G_OBJECT_CLASS (cw_node_client_parent_class)->finalize (object);
}

static void
cw_node_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT:
      if (self->timeout != g_value_get_uint (value))
        {
          self->timeout = g_value_get_uint (value);
          if (self->session != NULL)
            g_object_set (self->session, "timeout", self->timeout, NULL);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_RETRIES:
      cw_node_client_set_max_retries (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY:
      if (self->retry_delay != g_value_get_uint (value))
        {
          self->retry_delay = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_client_class_init (CwNodeClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_node_client_dispose;
  object_class->finalize = cw_node_client_finalize;
  object_class->get_property = cw_node_client_get_property;
  object_class->set_property = cw_node_client_set_property;

  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 600, 30,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 20, 4,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 1, MAX_RETRY_DELAY_MS, 500,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_client_init (CwNodeClient *self)
{
  self->timeout = 30;
  self->max_retries = 4;
  self->retry_delay = 500;
}
