/* cw-node-server-recovery.c: GET /v1/recovery/<base64url recovery public
 * key> (PROTOCOL.md §12 "Finding the patient"): a wallet that has only the
 * recovery code learns its patient ID. The request must be signed (RFC 9421)
 * by the recovery key in the path, so that whoever lacks the recovery
 * secret learns nothing, not even whether the key is known. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-node-api-error.h"
#include "cw-node-auth.h"
#include "cw-node-server-private.h"

#define RECOVERY_PREFIX "/v1/recovery/"

typedef struct
{
  CwNodeServer *server;
  SoupServerMessage *msg;
  CwNodeAuth *auth;
  guint8 recovery_key[CW_PUBLIC_KEY_SIZE];

  /* The answer, set on the worker thread. */
  char *patient_id;
  CwNodeApiError error;
  char *message;
  GError *internal_error;
} RecoveryLookup;

static void
recovery_lookup_free (RecoveryLookup *lookup)
{
  g_clear_object (&lookup->server);
  g_clear_object (&lookup->msg);
  g_clear_pointer (&lookup->auth, cw_node_auth_free);
  g_free (lookup->patient_id);
  g_free (lookup->message);
  g_clear_error (&lookup->internal_error);
  g_free (lookup);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecoveryLookup, recovery_lookup_free)

static void
run_lookup (RecoveryLookup *lookup,
            CwNodeStore    *store,
            gint64          now)
{
  g_autoptr(GError) error = NULL;

  /* The signature first: without it, a known and an unknown key look the
   * same. */
  if (!cw_node_auth_authorize_key (lookup->auth, store, lookup->recovery_key, now, &error))
    {
      if (g_error_matches (error, CW_NODE_AUTH_ERROR, CW_NODE_AUTH_ERROR_FAILED))
        {
          lookup->error = CW_NODE_API_ERROR_INTERNAL;
          lookup->internal_error = g_steal_pointer (&error);
        }
      else
        {
          lookup->error = cw_node_auth_error_to_api (error);
          lookup->message = g_strdup (error->message);
        }
      return;
    }

  lookup->patient_id = cw_node_store_lookup_recovery_patient (store, lookup->recovery_key,
                                                              &error);
  if (lookup->patient_id != NULL)
    return;
  if (g_error_matches (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
    {
      lookup->error = CW_NODE_API_ERROR_NOT_FOUND;
      lookup->message = g_strdup ("No patient has this recovery key (it may have been "
                                  "replaced by a newer one)");
    }
  else
    {
      lookup->error = CW_NODE_API_ERROR_INTERNAL;
      lookup->internal_error = g_steal_pointer (&error);
    }
}

static void
lookup_thread_cb (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  RecoveryLookup *lookup = task_data;
  CwNodeServer *server = lookup->server;
  CwNodeStore *store;
  GError *error = NULL;

  /* A store handle for this thread alone, from the server's pool. */
  store = g_async_queue_try_pop (server->read_stores);
  if (store == NULL)
    store = cw_node_store_open_another (server->store, &error);
  if (store == NULL)
    {
      lookup->error = CW_NODE_API_ERROR_INTERNAL;
      lookup->internal_error = error;
    }
  else
    {
      run_lookup (lookup, store, g_get_real_time () / G_USEC_PER_SEC);
      g_async_queue_push (server->read_stores, store);
    }

  g_task_return_boolean (task, TRUE);
}

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RecoveryLookup *lookup = g_task_get_task_data (G_TASK (result));
  SoupServerMessage *msg = lookup->msg;

  if (lookup->patient_id != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "patient");
      json_builder_add_string_value (builder, lookup->patient_id);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cw_node_server_respond_json (msg, SOUP_STATUS_OK, root);
    }
  else if (lookup->error == CW_NODE_API_ERROR_INTERNAL)
    {
      cw_node_server_respond_internal_error (msg, "Looking up a recovery key",
                                             lookup->internal_error);
    }
  else
    {
      cw_node_api_error_respond (msg, lookup->error, lookup->message);
    }

  cw_node_server_resume (msg);
}

gboolean
cw_node_server_handle_recovery (CwNodeServer      *self,
                                SoupServerMessage *msg,
                                const char        *path,
                                GHashTable        *query)
{
  g_autoptr(RecoveryLookup) lookup = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  const char *encoded;

  if (!g_str_has_prefix (path, RECOVERY_PREFIX))
    return FALSE;

  if (!cw_node_server_check_read_method (msg))
    return TRUE;

  lookup = g_new0 (RecoveryLookup, 1);

  /* Unsigned callers learn nothing, not even whether the path is well
   * formed. */
  lookup->auth = cw_node_auth_new_for_message (msg, g_get_real_time () / G_USEC_PER_SEC, &error);
  if (lookup->auth == NULL)
    {
      cw_node_api_error_respond (msg, cw_node_auth_error_to_api (error), error->message);
      return TRUE;
    }

  encoded = path + strlen (RECOVERY_PREFIX);
  key = cw_base64url_decode (encoded, strlen (encoded), NULL);
  if (key == NULL || g_bytes_get_size (key) != CW_PUBLIC_KEY_SIZE)
    {
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_NOT_FOUND,
                                 "The path must name a recovery public key (base64url, 32 "
                                 "bytes)");
      return TRUE;
    }
  if (query != NULL && g_hash_table_size (query) > 0)
    {
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_INVALID_QUERY,
                                 "This resource takes no query parameters");
      return TRUE;
    }
  memcpy (lookup->recovery_key, g_bytes_get_data (key, NULL), CW_PUBLIC_KEY_SIZE);
  lookup->server = g_object_ref (self);
  lookup->msg = g_object_ref (msg);

  /* Private answers: never kept by a cache. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  cw_node_server_pause (msg);
  task = g_task_new (self, NULL, lookup_done_cb, NULL);
  g_task_set_source_tag (task, cw_node_server_handle_recovery);
  g_task_set_task_data (task, g_steal_pointer (&lookup), (GDestroyNotify) recovery_lookup_free);
  g_task_run_in_thread (task, lookup_thread_cb);

  return TRUE;
}
