/* cw-node-client-request.c: one request of CwNodeClient: signing
 * (RFC 9421), sending on the client's session, capped reading, retries
 * with exponential backoff and jitter, the node's error answers, the
 * clock check against the node's Date header, and parsing of the answer on
 * a pool thread. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-http-signature.h"
#include "cw-node-client-private.h"

#define READ_CHUNK 16384

typedef struct {
  char *method;
  char *path;           /* path and query, encoded */
  GBytes *body;
  CwSigningKey *key;    /* held only for this call */
  gsize cap;
  CwNodeClientParseFunc parse;
  GDestroyNotify result_free;
  guint attempt;
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *buffer;
  gboolean pin_mismatch;
  gboolean clock_probed;
  /* The attempt under way: cancelled by the caller's cancellable or by
   * its deadline (timed_out), whichever comes first. */
  GCancellable *cancellable;
  GCancellable *outer;
  gulong outer_handler;
  GSource *deadline;
  gboolean timed_out;
} Request;

static void request_start (GTask *task);

static void
attempt_end (Request *request)
{
  if (request->deadline != NULL)
    {
      g_source_destroy (request->deadline);
      g_clear_pointer (&request->deadline, g_source_unref);
    }
  if (request->outer_handler != 0)
    g_cancellable_disconnect (request->outer, request->outer_handler);
  request->outer_handler = 0;
  g_clear_object (&request->outer);
  g_clear_object (&request->cancellable);
  request->timed_out = FALSE;
}

static gboolean
deadline_cb (gpointer user_data)
{
  Request *request = user_data;

  request->timed_out = TRUE;
  g_cancellable_cancel (request->cancellable);
  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *outer,
                    GCancellable *attempt)
{
  g_cancellable_cancel (attempt);
}

/* A cancellable for one attempt, cancelled with the caller's or when the
 * client's deadline passes. */
static GCancellable *
attempt_begin (GTask *task)
{
  CwNodeClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  GCancellable *outer = g_task_get_cancellable (task);

  attempt_end (request);
  request->cancellable = g_cancellable_new ();
  if (outer != NULL)
    {
      request->outer = g_object_ref (outer);
      request->outer_handler = g_cancellable_connect (outer, G_CALLBACK (outer_cancelled_cb),
                                                      g_object_ref (request->cancellable),
                                                      g_object_unref);
    }
  request->deadline = g_timeout_source_new_seconds (self->deadline);
  g_source_set_static_name (request->deadline, "[cw] node request deadline");
  g_source_set_callback (request->deadline, deadline_cb, request, NULL);
  g_source_attach (request->deadline, g_task_get_context (task));
  return request->cancellable;
}

static void
request_free (Request *request)
{
  attempt_end (request);
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->key, cw_signing_key_unref);
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);
  g_free (request);
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
  delay = MIN (delay, CW_NODE_CLIENT_MAX_RETRY_DELAY_MS);
  delay = delay / 2 + g_random_int_range (0, (gint32) (delay / 2) + 1);
  if (retry_after_s > 0)
    delay = MAX (delay, MIN ((guint64) retry_after_s * 1000, CW_NODE_CLIENT_MAX_RETRY_DELAY_MS));

  request->attempt++;
  attempt_end (request);
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);

  source = g_timeout_source_new ((guint) delay);
  g_source_set_static_name (source, "[cw] node request retry");
  g_source_set_callback (source, retry_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  return TRUE;
}

/* How long a Date header seen from the node vouches for this computer's
 * clock before a submission checks it again. */
#define CLOCK_CHECK_INTERVAL_US (10 * 60 * G_USEC_PER_SEC)

/* Records the node's clock from @msg's Date header (RFC 9110 §6.6.1,
 * which libsoup's server adds to every answer). */
static gboolean
observe_clock (CwNodeClient *self,
               SoupMessage  *msg)
{
  const char *date = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Date");
  g_autoptr(GDateTime) node_time = NULL;

  if (date == NULL || (node_time = soup_date_time_new_from_http_string (date)) == NULL)
    return FALSE;

  self->clock_offset = g_date_time_to_unix (node_time) - g_get_real_time () / G_USEC_PER_SEC;
  self->clock_seen = g_get_monotonic_time ();
  return TRUE;
}

/* Beyond the window in which the node accepts a signature's `created`
 * (PROTOCOL.md §7): every signed read would be refused. */
static gboolean
clock_is_skewed (gint64 offset)
{
  return offset > CW_HTTP_SIGNATURE_DEFAULT_MAX_AGE ||
         -offset > CW_HTTP_SIGNATURE_DEFAULT_MAX_SKEW;
}

/* The error for a clock too far from the node's, with the difference when
 * a Date header told it. */
