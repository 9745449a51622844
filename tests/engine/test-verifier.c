/* test-verifier.c: CwVerifier on hand-built inputs: a CwLogTree, a log key
 * and witness keys, receipts, checkpoints and listings made here, one test
 * per failure kind, each checking the error code and its evidence. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-cosignature.h"
#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-log-tree.h"
#include "cw-tlog-proof.h"
#include "cw-verifier.h"

#define ORIGIN "verifier.test/log"

typedef struct {
  CwSigningKey *log_key;
  CwSigningKey *witness;
  CwSigningKey *patient;
  CwSigningKey *provider;
  CwLogTree *tree;
  CwVerifier *verifier;
  GPtrArray *local;         /* CwStoreTx */
  GHashTable *provider_keys;
  char *patient_id;
  guint64 seq;
  guint8 head[CW_TX_ID_SIZE];
} Fixture;

static char *
sign_checkpoint (Fixture      *f,
                 guint64       size,
                 CwSigningKey *log_key,
                 gboolean      cosign)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwCheckpoint) checkpoint = NULL;
  g_autofree char *note = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  guint8 root[32];

  g_assert_true (cw_log_tree_get_root (f->tree, size, root, &error));
  checkpoint = cw_checkpoint_new (ORIGIN, size, root, NULL, &error);
  g_assert_no_error (error);
  note = cw_checkpoint_sign (checkpoint, log_key, &error);
  g_assert_no_error (error);
  if (!cosign)
    return g_steal_pointer (&note);

  text = cw_checkpoint_format (checkpoint);
  line = cw_cosignature_sign_line (f->witness, text, strlen (text), 1700000000, &error);
  g_assert_no_error (error);
  return g_strconcat (note, line, NULL);
}

static GBytes *
sign_envelope (CwTx         *tx,
               CwSigningKey *key)
{
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_sign (payload, key, &error);
  gsize len = 0;
  char *json;

  g_assert_no_error (error);
  json = cw_dsse_envelope_to_json (envelope, &len);
  return g_bytes_new_take (json, len);
}

/* Appends a patient transaction to the log and the local history. */
static CwStoreTx *
add_patient_tx (Fixture *f,
                CwTx    *tx)
{
  g_autoptr(GBytes) envelope = sign_envelope (tx, f->patient);
  CwStoreTx *stored = g_new0 (CwStoreTx, 1);
  guint8 id[CW_TX_ID_SIZE];

  cw_tx_compute_id (tx, id);
  stored->id = cw_base64_encode (id, sizeof id);
  stored->seq = cw_tx_get_seq (tx);
  stored->type = cw_tx_get_tx_type (tx);
  stored->envelope = g_strndup (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));
  stored->state = CW_STORE_TX_CONFIRMED;
  stored->log_index = (gint64) cw_log_tree_get_size (f->tree);
  cw_log_tree_append (f->tree, id, sizeof id);
  g_ptr_array_add (f->local, stored);
  f->seq = stored->seq;
  memcpy (f->head, id, sizeof id);

  return stored;
}

