/* cw-node-server-patient.c: the authenticated reads of PROTOCOL.md §8:
 * a patient's chain, active grants, pending requests and access events,
 * and GET /v1/tx/<id>, each item with its inclusion proof into the latest
 * published checkpoint. Signatures are checked, the store read and the
 * proofs computed on worker threads, each with a store handle of its own. */
#include "config.h"

#include <string.h>

#include "cw-canonical-json.h"
#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-node-api-error.h"
#include "cw-node-auth.h"
#include "cw-node-query.h"
#include "cw-node-server-private.h"
#include "cw-tlog-proof.h"

#define PATIENTS_PREFIX "/v1/patients/"
#define TX_PREFIX "/v1/tx/"

#define MAX_LIMIT 1000

typedef enum {
  READ_CHAIN,
  READ_GRANTS,
  READ_REQUESTS,
  READ_ACCESS,
  READ_TX,
} ReadKind;

static const struct {
  const char *name;       /* path segment */
  const char *member;     /* list member of the answer */
  const char *cursor;     /* query parameter of the cursor */
  CwNodeListKind list;
} lists[] = {
  [READ_CHAIN] = { "chain", "transactions", "from", CW_NODE_LIST_CHAIN },
  [READ_GRANTS] = { "grants", "grants", "after", CW_NODE_LIST_GRANTS },
  [READ_REQUESTS] = { "requests", "requests", "after", CW_NODE_LIST_REQUESTS },
  [READ_ACCESS] = { "access", "events", "after", CW_NODE_LIST_ACCESS },
};

typedef struct
{
  CwNodeServer *server;
  SoupServerMessage *msg;
  CwNodeAuth *auth;
  ReadKind kind;
  char *patient_id;
  guint8 tx_id[CW_TX_ID_SIZE];
  guint64 start;
  guint limit;

  /* The answer, set on the worker thread. */
  char *body;
  CwNodeApiError error;
  char *message;
  GError *internal_error;
} PatientRead;

static void
patient_read_free (PatientRead *read)
{
  g_clear_object (&read->server);
  g_clear_object (&read->msg);
  g_clear_pointer (&read->auth, cw_node_auth_free);
  g_free (read->patient_id);
  g_free (read->body);
  g_free (read->message);
  g_clear_error (&read->internal_error);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PatientRead, patient_read_free)

/* A store handle for this thread alone, from the server's pool. */
static CwNodeStore *
acquire_store (CwNodeServer  *self,
               GError       **error)
{
  CwNodeStore *store = g_async_queue_try_pop (self->read_stores);

  if (store != NULL)
    return store;

  return cw_node_store_open_another (self->store, error);
}

static void
release_store (CwNodeServer *self,
               CwNodeStore  *store)
{
  g_async_queue_push (self->read_stores, store);
}

static gboolean
set_api_error (PatientRead    *read,
               CwNodeApiError  error,
               const char     *message)
{
  read->error = error;
  g_free (read->message);
  read->message = g_strdup (message);
  return FALSE;
}

static gboolean
set_internal_error (PatientRead  *read,
                    GError       *error)
{
  g_clear_error (&read->internal_error);
  read->internal_error = error;
  return set_api_error (read, CW_NODE_API_ERROR_INTERNAL, NULL);
}

static gboolean
authorize (PatientRead  *read,
           CwNodeStore  *store,
           const char   *patient_id,
           const char   *provider_id,
           gint64        now)
{
  g_autoptr(GError) error = NULL;

  if (cw_node_auth_authorize (read->auth, store, patient_id, provider_id, now, &error))
    return TRUE;

  if (g_error_matches (error, CW_NODE_AUTH_ERROR, CW_NODE_AUTH_ERROR_FAILED))
    return set_internal_error (read, g_steal_pointer (&error));

  return set_api_error (read, cw_node_auth_error_to_api (error), error->message);
}

static JsonNode *
envelope_to_json (GBytes  *envelope,
                  GError **error)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (envelope, NULL),
                                     g_bytes_get_size (envelope));

  return json_from_string (text, error);
}

/* Room for g_base64_encode_step() on a 32-byte hash, and the NUL. */
#define HASH_B64_SIZE ((CW_MERKLE_HASH_SIZE / 3 + 1) * 4 + 4 + 1)

/* Standard base64 of a 32-byte hash into @out, without an allocation. */
static void
hash_to_base64 (const guint8 *hash,
                gsize         len,
                char          out[HASH_B64_SIZE])
{
  gint state = 0, save = 0;
  gsize n = g_base64_encode_step (hash, len, FALSE, out, &state, &save);

  n += g_base64_encode_close (FALSE, out + n, &state, &save);
  out[n] = '\0';
}

