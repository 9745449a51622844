/* cw-node-api-error.h: the node API's JSON errors, with stable codes and
 * their HTTP statuses. */
#pragma once

#include <json-glib/json-glib.h>
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
  CW_NODE_API_ERROR_SHUTTING_DOWN,       /* 503 shutting_down */
  /* POST /v1/tx and the log's proofs */
  CW_NODE_API_ERROR_MALFORMED_ENVELOPE,  /* 400 malformed_envelope */
  CW_NODE_API_ERROR_INVALID_TRANSACTION, /* 400 invalid_transaction */
  CW_NODE_API_ERROR_OUT_OF_RANGE,        /* 400 out_of_range */
  CW_NODE_API_ERROR_BAD_SIGNATURE,       /* 403 bad_signature */
  CW_NODE_API_ERROR_CHAIN_CONFLICT,      /* 409 chain_conflict */
  CW_NODE_API_ERROR_TIME_IN_FUTURE,      /* 422 time_in_future */
  CW_NODE_API_ERROR_UNKNOWN_PATIENT,     /* 422 unknown_patient */
  CW_NODE_API_ERROR_UNKNOWN_PROVIDER,    /* 422 unknown_provider */
  CW_NODE_API_ERROR_INVALID_INVITE,      /* 422 invalid_invite */
  CW_NODE_API_ERROR_EXPIRED,             /* 422 expired */
  CW_NODE_API_ERROR_UNKNOWN_GRANT,       /* 422 unknown_grant */
  CW_NODE_API_ERROR_GRANT_INACTIVE,      /* 422 grant_inactive */
  CW_NODE_API_ERROR_UNKNOWN_REQUEST,     /* 422 unknown_request */
  CW_NODE_API_ERROR_REQUEST_NOT_PENDING, /* 422 request_not_pending */
  CW_NODE_API_ERROR_INVALID_KEY,         /* 422 invalid_key */
  /* Authenticated reads and limits */
  CW_NODE_API_ERROR_UNAUTHENTICATED,     /* 401 unauthenticated */
  CW_NODE_API_ERROR_STALE_SIGNATURE,     /* 401 stale_signature */
  CW_NODE_API_ERROR_REPLAYED_SIGNATURE,  /* 401 replayed_signature */
  CW_NODE_API_ERROR_RATE_LIMITED,        /* 429 rate_limited */
} CwNodeApiError;

const char *cw_node_api_error_get_code    (CwNodeApiError     error);
guint       cw_node_api_error_get_status  (CwNodeApiError     error);

/* Formats {"error": {"code": ..., "message": ...}}. */
char       *cw_node_api_error_to_json     (CwNodeApiError     error,
                                           const char        *message);

/* {"error": {"code": ..., "message": ...}} as a node, to add members to. */
JsonObject *cw_node_api_error_to_object   (CwNodeApiError     error,
                                           const char        *message);

/* Sets status, content type and the JSON body of @msg. */
void        cw_node_api_error_respond     (SoupServerMessage *msg,
                                           CwNodeApiError     error,
                                           const char        *message);

G_END_DECLS
