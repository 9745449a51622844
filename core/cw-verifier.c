/* cw-verifier.c: the wallet's checks on checkpoints, receipts and the
 * node's listings (DESIGN.md "Trust model"; RFC 9162 proofs via cw-merkle,
 * c2sp.org/tlog-checkpoint and tlog-cosignature via cw-checkpoint,
 * c2sp.org/tlog-proof via cw-tlog-proof, DSSE via cw-dsse). */
#include "config.h"

#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-tlog-proof.h"
#include "cw-tx.h"
#include "cw-verifier.h"

struct _CwVerifier
{
  GObject parent_instance;

  CwVerifierKey *log_key;
  GPtrArray *witnesses;  /* CwVerifierKey */
  guint quorum;
  /* Envelope JSON -> Parsed: a listing's items are parsed once per sync,
   * whichever check or caller needs them first. */
  GHashTable *parsed;
  GMutex parsed_lock;
};

typedef struct {
  CwDsseEnvelope *envelope;
  CwTx *tx;
} Parsed;

static void
parsed_free (Parsed *parsed)
{
  g_clear_pointer (&parsed->envelope, cw_dsse_envelope_unref);
  g_clear_pointer (&parsed->tx, cw_tx_unref);
  g_free (parsed);
}

G_DEFINE_FINAL_TYPE (CwVerifier, cw_verifier, G_TYPE_OBJECT)

G_DEFINE_QUARK (cw-verifier-error-quark, cw_verifier_error)

static const char * const alert_kinds[] = {
  "bad-checkpoint", "missing-quorum", "stale-checkpoint", "forked-checkpoint", "bad-receipt",
  "bad-inclusion-proof", "dropped-transaction", "extra-transaction", "reordered-chain",
  "altered-transaction", "forged-grant", "hidden-revoke", "bad-provider-signature",
  "unknown-provider", "access-without-grant", "malformed-item", "hidden-grant",
};

const char *
cw_verifier_error_to_alert_kind (const GError *error)
{
  if (error == NULL || error->domain != CW_VERIFIER_ERROR || error->code < 0 ||
      (gsize) error->code >= G_N_ELEMENTS (alert_kinds))
    return "verification-failed";

  return alert_kinds[error->code];
}

/* Evidence under construction; every setter ignores NULL. */
typedef struct {
  JsonObject *object;
} Evidence;

static Evidence
evidence_new (void)
{
  return (Evidence) { json_object_new () };
}

static void
evidence_set (Evidence   *evidence,
              const char *name,
              const char *value)
{
  if (value != NULL)
    json_object_set_string_member (evidence->object, name, value);
}

static void
evidence_set_proof (Evidence  *evidence,
                    GPtrArray *proof)
{
  if (proof != NULL)
    json_object_set_member (evidence->object, "proof", cw_node_proof_to_json (proof));
}

static void
evidence_set_index (Evidence *evidence,
                    guint64   index)
{
  json_object_set_int_member (evidence->object, "index", (gint64) index);
}

