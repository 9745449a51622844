/* test-window.c: CwWindow with a real CwWallet on a throwaway data dir:
 * pages, actions, the grant flow up to its review, accessibility, the
 * 100,000-grant list and screenshots of every page at two sizes. */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "cw-access-page-private.h"
#include "cw-activity-item.h"
#include "cw-activity-page-private.h"
#include "cw-application.h"
#include "cw-staged-list.h"
#include "cw-encoding.h"
#include "cw-grant-details-private.h"
#include "cw-grant-dialog-private.h"
#include "cw-grant-item.h"
#include "cw-key.h"
#include "cw-notifier.h"
#include "cw-onboarding-view.h"
#include "cw-preferences-window.h"
#include "cw-request-item.h"
#include "cw-window-private.h"
#include "ui-test-util.h"

typedef struct {
  char     *dir;
  char     *store_path;
  CwWallet *wallet;
  CwWindow *window;
} Fixture;

/* Helpers */

static char *
random_key_base64 (void)
{
  guint8 key[32];

  randombytes_buf (key, sizeof key);
  return cw_base64_encode (key, sizeof key);
}

static char *
fake_id (void)
{
  return random_key_base64 ();
}

/* Fills a store the way sync would: an identity, providers, grants, a
 * pending request, access events (one refused) and an alert. */
static void
seed_store (const char *path,
            gboolean    with_alert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwWalletStore) store = cw_wallet_store_new (path, &error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *patient = random_key_base64 ();
  g_autofree char *recovery = random_key_base64 ();
  CwStoreIdentity identity = { patient, patient, recovery, (char *) "st-marys", now };
  struct { const char *id, *name, *org, *kind; } providers[] = {
    { "st-marys-cardiology", "St Mary’s Cardiology", "St Mary’s Hospital", "hospital" },
    { "riverside-gp", "Riverside Family Practice", "Riverside Health", "practice" },
    { "northlab", "North Lab", "North Diagnostics", "lab" },
  };
  g_autofree char *grant1 = fake_id ();
  g_autofree char *grant2 = fake_id ();
  g_autofree char *request = fake_id ();

  g_assert_no_error (error);
  g_assert_true (cw_wallet_store_set_identity (store, &identity, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    {
      g_autofree char *key = random_key_base64 ();
      CwStoreProvider provider = { (char *) providers[i].id, (char *) providers[i].name,
                                   (char *) providers[i].org, (char *) providers[i].kind, key, now };

      g_assert_true (cw_wallet_store_upsert_provider (store, &provider, &error));
      g_assert_no_error (error);
    }

  {
    CwStoreGrant grants[] = {
      { grant1, (char *) "st-marys-cardiology", CW_SCOPE_MEDICATIONS | CW_SCOPE_LAB_RESULTS,
        CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL, now - 3600, now + 12 * 86400 + 600,
        NULL, 41, NULL, (char *) "{}" },
      { grant2, (char *) "riverside-gp", CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES | CW_SCOPE_MENTAL_HEALTH,
        CW_PURPOSE_CAREMGT, CW_ACCESS_VIEW | CW_ACCESS_STORE, NULL, NULL, now - 7200,
        now + 300 * 86400, NULL, 40, NULL, (char *) "{}" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (grants); i++)
      {
        g_assert_true (cw_wallet_store_upsert_grant (store, &grants[i], &error));
        g_assert_no_error (error);
      }
  }

  {
    CwStoreRequest pending = { request, (char *) "northlab", CW_SCOPE_LAB_RESULTS | CW_SCOPE_GENETICS,
                               CW_PURPOSE_TREAT, CW_ACCESS_VIEW, now - 60, now + 30 * 86400,
                               (char *) "To compare your new blood test with earlier ones.",
                               CW_STORE_REQUEST_PENDING, NULL, (char *) "{}" };

    g_assert_true (cw_wallet_store_upsert_request (store, &pending, &error));
    g_assert_no_error (error);
  }

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = fake_id ();
      CwStoreAccessEvent event = { id, (char *) (i == 2 ? "northlab" : "st-marys-cardiology"),
                                   grant1, CW_SCOPE_MEDICATIONS, CW_PURPOSE_TREAT,
                                   now - 600 * (3 - i), i != 2, 42 + i, (char *) "{}",
                                   (char *) "receipt" };

      g_assert_true (cw_wallet_store_upsert_access_event (store, &event, &error));
      g_assert_no_error (error);
    }

  if (with_alert)
    {
      cw_wallet_store_raise_alert (store, "inconsistent-checkpoint",
                                   "The node’s new checkpoint does not extend the one verified "
                                   "before.", NULL, &error);
      g_assert_no_error (error);
    }

  cw_wallet_store_close (store);
}

static void
open_window (Fixture *fixture,
             int      width,
             int      height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);

  if (fixture->wallet == NULL)
    {
      fixture->wallet = cw_wallet_new (fixture->store_path, keyring, CW_NODE_CLIENT_FLAGS_NONE,
                                       &error);
      g_assert_no_error (error);
    }

  fixture->window = cw_window_new (NULL, fixture->wallet);
  g_object_ref_sink (fixture->window);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), width, height);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static gboolean
window_ready (gpointer data)
{
  Fixture *fixture = data;

  return gtk_widget_get_mapped (GTK_WIDGET (fixture->window)) &&
         !cw_window_get_loading (fixture->window);
}

static gboolean
grants_loaded (gpointer data)
{
  Fixture *fixture = data;
  GListModel *grants = cw_wallet_get_grants (fixture->wallet);

  return window_ready (data) && g_list_model_get_n_items (grants) > 0 &&
         g_list_model_get_n_items (cw_wallet_get_activity (fixture->wallet)) > 0;
}

/* Waits for @ready, then for a frame drawn after it: the lists laid out
 * and their rows mapped. */
static void
wait_shown (Fixture         *fixture,
            UiTestCondition  ready)
{
  g_assert_true (ui_test_wait_until (ready, fixture, UI_TEST_TIMEOUT_S));
  ui_test_wait_for_frame (GTK_WIDGET (fixture->window));
}

static void
close_window (Fixture *fixture)
{
  if (fixture->window == NULL)
    return;
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  /* The destroyed window's idle clean-up. */
  ui_test_iterate_for (20);
}

static gboolean
grant_dialog_open (gpointer data)
{
  return cw_window_get_grant_dialog (data) != NULL;
}

static gboolean
grant_dialog_closed (gpointer data)
{
  return cw_window_get_grant_dialog (data) == NULL;
}

static gboolean
at_scopes_step (gpointer dialog)
{
  return g_strcmp0 (cw_grant_dialog_get_step (dialog), "scopes") == 0;
}

typedef struct {
  const char *text;
  gboolean    searched;
} Search;

static void
search_changed_cb (GtkEditable *entry,
                   Search      *search)
{
  search->searched |= g_strcmp0 (gtk_editable_get_text (entry), search->text) == 0;
}

