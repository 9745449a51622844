/* cw-grant-dialog.c: the grant flow, one step per page of a GtkStack. */
#include "config.h"

#include <glib/gi18n.h>

#include "cw-grant-dialog-private.h"
#include "cw-provider-item.h"
#include "cw-ui-format.h"

struct _CwGrantDialog
{
  AdwWindow           parent_instance;

  AdwWindowTitle     *window_title;
  GtkStack           *start_stack;
  GtkButton          *next_button;
  GtkStack           *steps;
  GtkSearchEntry     *provider_search;
  GtkListBox         *provider_list;
  GtkButton          *use_id_button;
  AdwPreferencesGroup *scopes_group;
  AdwPreferencesGroup *sensitive_group;
  AdwComboRow        *purpose_row;
  AdwComboRow        *access_row;
  AdwComboRow        *period_row;
  AdwPreferencesGroup *calendar_group;
  GtkCalendar        *calendar;
  GtkLabel           *review_label;
  GtkLabel           *review_sensitive_label;
  GtkSpinner         *spinner;

  CwWallet           *wallet;
  GtkCustomFilter    *provider_filter;
  GtkCheckButton     *scope_checks[CW_N_SCOPES];
  GCancellable       *cancellable;

  char               *provider_id;
  char               *provider_name;
  char               *request_id;  /* set when approving a request */
  CwScopes            request_scopes;
  gint64              request_expires;
};

G_DEFINE_FINAL_TYPE (CwGrantDialog, cw_grant_dialog, ADW_TYPE_WINDOW)

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PERIOD_WEEK,
  PERIOD_MONTH,
  PERIOD_YEAR,
  PERIOD_CUSTOM,
};

static const char * const step_names[] = { "provider", "scopes", "purpose", "period", "review" };
#define N_STEPS G_N_ELEMENTS (step_names)

static int
current_step (CwGrantDialog *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->steps);

  for (guint i = 0; i < N_STEPS; i++)
    if (g_strcmp0 (name, step_names[i]) == 0)
      return i;
  return -1;
}

static int
first_step (CwGrantDialog *self)
{
  /* Approving a request: the provider is the one who asked. */
  return self->request_id != NULL ? 1 : 0;
}

static CwScopes
chosen_scopes (CwGrantDialog *self)
{
  CwScopes scopes = 0;

  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (self->scope_checks[i] != NULL && gtk_check_button_get_active (self->scope_checks[i]))
      scopes |= 1 << i;
  return scopes;
}

static GDateTime *
chosen_expires (CwGrantDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = NULL;

  switch (adw_combo_row_get_selected (self->period_row))
    {
    case PERIOD_WEEK:
      expires = g_date_time_add_weeks (now, 1);
      break;
    case PERIOD_MONTH:
      expires = g_date_time_add_months (now, 1);
      break;
    case PERIOD_YEAR:
      expires = g_date_time_add_years (now, 1);
      break;
    case PERIOD_CUSTOM:
    default:
      {
        g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);

        /* Access lasts to the end of the chosen day, like the CLI's --expires. */
        expires = g_date_time_new_utc (g_date_time_get_year (day), g_date_time_get_month (day),
                                       g_date_time_get_day_of_month (day), 23, 59, 59);
      }
      break;
    }

  /* A request can only be narrowed: never longer than asked. */
  if (self->request_id != NULL && g_date_time_to_unix (expires) > self->request_expires)
    {
      g_clear_pointer (&expires, g_date_time_unref);
      expires = g_date_time_new_from_unix_utc (self->request_expires);
    }

  /* Whole seconds, as transactions carry them. */
  return g_date_time_new_from_unix_utc (g_date_time_to_unix (expires));
}

static CwAccess
chosen_access (CwGrantDialog *self)
{
  return adw_combo_row_get_selected (self->access_row) == 1 ? CW_ACCESS_VIEW | CW_ACCESS_STORE
                                                             : CW_ACCESS_VIEW;
}

static gboolean
step_is_complete (CwGrantDialog *self,
                  int            step)
{
  switch (step)
    {
    case 0:
      return self->provider_id != NULL;
    case 1:
      return chosen_scopes (self) != 0;
    case 3:
      {
        g_autoptr(GDateTime) expires = chosen_expires (self);

        return g_date_time_to_unix (expires) > g_get_real_time () / G_USEC_PER_SEC;
      }
    default:
      return TRUE;
    }
}

