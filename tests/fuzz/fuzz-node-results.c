/* fuzz-node-results.c: the node's answers as the wallet engine parses them
 * (core/cw-node-results.c): receipts, proof lists, the four authenticated
 * listings, one logged transaction, provider entries and lists, and error
 * bodies. The first input byte picks the parser, the rest is the body.
 *
 * Whatever a parser accepts must hold the shape docs/PROTOCOL.md §8 gives:
 * transaction IDs decode to 32 bytes, proof hashes are 32 bytes, pages hold
 * at most 1000 items, per-kind members are present exactly where the kind
 * has them, and envelopes are kept as JSON text that parses again. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-canonical-json.h"
#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-node-results.h"

enum {
  PICK_RECEIPT,
  PICK_PROOF,
  PICK_CHAIN,
  PICK_GRANTS,
  PICK_REQUESTS,
  PICK_ACCESS,
  PICK_TX,
  PICK_PROVIDER,
  PICK_PROVIDER_LIST,
  PICK_ERROR,
  N_PICKS,
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_id (const char *id)
{
  guint8 raw[32];

  FUZZ_ASSERT (id != NULL);
  FUZZ_ASSERT (cw_base64_decode_fixed (id, -1, raw, sizeof raw, NULL));
}

static void
check_proof (GPtrArray *proof)
{
  FUZZ_ASSERT (proof != NULL);
  for (guint i = 0; i < proof->len; i++)
    FUZZ_ASSERT (g_bytes_get_size (g_ptr_array_index (proof, i)) == 32);
}

/* A list item's proof: hashes end to end, no more than any tree needs. */
static void
check_flat_proof (const guint8 *hashes,
                  guint         n_hashes)
{
  FUZZ_ASSERT (n_hashes <= CW_MERKLE_MAX_PROOF_LENGTH);
  FUZZ_ASSERT ((hashes != NULL) == (n_hashes > 0));
}

static void
check_envelope_text (const char *envelope)
{
  g_autoptr(JsonNode) again = NULL;

  /* Kept as text for cw-dsse.h: it must still be one JSON object. */
  FUZZ_ASSERT (envelope != NULL);
  again = cw_canonical_json_parse_strict ((const guint8 *) envelope, strlen (envelope), NULL);
  FUZZ_ASSERT (again != NULL && JSON_NODE_HOLDS_OBJECT (again));
}

static void
check_listing (CwNodeListing  *listing,
               CwNodeListKind  kind)
{
  FUZZ_ASSERT (listing->kind == kind);
  FUZZ_ASSERT (listing->checkpoint != NULL);
  FUZZ_ASSERT (listing->items != NULL && listing->items->len <= 1000);
  if (kind != CW_NODE_LIST_CHAIN)
    FUZZ_ASSERT (!listing->has_head);
  if (listing->has_head)
    check_id (listing->head_id);

  for (guint i = 0; i < listing->items->len; i++)
    {
      CwNodeListItem *item = g_ptr_array_index (listing->items, i);

      check_id (item->id);
      check_flat_proof (item->proof, item->n_proof);
      check_envelope_text (item->envelope);
      FUZZ_ASSERT ((kind == CW_NODE_LIST_ACCESS) == (item->outcome != NULL));
      if (item->outcome != NULL)
        FUZZ_ASSERT (g_str_equal (item->outcome, "allowed") || g_str_equal (item->outcome, "denied"));
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  guint pick;

  if (size < 1)
    return 0;

  pick = data[0] % N_PICKS;
  body = g_bytes_new (data + 1, size - 1);

  switch (pick)
    {
    case PICK_RECEIPT:
      {
        g_autoptr(CwNodeReceipt) receipt = cw_node_receipt_parse (body, &error);

        FUZZ_ASSERT ((receipt == NULL) == (error != NULL));
        if (receipt != NULL)
          {
            check_id (receipt->id);
            FUZZ_ASSERT (receipt->proof != NULL);
            if (receipt->outcome != NULL)
              FUZZ_ASSERT (g_str_equal (receipt->outcome, "allowed") ||
                           g_str_equal (receipt->outcome, "denied"));
          }
        break;
      }

    case PICK_PROOF:
      {
        g_autoptr(GPtrArray) proof = cw_node_proof_parse (body, &error);

        FUZZ_ASSERT ((proof == NULL) == (error != NULL));
        if (proof != NULL)
          {
            g_autoptr(JsonNode) json = NULL;

            check_proof (proof);
            json = cw_node_proof_to_json (proof);
            FUZZ_ASSERT (JSON_NODE_HOLDS_ARRAY (json));
            FUZZ_ASSERT (json_array_get_length (json_node_get_array (json)) == proof->len);
          }
        break;
      }

    case PICK_CHAIN:
    case PICK_GRANTS:
    case PICK_REQUESTS:
    case PICK_ACCESS:
      {
        static const CwNodeListKind kinds[] = {
          CW_NODE_LIST_CHAIN, CW_NODE_LIST_GRANTS, CW_NODE_LIST_REQUESTS, CW_NODE_LIST_ACCESS,
        };
        CwNodeListKind kind = kinds[pick - PICK_CHAIN];
        g_autoptr(CwNodeListing) listing = cw_node_listing_parse (body, kind, &error);

        FUZZ_ASSERT ((listing == NULL) == (error != NULL));
        if (listing != NULL)
          check_listing (listing, kind);
        break;
      }

    case PICK_TX:
      {
        g_autoptr(CwNodeTxRecord) record = cw_node_tx_record_parse (body, &error);

        FUZZ_ASSERT ((record == NULL) == (error != NULL));
        if (record != NULL)
          {
            check_id (record->id);
            FUZZ_ASSERT (record->status != NULL && record->proof != NULL);
            check_envelope_text (record->envelope);
          }
        break;
      }

    case PICK_PROVIDER:
      {
        g_autoptr(CwStoreProvider) provider = cw_node_provider_parse (body, &error);

        FUZZ_ASSERT ((provider == NULL) == (error != NULL));
        if (provider != NULL)
          FUZZ_ASSERT (provider->id != NULL && provider->name != NULL &&
                       provider->organization != NULL && provider->kind != NULL &&
                       provider->public_key != NULL);
        break;
      }

    case PICK_PROVIDER_LIST:
      {
        g_autoptr(GPtrArray) providers = cw_node_provider_list_parse (body, &error);

        FUZZ_ASSERT ((providers == NULL) == (error != NULL));
        if (providers != NULL)
          for (guint i = 0; i < providers->len; i++)
            {
              CwStoreProvider *provider = g_ptr_array_index (providers, i);

              FUZZ_ASSERT (provider->id != NULL && provider->public_key != NULL);
            }
        break;
      }

    case PICK_ERROR:
      {
        g_autofree char *code = NULL;
        g_autofree char *message = NULL;
        g_autofree char *head_id = NULL;
        gboolean has_head = FALSE;
        guint64 head_seq = 0;

        if (cw_node_error_body_parse (body, &code, &message, &has_head, &head_seq, &head_id))
          {
            FUZZ_ASSERT (code != NULL && message != NULL);
            if (has_head)
              check_id (head_id);
            else
              FUZZ_ASSERT (head_id == NULL);
          }
        break;
      }

    default:
      g_assert_not_reached ();
    }

  return 0;
}
