/* test-app-e2e.c: the desktop app against a real consent-node over HTTPS
 * and a real gnome-keyring: a provider's request approved and another
 * denied through the window's actions and dialogs, notifications sent
 * once, grant details with the re-verified receipt and the FHIR export,
 * the alert banner when the node's answer is tampered with, the offline
 * indicator with a queued revoke, and an identity backup. What the node
 * holds is read back by a verified sync. Screenshots of the pages with
 * real content land in CW_SCREENSHOT_DIR. */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "cw-access-page-private.h"
#include "cw-activity-page-private.h"
#include "cw-encoding.h"
#include "cw-grant-details-private.h"
#include "cw-grant-dialog-private.h"
#include "cw-notifier.h"
#include "cw-preferences-window-private.h"
#include "cw-window-private.h"
#include "engine-test-util.h"
#include "ui-test-util.h"

/* Helpers */

static gboolean
message_dialog_shown (gpointer data)
{
  return ui_test_find_message_dialog () != NULL;
}

static gboolean
message_dialog_gone (gpointer data)
{
  return ui_test_find_message_dialog () == NULL;
}

/* A provider's signed request to the wallet's patient, posted to the node. */
static char *
provider_request (EngineFixture *f,
                  CwSigningKey  *key,
                  const char    *provider,
                  CwScopes       scopes,
                  const char    *reason)
{
  guint8 patient[CW_PUBLIC_KEY_SIZE];
  CwTxCommon common = { patient, 0, NULL, NULL, NULL };
  g_autoptr(GDateTime) expires = g_date_time_add_days (g_date_time_new_now_utc (), 30);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_true (cw_base64_decode_fixed (cw_wallet_get_patient_id (f->wallet), -1, patient,
                                         sizeof patient, NULL));
  tx = cw_tx_new_request (&common, provider, scopes, CW_PURPOSE_TREAT, CW_ACCESS_VIEW, expires,
                          reason, &error);
  g_assert_no_error (error);
  answer = tx_submit_ok (&f->node, tx, key);
  return g_strdup (json_object_get_string_member (answer, "id"));
}

typedef struct {
  EngineFixture *f;
  CwWindow      *window;
  CwNotifier    *notifier;
  GPtrArray     *sent;    /* notification IDs */
} App;

static void
notification_sent_cb (CwNotifier    *notifier,
                      const char    *id,
                      GNotification *notification,
                      App           *app)
{
  g_ptr_array_add (app->sent, g_strdup (id));
}

/* On screen, its first frame drawn and its lists given to the pages. */
static gboolean
window_ready (gpointer data)
{
  return gtk_widget_get_mapped (data) && !cw_window_get_loading (data);
}

static void
app_open (App           *app,
          EngineFixture *f,
          int            width,
          int            height)
{
  app->f = f;
  app->sent = g_ptr_array_new_with_free_func (g_free);
  app->notifier = cw_notifier_new (f->wallet, NULL);
  g_signal_connect (app->notifier, "sent", G_CALLBACK (notification_sent_cb), app);
  app->window = cw_window_new (NULL, f->wallet);
  g_object_ref_sink (app->window);
  /* As the app does (setup_notifier()). */
  cw_notifier_follow (app->notifier, cw_window_get_sync_scheduler (app->window));
  gtk_window_set_default_size (GTK_WINDOW (app->window), width, height);
  gtk_window_present (GTK_WINDOW (app->window));
  g_assert_true (ui_test_wait_until (window_ready, app->window, UI_TEST_TIMEOUT_S));
  g_assert_cmpstr (cw_window_get_state (app->window), ==, "wallet");
}

static void
app_close (App *app)
{
  gtk_window_destroy (GTK_WINDOW (app->window));
  g_clear_object (&app->window);
  g_clear_object (&app->notifier);
  g_clear_pointer (&app->sent, g_ptr_array_unref);
  /* The destroyed window's idle clean-up. */
  ui_test_iterate_for (50);
}

