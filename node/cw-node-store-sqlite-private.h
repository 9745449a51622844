/* cw-node-store-sqlite-private.h: what the files of the SQLite store share:
 * the connection, error reporting and the vfuncs each file implements. */
#pragma once

#include <sqlite3.h>

#include "cw-node-store-sqlite.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

sqlite3      *cw_node_store_sqlite_get_db          (CwNodeStoreSqlite     *self);
const char   *cw_node_store_sqlite_get_path        (CwNodeStoreSqlite     *self);
/* Sets @error from the connection's last error; returns FALSE. */
gboolean      cw_node_store_sqlite_set_error       (CwNodeStoreSqlite     *self,
                                                    GError               **error,
                                                    const char            *what);
sqlite3_stmt *cw_node_store_sqlite_prepare         (CwNodeStoreSqlite     *self,
                                                    const char            *sql,
                                                    GError               **error);
gboolean      cw_node_store_sqlite_exec            (CwNodeStoreSqlite     *self,
                                                    const char            *sql,
                                                    GError               **error);
/* Runs a statement that returns no rows; @what names it in the error. */
gboolean      cw_node_store_sqlite_step_done       (CwNodeStoreSqlite     *self,
                                                    sqlite3_stmt          *stmt,
                                                    const char            *what,
                                                    GError               **error);
/* Runs @sql and reads the first column of its first row. */
gboolean      cw_node_store_sqlite_query_int64     (CwNodeStoreSqlite     *self,
                                                    const char            *sql,
                                                    gint64                *out,
                                                    GError               **error);

/* Statements kept prepared for the connection's lifetime (in
 * cw-node-store-sqlite-state.c), for the hot paths: the sequencer's lookups
 * and batch writes. prepare_cached() lends the cached statement for @sql,
 * or a fresh one if another thread holds it; release() resets it and gives
 * it back (or finalizes a fresh one). Use with g_autoptr(CwSqliteCachedStmt). */
typedef sqlite3_stmt CwSqliteCachedStmt;

CwSqliteCachedStmt *cw_node_store_sqlite_prepare_cached (CwNodeStoreSqlite *self,
                                                         const char        *sql,
                                                         GError           **error);
void          cw_node_store_sqlite_release         (CwSqliteCachedStmt    *stmt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwSqliteCachedStmt, cw_node_store_sqlite_release)
/* PRAGMA synchronous = FULL (TRUE) or NORMAL (FALSE), outside a
 * transaction. */
gboolean      cw_node_store_sqlite_set_synchronous (CwNodeStoreSqlite     *self,
                                                    gboolean               full,
                                                    GError               **error);
/* Rolls back the open transaction, if any. */
void          cw_node_store_sqlite_rollback        (CwNodeStoreSqlite     *self);

/* cw-node-store-sqlite-directory.c: providers and invites. */
void          cw_node_store_sqlite_directory_iface_init (CwNodeStoreInterface *iface);
/* cw-node-store-sqlite-log.c: tree head, tree hashes and checkpoints. */
void          cw_node_store_sqlite_log_iface_init    (CwNodeStoreInterface *iface);
/* cw-node-store-sqlite-state.c: consent state and log reads. */
void          cw_node_store_sqlite_state_iface_init  (CwNodeStoreInterface *iface);
/* cw-node-store-sqlite-commit.c: batches and cosignatures. */
void          cw_node_store_sqlite_commit_iface_init (CwNodeStoreInterface *iface);
/* cw-node-store-sqlite-reads.c: authenticated reads and the replay cache;
 * and the SQL functions the schema uses, registered on every connection. */
void          cw_node_store_sqlite_reads_iface_init  (CwNodeStoreInterface *iface);
/* cw-node-store-sqlite-recovery.c: a patient found by its recovery key. */
void          cw_node_store_sqlite_recovery_iface_init (CwNodeStoreInterface *iface);
gboolean      cw_node_store_sqlite_register_functions (CwNodeStoreSqlite   *self,
                                                      GError             **error);

G_END_DECLS
