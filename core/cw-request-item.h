/* cw-request-item.h: One provider request to the patient in the wallet's
 * request list.
 * Read-only properties for a GtkListView to bind; an item keeps its
 * identity across refreshes (cw-record-list.h updates it in place). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CW_TYPE_REQUEST_ITEM (cw_request_item_get_type ())

G_DECLARE_FINAL_TYPE (CwRequestItem, cw_request_item, CW, REQUEST_ITEM, GObject)

/* The fields of one item; strings may be %NULL (read as ""). */
typedef struct {
  const char *id;  /* the request transaction's ID */
  const char *provider;  /* the provider's ID */
  const char *provider_name;  /* the provider's name */
  const char *organization;  /* the provider's organization */
  const char *scopes_text;  /* the data categories, for people */
  const char *purpose_text;  /* the purpose, for people */
  const char *reason;  /* the provider's reason */
  gint64      time;  /* when it was made (Unix time) */
  gint64      expires;  /* when it expires (Unix time) */
  const char *state;  /* pending, approved, denied or expired */
} CwRequestItemData;

CwRequestItem*cw_request_item_new (const CwRequestItemData *data);
/* Copies @data in, notifying each property whose value changed. */
void          cw_request_item_update (CwRequestItem *self,
                                     const CwRequestItemData *data);
/* Changes @self to hold what @other holds (same ID). */
void          cw_request_item_update_from (CwRequestItem *self,
                                          CwRequestItem *other);
const char  *cw_request_item_get_id (CwRequestItem *self);
const char  *cw_request_item_get_provider (CwRequestItem *self);
const char  *cw_request_item_get_provider_name (CwRequestItem *self);
const char  *cw_request_item_get_organization (CwRequestItem *self);
const char  *cw_request_item_get_scopes_text (CwRequestItem *self);
const char  *cw_request_item_get_purpose_text (CwRequestItem *self);
const char  *cw_request_item_get_reason (CwRequestItem *self);
gint64       cw_request_item_get_time (CwRequestItem *self);
gint64       cw_request_item_get_expires (CwRequestItem *self);
const char  *cw_request_item_get_state (CwRequestItem *self);

G_END_DECLS
