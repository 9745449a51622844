/* cw-wallet-store-outbox.c: the outbox and history of the patient's own
 * transactions and the local chain head (DESIGN.md "Storage": every
 * transaction is stored before it is sent, in the same SQLite transaction
 * that advances the chain head).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-wallet-store-private.h"

#define TX_COLUMNS "id, seq, prev, type, envelope, state, receipt, log_index, error," \
                   " attempts, created, updated"

static const char * const state_names[] = {
  [CW_STORE_TX_QUEUED] = "queued",
  [CW_STORE_TX_SENT] = "sent",
  [CW_STORE_TX_CONFIRMED] = "confirmed",
  [CW_STORE_TX_REJECTED] = "rejected",
};

const char *
cw_store_tx_state_to_string (CwStoreTxState state)
{
  g_return_val_if_fail (state <= CW_STORE_TX_REJECTED, NULL);

  return state_names[state];
}

static CwStoreTxState
state_from_string (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (name, state_names[i]) == 0)
      return i;

  /* The CHECK constraint keeps anything else out. */
  return CW_STORE_TX_REJECTED;
}

void
cw_store_tx_free (CwStoreTx *tx)
{
  if (tx == NULL)
    return;

  g_free (tx->id);
  g_free (tx->prev);
  g_free (tx->envelope);
  g_free (tx->receipt);
  g_free (tx->error);
  g_free (tx);
}

static CwStoreTx *
tx_from_row (CwStoreStmt *stmt)
{
  CwStoreTx *tx = g_new0 (CwStoreTx, 1);
  g_autofree char *state = NULL;
  const char *type = (const char *) sqlite3_column_text (stmt, 3);

  tx->id = cw_store_column_text (stmt, 0);
  tx->seq = (guint64) sqlite3_column_int64 (stmt, 1);
  tx->prev = cw_store_column_text (stmt, 2);
  if (type == NULL || !cw_tx_type_from_string (type, &tx->type))
    tx->type = CW_TX_TYPE_GRANT;
  tx->envelope = cw_store_column_text (stmt, 4);
  state = cw_store_column_text (stmt, 5);
  tx->state = state_from_string (state);
  tx->receipt = cw_store_column_text (stmt, 6);
  tx->log_index = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 7);
  tx->error = cw_store_column_text (stmt, 8);
  tx->attempts = (guint) sqlite3_column_int64 (stmt, 9);
  tx->created = sqlite3_column_int64 (stmt, 10);
  tx->updated = sqlite3_column_int64 (stmt, 11);

  return tx;
}

static CwStoreTx *
get_tx_locked (CwWalletStore  *self,
               const char     *id,
               GError        **error)
{
  g_autoptr(CwStoreStmt) stmt = NULL;
  int rc;

  stmt = cw_wallet_store_prepare (self, "SELECT " TX_COLUMNS " FROM transactions WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  cw_store_bind_text (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return tx_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_NOT_FOUND,
                 _("The wallet has no transaction %s."), id);
  else
    cw_wallet_store_set_error (self, rc, error);

  return NULL;
}

/* FALSE without error: no head yet. */
static gboolean
get_head_locked (CwWalletStore  *self,
                 guint64        *seq,
                 char          **id,
                 GError        **error)
{
  g_autoptr(CwStoreStmt) stmt = NULL;
  int rc;

  stmt = cw_wallet_store_prepare (self, "SELECT seq, tx_id FROM chain_head", error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        cw_wallet_store_set_error (self, rc, error);
      return FALSE;
    }

  if (seq != NULL)
    *seq = (guint64) sqlite3_column_int64 (stmt, 0);
  if (id != NULL)
    *id = cw_store_column_text (stmt, 1);
  return TRUE;
}

static gboolean
set_head_locked (CwWalletStore  *self,
                 guint64         seq,
                 const char     *id,
                 GError        **error)
{
  g_autoptr(CwStoreStmt) stmt = NULL;

  if (id == NULL)
    return cw_wallet_store_exec (self, "DELETE FROM chain_head", error);

  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO chain_head (singleton, seq, tx_id)"
                                  " VALUES (1, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (gint64) seq);
  cw_store_bind_text (stmt, 2, id);

  return cw_wallet_store_step_done (self, stmt, error);
}

