/* cw-verifier.c: the wallet's checks on checkpoints, receipts and the
 * node's listings (DESIGN.md "Trust model"; RFC 9162 proofs via cw-merkle,
 * c2sp.org/tlog-checkpoint and tlog-cosignature via cw-checkpoint,
 * c2sp.org/tlog-proof via cw-tlog-proof, DSSE via cw-dsse): the object,
 * evidence, checkpoints, consistency, receipts, the envelope cache and the
 * per-item fan-out over the cores. The listings' checks are in
 * cw-verifier-chain.c and cw-verifier-items.c. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-tlog-proof.h"
#include "cw-verifier-private.h"

typedef struct {
  CwDsseEnvelope *envelope;
  CwTx *tx;
  /* The Ed25519 key whose signature on @envelope verified, if any. */
  gboolean has_signer;
  guint8 signer[CW_PUBLIC_KEY_SIZE];
} Parsed;

static void
parsed_free (Parsed *parsed)
{
  g_clear_pointer (&parsed->envelope, cw_dsse_envelope_unref);
  g_clear_pointer (&parsed->tx, cw_tx_unref);
  g_free (parsed);
}

G_DEFINE_FINAL_TYPE (CwVerifier, cw_verifier, G_TYPE_OBJECT)

/* The parse cache's hash: an envelope ends with its signatures, 64 random
 * bytes in base64, so its length and last 96 characters tell envelopes
 * apart as well as the whole ~700 did, at a seventh of the cost. Equality
 * still compares the whole text. */
static guint
envelope_hash (gconstpointer key)
{
  const char *text = key;
  gsize len = strlen (text);

  return g_str_hash (text + (len > 96 ? len - 96 : 0)) ^ (guint) len;
}

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


gboolean
cw_verifier_fail (const CwEvidence  *evidence,
                              GBytes           **evidence_out,
                              GError           **error,
                              CwVerifierError    code,
                              const char        *format,
                              ...)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) root = NULL;
  va_list ap;

  if (error == NULL && evidence_out == NULL)
    return FALSE;

  va_start (ap, format);
  local = g_error_new_valist (CW_VERIFIER_ERROR, code, format, ap);
  va_end (ap);

  if (evidence_out != NULL)
    {
      const struct { const char *name; const char *value; } members[] = {
        { "checkpoint", evidence->checkpoint },
        { "previous_checkpoint", evidence->previous_checkpoint },
        { "receipt", evidence->receipt },
        { "envelope", evidence->envelope },
        { "local_envelope", evidence->local_envelope },
        { "tx_id", evidence->tx_id },
      };
      char *text;

      object = json_object_new ();
      json_object_set_string_member (object, "kind", cw_verifier_error_to_alert_kind (local));
      json_object_set_string_member (object, "message", local->message);
      for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
        if (members[i].value != NULL)
          json_object_set_string_member (object, members[i].name, members[i].value);
      if (evidence->proof != NULL)
        json_object_set_member (object, "proof", cw_node_proof_to_json (evidence->proof));
      else if (evidence->proof_hashes != NULL || evidence->n_proof_hashes > 0)
        {
          g_autoptr(GPtrArray) proof = cw_merkle_proof_new_from_flat (evidence->proof_hashes,
                                                                      evidence->n_proof_hashes);

          json_object_set_member (object, "proof", cw_node_proof_to_json (proof));
        }
      if (evidence->has_index)
        json_object_set_int_member (object, "index", (gint64) evidence->index);
      root = json_node_init_object (json_node_alloc (), object);
      text = json_to_string (root, FALSE);
      *evidence_out = g_bytes_new_take (text, strlen (text));
    }

  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static void helper_cb (gpointer job,
                       gpointer user_data);

