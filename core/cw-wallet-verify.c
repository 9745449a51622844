/* cw-wallet-verify.c: CwWallet's offline re-verification of the evidence it
 * stores (the local chain, receipts, checkpoints, grants), and the chain
 * walk that restore shares. The node is not asked anything here: sync
 * (cw-wallet-sync.c) compares with the node. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-wallet-private.h"

static gboolean
chain_error (GError     **error,
             CwVerifierError code,
             guint64      seq,
             const char  *what)
{
  g_set_error (error, CW_VERIFIER_ERROR, code,
               /* TRANSLATORS: %s says what is wrong with the transaction: “is not a valid
                * transaction”, “names another patient”… */
               _("Transaction %" PRIu64 " of your chain %s."), seq, what);
  return FALSE;
}

gboolean
cw_wallet_check_chain (const char  *patient_id,
                       GPtrArray   *envelopes,
                       GPtrArray   *ids,
                       guint8       current_key[CW_PUBLIC_KEY_SIZE],
                       GError     **error)
{
  guint8 patient[CW_PUBLIC_KEY_SIZE], key[CW_PUBLIC_KEY_SIZE], recovery[CW_PUBLIC_KEY_SIZE];
  guint8 prev[CW_TX_ID_SIZE];

  if (!cw_base64_decode_fixed (patient_id, -1, patient, sizeof patient, error))
    return FALSE;
  memcpy (key, patient, sizeof key);
  memset (recovery, 0, sizeof recovery);

  for (guint i = 0; i < envelopes->len; i++)
    {
      const char *json = g_ptr_array_index (envelopes, i);
      g_autoptr(CwDsseEnvelope) envelope = NULL;
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(CwTx) tx = NULL;
      g_autoptr(CwVerifierKey) signer = NULL;
      g_autoptr(CwVerifierKey) recovery_signer = NULL;
      guint8 id[CW_TX_ID_SIZE];
      gboolean signed_ok;

      envelope = cw_dsse_envelope_parse (json, strlen (json), NULL);
      payload = envelope != NULL ? cw_dsse_envelope_get_payload (envelope) : NULL;
      tx = payload != NULL ? cw_tx_parse_payload_bytes (payload, NULL) : NULL;
      if (tx == NULL)
        return chain_error (error, CW_VERIFIER_ERROR_CHAIN_ALTERED, i, _("is not a valid transaction"));

      cw_tx_compute_id (tx, id);
      if (ids != NULL)
        {
          guint8 listed[CW_TX_ID_SIZE];

          if (!cw_base64_decode_fixed (g_ptr_array_index (ids, i), -1, listed, sizeof listed, NULL) ||
              memcmp (listed, id, sizeof id) != 0)
            return chain_error (error, CW_VERIFIER_ERROR_CHAIN_ALTERED, i,
                                _("does not match its transaction ID"));
        }
      if (memcmp (cw_tx_get_patient (tx), patient, sizeof patient) != 0)
        return chain_error (error, CW_VERIFIER_ERROR_CHAIN_EXTRA, i, _("names another patient"));
      if (cw_tx_get_seq (tx) != i ||
          (i == 0) != (cw_tx_get_tx_type (tx) == CW_TX_TYPE_ENROLL) ||
          (i > 0 && memcmp (cw_tx_get_prev (tx), prev, sizeof prev) != 0))
        return chain_error (error, CW_VERIFIER_ERROR_CHAIN_REORDERED, i,
                            _("does not follow the one before it"));

      signer = cw_verifier_key_new ("patient", CW_KEY_TYPE_ED25519, key, error);
      if (signer == NULL)
        return FALSE;
      signed_ok = cw_dsse_envelope_verify (envelope, signer, NULL);
      /* A rotation may also be signed by the recovery key. */
      if (!signed_ok && cw_tx_get_tx_type (tx) == CW_TX_TYPE_ROTATE && i > 0)
        {
          recovery_signer = cw_verifier_key_new ("recovery", CW_KEY_TYPE_ED25519, recovery, error);
          signed_ok = recovery_signer != NULL &&
                      cw_dsse_envelope_verify (envelope, recovery_signer, NULL);
        }
      if (!signed_ok)
        return chain_error (error, CW_VERIFIER_ERROR_CHAIN_ALTERED, i,
                            _("is not signed by your key"));

      if (cw_tx_get_tx_type (tx) == CW_TX_TYPE_ENROLL)
        memcpy (recovery, cw_tx_get_recovery_key (tx), sizeof recovery);
      if (cw_tx_get_tx_type (tx) == CW_TX_TYPE_ROTATE)
        {
          memcpy (key, cw_tx_get_new_key (tx), sizeof key);
          if (cw_tx_get_new_recovery_key (tx) != NULL)
            memcpy (recovery, cw_tx_get_new_recovery_key (tx), sizeof recovery);
        }
      memcpy (prev, id, sizeof prev);
    }

  if (current_key != NULL)
    memcpy (current_key, key, CW_PUBLIC_KEY_SIZE);
  return TRUE;
}