/* Sets @error and @out from the collected evidence; always FALSE. */
static gboolean
fail (Evidence         *evidence,
      GBytes          **out,
      GError          **error,
      CwVerifierError   code,
      const char       *format,
      ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail (Evidence         *evidence,
      GBytes          **out,
      GError          **error,
      CwVerifierError   code,
      const char       *format,
      ...)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = NULL;
  va_list ap;

  va_start (ap, format);
  local = g_error_new_valist (CW_VERIFIER_ERROR, code, format, ap);
  va_end (ap);

  json_object_set_string_member (evidence->object, "kind", cw_verifier_error_to_alert_kind (local));
  json_object_set_string_member (evidence->object, "message", local->message);
  root = json_node_init_object (json_node_alloc (), evidence->object);
  if (out != NULL)
    {
      gsize len = 0;
      char *text = json_to_string (root, FALSE);

      len = strlen (text);
      *out = g_bytes_new_take (text, len);
    }
  g_clear_pointer (&evidence->object, json_object_unref);

  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static void
evidence_clear (Evidence *evidence)
{
  g_clear_pointer (&evidence->object, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Evidence, evidence_clear)

static void
cw_verifier_finalize (GObject *object)
{
  CwVerifier *self = CW_VERIFIER (object);

  g_clear_pointer (&self->log_key, cw_verifier_key_unref);
  g_clear_pointer (&self->witnesses, g_ptr_array_unref);
  g_clear_pointer (&self->parsed, g_hash_table_unref);
  g_mutex_clear (&self->parsed_lock);

  G_OBJECT_CLASS (cw_verifier_parent_class)->finalize (object);
}

static void
cw_verifier_class_init (CwVerifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_verifier_finalize;
}

static void
cw_verifier_init (CwVerifier *self)
{
  self->witnesses = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_verifier_key_unref);
  self->parsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) parsed_free);
  g_mutex_init (&self->parsed_lock);
}

CwVerifier *
cw_verifier_new (const CwNodeProfile  *profile,
                 GError              **error)
{
  g_autoptr(CwVerifier) self = g_object_new (CW_TYPE_VERIFIER, NULL);

  g_return_val_if_fail (profile != NULL, NULL);

  self->log_key = cw_verifier_key_new_from_string (profile->log_key, error);
  if (self->log_key == NULL)
    return NULL;
  for (guint i = 0; profile->witness_keys != NULL && profile->witness_keys[i] != NULL; i++)
    {
      CwVerifierKey *key = cw_verifier_key_new_from_string (profile->witness_keys[i], error);

      if (key == NULL)
        return NULL;
      g_ptr_array_add (self->witnesses, key);
    }
  self->quorum = profile->quorum;

  return g_steal_pointer (&self);
}

CwSignedCheckpoint *
cw_verifier_open_checkpoint (CwVerifier  *self,
                             const char  *note,
                             GBytes     **evidence_out,
                             GError     **error)
{
  g_auto(Evidence) evidence = evidence_new ();
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GError) cause = NULL;

  g_return_val_if_fail (CW_IS_VERIFIER (self), NULL);

  evidence_set (&evidence, "checkpoint", note);
  checkpoint = cw_signed_checkpoint_open (note, strlen (note), self->log_key,
                                          (CwVerifierKey **) self->witnesses->pdata,
                                          self->witnesses->len, &cause);
  if (checkpoint == NULL)
    {
      fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_CHECKPOINT,
            "The node sent a checkpoint that is not signed by its log key: %s", cause->message);
      return NULL;
    }

  if (!cw_signed_checkpoint_check_quorum (checkpoint, self->quorum, &cause))
    {
      fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_NO_QUORUM,
            "The node's checkpoint lacks the witness cosignatures your wallet requires "
            "(%u of %u): %s", cw_signed_checkpoint_get_n_cosigners (checkpoint), self->quorum,
            cause->message);
      return NULL;
    }

  return g_steal_pointer (&checkpoint);
}

CwStoreCheckpoint *
cw_verifier_checkpoint_to_store (CwSignedCheckpoint *checkpoint,
                                 const char         *note)
{
  CwCheckpoint *body = cw_signed_checkpoint_get_checkpoint (checkpoint);
  CwStoreCheckpoint *stored = g_new0 (CwStoreCheckpoint, 1);

  stored->size = cw_checkpoint_get_size (body);
  memcpy (stored->root, cw_checkpoint_get_root_hash (body), CW_CHECKPOINT_HASH_SIZE);
  stored->note = g_strdup (note);

  return stored;
}

