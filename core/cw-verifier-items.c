/* cw-verifier-items.c: CwVerifier's per-item checks of a listing: every
 * item's ID and its inclusion proof into the page's checkpoint, and for
 * provider-signed requests and access events the type, the patient and the
 * provider's signature, then whether an "allowed" access was covered by
 * our grant (DESIGN.md "Trust model"). The per-item work that costs (JSON,
 * SHA-256, Merkle paths, Ed25519) runs on every core through
 * cw_verifier_check_all(); failures are then reported in item order, as a
 * single pass would. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-verifier-private.h"

typedef struct {
  CwVerifier *self;
  CwNodeListing *listing;
  CwCheckpoint *body;
} ProofCheck;

static gboolean
check_item_proof (ProofCheck  *check,
                  guint        i,
                  GBytes     **evidence_out,
                  GError     **error)
{
  CwNodeListItem *item = g_ptr_array_index (check->listing->items, i);
  CwEvidence evidence = { 0 };
  g_autoptr(GError) cause = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autofree char *id = NULL;
  guint8 raw_id[CW_TX_ID_SIZE];
  guint8 leaf[CW_MERKLE_HASH_SIZE];

  evidence.checkpoint = check->listing->checkpoint;
  evidence.envelope = item->envelope;
  evidence.tx_id = item->id;
  evidence.proof_hashes = item->proof;
  evidence.n_proof_hashes = item->n_proof;
  cw_evidence_set_index (&evidence, item->index);

  /* Our own bytes need no parse: the store holds their ID. The proof is
   * checked all the same. */
  if (!cw_verifier_lookup_local (check->self, item->envelope, raw_id))
    {
      tx = cw_verifier_open_envelope (check->self, item->envelope, NULL, &cause);
      if (tx == NULL)
        return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
                                 _("The node listed a transaction that is not valid: %s"),
                                 cause->message);
      cw_tx_compute_id (tx, raw_id);
    }
  id = cw_base64_encode (raw_id, sizeof raw_id);
  if (!g_str_equal (id, item->id))
    return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
                             _("The node listed transaction %s under another ID, %s."),
                             id, item->id);

  cw_merkle_hash_leaf (raw_id, sizeof raw_id, leaf);
  if (!cw_merkle_verify_inclusion_flat (item->index, cw_checkpoint_get_size (check->body), leaf,
                                        cw_checkpoint_get_root_hash (check->body), item->proof,
                                        item->n_proof, error != NULL ? &cause : NULL))
    return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_INCLUSION,
                             _("The node listed transaction %s without a valid proof that it is "
                               "in its log: %s"), item->id, cause != NULL ? cause->message : "");

  return TRUE;
}

static gboolean
item_proof_ok (gpointer data,
               guint    i)
{
  return check_item_proof (data, i, NULL, NULL);
}

gboolean
cw_verifier_verify_listing_proofs (CwVerifier          *self,
                                   CwNodeListing       *listing,
                                   CwSignedCheckpoint  *checkpoint,
                                   GBytes             **evidence_out,
                                   GError             **error)
{
  ProofCheck check = { self, listing, cw_signed_checkpoint_get_checkpoint (checkpoint) };
  guint failed;

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  failed = cw_verifier_check_all (self, listing->items->len, item_proof_ok, &check);
  if (failed < listing->items->len)
    return check_item_proof (&check, failed, evidence_out, error);

  return TRUE;
}

/* Checks a provider-signed item: type, patient and signature. */
static CwTx *
open_provider_item (CwVerifier      *self,
                    CwNodeListItem  *item,
                    CwTxType         type,
                    const char      *patient_id,
                    GHashTable      *provider_keys,
                    CwEvidence      *evidence,
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
      cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
                        /* TRANSLATORS: a transaction type as written in the protocol (not
                         * translated), then what is wrong */
                        _("The node listed a %s that is not one: %s"), cw_tx_type_to_string (type),
                        cause != NULL ? cause->message : _("another type"));
      return NULL;
    }

  patient = cw_tx_dup_patient_id (tx);
  if (!g_str_equal (patient, patient_id))
    {
      cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
                        /* TRANSLATORS: %s is a transaction type as written in the protocol (not
                         * translated) */
                        _("The node listed a %s about another patient."),
                        cw_tx_type_to_string (type));
      return NULL;
    }

  key = g_hash_table_lookup (provider_keys, cw_tx_get_provider (tx));
  if (key == NULL)
    {
      cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_UNKNOWN_PROVIDER,
                        /* TRANSLATORS: a transaction type as written in the protocol (not
                         * translated), then a provider ID */
                        _("The node listed a %s by provider “%s”, whose key is not in the "
                          "directory."),
                        cw_tx_type_to_string (type), cw_tx_get_provider (tx));
      return NULL;
    }

  if (!cw_verifier_verify_signature (self, item->envelope, envelope, key, &cause))
    {
      cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_BAD_PROVIDER_SIGNATURE,
                        /* TRANSLATORS: a transaction type as written in the protocol (not
                         * translated), a provider ID, then what is wrong */
                        _("The node listed a %s that provider “%s” did not sign: %s"),
                        cw_tx_type_to_string (type), cw_tx_get_provider (tx), cause->message);
      return NULL;
    }

  return g_steal_pointer (&tx);
}

