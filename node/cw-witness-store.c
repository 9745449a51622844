/* cw-witness-store.c: a witness's own SQLite database (WAL,
 * synchronous=FULL): per log, the checkpoint last cosigned, updated by
 * compare-and-set as c2sp.org/tlog-witness requires.
 *
 * Every statement is prepared with bound parameters. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "cw-encoding.h"
#include "cw-witness-store.h"

struct _CwWitnessStore
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
};

G_DEFINE_FINAL_TYPE (CwWitnessStore, cw_witness_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (cw-witness-store-error-quark, cw_witness_store_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Entry i takes user_version i to i + 1; append, never edit. */
static const char * const migrations[] = {
  "CREATE TABLE logs ("
  "  origin TEXT PRIMARY KEY,"
  "  verifier_key TEXT NOT NULL,"
  "  size INTEGER NOT NULL CHECK (size >= 0),"
  "  root BLOB NOT NULL CHECK (length (root) = 32),"
  "  updated INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE evidence ("
  "  id INTEGER PRIMARY KEY,"
  "  origin TEXT NOT NULL REFERENCES logs (origin),"
  "  reason TEXT NOT NULL,"
  "  body BLOB NOT NULL,"
  "  received INTEGER NOT NULL"
  ");",
};

void
cw_witness_log_free (CwWitnessLog *self)
{
  if (self == NULL)
    return;

  g_free (self->origin);
  g_clear_pointer (&self->key, cw_verifier_key_unref);
  g_free (self);
}

static gboolean
set_db_error (CwWitnessStore  *self,
              GError         **error,
              const char      *what)
{
  int code = sqlite3_errcode (self->db);

  g_set_error (error, CW_WITNESS_STORE_ERROR,
               code == SQLITE_CORRUPT || code == SQLITE_NOTADB
                 ? CW_WITNESS_STORE_ERROR_CORRUPT : CW_WITNESS_STORE_ERROR_FAILED,
               "Witness database error while %s: %s", what, sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
prepare (CwWitnessStore  *self,
         const char      *sql,
         GError         **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error, "preparing a statement");
      return NULL;
    }

  return stmt;
}

static gboolean
exec (CwWitnessStore  *self,
      const char      *sql,
      GError         **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_db_error (self, error, sql);

  return TRUE;
}

static void
rollback (CwWitnessStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
migrate (CwWitnessStore  *self,
         GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 version;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  stmt = prepare (self, "PRAGMA user_version", error);
  if (stmt == NULL)
    goto fail;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (self, error, "reading the schema version");
      goto fail;
    }
  version = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_VERSION,
                   "The witness database “%s” has schema version %" G_GINT64_FORMAT
                   ", written by a newer consent-node", self->path, version);
      goto fail;
    }

  for (gint64 v = version; v < (gint64) G_N_ELEMENTS (migrations); v++)
    {
      /* PRAGMA takes no bound parameters; the value is our own integer. */
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT,
                                                      v + 1);

      if (!exec (self, migrations[v], error) || !exec (self, set_version, error))
        goto fail;
    }

  if (!exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self);
  return FALSE;
}

