/* cw-preferences-window.c: the node and log the wallet trusts, the
 * identity fingerprint, sync interval and notification switches (bound to
 * GSettings), and the Back Up and Restore flows. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-preferences-window-private.h"
#include "cw-wallet-backup.h"

struct _CwPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwActionRow         *identity_row;
  AdwActionRow         *url_row;
  AdwActionRow         *log_key_row;
  AdwExpanderRow       *witnesses_row;
  AdwActionRow         *quorum_row;
  GtkSpinButton        *interval_spin;
  GtkSwitch            *notify_requests_switch;
  GtkSwitch            *notify_refused_switch;
  GtkSwitch            *notify_expiring_switch;

  CwWallet             *wallet;
  GSettings            *settings;
  GCancellable         *cancellable;
  GtkNativeDialog      *chooser;
  char                 *passphrase;  /* between the passphrase and file steps */
  GBytes               *restore_file;
};

G_DEFINE_FINAL_TYPE (CwPreferencesWindow, cw_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  CwStoreIdentity *identity;
  CwNodeProfile   *profile;
} Settings;

static void
settings_free (Settings *settings)
{
  g_clear_pointer (&settings->identity, cw_store_identity_free);
  g_clear_pointer (&settings->profile, cw_node_profile_free);
  g_free (settings);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CwWalletStore *store = cw_wallet_get_store (CW_WALLET (task_data));
  Settings *settings = g_new0 (Settings, 1);

  settings->identity = cw_wallet_store_get_identity (store, NULL);
  settings->profile = cw_wallet_store_get_node_profile (store, NULL);
  g_task_return_pointer (task, settings, (GDestroyNotify) settings_free);
}

static char *
verifier_fingerprint (const char *key_string)
{
  CwVerifierKey *key = cw_verifier_key_new_from_string (key_string, NULL);
  g_autofree char *fingerprint = NULL;
  char *text;

  if (key == NULL)
    return g_strdup (key_string);
  fingerprint = cw_key_fingerprint (cw_verifier_key_get_public_key (key));
  text = g_strdup_printf ("%s\n%s", cw_verifier_key_get_name (key), fingerprint);
  cw_verifier_key_unref (key);
  return text;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  CwPreferencesWindow *self = user_data;
  Settings *settings = g_task_propagate_pointer (G_TASK (result), NULL);

  if (settings == NULL)
    return;

  if (settings->identity != NULL)
    {
      g_autoptr(GBytes) key = cw_base64_decode (settings->identity->public_key, -1, NULL);

      if (key != NULL && g_bytes_get_size (key) == CW_PUBLIC_KEY_SIZE)
        {
          g_autofree char *fingerprint = cw_key_fingerprint (g_bytes_get_data (key, NULL));

          adw_action_row_set_subtitle (self->identity_row, fingerprint);
        }
    }

  if (settings->profile != NULL)
    {
      const CwNodeProfile *profile = settings->profile;
      g_autofree char *log_key = verifier_fingerprint (profile->log_key);
      g_autofree char *quorum = NULL;
      guint n_witnesses = profile->witness_keys != NULL ? g_strv_length (profile->witness_keys) : 0;
      g_autofree char *witnesses = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u witness",
                                                                 "%u witnesses", n_witnesses),
                                                    n_witnesses);

      adw_action_row_set_subtitle (self->url_row, profile->url);
      adw_action_row_set_subtitle (self->log_key_row, log_key);
      adw_expander_row_set_subtitle (self->witnesses_row, witnesses);
      for (guint i = 0; i < n_witnesses; i++)
        {
          g_autofree char *fingerprint = verifier_fingerprint (profile->witness_keys[i]);
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), fingerprint);
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), TRUE);
          adw_expander_row_add_row (self->witnesses_row, row);
        }

      /* Translators: "2 of 3 witnesses must cosign every checkpoint" */
      quorum = g_strdup_printf (_("%u of %u must cosign every checkpoint"), profile->quorum,
                                n_witnesses);
      adw_action_row_set_subtitle (self->quorum_row, quorum);
    }

  settings_free (settings);
}

/* Back Up: a passphrase twice, then where to save. */

static void
forget_passphrase (CwPreferencesWindow *self)
{
  if (self->passphrase != NULL)
    memset (self->passphrase, 0, strlen (self->passphrase));
  g_clear_pointer (&self->passphrase, g_free);
}

static void
finish (CwPreferencesWindow *self,
        const char          *message,
        gboolean             ok)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
  g_signal_emit (self, signals[DONE], 0, ok);
}

