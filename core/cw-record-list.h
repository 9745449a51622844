/* cw-record-list.h: a GListModel of the wallet's records (grants,
 * requests, activity, providers: STYLE.md §8), refreshed in place. A
 * refresh hands over freshly built items; an item whose key is already
 * listed is updated (its property notifications) and kept, so a view keeps
 * its rows, scroll position and selection, and "items-changed" covers only
 * the span between the unchanged head and tail of the list. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The stable key of an item (its ID). */
typedef const char *(*CwRecordKeyFunc)    (gpointer item);
/* Makes @item hold what @fresh holds; both have the same key. */
typedef void        (*CwRecordUpdateFunc) (gpointer item,
                                           gpointer fresh);

#define CW_TYPE_RECORD_LIST (cw_record_list_get_type ())

G_DECLARE_FINAL_TYPE (CwRecordList, cw_record_list, CW, RECORD_LIST, GObject)

CwRecordList *cw_record_list_new     (GType               item_type,
                                      CwRecordKeyFunc     get_key,
                                      CwRecordUpdateFunc  update);
/* Replaces the contents with @fresh (items of the list's type, in display
 * order), keeping existing items by key. Main context only. */
void          cw_record_list_refresh (CwRecordList       *self,
                                      GPtrArray          *fresh);
/* FALSE until the first refresh (property "loaded"). */
gboolean      cw_record_list_get_loaded (CwRecordList     *self);
/* The item with @key, or %NULL (transfer none). */
gpointer      cw_record_list_lookup  (CwRecordList       *self,
                                      const char         *key);

G_END_DECLS
