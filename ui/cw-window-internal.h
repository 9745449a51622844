/* cw-window-internal.h: what the window's two source files share:
 * cw-window.c (the window, its pages, state, sync and settings) and
 * cw-window-actions.c (its win.* actions and their dialogs). */
#pragma once

#include "cw-sync-scheduler.h"
#include "cw-window-private.h"

G_BEGIN_DECLS

struct _CwWindow
{
  AdwApplicationWindow  parent_instance;

  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkButton            *grant_button;
  GtkButton            *sync_button;
  GtkMenuButton        *menu_button;
  GtkStack             *sync_stack;
  GtkSpinner           *sync_spinner;
  CwAlertBanner        *alert_banner;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwViewStack         *view_stack;
  AdwViewStackPage     *requests_stack_page;
  CwAccessPage         *access_page;
  AdwBin               *requests_bin;
  AdwBin               *activity_bin;
  /* Owned; put into their bins when first shown (attach_visible_page()).
   * The Activity page is made then too. */
  CwRequestsPage       *requests_page;
  CwActivityPage       *activity_page;
  GtkRevealer          *offline_revealer;
  GtkLabel             *offline_label;
  CwOnboardingView     *onboarding_view;

  CwWallet             *wallet;
  CwSyncScheduler      *scheduler;
  GSettings            *settings;   /* %NULL when the schema is not installed */
  GtkWindow            *grant_details;
  GCancellable         *cancellable;
  GPtrArray            *alerts;     /* CwStoreAlert, unacknowledged */
  GtkWindow            *grant_dialog;
  guint                 n_loads;
  gboolean              syncing;
  gboolean              models_given; /* after the first frame */
};

void cw_window_show_toast            (CwWindow       *self,
                                      const char     *title);
/* Installs the win.* actions and their shortcuts; from class_init. */
void cw_window_class_install_actions (GtkWidgetClass *widget_class);

G_END_DECLS
