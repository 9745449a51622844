/* cw-node-store-sqlite-state.c: the SQLite store's reads of consent state
 * (patients, invites, grants, requests, logged transactions) and of the
 * log (entries and checkpoints with their cosignatures). */
#include "config.h"

#include <string.h>

#include "cw-node-store-sqlite-private.h"

/* Prepared-statement cache --------------------------------------------------
 *
 * Preparing a statement parses its SQL each time, which was the sequencer's
 * largest single cost per submission. Each connection keeps its statements
 * here, keyed by their SQL; the cache lives as long as the store object, and
 * is freed after the connection is closed (sqlite3_close_v2() leaves it to
 * the last finalize). The connection is serialized (SQLITE_OPEN_FULLMUTEX)
 * but a statement is not: a cached one is lent to one caller at a time. */

typedef struct
{
  sqlite3_stmt *stmt;
  gboolean busy;
} CachedStatement;

typedef struct
{
  sqlite3 *db;
  GHashTable *statements;   /* SQL → CachedStatement */
} StatementCache;

static GMutex cache_lock;
static GHashTable *caches_by_db;   /* sqlite3 → StatementCache, under cache_lock */

static GQuark
statement_cache_quark (void)
{
  return g_quark_from_static_string ("cw-node-store-sqlite-statement-cache");
}

static void
cached_statement_free (gpointer data)
{
  CachedStatement *cached = data;

  sqlite3_finalize (cached->stmt);
  g_free (cached);
}

static void
statement_cache_free (gpointer data)
{
  StatementCache *cache = data;

  g_mutex_lock (&cache_lock);
  g_hash_table_remove (caches_by_db, cache->db);
  g_mutex_unlock (&cache_lock);

  g_hash_table_unref (cache->statements);
  g_free (cache);
}

/* Called with cache_lock held. */
static StatementCache *
get_statement_cache (CwNodeStoreSqlite *self)
{
  StatementCache *cache = g_object_get_qdata (G_OBJECT (self), statement_cache_quark ());

  if (cache != NULL)
    return cache;

  cache = g_new0 (StatementCache, 1);
  cache->db = cw_node_store_sqlite_get_db (self);
  cache->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             cached_statement_free);
  if (caches_by_db == NULL)
    caches_by_db = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (caches_by_db, cache->db, cache);
  g_object_set_qdata_full (G_OBJECT (self), statement_cache_quark (), cache,
                           statement_cache_free);

  return cache;
}

CwSqliteCachedStmt *
cw_node_store_sqlite_prepare_cached (CwNodeStoreSqlite  *self,
                                     const char         *sql,
                                     GError            **error)
{
  StatementCache *cache;
  CachedStatement *cached;
  sqlite3_stmt *stmt;

  g_mutex_lock (&cache_lock);
  cache = get_statement_cache (self);
  cached = g_hash_table_lookup (cache->statements, sql);
  if (cached != NULL && !cached->busy)
    {
      cached->busy = TRUE;
      g_mutex_unlock (&cache_lock);
      return cached->stmt;
    }
  g_mutex_unlock (&cache_lock);

  stmt = cw_node_store_sqlite_prepare (self, sql, error);
  if (stmt == NULL || cached != NULL)
    return stmt;

  /* The first use: this one becomes the cached statement. */
  g_mutex_lock (&cache_lock);
  if (!g_hash_table_contains (cache->statements, sql))
    {
      cached = g_new0 (CachedStatement, 1);
      cached->stmt = stmt;
      cached->busy = TRUE;
      g_hash_table_insert (cache->statements, g_strdup (sql), cached);
    }
  g_mutex_unlock (&cache_lock);

  return stmt;
}

void
cw_node_store_sqlite_release (CwSqliteCachedStmt *stmt)
{
  StatementCache *cache;
  CachedStatement *cached = NULL;

  if (stmt == NULL)
    return;

  /* Ends any read it holds open: a WAL snapshot must not outlive the call. */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  g_mutex_lock (&cache_lock);
  cache = caches_by_db != NULL ? g_hash_table_lookup (caches_by_db, sqlite3_db_handle (stmt))
                               : NULL;
  if (cache != NULL)
    cached = g_hash_table_lookup (cache->statements, sqlite3_sql (stmt));
  if (cached != NULL && cached->stmt == stmt)
    {
      cached->busy = FALSE;
      g_mutex_unlock (&cache_lock);
      return;
    }
  g_mutex_unlock (&cache_lock);

  sqlite3_finalize (stmt);
}

