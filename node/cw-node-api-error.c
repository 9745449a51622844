/* cw-node-api-error.c: the node API's JSON errors, with stable codes and
 * their HTTP statuses. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cw-node-api-error.h"

static const struct {
  const char *code;
  guint status;
} api_errors[] = {
  [CW_NODE_API_ERROR_BAD_REQUEST] = { "bad_request", SOUP_STATUS_BAD_REQUEST },
  [CW_NODE_API_ERROR_INVALID_QUERY] = { "invalid_query", SOUP_STATUS_BAD_REQUEST },
  [CW_NODE_API_ERROR_UNAUTHORIZED] = { "unauthorized", SOUP_STATUS_UNAUTHORIZED },
  [CW_NODE_API_ERROR_FORBIDDEN] = { "forbidden", SOUP_STATUS_FORBIDDEN },
  [CW_NODE_API_ERROR_NOT_FOUND] = { "not_found", SOUP_STATUS_NOT_FOUND },
  [CW_NODE_API_ERROR_PROVIDER_NOT_FOUND] = { "provider_not_found", SOUP_STATUS_NOT_FOUND },
  [CW_NODE_API_ERROR_METHOD_NOT_ALLOWED] = { "method_not_allowed", SOUP_STATUS_METHOD_NOT_ALLOWED },
  [CW_NODE_API_ERROR_CONFLICT] = { "conflict", SOUP_STATUS_CONFLICT },
  [CW_NODE_API_ERROR_PAYLOAD_TOO_LARGE] = { "payload_too_large", SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE },
  [CW_NODE_API_ERROR_UNSUPPORTED_MEDIA] = { "unsupported_media_type", SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE },
  [CW_NODE_API_ERROR_TOO_MANY_REQUESTS] = { "too_many_requests", 429 },
  [CW_NODE_API_ERROR_INTERNAL] = { "internal", SOUP_STATUS_INTERNAL_SERVER_ERROR },
  [CW_NODE_API_ERROR_UNAVAILABLE] = { "unavailable", SOUP_STATUS_SERVICE_UNAVAILABLE },
  [CW_NODE_API_ERROR_SHUTTING_DOWN] = { "shutting_down", SOUP_STATUS_SERVICE_UNAVAILABLE },
  [CW_NODE_API_ERROR_MALFORMED_ENVELOPE] = { "malformed_envelope", SOUP_STATUS_BAD_REQUEST },
  [CW_NODE_API_ERROR_INVALID_TRANSACTION] = { "invalid_transaction", SOUP_STATUS_BAD_REQUEST },
  [CW_NODE_API_ERROR_OUT_OF_RANGE] = { "out_of_range", SOUP_STATUS_BAD_REQUEST },
  [CW_NODE_API_ERROR_BAD_SIGNATURE] = { "bad_signature", SOUP_STATUS_FORBIDDEN },
  [CW_NODE_API_ERROR_CHAIN_CONFLICT] = { "chain_conflict", SOUP_STATUS_CONFLICT },
  [CW_NODE_API_ERROR_TIME_IN_FUTURE] = { "time_in_future", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_UNKNOWN_PATIENT] = { "unknown_patient", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_UNKNOWN_PROVIDER] = { "unknown_provider", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_INVALID_INVITE] = { "invalid_invite", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_EXPIRED] = { "expired", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_UNKNOWN_GRANT] = { "unknown_grant", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_GRANT_INACTIVE] = { "grant_inactive", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_UNKNOWN_REQUEST] = { "unknown_request", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_REQUEST_NOT_PENDING] = { "request_not_pending", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_INVALID_KEY] = { "invalid_key", SOUP_STATUS_UNPROCESSABLE_ENTITY },
  [CW_NODE_API_ERROR_UNAUTHENTICATED] = { "unauthenticated", SOUP_STATUS_UNAUTHORIZED },
  [CW_NODE_API_ERROR_STALE_SIGNATURE] = { "stale_signature", SOUP_STATUS_UNAUTHORIZED },
  [CW_NODE_API_ERROR_REPLAYED_SIGNATURE] = { "replayed_signature", SOUP_STATUS_UNAUTHORIZED },
  [CW_NODE_API_ERROR_RATE_LIMITED] = { "rate_limited", 429 },
};

const char *
cw_node_api_error_get_code (CwNodeApiError error)
{
  g_return_val_if_fail (error < G_N_ELEMENTS (api_errors), "internal");

  return api_errors[error].code;
}

guint
cw_node_api_error_get_status (CwNodeApiError error)
{
  g_return_val_if_fail (error < G_N_ELEMENTS (api_errors), SOUP_STATUS_INTERNAL_SERVER_ERROR);

  return api_errors[error].status;
}

JsonObject *
cw_node_api_error_to_object (CwNodeApiError  error,
                             const char     *message)
{
  JsonObject *object = json_object_new ();
  JsonObject *inner = json_object_new ();

  json_object_set_string_member (inner, "code", cw_node_api_error_get_code (error));
  json_object_set_string_member (inner, "message", message != NULL ? message : "");
  json_object_set_object_member (object, "error", inner);

  return object;
}

char *
cw_node_api_error_to_json (CwNodeApiError  error,
                           const char     *message)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (root, cw_node_api_error_to_object (error, message));

  return json_to_string (root, FALSE);
}

void
cw_node_api_error_respond (SoupServerMessage *msg,
                           CwNodeApiError     error,
                           const char        *message)
{
  char *body = cw_node_api_error_to_json (error, message);

  soup_server_message_set_status (msg, cw_node_api_error_get_status (error), NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    body, strlen (body));
}
