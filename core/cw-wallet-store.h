/* cw-wallet-store.h: the wallet's one SQLite database (DESIGN.md "Storage"):
 * public identity, node configuration, the outbox and history of the
 * patient's own transactions with the local chain head, grants, providers,
 * requests, access events, verified checkpoints and alerts.
 *
 * It never holds secret key material: only public keys, signed envelopes and
 * what the node told us. The file is created with mode 0600, runs in WAL mode
 * with synchronous=FULL and foreign keys on, and is migrated forward with
 * PRAGMA user_version; a file written by a newer schema is refused.
 *
 * Threads: the API is synchronous (a local file). The engine calls it from
 * one worker thread at a time; every call also takes an internal mutex, so
 * a second thread waits rather than corrupting state. Records returned are
 * copies owned by the caller. Functions that find no row return %NULL
 * without setting an error, except where a NOT_FOUND error is documented.
 */
#pragma once

#include <gio/gio.h>

#include "cw-node-profile.h"
#include "cw-tx.h"

G_BEGIN_DECLS

#define CW_WALLET_STORE_ERROR (cw_wallet_store_error_quark ())

typedef enum {
  CW_WALLET_STORE_ERROR_OPEN,        /* the file could not be opened or created */
  CW_WALLET_STORE_ERROR_TOO_NEW,     /* written by a newer version of the schema */
  CW_WALLET_STORE_ERROR_CORRUPT,     /* not a wallet database, or damaged */
  CW_WALLET_STORE_ERROR_INVALID,     /* an argument or envelope the store refuses */
  CW_WALLET_STORE_ERROR_CHAIN,       /* seq/prev do not extend the local chain head */
  CW_WALLET_STORE_ERROR_NOT_FOUND,   /* no such row */
  CW_WALLET_STORE_ERROR_STATE,       /* the row's state does not allow the change */
  CW_WALLET_STORE_ERROR_CHECKPOINT,  /* older than, or forking from, the latest verified */
  CW_WALLET_STORE_ERROR_FAILED,      /* SQLite failed: disk full, I/O error, ... */
} CwWalletStoreError;

/* The current schema version, stored in PRAGMA user_version. */
#define CW_WALLET_STORE_SCHEMA_VERSION 5

typedef enum {
  CW_STORE_TX_QUEUED,     /* signed and in the outbox, not yet sent */
  CW_STORE_TX_SENT,       /* sent at least once, no answer yet */
  CW_STORE_TX_CONFIRMED,  /* the node answered with a receipt */
  CW_STORE_TX_REJECTED,   /* the node refused it, or an earlier one */
} CwStoreTxState;

/* Public parts of the identity; keys and IDs are standard base64. */
typedef struct {
  char   *patient_id;    /* the enrollment public key */
  char   *public_key;    /* the current signing public key */
  char   *recovery_key;  /* the recovery public key */
  char   *clinic;        /* the enrolling clinic's provider ID */
  gint64  enrolled;      /* Unix time */
} CwStoreIdentity;

/* One of the patient's own transactions. */
typedef struct {
  char           *id;         /* transaction ID, base64 */
  guint64         seq;
  char           *prev;       /* base64, %NULL for enroll */
  CwTxType        type;
  char           *envelope;   /* the DSSE envelope JSON, as sent */
  CwStoreTxState  state;
  char           *receipt;    /* tlog-proof text once confirmed */
  gint64          log_index;  /* -1 until confirmed */
  char           *error;      /* why it was rejected */
  guint           attempts;   /* times it was sent */
  gint64          created;    /* Unix times */
  gint64          updated;
} CwStoreTx;

typedef struct {
  char      *id;          /* the grant transaction's ID, base64 */
  char      *provider;
  CwScopes   scopes;
  CwPurpose  purpose;
  CwAccess   access;
  char      *data_from;   /* "YYYY-MM-DD" or %NULL */
  char      *data_to;
  gint64     time;        /* Unix time of the grant */
  gint64     expires;
  char      *request_id;  /* the request it answers, or %NULL */
  gint64     log_index;   /* -1 if not known yet */
  char      *revoked_by;  /* ID of the revoke transaction, or %NULL */
  char      *envelope;    /* the patient-signed grant envelope */
} CwStoreGrant;