gboolean
cw_verifier_check_consistency (CwVerifier               *self,
                               const CwStoreCheckpoint  *older,
                               const CwStoreCheckpoint  *newer,
                               GPtrArray                *proof,
                               GBytes                  **evidence_out,
                               GError                  **error)
{
  g_auto(Evidence) evidence = evidence_new ();
  g_autoptr(GError) cause = NULL;

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  evidence_set (&evidence, "previous_checkpoint", older->note);
  evidence_set (&evidence, "checkpoint", newer->note);
  evidence_set_proof (&evidence, proof);

  if (newer->size < older->size)
    return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_STALE_CHECKPOINT,
                 "The node sent a checkpoint of size %" G_GUINT64_FORMAT ", older than the "
                 "size %" G_GUINT64_FORMAT " your wallet already verified: it may be hiding "
                 "recent transactions.", newer->size, older->size);

  if (newer->size == older->size)
    {
      if (memcmp (newer->root, older->root, CW_MERKLE_HASH_SIZE) != 0)
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_FORKED_CHECKPOINT,
                     "The node signed two different logs of size %" G_GUINT64_FORMAT ": its "
                     "history was rewritten.", newer->size);
      return TRUE;
    }

  if (older->size == 0)
    return TRUE;

  if (proof == NULL ||
      !cw_merkle_verify_consistency (older->size, newer->size, older->root, newer->root, proof,
                                     &cause))
    return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_FORKED_CHECKPOINT,
                 "The node's log of size %" G_GUINT64_FORMAT " does not extend the one of "
                 "size %" G_GUINT64_FORMAT " your wallet verified: its history was rewritten (%s).",
                 newer->size, older->size, cause != NULL ? cause->message : "no proof");

  return TRUE;
}

CwSignedCheckpoint *
cw_verifier_verify_receipt (CwVerifier    *self,
                            const char    *receipt,
                            const guint8  *tx_id,
                            guint64        expected_index,
                            char         **out_note,
                            GBytes       **evidence_out,
                            GError       **error)
{
  g_auto(Evidence) evidence = evidence_new ();
  g_autoptr(CwTlogProof) bundle = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GError) cause = NULL;
  g_autofree char *id_b64 = cw_base64_encode (tx_id, CW_TX_ID_SIZE);
  guint8 leaf[CW_MERKLE_HASH_SIZE];
  CwCheckpoint *body;

  g_return_val_if_fail (CW_IS_VERIFIER (self), NULL);

  evidence_set (&evidence, "receipt", receipt);
  evidence_set (&evidence, "tx_id", id_b64);

  bundle = cw_tlog_proof_parse (receipt, -1, &cause);
  if (bundle == NULL)
    {
      fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_RECEIPT,
            "The node's receipt is not a valid proof bundle: %s", cause->message);
      return NULL;
    }
  evidence_set (&evidence, "checkpoint", bundle->checkpoint);
  evidence_set_index (&evidence, bundle->index);

  if (bundle->index != expected_index)
    {
      fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_RECEIPT,
            "The node's receipt names log entry %" G_GUINT64_FORMAT " but its answer said %"
            G_GUINT64_FORMAT ".", bundle->index, expected_index);
      return NULL;
    }

  checkpoint = cw_verifier_open_checkpoint (self, bundle->checkpoint, NULL, &cause);
  if (checkpoint == NULL)
    {
      fail (&evidence, evidence_out, error, cause->code, "%s", cause->message);
      return NULL;
    }

  body = cw_signed_checkpoint_get_checkpoint (checkpoint);
  cw_merkle_hash_leaf (tx_id, CW_TX_ID_SIZE, leaf);
  if (!cw_merkle_verify_inclusion (bundle->index, cw_checkpoint_get_size (body), leaf,
                                   cw_checkpoint_get_root_hash (body), bundle->proof, &cause))
    {
      fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_INCLUSION,
            "The node's receipt does not prove that your transaction is in its log: %s",
            cause->message);
      return NULL;
    }

  if (out_note != NULL)
    *out_note = g_strdup (bundle->checkpoint);
  return g_steal_pointer (&checkpoint);
}