static void
cw_verifier_finalize (GObject *object)
{
  CwVerifier *self = CW_VERIFIER (object);

  g_clear_pointer (&self->log_key, cw_verifier_key_unref);
  g_clear_pointer (&self->witnesses, g_ptr_array_unref);
  if (self->helpers != NULL)
    g_thread_pool_free (self->helpers, TRUE, TRUE);
  g_clear_pointer (&self->parsed, g_hash_table_unref);
  g_clear_pointer (&self->local_by_envelope, g_hash_table_unref);
  g_clear_pointer (&self->local_txs, g_ptr_array_unref);
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
  self->parsed = g_hash_table_new_full (envelope_hash, g_str_equal, g_free,
                                        (GDestroyNotify) parsed_free);
  g_mutex_init (&self->parsed_lock);
  /* One helper per core beyond the calling thread; shared pool threads,
   * started on first use. */
  if (g_get_num_processors () > 1)
    self->helpers = g_thread_pool_new (helper_cb, NULL, (gint) g_get_num_processors () - 1,
                                       FALSE, NULL);
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
  CwEvidence evidence = { 0 };
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GError) cause = NULL;

  g_return_val_if_fail (CW_IS_VERIFIER (self), NULL);

  evidence.checkpoint = note;
  checkpoint = cw_signed_checkpoint_open (note, strlen (note), self->log_key,
                                          (CwVerifierKey **) self->witnesses->pdata,
                                          self->witnesses->len, &cause);
  if (checkpoint == NULL)
    {
      cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_CHECKPOINT,
                        _("The node sent a checkpoint that is not signed by its log key: %s"), cause->message);
      return NULL;
    }

  if (!cw_signed_checkpoint_check_quorum (checkpoint, self->quorum, &cause))
    {
      cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_NO_QUORUM,
                        _("The node's checkpoint lacks the witness cosignatures your wallet "
                          "requires (%u of %u): %s"),
                        cw_signed_checkpoint_get_n_cosigners (checkpoint), self->quorum,
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
  CwEvidence evidence = { 0 };
  g_autoptr(GError) cause = NULL;

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  evidence.previous_checkpoint = older->note;
  evidence.checkpoint = newer->note;
  evidence.proof = (proof);

  if (newer->size < older->size)
    return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_STALE_CHECKPOINT,
                             _("The node sent a checkpoint of size %" PRIu64 ", older than the "
                               "size %" PRIu64 " your wallet already verified: it may be hiding "
                               "recent transactions."), newer->size, older->size);

  if (newer->size == older->size)
    {
      if (memcmp (newer->root, older->root, CW_MERKLE_HASH_SIZE) != 0)
        return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_FORKED_CHECKPOINT,
                                 _("The node signed two different logs of size %" PRIu64 ": its "
                                   "history was rewritten."), newer->size);
      return TRUE;
    }

  if (older->size == 0)
    return TRUE;

  if (proof == NULL ||
      !cw_merkle_verify_consistency (older->size, newer->size, older->root, newer->root, proof,
                                     &cause))
    return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_FORKED_CHECKPOINT,
                             _("The node's log of size %" PRIu64 " does not extend the one of "
                               "size %" PRIu64 " your wallet verified: its history was "
                               "rewritten (%s)."),
                             newer->size, older->size,
                             cause != NULL ? cause->message : _("no proof"));

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
  CwEvidence evidence = { 0 };
  g_autoptr(CwTlogProof) bundle = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GError) cause = NULL;
  g_autofree char *id_b64 = cw_base64_encode (tx_id, CW_TX_ID_SIZE);
  guint8 leaf[CW_MERKLE_HASH_SIZE];
  CwCheckpoint *body;

  g_return_val_if_fail (CW_IS_VERIFIER (self), NULL);

  evidence.receipt = receipt;
  evidence.tx_id = id_b64;

  bundle = cw_tlog_proof_parse (receipt, -1, &cause);
  if (bundle == NULL)
    {
      cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_RECEIPT,
                        _("The node's receipt is not a valid proof bundle: %s"), cause->message);
      return NULL;
    }
  evidence.checkpoint = bundle->checkpoint;
  cw_evidence_set_index (&evidence, bundle->index);

  if (bundle->index != expected_index)
    {
      cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_RECEIPT,
                        _("The node's receipt names log entry %" PRIu64 " but its answer said %"
                          PRIu64 "."), bundle->index, expected_index);
      return NULL;
    }

  checkpoint = cw_verifier_open_checkpoint (self, bundle->checkpoint, NULL, &cause);
  if (checkpoint == NULL)
    {
      cw_verifier_fail (&evidence, evidence_out, error, cause->code, "%s", cause->message);
      return NULL;
    }

  body = cw_signed_checkpoint_get_checkpoint (checkpoint);
  cw_merkle_hash_leaf (tx_id, CW_TX_ID_SIZE, leaf);
  if (!cw_merkle_verify_inclusion (bundle->index, cw_checkpoint_get_size (body), leaf,
                                   cw_checkpoint_get_root_hash (body), bundle->proof, &cause))
    {
      cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_INCLUSION,
                        _("The node's receipt does not prove that your transaction is in its "
                          "log: %s"),
                        cause->message);
      return NULL;
    }

  if (out_note != NULL)
    *out_note = g_strdup (bundle->checkpoint);
  return g_steal_pointer (&checkpoint);
}

