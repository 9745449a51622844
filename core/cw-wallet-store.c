/* cw-wallet-store.c: opening, migrating and tuning the wallet database
 * (DESIGN.md "Storage"; the identity and node profile are in
 * cw-wallet-store-profile.c, the outbox in cw-wallet-store-outbox.c,
 * verified checkpoints and alerts in cw-wallet-store-evidence.c, the lists
 * the node feeds in cw-wallet-store-lists.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-wallet-store-private.h"

G_DEFINE_QUARK (cw-wallet-store-error-quark, cw_wallet_store_error)

G_DEFINE_FINAL_TYPE (CwWalletStore, cw_wallet_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* migrations[i] takes the schema from version i to i + 1. Never edit a
 * released step; add a new one and raise CW_WALLET_STORE_SCHEMA_VERSION.
 * Scopes and access are CwScopes/CwAccess bit sets; purposes their HL7 code;
 * IDs and keys standard base64; times Unix seconds. */
static const char * const migrations[CW_WALLET_STORE_SCHEMA_VERSION] = {
  /* 0 -> 1 */
  "CREATE TABLE identity ("
  "  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
  "  patient_id TEXT NOT NULL, public_key TEXT NOT NULL,"
  "  recovery_key TEXT NOT NULL, clinic TEXT NOT NULL,"
  "  enrolled INTEGER NOT NULL) STRICT;"
  "CREATE TABLE node_config ("
  "  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
  "  url TEXT NOT NULL, tls_pin TEXT, log_key TEXT NOT NULL,"
  "  quorum INTEGER NOT NULL CHECK (quorum >= 0)) STRICT;"
  "CREATE TABLE witness_keys ("
  "  position INTEGER PRIMARY KEY, verifier_key TEXT NOT NULL UNIQUE) STRICT;"
  "CREATE TABLE transactions ("
  "  id TEXT PRIMARY KEY, seq INTEGER NOT NULL CHECK (seq >= 0), prev TEXT,"
  "  type TEXT NOT NULL, envelope TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'confirmed', 'rejected')),"
  "  receipt TEXT, log_index INTEGER, error TEXT,"
  "  created INTEGER NOT NULL, updated INTEGER NOT NULL) STRICT;"
  /* A rejected transaction gives its seq back to the chain. */
  "CREATE UNIQUE INDEX transactions_live_seq ON transactions (seq) WHERE state != 'rejected';"
  "CREATE TABLE chain_head ("
  "  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
  "  seq INTEGER NOT NULL, tx_id TEXT NOT NULL REFERENCES transactions (id)) STRICT;"
  "CREATE TABLE grants ("
  "  id TEXT PRIMARY KEY, provider TEXT NOT NULL, scopes INTEGER NOT NULL,"
  "  purpose TEXT NOT NULL, access INTEGER NOT NULL, data_from TEXT, data_to TEXT,"
  "  time INTEGER NOT NULL, expires INTEGER NOT NULL, request_id TEXT,"
  "  log_index INTEGER, revoked_by TEXT, envelope TEXT NOT NULL) STRICT;"
  "CREATE TABLE providers ("
  "  id TEXT PRIMARY KEY, name TEXT NOT NULL, organization TEXT,"
  "  kind TEXT NOT NULL, public_key TEXT NOT NULL, updated INTEGER NOT NULL) STRICT;"
  "CREATE TABLE requests ("
  "  id TEXT PRIMARY KEY, provider TEXT NOT NULL, scopes INTEGER NOT NULL,"
  "  purpose TEXT NOT NULL, access INTEGER NOT NULL, time INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL, reason TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),"
  "  answer_id TEXT, envelope TEXT NOT NULL) STRICT;"
  "CREATE TABLE access_events ("
  "  id TEXT PRIMARY KEY, provider TEXT NOT NULL, grant_id TEXT NOT NULL,"
  "  scopes INTEGER NOT NULL, purpose TEXT NOT NULL, time INTEGER NOT NULL,"
  "  allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),"
  "  log_index INTEGER NOT NULL, envelope TEXT NOT NULL, receipt TEXT NOT NULL) STRICT;"
  "CREATE INDEX access_events_by_index ON access_events (log_index);"
  "CREATE TABLE checkpoints ("
  "  size INTEGER PRIMARY KEY CHECK (size >= 0),"
  "  root BLOB NOT NULL CHECK (length (root) = 32),"
  "  note TEXT NOT NULL, verified INTEGER NOT NULL) STRICT;"
  "CREATE TABLE alerts ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, message TEXT NOT NULL,"
  "  evidence BLOB, created INTEGER NOT NULL, acknowledged INTEGER) STRICT;",

  /* 1 -> 2: the background flush counts its attempts. */
  "ALTER TABLE transactions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;",

  /* 2 -> 3: what the desktop app already notified the patient of, so that
   * a start does not notify the same request again. */
  "CREATE TABLE notified ("
  "  id TEXT PRIMARY KEY, time INTEGER NOT NULL) STRICT;",

  /* 3 -> 4: the witness set the wallet moved to (PROTOCOL.md §4), kept as
   * signed; node_config and witness_keys hold its quorum and keys. */
  "CREATE TABLE witness_set ("
  "  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
  "  version INTEGER NOT NULL CHECK (version > 0), note TEXT NOT NULL,"
  "  taken INTEGER NOT NULL) STRICT;",

  /* 4 -> 5: an access event's receipt may be kept as its parts, the
   * proof's hashes and the checkpoint note, each note once: a sync's
   * 10,000 receipts repeated one note 10,000 times. Rows from before keep
   * their text. The table is rebuilt, since `receipt` may now be NULL. */
  "CREATE TABLE receipt_notes ("
  "  id INTEGER PRIMARY KEY, note TEXT NOT NULL UNIQUE) STRICT;"
  "CREATE TABLE access_events_5 ("
  "  id TEXT PRIMARY KEY, provider TEXT NOT NULL, grant_id TEXT NOT NULL,"
  "  scopes INTEGER NOT NULL, purpose TEXT NOT NULL, time INTEGER NOT NULL,"
  "  allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),"
  "  log_index INTEGER NOT NULL, envelope TEXT NOT NULL, receipt TEXT,"
  "  proof BLOB CHECK (length (proof) % 32 = 0),"
  "  note INTEGER REFERENCES receipt_notes (id),"
  "  CHECK ((receipt IS NULL) = (proof IS NOT NULL AND note IS NOT NULL))) STRICT;"
  "INSERT INTO access_events_5 (id, provider, grant_id, scopes, purpose, time, allowed,"
  "  log_index, envelope, receipt)"
  "  SELECT id, provider, grant_id, scopes, purpose, time, allowed, log_index, envelope,"
  "  receipt FROM access_events;"
  "DROP TABLE access_events;"
  "ALTER TABLE access_events_5 RENAME TO access_events;"
  "CREATE INDEX access_events_by_index ON access_events (log_index);",
};

