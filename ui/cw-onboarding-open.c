/* cw-onboarding-open.c: how an invite reaches the onboarding: a pasted
 * link, a .cwinvite file (file chooser, drag and drop, or handed over by
 * the application when the desktop opens a link or file), then checked by
 * the engine and shown with the clinic's directory entry. */
#include "config.h"

#include <glib/gi18n.h>

#include "cw-onboarding-view-internal.h"
#include "cw-ui-format.h"
#include "cw-wallet-clinic.h"

static void
show_invite (CwOnboardingView *self)
{
  const CwStoreProvider *entry = cw_wallet_invite_get_clinic_entry (self->invite);
  const CwNodeProfile *profile = cw_invite_get_node_profile (self->invite);
  g_autofree char *title = NULL;
  g_autofree char *explanation = NULL;
  g_autofree char *organization = NULL;
  g_autofree char *expires = cw_ui_format_date_time (cw_invite_get_expires (self->invite));
  gboolean joining = cw_wallet_get_enrolled (self->wallet);

  g_free (self->clinic_name);
  self->clinic_name = g_strdup (entry != NULL && entry->name != NULL && entry->name[0] != '\0'
                                ? entry->name : cw_invite_get_clinic (self->invite));
  if (entry != NULL && entry->organization != NULL && entry->organization[0] != '\0')
    organization = g_strdup (entry->organization);
  else
    organization = g_strdup (_("Not given"));

  title = g_strdup_printf (_("%s Invites You"), self->clinic_name);
  gtk_label_set_text (self->invite_title, title);
  adw_action_row_set_subtitle (self->clinic_row, self->clinic_name);
  adw_action_row_set_subtitle (self->organization_row, organization);
  adw_action_row_set_subtitle (self->node_row, profile->url);
  adw_action_row_set_subtitle (self->expires_row, expires);

  if (joining)
    {
      explanation = g_strdup_printf (_("This wallet already has your identity. Joining %s uses "
                                       "the same identity: no new key is made, and your "
                                       "recovery code stays the same."), self->clinic_name);
      gtk_button_set_label (self->accept_button, _("_Join Clinic"));
    }
  else
    {
      explanation = g_strdup_printf (_("The invite was checked: it really comes from %s. Next, "
                                       "the wallet makes your personal key and shows you its "
                                       "recovery code to write down; only then is the key kept "
                                       "in this computer’s keyring and registered. Your key "
                                       "signs every decision you make; nobody else has it."),
                                     self->clinic_name);
      gtk_button_set_label (self->accept_button, _("_Create My Identity"));
    }
  gtk_label_set_text (self->invite_explanation, explanation);
  cw_onboarding_view_show_page (self, "invite");
  gtk_widget_grab_focus (GTK_WIDGET (self->accept_button));
}

static void
invite_opened_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;
  CwInvite *invite = cw_wallet_open_invite_finish (CW_WALLET (object), result, &error);

  if (invite == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cw_onboarding_view_start_over (self);
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  g_clear_object (&self->cancellable);
  g_clear_object (&self->invite);
  self->invite = invite;
  show_invite (self);
}

void
cw_onboarding_view_open_invite (CwOnboardingView *self,
                                const char       *text,
                                gssize            len)
{
  g_return_if_fail (CW_IS_ONBOARDING_VIEW (self));
  g_return_if_fail (text != NULL);

  if (self->cancellable != NULL || self->recovery_code != NULL || self->enrollment != NULL)
    return;
  cw_onboarding_view_show_busy (self, _("Checking the Invite"),
                                _("Making sure it was signed by your clinic and that its "
                                  "node is the right one…"));
  cw_wallet_open_invite_async (self->wallet, text, len, self->cancellable, invite_opened_cb,
                               g_object_ref (self));
}

/* Reading an invite file: never more than an invite can be, so that a
 * wrong (huge) file is refused rather than loaded. */

#define MAX_INVITE_FILE (CW_INVITE_MAX_URI_LENGTH + 1)

