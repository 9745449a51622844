/* test-onboarding-e2e.c: the desktop onboarding driven through the
 * window's widgets and actions, against a real consent-node over HTTPS and
 * a real gnome-keyring: a signed invite opened from a pasted link or a
 * .cwinvite file, the clinic shown from the node's directory, the identity
 * made and enrolled, the recovery code typed back in part, the proposed
 * grant accepted and found on the node by a verified sync; forged,
 * expired, wrong-node and used invites refused with nothing left behind;
 * and a restore with the recovery code in a second wallet, after which the
 * node refuses the old key. Screenshots of every page at 360x720 and
 * 1200x800 land in CW_SCREENSHOT_DIR. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "cw-grant-dialog-private.h"
#include "onboarding-test-util.h"

typedef OnboardingFixture Fixture;

static GtkCheckButton *
scope_check (CwGrantDialog *dialog,
             CwScopes       scope)
{
  return cw_grant_dialog_get_scope_check (dialog, scope);
}

static gboolean
clinic_selected (gpointer dialog)
{
  return cw_grant_dialog_select_provider (dialog, CLINIC_ID);
}

static gboolean
view_done (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (cw_onboarding_view_get_page (f->view), "done") == 0;
}

/* The whole first run. At 1200x800 the link is pasted and the proposed
 * grant accepted; at 360x720 the .cwinvite file is opened and the grant
 * changed in the grant dialog first. */
static void
test_first_run (Fixture       *f,
                gconstpointer  data)
{
  guint size = GPOINTER_TO_UINT (data);
  const CwInviteGrant proposed = {
    .scopes = CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES | CW_SCOPE_MEDICATIONS,
    .purpose = CW_PURPOSE_TREAT,
    .access = CW_ACCESS_VIEW,
    .days = 365,
  };
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, &proposed, NULL, NULL);
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *shown_patient = NULL;
  guint items = onboarding_count_keyring_items ();
  CwStoreGrant *grant;

  onboarding_open_window (f, f->engine.wallet, size);
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "unenrolled");
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "welcome");
  onboarding_save_screenshot (f, "welcome");

  if (size == 0)
    {
      g_autofree char *uri = cw_invite_note_to_uri (note);

      onboarding_paste_link (f, uri);
    }
  else
    {
      g_autofree char *path = g_build_filename (f->engine.node.tmpdir, "gp.cwinvite", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      onboarding_write_file (path, note);
      cw_window_open_invite_file (f->window, file);
    }
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  /* Who invites: the clinic's name from the node's directory. */
  g_assert_cmpstr (cw_onboarding_view_get_clinic_name (f->view), ==, CLINIC_NAME);
  g_assert_false (cw_wallet_get_enrolled (f->engine.wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items);
  onboarding_save_screenshot (f, "invite");

  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  /* The code comes first: nothing is stored or sent before it is
   * confirmed. */
  g_assert_false (cw_wallet_get_enrolled (f->engine.wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items);
  shown_patient = g_strdup (cw_onboarding_view_get_shown_patient_id (f->view));
  g_assert_nonnull (shown_patient);
  onboarding_save_screenshot (f, "recovery");

  code = onboarding_confirm_code (f, "confirm");
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "grant");
  g_assert_true (cw_wallet_get_enrolled (f->engine.wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items + 1);
  g_assert_cmpstr (shown_patient, ==, cw_wallet_get_patient_id (f->engine.wallet));
  /* Still the onboarding, although the wallet is enrolled now. */
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "unenrolled");
  g_assert_nonnull (strstr (cw_onboarding_view_get_title (f->view), CLINIC_NAME));
  g_assert_nonnull (strstr (cw_onboarding_view_get_description (f->view), "allergies"));
  onboarding_save_screenshot (f, "grant");

  if (size == 0)
    {
      g_assert_true (onboarding_activate (f, "onboarding.accept-grant"));
      g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "done");
    }
  else
    {
      CwGrantDialog *dialog;

      /* Changed before accepting: the grant dialog comes pre-filled with
       * the proposal; medications are left out. */
      g_assert_true (onboarding_activate (f, "onboarding.edit-grant"));
      dialog = CW_GRANT_DIALOG (cw_onboarding_view_get_grant_dialog (f->view));
      g_assert_nonnull (dialog);
      g_assert_true (gtk_check_button_get_active (scope_check (dialog, CW_SCOPE_ALLERGIES)));
      g_assert_true (gtk_check_button_get_active (scope_check (dialog, CW_SCOPE_MEDICATIONS)));
      g_assert_false (gtk_check_button_get_active (scope_check (dialog, CW_SCOPE_LAB_RESULTS)));
      g_assert_cmpuint (adw_combo_row_get_selected (cw_grant_dialog_get_purpose_row (dialog)), ==,
                        CW_PURPOSE_TREAT);
      /* The clinic, once the provider list has loaded it. */
      ui_test_wait_until (clinic_selected, dialog, UI_TEST_TIMEOUT_S);
      gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
      g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "scopes");
      gtk_widget_activate (GTK_WIDGET (cw_grant_dialog_get_scope_check (dialog,
                                                                        CW_SCOPE_MEDICATIONS)));
      gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
      gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
      gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
      g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "review");
      gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.send", NULL);
      ui_test_wait_until (view_done, f, UI_TEST_TIMEOUT_S);
      g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "done");
    }
  g_assert_nonnull (strstr (cw_onboarding_view_get_description (f->view), "public log"));
  onboarding_save_screenshot (f, "done");

  g_assert_true (onboarding_activate (f, "onboarding.finish"));
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "wallet");

  /* The node's state, read back by a verified sync: enrolled, and the
   * proposed grant logged for the clinic. */
  g_assert_true (engine_sync (&f->engine, &error));
  g_assert_no_error (error);
  grants = cw_wallet_store_list_grants (engine_store (&f->engine), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (grants->len, ==, 1);
  grant = g_ptr_array_index (grants, 0);
  g_assert_cmpstr (grant->provider, ==, CLINIC_ID);
  g_assert_cmpint (grant->scopes, ==,
                   size == 0 ? proposed.scopes : proposed.scopes & ~CW_SCOPE_MEDICATIONS);
  g_assert_cmpint (grant->purpose, ==, CW_PURPOSE_TREAT);
  g_assert_cmpint (grant->log_index, >=, 0);
  sodium_memzero (code, strlen (code));
}