/* Helpers shared with the other files of the store. */

void
cw_store_stmt_release (CwStoreStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

gint64
cw_store_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
cw_store_bind_text (CwStoreStmt *stmt,
                    int          index,
                    const char  *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

char *
cw_store_column_text (CwStoreStmt *stmt,
                      int          index)
{
  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NULL;

  return g_strdup ((const char *) sqlite3_column_text (stmt, index));
}

void
cw_wallet_store_set_error (CwWalletStore  *self,
                           int             rc,
                           GError        **error)
{
  const char *detail = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CORRUPT,
                   _("The wallet database is damaged or not a wallet database (%s). "
                     "Restore your identity from its backup into a new wallet."), detail);
      break;
    case SQLITE_FULL:
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_FAILED,
                   _("The wallet database could not be written because the disk is full (%s). "
                     "Free some disk space and try again."), detail);
      break;
    default:
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_FAILED,
                   _("The wallet database failed (%s). Try again; if it keeps failing, "
                     "check the disk and the permissions of the data folder."), detail);
    }
}

gboolean
cw_wallet_store_check_open (CwWalletStore  *self,
                            GError        **error)
{
  if (self->db != NULL)
    return TRUE;

  g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_FAILED,
                       _("The wallet database is closed. Restart Consent Wallet."));
  return FALSE;
}

CwStoreStmt *
cw_wallet_store_prepare (CwWalletStore  *self,
                         const char     *sql,
                         GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!cw_wallet_store_check_open (self, error))
    return NULL;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

gboolean
cw_wallet_store_step_done (CwWalletStore  *self,
                           CwStoreStmt    *stmt,
                           GError        **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;

  cw_wallet_store_set_error (self, rc, error);
  return FALSE;
}

gboolean
cw_wallet_store_exec (CwWalletStore  *self,
                      const char     *sql,
                      GError        **error)
{
  int rc;

  if (!cw_wallet_store_check_open (self, error))
    return FALSE;

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      cw_wallet_store_set_error (self, rc, error);
      return FALSE;
    }

  return TRUE;
}

