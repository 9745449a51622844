/* cw-window.c: the main window: its pages, state, sync and settings; its
 * win.* actions are in cw-window-actions.c. */
#include "config.h"

#include <glib/gi18n.h>

#include "cw-access-page.h"
#include "cw-activity-page.h"
#include "cw-alert-banner.h"
#include "cw-activity-item.h"
#include "cw-onboarding-view.h"
#include "cw-requests-page.h"
#include "cw-sync-scheduler.h"
#include "cw-window-internal.h"

G_DEFINE_FINAL_TYPE (CwWindow, cw_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_WALLET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
cw_window_show_toast (CwWindow   *self,
                      const char *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static void enrolled_changed_cb (CwWindow *self);

/* The onboarding is built the first time it is needed: an enrolled wallet
 * usually never shows it, and building and measuring its pages is a
 * noticeable share of the start (docs/PERFORMANCE.md, "App startup"). */
static CwOnboardingView *
ensure_onboarding_view (CwWindow *self)
{
  if (self->onboarding_view != NULL)
    return self->onboarding_view;

  self->onboarding_view = g_object_new (CW_TYPE_ONBOARDING_VIEW, "wallet", self->wallet, NULL);
  gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->onboarding_view), "unenrolled");
  g_signal_connect_object (self->onboarding_view, "notify::active",
                           G_CALLBACK (enrolled_changed_cb), self, G_CONNECT_SWAPPED);
  return self->onboarding_view;
}

static void
update_state (CwWindow *self)
{
  /* The onboarding stays on screen until its last page, also once the
   * wallet is enrolled (the recovery code comes after enrollment) or while
   * an enrolled wallet joins another clinic. */
  gboolean show_wallet = cw_wallet_get_enrolled (self->wallet) &&
                         (self->onboarding_view == NULL ||
                          !cw_onboarding_view_get_active (self->onboarding_view));

  if (self->main_stack == NULL)  /* disposed */
    return;
  if (!show_wallet)
    ensure_onboarding_view (self);
  gtk_stack_set_visible_child_name (self->main_stack, show_wallet ? "wallet" : "unenrolled");
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, show_wallet);
  gtk_widget_set_visible (GTK_WIDGET (self->grant_button), show_wallet);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_stack), show_wallet);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), show_wallet);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.grant", show_wallet);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", show_wallet);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync", show_wallet && !self->syncing);
}

/* Alerts: the engine has no list model for them yet, so they are read
 * from the wallet's store off the main loop. */

static void
load_alerts_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *alerts = cw_wallet_store_list_alerts (cw_wallet_get_store (source_object), FALSE,
                                                   &error);

  if (alerts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, alerts, (GDestroyNotify) g_ptr_array_unref);
}

static void
alerts_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *alerts;

  self->n_loads--;
  alerts = g_task_propagate_pointer (G_TASK (result), &error);
  if (alerts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the wallet's alerts: %s", error->message);
      return;
    }

  g_clear_pointer (&self->alerts, g_ptr_array_unref);
  self->alerts = alerts;
  cw_alert_banner_set_n_alerts (self->alert_banner, alerts->len);
}

void
cw_window_reload (CwWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_WINDOW (self));

  self->n_loads++;
  task = g_task_new (self->wallet, self->cancellable, alerts_loaded_cb, g_object_ref (self));
  g_task_set_source_tag (task, cw_window_reload);
  g_task_run_in_thread (task, load_alerts_thread);
}

static void
n_pending_changed_cb (CwWindow *self)
{
  guint n = cw_requests_page_get_n_pending (self->requests_page);

  adw_view_stack_page_set_badge_number (self->requests_stack_page, n);
  adw_view_stack_page_set_needs_attention (self->requests_stack_page, n > 0);
}

/* The Requests page exists from the start (it counts the pending
 * requests for the badge) and the Activity page from when it is first
 * shown, and both join the window only then: styling and measuring them,
 * hidden, was about a fifth of the time to the first frame
 * (docs/PERFORMANCE.md, "App startup"). */
static CwActivityPage *
ensure_activity_page (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);

  if (self->activity_page == NULL)
    {
      self->activity_page = g_object_ref_sink (g_object_new (CW_TYPE_ACTIVITY_PAGE, NULL));
      if (self->models_given)
        cw_activity_page_set_model (self->activity_page, cw_wallet_get_activity (self->wallet));
    }
  return self->activity_page;
}

static void
attach_page (AdwBin    *bin,
             GtkWidget *page)
{
  if (adw_bin_get_child (bin) == NULL)
    adw_bin_set_child (bin, page);
}

static void
attach_visible_page (CwWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (name, "requests") == 0)
    attach_page (self->requests_bin, GTK_WIDGET (self->requests_page));
  else if (g_strcmp0 (name, "activity") == 0)
    attach_page (self->activity_bin, GTK_WIDGET (ensure_activity_page (self)));
}