gboolean
cw_wallet_store_get_chain_head (CwWalletStore  *self,
                                guint64        *seq,
                                char          **id,
                                GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  return get_head_locked (self, seq, id, error);
}

static void
invalid_envelope (GError       **error,
                  const GError  *cause)
{
  g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
               _("The transaction was not queued because it is malformed (%s)."),
               cause ? cause->message : _("not a patient transaction"));
}

/* Checks the envelope against the identity and the head; holds the lock. */
static gboolean
check_extends_head (CwWalletStore  *self,
                    CwTx           *tx,
                    GError        **error)
{
  g_autoptr(CwStoreStmt) stmt = NULL;
  g_autofree char *patient = cw_tx_dup_patient_id (tx);
  g_autofree char *head_id = NULL;
  g_autofree char *prev = NULL;
  GError *local_error = NULL;
  guint64 head_seq = 0;
  gboolean has_head;
  int rc;

  stmt = cw_wallet_store_prepare (self, "SELECT patient_id FROM identity", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      cw_wallet_store_set_error (self, rc, error);
      return FALSE;
    }
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
                           _("The transaction was not queued because this wallet has no identity "
                             "yet. Enroll or restore an identity first."));
      return FALSE;
    }
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), patient) != 0)
    {
      g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
                           _("The transaction was not queued because it names another patient "
                             "than this wallet's identity."));
      return FALSE;
    }

  has_head = get_head_locked (self, &head_seq, &head_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (cw_tx_get_prev (tx) != NULL)
    prev = cw_base64_encode (cw_tx_get_prev (tx), CW_TX_ID_SIZE);

  if (!has_head && (cw_tx_get_seq (tx) != 0 || prev != NULL))
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CHAIN,
                   _("The transaction was not queued: its sequence number is %" PRIu64
                     " but the chain is empty, so it must be the enrollment (0)."),
                   cw_tx_get_seq (tx));
      return FALSE;
    }
  if (has_head && (cw_tx_get_seq (tx) != head_seq + 1 || g_strcmp0 (prev, head_id) != 0))
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CHAIN,
                   _("The transaction was not queued: it does not follow the last transaction "
                     "of the chain (expected sequence %" PRIu64 " after %s, got %"
                     PRIu64 " after %s). Sign it again against the current chain."),
                   head_seq + 1, head_id, cw_tx_get_seq (tx), prev ? prev : _("nothing"));
      return FALSE;
    }

  return TRUE;
}

CwStoreTx *
cw_wallet_store_enqueue_transaction (CwWalletStore  *self,
                                     const char     *envelope,
                                     GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwDsseEnvelope) parsed = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  g_autoptr(GError) cause = NULL;
  g_autofree char *id = NULL;
  g_autofree char *prev = NULL;
  gint64 now = cw_store_now ();
  CwStoreTx *stored;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);
  g_return_val_if_fail (envelope != NULL, NULL);

  parsed = cw_dsse_envelope_parse (envelope, strlen (envelope), &cause);
  if (parsed == NULL)
    {
      invalid_envelope (error, cause);
      return NULL;
    }
  payload = cw_dsse_envelope_get_payload (parsed);
  tx = cw_tx_parse_payload_bytes (payload, &cause);
  if (tx == NULL)
    {
      invalid_envelope (error, cause);
      return NULL;
    }
  if (cw_tx_type_is_provider_signed (cw_tx_get_tx_type (tx)))
    {
      invalid_envelope (error, NULL);
      return NULL;
    }

  id = cw_tx_dup_id_base64 (tx);
  if (cw_tx_get_prev (tx) != NULL)
    prev = cw_base64_encode (cw_tx_get_prev (tx), CW_TX_ID_SIZE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!cw_wallet_store_begin (self, error))
    return NULL;

  if (!check_extends_head (self, tx, error))
    goto fail;

  stmt = cw_wallet_store_prepare (self,
                                  "INSERT INTO transactions (id, seq, prev, type, envelope, state,"
                                  " created, updated) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
                                  error);
  if (stmt == NULL)
    goto fail;
  cw_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, (gint64) cw_tx_get_seq (tx));
  cw_store_bind_text (stmt, 3, prev);
  cw_store_bind_text (stmt, 4, cw_tx_type_to_string (cw_tx_get_tx_type (tx)));
  cw_store_bind_text (stmt, 5, envelope);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_int64 (stmt, 7, now);
  if (!cw_wallet_store_step_done (self, stmt, error) ||
      !set_head_locked (self, cw_tx_get_seq (tx), id, error))
    goto fail;

  if (!cw_wallet_store_commit (self, error))
    return NULL;

  stored = g_new0 (CwStoreTx, 1);
  stored->id = g_steal_pointer (&id);
  stored->seq = cw_tx_get_seq (tx);
  stored->prev = g_steal_pointer (&prev);
  stored->type = cw_tx_get_tx_type (tx);
  stored->envelope = g_strdup (envelope);
  stored->state = CW_STORE_TX_QUEUED;
  stored->log_index = -1;
  stored->created = stored->updated = now;
  return stored;