static void
backup_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not save the backup: %s"), error->message);
      finish (self, text, FALSE);
      return;
    }
  finish (self, _("Backup saved. Keep the file and the passphrase safe, apart."), TRUE);
}

typedef struct {
  CwPreferencesWindow *self;
  GFile               *file;
} Save;

static void
save_free (Save *save)
{
  g_clear_object (&save->self);
  g_clear_object (&save->file);
  g_free (save);
}

static void
backup_sealed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Save *save = user_data;
  CwPreferencesWindow *self = save->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sealed = cw_wallet_backup_finish (CW_WALLET (object), result, &error);

  if (sealed == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not make the backup: %s"),
                                                   error->message);
          finish (self, text, FALSE);
        }
      save_free (save);
      return;
    }
  /* Private: the file is as sensitive as the passphrase is weak. */
  g_file_replace_contents_bytes_async (save->file, sealed, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, backup_saved_cb, g_object_ref (self));
  save_free (save);
}

void
cw_preferences_window_save_backup (CwPreferencesWindow *self,
                                   const char          *passphrase,
                                   GFile               *file)
{
  Save *save = g_new0 (Save, 1);

  save->self = g_object_ref (self);
  save->file = g_object_ref (file);
  cw_wallet_backup_async (self->wallet, passphrase, self->cancellable, backup_sealed_cb, save);
}

static void
backup_file_chosen_cb (GtkNativeDialog     *chooser,
                       int                  response,
                       CwPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->passphrase != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        cw_preferences_window_save_backup (self, self->passphrase, file);
    }
  forget_passphrase (self);
  g_clear_object (&self->chooser);
}

static void
passphrases_changed_cb (AdwMessageDialog *dialog)
{
  GtkEditable *first;
  GtkEditable *second;
  const char *a;

  /* Entries emptied while the dialog goes away are no edit. */
  if (gtk_widget_in_destruction (GTK_WIDGET (dialog)))
    return;
  first = g_object_get_data (G_OBJECT (dialog), "first");
  second = g_object_get_data (G_OBJECT (dialog), "second");
  a = gtk_editable_get_text (first);

  adw_message_dialog_set_response_enabled (dialog, "continue",
                                           strlen (a) >= 8 &&
                                           g_strcmp0 (a, gtk_editable_get_text (second)) == 0);
}