static void
enrolled_changed_cb (CwWindow *self)
{
  update_state (self);
  cw_window_reload (self);
}

static void
alert_raised_cb (CwWindow *self)
{
  cw_window_reload (self);
}

/* win.sync: the scheduler flushes, then syncs; the window shows how it went. */

static void
sync_state_changed_cb (CwWindow *self)
{
  gboolean syncing = cw_sync_scheduler_get_syncing (self->scheduler);

  self->syncing = syncing;
  gtk_spinner_set_spinning (self->sync_spinner, syncing);
  gtk_stack_set_visible_child_name (self->sync_stack, syncing ? "busy" : "idle");
  update_state (self);
}

/* Offline: what is signed waits in the outbox; say how much. */
static void
update_offline (CwWindow *self)
{
  gboolean offline = cw_sync_scheduler_get_offline (self->scheduler);
  GListModel *activity = cw_wallet_get_activity (self->wallet);
  g_autofree char *text = NULL;
  guint n_waiting = 0;

  gtk_revealer_set_reveal_child (self->offline_revealer, offline);
  if (!offline)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (activity); i++)
    {
      g_autoptr(CwActivityItem) item = g_list_model_get_item (activity, i);
      const char *state = cw_activity_item_get_state (item);

      if (g_strcmp0 (state, "queued") == 0 || g_strcmp0 (state, "sent") == 0)
        n_waiting++;
    }
  if (n_waiting == 0)
    text = g_strdup (_("Offline: the node cannot be reached. Showing what the wallet already "
                       "knows."));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Offline: the node cannot be reached. %u change will "
                                         "be sent when online.",
                                         "Offline: the node cannot be reached. %u changes will "
                                         "be sent when online.", n_waiting),
                            n_waiting);
  gtk_label_set_text (self->offline_label, text);
}

static void
sync_finished_cb (CwWindow     *self,
                  const GError *error)
{
  update_offline (self);
  if (error != NULL)
    {
      if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION))
        cw_window_show_toast (self, _("Sync stopped: what the node sent did not verify"));
      else if (error->domain == CW_NODE_CLIENT_ERROR && cw_node_client_error_is_transient (error))
        cw_window_show_toast (self, _("Could not reach the node: showing what the wallet already knows"));
      else
        {
          g_autofree char *text = g_strdup_printf (_("Sync failed: %s"), error->message);
          cw_window_show_toast (self, text);
        }
    }
  cw_window_reload (self);
}

/* Window size and state are remembered across starts. */
static void
bind_settings (CwWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    return;

  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sync-interval", self->scheduler, "interval",
                   G_SETTINGS_BIND_GET);
}

/* GObject */

/* The pages get the wallet's models once the first frame is on screen:
 * building list rows is the costliest part of a start, and the pages say
 * "loading" until then. Also, GTK 4.8's GtkListView must not be measured
 * with items before it ever had rows (gtk_list_view_get_unknown_row_height). */
static void
give_models (CwWindow *self)
{
  if (self->models_given)
    return;
  self->models_given = TRUE;
  cw_access_page_set_model (self->access_page, cw_wallet_get_grants (self->wallet));
  cw_requests_page_set_model (self->requests_page, cw_wallet_get_requests (self->wallet));
  if (self->activity_page != NULL)
    cw_activity_page_set_model (self->activity_page, cw_wallet_get_activity (self->wallet));
  n_pending_changed_cb (self);
}

static void
first_frame_painted_cb (GdkFrameClock *clock,
                        CwWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted_cb, self);
  give_models (self);
}

static void
cw_window_map (GtkWidget *widget)
{
  CwWindow *self = CW_WINDOW (widget);
  GdkFrameClock *clock;

  GTK_WIDGET_CLASS (cw_window_parent_class)->map (widget);

  if (self->models_given)
    return;
  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    give_models (self);
  else
    g_signal_connect_object (clock, "after-paint", G_CALLBACK (first_frame_painted_cb), self, 0);
}

