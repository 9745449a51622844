/* cw-grant-details.h: one grant in full: what it allows, for how long, and
 * its receipt from the log, re-verified when the window opens; with
 * Revoke and "Export as FHIR". */
#pragma once

#include <adwaita.h>

#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_GRANT_DETAILS (cw_grant_details_get_type ())

G_DECLARE_FINAL_TYPE (CwGrantDetails, cw_grant_details, CW, GRANT_DETAILS, AdwWindow)

CwGrantDetails *cw_grant_details_new          (CwWallet       *wallet,
                                               const char     *grant_id);
const char     *cw_grant_details_get_grant_id (CwGrantDetails *self);

G_END_DECLS
