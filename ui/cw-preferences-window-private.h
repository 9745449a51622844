/* cw-preferences-window-private.h: what the tests drive inside the
 * preferences window, past the file choosers. */
#pragma once

#include "cw-preferences-window.h"

G_BEGIN_DECLS

/* What Back Up does once a file is chosen: seal the identity with
 * @passphrase into @file; emits "done". */
void cw_preferences_window_save_backup (CwPreferencesWindow *self,
                                        const char          *passphrase,
                                        GFile               *file);
/* What Restore does with the chosen file's bytes and the passphrase. */
void cw_preferences_window_restore     (CwPreferencesWindow *self,
                                        GBytes              *file,
                                        const char          *passphrase);

G_END_DECLS