/* Parses an envelope and its payload; the ID is SHA-256 of the payload. */
static CwTx *
open_envelope (const char      *envelope,
               CwDsseEnvelope **out_envelope,
               GBytes         **out_payload,
               GError         **error)
{
  g_autoptr(CwDsseEnvelope) parsed = cw_dsse_envelope_parse (envelope, strlen (envelope), error);
  g_autoptr(GBytes) payload = NULL;
  CwTx *tx;

  if (parsed == NULL)
    return NULL;
  payload = cw_dsse_envelope_get_payload (parsed);
  tx = cw_tx_parse_payload_bytes (payload, error);
  if (tx == NULL)
    return NULL;

  if (out_envelope != NULL)
    *out_envelope = g_steal_pointer (&parsed);
  if (out_payload != NULL)
    *out_payload = g_steal_pointer (&payload);
  return tx;
}

CwTx *
cw_verifier_open_envelope (CwVerifier      *self,
                           const char      *envelope,
                           CwDsseEnvelope **out_envelope,
                           GError         **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Parsed *parsed;

  g_return_val_if_fail (CW_IS_VERIFIER (self), NULL);

  locker = g_mutex_locker_new (&self->parsed_lock);
  parsed = g_hash_table_lookup (self->parsed, envelope);
  if (parsed == NULL)
    {
      g_autoptr(CwDsseEnvelope) opened = NULL;
      g_autoptr(CwTx) tx = open_envelope (envelope, &opened, NULL, error);

      if (tx == NULL)
        return NULL;
      parsed = g_new0 (Parsed, 1);
      parsed->envelope = g_steal_pointer (&opened);
      parsed->tx = g_steal_pointer (&tx);
      g_hash_table_insert (self->parsed, g_strdup (envelope), parsed);
    }

  if (out_envelope != NULL)
    *out_envelope = cw_dsse_envelope_ref (parsed->envelope);
  return cw_tx_ref (parsed->tx);
}

gboolean
cw_verifier_verify_listing_proofs (CwVerifier          *self,
                                   CwNodeListing       *listing,
                                   CwSignedCheckpoint  *checkpoint,
                                   GBytes             **evidence_out,
                                   GError             **error)
{
  CwCheckpoint *body = cw_signed_checkpoint_get_checkpoint (checkpoint);

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      g_auto(Evidence) evidence = evidence_new ();
      g_autoptr(GError) cause = NULL;
      g_autoptr(CwTx) tx = NULL;
      g_autofree char *id = NULL;
      guint8 raw_id[CW_TX_ID_SIZE];
      guint8 leaf[CW_MERKLE_HASH_SIZE];

      evidence_set (&evidence, "checkpoint", listing->checkpoint);
      evidence_set (&evidence, "envelope", item->envelope);
      evidence_set (&evidence, "tx_id", item->id);
      evidence_set_proof (&evidence, item->proof);
      evidence_set_index (&evidence, item->index);

      tx = cw_verifier_open_envelope (self, item->envelope, NULL, &cause);
      if (tx == NULL)
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
                     "The node listed a transaction that is not valid: %s", cause->message);
      id = cw_tx_dup_id_base64 (tx);
      if (!g_str_equal (id, item->id))
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
                     "The node listed transaction %s under another ID, %s.", id, item->id);

      cw_tx_compute_id (tx, raw_id);
      cw_merkle_hash_leaf (raw_id, sizeof raw_id, leaf);
      if (!cw_merkle_verify_inclusion (item->index, cw_checkpoint_get_size (body), leaf,
                                       cw_checkpoint_get_root_hash (body), item->proof, &cause))
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_INCLUSION,
                     "The node listed transaction %s without a valid proof that it is in its "
                     "log: %s", item->id, cause->message);
    }

  return TRUE;
}