static void
update_review (CwGrantDialog *self)
{
  g_autoptr(GDateTime) expires = chosen_expires (self);
  g_autofree char *sentence = NULL;
  CwScopes sensitive = chosen_scopes (self) & CW_SCOPES_SENSITIVE;

  if (self->provider_name == NULL || chosen_scopes (self) == 0)
    return;

  sentence = cw_ui_format_grant_sentence (self->provider_name, chosen_scopes (self),
                                          adw_combo_row_get_selected (self->purpose_row),
                                          chosen_access (self), g_date_time_to_unix (expires));
  gtk_label_set_text (self->review_label, sentence);

  gtk_widget_set_visible (GTK_WIDGET (self->review_sensitive_label), sensitive != 0);
  if (sensitive != 0)
    {
      g_autofree char *names = cw_ui_format_scopes (sensitive);
      g_autofree char *text = g_strdup_printf (_("This includes sensitive information: %s."), names);

      gtk_label_set_text (self->review_sensitive_label, text);
    }
}

static void
update_controls (CwGrantDialog *self)
{
  int step = current_step (self);
  g_autofree char *subtitle = NULL;

  gtk_stack_set_visible_child_name (self->start_stack, step > first_step (self) ? "back" : "cancel");
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), step >= 0 && step < (int) N_STEPS - 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "grant.next",
                                 step >= 0 && step < (int) N_STEPS - 1 && step_is_complete (self, step));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "grant.back", step > first_step (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "grant.send", step == (int) N_STEPS - 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "grant.cancel", step < 0);

  if (step >= 0)
    subtitle = g_strdup_printf (_("Step %d of %d"), step - first_step (self) + 1,
                                (int) N_STEPS - first_step (self));
  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");
  update_review (self);
}

static void
choice_changed_cb (CwGrantDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->calendar_group),
                          adw_combo_row_get_selected (self->period_row) == PERIOD_CUSTOM);
  update_controls (self);
}

/* Provider step */

static gboolean
provider_filter_func (gpointer item,
                      gpointer user_data)
{
  CwGrantDialog *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->provider_search));
  g_autofree char *needle = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *haystack = NULL;

  if (text == NULL || text[0] == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);
  joined = g_strdup_printf ("%s %s %s", cw_provider_item_get_name (item),
                            cw_provider_item_get_organization (item),
                            cw_provider_item_get_kind (item));
  haystack = g_utf8_casefold (joined, -1);
  return strstr (haystack, needle) != NULL;
}

/* The wallet lists only the providers it has met; a provider ID from the
 * clinic can be typed in (the node refuses unknown IDs). */
static void go_to_step (CwGrantDialog *self,
                        int            step);

static void
provider_search_changed_cb (CwGrantDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->provider_search));
  GListModel *providers = cw_wallet_get_providers (self->wallet);
  gboolean known = FALSE;

  gtk_filter_changed (GTK_FILTER (self->provider_filter), GTK_FILTER_CHANGE_DIFFERENT);

  for (guint i = 0; i < g_list_model_get_n_items (providers) && !known; i++)
    {
      g_autoptr(CwProviderItem) provider = g_list_model_get_item (providers, i);

      known = g_strcmp0 (cw_provider_item_get_id (provider), text) == 0;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->use_id_button),
                          !known && cw_tx_provider_id_is_valid (text));
  if (cw_tx_provider_id_is_valid (text))
    {
      g_autofree char *label = g_strdup_printf (_("Use Provider ID “%s”"), text);

      gtk_button_set_label (self->use_id_button, label);
    }
}

static void
use_id_clicked_cb (CwGrantDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->provider_search));

  if (!cw_tx_provider_id_is_valid (text))
    return;
  gtk_list_box_unselect_all (self->provider_list);
  g_free (self->provider_id);
  self->provider_id = g_strdup (text);
  g_free (self->provider_name);
  self->provider_name = g_strdup (text);
  go_to_step (self, 1);
}

static GtkWidget *
create_provider_row (gpointer item,
                     gpointer user_data)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", cw_provider_item_get_organization (item),
                                               cw_provider_item_get_kind (item));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cw_provider_item_get_name (item));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "provider", g_object_ref (item), g_object_unref);
  return row;
}

static void
provider_selected_cb (CwGrantDialog *self,
                      GtkListBoxRow *row)
{
  CwProviderItem *provider;

  if (row == NULL)
    return;
  provider = g_object_get_data (G_OBJECT (row), "provider");

  g_free (self->provider_id);
  self->provider_id = g_strdup (cw_provider_item_get_id (provider));
  g_free (self->provider_name);
  self->provider_name = g_strdup (cw_provider_item_get_name (provider));
  update_controls (self);
}

/* Scopes step */

static void
add_scope_rows (CwGrantDialog *self)
{
  for (guint i = 0; i < CW_N_SCOPES; i++)
    {
      CwScopes scope = 1 << i;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(cw_scope_get_display_name (scope)));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      /* Also names the check box, through labelled-by the row's title. */
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_object (check, "toggled", G_CALLBACK (update_controls), self,
                               G_CONNECT_SWAPPED);
      self->scope_checks[i] = GTK_CHECK_BUTTON (check);
      adw_preferences_group_add (cw_scope_is_sensitive (scope) ? self->sensitive_group
                                                               : self->scopes_group,
                                 row);
    }
}

