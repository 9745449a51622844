/* cw-staged-list.h: a list model handed to a GtkListView a screenful per
 * frame. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How many items the view gets at first and then per frame: a screenful of
 * wallet rows (~75 px each) on a list ~1,200 px tall. */
#define CW_STAGED_LIST_ROWS_PER_FRAME 16

GListModel *cw_staged_list_new (GtkWidget  *owner,
                                GListModel *model);

G_END_DECLS
