/* cw-wallet-backup.h: the wallet's identity sealed into a backup file's
 * bytes (cw-backup.h, PROTOCOL.md §10), for the app's Back Up action. */
#pragma once

#include "cw-wallet.h"

G_BEGIN_DECLS

/* Reads the identity and node profile, fetches the identity key from the
 * keyring and seals it all with @passphrase (Argon2id in a worker thread).
 * Fails with CW_WALLET_ERROR_NOT_ENROLLED on a wallet without identity. */
void    cw_wallet_backup_async  (CwWallet            *self,
                                 const char          *passphrase,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
GBytes *cw_wallet_backup_finish (CwWallet            *self,
                                 GAsyncResult        *result,
                                 GError             **error);

G_END_DECLS
