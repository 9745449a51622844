/* cw-wallet.h: the wallet engine's one service object (DESIGN.md, STYLE.md
 * §3). It owns the store, the keyring, the verifier and the node clients,
 * and runs every operation as _async/_finish: the keyring on the main
 * context, everything else (store, signing, node exchange, verification) in
 * a worker thread that drives its own node client, one operation at a time.
 *
 * Every patient transaction is signed with the key fetched from the keyring
 * (sodium memory, dropped right after signing), stored in the outbox in the
 * same SQLite transaction that advances the chain head, then sent; a
 * receipt is verified before the transaction counts as confirmed. A
 * definitive refusal marks it rejected; network trouble leaves it queued for
 * flush. Any failed check raises a persistent alert with its evidence and
 * emits "alert-raised"; nothing from a failed exchange is accepted.
 */
#pragma once

#include <gio/gio.h>

#include "cw-backup.h"
#include "cw-keyring.h"
#include "cw-node-client.h"
#include "cw-wallet-store.h"

G_BEGIN_DECLS

#define CW_WALLET_ERROR (cw_wallet_error_quark ())

typedef enum {
  CW_WALLET_ERROR_NOT_ENROLLED,      /* no identity yet */
  CW_WALLET_ERROR_ALREADY_ENROLLED,  /* enroll on a wallet with an identity */
  CW_WALLET_ERROR_REJECTED,          /* the node refused the transaction for good */
  CW_WALLET_ERROR_VERIFICATION,      /* a check failed; an alert was raised */
  CW_WALLET_ERROR_NOT_FOUND,         /* no such grant or request */
  CW_WALLET_ERROR_INVALID,           /* the arguments make no valid transaction */
} CwWalletError;

GQuark        cw_wallet_error_quark       (void);

#define CW_TYPE_WALLET (cw_wallet_get_type ())

G_DECLARE_FINAL_TYPE (CwWallet, cw_wallet, CW, WALLET, GObject)

/* Opens (or creates) the store at @store_path. Call before the main loop
 * runs; it reads one local file. */
CwWallet      *cw_wallet_new              (const char          *store_path,
                                           CwKeyring           *keyring,
                                           CwNodeClientFlags    client_flags,
                                           GError             **error);
CwWalletStore *cw_wallet_get_store        (CwWallet            *self);
CwKeyring     *cw_wallet_get_keyring      (CwWallet            *self);
/* Properties. */
gboolean       cw_wallet_get_enrolled     (CwWallet            *self);
const char    *cw_wallet_get_patient_id   (CwWallet            *self);
/* The list models (STYLE.md §8), updated in place after every sync and
 * operation: CwGrantItem (newest first), CwRequestItem (newest first),
 * CwActivityItem (access events and own transactions, newest first) and
 * CwProviderItem (by name). Made on first use, loaded in a worker thread;
 * main context only. Transfer none. */
GListModel    *cw_wallet_get_grants       (CwWallet            *self);
GListModel    *cw_wallet_get_requests     (CwWallet            *self);
GListModel    *cw_wallet_get_activity     (CwWallet            *self);
GListModel    *cw_wallet_get_providers    (CwWallet            *self);
/* Retries per node request (property "max-retries", default 4). */
void           cw_wallet_set_max_retries  (CwWallet            *self,
                                           guint                max_retries);

/* Generates the identity and recovery keys, stores the identity seed in the
 * keyring and submits the enroll transaction. Returns the recovery key's
 * seed as base32 in groups of four, to show once: it is stored nowhere.
 * On any failure nothing remains: no identity, no keyring item. */
void           cw_wallet_enroll_async     (CwWallet            *self,
                                           const CwNodeProfile *profile,
                                           const char          *clinic,
                                           const char          *invite,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char          *cw_wallet_enroll_finish    (CwWallet            *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* What a grant says; data_from/data_to/request_id may be %NULL. */
typedef struct {
  const char *provider;
  CwScopes    scopes;
  CwPurpose   purpose;
  CwAccess    access;
  const char *data_from;
  const char *data_to;
  GDateTime  *expires;
  const char *request_id;
} CwWalletGrantParams;

/* The transaction operations return the stored transaction: confirmed, or
 * queued/sent when the node could not be reached. */
void           cw_wallet_grant_async      (CwWallet            *self,
                                           const CwWalletGrantParams *params,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void           cw_wallet_revoke_async     (CwWallet            *self,
                                           const char          *grant_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* Approves request @params->request_id with the patient's (possibly
 * narrowed) scopes, purpose, access and period. */
void           cw_wallet_approve_request_async (CwWallet       *self,
                                           const CwWalletGrantParams *params,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void           cw_wallet_deny_request_async (CwWallet          *self,
                                           const char          *request_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* A new identity key into the keyring, then a rotate transaction signed by
 * the current key; the old keyring item is removed once it is confirmed. */
void           cw_wallet_rotate_key_async (CwWallet            *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* Finishes any of the five operations above. */
CwStoreTx     *cw_wallet_transaction_finish (CwWallet          *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* Sends the outbox in order until it is empty, the node is unreachable or a
 * transaction is refused. Returns how many were confirmed. */
void           cw_wallet_flush_async      (CwWallet            *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean       cw_wallet_flush_finish     (CwWallet            *self,
                                           GAsyncResult        *result,
                                           guint               *n_confirmed,
                                           GError             **error);

/* Fetches and verifies checkpoint, chain, grants, requests and access
 * events, then stores them in one go, or raises an alert and stores
 * nothing. */
void           cw_wallet_sync_async       (CwWallet            *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean       cw_wallet_sync_finish      (CwWallet            *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* The FHIR R4 Consent of grant @grant_id (base64), pretty JSON. */
void           cw_wallet_export_fhir_async  (CwWallet          *self,
                                           const char          *grant_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char          *cw_wallet_export_fhir_finish (CwWallet          *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* Takes over the identity in @backup on a wallet that has none: stores its
 * key in the keyring, then fetches the patient's chain from the node of the
 * backup's profile, verifies it (checkpoint, inclusion proofs, signatures,
 * seq/prev links, the key being the chain's current one) and stores it as
 * confirmed history with its grants. All or nothing, like enrollment. */
void           cw_wallet_restore_async    (CwWallet            *self,
                                           CwBackup            *backup,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean       cw_wallet_restore_finish   (CwWallet            *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* Re-verifies, without the node, everything the store keeps as evidence:
 * the local chain (IDs, signatures, seq/prev links), every receipt of a
 * confirmed transaction and access event against its checkpoint (log key,
 * quorum, inclusion), receipts of the latest checkpoint's size against its
 * root, and every grant against its confirmed transaction. A failure
 * raises an alert (CW_WALLET_ERROR_VERIFICATION); @n_checked gets the
 * number of records checked. */
void           cw_wallet_verify_async     (CwWallet            *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean       cw_wallet_verify_finish    (CwWallet            *self,
                                           GAsyncResult        *result,
                                           guint               *n_checked,
                                           GError             **error);

/* A timer on the wallet's main context that flushes the outbox, backing
 * off (with jitter) from @interval_s up to 10 minutes while the node is
 * unreachable. */
void           cw_wallet_start_background_flush (CwWallet      *self,
                                           guint                interval_s);
void           cw_wallet_stop_background_flush  (CwWallet      *self);

G_END_DECLS
