/* test-grant-e2e.c: the grant and revoke flows driven through the window's
 * actions and the grant dialog's widgets, against a real consent-node over
 * HTTPS and a real gnome-keyring; the node's state is then read back by a
 * verified sync. */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <sodium.h>

#include "cw-access-page-private.h"
#include "cw-grant-dialog-private.h"
#include "cw-grant-item.h"
#include "cw-window-private.h"
#include "engine-test-util.h"
#include "ui-test-util.h"

static CwStoreProvider *
fetch_provider (EngineFixture *f,
                const char    *id)
{
  g_autoptr(CwNodeProfile) profile = engine_profile (f, f->node.server->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNodeClient) client = cw_node_client_new (profile, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_autoptr(GAsyncResult) result = NULL;
  CwStoreProvider *provider;

  g_assert_no_error (error);
  cw_node_client_get_provider_async (client, id, NULL, ui_test_result_cb, &result);
  ui_test_wait_result (&result, UI_TEST_TIMEOUT_S);
  provider = cw_node_client_get_provider_finish (client, result, &error);
  g_assert_no_error (error);
  return provider;
}

static void
sent_cb (CwGrantDialog *dialog,
         gint64         log_index,
         gint64        *out)
{
  *out = log_index;
}

static gboolean
provider_selected (gpointer dialog)
{
  return cw_grant_dialog_select_provider (dialog, "lab-two");
}

static gboolean
log_index_set (gpointer data)
{
  return *(gint64 *) data != G_MININT64;
}

typedef struct {
  CwWindow   *window;
  const char *grant_id;
} Grant;

static gboolean
grant_listed (gpointer data)
{
  Grant *grant = data;

  return cw_access_page_find_grant (cw_window_get_access_page (grant->window),
                                    grant->grant_id) != NULL;
}

static gboolean
revoke_ended (gpointer data)
{
  Grant *grant = data;

  return !cw_access_page_get_revoking (cw_window_get_access_page (grant->window),
                                       grant->grant_id);
}

static void
test_grant_and_revoke (EngineFixture *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreProvider) lab = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(CwStoreGrant) stored = NULL;
  g_autofree char *grant_id = NULL;
  CwWindow *window;
  CwGrantDialog *dialog;
  AdwMessageDialog *confirm;
  gint64 log_index = G_MININT64;
  Grant shown;

  g_assert_no_error (error);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  /* The wallet has no directory search yet: put the node's entry for the
   * lab in the store, as a sync that met it would. */
  lab = fetch_provider (f, "lab-two");
  g_assert_true (cw_wallet_store_upsert_provider (engine_store (f), lab, &error));
  g_assert_no_error (error);

  window = cw_window_new (NULL, f->wallet);
  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  gtk_window_present (GTK_WINDOW (window));
  /* The window gives the pages their lists once its first frame is drawn. */
  ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpstr (cw_window_get_state (window), ==, "wallet");

  /* Give access, step by step, the way a person does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.grant", NULL));
  dialog = CW_GRANT_DIALOG (cw_window_get_grant_dialog (window));
  g_assert_nonnull (dialog);
  g_signal_connect (dialog, "sent", G_CALLBACK (sent_cb), &log_index);
  ui_test_wait_until (provider_selected, dialog, UI_TEST_TIMEOUT_S);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "scopes");
  gtk_widget_activate (GTK_WIDGET (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_LAB_RESULTS)));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  adw_combo_row_set_selected (cw_grant_dialog_get_purpose_row (dialog), CW_PURPOSE_TREAT);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  adw_combo_row_set_selected (cw_grant_dialog_get_period_row (dialog), 0);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "review");
  g_assert_nonnull (strstr (cw_grant_dialog_get_review_text (dialog), "lab results"));

  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.send", NULL);
  ui_test_wait_until (log_index_set, &log_index, UI_TEST_TIMEOUT_S);
  g_test_message ("grant verified at log index %" G_GINT64_FORMAT, log_index);
  g_assert_cmpint (log_index, >=, 0);

  /* What the node says, verified by a sync. */
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  grants = cw_wallet_store_list_grants (engine_store (f), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (grants->len, ==, 1);
  stored = NULL;
  {
    CwStoreGrant *grant = g_ptr_array_index (grants, 0);

    g_assert_cmpstr (grant->provider, ==, "lab-two");
    g_assert_cmpint (grant->scopes, ==, CW_SCOPE_LAB_RESULTS);
    g_assert_cmpint (grant->log_index, ==, log_index);
    g_assert_null (grant->revoked_by);
    grant_id = g_strdup (grant->id);
  }

  /* The Access page lists it. */
  shown = (Grant) { window, grant_id };
  ui_test_wait_until (grant_listed, &shown, UI_TEST_TIMEOUT_S);
  g_assert_nonnull (cw_access_page_find_grant (cw_window_get_access_page (window), grant_id));

  /* Revoke: confirm, the row says "Revoking…", then the receipt. */
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (grant_id));

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.revoke", target));
  }
  confirm = ui_test_find_message_dialog ();
  g_assert_nonnull (confirm);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "Lab results"));
  adw_message_dialog_response (confirm, "revoke");
  g_assert_true (cw_access_page_get_revoking (cw_window_get_access_page (window), grant_id));
  ui_test_wait_until (revoke_ended, &shown, UI_TEST_TIMEOUT_S);
  g_assert_false (cw_access_page_get_revoking (cw_window_get_access_page (window), grant_id));

  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  stored = cw_wallet_store_get_grant (engine_store (f), grant_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored->revoked_by);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  /* The destroyed window's idle clean-up. */
  ui_test_iterate_for (50);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  /* The private bus and keyring first, so GTK joins the same bus. */
  engine_test_start_keyring ();
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/e2e/grant-and-revoke", EngineFixture, NULL, engine_fixture_setup,
              test_grant_and_revoke, engine_fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
