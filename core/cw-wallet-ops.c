/* cw-wallet-ops.c: CwWallet's transactions (grant, revoke, approve, deny,
 * rotate), the ordered outbox flush with receipt verification, and sync. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-tlog-proof.h"
#include "cw-wallet-private.h"

static CwTx *
parse_envelope (const char  *envelope,
                GError     **error)
{
  g_autoptr(CwDsseEnvelope) parsed = cw_dsse_envelope_parse (envelope, strlen (envelope), error);
  g_autoptr(GBytes) payload = NULL;

  if (parsed == NULL)
    return NULL;
  payload = cw_dsse_envelope_get_payload (parsed);
  return cw_tx_parse_payload_bytes (payload, error);
}

static gboolean
verification_failed (CwWallet  *self,
                     GError    *cause,
                     GBytes    *evidence,
                     GError   **error)
{
  cw_wallet_raise_alert (self, cause, evidence);
  g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
               /* TRANSLATORS: %s is a sentence on what the node did wrong */
               _("%s Nothing from this exchange was accepted; see the alert."), cause->message);
  g_error_free (cause);
  return FALSE;
}

/* Checks @newer against the latest verified checkpoint (either may be the
 * older one) and records it if it is the newest. */
static gboolean
accept_checkpoint (CwWallet           *self,
                   CwWalletWorker     *worker,
                   CwStoreCheckpoint  *newer,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_autoptr(CwStoreCheckpoint) last = cw_wallet_store_get_latest_checkpoint (self->store, error);
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(GBytes) evidence = NULL;
  const CwStoreCheckpoint *older, *younger;
  GError *cause = NULL;

  if (last == NULL && error != NULL && *error != NULL)
    return FALSE;

  if (last != NULL && last->size != newer->size && last->size > 0 && newer->size > 0)
    {
      g_autoptr(GAsyncResult) result = NULL;

      older = last->size < newer->size ? last : newer;
      younger = last->size < newer->size ? newer : last;
      cw_node_client_get_consistency_async (worker->client, older->size, younger->size,
                                            cancellable, cw_wallet_worker_wait_cb, &result);
      proof = cw_node_client_get_consistency_finish (worker->client,
                                                     cw_wallet_worker_wait (worker, &result),
                                                     error);
      if (proof == NULL)
        return FALSE;
    }

  if (last != NULL)
    {
      older = last->size <= newer->size ? last : newer;
      younger = last->size <= newer->size ? newer : last;
      if (!cw_verifier_check_consistency (worker->verifier, older, younger, proof, &evidence,
                                          &cause))
        return verification_failed (self, cause, evidence, error);
      if (newer->size < last->size)
        return TRUE;
    }

  return cw_wallet_store_record_checkpoint (self->store, newer->size, newer->root, newer->note,
                                            error);
}