static gboolean
sync_idle (gpointer data)
{
  App *app = data;

  return !cw_sync_scheduler_get_syncing (cw_window_get_sync_scheduler (app->window)) &&
         !cw_window_get_loading (app->window) && !cw_notifier_get_busy (app->notifier);
}

/* Ctrl+R's action, then wait for the sync to end. */
static void
app_sync (App *app)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (app->window), "win.sync", NULL));
  g_assert_true (cw_sync_scheduler_get_syncing (cw_window_get_sync_scheduler (app->window)));
  g_assert_true (ui_test_wait_until (sync_idle, app, UI_TEST_TIMEOUT_S));
}

static guint
count_sent (App        *app,
            const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < app->sent->len; i++)
    n += g_str_has_prefix (app->sent->pdata[i], prefix);
  return n;
}

static gboolean
details_loaded (gpointer data)
{
  return g_strcmp0 (cw_grant_details_get_state (data), "loading") != 0;
}

static void
exported_cb (CwGrantDetails *details,
             gboolean        ok,
             int            *out)
{
  *out = ok;
}

static gboolean
int_set (gpointer data)
{
  return *(int *) data >= 0;
}

static void
grant_sent_cb (CwGrantDialog *dialog,
               gint64         log_index,
               gint64        *out)
{
  *out = log_index;
}

static gboolean
log_index_set (gpointer data)
{
  return *(gint64 *) data != G_MININT64;
}

static gboolean
grant_dialog_open (gpointer window)
{
  return cw_window_get_grant_dialog (window) != NULL;
}

typedef struct {
  CwWindow   *window;
  const char *grant_id;
} Revoke;

static gboolean
revoke_ended (gpointer data)
{
  Revoke *revoke = data;

  return !cw_access_page_get_revoking (cw_window_get_access_page (revoke->window),
                                       revoke->grant_id);
}

/* Tests */

