/* cw-mnemonic-names.h: accessible names of buttons with a mnemonic, read
 * once, not twice. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void cw_mnemonic_names_install (void);

G_END_DECLS