/* A proposal with a sensitive category: no one-click Accept; "Choose…"
 * opens the grant dialog with that category unticked, and only what the
 * person ticks there is granted. */
static void
test_sensitive_proposal (Fixture       *f,
                         gconstpointer  data)
{
  const CwInviteGrant proposed = {
    .scopes = CW_SCOPE_SUMMARY | CW_SCOPE_MENTAL_HEALTH,
    .purpose = CW_PURPOSE_TREAT,
    .access = CW_ACCESS_VIEW,
    .days = 30,
  };
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, &proposed, NULL, NULL);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  g_autofree char *code = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *edit;
  CwGrantDialog *dialog;

  onboarding_open_window (f, f->engine.wallet, 0);
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  code = onboarding_confirm_code (f, "confirm");
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "grant");

  g_assert_nonnull (strstr (cw_onboarding_view_get_description (f->view),
                            "includes your mental health, which is sensitive"));
  g_assert_false (gtk_widget_get_visible (cw_onboarding_view_get_accept_grant_button (f->view)));
  edit = cw_onboarding_view_get_edit_grant_button (f->view);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (edit)), ==, "_Choose…");
  g_assert_true (gtk_widget_has_css_class (edit, "suggested-action"));
  onboarding_save_screenshot (f, "grant-sensitive");
  /* Nor does the action give access. */
  onboarding_activate (f, "onboarding.accept-grant");
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "grant");

  g_assert_true (onboarding_activate (f, "onboarding.edit-grant"));
  dialog = CW_GRANT_DIALOG (cw_onboarding_view_get_grant_dialog (f->view));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_check_button_get_active (scope_check (dialog, CW_SCOPE_SUMMARY)));
  g_assert_false (gtk_check_button_get_active (scope_check (dialog, CW_SCOPE_MENTAL_HEALTH)));
  ui_test_wait_until (clinic_selected, dialog, UI_TEST_TIMEOUT_S);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "scopes");
  /* Ticked by the person, one by one. */
  gtk_widget_activate (GTK_WIDGET (scope_check (dialog, CW_SCOPE_MENTAL_HEALTH)));
  for (guint i = 0; i < 3; i++)
    gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.next", NULL);
  g_assert_cmpstr (cw_grant_dialog_get_step (dialog), ==, "review");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "grant.send", NULL);
  ui_test_wait_until (view_done, f, UI_TEST_TIMEOUT_S);
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "done");

  g_assert_true (engine_sync (&f->engine, &error));
  g_assert_no_error (error);
  grants = cw_wallet_store_list_grants (engine_store (&f->engine), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (grants->len, ==, 1);
  g_assert_cmpint (((CwStoreGrant *) g_ptr_array_index (grants, 0))->scopes, ==, proposed.scopes);
  sodium_memzero (code, strlen (code));
}

