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
  gboolean stopping;            /* ask the node for no more pages */
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

/* Opens @note (log key, quorum), unless @opened_early already is it, and
 * moves the sync's current checkpoint to it: the same tree again, or a
 * larger one proven consistent with it. */
static CwSignedCheckpoint *
sync_checkpoint (Sync               *sync,
                 const char         *note,
                 CwSignedCheckpoint *opened_early,
                 GError            **error)
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

/* A page read ahead, checked on a pool thread: its checkpoint opened (log
 * key, quorum) and every item's ID and inclusion proof checked against it.
 * The consistency of its checkpoint with the sync's is left to the sync
 * thread, which takes the pages in order. */
typedef struct {
  CwNodeListing *listing;
  CwSignedCheckpoint *checkpoint;  /* %NULL when it did not open */
  GError *cause;                   /* the first check that failed */
  GBytes *evidence;
  gboolean checked;
} Page;

static void
page_free (Page *page)
{
  g_clear_pointer (&page->listing, cw_node_listing_free);
  g_clear_pointer (&page->checkpoint, cw_signed_checkpoint_unref);
  g_clear_error (&page->cause);
  g_clear_pointer (&page->evidence, g_bytes_unref);
  g_free (page);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Page, page_free)

/* One list read ahead: the next page is asked for as soon as the previous
 * one is parsed, and all four lists are asked for at once, so that the
 * node's work, the parsing and the checks of earlier pages overlap on the
 * cores instead of taking turns. */
typedef struct {
  Sync *sync;
  CwNodeListKind kind;
  gboolean has_position;
  guint64 position;    /* of the next request */
  GQueue pages;        /* Page, in list order */
  guint pending;       /* requests and checks in flight */
  gboolean finished;   /* no more requests: the last page came, or an error */
  GError *error;       /* what ended the list early */
} Fetch;

typedef struct {
  CwVerifier *verifier;
  Page *page;
} PageCheck;

static void
page_check_free (PageCheck *check)
{
  g_clear_object (&check->verifier);
  g_free (check);
}

static void
check_page_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PageCheck *check = task_data;
  Page *page = check->page;

  page->checkpoint = cw_verifier_open_checkpoint (check->verifier, page->listing->checkpoint,
                                                  &page->evidence, &page->cause);
  if (page->checkpoint != NULL)
    cw_verifier_verify_listing_proofs (check->verifier, page->listing, page->checkpoint,
                                       &page->evidence, &page->cause);
  g_task_return_boolean (task, TRUE);
}

static void
page_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fetch *fetch = user_data;
  PageCheck *check = g_task_get_task_data (G_TASK (result));

  check->page->checked = TRUE;
  fetch->pending--;
}

static void fetch_request (Fetch *fetch);

static void
page_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fetch *fetch = user_data;
  CwNodeListing *listing;
  Page *page;
  PageCheck *check;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  fetch->pending--;
  listing = cw_node_client_list_finish (CW_NODE_CLIENT (source), result, &error);
  if (listing == NULL)
    {
      fetch->error = error;
      fetch->finished = TRUE;
      return;
    }

  if (!listing->has_next)
    {
      fetch->finished = TRUE;
    }
  else if (fetch->sync->stopping)
    {
      fetch->finished = TRUE;
    }
  else if (fetch->has_position && listing->next <= fetch->position)
    {
      /* A cursor that does not advance would loop for ever. */
      fetch->error = g_error_new_literal (CW_NODE_CLIENT_ERROR,
                                          CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE,
                                          "The node's list cursor does not advance.");
      fetch->finished = TRUE;
    }
  else
    {
      fetch->has_position = TRUE;
      fetch->position = listing->next;
      fetch_request (fetch);
    }

  page = g_new0 (Page, 1);
  page->listing = listing;
  g_queue_push_tail (&fetch->pages, page);

  check = g_new0 (PageCheck, 1);
  check->verifier = g_object_ref (fetch->sync->worker->verifier);
  check->page = page;
  /* No source object: nothing of the client may be released on a pool
   * thread. The page stays in the queue until the check is back. */
  task = g_task_new (NULL, NULL, page_checked_cb, fetch);
  g_task_set_source_tag (task, page_listed_cb);
  g_task_set_task_data (task, check, (GDestroyNotify) page_check_free);
  fetch->pending++;
  g_task_run_in_thread (task, check_page_thread);
}

