/* test-i18n.c: the window in German and Spanish, with the catalogs built
 * from po/ in this build tree, shows translated text in its widgets. */
#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "cw-encoding.h"
#include "cw-grant-item.h"
#include "cw-record-list.h"
#include "cw-wallet-store.h"
#include "cw-window.h"
#include "ui-test-util.h"

/* A string the empty wallet's first screen shows. */
#define WELCOME_TITLE "Welcome to Consent Wallet"

typedef struct {
  const char *language;
  const char *expected_title;
  const char *expected_scopes;   /* "Allergies, Medications" */
  const char *expected_purpose;  /* "Treatment" */
} Case;

static const Case cases[] = {
  { "de", "Willkommen bei Consent Wallet", "Allergien, Medikamente", "Behandlung" },
  { "es", "Le damos la bienvenida a Consent Wallet", "Alergias, Medicamentos", "Tratamiento" },
};

/* Switches the language gettext uses. Calling textdomain() again makes
 * glibc drop the translations it has cached for the old language. */
static void
use_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  textdomain (GETTEXT_PACKAGE);
}

/* The test's wallet file (with its WAL files) and its directory. */
static void
remove_wallet_dir (const char *dir,
                   const char *store_path)
{
  g_autofree char *wal = g_strconcat (store_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (store_path, "-shm", NULL);

  g_unlink (store_path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

static gboolean
widget_shows (GtkWidget  *widget,
              const char *text)
{
  static const char *properties[] = { "label", "title", "description", "tooltip-text" };
  GObjectClass *klass = G_OBJECT_GET_CLASS (widget);

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, properties[i]);
      g_autofree char *value = NULL;

      if (pspec == NULL || pspec->value_type != G_TYPE_STRING)
        continue;
      g_object_get (widget, properties[i], &value, NULL);
      if (g_strcmp0 (value, text) == 0 && gtk_widget_is_drawable (widget))
        return TRUE;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (widget_shows (child, text))
      return TRUE;

  return FALSE;
}

static void
test_window_language (gconstpointer data)
{
  const Case *test_case = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cw-i18n-XXXXXX", &error);
  g_autofree char *store_path = NULL;
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(CwWallet) wallet = NULL;
  CwWindow *window;
  const char *translated;

  g_assert_no_error (error);
  use_language (test_case->language);

  /* gettext itself must find the catalog from the build tree... */
  translated = g_dgettext (GETTEXT_PACKAGE, WELCOME_TITLE);
  g_assert_cmpstr (translated, ==, test_case->expected_title);

  /* ...and the window's templates must use it. */
  store_path = g_build_filename (dir, "wallet.db", NULL);
  wallet = cw_wallet_new (store_path, keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  window = cw_window_new (NULL, wallet);
  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  /* What a person sees: the window mapped and drawn. */
  ui_test_wait_for_frame (GTK_WIDGET (window));

  g_assert_true (widget_shows (GTK_WIDGET (window), test_case->expected_title));
  g_assert_false (widget_shows (GTK_WIDGET (window), WELCOME_TITLE));

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_clear_object (&wallet);
  /* The destroyed window's idle clean-up. */
  ui_test_iterate_for (50);
  remove_wallet_dir (dir, store_path);
}

static gboolean
model_loaded (gpointer model)
{
  return cw_record_list_get_loaded (model);
}

/* The engine's list models carry the names of data categories and
 * purposes as the pages show them: translated. */
static void
test_models_language (gconstpointer data)
{
  const Case *test_case = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cw-i18n-XXXXXX", &error);
  g_autofree char *store_path = NULL;
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(CwWallet) wallet = NULL;
  g_autoptr(CwGrantItem) item = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GListModel *grants;

  g_assert_no_error (error);
  use_language (test_case->language);
  store_path = g_build_filename (dir, "wallet.db", NULL);
  {
    g_autoptr(CwWalletStore) store = cw_wallet_store_new (store_path, &error);
    CwStoreGrant grant = { (char *) "grant-1", (char *) "gp", CW_SCOPE_ALLERGIES |
                           CW_SCOPE_MEDICATIONS, CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL,
                           now, now + 86400, NULL, 0, NULL, (char *) "{}" };

    g_assert_no_error (error);
    g_assert_true (cw_wallet_store_upsert_grant (store, &grant, &error));
    g_assert_no_error (error);
    cw_wallet_store_close (store);
  }

  wallet = cw_wallet_new (store_path, keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  grants = cw_wallet_get_grants (wallet);
  g_assert_true (ui_test_wait_until (model_loaded, grants, UI_TEST_TIMEOUT_S));
  g_assert_cmpuint (g_list_model_get_n_items (grants), ==, 1);
  item = g_list_model_get_item (grants, 0);
  g_assert_cmpstr (cw_grant_item_get_scopes_text (item), ==, test_case->expected_scopes);
  g_assert_cmpstr (cw_grant_item_get_purpose_text (item), ==, test_case->expected_purpose);

  g_clear_object (&wallet);
  remove_wallet_dir (dir, store_path);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CW_LOCALEDIR");

  /* The catalogs come from the build tree, never from an installed copy. */
  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  ui_test_init (&argc, &argv);
  /* gtk_test_init() picks a fixed locale; gettext ignores LANGUAGE in the
   * plain C locale, so use its UTF-8 variant, present on every glibc. */
  setlocale (LC_ALL, "C.UTF-8");
  g_assert_true (sodium_init () >= 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/i18n/window/%s", cases[i].language);

      g_autofree char *models_path = g_strdup_printf ("/i18n/models/%s", cases[i].language);

      g_test_add_data_func (path, &cases[i], test_window_language);
      g_test_add_data_func (models_path, &cases[i], test_models_language);
    }

  return g_test_run ();
}