static gboolean
searched (gpointer data)
{
  return ((Search *) data)->searched;
}

/* Types @text into a search entry and waits for its "search-changed" for
 * that text, which comes after the entry's delay (the one for the empty
 * text in between comes at once). */
static void
search_for (GtkWidget  *entry,
            const char *text)
{
  Search search = { text, FALSE };
  gulong handler = g_signal_connect (entry, "search-changed", G_CALLBACK (search_changed_cb),
                                     &search);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_assert_true (ui_test_wait_until (searched, &search, UI_TEST_TIMEOUT_S));
  g_signal_handler_disconnect (entry, handler);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("cw-ui-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store_path = g_build_filename (fixture->dir, "wallet.db", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  close_window (fixture);
  g_clear_object (&fixture->wallet);
  ui_test_iterate_for (20);
  g_unlink (fixture->store_path);
  {
    g_autofree char *wal = g_strconcat (fixture->store_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (fixture->store_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (fixture->dir);
  g_free (fixture->store_path);
  g_free (fixture->dir);
}

/* Tests */

static const int sizes[][2] = { { 360, 720 }, { 1200, 800 } };

static void
test_unenrolled (Fixture       *fixture,
                 gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      open_window (fixture, sizes[i][0], sizes[i][1]);
      wait_shown (fixture, window_ready);

      g_assert_cmpstr (cw_window_get_state (fixture->window), ==, "unenrolled");
      g_assert_false (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.grant", NULL) &&
                      cw_window_get_grant_dialog (fixture->window) != NULL);
      g_free (ui_test_save_screenshot (GTK_WIDGET (fixture->window), NULL, "welcome"));
      close_window (fixture);
    }
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  static const char *pages[] = { "access", "requests", "activity" };

  seed_store (fixture->store_path, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      AdwViewStack *stack;

      open_window (fixture, sizes[i][0], sizes[i][1]);
      wait_shown (fixture, grants_loaded);

      g_assert_cmpstr (cw_window_get_state (fixture->window), ==, "wallet");
      {
        int min;

        gtk_widget_measure (GTK_WIDGET (fixture->window), GTK_ORIENTATION_HORIZONTAL, -1, &min,
                            NULL, NULL, NULL);
        g_test_message ("window minimum width: %d", min);
        for (GtkWidget *w = gtk_widget_get_first_child (adw_application_window_get_content (ADW_APPLICATION_WINDOW (fixture->window)));
             w != NULL; w = gtk_widget_get_next_sibling (w))
          {
            gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
            g_test_message ("  %s: %d", G_OBJECT_TYPE_NAME (w), min);
          }
      }
      g_assert_true (cw_alert_banner_get_shown (cw_window_get_alert_banner (fixture->window)));
      g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (fixture->window)),
                        ==, 1);

      stack = cw_window_get_view_stack (fixture->window);
      g_assert_cmpuint (adw_view_stack_page_get_badge_number (
                          adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, "requests"))),
                        ==, 1);
      for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
        {
          g_autofree char *name = g_strconcat ("page-", pages[p], NULL);

          g_assert_nonnull (adw_view_stack_get_child_by_name (stack, pages[p]));
          adw_view_stack_set_visible_child_name (stack, pages[p]);
          g_free (ui_test_save_screenshot (GTK_WIDGET (fixture->window), NULL, name));
        }

      /* Dark style, as libadwaita gives it. */
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_FORCE_DARK);
      adw_view_stack_set_visible_child_name (stack, "access");
      g_free (ui_test_save_screenshot (GTK_WIDGET (fixture->window), NULL, "page-access-dark"));
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_DEFAULT);
      close_window (fixture);
    }
}

/* The focus is in an entry of @page_type: the Access page's search or the
 * Activity page's provider filter. */
static void
assert_focus_in_search (Fixture *fixture,
                        GType    page_type)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (fixture->window));

  g_assert_nonnull (focus);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY));
  g_assert_nonnull (gtk_widget_get_ancestor (focus, page_type));
}

/* win.search (Ctrl+F) goes to the search of the page shown: the
 * Activity page's filter there, the Access page's search elsewhere. */
