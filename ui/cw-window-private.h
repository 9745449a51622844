/* cw-window-private.h: what the tests look at inside the window. */
#pragma once

#include "cw-access-page.h"
#include "cw-activity-page.h"
#include "cw-alert-banner.h"
#include "cw-onboarding-view.h"
#include "cw-requests-page.h"
#include "cw-window.h"

G_BEGIN_DECLS

CwAccessPage   *cw_window_get_access_page   (CwWindow   *self);
CwRequestsPage *cw_window_get_requests_page (CwWindow   *self);
CwActivityPage *cw_window_get_activity_page (CwWindow   *self);
CwAlertBanner  *cw_window_get_alert_banner  (CwWindow   *self);
AdwViewStack   *cw_window_get_view_stack    (CwWindow   *self);
/* The first-run and invite pages. */
CwOnboardingView *cw_window_get_onboarding_view (CwWindow *self);
/* "unenrolled" (the onboarding) or "wallet". */
const char     *cw_window_get_state         (CwWindow   *self);
/* The grant dialog the window opened last, or %NULL. */
GtkWindow      *cw_window_get_grant_dialog  (CwWindow   *self);
/* The grant details window it opened last, or %NULL. */
GtkWindow      *cw_window_get_grant_details (CwWindow   *self);
/* The offline indicator: shown, and what it says. */
gboolean        cw_window_get_offline_shown (CwWindow   *self);
const char     *cw_window_get_offline_text  (CwWindow   *self);

G_END_DECLS
