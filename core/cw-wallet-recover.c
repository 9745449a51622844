/* cw-wallet-recover.c: CwWallet's restore with the recovery code on a new
 * device (PROTOCOL.md §12): a rotate transaction signed by the recovery
 * key moves the identity to a new key (and a new recovery key), then the
 * chain is fetched with the new key, verified and stored in one batch. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-recovery-code.h"
#include "cw-wallet-private.h"

typedef struct {
  CwNodeProfile *profile;
  char *patient_id;
  guint8 patient[CW_PUBLIC_KEY_SIZE];
  CwSigningKey *recovery_key;      /* from the code */
  CwSigningKey *new_key;
  char *new_recovery_code;         /* sodium memory */
  char *envelope;                  /* the rotate, signed by the recovery key */
  gboolean rotated;                /* the node accepted it */
  CwStoreIdentity *identity;
  GError *error;
} RecoverData;

static void
recover_data_free (RecoverData *data)
{
  g_clear_pointer (&data->profile, cw_node_profile_free);
  g_free (data->patient_id);
  g_clear_pointer (&data->recovery_key, cw_signing_key_unref);
  g_clear_pointer (&data->new_key, cw_signing_key_unref);
  g_clear_pointer (&data->new_recovery_code, cw_secure_string_free);
  g_free (data->envelope);
  g_clear_pointer (&data->identity, cw_store_identity_free);
  g_clear_error (&data->error);
  g_free (data);
}

static char *
sign_rotate (RecoverData   *data,
             guint64        seq,
             const guint8  *prev,
             const guint8  *new_recovery_public,
             GError       **error)
{
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  CwTxCommon common = { .patient = data->patient, .seq = seq, .prev = prev };

  tx = cw_tx_new_rotate (&common, cw_signing_key_get_public_key (data->new_key),
                         new_recovery_public, error);
  if (tx == NULL)
    return NULL;
  payload = cw_tx_to_payload (tx);
  envelope = cw_dsse_envelope_sign (payload, data->recovery_key, error);
  return envelope != NULL ? cw_dsse_envelope_to_json (envelope, NULL) : NULL;
}

/* Learns the patient's head with nothing but the recovery key: a rotate
 * with seq 1 and an all-zero prev is signed, so the node checks the
 * recovery key first, and then refuses it with 409 and the head. Nothing is
 * logged. */
static gboolean
probe_head (RecoverData     *data,
            CwWalletWorker  *worker,
            guint64         *seq_out,
            guint8           id_out[CW_TX_ID_SIZE],
            GCancellable    *cancellable,
            GError         **error)
{
  static const guint8 zero[CW_TX_ID_SIZE] = { 0 };
  g_autofree char *probe = sign_rotate (data, 1, zero, NULL, error);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwNodeReceipt) receipt = NULL;
  g_autoptr(GError) cause = NULL;
  const char *id;

  if (probe == NULL)
    return FALSE;
  cw_node_client_submit_async (worker->client, probe, cancellable, cw_wallet_worker_wait_cb,
                               &result);
  receipt = cw_node_client_submit_finish (worker->client, cw_wallet_worker_wait (worker, &result),
                                          &cause);
  if (receipt != NULL)
    {
      g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
                           _("The node accepted a transaction that does not follow your chain."));
      return FALSE;
    }
  if (cw_node_client_error_get_head (cause, seq_out, &id) &&
      cw_base64_decode_fixed (id, -1, id_out, CW_TX_ID_SIZE, NULL))
    return TRUE;

  if (g_strcmp0 (cw_node_client_error_get_node_code (cause), "bad_signature") == 0 ||
      g_strcmp0 (cw_node_client_error_get_node_code (cause), "unknown_patient") == 0)
    g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED,
                 _("The node does not know this recovery code for patient %s: the code is not "
                   "this patient's, or it was replaced by a newer one."), data->patient_id);
  else
    g_propagate_error (error, g_steal_pointer (&cause));
  return FALSE;
}

/* The patient ID, asked of the node with a request signed by the recovery
 * key itself (PROTOCOL.md §12 "Finding the patient"). */
