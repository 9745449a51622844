/* cw-node-store-sqlite.c: the node's storage in one SQLite file (WAL,
 * synchronous=FULL, schema migrations by PRAGMA user_version).
 *
 * Every statement is prepared with bound parameters; no SQL text is ever
 * built from input. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "cw-node-store-sqlite-private.h"

struct _CwNodeStoreSqlite
{
  GObject parent_instance;

  char *path;
  gboolean create;
  sqlite3 *db;
};

static void store_iface_init     (CwNodeStoreInterface *iface);
static void initable_iface_init  (GInitableIface       *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CwNodeStoreSqlite, cw_node_store_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init)
                               G_IMPLEMENT_INTERFACE (CW_TYPE_NODE_STORE, store_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_CREATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Schema migrations: entry i takes user_version i to i + 1. Never edit a
 * released entry; append a new one. */
static const char * const migrations[] = {
  /* 0 → 1: directory, invites, and the log and consent state the sequencer
   * commits in one transaction per batch. */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  "CREATE TABLE providers ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  organization TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('practice', 'hospital', 'lab',"
  "                                     'pharmacy', 'insurer', 'research')),"
  "  public_key BLOB NOT NULL UNIQUE CHECK (length (public_key) = 32),"
  "  search_text TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  removed INTEGER"
  ") WITHOUT ROWID;"

  "CREATE TABLE invites ("
  "  code_hash BLOB PRIMARY KEY CHECK (length (code_hash) = 32),"
  "  provider_id TEXT NOT NULL REFERENCES providers (id),"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),"
  "  used_at INTEGER,"
  "  used_by BLOB CHECK (used_by IS NULL OR length (used_by) = 32)"
  ") WITHOUT ROWID;"
  "CREATE INDEX invites_pending ON invites (used, expires);"

  /* Every log entry is one transaction; its leaf data is the ID. */
  "CREATE TABLE transactions ("
  "  idx INTEGER PRIMARY KEY CHECK (idx >= 0),"
  "  id BLOB NOT NULL UNIQUE CHECK (length (id) = 32),"
  "  type TEXT NOT NULL,"
  "  patient TEXT,"
  "  provider TEXT,"
  "  seq INTEGER,"
  "  outcome TEXT NOT NULL,"
  "  envelope BLOB NOT NULL,"
  "  received INTEGER NOT NULL"
  ");"
  "CREATE INDEX transactions_patient ON transactions (patient, idx);"

  "CREATE TABLE tree_hashes ("
  "  stored_index INTEGER PRIMARY KEY CHECK (stored_index >= 0),"
  "  hash BLOB NOT NULL CHECK (length (hash) = 32)"
  ");"
  "CREATE TABLE tree_head ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  size INTEGER NOT NULL CHECK (size >= 0),"
  "  root BLOB NOT NULL CHECK (length (root) = 32)"
  ");"
  "CREATE TABLE checkpoints ("
  "  size INTEGER PRIMARY KEY CHECK (size >= 0),"
  "  root BLOB NOT NULL CHECK (length (root) = 32),"
  "  note TEXT NOT NULL,"
  "  created INTEGER NOT NULL"
  ");"
  "CREATE TABLE cosignatures ("
  "  checkpoint_size INTEGER NOT NULL REFERENCES checkpoints (size),"
  "  witness TEXT NOT NULL,"
  "  line TEXT NOT NULL,"
  "  time INTEGER NOT NULL,"
  "  PRIMARY KEY (checkpoint_size, witness)"
  ") WITHOUT ROWID;"

  "CREATE TABLE patients ("
  "  id TEXT PRIMARY KEY,"
  "  current_key BLOB NOT NULL CHECK (length (current_key) = 32),"
  "  recovery_key BLOB NOT NULL CHECK (length (recovery_key) = 32),"
  "  clinic TEXT NOT NULL REFERENCES providers (id),"
  "  seq INTEGER NOT NULL CHECK (seq >= 0),"
  "  head BLOB NOT NULL CHECK (length (head) = 32),"
  "  enrolled_idx INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE grants ("
  "  id BLOB PRIMARY KEY CHECK (length (id) = 32),"
  "  patient TEXT NOT NULL REFERENCES patients (id),"
  "  provider TEXT NOT NULL REFERENCES providers (id),"
  "  scopes TEXT NOT NULL,"
  "  purpose TEXT NOT NULL,"
  "  access TEXT NOT NULL,"
  "  data_from TEXT,"
  "  data_to TEXT,"
  "  expires INTEGER NOT NULL,"
  "  request BLOB,"
  "  idx INTEGER NOT NULL,"
  "  revoked_by BLOB,"
  "  revoked_idx INTEGER"
  ") WITHOUT ROWID;"
  "CREATE INDEX grants_patient ON grants (patient, idx);"
  "CREATE INDEX grants_provider ON grants (provider, patient);"
  "CREATE TABLE requests ("
  "  id BLOB PRIMARY KEY CHECK (length (id) = 32),"
  "  patient TEXT NOT NULL REFERENCES patients (id),"
  "  provider TEXT NOT NULL REFERENCES providers (id),"
  "  scopes TEXT NOT NULL,"
  "  purpose TEXT NOT NULL,"
  "  access TEXT NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  idx INTEGER NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'granted', 'denied')),"
  "  answered_by BLOB"
  ") WITHOUT ROWID;"
  "CREATE INDEX requests_patient ON requests (patient, state);"

  /* Witness mode: the last checkpoint cosigned per log. */
  "CREATE TABLE witness_logs ("
  "  origin TEXT PRIMARY KEY,"
  "  verifier_key TEXT NOT NULL,"
  "  size INTEGER NOT NULL CHECK (size >= 0),"
  "  root BLOB NOT NULL CHECK (length (root) = 32)"
  ") WITHOUT ROWID;"

  /* RFC 9421 replay protection: nonces seen until their signature is stale. */
  "CREATE TABLE seen_nonces ("
  "  keyid TEXT NOT NULL,"
  "  nonce TEXT NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  PRIMARY KEY (keyid, nonce)"
  ") WITHOUT ROWID;"
  "CREATE INDEX seen_nonces_expires ON seen_nonces (expires);",

  /* 1 → 2: authenticated reads. A patient's chain by seq and access events
   * by index; keys found by their DSSE key ID (cw_dsse_key_id(), a
   * function every connection registers, see register_functions()). */
  "CREATE INDEX transactions_patient_seq ON transactions (patient, seq);"
  "CREATE INDEX transactions_patient_type ON transactions (patient, type, idx);"
  "CREATE INDEX patients_key_id ON patients (cw_dsse_key_id (current_key));"
  "CREATE INDEX providers_key_id ON providers (cw_dsse_key_id (public_key));",

  /* 2 → 3: a patient found by its current recovery key, for the lookup
   * signed by that key (PROTOCOL.md §12). */
  "CREATE INDEX patients_recovery_key ON patients (recovery_key);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CW_NODE_STORE_SQLITE_SCHEMA_VERSION);

