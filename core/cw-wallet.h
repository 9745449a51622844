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
#include "cw-enrollment.h"
#include "cw-invite.h"
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
  CW_WALLET_ERROR_INVALID_INVITE,    /* the invite's clinic is unknown, or it was not opened */
  CW_WALLET_ERROR_WRONG_NODE,        /* the invite or profile names another node or log key */
  CW_WALLET_ERROR_RESTORE_INCOMPLETE, /* a recovery moved the identity to a new key (kept in
                                       * the keyring, its code in the message) but the
                                       * history was not restored: run it again */
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
 * main context only. Transfer none. Also the read-only properties
 * "grants", "requests", "activity" and "providers" (the same objects). */
GListModel    *cw_wallet_get_grants       (CwWallet            *self);
GListModel    *cw_wallet_get_requests     (CwWallet            *self);
GListModel    *cw_wallet_get_activity     (CwWallet            *self);
GListModel    *cw_wallet_get_providers    (CwWallet            *self);
/* Retries per node request (property "max-retries", default 4). */
void           cw_wallet_set_max_retries  (CwWallet            *self,
                                           guint                max_retries);
/* Seconds one node request may take in all, from connecting to its last
 * byte (default 120; cw_node_client_set_deadline()). Applies to the next
 * operation. */
void           cw_wallet_set_request_deadline (CwWallet        *self,
                                               guint            seconds);

/* Enrollment in two steps, so that the recovery code is shown and
 * confirmed before anything exists.
 *
 * cw_wallet_prepare_enroll_async() generates the identity and recovery
 * keys and signs the enroll transaction in a worker thread, in sodium
 * memory only: nothing is written to the store, the keyring or the node.
 * The CwEnrollment holds the recovery code (cw-recovery-code.h: the
 * recovery key's seed with a checksum, fourteen groups of four) to show
 * once; dropping it wipes everything.
 *
 * cw_wallet_complete_enroll_async() stores the identity seed in the
 * keyring and submits the enroll transaction, then wipes the enrollment's
 * secrets. On any failure nothing remains (no identity, no keyring item)
 * and the same enrollment may be completed again (a lost answer is
 * answered again by the node: resubmitting is idempotent). */
void           cw_wallet_prepare_enroll_async   (CwWallet            *self,
                                                 const CwNodeProfile *profile,
                                                 const char          *clinic,
                                                 const char          *invite,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
CwEnrollment  *cw_wallet_prepare_enroll_finish  (CwWallet            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
void           cw_wallet_complete_enroll_async  (CwWallet            *self,
                                                 CwEnrollment        *enrollment,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       cw_wallet_complete_enroll_finish (CwWallet            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Both steps in one: returns the recovery code once enrolled (wipe it,
 * then g_free()). */
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

/* Clinic onboarding with a signed invite (PROTOCOL.md §11), in two steps so
 * that the app can show what the invite says before anything is created.
 *
 * cw_wallet_open_invite_async() reads @text (a consentwallet: URI or the
 * contents of a .cwinvite file; @len -1 for NUL-terminated) and checks, in
 * a worker thread and without changing anything: the form
 * (CW_INVITE_ERROR_MALFORMED, _UNSUPPORTED, _TOO_LARGE), the expiry
 * (CW_INVITE_ERROR_EXPIRED), for an enrolled wallet that the invite names
 * the same node URL and log key (CW_WALLET_ERROR_WRONG_NODE); then, over
 * TLS pinned to the invite's pin, that the clinic is in the node's
 * directory (CW_WALLET_ERROR_INVALID_INVITE) and signed the invite with
 * its directory key (CW_INVITE_ERROR_BAD_SIGNATURE), and that the node's
 * latest checkpoint opens with the invite's log key and witness quorum
 * (CW_WALLET_ERROR_WRONG_NODE). Node trouble comes as CW_NODE_CLIENT_ERROR.
 * Returns the verified invite: show its clinic and proposed grant. */
void           cw_wallet_open_invite_async  (CwWallet          *self,
                                           const char          *text,
                                           gssize               len,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
CwInvite      *cw_wallet_open_invite_finish (CwWallet          *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* Accepts an invite returned by cw_wallet_open_invite_finish().
 *
 * A wallet without identity enrolls, as cw_wallet_enroll_async() with the
 * invite's node profile, clinic and code, all or nothing; a used or
 * withdrawn code is CW_WALLET_ERROR_REJECTED. @recovery_code gets the new
 * recovery code to show once (wipe it, then g_free()).
 *
 * A wallet that already has an identity on that node "joins" the clinic
 * with the same key: there is no second enroll transaction (one patient,
 * one chain), the code is not used, and the clinic is recorded in the
 * wallet's provider directory; @recovery_code gets %NULL. Either way the
 * caller then offers the invite's proposed grant, if any
 * (cw_wallet_grant_params_from_invite()), for the patient to accept,
 * edit or decline with cw_wallet_grant_async(). */
void           cw_wallet_accept_invite_async  (CwWallet        *self,
                                           CwInvite            *invite,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean       cw_wallet_accept_invite_finish (CwWallet        *self,
                                           GAsyncResult        *result,
                                           char               **recovery_code,
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

/* Fills @params with the invite's proposed grant to its clinic, lasting
 * its number of days from now. FALSE (and @params zeroed) when the invite
 * proposes none. @params->provider points into @invite; unref
 * @params->expires when done. */
gboolean       cw_wallet_grant_params_from_invite (CwInvite    *invite,
                                           CwWalletGrantParams *params);

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

/* Restores an identity on a wallet that has none (a new device) with the
 * recovery code written down at enrollment (PROTOCOL.md §12). @profile is
 * the node's (from an invite or typed in), @patient_id the patient ID shown
 * at enrollment or %NULL: then the node is asked for it with a request
 * signed by the recovery key (GET /v1/recovery/...). The code's recovery key signs a rotate transaction that
 * makes a new identity key (stored in this device's keyring) the current
 * one and sets a new recovery key; from then on the node refuses the old
 * identity key and the old recovery code. Then the chain is fetched with
 * the new key, verified and stored in one store transaction, like
 * cw_wallet_restore_async(). Returns the NEW recovery code, to show once.
 *
 * A mistyped code is CW_RECOVERY_CODE_ERROR before anything happens; a code
 * the node does not know for this patient is CW_WALLET_ERROR_REJECTED.
 * Before the node accepts the rotate, any failure leaves nothing behind;
 * after it (or when the connection broke before the node's answer, so that
 * it may have), the new key stays in the keyring and the error,
 * CW_WALLET_ERROR_RESTORE_INCOMPLETE, and cw_wallet_recover_get_new_code()
 * gives the new recovery code, since the old one may no longer work:
 * running the restore again with the new code finishes the job, and removes
 * from the keyring the patient's keys that the node no longer takes. */
void           cw_wallet_recover_async    (CwWallet            *self,
                                           const CwNodeProfile *profile,
                                           const char          *patient_id,
                                           const char          *recovery_code,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char          *cw_wallet_recover_finish   (CwWallet            *self,
                                           GAsyncResult        *result,
                                           GError             **error);
/* The new recovery code of a recovery whose rotate the node (may have)
 * accepted, also when cw_wallet_recover_finish() failed with
 * CW_WALLET_ERROR_RESTORE_INCOMPLETE; %NULL before that point. In sodium
 * memory, owned by @result. */
const char    *cw_wallet_recover_get_new_code (CwWallet     *self,
                                               GAsyncResult *result);

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
