/* cw-window.h: the main window: Access, Requests and Activity pages in an
 * adaptive view stack, the alert banner and the first-run state. */
#pragma once

#include <adwaita.h>

#include "cw-sync-scheduler.h"
#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_WINDOW (cw_window_get_type ())

G_DECLARE_FINAL_TYPE (CwWindow, cw_window, CW, WINDOW, AdwApplicationWindow)

CwWindow       *cw_window_new         (GtkApplication *application,
                                       CwWallet       *wallet);
/* Property "wallet", construct-only. */
CwWallet       *cw_window_get_wallet  (CwWindow       *self);
/* Re-reads the wallet's unacknowledged alerts (the lists are the
 * wallet's own models and update themselves). */
void            cw_window_reload      (CwWindow       *self);
/* TRUE until the pages have their models (they get them after the first
 * frame) and while a reload of the alerts is under way. */
gboolean        cw_window_get_loading (CwWindow       *self);
/* When the window syncs (win.sync, the timer); transfer none. */
CwSyncScheduler *cw_window_get_sync_scheduler (CwWindow   *self);
/* Opens a clinic's invite in the onboarding: a consentwallet: link or a
 * .cwinvite file's text, or the file itself. */
void            cw_window_open_invite (CwWindow       *self,
                                       const char     *text);
void            cw_window_open_invite_file (CwWindow  *self,
                                       GFile          *file);

G_END_DECLS