static gboolean
open_database (CwWitnessStore  *self,
               gboolean         create,
               GError         **error)
{
  g_autoptr(sqlite3_stmt) wal = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;

  if (create)
    {
      /* Created here so that it is private whatever the umask. */
      int fd = open (self->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

      if (fd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, CW_WITNESS_STORE_ERROR,
                       saved_errno == EEXIST ? CW_WITNESS_STORE_ERROR_EXISTS
                                             : CW_WITNESS_STORE_ERROR_FAILED,
                       "Could not create the witness database “%s”: %s",
                       self->path, g_strerror (saved_errno));
          return FALSE;
        }
      close (fd);
    }

  if (sqlite3_open_v2 (self->path, &self->db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_FAILED,
                   "Could not open the witness database “%s”: %s", self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

  wal = prepare (self, "PRAGMA journal_mode = WAL", error);
  if (wal == NULL)
    return FALSE;
  if (sqlite3_step (wal) != SQLITE_ROW ||
      g_strcmp0 ((const char *) sqlite3_column_text (wal, 0), "wal") != 0)
    return set_db_error (self, error, "switching to WAL mode");
  g_clear_pointer (&wal, sqlite3_finalize);

  /* A cosignature may only leave once its state is on disk. */
  if (!exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;

  return migrate (self, error);
}

static void
cw_witness_store_finalize (GObject *object)
{
  CwWitnessStore *self = (CwWitnessStore *)object;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (cw_witness_store_parent_class)->finalize (object);
}

static void
cw_witness_store_class_init (CwWitnessStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_witness_store_finalize;
}

static void
cw_witness_store_init (CwWitnessStore *self)
{
}

CwWitnessStore *
cw_witness_store_new (const char  *path,
                      gboolean     create,
                      GError     **error)
{
  g_autoptr(CwWitnessStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (CW_TYPE_WITNESS_STORE, NULL);
  self->path = g_strdup (path);

  if (!create && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_NOT_FOUND,
                   "The witness database “%s” does not exist", path);
      return NULL;
    }

  if (!open_database (self, create, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
cw_witness_store_add_log (CwWitnessStore  *self,
                          const char      *origin,
                          CwVerifierKey   *key,
                          gint64           now,
                          GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *key_text = NULL;
  guint8 empty_root[CW_WITNESS_STORE_HASH_SIZE];

  g_return_val_if_fail (CW_IS_WITNESS_STORE (self), FALSE);
  g_return_val_if_fail (origin != NULL && key != NULL, FALSE);

  stmt = prepare (self,
                  "INSERT INTO logs (origin, verifier_key, size, root, updated)"
                  " VALUES (?1, ?2, 0, ?3, ?4)", error);
  if (stmt == NULL)
    return FALSE;

  key_text = cw_verifier_key_to_string (key);
  cw_sha256 (NULL, 0, empty_root);
  sqlite3_bind_text (stmt, 1, origin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, key_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, empty_root, sizeof empty_root, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        {
          g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_EXISTS,
                       "The log “%s” is witnessed already", origin);
          return FALSE;
        }
      return set_db_error (self, error, "adding a log");
    }

  return TRUE;
}

static CwWitnessLog *
log_from_row (CwWitnessStore  *self,
              sqlite3_stmt    *stmt,
              GError         **error)
{
  g_autoptr(CwWitnessLog) log = g_new0 (CwWitnessLog, 1);
  g_autoptr(GError) local_error = NULL;
  const char *origin = (const char *) sqlite3_column_text (stmt, 0);
  const char *key_text = (const char *) sqlite3_column_text (stmt, 1);
  gint64 size = sqlite3_column_int64 (stmt, 2);

  log->key = key_text != NULL ? cw_verifier_key_new_from_string (key_text, &local_error) : NULL;
  if (origin == NULL || log->key == NULL || size < 0 ||
      sqlite3_column_bytes (stmt, 3) != CW_WITNESS_STORE_HASH_SIZE)
    {
      g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_CORRUPT,
                   "The witness database “%s” holds an unusable log row%s%s", self->path,
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return NULL;
    }

  log->origin = g_strdup (origin);
  log->size = (guint64) size;
  memcpy (log->root, sqlite3_column_blob (stmt, 3), CW_WITNESS_STORE_HASH_SIZE);
  log->updated = sqlite3_column_int64 (stmt, 4);

  return g_steal_pointer (&log);
}

CwWitnessLog *
cw_witness_store_lookup_log (CwWitnessStore  *self,
                             const char      *origin,
                             GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CW_IS_WITNESS_STORE (self), NULL);
  g_return_val_if_fail (origin != NULL, NULL);

  stmt = prepare (self,
                  "SELECT origin, verifier_key, size, root, updated FROM logs WHERE origin = ?1",
                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, origin, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_NOT_FOUND,
                   "The log “%s” is not witnessed here", origin);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, error, "looking up a log");
      return NULL;
    }

  return log_from_row (self, stmt, error);
}

GPtrArray *
cw_witness_store_list_logs (CwWitnessStore  *self,
                            GError         **error)
{
  g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_witness_log_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CW_IS_WITNESS_STORE (self), NULL);

  stmt = prepare (self,
                  "SELECT origin, verifier_key, size, root, updated FROM logs ORDER BY origin",
                  error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CwWitnessLog *log = log_from_row (self, stmt, error);

      if (log == NULL)
        return NULL;
      g_ptr_array_add (logs, log);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "listing logs");
      return NULL;
    }

  return g_steal_pointer (&logs);
}

gboolean
cw_witness_store_update_log (CwWitnessStore  *self,
                             const char      *origin,
                             guint64          old_size,
                             const guint8     old_root[CW_WITNESS_STORE_HASH_SIZE],
                             guint64          new_size,
                             const guint8     new_root[CW_WITNESS_STORE_HASH_SIZE],
                             gint64           now,
                             GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_STORE (self), FALSE);
  g_return_val_if_fail (origin != NULL, FALSE);

  if (new_size > G_MAXINT64 || old_size > G_MAXINT64 || new_size < old_size)
    {
      g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_CONFLICT,
                   "A witness never goes back to a smaller tree");
      return FALSE;
    }

  /* One statement, so the check and the write are one atomic step; the
   * size condition also keeps a concurrent writer from rolling us back. */
  stmt = prepare (self,
                  "UPDATE logs SET size = ?1, root = ?2, updated = ?3"
                  " WHERE origin = ?4 AND size = ?5 AND root = ?6 AND size <= ?1",
                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) new_size);
  sqlite3_bind_blob (stmt, 2, new_root, CW_WITNESS_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_text (stmt, 4, origin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) old_size);
  sqlite3_bind_blob (stmt, 6, old_root, CW_WITNESS_STORE_HASH_SIZE, SQLITE_TRANSIENT);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "updating a log");

  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, CW_WITNESS_STORE_ERROR, CW_WITNESS_STORE_ERROR_CONFLICT,
                   "The log “%s” moved on meanwhile", origin);
      return FALSE;
    }

  return TRUE;
}

gboolean
cw_witness_store_add_evidence (CwWitnessStore  *self,
                               const char      *origin,
                               const char      *reason,
                               const guint8    *body,
                               gsize            len,
                               gint64           now,
                               GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_STORE (self), FALSE);

  stmt = prepare (self,
                  "INSERT INTO evidence (origin, reason, body, received) VALUES (?1, ?2, ?3, ?4)",
                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, origin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob64 (stmt, 3, body, len, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "keeping evidence");

  return TRUE;
}

gboolean
cw_witness_store_count_evidence (CwWitnessStore  *self,
                                 guint64         *out_count,
                                 GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_STORE (self), FALSE);

  stmt = prepare (self, "SELECT count(*) FROM evidence", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_db_error (self, error, "counting evidence");

  *out_count = (guint64) sqlite3_column_int64 (stmt, 0);

  return TRUE;
}