static CwTx *
make_grant (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) expires = g_date_time_new_utc (2099, 1, 1, 0, 0, 0);
  const guint8 *patient = cw_signing_key_get_public_key (f->patient);
  CwTxCommon common = { patient, f->seq + 1, f->head, NULL, NULL };
  CwTx *tx = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                              CW_ACCESS_VIEW, NULL, NULL, expires, NULL, &error);

  g_assert_no_error (error);
  return tx;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autofree char *log_vkey = NULL;
  g_autofree char *witness_vkey = NULL;
  g_autoptr(CwTx) enroll = NULL;
  g_autoptr(CwTx) grant = NULL;
  const char *witnesses[2] = { NULL, NULL };
  guint8 recovery[32] = { 7 };
  CwTxCommon common = { 0 };

  f->log_key = cw_signing_key_generate (ORIGIN, CW_KEY_TYPE_ED25519, &error);
  f->witness = cw_signing_key_generate ("witness.test", CW_KEY_TYPE_COSIGNATURE_V1, &error);
  f->patient = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  f->provider = cw_signing_key_generate ("gp-one", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  log_vkey = cw_verifier_key_to_string (cw_signing_key_get_verifier (f->log_key));
  witness_vkey = cw_verifier_key_to_string (cw_signing_key_get_verifier (f->witness));
  witnesses[0] = witness_vkey;
  profile = cw_node_profile_new ("https://127.0.0.1:1", NULL, log_vkey, witnesses, 1, &error);
  g_assert_no_error (error);
  f->verifier = cw_verifier_new (profile, &error);
  g_assert_no_error (error);

  f->tree = cw_log_tree_new ();
  f->local = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_tx_free);
  f->provider_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) cw_verifier_key_unref);
  g_hash_table_insert (f->provider_keys, g_strdup ("gp-one"),
                       cw_verifier_key_ref (cw_signing_key_get_verifier (f->provider)));
  f->patient_id = cw_base64_encode (cw_signing_key_get_public_key (f->patient), 32);

  common.patient = cw_signing_key_get_public_key (f->patient);
  enroll = cw_tx_new_enroll (&common, recovery, "CODE-1", "gp-one", &error);
  g_assert_no_error (error);
  add_patient_tx (f, enroll);
  grant = make_grant (f);
  add_patient_tx (f, grant);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->log_key, cw_signing_key_unref);
  g_clear_pointer (&f->witness, cw_signing_key_unref);
  g_clear_pointer (&f->patient, cw_signing_key_unref);
  g_clear_pointer (&f->provider, cw_signing_key_unref);
  g_clear_pointer (&f->tree, cw_log_tree_free);
  g_clear_object (&f->verifier);
  g_clear_pointer (&f->local, g_ptr_array_unref);
  g_clear_pointer (&f->provider_keys, g_hash_table_unref);
  g_free (f->patient_id);
}

static char *
make_receipt (Fixture      *f,
              guint64       index,
              guint64       size,
              const char   *note)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) proof = cw_log_tree_prove_inclusion (f->tree, index, size, &error);
  g_autoptr(CwTlogProof) bundle = NULL;

  g_assert_no_error (error);
  bundle = cw_tlog_proof_new (index, proof, note, NULL);
  return cw_tlog_proof_format (bundle);
}

static void
assert_evidence (GBytes     *evidence,
                 const char *kind)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_assert_nonnull (evidence);
  json_parser_load_from_data (parser, g_bytes_get_data (evidence, NULL),
                              (gssize) g_bytes_get_size (evidence), &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, kind);
  g_assert_true (json_object_has_member (object, "message"));
}

static void
test_receipt (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *note = sign_checkpoint (f, 2, f->log_key, TRUE);
  g_autofree char *receipt = make_receipt (f, 1, 2, note);
  g_autoptr(CwSigningKey) impostor = cw_signing_key_generate (ORIGIN, CW_KEY_TYPE_ED25519, NULL);
  g_autofree char *bad_note = sign_checkpoint (f, 2, impostor, TRUE);
  g_autofree char *unsigned_note = sign_checkpoint (f, 2, f->log_key, FALSE);
  g_autofree char *out_note = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  CwStoreTx *grant = g_ptr_array_index (f->local, 1);
  CwStoreTx *enroll = g_ptr_array_index (f->local, 0);
  guint8 id[32], other[32];

  cw_base64_decode_fixed (grant->id, -1, id, 32, NULL);
  cw_base64_decode_fixed (enroll->id, -1, other, 32, NULL);
  checkpoint = cw_verifier_verify_receipt (f->verifier, receipt, id, 1, &out_note, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out_note, ==, note);

  /* The receipt of another transaction does not prove this one. */
  {
    g_autoptr(GBytes) evidence = NULL;
    g_autoptr(CwSignedCheckpoint) none =
      cw_verifier_verify_receipt (f->verifier, receipt, other, 1, NULL, &evidence, &error);

    g_assert_null (none);
    g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_INCLUSION);
    assert_evidence (evidence, "bad-inclusion-proof");
    g_clear_error (&error);
  }

  /* A forged checkpoint (not the log key), and one without the quorum. */
  {
    g_autofree char *forged = make_receipt (f, 1, 2, bad_note);
    g_autofree char *no_quorum = make_receipt (f, 1, 2, unsigned_note);
    g_autoptr(GBytes) evidence = NULL;
    g_autoptr(CwSignedCheckpoint) a =
      cw_verifier_verify_receipt (f->verifier, forged, id, 1, NULL, &evidence, &error);

    g_assert_null (a);
    g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_CHECKPOINT);
    assert_evidence (evidence, "bad-checkpoint");
    g_clear_error (&error);
    g_clear_pointer (&evidence, g_bytes_unref);

    g_assert_null (cw_verifier_verify_receipt (f->verifier, no_quorum, id, 1, NULL, &evidence,
                                               &error));
    g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_NO_QUORUM);
    assert_evidence (evidence, "missing-quorum");
    g_clear_error (&error);
  }

  /* Index disagreeing with the answer. */
  g_assert_null (cw_verifier_verify_receipt (f->verifier, receipt, id, 0, NULL, NULL, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_RECEIPT);
}

