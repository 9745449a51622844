/* cw-activity-item.h: One entry of the wallet's activity: an access event by
 * a provider, or one of the patient's own transactions with its state.
 * Read-only properties for a GtkListView to bind; an item keeps its
 * identity across refreshes (cw-record-list.h updates it in place). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CW_TYPE_ACTIVITY_ITEM (cw_activity_item_get_type ())

G_DECLARE_FINAL_TYPE (CwActivityItem, cw_activity_item, CW, ACTIVITY_ITEM, GObject)

/* The fields of one item; strings may be %NULL (read as ""). */
typedef struct {
  const char *id;  /* the transaction ID */
  const char *kind;  /* "access", or the type of the patient's transaction */
  const char *provider;  /* the provider's ID, or empty */
  const char *provider_name;  /* the provider's name, or empty */
  const char *organization;  /* the provider's organization */
  const char *scopes_text;  /* the data categories, for people */
  const char *purpose_text;  /* the purpose, for people */
  gint64      time;  /* when it happened (Unix time) */
  const char *state;  /* allowed or denied for access; queued, sent, confirmed or rejected for own transactions */
  gboolean    verified;  /* proven in the log */
  gint64      log_index;  /* its log index, -1 if not logged yet */
} CwActivityItemData;

CwActivityItem*cw_activity_item_new (const CwActivityItemData *data);
/* Copies @data in, notifying each property whose value changed. */
void          cw_activity_item_update (CwActivityItem *self,
                                      const CwActivityItemData *data);
/* Changes @self to hold what @other holds (same ID). */
void          cw_activity_item_update_from (CwActivityItem *self,
                                           CwActivityItem *other);
const char  *cw_activity_item_get_id (CwActivityItem *self);
const char  *cw_activity_item_get_kind (CwActivityItem *self);
const char  *cw_activity_item_get_provider (CwActivityItem *self);
const char  *cw_activity_item_get_provider_name (CwActivityItem *self);
const char  *cw_activity_item_get_organization (CwActivityItem *self);
const char  *cw_activity_item_get_scopes_text (CwActivityItem *self);
const char  *cw_activity_item_get_purpose_text (CwActivityItem *self);
gint64       cw_activity_item_get_time (CwActivityItem *self);
const char  *cw_activity_item_get_state (CwActivityItem *self);
gboolean     cw_activity_item_get_verified (CwActivityItem *self);
gint64       cw_activity_item_get_log_index (CwActivityItem *self);

G_END_DECLS