static void
test_search_action (Fixture       *fixture,
                    gconstpointer  data)
{
  AdwViewStack *stack;

  seed_store (fixture->store_path, FALSE);
  open_window (fixture, 1200, 800);
  wait_shown (fixture, grants_loaded);
  stack = cw_window_get_view_stack (fixture->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  assert_focus_in_search (fixture, CW_TYPE_ACCESS_PAGE);

  adw_view_stack_set_visible_child_name (stack, "activity");
  ui_test_wait_for_frame (GTK_WIDGET (fixture->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  assert_focus_in_search (fixture, CW_TYPE_ACTIVITY_PAGE);

  adw_view_stack_set_visible_child_name (stack, "requests");
  ui_test_wait_for_frame (GTK_WIDGET (fixture->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "access");
  assert_focus_in_search (fixture, CW_TYPE_ACCESS_PAGE);
}

static void
test_actions (Fixture       *fixture,
              gconstpointer  data)
{
  static const char *actions[] = { "win.grant", "win.sync", "win.search", "win.revoke",
                                   "win.approve", "win.deny", "win.alert-details" };
  CwGrantDialog *dialog;
  GtkCheckButton *check;
  GListModel *toplevels;
  guint n_toplevels;

  seed_store (fixture->store_path, FALSE);
  open_window (fixture, 1200, 800);
  wait_shown (fixture, grants_loaded);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      gboolean found = FALSE;
      const char *name, *property;
      const GVariantType *type;
      GType owner;

      for (guint a = 0;
           gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (fixture->window), a, &owner, &name,
                                          &type, &property);
           a++)
        found |= g_strcmp0 (name, actions[i]) == 0;
      g_assert_true (found);
    }

  /* Revoke asks first, naming the provider. */
  toplevels = gtk_window_get_toplevels ();
  n_toplevels = g_list_model_get_n_items (toplevels);
  {
    g_autoptr(CwGrantItem) grant = g_list_model_get_item (cw_wallet_get_grants (fixture->wallet), 0);
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (cw_grant_item_get_id (grant)));

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->window), "win.revoke",
                                                       target));
    g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, n_toplevels + 1);
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (window))
          {
            g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)),
                                      cw_grant_item_get_provider_name (grant)));
            g_free (ui_test_save_screenshot (GTK_WIDGET (window), NULL, "revoke-dialog"));
            adw_message_dialog_response (ADW_MESSAGE_DIALOG (window), "cancel");
            gtk_window_destroy (window);
            break;
          }
      }
    g_assert_false (cw_access_page_get_revoking (cw_window_get_access_page (fixture->window),
                                                 cw_grant_item_get_id (grant)));
  }

  /* Ctrl+N's action opens the grant flow. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.grant", NULL));
  dialog = CW_GRANT_DIALOG (cw_window_get_grant_dialog (fixture->window));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "provider");
  g_free (ui_test_save_screenshot (GTK_WIDGET (dialog), NULL, "grant-provider"));

  /* Next stays off until a provider is chosen. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL) &&
                  g_strcmp0 (cw_grant_dialog_get_step (dialog), "provider") != 0);
  g_assert_true (cw_grant_dialog_select_provider (dialog, "st-marys-cardiology"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "scopes");

  /* Nothing is chosen for the patient. */
  for (guint i = 0; i < CW_N_SCOPES; i++)
    g_assert_false (gtk_check_button_get_active (cw_grant_dialog_get_scope_check (dialog, 1 << i)));
  check = cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_MEDICATIONS);
  gtk_widget_activate (GTK_WIDGET (check));
  check = cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_LAB_RESULTS);
  gtk_widget_activate (GTK_WIDGET (check));
  g_assert_true (gtk_check_button_get_active (check));
  g_free (ui_test_save_screenshot (GTK_WIDGET (dialog), NULL, "grant-scopes"));

  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "purpose");
  adw_combo_row_set_selected (cw_grant_dialog_get_purpose_row (dialog), CW_PURPOSE_TREAT);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "period");
  adw_combo_row_set_selected (cw_grant_dialog_get_period_row (dialog), 2);
  g_free (ui_test_save_screenshot (GTK_WIDGET (dialog), NULL, "grant-period"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "review");
  g_test_message ("review: %s", cw_grant_dialog_get_review_text (dialog));
  g_assert_true (g_str_has_prefix (cw_grant_dialog_get_review_text (dialog),
                                   "St Mary’s Cardiology can view your medications and lab "
                                   "results for your treatment until "));
  g_free (ui_test_save_screenshot (GTK_WIDGET (dialog), NULL, "grant-review"));

  /* Back goes one step back. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.back", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "period");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (ui_test_wait_until (grant_dialog_closed, fixture->window, UI_TEST_TIMEOUT_S));

  /* A provider the wallet has not met yet: its ID typed in. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.grant", NULL));
  dialog = CW_GRANT_DIALOG (cw_window_get_grant_dialog (fixture->window));
  {
    GtkWidget *search = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                   CW_TYPE_GRANT_DIALOG,
                                                                   "provider_search"));
    GtkWidget *use_id = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                   CW_TYPE_GRANT_DIALOG,
                                                                   "use_id_button"));

    search_for (search, "Not An ID");
    g_assert_false (gtk_widget_get_visible (use_id));
    search_for (search, "harbour-clinic");
    g_assert_true (gtk_widget_get_visible (use_id));
    g_free (ui_test_save_screenshot (GTK_WIDGET (dialog), NULL, "grant-provider-id"));
    /* A button activated clicks after a short delay. */
    gtk_widget_activate (use_id);
    g_assert_true (ui_test_wait_until (at_scopes_step, dialog, UI_TEST_TIMEOUT_S));
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (ui_test_wait_until (grant_dialog_closed, fixture->window, UI_TEST_TIMEOUT_S));

  /* Approve pre-fills the form from the request; sensitive scopes wait
   * for their own tick. */
  {
    g_autoptr(GListModel) requests = g_object_ref (cw_wallet_get_requests (fixture->wallet));
    g_autoptr(CwRequestItem) request = g_list_model_get_item (requests, 0);
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (cw_request_item_get_id (request)));

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->window), "win.approve",
                                                       target));
    /* The request is read from the store first. */
    g_assert_true (ui_test_wait_until (grant_dialog_open, fixture->window, UI_TEST_TIMEOUT_S));
    dialog = CW_GRANT_DIALOG (cw_window_get_grant_dialog (fixture->window));
    g_assert_nonnull (dialog);
    g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "scopes");
    g_assert_true (gtk_check_button_get_active (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_LAB_RESULTS)));
    g_assert_false (gtk_check_button_get_active (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_GENETICS)));
    g_assert_false (gtk_widget_is_drawable (GTK_WIDGET (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_IMAGING))));
    g_free (ui_test_save_screenshot (GTK_WIDGET (dialog), NULL, "approve-scopes"));
    gtk_window_destroy (GTK_WINDOW (dialog));

    /* Deny asks for confirmation. */
    n_toplevels = g_list_model_get_n_items (toplevels);
    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->window), "win.deny",
                                                       target));
    g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, n_toplevels + 1);
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (window))
          {
            g_free (ui_test_save_screenshot (GTK_WIDGET (window), NULL, "deny-dialog"));
            gtk_window_destroy (window);
            break;
          }
      }
  }
}

static void
test_accessibility (Fixture       *fixture,
                    gconstpointer  data)
{
  CwAccessPage *access_page;
  GtkWidget *widget;

  seed_store (fixture->store_path, TRUE);
  open_window (fixture, 1200, 800);
  wait_shown (fixture, grants_loaded);

  widget = GTK_WIDGET (cw_window_get_alert_banner (fixture->window));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_ROLE_ALERT);

  /* Icon-only header buttons: a button role and a name. */
  {
    static const struct { const char *child, *label; } named[] = {
      { "grant_button", "Give access" },
      { "sync_button", "Sync now" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (named); i++)
      {
        GObject *child = gtk_widget_get_template_child (GTK_WIDGET (fixture->window), CW_TYPE_WINDOW,
                                                        named[i].child);

        g_assert_nonnull (child);
        gtk_test_accessible_assert_role (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_ROLE_BUTTON);
        gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                             named[i].label);
      }
    widget = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                        CW_TYPE_WINDOW, "menu_button"));
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                         "Main menu");
  }

  access_page = cw_window_get_access_page (fixture->window);
  widget = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (access_page), CW_TYPE_ACCESS_PAGE,
                                                      "search_entry"));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_ROLE_SEARCH_BOX);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Search providers with access");
  widget = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (access_page), CW_TYPE_ACCESS_PAGE,
                                                      "sort_dropdown"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Sort order");
  widget = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (cw_window_get_activity_page (fixture->window)),
                                                      CW_TYPE_ACTIVITY_PAGE, "provider_entry"));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_ROLE_SEARCH_BOX);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Filter activity by provider");
  widget = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (cw_window_get_activity_page (fixture->window)),
                                                      CW_TYPE_ACTIVITY_PAGE, "kind_dropdown"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Show");
  widget = GTK_WIDGET (cw_access_page_get_list_view (access_page));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_ROLE_LIST);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Providers with access");
}

