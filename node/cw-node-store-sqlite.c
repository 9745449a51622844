/* cw-node-store-sqlite.c: the node's storage in one SQLite file (WAL,
 * synchronous=FULL, schema migrations by PRAGMA user_version).
 *
 * Every statement is prepared with bound parameters; no SQL text is ever
 * built from input. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "cw-log-tree.h"
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

static gboolean
cw_node_store_sqlite_add_provider (CwNodeStore     *store,
                                   CwNodeProvider  *provider,
                                   GError         **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *search_text = cw_node_provider_dup_search_text (provider);
  GBytes *public_key = cw_node_provider_get_public_key (provider);
  int rc;

  stmt = prepare (self,
                  "INSERT INTO providers (id, name, organization, kind, public_key,"
                  "                       search_text, created)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, cw_node_provider_get_id (provider), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, cw_node_provider_get_name (provider), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, cw_node_provider_get_organization (provider), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, cw_node_provider_kind_to_string (cw_node_provider_get_kind (provider)),
                     -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 5, g_bytes_get_data (public_key, NULL),
                     g_bytes_get_size (public_key), SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, search_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, cw_node_provider_get_created (provider));

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;

  switch (sqlite3_extended_errcode (self->db))
    {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS,
                   "The provider ID “%s” is taken (IDs of removed providers are not reused)",
                   cw_node_provider_get_id (provider));
      return FALSE;
    case SQLITE_CONSTRAINT_UNIQUE:
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS,
                   "Another provider already has this public key; "
                   "every provider needs a key of its own");
      return FALSE;
    default:
      return set_db_error (self, error, "adding a provider");
    }
}

static gboolean
cw_node_store_sqlite_remove_provider (CwNodeStore  *store,
                                      const char   *id,
                                      gint64        now,
                                      GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(sqlite3_stmt) invites = NULL;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  update = prepare (self, "UPDATE providers SET removed = ?2 WHERE id = ?1 AND removed IS NULL",
                    error);
  /* Its unused invites die with it. */
  invites = prepare (self, "DELETE FROM invites WHERE provider_id = ?1 AND used = 0", error);
  if (update == NULL || invites == NULL)
    goto fail;

  sqlite3_bind_text (update, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (update, 2, now);
  sqlite3_bind_text (invites, 1, id, -1, SQLITE_TRANSIENT);

  if (!step_done (self, update, "removing a provider", error))
    goto fail;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No provider with ID “%s”", id);
      goto fail;
    }

  if (!step_done (self, invites, "removing a provider's invites", error) ||
      !exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

#define PROVIDER_COLUMNS "id, name, organization, kind, public_key, created"

static CwNodeProvider *
provider_from_row (CwNodeStoreSqlite  *self,
                   sqlite3_stmt       *stmt,
                   GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) public_key = NULL;
  CwNodeProviderKind kind;
  CwNodeProvider *provider;

  if (!cw_node_provider_kind_from_string ((const char *) sqlite3_column_text (stmt, 3), &kind))
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                   "A stored provider has an unknown kind");
      return NULL;
    }

  public_key = g_bytes_new (sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4));
  provider = cw_node_provider_new ((const char *) sqlite3_column_text (stmt, 0),
                                   (const char *) sqlite3_column_text (stmt, 1),
                                   (const char *) sqlite3_column_text (stmt, 2),
                                   kind, public_key,
                                   sqlite3_column_int64 (stmt, 5),
                                   &local_error);
  if (provider == NULL)
    g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                 "A stored provider is invalid: %s", local_error->message);

  return provider;
}

static CwNodeProvider *
cw_node_store_sqlite_lookup_provider (CwNodeStore  *store,
                                      const char   *id,
                                      GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  int rc;

  /* Cached: the sequencer and the workers look a provider up per
   * provider-signed submission. */
  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT " PROVIDER_COLUMNS " FROM providers"
                                              " WHERE id = ?1 AND removed IS NULL",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return provider_from_row (self, stmt, error);

  if (rc == SQLITE_DONE)
    g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                 "No provider with ID “%s”", id);
  else
    set_db_error (self, error, "looking up a provider");

  return NULL;
}

