/* cw-wallet-sync.c: CwWallet's sync (docs/PROTOCOL.md §8 "Authenticated
 * reads"): the checkpoint, consistent with the last one verified, then the
 * patient's chain, active grants, pending requests and new access events,
 * every page proven against its own checkpoint, everything checked against
 * the local history (cw-verifier.h) before any of it is stored, in one
 * store batch. Any failed check raises an alert and stores nothing. The
 * pages are read ahead by cw-wallet-sync-fetch.c. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-tlog-proof.h"
#include "cw-wallet-sync-private.h"

/* Grants this close to expiry may have expired on the node's clock. */
#define EXPIRY_MARGIN_S 300

gboolean
cw_sync_fail (CwSync  *sync,
              GError  *cause,
              GBytes  *evidence,
              GError **error)
{
  cw_wallet_raise_alert (sync->wallet, cause, evidence);
  g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
               /* TRANSLATORS: %s is a sentence on what the node did wrong */
               _("%s Nothing from this sync was accepted; see the alert."), cause->message);
  g_error_free (cause);
  return FALSE;
}

/* Opens @note (log key, quorum), unless @opened_early already is it, and
 * moves the sync's current checkpoint to it: the same tree again, or a
 * larger one proven consistent with it. */
CwSignedCheckpoint *
cw_sync_checkpoint (CwSync              *sync,
                    const char          *note,
                    CwSignedCheckpoint  *opened_early,
                    GError             **error)
{
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(CwStoreCheckpoint) next = NULL;
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(GBytes) evidence = NULL;
  GError *cause = NULL;

  if (opened_early != NULL)
    opened = cw_signed_checkpoint_ref (opened_early);
  else
    opened = cw_verifier_open_checkpoint (sync->worker->verifier, note, &evidence, &cause);
  if (opened == NULL)
    {
      cw_sync_fail (sync, cause, evidence, error);
      return NULL;
    }
  next = cw_verifier_checkpoint_to_store (opened, note);

  if (sync->current != NULL && sync->current->size > 0 && next->size > sync->current->size)
    {
      g_autoptr(GAsyncResult) result = NULL;

      cw_node_client_get_consistency_async (sync->worker->client, sync->current->size, next->size,
                                            sync->cancellable, cw_wallet_worker_wait_cb, &result);
      proof = cw_node_client_get_consistency_finish (sync->worker->client,
                                                     cw_wallet_worker_wait (sync->worker, &result),
                                                     error);
      if (proof == NULL)
        return NULL;
    }

  /* Smaller is stale, the same size needs the same root, larger the proof. */
  if (sync->current != NULL &&
      !cw_verifier_check_consistency (sync->worker->verifier, sync->current, next, proof,
                                      &evidence, &cause))
    {
      cw_sync_fail (sync, cause, evidence, error);
      return NULL;
    }

  if (sync->current == NULL || next->size > sync->current->size ||
      !g_str_equal (next->note, sync->current->note))
    {
      g_clear_pointer (&sync->current, cw_store_checkpoint_free);
      sync->current = g_steal_pointer (&next);
    }
  return g_steal_pointer (&opened);
}

/* The keys of every provider the store has cached, into
 * @sync->provider_keys. */
static gboolean
load_provider_keys (CwSync  *sync,
                    GError **error)
{
  g_autoptr(GPtrArray) providers = cw_wallet_store_list_providers (sync->wallet->store, error);

  if (providers == NULL)
    return FALSE;
  for (guint i = 0; i < providers->len; i++)
    {
      CwStoreProvider *provider = g_ptr_array_index (providers, i);
      CwVerifierKey *key = cw_verifier_provider_key_new (provider, NULL);

      if (key != NULL)
        g_hash_table_replace (sync->provider_keys, g_strdup (provider->id), key);
    }
  return TRUE;
}

/* Provider keys for every provider named in @listing, from the store's
 * cache or else the directory; @fetched gets what is new. */
