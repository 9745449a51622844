/* cw-alert-banner.c: the persistent verification alert banner. */
#include "config.h"

#include <glib/gi18n.h>

#include "cw-alert-banner.h"

struct _CwAlertBanner
{
  GtkWidget    parent_instance;

  GtkRevealer *revealer;
  GtkLabel    *label;

  guint        n_alerts;
};

G_DEFINE_FINAL_TYPE (CwAlertBanner, cw_alert_banner, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_ALERTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cw_alert_banner_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CW_TYPE_ALERT_BANNER);

  G_OBJECT_CLASS (cw_alert_banner_parent_class)->dispose (object);
}

static void
cw_alert_banner_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CwAlertBanner *self = CW_ALERT_BANNER (object);

  switch (prop_id)
    {
    case PROP_N_ALERTS:
      g_value_set_uint (value, self->n_alerts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_alert_banner_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CwAlertBanner *self = CW_ALERT_BANNER (object);

  switch (prop_id)
    {
    case PROP_N_ALERTS:
      cw_alert_banner_set_n_alerts (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_alert_banner_class_init (CwAlertBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_alert_banner_dispose;
  object_class->get_property = cw_alert_banner_get_property;
  object_class->set_property = cw_alert_banner_set_property;

  properties[PROP_N_ALERTS] =
    g_param_spec_uint ("n-alerts", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-alert-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, CwAlertBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, CwAlertBanner, label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cw-alert-banner");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
cw_alert_banner_init (CwAlertBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

guint
cw_alert_banner_get_n_alerts (CwAlertBanner *self)
{
  g_return_val_if_fail (CW_IS_ALERT_BANNER (self), 0);
  return self->n_alerts;
}

void
cw_alert_banner_set_n_alerts (CwAlertBanner *self,
                              guint          n_alerts)
{
  g_return_if_fail (CW_IS_ALERT_BANNER (self));

  if (self->n_alerts == n_alerts)
    return;

  self->n_alerts = n_alerts;
  gtk_revealer_set_reveal_child (self->revealer, n_alerts > 0);
  if (n_alerts > 0)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Your wallet could not verify what the node reported (%u alert)",
                                      "Your wallet could not verify what the node reported (%u alerts)",
                                      n_alerts),
                         n_alerts);
      gtk_label_set_text (self->label, text);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ALERTS]);
}

gboolean
cw_alert_banner_get_shown (CwAlertBanner *self)
{
  g_return_val_if_fail (CW_IS_ALERT_BANNER (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}
