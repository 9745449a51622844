/* cw-node-server-log.c: the public log endpoints: /log/checkpoint, the
 * c2sp.org/tlog-tiles tiles and entry bundles, and inclusion and
 * consistency proofs. Tiles and proofs are read on worker threads. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-node-api-error.h"
#include "cw-node-query.h"
#include "cw-node-server-private.h"

#define CHECKPOINT_PATH "/log/checkpoint"
#define TILE_PREFIX "/log/"
#define INCLUSION_PATH "/v1/log/proof/inclusion"
#define CONSISTENCY_PATH "/v1/log/proof/consistency"

typedef enum {
  READ_TILE,
  READ_INCLUSION,
  READ_CONSISTENCY,
} ReadKind;

typedef struct
{
  CwNodeServer *server;
  SoupServerMessage *msg;
  ReadKind kind;
  CwTile tile;
  guint64 a;
  guint64 b;
} LogRead;

static void
log_read_free (LogRead *read)
{
  g_clear_object (&read->server);
  g_clear_object (&read->msg);
  g_free (read);
}

static void
handle_checkpoint (CwNodeServer      *self,
                   SoupServerMessage *msg)
{
  char *note = cw_node_sequencer_dup_checkpoint (self->sequencer, NULL);

  /* Clients poll this; it must never be served stale from a cache. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    note, strlen (note));
}

static void
read_thread_cb (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LogRead *read = task_data;
  CwNodeSequencer *sequencer = read->server->sequencer;
  GError *error = NULL;
  gpointer result = NULL;
  GDestroyNotify destroy = NULL;

  switch (read->kind)
    {
    case READ_TILE:
      result = cw_node_sequencer_read_tile (sequencer, &read->tile, &error);
      destroy = (GDestroyNotify) g_bytes_unref;
      break;
    case READ_INCLUSION:
      result = cw_node_sequencer_prove_inclusion (sequencer, read->a, read->b, &error);
      destroy = (GDestroyNotify) g_ptr_array_unref;
      break;
    case READ_CONSISTENCY:
      result = cw_node_sequencer_prove_consistency (sequencer, read->a, read->b, &error);
      destroy = (GDestroyNotify) g_ptr_array_unref;
      break;
    default:
      g_assert_not_reached ();
    }

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, destroy);
}

static void
respond_tile (SoupServerMessage *msg,
              const CwTile      *tile,
              GBytes            *data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize len = 0;
  gconstpointer bytes = g_bytes_get_data (data, &len);

  /* A full tile never changes; a partial one is replaced by a wider one. */
  soup_message_headers_replace (headers, "Cache-Control",
                                tile->width == CW_TILE_WIDTH
                                  ? "public, max-age=31536000, immutable" : "no-cache");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                    bytes, len);
}

static void
respond_proof (SoupServerMessage *msg,
               GPtrArray         *proof)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *hashes = json_array_new ();

  for (guint i = 0; i < proof->len; i++)
    {
      gsize len = 0;
      const guint8 *hash = g_bytes_get_data (g_ptr_array_index (proof, i), &len);
      g_autofree char *text = cw_base64_encode (hash, len);

      json_array_add_string_element (hashes, text);
    }
  json_object_set_array_member (object, "proof", hashes);
  json_node_take_object (root, object);

  cw_node_server_respond_json (msg, SOUP_STATUS_OK, root);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LogRead *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gpointer data;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (data == NULL)
    {
      if (!g_error_matches (error, CW_NODE_SEQUENCER_ERROR, CW_NODE_SEQUENCER_ERROR_OUT_OF_RANGE))
        cw_node_server_respond_internal_error (read->msg, "Reading the log", error);
      else if (read->kind == READ_TILE)
        cw_node_api_error_respond (read->msg, CW_NODE_API_ERROR_NOT_FOUND, error->message);
      else
        cw_node_api_error_respond (read->msg, CW_NODE_API_ERROR_OUT_OF_RANGE, error->message);
    }
  else if (read->kind == READ_TILE)
    {
      respond_tile (read->msg, &read->tile, data);
      g_bytes_unref (data);
    }
  else
    {
      respond_proof (read->msg, data);
      g_ptr_array_unref (data);
    }

  cw_node_server_resume (read->msg);
}

/* Takes @read; answers from a worker thread. */
static void
start_read (CwNodeServer      *self,
            SoupServerMessage *msg,
            LogRead           *read)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, read_done_cb, NULL);

  read->server = g_object_ref (self);
  read->msg = g_object_ref (msg);
  g_task_set_source_tag (task, start_read);
  g_task_set_task_data (task, read, (GDestroyNotify) log_read_free);

  cw_node_server_pause (msg);
  g_task_run_in_thread (task, read_thread_cb);
}

static void
handle_tile (CwNodeServer      *self,
             SoupServerMessage *msg,
             const char        *tile_path)
{
  LogRead *read = g_new0 (LogRead, 1);

  if (!cw_tile_parse_path (tile_path, &read->tile, NULL))
    {
      g_free (read);
      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_NOT_FOUND, "No such tile");
      return;
    }

  read->kind = READ_TILE;
  start_read (self, msg, read);
}

/* Exactly the parameters @first and @second, decimal (cw-node-query.h). */
static gboolean
parse_size_params (SoupServerMessage *msg,
                   const char        *first,
                   const char        *second,
                   guint64           *out_first,
                   guint64           *out_second)
{
  const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));
  const char *names[] = { first, second, NULL };
  gboolean present[2];
  guint64 values[2];

  if (!cw_node_query_parse_decimals (raw, names, present, values) ||
      !present[0] || !present[1])
    {
      g_autofree char *message =
        g_strdup_printf ("Exactly “%s” and “%s” are required, as decimal integers",
                         first, second);

      cw_node_api_error_respond (msg, CW_NODE_API_ERROR_INVALID_QUERY, message);
      return FALSE;
    }

  *out_first = values[0];
  *out_second = values[1];
  return TRUE;
}

static void
handle_proof (CwNodeServer      *self,
              SoupServerMessage *msg,
              ReadKind           kind)
{
  guint64 a;
  guint64 b;
  LogRead *read;

  if (!(kind == READ_INCLUSION ? parse_size_params (msg, "index", "size", &a, &b)
                               : parse_size_params (msg, "old", "new", &a, &b)))
    return;

  read = g_new0 (LogRead, 1);
  read->kind = kind;
  read->a = a;
  read->b = b;
  start_read (self, msg, read);
}

gboolean
cw_node_server_handle_log (CwNodeServer      *self,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query)
{
  if (g_str_equal (path, CHECKPOINT_PATH))
    {
      if (cw_node_server_check_read_method (msg))
        handle_checkpoint (self, msg);
    }
  else if (g_str_has_prefix (path, TILE_PREFIX "tile/"))
    {
      if (cw_node_server_check_read_method (msg))
        handle_tile (self, msg, path + strlen (TILE_PREFIX));
    }
  else if (g_str_equal (path, INCLUSION_PATH))
    {
      if (cw_node_server_check_read_method (msg))
        handle_proof (self, msg, READ_INCLUSION);
    }
  else if (g_str_equal (path, CONSISTENCY_PATH))
    {
      if (cw_node_server_check_read_method (msg))
        handle_proof (self, msg, READ_CONSISTENCY);
    }
  else
    {
      return FALSE;
    }

  return TRUE;
}