static gboolean
add_provider_keys (CwSync         *sync,
                   CwNodeListing  *listing,
                   GHashTable     *keys,
                   GPtrArray      *fetched,
                   GError        **error)
{
  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      g_autoptr(CwTx) tx = NULL;
      g_autoptr(CwStoreProvider) provider = NULL;
      g_autoptr(GError) local = NULL;
      CwVerifierKey *key;
      gboolean from_directory = FALSE;
      const char *id;

      tx = cw_verifier_open_envelope (sync->worker->verifier, item->envelope, NULL, NULL);
      if (tx == NULL || (id = cw_tx_get_provider (tx)) == NULL ||
          g_hash_table_contains (keys, id))
        continue;  /* the verifier reports malformed items */

      provider = cw_wallet_store_get_provider (sync->wallet->store, id, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (provider == NULL)
        {
          g_autoptr(GAsyncResult) result = NULL;

          cw_node_client_get_provider_async (sync->worker->client, id, sync->cancellable,
                                             cw_wallet_worker_wait_cb, &result);
          provider = cw_node_client_get_provider_finish (sync->worker->client,
                                                         cw_wallet_worker_wait (sync->worker, &result),
                                                         &local);
          if (provider == NULL)
            {
              /* Unknown to the directory: the verifier raises it. */
              if (cw_node_client_error_get_status (local) == 404)
                continue;
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          from_directory = TRUE;
        }

      key = cw_verifier_provider_key_new (provider, NULL);
      if (key != NULL)
        g_hash_table_insert (keys, g_strdup (id), key);
      if (from_directory)
        g_ptr_array_add (fetched, g_steal_pointer (&provider));
    }

  return TRUE;
}

/* Our own transactions that the node's (verified) chain lists but the
 * store still has as queued or sent: confirmed by this sync. Updates
 * @local in memory and returns the receipts (tx ID -> receipt). */
static GHashTable *
confirm_from_chain (CwSyncList *chain,
                    GPtrArray  *local)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTable *receipts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < local->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local, i);

      if (tx->state == CW_STORE_TX_QUEUED || tx->state == CW_STORE_TX_SENT)
        g_hash_table_insert (by_id, tx->id, tx);
    }
  if (g_hash_table_size (by_id) == 0)
    return receipts;

  for (guint i = 0; i < chain->listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (chain->listing->items, i);
      CwStoreTx *tx = g_hash_table_lookup (by_id, item->id);

      if (tx == NULL)
        continue;
      tx->state = CW_STORE_TX_CONFIRMED;
      tx->log_index = (gint64) item->index;
      g_free (tx->receipt);
      tx->receipt = cw_tlog_proof_format_flat (item->index, item->proof, item->n_proof,
                                               g_ptr_array_index (chain->notes, i));
      g_hash_table_insert (receipts, tx->id, g_strdup (tx->receipt));
    }

  return receipts;
}

static gboolean
store_requests (CwWalletStore  *store,
                CwNodeListing  *requests,
                GError        **error)
{
  g_autoptr(GPtrArray) known = cw_wallet_store_list_requests (store, error);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (known == NULL)
    return FALSE;

  for (guint i = 0; i < requests->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (requests->items, i);
      g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (item->envelope, strlen (item->envelope), error);
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(CwTx) tx = NULL;
      CwStoreRequest request = { 0 };
      gboolean answered = FALSE;

      if (envelope == NULL)
        return FALSE;
      payload = cw_dsse_envelope_get_payload (envelope);
      if ((tx = cw_tx_parse_payload_bytes (payload, error)) == NULL)
        return FALSE;
      g_hash_table_add (listed, item->id);
      for (guint k = 0; k < known->len; k++)
        {
          CwStoreRequest *other = g_ptr_array_index (known, k);

          answered |= g_str_equal (other->id, item->id) && other->state != CW_STORE_REQUEST_PENDING;
        }
      /* Our answer may be queued; the node learns of it when it is sent. */
      if (answered)
        continue;
      request.id = item->id;
      request.provider = (char *) cw_tx_get_provider (tx);
      request.scopes = cw_tx_get_scopes (tx);
      request.purpose = cw_tx_get_purpose (tx);
      request.access = cw_tx_get_access (tx);
      request.time = g_date_time_to_unix (cw_tx_get_time (tx));
      request.expires = g_date_time_to_unix (cw_tx_get_expires (tx));
      request.reason = (char *) cw_tx_get_reason (tx);
      request.state = CW_STORE_REQUEST_PENDING;
      request.envelope = item->envelope;
      if (!cw_wallet_store_upsert_request (store, &request, error))
        return FALSE;
    }

  /* Pending here, no longer listed and past their time: expired. */
  for (guint k = 0; k < known->len; k++)
    {
      CwStoreRequest *request = g_ptr_array_index (known, k);

      if (request->state != CW_STORE_REQUEST_PENDING || request->expires > now ||
          g_hash_table_contains (listed, request->id))
        continue;
      request->state = CW_STORE_REQUEST_EXPIRED;
      if (!cw_wallet_store_upsert_request (store, request, error))
        return FALSE;
    }

  return TRUE;
}

