/* cw-verifier.h: every check the wallet makes on what the node tells it
 * (DESIGN.md "Trust model"), as pure functions of their inputs: no I/O, no
 * store, no clock. Safe to call from a worker thread.
 *
 * Policy comes from the node profile: the log key, the witness keys and the
 * quorum. Each failing check returns FALSE (or %NULL) with a CW_VERIFIER_ERROR
 * and, when @evidence is not %NULL, an evidence blob: compact JSON
 *   {"kind", "message", "checkpoint", "previous_checkpoint", "proof",
 *    "receipt", "envelope", "local_envelope", "tx_id", "index"}
 * with the members that apply, ready for cw_wallet_store_raise_alert().
 */
#pragma once

#include <glib-object.h>

#include "cw-checkpoint.h"
#include "cw-dsse.h"
#include "cw-tx.h"
#include "cw-node-profile.h"
#include "cw-node-results.h"
#include "cw-wallet-store.h"

G_BEGIN_DECLS

#define CW_VERIFIER_ERROR (cw_verifier_error_quark ())

typedef enum {
  CW_VERIFIER_ERROR_BAD_CHECKPOINT,          /* malformed, or not signed by the log key */
  CW_VERIFIER_ERROR_NO_QUORUM,               /* too few witness cosignatures */
  CW_VERIFIER_ERROR_STALE_CHECKPOINT,        /* smaller than one already verified */
  CW_VERIFIER_ERROR_FORKED_CHECKPOINT,       /* not consistent with one already verified */
  CW_VERIFIER_ERROR_BAD_RECEIPT,             /* unreadable, or for another transaction */
  CW_VERIFIER_ERROR_BAD_INCLUSION,           /* the proof does not include the ID */
  CW_VERIFIER_ERROR_CHAIN_MISSING,           /* a local transaction is not on the node */
  CW_VERIFIER_ERROR_CHAIN_EXTRA,             /* the node has one we never signed */
  CW_VERIFIER_ERROR_CHAIN_REORDERED,         /* out of seq order, or the head disagrees */
  CW_VERIFIER_ERROR_CHAIN_ALTERED,           /* same seq, other content */
  CW_VERIFIER_ERROR_FORGED_GRANT,            /* a listed grant we never signed */
  CW_VERIFIER_ERROR_REVOKED_GRANT,           /* a grant we revoked, listed as active */
  CW_VERIFIER_ERROR_BAD_PROVIDER_SIGNATURE,  /* a request or access event not signed by its provider */
  CW_VERIFIER_ERROR_UNKNOWN_PROVIDER,        /* no key for the provider named */
  CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,    /* "allowed" access not covered by our grant */
  CW_VERIFIER_ERROR_MALFORMED_ITEM,          /* an item that is not what its list holds */
  CW_VERIFIER_ERROR_HIDDEN_GRANT,            /* an active grant of ours the node does not list */
} CwVerifierError;

GQuark              cw_verifier_error_quark        (void);
/* The alert kind stored for a verifier error, e.g. "forked-checkpoint". */
const char         *cw_verifier_error_to_alert_kind (const GError       *error);

#define CW_TYPE_VERIFIER (cw_verifier_get_type ())

G_DECLARE_FINAL_TYPE (CwVerifier, cw_verifier, CW, VERIFIER, GObject)

CwVerifier         *cw_verifier_new                (const CwNodeProfile *profile,
                                                    GError             **error);

/* Opens @note with the log key and checks the witness quorum. */
CwSignedCheckpoint *cw_verifier_open_checkpoint    (CwVerifier          *self,
                                                    const char          *note,
                                                    GBytes             **evidence,
                                                    GError             **error);
/* Size, root and note of an opened checkpoint, as the store keeps them. */
CwStoreCheckpoint  *cw_verifier_checkpoint_to_store (CwSignedCheckpoint *checkpoint,
                                                     const char         *note);

/* Checks that @newer extends @older: a smaller size is stale, the same size
 * needs the same root, a larger one needs @proof (RFC 9162 consistency from
 * older to newer). */
