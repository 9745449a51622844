/* cw-node-store-sqlite.h: the node's storage in one SQLite file (WAL,
 * synchronous=FULL, schema migrations by PRAGMA user_version). */
#pragma once

#include "cw-node-store.h"

G_BEGIN_DECLS

/* The schema version this build writes. */
#define CW_NODE_STORE_SQLITE_SCHEMA_VERSION 3

#define CW_TYPE_NODE_STORE_SQLITE (cw_node_store_sqlite_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeStoreSqlite, cw_node_store_sqlite, CW, NODE_STORE_SQLITE, GObject)

/* With @create, @path must not exist yet and is created with mode 0600;
 * without it, @path must exist. Either way the schema is migrated to the
 * current version. */
CwNodeStore *cw_node_store_sqlite_new (const char  *path,
                                       gboolean     create,
                                       GError     **error);

G_END_DECLS
