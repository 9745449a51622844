/* cw-wallet-clinic.h: what the desktop onboarding needs beside the invite
 * calls of cw-wallet.h: the directory entry of an opened invite's clinic
 * (to show its name before anything is created) and a way to keep that
 * entry in the wallet's provider list after a first enrollment, as joining
 * already does, so that the clinic can be picked in the grant dialog. */
#pragma once

#include "cw-wallet.h"

G_BEGIN_DECLS

/* The clinic's entry in the node's directory, fetched and checked by
 * cw_wallet_open_invite_async(); %NULL for an invite that was not opened
 * by the wallet. Transfer none: lives as long as @invite. */
const CwStoreProvider *cw_wallet_invite_get_clinic_entry (CwInvite            *invite);

/* Stores the opened invite's clinic entry in the wallet's provider list
 * (in a worker thread) and refreshes the provider model. */
void                   cw_wallet_remember_clinic_async   (CwWallet            *self,
                                                          CwInvite            *invite,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean               cw_wallet_remember_clinic_finish  (CwWallet            *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

G_END_DECLS
