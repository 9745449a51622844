/* cw-wallet-store-private.h: what the files of CwWalletStore share: the
 * connection, cached prepared statements and SQL helpers. Not for callers.
 */
#pragma once

#include <sqlite3.h>

#include "cw-wallet-store.h"

G_BEGIN_DECLS

struct _CwWalletStore
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  /* SQL text -> prepared statement, reused for the life of the connection. */
  GHashTable *statements;
  /* Serializes every public call (see the header); recursive so that a
   * batch (cw_wallet_store_batch_begin()) can hold it across calls. */
  GRecMutex mutex;
  /* Inside a batch, the per-call transactions join the batch's. */
  gboolean in_batch;
  /* The WAL is copied back into the database file on a pool thread,
   * through a connection of its own, once a commit leaves it long: a
   * large commit (a first sync) then returns without waiting for the copy
   * and its fsync. @wal_pages is the WAL's length after the last commit;
   * @checkpointer runs one checkpoint at a time. */
  int wal_pages;
  GThreadPool *checkpointer;
  gint checkpoint_queued;  /* atomic */
};

/* A cached statement; the autoptr cleanup resets it for its next use. */
typedef sqlite3_stmt CwStoreStmt;

void          cw_store_stmt_release       (CwStoreStmt      *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreStmt, cw_store_stmt_release)

/* Callers hold self->mutex for everything below. */
CwStoreStmt  *cw_wallet_store_prepare     (CwWalletStore    *self,
                                           const char       *sql,
                                           GError          **error);
/* Runs a statement that returns no rows. */
gboolean      cw_wallet_store_step_done   (CwWalletStore    *self,
                                           CwStoreStmt      *stmt,
                                           GError          **error);
gboolean      cw_wallet_store_exec        (CwWalletStore    *self,
                                           const char       *sql,
                                           GError          **error);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback never fails loudly). */
gboolean      cw_wallet_store_begin       (CwWalletStore    *self,
                                           GError          **error);
gboolean      cw_wallet_store_commit      (CwWalletStore    *self,
                                           GError          **error);
void          cw_wallet_store_rollback    (CwWalletStore    *self);
/* Sets @error from the connection's last SQLite error. */
void          cw_wallet_store_set_error   (CwWalletStore    *self,
                                           int               rc,
                                           GError          **error);
gboolean      cw_wallet_store_check_open  (CwWalletStore    *self,
                                           GError          **error);

void          cw_store_bind_text          (CwStoreStmt      *stmt,
                                           int               index,
                                           const char       *text);
char         *cw_store_column_text        (CwStoreStmt      *stmt,
                                           int               index);
gint64        cw_store_now                (void);

/* Testing: opens and migrates only up to @version (1 ..
 * CW_WALLET_STORE_SCHEMA_VERSION), so tests can build an old database. */
CwWalletStore *cw_wallet_store_new_at_version (const char   *path,
                                               int           version,
                                               GError      **error);

G_END_DECLS
