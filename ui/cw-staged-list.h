/* cw-staged-list.h: a list model handed to a GtkListView a screenful per
 * frame. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GListModel *cw_staged_list_new (GtkWidget  *owner,
                                GListModel *model);

G_END_DECLS