/* What a confirmed transaction changes in the grant and request lists. */
gboolean
cw_wallet_apply_confirmed (CwWallet   *self,
                           CwStoreTx  *stored,
                           guint64     index,
                           GError    **error)
{
  g_autoptr(CwTx) tx = parse_envelope (stored->envelope, error);
  g_autofree char *ref = NULL;

  if (tx == NULL)
    return FALSE;

  switch (cw_tx_get_tx_type (tx))
    {
    case CW_TX_TYPE_GRANT:
      {
        g_autofree char *request = NULL;
        CwStoreGrant grant = { 0 };

        if (cw_tx_get_request (tx) != NULL)
          request = cw_base64_encode (cw_tx_get_request (tx), CW_TX_ID_SIZE);
        grant.id = stored->id;
        grant.provider = (char *) cw_tx_get_provider (tx);
        grant.scopes = cw_tx_get_scopes (tx);
        grant.purpose = cw_tx_get_purpose (tx);
        grant.access = cw_tx_get_access (tx);
        grant.data_from = (char *) cw_tx_get_data_from (tx);
        grant.data_to = (char *) cw_tx_get_data_to (tx);
        grant.time = g_date_time_to_unix (cw_tx_get_time (tx));
        grant.expires = g_date_time_to_unix (cw_tx_get_expires (tx));
        grant.request_id = request;
        grant.log_index = (gint64) index;
        grant.envelope = stored->envelope;
        if (!cw_wallet_store_upsert_grant (self->store, &grant, error))
          return FALSE;
        ref = g_steal_pointer (&request);
        break;
      }
    case CW_TX_TYPE_REVOKE:
      {
        g_autofree char *grant_id = cw_base64_encode (cw_tx_get_grant (tx), CW_TX_ID_SIZE);
        g_autoptr(CwStoreGrant) grant = cw_wallet_store_get_grant (self->store, grant_id, error);

        if (grant == NULL)
          return error == NULL || *error == NULL;
        g_free (grant->revoked_by);
        grant->revoked_by = g_strdup (stored->id);
        return cw_wallet_store_upsert_grant (self->store, grant, error);
      }
    case CW_TX_TYPE_DENY:
      ref = cw_base64_encode (cw_tx_get_request (tx), CW_TX_ID_SIZE);
      break;
    case CW_TX_TYPE_ROTATE:
      {
        g_autoptr(CwStoreIdentity) identity = cw_wallet_store_get_identity (self->store, error);

        if (identity == NULL)
          return FALSE;
        g_free (identity->public_key);
        identity->public_key = cw_base64_encode (cw_tx_get_new_key (tx), CW_PUBLIC_KEY_SIZE);
        if (cw_tx_get_new_recovery_key (tx) != NULL)
          {
            g_free (identity->recovery_key);
            identity->recovery_key = cw_base64_encode (cw_tx_get_new_recovery_key (tx),
                                                       CW_PUBLIC_KEY_SIZE);
          }
        return cw_wallet_store_set_identity (self->store, identity, error);
      }
    default:
      break;
    }

  if (ref != NULL)
    {
      g_autoptr(CwStoreRequest) request = cw_wallet_store_get_request (self->store, ref, error);

      if (request == NULL)
        return error == NULL || *error == NULL;
      request->state = cw_tx_get_tx_type (tx) == CW_TX_TYPE_DENY ? CW_STORE_REQUEST_DENIED
                                                                 : CW_STORE_REQUEST_APPROVED;
      g_free (request->answer_id);
      request->answer_id = g_strdup (stored->id);
      return cw_wallet_store_upsert_request (self->store, request, error);
    }

  return TRUE;
}

gboolean
cw_wallet_submit_one (CwWallet        *self,
                      CwWalletWorker  *worker,
                      CwStoreTx       *tx,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwNodeReceipt) receipt = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(CwStoreCheckpoint) stored_checkpoint = NULL;
  g_autoptr(GBytes) evidence = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GError) local = NULL;
  guint8 id[CW_TX_ID_SIZE];
  GError *cause = NULL;

  if (!cw_base64_decode_fixed (tx->id, -1, id, sizeof id, error) ||
      !cw_wallet_store_mark_sent (self->store, tx->id, error))
    return FALSE;

  cw_node_client_submit_async (worker->client, tx->envelope, cancellable,
                               cw_wallet_worker_wait_cb, &result);
  receipt = cw_node_client_submit_finish (worker->client, cw_wallet_worker_wait (worker, &result),
                                          &local);
  if (receipt == NULL)
    {
      if (g_error_matches (local, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_REJECTED) ||
          g_error_matches (local, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_CONFLICT))
        {
          if (!cw_wallet_store_mark_rejected (self->store, tx->id, local->message, error))
            return FALSE;
          if (g_strcmp0 (cw_node_client_error_get_node_code (local), "invalid_invite") == 0)
            g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED,
                         _("The node refused the invite code: it was already used, has expired "
                           "or was withdrawn (%s). Ask the clinic for a new invite."),
                         local->message);
          else
            g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED, "%s", local->message);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  if (!g_str_equal (receipt->id, tx->id))
    {
      cause = g_error_new (CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_RECEIPT,
                           _("The node answered with a receipt for another transaction."));
      return verification_failed (self, cause, NULL, error);
    }

  checkpoint = cw_verifier_verify_receipt (worker->verifier, receipt->proof, id, receipt->index,
                                           &note, &evidence, &cause);
  if (checkpoint == NULL)
    return verification_failed (self, cause, evidence, error);

  stored_checkpoint = cw_verifier_checkpoint_to_store (checkpoint, note);
  if (!accept_checkpoint (self, worker, stored_checkpoint, cancellable, error))
    return FALSE;

  /* Applied before the transaction counts as confirmed: a crash between
   * the two leaves it "sent", so the next flush gets the same receipt and
   * applies it again (idempotent), instead of a confirmed transaction whose
   * grant or revocation never reached the lists. */
  return cw_wallet_apply_confirmed (self, tx, receipt->index, error) &&
         cw_wallet_store_mark_confirmed (self->store, tx->id, receipt->proof, receipt->index,
                                         error);
}

