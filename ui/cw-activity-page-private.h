/* cw-activity-page-private.h: what the tests look at inside the Activity
 * page. */
#pragma once

#include "cw-activity-page.h"

G_BEGIN_DECLS

/* How many entries pass the provider and kind filters. */
guint cw_activity_page_get_n_shown (CwActivityPage *self);

G_END_DECLS
