/* cw-node-client-calls.c: CwNodeClient's API calls (docs/PROTOCOL.md §8),
 * each one request with its path, answer cap and strict parser
 * (cw-node-results.h). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-canonical-json.h"
#include "cw-encoding.h"
#include "cw-node-client-private.h"

static gpointer
parse_text (GBytes  *body,
            GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    {
      g_set_error_literal (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED,
                           _("The node sent a checkpoint that is not text"));
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
  cw_node_client_request_async (self, "POST", "/v1/tx", body, NULL,
                                CW_NODE_CLIENT_SMALL_ANSWER_CAP,
                                (CwNodeClientParseFunc) cw_node_receipt_parse,
                                (GDestroyNotify) cw_node_receipt_free,
                                cw_node_client_submit_async, cancellable, callback, user_data);
}

CwNodeReceipt *
cw_node_client_submit_finish (CwNodeClient  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_submit_async, error);
}

void
cw_node_client_get_checkpoint_async (CwNodeClient        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CW_IS_NODE_CLIENT (self));

  cw_node_client_request_async (self, "GET", "/log/checkpoint", NULL, NULL,
                                CW_NODE_CLIENT_SMALL_ANSWER_CAP, parse_text, g_free,
                                cw_node_client_get_checkpoint_async, cancellable, callback, user_data);
}

char *
cw_node_client_get_checkpoint_finish (CwNodeClient  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_get_checkpoint_async, error);
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
  cw_node_client_request_async (self, "GET", path, NULL, NULL,
                                CW_NODE_CLIENT_SMALL_ANSWER_CAP,
                                (CwNodeClientParseFunc) cw_node_proof_parse,
                                (GDestroyNotify) g_ptr_array_unref,
                                cw_node_client_get_consistency_async, cancellable, callback, user_data);
}

GPtrArray *
cw_node_client_get_consistency_finish (CwNodeClient  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_get_consistency_async, error);
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
  cw_node_client_request_async (self, "GET", path, NULL, NULL,
                                CW_NODE_CLIENT_LIST_ANSWER_CAP,
                                (CwNodeClientParseFunc) cw_node_provider_list_parse,
                                (GDestroyNotify) g_ptr_array_unref,
                                cw_node_client_search_providers_async, cancellable, callback, user_data);
}

GPtrArray *
cw_node_client_search_providers_finish (CwNodeClient  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_search_providers_async, error);
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
  cw_node_client_request_async (self, "GET", path, NULL, NULL,
                                CW_NODE_CLIENT_SMALL_ANSWER_CAP,
                                (CwNodeClientParseFunc) cw_node_provider_parse,
                                (GDestroyNotify) cw_store_provider_free,
                                cw_node_client_get_provider_async, cancellable, callback, user_data);
}

CwStoreProvider *
cw_node_client_get_provider_finish (CwNodeClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_get_provider_async, error);
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
  static const CwNodeClientParseFunc parsers[] = { parse_chain, parse_grants, parse_requests, parse_access };
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

  cw_node_client_request_async (self, "GET", path->str, NULL, key,
                                CW_NODE_CLIENT_LIST_ANSWER_CAP, parsers[kind],
                                (GDestroyNotify) cw_node_listing_free, cw_node_client_list_async,
                                cancellable, callback, user_data);
}

CwNodeListing *
cw_node_client_list_finish (CwNodeClient  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_list_async, error);
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
  cw_node_client_request_async (self, "GET", path, NULL, key,
                                CW_NODE_CLIENT_SMALL_ANSWER_CAP,
                                (CwNodeClientParseFunc) cw_node_tx_record_parse,
                                (GDestroyNotify) cw_node_tx_record_free,
                                cw_node_client_get_tx_async, cancellable, callback, user_data);
}

CwNodeTxRecord *
cw_node_client_get_tx_finish (CwNodeClient  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_get_tx_async, error);
}

/* {"patient": "<standard base64 of 32 bytes>"} and nothing else. */
static gpointer
parse_recovery_patient (GBytes  *body,
                        GError **error)
{
  g_autoptr(JsonNode) root = cw_canonical_json_parse_strict (g_bytes_get_data (body, NULL),
                                                             g_bytes_get_size (body), NULL);
  JsonObject *object;
  JsonNode *member;
  const char *patient;
  guint8 key[CW_PUBLIC_KEY_SIZE];

  /* Read as every other answer is (PROTOCOL.md §8): strict, no U+0000. */
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      json_object_get_size (object = json_node_get_object (root)) != 1 ||
      (member = json_object_get_member (object, "patient")) == NULL ||
      json_node_get_value_type (member) != G_TYPE_STRING ||
      !cw_base64_decode_fixed (patient = json_node_get_string (member), -1, key, sizeof key,
                               NULL))
    {
      g_set_error_literal (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED,
                           _("The node's answer to the recovery lookup is not a patient ID"));
      return NULL;
    }

  return g_strdup (patient);
}

void
cw_node_client_find_recovery_patient_async (CwNodeClient        *self,
                                            CwSigningKey        *recovery_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autofree char *encoded = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CW_IS_NODE_CLIENT (self));
  g_return_if_fail (recovery_key != NULL);

  encoded = cw_base64url_encode (cw_signing_key_get_public_key (recovery_key),
                                 CW_PUBLIC_KEY_SIZE);
  path = g_strconcat ("/v1/recovery/", encoded, NULL);
  cw_node_client_request_async (self, "GET", path, NULL, recovery_key,
                                CW_NODE_CLIENT_SMALL_ANSWER_CAP, parse_recovery_patient, g_free,
                                cw_node_client_find_recovery_patient_async, cancellable, callback,
                                user_data);
}

char *
cw_node_client_find_recovery_patient_finish (CwNodeClient  *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  return cw_node_client_request_finish (self, result, cw_node_client_find_recovery_patient_async,
                                        error);
}