static void
test_approve_request (EngineFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autofree char *request_id = NULL;
  g_autofree char *outcome = NULL;
  g_autoptr(CwStoreRequest) request = NULL;
  g_autoptr(CwStoreGrant) grant = NULL;
  g_autofree char *export_path = NULL;
  g_autoptr(GFile) export_file = NULL;
  g_autofree char *exported = NULL;
  App app = { 0 };
  CwGrantDialog *dialog;
  CwGrantDetails *details;
  gint64 log_index = G_MININT64;
  int export_ok = -1;
  guint8 fake_grant[CW_TX_ID_SIZE];
  g_autofree char *fake_grant_id = NULL;

  g_assert_no_error (error);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  /* The lab asks; the practice tries to read with a grant that is not
   * there and is refused. */
  request_id = provider_request (f, f->node.lab_key, "lab-two",
                                 CW_SCOPE_LAB_RESULTS | CW_SCOPE_MEDICATIONS,
                                 "To compare your new blood test with earlier ones.");
  randombytes_buf (fake_grant, sizeof fake_grant);
  fake_grant_id = cw_base64_encode (fake_grant, sizeof fake_grant);
  outcome = engine_provider_access (f, f->node.gp_key, "gp-one", fake_grant_id,
                                    CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
  g_assert_cmpstr (outcome, ==, "denied");

  app_open (&app, f, 1200, 800);
  app_sync (&app);
  g_assert_false (cw_window_get_offline_shown (app.window));
  g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (app.window)), ==, 1);
  g_assert_nonnull (cw_requests_page_find_request (cw_window_get_requests_page (app.window),
                                                   request_id));

  /* One notification for the request, one for the refused attempt. */
  g_assert_cmpuint (count_sent (&app, "request-"), ==, 1);
  g_assert_cmpuint (count_sent (&app, "refused-"), ==, 1);
  g_assert_cmpuint (app.sent->len, ==, 2);

  adw_view_stack_set_visible_child_name (cw_window_get_view_stack (app.window), "requests");
  g_free (ui_test_save_screenshot (GTK_WIDGET (app.window), NULL, "e2e-requests"));
  adw_view_stack_set_visible_child_name (cw_window_get_view_stack (app.window), "activity");
  g_free (ui_test_save_screenshot (GTK_WIDGET (app.window), NULL, "e2e-activity"));

  /* Approve: the form comes pre-filled with what was asked. */
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (request_id));

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (app.window), "win.approve",
                                                       target));
  }
  /* The request is read from the store first. */
  g_assert_true (ui_test_wait_until (grant_dialog_open, app.window, UI_TEST_TIMEOUT_S));
  dialog = CW_GRANT_DIALOG (cw_window_get_grant_dialog (app.window));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "scopes");
  g_assert_true (gtk_check_button_get_active (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_LAB_RESULTS)));
  g_assert_true (gtk_check_button_get_active (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_MEDICATIONS)));
  /* The patient narrows it down to lab results. */
  gtk_widget_activate (GTK_WIDGET (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_MEDICATIONS)));
  g_assert_false (gtk_check_button_get_active (cw_grant_dialog_get_scope_check (dialog, CW_SCOPE_MEDICATIONS)));
  g_signal_connect (dialog, "sent", G_CALLBACK (grant_sent_cb), &log_index);
  while (g_strcmp0 (cw_grant_dialog_get_step (dialog), "review") != 0)
    {
      const char *step = cw_grant_dialog_get_step (dialog);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL));
      g_assert_cmpstr (cw_grant_dialog_get_step (dialog), !=, step);
    }
  g_test_message ("review: %s", cw_grant_dialog_get_review_text (dialog));
  g_assert_nonnull (strstr (cw_grant_dialog_get_review_text (dialog), "lab results"));
  g_assert_null (strstr (cw_grant_dialog_get_review_text (dialog), "medications"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.send", NULL));
  g_assert_true (ui_test_wait_until (log_index_set, &log_index, UI_TEST_TIMEOUT_S));
  g_assert_cmpint (log_index, >=, 0);

  /* A sync later: the request is answered, nothing is notified again. */
  app_sync (&app);
  g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (app.window)), ==, 0);
  g_assert_cmpuint (app.sent->len, ==, 2);

  /* The node's side, read back by a verified sync. */
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  request = cw_wallet_store_get_request (engine_store (f), request_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (request->state, ==, CW_STORE_REQUEST_APPROVED);
  g_assert_nonnull (request->answer_id);
  grant = cw_wallet_store_get_grant (engine_store (f), request->answer_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (grant->scopes, ==, CW_SCOPE_LAB_RESULTS);
  g_assert_cmpstr (grant->request_id, ==, request_id);
  g_assert_cmpint (grant->log_index, ==, log_index);

  adw_view_stack_set_visible_child_name (cw_window_get_view_stack (app.window), "access");
  g_free (ui_test_save_screenshot (GTK_WIDGET (app.window), NULL, "e2e-access"));

  /* Its details: terms in plain words and the receipt, checked again. */
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (grant->id));
    g_autofree char *index = g_strdup_printf ("%" G_GINT64_FORMAT, log_index);

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (app.window), "win.grant-details",
                                                       target));
    details = CW_GRANT_DETAILS (cw_window_get_grant_details (app.window));
    g_assert_nonnull (details);
    g_assert_true (ui_test_wait_until (details_loaded, details, UI_TEST_TIMEOUT_S));
    g_assert_cmpstr (cw_grant_details_get_state (details), ==, "details");
    g_assert_cmpstr (cw_grant_details_get_receipt_text (details), ==, "Verified");
    g_assert_cmpstr (cw_grant_details_get_row_text (details, "scopes"), ==, "Lab results");
    g_assert_cmpstr (cw_grant_details_get_row_text (details, "purpose"), ==, "Treatment");
    g_assert_cmpstr (cw_grant_details_get_row_text (details, "log-index"), ==, index);
    g_assert_true (g_str_has_prefix (cw_grant_details_get_row_text (details, "checkpoint"),
                                     TX_TEST_ORIGIN ", "));
    g_test_message ("witnesses: %s", cw_grant_details_get_row_text (details, "witnesses"));
  }

  /* The same view at the two screenshot sizes. */
  for (guint i = 0; i < 2; i++)
    {
      CwGrantDetails *shown = cw_grant_details_new (f->wallet, grant->id);

      gtk_window_set_default_size (GTK_WINDOW (shown), i == 0 ? 360 : 1200, i == 0 ? 720 : 800);
      gtk_window_present (GTK_WINDOW (shown));
      g_assert_true (ui_test_wait_until (details_loaded, shown, UI_TEST_TIMEOUT_S));
      g_free (ui_test_save_screenshot (GTK_WIDGET (shown), NULL, "e2e-grant-details"));
      gtk_window_destroy (GTK_WINDOW (shown));
    }

  /* Export as FHIR: what the file chooser's Save does. */
  export_path = g_build_filename (g_get_tmp_dir (), "cw-ui-e2e-consent.json", NULL);
  export_file = g_file_new_for_path (export_path);
  g_signal_connect (details, "exported", G_CALLBACK (exported_cb), &export_ok);
  cw_grant_details_export_to_file (details, export_file);
  g_assert_true (ui_test_wait_until (int_set, &export_ok, UI_TEST_TIMEOUT_S));
  g_assert_cmpint (export_ok, ==, TRUE);
  g_assert_true (g_file_get_contents (export_path, &exported, NULL, NULL));
  g_assert_nonnull (strstr (exported, "\"resourceType\""));
  g_assert_nonnull (strstr (exported, "\"Consent\""));
  g_unlink (export_path);

  /* Revoke from the details: the main window asks first. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (details), "details.revoke", NULL));
  g_assert_true (ui_test_wait_until (message_dialog_shown, NULL, UI_TEST_TIMEOUT_S));
  adw_message_dialog_response (ui_test_find_message_dialog (), "cancel");
  gtk_window_destroy (GTK_WINDOW (ui_test_find_message_dialog ()));

  app_close (&app);
}

static gboolean
one_pending (gpointer data)
{
  App *app = data;

  return cw_requests_page_get_n_pending (cw_window_get_requests_page (app->window)) == 1;
}

static void
test_deny_request (EngineFixture *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autofree char *request_id = NULL;
  g_autofree char *second_id = NULL;
  g_autoptr(CwStoreRequest) request = NULL;
  AdwMessageDialog *confirm;
  App app = { 0 };

  g_assert_no_error (error);
  request_id = provider_request (f, f->node.gp_key, "gp-one", CW_SCOPE_SUMMARY | CW_SCOPE_GENETICS,
                                 "Family history review.");
  app_open (&app, f, 360, 720);
  app_sync (&app);
  g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (app.window)), ==, 1);
  g_assert_cmpuint (count_sent (&app, "request-"), ==, 1);

  /* The next start: the request still waits, and is not notified again;
   * a new one is. */
  app_close (&app);
  app_open (&app, f, 360, 720);
  app_sync (&app);
  g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (app.window)), ==, 1);
  g_assert_cmpuint (app.sent->len, ==, 0);
  second_id = provider_request (f, f->node.lab_key, "lab-two", CW_SCOPE_LAB_RESULTS,
                                "Yearly check-up.");
  app_sync (&app);
  g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (app.window)), ==, 2);
  g_assert_cmpuint (app.sent->len, ==, 1);
  {
    g_autofree char *expected = g_strconcat ("request-", second_id, NULL);

    g_assert_cmpstr (app.sent->pdata[0], ==, expected);
  }

  adw_view_stack_set_visible_child_name (cw_window_get_view_stack (app.window), "requests");
  g_free (ui_test_save_screenshot (GTK_WIDGET (app.window), NULL, "e2e-requests"));

  /* Deny asks first; Cancel changes nothing. */
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (request_id));

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (app.window), "win.deny", target));
    g_assert_true (ui_test_wait_until (message_dialog_shown, NULL, UI_TEST_TIMEOUT_S));
    confirm = ui_test_find_message_dialog ();
    g_test_message ("deny: %s", adw_message_dialog_get_body (confirm));
    g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "enetic"));
    adw_message_dialog_response (confirm, "cancel");
    gtk_window_destroy (GTK_WINDOW (confirm));
    g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (app.window)), ==, 2);

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (app.window), "win.deny", target));
    g_assert_true (ui_test_wait_until (message_dialog_shown, NULL, UI_TEST_TIMEOUT_S));
    confirm = ui_test_find_message_dialog ();
    adw_message_dialog_response (confirm, "deny");
    gtk_window_destroy (GTK_WINDOW (confirm));
  }

  /* The denial is signed, logged and verified; the request leaves, the
   * lab's stays. */
  g_assert_true (ui_test_wait_until (one_pending, &app, UI_TEST_TIMEOUT_S));
  app_sync (&app);
  g_assert_cmpuint (cw_requests_page_get_n_pending (cw_window_get_requests_page (app.window)), ==, 1);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  request = cw_wallet_store_get_request (engine_store (f), request_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (request->state, ==, CW_STORE_REQUEST_DENIED);
  g_assert_nonnull (request->answer_id);
  {
    g_autoptr(CwStoreTx) deny = cw_wallet_store_get_transaction (engine_store (f), request->answer_id,
                                                                 &error);

    g_assert_no_error (error);
    g_assert_cmpint (deny->type, ==, CW_TX_TYPE_DENY);
    g_assert_cmpint (deny->state, ==, CW_STORE_TX_CONFIRMED);
  }
  app_close (&app);
}

