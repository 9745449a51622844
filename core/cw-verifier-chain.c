/* cw-verifier-chain.c: CwVerifier's checks of the patient's own history
 * as the node lists it: the chain equals the local one (seq order, same
 * payloads, nothing dropped, nothing added), and the active grants are
 * exactly ours, none revoked and none hidden (DESIGN.md "Trust model"). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-verifier-private.h"

/* Local transactions by ID, skipping rejected ones. */
GHashTable *
cw_verifier_index_local (GPtrArray *local_txs)
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

  a = cw_verifier_parse_envelope (envelope_a, NULL, NULL, NULL);
  b = cw_verifier_parse_envelope (envelope_b, NULL, NULL, NULL);
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
      CwEvidence evidence = { 0 };

      evidence.checkpoint = listing->checkpoint;
      evidence.envelope = item->envelope;
      evidence.tx_id = item->id;
      cw_evidence_set_index (&evidence, item->index);

      if (item->seq != expected)
        {
          CwStoreTx *missing = g_hash_table_lookup (by_seq, &expected);

          gboolean later = FALSE;

          for (guint j = i + 1; j < listing->items->len; j++)
            later |= ((CwNodeListItem *) g_ptr_array_index (listing->items, j))->seq == expected;

          if (item->seq > expected && missing != NULL && !later)
            {
              evidence.local_envelope = missing->envelope;
              return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_MISSING,
                                       _("The node's copy of your history lacks your transaction number %"
                                         PRIu64 ": it was dropped or hidden."), expected);
            }
          return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_REORDERED,
                                   _("The node lists your transactions out of order (number "
                                     "%" PRIu64 " where %" PRIu64 " belongs)."),
                                   item->seq, expected);
        }

      if (local == NULL)
        return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_EXTRA,
                                 _("The node lists a transaction number %" PRIu64 " in your "
                                   "name that this wallet never signed."), item->seq);

      evidence.local_envelope = local->envelope;
      if (!g_str_equal (local->id, item->id) || !same_payload (local->envelope, item->envelope))
        return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_ALTERED,
                                 _("The node's transaction number %" PRIu64 " differs from the one "
                                   "you signed."), item->seq);
    }

  /* Everything confirmed locally must be there; queued or sent ones may
   * not have arrived yet. */
  for (guint i = 0; local_txs != NULL && i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);
      CwEvidence evidence = { 0 };

      if (tx->state != CW_STORE_TX_CONFIRMED || tx->seq < expected || tx->seq < from)
        continue;
      evidence.checkpoint = listing->checkpoint;
      evidence.local_envelope = tx->envelope;
      evidence.receipt = tx->receipt;
      evidence.tx_id = tx->id;
      if (tx->type == CW_TX_TYPE_REVOKE)
        return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_REVOKED_GRANT,
                                 _("The node's copy of your history lacks your revocation (number %"
                                   PRIu64 "), which it had confirmed: it is hiding it, and the "
                                   "grant may still be honoured."), tx->seq);
      return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_MISSING,
                               _("The node's copy of your history lacks your transaction number %"
                                 PRIu64 ", which it had confirmed: it was dropped or hidden."),
                               tx->seq);
    }

  if (listing->has_head && listing->items->len > 0)
    {
      CwNodeListItem *last = g_ptr_array_index (listing->items, listing->items->len - 1);

      if (listing->head_seq != last->seq || g_strcmp0 (listing->head_id, last->id) != 0)
        {
          CwEvidence evidence = { 0 };

          evidence.checkpoint = listing->checkpoint;
          evidence.tx_id = listing->head_id;
          return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_CHAIN_REORDERED,
                                   _("The node names a chain head (number %" PRIu64 ") that is not "
                                     "the last transaction it lists."), listing->head_seq);
        }
    }

  return TRUE;
}

/* Grant ID -> log index (boxed gint64) of the confirmed local revoke that
 * names it; with @any, revokes not confirmed yet too (index G_MAXINT64). */
GHashTable *
cw_verifier_index_revokes (GPtrArray *local_txs,
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
      parsed = cw_verifier_parse_envelope (tx->envelope, NULL, NULL, NULL);
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
gboolean
cw_verifier_revoked_before (GHashTable *revokes,
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
  g_autoptr(GHashTable) by_id = cw_verifier_index_local (local_txs);
  g_autoptr(GHashTable) revokes = cw_verifier_index_revokes (local_txs, FALSE);

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);
      CwStoreTx *local = g_hash_table_lookup (by_id, item->id);
      CwEvidence evidence = { 0 };

      evidence.checkpoint = listing->checkpoint;
      evidence.envelope = item->envelope;
      evidence.tx_id = item->id;
      cw_evidence_set_index (&evidence, item->index);

      if (local == NULL || local->type != CW_TX_TYPE_GRANT ||
          !same_payload (local->envelope, item->envelope))
        return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_FORGED_GRANT,
                                 _("The node lists a grant %s that you never signed."), item->id);

      if (cw_verifier_revoked_before (revokes, item->id, G_MAXUINT64))
        return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_REVOKED_GRANT,
                                 _("The node lists as active a grant you revoked (%s): it is hiding your "
                                   "revocation."), item->id);
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
  g_autoptr(GHashTable) revokes = cw_verifier_index_revokes (local_txs, TRUE);

  g_return_val_if_fail (CW_IS_VERIFIER (self), FALSE);

  for (guint i = 0; i < listing->items->len; i++)
    g_hash_table_add (listed, ((CwNodeListItem *) g_ptr_array_index (listing->items, i))->id);

  for (guint i = 0; local_txs != NULL && i < local_txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (local_txs, i);
      g_autoptr(CwTx) grant = NULL;
      CwEvidence evidence = { 0 };

      if (tx->type != CW_TX_TYPE_GRANT || tx->state != CW_STORE_TX_CONFIRMED ||
          tx->log_index < 0 || (guint64) tx->log_index >= size ||
          g_hash_table_contains (listed, tx->id) || g_hash_table_contains (revokes, tx->id))
        continue;
      grant = cw_verifier_parse_envelope (tx->envelope, NULL, NULL, NULL);
      if (grant == NULL || g_date_time_to_unix (cw_tx_get_expires (grant)) <= active_until)
        continue;

      evidence.checkpoint = listing->checkpoint;
      evidence.local_envelope = tx->envelope;
      evidence.receipt = tx->receipt;
      evidence.tx_id = tx->id;
      cw_evidence_set_index (&evidence, (guint64) tx->log_index);
      return cw_verifier_fail (&evidence, evidence_out, error, CW_VERIFIER_ERROR_HIDDEN_GRANT,
                               _("The node does not list your active grant to “%s” (%s): it is hiding who "
                                 "may read your records."), cw_tx_get_provider (grant), tx->id);
    }

  return TRUE;
}

