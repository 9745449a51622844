/* cw-grant-item.h: One grant in the wallet's grant list: who may read what,
 * for which purpose, until when, and whether the node's log proved it.
 * Read-only properties for a GtkListView to bind; an item keeps its
 * identity across refreshes (cw-record-list.h updates it in place). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CW_TYPE_GRANT_ITEM (cw_grant_item_get_type ())

G_DECLARE_FINAL_TYPE (CwGrantItem, cw_grant_item, CW, GRANT_ITEM, GObject)

/* The fields of one item; strings may be %NULL (read as ""). */
typedef struct {
  const char *id;  /* the grant transaction's ID */
  const char *provider;  /* the provider's ID */
  const char *provider_name;  /* the provider's name */
  const char *organization;  /* the provider's organization */
  const char *scopes_text;  /* the data categories, for people */
  const char *purpose_text;  /* the purpose, for people */
  const char *access_text;  /* view and/or store */
  gint64      time;  /* when it was granted (Unix time) */
  gint64      expires;  /* when it expires (Unix time) */
  const char *state;  /* active, revoked, expired or pending */
  gboolean    verified;  /* proven in the log */
  gint64      log_index;  /* its log index, -1 if not logged yet */
} CwGrantItemData;

CwGrantItem *cw_grant_item_new (const CwGrantItemData *data);
/* Copies @data in, notifying each property whose value changed. */
void          cw_grant_item_update (CwGrantItem *self,
                                   const CwGrantItemData *data);
/* Changes @self to hold what @other holds (same ID). */
void          cw_grant_item_update_from (CwGrantItem *self,
                                        CwGrantItem *other);
const char  *cw_grant_item_get_id (CwGrantItem *self);
const char  *cw_grant_item_get_provider (CwGrantItem *self);
const char  *cw_grant_item_get_provider_name (CwGrantItem *self);
const char  *cw_grant_item_get_organization (CwGrantItem *self);
const char  *cw_grant_item_get_scopes_text (CwGrantItem *self);
const char  *cw_grant_item_get_purpose_text (CwGrantItem *self);
const char  *cw_grant_item_get_access_text (CwGrantItem *self);
gint64       cw_grant_item_get_time (CwGrantItem *self);
gint64       cw_grant_item_get_expires (CwGrantItem *self);
const char  *cw_grant_item_get_state (CwGrantItem *self);
gboolean     cw_grant_item_get_verified (CwGrantItem *self);
gint64       cw_grant_item_get_log_index (CwGrantItem *self);

G_END_DECLS
