/* cw-wallet-private.h: what cw-wallet.c (object, enroll, export) and
 * cw-wallet-ops.c (transactions, flush, sync) share. Not for callers. */
#pragma once

#include "cw-record-list.h"
#include "cw-verifier.h"
#include "cw-wallet.h"

G_BEGIN_DECLS

struct _CwWallet
{
  GObject parent_instance;

  char *store_path;
  CwWalletStore *store;
  CwKeyring *keyring;
  CwNodeClientFlags client_flags;
  guint max_retries;
  guint request_deadline;  /* seconds; 0 for the client's default */
  GMainContext *context;       /* where signals are emitted */
  GMutex op_lock;              /* one operation's worker at a time */
  CwStoreIdentity *identity;   /* cached; changed on the main context only */
  guint flush_source;
  guint flush_interval;
  guint flush_backoff;
  gboolean flush_running;
  /* The list models (cw-wallet-models.c), made on first use. */
  CwRecordList *grant_model;
  CwRecordList *request_model;
  CwRecordList *activity_model;
  CwRecordList *provider_model;
  gint models_wanted;          /* atomic */
};

/* Raises an alert in the store and emits "alert-raised" on the wallet's
 * context. Callable from any thread. */
void          cw_wallet_raise_alert        (CwWallet        *self,
                                            const GError    *error,
                                            GBytes          *evidence);

/* A node client bound to a new context pushed on the calling worker
 * thread; cw_wallet_worker_end() pops it. */
typedef struct {
  GMainContext *context;
  CwNodeClient *client;
  CwVerifier *verifier;
  CwNodeProfile *profile;
} CwWalletWorker;

gboolean      cw_wallet_worker_begin       (CwWallet        *self,
                                            CwWalletWorker  *worker,
                                            const CwNodeProfile *profile,
                                            GError         **error);
void          cw_wallet_worker_end         (CwWalletWorker  *worker);
/* Waits on the worker's context for an async call made with
 * cw_wallet_worker_wait_cb and @result_out as user data. */
void          cw_wallet_worker_wait_cb     (GObject         *source,
                                            GAsyncResult    *result,
                                            gpointer         user_data);
GAsyncResult *cw_wallet_worker_wait        (CwWalletWorker  *worker,
                                            GAsyncResult   **result_out);

/* Asks the node for its witness set (cw-wallet-witness-set.c) and moves
 * the store and @worker (profile, verifier) to it when it is newer and
 * signed by the log and a quorum of the current witnesses; a set that
 * fails, or an older one, raises an alert (CW_WALLET_ERROR_VERIFICATION).
 * The set in use, or none (404), changes nothing. */
gboolean      cw_wallet_update_witness_set (CwWallet        *self,
                                            CwWalletWorker  *worker,
                                            GCancellable    *cancellable,
                                            GError         **error);

/* Submits @tx's envelope, verifies the receipt and its checkpoint against
 * the store's latest, and records the outcome. FALSE with a transient
 * CW_NODE_CLIENT_ERROR leaves the transaction as it was. */
gboolean      cw_wallet_submit_one         (CwWallet        *self,
                                            CwWalletWorker  *worker,
                                            CwStoreTx       *tx,
                                            GCancellable    *cancellable,
                                            GError         **error);

/* What a confirmed transaction changes in the grant, request and identity
 * records (grants, revokes, answers to requests, rotations). */
gboolean      cw_wallet_apply_confirmed    (CwWallet        *self,
                                            CwStoreTx       *stored,
                                            guint64          index,
                                            GError         **error);

/* Reloads the list models from the store (one query per list) and
 * updates them in place on the wallet's context; nothing while no model
 * was asked for. Callable from any thread. */
void          cw_wallet_models_refresh     (CwWallet        *self);
void          cw_wallet_models_clear       (CwWallet        *self);

/* Closes and deletes the store file, then opens a fresh one (enrollment and
 * restore are all or nothing). */
void          cw_wallet_reset_store        (CwWallet        *self);

/* Walks a patient chain, @envelopes (DSSE JSON) in seq order from enroll:
 * each hashes to @ids[i] (unless @ids is %NULL), has seq i, the previous ID
 * as prev, names @patient_id and is signed by the patient's key of its time
 * (the enrollment key, then each rotation's new key; a rotation may also be
 * signed by the recovery key). CW_VERIFIER_ERROR on failure; @current_key
 * gets the key at the head. */
gboolean      cw_wallet_check_chain        (const char      *patient_id,
                                            GPtrArray       *envelopes,
                                            GPtrArray       *ids,
                                            guint8           current_key[CW_PUBLIC_KEY_SIZE],
                                            GError         **error);

/* Fetches the chain of @patient_id with @key (which must be its current
 * key), verifies it (checkpoints, inclusion proofs, signatures, links) and
 * stores it, with @profile and the identity it gives, in one store batch:
 * all or nothing. @identity_out gets the stored identity. */
gboolean      cw_wallet_restore_chain      (CwWallet        *self,
                                            CwWalletWorker  *worker,
                                            const char      *patient_id,
                                            CwSigningKey    *key,
                                            const CwNodeProfile *profile,
                                            CwStoreIdentity **identity_out,
                                            GCancellable    *cancellable,
                                            GError         **error);

G_END_DECLS
