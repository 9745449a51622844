/* cw-application.c: the desktop app's AdwApplication. */
#include "config.h"

#include <glib/gi18n.h>

#include "cw-application.h"
#include "cw-preferences-window.h"
#include "cw-wallet.h"
#include "cw-window.h"

/* How often, in seconds, the outbox is retried while the node is away. */
#define FLUSH_INTERVAL_S (15 * 60)

struct _CwApplication
{
  AdwApplication  parent_instance;

  char           *data_dir;
  CwWallet       *wallet;
};

G_DEFINE_FINAL_TYPE (CwApplication, cw_application, ADW_TYPE_APPLICATION)

static gboolean
open_wallet (CwApplication  *self,
             GError        **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CwKeyring) keyring = NULL;

  if (self->wallet != NULL)
    return TRUE;

  dir = self->data_dir != NULL ? g_strdup (self->data_dir)
                               : g_build_filename (g_get_user_data_dir (), "consent-wallet", NULL);
  path = g_build_filename (dir, "wallet.db", NULL);
  keyring = cw_keyring_new (NULL);
  self->wallet = cw_wallet_new (path, keyring, CW_NODE_CLIENT_FLAGS_NONE, error);
  return self->wallet != NULL;
}

static void
show_fatal_error (CwApplication *self,
                  const char    *message)
{
  GtkWidget *dialog = adw_message_dialog_new (NULL, _("Consent Wallet Could Not Start"), message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cw_application_activate (GApplication *application)
{
  CwApplication *self = CW_APPLICATION (application);
  g_autoptr(GError) error = NULL;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      if (!open_wallet (self, &error))
        {
          show_fatal_error (self, error->message);
          return;
        }
      window = GTK_WINDOW (cw_window_new (GTK_APPLICATION (self), self->wallet));
      /* Sync on start; the wallet retries the outbox on its own after. */
      gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL);
      cw_wallet_start_background_flush (self->wallet, FLUSH_INTERVAL_S);
    }

  gtk_window_present (window);
}

static int
cw_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  CwApplication *self = CW_APPLICATION (application);
  const char *data_dir = NULL;

  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir))
    {
      g_free (self->data_dir);
      self->data_dir = g_canonicalize_filename (data_dir, NULL);
    }

  return -1;
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CwApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  CwPreferencesWindow *window;

  if (self->wallet == NULL)
    return;
  window = cw_preferences_window_new (self->wallet);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_present (GTK_WINDOW (window));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CwApplication *self = user_data;
  static const char *developers[] = { "The Consent Wallet developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Consent Wallet"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Consent Wallet developers"),
                         "developers", developers,
                         "comments", _("Decide who sees your health records, and check that "
                                       "your decisions were recorded."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action },
  { "about", about_action },
  { "shortcuts", shortcuts_action },
  { "quit", quit_action },
};

static void
cw_application_startup (GApplication *application)
{
  CwApplication *self = CW_APPLICATION (application);

  G_APPLICATION_CLASS (cw_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         (const char *[]) { "<Control>comma", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts",
                                         (const char *[]) { "<Control>question", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
}

static void
cw_application_shutdown (GApplication *application)
{
  CwApplication *self = CW_APPLICATION (application);

  if (self->wallet != NULL)
    cw_wallet_stop_background_flush (self->wallet);

  G_APPLICATION_CLASS (cw_application_parent_class)->shutdown (application);
}

static void
cw_application_finalize (GObject *object)
{
  CwApplication *self = CW_APPLICATION (object);

  g_clear_object (&self->wallet);
  g_free (self->data_dir);

  G_OBJECT_CLASS (cw_application_parent_class)->finalize (object);
}

static void
cw_application_class_init (CwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cw_application_finalize;
  app_class->activate = cw_application_activate;
  app_class->startup = cw_application_startup;
  app_class->shutdown = cw_application_shutdown;
  app_class->handle_local_options = cw_application_handle_local_options;
}

static void
cw_application_init (CwApplication *self)
{
  static const GOptionEntry options[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Keep the wallet in DIR instead of the user data folder"), N_("DIR") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

CwApplication *
cw_application_new (void)
{
  return g_object_new (CW_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/consentwallet/ConsentWallet",
                       NULL);
}