static gboolean
set_not_found (GError     **error,
               const char  *what)
{
  g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND, "No such %s", what);
  return FALSE;
}

static gboolean
set_corrupt (GError     **error,
             const char  *what)
{
  g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
               "A stored %s is invalid", what);
  return FALSE;
}

/* Copies a blob column of exactly @len bytes. */
static gboolean
column_fixed (sqlite3_stmt *stmt,
              int           column,
              guint8       *out,
              gsize         len)
{
  if (sqlite3_column_type (stmt, column) != SQLITE_BLOB ||
      (gsize) sqlite3_column_bytes (stmt, column) != len)
    return FALSE;

  memcpy (out, sqlite3_column_blob (stmt, column), len);

  return TRUE;
}

static char *
column_dup_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Steps @stmt to its single row: FALSE with NOT_FOUND if there is none. */
static gboolean
step_row (CwNodeStoreSqlite  *self,
          sqlite3_stmt       *stmt,
          const char         *what,
          GError            **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    return set_not_found (error, what);

  return cw_node_store_sqlite_set_error (self, error, what);
}

static CwNodePatient *
cw_node_store_sqlite_lookup_patient (CwNodeStore  *store,
                                     const char   *patient_id,
                                     GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  g_autoptr(CwNodePatient) patient = g_new0 (CwNodePatient, 1);

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT current_key, recovery_key, clinic, seq, head,"
                                              " enrolled_idx FROM patients WHERE id = ?1",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  if (!step_row (self, stmt, "patient", error))
    return NULL;

  patient->id = g_strdup (patient_id);
  patient->clinic = column_dup_text (stmt, 2);
  patient->seq = sqlite3_column_int64 (stmt, 3);
  patient->enrolled_index = sqlite3_column_int64 (stmt, 5);
  if (!column_fixed (stmt, 0, patient->current_key, CW_PUBLIC_KEY_SIZE) ||
      !column_fixed (stmt, 1, patient->recovery_key, CW_PUBLIC_KEY_SIZE) ||
      !column_fixed (stmt, 4, patient->head, CW_TX_ID_SIZE))
    {
      set_corrupt (error, "patient");
      return NULL;
    }

  return g_steal_pointer (&patient);
}