gboolean
cw_wallet_store_begin (CwWalletStore  *self,
                       GError        **error)
{
  if (self->in_batch)
    return TRUE;
  return cw_wallet_store_exec (self, "BEGIN IMMEDIATE", error);
}

/* SQLite's own threshold for a checkpoint, in pages. */
#define CHECKPOINT_WAL_PAGES 1000

/* Called by SQLite after each commit, in place of its automatic
 * checkpoint, with the length of the WAL. */
static int
wal_committed_cb (gpointer  user_data,
                  sqlite3  *db,
                  const char *name,
                  int       n_pages)
{
  CwWalletStore *self = user_data;

  self->wal_pages = n_pages;
  return SQLITE_OK;
}

static void
checkpoint_thread (gpointer item,
                   gpointer user_data)
{
  CwWalletStore *self = user_data;
  sqlite3 *db = NULL;

  g_atomic_int_set (&self->checkpoint_queued, FALSE);
  /* PASSIVE: copies what no reader still needs, waits for no one. What it
   * cannot copy now stays in the WAL for the next one, or for the
   * TRUNCATE checkpoint at close. */
  if (sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                       SQLITE_OPEN_NOFOLLOW, NULL) == SQLITE_OK &&
      sqlite3_exec (db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) == SQLITE_OK)
    sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  sqlite3_close (db);
}

static void
checkpoint_if_long (CwWalletStore *self)
{
  if (self->wal_pages < CHECKPOINT_WAL_PAGES || self->checkpointer == NULL ||
      !g_atomic_int_compare_and_exchange (&self->checkpoint_queued, FALSE, TRUE))
    return;
  self->wal_pages = 0;
  g_thread_pool_push (self->checkpointer, GINT_TO_POINTER (TRUE), NULL);
}

gboolean
cw_wallet_store_commit (CwWalletStore  *self,
                        GError        **error)
{
  if (self->in_batch)
    return TRUE;
  if (cw_wallet_store_exec (self, "COMMIT", error))
    {
      checkpoint_if_long (self);
      return TRUE;
    }

  cw_wallet_store_rollback (self);
  return FALSE;
}

void
cw_wallet_store_rollback (CwWalletStore *self)
{
  /* A failed call inside a batch fails the batch, which rolls back. */
  if (self->in_batch)
    return;
  if (self->db != NULL && !sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
cw_wallet_store_batch_begin (CwWalletStore  *self,
                             GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);

  g_rec_mutex_lock (&self->mutex);
  if (self->in_batch)
    {
      g_rec_mutex_unlock (&self->mutex);
      g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_STATE,
                           _("A batch of changes is already open."));
      return FALSE;
    }
  if (!cw_wallet_store_check_open (self, error) ||
      !cw_wallet_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      g_rec_mutex_unlock (&self->mutex);
      return FALSE;
    }
  self->in_batch = TRUE;
  return TRUE;
}

gboolean
cw_wallet_store_batch_commit (CwWalletStore  *self,
                              GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (self->in_batch, FALSE);

  self->in_batch = FALSE;
  ok = cw_wallet_store_commit (self, error);
  g_rec_mutex_unlock (&self->mutex);
  return ok;
}

void
cw_wallet_store_batch_rollback (CwWalletStore *self)
{
  g_return_if_fail (CW_IS_WALLET_STORE (self));
  g_return_if_fail (self->in_batch);

  self->in_batch = FALSE;
  cw_wallet_store_rollback (self);
  g_rec_mutex_unlock (&self->mutex);
}

/* Opening and migrating. */