void
cw_verifier_check_signatures_early (CwVerifier    *self,
                                    CwNodeListing *listing,
                                    GHashTable    *provider_keys)
{
  g_return_if_fail (CW_IS_VERIFIER (self));

  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      g_autoptr(CwDsseEnvelope) envelope = NULL;
      g_autoptr(CwTx) tx = cw_verifier_open_envelope (self, item->envelope, &envelope, NULL);
      CwVerifierKey *key;

      if (tx == NULL || cw_tx_get_provider (tx) == NULL ||
          (key = g_hash_table_lookup (provider_keys, cw_tx_get_provider (tx))) == NULL)
        continue;
      cw_verifier_verify_signature (self, item->envelope, envelope, key, NULL);
    }
}

typedef struct {
  CwVerifier *self;
  CwNodeListing *listing;
  CwTxType type;
  const char *patient_id;
  GHashTable *provider_keys;
} ProviderCheck;

/* The evidence of a provider-signed item. */
static CwEvidence
provider_item_evidence (CwNodeListing  *listing,
                        CwNodeListItem *item)
{
  CwEvidence evidence = { 0 };

  evidence.checkpoint = listing->checkpoint;
  evidence.envelope = item->envelope;
  evidence.tx_id = item->id;
  if (listing->kind == CW_NODE_LIST_ACCESS)
    cw_evidence_set_index (&evidence, item->index);
  return evidence;
}

static gboolean
provider_item_ok (gpointer data,
                  guint    i)
{
  ProviderCheck *check = data;
  CwNodeListItem *item = g_ptr_array_index (check->listing->items, i);
  CwEvidence evidence = provider_item_evidence (check->listing, item);
  g_autoptr(CwTx) tx = open_provider_item (check->self, item, check->type, check->patient_id,
                                           check->provider_keys, &evidence, NULL, NULL);

  return tx != NULL;
}

/* Type, patient and signature of every item, on every core; the index of
 * the first that fails, or the number of items. */
static guint
check_provider_items (CwVerifier     *self,
                      CwNodeListing  *listing,
                      CwTxType        type,
                      const char     *patient_id,
                      GHashTable     *provider_keys)
{
  ProviderCheck check = { self, listing, type, patient_id, provider_keys };

  return cw_verifier_check_all (self, listing->items->len, provider_item_ok, &check);
}

gboolean
cw_verifier_verify_requests (CwVerifier     *self,
                             CwNodeListing  *listing,
                             const char     *patient_id,
                             GHashTable     *provider_keys,
                             GBytes        **evidence_out,
                             GError        **error)
{
  guint failed;

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  failed = check_provider_items (self, listing, CW_TX_TYPE_REQUEST, patient_id, provider_keys);
  if (failed < listing->items->len)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, failed);
      CwEvidence evidence = provider_item_evidence (listing, item);
      g_autoptr(CwTx) tx = open_provider_item (self, item, CW_TX_TYPE_REQUEST, patient_id,
                                               provider_keys, &evidence, evidence_out, error);

      /* Checked again the same way, it fails again; this reports it. */
      return tx == NULL ? FALSE : cw_verifier_fail (&evidence, evidence_out, error,
                                                    CW_VERIFIER_ERROR_MALFORMED_ITEM,
                                                    _("The node listed a request that could not "
                                                      "be checked."));
    }

  return TRUE;
}