static GError *
clock_skew_error (CwNodeClient *self,
                  guint         status,
                  const char   *node_code)
{
  g_autofree char *first = NULL;
  const char *advice;

  advice = _("The node accepts signed requests only when this computer's date and time "
             "agree with its own, so it refused them. Set the correct date and time on this "
             "computer (or turn on automatic date and time), then try again. Nothing was "
             "changed; changes waiting in the outbox are sent then.");

  if (self->clock_seen != 0)
    {
      gint64 difference = ABS (self->clock_offset);
      int minutes = (int) MAX (1, MIN ((difference + 30) / 60, G_MAXINT));
      g_autoptr(GDateTime) node_now =
        g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC + self->clock_offset);
      g_autofree char *node_clock = g_date_time_format (node_now, "%Y-%m-%d %H:%M");

      if (self->clock_offset > 0)
        first = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "This computer's clock is about %d minute behind "
                                              "the node's clock (the node's time is %s UTC).",
                                              "This computer's clock is about %d minutes behind "
                                              "the node's clock (the node's time is %s UTC).",
                                              minutes),
                                 minutes, node_clock);
      else
        first = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "This computer's clock is about %d minute ahead of "
                                              "the node's clock (the node's time is %s UTC).",
                                              "This computer's clock is about %d minutes ahead of "
                                              "the node's clock (the node's time is %s UTC).",
                                              minutes),
                                 minutes, node_clock);
    }
  else
    {
      first = g_strdup (_("This computer's clock differs too much from the node's clock."));
    }

  return cw_node_client_error_new (CW_NODE_CLIENT_ERROR_CLOCK_SKEW, status, node_code,
                                   FALSE, 0, NULL, "%s %s", first, advice);
}

static void
fail_transport (GTask  *task,
                GError *cause)
{
  Request *request = g_task_get_task_data (task);
  CwNodeClient *self = g_task_get_source_object (task);
  const char *url = self->profile->url;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !request->timed_out)
    {
      g_task_return_error (task, g_error_copy (cause));
    }
  else if (request->pin_mismatch)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TLS_PIN_MISMATCH,
                               _("The node at %s presented a certificate whose key is not the "
                                 "pinned one, so the connection was refused. Someone may be "
                                 "intercepting it, or the node changed its certificate: check "
                                 "the pin with your clinic."), url);
    }
  else if (cause->domain == G_TLS_ERROR)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TLS_FAILED,
                               _("The secure connection to %s failed: %s. Check the node "
                                 "address and its certificate pin."), url, cause->message);
    }
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) || request->timed_out)
    {
      if (maybe_retry (task, 0))
        return;
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TIMEOUT,
                               _("The node at %s did not answer in time. Your consent is kept "
                                 "and sent again later."), url);
    }
  else
    {
      if (maybe_retry (task, 0))
        return;
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_UNREACHABLE,
                               _("Could not reach the node at %s: %s. Check your connection; "
                                 "waiting transactions are sent again later."),
                               url, cause->message);
    }

  g_object_unref (task);
}

/* Parsing runs in a pool thread under a task of its own, without the
 * client as source object: the client and its session must only ever be
 * released on their own context, never by a pool thread's last unref. */
typedef struct {
  GBytes *body;
  CwNodeClientParseFunc parse;
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
  CwNodeClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  guint status = soup_message_get_status (request->msg);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *head_id = NULL;
  gboolean has_head = FALSE;
  guint64 head_seq = 0;
  GError *error;

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

  /* The node's refusals that only a wrong clock explains: a signature's
   * `created` outside its window, or a transaction's `time` ahead of it. */
  if ((status == SOUP_STATUS_UNAUTHORIZED && g_strcmp0 (code, "stale_signature") == 0) ||
      (status == SOUP_STATUS_UNPROCESSABLE_ENTITY && g_strcmp0 (code, "time_in_future") == 0))
    error = clock_skew_error (self, status, code);
  else if (SOUP_STATUS_IS_REDIRECTION (status))
    error = cw_node_client_error_new (CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE, status, NULL,
                                      FALSE, 0, NULL,
                                      _("The node answered with a redirect (%u), which the "
                                        "wallet does not follow: it talks only to the node "
                                        "address your clinic gave."), status);
  else if (status == SOUP_STATUS_CONFLICT)
    error = cw_node_client_error_new (CW_NODE_CLIENT_ERROR_CONFLICT, status, code,
                                      has_head, head_seq, head_id,
                                      _("The node's copy of your history has moved on "
                                        "(%s). Synchronise, then try again."), message);
  else if (status >= 400 && status < 500)
    error = cw_node_client_error_new (CW_NODE_CLIENT_ERROR_REJECTED, status, code, FALSE, 0, NULL,
                                      /* TRANSLATORS: the node's message, then its error code
                                       * (not translated) or “no code” */
                                      _("The node refused the request: %s (%s)"),
                                      message, code != NULL ? code : _("no code"));
  else if (status >= 500)
    error = cw_node_client_error_new (CW_NODE_CLIENT_ERROR_UNAVAILABLE, status, code, FALSE, 0, NULL,
                                      /* TRANSLATORS: an HTTP status code and the node's message */
                                      _("The node is unavailable (%u %s). Waiting "
                                        "transactions are sent again later."),
                                      status, message);
  else
    error = cw_node_client_error_new (CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE, status, NULL,
                                      FALSE, 0, NULL,
                                      _("The node answered with unexpected status %u"), status);
  g_task_return_error (task, error);
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
                               _("The node's answer is larger than %zu bytes, "
                                 "more than any valid answer; it was not read."), request->cap);
      g_object_unref (task);
      return;
    }

  g_byte_array_append (request->buffer, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->cancellable, read_cb, task);
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
  observe_clock (g_task_get_source_object (task), request->msg);

  length = soup_message_headers_get_content_length (soup_message_get_response_headers (request->msg));
  if (length > 0 && (guint64) length > request->cap)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TOO_LARGE,
                               _("The node's answer is larger than %zu bytes, "
                                 "more than any valid answer; it was not read."), request->cap);
      g_object_unref (task);
      return;
    }

  request->buffer = g_byte_array_new ();
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->cancellable, read_cb, task);
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

