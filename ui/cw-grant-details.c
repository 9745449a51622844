/* cw-grant-details.c: one grant in full, with its receipt re-verified, and
 * the Revoke and "Export as FHIR" actions. */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n.h>

#include "cw-grant-details-private.h"
#include "cw-grant-receipt.h"
#include "cw-ui-format.h"

struct _CwGrantDetails
{
  AdwWindow        parent_instance;

  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwStatusPage   *error_page;
  AdwActionRow    *provider_row;
  AdwActionRow    *scopes_row;
  AdwActionRow    *purpose_row;
  AdwActionRow    *access_row;
  AdwActionRow    *period_row;
  AdwActionRow    *data_row;
  AdwActionRow    *receipt_row;
  GtkImage        *receipt_icon;
  AdwActionRow    *log_index_row;
  AdwActionRow    *checkpoint_row;
  AdwActionRow    *witnesses_row;
  GtkButton       *revoke_button;

  CwWallet        *wallet;
  char            *grant_id;
  CwGrantReceipt  *receipt;
  GCancellable    *cancellable;
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (CwGrantDetails, cw_grant_details, ADW_TYPE_WINDOW)

enum {
  EXPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_toast (CwGrantDetails *self,
            const char     *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static char *
format_access (CwAccess access)
{
  if ((access & CW_ACCESS_VIEW) && (access & CW_ACCESS_STORE))
    return g_strdup (_("View and keep a copy"));
  if (access & CW_ACCESS_STORE)
    return g_strdup (_("Keep a copy"));
  return g_strdup (_("View only"));
}

static void
show_receipt (CwGrantDetails       *self,
              const CwGrantReceipt *receipt)
{
  if (!receipt->has_receipt)
    {
      adw_action_row_set_subtitle (self->receipt_row,
                                   _("Not in the log yet: it will be checked once the node "
                                     "confirms it"));
      gtk_image_set_from_icon_name (self->receipt_icon, "content-loading-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->receipt_icon), "cw-verified");
      gtk_widget_set_visible (GTK_WIDGET (self->log_index_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->checkpoint_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->witnesses_row), FALSE);
      return;
    }

  {
    g_autofree char *index = g_strdup_printf ("%" G_GINT64_FORMAT, receipt->log_index);

    adw_action_row_set_subtitle (self->log_index_row, index);
  }

  if (receipt->verified)
    {
      g_autofree char *checkpoint = NULL;
      g_autofree char *witnesses = NULL;
      guint n_cosigners = g_strv_length (receipt->cosigners);

      adw_action_row_set_subtitle (self->receipt_row, _("Verified"));
      gtk_image_set_from_icon_name (self->receipt_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->receipt_icon), "cw-verified");
      gtk_widget_remove_css_class (GTK_WIDGET (self->receipt_icon), "error");

      /* Translators: a log's name, its size in entries and its root hash. */
      checkpoint = g_strdup_printf (_("%s, %" PRIu64 " entries\nRoot %s"),
                                    receipt->origin, receipt->checkpoint_size,
                                    receipt->checkpoint_root);
      adw_action_row_set_subtitle (self->checkpoint_row, checkpoint);

      if (n_cosigners == 0)
        witnesses = g_strdup (_("No witness (the node needs none)"));
      else
        {
          g_autofree char *names = g_strjoinv ("\n", receipt->cosigners);

          /* Translators: "2 of 2 required", then the witnesses' names. */
          witnesses = g_strdup_printf (_("%u (%u required)\n%s"), n_cosigners, receipt->quorum,
                                       names);
        }
      adw_action_row_set_subtitle (self->witnesses_row, witnesses);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Failed: %s"), receipt->problem);

      adw_action_row_set_subtitle (self->receipt_row, text);
      gtk_image_set_from_icon_name (self->receipt_icon, "dialog-warning-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->receipt_icon), "cw-verified");
      gtk_widget_add_css_class (GTK_WIDGET (self->receipt_icon), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->checkpoint_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->witnesses_row), FALSE);
    }
}

static void
show_grant (CwGrantDetails       *self,
            const CwGrantReceipt *receipt)
{
  const CwStoreGrant *grant = receipt->grant;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *scopes = cw_ui_format_scopes (grant->scopes);
  g_autofree char *access = format_access (grant->access);
  g_autofree char *from = cw_ui_format_date (grant->time);
  g_autofree char *until = cw_ui_format_date (grant->expires);
  g_autofree char *expiry = cw_ui_format_expiry (grant->expires, now);
  g_autofree char *period = NULL;

  adw_window_title_set_subtitle (self->window_title, receipt->provider_name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->provider_row), receipt->provider_name);
  adw_action_row_set_subtitle (self->provider_row, receipt->organization);
  adw_action_row_set_subtitle (self->scopes_row, scopes);
  adw_action_row_set_subtitle (self->purpose_row, cw_ui_format_purpose (grant->purpose));
  adw_action_row_set_subtitle (self->access_row, access);

  if (grant->revoked_by != NULL)
    /* Translators: "From 1 May 2026; revoked" */
    period = g_strdup_printf (_("From %s; revoked"), from);
  else
    /* Translators: "From 1 May 2026 to 1 June 2026 (expires in 30 days)" */
    period = g_strdup_printf (_("From %s to %s (%s)"), from, until, expiry);
  adw_action_row_set_subtitle (self->period_row, period);

  if (grant->data_from != NULL || grant->data_to != NULL)
    {
      g_autofree char *dated = g_strdup_printf ("%s – %s",
                                                grant->data_from != NULL ? grant->data_from : "…",
                                                grant->data_to != NULL ? grant->data_to : "…");

      adw_action_row_set_subtitle (self->data_row, dated);
      gtk_widget_set_visible (GTK_WIDGET (self->data_row), TRUE);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.revoke",
                                 grant->revoked_by == NULL && grant->expires > now);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.export-fhir", TRUE);
  show_receipt (self, receipt);
  gtk_stack_set_visible_child_name (self->stack, "details");
}

/* Loading */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  CwGrantReceipt *receipt = cw_grant_receipt_load (cw_wallet_get_store (source_object), task_data,
                                                   &error);

