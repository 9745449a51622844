/* cw-preferences-window.h: the node and log the wallet trusts, the
 * identity fingerprint, the sync interval and notification switches, and
 * backup and restore. */
#pragma once

#include <adwaita.h>

#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_PREFERENCES_WINDOW (cw_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (CwPreferencesWindow, cw_preferences_window, CW, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* @settings (the app's, may be %NULL) backs the sync and notification
 * controls. */
CwPreferencesWindow *cw_preferences_window_new (CwWallet  *wallet,
                                                GSettings *settings);

G_END_DECLS
