/* cw-node-store-sqlite-recovery.c: the SQLite store's lookup of a patient
 * by its current recovery key (PROTOCOL.md §12 "Finding the patient"),
 * on the index schema version 3 adds. */
#include "config.h"

#include "cw-node-store-sqlite-private.h"

static char *
cw_node_store_sqlite_lookup_recovery_patient (CwNodeStore   *store,
                                              const guint8   recovery_key[CW_NODE_STORE_HASH_SIZE],
                                              GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* Nothing stops a second enrollment from naming a recovery public key
   * that is already in use; the first patient to have it keeps it. */
  stmt = cw_node_store_sqlite_prepare (self,
                                       "SELECT id FROM patients WHERE recovery_key = ?1"
                                       " ORDER BY enrolled_idx LIMIT 1",
                                       error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_blob (stmt, 1, recovery_key, CW_NODE_STORE_HASH_SIZE, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                           "No patient has this recovery key");
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      cw_node_store_sqlite_set_error (self, error, "looking up a recovery key");
      return NULL;
    }

  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

void
cw_node_store_sqlite_recovery_iface_init (CwNodeStoreInterface *iface)
{
  iface->lookup_recovery_patient = cw_node_store_sqlite_lookup_recovery_patient;
}
