/* cw-wallet-restore.c: CwWallet's restore from a backup (PROTOCOL.md §10):
 * the key into the keyring, then the patient's chain from the node,
 * verified like a sync, stored as confirmed history. All or nothing. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-tlog-proof.h"
#include "cw-wallet-private.h"

typedef struct {
  CwBackup *backup;
  CwStoreIdentity *identity;
  GError *error;   /* the failure being cleaned up after */
  gboolean already_in_keyring;  /* the same key was there before: leave it */
} RestoreData;

static void
restore_data_free (RestoreData *data)
{
  g_clear_object (&data->backup);
  g_clear_pointer (&data->identity, cw_store_identity_free);
  g_clear_error (&data->error);
  g_free (data);
}

/* Makes sure @older (verified) and @newer (opened) are the same log. */
static gboolean
check_consistent (CwWallet           *self,
                  CwWalletWorker     *worker,
                  CwStoreCheckpoint  *older,
                  CwStoreCheckpoint  *newer,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(GBytes) evidence = NULL;
  GError *cause = NULL;

  if (older->size > 0 && newer->size > older->size)
    {
      g_autoptr(GAsyncResult) result = NULL;

      cw_node_client_get_consistency_async (worker->client, older->size, newer->size, cancellable,
                                            cw_wallet_worker_wait_cb, &result);
      proof = cw_node_client_get_consistency_finish (worker->client,
                                                     cw_wallet_worker_wait (worker, &result),
                                                     error);
      if (proof == NULL)
        return FALSE;
    }
  if (!cw_verifier_check_consistency (worker->verifier, older, newer, proof, &evidence, &cause))
    {
      cw_wallet_raise_alert (self, cause, evidence);
      g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
                   /* TRANSLATORS: %s is a sentence on what the node did wrong */
                   _("%s Nothing was restored; see the alert."), cause->message);
      g_error_free (cause);
      return FALSE;
    }
  return TRUE;
}

/* Every page of the patient's chain, each page's proofs checked against
 * its checkpoint, every checkpoint consistent with the first; the items get
 * their receipts. @checkpoint_out: the newest. */
static GPtrArray *
fetch_chain (CwWallet            *self,
             CwWalletWorker      *worker,
             const char          *patient_id,
             CwSigningKey        *key,
             GPtrArray           *receipts,
             CwStoreCheckpoint  **checkpoint_out,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_list_item_free);
  g_autoptr(CwStoreCheckpoint) current = NULL;
  guint64 position = 0;

  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CwNodeListing) page = NULL;
      g_autoptr(CwSignedCheckpoint) opened = NULL;
      g_autoptr(CwStoreCheckpoint) next = NULL;
      g_autoptr(GBytes) evidence = NULL;
      GError *cause = NULL;

      cw_node_client_list_async (worker->client, CW_NODE_LIST_CHAIN, patient_id, TRUE, position, 0,
                                 key, cancellable, cw_wallet_worker_wait_cb, &result);
      page = cw_node_client_list_finish (worker->client, cw_wallet_worker_wait (worker, &result),
                                         error);
      if (page == NULL)
        return NULL;

      opened = cw_verifier_open_checkpoint (worker->verifier, page->checkpoint, &evidence, &cause);
      if (opened == NULL ||
          !cw_verifier_verify_listing_proofs (worker->verifier, page, opened, &evidence, &cause))
        {
          cw_wallet_raise_alert (self, cause, evidence);
          g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
                       /* TRANSLATORS: %s is a sentence on what the node did wrong */
                       _("%s Nothing was restored; see the alert."), cause->message);
          g_error_free (cause);
          return NULL;
        }
      next = cw_verifier_checkpoint_to_store (opened, page->checkpoint);
      if (current != NULL &&
          !check_consistent (self, worker, current, next, cancellable, error))
        return NULL;
      if (current == NULL || next->size >= current->size)
        {
          g_clear_pointer (&current, cw_store_checkpoint_free);
          current = g_steal_pointer (&next);
        }

      for (guint i = 0; i < page->items->len; i++)
        {
          CwNodeListItem *item = g_ptr_array_index (page->items, i);

          g_ptr_array_add (receipts, cw_tlog_proof_format_flat (item->index, item->proof,
                                                                item->n_proof, page->checkpoint));
        }
      g_ptr_array_extend_and_steal (items, g_steal_pointer (&page->items));
      page->items = g_ptr_array_new ();

      if (!page->has_next)
        {
          if (!page->has_head || items->len == 0 || page->head_seq != items->len - 1 ||
              g_strcmp0 (page->head_id, ((CwNodeListItem *) items->pdata[items->len - 1])->id) != 0)
            {
              g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
                                   _("The node's copy of your chain is incomplete. Nothing was "
                                     "restored."));
              return NULL;
            }
          *checkpoint_out = g_steal_pointer (&current);
          return g_steal_pointer (&items);
        }
      if (page->next <= position)
        {
          g_set_error_literal (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE,
                               _("The node's list cursor does not advance."));
          return NULL;
        }
      position = page->next;
    }
}