static void
backup_passphrase_cb (AdwMessageDialog    *dialog,
                      const char          *response,
                      CwPreferencesWindow *self)
{
  GtkFileChooserNative *chooser;
  GFile *target = g_object_get_data (G_OBJECT (dialog), "target");

  if (g_strcmp0 (response, "continue") != 0 || self->chooser != NULL)
    return;

  /* prefs.backup-to named the file already: no chooser. */
  if (target != NULL)
    {
      cw_preferences_window_save_backup (self,
                                         gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog),
                                                                                   "first")),
                                         target);
      return;
    }

  forget_passphrase (self);
  self->passphrase = g_strdup (gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "first")));
  chooser = gtk_file_chooser_native_new (_("Save Backup"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("consent-wallet.backup"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (backup_file_chosen_cb), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* A plain hidden-text GtkEntry: GTK 4.8's GtkPasswordEntry can touch
 * itself after it is gone when its dialog closes. */
static GtkWidget *
passphrase_entry (const char *label)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return entry;
}

/* prefs.backup asks for the passphrase, then for a file; prefs.backup-to
 * (a path) asks only for the passphrase and saves there. */
static void
backup_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwPreferencesWindow *self = CW_PREFERENCES_WINDOW (widget);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *first = passphrase_entry (_("Passphrase"));
  GtkWidget *second = passphrase_entry (_("Passphrase again"));
  GtkWidget *dialog;

  gtk_box_append (GTK_BOX (box), first);
  gtk_box_append (GTK_BOX (box), second);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Back Up Your Identity"),
                                   _("Choose a passphrase of at least 8 characters. Without it "
                                     "the backup cannot be opened, by you or anyone."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "continue", _("C_ontinue…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "continue",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "continue", FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "first", first);
  g_object_set_data (G_OBJECT (dialog), "second", second);
  if (parameter != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "target",
                            g_file_new_for_path (g_variant_get_string (parameter, NULL)),
                            g_object_unref);
  g_signal_connect_swapped (first, "changed", G_CALLBACK (passphrases_changed_cb), dialog);
  g_signal_connect_swapped (second, "changed", G_CALLBACK (passphrases_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (backup_passphrase_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Restore: which file, then its passphrase; the wallet verifies the whole
 * history from the node before it takes the identity over. */

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cw_wallet_restore_finish (CW_WALLET (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not restore: %s"), error->message);
      finish (self, text, FALSE);
      return;
    }
  finish (self, _("Identity restored and its history verified"), TRUE);
}

static void
backup_opened_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwBackup) backup = cw_backup_open_finish (result, &error);

  if (backup == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not open the backup: %s"), error->message);
      finish (self, text, FALSE);
      return;
    }
  cw_wallet_restore_async (self->wallet, backup, self->cancellable, restored_cb,
                           g_object_ref (self));
}

void
cw_preferences_window_restore (CwPreferencesWindow *self,
                               GBytes              *file,
                               const char          *passphrase)
{
  cw_backup_open_async (file, passphrase, self->cancellable, backup_opened_cb,
                        g_object_ref (self));
}

static void
restore_passphrase_cb (AdwMessageDialog    *dialog,
                       const char          *response,
                       CwPreferencesWindow *self)
{
  g_autoptr(GBytes) file = g_steal_pointer (&self->restore_file);

  if (g_strcmp0 (response, "restore") != 0 || file == NULL)
    return;
  cw_preferences_window_restore (self, file,
                                 gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog),
                                                                           "first")));
}

static void
restore_file_loaded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(CwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  GtkWidget *entry;
  GtkWidget *dialog;

  if (bytes == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not read the file: %s"), error->message);
      finish (self, text, FALSE);
      return;
    }

  g_clear_pointer (&self->restore_file, g_bytes_unref);
  self->restore_file = g_steal_pointer (&bytes);
  entry = passphrase_entry (_("Passphrase"));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Restore From Backup"),
                                   _("Enter the passphrase the backup was made with."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "restore", _("_Restore"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "first", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_passphrase_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
restore_file_chosen_cb (GtkNativeDialog     *chooser,
                        int                  response,
                        CwPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        g_file_load_bytes_async (file, self->cancellable, restore_file_loaded_cb,
                                 g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CwPreferencesWindow *self = CW_PREFERENCES_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Open Backup"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (restore_file_chosen_cb), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
enrolled_changed_cb (CwPreferencesWindow *self)
{
  gboolean enrolled = cw_wallet_get_enrolled (self->wallet);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.backup", enrolled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.backup-to", enrolled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.restore", !enrolled);
}

static void
cw_preferences_window_dispose (GObject *object)
{
  CwPreferencesWindow *self = CW_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  forget_passphrase (self);
  g_clear_pointer (&self->restore_file, g_bytes_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->wallet);

  G_OBJECT_CLASS (cw_preferences_window_parent_class)->dispose (object);
}

static void
cw_preferences_window_class_init (CwPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, identity_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, url_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, log_key_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, witnesses_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, quorum_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, notify_requests_switch);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, notify_refused_switch);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, notify_expiring_switch);

  gtk_widget_class_install_action (widget_class, "prefs.backup", NULL, backup_action);
  gtk_widget_class_install_action (widget_class, "prefs.backup-to", "s", backup_action);
  gtk_widget_class_install_action (widget_class, "prefs.restore", NULL, restore_action);

  /* A backup or restore ended: TRUE when it worked. */
  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
cw_preferences_window_init (CwPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

CwPreferencesWindow *
cw_preferences_window_new (CwWallet  *wallet,
                           GSettings *settings)
{
  CwPreferencesWindow *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (CW_IS_WALLET (wallet), NULL);

  self = g_object_new (CW_TYPE_PREFERENCES_WINDOW, NULL);
  self->wallet = g_object_ref (wallet);

  task = g_task_new (NULL, self->cancellable, loaded_cb, self);
  g_task_set_source_tag (task, cw_preferences_window_new);
  g_task_set_task_data (task, g_object_ref (wallet), g_object_unref);
  g_task_set_check_cancellable (task, TRUE);
  g_task_run_in_thread (task, load_thread);

  g_signal_connect_object (wallet, "notify::enrolled", G_CALLBACK (enrolled_changed_cb), self,
                           G_CONNECT_SWAPPED);
  enrolled_changed_cb (self);

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "sync-interval",
                       gtk_spin_button_get_adjustment (self->interval_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-requests", self->notify_requests_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-refused-access", self->notify_refused_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-expiring-grants", self->notify_expiring_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
  return self;
}