/* Parses an envelope and its payload; the ID is SHA-256 of the payload. */
CwTx *
cw_verifier_parse_envelope (const char      *envelope,
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
  Parsed *parsed;
  g_autoptr(CwDsseEnvelope) opened = NULL;
  g_autoptr(CwTx) tx = NULL;

  g_return_val_if_fail (CW_IS_VERIFIER (self), NULL);

  g_mutex_lock (&self->parsed_lock);
  parsed = g_hash_table_lookup (self->parsed, envelope);
  if (parsed != NULL)
    {
      opened = out_envelope != NULL ? cw_dsse_envelope_ref (parsed->envelope) : NULL;
      tx = cw_tx_ref (parsed->tx);
    }
  g_mutex_unlock (&self->parsed_lock);

  /* Parsed outside the lock, so that the cores parse in parallel; if two
   * threads parse the same text, the first one's stays. */
  if (tx == NULL)
    {
      tx = cw_verifier_parse_envelope (envelope, &opened, NULL, error);
      if (tx == NULL)
        return NULL;

      g_mutex_lock (&self->parsed_lock);
      if (!g_hash_table_contains (self->parsed, envelope))
        {
          parsed = g_new0 (Parsed, 1);
          parsed->envelope = cw_dsse_envelope_ref (opened);
          parsed->tx = cw_tx_ref (tx);
          g_hash_table_insert (self->parsed, g_strdup (envelope), parsed);
        }
      g_mutex_unlock (&self->parsed_lock);
    }

  if (out_envelope != NULL)
    *out_envelope = g_steal_pointer (&opened);
  return g_steal_pointer (&tx);
}

void
cw_verifier_set_local_transactions (CwVerifier *self,
                                    GPtrArray  *local_txs)
{
  g_autoptr(GHashTable) by_envelope = g_hash_table_new (envelope_hash, g_str_equal);
  g_autoptr(GHashTable) old_index = NULL;
  g_autoptr(GPtrArray) old_txs = NULL;

  g_return_if_fail (CW_IS_VERIFIER (self));
  g_return_if_fail (local_txs != NULL);

  for (guint i = 0; i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);

      if (tx->envelope != NULL && tx->id != NULL)
        g_hash_table_insert (by_envelope, tx->envelope, tx);
    }

  g_mutex_lock (&self->parsed_lock);
  old_index = g_steal_pointer (&self->local_by_envelope);
  old_txs = g_steal_pointer (&self->local_txs);
  self->local_by_envelope = g_steal_pointer (&by_envelope);
  self->local_txs = g_ptr_array_ref (local_txs);
  g_mutex_unlock (&self->parsed_lock);
}

gboolean
cw_verifier_lookup_local (CwVerifier *self,
                          const char *envelope,
                          guint8      id_out[CW_TX_ID_SIZE])
{
  CwStoreTx *tx = NULL;
  gboolean found;

  g_mutex_lock (&self->parsed_lock);
  if (self->local_by_envelope != NULL)
    tx = g_hash_table_lookup (self->local_by_envelope, envelope);
  found = tx != NULL && cw_base64_decode_fixed (tx->id, -1, id_out, CW_TX_ID_SIZE, NULL);
  g_mutex_unlock (&self->parsed_lock);

  return found;
}