static gboolean
prepare_file (const char  *path,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_OPEN,
                   _("The folder for the wallet database, %s, could not be created: %s. "
                     "Check that your home folder is writable."), dir, g_strerror (saved));
      return FALSE;
    }

  /* Create it 0600 ourselves so that SQLite never makes it world-readable;
   * its -wal and -shm files inherit this mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_OPEN,
                   _("The wallet database %s could not be opened: %s. "
                     "Check the permissions of the file and its folder."),
                   path, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  return TRUE;
}

static gboolean
read_user_version (CwWalletStore  *self,
                   int            *version,
                   GError        **error)
{
  g_autoptr(CwStoreStmt) stmt = cw_wallet_store_prepare (self, "PRAGMA user_version", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      cw_wallet_store_set_error (self, rc, error);
      return FALSE;
    }

  *version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
migrate (CwWalletStore  *self,
         int             target,
         GError        **error)
{
  int version;

  if (!read_user_version (self, &version, error))
    return FALSE;

  if (version > CW_WALLET_STORE_SCHEMA_VERSION || version < 0)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_TOO_NEW,
                   _("The wallet database was written by a newer version of Consent Wallet "
                     "(schema %d; this version knows up to %d). Update Consent Wallet to open it."),
                   version, CW_WALLET_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (; version < target; version++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!cw_wallet_store_begin (self, error))
        return FALSE;
      if (!cw_wallet_store_exec (self, migrations[version], error) ||
          !cw_wallet_store_exec (self, set_version, error))
        {
          cw_wallet_store_rollback (self);
          g_prefix_error (error, _("Upgrading the wallet database to schema %d failed: "), version + 1);
          return FALSE;
        }
      if (!cw_wallet_store_commit (self, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
open_database (CwWalletStore  *self,
               int             target,
               GError        **error)
{
  g_autoptr(CwStoreStmt) wal = NULL;
  int rc;

  if (!prepare_file (self->path, error))
    return FALSE;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_OPEN,
                   _("The wallet database %s could not be opened (%s). "
                     "Check the permissions of the file and its folder."),
                   self->path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      g_clear_pointer (&self->db, sqlite3_close);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  wal = cw_wallet_store_prepare (self, "PRAGMA journal_mode = WAL", error);
  if (wal == NULL)
    return FALSE;
  rc = sqlite3_step (wal);
  if (rc != SQLITE_ROW)
    {
      cw_wallet_store_set_error (self, rc, error);
      return FALSE;
    }
  if (g_ascii_strcasecmp ((const char *) sqlite3_column_text (wal, 0), "wal") != 0)
    {
      cw_store_stmt_release (g_steal_pointer (&wal));
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_OPEN,
                   _("The wallet database %s cannot use write-ahead logging. "
                     "Keep the wallet on a local disk."), self->path);
      return FALSE;
    }
  /* Finished before any transaction of the migrations starts. */
  cw_store_stmt_release (g_steal_pointer (&wal));
  sqlite3_wal_hook (self->db, wal_committed_cb, self);
  self->checkpointer = g_thread_pool_new (checkpoint_thread, self, 1, FALSE, NULL);

  return cw_wallet_store_exec (self,
                               "PRAGMA synchronous = FULL;"
                               "PRAGMA foreign_keys = ON;"
                               "PRAGMA secure_delete = ON;"
                               "PRAGMA trusted_schema = OFF;",
                               error) &&
         migrate (self, target, error);
}

CwWalletStore *
cw_wallet_store_new_at_version (const char  *path,
                                int          version,
                                GError     **error)
{
  g_autoptr(CwWalletStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (version >= 1 && version <= CW_WALLET_STORE_SCHEMA_VERSION, NULL);

  self = g_object_new (CW_TYPE_WALLET_STORE, "path", path, NULL);
  if (!open_database (self, version, error))
    return NULL;

  return g_steal_pointer (&self);
}

CwWalletStore *
cw_wallet_store_new (const char  *path,
                     GError     **error)
{
  return cw_wallet_store_new_at_version (path, CW_WALLET_STORE_SCHEMA_VERSION, error);
}

const char *
cw_wallet_store_get_path (CwWalletStore *self)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  return self->path;
}

static void
close_locked (CwWalletStore *self)
{
  g_hash_table_remove_all (self->statements);
  /* Waits for a checkpoint under way. */
  if (self->checkpointer != NULL)
    g_thread_pool_free (g_steal_pointer (&self->checkpointer), FALSE, TRUE);
  if (self->db != NULL)
    {
      sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
      sqlite3_close (self->db);
      self->db = NULL;
    }
}

void
cw_wallet_store_close (CwWalletStore *self)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_if_fail (CW_IS_WALLET_STORE (self));

  locker = g_rec_mutex_locker_new (&self->mutex);
  close_locked (self);
}

/* GObject. */

static void
cw_wallet_store_finalize (GObject *object)
{
  CwWalletStore *self = CW_WALLET_STORE (object);

  close_locked (self);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_rec_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (cw_wallet_store_parent_class)->finalize (object);
}

static void
cw_wallet_store_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CwWalletStore *self = CW_WALLET_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_wallet_store_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CwWalletStore *self = CW_WALLET_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_wallet_store_class_init (CwWalletStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_wallet_store_finalize;
  object_class->get_property = cw_wallet_store_get_property;
  object_class->set_property = cw_wallet_store_set_property;

  /**
   * CwWalletStore:path:
   *
   * The database file.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
statement_finalize (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
cw_wallet_store_init (CwWalletStore *self)
{
  g_rec_mutex_init (&self->mutex);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            statement_finalize);
}