/* @text as a JSON string, quotes included. Once per page, so json-glib. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *quoted = json_to_string (node, FALSE);

  g_string_append (out, quoted);
}

/* A stored envelope, as stored: it passed the strict parser when it was
 * submitted, and is checked again here so that a damaged row can never
 * make the answer something other than JSON. Writing the bytes instead of
 * parsing and generating each one is most of what a page costs. */
static gboolean
append_envelope (GString  *out,
                 GBytes   *envelope,
                 GError  **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (envelope, &len);

  if (len == 0 || data[0] != '{' || !cw_canonical_json_check_strict (data, len, NULL, error))
    {
      g_clear_error (error);
      g_set_error_literal (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                           "A stored envelope is not a JSON object");
      return FALSE;
    }
  g_string_append_len (out, (const char *) data, len);
  return TRUE;
}

/* One list item: the record with its inclusion proof into the tree of
 * @size; base64 and decimals need no escaping. */
static gboolean
append_item (GString         *out,
             CwNodeServer    *server,
             ReadKind         kind,
             CwNodeTxRecord  *record,
             guint64          size,
             GError         **error)
{
  g_autoptr(GPtrArray) proof = NULL;
  char id[HASH_B64_SIZE];

  proof = cw_node_sequencer_prove_inclusion (server->sequencer, record->index, size, error);
  if (proof == NULL)
    return FALSE;

  g_string_append_c (out, '{');
  if (kind == READ_CHAIN)
    g_string_append_printf (out, "\"seq\":%" G_GUINT64_FORMAT ",", record->seq);
  hash_to_base64 (record->id, CW_TX_ID_SIZE, id);
  g_string_append_printf (out, "\"id\":\"%s\",\"index\":%" G_GUINT64_FORMAT ",", id,
                          record->index);
  if (kind == READ_ACCESS)
    g_string_append_printf (out, "\"outcome\":\"%s\",",
                            cw_node_outcome_to_string (record->outcome));
  g_string_append (out, "\"envelope\":");
  if (!append_envelope (out, record->envelope, error))
    return FALSE;
  g_string_append (out, ",\"proof\":[");
  for (guint i = 0; i < proof->len; i++)
    {
      gsize len = 0;
      const guint8 *hash = g_bytes_get_data (g_ptr_array_index (proof, i), &len);
      char text[HASH_B64_SIZE];

      g_return_val_if_fail (len == CW_MERKLE_HASH_SIZE, FALSE);
      hash_to_base64 (hash, len, text);
      g_string_append_printf (out, "%s\"%s\"", i > 0 ? "," : "", text);
    }
  g_string_append (out, "]}");

  return TRUE;
}

static gboolean
run_list (PatientRead  *read,
          CwNodeStore  *store,
          gint64        now)
{
  g_autofree char *checkpoint = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) out = NULL;
  GError *error = NULL;
  gboolean more;
  guint64 size = 0;
  guint n;

  if (!authorize (read, store, read->patient_id, NULL, now))
    return FALSE;

  /* Everything below is read against this one checkpoint. */
  checkpoint = cw_node_sequencer_dup_checkpoint (read->server->sequencer, &size);

  records = cw_node_store_list_patient_transactions (store, lists[read->kind].list,
                                                     read->patient_id, read->start, size, now,
                                                     read->limit + 1, &error);
  if (records == NULL)
    return set_internal_error (read, error);
  more = records->len > read->limit;
  n = MIN (records->len, read->limit);

  /* The members in the order PROTOCOL.md §8 lists them; compact JSON. */
  out = g_string_sized_new (1024 + (gsize) n * 1600);
  g_string_append (out, "{\"checkpoint\":");
  append_json_string (out, checkpoint);

  if (read->kind == READ_CHAIN)
    {
      guint8 head_id[CW_TX_ID_SIZE];
      guint64 head_seq;

      g_string_append (out, ",\"head\":");
      if (cw_node_store_get_chain_head (store, read->patient_id, size, &head_seq, head_id, &error))
        {
          char id[HASH_B64_SIZE];

          hash_to_base64 (head_id, CW_TX_ID_SIZE, id);
          g_string_append_printf (out, "{\"seq\":%" G_GUINT64_FORMAT ",\"id\":\"%s\"}", head_seq,
                                  id);
        }
      else if (g_error_matches (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
        {
          /* Enrolled in a batch whose checkpoint is not published yet. */
          g_clear_error (&error);
          g_string_append (out, "null");
        }
      else
        {
          return set_internal_error (read, error);
        }
    }

  g_string_append_printf (out, ",\"%s\":[", lists[read->kind].member);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (!append_item (out, read->server, read->kind, g_ptr_array_index (records, i), size,
                        &error))
        return set_internal_error (read, error);
    }
  g_string_append_c (out, ']');

  /* The cursor to pass back as from= (chain) or after= (the others). */
  g_string_append (out, ",\"next\":");
  if (!more)
    g_string_append (out, "null");
  else if (read->kind == READ_CHAIN)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT,
                            ((CwNodeTxRecord *) g_ptr_array_index (records, read->limit))->seq);
  else
    g_string_append_printf (out, "%" G_GUINT64_FORMAT,
                            ((CwNodeTxRecord *) g_ptr_array_index (records, read->limit - 1))->index);
  g_string_append_c (out, '}');

  read->body = g_string_free (g_steal_pointer (&out), FALSE);

  return TRUE;
}