typedef struct {
  char   *id;
  char   *name;
  char   *organization;
  char   *kind;          /* practice, hospital, lab, ... */
  char   *public_key;    /* base64 */
  gint64  updated;       /* when we last fetched it */
} CwStoreProvider;

typedef enum {
  CW_STORE_REQUEST_PENDING,
  CW_STORE_REQUEST_APPROVED,
  CW_STORE_REQUEST_DENIED,
  CW_STORE_REQUEST_EXPIRED,
} CwStoreRequestState;

typedef struct {
  char                *id;         /* the request transaction's ID */
  char                *provider;
  CwScopes             scopes;
  CwPurpose            purpose;
  CwAccess             access;
  gint64               time;
  gint64               expires;
  char                *reason;
  CwStoreRequestState  state;
  char                *answer_id;  /* our grant or deny, or %NULL */
  char                *envelope;   /* the provider-signed request */
} CwStoreRequest;

typedef struct {
  char      *id;         /* the access transaction's ID */
  char      *provider;
  char      *grant_id;
  CwScopes   scopes;
  CwPurpose  purpose;
  gint64     time;
  gboolean   allowed;    /* what the node decided */
  gint64     log_index;
  char      *envelope;   /* the provider-signed access event */
  /* Its inclusion receipt, a tlog-proof bundle. It is saved either as
   * that text, or as its parts: the proof's @n_proof hashes end to end in
   * @proof and the checkpoint note @note_id of
   * cw_wallet_store_add_receipt_note() (@receipt %NULL), which stores each
   * note once. Either way it is read back as @receipt. */
  char      *receipt;
  guint8    *proof;
  guint      n_proof;
  gint64     note_id;
} CwStoreAccessEvent;

typedef struct {
  guint64  size;
  guint8   root[32];
  char    *note;      /* the signed checkpoint note with cosignatures */
  gint64   verified;  /* Unix time */
} CwStoreCheckpoint;

typedef struct {
  gint64   id;
  char    *kind;          /* e.g. "inconsistent-checkpoint", "hidden-revoke" */
  char    *message;       /* for the patient */
  GBytes  *evidence;      /* checkpoints, proofs, envelopes; may be %NULL */
  gint64   created;
  gint64   acknowledged;  /* Unix time, 0 while unacknowledged */
} CwStoreAlert;

GQuark              cw_wallet_store_error_quark       (void);

const char         *cw_store_tx_state_to_string       (CwStoreTxState       state);

void                cw_store_identity_free            (CwStoreIdentity     *identity);
void                cw_store_tx_free                  (CwStoreTx           *tx);
void                cw_store_grant_free               (CwStoreGrant        *grant);
void                cw_store_provider_free            (CwStoreProvider     *provider);
void                cw_store_request_free             (CwStoreRequest      *request);
void                cw_store_access_event_free        (CwStoreAccessEvent  *event);
void                cw_store_checkpoint_free          (CwStoreCheckpoint   *checkpoint);
void                cw_store_alert_free               (CwStoreAlert        *alert);

#define CW_TYPE_WALLET_STORE (cw_wallet_store_get_type ())

G_DECLARE_FINAL_TYPE (CwWalletStore, cw_wallet_store, CW, WALLET_STORE, GObject)

/* Opens or creates the database at @path (parent folders made with 0700)
 * and migrates it to CW_WALLET_STORE_SCHEMA_VERSION. */
CwWalletStore      *cw_wallet_store_new               (const char          *path,
                                                       GError             **error);
const char         *cw_wallet_store_get_path          (CwWalletStore       *self);
/* Checkpoints the WAL and closes the file; later calls fail. Also done on
 * finalize. */
