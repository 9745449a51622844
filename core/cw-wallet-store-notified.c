/* cw-wallet-store-notified.c: which notifications the desktop app already
 * showed, kept across starts (schema version 3). */
#include "config.h"

#include "cw-wallet-store-private.h"

gboolean
cw_wallet_store_mark_notified (CwWalletStore  *self,
                               const char     *id,
                               GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self, "INSERT OR IGNORE INTO notified (id, time) VALUES (?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  cw_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, cw_store_now ());
  return cw_wallet_store_step_done (self, stmt, error);
}

GHashTable *
cw_wallet_store_list_notified (CwWalletStore  *self,
                               GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self, "SELECT id FROM notified", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (ids, cw_store_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}