static GPtrArray *
cw_node_store_sqlite_search_providers (CwNodeStore  *store,
                                       const char   *folded_query,
                                       guint         limit,
                                       GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  /* instr() rather than LIKE: the query's '%' and '_' stay literal. */
  stmt = prepare (self,
                  "SELECT " PROVIDER_COLUMNS " FROM providers"
                  " WHERE removed IS NULL AND (?1 IS NULL OR instr (search_text, ?1) > 0)"
                  " ORDER BY search_text, id LIMIT ?2",
                  error);
  if (stmt == NULL)
    return NULL;

  if (folded_query != NULL)
    sqlite3_bind_text (stmt, 1, folded_query, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CwNodeProvider *provider = provider_from_row (self, stmt, error);

      if (provider == NULL)
        return NULL;
      g_ptr_array_add (results, provider);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "searching providers");
      return NULL;
    }

  return g_steal_pointer (&results);
}

static gboolean
cw_node_store_sqlite_count_providers (CwNodeStore  *store,
                                      guint64      *out_count,
                                      GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  gint64 count;

  if (!query_int64 (self, "SELECT count(*) FROM providers WHERE removed IS NULL", &count, error))
    return FALSE;

  *out_count = count;

  return TRUE;
}

static gboolean
cw_node_store_sqlite_add_invite (CwNodeStore   *store,
                                 const guint8   code_hash[CW_NODE_STORE_HASH_SIZE],
                                 const char    *provider_id,
                                 gint64         created,
                                 gint64         expires,
                                 GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self,
                  "INSERT INTO invites (code_hash, provider_id, created, expires)"
                  " SELECT ?1, id, ?3, ?4 FROM providers WHERE id = ?2 AND removed IS NULL",
                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, code_hash, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, created);
  sqlite3_bind_int64 (stmt, 4, expires);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        {
          g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS,
                       "This invite code is registered already");
          return FALSE;
        }
      return set_db_error (self, error, "adding an invite");
    }

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No provider with ID “%s”", provider_id);
      return FALSE;
    }

  return TRUE;
}

static gboolean
cw_node_store_sqlite_count_pending_invites (CwNodeStore  *store,
                                            gint64        now,
                                            guint64      *out_count,
                                            GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, "SELECT count(*) FROM invites WHERE used = 0 AND expires > ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, now);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_db_error (self, error, "counting invites");

  *out_count = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

static gboolean
read_tree_head (CwNodeStoreSqlite  *self,
                guint64            *out_size,
                guint8             *out_root,
                GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self, "SELECT size, root FROM tree_head WHERE id = 1", error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "The database “%s” holds no log", self->path);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return set_db_error (self, error, "reading the tree head");

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
  if (!exec (self, "BEGIN", error))
    return NULL;

  if (!read_tree_head (self, &size, NULL, error))
    goto fail;

  count = cw_log_tree_stored_hash_count (size);
  stmt = prepare (self,
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
      set_db_error (self, error, "loading the tree");
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
  if (!exec (self, "COMMIT", error))
    goto fail;

  *out_size = size;

  return g_byte_array_free_to_bytes (g_steal_pointer (&hashes));

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self);
  return NULL;
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

  if (!exec (self, "BEGIN IMMEDIATE", error))
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
      set_db_error (self, error, "reading the latest checkpoint");
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

  if (!step_done (self, insert, "storing a checkpoint", error))
    goto fail;

  g_clear_pointer (&latest, cw_node_store_sqlite_release);
  g_clear_pointer (&insert, cw_node_store_sqlite_release);
  if (!exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  g_clear_pointer (&latest, cw_node_store_sqlite_release);
  g_clear_pointer (&insert, cw_node_store_sqlite_release);
  rollback (self);
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

  stmt = prepare (self, "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, error, "reading the latest checkpoint");
      return NULL;
    }

  if (out_size != NULL)
    *out_size = sqlite3_column_int64 (stmt, 0);

  return g_strdup ((const char *) sqlite3_column_text (stmt, 1));
}

sqlite3 *
cw_node_store_sqlite_get_db (CwNodeStoreSqlite *self)
{
  return self->db;
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
  iface->add_provider = cw_node_store_sqlite_add_provider;
  iface->remove_provider = cw_node_store_sqlite_remove_provider;
  iface->lookup_provider = cw_node_store_sqlite_lookup_provider;
  iface->search_providers = cw_node_store_sqlite_search_providers;
  iface->count_providers = cw_node_store_sqlite_count_providers;
  iface->add_invite = cw_node_store_sqlite_add_invite;
  iface->count_pending_invites = cw_node_store_sqlite_count_pending_invites;
  iface->get_tree_head = cw_node_store_sqlite_get_tree_head;
  iface->load_tree_hashes = cw_node_store_sqlite_load_tree_hashes;
  iface->add_checkpoint = cw_node_store_sqlite_add_checkpoint;
  iface->dup_latest_checkpoint = cw_node_store_sqlite_dup_latest_checkpoint;
  iface->open_another = cw_node_store_sqlite_open_another;
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
