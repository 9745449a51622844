/* cw-node-api-error.h: the node API's JSON errors, with stable codes and
 * their HTTP statuses. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The "code" strings are part of the API: never rename one, only add. */
typedef enum {
  CW_NODE_API_ERROR_BAD_REQUEST,         /* 400 bad_request */
  CW_NODE_API_ERROR_INVALID_QUERY,       /* 400 invalid_query */
  CW_NODE_API_ERROR_UNAUTHORIZED,        /* 401 unauthorized */
  CW_NODE_API_ERROR_FORBIDDEN,           /* 403 forbidden */
  CW_NODE_API_ERROR_NOT_FOUND,           /* 404 not_found */
  CW_NODE_API_ERROR_PROVIDER_NOT_FOUND,  /* 404 provider_not_found */
  CW_NODE_API_ERROR_METHOD_NOT_ALLOWED,  /* 405 method_not_allowed */
  CW_NODE_API_ERROR_CONFLICT,            /* 409 conflict */
  CW_NODE_API_ERROR_PAYLOAD_TOO_LARGE,   /* 413 payload_too_large */
  CW_NODE_API_ERROR_UNSUPPORTED_MEDIA,   /* 415 unsupported_media_type */
  CW_NODE_API_ERROR_TOO_MANY_REQUESTS,   /* 429 too_many_requests */
  CW_NODE_API_ERROR_INTERNAL,            /* 500 internal */
  CW_NODE_API_ERROR_UNAVAILABLE,         /* 503 unavailable */
} CwNodeApiError;

const char *cw_node_api_error_get_code    (CwNodeApiError     error);
guint       cw_node_api_error_get_status  (CwNodeApiError     error);

/* Formats {"error": {"code": ..., "message": ...}}. */
char       *cw_node_api_error_to_json     (CwNodeApiError     error,
                                           const char        *message);

/* Sets status, content type and the JSON body of @msg. */
void        cw_node_api_error_respond     (SoupServerMessage *msg,
                                           CwNodeApiError     error,
                                           const char        *message);

G_END_DECLS
