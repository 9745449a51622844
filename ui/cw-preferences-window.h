/* cw-preferences-window.h: the node and log the wallet trusts, the
 * identity fingerprint and the sync interval. */
#pragma once

#include <adwaita.h>

#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_PREFERENCES_WINDOW (cw_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (CwPreferencesWindow, cw_preferences_window, CW, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

CwPreferencesWindow *cw_preferences_window_new (CwWallet *wallet);

G_END_DECLS