/* Actions */

static void
go_to_step (CwGrantDialog *self,
            int            step)
{
  gtk_stack_set_visible_child_name (self->steps, step_names[step]);
  update_controls (self);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwGrantDialog *self = CW_GRANT_DIALOG (widget);
  int step = current_step (self);

  if (step < 0 || step >= (int) N_STEPS - 1 || !step_is_complete (self, step))
    return;
  go_to_step (self, step + 1);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwGrantDialog *self = CW_GRANT_DIALOG (widget);
  int step = current_step (self);

  if (step > first_step (self))
    go_to_step (self, step - 1);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CwGrantDialog) self = user_data;
  g_autoptr(CwStoreTx) tx = NULL;
  g_autoptr(GError) error = NULL;

  gtk_spinner_set_spinning (self->spinner, FALSE);
  tx = cw_wallet_transaction_finish (CW_WALLET (object), result, &error);
  if (tx == NULL)
    {
      GtkWidget *dialog;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Signed and in the outbox already, or never signed: either way
           * the next sync reports it. */
          g_signal_emit (self, signals[SENT], 0, (gint64) -1);
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }

      go_to_step (self, N_STEPS - 1);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Access Was Not Given"), error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  g_signal_emit (self, signals[SENT], 0,
                 tx->state == CW_STORE_TX_CONFIRMED ? tx->log_index : (gint64) -1);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwGrantDialog *self = CW_GRANT_DIALOG (widget);
  g_autoptr(GDateTime) expires = chosen_expires (self);
  CwWalletGrantParams params = {
    .provider = self->provider_id,
    .scopes = chosen_scopes (self),
    .purpose = adw_combo_row_get_selected (self->purpose_row),
    .access = chosen_access (self),
    .expires = expires,
    .request_id = self->request_id,
  };

  if (self->provider_id == NULL || params.scopes == 0)
    return;

  gtk_stack_set_visible_child_name (self->steps, "sending");
  gtk_spinner_set_spinning (self->spinner, TRUE);
  update_controls (self);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->request_id != NULL)
    cw_wallet_approve_request_async (self->wallet, &params, self->cancellable, sent_cb,
                                     g_object_ref (self));
  else
    cw_wallet_grant_async (self->wallet, &params, self->cancellable, sent_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_cancellable_cancel (CW_GRANT_DIALOG (widget)->cancellable);
}

/* GObject */

static void
cw_grant_dialog_dispose (GObject *object)
{
  CwGrantDialog *self = CW_GRANT_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_GRANT_DIALOG);
  g_clear_object (&self->wallet);
  g_clear_object (&self->provider_filter);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cw_grant_dialog_parent_class)->dispose (object);
}

static void
cw_grant_dialog_finalize (GObject *object)
{
  CwGrantDialog *self = CW_GRANT_DIALOG (object);

  g_free (self->provider_id);
  g_free (self->provider_name);
  g_free (self->request_id);

  G_OBJECT_CLASS (cw_grant_dialog_parent_class)->finalize (object);
}

static void
cw_grant_dialog_class_init (CwGrantDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_grant_dialog_dispose;
  object_class->finalize = cw_grant_dialog_finalize;

  /**
   * CwGrantDialog::sent:
   * @log_index: the verified log index, or -1 when the grant waits in the
   *   outbox
   */
  signals[SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-grant-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, start_stack);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, next_button);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, steps);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, provider_search);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, provider_list);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, use_id_button);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, scopes_group);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, sensitive_group);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, purpose_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, access_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, period_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, calendar_group);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, review_label);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, review_sensitive_label);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, provider_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, provider_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, use_id_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choice_changed_cb);

  gtk_widget_class_install_action (widget_class, "grant.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "grant.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "grant.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "grant.cancel", NULL, cancel_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "grant.back", NULL);
}

static void
cw_grant_dialog_init (CwGrantDialog *self)
{
  g_autoptr(GtkStringList) purposes = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  add_scope_rows (self);
  /* Popup rows a screen reader can name. */
  adw_combo_row_set_factory (self->purpose_row, cw_ui_named_string_factory ());
  adw_combo_row_set_factory (self->access_row, cw_ui_named_string_factory ());
  adw_combo_row_set_factory (self->period_row, cw_ui_named_string_factory ());
  adw_combo_row_set_list_factory (self->purpose_row, cw_ui_named_string_factory ());
  adw_combo_row_set_list_factory (self->access_row, cw_ui_named_string_factory ());
  adw_combo_row_set_list_factory (self->period_row, cw_ui_named_string_factory ());

  for (guint i = 0; i < CW_N_PURPOSES; i++)
    gtk_string_list_append (purposes, cw_ui_format_purpose (i));
  adw_combo_row_set_model (self->purpose_row, G_LIST_MODEL (purposes));
  adw_combo_row_set_selected (self->period_row, PERIOD_MONTH);
  update_controls (self);
}