  if (receipt == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, receipt, (GDestroyNotify) cw_grant_receipt_free);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CwGrantDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  CwGrantReceipt *receipt = g_task_propagate_pointer (G_TASK (result), &error);

  if (receipt == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  g_clear_pointer (&self->receipt, cw_grant_receipt_free);
  self->receipt = receipt;
  show_grant (self, receipt);
}

static void
load (CwGrantDetails *self)
{
  g_autoptr(GTask) task = g_task_new (self->wallet, self->cancellable, loaded_cb,
                                      g_object_ref (self));

  g_task_set_source_tag (task, load);
  g_task_set_task_data (task, g_strdup (self->grant_id), g_free);
  g_task_run_in_thread (task, load_thread);
}

/* details.revoke: the main window asks and revokes, as from the list. */

static void
revoke_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwGrantDetails *self = CW_GRANT_DETAILS (widget);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (parent), "win.revoke", "s", self->grant_id);
  gtk_window_close (GTK_WINDOW (self));
}

/* details.export-fhir */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CwGrantDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_file_replace_contents_finish (G_FILE (object), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ok)
    {
      g_autofree char *name = g_file_get_basename (G_FILE (object));
      g_autofree char *text = g_strdup_printf (_("Saved as “%s”"), name);

      show_toast (self, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Could not save: %s"), error->message);

      show_toast (self, text);
    }
  g_signal_emit (self, signals[EXPORTED], 0, ok);
}

typedef struct {
  CwGrantDetails *self;
  GFile          *file;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->self);
  g_clear_object (&export->file);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

static void
fhir_ready_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Export) export = user_data;
  CwGrantDetails *self = export->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *json = cw_wallet_export_fhir_finish (CW_WALLET (object), result, &error);

  if (json == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not export: %s"), error->message);

          show_toast (self, text);
          g_signal_emit (self, signals[EXPORTED], 0, FALSE);
        }
      return;
    }

  bytes = g_bytes_new_take (json, strlen (json));
  g_file_replace_contents_bytes_async (export->file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, self->cancellable,
                                       saved_cb, g_object_ref (self));
}