typedef struct {
  CwWallet *wallet;
  CwVerifier *verifier;
  CwStoreCheckpoint *latest;
  guint n_checked;
} Check;

/* A receipt of @id_b64 at @index: valid, and if its checkpoint has the size
 * of the latest verified one, the same root. */
static gboolean
check_receipt (Check       *check,
               const char  *id_b64,
               const char  *receipt,
               gint64       index,
               GBytes     **evidence,
               GError     **error)
{
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(CwStoreCheckpoint) stored = NULL;
  g_autofree char *note = NULL;
  guint8 id[CW_TX_ID_SIZE];

  if (receipt == NULL || index < 0 ||
      !cw_base64_decode_fixed (id_b64, -1, id, sizeof id, NULL))
    {
      g_set_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_RECEIPT,
                   _("The stored receipt of transaction %s is missing or unreadable."), id_b64);
      return FALSE;
    }

  opened = cw_verifier_verify_receipt (check->verifier, receipt, id, (guint64) index, &note,
                                       evidence, error);
  if (opened == NULL)
    return FALSE;
  stored = cw_verifier_checkpoint_to_store (opened, note);
  if (check->latest != NULL && stored->size == check->latest->size &&
      memcmp (stored->root, check->latest->root, sizeof stored->root) != 0)
    {
      g_set_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_FORKED_CHECKPOINT,
                   _("The receipt of transaction %s is for a log that differs from the one "
                     "verified at the same size."), id_b64);
      return FALSE;
    }
  if (check->latest != NULL && stored->size > check->latest->size)
    {
      g_set_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_STALE_CHECKPOINT,
                   _("The receipt of transaction %s is for a log newer than the latest "
                     "verified checkpoint."), id_b64);
      return FALSE;
    }

  check->n_checked++;
  return TRUE;
}