static gboolean
run_tx (PatientRead  *read,
        CwNodeStore  *store,
        gint64        now)
{
  g_autoptr(CwNodeTxRecord) record = NULL;
  g_autoptr(CwNodeGrant) named_grant = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) envelope = NULL;
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(CwTlogProof) bundle = NULL;
  g_autofree char *checkpoint = NULL;
  g_autofree char *id = NULL;
  g_autofree char *receipt = NULL;
  GError *error = NULL;
  const char *provider;
  guint64 size = 0;

  checkpoint = cw_node_sequencer_dup_checkpoint (read->server->sequencer, &size);

  record = cw_node_store_lookup_transaction (store, read->tx_id, &error);
  if (record == NULL && !g_error_matches (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
    return set_internal_error (read, error);
  g_clear_error (&error);

  if (record == NULL || record->index >= size)
    {
      /* Only an authenticated caller learns that it is not logged. */
      if (!authorize (read, store, NULL, NULL, now) &&
          read->error != CW_NODE_API_ERROR_FORBIDDEN)
        return FALSE;
      return set_api_error (read, CW_NODE_API_ERROR_NOT_FOUND,
                            "No transaction with this ID is logged");
    }

  /* A grant names its provider in the payload, not as its signer. */
  provider = record->provider;
  if (provider == NULL && record->type == CW_TX_TYPE_GRANT)
    {
      named_grant = cw_node_store_lookup_grant (store, record->id, &error);
      if (named_grant == NULL)
        return set_internal_error (read, error);
      provider = named_grant->provider;
    }

  if (!authorize (read, store, record->patient, provider, now))
    return FALSE;

  envelope = envelope_to_json (record->envelope, &error);
  if (envelope == NULL)
    return set_internal_error (read, error);
  proof = cw_node_sequencer_prove_inclusion (read->server->sequencer, record->index, size, &error);
  if (proof == NULL)
    return set_internal_error (read, error);
  bundle = cw_tlog_proof_new (record->index, proof, checkpoint, NULL);
  receipt = cw_tlog_proof_format (bundle);
  id = cw_base64_encode (record->id, CW_TX_ID_SIZE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, (gint64) record->index);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "logged");
  if (record->type == CW_TX_TYPE_ACCESS)
    {
      json_builder_set_member_name (builder, "outcome");
      json_builder_add_string_value (builder, cw_node_outcome_to_string (record->outcome));
    }
  json_builder_set_member_name (builder, "envelope");
  json_builder_add_value (builder, g_steal_pointer (&envelope));
  json_builder_set_member_name (builder, "proof");
  json_builder_add_string_value (builder, receipt);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  read->body = json_to_string (root, FALSE);

  return TRUE;
}

static void
read_thread_cb (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PatientRead *read = task_data;
  CwNodeStore *store;
  GError *error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  store = acquire_store (read->server, &error);
  if (store == NULL)
    {
      set_internal_error (read, error);
    }
  else
    {
      if (read->kind == READ_TX)
        run_tx (read, store, now);
      else
        run_list (read, store, now);
      release_store (read->server, store);
    }

  g_task_return_boolean (task, TRUE);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PatientRead *read = g_task_get_task_data (G_TASK (result));
  SoupServerMessage *msg = read->msg;

  if (read->body != NULL)
    {
      gsize len = strlen (read->body);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&read->body), len);
    }
  else if (read->error == CW_NODE_API_ERROR_INTERNAL)
    {
      cw_node_server_respond_internal_error (msg, "Answering an authenticated read",
                                             read->internal_error);
    }
  else
    {
      cw_node_api_error_respond (msg, read->error, read->message);
    }

  cw_node_server_resume (msg);
}