static void
test_accessible_names (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  guint n_buttons = 0;

  seed_store (fixture->store_path, FALSE);
  open_window (fixture, 1200, 800);
  wait_shown (fixture, grants_loaded);

  /* Walk the whole window: every button without a text label carries an
   * accessible label and a tooltip. */
  g_ptr_array_add (pending, fixture->window);
  while (pending->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (pending, pending->len - 1);

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (pending, child);

      if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) &&
          gtk_widget_get_visible (widget) && gtk_widget_get_mapped (widget))
        {
          const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget))
                                                     : gtk_menu_button_get_label (GTK_MENU_BUTTON (widget));

          /* Buttons inside composite widgets (menu buttons, drop-downs,
           * window controls) are named by their parent. */
          if (GTK_IS_MENU_BUTTON (gtk_widget_get_parent (widget)) ||
              gtk_widget_get_ancestor (widget, GTK_TYPE_DROP_DOWN) != NULL ||
              gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) != NULL ||
              gtk_widget_get_ancestor (widget, ADW_TYPE_VIEW_SWITCHER) != NULL ||
              gtk_widget_get_ancestor (widget, ADW_TYPE_VIEW_SWITCHER_BAR) != NULL)
            continue;
          if (label == NULL || label[0] == '\0')
            {
              g_test_message ("icon-only button: %s", G_OBJECT_TYPE_NAME (widget));
              g_assert_nonnull (gtk_widget_get_tooltip_text (widget));
            }
          n_buttons++;
        }
    }
  g_assert_cmpuint (n_buttons, >, 3);
}

static void
test_hundred_thousand (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GListStore) grants = g_list_store_new (CW_TYPE_GRANT_ITEM);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  CwAccessPage *page;
  GtkListView *list_view;
  GtkAdjustment *adjustment;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n_created;

  seed_store (fixture->store_path, FALSE);
  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *id = g_strdup_printf ("grant-%06u", i);
      g_autofree char *name = g_strdup_printf ("Provider %06u", i);
      CwGrantItemData item = {
        .id = id, .provider = "p", .provider_name = name, .organization = "Org",
        .scopes_text = "Medications", .purpose_text = "Treatment", .access_text = "view",
        .time = now, .expires = now + 86400 * (1 + i % 365), .state = "active",
        .verified = TRUE, .log_index = i,
      };

      g_ptr_array_add (items, cw_grant_item_new (&item));
    }
  g_list_store_splice (grants, 0, 0, items->pdata, items->len);

  open_window (fixture, 1200, 800);
  wait_shown (fixture, window_ready);
  page = cw_window_get_access_page (fixture->window);
  cw_access_page_set_model (page, G_LIST_MODEL (grants));
  /* Rows are made when the list is laid out. */
  ui_test_wait_for_frame (GTK_WIDGET (fixture->window));

  n_created = cw_access_page_get_n_rows_created (page);
  g_test_message ("rows created for 100000 grants: %u", n_created);
  /* GTK 4.8's GtkListView keeps a window of about 200 rows around the
   * visible ones (GTK_LIST_VIEW_MAX_LIST_ITEMS), whatever the model's size. */
  g_assert_cmpuint (n_created, >, 0);
  g_assert_cmpuint (n_created, <, 300);

  /* Scroll to the middle and to the end: rows are recycled. */
  list_view = cw_access_page_get_list_view (page);
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list_view));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) / 2);
  ui_test_wait_for_frame (GTK_WIDGET (fixture->window));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  ui_test_wait_for_frame (GTK_WIDGET (fixture->window));
  g_test_message ("rows created after scrolling: %u", cw_access_page_get_n_rows_created (page));
  g_assert_cmpuint (cw_access_page_get_n_rows_created (page), <, 300);
  g_free (ui_test_save_screenshot (GTK_WIDGET (fixture->window), NULL, "access-100000"));
}


static void
test_activity_filter (Fixture       *fixture,
                      gconstpointer  data)
{
  CwActivityPage *page;
  GtkEditable *entry;
  GtkDropDown *kind;

  seed_store (fixture->store_path, FALSE);
  open_window (fixture, 1200, 800);
  wait_shown (fixture, grants_loaded);

  page = cw_window_get_activity_page (fixture->window);
  entry = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (page), CW_TYPE_ACTIVITY_PAGE,
                                                       "provider_entry"));
  kind = GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (page), CW_TYPE_ACTIVITY_PAGE,
                                                       "kind_dropdown"));
  /* Two reads by St Mary's, one refused attempt by North Lab. */
  g_assert_cmpuint (cw_activity_page_get_n_shown (page), ==, 3);

  /* The pages without an alert, for the app's metainfo screenshots. */
  for (guint p = 0; p < 3; p++)
    {
      static const char *pages[] = { "access", "requests", "activity" };
      g_autofree char *name = g_strconcat ("store-", pages[p], NULL);

      adw_view_stack_set_visible_child_name (cw_window_get_view_stack (fixture->window), pages[p]);
      g_free (ui_test_save_screenshot (GTK_WIDGET (fixture->window), NULL, name));
    }

  gtk_editable_set_text (entry, "NORTH");
  g_assert_cmpuint (cw_activity_page_get_n_shown (page), ==, 1);
  gtk_editable_set_text (entry, "mary");
  g_assert_cmpuint (cw_activity_page_get_n_shown (page), ==, 2);

  /* Provider and kind together. */
  gtk_drop_down_set_selected (kind, 2);  /* refused attempts */
  g_assert_cmpuint (cw_activity_page_get_n_shown (page), ==, 0);
  gtk_editable_set_text (entry, "");
  g_assert_cmpuint (cw_activity_page_get_n_shown (page), ==, 1);
  gtk_drop_down_set_selected (kind, 0);
  g_assert_cmpstr (cw_activity_page_get_results_state (page), ==, "results");
  gtk_editable_set_text (entry, "nobody");
  g_assert_cmpuint (cw_activity_page_get_n_shown (page), ==, 0);
  /* Filters that match nothing say so, rather than an empty list. */
  g_assert_cmpstr (cw_activity_page_get_results_state (page), ==, "no-results");
  g_free (ui_test_save_screenshot (GTK_WIDGET (fixture->window), NULL, "activity-no-results"));
  gtk_editable_set_text (entry, "");
  g_assert_cmpstr (cw_activity_page_get_results_state (page), ==, "results");
}

/* What the Activity page's rows say: who, and for the patient's own
 * changes, to whom and which categories. */