static void
fetch_request (Fetch *fetch)
{
  Sync *sync = fetch->sync;

  fetch->pending++;
  cw_node_client_list_async (sync->worker->client, fetch->kind, sync->wallet->identity->patient_id,
                             fetch->has_position, fetch->position, 0, sync->key, sync->cancellable,
                             page_listed_cb, fetch);
}

static void
fetch_start (Fetch          *fetch,
             Sync           *sync,
             CwNodeListKind  kind,
             gboolean        has_position,
             guint64         position)
{
  fetch->sync = sync;
  fetch->kind = kind;
  fetch->has_position = has_position;
  fetch->position = position;
  g_queue_init (&fetch->pages);
  fetch_request (fetch);
}

/* Stops asking for more pages and waits for what is in flight, which
 * refers to @fetch, then frees the pages. In-flight requests are let
 * finish rather than cut off, which costs at most one page per list. */
static void
fetch_clear (Fetch *fetch)
{
  if (fetch->sync == NULL)
    return;
  fetch->sync->stopping = TRUE;
  while (fetch->pending > 0)
    g_main_context_iteration (fetch->sync->worker->context, TRUE);
  g_queue_clear_full (&fetch->pages, (GDestroyNotify) page_free);
  g_clear_error (&fetch->error);
  fetch->sync = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fetch, fetch_clear)

/* The next page of @fetch, checked, in list order; %NULL at the end of the
 * list or with @error when it ended early. */
static Page *
fetch_next_page (Fetch   *fetch,
                 GError **error)
{
  for (;;)
    {
      Page *head = g_queue_peek_head (&fetch->pages);

      if (head != NULL && head->checked)
        return g_queue_pop_head (&fetch->pages);
      if (head == NULL && fetch->finished)
        {
          if (fetch->error != NULL)
            g_propagate_error (error, g_steal_pointer (&fetch->error));
          return NULL;
        }
      g_main_context_iteration (fetch->sync->worker->context, TRUE);
    }
}

/* Takes every page of @fetch in order: each page's checkpoint goes through
 * sync_checkpoint(), then the outcome of its proofs' check counts. */
