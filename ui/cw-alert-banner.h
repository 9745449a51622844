/* cw-alert-banner.h: the persistent banner shown at the top of the window
 * while the wallet has unacknowledged verification alerts (libadwaita 1.2
 * has no AdwBanner). Its Details button activates win.alert-details. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CW_TYPE_ALERT_BANNER (cw_alert_banner_get_type ())

G_DECLARE_FINAL_TYPE (CwAlertBanner, cw_alert_banner, CW, ALERT_BANNER, GtkWidget)

/* Property "n-alerts": shown while it is above zero. */
guint           cw_alert_banner_get_n_alerts (CwAlertBanner *self);
void            cw_alert_banner_set_n_alerts (CwAlertBanner *self,
                                              guint          n_alerts);
gboolean        cw_alert_banner_get_shown    (CwAlertBanner *self);

G_END_DECLS
