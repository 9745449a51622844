/* cw-node-store-sqlite-log.c: the SQLite store's log outside a batch: the
 * committed tree head, the stored tree hashes the tree is rebuilt from, and
 * the signed checkpoints (each stored without an fsync of its own). */
#include "config.h"

#include <string.h>

#include "cw-log-tree.h"
#include "cw-node-store-sqlite-private.h"

static gboolean
read_tree_head (CwNodeStoreSqlite  *self,
                guint64            *out_size,
                guint8             *out_root,
                GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = cw_node_store_sqlite_prepare (self, "SELECT size, root FROM tree_head WHERE id = 1",
                                       error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "The database “%s” holds no log", cw_node_store_sqlite_get_path (self));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return cw_node_store_sqlite_set_error (self, error, "reading the tree head");

  if (sqlite3_column_int64 (stmt, 0) < 0 ||
      sqlite3_column_bytes (stmt, 1) != CW_NODE_STORE_HASH_SIZE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                   "The stored tree head is invalid");
      return FALSE;
    }

  *out_size = sqlite3_column_int64 (stmt, 0);
  if (out_root != NULL)
    memcpy (out_root, sqlite3_column_blob (stmt, 1), CW_NODE_STORE_HASH_SIZE);

  return TRUE;
}

static gboolean
cw_node_store_sqlite_get_tree_head (CwNodeStore  *store,
                                    guint64      *out_size,
                                    guint8        out_root[CW_NODE_STORE_HASH_SIZE],
                                    GError      **error)
{
  return read_tree_head (CW_NODE_STORE_SQLITE (store), out_size, out_root, error);
}

static GBytes *
cw_node_store_sqlite_load_tree_hashes (CwNodeStore  *store,
                                       guint64      *out_size,
                                       GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GByteArray) hashes = NULL;
  guint64 size;
  guint64 count;
  guint64 expected = 0;
  int rc;

  /* One read transaction, so the head and the hashes agree. */
  if (!cw_node_store_sqlite_exec (self, "BEGIN", error))
    return NULL;

  if (!read_tree_head (self, &size, NULL, error))
    goto fail;

  count = cw_log_tree_stored_hash_count (size);
  stmt = cw_node_store_sqlite_prepare (self,
                                       "SELECT stored_index, hash FROM tree_hashes"
                                       " WHERE stored_index < ?1 ORDER BY stored_index",
                                       error);
  if (stmt == NULL)
    goto fail;

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) count);
  hashes = g_byte_array_sized_new (MIN (count, 1 << 20) * CW_NODE_STORE_HASH_SIZE);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if ((guint64) sqlite3_column_int64 (stmt, 0) != expected ||
          sqlite3_column_bytes (stmt, 1) != CW_NODE_STORE_HASH_SIZE)
        {
          g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                       "Stored tree hash %" G_GUINT64_FORMAT " is missing or invalid",
                       expected);
          goto fail;
        }
      g_byte_array_append (hashes, sqlite3_column_blob (stmt, 1), CW_NODE_STORE_HASH_SIZE);
      expected++;
    }

  if (rc != SQLITE_DONE)
    {
      cw_node_store_sqlite_set_error (self, error, "loading the tree");
      goto fail;
    }

  if (expected != count)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                   "The tree of size %" G_GUINT64_FORMAT " needs %" G_GUINT64_FORMAT
                   " stored hashes, found %" G_GUINT64_FORMAT, size, count, expected);
      goto fail;
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!cw_node_store_sqlite_exec (self, "COMMIT", error))
    goto fail;

  *out_size = size;

  return g_byte_array_free_to_bytes (g_steal_pointer (&hashes));

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  cw_node_store_sqlite_rollback (self);
  return NULL;
}