/* Sends every queued or sent transaction in seq order; stops at the first
 * failure. Callers hold op_lock. */
static gboolean
flush_locked (CwWallet        *self,
              CwWalletWorker  *worker,
              GCancellable    *cancellable,
              guint           *n_confirmed,
              GError         **error)
{
  g_autoptr(GPtrArray) pending = cw_wallet_store_list_transactions (self->store, FALSE, error);

  if (pending == NULL)
    return FALSE;

  for (guint i = 0; i < pending->len; i++)
    {
      if (!cw_wallet_submit_one (self, worker, g_ptr_array_index (pending, i), cancellable, error))
        return FALSE;
      if (n_confirmed != NULL)
        (*n_confirmed)++;
    }

  return TRUE;
}

static gboolean
begin_with_store_profile (CwWallet        *self,
                          CwWalletWorker  *worker,
                          GError         **error)
{
  g_autoptr(CwNodeProfile) profile = cw_wallet_store_get_node_profile (self->store, error);

  if (profile == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                             _("This wallet has no node configured. Enroll first."));
      memset (worker, 0, sizeof *worker);
      return FALSE;
    }

  return cw_wallet_worker_begin (self, worker, profile, error);
}

/* A wallet back after a witness rotation moves to the new witnesses
 * before it checks any receipt. */
static gboolean
begin_for_submit (CwWallet        *self,
                  CwWalletWorker  *worker,
                  GCancellable    *cancellable,
                  GError         **error)
{
  return begin_with_store_profile (self, worker, error) &&
         cw_wallet_update_witness_set (self, worker, cancellable, error);
}

static void
flush_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CwWallet *self = source_object;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  CwWalletWorker worker;
  GError *error = NULL;
  guint *n_confirmed = g_new0 (guint, 1);

  if (!begin_for_submit (self, &worker, cancellable, &error) ||
      !flush_locked (self, &worker, cancellable, n_confirmed, &error))
    {
      cw_wallet_worker_end (&worker);
      g_free (n_confirmed);
      g_task_return_error (task, error);
      return;
    }

  cw_wallet_worker_end (&worker);
  cw_wallet_models_refresh (self);
  g_task_return_pointer (task, n_confirmed, g_free);
}

void
cw_wallet_flush_async (CwWallet            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_WALLET (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_flush_async);
  g_task_run_in_thread (task, flush_thread);
}

gboolean
cw_wallet_flush_finish (CwWallet      *self,
                        GAsyncResult  *result,
                        guint         *n_confirmed,
                        GError       **error)
{
  g_autofree guint *count = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_flush_async, FALSE);

  count = g_task_propagate_pointer (G_TASK (result), error);
  if (n_confirmed != NULL)
    *n_confirmed = count != NULL ? *count : 0;
  return count != NULL;
}

/* Transactions. */

typedef struct {
  CwTxType type;
  char *provider;
  CwScopes scopes;
  CwPurpose purpose;
  CwAccess access;
  char *data_from;
  char *data_to;
  GDateTime *expires;
  char *target;          /* grant (revoke) or request (grant, deny) ID */
  CwSigningKey *key;     /* the current key, until the envelope is signed */
  CwSigningKey *new_key; /* rotate */
  CwStoreTx *result;
} TxOp;

static void
tx_op_free (TxOp *op)
{
  g_free (op->provider);
  g_free (op->data_from);
  g_free (op->data_to);
  g_clear_pointer (&op->expires, g_date_time_unref);
  g_free (op->target);
  g_clear_pointer (&op->key, cw_signing_key_unref);
  g_clear_pointer (&op->new_key, cw_signing_key_unref);
  g_clear_pointer (&op->result, cw_store_tx_free);
  g_free (op);
}

