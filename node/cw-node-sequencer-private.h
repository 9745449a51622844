/* cw-node-sequencer-private.h: the sequencer's state, shared by its files
 * (cw-node-sequencer.c: batches; cw-node-sequencer-log.c: the log). */
#pragma once

#include "cw-log-tree.h"
#include "cw-node-rules.h"
#include "cw-node-sequencer.h"

G_BEGIN_DECLS

struct _CwNodeSequencer
{
  GObject parent_instance;

  CwNodeStore *store;
  char *origin;
  CwSigningKey *log_key;
  guint batch_interval_ms;
  guint batch_max_size;

  /* Store handles: the sequencer thread's, and the workers' (reads only). */
  CwNodeStore *writer;
  CwNodeStore *reader;
  CwNodeRules *rules;

  GThreadPool *verify_pool;
  GThread *thread;

  /* @lock guards the queue, the flags and what is published. */
  GMutex lock;
  GCond cond;
  GQueue queue;
  gboolean stopping;
  gboolean flushing;        /* commit without waiting for the batch interval */
  gboolean failed;
  gboolean head_unsigned;   /* sequencer thread only: stored, checkpoint not signed */
  guint64 published_size;
  char *published_checkpoint;
  /* The sequencer thread while it runs the cosign step, and the size being
   * cosigned: only that thread may prove consistency beyond what is
   * published, since the witnesses must see the proofs first. */
  GThread *cosign_thread;
  guint64 cosign_size;

  /* Only the sequencer thread changes these, under the writer lock;
   * readers on other threads take the reader lock. */
  GRWLock tree_lock;
  CwLogTree *tree;
  GByteArray *entries;     /* leaf data: the transaction IDs */

  CwNodeCosignFunc cosign_func;
  gpointer cosign_data;
  GDestroyNotify cosign_destroy;
};

/* Loads the tree and entries from the store, checks them against the
 * stored head and latest checkpoint, signs an unsigned head and publishes
 * the latest checkpoint. */
gboolean cw_node_sequencer_load_log (CwNodeSequencer  *self,
                                     GError          **error);

G_END_DECLS