gboolean
cw_verifier_verify_signature (CwVerifier      *self,
                              const char      *text,
                              CwDsseEnvelope  *envelope,
                              CwVerifierKey   *key,
                              GError         **error)
{
  const guint8 *public_key = cw_verifier_key_get_public_key (key);
  gboolean ed25519 = cw_verifier_key_get_key_type (key) == CW_KEY_TYPE_ED25519;
  gboolean known = FALSE;
  Parsed *parsed;

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  g_mutex_lock (&self->parsed_lock);
  parsed = g_hash_table_lookup (self->parsed, text);
  known = ed25519 && parsed != NULL && parsed->envelope == envelope && parsed->has_signer &&
          memcmp (parsed->signer, public_key, CW_PUBLIC_KEY_SIZE) == 0;
  g_mutex_unlock (&self->parsed_lock);
  if (known)
    return TRUE;

  if (!cw_dsse_envelope_verify (envelope, key, error))
    return FALSE;

  g_mutex_lock (&self->parsed_lock);
  parsed = g_hash_table_lookup (self->parsed, text);
  if (ed25519 && parsed != NULL && parsed->envelope == envelope)
    {
      memcpy (parsed->signer, public_key, CW_PUBLIC_KEY_SIZE);
      parsed->has_signer = TRUE;
    }
  g_mutex_unlock (&self->parsed_lock);
  return TRUE;
}

/* One cw_verifier_check_all() call, shared by the threads that work on it. */
typedef struct {
  CwVerifierItemCheck check;
  gpointer data;
  gint n_items;
  gint next;     /* atomic: the first item of the next chunk */
  gint failed;   /* atomic: the lowest failed index so far */
  GMutex lock;
  GCond done;
  guint running; /* helpers still working, under @lock */
} CheckRun;

/* Items per grab: small enough to balance, large enough to keep the
 * atomics out of the profile. */
#define CHECK_CHUNK 16

static void
check_chunks (CheckRun *run)
{
  for (;;)
    {
      gint start = g_atomic_int_add (&run->next, CHECK_CHUNK);
      gint end = MIN (start + CHECK_CHUNK, run->n_items);

      if (start >= run->n_items || start >= g_atomic_int_get (&run->failed))
        return;
      for (gint i = start; i < end; i++)
        {
          gint seen;

          if (run->check (run->data, (guint) i))
            continue;
          /* Keep the lowest failure; later items no longer matter. */
          do
            seen = g_atomic_int_get (&run->failed);
          while (i < seen && !g_atomic_int_compare_and_exchange (&run->failed, seen, i));
          break;
        }
    }
}

static void
helper_cb (gpointer job,
           gpointer user_data)
{
  CheckRun *run = job;

  check_chunks (run);
  g_mutex_lock (&run->lock);
  run->running--;
  g_cond_signal (&run->done);
  g_mutex_unlock (&run->lock);
}

guint
cw_verifier_check_all (CwVerifier          *self,
                       guint                n_items,
                       CwVerifierItemCheck  check,
                       gpointer             data)
{
  CheckRun run = { check, data, (gint) MIN (n_items, (guint) G_MAXINT - CHECK_CHUNK), 0, G_MAXINT };
  guint helpers = 0;

  g_return_val_if_fail (CW_IS_VERIFIER (self), 0);

  g_mutex_init (&run.lock);
  g_cond_init (&run.done);
  if (self->helpers != NULL && n_items > CHECK_CHUNK)
    helpers = MIN (g_thread_pool_get_max_threads (self->helpers),
                   (gint) (n_items / CHECK_CHUNK) - 1);

  run.running = helpers;
  for (guint i = 0; i < helpers; i++)
    {
      if (!g_thread_pool_push (self->helpers, &run, NULL))
        {
          g_mutex_lock (&run.lock);
          run.running--;
          g_mutex_unlock (&run.lock);
        }
    }

  /* The calling thread works too, then waits for the helpers' last items. */
  check_chunks (&run);
  g_mutex_lock (&run.lock);
  while (run.running > 0)
    g_cond_wait (&run.done, &run.lock);
  g_mutex_unlock (&run.lock);
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.done);

  return run.failed == G_MAXINT ? n_items : (guint) run.failed;
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
