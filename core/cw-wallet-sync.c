/* cw-wallet-sync.c: CwWallet's sync (docs/PROTOCOL.md §8 "Authenticated
 * reads"): the checkpoint, consistent with the last one verified, then the
 * patient's chain, active grants, pending requests and new access events,
 * every page proven against its own checkpoint, everything checked against
 * the local history (cw-verifier.h) before any of it is stored, in one
 * store batch. Any failed check raises an alert and stores nothing. */
#include "config.h"

#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-tlog-proof.h"
#include "cw-wallet-private.h"

/* Grants this close to expiry may have expired on the node's clock. */
#define EXPIRY_MARGIN_S 300

/* One list, all pages merged; @notes[i] is the checkpoint item i was
 * proven against (pages may come with different checkpoints). */
typedef struct {
  CwNodeListing *listing;
  GPtrArray *notes;
} Fetched;

static void
fetched_clear (Fetched *fetched)
{
  g_clear_pointer (&fetched->listing, cw_node_listing_free);
  g_clear_pointer (&fetched->notes, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fetched, fetched_clear)

typedef struct {
  CwWallet *wallet;
  CwWalletWorker *worker;
  CwSigningKey *key;
  GCancellable *cancellable;
  CwStoreCheckpoint *current;   /* the newest verified in this sync */
  GPtrArray *page_notes;        /* every checkpoint note seen (owned) */
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

/* Opens @note (log key, quorum) and moves the sync's current checkpoint to
 * it: the same tree again, or a larger one proven consistent with it. */
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
      sync_fail (sync, cause, evidence, error);
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

/* Fetches every page of a list; each page's checkpoint goes through
 * sync_checkpoint() and its items' proofs are checked against it. */
static gboolean
fetch_all (Sync            *sync,
           CwNodeListKind   kind,
           gboolean         has_position,
           guint64          position,
           Fetched         *out,
           GError         **error)
{
  const char *patient_id = sync->wallet->identity->patient_id;

  out->notes = g_ptr_array_new ();
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CwNodeListing) page = NULL;
      g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
      g_autoptr(GBytes) evidence = NULL;
      GError *cause = NULL;
      char *note;

      cw_node_client_list_async (sync->worker->client, kind, patient_id, has_position, position,
                                 0, sync->key, sync->cancellable, cw_wallet_worker_wait_cb,
                                 &result);
      page = cw_node_client_list_finish (sync->worker->client,
                                         cw_wallet_worker_wait (sync->worker, &result), error);
      if (page == NULL)
        return FALSE;

      checkpoint = sync_checkpoint (sync, page->checkpoint, error);
      if (checkpoint == NULL)
        return FALSE;
      if (!cw_verifier_verify_listing_proofs (sync->worker->verifier, page, checkpoint, &evidence,
                                              &cause))
        return sync_fail (sync, cause, evidence, error);

      note = g_strdup (page->checkpoint);
      g_ptr_array_add (sync->page_notes, note);
      for (guint i = 0; i < page->items->len; i++)
        g_ptr_array_add (out->notes, note);

      if (out->listing == NULL)
        {
          out->listing = g_steal_pointer (&page);
        }
      else
        {
          CwNodeListing *merged = out->listing;

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

      if (!out->listing->has_next)
        return TRUE;
      /* A cursor that does not advance would loop for ever. */
      if (has_position && out->listing->next <= position)
        {
          g_set_error_literal (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE,
                               "The node's list cursor does not advance.");
          return FALSE;
        }
      has_position = TRUE;
      position = out->listing->next;
    }
}

static char *
item_receipt (CwNodeListItem *item,
              const char     *note)
{
  g_autoptr(CwTlogProof) bundle = cw_tlog_proof_new (item->index, item->proof, note, NULL);

  return cw_tlog_proof_format (bundle);
}

/* Provider keys for every provider named in @listing, from the store's
 * cache or else the directory; @fetched gets what is new. */
static gboolean
add_provider_keys (Sync           *sync,
                   CwNodeListing  *listing,
                   GHashTable     *keys,
                   GPtrArray      *fetched,
                   GError        **error)
{
  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      g_autoptr(CwDsseEnvelope) envelope = NULL;
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(CwTx) tx = NULL;
      g_autoptr(CwStoreProvider) provider = NULL;
      g_autoptr(GError) local = NULL;
      CwVerifierKey *key;
      gboolean from_directory = FALSE;
      const char *id;

      envelope = cw_dsse_envelope_parse (item->envelope, strlen (item->envelope), NULL);
      payload = envelope != NULL ? cw_dsse_envelope_get_payload (envelope) : NULL;
      tx = payload != NULL ? cw_tx_parse_payload_bytes (payload, NULL) : NULL;
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
confirm_from_chain (Fetched   *chain,
                    GPtrArray *local)
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
      tx->receipt = item_receipt (item, g_ptr_array_index (chain->notes, i));
      g_hash_table_insert (receipts, tx->id, g_strdup (tx->receipt));
    }

  return receipts;
}