static void
clock_checked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  CwNodeClient *self = CW_NODE_CLIENT (g_task_get_source_object (task));
  SoupMessage *probe = g_task_get_task_data (task);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (g_task_return_error_if_cancelled (task))
    ;
  else if (body != NULL && observe_clock (self, probe) && clock_is_skewed (self->clock_offset))
    g_task_return_error (task, clock_skew_error (self, 0, NULL));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
cw_node_client_check_clock_async (CwNodeClient        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  g_autoptr(GUri) uri = NULL;
  SoupMessage *probe;

  g_return_if_fail (CW_IS_NODE_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_node_client_check_clock_async);
  uri = g_uri_parse_relative (self->base, "/log/checkpoint", SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* The public checkpoint: small, unsigned, and dated by the node. */
  probe = soup_message_new_from_uri ("GET", uri);
  soup_message_add_flags (probe, SOUP_MESSAGE_NO_REDIRECT);
  g_task_set_task_data (task, probe, g_object_unref);
  soup_session_send_and_read_async (self->session, probe, G_PRIORITY_DEFAULT, cancellable,
                                    clock_checked_cb, task);
}

gboolean
cw_node_client_check_clock_finish (CwNodeClient  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_node_client_check_clock_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
clock_probe_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!cw_node_client_check_clock_finish (CW_NODE_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  request_start (task);
}

/* A transaction's `time` may lie in the past (an outbox is sent late), so
 * the node would log what a clock far behind sends and only refuse the
 * reads after it. Before submitting, the node's clock is checked (unless
 * a recent answer showed it); a skew beyond the signature window stops the
 * submission before anything is sent. Takes the task reference. */
static gboolean
maybe_probe_clock (GTask *task)
{
  CwNodeClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  if (request->clock_probed || !g_str_equal (request->method, "POST") ||
      (self->clock_seen != 0 && !clock_is_skewed (self->clock_offset) &&
       g_get_monotonic_time () - self->clock_seen < CLOCK_CHECK_INTERVAL_US))
    return FALSE;

  request->clock_probed = TRUE;
  cw_node_client_check_clock_async (self, g_task_get_cancellable (task), clock_probe_cb, task);
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

  if (maybe_probe_clock (task))
    return;

  uri = g_uri_parse_relative (self->base, request->path, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_INSECURE_URL,
                               _("Could not build the request URL: %s"), error->message);
      g_object_unref (task);
      return;
    }

  request->pin_mismatch = FALSE;
  request->msg = soup_message_new_from_uri (request->method, uri);
  /* The node's address is the one the patient was given: a redirect,
   * perhaps to plain http://, is an answer, not a place to go. */
  soup_message_add_flags (request->msg, SOUP_MESSAGE_NO_REDIRECT);
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
                           attempt_begin (task), sent_cb, task);
}

void
cw_node_client_request_async (CwNodeClient          *self,
                              const char            *method,
                              const char            *path,
                              GBytes                *body,
                              CwSigningKey          *key,
                              gsize                  cap,
                              CwNodeClientParseFunc  parse,
                              GDestroyNotify         result_free,
                              gpointer               source_tag,
                              GCancellable          *cancellable,
                              GAsyncReadyCallback    callback,
                              gpointer               user_data)
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

gpointer
cw_node_client_request_finish (CwNodeClient  *self,
                               GAsyncResult  *result,
                               gpointer       source_tag,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