/* Each access event with its receipt as parts: its proof, and its page's
 * checkpoint note, which the store keeps once (a page's items share one
 * note string, so one lookup per page). */
static gboolean
store_access (CwWalletStore  *store,
              CwVerifier     *verifier,
              CwSyncList     *access,
              GError        **error)
{
  g_autoptr(GHashTable) note_ids = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < access->listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (access->listing->items, i);
      const char *note = g_ptr_array_index (access->notes, i);
      g_autoptr(CwTx) tx = NULL;
      g_autofree char *grant_id = NULL;
      CwStoreAccessEvent event = { 0 };
      gpointer note_id;

      if ((tx = cw_verifier_open_envelope (verifier, item->envelope, NULL, error)) == NULL)
        return FALSE;
      if (!g_hash_table_lookup_extended (note_ids, note, NULL, &note_id))
        {
          gint64 id = cw_wallet_store_add_receipt_note (store, note, error);

          if (id < 0)
            return FALSE;
          note_id = GSIZE_TO_POINTER ((gsize) id);
          g_hash_table_insert (note_ids, (gpointer) note, note_id);
        }
      grant_id = cw_base64_encode (cw_tx_get_grant (tx), CW_TX_ID_SIZE);
      event.id = item->id;
      event.provider = (char *) cw_tx_get_provider (tx);
      event.grant_id = grant_id;
      event.scopes = cw_tx_get_scopes (tx);
      event.purpose = cw_tx_get_purpose (tx);
      event.time = g_date_time_to_unix (cw_tx_get_time (tx));
      event.allowed = g_str_equal (item->outcome, "allowed");
      event.log_index = (gint64) item->index;
      event.envelope = item->envelope;
      /* The item's proof against its page's checkpoint is its receipt. */
      event.proof = item->proof;
      event.n_proof = item->n_proof;
      event.note_id = (gint64) GPOINTER_TO_SIZE (note_id);
      if (!cw_wallet_store_upsert_access_event (store, &event, error))
        return FALSE;
    }

  return TRUE;
}

/* Everything the sync verified, in one store batch. */
static gboolean
store_results (CwSync      *sync,
               GPtrArray   *local,
               GHashTable  *receipts,
               CwSyncList  *requests,
               CwSyncList  *access,
               GPtrArray   *providers,
               GError     **error)
{
  CwWallet *self = sync->wallet;
  CwWalletStore *store = self->store;
  g_autoptr(CwStoreCheckpoint) latest = NULL;

  if (!cw_wallet_store_batch_begin (store, error))
    return FALSE;

  latest = cw_wallet_store_get_latest_checkpoint (store, error);
  if (latest == NULL && error != NULL && *error != NULL)
    goto fail;
  if (sync->current != NULL && (latest == NULL || sync->current->size >= latest->size) &&
      !cw_wallet_store_record_checkpoint (store, sync->current->size, sync->current->root,
                                          sync->current->note, error))
    goto fail;

  /* In seq order, so that a revoke finds the grant it names. */
  for (guint i = 0; i < local->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local, i);
      const char *receipt = g_hash_table_lookup (receipts, tx->id);

      if (receipt == NULL)
        continue;
      if (!cw_wallet_store_mark_confirmed (store, tx->id, receipt, (guint64) tx->log_index, error) ||
          !cw_wallet_apply_confirmed (self, tx, (guint64) tx->log_index, error))
        goto fail;
    }

  for (guint i = 0; i < providers->len; i++)
    if (!cw_wallet_store_upsert_provider (store, g_ptr_array_index (providers, i), error))
      goto fail;

  if (!store_requests (store, requests->listing, error) || !store_access (store, sync->worker->verifier, access, error))
    goto fail;

  return cw_wallet_store_batch_commit (store, error);

