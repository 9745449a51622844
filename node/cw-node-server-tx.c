/* cw-node-server-tx.c: POST /v1/tx, submitting one DSSE envelope and
 * answering with its receipt once it is sequenced and durable. */
#include "config.h"

#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-node-api-error.h"
#include "cw-node-rules.h"
#include "cw-node-server-private.h"

typedef struct
{
  CwNodeServer *server;
  SoupServerMessage *msg;
} Pending;

static void
pending_free (Pending *pending)
{
  g_clear_object (&pending->server);
  g_clear_object (&pending->msg);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static CwNodeApiError
rules_error_to_api (gint code)
{
  switch ((CwNodeRulesError) code)
    {
    case CW_NODE_RULES_ERROR_BAD_SIGNATURE: return CW_NODE_API_ERROR_BAD_SIGNATURE;
    case CW_NODE_RULES_ERROR_TIME_IN_FUTURE: return CW_NODE_API_ERROR_TIME_IN_FUTURE;
    case CW_NODE_RULES_ERROR_UNKNOWN_PATIENT: return CW_NODE_API_ERROR_UNKNOWN_PATIENT;
    case CW_NODE_RULES_ERROR_CHAIN_CONFLICT: return CW_NODE_API_ERROR_CHAIN_CONFLICT;
    case CW_NODE_RULES_ERROR_INVALID_INVITE: return CW_NODE_API_ERROR_INVALID_INVITE;
    case CW_NODE_RULES_ERROR_UNKNOWN_PROVIDER: return CW_NODE_API_ERROR_UNKNOWN_PROVIDER;
    case CW_NODE_RULES_ERROR_EXPIRED: return CW_NODE_API_ERROR_EXPIRED;
    case CW_NODE_RULES_ERROR_UNKNOWN_GRANT: return CW_NODE_API_ERROR_UNKNOWN_GRANT;
    case CW_NODE_RULES_ERROR_GRANT_INACTIVE: return CW_NODE_API_ERROR_GRANT_INACTIVE;
    case CW_NODE_RULES_ERROR_UNKNOWN_REQUEST: return CW_NODE_API_ERROR_UNKNOWN_REQUEST;
    case CW_NODE_RULES_ERROR_REQUEST_NOT_PENDING: return CW_NODE_API_ERROR_REQUEST_NOT_PENDING;
    case CW_NODE_RULES_ERROR_INVALID_KEY: return CW_NODE_API_ERROR_INVALID_KEY;
    default: return CW_NODE_API_ERROR_INTERNAL;
    }
}

/* Which stable code a refusal gets; FALSE for a failure of the node. */
static gboolean
classify_error (CwNodeSubmission *submission,
                CwNodeApiError   *out)
{
  const GError *error = submission->error;

  if (error->domain == CW_NODE_RULES_ERROR)
    *out = rules_error_to_api (error->code);
  else if (error->domain == CW_NODE_SEQUENCER_ERROR)
    *out = CW_NODE_API_ERROR_UNAVAILABLE;
  else if (error->domain == CW_NODE_STORE_ERROR)
    return FALSE;
  else if (g_error_matches (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE))
    *out = CW_NODE_API_ERROR_PAYLOAD_TOO_LARGE;
  else if (submission->envelope == NULL)
    *out = CW_NODE_API_ERROR_MALFORMED_ENVELOPE;
  else if (submission->tx == NULL)
    *out = CW_NODE_API_ERROR_INVALID_TRANSACTION;
  else
    return FALSE;

  return *out != CW_NODE_API_ERROR_INTERNAL;
}

static void
respond_refusal (SoupServerMessage *msg,
                 CwNodeSubmission  *submission)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  CwNodeApiError code;
  JsonObject *object;

  if (!classify_error (submission, &code))
    {
      cw_node_server_respond_internal_error (msg, "Sequencing a transaction", submission->error);
      return;
    }

  if (code == CW_NODE_API_ERROR_UNAVAILABLE)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", "1");

  object = cw_node_api_error_to_object (code, submission->error->message);
  if (submission->has_head)
    {
      JsonObject *head = json_object_new ();
      g_autofree char *head_id = cw_base64_encode (submission->head_id, CW_TX_ID_SIZE);

      json_object_set_int_member (head, "seq", (gint64) submission->head_seq);
      json_object_set_string_member (head, "id", head_id);
      json_object_set_object_member (object, "head", head);
    }
  json_node_take_object (root, object);

  cw_node_server_respond_json (msg, cw_node_api_error_get_status (code), root);
}

/* Appends @text as a JSON string (RFC 8259 §7). */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

/* Every accepted submission gets one, on the serving thread: written
 * directly rather than through a json-glib tree and generator. */
static void
respond_receipt (SoupServerMessage *msg,
                 CwNodeSubmission  *submission)
{
  g_autofree char *id = cw_base64_encode (submission->id, CW_TX_ID_SIZE);
  GString *body = g_string_sized_new (256 + strlen (submission->proof));
  gsize len;

  /* The ID is base64: nothing in it needs escaping. */
  g_string_append_printf (body, "{\"id\":\"%s\",\"index\":%" G_GUINT64_FORMAT ",\"proof\":",
                          id, submission->index);
  append_json_string (body, submission->proof);
  if (cw_tx_get_tx_type (submission->tx) == CW_TX_TYPE_ACCESS)
    g_string_append_printf (body, ",\"outcome\":\"%s\"",
                            cw_node_outcome_to_string (submission->outcome));
  g_string_append_c (body, '}');

  len = body->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (body, FALSE), len);
}

static void
submitted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autoptr(CwNodeSubmission) submission = NULL;
  g_autoptr(GError) error = NULL;

  submission = cw_node_sequencer_submit_finish (CW_NODE_SEQUENCER (source), result, &error);
  if (submission == NULL)
    cw_node_server_respond_internal_error (pending->msg, "Submitting a transaction", error);
  else if (submission->error != NULL)
    respond_refusal (pending->msg, submission);
  else
    respond_receipt (pending->msg, submission);

  cw_node_server_resume (pending->msg);
}

void
cw_node_server_handle_tx (CwNodeServer      *self,
                          SoupServerMessage *msg,
                          GByteArray        *body)
{
  g_autoptr(GBytes) envelope = NULL;
  Pending *pending;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "POST");
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_METHOD_NOT_ALLOWED,
                                 "Transactions are submitted with POST");
      return;
    }

  if (body == NULL || body->len == 0)
    {
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_MALFORMED_ENVELOPE,
                                 "The body must be one DSSE envelope");
      return;
    }

  envelope = g_bytes_new (body->data, body->len);
  pending = g_new0 (Pending, 1);
  pending->server = g_object_ref (self);
  pending->msg = g_object_ref (msg);

  /* Answered once the transaction is durable and its checkpoint signed. */
  cw_node_server_pause (msg);
  cw_node_sequencer_submit_async (self->sequencer, envelope, NULL, submitted_cb, pending);
}
