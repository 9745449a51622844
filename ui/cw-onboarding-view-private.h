/* cw-onboarding-view-private.h: what the tests look at inside the
 * onboarding. */
#pragma once

#include "cw-onboarding-restore.h"
#include "cw-onboarding-view.h"

G_BEGIN_DECLS

/* "welcome", "busy", "invite", "recovery", "confirm", "grant", "done",
 * "error" or "restore". */
const char          *cw_onboarding_view_get_page        (CwOnboardingView *self);
/* The invite page's clinic name as shown. */
const char          *cw_onboarding_view_get_clinic_name (CwOnboardingView *self);
/* The page's title and text: of the error, grant, done or recovery page. */
const char          *cw_onboarding_view_get_title       (CwOnboardingView *self);
const char          *cw_onboarding_view_get_description (CwOnboardingView *self);
/* The recovery page: the code as shown (group numbers and groups) and the
 * patient ID. */
const char          *cw_onboarding_view_get_shown_code  (CwOnboardingView *self);
const char          *cw_onboarding_view_get_shown_patient_id (CwOnboardingView *self);
/* The confirm page asks for groups @i (0 or 1): its 1-based number and
 * its entry row. */
guint                cw_onboarding_view_get_asked_group (CwOnboardingView *self,
                                                         guint             i);
AdwEntryRow         *cw_onboarding_view_get_group_row   (CwOnboardingView *self,
                                                         guint             i);
AdwEntryRow         *cw_onboarding_view_get_link_row    (CwOnboardingView *self);
CwOnboardingRestore *cw_onboarding_view_get_restore     (CwOnboardingView *self);
/* The view's drop target (files, file lists and text). */
GtkDropTarget       *cw_onboarding_view_get_drop_target (CwOnboardingView *self);
/* The grant page's Accept button (one click) and its "Change It…" or
 * "Choose…" button. */
GtkWidget           *cw_onboarding_view_get_accept_grant_button (CwOnboardingView *self);
GtkWidget           *cw_onboarding_view_get_edit_grant_button   (CwOnboardingView *self);
/* The grant dialog opened by "Change It…", or %NULL. */
GtkWindow           *cw_onboarding_view_get_grant_dialog (CwOnboardingView *self);

G_END_DECLS