static gboolean
run_check (Check    *check,
           GBytes  **evidence,
           GError  **error)
{
  CwWalletStore *store = check->wallet->store;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) signed_txs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CwStoreIdentity) identity = NULL;
  guint8 head_key[CW_PUBLIC_KEY_SIZE], current[CW_PUBLIC_KEY_SIZE];

  identity = cw_wallet_store_get_identity (store, error);
  if (identity == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                             _("This wallet is not enrolled yet."));
      return FALSE;
    }

  check->latest = cw_wallet_store_get_latest_checkpoint (store, error);
  if (check->latest == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (check->latest != NULL)
    {
      g_autoptr(CwSignedCheckpoint) opened = NULL;
      g_autoptr(CwStoreCheckpoint) reread = NULL;

      opened = cw_verifier_open_checkpoint (check->verifier, check->latest->note, evidence, error);
      if (opened == NULL)
        return FALSE;
      reread = cw_verifier_checkpoint_to_store (opened, check->latest->note);
      if (reread->size != check->latest->size ||
          memcmp (reread->root, check->latest->root, sizeof reread->root) != 0)
        {
          g_set_error_literal (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_CHECKPOINT,
                               _("The latest verified checkpoint does not match its signed note."));
          return FALSE;
        }
      check->n_checked++;
    }

  /* The whole chain, rejected transactions aside (they never extended it). */
  history = cw_wallet_store_list_transactions (store, TRUE, error);
  if (history == NULL)
    return FALSE;
  for (guint i = 0; i < history->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (history, i);

      if (tx->state == CW_STORE_TX_REJECTED)
        continue;
      g_ptr_array_add (envelopes, tx->envelope);
      g_ptr_array_add (ids, tx->id);
      /* A sent one may already be applied (see cw_wallet_submit_one()). */
      g_hash_table_insert (signed_txs, tx->id, tx->envelope);
      if (tx->state == CW_STORE_TX_CONFIRMED)
        {
          if (!check_receipt (check, tx->id, tx->receipt, tx->log_index, evidence, error))
            return FALSE;
        }
    }
  if (!cw_wallet_check_chain (identity->patient_id, envelopes, ids, head_key, error))
    return FALSE;
  check->n_checked += envelopes->len;

  /* The key the wallet signs with is the one the confirmed chain names. */
  if (!cw_base64_decode_fixed (identity->public_key, -1, current, sizeof current, error))
    return FALSE;
  if (memcmp (head_key, current, sizeof current) != 0)
    {
      gboolean pending_rotation = FALSE;

      for (guint i = 0; i < history->len; i++)
        {
          CwStoreTx *tx = g_ptr_array_index (history, i);

          pending_rotation |= tx->type == CW_TX_TYPE_ROTATE && tx->state != CW_STORE_TX_CONFIRMED &&
                              tx->state != CW_STORE_TX_REJECTED;
        }
      if (!pending_rotation)
        {
          g_set_error_literal (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_CHAIN_ALTERED,
                               _("The wallet's current key is not the one its chain names."));
          return FALSE;
        }
    }

  grants = cw_wallet_store_list_grants (store, error);
  if (grants == NULL)
    return FALSE;
  for (guint i = 0; i < grants->len; i++)
    {
      CwStoreGrant *grant = g_ptr_array_index (grants, i);
      const char *envelope = g_hash_table_lookup (signed_txs, grant->id);

      if (envelope == NULL || g_strcmp0 (envelope, grant->envelope) != 0 ||
          (grant->revoked_by != NULL && !g_hash_table_contains (signed_txs, grant->revoked_by)))
        {
          g_set_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_FORGED_GRANT,
                       _("The stored grant %s is not one of your own transactions."),
                       grant->id);
          return FALSE;
        }
      check->n_checked++;
    }

  events = cw_wallet_store_list_access_events (store, TRUE, error);
  if (events == NULL)
    return FALSE;
  for (guint i = 0; i < events->len; i++)
    {
      CwStoreAccessEvent *event = g_ptr_array_index (events, i);

      if (!check_receipt (check, event->id, event->receipt, event->log_index, evidence, error))
        return FALSE;
    }

  return TRUE;
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CwWallet *self = source_object;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GBytes) evidence = NULL;
  Check check = { self, NULL, NULL, 0 };
  GError *error = NULL;
  guint *n_checked;

  profile = cw_wallet_store_get_node_profile (self->store, &error);
  if (profile == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                                     _("This wallet is not enrolled yet."));
      g_task_return_error (task, error);
      return;
    }
  check.verifier = cw_verifier_new (profile, &error);
  if (check.verifier == NULL || !run_check (&check, &evidence, &error))
    {
      g_clear_object (&check.verifier);
      g_clear_pointer (&check.latest, cw_store_checkpoint_free);
      if (error->domain == CW_VERIFIER_ERROR)
        {
          GError *cause = error;

          cw_wallet_raise_alert (self, cause, evidence);
          error = g_error_new (CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
                               /* TRANSLATORS: %s is a sentence on what the node did wrong */
                               _("%s See the alert."), cause->message);
          g_error_free (cause);
        }
      g_task_return_error (task, error);
      return;
    }

  g_clear_object (&check.verifier);
  g_clear_pointer (&check.latest, cw_store_checkpoint_free);
  n_checked = g_new (guint, 1);
  *n_checked = check.n_checked;
  g_task_return_pointer (task, n_checked, g_free);
}

void
cw_wallet_verify_async (CwWallet            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_WALLET (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_verify_async);
  g_task_run_in_thread (task, verify_thread);
}

gboolean
cw_wallet_verify_finish (CwWallet      *self,
                         GAsyncResult  *result,
                         guint         *n_checked,
                         GError       **error)
{
  g_autofree guint *count = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_verify_async, FALSE);

  count = g_task_propagate_pointer (G_TASK (result), error);
  if (n_checked != NULL)
    *n_checked = count != NULL ? *count : 0;
  return count != NULL;
}