/* Only the parameters @cursor and "limit", decimal, limit 1–MAX_LIMIT
 * (cw-node-query.h). */
static gboolean
parse_query (PatientRead        *read,
             const char         *cursor,
             SoupServerMessage  *msg)
{
  const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));
  const char *names[] = { cursor, "limit", NULL };
  gboolean present[2];
  guint64 values[2];

  read->limit = MAX_LIMIT;
  if (!cw_node_query_parse_decimals (raw, names, present, values))
    goto invalid;

  if (present[1])
    {
      if (values[1] == 0 || values[1] > MAX_LIMIT)
        goto invalid;
      read->limit = (guint) values[1];
    }

  if (present[0])
    {
      /* after= is exclusive; from= is inclusive. */
      read->start = values[0];
      if (read->kind != READ_CHAIN && read->start < G_MAXUINT64)
        read->start++;
    }

  return TRUE;

invalid:
  {
    g_autofree char *message =
      g_strdup_printf ("Only “%s” and “limit” (1–%d) are allowed, as decimal integers",
                       cursor, MAX_LIMIT);

    cw_node_api_error_respond (msg, CW_NODE_API_ERROR_INVALID_QUERY, message);
    return FALSE;
  }
}

/* "<base64url pid>/<list>" into the patient ID and the list. */
static gboolean
parse_patient_path (PatientRead *read,
                    const char  *rest)
{
  const char *slash = strchr (rest, '/');
  g_autoptr(GBytes) key = NULL;

  if (slash == NULL)
    return FALSE;

  key = cw_base64url_decode (rest, slash - rest, NULL);
  if (key == NULL || g_bytes_get_size (key) != CW_PUBLIC_KEY_SIZE)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      if (g_str_equal (slash + 1, lists[i].name))
        {
          read->kind = i;
          read->patient_id = cw_base64_encode (g_bytes_get_data (key, NULL), CW_PUBLIC_KEY_SIZE);
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
cw_node_server_handle_patient (CwNodeServer      *self,
                               SoupServerMessage *msg,
                               const char        *path,
                               GHashTable        *query)
{
  g_autoptr(PatientRead) read = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_has_prefix (path, PATIENTS_PREFIX) && !g_str_has_prefix (path, TX_PREFIX))
    return FALSE;

  if (!cw_node_server_check_read_method (msg))
    return TRUE;

  read = g_new0 (PatientRead, 1);

  /* Unsigned callers learn nothing, not even which paths exist. */
  read->auth = cw_node_auth_new_for_message (msg, g_get_real_time () / G_USEC_PER_SEC, &error);
  if (read->auth == NULL)
    {
      cw_node_api_error_respond (msg, cw_node_auth_error_to_api (error), error->message);
      return TRUE;
    }

  if (g_str_has_prefix (path, TX_PREFIX))
    {
      read->kind = READ_TX;
      if (!cw_hex_decode_fixed (path + strlen (TX_PREFIX), -1, read->tx_id, CW_TX_ID_SIZE, NULL))
        {
          cw_node_api_error_respond (msg, CW_NODE_API_ERROR_NOT_FOUND, "No such transaction ID");
          return TRUE;
        }
      if (query != NULL && g_hash_table_size (query) > 0)
        {
          cw_node_api_error_respond (msg, CW_NODE_API_ERROR_INVALID_QUERY,
                                     "This resource takes no query parameters");
          return TRUE;
        }
    }
  else
    {
      if (!parse_patient_path (read, path + strlen (PATIENTS_PREFIX)))
        {
          cw_node_api_error_respond (msg, CW_NODE_API_ERROR_NOT_FOUND, "No such endpoint");
          return TRUE;
        }
      if (!parse_query (read, lists[read->kind].cursor, msg))
        return TRUE;
    }

  /* Private answers: never kept by a cache. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");

  read->server = g_object_ref (self);
  read->msg = g_object_ref (msg);
  task = g_task_new (self, NULL, read_done_cb, NULL);
  g_task_set_source_tag (task, cw_node_server_handle_patient);
  g_task_set_task_data (task, g_steal_pointer (&read), (GDestroyNotify) patient_read_free);

  cw_node_server_pause (msg);
  g_task_run_in_thread (task, read_thread_cb);

  return TRUE;
}
