/* cw-sync-scheduler.h: when the wallet talks to its node: on demand, on a
 * timer (property "interval", minutes, 0 = only on demand), always the
 * outbox first, then a verified sync. It knows whether the last attempt
 * reached the node ("offline"). */
#pragma once

#include <glib-object.h>

#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_SYNC_SCHEDULER (cw_sync_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (CwSyncScheduler, cw_sync_scheduler, CW, SYNC_SCHEDULER, GObject)

CwSyncScheduler *cw_sync_scheduler_new          (CwWallet        *wallet);
/* Starts a flush and a sync unless one is running or the wallet has no
 * identity; returns whether it started one. "finished" follows. */
gboolean         cw_sync_scheduler_sync_now     (CwSyncScheduler *self);
guint            cw_sync_scheduler_get_interval (CwSyncScheduler *self);
void             cw_sync_scheduler_set_interval (CwSyncScheduler *self,
                                                 guint            minutes);
gboolean         cw_sync_scheduler_get_syncing  (CwSyncScheduler *self);
/* TRUE once an attempt could not reach the node, until one does. */
gboolean         cw_sync_scheduler_get_offline  (CwSyncScheduler *self);
/* Stops the timer and cancels a sync under way. */
void             cw_sync_scheduler_stop         (CwSyncScheduler *self);

G_END_DECLS