/* Local transactions by ID, skipping rejected ones. */
static GHashTable *
index_local (GPtrArray *local_txs)
{
  GHashTable *by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; local_txs != NULL && i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);

      if (tx->state != CW_STORE_TX_REJECTED)
        g_hash_table_insert (by_id, tx->id, tx);
    }

  return by_id;
}

static gboolean
same_payload (const char *envelope_a,
              const char *envelope_b)
{
  g_autoptr(CwTx) a = NULL;
  g_autoptr(CwTx) b = NULL;
  g_autoptr(GBytes) pa = NULL;
  g_autoptr(GBytes) pb = NULL;

  /* The node usually hands back the very bytes we sent. */
  if (g_str_equal (envelope_a, envelope_b))
    return TRUE;

  a = open_envelope (envelope_a, NULL, NULL, NULL);
  b = open_envelope (envelope_b, NULL, NULL, NULL);
  if (a == NULL || b == NULL)
    return FALSE;
  pa = cw_tx_to_payload (a);
  pb = cw_tx_to_payload (b);
  return g_bytes_equal (pa, pb);
}

gboolean
cw_verifier_verify_chain (CwVerifier     *self,
                          CwNodeListing  *listing,
                          guint64         from,
                          GPtrArray      *local_txs,
                          GBytes        **evidence_out,
                          GError        **error)
{
  g_autoptr(GHashTable) by_seq = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint64 expected = from;

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; local_txs != NULL && i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);

      if (tx->state != CW_STORE_TX_REJECTED)
        g_hash_table_insert (by_seq, &tx->seq, tx);
    }

  for (guint i = 0; i < listing->items->len; i++, expected++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      CwStoreTx *local = g_hash_table_lookup (by_seq, &item->seq);
      g_auto(Evidence) evidence = evidence_new ();

      evidence_set (&evidence, "checkpoint", listing->checkpoint);
      evidence_set (&evidence, "envelope", item->envelope);
      evidence_set (&evidence, "tx_id", item->id);
      evidence_set_index (&evidence, item->index);

      if (item->seq != expected)
        {
          CwStoreTx *missing = g_hash_table_lookup (by_seq, &expected);

          gboolean later = FALSE;

          for (guint j = i + 1; j < listing->items->len; j++)
            later |= ((CwNodeListItem *) g_ptr_array_index (listing->items, j))->seq == expected;

          if (item->seq > expected && missing != NULL && !later)
            {
              evidence_set (&evidence, "local_envelope", missing->envelope);
              return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_MISSING,
                           "The node's copy of your history lacks your transaction number %"
                           G_GUINT64_FORMAT ": it was dropped or hidden.", expected);
            }
          return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_REORDERED,
                       "The node lists your transactions out of order (number %" G_GUINT64_FORMAT
                       " where %" G_GUINT64_FORMAT " belongs).", item->seq, expected);
        }

      if (local == NULL)
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_EXTRA,
                     "The node lists a transaction number %" G_GUINT64_FORMAT " in your "
                     "name that this wallet never signed.", item->seq);

      evidence_set (&evidence, "local_envelope", local->envelope);
      if (!g_str_equal (local->id, item->id) || !same_payload (local->envelope, item->envelope))
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_ALTERED,
                     "The node's transaction number %" G_GUINT64_FORMAT " differs from the one "
                     "you signed.", item->seq);
    }

  /* Everything confirmed locally must be there; queued or sent ones may
   * not have arrived yet. */
  for (guint i = 0; local_txs != NULL && i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);
      g_auto(Evidence) evidence = evidence_new ();

      if (tx->state != CW_STORE_TX_CONFIRMED || tx->seq < expected || tx->seq < from)
        continue;
      evidence_set (&evidence, "checkpoint", listing->checkpoint);
      evidence_set (&evidence, "local_envelope", tx->envelope);
      evidence_set (&evidence, "receipt", tx->receipt);
      evidence_set (&evidence, "tx_id", tx->id);
      if (tx->type == CW_TX_TYPE_REVOKE)
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_REVOKED_GRANT,
                     "The node's copy of your history lacks your revocation (number %"
                     G_GUINT64_FORMAT "), which it had confirmed: it is hiding it, and the "
                     "grant may still be honoured.", tx->seq);
      return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_MISSING,
                   "The node's copy of your history lacks your transaction number %"
                   G_GUINT64_FORMAT ", which it had confirmed: it was dropped or hidden.",
                   tx->seq);
    }

  if (listing->has_head && listing->items->len > 0)
    {
      CwNodeListItem *last = g_ptr_array_index (listing->items, listing->items->len - 1);

      if (listing->head_seq != last->seq || g_strcmp0 (listing->head_id, last->id) != 0)
        {
          g_auto(Evidence) evidence = evidence_new ();

          evidence_set (&evidence, "checkpoint", listing->checkpoint);
          evidence_set (&evidence, "tx_id", listing->head_id);
          return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_REORDERED,
                       "The node names a chain head (number %" G_GUINT64_FORMAT ") that is not "
                       "the last transaction it lists.", listing->head_seq);
        }
    }

  return TRUE;
}