/* The node's grant listing with one proof hash changed, once armed. */
static char *
bad_proof_cb (const char *path,
              const char *query,
              const char *body,
              gpointer    user_data)
{
  gboolean *armed = user_data;
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *grants;
  JsonArray *proof;
  g_autofree char *hash = NULL;

  if (!*armed || !g_str_has_suffix (path, "/grants"))
    return NULL;
  answer = json_from_string (body, NULL);
  grants = json_object_get_array_member (json_node_get_object (answer), "grants");
  if (json_array_get_length (grants) == 0)
    return NULL;
  proof = json_object_get_array_member (json_array_get_object_element (grants, 0), "proof");
  if (json_array_get_length (proof) == 0)
    return NULL;
  hash = g_strdup (json_array_get_string_element (proof, 0));
  hash[0] = hash[0] == 'A' ? 'B' : 'A';
  json_array_remove_element (proof, 0);
  json_array_add_string_element (proof, hash);
  return json_to_string (answer, FALSE);
}

static void
test_alert_banner (EngineFixture *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  gboolean armed = FALSE;
  App app = { 0 };

  g_assert_no_error (error);
  f->proxy = engine_proxy_start (f, bad_proof_cb, &armed);
  engine_use_url (f, engine_proxy_get_url (f->proxy));
  first = engine_grant (f, "gp-one", CW_SCOPE_SUMMARY, &error);
  g_assert_no_error (error);
  second = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);

  app_open (&app, f, 1200, 800);
  app_sync (&app);
  g_assert_false (cw_alert_banner_get_shown (cw_window_get_alert_banner (app.window)));

  /* Now the node lies about an inclusion proof. */
  armed = TRUE;
  app_sync (&app);
  g_assert_true (cw_alert_banner_get_shown (cw_window_get_alert_banner (app.window)));
  g_assert_cmpuint (cw_alert_banner_get_n_alerts (cw_window_get_alert_banner (app.window)), ==, 1);
  alerts = cw_wallet_store_list_alerts (engine_store (f), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_cmpstr (((CwStoreAlert *) alerts->pdata[0])->kind, ==, "bad-inclusion-proof");
  /* No offline notice: the node answered, and lied. */
  g_assert_false (cw_window_get_offline_shown (app.window));
  g_free (ui_test_save_screenshot (GTK_WIDGET (app.window), NULL, "e2e-alert"));

  /* It stays after a clean sync too: an alert is never silently cleared. */
  armed = FALSE;
  app_sync (&app);
  g_assert_true (cw_alert_banner_get_shown (cw_window_get_alert_banner (app.window)));
  app_close (&app);
}