/* The directory entries of the clinic and of every provider a grant
 * names, so that the restored lists show names rather than IDs. Best
 * effort: the grants themselves stand on the patient's signatures. */
static GPtrArray *
fetch_providers (CwWalletWorker *worker,
                 GPtrArray      *envelopes,
                 const char     *clinic,
                 GCancellable   *cancellable)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_provider_free);
  GHashTableIter iter;
  gpointer id;

  if (clinic != NULL)
    g_hash_table_add (wanted, g_strdup (clinic));
  for (guint i = 0; i < envelopes->len; i++)
    {
      const char *text = envelopes->pdata[i];
      g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (text, strlen (text), NULL);
      g_autoptr(GBytes) payload = envelope != NULL ? cw_dsse_envelope_get_payload (envelope)
                                                   : NULL;
      g_autoptr(CwTx) tx = payload != NULL ? cw_tx_parse_payload_bytes (payload, NULL) : NULL;

      if (tx != NULL && cw_tx_get_tx_type (tx) == CW_TX_TYPE_GRANT)
        g_hash_table_add (wanted, g_strdup (cw_tx_get_provider (tx)));
    }

  g_hash_table_iter_init (&iter, wanted);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) local = NULL;
      CwStoreProvider *provider;

      cw_node_client_get_provider_async (worker->client, id, cancellable, cw_wallet_worker_wait_cb,
                                         &result);
      provider = cw_node_client_get_provider_finish (worker->client,
                                                     cw_wallet_worker_wait (worker, &result),
                                                     &local);
      if (provider != NULL)
        g_ptr_array_add (found, provider);
      else
        g_debug ("No directory entry for %s: %s", (const char *) id, local->message);
    }
  return found;
}

gboolean
cw_wallet_restore_chain (CwWallet             *self,
                         CwWalletWorker       *worker,
                         const char           *patient_id,
                         CwSigningKey         *key,
                         const CwNodeProfile  *profile,
                         CwStoreIdentity     **identity_out,
                         GCancellable         *cancellable,
                         GError              **error)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(CwStoreCheckpoint) checkpoint = NULL;
  g_autoptr(CwTx) enroll = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  guint8 head_key[CW_PUBLIC_KEY_SIZE];

  items = fetch_chain (self, worker, patient_id, key, receipts, &checkpoint, cancellable, error);
  if (items == NULL)
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (items, i);

      g_ptr_array_add (envelopes, item->envelope);
      g_ptr_array_add (ids, item->id);
    }
  if (!cw_wallet_check_chain (patient_id, envelopes, ids, head_key, error))
    return FALSE;
  if (memcmp (head_key, cw_signing_key_get_public_key (key), CW_PUBLIC_KEY_SIZE) != 0)
    {
      g_set_error_literal (error, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID,
                           _("The key in this backup is no longer your current key (it was "
                             "replaced by a key rotation). Use a newer backup."));
      return FALSE;
    }

  {
    g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (envelopes->pdata[0],
                                                                 strlen (envelopes->pdata[0]),
                                                                 error);
    g_autoptr(GBytes) payload = envelope != NULL ? cw_dsse_envelope_get_payload (envelope) : NULL;

    if (payload == NULL || (enroll = cw_tx_parse_payload_bytes (payload, error)) == NULL)
      return FALSE;
  }

  identity = g_new0 (CwStoreIdentity, 1);
  identity->patient_id = g_strdup (patient_id);
  identity->public_key = cw_base64_encode (cw_tx_get_patient (enroll), CW_PUBLIC_KEY_SIZE);
  identity->recovery_key = cw_base64_encode (cw_tx_get_recovery_key (enroll), CW_PUBLIC_KEY_SIZE);
  identity->clinic = g_strdup (cw_tx_get_clinic (enroll));
  identity->enrolled = g_date_time_to_unix (cw_tx_get_time (enroll));
  providers = fetch_providers (worker, envelopes, identity->clinic, cancellable);

  /* One store transaction: a crash or a failure half way leaves the
   * wallet as empty as it was. */
  if (!cw_wallet_store_batch_begin (self->store, error))
    return FALSE;
  if (!cw_wallet_store_set_node_profile (self->store, profile, error) ||
      !cw_wallet_store_set_identity (self->store, identity, error) ||
      !cw_wallet_store_record_checkpoint (self->store, checkpoint->size, checkpoint->root,
                                          checkpoint->note, error))
    goto rollback;
  for (guint i = 0; i < providers->len; i++)
    if (!cw_wallet_store_upsert_provider (self->store, providers->pdata[i], error))
      goto rollback;

  /* Replayed in order, so rotations update the identity as they did. */
  for (guint i = 0; i < items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (items, i);
      g_autoptr(CwStoreTx) stored = NULL;
      g_autoptr(CwStoreTx) confirmed = NULL;

      stored = cw_wallet_store_enqueue_transaction (self->store, item->envelope, error);
      if (stored == NULL ||
          !cw_wallet_store_mark_confirmed (self->store, stored->id, receipts->pdata[i], item->index,
                                           error) ||
          (confirmed = cw_wallet_store_get_transaction (self->store, stored->id, error)) == NULL ||
          !cw_wallet_apply_confirmed (self, confirmed, item->index, error))
        goto rollback;
    }
  if (!cw_wallet_store_batch_commit (self->store, error))
    goto rollback;

  *identity_out = cw_wallet_store_get_identity (self->store, error);
  return *identity_out != NULL;

