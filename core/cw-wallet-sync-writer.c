/* cw-wallet-sync-writer.c: the sync's store batch, written while the sync
 * still reads; see CwSyncWriter in cw-wallet-sync-private.h.
 *
 * Every write of a sync goes through one thread and one SQLite connection
 * of its own (the wallet's sync store), inside one transaction: the access
 * events of each page as soon as that page's proofs and signatures were
 * checked, then, once every list is in, the rest (checkpoint, our
 * confirmed transactions, providers, requests) while the sync thread runs
 * the last checks. The transaction commits only if every check passed,
 * and rolls back otherwise; the wallet's own connection keeps reading the
 * last committed state meanwhile (WAL), so the app's lists never wait for
 * a sync. */
#include "config.h"

#include "cw-encoding.h"
#include "cw-wallet-sync-private.h"

typedef enum {
  JOB_ACCESS_PAGE,
  JOB_RUN,
  JOB_END,
} JobKind;

typedef struct {
  JobKind kind;
  /* JOB_ACCESS_PAGE: the page's items (borrowed, see the header) and its
   * checkpoint note (owned). */
  GPtrArray *items;
  char *note;
  /* JOB_RUN */
  CwSyncWriterFunc func;
  gpointer data;
  /* JOB_END */
  gboolean commit;
} Job;

struct _CwSyncWriter
{
  CwWalletStore *store;
  CwVerifier *verifier;
  GAsyncQueue *jobs;
  GThread *thread;
  /* Owned by the thread until it is joined. */
  gboolean in_batch;
  GError *error;          /* the first write that failed; later jobs skip */
  gboolean committed;
};

static void
job_free (Job *job)
{
  g_clear_pointer (&job->items, g_ptr_array_unref);
  g_free (job->note);
  g_free (job);
}

static gboolean
ensure_batch (CwSyncWriter *self)
{
  if (self->in_batch || self->error != NULL)
    return self->error == NULL;
  self->in_batch = cw_wallet_store_batch_begin (self->store, &self->error);
  return self->in_batch;
}

/* Each access event with its receipt as parts: its proof and its page's
 * checkpoint note, which the store keeps once. */
static gboolean
store_access_page (CwSyncWriter  *self,
                   Job           *job,
                   GError       **error)
{
  gint64 note_id = cw_wallet_store_add_receipt_note (self->store, job->note, error);

  if (note_id < 0)
    return FALSE;

  for (guint i = 0; i < job->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (job->items, i);
      g_autoptr(CwTx) tx = NULL;
      g_autofree char *grant_id = NULL;
      CwStoreAccessEvent event = { 0 };

      if ((tx = cw_verifier_open_envelope (self->verifier, item->envelope, NULL, error)) == NULL)
        return FALSE;
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
      event.note_id = note_id;
      if (!cw_wallet_store_upsert_access_event (self->store, &event, error))
        return FALSE;
    }

  return TRUE;
}

static void
end_batch (CwSyncWriter *self,
           gboolean      commit)
{
  if (!self->in_batch)
    return;
  self->in_batch = FALSE;
  if (commit && self->error == NULL)
    self->committed = cw_wallet_store_batch_commit (self->store, &self->error);
  else
    cw_wallet_store_batch_rollback (self->store);
}

static gpointer
writer_thread (gpointer data)
{
  CwSyncWriter *self = data;

  for (;;)
    {
      Job *job = g_async_queue_pop (self->jobs);
      JobKind kind = job->kind;

      switch (kind)
        {
        case JOB_ACCESS_PAGE:
          if (ensure_batch (self))
            store_access_page (self, job, &self->error);
          break;
        case JOB_RUN:
          if (ensure_batch (self))
            job->func (self->store, job->data, &self->error);
          break;
        case JOB_END:
          /* An empty sync still commits: nothing to write is no failure. */
          if (job->commit && ensure_batch (self))
            end_batch (self, TRUE);
          else
            end_batch (self, FALSE);
          break;
        }
      job_free (job);
      if (kind == JOB_END)
        return NULL;
    }
}

CwSyncWriter *
cw_sync_writer_new (CwWalletStore *store,
                    CwVerifier    *verifier)
{
  CwSyncWriter *self = g_new0 (CwSyncWriter, 1);

  self->store = g_object_ref (store);
  self->verifier = g_object_ref (verifier);
  self->jobs = g_async_queue_new_full ((GDestroyNotify) job_free);
  self->thread = g_thread_new ("cw-sync-writer", writer_thread, self);
  return self;
}

void
cw_sync_writer_add_access_page (CwSyncWriter *self,
                                GPtrArray    *items,
                                const char   *note)
{
  Job *job;

  if (self->thread == NULL || items->len == 0)
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_ACCESS_PAGE;
  /* The pointers only: a copy would inherit @items' free function. */
  job->items = g_ptr_array_sized_new (items->len);
  g_ptr_array_extend (job->items, items, NULL, NULL);
  job->note = g_strdup (note);
  g_async_queue_push (self->jobs, job);
}

void
cw_sync_writer_run (CwSyncWriter     *self,
                    CwSyncWriterFunc  func,
                    gpointer          data)
{
  Job *job;

  g_return_if_fail (self->thread != NULL);

  job = g_new0 (Job, 1);
  job->kind = JOB_RUN;
  job->func = func;
  job->data = data;
  g_async_queue_push (self->jobs, job);
}

static void
finish (CwSyncWriter *self,
        gboolean      commit)
{
  Job *job;

  if (self->thread == NULL)
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_END;
  job->commit = commit;
  g_async_queue_push (self->jobs, job);
  g_thread_join (g_steal_pointer (&self->thread));
}

gboolean
cw_sync_writer_commit (CwSyncWriter  *self,
                       GError       **error)
{
  finish (self, TRUE);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return self->committed;
}

void
cw_sync_writer_abort (CwSyncWriter *self)
{
  finish (self, FALSE);
}

void
cw_sync_writer_free (CwSyncWriter *self)
{
  finish (self, FALSE);
  g_clear_error (&self->error);
  g_async_queue_unref (self->jobs);
  g_clear_object (&self->verifier);
  g_clear_object (&self->store);
  g_free (self);
}