fail:
  cw_wallet_store_rollback (self);
  return NULL;
}

GPtrArray *
cw_wallet_store_list_transactions (CwWalletStore  *self,
                                   gboolean        include_history,
                                   GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_tx_free);
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  /* Rejected transactions share a seq with their replacement; older first. */
  stmt = cw_wallet_store_prepare (self,
                                  "SELECT " TX_COLUMNS " FROM transactions"
                                  " WHERE ? OR state IN ('queued', 'sent')"
                                  " ORDER BY seq, created, rowid",
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, include_history ? 1 : 0);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, tx_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&list);
}

CwStoreTx *
cw_wallet_store_get_transaction (CwWalletStore  *self,
                                 const char     *id,
                                 GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  return get_tx_locked (self, id, error);
}

/* Loads @id and checks it is still in the outbox. */
static CwStoreTx *
get_pending_locked (CwWalletStore  *self,
                    const char     *id,
                    const char     *change,
                    GError        **error)
{
  CwStoreTx *tx = get_tx_locked (self, id, error);

  if (tx != NULL && tx->state != CW_STORE_TX_QUEUED && tx->state != CW_STORE_TX_SENT)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_STATE,
                   /* TRANSLATORS: a transaction ID, the change asked for (“marked as sent”,
                    * “confirmed”, “rejected”), then its stored state (queued, sent, confirmed or
                    * rejected), which is not translated */
                   _("Transaction %s cannot be %s because it is already %s."),
                   id, change, cw_store_tx_state_to_string (tx->state));
      g_clear_pointer (&tx, cw_store_tx_free);
    }

  return tx;
}

gboolean
cw_wallet_store_mark_sent (CwWalletStore  *self,
                           const char     *id,
                           GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!cw_wallet_store_begin (self, error))
    return FALSE;
  if ((tx = get_pending_locked (self, id, _("marked as sent"), error)) == NULL)
    goto fail;

  stmt = cw_wallet_store_prepare (self,
                                  "UPDATE transactions SET state = 'sent', attempts = attempts + 1,"
                                  " updated = ? WHERE id = ?",
                                  error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, cw_store_now ());
  cw_store_bind_text (stmt, 2, id);
  if (!cw_wallet_store_step_done (self, stmt, error))
    goto fail;

  return cw_wallet_store_commit (self, error);

fail:
  cw_wallet_store_rollback (self);
  return FALSE;
}

gboolean
cw_wallet_store_mark_confirmed (CwWalletStore  *self,
                                const char     *id,
                                const char     *receipt,
                                guint64         log_index,
                                GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL && receipt != NULL, FALSE);
  g_return_val_if_fail (log_index <= G_MAXINT64, FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!cw_wallet_store_begin (self, error))
    return FALSE;

  tx = get_tx_locked (self, id, error);
  if (tx == NULL)
    goto fail;
  if (tx->state == CW_STORE_TX_CONFIRMED && tx->log_index == (gint64) log_index)
    {
      cw_wallet_store_rollback (self);
      return TRUE;
    }
  g_clear_pointer (&tx, cw_store_tx_free);
  if ((tx = get_pending_locked (self, id, _("confirmed"), error)) == NULL)
    goto fail;

  stmt = cw_wallet_store_prepare (self,
                                  "UPDATE transactions SET state = 'confirmed', receipt = ?,"
                                  " log_index = ?, error = NULL, updated = ? WHERE id = ?",
                                  error);
  if (stmt == NULL)
    goto fail;
  cw_store_bind_text (stmt, 1, receipt);
  sqlite3_bind_int64 (stmt, 2, (gint64) log_index);
  sqlite3_bind_int64 (stmt, 3, cw_store_now ());
  cw_store_bind_text (stmt, 4, id);
  if (!cw_wallet_store_step_done (self, stmt, error))
    goto fail;

  return cw_wallet_store_commit (self, error);