/* Grant ID -> log index (boxed gint64) of the confirmed local revoke that
 * names it; with @any, revokes not confirmed yet too (index G_MAXINT64). */
static GHashTable *
index_revokes (GPtrArray *local_txs,
               gboolean   any)
{
  GHashTable *revokes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; local_txs != NULL && i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);
      g_autoptr(CwTx) parsed = NULL;
      gint64 *index;

      if (tx->type != CW_TX_TYPE_REVOKE || tx->state == CW_STORE_TX_REJECTED ||
          (!any && tx->state != CW_STORE_TX_CONFIRMED))
        continue;
      parsed = open_envelope (tx->envelope, NULL, NULL, NULL);
      if (parsed == NULL)
        continue;
      index = g_new (gint64, 1);
      *index = tx->state == CW_STORE_TX_CONFIRMED ? tx->log_index : G_MAXINT64;
      g_hash_table_insert (revokes, cw_base64_encode (cw_tx_get_grant (parsed), CW_TX_ID_SIZE),
                           index);
    }

  return revokes;
}

/* Whether @revokes has @grant_id revoked before log index @before_index. */
static gboolean
revoked_before (GHashTable *revokes,
                const char *grant_id,
                guint64     before_index)
{
  gint64 *index = g_hash_table_lookup (revokes, grant_id);

  return index != NULL && *index >= 0 && (guint64) *index < before_index;
}

gboolean
cw_verifier_verify_grants (CwVerifier     *self,
                           CwNodeListing  *listing,
                           GPtrArray      *local_txs,
                           GBytes        **evidence_out,
                           GError        **error)
{
  g_autoptr(GHashTable) by_id = index_local (local_txs);
  g_autoptr(GHashTable) revokes = index_revokes (local_txs, FALSE);

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      CwStoreTx *local = g_hash_table_lookup (by_id, item->id);
      g_auto(Evidence) evidence = evidence_new ();

      evidence_set (&evidence, "checkpoint", listing->checkpoint);
      evidence_set (&evidence, "envelope", item->envelope);
      evidence_set (&evidence, "tx_id", item->id);
      evidence_set_index (&evidence, item->index);

      if (local == NULL || local->type != CW_TX_TYPE_GRANT ||
          !same_payload (local->envelope, item->envelope))
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_FORGED_GRANT,
                     "The node lists a grant %s that you never signed.", item->id);

      if (revoked_before (revokes, item->id, G_MAXUINT64))
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_REVOKED_GRANT,
                     "The node lists as active a grant you revoked (%s): it is hiding your "
                     "revocation.", item->id);
    }

  return TRUE;
}