gboolean            cw_verifier_check_consistency  (CwVerifier          *self,
                                                    const CwStoreCheckpoint *older,
                                                    const CwStoreCheckpoint *newer,
                                                    GPtrArray           *proof,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* Verifies a tlog-proof receipt for @tx_id: its checkpoint (log key and
 * quorum) and the inclusion of the ID at the receipt's index, which must be
 * @expected_index. Returns the opened checkpoint; @out_note gets its text. */
CwSignedCheckpoint *cw_verifier_verify_receipt     (CwVerifier          *self,
                                                    const char          *receipt,
                                                    const guint8        *tx_id,
                                                    guint64              expected_index,
                                                    char               **out_note,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* Parses a DSSE envelope (JSON) and its payload, once per verifier: the
 * same text again returns the same parse. @out_envelope may be %NULL. */
CwTx               *cw_verifier_open_envelope      (CwVerifier          *self,
                                                    const char          *envelope,
                                                    CwDsseEnvelope     **out_envelope,
                                                    GError             **error);

/* Our own transactions as the store holds them (CwStoreTx, kept): a listed
 * envelope that is byte for byte one of them is a valid transaction whose
 * ID is the stored one, so cw_verifier_verify_listing_proofs() checks its
 * ID and proof without parsing it again. Replaces an earlier set. */
void                cw_verifier_set_local_transactions (CwVerifier      *self,
                                                    GPtrArray           *local_txs);

/* Every item's ID is the SHA-256 of its envelope's payload and its proof
 * includes the ID at its index in @checkpoint (the listing's own, opened). */
gboolean            cw_verifier_verify_listing_proofs (CwVerifier       *self,
                                                    CwNodeListing       *listing,
                                                    CwSignedCheckpoint  *checkpoint,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* The node's chain from seq @from (all pages merged, the last page's head)
 * equals the local one: @local_txs are CwStoreTx of the whole history; the
 * confirmed ones must all be listed, nothing else may be, in seq order, with
 * the same payload bytes, and the head must be the last listed. */
gboolean            cw_verifier_verify_chain       (CwVerifier          *self,
                                                    CwNodeListing       *listing,
                                                    guint64              from,
                                                    GPtrArray           *local_txs,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* Every listed grant is one of our grant transactions (same payload) that
 * no confirmed local revoke names. */
gboolean            cw_verifier_verify_grants      (CwVerifier          *self,
                                                    CwNodeListing       *listing,
                                                    GPtrArray           *local_txs,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* The other way round: every grant of ours that is confirmed (logged
 * within the tree of @size, the listing's checkpoint), not revoked or being revoked, and that
 * expires after @active_until (Unix time) is listed. A node that hides a
 * grant hides who can read the patient's records. */
gboolean            cw_verifier_verify_no_hidden_grants (CwVerifier     *self,
                                                    CwNodeListing       *listing,
                                                    guint64              size,
                                                    GPtrArray           *local_txs,
                                                    gint64               active_until,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* Verifies ahead the provider signatures of @listing's items whose provider
 * has a key in @provider_keys (provider ID -> CwVerifierKey, only read), so
 * that cw_verifier_verify_requests() and cw_verifier_verify_access() need
 * not verify them again with the same key. Reports nothing: those two
 * still check every item and report what fails. For a pool thread that
 * has a page in hand while the next ones are on their way. */
void                cw_verifier_check_signatures_early (CwVerifier      *self,
                                                    CwNodeListing       *listing,
                                                    GHashTable          *provider_keys);

/* @provider_keys: provider ID -> CwVerifierKey. Every request is a request
 * to @patient_id signed by the provider it names. */
gboolean            cw_verifier_verify_requests    (CwVerifier          *self,
                                                    CwNodeListing       *listing,
                                                    const char          *patient_id,
                                                    GHashTable          *provider_keys,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* Every access event is about @patient_id, signed by its provider, cites a
 * grant, and when "allowed" that grant is ours, to that provider, covers the
 * scopes and purpose, was logged before the event, had not expired at the
 * event's time and was not revoked (confirmed) before the event. */
gboolean            cw_verifier_verify_access      (CwVerifier          *self,
                                                    CwNodeListing       *listing,
                                                    const char          *patient_id,
                                                    GPtrArray           *local_txs,
                                                    GHashTable          *provider_keys,
                                                    GBytes             **evidence,
                                                    GError             **error);

/* A provider's verifier key from its directory entry (base64 public key). */
CwVerifierKey      *cw_verifier_provider_key_new   (const CwStoreProvider *provider,
                                                    GError             **error);

G_END_DECLS