static void
test_offline_queue (EngineFixture *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) grant = NULL;
  g_autoptr(CwStoreGrant) stored = NULL;
  App app = { 0 };

  g_assert_no_error (error);
  grant = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  app_open (&app, f, 1200, 800);
  app_sync (&app);
  g_assert_false (cw_window_get_offline_shown (app.window));

  /* The node goes away (nothing listens on port 1 of loopback). */
  engine_use_url (f, "https://127.0.0.1:1");
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (grant->id));
    Revoke revoke = { app.window, grant->id };

    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (app.window), "win.revoke",
                                                       target));
    g_assert_true (ui_test_wait_until (message_dialog_shown, NULL, UI_TEST_TIMEOUT_S));
    adw_message_dialog_response (ui_test_find_message_dialog (), "revoke");
    gtk_window_destroy (GTK_WINDOW (ui_test_find_message_dialog ()));
    /* Signed and queued: the node cannot be reached. */
    g_assert_true (ui_test_wait_until (revoke_ended, &revoke, UI_TEST_TIMEOUT_S));
  }
  app_sync (&app);
  g_assert_true (cw_window_get_offline_shown (app.window));
  g_test_message ("offline: %s", cw_window_get_offline_text (app.window));
  g_assert_nonnull (strstr (cw_window_get_offline_text (app.window),
                            "1 change will be sent when online"));
  adw_view_stack_set_visible_child_name (cw_window_get_view_stack (app.window), "activity");
  g_free (ui_test_save_screenshot (GTK_WIDGET (app.window), NULL, "e2e-offline"));

  /* Back online: the queued revoke goes out and is verified. */
  engine_use_url (f, f->node.server->url);
  app_sync (&app);
  g_assert_false (cw_window_get_offline_shown (app.window));
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  stored = cw_wallet_store_get_grant (engine_store (f), grant->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored->revoked_by);
  app_close (&app);
}