/* Gives @item the hashes of @proof (taken), laid end to end as a list
 * item keeps them. */
static void
set_proof (CwNodeListItem *item,
           GPtrArray      *proof)
{
  g_autoptr(GPtrArray) owned = proof;

  g_assert_nonnull (owned);
  g_free (item->proof);
  item->proof = g_malloc0 ((gsize) MAX (owned->len, 1) * CW_MERKLE_HASH_SIZE);
  item->n_proof = owned->len;
  for (guint i = 0; i < owned->len; i++)
    memcpy (item->proof + (gsize) i * CW_MERKLE_HASH_SIZE,
            g_bytes_get_data (g_ptr_array_index (owned, i), NULL), CW_MERKLE_HASH_SIZE);
}

static CwStoreCheckpoint *
store_checkpoint (Fixture *f,
                  guint64  size)
{
  g_autofree char *note = sign_checkpoint (f, size, f->log_key, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) opened = cw_verifier_open_checkpoint (f->verifier, note, NULL,
                                                                      &error);

  g_assert_no_error (error);
  return cw_verifier_checkpoint_to_store (opened, note);
}

static void
test_consistency (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CwStoreCheckpoint) one = store_checkpoint (f, 1);
  g_autoptr(CwStoreCheckpoint) two = store_checkpoint (f, 2);
  g_autoptr(CwStoreCheckpoint) fork = store_checkpoint (f, 2);
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(GBytes) evidence = NULL;
  g_autoptr(GError) error = NULL;

  proof = cw_log_tree_prove_consistency (f->tree, 1, 2, &error);
  g_assert_no_error (error);
  g_assert_true (cw_verifier_check_consistency (f->verifier, one, two, proof, NULL, &error));
  g_assert_no_error (error);

  /* Smaller than the last verified: stale. */
  g_assert_false (cw_verifier_check_consistency (f->verifier, two, one, proof, &evidence, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_STALE_CHECKPOINT);
  assert_evidence (evidence, "stale-checkpoint");
  g_clear_error (&error);
  g_clear_pointer (&evidence, g_bytes_unref);

  /* Same size, another root: a fork. */
  fork->root[0] ^= 1;
  g_assert_false (cw_verifier_check_consistency (f->verifier, two, fork, NULL, &evidence, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_FORKED_CHECKPOINT);
  assert_evidence (evidence, "forked-checkpoint");
  g_clear_error (&error);
  g_clear_pointer (&evidence, g_bytes_unref);

  /* Larger, but the proof does not connect the roots. */
  one->root[0] ^= 1;
  g_assert_false (cw_verifier_check_consistency (f->verifier, one, two, proof, &evidence, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_FORKED_CHECKPOINT);
  g_clear_error (&error);
}

/* A listing of @kind over the log as it is, with items for @local indexes. */
static CwNodeListing *
make_listing (Fixture        *f,
              CwNodeListKind  kind,
              const guint    *which,
              guint           n)
{
  CwNodeListing *listing = g_new0 (CwNodeListing, 1);
  guint64 size = cw_log_tree_get_size (f->tree);

  listing->kind = kind;
  listing->checkpoint = sign_checkpoint (f, size, f->log_key, TRUE);
  listing->items = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_list_item_free);
  for (guint i = 0; i < n; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (f->local, which[i]);
      CwNodeListItem *item = g_new0 (CwNodeListItem, 1);

      item->id = g_strdup (tx->id);
      item->seq = tx->seq;
      item->index = (guint64) tx->log_index;
      item->envelope = g_strdup (tx->envelope);
      set_proof (item, cw_log_tree_prove_inclusion (f->tree, item->index, size, NULL));
      g_ptr_array_add (listing->items, item);
      if (kind == CW_NODE_LIST_CHAIN)
        {
          listing->has_head = TRUE;
          listing->head_seq = tx->seq;
          g_free (listing->head_id);
          listing->head_id = g_strdup (tx->id);
        }
    }

  return listing;
}

static void
check_chain (Fixture    *f,
             CwNodeListing *listing,
             int         code,
             const char *kind)
{
  g_autoptr(GBytes) evidence = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = cw_verifier_verify_chain (f->verifier, listing, 0, f->local, &evidence, &error);

  if (code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, CW_VERIFIER_ERROR, code);
  assert_evidence (evidence, kind);
}

static void
test_chain (Fixture       *f,
            gconstpointer  data)
{
  static const guint all[] = { 0, 1 }, reordered[] = { 1, 0 }, only_first[] = { 0 };
  g_autoptr(CwNodeListing) good = make_listing (f, CW_NODE_LIST_CHAIN, all, 2);
  g_autoptr(CwNodeListing) swapped = make_listing (f, CW_NODE_LIST_CHAIN, reordered, 2);
  g_autoptr(CwNodeListing) dropped = make_listing (f, CW_NODE_LIST_CHAIN, only_first, 1);
  g_autoptr(CwNodeListing) extra = make_listing (f, CW_NODE_LIST_CHAIN, all, 2);
  g_autoptr(CwNodeListing) altered = make_listing (f, CW_NODE_LIST_CHAIN, all, 2);
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  CwNodeListItem *item;

  checkpoint = cw_verifier_open_checkpoint (f->verifier, good->checkpoint, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cw_verifier_verify_listing_proofs (f->verifier, good, checkpoint, NULL, &error));
  g_assert_no_error (error);
  check_chain (f, good, -1, NULL);
  check_chain (f, swapped, CW_VERIFIER_ERROR_CHAIN_REORDERED, "reordered-chain");
  check_chain (f, dropped, CW_VERIFIER_ERROR_CHAIN_MISSING, "dropped-transaction");

  /* A transaction we never signed, as seq 1: the local one is "altered";
   * beyond our head it is "extra". */
  {
    g_autoptr(CwTx) forged = make_grant (f);
    g_autoptr(GBytes) envelope = sign_envelope (forged, f->patient);
    g_autofree char *id = cw_tx_dup_id_base64 (forged);

    item = g_ptr_array_index (altered->items, 1);
    g_free (item->envelope);
    item->envelope = g_strndup (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));
    check_chain (f, altered, CW_VERIFIER_ERROR_CHAIN_ALTERED, "altered-transaction");

    item = g_new0 (CwNodeListItem, 1);
    item->id = g_strdup (id);
    item->seq = 2;
    item->envelope = g_strndup (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));
    g_ptr_array_add (extra->items, item);
    extra->head_seq = 2;
    g_free (extra->head_id);
    extra->head_id = g_strdup (id);
    check_chain (f, extra, CW_VERIFIER_ERROR_CHAIN_EXTRA, "extra-transaction");

    /* Its proof does not hold either. */
    g_assert_false (cw_verifier_verify_listing_proofs (f->verifier, extra, checkpoint, NULL, &error));
    g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_INCLUSION);
  }
}

