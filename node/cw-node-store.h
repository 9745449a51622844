/* cw-node-store.h: the node's storage interface. The sequencer, server and
 * admin commands see only this; SQLite (cw-node-store-sqlite) is one
 * implementation, and another backend (PostgreSQL) implements the same
 * vfuncs without touching its callers. */
#pragma once

#include <gio/gio.h>

#include "cw-node-provider.h"
#include "cw-node-records.h"

G_BEGIN_DECLS

#define CW_NODE_STORE_ERROR (cw_node_store_error_quark ())

typedef enum {
  CW_NODE_STORE_ERROR_FAILED,      /* the backend failed (I/O, locked, full) */
  CW_NODE_STORE_ERROR_NOT_FOUND,   /* no such row */
  CW_NODE_STORE_ERROR_EXISTS,      /* a unique value is taken */
  CW_NODE_STORE_ERROR_CORRUPT,     /* stored data breaks an invariant */
  CW_NODE_STORE_ERROR_VERSION,     /* written by a newer consent-node */
  CW_NODE_STORE_ERROR_CONFLICT,    /* would contradict the stored log */
} CwNodeStoreError;

#define CW_NODE_STORE_HASH_SIZE 32

/* What cw_node_store_list_patient_transactions() lists. */
typedef enum {
  CW_NODE_LIST_CHAIN,
  CW_NODE_LIST_GRANTS,
  CW_NODE_LIST_REQUESTS,
  CW_NODE_LIST_ACCESS,
} CwNodeListKind;

#define CW_TYPE_NODE_STORE (cw_node_store_get_type ())

G_DECLARE_INTERFACE (CwNodeStore, cw_node_store, CW, NODE_STORE, GObject)

struct _CwNodeStoreInterface
{
  GTypeInterface parent_iface;

