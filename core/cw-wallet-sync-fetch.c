/* cw-wallet-sync-fetch.c: the pages of CwWallet's sync, read ahead: all
 * four lists are asked for at once, the next page of each as soon as the
 * previous one is parsed, and each page's checkpoint and inclusion proofs
 * are checked on a pool thread (with the providers' signatures, where
 * their keys are known already); the sync thread then takes the pages in
 * list order (cw_sync_fetch_all()), so nothing of a page counts before
 * the pages and lists before it passed. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-wallet-sync-private.h"

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


typedef struct {
  CwVerifier *verifier;
  Page *page;
  GHashTable *provider_keys;  /* for provider-signed lists, else %NULL */
} PageCheck;

static void
page_check_free (PageCheck *check)
{
  g_clear_object (&check->verifier);
  g_clear_pointer (&check->provider_keys, g_hash_table_unref);
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
  if (page->checkpoint == NULL ||
      !cw_verifier_verify_listing_proofs (check->verifier, page->listing, page->checkpoint,
                                          &page->evidence, &page->cause))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (check->provider_keys != NULL)
    cw_verifier_check_signatures_early (check->verifier, page->listing, check->provider_keys);
  g_task_return_boolean (task, TRUE);
}

static void
page_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CwSyncFetch *fetch = user_data;
  PageCheck *check = g_task_get_task_data (G_TASK (result));

  check->page->checked = TRUE;
  fetch->pending--;
}

static void fetch_request (CwSyncFetch *fetch);

static void
page_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CwSyncFetch *fetch = user_data;
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
                                          _("The node's list cursor does not advance."));
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
  if (fetch->kind == CW_NODE_LIST_REQUESTS || fetch->kind == CW_NODE_LIST_ACCESS)
    check->provider_keys = g_hash_table_ref (fetch->sync->provider_keys);
  /* No source object: nothing of the client may be released on a pool
   * thread. The page stays in the queue until the check is back. */
  task = g_task_new (NULL, NULL, page_checked_cb, fetch);
  g_task_set_source_tag (task, page_listed_cb);
  g_task_set_task_data (task, check, (GDestroyNotify) page_check_free);
  fetch->pending++;
  if (fetch->held)
    g_queue_push_tail (&fetch->held_checks, g_steal_pointer (&task));
  else
    g_task_run_in_thread (task, check_page_thread);
}

static void
fetch_request (CwSyncFetch *fetch)
{
  CwSync *sync = fetch->sync;

  fetch->pending++;
  cw_node_client_list_async (sync->worker->client, fetch->kind, sync->wallet->identity->patient_id,
                             fetch->has_position, fetch->position, 0, sync->key, sync->cancellable,
                             page_listed_cb, fetch);
}

void
cw_sync_fetch_start (CwSyncFetch    *fetch,
                     CwSync         *sync,
                     CwNodeListKind  kind,
                     gboolean        has_position,
                     guint64         position)
{
  fetch->sync = sync;
  fetch->kind = kind;
  fetch->has_position = has_position;
  fetch->position = position;
  g_queue_init (&fetch->pages);
  g_queue_init (&fetch->held_checks);
  fetch_request (fetch);
}

void
cw_sync_fetch_start_held (CwSyncFetch    *fetch,
                          CwSync         *sync,
                          CwNodeListKind  kind,
                          gboolean        has_position,
                          guint64         position)
{
  fetch->held = TRUE;
  cw_sync_fetch_start (fetch, sync, kind, has_position, position);
}

void
cw_sync_fetch_release (CwSyncFetch *fetch)
{
  GTask *task;

  fetch->held = FALSE;
  while ((task = g_queue_pop_head (&fetch->held_checks)) != NULL)
    {
      g_task_run_in_thread (task, check_page_thread);
      g_object_unref (task);
    }
}

/* Stops asking for more pages and waits for what is in flight, which
 * refers to @fetch, then frees the pages. In-flight requests are let
 * finish rather than cut off, which costs at most one page per list. */
void
cw_sync_fetch_clear (CwSyncFetch *fetch)
{
  if (fetch->sync == NULL)
    return;
  fetch->sync->stopping = TRUE;
  cw_sync_fetch_release (fetch);
  while (fetch->pending > 0)
    g_main_context_iteration (fetch->sync->worker->context, TRUE);
  g_queue_clear_full (&fetch->pages, (GDestroyNotify) page_free);
  g_clear_error (&fetch->error);
  fetch->sync = NULL;
}

/* The next page of @fetch, checked, in list order; %NULL at the end of the
 * list or with @error when it ended early. */
static Page *
fetch_next_page (CwSyncFetch  *fetch,
                 GError      **error)
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
 * cw_sync_checkpoint(), then the outcome of its proofs' check counts. */
gboolean
cw_sync_fetch_all (CwSync       *sync,
                   CwSyncFetch  *fetch,
                   CwSyncList   *out,
                   GError      **error)
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
        return cw_sync_fail (sync, g_steal_pointer (&page->cause), page->evidence, error);
      checkpoint = cw_sync_checkpoint (sync, page->listing->checkpoint, page->checkpoint, error);
      if (checkpoint == NULL)
        return FALSE;
      if (page->cause != NULL)
        return cw_sync_fail (sync, g_steal_pointer (&page->cause), page->evidence, error);

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
                           _("The node sent no page of a list."));
      return FALSE;
    }
  return TRUE;
}