gboolean
cw_verifier_verify_no_hidden_grants (CwVerifier     *self,
                                     CwNodeListing  *listing,
                                     guint64         size,
                                     GPtrArray      *local_txs,
                                     gint64          active_until,
                                     GBytes        **evidence_out,
                                     GError        **error)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) revokes = index_revokes (local_txs, TRUE);

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; i < listing->items->len; i++)
    g_hash_table_add (listed, ((CwNodeListItem *) g_ptr_array_index (listing->items, i))->id);

  for (guint i = 0; local_txs != NULL && i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);
      g_autoptr(CwTx) grant = NULL;
      g_auto(Evidence) evidence = evidence_new ();

      if (tx->type != CW_TX_TYPE_GRANT || tx->state != CW_STORE_TX_CONFIRMED ||
          tx->log_index < 0 || (guint64) tx->log_index >= size ||
          g_hash_table_contains (listed, tx->id) || g_hash_table_contains (revokes, tx->id))
        continue;
      grant = open_envelope (tx->envelope, NULL, NULL, NULL);
      if (grant == NULL || g_date_time_to_unix (cw_tx_get_expires (grant)) <= active_until)
        continue;

      evidence_set (&evidence, "checkpoint", listing->checkpoint);
      evidence_set (&evidence, "local_envelope", tx->envelope);
      evidence_set (&evidence, "receipt", tx->receipt);
      evidence_set (&evidence, "tx_id", tx->id);
      evidence_set_index (&evidence, (guint64) tx->log_index);
      return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_HIDDEN_GRANT,
                   "The node does not list your active grant to “%s” (%s): it is hiding who "
                   "may read your records.", cw_tx_get_provider (grant), tx->id);
    }

  return TRUE;
}

/* Checks a provider-signed item: type, patient and signature. */
static CwTx *
open_provider_item (CwVerifier      *self,
                    CwNodeListItem  *item,
                    CwTxType         type,
                    const char      *patient_id,
                    GHashTable      *provider_keys,
                    Evidence        *evidence,
                    GBytes         **evidence_out,
                    GError         **error)
{
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autofree char *patient = NULL;
  CwVerifierKey *key;

  tx = cw_verifier_open_envelope (self, item->envelope, &envelope, &cause);
  if (tx == NULL || cw_tx_get_tx_type (tx) != type)
    {
      fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
            "The node listed a %s that is not one: %s", cw_tx_type_to_string (type),
            cause != NULL ? cause->message : "another type");
      return NULL;
    }

  patient = cw_tx_dup_patient_id (tx);
  if (!g_str_equal (patient, patient_id))
    {
      fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
            "The node listed a %s about another patient.", cw_tx_type_to_string (type));
      return NULL;
    }

  key = g_hash_table_lookup (provider_keys, cw_tx_get_provider (tx));
  if (key == NULL)
    {
      fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_UNKNOWN_PROVIDER,
            "The node listed a %s by provider “%s”, whose key is not in the directory.",
            cw_tx_type_to_string (type), cw_tx_get_provider (tx));
      return NULL;
    }

  if (!cw_dsse_envelope_verify (envelope, key, &cause))
    {
      fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_PROVIDER_SIGNATURE,
            "The node listed a %s that provider “%s” did not sign: %s",
            cw_tx_type_to_string (type), cw_tx_get_provider (tx), cause->message);
      return NULL;
    }

  return g_steal_pointer (&tx);
}

gboolean
cw_verifier_verify_requests (CwVerifier     *self,
                             CwNodeListing  *listing,
                             const char     *patient_id,
                             GHashTable     *provider_keys,
                             GBytes        **evidence_out,
                             GError        **error)
{
  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      g_auto(Evidence) evidence = evidence_new ();
      g_autoptr(CwTx) tx = NULL;

      evidence_set (&evidence, "checkpoint", listing->checkpoint);
      evidence_set (&evidence, "envelope", item->envelope);
      evidence_set (&evidence, "tx_id", item->id);
      tx = open_provider_item (self, item, CW_TX_TYPE_REQUEST, patient_id, provider_keys, &evidence,
                               evidence_out, error);
      if (tx == NULL)
        return FALSE;
    }

  return TRUE;
}

