/* cw-node-store-sqlite-reads.c: the SQLite store's side of the
 * authenticated reads (a patient's chain, active grants, pending requests,
 * access events), key lookup by DSSE key ID, and the RFC 9421 replay
 * cache. */
#include "config.h"

#include <string.h>

#include "cw-dsse.h"
#include "cw-node-store-sqlite-private.h"

/* cw_dsse_key_id (blob): lower-case hex SHA-256 of a 32-byte key, NULL for
 * anything else. Indexed by the schema, so it must stay deterministic. */
static void
dsse_key_id_func (sqlite3_context  *context,
                  int               argc,
                  sqlite3_value   **argv)
{
  char *key_id;

  if (sqlite3_value_type (argv[0]) != SQLITE_BLOB ||
      sqlite3_value_bytes (argv[0]) != CW_PUBLIC_KEY_SIZE)
    {
      sqlite3_result_null (context);
      return;
    }

  key_id = cw_dsse_key_id (sqlite3_value_blob (argv[0]));
  sqlite3_result_text (context, key_id, -1, g_free);
}

gboolean
cw_node_store_sqlite_register_functions (CwNodeStoreSqlite  *self,
                                         GError            **error)
{
  sqlite3 *db = cw_node_store_sqlite_get_db (self);

  /* Innocuous: the schema may use it with trusted_schema off. */
  if (sqlite3_create_function_v2 (db, "cw_dsse_key_id", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                  NULL, dsse_key_id_func, NULL, NULL, NULL) != SQLITE_OK)
    return cw_node_store_sqlite_set_error (self, error, "registering SQL functions");

  return TRUE;
}

/* The columns read_record() expects, of transactions t. */
#define RECORD_COLUMNS "t.idx, t.id, t.type, t.patient, t.provider, t.seq, t.outcome," \
                       " t.envelope, t.received"

static CwNodeTxRecord *
read_record (sqlite3_stmt  *stmt,
             GError       **error)
{
  g_autoptr(CwNodeTxRecord) record = g_new0 (CwNodeTxRecord, 1);

  if (sqlite3_column_bytes (stmt, 1) != CW_TX_ID_SIZE ||
      !cw_tx_type_from_string ((const char *) sqlite3_column_text (stmt, 2), &record->type) ||
      !cw_node_outcome_from_string ((const char *) sqlite3_column_text (stmt, 6),
                                    &record->outcome))
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                   "A stored transaction is invalid");
      return NULL;
    }

  record->index = sqlite3_column_int64 (stmt, 0);
  memcpy (record->id, sqlite3_column_blob (stmt, 1), CW_TX_ID_SIZE);
  record->patient = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  record->provider = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  record->seq = sqlite3_column_int64 (stmt, 5);
  record->envelope = g_bytes_new (sqlite3_column_blob (stmt, 7), sqlite3_column_bytes (stmt, 7));
  record->received = sqlite3_column_int64 (stmt, 8);

  return g_steal_pointer (&record);
}

static const char *
list_sql (CwNodeListKind kind)
{
  /* ?1 patient, ?2 start, ?3 max index, ?4 now, ?5 limit. */
  switch (kind)
    {
    case CW_NODE_LIST_CHAIN:
      return "SELECT " RECORD_COLUMNS " FROM transactions t"
             " WHERE t.patient = ?1 AND t.seq >= ?2 AND t.idx < ?3"
             " ORDER BY t.seq LIMIT ?5";
    case CW_NODE_LIST_GRANTS:
      return "SELECT " RECORD_COLUMNS " FROM grants g JOIN transactions t ON t.idx = g.idx"
             " WHERE g.patient = ?1 AND g.idx >= ?2 AND g.idx < ?3 AND g.expires > ?4"
             " AND (g.revoked_by IS NULL OR g.revoked_idx >= ?3)"
             " ORDER BY g.idx LIMIT ?5";
    case CW_NODE_LIST_REQUESTS:
      return "SELECT " RECORD_COLUMNS " FROM requests r JOIN transactions t ON t.idx = r.idx"
             " WHERE r.patient = ?1 AND r.state = 'pending' AND r.idx >= ?2 AND r.idx < ?3"
             " AND r.expires > ?4"
             " ORDER BY r.idx LIMIT ?5";
    case CW_NODE_LIST_ACCESS:
      return "SELECT " RECORD_COLUMNS " FROM transactions t"
             " WHERE t.patient = ?1 AND t.type = 'access' AND t.idx >= ?2 AND t.idx < ?3"
             " ORDER BY t.idx LIMIT ?5";
    default:
      g_return_val_if_reached (NULL);
    }
}

static GPtrArray *
cw_node_store_sqlite_list_patient_transactions (CwNodeStore     *store,
                                                CwNodeListKind   kind,
                                                const char      *patient_id,
                                                guint64          start,
                                                guint64          max_index,
                                                gint64           now,
                                                guint            limit,
                                                GError         **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_tx_record_free);
  const char *sql = list_sql (kind);
  int rc;

  g_return_val_if_fail (sql != NULL, NULL);

  /* SQLite integers are signed; nothing is stored beyond G_MAXINT64. */
  if (start > G_MAXINT64 || limit == 0)
    return g_steal_pointer (&records);

  stmt = cw_node_store_sqlite_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) start);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) MIN (max_index, (guint64) G_MAXINT64));
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CwNodeTxRecord *record = read_record (stmt, error);

      if (record == NULL)
        return NULL;
      g_ptr_array_add (records, record);
    }

  if (rc != SQLITE_DONE)
    {
      cw_node_store_sqlite_set_error (self, error, "listing a patient's transactions");
      return NULL;
    }

  return g_steal_pointer (&records);
}

