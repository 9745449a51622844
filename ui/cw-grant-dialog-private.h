/* cw-grant-dialog-private.h: what the tests drive inside the grant flow. */
#pragma once

#include "cw-grant-dialog.h"

G_BEGIN_DECLS

/* "provider", "scopes", "purpose", "period", "review" or "sending". */
const char     *cw_grant_dialog_get_step          (CwGrantDialog *self);
/* Selects the directory row of @provider_id, as a click does. */
gboolean        cw_grant_dialog_select_provider   (CwGrantDialog *self,
                                                   const char    *provider_id);
/* The check button of @scope (one flag), as the user sees it. */
GtkCheckButton *cw_grant_dialog_get_scope_check   (CwGrantDialog *self,
                                                   CwScopes       scope);
AdwComboRow    *cw_grant_dialog_get_purpose_row   (CwGrantDialog *self);
AdwComboRow    *cw_grant_dialog_get_period_row    (CwGrantDialog *self);
const char     *cw_grant_dialog_get_review_text   (CwGrantDialog *self);

G_END_DECLS
