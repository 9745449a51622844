/* cw-activity-page-private.h: what the tests look at inside the Activity
 * page. */
#pragma once

#include "cw-activity-item.h"
#include "cw-activity-page.h"

G_BEGIN_DECLS

/* How many entries pass the provider and kind filters. */
guint cw_activity_page_get_n_shown (CwActivityPage *self);
/* "results" or "no-results": inside the list page, the entries or filters
 * that match none. */
const char *cw_activity_page_get_results_state (CwActivityPage *self);
/* A row's title and the line below it (free both). */
void  cw_activity_page_describe    (CwActivityItem  *item,
                                    char           **title,
                                    char           **subtitle);

G_END_DECLS