/* A refusal shows its page and leaves the wallet and the keyring as they
 * were. */
static void
expect_refused (Fixture    *f,
                const char *note,
                const char *title,
                const char *screenshot)
{
  g_autofree char *uri = cw_invite_note_to_uri (note);
  guint items = onboarding_count_keyring_items ();

  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "error");
  g_test_message ("%s: %s", cw_onboarding_view_get_title (f->view),
                  cw_onboarding_view_get_description (f->view));
  g_assert_cmpstr (cw_onboarding_view_get_title (f->view), ==, title);
  if (screenshot != NULL)
    onboarding_save_screenshot (f, screenshot);
  g_assert_false (cw_wallet_get_enrolled (f->engine.wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items);
  g_assert_true (onboarding_activate (f, "onboarding.start-over"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "welcome");
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *forged = onboarding_make_invite (f, NULL, 3600, NULL, f->engine.node.lab_key,
                                                    NULL);
  g_autofree char *expired = onboarding_make_invite (f, NULL, -60, NULL, NULL, NULL);
  g_autoptr(CwSigningKey) stranger = NULL;
  g_autofree char *other_log = NULL;
  g_autofree char *wrong_log = NULL;
  g_autofree char *code = NULL;
  g_autofree char *used = NULL;
  g_autoptr(GError) error = NULL;
  guint items = onboarding_count_keyring_items ();

  stranger = cw_signing_key_generate (TX_TEST_ORIGIN, CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  other_log = cw_verifier_key_to_string (cw_signing_key_get_verifier (stranger));
  wrong_log = onboarding_make_invite (f, other_log, 3600, NULL, NULL, NULL);

  onboarding_open_window (f, f->engine.wallet, 0);
  expect_refused (f, forged, "This Invite Is Not Genuine", "error");
  expect_refused (f, expired, "This Invite Has Expired", NULL);
  expect_refused (f, wrong_log, "This Invite Does Not Match Its Node", NULL);
  expect_refused (f, "consentwallet:not*an*invite", "This Is Not an Invite", NULL);

  /* A code used by someone else between opening and accepting: the node
   * refuses the enrollment and the new key leaves the keyring again. */
  used = onboarding_make_invite (f, NULL, 3600, NULL, NULL, &code);
  {
    g_autofree char *uri = cw_invite_note_to_uri (used);
    g_autoptr(TxPatient) other = tx_patient_new ();
    g_autoptr(CwTx) enroll = tx_make_enroll (other, code, CLINIC_ID);
    g_autoptr(JsonObject) answer = NULL;

    onboarding_paste_link (f, uri);
    g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
    answer = tx_submit_ok (&f->engine.node, enroll, other->key);
    g_assert_true (onboarding_activate (f, "onboarding.accept"));
    g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
    g_free (onboarding_confirm_code (f, NULL));
    g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "error");
    g_test_message ("used: %s", cw_onboarding_view_get_description (f->view));
    g_assert_cmpstr (cw_onboarding_view_get_title (f->view), ==,
                     "The Clinic’s Node Refused This");
  }
  g_assert_false (cw_wallet_get_enrolled (f->engine.wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items);
  g_assert_true (onboarding_activate (f, "onboarding.start-over"));
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "unenrolled");
}

/* Leaving while the recovery code is on screen (Cancel on the code page,
 * Escape on the confirm page, the window closed on either) leaves no
 * identity, no keyring item and nothing on the node: the invite's
 * one-time code is still unused afterwards. */
static void
test_leave_code_page (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, NULL, NULL, &code);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  g_autoptr(TxPatient) other = tx_patient_new ();
  g_autoptr(CwTx) enroll = tx_make_enroll (other, code, CLINIC_ID);
  g_autoptr(JsonObject) answer = NULL;
  guint items = onboarding_count_keyring_items ();

  onboarding_open_window (f, f->engine.wallet, 1);
  /* Cancel on the code page. */
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  g_assert_cmpstr (cw_onboarding_view_get_shown_code (f->view), !=, "");
  g_assert_true (onboarding_activate (f, "onboarding.cancel"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "welcome");
  g_assert_cmpstr (cw_onboarding_view_get_shown_code (f->view), ==, "");
  onboarding_assert_nothing_created (f, items);

  /* Escape (onboarding.cancel) on the confirm page. */
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  g_assert_true (onboarding_activate (f, "onboarding.code-written"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "confirm");
  g_assert_true (onboarding_activate (f, "onboarding.cancel"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "welcome");
  onboarding_assert_nothing_created (f, items);

  /* The window closed on the code page, then on the confirm page. */
  for (guint i = 0; i < 2; i++)
    {
      if (f->window == NULL)
        onboarding_open_window (f, f->engine.wallet, 1);
      onboarding_paste_link (f, uri);
      g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
      g_assert_true (onboarding_activate (f, "onboarding.accept"));
      g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
      if (i == 1)
        g_assert_true (onboarding_activate (f, "onboarding.code-written"));
      onboarding_close_window (f);
      onboarding_assert_nothing_created (f, items);
    }

  /* Nothing reached the node: the one-time code still enrolls. */
  answer = tx_submit_ok (&f->engine.node, enroll, other->key);
  g_assert_nonnull (answer);
}

/* Joining a second clinic with the identity the wallet has. */
static void
test_join (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (&f->engine, &error);
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, NULL, NULL, NULL);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  g_autofree char *patient = NULL;
  guint items;

  g_assert_no_error (error);
  patient = g_strdup (cw_wallet_get_patient_id (f->engine.wallet));
  items = onboarding_count_keyring_items ();
  onboarding_open_window (f, f->engine.wallet, 0);
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "wallet");

  /* As GApplication::open hands a consentwallet: link to the window. */
  cw_window_open_invite (f->window, uri);
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "unenrolled");
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  onboarding_save_screenshot (f, "join");
  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  /* No new code, no new key, no proposed grant: done. */
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "done");
  g_assert_cmpstr (cw_wallet_get_patient_id (f->engine.wallet), ==, patient);
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items);
  g_assert_true (onboarding_activate (f, "onboarding.finish"));
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "wallet");
  sodium_memzero (recovery, strlen (recovery));
}

