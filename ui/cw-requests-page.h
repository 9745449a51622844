/* cw-requests-page.h: the Requests page: pending provider requests, each
 * with Approve and Deny. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CW_TYPE_REQUESTS_PAGE (cw_requests_page_get_type ())

G_DECLARE_FINAL_TYPE (CwRequestsPage, cw_requests_page, CW, REQUESTS_PAGE, GtkWidget)

/* Property "model": a GListModel of CwRequestItem (the wallet's
 * requests); the page shows the pending ones. */
GListModel     *cw_requests_page_get_model    (CwRequestsPage *self);
void            cw_requests_page_set_model    (CwRequestsPage *self,
                                               GListModel     *model);
/* Property "n-pending": how many requests wait for an answer. */
guint           cw_requests_page_get_n_pending (CwRequestsPage *self);
/* The request with ID @request_id, or %NULL (transfer none). */
gpointer        cw_requests_page_find_request (CwRequestsPage *self,
                                               const char     *request_id);

G_END_DECLS
