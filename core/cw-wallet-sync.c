/* cw-wallet-sync.c: CwWallet's sync: checkpoint and consistency, then the
 * patient's chain, grants, requests and access events (docs/PROTOCOL.md §8
 * "Authenticated reads"), all verified before anything is stored. */
#include "config.h"

#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-tlog-proof.h"
#include "cw-wallet-private.h"

typedef struct {
  CwWallet *wallet;
  CwWalletWorker *worker;
  CwSigningKey *key;
  GCancellable *cancellable;
  CwStoreCheckpoint *current;   /* the newest verified in this sync */
} Sync;

static gboolean
sync_fail (Sync    *sync,
           GError  *cause,
           GBytes  *evidence,
           GError **error)
{
  cw_wallet_raise_alert (sync->wallet, cause, evidence);
  g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
               "%s Nothing from this sync was accepted; see the alert.", cause->message);
  g_error_free (cause);
  return FALSE;
}

/* Opens @note and checks it against the sync's current checkpoint. */
static CwSignedCheckpoint *
sync_checkpoint (Sync        *sync,
                 const char  *note,
                 GError     **error)
{
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(CwStoreCheckpoint) next = NULL;
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(GBytes) evidence = NULL;
  GError *cause = NULL;

  opened = cw_verifier_open_checkpoint (sync->worker->verifier, note, &evidence, &cause);
  if (opened == NULL)
    {
      sync_fail (sync, cause, evidence, error);
      return NULL;
    }
  next = cw_verifier_checkpoint_to_store (opened, note);

  if (sync->current != NULL && sync->current->size > 0 && next->size != sync->current->size)
    {
      g_autoptr(GAsyncResult) result = NULL;
      guint64 lo = MIN (next->size, sync->current->size);
      guint64 hi = MAX (next->size, sync->current->size);

      if (next->size < sync->current->size)
        {
          /* Never accept a log smaller than one already verified. */
          cause = g_error_new (CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_STALE_CHECKPOINT,
                               "The node sent a checkpoint of size %" G_GUINT64_FORMAT ", older "
                               "than the size %" G_GUINT64_FORMAT " already verified.",
                               next->size, sync->current->size);
          sync_fail (sync, cause, NULL, error);
          return NULL;
        }
      cw_node_client_get_consistency_async (sync->worker->client, lo, hi, sync->cancellable,
                                            cw_wallet_worker_wait_cb, &result);
      proof = cw_node_client_get_consistency_finish (sync->worker->client,
                                                     cw_wallet_worker_wait (sync->worker, &result),
                                                     error);
      if (proof == NULL)
        return NULL;
    }

  if (sync->current != NULL &&
      !cw_verifier_check_consistency (sync->worker->verifier, sync->current, next, proof,
                                      &evidence, &cause))
    {
      sync_fail (sync, cause, evidence, error);
      return NULL;
    }

  g_clear_pointer (&sync->current, cw_store_checkpoint_free);
  sync->current = g_steal_pointer (&next);
  return g_steal_pointer (&opened);
}

/* Fetches every page of a list, checks each page's checkpoint and proofs,
 * and returns the items merged (the last page's checkpoint and head). */
static CwNodeListing *
fetch_all (Sync            *sync,
           CwNodeListKind   kind,
           gboolean         has_position,
           guint64          position,
           GError         **error)
{
  g_autoptr(CwNodeListing) merged = NULL;
  const char *patient_id = sync->wallet->identity->patient_id;

  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CwNodeListing) page = NULL;
      g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
      g_autoptr(GBytes) evidence = NULL;
      GError *cause = NULL;

      cw_node_client_list_async (sync->worker->client, kind, patient_id, has_position, position,
                                 0, sync->key, sync->cancellable, cw_wallet_worker_wait_cb,
                                 &result);
      page = cw_node_client_list_finish (sync->worker->client,
                                         cw_wallet_worker_wait (sync->worker, &result), error);
      if (page == NULL)
        return NULL;

      checkpoint = sync_checkpoint (sync, page->checkpoint, error);
      if (checkpoint == NULL)
        return NULL;
      if (!cw_verifier_verify_listing_proofs (sync->worker->verifier, page, checkpoint, &evidence,
                                              &cause))
        {
          sync_fail (sync, cause, evidence, error);
          return NULL;
        }

      if (merged == NULL)
        {
          merged = g_steal_pointer (&page);
        }
      else
        {
          g_free (merged->checkpoint);
          merged->checkpoint = g_strdup (page->checkpoint);
          merged->has_head = page->has_head;
          merged->head_seq = page->head_seq;
          g_free (merged->head_id);
          merged->head_id = g_strdup (page->head_id);
          merged->has_next = page->has_next;
          merged->next = page->next;
          g_ptr_array_extend_and_steal (merged->items, g_steal_pointer (&page->items));
          page->items = g_ptr_array_new ();
        }

      if (!merged->has_next)
        return g_steal_pointer (&merged);
      /* A cursor that does not advance would loop for ever. */
      if (has_position && merged->next <= position)
        {
          g_set_error_literal (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE,
                               "The node's list cursor does not advance.");
          return NULL;
        }
      has_position = TRUE;
      position = merged->next;
    }
}

