/* cw-node-sequencer.c: orders submitted transactions into the log: the
 * queue, the worker pool, batches, commits, checkpoints and receipts. The
 * published log's reads are in cw-node-sequencer-log.c. */
#include "config.h"

#include <string.h>

#include "cw-node-fault.h"
#include "cw-node-log.h"
#include "cw-node-rules.h"
#include "cw-node-sequencer-private.h"
#include "cw-note.h"
#include "cw-tlog-proof.h"

G_DEFINE_QUARK (cw-node-sequencer-error-quark, cw_node_sequencer_error)

G_DEFINE_FINAL_TYPE (CwNodeSequencer, cw_node_sequencer, G_TYPE_OBJECT)

/* Submissions allowed to wait, per unit of batch-max-size. */
#define QUEUE_BATCHES 8

enum {
  PROP_0,
  PROP_STORE,
  PROP_ORIGIN,
  PROP_BATCH_INTERVAL_MS,
  PROP_BATCH_MAX_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One submission waiting in arrival order. */
typedef struct
{
  CwNodeSubmission *submission;
  GTask *task;
  gboolean ready;    /* prepared by a worker */
  gint64 queued;     /* monotonic time of arrival */
} QueueItem;

static void
queue_item_free (QueueItem *item)
{
  g_clear_pointer (&item->submission, cw_node_submission_unref);
  g_clear_object (&item->task);
  g_free (item);
}

/* Hands the submission back to its submitter. */
static void
answer (QueueItem *item)
{
  GTask *task = g_steal_pointer (&item->task);

  g_task_return_pointer (task, cw_node_submission_ref (item->submission),
                         (GDestroyNotify) cw_node_submission_unref);
  g_object_unref (task);
}

static void
verify_cb (gpointer data,
           gpointer user_data)
{
  QueueItem *item = data;
  CwNodeSequencer *self = user_data;

  cw_node_submission_prepare (item->submission, self->reader);

  g_mutex_lock (&self->lock);
  item->ready = TRUE;
  /* Only the head of the queue, or a full batch, can start a batch. */
  if (g_queue_peek_head (&self->queue) == item ||
      self->queue.length >= self->batch_max_size)
    g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gboolean
head_is_ready (CwNodeSequencer *self)
{
  QueueItem *head = g_queue_peek_head (&self->queue);

  return head != NULL && head->ready;
}

/* Waits for the next batch: the ready prefix of the queue once the head is
 * ready and the batch interval has passed, a full batch is waiting or the
 * queue is being flushed. %NULL when stopping. */
static GPtrArray *
take_batch (CwNodeSequencer *self)
{
  GPtrArray *batch;
  gint64 deadline;

  g_mutex_lock (&self->lock);

  while (!self->stopping && !head_is_ready (self))
    g_cond_wait (&self->cond, &self->lock);

  /* The interval counts from the head's arrival: what queued up while the
   * previous batch was being committed has waited long enough. */
  deadline = self->stopping ? 0 : ((QueueItem *) g_queue_peek_head (&self->queue))->queued +
                                  self->batch_interval_ms * G_TIME_SPAN_MILLISECOND;
  while (!self->stopping && !self->flushing && self->queue.length < self->batch_max_size)
    {
      if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
        break;
    }

  if (self->stopping)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  batch = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_item_free);
  while (batch->len < self->batch_max_size && head_is_ready (self))
    g_ptr_array_add (batch, g_queue_pop_head (&self->queue));

  g_mutex_unlock (&self->lock);

  return batch;
}

static char *
make_receipt (CwNodeSequencer  *self,
              guint64           index,
              guint64           size,
              const char       *checkpoint,
              GError          **error)
{
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(CwTlogProof) bundle = NULL;

  /* Only this thread appends, so it reads the tree without the lock. */
  proof = cw_log_tree_prove_inclusion (self->tree, index, size, error);
  if (proof == NULL)
    return NULL;

  bundle = cw_tlog_proof_new (index, proof, checkpoint, NULL);

  return cw_tlog_proof_format (bundle);
}

/* The receipt of an entry logged by an earlier batch: against the
 * checkpoint it was first included in. */
static char *
make_earlier_receipt (CwNodeSequencer  *self,
                      guint64           index,
                      GError          **error)
{
  g_autofree char *checkpoint = NULL;
  guint64 size;

  checkpoint = cw_node_store_dup_checkpoint_covering (self->writer, index, &size, error);
  if (checkpoint == NULL)
    return NULL;

  return make_receipt (self, index, size, checkpoint, error);
}

static void
publish (CwNodeSequencer *self,
         guint64          size,
         char            *checkpoint)
{
  g_mutex_lock (&self->lock);
  g_free (self->published_checkpoint);
  self->published_checkpoint = checkpoint;
  self->published_size = size;
  g_mutex_unlock (&self->lock);
}

static char *
run_cosign_step (CwNodeSequencer *self,
                 guint64          size,
                 char            *checkpoint)
{
  char *cosigned;

  if (self->cosign_func == NULL)
    return checkpoint;

  g_mutex_lock (&self->lock);
  self->cosign_thread = g_thread_self ();
  self->cosign_size = size;
  g_mutex_unlock (&self->lock);

  cosigned = self->cosign_func (self, size, checkpoint, self->cosign_data);

  g_mutex_lock (&self->lock);
  self->cosign_thread = NULL;
  g_mutex_unlock (&self->lock);
  if (cosigned == NULL)
    return checkpoint;

  g_free (checkpoint);

  return cosigned;
}

/* Appends the batch's IDs to the tree and fills in its tree fields. */
static void
grow_tree (CwNodeSequencer *self,
           CwNodeBatch     *batch)
{
  g_autoptr(GByteArray) ids = g_byte_array_sized_new (batch->transactions->len * CW_TX_ID_SIZE);

  for (guint i = 0; i < batch->transactions->len; i++)
    {
      CwNodeTxRecord *record = g_ptr_array_index (batch->transactions, i);

      g_byte_array_append (ids, record->id, CW_TX_ID_SIZE);
    }

  g_rw_lock_writer_lock (&self->tree_lock);
  cw_log_tree_append_many (self->tree, ids->data, CW_TX_ID_SIZE, batch->transactions->len);
  g_byte_array_append (self->entries, ids->data, ids->len);
  g_rw_lock_writer_unlock (&self->tree_lock);

  cw_log_tree_get_root (self->tree, batch->new_size, batch->new_root, NULL);
  batch->tree_hashes = cw_log_tree_get_stored_hashes (self->tree, batch->old_size,
                                                      batch->new_size, NULL);
}

/* Persist, then sign, then cosign, then publish. */
static gboolean
commit_batch (CwNodeSequencer  *self,
              CwNodeBatch      *batch,
              GError          **error)
{
  g_autofree char *checkpoint = NULL;

  grow_tree (self, batch);

  if (!cw_node_store_commit_batch (self->writer, batch, error))
    {
      g_autoptr(GError) reload_error = NULL;

      /* The tree in memory is ahead of the store now: take it back. */
      if (!cw_node_sequencer_load_log (self, &reload_error))
        {
          g_warning ("Reloading the log after a failed commit: %s", reload_error->message);
          self->failed = TRUE;
        }
      return FALSE;
    }
  cw_node_fault_point (CW_NODE_FAULT_AFTER_PERSIST);

  /* Stored but not signed (say the disk filled up in between): the batch
   * stays logged, its submitters are told to try again, and the next batch
   * signs the head before it answers anyone. */
  if (!cw_node_log_sign_checkpoint (self->writer, self->origin, self->log_key, error))
    {
      self->head_unsigned = TRUE;
      return FALSE;
    }
  cw_node_fault_point (CW_NODE_FAULT_AFTER_SIGN);

  checkpoint = cw_node_store_dup_checkpoint (self->writer, batch->new_size, error);
  if (checkpoint == NULL)
    {
      self->head_unsigned = TRUE;
      return FALSE;
    }

  checkpoint = run_cosign_step (self, batch->new_size, g_steal_pointer (&checkpoint));
  publish (self, batch->new_size, g_steal_pointer (&checkpoint));

  return TRUE;
}

static void
decide (CwNodeSequencer *self,
        GPtrArray       *items)
{
  cw_node_rules_begin (self->rules, cw_log_tree_get_size (self->tree),
                       g_get_real_time () / G_USEC_PER_SEC);

  for (guint i = 0; i < items->len; i++)
    {
      QueueItem *item = g_ptr_array_index (items, i);
      CwNodeSubmission *submission = item->submission;

      if (submission->error == NULL)
        cw_node_rules_apply (self->rules, submission, &submission->error);
    }
}

static void
fail_unanswered (GPtrArray    *items,
                 const GError *error)
{
  for (guint i = 0; i < items->len; i++)
    {
      QueueItem *item = g_ptr_array_index (items, i);

      if (item->submission->error == NULL)
        item->submission->error = g_error_copy (error);
    }
}

static void
attach_receipts (CwNodeSequencer *self,
                 GPtrArray       *items,
                 guint64          batch_start)
{
  g_autofree char *checkpoint = NULL;
  guint64 size;

  checkpoint = cw_node_sequencer_dup_checkpoint (self, &size);

  for (guint i = 0; i < items->len; i++)
    {
      CwNodeSubmission *submission = ((QueueItem *) g_ptr_array_index (items, i))->submission;

      if (submission->error != NULL)
        continue;

      if (submission->index >= batch_start)
        submission->proof = make_receipt (self, submission->index, size, checkpoint,
                                          &submission->error);
      else
        submission->proof = make_earlier_receipt (self, submission->index, &submission->error);

      if (submission->error != NULL)
        g_warning ("Making the receipt of entry %" G_GUINT64_FORMAT ": %s",
                   submission->index, submission->error->message);
    }
}

static void
process_batch (CwNodeSequencer *self,
               GPtrArray       *items)
{
  g_autoptr(CwNodeBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  /* Reloading signs and publishes a stored head that was left unsigned. */
  if (self->head_unsigned)
    {
      if (cw_node_sequencer_load_log (self, &error))
        self->head_unsigned = FALSE;
      else
        g_warning ("Signing the stored tree head: %s", error->message);
      g_clear_error (&error);
    }

  decide (self, items);
  batch = cw_node_rules_finish (self->rules);
  cw_node_fault_point (CW_NODE_FAULT_AFTER_VERIFY);

  if (batch->new_size > batch->old_size && !commit_batch (self, batch, &error))
    {
      g_warning ("Committing a batch of %u: %s", batch->transactions->len, error->message);
      g_clear_error (&error);
      g_set_error (&error, CW_NODE_SEQUENCER_ERROR, CW_NODE_SEQUENCER_ERROR_UNAVAILABLE,
                   "The node could not store the transaction; try again later");
      fail_unanswered (items, error);
    }

  attach_receipts (self, items, batch->old_size);

  for (guint i = 0; i < items->len; i++)
    {
      answer (g_ptr_array_index (items, i));
      cw_node_fault_point (CW_NODE_FAULT_WHILE_ANSWERING);
    }

  if (batch->new_size > batch->old_size)
    g_message ("batch: %u submitted, %u logged, tree size %" G_GUINT64_FORMAT ", %" G_GINT64_FORMAT
               ".%03dms", items->len, batch->transactions->len, batch->new_size,
               (g_get_monotonic_time () - started) / 1000,
               (int) ((g_get_monotonic_time () - started) % 1000));
}

static gpointer
sequencer_thread (gpointer data)
{
  CwNodeSequencer *self = data;
  GPtrArray *items;

  while ((items = take_batch (self)) != NULL)
    {
      process_batch (self, items);
      g_ptr_array_unref (items);
    }

  return NULL;
}

void
cw_node_sequencer_submit_async (CwNodeSequencer     *self,
                                GBytes              *envelope,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueueItem *item;
  gboolean accepted;
  guint queued;

  g_return_if_fail (CW_IS_NODE_SEQUENCER (self));
  g_return_if_fail (envelope != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_node_sequencer_submit_async);

  item = g_new0 (QueueItem, 1);
  item->submission = cw_node_submission_new (envelope);
  item->task = g_object_ref (task);
  item->queued = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  accepted = self->thread != NULL && !self->stopping && !self->failed &&
             self->queue.length < QUEUE_BATCHES * self->batch_max_size;
  if (accepted)
    g_queue_push_tail (&self->queue, item);
  queued = self->queue.length;
  g_mutex_unlock (&self->lock);

  if (!accepted)
    {
      g_set_error (&item->submission->error, CW_NODE_SEQUENCER_ERROR,
                   CW_NODE_SEQUENCER_ERROR_UNAVAILABLE,
                   "The node is busy or shutting down; try again later");
      answer (item);
      queue_item_free (item);
      return;
    }

  /* With G_MESSAGES_DEBUG=consent-node; test-node-shutdown waits for it. */
  g_debug ("sequencer: submission queued, %u waiting", queued);
  g_thread_pool_push (self->verify_pool, item, NULL);
}

CwNodeSubmission *
cw_node_sequencer_submit_finish (CwNodeSequencer  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cw_node_sequencer_set_cosign_func (CwNodeSequencer  *self,
                                   CwNodeCosignFunc  func,
                                   gpointer          user_data,
                                   GDestroyNotify    destroy)
{
  g_return_if_fail (CW_IS_NODE_SEQUENCER (self));
  g_return_if_fail (self->thread == NULL);

  if (self->cosign_destroy != NULL)
    self->cosign_destroy (self->cosign_data);

  self->cosign_func = func;
  self->cosign_data = user_data;
  self->cosign_destroy = destroy;
}

/* How many witnesses cosigned @note: its signatures other than the log's
 * own, which cw_note_open() leaves unverified for the caller to see. */
static guint
count_cosignatures (CwNodeSequencer *self,
                    const char      *note)
{
  g_autoptr(CwNoteVerifiers) known = cw_note_verifiers_new ();
  g_autoptr(CwNote) opened = NULL;

  if (!cw_note_verifiers_add (known, cw_signing_key_get_verifier (self->log_key), NULL) ||
      (opened = cw_note_open (note, strlen (note), known, NULL)) == NULL)
    return 0;
  return cw_note_get_n_unverified (opened);
}

/* A head below the quorum, as a new log's is, or one logged while the
 * witnesses were down, would be served that way, and refused by every
 * wallet that requires the quorum, until the next transaction. So it goes
 * to the witnesses once, before the node serves anything; a witness that
 * is down costs its cosignature, as for a batch. */
void
cw_node_sequencer_cosign_head (CwNodeSequencer *self,
                               guint            quorum)
{
  g_autofree char *checkpoint = NULL;
  guint64 size;

  g_return_if_fail (CW_IS_NODE_SEQUENCER (self));
  g_return_if_fail (self->thread == NULL);

  checkpoint = cw_node_sequencer_dup_checkpoint (self, &size);
  if (self->cosign_func == NULL || checkpoint == NULL ||
      count_cosignatures (self, checkpoint) >= quorum)
    return;
  checkpoint = run_cosign_step (self, size, g_steal_pointer (&checkpoint));
  publish (self, size, g_steal_pointer (&checkpoint));
}

void
cw_node_sequencer_start (CwNodeSequencer *self)
{
  g_return_if_fail (CW_IS_NODE_SEQUENCER (self));
  g_return_if_fail (self->thread == NULL);

  self->verify_pool = g_thread_pool_new (verify_cb, self, (int) g_get_num_processors (),
                                         FALSE, NULL);
  self->thread = g_thread_new ("cw-sequencer", sequencer_thread, self);
}

void
cw_node_sequencer_flush (CwNodeSequencer *self)
{
  g_return_if_fail (CW_IS_NODE_SEQUENCER (self));

  g_mutex_lock (&self->lock);
  self->flushing = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
cw_node_sequencer_stop (CwNodeSequencer *self)
{
  QueueItem *item;

  g_return_if_fail (CW_IS_NODE_SEQUENCER (self));

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_thread_join (g_steal_pointer (&self->thread));
  /* Lets the workers finish what they hold; nothing new is queued. */
  g_thread_pool_free (g_steal_pointer (&self->verify_pool), FALSE, TRUE);

  while ((item = g_queue_pop_head (&self->queue)) != NULL)
    {
      g_clear_error (&item->submission->error);
      g_set_error (&item->submission->error, CW_NODE_SEQUENCER_ERROR,
                   CW_NODE_SEQUENCER_ERROR_UNAVAILABLE, "The node is shutting down");
      answer (item);
      queue_item_free (item);
    }
}

static void
cw_node_sequencer_dispose (GObject *object)
{
  CwNodeSequencer *self = (CwNodeSequencer *)object;

  cw_node_sequencer_stop (self);
  if (self->cosign_destroy != NULL)
    self->cosign_destroy (self->cosign_data);
  self->cosign_destroy = NULL;
  self->cosign_func = NULL;
  g_clear_pointer (&self->rules, cw_node_rules_free);
  g_clear_object (&self->writer);
  g_clear_object (&self->reader);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cw_node_sequencer_parent_class)->dispose (object);
}

static void
cw_node_sequencer_finalize (GObject *object)
{
  CwNodeSequencer *self = (CwNodeSequencer *)object;

  g_clear_pointer (&self->tree, cw_log_tree_free);
  g_clear_pointer (&self->entries, g_byte_array_unref);
  g_clear_pointer (&self->published_checkpoint, g_free);
  g_clear_pointer (&self->log_key, cw_signing_key_unref);
  g_clear_pointer (&self->origin, g_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_rw_lock_clear (&self->tree_lock);

  G_OBJECT_CLASS (cw_node_sequencer_parent_class)->finalize (object);
}

static void
cw_node_sequencer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CwNodeSequencer *self = CW_NODE_SEQUENCER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ORIGIN:
      g_value_set_string (value, self->origin);
      break;
    case PROP_BATCH_INTERVAL_MS:
      g_value_set_uint (value, self->batch_interval_ms);
      break;
    case PROP_BATCH_MAX_SIZE:
      g_value_set_uint (value, self->batch_max_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_sequencer_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CwNodeSequencer *self = CW_NODE_SEQUENCER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_ORIGIN:
      self->origin = g_value_dup_string (value);
      break;
    case PROP_BATCH_INTERVAL_MS:
      self->batch_interval_ms = g_value_get_uint (value);
      break;
    case PROP_BATCH_MAX_SIZE:
      self->batch_max_size = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_sequencer_class_init (CwNodeSequencerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = cw_node_sequencer_dispose;
  object_class->finalize = cw_node_sequencer_finalize;
  object_class->get_property = cw_node_sequencer_get_property;
  object_class->set_property = cw_node_sequencer_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, "The node's storage", CW_TYPE_NODE_STORE, flags);
  properties[PROP_ORIGIN] =
    g_param_spec_string ("origin", NULL, "The log's origin", NULL, flags);
  properties[PROP_BATCH_INTERVAL_MS] =
    g_param_spec_uint ("batch-interval-ms", NULL, "Longest wait before a batch is committed",
                       1, 10000, 5, flags);
  properties[PROP_BATCH_MAX_SIZE] =
    g_param_spec_uint ("batch-max-size", NULL, "Most submissions in one batch",
                       1, 1000000, 4096, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_sequencer_init (CwNodeSequencer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_rw_lock_init (&self->tree_lock);
  g_queue_init (&self->queue);
}

CwNodeSequencer *
cw_node_sequencer_new (CwNodeStore   *store,
                       const char    *origin,
                       CwSigningKey  *log_key,
                       guint          batch_interval_ms,
                       guint          batch_max_size,
                       GError       **error)
{
  g_autoptr(CwNodeSequencer) self = NULL;

  g_return_val_if_fail (CW_IS_NODE_STORE (store), NULL);
  g_return_val_if_fail (origin != NULL, NULL);
  g_return_val_if_fail (log_key != NULL, NULL);

  self = g_object_new (CW_TYPE_NODE_SEQUENCER,
                       "store", store,
                       "origin", origin,
                       "batch-interval-ms", batch_interval_ms,
                       "batch-max-size", batch_max_size,
                       NULL);
  self->log_key = cw_signing_key_ref (log_key);

  self->writer = cw_node_store_open_another (store, error);
  if (self->writer == NULL)
    return NULL;
  self->reader = cw_node_store_open_another (store, error);
  if (self->reader == NULL)
    return NULL;
  self->rules = cw_node_rules_new (self->writer);

  if (!cw_node_sequencer_load_log (self, error))
    return NULL;

  return g_steal_pointer (&self);
}