gboolean
cw_verifier_verify_access (CwVerifier     *self,
                           CwNodeListing  *listing,
                           const char     *patient_id,
                           GPtrArray      *local_txs,
                           GHashTable     *provider_keys,
                           GBytes        **evidence_out,
                           GError        **error)
{
  g_autoptr(GHashTable) by_id = index_local (local_txs);
  g_autoptr(GHashTable) revokes = index_revokes (local_txs, FALSE);
  /* Grant ID -> parsed grant, each local grant parsed once. */
  g_autoptr(GHashTable) grants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) cw_tx_unref);

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      g_auto(Evidence) evidence = evidence_new ();
      g_autoptr(CwTx) tx = NULL;
      CwTx *grant = NULL;
      g_autofree char *grant_id = NULL;
      CwStoreTx *local;

      evidence_set (&evidence, "checkpoint", listing->checkpoint);
      evidence_set (&evidence, "envelope", item->envelope);
      evidence_set (&evidence, "tx_id", item->id);
      evidence_set_index (&evidence, item->index);
      tx = open_provider_item (self, item, CW_TX_TYPE_ACCESS, patient_id, provider_keys, &evidence,
                               evidence_out, error);
      if (tx == NULL)
        return FALSE;

      if (!g_str_equal (item->outcome, "allowed"))
        continue;

      /* Allowed: the node says our grant covered it; check that it did. */
      grant_id = cw_base64_encode (cw_tx_get_grant (tx), CW_TX_ID_SIZE);
      local = g_hash_table_lookup (by_id, grant_id);
      if (local != NULL && local->type == CW_TX_TYPE_GRANT)
        {
          evidence_set (&evidence, "local_envelope", local->envelope);
          grant = g_hash_table_lookup (grants, grant_id);
          if (grant == NULL && (grant = open_envelope (local->envelope, NULL, NULL, NULL)) != NULL)
            g_hash_table_insert (grants, g_strdup (grant_id), grant);
        }
      if (grant == NULL)
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                     "Provider “%s” was allowed access citing a grant you never signed.",
                     cw_tx_get_provider (tx));
      if (g_strcmp0 (cw_tx_get_provider (grant), cw_tx_get_provider (tx)) != 0 ||
          (cw_tx_get_scopes (tx) & ~cw_tx_get_scopes (grant)) != 0 ||
          cw_tx_get_purpose (tx) != cw_tx_get_purpose (grant))
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                     "Provider “%s” was allowed access beyond what your grant permits.",
                     cw_tx_get_provider (tx));
      if (local->state != CW_STORE_TX_CONFIRMED || local->log_index < 0 ||
          (guint64) local->log_index >= item->index)
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                     "Provider “%s” was allowed access citing a grant that was not logged "
                     "before the access.", cw_tx_get_provider (tx));
      if (g_date_time_compare (cw_tx_get_time (tx), cw_tx_get_expires (grant)) >= 0)
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                     "Provider “%s” was allowed access after the grant had expired.",
                     cw_tx_get_provider (tx));
      if (revoked_before (revokes, grant_id, item->index))
        return fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                     "Provider “%s” was allowed access after you revoked the grant.",
                     cw_tx_get_provider (tx));
    }

  return TRUE;
}

CwVerifierKey *
cw_verifier_provider_key_new (const CwStoreProvider  *provider,
                              GError                **error)
{
  guint8 key[CW_PUBLIC_KEY_SIZE];

  if (!cw_base64_decode_fixed (provider->public_key, -1, key, sizeof key, error))
    return NULL;

  return cw_verifier_key_new (provider->id, CW_KEY_TYPE_ED25519, key, error);
}
