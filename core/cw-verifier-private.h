/* cw-verifier-private.h: what the CwVerifier files share: the object,
 * checkpoints, receipts and the envelope cache (cw-verifier.c); the
 * patient's chain and grants against local history (cw-verifier-chain.c);
 * the listings' proofs and provider-signed items (cw-verifier-items.c).
 * Not for callers. */
#pragma once

#include "cw-verifier.h"

G_BEGIN_DECLS

struct _CwVerifier
{
  GObject parent_instance;

  CwVerifierKey *log_key;
  GPtrArray *witnesses;  /* CwVerifierKey */
  guint quorum;
  /* Envelope JSON -> parsed envelope and payload: a listing's items are
   * parsed once per sync, whichever check or caller needs them first. */
  GHashTable *parsed;
  /* Envelope JSON -> CwStoreTx of ours (borrowed from @local_txs), under
   * @parsed_lock: cw_verifier_set_local_transactions(). */
  GHashTable *local_by_envelope;
  GPtrArray *local_txs;
  GMutex parsed_lock;
  /* Pool threads that help the calling thread with per-item checks. */
  GThreadPool *helpers;
};

/* What a failed check reports, as borrowed pointers: the evidence JSON is
 * only built when a check fails, never for the items that pass. */
typedef struct {
  const char *checkpoint;
  const char *previous_checkpoint;
  const char *receipt;
  const char *envelope;
  const char *local_envelope;
  const char *tx_id;
  GPtrArray  *proof;
  const guint8 *proof_hashes;  /* a list item's proof, instead of @proof */
  guint       n_proof_hashes;
  gboolean    has_index;
  guint64     index;
} CwEvidence;

static inline void
cw_evidence_set_index (CwEvidence *evidence,
                       guint64     index)
{
  evidence->has_index = TRUE;
  evidence->index = index;
}

/* Sets @error and @evidence_out (when not %NULL) from @evidence; always
 * FALSE. With both %NULL it only answers FALSE, at no cost. */
gboolean   cw_verifier_fail               (const CwEvidence  *evidence,
                                           GBytes           **evidence_out,
                                           GError           **error,
                                           CwVerifierError    code,
                                           const char        *format,
                                           ...) G_GNUC_PRINTF (5, 6);

/* Parses an envelope and its payload, without the cache. */
CwTx      *cw_verifier_parse_envelope     (const char        *envelope,
                                           CwDsseEnvelope   **out_envelope,
                                           GBytes           **out_payload,
                                           GError           **error);

/* One item's check: TRUE if item @i passes. Called from several threads
 * at once for different @i. */
typedef gboolean (*CwVerifierItemCheck) (gpointer data,
                                         guint    i);

/* Runs @check over items 0 … @n_items - 1 on every core and returns the
 * lowest index that failed, or @n_items if all passed. Items after a
 * known failure may be skipped. */
guint      cw_verifier_check_all          (CwVerifier         *self,
                                           guint               n_items,
                                           CwVerifierItemCheck check,
                                           gpointer            data);

/* If @envelope is byte for byte one of our stored transactions, its ID
 * into @id_out. */
gboolean   cw_verifier_lookup_local       (CwVerifier         *self,
                                           const char         *envelope,
                                           guint8              id_out[CW_TX_ID_SIZE]);

/* cw_dsse_envelope_verify() of @envelope, the cached parse of @text, once
 * per verifier and key: a signature that verified is not checked again
 * with the same public key. */
gboolean   cw_verifier_verify_signature   (CwVerifier         *self,
                                           const char         *text,
                                           CwDsseEnvelope     *envelope,
                                           CwVerifierKey      *key,
                                           GError            **error);

/* Local transactions by ID (CwStoreTx, not rejected). */
GHashTable *cw_verifier_index_local       (GPtrArray         *local_txs);
/* Grant ID -> log index (boxed gint64) of the confirmed local revoke that
 * names it; with @any, revokes not confirmed yet too (index G_MAXINT64). */
GHashTable *cw_verifier_index_revokes     (GPtrArray         *local_txs,
                                           gboolean           any);
/* Whether @revokes has @grant_id revoked before log index @before_index. */
gboolean    cw_verifier_revoked_before    (GHashTable        *revokes,
                                           const char        *grant_id,
                                           guint64            before_index);

G_END_DECLS