rollback:
  cw_wallet_store_batch_rollback (self->store);
  return FALSE;
}

static gboolean
run_restore (CwWallet        *self,
             CwWalletWorker  *worker,
             RestoreData     *data,
             GCancellable    *cancellable,
             GError         **error)
{
  return cw_wallet_restore_chain (self, worker, cw_backup_get_patient_id (data->backup),
                                  cw_backup_get_identity_key (data->backup),
                                  cw_backup_get_node_profile (data->backup), &data->identity,
                                  cancellable, error);
}

static void
restore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CwWallet *self = source_object;
  RestoreData *data = task_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  CwWalletWorker worker;
  GError *error = NULL;
  gboolean ok;

  ok = cw_wallet_worker_begin (self, &worker, cw_backup_get_node_profile (data->backup), &error) &&
       run_restore (self, &worker, data, cancellable, &error);
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
restore_cleared_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RestoreData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!cw_keyring_clear_finish (CW_KEYRING (source), result, &error))
    g_warning ("Could not remove the restored key from the keyring: %s", error->message);
  g_task_return_error (task, g_steal_pointer (&data->error));
}

static void
restore_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = CW_WALLET (source);
  RestoreData *data = g_task_get_task_data (task);
  CwSigningKey *key = cw_backup_get_identity_key (data->backup);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (data->already_in_keyring)
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      data->error = error;
      cw_keyring_clear_async (self->keyring, cw_backup_get_patient_id (data->backup),
                              cw_signing_key_get_public_key (key), NULL, restore_cleared_cb, task);
      return;
    }

  g_clear_pointer (&self->identity, cw_store_identity_free);
  self->identity = g_steal_pointer (&data->identity);
  g_object_notify (G_OBJECT (self), "enrolled");
  g_object_notify (G_OBJECT (self), "patient-id");
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
restore_stored_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = g_task_get_source_object (task);
  RestoreData *data = g_task_get_task_data (task);
  g_autoptr(GTask) worker_task = NULL;
  GError *error = NULL;

  if (!cw_keyring_store_finish (CW_KEYRING (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  worker_task = g_task_new (self, g_task_get_cancellable (task), restore_done_cb, task);
  g_task_set_source_tag (worker_task, restore_thread);
  g_task_set_task_data (worker_task, data, NULL);
  g_task_run_in_thread (worker_task, restore_thread);
}

/* A key already in this keyring (the backup restored where its identity
 * still lives, for another wallet file) is not removed should the restore
 * fail: that would take it from the wallet that uses it. */
static void
restore_looked_up_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = g_task_get_source_object (task);
  RestoreData *data = g_task_get_task_data (task);
  g_autoptr(CwSigningKey) found = NULL;
  g_autoptr(GError) error = NULL;

  found = cw_keyring_lookup_finish (CW_KEYRING (source), result, &error);
  if (found == NULL && !g_error_matches (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  data->already_in_keyring = found != NULL;
  cw_keyring_store_async (self->keyring, cw_backup_get_patient_id (data->backup),
                          cw_backup_get_identity_key (data->backup), g_task_get_cancellable (task),
                          restore_stored_cb, task);
}

void
cw_wallet_restore_async (CwWallet            *self,
                         CwBackup            *backup,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  RestoreData *data;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (CW_IS_BACKUP (backup));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_restore_async);
  if (self->identity != NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_ALREADY_ENROLLED,
                               _("This wallet already holds an identity. Restore into an empty "
                                 "wallet."));
      g_object_unref (task);
      return;
    }

  data = g_new0 (RestoreData, 1);
  data->backup = g_object_ref (backup);
  g_task_set_task_data (task, data, (GDestroyNotify) restore_data_free);
  cw_keyring_lookup_async (self->keyring, cw_backup_get_patient_id (backup),
                           cw_signing_key_get_public_key (cw_backup_get_identity_key (backup)),
                           "patient", cancellable, restore_looked_up_cb, task);
}

gboolean
cw_wallet_restore_finish (CwWallet      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_restore_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