/* Provider keys for every provider named in @listings, from the store's
 * cache or else the directory; @fetched gets what is new. */
static GHashTable *
provider_keys (Sync       *sync,
               GPtrArray  *listings,
               GPtrArray  *fetched,
               GError    **error)
{
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) cw_verifier_key_unref);

  for (guint l = 0; l < listings->len; l++)
    {
      CwNodeListing *listing = g_ptr_array_index (listings, l);

      for (guint i = 0; i < listing->items->len; i++)
        {
          CwNodeListItem *item = g_ptr_array_index (listing->items, i);
          g_autoptr(CwDsseEnvelope) envelope = NULL;
          g_autoptr(GBytes) payload = NULL;
          g_autoptr(CwTx) tx = NULL;
          g_autoptr(CwStoreProvider) provider = NULL;
          CwVerifierKey *key;
          gboolean from_directory = FALSE;
          const char *id;

          envelope = cw_dsse_envelope_parse (item->envelope, strlen (item->envelope), NULL);
          payload = envelope != NULL ? cw_dsse_envelope_get_payload (envelope) : NULL;
          tx = payload != NULL ? cw_tx_parse_payload_bytes (payload, NULL) : NULL;
          if (tx == NULL || (id = cw_tx_get_provider (tx)) == NULL ||
              g_hash_table_contains (keys, id))
            continue;  /* the verifier reports malformed items */

          provider = cw_wallet_store_get_provider (sync->wallet->store, id, error);
          if (provider == NULL)
            {
              g_autoptr(GAsyncResult) result = NULL;
              g_autoptr(GError) local = NULL;

              if (error != NULL && *error != NULL)
                return NULL;
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
                  return NULL;
                }
              from_directory = TRUE;
            }

          key = cw_verifier_provider_key_new (provider, NULL);
          if (key != NULL)
            g_hash_table_insert (keys, g_strdup (id), key);
          if (from_directory)
            g_ptr_array_add (fetched, g_steal_pointer (&provider));
        }
    }

  return g_steal_pointer (&keys);
}

