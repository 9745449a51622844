/* cw-wallet-sync-private.h: what CwWallet's sync shares between its two
 * files: the run itself, its checks and its store batch (cw-wallet-sync.c),
 * and the pages of the four lists read ahead and checked on pool threads
 * (cw-wallet-sync-fetch.c). Not for callers. */
#pragma once

#include "cw-wallet-private.h"

G_BEGIN_DECLS

/* One list, all pages merged; @notes[i] is the checkpoint item i was
 * proven against (pages may come with different checkpoints). */
typedef struct {
  CwNodeListing *listing;
  GPtrArray *notes;
} CwSyncList;

static inline void
cw_sync_list_clear (CwSyncList *list)
{
  g_clear_pointer (&list->listing, cw_node_listing_free);
  g_clear_pointer (&list->notes, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CwSyncList, cw_sync_list_clear)

typedef struct {
  CwWallet *wallet;
  CwWalletWorker *worker;
  CwSigningKey *key;
  GCancellable *cancellable;
  gboolean stopping;            /* ask the node for no more pages */
  CwStoreCheckpoint *current;   /* the newest verified in this sync */
  GPtrArray *page_notes;        /* every checkpoint note seen (owned) */
  /* Provider ID -> CwVerifierKey: the store's cached keys, read by the
   * page checks of requests and access events; the directory's are added
   * once every page is in (add_provider_keys()). */
  GHashTable *provider_keys;
} CwSync;

/* One list read ahead: the next page is asked for as soon as the previous
 * one is parsed, and all four lists are asked for at once, so that the
 * node's work, the parsing and the checks of earlier pages overlap on the
 * cores instead of taking turns. */
typedef struct {
  CwSync *sync;
  CwNodeListKind kind;
  gboolean has_position;
  guint64 position;    /* of the next request */
  GQueue pages;        /* Page, in list order */
  guint pending;       /* requests and checks in flight */
  gboolean finished;   /* no more requests: the last page came, or an error */
  GError *error;       /* what ended the list early */
  gboolean held;       /* pages are fetched, their checks wait (GTask queue) */
  GQueue held_checks;
} CwSyncFetch;

/* Raises the alert of @cause (taken) with @evidence and sets @error to the
 * wallet's verification error; always FALSE. */
gboolean            cw_sync_fail          (CwSync             *sync,
                                           GError             *cause,
                                           GBytes             *evidence,
                                           GError            **error);
/* Opens @note (log key, quorum), unless @opened_early already is it, and
 * moves the sync's current checkpoint to it: the same tree again, or a
 * larger one proven consistent with it. */
CwSignedCheckpoint *cw_sync_checkpoint    (CwSync             *sync,
                                           const char         *note,
                                           CwSignedCheckpoint *opened_early,
                                           GError            **error);

/* Starts reading @kind from @position (when @has_position). */
void                cw_sync_fetch_start   (CwSyncFetch        *fetch,
                                           CwSync             *sync,
                                           CwNodeListKind      kind,
                                           gboolean            has_position,
                                           guint64             position);
/* Like cw_sync_fetch_start(), but the pages' checks wait for
 * cw_sync_fetch_release(): they are fetched meanwhile. */
void                cw_sync_fetch_start_held (CwSyncFetch     *fetch,
                                           CwSync             *sync,
                                           CwNodeListKind      kind,
                                           gboolean            has_position,
                                           guint64             position);
void                cw_sync_fetch_release (CwSyncFetch        *fetch);
/* Stops asking for more pages, waits for what is in flight, frees the
 * pages. */
void                cw_sync_fetch_clear   (CwSyncFetch        *fetch);
/* Takes every page of @fetch in order into @out: each page's checkpoint
 * goes through cw_sync_checkpoint(), then its proofs' check counts. */
gboolean            cw_sync_fetch_all     (CwSync             *sync,
                                           CwSyncFetch        *fetch,
                                           CwSyncList         *out,
                                           GError            **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CwSyncFetch, cw_sync_fetch_clear)

G_END_DECLS