void                cw_wallet_store_close             (CwWalletStore       *self);

/* A batch: every call between begin and commit, from the calling thread,
 * lands in one SQLite transaction (other threads wait); a failed call
 * inside leaves the batch to be rolled back as a whole. */
gboolean            cw_wallet_store_batch_begin       (CwWalletStore       *self,
                                                       GError             **error);
gboolean            cw_wallet_store_batch_commit      (CwWalletStore       *self,
                                                       GError             **error);
void                cw_wallet_store_batch_rollback    (CwWalletStore       *self);

/* Identity and node configuration (one row each; set replaces). */
gboolean            cw_wallet_store_set_identity      (CwWalletStore       *self,
                                                       const CwStoreIdentity *identity,
                                                       GError             **error);
CwStoreIdentity    *cw_wallet_store_get_identity      (CwWalletStore       *self,
                                                       GError             **error);
gboolean            cw_wallet_store_set_node_profile   (CwWalletStore       *self,
                                                       const CwNodeProfile  *config,
                                                       GError             **error);
CwNodeProfile       *cw_wallet_store_get_node_profile   (CwWalletStore       *self,
                                                       GError             **error);

/* The outbox. Stores a signed patient transaction (DSSE envelope JSON) as
 * queued and advances the chain head to it in the same SQLite transaction.
 * Refused, with nothing changed, unless an identity is set, the payload
 * names its patient, and seq/prev extend the current head (seq 0 and no prev
 * when there is none). The signature is the caller's business. */
CwStoreTx          *cw_wallet_store_enqueue_transaction (CwWalletStore     *self,
                                                       const char          *envelope,
                                                       GError             **error);
/* The chain head; FALSE without error when there is none yet. */
gboolean            cw_wallet_store_get_chain_head    (CwWalletStore       *self,
                                                       guint64             *seq,
                                                       char               **id,
                                                       GError             **error);
/* Queued and sent transactions in seq order; every transaction with
 * @include_history. Elements are CwStoreTx. */
GPtrArray          *cw_wallet_store_list_transactions (CwWalletStore       *self,
                                                       gboolean             include_history,
                                                       GError             **error);
CwStoreTx          *cw_wallet_store_get_transaction   (CwWalletStore       *self,
                                                       const char          *id,
                                                       GError             **error);
/* queued/sent -> sent, counting the attempt. */
gboolean            cw_wallet_store_mark_sent         (CwWalletStore       *self,
                                                       const char          *id,
                                                       GError             **error);
/* queued/sent -> confirmed; confirming again with the same index is a no-op. */
gboolean            cw_wallet_store_mark_confirmed    (CwWalletStore       *self,
                                                       const char          *id,
                                                       const char          *receipt,
                                                       guint64              log_index,
                                                       GError             **error);
/* queued/sent -> rejected. Later queued or sent transactions cannot extend
 * the chain any more and are rejected with it; the head moves back to the
 * last transaction not rejected. */
gboolean            cw_wallet_store_mark_rejected     (CwWalletStore       *self,
                                                       const char          *id,
                                                       const char          *reason,
                                                       GError             **error);

/* Verified checkpoints. Refuses a size below the latest verified one, and
 * the same size with another root; the same checkpoint again replaces its
 * note (new cosignatures). */
gboolean            cw_wallet_store_record_checkpoint (CwWalletStore       *self,
                                                       guint64              size,
                                                       const guint8         root[32],
                                                       const char          *note,
                                                       GError             **error);
CwStoreCheckpoint  *cw_wallet_store_get_latest_checkpoint (CwWalletStore   *self,
                                                       GError             **error);

/* Alerts. */
gint64              cw_wallet_store_raise_alert       (CwWalletStore       *self,
                                                       const char          *kind,
                                                       const char          *message,
                                                       GBytes              *evidence,
                                                       GError             **error);