static gboolean
find_patient (RecoverData     *data,
              CwWalletWorker  *worker,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) cause = NULL;
  char *patient_id;

  cw_node_client_find_recovery_patient_async (worker->client, data->recovery_key, cancellable,
                                              cw_wallet_worker_wait_cb, &result);
  patient_id = cw_node_client_find_recovery_patient_finish (worker->client,
                                                            cw_wallet_worker_wait (worker,
                                                                                   &result),
                                                            &cause);
  if (patient_id == NULL)
    {
      if (g_strcmp0 (cw_node_client_error_get_node_code (cause), "not_found") == 0)
        g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED,
                             _("The node does not know this recovery code: it belongs to "
                               "another node, or it was replaced by a newer one (the code shown "
                               "by your last restore)."));
      else
        g_propagate_error (error, g_steal_pointer (&cause));
      return FALSE;
    }
  if (!cw_base64_decode_fixed (patient_id, -1, data->patient, CW_PUBLIC_KEY_SIZE, NULL))
    {
      g_free (patient_id);
      g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
                           _("The node answered the recovery lookup with something that is "
                             "not a patient ID."));
      return FALSE;
    }
  data->patient_id = patient_id;
  return TRUE;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CwWallet *self = source_object;
  RecoverData *data = task_data;
  g_autoptr(CwSigningKey) new_recovery = NULL;
  CwWalletWorker worker;
  GError *error = NULL;
  guint8 head_id[CW_TX_ID_SIZE];
  guint64 head_seq = 0;
  gboolean ok;

  data->new_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  if (data->new_key == NULL ||
      (new_recovery = cw_signing_key_generate ("recovery", CW_KEY_TYPE_ED25519, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ok = cw_wallet_worker_begin (self, &worker, data->profile, &error) &&
       (data->patient_id != NULL || find_patient (data, &worker, cancellable, &error)) &&
       probe_head (data, &worker, &head_seq, head_id, cancellable, &error);
  cw_wallet_worker_end (&worker);
  if (ok)
    data->envelope = sign_rotate (data, head_seq + 1, head_id,
                                  cw_signing_key_get_public_key (new_recovery), &error);
  if (data->envelope == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->new_recovery_code = cw_recovery_code_format (cw_signing_key_peek_seed (new_recovery));
  g_task_return_boolean (task, TRUE);
}

static void
rotate_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CwWallet *self = source_object;
  RecoverData *data = task_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwNodeReceipt) receipt = NULL;
  CwWalletWorker worker;
  GError *error = NULL;
  gboolean ok;

  ok = cw_wallet_worker_begin (self, &worker, data->profile, &error);
  if (ok)
    {
      cw_node_client_submit_async (worker.client, data->envelope, cancellable,
                                   cw_wallet_worker_wait_cb, &result);
      receipt = cw_node_client_submit_finish (worker.client,
                                              cw_wallet_worker_wait (&worker, &result), &error);
      /* The result holds the request: drop it on the worker's context. */
      g_clear_object (&result);
      ok = receipt != NULL;
      /* Without an answer from the node (the connection broke), the rotate
       * may have been logged all the same: act as if it was, so that the
       * new key and code are kept rather than lost. */
      data->rotated = ok ||
                      g_error_matches (error, CW_NODE_CLIENT_ERROR,
                                       CW_NODE_CLIENT_ERROR_UNREACHABLE) ||
                      g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TIMEOUT) ||
                      g_error_matches (error, CW_NODE_CLIENT_ERROR,
                                       CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE);
    }
  /* The receipt is verified with the rest of the chain just below. */
  ok = ok && cw_wallet_restore_chain (self, &worker, data->patient_id, data->new_key, data->profile,
                                      &data->identity, cancellable, &error);
  cw_wallet_worker_end (&worker);
  if (!ok)
    {
      cw_wallet_reset_store (self);
      g_task_return_error (task, error);
      return;
    }
  /* Lists shown before the restore (an empty Access page) show what it
   * brought. */
  cw_wallet_models_refresh (self);
  g_task_return_boolean (task, TRUE);
}

static void
recover_cleared_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RecoverData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!cw_keyring_clear_finish (CW_KEYRING (source), result, &error))
    g_warning ("Could not remove the new identity key from the keyring: %s", error->message);
  g_task_return_error (task, g_steal_pointer (&data->error));
}