static void
test_activity_describe (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const CwActivityItemData grant = {
    .id = "tx-1", .kind = "grant", .provider = "st-marys", .provider_name = "St Mary's Cardiology",
    .scopes_text = "Medications", .time = now, .state = "confirmed", .verified = TRUE,
    .log_index = 7,
  };
  const CwActivityItemData revoke = {
    .id = "tx-2", .kind = "revoke", .time = now, .state = "queued", .log_index = -1,
  };
  const CwActivityItemData refused = {
    .id = "ev-1", .kind = "access", .provider = "north-lab", .provider_name = "North Lab",
    .scopes_text = "Lab results", .time = now, .state = "denied", .verified = TRUE, .log_index = 9,
  };
  g_autoptr(CwActivityItem) grant_item = cw_activity_item_new (&grant);
  g_autoptr(CwActivityItem) revoke_item = cw_activity_item_new (&revoke);
  g_autoptr(CwActivityItem) refused_item = cw_activity_item_new (&refused);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  cw_activity_page_describe (grant_item, &title, &subtitle);
  g_assert_cmpstr (title, ==, "You gave St Mary's Cardiology access");
  g_assert_true (g_str_has_prefix (subtitle, "Medications · "));
  g_assert_true (g_str_has_suffix (subtitle, "verified, log entry 7"));
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  /* A revoke whose grant the wallet does not hold names no one. */
  cw_activity_page_describe (revoke_item, &title, &subtitle);
  g_assert_cmpstr (title, ==, "You revoked access");
  g_assert_null (strstr (subtitle, "verified"));
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  cw_activity_page_describe (refused_item, &title, &subtitle);
  g_assert_cmpstr (title, ==, "North Lab tried to open your records and was refused");
  g_assert_true (g_str_has_prefix (subtitle, "Lab results · "));
}

static void
sent_cb (CwNotifier    *notifier,
         const char    *id,
         GNotification *notification,
         GPtrArray     *sent)
{
  g_ptr_array_add (sent, g_strdup (id));
}

static gboolean
has_prefix (GPtrArray  *ids,
            const char *prefix)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_str_has_prefix (ids->pdata[i], prefix))
      return TRUE;
  return FALSE;
}

/* The page's own stack: "loading", "empty" or "list". */
static const char *
page_state (gpointer page)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_first_child (page)));
}

/* Before a page has its model, or while the model has not loaded once, it
 * says "loading", never "empty" (which would claim there is nothing). */
static void
test_loading_states (void)
{
  GtkWidget *pages[] = {
    g_object_ref_sink (g_object_new (CW_TYPE_ACCESS_PAGE, NULL)),
    g_object_ref_sink (g_object_new (CW_TYPE_REQUESTS_PAGE, NULL)),
    g_object_ref_sink (g_object_new (CW_TYPE_ACTIVITY_PAGE, NULL)),
  };
  GType item_types[] = { CW_TYPE_GRANT_ITEM, CW_TYPE_REQUEST_ITEM, CW_TYPE_ACTIVITY_ITEM };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GListStore) empty = g_list_store_new (item_types[i]);

      g_assert_cmpstr (page_state (pages[i]), ==, "loading");
      g_object_set (pages[i], "model", empty, NULL);
      g_assert_cmpstr (page_state (pages[i]), ==, "empty");
      g_object_unref (pages[i]);
    }
}

static gboolean
page_visible (gpointer    page,
              const char *name)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_first_child (page));

  return gtk_widget_get_visible (gtk_stack_get_child_by_name (stack, name));
}

/* The Access page's empty and list pages stay hidden, so neither styled
 * nor measured, until first shown; once shown they stay usable. */
static void
test_access_pages_hidden_until_shown (void)
{
  GtkWidget *page = g_object_ref_sink (g_object_new (CW_TYPE_ACCESS_PAGE, NULL));
  g_autoptr(GListStore) store = g_list_store_new (CW_TYPE_GRANT_ITEM);

  g_assert_cmpstr (page_state (page), ==, "loading");
  g_assert_false (page_visible (page, "empty"));
  g_assert_false (page_visible (page, "list"));

  g_object_set (page, "model", store, NULL);
  g_assert_cmpstr (page_state (page), ==, "empty");
  g_assert_true (page_visible (page, "empty"));
  g_assert_false (page_visible (page, "list"));
  g_object_unref (page);
}

static void
hang_guard_cb (gpointer user_data)
{
  g_error ("still waiting for %s", (const char *) user_data);
}

static void
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static GtkWidget *
loading_spinner (gpointer page)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_first_child (page));

  return gtk_widget_get_first_child (gtk_stack_get_child_by_name (stack, "loading"));
}

/* The Access page shows its spinner only once loading lasts: none in the
 * first frames of a start (drawing one loads the SVG renderer), one that
 * spins for a slow load, and none once the model is in; a load that ends
 * first never shows one. */
static void
test_access_page_spinner_delayed (void)
{
  GtkWidget *page = g_object_ref_sink (g_object_new (CW_TYPE_ACCESS_PAGE, NULL));
  GtkWidget *spinner = loading_spinner (page);
  g_autoptr(GListStore) store = g_list_store_new (CW_TYPE_GRANT_ITEM);
  guint guard;
  gboolean waited = FALSE;

  g_assert_true (GTK_IS_SPINNER (spinner));
  g_assert_cmpstr (page_state (page), ==, "loading");
  g_assert_false (gtk_widget_get_visible (spinner));

  /* Still loading: the spinner comes; how soon is not this test's business. */
  guard = g_timeout_add_once (60 * 1000, hang_guard_cb, "the loading spinner");
  while (!gtk_widget_get_visible (spinner))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  g_object_set (page, "model", store, NULL);
  g_assert_cmpstr (page_state (page), ==, "empty");
  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_object_unref (page);

  /* Loaded at once: the spinner it had scheduled never comes, however
   * long one waits (here twice its delay). */
  page = g_object_ref_sink (g_object_new (CW_TYPE_ACCESS_PAGE, NULL));
  spinner = loading_spinner (page);
  g_object_set (page, "model", store, NULL);
  g_timeout_add_once (1000, flag_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gtk_widget_get_visible (spinner));
  g_object_unref (page);
}

/* "No matching providers" stays hidden (neither styled nor measured) until
 * a search finds nothing; the list comes back when the search clears. */
static void
test_access_page_no_results (void)
{
  GtkWidget *page = g_object_ref_sink (g_object_new (CW_TYPE_ACCESS_PAGE, NULL));
  g_autoptr(GListStore) store = g_list_store_new (CW_TYPE_GRANT_ITEM);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  CwGrantItemData data = {
    .id = "grant-1", .provider = "st-marys", .provider_name = "St Mary's Cardiology",
    .organization = "St Mary's Hospital", .scopes_text = "Medications",
    .purpose_text = "Treatment", .access_text = "view", .time = now, .expires = now + 86400,
    .state = "active", .verified = TRUE, .log_index = 3,
  };
  g_autoptr(CwGrantItem) item = cw_grant_item_new (&data);
  GtkStack *results = GTK_STACK (gtk_widget_get_template_child (page, CW_TYPE_ACCESS_PAGE,
                                                                "results_stack"));
  GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (page, CW_TYPE_ACCESS_PAGE,
                                                                    "search_entry"));
  GtkWidget *no_results = gtk_stack_get_child_by_name (results, "no-results");

  g_list_store_append (store, item);
  g_object_set (page, "model", store, NULL);
  g_assert_cmpstr (page_state (page), ==, "list");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results), ==, "results");
  g_assert_false (gtk_widget_get_visible (no_results));

  /* The entry reports a search after a pause; the test does not wait. */
  gtk_editable_set_text (entry, "nobody by that name");
  g_signal_emit_by_name (entry, "search-changed");
  g_assert_cmpstr (page_state (page), ==, "list");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results), ==, "no-results");
  g_assert_true (gtk_widget_get_visible (no_results));

  gtk_editable_set_text (entry, "mary");
  g_signal_emit_by_name (entry, "search-changed");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results), ==, "results");
  g_object_unref (page);
}

