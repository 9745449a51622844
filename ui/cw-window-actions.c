/* cw-window-actions.c: the main window's win.* actions (grant, approve,
 * deny, revoke, sync, details) and the dialogs they open. */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "cw-grant-details.h"
#include "cw-grant-dialog.h"
#include "cw-grant-item.h"
#include "cw-request-item.h"
#include "cw-ui-format.h"
#include "cw-window-internal.h"

/* Results of transactions */

static char *
describe_transaction (CwStoreTx *tx)
{
  if (tx->state != CW_STORE_TX_CONFIRMED)
    return g_strdup (_("Signed and saved: it will be sent when the node can be reached"));
  if (tx->type == CW_TX_TYPE_REVOKE)
    return g_strdup_printf (_("Access revoked and verified: log entry %" PRId64),
                            tx->log_index);
  return g_strdup_printf (_("Request denied and verified: log entry %" PRId64),
                          tx->log_index);
}

static void
transaction_done (CwWindow     *self,
                  GAsyncResult *result)
{
  g_autoptr(CwStoreTx) tx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  tx = cw_wallet_transaction_finish (self->wallet, result, &error);
  if (tx == NULL)
    text = g_strdup_printf (_("Failed: %s"), error->message);
  else
    text = describe_transaction (tx);
  cw_window_show_toast (self, text);
  cw_window_reload (self);
}

/* win.grant and win.approve */

static void
grant_dialog_sent_cb (CwWindow *self,
                      gint64    log_index)
{
  g_autofree char *text = NULL;

  if (log_index >= 0)
    text = g_strdup_printf (_("Access given and verified: log entry %" PRId64), log_index);
  else
    text = g_strdup (_("Access signed and saved: it will be sent when the node can be reached"));
  cw_window_show_toast (self, text);
  cw_window_reload (self);
}

static CwGrantDialog *
open_grant_dialog (CwWindow *self)
{
  CwGrantDialog *dialog = cw_grant_dialog_new (self->wallet);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "sent", G_CALLBACK (grant_dialog_sent_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->grant_dialog, GTK_WINDOW (dialog));
  return dialog;
}

static void
grant_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (open_grant_dialog (self)));
}

static void
read_request_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  CwStoreRequest *request = cw_wallet_store_get_request (cw_wallet_get_store (source_object),
                                                         task_data, &error);

  if (request == NULL && error == NULL)
    error = g_error_new (CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_FOUND, _("The request is gone"));
  if (request == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, request, (GDestroyNotify) cw_store_request_free);
}

static void
request_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;
  g_autoptr(CwStoreRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  CwRequestItem *item;
  CwGrantDialog *dialog;

  request = g_task_propagate_pointer (G_TASK (result), &error);
  if (request == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cw_window_show_toast (self, error->message);
      return;
    }

  item = cw_requests_page_find_request (self->requests_page, request->id);
  dialog = open_grant_dialog (self);
  cw_grant_dialog_set_request (dialog, request,
                               item != NULL ? cw_request_item_get_provider_name (item)
                                            : request->provider);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
approve_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  g_autoptr(GTask) task = NULL;

  /* The request's exact scopes, purpose and access pre-fill the form. */
  task = g_task_new (self->wallet, self->cancellable, request_read_cb, g_object_ref (self));
  g_task_set_source_tag (task, approve_action);
  g_task_set_task_data (task, g_variant_dup_string (parameter, NULL), g_free);
  g_task_run_in_thread (task, read_request_thread);
}

/* win.deny */

static void
deny_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;

  transaction_done (self, result);
}

static void
deny_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  CwWindow         *self)
{
  const char *request_id = g_object_get_data (G_OBJECT (dialog), "request-id");

  if (g_strcmp0 (response, "deny") != 0)
    return;
  cw_wallet_deny_request_async (self->wallet, request_id, self->cancellable, deny_done_cb,
                                g_object_ref (self));
}

