/* cw-node-submission.h: one POST /v1/tx on its way through the sequencer:
 * the envelope as received, its parsed transaction, which keys its
 * signatures were verified with, and finally its receipt or refusal. */
#pragma once

#include <gio/gio.h>

#include "cw-dsse.h"
#include "cw-node-records.h"
#include "cw-node-store.h"
#include "cw-tx.h"

G_BEGIN_DECLS

#define CW_NODE_SUBMISSION_MAX_VERIFIED 2

typedef struct
{
  /* Set by cw_node_submission_new(). */
  GBytes          *body;
  gint64           received;                    /* Unix seconds */

  /* Set by cw_node_submission_prepare(), off the sequencer thread. */
  CwDsseEnvelope  *envelope;
  CwTx            *tx;
  guint8           id[CW_TX_ID_SIZE];
  guint            n_verified;
  guint8           verified[CW_NODE_SUBMISSION_MAX_VERIFIED][CW_PUBLIC_KEY_SIZE];

  /* The result, set by the sequencer: either @error, or the receipt. */
  GError          *error;
  gboolean         has_head;                    /* with a chain conflict */
  guint64          head_seq;
  guint8           head_id[CW_TX_ID_SIZE];
  gboolean         duplicate;                   /* logged before */
  guint64          index;
  CwNodeOutcome    outcome;
  char            *proof;                       /* c2sp.org/tlog-proof@v1 */
} CwNodeSubmission;

CwNodeSubmission *cw_node_submission_new          (GBytes           *body);
CwNodeSubmission *cw_node_submission_ref          (CwNodeSubmission *self);
void              cw_node_submission_unref        (CwNodeSubmission *self);

/* Parses the envelope and payload strictly and verifies the signatures
 * with the keys @reader says the payload's signer has now. A failure to
 * parse is kept in @self->error. Which key must have signed is decided
 * later, in order, by the rules (cw_node_submission_check_signer()). */
void              cw_node_submission_prepare      (CwNodeSubmission *self,
                                                   CwNodeStore      *reader);

/* Whether @public_key signed the envelope: from what prepare() verified,
 * or verified now if the key was not known then. */
gboolean          cw_node_submission_check_signer (CwNodeSubmission *self,
                                                   const guint8      public_key[CW_PUBLIC_KEY_SIZE]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeSubmission, cw_node_submission_unref)

G_END_DECLS