  /* The log's identity, written once by initialize(). */
  gboolean        (*initialize)            (CwNodeStore     *self,
                                            const char      *origin,
                                            const guint8     empty_root[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  char           *(*dup_origin)            (CwNodeStore     *self,
                                            GError         **error);

  /* Provider directory. Removed providers keep their ID and key reserved. */
  gboolean        (*add_provider)          (CwNodeStore     *self,
                                            CwNodeProvider  *provider,
                                            GError         **error);
  gboolean        (*remove_provider)       (CwNodeStore     *self,
                                            const char      *id,
                                            gint64           now,
                                            GError         **error);
  CwNodeProvider *(*lookup_provider)       (CwNodeStore     *self,
                                            const char      *id,
                                            GError         **error);
  /* @folded_query is case-folded already; %NULL lists all. Ordered by name. */
  GPtrArray      *(*search_providers)      (CwNodeStore     *self,
                                            const char      *folded_query,
                                            guint            limit,
                                            GError         **error);
  gboolean        (*count_providers)       (CwNodeStore     *self,
                                            guint64         *out_count,
                                            GError         **error);

  /* One-time enrollment codes; only their SHA-256 is ever stored. */
  gboolean        (*add_invite)            (CwNodeStore     *self,
                                            const guint8     code_hash[CW_NODE_STORE_HASH_SIZE],
                                            const char      *provider_id,
                                            gint64           created,
                                            gint64           expires,
                                            GError         **error);
  gboolean        (*count_pending_invites) (CwNodeStore     *self,
                                            gint64           now,
                                            guint64         *out_count,
                                            GError         **error);

  /* The Merkle tree as last committed (see cw-log-tree.h "Storage layout"). */
  gboolean        (*get_tree_head)         (CwNodeStore     *self,
                                            guint64         *out_size,
                                            guint8           out_root[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  /* The stored hashes of the committed tree, concatenated, for
   * cw_log_tree_new_from_stored(). */
  GBytes         *(*load_tree_hashes)      (CwNodeStore     *self,
                                            guint64         *out_size,
                                            GError         **error);

  /* Signed checkpoints, never for a size below the latest one. */
  gboolean        (*add_checkpoint)        (CwNodeStore     *self,
                                            guint64          size,
                                            const guint8     root[CW_NODE_STORE_HASH_SIZE],
                                            const char      *signed_note,
                                            gint64           created,
                                            GError         **error);
  /* %NULL without an error when none was signed yet. */
  char           *(*dup_latest_checkpoint) (CwNodeStore     *self,
                                            guint64         *out_size,
                                            GError         **error);

  /* A new handle on the same storage, for another thread: one handle is
   * never used by two threads at once while it holds a transaction. */
  CwNodeStore    *(*open_another)          (CwNodeStore     *self,
                                            GError         **error);

  /* Consent state as last committed, for the rules. Each fails with
   * CW_NODE_STORE_ERROR_NOT_FOUND when there is no such row. */
  CwNodePatient  *(*lookup_patient)        (CwNodeStore     *self,
                                            const char      *patient_id,
                                            GError         **error);
  CwNodeInvite   *(*lookup_invite)         (CwNodeStore     *self,
                                            const guint8     code_hash[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  CwNodeGrant    *(*lookup_grant)          (CwNodeStore     *self,
                                            const guint8     id[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  CwNodeRequest  *(*lookup_request)        (CwNodeStore     *self,
                                            const guint8     id[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  /* The logged transaction with this ID, envelope included. */
  CwNodeTxRecord *(*lookup_transaction)    (CwNodeStore     *self,
                                            const guint8     id[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  /* Leaf data (transaction IDs) of entries [@start, @start + @count),
   * concatenated; fails unless all of them are logged. */
  GBytes         *(*read_entries)          (CwNodeStore     *self,
                                            guint64          start,
                                            guint64          count,
                                            GError         **error);

  /* One batch in one transaction: tree hashes, tree head, transactions and
   * consent state. Fails with CW_NODE_STORE_ERROR_CONFLICT, changing
   * nothing, unless the committed tree has exactly @batch->old_size. */
  gboolean        (*commit_batch)          (CwNodeStore     *self,
                                            CwNodeBatch     *batch,
                                            GError         **error);

  /* Signed checkpoints with every cosignature stored for them appended.
   * dup_checkpoint_covering() gives the earliest one whose tree holds
   * entry @index: the one its receipt was first made with. */
  char           *(*dup_checkpoint)        (CwNodeStore     *self,
                                            guint64          size,
                                            GError         **error);
  char           *(*dup_checkpoint_covering) (CwNodeStore   *self,
                                              guint64        index,
                                              guint64       *out_size,
                                              GError       **error);
  /* Stores a witness's cosignature line ("— <name> <base64>", no newline)
   * for the checkpoint of @size; a witness's later line replaces its
   * earlier one for the same checkpoint. */
  gboolean        (*add_cosignature)       (CwNodeStore     *self,
                                            guint64          size,
                                            const char      *witness,
                                            const char      *line,
                                            gint64           time,
                                            GError         **error);

  /* Authenticated reads (PROTOCOL.md §8). A patient's logged transactions
   * of @kind (CwNodeTxRecord), only entries below @max_index (the published
   * tree size), at most @limit: CHAIN in seq order from seq @start; the
   * others in log order from index @start. GRANTS are active at @now (not
   * expired, not revoked below @max_index), REQUESTS pending at @now. */
  GPtrArray      *(*list_patient_transactions) (CwNodeStore  *self,
                                                CwNodeListKind kind,
                                                const char   *patient_id,
                                                guint64       start,
                                                guint64       max_index,
                                                gint64        now,
                                                guint         limit,
                                                GError      **error);
  /* The last transaction of the patient's chain below @max_index. */
  gboolean        (*get_chain_head)        (CwNodeStore     *self,
                                            const char      *patient_id,
                                            guint64          max_index,
                                            guint64         *out_seq,
                                            guint8           out_id[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  /* Whose key has this DSSE key ID: a patient's current key or a listed
   * provider's key. Returns the patient or provider ID. */
  char           *(*lookup_key_owner)      (CwNodeStore     *self,
                                            const char      *key_id,
                                            gboolean        *out_is_patient,
                                            guint8           out_public_key[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
  /* RFC 9421 replay cache: records (@key_id, @nonce) until @expires and
   * drops entries expired at @now. *@out_fresh is FALSE if the pair was
   * recorded already and has not expired. Durable once it returns. */
  gboolean        (*remember_nonce)        (CwNodeStore     *self,
                                            const char      *key_id,
                                            const char      *nonce,
                                            gint64           expires,
                                            gint64           now,
                                            gboolean        *out_fresh,
                                            GError         **error);
  /* The patient whose current recovery key is @recovery_key (it follows
   * rotations that set a new one); CW_NODE_STORE_ERROR_NOT_FOUND if none. */
  char           *(*lookup_recovery_patient) (CwNodeStore   *self,
                                            const guint8     recovery_key[CW_NODE_STORE_HASH_SIZE],
                                            GError         **error);
};

GQuark          cw_node_store_error_quark          (void);

gboolean        cw_node_store_initialize            (CwNodeStore     *self,
                                                     const char      *origin,
                                                     const guint8     empty_root[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
char           *cw_node_store_dup_origin            (CwNodeStore     *self,
                                                     GError         **error);
gboolean        cw_node_store_add_provider          (CwNodeStore     *self,
                                                     CwNodeProvider  *provider,
                                                     GError         **error);
gboolean        cw_node_store_remove_provider       (CwNodeStore     *self,
                                                     const char      *id,
                                                     gint64           now,
                                                     GError         **error);
CwNodeProvider *cw_node_store_lookup_provider       (CwNodeStore     *self,
                                                     const char      *id,
                                                     GError         **error);
GPtrArray      *cw_node_store_search_providers      (CwNodeStore     *self,
                                                     const char      *folded_query,
                                                     guint            limit,
                                                     GError         **error);
gboolean        cw_node_store_count_providers       (CwNodeStore     *self,
                                                     guint64         *out_count,
                                                     GError         **error);
gboolean        cw_node_store_add_invite            (CwNodeStore     *self,
                                                     const guint8     code_hash[CW_NODE_STORE_HASH_SIZE],
                                                     const char      *provider_id,
                                                     gint64           created,
                                                     gint64           expires,
                                                     GError         **error);
gboolean        cw_node_store_count_pending_invites (CwNodeStore     *self,
                                                     gint64           now,
                                                     guint64         *out_count,
                                                     GError         **error);
gboolean        cw_node_store_get_tree_head         (CwNodeStore     *self,
                                                     guint64         *out_size,
                                                     guint8           out_root[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
GBytes         *cw_node_store_load_tree_hashes      (CwNodeStore     *self,
                                                     guint64         *out_size,
                                                     GError         **error);
gboolean        cw_node_store_add_checkpoint        (CwNodeStore     *self,
                                                     guint64          size,
                                                     const guint8     root[CW_NODE_STORE_HASH_SIZE],
                                                     const char      *signed_note,
                                                     gint64           created,
                                                     GError         **error);
char           *cw_node_store_dup_latest_checkpoint (CwNodeStore     *self,
                                                     guint64         *out_size,
                                                     GError         **error);

CwNodeStore    *cw_node_store_open_another          (CwNodeStore     *self,
                                                     GError         **error);
CwNodePatient  *cw_node_store_lookup_patient        (CwNodeStore     *self,
                                                     const char      *patient_id,
                                                     GError         **error);
CwNodeInvite   *cw_node_store_lookup_invite         (CwNodeStore     *self,
                                                     const guint8     code_hash[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
CwNodeGrant    *cw_node_store_lookup_grant          (CwNodeStore     *self,
                                                     const guint8     id[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
CwNodeRequest  *cw_node_store_lookup_request        (CwNodeStore     *self,
                                                     const guint8     id[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
CwNodeTxRecord *cw_node_store_lookup_transaction    (CwNodeStore     *self,
                                                     const guint8     id[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
GBytes         *cw_node_store_read_entries          (CwNodeStore     *self,
                                                     guint64          start,
                                                     guint64          count,
                                                     GError         **error);
gboolean        cw_node_store_commit_batch          (CwNodeStore     *self,
                                                     CwNodeBatch     *batch,
                                                     GError         **error);
char           *cw_node_store_dup_checkpoint        (CwNodeStore     *self,
                                                     guint64          size,
                                                     GError         **error);
char           *cw_node_store_dup_checkpoint_covering (CwNodeStore   *self,
                                                       guint64        index,
                                                       guint64       *out_size,
                                                       GError       **error);
gboolean        cw_node_store_add_cosignature       (CwNodeStore     *self,
                                                     guint64          size,
                                                     const char      *witness,
                                                     const char      *line,
                                                     gint64           time,
                                                     GError         **error);
GPtrArray      *cw_node_store_list_patient_transactions (CwNodeStore   *self,
                                                         CwNodeListKind kind,
                                                         const char    *patient_id,
                                                         guint64        start,
                                                         guint64        max_index,
                                                         gint64         now,
                                                         guint          limit,
                                                         GError       **error);
gboolean        cw_node_store_get_chain_head        (CwNodeStore     *self,
                                                     const char      *patient_id,
                                                     guint64          max_index,
                                                     guint64         *out_seq,
                                                     guint8           out_id[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
char           *cw_node_store_lookup_key_owner      (CwNodeStore     *self,
                                                     const char      *key_id,
                                                     gboolean        *out_is_patient,
                                                     guint8           out_public_key[CW_NODE_STORE_HASH_SIZE],
                                                     GError         **error);
gboolean        cw_node_store_remember_nonce        (CwNodeStore     *self,
                                                     const char      *key_id,
                                                     const char      *nonce,
                                                     gint64           expires,
                                                     gint64           now,
                                                     gboolean        *out_fresh,
                                                     GError         **error);

char           *cw_node_store_lookup_recovery_patient (CwNodeStore   *self,
                                                       const guint8   recovery_key[CW_NODE_STORE_HASH_SIZE],
                                                       GError       **error);

G_END_DECLS