void
cw_grant_details_export_to_file (CwGrantDetails *self,
                                 GFile          *file)
{
  Export *export;

  g_return_if_fail (CW_IS_GRANT_DETAILS (self));
  g_return_if_fail (G_IS_FILE (file));

  export = g_new0 (Export, 1);
  export->self = g_object_ref (self);
  export->file = g_object_ref (file);
  cw_wallet_export_fhir_async (self->wallet, self->grant_id, self->cancellable, fhir_ready_cb,
                               export);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     CwGrantDetails  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        cw_grant_details_export_to_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
export_fhir_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CwGrantDetails *self = CW_GRANT_DETAILS (widget);
  g_autofree char *name = NULL;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL || self->receipt == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Export as FHIR"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  /* Translators: file name of an exported consent; %s is the provider. */
  name = g_strdup_printf (_("Consent for %s.json"), self->receipt->provider_name);
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, _("FHIR Consent (JSON)"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* GObject */

static void
cw_grant_details_dispose (GObject *object)
{
  CwGrantDetails *self = CW_GRANT_DETAILS (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_GRANT_DETAILS);
  g_clear_object (&self->wallet);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cw_grant_details_parent_class)->dispose (object);
}

static void
cw_grant_details_finalize (GObject *object)
{
  CwGrantDetails *self = CW_GRANT_DETAILS (object);

  g_free (self->grant_id);
  g_clear_pointer (&self->receipt, cw_grant_receipt_free);

  G_OBJECT_CLASS (cw_grant_details_parent_class)->finalize (object);
}

static void
cw_grant_details_class_init (CwGrantDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_grant_details_dispose;
  object_class->finalize = cw_grant_details_finalize;

  /* The export finished: TRUE when the file was written. */
  signals[EXPORTED] =
    g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-grant-details.ui");
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, window_title);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, error_page);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, provider_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, scopes_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, purpose_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, access_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, period_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, data_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, receipt_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, receipt_icon);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, log_index_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, checkpoint_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, witnesses_row);
  gtk_widget_class_bind_template_child (widget_class, CwGrantDetails, revoke_button);

  gtk_widget_class_install_action (widget_class, "details.revoke", NULL, revoke_action);
  gtk_widget_class_install_action (widget_class, "details.export-fhir", NULL, export_fhir_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cw_grant_details_init (CwGrantDetails *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.revoke", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.export-fhir", FALSE);
}

CwGrantDetails *
cw_grant_details_new (CwWallet   *wallet,
                      const char *grant_id)
{
  CwGrantDetails *self;

  g_return_val_if_fail (CW_IS_WALLET (wallet), NULL);
  g_return_val_if_fail (grant_id != NULL, NULL);

  self = g_object_new (CW_TYPE_GRANT_DETAILS, NULL);
  self->wallet = g_object_ref (wallet);
  self->grant_id = g_strdup (grant_id);
  load (self);
  return self;
}

const char *
cw_grant_details_get_grant_id (CwGrantDetails *self)
{
  g_return_val_if_fail (CW_IS_GRANT_DETAILS (self), NULL);
  return self->grant_id;
}

const char *
cw_grant_details_get_state (CwGrantDetails *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
cw_grant_details_get_receipt_text (CwGrantDetails *self)
{
  return adw_action_row_get_subtitle (self->receipt_row);
}

const char *
cw_grant_details_get_row_text (CwGrantDetails *self,
                               const char     *row)
{
  static const struct { const char *name; gsize offset; } rows[] = {
    { "scopes", G_STRUCT_OFFSET (CwGrantDetails, scopes_row) },
    { "purpose", G_STRUCT_OFFSET (CwGrantDetails, purpose_row) },
    { "period", G_STRUCT_OFFSET (CwGrantDetails, period_row) },
    { "log-index", G_STRUCT_OFFSET (CwGrantDetails, log_index_row) },
    { "checkpoint", G_STRUCT_OFFSET (CwGrantDetails, checkpoint_row) },
    { "witnesses", G_STRUCT_OFFSET (CwGrantDetails, witnesses_row) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (g_strcmp0 (rows[i].name, row) == 0)
      return adw_action_row_get_subtitle (G_STRUCT_MEMBER (AdwActionRow *, self, rows[i].offset));
  return NULL;
}