static gboolean
set_db_error (CwNodeStoreSqlite  *self,
              GError            **error,
              const char         *what)
{
  int code = sqlite3_errcode (self->db);

  g_set_error (error, CW_NODE_STORE_ERROR,
               code == SQLITE_CORRUPT || code == SQLITE_NOTADB
                 ? CW_NODE_STORE_ERROR_CORRUPT : CW_NODE_STORE_ERROR_FAILED,
               "Database error while %s: %s", what, sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
prepare (CwNodeStoreSqlite  *self,
         const char         *sql,
         GError            **error)
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
exec (CwNodeStoreSqlite  *self,
      const char         *sql,
      GError            **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_db_error (self, error, sql);

  return TRUE;
}

static void
rollback (CwNodeStoreSqlite *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (CwNodeStoreSqlite  *self,
           sqlite3_stmt       *stmt,
           const char         *what,
           GError            **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, what);

  return TRUE;
}

static gboolean
query_int64 (CwNodeStoreSqlite  *self,
             const char         *sql,
             gint64             *out,
             GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_db_error (self, error, sql);

  *out = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

static gboolean
migrate (CwNodeStoreSqlite  *self,
         GError            **error)
{
  gint64 version;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!query_int64 (self, "PRAGMA user_version", &version, error))
    goto fail;

  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_VERSION,
                   "The database “%s” has schema version %" G_GINT64_FORMAT
                   ", written by a newer consent-node (this one knows up to %u)",
                   self->path, version, (guint) G_N_ELEMENTS (migrations));
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
  rollback (self);
  return FALSE;
}

static gboolean
cw_node_store_sqlite_initable_init (GInitable     *initable,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (initable);
  g_autofree char *journal_mode = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;

  g_return_val_if_fail (self->path != NULL, FALSE);

  if (self->create)
    {
      /* Create the file ourselves so that it is never readable by others,
       * whatever the umask; SQLite gives -wal and -shm the same mode. */
      int fd = open (self->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

      if (fd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, CW_NODE_STORE_ERROR,
                       saved_errno == EEXIST ? CW_NODE_STORE_ERROR_EXISTS : CW_NODE_STORE_ERROR_FAILED,
                       "Could not create the database “%s”: %s",
                       self->path, g_strerror (saved_errno));
          return FALSE;
        }
      close (fd);
    }

  if (sqlite3_open_v2 (self->path, &self->db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_FAILED,
                   "Could not open the database “%s”: %s", self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  if (!cw_node_store_sqlite_register_functions (self, error))
    return FALSE;

  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self, "PRAGMA journal_mode = WAL", error);

    if (stmt == NULL)
      return FALSE;
    if (sqlite3_step (stmt) != SQLITE_ROW)
      return set_db_error (self, error, "switching to WAL mode");
    journal_mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }

  if (g_strcmp0 (journal_mode, "wal") != 0)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_FAILED,
                   "The database “%s” could not be switched to WAL mode", self->path);
      return FALSE;
    }

  if (!exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;

  return migrate (self, error);
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = cw_node_store_sqlite_initable_init;
}

