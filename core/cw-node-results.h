/* cw-node-results.h: what the node answers (docs/PROTOCOL.md §8), parsed
 * strictly into typed records: receipts, inclusion and consistency proofs,
 * the authenticated list shape (checkpoint, head, items, next), one logged
 * transaction, and provider directory entries.
 *
 * The parsers trust no type: every member is checked for its JSON type,
 * integers for range, base64 for canonical form and hash sizes, and unknown
 * or missing members are errors (CW_NODE_RESULTS_ERROR_MALFORMED). Envelopes
 * are kept as compact JSON text for cw-dsse.h to parse; nothing here
 * verifies a signature or a proof (cw-verifier.h does).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cw-wallet-store.h"

G_BEGIN_DECLS

#define CW_NODE_RESULTS_ERROR (cw_node_results_error_quark ())

typedef enum {
  CW_NODE_RESULTS_ERROR_MALFORMED,
} CwNodeResultsError;

GQuark          cw_node_results_error_quark   (void);

/* POST /v1/tx: {"id", "index", "proof"[, "outcome"]}. */
typedef struct {
  char    *id;       /* base64 transaction ID */
  guint64  index;
  char    *proof;    /* the tlog-proof bundle */
  char    *outcome;  /* "allowed"/"denied" for access, else %NULL */
} CwNodeReceipt;

typedef enum {
  CW_NODE_LIST_CHAIN,     /* "transactions", with seq and head */
  CW_NODE_LIST_GRANTS,    /* "grants" */
  CW_NODE_LIST_REQUESTS,  /* "requests" */
  CW_NODE_LIST_ACCESS,    /* "events", with outcome */
} CwNodeListKind;

typedef struct {
  char      *id;        /* base64 transaction ID */
  guint64    seq;       /* chain only */
  guint64    index;
  char      *outcome;   /* access only */
  char      *envelope;  /* compact JSON */
  /* The inclusion proof: @n_proof hashes of CW_MERKLE_HASH_SIZE bytes end
   * to end, RFC 9162 order (cw_merkle_verify_inclusion_flat(); as a
   * GPtrArray, cw_merkle_proof_new_from_flat()). */
  guint8    *proof;
  guint      n_proof;
} CwNodeListItem;

typedef struct {
  CwNodeListKind  kind;
  char           *checkpoint;  /* signed note */
  gboolean        has_head;    /* chain only */
  guint64         head_seq;
  char           *head_id;
  GPtrArray      *items;       /* CwNodeListItem */
  gboolean        has_next;
  guint64         next;
} CwNodeListing;

/* GET /v1/tx/<id>. */
typedef struct {
  char    *id;
  guint64  index;
  char    *status;
  char    *outcome;   /* access only */
  char    *envelope;
  char    *proof;     /* tlog-proof bundle */
} CwNodeTxRecord;

void            cw_node_receipt_free          (CwNodeReceipt    *receipt);
void            cw_node_list_item_free        (CwNodeListItem   *item);
void            cw_node_listing_free          (CwNodeListing    *listing);
void            cw_node_tx_record_free        (CwNodeTxRecord   *record);

CwNodeReceipt  *cw_node_receipt_parse         (GBytes           *body,
                                               GError          **error);
/* {"proof": [base64, ...]} as a GPtrArray of 32-byte GBytes. */
GPtrArray      *cw_node_proof_parse           (GBytes           *body,
                                               GError          **error);
CwNodeListing  *cw_node_listing_parse         (GBytes           *body,
                                               CwNodeListKind    kind,
                                               GError          **error);
CwNodeTxRecord *cw_node_tx_record_parse       (GBytes           *body,
                                               GError          **error);
/* One directory entry, or {"providers": [...], "truncated"}: CwStoreProvider
 * elements with updated = now. */
CwStoreProvider *cw_node_provider_parse       (GBytes           *body,
                                               GError          **error);
GPtrArray      *cw_node_provider_list_parse   (GBytes           *body,
                                               GError          **error);
/* {"error": {"code", "message"}[, "head": {"seq", "id"}]}; FALSE if the body
 * is not that shape. */
gboolean        cw_node_error_body_parse      (GBytes           *body,
                                               char            **code,
                                               char            **message,
                                               gboolean         *has_head,
                                               guint64          *head_seq,
                                               char            **head_id);

/* A listing item's envelope as text and its proof as JSON, for evidence. */
JsonNode       *cw_node_proof_to_json         (GPtrArray        *proof);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeReceipt, cw_node_receipt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeListItem, cw_node_list_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeListing, cw_node_listing_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeTxRecord, cw_node_tx_record_free)

G_END_DECLS
