/* cw-onboarding-view-internal.h: what the onboarding's three source files
 * share: cw-onboarding-view.c (pages, errors, accepting an invite, the
 * widget itself), cw-onboarding-open.c (an invite pasted, chosen, dropped
 * or handed over, and shown) and cw-onboarding-steps.c (the recovery code
 * typed back, the proposed grant, the restore). */
#pragma once

#include "cw-onboarding-view-private.h"

G_BEGIN_DECLS

struct _CwOnboardingView
{
  GtkWidget            parent_instance;

  GtkStack            *pages;
  AdwStatusPage       *busy_page;
  GtkSpinner          *busy_spinner;
  GtkWidget           *busy_cancel_button;
  AdwEntryRow         *link_row;
  GtkLabel            *invite_title;
  GtkLabel            *invite_explanation;
  AdwActionRow        *clinic_row;
  AdwActionRow        *organization_row;
  AdwActionRow        *node_row;
  AdwActionRow        *expires_row;
  GtkButton           *accept_button;
  GtkLabel            *recovery_explanation;
  GtkLabel            *recovery_title;
  AdwActionRow        *patient_id_row;
  GtkLabel            *code_label;
  GtkWidget           *code_written_button;
  AdwEntryRow         *group_row_a;
  AdwEntryRow         *group_row_b;
  GtkLabel            *confirm_error_label;
  GtkWidget           *recovery_cancel_button;
  GtkWidget           *confirm_cancel_button;
  AdwStatusPage       *grant_page;
  GtkWidget           *accept_grant_button;
  GtkWidget           *edit_grant_button;
  AdwStatusPage       *done_page;
  AdwStatusPage       *error_page;
  CwOnboardingRestore *restore_page;

  CwWallet            *wallet;
  GCancellable        *cancellable;   /* of the step under way, or %NULL */
  GtkFileChooserNative *chooser;
  GtkWindow           *grant_dialog;  /* weak */
  CwInvite            *invite;        /* opened, or %NULL */
  CwEnrollment        *enrollment;    /* prepared, not yet sent, or %NULL */
  char                *clinic_name;
  char                *recovery_code; /* shown once, wiped when confirmed */
  guint                asked[2];      /* 0-based groups to type back */
  gboolean             restore_pending; /* the code shown is that of a restore the node took
                                           but which did not finish: once confirmed, the
                                           restore runs again with it */
  gboolean             committing;    /* the step under way may reach the node: no cancel */
  gboolean             active;
};

#define N_CODE_GROUPS 14
#define CODE_GROUP_LEN 4

/* cw-onboarding-view.c */
void        cw_onboarding_view_show_page          (CwOnboardingView *self,
                                                   const char       *name);
void        cw_onboarding_view_show_busy          (CwOnboardingView *self,
                                                   const char       *title,
                                                   const char       *description);
/* A step that, once sent, may already count on the node (the enrollment,
 * the recovery's rotate): shown without Cancel, and Escape does nothing. */
void        cw_onboarding_view_show_committing    (CwOnboardingView *self,
                                                   const char       *title,
                                                   const char       *description);
void        cw_onboarding_view_show_done          (CwOnboardingView *self,
                                                   const char       *description);
void        cw_onboarding_view_show_error         (CwOnboardingView *self,
                                                   const GError     *error);
void        cw_onboarding_view_wipe_code          (CwOnboardingView *self);
void        cw_onboarding_view_start_over         (CwOnboardingView *self);
/* Sends the prepared enrollment once its code was confirmed. */
void        cw_onboarding_view_complete_enroll    (CwOnboardingView *self);
const char *cw_onboarding_view_clinic_name        (CwOnboardingView *self);

/* cw-onboarding-open.c: the file chooser action, the link row's callback
 * and the drop target. */
void        cw_onboarding_open_class_init         (GtkWidgetClass   *widget_class);
void        cw_onboarding_open_init               (CwOnboardingView *self);

/* cw-onboarding-steps.c */
/* Shows @code (taken over: wiped and freed once confirmed) once, with
 * @patient_id. */
void        cw_onboarding_view_show_recovery_code (CwOnboardingView *self,
                                                   char             *code,
                                                   const char       *patient_id,
                                                   const char       *explanation);
/* After the identity exists: the proposed grant, or done. */
void        cw_onboarding_view_after_identity     (CwOnboardingView *self);
/* The steps' actions and template callbacks. */
void        cw_onboarding_steps_class_init        (GtkWidgetClass   *widget_class);

G_END_DECLS