fail:
  cw_wallet_store_batch_rollback (store);
  return FALSE;
}

static void
list_local_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *local = cw_wallet_store_list_transactions (task_data, TRUE, &error);

  if (local == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, local, (GDestroyNotify) g_ptr_array_unref);
}

/* Our whole history, read on a pool thread while this one keeps the
 * node's first pages coming: the HTTP requests only go out when the
 * worker's context is iterated. */
static GPtrArray *
list_local_transactions (CwSync  *sync,
                         GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GTask) task = g_task_new (NULL, NULL, cw_wallet_worker_wait_cb, &result);

  g_task_set_source_tag (task, list_local_transactions);
  g_task_set_task_data (task, g_object_ref (sync->wallet->store), g_object_unref);
  g_task_run_in_thread (task, list_local_thread);
  cw_wallet_worker_wait (sync->worker, &result);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
run_sync (CwSync  *sync,
          GError **error)
{
  CwWallet *self = sync->wallet;
  CwVerifier *verifier = sync->worker->verifier;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GPtrArray) local = NULL;
  g_auto(CwSyncFetch) chain_fetch = { 0 };
  g_auto(CwSyncFetch) grants_fetch = { 0 };
  g_auto(CwSyncFetch) requests_fetch = { 0 };
  g_auto(CwSyncFetch) access_fetch = { 0 };
  g_auto(CwSyncList) chain = { 0 };
  g_auto(CwSyncList) grants = { 0 };
  g_auto(CwSyncList) requests = { 0 };
  g_auto(CwSyncList) access = { 0 };
  g_autoptr(GPtrArray) fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_provider_free);
  GHashTable *keys;
  g_autoptr(GHashTable) receipts = NULL;
  g_autoptr(GBytes) evidence = NULL;
  g_autofree char *note = NULL;
  const char *patient_id = self->identity->patient_id;
  GError *cause = NULL;
  GError *local_error = NULL;
  gint64 last_access;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  sync->current = cw_wallet_store_get_latest_checkpoint (self->store, &local_error);
  if (local_error == NULL)
    last_access = cw_wallet_store_get_last_access_index (self->store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  cw_node_client_get_checkpoint_async (sync->worker->client, sync->cancellable,
                                       cw_wallet_worker_wait_cb, &result);
  note = cw_node_client_get_checkpoint_finish (sync->worker->client,
                                               cw_wallet_worker_wait (sync->worker, &result), error);
  if (note == NULL || (checkpoint = cw_sync_checkpoint (sync, note, NULL, error)) == NULL)
    return FALSE;

  /* All four lists at once; each is still checked in this order below, and
   * nothing of a later list counts before the earlier ones passed. The
   * whole chain every time: a dropped or altered old transaction must
   * show. The pages of the chain and the grants wait to be checked until
   * our history is read, so that their items that are ours are not
   * parsed again when their proofs are checked. */
  if (!load_provider_keys (sync, error))
    return FALSE;
  cw_sync_fetch_start_held (&chain_fetch, sync, CW_NODE_LIST_CHAIN, TRUE, 0);
  cw_sync_fetch_start_held (&grants_fetch, sync, CW_NODE_LIST_GRANTS, FALSE, 0);
  cw_sync_fetch_start (&requests_fetch, sync, CW_NODE_LIST_REQUESTS, FALSE, 0);
  cw_sync_fetch_start (&access_fetch, sync, CW_NODE_LIST_ACCESS, last_access >= 0,
                       (guint64) MAX (last_access, 0));
  if ((local = list_local_transactions (sync, error)) == NULL)
    return FALSE;
  cw_verifier_set_local_transactions (verifier, local);
  cw_sync_fetch_release (&chain_fetch);
  cw_sync_fetch_release (&grants_fetch);

  if (!cw_sync_fetch_all (sync, &chain_fetch, &chain, error))
    return FALSE;
  if (!cw_verifier_verify_chain (verifier, chain.listing, 0, local, &evidence, &cause))
    return cw_sync_fail (sync, cause, evidence, error);
  receipts = confirm_from_chain (&chain, local);

  if (!cw_sync_fetch_all (sync, &grants_fetch, &grants, error))
    return FALSE;
  if (!cw_verifier_verify_grants (verifier, grants.listing, local, &evidence, &cause) ||
      !cw_verifier_verify_no_hidden_grants (verifier, grants.listing, sync->current->size, local,
                                            now + EXPIRY_MARGIN_S, &evidence, &cause))
    return cw_sync_fail (sync, cause, evidence, error);

  if (!cw_sync_fetch_all (sync, &requests_fetch, &requests, error) ||
      !cw_sync_fetch_all (sync, &access_fetch, &access, error))
    return FALSE;

  /* Every page is in: the page checks no longer read the keys. */
  keys = sync->provider_keys;
  if (!add_provider_keys (sync, requests.listing, keys, fetched, error) ||
      !add_provider_keys (sync, access.listing, keys, fetched, error))
    return FALSE;
  if (!cw_verifier_verify_requests (verifier, requests.listing, patient_id, keys, &evidence,
                                    &cause) ||
      !cw_verifier_verify_access (verifier, access.listing, patient_id, local, keys, &evidence,
                                  &cause))
    return cw_sync_fail (sync, cause, evidence, error);

  return store_results (sync, local, receipts, &requests, &access, fetched, error);
}

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CwWallet *self = source_object;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  g_autoptr(CwSigningKey) key = task_data != NULL ? cw_signing_key_ref (task_data) : NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  CwWalletWorker worker = { 0 };
  CwSync sync = { self, &worker, key, cancellable, FALSE, NULL,
                g_ptr_array_new_with_free_func (g_free),
                g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) cw_verifier_key_unref) };
  GError *error = NULL;
  gboolean ok;

  profile = cw_wallet_store_get_node_profile (self->store, &error);
  ok = profile != NULL && cw_wallet_worker_begin (self, &worker, profile, &error) &&
       cw_wallet_update_witness_set (self, &worker, cancellable, &error) &&
       run_sync (&sync, &error);
  cw_wallet_worker_end (&worker);
  g_clear_pointer (&sync.current, cw_store_checkpoint_free);
  g_clear_pointer (&sync.page_notes, g_ptr_array_unref);
  g_clear_pointer (&sync.provider_keys, g_hash_table_unref);

  if (!ok)
    {
      if (error == NULL)
        error = g_error_new_literal (CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                                     _("This wallet has no node configured."));
      g_task_return_error (task, error);
      return;
    }

  cw_wallet_models_refresh (self);
  g_task_return_boolean (task, TRUE);
}


static void
sync_key_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CwSigningKey *key = cw_keyring_lookup_finish (CW_KEYRING (source), result, &error);

  if (key == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, key, (GDestroyNotify) cw_signing_key_unref);
  g_task_run_in_thread (task, sync_thread);
}

void
cw_wallet_sync_async (CwWallet            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];

  g_return_if_fail (CW_IS_WALLET (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_sync_async);
  if (self->identity == NULL ||
      !cw_base64_decode_fixed (self->identity->public_key, -1, public_key, sizeof public_key, NULL))
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                               _("This wallet is not enrolled yet."));
      g_object_unref (task);
      return;
    }

  cw_keyring_lookup_async (self->keyring, self->identity->patient_id, public_key, "patient",
                           cancellable, sync_key_cb, task);
}

gboolean
cw_wallet_sync_finish (CwWallet      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_sync_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
