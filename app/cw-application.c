/* cw-application.c: the desktop app's AdwApplication. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "cw-application.h"
#include "cw-mnemonic-names.h"
#include "cw-notifier.h"
#include "cw-preferences-window.h"
#include "cw-record-list.h"
#include "cw-wallet.h"
#include "cw-window.h"

/* How often, in seconds, the outbox is retried while the node is away. */
#define FLUSH_INTERVAL_S (15 * 60)

#define SHORTCUTS_WINDOW_RESOURCE "/io/github/consentwallet/ConsentWallet/cw-shortcuts-window.ui"

struct _CwApplication
{
  AdwApplication  parent_instance;

  char           *data_dir;
  CwWallet       *wallet;
  CwNotifier     *notifier;
  GSettings      *settings;  /* %NULL when the schema is not installed */
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
setup_notifier (CwApplication *self,
                CwWindow      *window)
{
  if (self->notifier == NULL)
    {
      self->notifier = cw_notifier_new (self->wallet, G_APPLICATION (self));
      if (self->settings != NULL)
        {
          g_settings_bind (self->settings, "notify-requests", self->notifier, "notify-requests",
                           G_SETTINGS_BIND_GET);
          g_settings_bind (self->settings, "notify-refused-access", self->notifier,
                           "notify-refused-access", G_SETTINGS_BIND_GET);
          g_settings_bind (self->settings, "notify-expiring-grants", self->notifier,
                           "notify-expiring-grants", G_SETTINGS_BIND_GET);
        }
    }
  cw_notifier_follow (self->notifier, cw_window_get_sync_scheduler (window));
}

/* Startup benchmark (tests/bench/app-startup-bench): with
 * CW_EXIT_AFTER_FIRST_FRAME set, print the time from process start to the
 * first frame the window painted and to the first frame with the wallet's
 * grants, then quit. */
static gint64
process_start_usec (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  guint64 start_ticks;
  double uptime;
  g_autofree char *uptime_text = NULL;
  long ticks_per_s = sysconf (_SC_CLK_TCK);

  /* Field 22 (starttime) counts clock ticks since boot; it follows the
   * command name in parentheses, which may itself hold spaces. */
  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      (after = strrchr (stat, ')')) == NULL)
    return -1;
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 20 || !g_file_get_contents ("/proc/uptime", &uptime_text, NULL, NULL))
    return -1;
  start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
  uptime = g_ascii_strtod (uptime_text, NULL);
  /* Now minus (uptime - start): how long ago the process started. */
  return g_get_real_time () - (gint64) ((uptime - (double) start_ticks / ticks_per_s) * G_USEC_PER_SEC);
}

static void
print_since_start (const char *what)
{
  gint64 start = process_start_usec ();

  if (start > 0)
    g_print ("%s %.1f\n", what, (g_get_real_time () - start) / 1000.0);
}

/* The first frame is the window with its pages saying "loading"; the
 * content frame is the first one painted once the Access page shows the
 * wallet's grants. Until then every frame asks for the next one. */
static void
frame_painted_cb (GdkFrameClock *clock,
                  CwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (g_object_get_data (G_OBJECT (clock), "cw-first-frame") == NULL)
    {
      g_object_set_data (G_OBJECT (clock), "cw-first-frame", GINT_TO_POINTER (TRUE));
      print_since_start ("first-frame-ms");
    }
  if (CW_IS_WINDOW (window) && !cw_window_get_loading (CW_WINDOW (window)) &&
      cw_record_list_get_loaded (CW_RECORD_LIST (cw_wallet_get_grants (self->wallet))))
    {
      g_signal_handlers_disconnect_by_func (clock, frame_painted_cb, self);
      print_since_start ("content-frame-ms");
      g_application_quit (G_APPLICATION (self));
      return;
    }
  if (window != NULL)
    gtk_widget_queue_draw (GTK_WIDGET (window));
}

static void
window_realized_cb (GtkWidget     *window,
                    CwApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (frame_painted_cb), self);
}

/* Sync on start, then on the sync-interval timer; the wallet also retries
 * the outbox on its own. All of it waits for the first frame: the keyring,
 * the node and the notifications' bookkeeping are not what a start should
 * wait for. */
static void
start_after_first_frame_cb (GdkFrameClock *clock,
                            CwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  g_signal_handlers_disconnect_by_func (clock, start_after_first_frame_cb, self);
  if (!CW_IS_WINDOW (window))
    return;
  setup_notifier (self, CW_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL);
  cw_wallet_start_background_flush (self->wallet, FLUSH_INTERVAL_S);
}

static void
start_window_realized_cb (GtkWidget     *window,
                          CwApplication *self)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (start_after_first_frame_cb), self, 0);
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
      if (g_getenv ("CW_EXIT_AFTER_FIRST_FRAME") != NULL)
        g_signal_connect (window, "realize", G_CALLBACK (window_realized_cb), self);
      else
        g_signal_connect (window, "realize", G_CALLBACK (start_window_realized_cb), self);
    }

  gtk_window_present (window);
}

/* consentwallet: links (x-scheme-handler/consentwallet) and .cwinvite
 * files go to the window's onboarding. */
static void
cw_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  GtkWindow *window;

  g_application_activate (application);
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  if (!CW_IS_WINDOW (window))
    return;
  /* One invite at a time: the first one. */
  if (n_files > 0)
    {
      if (g_file_has_uri_scheme (files[0], "consentwallet"))
        {
          g_autofree char *uri = g_file_get_uri (files[0]);

          cw_window_open_invite (CW_WINDOW (window), uri);
        }
      else
        cw_window_open_invite_file (CW_WINDOW (window), files[0]);
    }
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
  window = cw_preferences_window_new (self->wallet, self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_present (GTK_WINDOW (window));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CwApplication *self = user_data;
  const char *developers[] = { _("The Consent Wallet developers"), NULL };

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

/* The shortcuts window is built the first time it is asked for. Under the
 * resource name gtk/help-overlay.ui GtkApplication would build it for
 * every window before its first frame (~10 ms of the start), for a window
 * that most starts never open. */
static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkApplicationWindow *app_window;

  if (!GTK_IS_APPLICATION_WINDOW (window))
    return;
  app_window = GTK_APPLICATION_WINDOW (window);
  if (gtk_application_window_get_help_overlay (app_window) == NULL)
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (SHORTCUTS_WINDOW_RESOURCE);

      gtk_application_window_set_help_overlay (
        app_window, GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "shortcuts_window")));
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* A notification's default action: bring the window up. */
static void
activate_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "activate", activate_action },
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
  cw_mnemonic_names_install ();

  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr(GSettingsSchema) schema = source != NULL
      ? g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE) : NULL;

    if (schema != NULL)
      self->settings = g_settings_new_full (schema, NULL, NULL);
  }

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

  g_clear_object (&self->notifier);
  g_clear_object (&self->settings);
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
  app_class->open = cw_application_open;
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
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/consentwallet/ConsentWallet",
                       NULL);
}
