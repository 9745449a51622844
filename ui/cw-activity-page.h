/* cw-activity-page.h: the Activity page: a timeline of access events
 * (refused attempts stand out) and of the patient's own transactions with
 * their state. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CW_TYPE_ACTIVITY_PAGE (cw_activity_page_get_type ())

G_DECLARE_FINAL_TYPE (CwActivityPage, cw_activity_page, CW, ACTIVITY_PAGE, GtkWidget)

/* Property "model": a GListModel of CwActivityItem, newest first. */
GListModel     *cw_activity_page_get_model (CwActivityPage *self);
void            cw_activity_page_set_model (CwActivityPage *self,
                                            GListModel     *model);
/* Moves the keyboard focus to the provider filter (win.search). */
void            cw_activity_page_focus_search (CwActivityPage *self);

G_END_DECLS
