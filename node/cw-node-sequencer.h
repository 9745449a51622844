/* cw-node-sequencer.h: orders submitted transactions into the log.
 *
 * Submissions are parsed and their signatures verified on a pool of worker
 * threads (one per core); one sequencer thread then takes them in arrival
 * order, in batches (at most batch-max-size, collected for up to
 * batch-interval-ms), applies the rules (cw-node-rules.h), appends the
 * accepted transaction IDs to the Merkle tree, commits tree hashes, tree
 * head, transactions and consent state in one store transaction, signs the
 * checkpoint of the committed head and stores it, runs the optional cosign
 * step, publishes the checkpoint and only then answers every submitter of
 * the batch. The main loop never waits for crypto or the disk.
 *
 * A checkpoint is only ever signed for a committed head and the committed
 * tree only ever grows, so no two checkpoints disagree, whenever the
 * process dies. On start the tree is reloaded from its stored hashes and
 * checked against the stored head and the latest checkpoint; a committed
 * head that was not signed yet is signed then.
 */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"
#include "cw-node-store.h"
#include "cw-node-submission.h"
#include "cw-tiles.h"

G_BEGIN_DECLS

#define CW_NODE_SEQUENCER_ERROR (cw_node_sequencer_error_quark ())

typedef enum {
  CW_NODE_SEQUENCER_ERROR_OUT_OF_RANGE,  /* beyond the published checkpoint */
  CW_NODE_SEQUENCER_ERROR_UNAVAILABLE,   /* stopping, or the queue is full */
  CW_NODE_SEQUENCER_ERROR_INCONSISTENT,  /* stored tree, head and checkpoint disagree */
} CwNodeSequencerError;

#define CW_TYPE_NODE_SEQUENCER (cw_node_sequencer_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeSequencer, cw_node_sequencer, CW, NODE_SEQUENCER, GObject)

/* The witness seam. Called on the sequencer thread after the checkpoint of
 * a batch has been signed and stored, before anyone is answered; it may
 * block (for example to collect cosignatures, which it should also store
 * with cw_node_store_add_cosignature()). It returns the checkpoint to
 * publish and to put in the batch's receipts, normally @checkpoint with
 * cosignature lines appended, or %NULL to keep @checkpoint as it is. */
typedef char *(*CwNodeCosignFunc) (CwNodeSequencer *sequencer,
                                   guint64          size,
                                   const char      *checkpoint,
                                   gpointer         user_data);

GQuark           cw_node_sequencer_error_quark       (void);

/* Loads and checks the log (see above); signs the head if it is unsigned.
 * @store is used to open the handles the threads need. */
CwNodeSequencer *cw_node_sequencer_new               (CwNodeStore        *store,
                                                      const char         *origin,
                                                      CwSigningKey       *log_key,
                                                      guint               batch_interval_ms,
                                                      guint               batch_max_size,
                                                      GError            **error);

/* Set before cw_node_sequencer_start(). */
void             cw_node_sequencer_set_cosign_func   (CwNodeSequencer    *self,
                                                      CwNodeCosignFunc    func,
                                                      gpointer            user_data,
                                                      GDestroyNotify      destroy);

/* Before cw_node_sequencer_start(): a head with fewer than @quorum
 * cosignatures goes to the witnesses now. */
void             cw_node_sequencer_cosign_head       (CwNodeSequencer    *self,
                                                      guint               quorum);
void             cw_node_sequencer_start             (CwNodeSequencer    *self);
/* From now on each batch is committed as soon as its submissions are
 * verified, without waiting for batch-interval-ms: for a shutdown, so that
 * everything queued is answered at once. Submissions are still accepted. */
void             cw_node_sequencer_flush             (CwNodeSequencer    *self);
/* Finishes the batch in progress, answers everything still queued with
 * CW_NODE_SEQUENCER_ERROR_UNAVAILABLE and joins the threads. */
void             cw_node_sequencer_stop              (CwNodeSequencer    *self);

/* Submits one envelope as received. The result is the submission with
 * either its receipt or the reason it was refused in ->error. */
void             cw_node_sequencer_submit_async      (CwNodeSequencer    *self,
                                                      GBytes             *envelope,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
CwNodeSubmission *cw_node_sequencer_submit_finish    (CwNodeSequencer    *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);

/* The published checkpoint with its cosignatures, and its size. */
char            *cw_node_sequencer_dup_checkpoint    (CwNodeSequencer    *self,
                                                      guint64            *out_size);

/* Reads of the published log; these may wait for the sequencer's tree
 * lock briefly, so the server calls them from worker threads. */
GBytes          *cw_node_sequencer_read_tile         (CwNodeSequencer    *self,
                                                      const CwTile       *tile,
                                                      GError            **error);
GPtrArray       *cw_node_sequencer_prove_inclusion   (CwNodeSequencer    *self,
                                                      guint64             index,
                                                      guint64             size,
                                                      GError            **error);
GPtrArray       *cw_node_sequencer_prove_consistency (CwNodeSequencer    *self,
                                                      guint64             old_size,
                                                      guint64             new_size,
                                                      GError            **error);

G_END_DECLS