/* The key bindings of @widgets' classes whose action is one of ours
 * (win.*, grant.*, onboarding.*, and window.close in our dialogs), as
 * GtkShortcuts. */
static GPtrArray *
our_bindings (GtkWidget **widgets,
              guint       n_widgets)
{
  GPtrArray *bindings = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint w = 0; w < n_widgets; w++)
    {
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widgets[w]);

      for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
        {
          g_autoptr(GObject) controller = g_list_model_get_item (controllers, c);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;
          for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (controller)); i++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), i);
              GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
              const char *name;

              if (!GTK_IS_NAMED_ACTION (action))
                continue;
              name = gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
              if (g_str_has_prefix (name, "win.") || g_str_has_prefix (name, "grant.") ||
                  g_str_has_prefix (name, "onboarding.") ||
                  (g_str_equal (name, "window.close") && !CW_IS_WINDOW (widgets[w])))
                g_ptr_array_add (bindings, g_object_ref (shortcut));
            }
        }
    }
  return bindings;
}

/* Every shortcut the window lists shows its keys: its own accelerators,
 * each of which must be bound in @bindings (and is marked there as
 * listed), or the application's for its action. Returns how many it
 * lists. */
static guint
assert_shortcuts_have_keys (GtkWidget      *widget,
                            GtkApplication *app,
                            GPtrArray      *bindings,
                            gboolean       *listed)
{
  guint n = 0;

  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *title = NULL;
      g_autofree char *accelerator = NULL;
      g_autofree char *action = NULL;
      g_auto(GStrv) accels = NULL;

      g_object_get (widget, "title", &title, "accelerator", &accelerator, "action-name", &action,
                    NULL);
      if (action != NULL)
        accels = gtk_application_get_accels_for_action (app, action);
      if ((accelerator == NULL || accelerator[0] == '\0') && (accels == NULL || accels[0] == NULL))
        g_error ("the shortcut “%s” shows no keys", title);
      /* With an action, GTK shows the application's accels for it. */
      if (action == NULL && accelerator != NULL && accelerator[0] != '\0')
        {
          g_auto(GStrv) keys = g_strsplit (accelerator, " ", -1);

          for (guint k = 0; keys[k] != NULL; k++)
            {
              g_autoptr(GtkShortcutTrigger) trigger = gtk_shortcut_trigger_parse_string (keys[k]);
              gboolean bound = FALSE;

              g_assert_nonnull (trigger);
              for (guint b = 0; b < bindings->len; b++)
                if (gtk_shortcut_trigger_equal (trigger,
                                                gtk_shortcut_get_trigger (bindings->pdata[b])))
                  bound = listed[b] = TRUE;
              if (!bound)
                g_error ("the shortcut “%s” lists %s, which nothing binds", title, keys[k]);
            }
        }
      return 1;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += assert_shortcuts_have_keys (child, app, bindings, listed);
  return n;
}

/* Preferences and the other app actions exist from the start; the
 * shortcuts window is built the first time app.shortcuts asks for it,
 * then kept, and shows the keys of every shortcut it lists. */
typedef struct {
  gboolean ran;
} ShortcutsRun;

static gboolean
drive_shortcuts_cb (gpointer user_data)
{
  ShortcutsRun *run = user_data;
  GApplication *app = g_application_get_default ();
  GtkApplicationWindow *window =
    GTK_APPLICATION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  GtkShortcutsWindow *shortcuts;

  g_assert_true (CW_IS_WINDOW (window));
  g_assert_null (gtk_application_window_get_help_overlay (window));

  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  shortcuts = gtk_application_window_get_help_overlay (window);
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (shortcuts));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (shortcuts)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (shortcuts)) == GTK_WINDOW (window));
  {
    CwWallet *wallet = cw_window_get_wallet (CW_WINDOW (window));
    GtkWidget *widgets[] = {
      GTK_WIDGET (window),
      g_object_ref_sink (GTK_WIDGET (cw_grant_dialog_new (wallet))),
      g_object_ref_sink (GTK_WIDGET (cw_grant_details_new (wallet, "no-such-grant"))),
      g_object_ref_sink (g_object_new (CW_TYPE_ONBOARDING_VIEW, "wallet", wallet, NULL)),
    };
    g_autoptr(GPtrArray) bindings = our_bindings (widgets, G_N_ELEMENTS (widgets));
    g_autofree gboolean *listed = g_new0 (gboolean, bindings->len);

    g_assert_cmpuint (bindings->len, >=, 6);
    g_assert_cmpuint (assert_shortcuts_have_keys (GTK_WIDGET (shortcuts), GTK_APPLICATION (app),
                                                  bindings, listed), >=, 8);
    /* ...and every key of ours is listed. */
    for (guint b = 0; b < bindings->len; b++)
      if (!listed[b])
        {
          g_autofree char *keys = gtk_shortcut_trigger_to_string (
            gtk_shortcut_get_trigger (bindings->pdata[b]));

          g_error ("%s is bound but not in the shortcuts window", keys);
        }
    gtk_window_destroy (GTK_WINDOW (widgets[1]));
    gtk_window_destroy (GTK_WINDOW (widgets[2]));
    for (guint w = 1; w < G_N_ELEMENTS (widgets); w++)
      g_object_unref (widgets[w]);
  }
  g_free (ui_test_save_screenshot (GTK_WIDGET (shortcuts), NULL, "shortcuts"));
  gtk_widget_set_visible (GTK_WIDGET (shortcuts), FALSE);

  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  g_assert_true (gtk_application_window_get_help_overlay (window) == shortcuts);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (shortcuts)));

  run->ran = TRUE;
  g_application_quit (app);
  return G_SOURCE_REMOVE;
}

static void
test_shortcuts_window (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(CwApplication) app = cw_application_new ();
  char *argv[] = { (char *) "consent-wallet", (char *) "--data-dir", fixture->dir, NULL };
  ShortcutsRun run = { FALSE };
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  /* The app notifies after its first sync, which fails here, of the seeded
   * grants that end within days; Xvfb has no notification server. */
  g_settings_set_boolean (settings, "notify-expiring-grants", FALSE);
  g_settings_set_boolean (settings, "notify-requests", FALSE);
  g_settings_set_boolean (settings, "notify-refused-access", FALSE);
  seed_store (fixture->store_path, FALSE);
  g_idle_add (drive_shortcuts_cb, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 3, argv), ==, 0);
  g_assert_true (run.ran);
}

