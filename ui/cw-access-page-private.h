/* cw-access-page-private.h: what the tests look at inside the Access page. */
#pragma once

#include "cw-access-page.h"

G_BEGIN_DECLS

/* How many row widgets the list factory has made so far. */
guint           cw_access_page_get_n_rows_created (CwAccessPage *self);
GtkListView    *cw_access_page_get_list_view      (CwAccessPage *self);

G_END_DECLS