static gboolean
cw_node_store_sqlite_get_chain_head (CwNodeStore  *store,
                                     const char   *patient_id,
                                     guint64       max_index,
                                     guint64      *out_seq,
                                     guint8        out_id[CW_NODE_STORE_HASH_SIZE],
                                     GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* By (patient, seq) from the top: the head is the first row, or one of
   * the first few when the newest are past @max_index. Left to itself the
   * planner takes (patient, idx) and sorts every row of the patient,
   * access events included, for each page of a chain listing. */
  stmt = cw_node_store_sqlite_prepare (self,
                                       "SELECT seq, id FROM transactions"
                                       " INDEXED BY transactions_patient_seq"
                                       " WHERE patient = ?1 AND seq IS NOT NULL AND idx < ?2"
                                       " ORDER BY seq DESC LIMIT 1",
                                       error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) MIN (max_index, (guint64) G_MAXINT64));

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No logged chain for this patient");
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return cw_node_store_sqlite_set_error (self, error, "reading a chain head");
  if (sqlite3_column_bytes (stmt, 1) != CW_TX_ID_SIZE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                   "A stored transaction ID is invalid");
      return FALSE;
    }

  *out_seq = sqlite3_column_int64 (stmt, 0);
  memcpy (out_id, sqlite3_column_blob (stmt, 1), CW_TX_ID_SIZE);

  return TRUE;
}

static char *
cw_node_store_sqlite_lookup_key_owner (CwNodeStore  *store,
                                       const char   *key_id,
                                       gboolean     *out_is_patient,
                                       guint8        out_public_key[CW_NODE_STORE_HASH_SIZE],
                                       GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* Both sides use the expression the indexes are built on. */
  stmt = cw_node_store_sqlite_prepare (self,
                                       "SELECT 1, id, current_key FROM patients"
                                       " WHERE cw_dsse_key_id (current_key) = ?1"
                                       " UNION ALL "
                                       "SELECT 0, id, public_key FROM providers"
                                       " WHERE cw_dsse_key_id (public_key) = ?1"
                                       " AND removed IS NULL"
                                       " LIMIT 1",
                                       error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key_id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No current key has this key ID");
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      cw_node_store_sqlite_set_error (self, error, "looking up a key");
      return NULL;
    }
  if (sqlite3_column_bytes (stmt, 2) != CW_PUBLIC_KEY_SIZE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                   "A stored public key is invalid");
      return NULL;
    }

  if (out_is_patient != NULL)
    *out_is_patient = sqlite3_column_int (stmt, 0) != 0;
  if (out_public_key != NULL)
    memcpy (out_public_key, sqlite3_column_blob (stmt, 2), CW_PUBLIC_KEY_SIZE);

  return g_strdup ((const char *) sqlite3_column_text (stmt, 1));
}

static gboolean
cw_node_store_sqlite_remember_nonce (CwNodeStore  *store,
                                     const char   *key_id,
                                     const char   *nonce,
                                     gint64        expires,
                                     gint64        now,
                                     gboolean     *out_fresh,
                                     GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) prune = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;

  prune = cw_node_store_sqlite_prepare (self, "DELETE FROM seen_nonces WHERE expires <= ?1",
                                        error);
  insert = prune == NULL ? NULL :
    cw_node_store_sqlite_prepare (self,
                                  "INSERT INTO seen_nonces (keyid, nonce, expires)"
                                  " VALUES (?1, ?2, ?3) ON CONFLICT (keyid, nonce) DO NOTHING",
                                  error);
  if (insert == NULL)
    return FALSE;

  /* One write transaction, so one sync, for the prune and the insert. */
  if (!cw_node_store_sqlite_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  sqlite3_bind_int64 (prune, 1, now);
  if (sqlite3_step (prune) != SQLITE_DONE)
    goto fail;

  sqlite3_bind_text (insert, 1, key_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, nonce, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 3, expires);
  if (sqlite3_step (insert) != SQLITE_DONE)
    goto fail;

  *out_fresh = sqlite3_changes (cw_node_store_sqlite_get_db (self)) == 1;

  if (!cw_node_store_sqlite_exec (self, "COMMIT", error))
    {
      cw_node_store_sqlite_rollback (self);
      return FALSE;
    }

  return TRUE;

fail:
  cw_node_store_sqlite_set_error (self, error, "recording a signature nonce");
  cw_node_store_sqlite_rollback (self);
  return FALSE;
}

void
cw_node_store_sqlite_reads_iface_init (CwNodeStoreInterface *iface)
{
  iface->list_patient_transactions = cw_node_store_sqlite_list_patient_transactions;
  iface->get_chain_head = cw_node_store_sqlite_get_chain_head;
  iface->lookup_key_owner = cw_node_store_sqlite_lookup_key_owner;
  iface->remember_nonce = cw_node_store_sqlite_remember_nonce;
}