static gboolean
showing_all (gpointer data)
{
  GListModel *staged = data;

  return g_list_model_get_n_items (staged) ==
         g_list_model_get_n_items (gtk_slice_list_model_get_model (GTK_SLICE_LIST_MODEL (staged)));
}

static void
record_first_paint_cb (GdkFrameClock *clock,
                       GListModel    *staged)
{
  guint *n_at_first_paint = g_object_get_data (G_OBJECT (staged), "n-at-first-paint");

  if (*n_at_first_paint == G_MAXUINT)
    *n_at_first_paint = g_list_model_get_n_items (staged);
}

/* A list handed to its view a screenful per frame: first
 * CW_STAGED_LIST_ROWS_PER_FRAME items, painted alone in the first frame,
 * then that many more each frame of the window until all of them; later
 * changes at once. */
static void
test_staged_list (void)
{
  const guint step = CW_STAGED_LIST_ROWS_PER_FRAME;
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(GListModel) staged = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list_view;
  guint growth = 0, last, n_at_first_paint = G_MAXUINT;

  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);

      g_list_store_append (store, item);
    }
  staged = cw_staged_list_new (window, G_LIST_MODEL (store));
  g_assert_cmpuint (g_list_model_get_n_items (staged), ==, step);

  list_view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (staged))),
                                 gtk_signal_list_item_factory_new ());
  gtk_window_set_child (GTK_WINDOW (window), gtk_scrolled_window_new ());
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (gtk_window_get_child (GTK_WINDOW (window))),
                                 list_view);
  g_object_set_data (G_OBJECT (staged), "n-at-first-paint", &n_at_first_paint);
  gtk_widget_realize (window);
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (record_first_paint_cb), staged, 0);
  gtk_window_present (GTK_WINDOW (window));
  /* Nothing grows before a frame, nor in the first one painted. */
  g_assert_cmpuint (g_list_model_get_n_items (staged), ==, step);
  ui_test_wait_for_frame (window);
  g_assert_cmpuint (n_at_first_paint, ==, step);
  last = g_list_model_get_n_items (staged);
  while (!showing_all (staged))
    {
      ui_test_wait_for_frame (window);
      g_assert_cmpuint (g_list_model_get_n_items (staged), >=, last);
      if (!showing_all (staged))
        g_assert_cmpuint (g_list_model_get_n_items (staged), <=, last + step);
      last = g_list_model_get_n_items (staged);
      g_assert_cmpuint (++growth, <, 100);
    }
  /* Steps of @step to the 200 rows GTK builds at most, then all. */
  g_assert_cmpuint (growth, >=, 200 / step - 1);

  g_list_store_remove_all (store);
  g_assert_cmpuint (g_list_model_get_n_items (staged), ==, 0);
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);

      g_list_store_append (store, item);
    }
  g_assert_cmpuint (g_list_model_get_n_items (staged), ==, 300);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
notifier_idle (gpointer data)
{
  return !cw_notifier_get_busy (data);
}

static void
test_notifications (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CwNotifier) notifier = NULL;
  g_autoptr(CwNotifier) quiet = NULL;
  g_autofree char *expiring = fake_id ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  seed_store (fixture->store_path, FALSE);
  /* A grant that ends in three days. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CwWalletStore) store = cw_wallet_store_new (fixture->store_path, &error);
    CwStoreGrant grant = { expiring, (char *) "northlab", CW_SCOPE_IMAGING, CW_PURPOSE_TREAT,
                           CW_ACCESS_VIEW, NULL, NULL, now - 86400, now + 3 * 86400, NULL, 39,
                           NULL, (char *) "{}" };

    g_assert_no_error (error);
    g_assert_true (cw_wallet_store_upsert_grant (store, &grant, &error));
    g_assert_no_error (error);
    cw_wallet_store_close (store);
  }
  open_window (fixture, 1200, 800);
  wait_shown (fixture, grants_loaded);

  /* Each kind has its own switch. */
  quiet = cw_notifier_new (fixture->wallet, NULL);
  g_signal_connect (quiet, "sent", G_CALLBACK (sent_cb), sent);
  g_assert_true (ui_test_wait_until (notifier_idle, quiet, UI_TEST_TIMEOUT_S));
  g_assert_false (cw_notifier_get_busy (quiet));
  g_object_set (quiet, "notify-requests", FALSE, "notify-expiring-grants", FALSE, NULL);
  g_assert_cmpuint (cw_notifier_check (quiet), ==, 1);
  g_assert_true (has_prefix (sent, "refused-"));
  g_object_set (quiet, "notify-refused-access", FALSE, "notify-requests", TRUE, NULL);
  g_assert_cmpuint (cw_notifier_check (quiet), ==, 1);
  g_assert_true (has_prefix (sent, "request-"));
  g_assert_cmpuint (cw_notifier_check (quiet), ==, 0);
  /* The grant about to end; not the grants that run for weeks. */
  g_object_set (quiet, "notify-expiring-grants", TRUE, NULL);
  g_assert_cmpuint (cw_notifier_check (quiet), ==, 1);
  {
    g_autofree char *id = g_strconcat ("expiring-", expiring, NULL);

    g_assert_true (g_ptr_array_find_with_equal_func (sent, id, g_str_equal, NULL));
  }
  /* The next check (after the next sync) sends nothing again. */
  g_assert_cmpuint (cw_notifier_check (quiet), ==, 0);
  g_assert_cmpuint (cw_notifier_get_n_sent (quiet), ==, 3);
  g_assert_true (ui_test_wait_until (notifier_idle, quiet, UI_TEST_TIMEOUT_S));
  g_assert_false (cw_notifier_get_busy (quiet));

  /* The next start: a new notifier remembers all three from the store. */
  notifier = cw_notifier_new (fixture->wallet, NULL);
  g_signal_connect (notifier, "sent", G_CALLBACK (sent_cb), sent);
  g_assert_true (cw_notifier_get_busy (notifier));
  /* A check before the record is read waits for it. */
  g_assert_cmpuint (cw_notifier_check (notifier), ==, 0);
  g_assert_true (ui_test_wait_until (notifier_idle, notifier, UI_TEST_TIMEOUT_S));
  g_assert_false (cw_notifier_get_busy (notifier));
  g_assert_cmpuint (cw_notifier_check (notifier), ==, 0);
  g_assert_cmpuint (cw_notifier_get_n_sent (notifier), ==, 0);
  g_assert_cmpuint (sent->len, ==, 3);
}