typedef struct {
  CwOnboardingView *view;
  char             *buffer;
} ReadFile;

static void
read_file_free (ReadFile *read)
{
  g_clear_object (&read->view);
  g_free (read->buffer);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReadFile, read_file_free)

static void
file_read_all_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ReadFile) read = user_data;
  CwOnboardingView *self = read->view;
  g_autoptr(GError) error = NULL;
  gsize n = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &n, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cw_onboarding_view_start_over (self);
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  g_input_stream_close (G_INPUT_STREAM (object), NULL, NULL);
  g_clear_object (&self->cancellable);
  /* The wallet reads at most this much and calls a longer text too large. */
  cw_onboarding_view_open_invite (self, read->buffer, n);
}

static void
file_opened_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ReadFile) read = user_data;
  CwOnboardingView *self = read->view;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read_finish (G_FILE (object), result, &error);
  char *buffer;

  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cw_onboarding_view_start_over (self);
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  buffer = read->buffer = g_malloc (MAX_INVITE_FILE + 1);
  g_input_stream_read_all_async (G_INPUT_STREAM (stream), buffer, MAX_INVITE_FILE,
                                 G_PRIORITY_DEFAULT, self->cancellable, file_read_all_cb,
                                 g_steal_pointer (&read));
}

void
cw_onboarding_view_open_file (CwOnboardingView *self,
                              GFile            *file)
{
  ReadFile *read;

  g_return_if_fail (CW_IS_ONBOARDING_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->cancellable != NULL || self->recovery_code != NULL || self->enrollment != NULL)
    return;
  cw_onboarding_view_show_busy (self, _("Reading the Invite"), NULL);
  read = g_new0 (ReadFile, 1);
  read->view = g_object_ref (self);
  g_file_read_async (file, G_PRIORITY_DEFAULT, self->cancellable, file_opened_cb, read);
}

static void
chooser_response_cb (CwOnboardingView *self,
                     int               response)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (self->chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    cw_onboarding_view_open_file (self, file);
}

static void
open_file_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);
  g_autoptr(GtkFileFilter) invites = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open Invite"),
                                               GTK_WINDOW (gtk_widget_get_root (widget)),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                               _("_Cancel"));
  gtk_file_filter_set_name (invites, _("Invites"));
  gtk_file_filter_add_pattern (invites, "*.cwinvite");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), invites);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
link_row_apply_cb (CwOnboardingView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->link_row));

  if (text[0] != '\0')
    cw_onboarding_view_open_invite (self, text, -1);
}

/* The first file of a drop that holds several (a selection dragged from a
 * file manager arrives as a GdkFileList): one invite at a time. */
static gboolean
drop_cb (GtkDropTarget    *target,
         const GValue     *value,
         double            x,
         double            y,
         CwOnboardingView *self)
{
  if (self->cancellable != NULL || self->recovery_code != NULL || self->enrollment != NULL)
    return FALSE;
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
      GFile *first = files != NULL ? files->data : NULL;
      gboolean opened = first != NULL;

      if (opened)
        cw_onboarding_view_open_file (self, first);
      g_slist_free (files);
      return opened;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_FILE) && g_value_get_object (value) != NULL)
    cw_onboarding_view_open_file (self, g_value_get_object (value));
  else if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    cw_onboarding_view_open_invite (self, g_value_get_string (value), -1);
  else
    return FALSE;
  return TRUE;
}

void
cw_onboarding_open_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, link_row_apply_cb);
  gtk_widget_class_install_action (widget_class, "onboarding.open-file", NULL, open_file_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "onboarding.open-file", NULL);
}

void
cw_onboarding_open_init (CwOnboardingView *self)
{
  GtkDropTarget *target;

  /* A .cwinvite file (alone or as the first of several), or a link dragged
   * from a browser or an email. */
  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target,
                              (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE, G_TYPE_STRING }, 3);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

GtkDropTarget *
cw_onboarding_view_get_drop_target (CwOnboardingView *self)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (self));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}