/* With our history given, a listed envelope that is one of ours is taken
 * with its stored ID instead of being parsed, and its proof still counts. */
static void
test_local_transactions (Fixture       *f,
                         gconstpointer  data)
{
  static const guint all[] = { 0, 1 };
  g_autoptr(CwNodeListing) listing = make_listing (f, CW_NODE_LIST_CHAIN, all, 2);
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GBytes) evidence = NULL;
  g_autoptr(GError) error = NULL;
  CwNodeListItem *item = g_ptr_array_index (listing->items, 1);
  CwStoreTx *enroll = g_ptr_array_index (f->local, 0);
  CwStoreTx *grant = g_ptr_array_index (f->local, 1);
  g_autofree char *grant_id = g_strdup (grant->id);
  guint64 index = item->index;

  checkpoint = cw_verifier_open_checkpoint (f->verifier, listing->checkpoint, NULL, &error);
  g_assert_no_error (error);
  cw_verifier_set_local_transactions (f->verifier, f->local);
  g_assert_true (cw_verifier_verify_listing_proofs (f->verifier, listing, checkpoint, NULL, &error));
  g_assert_no_error (error);

  /* Our bytes under another ID. */
  g_free (item->id);
  item->id = g_strdup (enroll->id);
  g_assert_false (cw_verifier_verify_listing_proofs (f->verifier, listing, checkpoint, &evidence, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_MALFORMED_ITEM);
  assert_evidence (evidence, "malformed-item");
  g_clear_error (&error);
  g_clear_pointer (&evidence, g_bytes_unref);
  g_free (item->id);
  item->id = g_strdup (grant_id);

  /* Our bytes with a proof that does not hold: one hash changed, then the
   * right proof at another index. */
  item->proof[0] ^= 1;
  g_assert_false (cw_verifier_verify_listing_proofs (f->verifier, listing, checkpoint, &evidence, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_INCLUSION);
  assert_evidence (evidence, "bad-inclusion-proof");
  g_clear_error (&error);
  g_clear_pointer (&evidence, g_bytes_unref);
  item->proof[0] ^= 1;
  item->index = 0;
  g_assert_false (cw_verifier_verify_listing_proofs (f->verifier, listing, checkpoint, NULL, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_BAD_INCLUSION);
  g_clear_error (&error);
  item->index = index;

  /* The stored ID is what counts for our bytes: with the grant's ID
   * stored under the enrollment's, the enrollment's bytes pass as the
   * grant. This shows the parse was skipped; a parse would find the
   * enrollment's own ID. */
  g_free (enroll->id);
  enroll->id = g_strdup (grant_id);
  g_free (item->envelope);
  item->envelope = g_strdup (enroll->envelope);
  g_ptr_array_remove_index (listing->items, 0);
  cw_verifier_set_local_transactions (f->verifier, f->local);
  g_assert_true (cw_verifier_verify_listing_proofs (f->verifier, listing, checkpoint, NULL, &error));
  g_assert_no_error (error);

  /* Without our history it is parsed, and caught. */
  {
    g_autoptr(GPtrArray) none = g_ptr_array_new ();

    cw_verifier_set_local_transactions (f->verifier, none);
    g_assert_false (cw_verifier_verify_listing_proofs (f->verifier, listing, checkpoint, NULL, &error));
    g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_MALFORMED_ITEM);
  }
}

static void
test_grants (Fixture       *f,
             gconstpointer  data)
{
  static const guint grant_only[] = { 1 }, enroll_only[] = { 0 };
  g_autoptr(CwNodeListing) good = make_listing (f, CW_NODE_LIST_GRANTS, grant_only, 1);
  g_autoptr(CwNodeListing) forged = make_listing (f, CW_NODE_LIST_GRANTS, enroll_only, 1);
  g_autoptr(GBytes) evidence = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTx) revoke = NULL;
  CwStoreTx *grant = g_ptr_array_index (f->local, 1);
  const guint8 *patient = cw_signing_key_get_public_key (f->patient);
  CwTxCommon common = { patient, f->seq + 1, f->head, NULL, NULL };
  guint8 grant_id[32];

  g_assert_true (cw_verifier_verify_grants (f->verifier, good, f->local, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (cw_verifier_verify_grants (f->verifier, forged, f->local, &evidence, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_FORGED_GRANT);
  assert_evidence (evidence, "forged-grant");
  g_clear_error (&error);
  g_clear_pointer (&evidence, g_bytes_unref);

  /* After our confirmed revoke the node still lists the grant. */
  cw_base64_decode_fixed (grant->id, -1, grant_id, 32, NULL);
  revoke = cw_tx_new_revoke (&common, grant_id, &error);
  g_assert_no_error (error);
  add_patient_tx (f, revoke);
  g_assert_false (cw_verifier_verify_grants (f->verifier, good, f->local, &evidence, &error));
  g_assert_error (error, CW_VERIFIER_ERROR, CW_VERIFIER_ERROR_REVOKED_GRANT);
  assert_evidence (evidence, "hidden-revoke");
}

/* An access event by @signer citing @grant, logged now. */
static CwNodeListing *
make_access_listing (Fixture      *f,
                     CwSigningKey *signer,
                     const guint8 *grant,
                     CwScopes      scopes)
{
  g_autoptr(GError) error = NULL;
  const guint8 *patient = cw_signing_key_get_public_key (f->patient);
  CwTxCommon common = { patient, 0, NULL, NULL, NULL };
  g_autoptr(CwTx) tx = cw_tx_new_access (&common, "gp-one", grant, scopes, CW_PURPOSE_TREAT, &error);
  g_autoptr(GBytes) envelope = NULL;
  CwNodeListing *listing = g_new0 (CwNodeListing, 1);
  CwNodeListItem *item = g_new0 (CwNodeListItem, 1);
  guint8 id[32];

  g_assert_no_error (error);
  envelope = sign_envelope (tx, signer);
  cw_tx_compute_id (tx, id);
  item->index = cw_log_tree_get_size (f->tree);
  cw_log_tree_append (f->tree, id, sizeof id);
  item->id = cw_base64_encode (id, sizeof id);
  item->outcome = g_strdup ("allowed");
  item->envelope = g_strndup (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));
  set_proof (item, cw_log_tree_prove_inclusion (f->tree, item->index, item->index + 1, NULL));
  listing->kind = CW_NODE_LIST_ACCESS;
  listing->checkpoint = sign_checkpoint (f, item->index + 1, f->log_key, TRUE);
  listing->items = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_list_item_free);
  g_ptr_array_add (listing->items, item);

  return listing;
}

static void
check_access (Fixture       *f,
              CwNodeListing *listing,
              int            code,
              const char    *kind)
{
  g_autoptr(GBytes) evidence = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  gboolean ok;

  checkpoint = cw_verifier_open_checkpoint (f->verifier, listing->checkpoint, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cw_verifier_verify_listing_proofs (f->verifier, listing, checkpoint, NULL, &error));
  g_assert_no_error (error);

  ok = cw_verifier_verify_access (f->verifier, listing, f->patient_id, f->local, f->provider_keys,
                                  &evidence, &error);
  if (code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, CW_VERIFIER_ERROR, code);
  assert_evidence (evidence, kind);
}

static void
test_access (Fixture       *f,
             gconstpointer  data)
{
  CwStoreTx *grant = g_ptr_array_index (f->local, 1);
  CwStoreTx *enroll = g_ptr_array_index (f->local, 0);
  guint8 grant_id[32], not_a_grant[32];
  g_autoptr(CwNodeListing) good = NULL;
  g_autoptr(CwNodeListing) beyond = NULL;
  g_autoptr(CwNodeListing) no_grant = NULL;
  g_autoptr(CwNodeListing) forged = NULL;
  g_autoptr(CwNodeListing) unknown = NULL;

  cw_base64_decode_fixed (grant->id, -1, grant_id, 32, NULL);
  cw_base64_decode_fixed (enroll->id, -1, not_a_grant, 32, NULL);

  good = make_access_listing (f, f->provider, grant_id, CW_SCOPE_SUMMARY);
  check_access (f, good, -1, NULL);
  beyond = make_access_listing (f, f->provider, grant_id, CW_SCOPE_SUMMARY | CW_SCOPE_GENETICS);
  check_access (f, beyond, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT, "access-without-grant");
  no_grant = make_access_listing (f, f->provider, not_a_grant, CW_SCOPE_SUMMARY);
  check_access (f, no_grant, CW_VERIFIER_ERROR_ACCESS_WITHOUT_GRANT, "access-without-grant");
  forged = make_access_listing (f, f->patient, grant_id, CW_SCOPE_SUMMARY);
  check_access (f, forged, CW_VERIFIER_ERROR_BAD_PROVIDER_SIGNATURE, "bad-provider-signature");

  g_hash_table_remove_all (f->provider_keys);
  unknown = make_access_listing (f, f->provider, grant_id, CW_SCOPE_SUMMARY);
  check_access (f, unknown, CW_VERIFIER_ERROR_UNKNOWN_PROVIDER, "unknown-provider");
}

/* Signatures checked ahead (cw_verifier_check_signatures_early()) count
 * only for the same key, and a bad one is still reported. */
static void
test_early_signatures (Fixture       *f,
                       gconstpointer  data)
{
  CwStoreTx *grant = g_ptr_array_index (f->local, 1);
  guint8 grant_id[32];
  g_autoptr(CwNodeListing) good = NULL;
  g_autoptr(CwNodeListing) forged = NULL;

  cw_base64_decode_fixed (grant->id, -1, grant_id, 32, NULL);
  good = make_access_listing (f, f->provider, grant_id, CW_SCOPE_SUMMARY);
  cw_verifier_check_signatures_early (f->verifier, good, f->provider_keys);
  check_access (f, good, -1, NULL);

  /* Another key for the provider now: what verified with the old one
   * proves nothing. */
  g_hash_table_replace (f->provider_keys, g_strdup ("gp-one"),
                        cw_verifier_key_ref (cw_signing_key_get_verifier (f->patient)));
  check_access (f, good, CW_VERIFIER_ERROR_BAD_PROVIDER_SIGNATURE, "bad-provider-signature");

  /* Signed by someone else: checked ahead, and still refused. */
  g_hash_table_replace (f->provider_keys, g_strdup ("gp-one"),
                        cw_verifier_key_ref (cw_signing_key_get_verifier (f->provider)));
  forged = make_access_listing (f, f->patient, grant_id, CW_SCOPE_SUMMARY);
  cw_verifier_check_signatures_early (f->verifier, forged, f->provider_keys);
  check_access (f, forged, CW_VERIFIER_ERROR_BAD_PROVIDER_SIGNATURE, "bad-provider-signature");
}

int
main (int   argc,
      char *argv[])
{
  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/verifier/receipt", Fixture, NULL, fixture_setup, test_receipt, fixture_teardown);
  g_test_add ("/verifier/consistency", Fixture, NULL, fixture_setup, test_consistency,
              fixture_teardown);
  g_test_add ("/verifier/chain", Fixture, NULL, fixture_setup, test_chain, fixture_teardown);
  g_test_add ("/verifier/local-transactions", Fixture, NULL, fixture_setup, test_local_transactions,
              fixture_teardown);
  g_test_add ("/verifier/grants", Fixture, NULL, fixture_setup, test_grants, fixture_teardown);
  g_test_add ("/verifier/access", Fixture, NULL, fixture_setup, test_access, fixture_teardown);
  g_test_add ("/verifier/early-signatures", Fixture, NULL, fixture_setup, test_early_signatures,
              fixture_teardown);

  return g_test_run ();
}