static gboolean
store_results (Sync           *sync,
               CwNodeListing  *requests,
               CwNodeListing  *access,
               GPtrArray      *providers,
               GError        **error)
{
  CwWalletStore *store = sync->wallet->store;
  g_autoptr(CwStoreCheckpoint) latest = cw_wallet_store_get_latest_checkpoint (store, error);

  if (latest == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (sync->current != NULL && (latest == NULL || sync->current->size >= latest->size) &&
      !cw_wallet_store_record_checkpoint (store, sync->current->size, sync->current->root,
                                          sync->current->note, error))
    return FALSE;

  for (guint i = 0; i < providers->len; i++)
    if (!cw_wallet_store_upsert_provider (store, g_ptr_array_index (providers, i), error))
      return FALSE;

  for (guint i = 0; i < requests->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (requests->items, i);
      g_autoptr(CwStoreRequest) known = cw_wallet_store_get_request (store, item->id, NULL);
      g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (item->envelope, strlen (item->envelope), error);
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(CwTx) tx = NULL;
      CwStoreRequest request = { 0 };

      if (envelope == NULL)
        return FALSE;
      payload = cw_dsse_envelope_get_payload (envelope);
      if ((tx = cw_tx_parse_payload_bytes (payload, error)) == NULL)
        return FALSE;
      if (known != NULL && known->state != CW_STORE_REQUEST_PENDING)
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

  for (guint i = 0; i < access->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (access->items, i);
      g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (item->envelope, strlen (item->envelope), error);
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(CwTx) tx = NULL;
      g_autoptr(CwTlogProof) bundle = NULL;
      g_autofree char *grant_id = NULL;
      g_autofree char *receipt = NULL;
      CwStoreAccessEvent event = { 0 };

      if (envelope == NULL)
        return FALSE;
      payload = cw_dsse_envelope_get_payload (envelope);
      if ((tx = cw_tx_parse_payload_bytes (payload, error)) == NULL)
        return FALSE;
      /* The item's proof against the listing's checkpoint is its receipt. */
      bundle = cw_tlog_proof_new (item->index, item->proof, access->checkpoint, NULL);
      receipt = cw_tlog_proof_format (bundle);
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
      event.receipt = receipt;
      if (!cw_wallet_store_upsert_access_event (store, &event, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
run_sync (Sync    *sync,
          GError **error)
{
  CwWallet *self = sync->wallet;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(CwNodeListing) chain = NULL;
  g_autoptr(CwNodeListing) grants = NULL;
  g_autoptr(CwNodeListing) requests = NULL;
  g_autoptr(CwNodeListing) access = NULL;
  g_autoptr(GPtrArray) listings = g_ptr_array_new ();
  g_autoptr(GPtrArray) fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_provider_free);
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GBytes) evidence = NULL;
  g_autofree char *note = NULL;
  const char *patient_id = self->identity->patient_id;
  GError *cause = NULL;
  gint64 last_access;

  sync->current = cw_wallet_store_get_latest_checkpoint (self->store, error);
  if (sync->current == NULL && error != NULL && *error != NULL)
    return FALSE;

  cw_node_client_get_checkpoint_async (sync->worker->client, sync->cancellable,
                                       cw_wallet_worker_wait_cb, &result);
  note = cw_node_client_get_checkpoint_finish (sync->worker->client,
                                               cw_wallet_worker_wait (sync->worker, &result), error);
  if (note == NULL || (checkpoint = sync_checkpoint (sync, note, error)) == NULL)
    return FALSE;

  if ((local = cw_wallet_store_list_transactions (self->store, TRUE, error)) == NULL ||
      (chain = fetch_all (sync, CW_NODE_LIST_CHAIN, TRUE, 0, error)) == NULL)
    return FALSE;
  if (!cw_verifier_verify_chain (sync->worker->verifier, chain, 0, local, &evidence, &cause))
    return sync_fail (sync, cause, evidence, error);

  if ((grants = fetch_all (sync, CW_NODE_LIST_GRANTS, FALSE, 0, error)) == NULL)
    return FALSE;
  if (!cw_verifier_verify_grants (sync->worker->verifier, grants, local, &evidence, &cause))
    return sync_fail (sync, cause, evidence, error);

  last_access = cw_wallet_store_get_last_access_index (self->store, error);
  if ((requests = fetch_all (sync, CW_NODE_LIST_REQUESTS, FALSE, 0, error)) == NULL ||
      (access = fetch_all (sync, CW_NODE_LIST_ACCESS, last_access >= 0, (guint64) MAX (last_access, 0),
                           error)) == NULL)
    return FALSE;

  g_ptr_array_add (listings, requests);
  g_ptr_array_add (listings, access);
  if ((keys = provider_keys (sync, listings, fetched, error)) == NULL)
    return FALSE;
  if (!cw_verifier_verify_requests (sync->worker->verifier, requests, patient_id, keys, &evidence,
                                    &cause) ||
      !cw_verifier_verify_access (sync->worker->verifier, access, patient_id, local, keys,
                                  &evidence, &cause))
    return sync_fail (sync, cause, evidence, error);

  return store_results (sync, requests, access, fetched, error);
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
  Sync sync = { self, &worker, key, cancellable, NULL };
  GError *error = NULL;
  gboolean ok;

  profile = cw_wallet_store_get_node_profile (self->store, &error);
  ok = profile != NULL && cw_wallet_worker_begin (self, &worker, profile, &error) &&
       run_sync (&sync, &error);
  cw_wallet_worker_end (&worker);
  g_clear_pointer (&sync.current, cw_store_checkpoint_free);

  if (!ok)
    g_task_return_error (task, error);
  else
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
                               "This wallet is not enrolled yet.");
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