static CwNodeInvite *
cw_node_store_sqlite_lookup_invite (CwNodeStore   *store,
                                    const guint8   code_hash[CW_NODE_STORE_HASH_SIZE],
                                    GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  g_autoptr(CwNodeInvite) invite = g_new0 (CwNodeInvite, 1);

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT provider_id, expires, used, used_at, used_by"
                                              " FROM invites WHERE code_hash = ?1",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_blob (stmt, 1, code_hash, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  if (!step_row (self, stmt, "invite", error))
    return NULL;

  memcpy (invite->code_hash, code_hash, CW_NODE_STORE_HASH_SIZE);
  invite->provider = column_dup_text (stmt, 0);
  invite->expires = sqlite3_column_int64 (stmt, 1);
  invite->used = sqlite3_column_int (stmt, 2) != 0;
  invite->used_at = sqlite3_column_int64 (stmt, 3);
  if (invite->used)
    column_fixed (stmt, 4, invite->used_by, CW_PUBLIC_KEY_SIZE);

  return g_steal_pointer (&invite);
}

static CwNodeGrant *
cw_node_store_sqlite_lookup_grant (CwNodeStore   *store,
                                   const guint8   id[CW_NODE_STORE_HASH_SIZE],
                                   GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  g_autoptr(CwNodeGrant) grant = g_new0 (CwNodeGrant, 1);

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT patient, provider, scopes, purpose, access,"
                                              " data_from, data_to, expires, request, idx,"
                                              " revoked_by, revoked_idx FROM grants WHERE id = ?1",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_blob (stmt, 1, id, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  if (!step_row (self, stmt, "grant", error))
    return NULL;

  memcpy (grant->id, id, CW_NODE_STORE_HASH_SIZE);
  grant->patient = column_dup_text (stmt, 0);
  grant->provider = column_dup_text (stmt, 1);
  grant->data_from = column_dup_text (stmt, 5);
  grant->data_to = column_dup_text (stmt, 6);
  grant->expires = sqlite3_column_int64 (stmt, 7);
  grant->has_request = column_fixed (stmt, 8, grant->request, CW_TX_ID_SIZE);
  grant->index = sqlite3_column_int64 (stmt, 9);
  grant->revoked = column_fixed (stmt, 10, grant->revoked_by, CW_TX_ID_SIZE);
  grant->revoked_index = sqlite3_column_int64 (stmt, 11);

  if (!cw_node_scopes_from_string ((const char *) sqlite3_column_text (stmt, 2), &grant->scopes) ||
      !cw_purpose_from_string ((const char *) sqlite3_column_text (stmt, 3), &grant->purpose) ||
      !cw_node_access_from_string ((const char *) sqlite3_column_text (stmt, 4), &grant->access))
    {
      set_corrupt (error, "grant");
      return NULL;
    }

  return g_steal_pointer (&grant);
}

static CwNodeRequest *
cw_node_store_sqlite_lookup_request (CwNodeStore   *store,
                                     const guint8   id[CW_NODE_STORE_HASH_SIZE],
                                     GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  g_autoptr(CwNodeRequest) request = g_new0 (CwNodeRequest, 1);

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT patient, provider, scopes, purpose, access,"
                                              " expires, reason, idx, state, answered_by"
                                              " FROM requests WHERE id = ?1",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_blob (stmt, 1, id, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  if (!step_row (self, stmt, "request", error))
    return NULL;

  memcpy (request->id, id, CW_NODE_STORE_HASH_SIZE);
  request->patient = column_dup_text (stmt, 0);
  request->provider = column_dup_text (stmt, 1);
  request->expires = sqlite3_column_int64 (stmt, 5);
  request->reason = column_dup_text (stmt, 6);
  request->index = sqlite3_column_int64 (stmt, 7);
  column_fixed (stmt, 9, request->answered_by, CW_TX_ID_SIZE);

  if (!cw_node_scopes_from_string ((const char *) sqlite3_column_text (stmt, 2), &request->scopes) ||
      !cw_purpose_from_string ((const char *) sqlite3_column_text (stmt, 3), &request->purpose) ||
      !cw_node_access_from_string ((const char *) sqlite3_column_text (stmt, 4), &request->access) ||
      !cw_node_request_state_from_string ((const char *) sqlite3_column_text (stmt, 8),
                                          &request->state))
    {
      set_corrupt (error, "request");
      return NULL;
    }

  return g_steal_pointer (&request);
}

static CwNodeTxRecord *
cw_node_store_sqlite_lookup_transaction (CwNodeStore   *store,
                                         const guint8   id[CW_NODE_STORE_HASH_SIZE],
                                         GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  g_autoptr(CwNodeTxRecord) record = g_new0 (CwNodeTxRecord, 1);

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT idx, type, patient, provider, seq, outcome,"
                                              " envelope, received FROM transactions WHERE id = ?1",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_blob (stmt, 1, id, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  if (!step_row (self, stmt, "transaction", error))
    return NULL;

  memcpy (record->id, id, CW_NODE_STORE_HASH_SIZE);
  record->index = sqlite3_column_int64 (stmt, 0);
  record->patient = column_dup_text (stmt, 2);
  record->provider = column_dup_text (stmt, 3);
  record->seq = sqlite3_column_int64 (stmt, 4);
  record->envelope = g_bytes_new (sqlite3_column_blob (stmt, 6), sqlite3_column_bytes (stmt, 6));
  record->received = sqlite3_column_int64 (stmt, 7);

  if (!cw_tx_type_from_string ((const char *) sqlite3_column_text (stmt, 1), &record->type) ||
      !cw_node_outcome_from_string ((const char *) sqlite3_column_text (stmt, 5), &record->outcome))
    {
      set_corrupt (error, "transaction");
      return NULL;
    }

  return g_steal_pointer (&record);
}

static GBytes *
cw_node_store_sqlite_read_entries (CwNodeStore  *store,
                                   guint64       start,
                                   guint64       count,
                                   GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  g_autoptr(GByteArray) ids = NULL;
  guint64 expected = start;
  int rc;

  if (count > G_MAXINT64 || start > G_MAXINT64 - count)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No such entries");
      return NULL;
    }

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT idx, id FROM transactions"
                                              " WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) start);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) (start + count));
  ids = g_byte_array_sized_new (MIN (count, 1 << 16) * CW_TX_ID_SIZE);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if ((guint64) sqlite3_column_int64 (stmt, 0) != expected ||
          sqlite3_column_bytes (stmt, 1) != CW_TX_ID_SIZE)
        {
          set_corrupt (error, "log entry");
          return NULL;
        }
      g_byte_array_append (ids, sqlite3_column_blob (stmt, 1), CW_TX_ID_SIZE);
      expected++;
    }

  if (rc != SQLITE_DONE)
    {
      cw_node_store_sqlite_set_error (self, error, "reading log entries");
      return NULL;
    }

  if (expected != start + count)
    {
      set_not_found (error, "log entry");
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&ids));
}

/* Appends the stored cosignature lines of the checkpoint of @size. */
static gboolean
append_cosignatures (CwNodeStoreSqlite  *self,
                     guint64             size,
                     GString            *note,
                     GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  int rc;

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT line FROM cosignatures"
                                              " WHERE checkpoint_size = ?1 ORDER BY witness",
                                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) size);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_string_append (note, (const char *) sqlite3_column_text (stmt, 0));
      g_string_append_c (note, '\n');
    }

  if (rc != SQLITE_DONE)
    return cw_node_store_sqlite_set_error (self, error, "reading cosignatures");

  return TRUE;
}