CwGrantDialog *
cw_grant_dialog_new (CwWallet *wallet)
{
  CwGrantDialog *self;
  g_autoptr(GtkFilterListModel) filtered = NULL;

  g_return_val_if_fail (CW_IS_WALLET (wallet), NULL);

  self = g_object_new (CW_TYPE_GRANT_DIALOG, NULL);
  self->wallet = g_object_ref (wallet);

  self->provider_filter = gtk_custom_filter_new (provider_filter_func, self, NULL);
  filtered = gtk_filter_list_model_new (g_object_ref (cw_wallet_get_providers (wallet)),
                                        g_object_ref (GTK_FILTER (self->provider_filter)));
  gtk_list_box_bind_model (self->provider_list, G_LIST_MODEL (filtered),
                           create_provider_row, self, NULL);
  {
    GtkWidget *placeholder = gtk_label_new (_("No provider found"));

    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_widget_set_margin_top (placeholder, 12);
    gtk_widget_set_margin_bottom (placeholder, 12);
    gtk_list_box_set_placeholder (self->provider_list, placeholder);
  }

  return self;
}

void
cw_grant_dialog_set_request (CwGrantDialog        *self,
                             const CwStoreRequest *request,
                             const char           *provider_name)
{
  CwScopes scopes;
  g_autoptr(GDateTime) until = NULL;

  g_return_if_fail (CW_IS_GRANT_DIALOG (self));
  g_return_if_fail (request != NULL);

  g_free (self->request_id);
  self->request_id = g_strdup (request->id);
  g_free (self->provider_id);
  self->provider_id = g_strdup (request->provider);
  g_free (self->provider_name);
  self->provider_name = g_strdup (provider_name != NULL ? provider_name : request->provider);
  self->request_expires = request->expires;
  scopes = self->request_scopes = request->scopes;

  /* Pre-fill what was asked; only those categories can be chosen, and
   * sensitive ones still need their own tick. */
  for (guint i = 0; i < CW_N_SCOPES; i++)
    {
      CwScopes scope = 1 << i;
      GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (self->scope_checks[i]),
                                                ADW_TYPE_ACTION_ROW);

      gtk_check_button_set_active (self->scope_checks[i],
                                   (scopes & scope) && !cw_scope_is_sensitive (scope));
      /* Only what was asked for can be given: the rest is hidden. */
      gtk_widget_set_visible (row, (scopes & scope) != 0);
      if ((scopes & scope) && cw_scope_is_sensitive (scope))
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Requested: tick to include"));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->scopes_group), (scopes & ~CW_SCOPES_SENSITIVE) != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->sensitive_group), (scopes & CW_SCOPES_SENSITIVE) != 0);
  adw_preferences_group_set_description (self->scopes_group,
                                         _("They asked for these. Untick what they do not need."));
  adw_combo_row_set_selected (self->purpose_row, request->purpose);
  adw_combo_row_set_selected (self->access_row, (request->access & CW_ACCESS_STORE) ? 1 : 0);
  until = g_date_time_new_from_unix_local (request->expires);
  gtk_calendar_select_day (self->calendar, until);
  adw_combo_row_set_selected (self->period_row, PERIOD_CUSTOM);

  adw_window_title_set_title (self->window_title, _("Approve Request"));
  go_to_step (self, first_step (self));
}

const char *
cw_grant_dialog_get_step (CwGrantDialog *self)
{
  return gtk_stack_get_visible_child_name (self->steps);
}

gboolean
cw_grant_dialog_select_provider (CwGrantDialog *self,
                                 const char    *provider_id)
{
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->provider_list, i);

      if (row == NULL)
        return FALSE;
      CwProviderItem *provider = g_object_get_data (G_OBJECT (row), "provider");

      if (g_strcmp0 (cw_provider_item_get_id (provider), provider_id) == 0)
        {
          gtk_list_box_select_row (self->provider_list, row);
          return TRUE;
        }
    }
}

GtkCheckButton *
cw_grant_dialog_get_scope_check (CwGrantDialog *self,
                                 CwScopes       scope)
{
  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (scope == (CwScopes) (1 << i))
      return self->scope_checks[i];
  return NULL;
}

AdwComboRow *
cw_grant_dialog_get_purpose_row (CwGrantDialog *self)
{
  return self->purpose_row;
}

AdwComboRow *
cw_grant_dialog_get_period_row (CwGrantDialog *self)
{
  return self->period_row;
}

const char *
cw_grant_dialog_get_review_text (CwGrantDialog *self)
{
  return gtk_label_get_text (self->review_label);
}
