/* cw-window.h: the main window: Access, Requests and Activity pages in an
 * adaptive view stack, the alert banner and the first-run state. */
#pragma once

#include <adwaita.h>

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

G_END_DECLS
