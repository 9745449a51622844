/* cw-access-page.h: the Access page: providers holding active grants,
 * with search, sort and an empty state. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CW_TYPE_ACCESS_PAGE (cw_access_page_get_type ())

G_DECLARE_FINAL_TYPE (CwAccessPage, cw_access_page, CW, ACCESS_PAGE, GtkWidget)

/* Property "model": a GListModel of CwGrantItem (the wallet's grants);
 * the page shows the active ones. */
GListModel     *cw_access_page_get_model   (CwAccessPage *self);
void            cw_access_page_set_model   (CwAccessPage *self,
                                            GListModel   *model);
/* Shows "Revoking…" on the grant's row until cleared. */
void            cw_access_page_set_revoking (CwAccessPage *self,
                                             const char   *grant_id,
                                             gboolean      revoking);
gboolean        cw_access_page_get_revoking (CwAccessPage *self,
                                             const char   *grant_id);
/* Moves the keyboard focus to the search entry (win.search). */
void            cw_access_page_focus_search (CwAccessPage *self);
/* The grant with ID @grant_id, or %NULL (transfer none). */
gpointer        cw_access_page_find_grant  (CwAccessPage *self,
                                            const char   *grant_id);

G_END_DECLS
