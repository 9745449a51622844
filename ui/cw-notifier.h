/* cw-notifier.h: desktop notifications (GNotification through the
 * GApplication) for new access requests, refused access attempts and
 * grants that expire within 7 days, each kind behind its own switch
 * (properties bound to the notify-* settings). An item is notified once,
 * also across starts: what was sent is remembered in the wallet's store. */
#pragma once

#include <gio/gio.h>

#include "cw-sync-scheduler.h"
#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_NOTIFIER (cw_notifier_get_type ())

G_DECLARE_FINAL_TYPE (CwNotifier, cw_notifier, CW, NOTIFIER, GObject)

/* @application may be %NULL: notifications are then only announced by the
 * "sent" signal (tests). */
CwNotifier *cw_notifier_new         (CwWallet     *wallet,
                                     GApplication *application);
/* Looks at the wallet's lists and sends what was not sent before. Returns
 * how many notifications it sent; until the store's record of earlier
 * notifications is read (off the main loop, right after new), the check
 * waits for it and runs then. */
guint       cw_notifier_check       (CwNotifier   *self);
/* Checks after every sync of @scheduler, also one that failed: a grant
 * that expires soon is known without the node, and an offline wallet must
 * still say so. Lasts as long as both objects. */
void        cw_notifier_follow      (CwNotifier      *self,
                                     CwSyncScheduler *scheduler);
guint       cw_notifier_get_n_sent  (CwNotifier   *self);
/* TRUE while the record of earlier notifications is read or written. */
gboolean    cw_notifier_get_busy    (CwNotifier   *self);

G_END_DECLS