fail:
  cw_wallet_store_rollback (self);
  return FALSE;
}

gboolean
cw_wallet_store_mark_rejected (CwWalletStore  *self,
                               const char     *id,
                               const char     *reason,
                               GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  g_autoptr(CwStoreStmt) check = NULL;
  g_autoptr(CwStoreStmt) reject = NULL;
  g_autoptr(CwStoreStmt) later = NULL;
  g_autoptr(CwStoreStmt) last = NULL;
  g_autofree char *cascade = NULL;
  gint64 now = cw_store_now ();
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL && reason != NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!cw_wallet_store_begin (self, error))
    return FALSE;
  if ((tx = get_pending_locked (self, id, _("rejected"), error)) == NULL)
    goto fail;

  /* A later transaction that the node confirmed would mean it accepted a
   * chain without this one: refuse to rewrite history around it. */
  check = cw_wallet_store_prepare (self,
                                   "SELECT count(*) FROM transactions"
                                   " WHERE seq > ? AND state = 'confirmed'",
                                   error);
  if (check == NULL)
    goto fail;
  sqlite3_bind_int64 (check, 1, (gint64) tx->seq);
  if ((rc = sqlite3_step (check)) != SQLITE_ROW)
    {
      cw_wallet_store_set_error (self, rc, error);
      goto fail;
    }
  if (sqlite3_column_int64 (check, 0) > 0)
    {
      g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_STATE,
                   _("Transaction %s cannot be rejected because a later one was already "
                     "confirmed."), id);
      goto fail;
    }

  reject = cw_wallet_store_prepare (self,
                                    "UPDATE transactions SET state = 'rejected', error = ?,"
                                    " updated = ? WHERE id = ?",
                                    error);
  if (reject == NULL)
    goto fail;
  cw_store_bind_text (reject, 1, reason);
  sqlite3_bind_int64 (reject, 2, now);
  cw_store_bind_text (reject, 3, id);
  if (!cw_wallet_store_step_done (self, reject, error))
    goto fail;

  cascade = g_strdup_printf ("An earlier transaction (sequence %" G_GUINT64_FORMAT
                             ") was rejected: %s", tx->seq, reason);
  later = cw_wallet_store_prepare (self,
                                   "UPDATE transactions SET state = 'rejected', error = ?,"
                                   " updated = ? WHERE seq > ? AND state IN ('queued', 'sent')",
                                   error);
  if (later == NULL)
    goto fail;
  cw_store_bind_text (later, 1, cascade);
  sqlite3_bind_int64 (later, 2, now);
  sqlite3_bind_int64 (later, 3, (gint64) tx->seq);
  if (!cw_wallet_store_step_done (self, later, error))
    goto fail;

  /* Move the head back to the last transaction still in the chain. */
  last = cw_wallet_store_prepare (self,
                                  "SELECT seq, id FROM transactions WHERE state != 'rejected'"
                                  " ORDER BY seq DESC LIMIT 1",
                                  error);
  if (last == NULL)
    goto fail;
  rc = sqlite3_step (last);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *head_id = cw_store_column_text (last, 1);

      if (!set_head_locked (self, (guint64) sqlite3_column_int64 (last, 0), head_id, error))
        goto fail;
    }
  else if (rc != SQLITE_DONE || !set_head_locked (self, 0, NULL, error))
    {
      if (rc != SQLITE_DONE)
        cw_wallet_store_set_error (self, rc, error);
      goto fail;
    }

  return cw_wallet_store_commit (self, error);

fail:
  cw_wallet_store_rollback (self);
  return FALSE;
}