/* The first checkpoint with size ≥ @min_size, cosigned, or NULL + NOT_FOUND. */
static char *
dup_checkpoint_from (CwNodeStoreSqlite  *self,
                     guint64             min_size,
                     gboolean            exact,
                     guint64            *out_size,
                     GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  g_autoptr(GString) note = NULL;
  guint64 size;

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              exact
                                                ? "SELECT size, note FROM checkpoints WHERE size = ?1"
                                                : "SELECT size, note FROM checkpoints WHERE size >= ?1"
                                                  " ORDER BY size LIMIT 1",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) min_size);
  if (!step_row (self, stmt, "checkpoint", error))
    return NULL;

  size = sqlite3_column_int64 (stmt, 0);
  note = g_string_new ((const char *) sqlite3_column_text (stmt, 1));
  g_clear_pointer (&stmt, cw_node_store_sqlite_release);

  if (!append_cosignatures (self, size, note, error))
    return NULL;

  if (out_size != NULL)
    *out_size = size;

  return g_string_free (g_steal_pointer (&note), FALSE);
}

static char *
cw_node_store_sqlite_dup_checkpoint (CwNodeStore  *store,
                                     guint64       size,
                                     GError      **error)
{
  if (size > G_MAXINT64)
    {
      set_not_found (error, "checkpoint");
      return NULL;
    }

  return dup_checkpoint_from (CW_NODE_STORE_SQLITE (store), size, TRUE, NULL, error);
}

static char *
cw_node_store_sqlite_dup_checkpoint_covering (CwNodeStore  *store,
                                              guint64       index,
                                              guint64      *out_size,
                                              GError      **error)
{
  if (index >= G_MAXINT64)
    {
      set_not_found (error, "checkpoint");
      return NULL;
    }

  return dup_checkpoint_from (CW_NODE_STORE_SQLITE (store), index + 1, FALSE, out_size, error);
}

void
cw_node_store_sqlite_state_iface_init (CwNodeStoreInterface *iface)
{
  iface->lookup_patient = cw_node_store_sqlite_lookup_patient;
  iface->lookup_invite = cw_node_store_sqlite_lookup_invite;
  iface->lookup_grant = cw_node_store_sqlite_lookup_grant;
  iface->lookup_request = cw_node_store_sqlite_lookup_request;
  iface->lookup_transaction = cw_node_store_sqlite_lookup_transaction;
  iface->read_entries = cw_node_store_sqlite_read_entries;
  iface->dup_checkpoint = cw_node_store_sqlite_dup_checkpoint;
  iface->dup_checkpoint_covering = cw_node_store_sqlite_dup_checkpoint_covering;
}