/* Newest first; CwStoreAlert elements. */
GPtrArray          *cw_wallet_store_list_alerts       (CwWalletStore       *self,
                                                       gboolean             include_acknowledged,
                                                       GError             **error);
gboolean            cw_wallet_store_acknowledge_alert (CwWalletStore       *self,
                                                       gint64               id,
                                                       GError             **error);

/* Notifications already shown, by the notifier's own IDs (for example
 * "request-<id>"): marking is idempotent; the list is a set of IDs. */
gboolean            cw_wallet_store_mark_notified     (CwWalletStore       *self,
                                                       const char          *id,
                                                       GError             **error);
GHashTable         *cw_wallet_store_list_notified     (CwWalletStore       *self,
                                                       GError             **error);

/* The version of the witness set the wallet took last (0: still the
 * invite's), and taking a newer one, already checked (cw-witness-set.h):
 * its quorum and keys replace the node profile's, and @note is kept, in
 * one transaction (cw-wallet-store-witness-set.c). */
gboolean            cw_wallet_store_get_witness_set_version (CwWalletStore *self,
                                                       guint64             *out_version,
                                                       GError             **error);
gboolean            cw_wallet_store_take_witness_set  (CwWalletStore       *self,
                                                       guint64              version,
                                                       guint                quorum,
                                                       const char * const  *witness_keys,
                                                       const char          *note,
                                                       GError             **error);

/* Grants, providers, requests and access events: insert or replace by ID. */
gboolean            cw_wallet_store_upsert_grant      (CwWalletStore       *self,
                                                       const CwStoreGrant  *grant,
                                                       GError             **error);
CwStoreGrant       *cw_wallet_store_get_grant         (CwWalletStore       *self,
                                                       const char          *id,
                                                       GError             **error);
/* By time of the grant. */
GPtrArray          *cw_wallet_store_list_grants       (CwWalletStore       *self,
                                                       GError             **error);
gboolean            cw_wallet_store_upsert_provider   (CwWalletStore       *self,
                                                       const CwStoreProvider *provider,
                                                       GError             **error);
CwStoreProvider    *cw_wallet_store_get_provider      (CwWalletStore       *self,
                                                       const char          *id,
                                                       GError             **error);
/* By name. */
GPtrArray          *cw_wallet_store_list_providers    (CwWalletStore       *self,
                                                       GError             **error);
gboolean            cw_wallet_store_upsert_request    (CwWalletStore       *self,
                                                       const CwStoreRequest *request,
                                                       GError             **error);
CwStoreRequest     *cw_wallet_store_get_request       (CwWalletStore       *self,
                                                       const char          *id,
                                                       GError             **error);
/* By time. */
GPtrArray          *cw_wallet_store_list_requests     (CwWalletStore       *self,
                                                       GError             **error);
/* A checkpoint note that receipts saved as parts refer to, stored once:
 * its ID, the same for the same text; -1 on error. */
gint64              cw_wallet_store_add_receipt_note  (CwWalletStore       *self,
                                                       const char          *note,
                                                       GError             **error);
gboolean            cw_wallet_store_upsert_access_event (CwWalletStore     *self,
                                                       const CwStoreAccessEvent *event,
                                                       GError             **error);
/* By log index. Without @with_receipts, the events' @receipt is left
 * %NULL, which spares formatting one per event (every stored event was
 * stored with its receipt). */
GPtrArray          *cw_wallet_store_list_access_events (CwWalletStore      *self,
                                                       gboolean            with_receipts,
                                                       GError             **error);
/* The highest log index of a stored access event, -1 if none (for ?after=). */
gint64              cw_wallet_store_get_last_access_index (CwWalletStore   *self,
                                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreIdentity, cw_store_identity_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreTx, cw_store_tx_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreGrant, cw_store_grant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreProvider, cw_store_provider_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreRequest, cw_store_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreAccessEvent, cw_store_access_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreCheckpoint, cw_store_checkpoint_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStoreAlert, cw_store_alert_free)

G_END_DECLS
