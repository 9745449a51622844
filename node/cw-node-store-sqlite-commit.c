/* cw-node-store-sqlite-commit.c: the SQLite store's writes for the
 * sequencer: one batch (tree, head, transactions, consent state) in one
 * transaction, and witness cosignatures. */
#include "config.h"

#include <string.h>

#include "cw-log-tree.h"
#include "cw-node-store-sqlite-private.h"

/* Runs @stmt to completion and resets it for the next row. */
static gboolean
run (CwNodeStoreSqlite  *self,
     sqlite3_stmt       *stmt,
     const char         *what,
     GError            **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return cw_node_store_sqlite_set_error (self, error, what);

  return TRUE;
}

/* BEGIN and COMMIT, without parsing them for every batch. */
static gboolean
exec_cached (CwNodeStoreSqlite  *self,
             const char         *sql,
             GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare_cached (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cw_node_store_sqlite_set_error (self, error, sql);

  return TRUE;
}

static gboolean
check_head (CwNodeStoreSqlite  *self,
            CwNodeBatch        *batch,
            GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare_cached (self, "SELECT size FROM tree_head WHERE id = 1",
                                              error);
  if (stmt == NULL)
    return FALSE;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return cw_node_store_sqlite_set_error (self, error, "reading the tree head");

  if ((guint64) sqlite3_column_int64 (stmt, 0) != batch->old_size)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CONFLICT,
                   "The batch grows the tree from size %" G_GUINT64_FORMAT
                   ", but the committed tree has size %" G_GINT64_FORMAT,
                   batch->old_size, (gint64) sqlite3_column_int64 (stmt, 0));
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_tree (CwNodeStoreSqlite  *self,
            CwNodeBatch        *batch,
            GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) insert = NULL;
  g_autoptr(CwSqliteCachedStmt) head = NULL;
  guint64 first = cw_log_tree_stored_hash_count (batch->old_size);
  guint64 count = cw_log_tree_stored_hash_count (batch->new_size) - first;
  gsize len = 0;
  const guint8 *hashes = g_bytes_get_data (batch->tree_hashes, &len);

  if (len != count * CW_NODE_STORE_HASH_SIZE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_FAILED,
                   "The batch carries %" G_GSIZE_FORMAT " bytes of tree hashes, expected %"
                   G_GUINT64_FORMAT, len, count * CW_NODE_STORE_HASH_SIZE);
      return FALSE;
    }

  insert = cw_node_store_sqlite_prepare_cached (self,
                                                "INSERT INTO tree_hashes (stored_index, hash)"
                                                " VALUES (?1, ?2)",
                                                error);
  head = cw_node_store_sqlite_prepare_cached (self,
                                              "UPDATE tree_head SET size = ?1, root = ?2"
                                              " WHERE id = 1",
                                              error);
  if (insert == NULL || head == NULL)
    return FALSE;

  for (guint64 i = 0; i < count; i++)
    {
      sqlite3_bind_int64 (insert, 1, (sqlite3_int64) (first + i));
      sqlite3_bind_blob (insert, 2, hashes + i * CW_NODE_STORE_HASH_SIZE,
                         CW_NODE_STORE_HASH_SIZE, SQLITE_STATIC);
      if (!run (self, insert, "storing tree hashes", error))
        return FALSE;
    }

  sqlite3_bind_int64 (head, 1, (sqlite3_int64) batch->new_size);
  sqlite3_bind_blob (head, 2, batch->new_root, CW_NODE_STORE_HASH_SIZE, SQLITE_STATIC);

  return run (self, head, "storing the tree head", error);
}