static CwTx *
build_tx (CwWallet  *self,
          TxOp      *op,
          GError   **error)
{
  g_autofree char *head_id = NULL;
  guint8 patient[CW_PUBLIC_KEY_SIZE], prev[CW_TX_ID_SIZE], target[CW_TX_ID_SIZE];
  CwTxCommon common = { 0 };
  guint64 seq = 0;

  if (!cw_wallet_store_get_chain_head (self->store, &seq, &head_id, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                             _("This wallet is not enrolled yet."));
      return NULL;
    }
  if (!cw_base64_decode_fixed (self->identity->patient_id, -1, patient, sizeof patient, error) ||
      !cw_base64_decode_fixed (head_id, -1, prev, sizeof prev, error) ||
      (op->target != NULL &&
       !cw_base64_decode_fixed (op->target, -1, target, sizeof target, error)))
    return NULL;

  common.patient = patient;
  common.seq = seq + 1;
  common.prev = prev;

  switch (op->type)
    {
    case CW_TX_TYPE_GRANT:
      return cw_tx_new_grant (&common, op->provider, op->scopes, op->purpose, op->access,
                              op->data_from, op->data_to, op->expires,
                              op->target != NULL ? target : NULL, error);
    case CW_TX_TYPE_REVOKE:
      return cw_tx_new_revoke (&common, target, error);
    case CW_TX_TYPE_DENY:
      return cw_tx_new_deny (&common, target, error);
    case CW_TX_TYPE_ROTATE:
      return cw_tx_new_rotate (&common, cw_signing_key_get_public_key (op->new_key), NULL, error);
    default:
      g_assert_not_reached ();
    }
}

/* A clock far from the node's would sign a `time` the node refuses or
 * misdates: checked before anything is signed or stored. An unreachable
 * node does not stop the change, which then waits in the outbox. */
static gboolean
check_clock (CwWallet      *self,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local = NULL;
  CwWalletWorker worker;

  if (!begin_with_store_profile (self, &worker, NULL))
    {
      cw_wallet_worker_end (&worker);
      return TRUE;
    }
  cw_node_client_check_clock_async (worker.client, cancellable, cw_wallet_worker_wait_cb, &result);
  cw_node_client_check_clock_finish (worker.client, cw_wallet_worker_wait (&worker, &result),
                                     &local);
  cw_wallet_worker_end (&worker);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static void
tx_op_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CwWallet *self = source_object;
  TxOp *op = task_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autofree char *json = NULL;
  g_autoptr(CwStoreTx) stored = NULL;
  g_autoptr(GError) flush_error = NULL;
  CwWalletWorker worker;
  GError *error = NULL;

  if (!check_clock (self, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  tx = build_tx (self, op, &error);
  if (tx == NULL)
    {
      if (error->domain == CW_TX_ERROR)
        error->domain = CW_WALLET_ERROR, error->code = CW_WALLET_ERROR_INVALID;
      g_task_return_error (task, error);
      return;
    }

  payload = cw_tx_to_payload (tx);
  envelope = cw_dsse_envelope_sign (payload, op->key, &error);
  /* The secret is needed for nothing else. */
  g_clear_pointer (&op->key, cw_signing_key_unref);
  if (envelope == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  json = cw_dsse_envelope_to_json (envelope, NULL);

  stored = cw_wallet_store_enqueue_transaction (self->store, json, &error);
  if (stored == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!begin_for_submit (self, &worker, cancellable, &flush_error) ||
      !flush_locked (self, &worker, cancellable, NULL, &flush_error))
    {
      g_autoptr(CwStoreTx) now = cw_wallet_store_get_transaction (self->store, stored->id, NULL);

      cw_wallet_worker_end (&worker);
      /* Offline: the transaction waits in the outbox, which is success. */
      if (!cw_node_client_error_is_transient (flush_error) ||
          (now != NULL && now->state == CW_STORE_TX_REJECTED))
        {
          g_task_return_error (task, g_steal_pointer (&flush_error));
          return;
        }
    }
  else
    {
      cw_wallet_worker_end (&worker);
    }

  cw_wallet_models_refresh (self);
  g_task_return_pointer (task, cw_wallet_store_get_transaction (self->store, stored->id, NULL),
                         (GDestroyNotify) cw_store_tx_free);
}

static void
tx_op_key_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TxOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  op->key = cw_keyring_lookup_finish (CW_KEYRING (source), result, &error);
  if (op->key == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_run_in_thread (task, tx_op_thread);
}

static void
tx_op_start (CwWallet            *self,
             TxOp                *op,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  guint8 public_key[CW_PUBLIC_KEY_SIZE];

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) tx_op_free);

  if (self->identity == NULL ||
      !cw_base64_decode_fixed (self->identity->public_key, -1, public_key, sizeof public_key, NULL))
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                               _("This wallet is not enrolled yet. Enroll with your clinic's "
                                 "invite first."));
      g_object_unref (task);
      return;
    }

  cw_keyring_lookup_async (self->keyring, self->identity->patient_id, public_key, "patient",
                           cancellable, tx_op_key_cb, task);
}