static gboolean
insert_checkpoint (CwNodeStoreSqlite  *self,
                   guint64             size,
                   const guint8        root[CW_NODE_STORE_HASH_SIZE],
                   const char         *signed_note,
                   gint64              created,
                   GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) latest = NULL;
  g_autoptr(CwSqliteCachedStmt) insert = NULL;
  guint8 head_root[CW_NODE_STORE_HASH_SIZE];
  guint64 head_size;
  int rc;

  if (!cw_node_store_sqlite_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!read_tree_head (self, &head_size, head_root, error))
    goto fail;

  /* A checkpoint is only ever signed for the committed tree head. */
  if (size != head_size || memcmp (root, head_root, CW_NODE_STORE_HASH_SIZE) != 0)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CONFLICT,
                   "The checkpoint for size %" G_GUINT64_FORMAT " does not match the "
                   "committed tree (size %" G_GUINT64_FORMAT ")", size, head_size);
      goto fail;
    }

  latest = cw_node_store_sqlite_prepare_cached (self,
                                                "SELECT size, root FROM checkpoints"
                                                " ORDER BY size DESC LIMIT 1",
                                                error);
  if (latest == NULL)
    goto fail;

  rc = sqlite3_step (latest);
  if (rc == SQLITE_ROW)
    {
      guint64 latest_size = sqlite3_column_int64 (latest, 0);

      if (latest_size > size ||
          (latest_size == size && (sqlite3_column_bytes (latest, 1) != CW_NODE_STORE_HASH_SIZE ||
                                   memcmp (sqlite3_column_blob (latest, 1), root,
                                           CW_NODE_STORE_HASH_SIZE) != 0)))
        {
          g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CONFLICT,
                       "A checkpoint for size %" G_GUINT64_FORMAT " exists already",
                       latest_size);
          goto fail;
        }
    }
  else if (rc != SQLITE_DONE)
    {
      cw_node_store_sqlite_set_error (self, error, "reading the latest checkpoint");
      goto fail;
    }

  insert = cw_node_store_sqlite_prepare_cached (self,
                                                "INSERT OR REPLACE INTO checkpoints"
                                                " (size, root, note, created)"
                                                " VALUES (?1, ?2, ?3, ?4)",
                                                error);
  if (insert == NULL)
    goto fail;

  sqlite3_bind_int64 (insert, 1, (sqlite3_int64) size);
  sqlite3_bind_blob (insert, 2, root, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3, signed_note, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 4, created);

  if (!cw_node_store_sqlite_step_done (self, insert, "storing a checkpoint", error))
    goto fail;

  g_clear_pointer (&latest, cw_node_store_sqlite_release);
  g_clear_pointer (&insert, cw_node_store_sqlite_release);
  if (!cw_node_store_sqlite_exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  g_clear_pointer (&latest, cw_node_store_sqlite_release);
  g_clear_pointer (&insert, cw_node_store_sqlite_release);
  cw_node_store_sqlite_rollback (self);
  return FALSE;
}

/* A checkpoint row is committed without an fsync of its own
 * (synchronous=NORMAL, which in WAL mode still never loses consistency,
 * only possibly the latest commits on power loss or kill -9 before the
 * next fsync). This is safe because the row is derived data:
 *
 *  - It is only ever written for the committed tree head (checked above
 *    inside the transaction), and that head was made durable by the
 *    batch's own synchronous=FULL commit before anything was signed.
 *  - The note is a deterministic function of (origin, size, root) and the
 *    log key: Ed25519 signatures are deterministic, so signing the same
 *    head again gives the same bytes.
 *  - WAL recovery keeps a prefix of the commits, and the next batch's FULL
 *    commit fsyncs the WAL after this row's frames; so at most the row of
 *    the latest durable head can be lost, never an earlier one, and never
 *    with a later head present.
 *  - On start (cw_node_sequencer_load_log) a durable head without its
 *    checkpoint row is signed again, which recreates the very note every
 *    submitter of that batch received. No second, different checkpoint of
 *    any size can ever exist.
 */
static gboolean
cw_node_store_sqlite_add_checkpoint (CwNodeStore   *store,
                                     guint64        size,
                                     const guint8   root[CW_NODE_STORE_HASH_SIZE],
                                     const char    *signed_note,
                                     gint64         created,
                                     GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  gboolean inserted;

  if (!cw_node_store_sqlite_set_synchronous (self, FALSE, error))
    return FALSE;

  inserted = insert_checkpoint (self, size, root, signed_note, created, error);

  /* Every other write stays FULL; commit_batch() also sets FULL itself,
   * so a failure here cannot weaken a batch. */
  if (!cw_node_store_sqlite_set_synchronous (self, TRUE, inserted ? error : NULL))
    return FALSE;

  return inserted;
}

static char *
cw_node_store_sqlite_dup_latest_checkpoint (CwNodeStore  *store,
                                            guint64      *out_size,
                                            GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = cw_node_store_sqlite_prepare (self,
                                       "SELECT size, note FROM checkpoints"
                                       " ORDER BY size DESC LIMIT 1",
                                       error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      cw_node_store_sqlite_set_error (self, error, "reading the latest checkpoint");
      return NULL;
    }

  if (out_size != NULL)
    *out_size = sqlite3_column_int64 (stmt, 0);

  return g_strdup ((const char *) sqlite3_column_text (stmt, 1));
}

void
cw_node_store_sqlite_log_iface_init (CwNodeStoreInterface *iface)
{
  iface->get_tree_head = cw_node_store_sqlite_get_tree_head;
  iface->load_tree_hashes = cw_node_store_sqlite_load_tree_hashes;
  iface->add_checkpoint = cw_node_store_sqlite_add_checkpoint;
  iface->dup_latest_checkpoint = cw_node_store_sqlite_dup_latest_checkpoint;
}