static void
cw_window_constructed (GObject *object)
{
  CwWindow *self = CW_WINDOW (object);

  G_OBJECT_CLASS (cw_window_parent_class)->constructed (object);

  g_assert (CW_IS_WALLET (self->wallet));
  g_signal_connect_object (self->wallet, "notify::enrolled", G_CALLBACK (enrolled_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->wallet, "alert-raised", G_CALLBACK (alert_raised_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->requests_page, "notify::n-pending",
                           G_CALLBACK (n_pending_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (attach_visible_page), self, G_CONNECT_SWAPPED);
  attach_visible_page (self);

  self->scheduler = cw_sync_scheduler_new (self->wallet);
  g_signal_connect_object (self->scheduler, "notify::syncing",
                           G_CALLBACK (sync_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scheduler, "finished", G_CALLBACK (sync_finished_cb), self,
                           G_CONNECT_SWAPPED);
  bind_settings (self);

  update_state (self);
  cw_window_reload (self);
}

static void
cw_window_dispose (GObject *object)
{
  CwWindow *self = CW_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  /* The wallet and a sync still finishing outlive the window: nothing of
   * theirs may reach its widgets once they are gone. */
  if (self->scheduler != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->scheduler, self);
      cw_sync_scheduler_stop (self->scheduler);
    }
  if (self->wallet != NULL)
    g_signal_handlers_disconnect_by_data (self->wallet, self);
  if (self->requests_page != NULL)
    g_signal_handlers_disconnect_by_data (self->requests_page, self);
  if (self->view_stack != NULL)
    g_signal_handlers_disconnect_by_data (self->view_stack, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_WINDOW);
  self->onboarding_view = NULL;  /* a child of main_stack, gone with it */
  g_clear_object (&self->requests_page);
  g_clear_object (&self->activity_page);
  g_clear_weak_pointer (&self->grant_dialog);
  g_clear_weak_pointer (&self->grant_details);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->wallet);
  g_clear_pointer (&self->alerts, g_ptr_array_unref);

  G_OBJECT_CLASS (cw_window_parent_class)->dispose (object);
}

static void
cw_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CwWindow *self = CW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_WALLET:
      g_value_set_object (value, self->wallet);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CwWindow *self = CW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_WALLET:
      self->wallet = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_window_class_init (CwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cw_window_constructed;
  object_class->dispose = cw_window_dispose;
  object_class->get_property = cw_window_get_property;
  object_class->set_property = cw_window_set_property;
  widget_class->map = cw_window_map;

  properties[PROP_WALLET] =
    g_param_spec_object ("wallet", NULL, NULL, CW_TYPE_WALLET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  cw_window_class_install_actions (widget_class);

  g_type_ensure (CW_TYPE_ACCESS_PAGE);
  g_type_ensure (CW_TYPE_ACTIVITY_PAGE);
  g_type_ensure (CW_TYPE_ALERT_BANNER);
  g_type_ensure (CW_TYPE_REQUESTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CwWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, grant_button);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, sync_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, alert_banner);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, requests_stack_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, access_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, requests_bin);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, activity_bin);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, offline_label);

}

static void
cw_window_init (CwWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->requests_page = g_object_ref_sink (g_object_new (CW_TYPE_REQUESTS_PAGE, NULL));
}

CwWindow *
cw_window_new (GtkApplication *application,
               CwWallet       *wallet)
{
  return g_object_new (CW_TYPE_WINDOW,
                       "application", application,
                       "wallet", wallet,
                       NULL);
}

CwWallet *
cw_window_get_wallet (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->wallet;
}

CwAccessPage *
cw_window_get_access_page (CwWindow *self)
{
  return self->access_page;
}

CwRequestsPage *
cw_window_get_requests_page (CwWindow *self)
{
  return self->requests_page;
}

CwActivityPage *
cw_window_get_activity_page (CwWindow *self)
{
  ensure_activity_page (self);
  return self->activity_page;
}

CwAlertBanner *
cw_window_get_alert_banner (CwWindow *self)
{
  return self->alert_banner;
}

AdwViewStack *
cw_window_get_view_stack (CwWindow *self)
{
  return self->view_stack;
}

const char *
cw_window_get_state (CwWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

gboolean
cw_window_get_loading (CwWindow *self)
{
  return self->n_loads > 0 || !self->models_given;
}

GtkWindow *
cw_window_get_grant_dialog (CwWindow *self)
{
  return self->grant_dialog;
}

CwSyncScheduler *
cw_window_get_sync_scheduler (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->scheduler;
}

GtkWindow *
cw_window_get_grant_details (CwWindow *self)
{
  return self->grant_details;
}

gboolean
cw_window_get_offline_shown (CwWindow *self)
{
  return gtk_revealer_get_reveal_child (self->offline_revealer);
}

const char *
cw_window_get_offline_text (CwWindow *self)
{
  return gtk_label_get_text (self->offline_label);
}

void
cw_window_open_invite (CwWindow   *self,
                       const char *text)
{
  g_return_if_fail (CW_IS_WINDOW (self));

  cw_onboarding_view_open_invite (ensure_onboarding_view (self), text, -1);
}

void
cw_window_open_invite_file (CwWindow *self,
                            GFile    *file)
{
  g_return_if_fail (CW_IS_WINDOW (self));

  cw_onboarding_view_open_file (ensure_onboarding_view (self), file);
}

CwOnboardingView *
cw_window_get_onboarding_view (CwWindow *self)
{
  return ensure_onboarding_view (self);
}