static TxOp *
grant_op_new (const CwWalletGrantParams *params)
{
  TxOp *op = g_new0 (TxOp, 1);

  op->type = CW_TX_TYPE_GRANT;
  op->provider = g_strdup (params->provider);
  op->scopes = params->scopes;
  op->purpose = params->purpose;
  op->access = params->access;
  op->data_from = g_strdup (params->data_from);
  op->data_to = g_strdup (params->data_to);
  op->expires = params->expires != NULL ? g_date_time_ref (params->expires) : NULL;
  op->target = g_strdup (params->request_id);

  return op;
}

void
cw_wallet_grant_async (CwWallet                  *self,
                       const CwWalletGrantParams *params,
                       GCancellable              *cancellable,
                       GAsyncReadyCallback        callback,
                       gpointer                   user_data)
{
  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (params != NULL && params->provider != NULL && params->expires != NULL);

  tx_op_start (self, grant_op_new (params), cw_wallet_grant_async, cancellable, callback,
               user_data);
}

void
cw_wallet_approve_request_async (CwWallet                  *self,
                                 const CwWalletGrantParams *params,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (params != NULL && params->request_id != NULL && params->expires != NULL);

  tx_op_start (self, grant_op_new (params), cw_wallet_approve_request_async, cancellable,
               callback, user_data);
}

void
cw_wallet_revoke_async (CwWallet            *self,
                        const char          *grant_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  TxOp *op = g_new0 (TxOp, 1);

  g_return_if_fail (CW_IS_WALLET (self));
  op->type = CW_TX_TYPE_REVOKE;
  op->target = g_strdup (grant_id);
  tx_op_start (self, op, cw_wallet_revoke_async, cancellable, callback, user_data);
}

void
cw_wallet_deny_request_async (CwWallet            *self,
                              const char          *request_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  TxOp *op = g_new0 (TxOp, 1);

  g_return_if_fail (CW_IS_WALLET (self));
  op->type = CW_TX_TYPE_DENY;
  op->target = g_strdup (request_id);
  tx_op_start (self, op, cw_wallet_deny_request_async, cancellable, callback, user_data);
}

static void
rotate_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CwWallet *self = g_task_get_source_object (task);
  TxOp *op = g_task_get_task_data (task);
  GCancellable *cancellable;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];
  GError *error = NULL;

  if (!cw_keyring_store_finish (CW_KEYRING (source), result, &error) ||
      !cw_base64_decode_fixed (self->identity->public_key, -1, public_key, sizeof public_key,
                               &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The cancellable is read before the task is handed on: the order in
   * which a call's arguments are evaluated is unspecified. */
  cancellable = g_task_get_cancellable (task);
  cw_keyring_lookup_async (self->keyring, self->identity->patient_id, public_key, "patient",
                           cancellable, tx_op_key_cb, g_steal_pointer (&task));
  (void) op;
}

void
cw_wallet_rotate_key_async (CwWallet            *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  TxOp *op;
  GError *error = NULL;

  g_return_if_fail (CW_IS_WALLET (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_rotate_key_async);
  if (self->identity == NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                               _("This wallet is not enrolled yet."));
      g_object_unref (task);
      return;
    }

  op = g_new0 (TxOp, 1);
  op->type = CW_TX_TYPE_ROTATE;
  g_task_set_task_data (task, op, (GDestroyNotify) tx_op_free);
  op->new_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  if (op->new_key == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  /* The new key is safe in the keyring before anything names it. */
  cw_keyring_store_async (self->keyring, self->identity->patient_id, op->new_key, cancellable,
                          rotate_stored_cb, task);
}

CwStoreTx *
cw_wallet_transaction_finish (CwWallet      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  CwStoreTx *tx;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  tx = g_task_propagate_pointer (G_TASK (result), error);
  /* A confirmed rotation changes the cached identity's current key. */
  if (tx != NULL && tx->type == CW_TX_TYPE_ROTATE && tx->state == CW_STORE_TX_CONFIRMED)
    {
      g_autoptr(CwStoreIdentity) identity = cw_wallet_store_get_identity (self->store, NULL);

      if (identity != NULL)
        {
          g_clear_pointer (&self->identity, cw_store_identity_free);
          self->identity = g_steal_pointer (&identity);
        }
    }

  return tx;
}
