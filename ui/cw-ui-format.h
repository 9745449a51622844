/* cw-ui-format.h: plain-language phrases for scopes, purposes and dates,
 * shared by the pages, rows and dialogs. */
#pragma once

#include <gtk/gtk.h>

#include "cw-tx.h"

G_BEGIN_DECLS

/* "Medications, Lab results" (display names, translated). */
char        *cw_ui_format_scopes          (CwScopes   scopes);
/* "your medications and lab results", for sentences. */
char        *cw_ui_format_scopes_phrase   (CwScopes   scopes);
/* "Treatment" (translated display name). */
const char  *cw_ui_format_purpose         (CwPurpose  purpose);
/* "for your treatment", for sentences. */
const char  *cw_ui_format_purpose_phrase  (CwPurpose  purpose);
/* "23 December 2026". */
char        *cw_ui_format_date            (gint64     unix_time);
/* "23 Dec 2026, 14:05". */
char        *cw_ui_format_date_time       (gint64     unix_time);
/* "expires in 12 days", "expires today", "expired", relative to @now. */
char        *cw_ui_format_expiry          (gint64     expires,
                                           gint64     now);
/* "St Mary's can view your medications for your treatment until 23
 * December 2026." */
char        *cw_ui_format_grant_sentence  (const char *provider_name,
                                           CwScopes    scopes,
                                           CwPurpose   purpose,
                                           CwAccess    access,
                                           gint64      expires);

/* GTK 4.8 gives a list view's row no accessible name of its own: a screen
 * reader hears "list item". This names the row that holds @child. */
/* Shows @stack's page @name, making its child visible first. Pages that
 * start hidden in a .ui cost nothing until then: GTK styles and measures
 * every visible child of a stack, shown or not, and the Access page's
 * first frame, which says "loading", paid ~25 ms for its other pages. */
void         cw_ui_show_stack_page        (GtkStack   *stack,
                                           const char *name);
void         cw_ui_name_list_row          (GtkWidget  *child,
                                           const char *name);
/* A factory for the popups of drop-downs and combo rows over a
 * GtkStringList: each row a label, named as it reads. */
GtkListItemFactory *cw_ui_named_string_factory (void);

G_END_DECLS
