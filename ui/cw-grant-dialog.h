/* cw-grant-dialog.h: the grant flow: provider, data categories, purpose,
 * period, a plain-language review, then sign and send. Also approves a
 * provider request, pre-filled (the patient can only narrow it). */
#pragma once

#include <adwaita.h>

#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_GRANT_DIALOG (cw_grant_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CwGrantDialog, cw_grant_dialog, CW, GRANT_DIALOG, AdwWindow)

/* The provider step lists the wallet's provider model. Emits "sent" (gint64 log index, -1 when queued for later) and closes
 * once the wallet has the transaction. */
CwGrantDialog  *cw_grant_dialog_new          (CwWallet             *wallet);
/* Approving @request: its scopes, purpose, access and end pre-filled. */
void            cw_grant_dialog_set_request  (CwGrantDialog        *self,
                                              const CwStoreRequest *request,
                                              const char           *provider_name);

G_END_DECLS