static void
others_cleared_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RecoverData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n = cw_keyring_clear_others_finish (CW_KEYRING (source), result, &error);

  /* The restore stands either way; a leftover key is only clutter. */
  if (n < 0)
    g_debug ("Old identity keys were not removed from the keyring: %s", error->message);
  else if (n > 0)
    g_debug ("Removed %" G_GSSIZE_FORMAT " old identity key(s) from the keyring", n);
  g_task_return_pointer (task, g_strdup (data->new_recovery_code), g_free);
}

static void
rotated_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = CW_WALLET (source);
  RecoverData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (data->rotated)
        {
          /* The node now accepts only the new key and the new recovery
           * key: keep the key in the keyring and give the new code, or the
           * patient would be locked out. */
          g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_RESTORE_INCOMPLETE,
                                   _("Your identity has probably moved to a new key on this "
                                     "device, but its history could not be restored: %s"),
                                   error->message);
          g_error_free (error);
          g_object_unref (task);
          return;
        }
      data->error = error;
      cw_keyring_clear_async (self->keyring, data->patient_id,
                              cw_signing_key_get_public_key (data->new_key), NULL,
                              recover_cleared_cb, task);
      return;
    }

  g_clear_pointer (&self->identity, cw_store_identity_free);
  self->identity = g_steal_pointer (&data->identity);
  g_object_notify (G_OBJECT (self), "enrolled");
  g_object_notify (G_OBJECT (self), "patient-id");
  /* The node now takes no other key of this patient: a key kept by an
   * earlier restore that failed after its rotate (or the old device's, if
   * it shared this keyring) would only linger as an orphan. */
  cw_keyring_clear_others_async (self->keyring, data->patient_id,
                                 cw_signing_key_get_public_key (data->new_key), NULL,
                                 others_cleared_cb, task);
}

static void
key_stored_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = g_task_get_source_object (task);
  RecoverData *data = g_task_get_task_data (task);
  g_autoptr(GTask) worker_task = NULL;
  GError *error = NULL;

  if (!cw_keyring_store_finish (CW_KEYRING (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  worker_task = g_task_new (self, g_task_get_cancellable (task), rotated_cb, task);
  g_task_set_source_tag (worker_task, rotate_thread);
  g_task_set_task_data (worker_task, data, NULL);
  g_task_run_in_thread (worker_task, rotate_thread);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = CW_WALLET (source);
  RecoverData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  cw_keyring_store_async (self->keyring, data->patient_id, data->new_key,
                          g_task_get_cancellable (task), key_stored_cb, task);
}

void
cw_wallet_recover_async (CwWallet            *self,
                         const CwNodeProfile *profile,
                         const char          *patient_id,
                         const char          *recovery_code,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) prepare = NULL;
  GTask *task;
  RecoverData *data;
  guint8 *seed;
  GError *error = NULL;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (profile != NULL && recovery_code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_recover_async);
  if (self->identity != NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_ALREADY_ENROLLED,
                               _("This wallet already holds an identity. Restore into an empty "
                                 "wallet."));
      g_object_unref (task);
      return;
    }

  data = g_new0 (RecoverData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) recover_data_free);
  data->profile = cw_node_profile_copy (profile);
  data->patient_id = g_strdup (patient_id);
  if (patient_id != NULL &&
      !cw_base64_decode_fixed (patient_id, -1, data->patient, CW_PUBLIC_KEY_SIZE, NULL))
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID,
                               _("“%s” is not a patient ID (the base64 of 32 bytes)."), patient_id);
      g_object_unref (task);
      return;
    }
  seed = sodium_malloc (CW_SEED_SIZE);
  if (cw_recovery_code_parse (recovery_code, seed, &error))
    data->recovery_key = cw_signing_key_new_from_seed ("recovery", CW_KEY_TYPE_ED25519, seed,
                                                       &error);
  sodium_free (seed);
  if (data->recovery_key == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  prepare = g_task_new (self, cancellable, prepared_cb, task);
  g_task_set_source_tag (prepare, prepare_thread);
  g_task_set_task_data (prepare, data, NULL);
  g_task_run_in_thread (prepare, prepare_thread);
}

char *
cw_wallet_recover_finish (CwWallet      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_recover_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
cw_wallet_recover_get_new_code (CwWallet     *self,
                                GAsyncResult *result)
{
  RecoverData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_recover_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  return data->rotated ? data->new_recovery_code : NULL;
}