/* Restore in a second wallet with the code the first one showed. */
static void
test_restore (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = engine_enroll (&f->engine, &error);
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, NULL, NULL, NULL);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  g_autofree char *path = g_build_filename (f->engine.node.tmpdir, "device-b.db", NULL);
  g_autofree char *patient = NULL;
  g_autofree char *typo = NULL;
  g_autofree char *new_code = NULL;
  g_autoptr(CwWallet) device_b = NULL;
  CwOnboardingRestore *restore;

  g_assert_no_error (error);
  patient = g_strdup (cw_wallet_get_patient_id (f->engine.wallet));
  device_b = cw_wallet_new (path, f->engine.keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  cw_wallet_set_max_retries (device_b, 0);

  onboarding_open_window (f, device_b, 0);
  g_assert_true (onboarding_activate (f, "onboarding.restore"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "restore");
  onboarding_save_screenshot (f, "restore");
  restore = cw_onboarding_view_get_restore (f->view);

  /* A typo is caught on the spot. */
  typo = g_strdup (code);
  typo[0] = typo[0] == 'A' ? 'B' : 'A';
  cw_onboarding_restore_fill (restore, uri, patient, typo);
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "restore");
  g_assert_false (cw_wallet_get_enrolled (device_b));

  cw_onboarding_restore_fill (restore, uri, patient, code);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  g_assert_true (cw_wallet_get_enrolled (device_b));
  g_assert_cmpstr (cw_wallet_get_patient_id (device_b), ==, patient);
  new_code = onboarding_confirm_code (f, NULL);
  g_assert_cmpstr (new_code, !=, code);
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "done");
  g_assert_true (onboarding_activate (f, "onboarding.finish"));
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "wallet");

  /* The node now refuses the first device's key. */
  g_assert_false (engine_sync (&f->engine, &error));
  g_assert_nonnull (error);
  g_test_message ("old device: %s", error->message);
  onboarding_close_window (f);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  onboarding_test_init (&argc, &argv);

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, onboarding_fixture_setup, func, onboarding_fixture_teardown)
  ADD ("/ui/onboarding/first-run/1200x800", GUINT_TO_POINTER (0), test_first_run);
  ADD ("/ui/onboarding/first-run/360x720", GUINT_TO_POINTER (1), test_first_run);
  ADD ("/ui/onboarding/sensitive-proposal", NULL, test_sensitive_proposal);
  ADD ("/ui/onboarding/refused", NULL, test_refused);
  ADD ("/ui/onboarding/leave-code-page", NULL, test_leave_code_page);
  ADD ("/ui/onboarding/join", NULL, test_join);
  ADD ("/ui/onboarding/restore", NULL, test_restore);
#undef ADD

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