static void
test_settings (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  CwSyncScheduler *scheduler;
  CwPreferencesWindow *preferences;
  GtkSwitch *toggle;
  GtkSpinButton *spin;

  g_settings_set_int (settings, "window-width", 777);
  g_settings_set_int (settings, "window-height", 555);
  g_settings_set_uint (settings, "sync-interval", 30);
  seed_store (fixture->store_path, FALSE);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);

    fixture->wallet = cw_wallet_new (fixture->store_path, keyring, CW_NODE_CLIENT_FLAGS_NONE,
                                     &error);
    g_assert_no_error (error);
  }
  /* The window opens at the remembered size and syncs on the interval. */
  fixture->window = g_object_ref_sink (cw_window_new (NULL, fixture->wallet));
  {
    int width, height;

    gtk_window_get_default_size (GTK_WINDOW (fixture->window), &width, &height);
    g_assert_cmpint (width, ==, 777);
    g_assert_cmpint (height, ==, 555);
  }
  scheduler = cw_window_get_sync_scheduler (fixture->window);
  g_assert_cmpuint (cw_sync_scheduler_get_interval (scheduler), ==, 30);
  g_settings_set_uint (settings, "sync-interval", 0);
  g_assert_cmpuint (cw_sync_scheduler_get_interval (scheduler), ==, 0);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 800, 600);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 800);

  /* The preferences' controls write the same keys. */
  preferences = cw_preferences_window_new (fixture->wallet, settings);
  spin = GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                         CW_TYPE_PREFERENCES_WINDOW,
                                                         "interval_spin"));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 0);
  gtk_spin_button_set_value (spin, 45);
  g_assert_cmpuint (g_settings_get_uint (settings, "sync-interval"), ==, 45);
  g_assert_cmpuint (cw_sync_scheduler_get_interval (scheduler), ==, 45);
  toggle = GTK_SWITCH (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                      CW_TYPE_PREFERENCES_WINDOW,
                                                      "notify_refused_switch"));
  g_assert_true (gtk_switch_get_active (toggle));
  gtk_switch_set_active (toggle, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "notify-refused-access"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Notify about refused access");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Sync interval in minutes");

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gtk_window_set_default_size (GTK_WINDOW (preferences), sizes[i][0], sizes[i][1]);
      gtk_window_present (GTK_WINDOW (preferences));
      g_free (ui_test_save_screenshot (GTK_WIDGET (preferences), NULL, "preferences"));
    }
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  g_settings_reset (settings, "sync-interval");
  g_settings_reset (settings, "notify-refused-access");
}

static gboolean
details_loaded (gpointer data)
{
  return g_strcmp0 (cw_grant_details_get_state (data), "loading") != 0;
}

static void
test_grant_details (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CwGrantItem) grant = NULL;
  CwAccessPage *page;
  CwGrantDetails *details;
  GtkWidget *button;

  seed_store (fixture->store_path, FALSE);
  open_window (fixture, 1200, 800);
  wait_shown (fixture, grants_loaded);
  page = cw_window_get_access_page (fixture->window);

  /* Activating a row (a click, or Enter) opens its details. */
  g_assert_null (cw_window_get_grant_details (fixture->window));
  g_signal_emit_by_name (cw_access_page_get_list_view (page), "activate", 0);
  details = CW_GRANT_DETAILS (cw_window_get_grant_details (fixture->window));
  g_assert_nonnull (details);
  g_assert_true (ui_test_wait_until (details_loaded, details, UI_TEST_TIMEOUT_S));
  g_assert_cmpstr (cw_grant_details_get_state (details), ==, "details");
  grant = g_object_ref (cw_access_page_find_grant (page, cw_grant_details_get_grant_id (details)));
  g_assert_cmpstr (cw_grant_details_get_row_text (details, "scopes"), ==,
                   cw_grant_item_get_scopes_text (grant));
  /* This seeded grant was never logged: no receipt to show as verified. */
  g_assert_true (g_str_has_prefix (cw_grant_details_get_receipt_text (details), "Not in the log yet"));

  button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (details), CW_TYPE_GRANT_DETAILS,
                                                      "revoke_button"));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_ROLE_BUTTON);
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_window_destroy (GTK_WINDOW (details));
  /* The destroyed window's idle clean-up. */
  ui_test_iterate_for (100);

  /* A grant the wallet does not have: an error page, nothing else. */
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string ("no-such-grant"));

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->window),
                                                       "win.grant-details", target));
  }
  details = CW_GRANT_DETAILS (cw_window_get_grant_details (fixture->window));
  g_assert_true (ui_test_wait_until (details_loaded, details, UI_TEST_TIMEOUT_S));
  g_assert_cmpstr (cw_grant_details_get_state (details), ==, "error");
  button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (details), CW_TYPE_GRANT_DETAILS,
                                                      "revoke_button"));
  g_assert_false (gtk_widget_is_sensitive (button));
  gtk_window_destroy (GTK_WINDOW (details));
  /* The destroyed window's idle clean-up. */
  ui_test_iterate_for (100);
}

int
main (int   argc,
      char *argv[])
{
  g_assert_cmpint (sodium_init (), >=, 0);
  ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/pages/loading-states", test_loading_states);
  g_test_add_func ("/ui/access-page/hidden-until-shown", test_access_pages_hidden_until_shown);
  g_test_add_func ("/ui/access-page/spinner-delayed", test_access_page_spinner_delayed);
  g_test_add_func ("/ui/access-page/no-results", test_access_page_no_results);
  g_test_add_func ("/ui/pages/staged-list", test_staged_list);
  g_test_add ("/ui/window/unenrolled", Fixture, NULL, fixture_setup, test_unenrolled,
              fixture_teardown);
  g_test_add ("/ui/window/pages", Fixture, NULL, fixture_setup, test_pages, fixture_teardown);
  g_test_add ("/ui/window/actions", Fixture, NULL, fixture_setup, test_actions, fixture_teardown);
  g_test_add ("/ui/window/search-action", Fixture, NULL, fixture_setup, test_search_action,
              fixture_teardown);
  g_test_add ("/ui/app/shortcuts-window", Fixture, NULL, fixture_setup, test_shortcuts_window,
              fixture_teardown);
  g_test_add ("/ui/window/accessibility", Fixture, NULL, fixture_setup, test_accessibility,
              fixture_teardown);
  g_test_add ("/ui/window/accessible-names", Fixture, NULL, fixture_setup, test_accessible_names,
              fixture_teardown);
  g_test_add ("/ui/access-page/hundred-thousand", Fixture, NULL, fixture_setup,
              test_hundred_thousand, fixture_teardown);
  g_test_add_func ("/ui/activity-page/describe", test_activity_describe);
  g_test_add ("/ui/activity-page/filter", Fixture, NULL, fixture_setup, test_activity_filter,
              fixture_teardown);
  g_test_add ("/ui/notifier/once-per-item", Fixture, NULL, fixture_setup, test_notifications,
              fixture_teardown);
  g_test_add ("/ui/window/settings", Fixture, NULL, fixture_setup, test_settings,
              fixture_teardown);
  g_test_add ("/ui/grant-details/open", Fixture, NULL, fixture_setup, test_grant_details,
              fixture_teardown);

  return g_test_run ();
}
