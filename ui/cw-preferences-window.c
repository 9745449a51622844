/* cw-preferences-window.c: the node and log the wallet trusts, the
 * identity fingerprint and the retry interval. */
#include "config.h"

#include <glib/gi18n.h>

#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-preferences-window.h"

struct _CwPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwActionRow         *identity_row;
  AdwActionRow         *url_row;
  AdwActionRow         *log_key_row;
  AdwExpanderRow       *witnesses_row;
  AdwActionRow         *quorum_row;
  GtkSpinButton        *interval_spin;

  CwWallet             *wallet;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (CwPreferencesWindow, cw_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

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

static void
interval_changed_cb (CwPreferencesWindow *self)
{
  cw_wallet_start_background_flush (self->wallet,
                                    (guint) gtk_spin_button_get_value_as_int (self->interval_spin) * 60);
}

static void
cw_preferences_window_dispose (GObject *object)
{
  CwPreferencesWindow *self = CW_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->cancellable);
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
}

static void
cw_preferences_window_init (CwPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

CwPreferencesWindow *
cw_preferences_window_new (CwWallet *wallet)
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

  g_signal_connect_object (self->interval_spin, "value-changed",
                           G_CALLBACK (interval_changed_cb), self, G_CONNECT_SWAPPED);
  return self;
}