static gboolean
cw_node_store_sqlite_initialize (CwNodeStore   *store,
                                 const char    *origin,
                                 const guint8   empty_root[CW_NODE_STORE_HASH_SIZE],
                                 GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) meta = NULL;
  g_autoptr(sqlite3_stmt) head = NULL;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  meta = prepare (self, "INSERT INTO meta (key, value) VALUES ('origin', ?1)", error);
  head = prepare (self, "INSERT INTO tree_head (id, size, root) VALUES (1, 0, ?1)", error);
  if (meta == NULL || head == NULL)
    goto fail;

  sqlite3_bind_text (meta, 1, origin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (head, 1, empty_root, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);

  if (sqlite3_step (meta) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS,
                     "The database “%s” already belongs to a log", self->path);
      else
        set_db_error (self, error, "storing the origin");
      goto fail;
    }

  if (!step_done (self, head, "storing the empty tree", error) ||
      !exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

static char *
cw_node_store_sqlite_dup_origin (CwNodeStore  *store,
                                 GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self, "SELECT value FROM meta WHERE key = 'origin'", error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "The database “%s” holds no log", self->path);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, error, "reading the origin");
      return NULL;
    }

  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* Sets the connection's "synchronous" level: FULL for every batch (see
 * commit_batch()), NORMAL only for derived rows (see add_checkpoint()). */
gboolean
cw_node_store_sqlite_set_synchronous (CwNodeStoreSqlite  *self,
                                      gboolean            full,
                                      GError            **error)
{
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  int rc;

  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              full ? "PRAGMA synchronous = FULL"
                                                   : "PRAGMA synchronous = NORMAL",
                                              error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_db_error (self, error, "setting the synchronous level");

  return TRUE;
}

sqlite3 *
cw_node_store_sqlite_get_db (CwNodeStoreSqlite *self)
{
  return self->db;
}

const char *
cw_node_store_sqlite_get_path (CwNodeStoreSqlite *self)
{
  return self->path;
}

gboolean
cw_node_store_sqlite_set_error (CwNodeStoreSqlite  *self,
                                GError            **error,
                                const char         *what)
{
  return set_db_error (self, error, what);
}

sqlite3_stmt *
cw_node_store_sqlite_prepare (CwNodeStoreSqlite  *self,
                              const char         *sql,
                              GError            **error)
{
  return prepare (self, sql, error);
}

gboolean
cw_node_store_sqlite_exec (CwNodeStoreSqlite  *self,
                           const char         *sql,
                           GError            **error)
{
  return exec (self, sql, error);
}

void
cw_node_store_sqlite_rollback (CwNodeStoreSqlite *self)
{
  rollback (self);
}

gboolean
cw_node_store_sqlite_step_done (CwNodeStoreSqlite  *self,
                                sqlite3_stmt       *stmt,
                                const char         *what,
                                GError            **error)
{
  return step_done (self, stmt, what, error);
}

gboolean
cw_node_store_sqlite_query_int64 (CwNodeStoreSqlite  *self,
                                  const char         *sql,
                                  gint64             *out,
                                  GError            **error)
{
  return query_int64 (self, sql, out, error);
}

static CwNodeStore *
cw_node_store_sqlite_open_another (CwNodeStore  *store,
                                   GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);

  return cw_node_store_sqlite_new (self->path, FALSE, error);
}

static void
store_iface_init (CwNodeStoreInterface *iface)
{
  iface->initialize = cw_node_store_sqlite_initialize;
  iface->dup_origin = cw_node_store_sqlite_dup_origin;
  iface->open_another = cw_node_store_sqlite_open_another;
  cw_node_store_sqlite_directory_iface_init (iface);
  cw_node_store_sqlite_log_iface_init (iface);
  cw_node_store_sqlite_state_iface_init (iface);
  cw_node_store_sqlite_commit_iface_init (iface);
  cw_node_store_sqlite_reads_iface_init (iface);
  cw_node_store_sqlite_recovery_iface_init (iface);
}

static void
cw_node_store_sqlite_finalize (GObject *object)
{
  CwNodeStoreSqlite *self = (CwNodeStoreSqlite *)object;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (cw_node_store_sqlite_parent_class)->finalize (object);
}

static void
cw_node_store_sqlite_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_CREATE:
      g_value_set_boolean (value, self->create);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_store_sqlite_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_CREATE:
      self->create = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_store_sqlite_class_init (CwNodeStoreSqliteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = cw_node_store_sqlite_finalize;
  object_class->get_property = cw_node_store_sqlite_get_property;
  object_class->set_property = cw_node_store_sqlite_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, "Database file", NULL, flags);
  properties[PROP_CREATE] =
    g_param_spec_boolean ("create", NULL, "Whether to create a new database", FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_store_sqlite_init (CwNodeStoreSqlite *self)
{
}

CwNodeStore *
cw_node_store_sqlite_new (const char  *path,
                          gboolean     create,
                          GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_initable_new (CW_TYPE_NODE_STORE_SQLITE, NULL, error,
                         "path", path,
                         "create", create,
                         NULL);
}
