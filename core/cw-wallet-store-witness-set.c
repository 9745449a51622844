/* cw-wallet-store-witness-set.c: the witness set the wallet moved to
 * (schema version 4; PROTOCOL.md §4 "Witness sets"). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-wallet-store-private.h"

gboolean
cw_wallet_store_get_witness_set_version (CwWalletStore  *self,
                                         guint64        *out_version,
                                         GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (out_version != NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self, "SELECT version FROM witness_set", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      cw_wallet_store_set_error (self, rc, error);
      return FALSE;
    }
  *out_version = rc == SQLITE_ROW ? (guint64) sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

gboolean
cw_wallet_store_take_witness_set (CwWalletStore       *self,
                                  guint64              version,
                                  guint                quorum,
                                  const char * const  *witness_keys,
                                  const char          *note,
                                  GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  g_autoptr(CwStoreStmt) set = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (version > 0 && version <= G_MAXINT64, FALSE);
  g_return_val_if_fail (witness_keys != NULL && witness_keys[0] != NULL, FALSE);
  g_return_val_if_fail (note != NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!cw_wallet_store_begin (self, error))
    return FALSE;

  stmt = cw_wallet_store_prepare (self, "UPDATE node_config SET quorum = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, quorum);
  if (!cw_wallet_store_step_done (self, stmt, error))
    goto fail;
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_NOT_FOUND,
                   _("The wallet has no node configured"));
      goto fail;
    }
  if (!cw_wallet_store_exec (self, "DELETE FROM witness_keys", error))
    goto fail;
  for (guint i = 0; witness_keys[i] != NULL; i++)
    {
      g_autoptr(CwStoreStmt) insert =
        cw_wallet_store_prepare (self,
                                 "INSERT INTO witness_keys (position, verifier_key) VALUES (?, ?)",
                                 error);

      if (insert == NULL)
        goto fail;
      sqlite3_bind_int64 (insert, 1, i);
      cw_store_bind_text (insert, 2, witness_keys[i]);
      if (!cw_wallet_store_step_done (self, insert, error))
        goto fail;
    }

  set = cw_wallet_store_prepare (self,
                                 "INSERT OR REPLACE INTO witness_set (singleton, version, note, taken)"
                                 " VALUES (1, ?, ?, ?)",
                                 error);
  if (set == NULL)
    goto fail;
  sqlite3_bind_int64 (set, 1, (gint64) version);
  cw_store_bind_text (set, 2, note);
  sqlite3_bind_int64 (set, 3, cw_store_now ());
  if (!cw_wallet_store_step_done (self, set, error))
    goto fail;

  return cw_wallet_store_commit (self, error);

fail:
  cw_wallet_store_rollback (self);
  return FALSE;
}