static void
grant_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* A grant that ends within 7 days is notified also when the sync fails:
 * the wallet knows its end without the node. */
static void
test_offline_expiring (EngineFixture *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 5);
  CwWalletGrantParams params = { "lab-two", CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT,
                                 CW_ACCESS_VIEW, NULL, NULL, expires, NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwStoreTx) grant = NULL;
  App app = { 0 };

  g_assert_no_error (error);
  cw_wallet_grant_async (f->wallet, &params, NULL, grant_done_cb, &result);
  g_assert_true (ui_test_wait_until (result_set, &result, UI_TEST_TIMEOUT_S));
  grant = cw_wallet_transaction_finish (f->wallet, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (grant->state, ==, CW_STORE_TX_CONFIRMED);

  /* The node goes away (nothing listens on port 1 of loopback). */
  engine_use_url (f, "https://127.0.0.1:1");
  app_open (&app, f, 1200, 800);
  app_sync (&app);
  g_assert_true (cw_window_get_offline_shown (app.window));
  g_assert_cmpuint (count_sent (&app, "expiring-"), ==, 1);
  app_close (&app);
}

static void
backup_done_cb (CwPreferencesWindow *window,
                gboolean             ok,
                int                 *out)
{
  *out = ok;
}

/* prefs.backup-to with @path, as the file chooser's Save would, then the
 * passphrase dialog typed into and answered with @response; Continue must
 * be allowed exactly when both passphrases match. */