static gboolean
write_transactions (CwNodeStoreSqlite  *self,
                    CwNodeBatch        *batch,
                    GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "INSERT INTO transactions (idx, id, type, patient,"
                                              " provider,"
                                              " seq, outcome, envelope, received)"
                                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                              error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < batch->transactions->len; i++)
    {
      CwNodeTxRecord *tx = g_ptr_array_index (batch->transactions, i);
      gsize envelope_len = 0;
      const void *envelope = g_bytes_get_data (tx->envelope, &envelope_len);

      sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) tx->index);
      sqlite3_bind_blob (stmt, 2, tx->id, CW_TX_ID_SIZE, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, cw_tx_type_to_string (tx->type), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, tx->patient, -1, SQLITE_STATIC);
      if (tx->provider != NULL)
        sqlite3_bind_text (stmt, 5, tx->provider, -1, SQLITE_STATIC);
      if (!cw_tx_type_is_provider_signed (tx->type))
        sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) tx->seq);
      sqlite3_bind_text (stmt, 7, cw_node_outcome_to_string (tx->outcome), -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 8, envelope, envelope_len, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, tx->received);

      if (!run (self, stmt, "storing a transaction", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_patients (CwNodeStoreSqlite  *self,
                CwNodeBatch        *batch,
                GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "INSERT INTO patients (id, current_key,"
                                              " recovery_key, clinic,"
                                              " seq, head, enrolled_idx) VALUES (?1, ?2, ?3, ?4,"
                                              " ?5, ?6, ?7)"
                                              " ON CONFLICT (id) DO UPDATE SET"
                                              " current_key = excluded.current_key,"
                                              " recovery_key = excluded.recovery_key,"
                                              " seq = excluded.seq, head = excluded.head",
                                              error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < batch->patients->len; i++)
    {
      CwNodePatient *patient = g_ptr_array_index (batch->patients, i);

      sqlite3_bind_text (stmt, 1, patient->id, -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 2, patient->current_key, CW_PUBLIC_KEY_SIZE, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 3, patient->recovery_key, CW_PUBLIC_KEY_SIZE, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, patient->clinic, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) patient->seq);
      sqlite3_bind_blob (stmt, 6, patient->head, CW_TX_ID_SIZE, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, (sqlite3_int64) patient->enrolled_index);

      if (!run (self, stmt, "storing a patient", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_grants (CwNodeStoreSqlite  *self,
              CwNodeBatch        *batch,
              GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;

  /* A grant's terms never change; only a revocation is added later. */
  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "INSERT INTO grants (id, patient, provider, scopes,"
                                              " purpose,"
                                              " access, data_from, data_to, expires, request, idx,"
                                              " revoked_by, revoked_idx)"
                                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                                              " ?11, ?12, ?13)"
                                              " ON CONFLICT (id) DO UPDATE SET"
                                              " revoked_by = excluded.revoked_by,"
                                              " revoked_idx = excluded.revoked_idx",
                                              error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < batch->grants->len; i++)
    {
      CwNodeGrant *grant = g_ptr_array_index (batch->grants, i);
      g_autofree char *scopes = cw_node_scopes_to_string (grant->scopes);
      g_autofree char *access = cw_node_access_to_string (grant->access);

      sqlite3_bind_blob (stmt, 1, grant->id, CW_TX_ID_SIZE, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, grant->patient, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, grant->provider, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, scopes, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, cw_purpose_to_string (grant->purpose), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, access, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 7, grant->data_from, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, grant->data_to, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, grant->expires);
      if (grant->has_request)
        sqlite3_bind_blob (stmt, 10, grant->request, CW_TX_ID_SIZE, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 11, (sqlite3_int64) grant->index);
      if (grant->revoked)
        {
          sqlite3_bind_blob (stmt, 12, grant->revoked_by, CW_TX_ID_SIZE, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 13, (sqlite3_int64) grant->revoked_index);
        }

      if (!run (self, stmt, "storing a grant", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_requests (CwNodeStoreSqlite  *self,
                CwNodeBatch        *batch,
                GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "INSERT INTO requests (id, patient, provider,"
                                              " scopes, purpose,"
                                              " access, expires, reason, idx, state, answered_by)"
                                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                                              " ?11)"
                                              " ON CONFLICT (id) DO UPDATE SET"
                                              " state = excluded.state, answered_by ="
                                              " excluded.answered_by",
                                              error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < batch->requests->len; i++)
    {
      CwNodeRequest *request = g_ptr_array_index (batch->requests, i);
      g_autofree char *scopes = cw_node_scopes_to_string (request->scopes);
      g_autofree char *access = cw_node_access_to_string (request->access);

      sqlite3_bind_blob (stmt, 1, request->id, CW_TX_ID_SIZE, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, request->patient, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, request->provider, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, scopes, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, cw_purpose_to_string (request->purpose), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, access, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, request->expires);
      sqlite3_bind_text (stmt, 8, request->reason, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, (sqlite3_int64) request->index);
      sqlite3_bind_text (stmt, 10, cw_node_request_state_to_string (request->state), -1,
                         SQLITE_STATIC);
      if (request->state != CW_NODE_REQUEST_PENDING)
        sqlite3_bind_blob (stmt, 11, request->answered_by, CW_TX_ID_SIZE, SQLITE_STATIC);

      if (!run (self, stmt, "storing a request", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_used_invites (CwNodeStoreSqlite  *self,
                    CwNodeBatch        *batch,
                    GError            **error)
{
  sqlite3 *db = cw_node_store_sqlite_get_db (self);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "UPDATE invites SET used = 1, used_at = ?2, used_by"
                                              " = ?3"
                                              " WHERE code_hash = ?1 AND used = 0",
                                              error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < batch->used_invites->len; i++)
    {
      CwNodeInvite *invite = g_ptr_array_index (batch->used_invites, i);

      sqlite3_bind_blob (stmt, 1, invite->code_hash, CW_HASH_SIZE, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, invite->used_at);
      sqlite3_bind_blob (stmt, 3, invite->used_by, CW_PUBLIC_KEY_SIZE, SQLITE_STATIC);

      if (!run (self, stmt, "using an invite", error))
        return FALSE;

      /* Only the sequencer uses invites; anything else is a second writer. */
      if (sqlite3_changes (db) != 1)
        {
          g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CONFLICT,
                       "An invite the batch uses is gone or used already");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
cw_node_store_sqlite_commit_batch (CwNodeStore  *store,
                                   CwNodeBatch  *batch,
                                   GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);

  g_return_val_if_fail (batch->new_size == batch->old_size + batch->transactions->len, FALSE);

  /* Every batch is fsynced before it is answered, whatever an earlier
   * write of this connection set (checkpoint rows are NORMAL). */
  if (!cw_node_store_sqlite_set_synchronous (self, TRUE, error) ||
      !exec_cached (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!check_head (self, batch, error) ||
      !write_tree (self, batch, error) ||
      !write_transactions (self, batch, error) ||
      !write_patients (self, batch, error) ||
      !write_grants (self, batch, error) ||
      !write_requests (self, batch, error) ||
      !write_used_invites (self, batch, error) ||
      !exec_cached (self, "COMMIT", error))
    {
      cw_node_store_sqlite_rollback (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
cw_node_store_sqlite_add_cosignature (CwNodeStore  *store,
                                      guint64       size,
                                      const char   *witness,
                                      const char   *line,
                                      gint64        time,
                                      GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  int changes;

  g_return_val_if_fail (witness != NULL && line != NULL, FALSE);

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "INSERT OR REPLACE INTO cosignatures"
                                              " (checkpoint_size, witness, line, time)"
                                              " SELECT size, ?2, ?3, ?4 FROM checkpoints WHERE"
                                              " size = ?1",
                                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) MIN (size, (guint64) G_MAXINT64));
  sqlite3_bind_text (stmt, 2, witness, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, line, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, time);

  /* Without an fsync of its own, like the checkpoint row: a cosignature is
   * re-obtainable from its witness, and one lost in a crash only means
   * the checkpoint is served with fewer cosignatures until the next one. */
  if (!cw_node_store_sqlite_set_synchronous (self, FALSE, error))
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cw_node_store_sqlite_set_error (self, error, "storing a cosignature");
      cw_node_store_sqlite_set_synchronous (self, TRUE, NULL);
      return FALSE;
    }
  changes = sqlite3_changes (cw_node_store_sqlite_get_db (self));
  if (!cw_node_store_sqlite_set_synchronous (self, TRUE, error))
    return FALSE;

  if (changes == 0)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No checkpoint of size %" G_GUINT64_FORMAT, size);
      return FALSE;
    }

  return TRUE;
}

void
cw_node_store_sqlite_commit_iface_init (CwNodeStoreInterface *iface)
{
  iface->commit_batch = cw_node_store_sqlite_commit_batch;
  iface->add_cosignature = cw_node_store_sqlite_add_cosignature;
}
