/* cw-provider-item.h: One provider of the wallet's provider directory cache.
 * Read-only properties for a GtkListView to bind; an item keeps its
 * identity across refreshes (cw-record-list.h updates it in place). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CW_TYPE_PROVIDER_ITEM (cw_provider_item_get_type ())

G_DECLARE_FINAL_TYPE (CwProviderItem, cw_provider_item, CW, PROVIDER_ITEM, GObject)

/* The fields of one item; strings may be %NULL (read as ""). */
typedef struct {
  const char *id;  /* the provider's ID */
  const char *name;  /* its name */
  const char *organization;  /* its organization */
  const char *kind;  /* practice, hospital, lab, ... */
} CwProviderItemData;

CwProviderItem*cw_provider_item_new (const CwProviderItemData *data);
/* Copies @data in, notifying each property whose value changed. */
void          cw_provider_item_update (CwProviderItem *self,
                                      const CwProviderItemData *data);
/* Changes @self to hold what @other holds (same ID). */
void          cw_provider_item_update_from (CwProviderItem *self,
                                           CwProviderItem *other);
const char  *cw_provider_item_get_id (CwProviderItem *self);
const char  *cw_provider_item_get_name (CwProviderItem *self);
const char  *cw_provider_item_get_organization (CwProviderItem *self);
const char  *cw_provider_item_get_kind (CwProviderItem *self);

G_END_DECLS