static void
backup_to (CwPreferencesWindow *window,
           const char          *path,
           const char          *passphrase,
           const char          *again,
           const char          *response)
{
  g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (path));
  AdwMessageDialog *dialog;
  GtkWidget *box;

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), "prefs.backup-to",
                                                     target));
  g_assert_true (ui_test_wait_until (message_dialog_shown, NULL, UI_TEST_TIMEOUT_S));
  dialog = ui_test_find_message_dialog ();
  box = adw_message_dialog_get_extra_child (dialog);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "continue"));
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_first_child (box)), passphrase);
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_last_child (box)), again);
  g_assert_cmpint (adw_message_dialog_get_response_enabled (dialog, "continue"), ==,
                   g_strcmp0 (passphrase, again) == 0);
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (ui_test_wait_until (message_dialog_gone, NULL, UI_TEST_TIMEOUT_S));
}

static void
test_backup (EngineFixture *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "cw-ui-e2e.backup", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "cw-no-such-folder", "x.backup",
                                               NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CwBackup) backup = NULL;
  CwPreferencesWindow *window;
  int ok = -1;
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_no_error (error);
  window = cw_preferences_window_new (f->wallet, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (window, "done", G_CALLBACK (backup_done_cb), &ok);
  g_free (ui_test_save_screenshot (GTK_WIDGET (window), NULL, "e2e-preferences"));

  /* The passphrase dialog lets Continue through only with two equal
   * passphrases of 8 characters or more; Cancel writes nothing. */
  g_unlink (path);
  backup_to (window, path, "correct horse", "correct hors", "cancel");
  g_assert_cmpint (ok, ==, -1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A folder that does not exist: a clear error, no file. */
  backup_to (window, missing, "correct horse", "correct horse", "continue");
  g_assert_true (ui_test_wait_until (int_set, &ok, 120));
  g_assert_cmpint (ok, ==, FALSE);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* The same action a person reaches through Back Up and the file chooser
   * (which hands the chosen file to the same save). */
  ok = -1;
  backup_to (window, path, "correct horse", "correct horse", "continue");
  g_assert_true (ui_test_wait_until (int_set, &ok, 120));
  g_assert_cmpint (ok, ==, TRUE);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0077, ==, 0);
  }
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_unlink (path);

  /* It opens with the passphrase, and holds this wallet's identity. */
  cw_backup_open_async (bytes, "correct horse", NULL, ui_test_result_cb, &result);
  ui_test_wait_result (&result, 120);
  backup = cw_backup_open_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_backup_get_patient_id (backup), ==, cw_wallet_get_patient_id (f->wallet));

  gtk_window_destroy (GTK_WINDOW (window));
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

  g_test_add ("/ui/e2e/approve-request", EngineFixture, NULL, engine_fixture_setup,
              test_approve_request, engine_fixture_teardown);
  g_test_add ("/ui/e2e/deny-request", EngineFixture, NULL, engine_fixture_setup,
              test_deny_request, engine_fixture_teardown);
  g_test_add ("/ui/e2e/alert-banner", EngineFixture, NULL, engine_fixture_setup,
              test_alert_banner, engine_fixture_teardown);
  g_test_add ("/ui/e2e/offline-queue", EngineFixture, NULL, engine_fixture_setup,
              test_offline_queue, engine_fixture_teardown);
  g_test_add ("/ui/e2e/offline-expiring", EngineFixture, NULL, engine_fixture_setup,
              test_offline_expiring, engine_fixture_teardown);
  g_test_add ("/ui/e2e/backup", EngineFixture, NULL, engine_fixture_setup, test_backup,
              engine_fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