static void
deny_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  const char *request_id = g_variant_get_string (parameter, NULL);
  CwRequestItem *request = cw_requests_page_find_request (self->requests_page, request_id);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (request == NULL)
    return;

  body = g_strdup_printf (_("%s will not be able to see: %s. They can ask again later."),
                          cw_request_item_get_provider_name (request),
                          cw_request_item_get_scopes_text (request));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Deny Request?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "deny", _("_Deny"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "deny",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "request-id", g_strdup (request_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (deny_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* win.revoke */

typedef struct {
  CwWindow *window;
  char     *grant_id;
} Revoke;

static void
revoke_free (Revoke *revoke)
{
  g_clear_object (&revoke->window);
  g_free (revoke->grant_id);
  g_free (revoke);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Revoke, revoke_free)

static void
revoke_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Revoke) revoke = user_data;
  CwWindow *self = revoke->window;

  cw_access_page_set_revoking (self->access_page, revoke->grant_id, FALSE);
  transaction_done (self, result);
}

static void
revoke_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CwWindow         *self)
{
  const char *grant_id = g_object_get_data (G_OBJECT (dialog), "grant-id");
  Revoke *revoke;

  if (g_strcmp0 (response, "revoke") != 0)
    return;

  /* The row says "Revoking…" until the operation ends: with a verified
   * receipt the grant turns revoked and leaves the page. */
  cw_access_page_set_revoking (self->access_page, grant_id, TRUE);
  revoke = g_new0 (Revoke, 1);
  revoke->window = g_object_ref (self);
  revoke->grant_id = g_strdup (grant_id);
  cw_wallet_revoke_async (self->wallet, grant_id, self->cancellable, revoke_done_cb, revoke);
}

static void
revoke_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  const char *grant_id = g_variant_get_string (parameter, NULL);
  CwGrantItem *grant = cw_access_page_find_grant (self->access_page, grant_id);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (grant == NULL || cw_access_page_get_revoking (self->access_page, grant_id))
    return;

  heading = g_strdup_printf (_("Revoke Access for %s?"), cw_grant_item_get_provider_name (grant));
  body = g_strdup_printf (_("%s will no longer be able to see: %s. Copies they already keep are "
                            "not deleted by this."),
                          cw_grant_item_get_provider_name (grant),
                          cw_grant_item_get_scopes_text (grant));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revoke",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "grant-id", g_strdup (grant_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (revoke_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* win.sync: the scheduler flushes, then syncs. */

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cw_sync_scheduler_sync_now (CW_WINDOW (widget)->scheduler);
}

/* win.search (Ctrl+F): the Activity page's provider filter when that page
 * is shown, else the Access page's search (the Requests page has none). */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (page, "activity") == 0 && self->activity_page != NULL)
    {
      cw_activity_page_focus_search (self->activity_page);
      return;
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "access");
  cw_access_page_focus_search (self->access_page);
}

/* win.grant-details */

static void
grant_details_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  CwGrantDetails *details = cw_grant_details_new (self->wallet,
                                                  g_variant_get_string (parameter, NULL));

  gtk_window_set_transient_for (GTK_WINDOW (details), GTK_WINDOW (self));
  g_set_weak_pointer (&self->grant_details, GTK_WINDOW (details));
  gtk_window_present (GTK_WINDOW (details));
}

/* win.alert-details */

static void
alert_details_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  g_string_append (body, _("Your wallet checks everything the consortium node tells it. A check "
                           "failed, so the wallet did not accept what the node sent. Your own "
                           "signed decisions are safe on this device; the evidence is kept.\n\n"
                           "Contact your clinic, and do not rely on the node’s answers until this "
                           "is explained."));
  for (guint i = 0; self->alerts != NULL && i < self->alerts->len; i++)
    {
      const CwStoreAlert *alert = g_ptr_array_index (self->alerts, i);
      g_autofree char *when = cw_ui_format_date_time (alert->created);

      g_string_append_printf (body, "\n\n%s — %s", when, alert->message);
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Verification Failed"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
cw_window_class_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.grant", NULL, grant_action);
  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.revoke", "s", revoke_action);
  gtk_widget_class_install_action (widget_class, "win.approve", "s", approve_action);
  gtk_widget_class_install_action (widget_class, "win.deny", "s", deny_action);
  gtk_widget_class_install_action (widget_class, "win.grant-details", "s", grant_details_action);
  gtk_widget_class_install_action (widget_class, "win.alert-details", NULL, alert_details_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.grant", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.sync", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.sync", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
}