typedef struct {
  ProviderCheck provider;
  GHashTable *by_id;    /* local transactions by ID */
  GHashTable *revokes;  /* confirmed revokes, cw_verifier_index_revokes() */
} AccessCheck;

/* An "allowed" access: the node says our grant covered it; checks that it
 * did. Read-only on @check, so that every core can run it. */
static gboolean
check_coverage (AccessCheck     *check,
                CwNodeListItem  *item,
                CwTx            *tx,
                CwEvidence      *evidence,
                GBytes         **evidence_out,
                GError         **error)
{
  g_autoptr(CwTx) grant = NULL;
  g_autofree char *grant_id = NULL;
  CwStoreTx *local;

  grant_id = cw_base64_encode (cw_tx_get_grant (tx), CW_TX_ID_SIZE);
  local = g_hash_table_lookup (check->by_id, grant_id);
  if (local != NULL && local->type == CW_TX_TYPE_GRANT)
    {
      evidence->local_envelope = local->envelope;
      /* Through the cache: our grant's text is usually the chain item's. */
      grant = cw_verifier_open_envelope (check->provider.self, local->envelope, NULL, NULL);
    }
  if (grant == NULL)
    return cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                             _("Provider “%s” was allowed access citing a grant you never signed."),
                             cw_tx_get_provider (tx));
  if (g_strcmp0 (cw_tx_get_provider (grant), cw_tx_get_provider (tx)) != 0 ||
      (cw_tx_get_scopes (tx) & ~cw_tx_get_scopes (grant)) != 0 ||
      cw_tx_get_purpose (tx) != cw_tx_get_purpose (grant))
    return cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                             _("Provider “%s” was allowed access beyond what your grant permits."),
                             cw_tx_get_provider (tx));
  if (local->state != CW_STORE_TX_CONFIRMED || local->log_index < 0 ||
      (guint64) local->log_index >= item->index)
    return cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                             _("Provider “%s” was allowed access citing a grant that was not "
                               "logged before the access."), cw_tx_get_provider (tx));
  if (g_date_time_compare (cw_tx_get_time (tx), cw_tx_get_expires (grant)) >= 0)
    return cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                             _("Provider “%s” was allowed access after the grant had expired."),
                             cw_tx_get_provider (tx));
  if (cw_verifier_revoked_before (check->revokes, grant_id, item->index))
    return cw_verifier_fail (evidence, evidence_out, error, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT,
                             _("Provider “%s” was allowed access after you revoked the grant."),
                             cw_tx_get_provider (tx));
  return TRUE;
}

/* One access event: type, patient and signature, then the coverage of an
 * "allowed" one; the first failure is reported. */
static gboolean
check_access_item (AccessCheck  *check,
                   guint         i,
                   GBytes      **evidence_out,
                   GError      **error)
{
  CwNodeListItem *item = g_ptr_array_index (check->provider.listing->items, i);
  CwEvidence evidence = provider_item_evidence (check->provider.listing, item);
  g_autoptr(CwTx) tx = open_provider_item (check->provider.self, item, CW_TX_TYPE_ACCESS,
                                           check->provider.patient_id,
                                           check->provider.provider_keys, &evidence,
                                           evidence_out, error);

  if (tx == NULL)
    return FALSE;
  if (!g_str_equal (item->outcome, "allowed"))
    return TRUE;
  return check_coverage (check, item, tx, &evidence, evidence_out, error);
}

static gboolean
access_item_ok (gpointer data,
                guint    i)
{
  return check_access_item (data, i, NULL, NULL);
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
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GHashTable) revokes = NULL;
  AccessCheck check = { { self, listing, CW_TX_TYPE_ACCESS, patient_id, provider_keys } };
  guint failed;

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  check.by_id = by_id = cw_verifier_index_local (local_txs);
  check.revokes = revokes = cw_verifier_index_revokes (local_txs, FALSE);

  /* Every item's signature and coverage on every core; the lowest item
   * that fails is checked again alone to report it, as one pass in order
   * would have. */
  failed = cw_verifier_check_all (self, listing->items->len, access_item_ok, &check);
  if (failed < listing->items->len && !check_access_item (&check, failed, evidence_out, error))
    return FALSE;
  if (failed < listing->items->len)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, failed);
      CwEvidence evidence = provider_item_evidence (listing, item);

      return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_MALFORMED_ITEM,
                               _("The node listed an access event that could not be checked."));
    }

  return TRUE;
}
