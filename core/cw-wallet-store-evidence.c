/* cw-wallet-store-evidence.c: what verification leaves behind in the wallet
 * database: the verified checkpoints that consistency is checked from
 * (c2sp.org/tlog-checkpoint, RFC 9162 §2.1.4) and the persistent alerts of
 * DESIGN.md "Trust model".
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-wallet-store-private.h"

/* Verified checkpoints. */

void
cw_store_checkpoint_free (CwStoreCheckpoint *checkpoint)
{
  if (checkpoint == NULL)
    return;

  g_free (checkpoint->note);
  g_free (checkpoint);
}

static CwStoreCheckpoint *
latest_checkpoint_locked (CwWalletStore  *self,
                          GError        **error)
{
  g_autoptr(CwStoreStmt) stmt = NULL;
  CwStoreCheckpoint *checkpoint;
  int rc;

  stmt = cw_wallet_store_prepare (self,
                                  "SELECT size, root, note, verified FROM checkpoints"
                                  " ORDER BY size DESC LIMIT 1",
                                  error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }

  checkpoint = g_new0 (CwStoreCheckpoint, 1);
  checkpoint->size = (guint64) sqlite3_column_int64 (stmt, 0);
  if (sqlite3_column_bytes (stmt, 1) == sizeof checkpoint->root)
    memcpy (checkpoint->root, sqlite3_column_blob (stmt, 1), sizeof checkpoint->root);
  checkpoint->note = cw_store_column_text (stmt, 2);
  checkpoint->verified = sqlite3_column_int64 (stmt, 3);

  return checkpoint;
}

CwStoreCheckpoint *
cw_wallet_store_get_latest_checkpoint (CwWalletStore  *self,
                                       GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  return latest_checkpoint_locked (self, error);
}

gboolean
cw_wallet_store_record_checkpoint (CwWalletStore  *self,
                                   guint64         size,
                                   const guint8    root[32],
                                   const char     *note,
                                   GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreCheckpoint) latest = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (root != NULL && note != NULL, FALSE);

  if (size > G_MAXINT64)
    {
      g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
                           _("The checkpoint's tree size is out of range and was not saved."));
      return FALSE;
    }

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!cw_wallet_store_begin (self, error))
    return FALSE;

  latest = latest_checkpoint_locked (self, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      goto fail;
    }

  if (latest != NULL && size < latest->size)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CHECKPOINT,
                   _("The log checkpoint of size %" PRIu64 " is older than the one already "
                     "verified (size %" PRIu64 "); the node may be replaying an old state."),
                   size, latest->size);
      goto fail;
    }
  if (latest != NULL && size == latest->size && memcmp (root, latest->root, 32) != 0)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CHECKPOINT,
                   _("The log checkpoint of size %" PRIu64 " has a different root than "
                     "the one already verified; the log has forked."), size);
      goto fail;
    }

  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO checkpoints (size, root, note, verified)"
                                  " VALUES (?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, (gint64) size);
  sqlite3_bind_blob (stmt, 2, root, 32, SQLITE_TRANSIENT);
  cw_store_bind_text (stmt, 3, note);
  sqlite3_bind_int64 (stmt, 4, cw_store_now ());
  if (!cw_wallet_store_step_done (self, stmt, error))
    goto fail;

  return cw_wallet_store_commit (self, error);

fail:
  cw_wallet_store_rollback (self);
  return FALSE;
}

/* Alerts. */

void
cw_store_alert_free (CwStoreAlert *alert)
{
  if (alert == NULL)
    return;

  g_free (alert->kind);
  g_free (alert->message);
  g_clear_pointer (&alert->evidence, g_bytes_unref);
  g_free (alert);
}

gint64
cw_wallet_store_raise_alert (CwWalletStore  *self,
                             const char     *kind,
                             const char     *message,
                             GBytes         *evidence,
                             GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), -1);
  g_return_val_if_fail (kind != NULL && message != NULL, -1);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "INSERT INTO alerts (kind, message, evidence, created)"
                                  " VALUES (?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return -1;
  cw_store_bind_text (stmt, 1, kind);
  cw_store_bind_text (stmt, 2, message);
  if (evidence != NULL)
    {
      gsize len;
      gconstpointer data = g_bytes_get_data (evidence, &len);

      sqlite3_bind_blob64 (stmt, 3, len ? data : "", len, SQLITE_TRANSIENT);
    }
  sqlite3_bind_int64 (stmt, 4, cw_store_now ());
  if (!cw_wallet_store_step_done (self, stmt, error))
    return -1;

  return sqlite3_last_insert_rowid (self->db);
}

GPtrArray *
cw_wallet_store_list_alerts (CwWalletStore  *self,
                             gboolean        include_acknowledged,
                             GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_alert_free);
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "SELECT id, kind, message, evidence, created, acknowledged"
                                  " FROM alerts WHERE ? OR acknowledged IS NULL ORDER BY id DESC",
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, include_acknowledged ? 1 : 0);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CwStoreAlert *alert = g_new0 (CwStoreAlert, 1);

      alert->id = sqlite3_column_int64 (stmt, 0);
      alert->kind = cw_store_column_text (stmt, 1);
      alert->message = cw_store_column_text (stmt, 2);
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        alert->evidence = g_bytes_new (sqlite3_column_blob (stmt, 3), sqlite3_column_bytes (stmt, 3));
      alert->created = sqlite3_column_int64 (stmt, 4);
      alert->acknowledged = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (alerts, alert);
    }
  if (rc != SQLITE_DONE)
    {
      cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&alerts);
}

gboolean
cw_wallet_store_acknowledge_alert (CwWalletStore  *self,
                                   gint64          id,
                                   GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "UPDATE alerts SET acknowledged = coalesce (acknowledged, ?)"
                                  " WHERE id = ?",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, MAX (cw_store_now (), 1));
  sqlite3_bind_int64 (stmt, 2, id);
  if (!cw_wallet_store_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_NOT_FOUND,
                   _("There is no alert %" PRId64 "."), id);
      return FALSE;
    }

  return TRUE;
}