static gboolean
fetch_all (Sync     *sync,
           Fetch    *fetch,
           Fetched  *out,
           GError  **error)
{
  GError *local_error = NULL;

  out->notes = g_ptr_array_new ();
  for (;;)
    {
      g_autoptr(Page) page = fetch_next_page (fetch, &local_error);
      g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
      CwNodeListing *listing;
      char *note;

      if (page == NULL)
        break;

      if (page->checkpoint == NULL)
        return sync_fail (sync, g_steal_pointer (&page->cause), page->evidence, error);
      checkpoint = sync_checkpoint (sync, page->listing->checkpoint, page->checkpoint, error);
      if (checkpoint == NULL)
        return FALSE;
      if (page->cause != NULL)
        return sync_fail (sync, g_steal_pointer (&page->cause), page->evidence, error);

      listing = g_steal_pointer (&page->listing);
      note = g_strdup (listing->checkpoint);
      g_ptr_array_add (sync->page_notes, note);
      for (guint i = 0; i < listing->items->len; i++)
        g_ptr_array_add (out->notes, note);

      if (out->listing == NULL)
        {
          out->listing = listing;
        }
      else
        {
          CwNodeListing *merged = out->listing;

          g_free (merged->checkpoint);
          merged->checkpoint = g_strdup (listing->checkpoint);
          merged->has_head = listing->has_head;
          merged->head_seq = listing->head_seq;
          g_free (merged->head_id);
          merged->head_id = g_strdup (listing->head_id);
          merged->has_next = listing->has_next;
          merged->next = listing->next;
          g_ptr_array_extend_and_steal (merged->items, g_steal_pointer (&listing->items));
          listing->items = g_ptr_array_new ();
          cw_node_listing_free (listing);
        }
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  /* Every list has a first page, empty or not. */
  if (out->listing == NULL)
    {
      g_set_error_literal (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE,
                           "The node sent no page of a list.");
      return FALSE;
    }
  return TRUE;
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

static gboolean
store_access (CwWalletStore  *store,
              CwVerifier     *verifier,
              Fetched        *access,
              GError        **error)
{
  for (guint i = 0; i < access->listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (access->listing->items, i);
      g_autoptr(CwTx) tx = NULL;
      g_autofree char *grant_id = NULL;
      g_autofree char *receipt = NULL;
      CwStoreAccessEvent event = { 0 };

      if ((tx = cw_verifier_open_envelope (verifier, item->envelope, NULL, error)) == NULL)
        return FALSE;
      /* The item's proof against its page's checkpoint is its receipt. */
      receipt = item_receipt (item, g_ptr_array_index (access->notes, i));
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

/* Everything the sync verified, in one store batch. */
static gboolean
store_results (Sync        *sync,
               GPtrArray   *local,
               GHashTable  *receipts,
               Fetched     *requests,
               Fetched     *access,
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

static gboolean
run_sync (Sync    *sync,
          GError **error)
{
  CwWallet *self = sync->wallet;
  CwVerifier *verifier = sync->worker->verifier;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GPtrArray) local = NULL;
  g_auto(Fetch) chain_fetch = { 0 };
  g_auto(Fetch) grants_fetch = { 0 };
  g_auto(Fetch) requests_fetch = { 0 };
  g_auto(Fetch) access_fetch = { 0 };
  g_auto(Fetched) chain = { 0 };
  g_auto(Fetched) grants = { 0 };
  g_auto(Fetched) requests = { 0 };
  g_auto(Fetched) access = { 0 };
  g_autoptr(GPtrArray) fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_provider_free);
  g_autoptr(GHashTable) keys = NULL;
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
  if (note == NULL || (checkpoint = sync_checkpoint (sync, note, NULL, error)) == NULL)
    return FALSE;

  /* All four lists at once; each is still checked in this order below, and
   * nothing of a later list counts before the earlier ones passed. The
   * whole chain every time: a dropped or altered old transaction must
   * show, and it is the patient's own, short history. */
  fetch_start (&chain_fetch, sync, CW_NODE_LIST_CHAIN, TRUE, 0);
  fetch_start (&grants_fetch, sync, CW_NODE_LIST_GRANTS, FALSE, 0);
  fetch_start (&requests_fetch, sync, CW_NODE_LIST_REQUESTS, FALSE, 0);
  fetch_start (&access_fetch, sync, CW_NODE_LIST_ACCESS, last_access >= 0,
               (guint64) MAX (last_access, 0));

  if ((local = cw_wallet_store_list_transactions (self->store, TRUE, error)) == NULL ||
      !fetch_all (sync, &chain_fetch, &chain, error))
    return FALSE;
  if (!cw_verifier_verify_chain (verifier, chain.listing, 0, local, &evidence, &cause))
    return sync_fail (sync, cause, evidence, error);
  receipts = confirm_from_chain (&chain, local);

  if (!fetch_all (sync, &grants_fetch, &grants, error))
    return FALSE;
  if (!cw_verifier_verify_grants (verifier, grants.listing, local, &evidence, &cause) ||
      !cw_verifier_verify_no_hidden_grants (verifier, grants.listing, sync->current->size, local,
                                            now + EXPIRY_MARGIN_S, &evidence, &cause))
    return sync_fail (sync, cause, evidence, error);

  if (!fetch_all (sync, &requests_fetch, &requests, error) ||
      !fetch_all (sync, &access_fetch, &access, error))
    return FALSE;

  keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) cw_verifier_key_unref);
  if (!add_provider_keys (sync, requests.listing, keys, fetched, error) ||
      !add_provider_keys (sync, access.listing, keys, fetched, error))
    return FALSE;
  if (!cw_verifier_verify_requests (verifier, requests.listing, patient_id, keys, &evidence,
                                    &cause) ||
      !cw_verifier_verify_access (verifier, access.listing, patient_id, local, keys, &evidence,
                                  &cause))
    return sync_fail (sync, cause, evidence, error);

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
  Sync sync = { self, &worker, key, cancellable, FALSE, NULL,
                g_ptr_array_new_with_free_func (g_free) };
  GError *error = NULL;
  gboolean ok;

  profile = cw_wallet_store_get_node_profile (self->store, &error);
  ok = profile != NULL && cw_wallet_worker_begin (self, &worker, profile, &error) &&
       run_sync (&sync, &error);
  cw_wallet_worker_end (&worker);
  g_clear_pointer (&sync.current, cw_store_checkpoint_free);
  g_clear_pointer (&sync.page_notes, g_ptr_array_unref);

  if (!ok)
    {
      if (error == NULL)
        error = g_error_new_literal (CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                                     "This wallet has no node configured.");
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
