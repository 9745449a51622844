/* test-onboarding-open.c: how an invite reaches the onboarding, and
 * leaving it, against a real consent-node and gnome-keyring: a
 * consentwallet: link and a .cwinvite file handed by a second
 * consent-wallet process to the running application (GApplication open
 * over D-Bus); a file list dropped on the view; Cancel or Back at each
 * step leaving nothing, while the registration itself cannot be cancelled
 * half way; and a locked keyring, which gives a clear message and creates
 * nothing (last: nothing unlocks the keyring again without a prompter). */
#include "config.h"

#include <libsecret/secret.h>
#include <string.h>

#include "cw-application.h"
#include "onboarding-test-util.h"

typedef OnboardingFixture Fixture;

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Runs a second consent-wallet with @arg, as a desktop does when a link or
 * file is opened; it hands @arg to the running instance and exits. The
 * main loop keeps turning meanwhile, so that the instance can answer. */
static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
open_with_second_instance (const char *arg)
{
  const char *app = g_getenv ("CW_APP_PATH");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;

  g_assert_nonnull (app);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, app, arg, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  g_assert_true (ui_test_wait_until (flag_set, &exited, UI_TEST_TIMEOUT_S));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

typedef struct {
  Fixture *f;
  char    *uri;
  char    *path;
  guint    items;
  gboolean ran;
} AppRun;

static void
expect_invite_shown (Fixture *f)
{
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_cmpstr (cw_onboarding_view_get_clinic_name (f->view), ==, CLINIC_NAME);
  g_assert_true (onboarding_activate (f, "onboarding.start-over"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "welcome");
}

static gboolean
drive_app_cb (gpointer user_data)
{
  AppRun *run = user_data;
  GApplication *app = g_application_get_default ();
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (CW_IS_WINDOW (window));
  run->f->view = cw_window_get_onboarding_view (CW_WINDOW (window));
  g_assert_cmpstr (cw_window_get_state (CW_WINDOW (window)), ==, "unenrolled");

  open_with_second_instance (run->uri);
  expect_invite_shown (run->f);
  open_with_second_instance (run->path);
  expect_invite_shown (run->f);

  /* Looked at, not accepted: nothing was made. */
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, run->items);
  run->f->view = NULL;
  run->ran = TRUE;
  g_application_quit (app);
  return G_SOURCE_REMOVE;
}

static void
test_application_open (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, NULL, NULL, NULL);
  g_autofree char *dir = g_build_filename (f->engine.node.tmpdir, "app-data", NULL);
  g_autoptr(CwApplication) app = cw_application_new ();
  char *argv[] = { (char *) "consent-wallet", (char *) "--data-dir", dir, NULL };
  AppRun run = { .f = f };

  run.uri = cw_invite_note_to_uri (note);
  run.path = g_build_filename (f->engine.node.tmpdir, "from-the-clinic.cwinvite", NULL);
  run.items = onboarding_count_keyring_items ();
  onboarding_write_file (run.path, note);

  g_idle_add (drive_app_cb, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 3, argv), ==, 0);
  g_assert_true (run.ran);
  g_free (run.uri);
  g_free (run.path);
}

static gboolean
drop_files (Fixture *f,
            GFile   *first,
            GFile   *second)
{
  GtkDropTarget *target = cw_onboarding_view_get_drop_target (f->view);
  GSList *files = g_slist_append (g_slist_append (NULL, first), second);
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (target, "drop", &value, 20.0, 20.0, &handled);
  g_value_unset (&value);
  g_slist_free (files);
  return handled;
}

/* Files dragged from a file manager arrive as a GdkFileList: the first is
 * opened; another drop while one is being checked is refused. */
static void
test_drop (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, NULL, NULL, NULL);
  g_autofree char *path = g_build_filename (f->engine.node.tmpdir, "dropped.cwinvite", NULL);
  g_autofree char *junk_path = g_build_filename (f->engine.node.tmpdir, "notes.txt", NULL);
  g_autoptr(GFile) invite = g_file_new_for_path (path);
  g_autoptr(GFile) junk = g_file_new_for_path (junk_path);
  guint items = onboarding_count_keyring_items ();

  onboarding_write_file (path, note);
  onboarding_write_file (junk_path, "shopping: milk, bread\n");
  onboarding_open_window (f, f->engine.wallet, 0);

  g_assert_true (drop_files (f, invite, junk));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "busy");
  g_assert_false (drop_files (f, junk, invite));
  expect_invite_shown (f);

  /* A file that is no invite: said so, nothing made. */
  g_assert_true (drop_files (f, junk, invite));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "error");
  g_assert_cmpstr (cw_onboarding_view_get_title (f->view), ==, "This Is Not an Invite");
  onboarding_assert_nothing_created (f, items);
}

/* Cancel (or Back) at each step before the registration goes back to the
 * start with nothing made; once the registration is sent it finishes. */
static void
test_cancel_each_step (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, NULL, NULL, &code);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  guint items = onboarding_count_keyring_items ();

  onboarding_open_window (f, f->engine.wallet, 1);

  /* While the invite is checked. */
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "busy");
  g_assert_true (onboarding_activate (f, "onboarding.cancel"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "welcome");
  onboarding_assert_nothing_created (f, items);

  /* On the invite page: Not Now. */
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_true (onboarding_activate (f, "onboarding.start-over"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "welcome");
  onboarding_assert_nothing_created (f, items);

  /* While the keys are made. */
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "busy");
  g_assert_true (onboarding_activate (f, "onboarding.cancel"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "welcome");
  g_assert_cmpstr (cw_onboarding_view_get_shown_code (f->view), ==, "");
  onboarding_assert_nothing_created (f, items);

  /* The restore page: Back. */
  g_assert_true (onboarding_activate (f, "onboarding.restore"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "restore");
  g_assert_true (onboarding_activate (f, "onboarding.start-over"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "welcome");
  onboarding_assert_nothing_created (f, items);

  /* The registration, once sent, is not cancelled half way (the node
   * may already have it): Cancel and Escape do nothing, and it completes
   * with the same one-time code, which was not used before. */
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  g_free (onboarding_confirm_code (f, NULL));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "busy");
  g_assert_true (onboarding_activate (f, "onboarding.cancel"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "busy");
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "done");
  g_assert_true (cw_wallet_get_enrolled (f->engine.wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items + 1);
}

/* A locked keyring (locked through libsecret; no prompter can unlock it
 * here): the registration stops with the keyring's message, and nothing
 * is made, here or on the node. */
static void
test_locked_keyring (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *note = onboarding_make_invite (f, NULL, 3600, NULL, NULL, &code);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TxPatient) other = tx_patient_new ();
  g_autoptr(CwTx) enroll = tx_make_enroll (other, code, CLINIC_ID);
  g_autoptr(JsonObject) answer = NULL;
  guint items = onboarding_count_keyring_items ();
  GList *objects;

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  objects = g_list_append (NULL, collection);
  secret_service_lock_sync (service, objects, NULL, NULL, &error);
  g_list_free (objects);
  g_assert_no_error (error);

  onboarding_open_window (f, f->engine.wallet, 0);
  onboarding_paste_link (f, uri);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "invite");
  g_assert_true (onboarding_activate (f, "onboarding.accept"));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  g_free (onboarding_confirm_code (f, NULL));
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "error");
  onboarding_save_screenshot (f, "keyring-locked");
  g_test_message ("%s: %s", cw_onboarding_view_get_title (f->view),
                  cw_onboarding_view_get_description (f->view));
  g_assert_cmpstr (cw_onboarding_view_get_title (f->view), ==, "Your Keyring Is Not Available");
  g_assert_nonnull (strstr (cw_onboarding_view_get_description (f->view), "locked"));
  onboarding_assert_nothing_created (f, items);

  /* Nothing reached the node: the one-time code still enrolls. */
  answer = tx_submit_ok (&f->engine.node, enroll, other->key);
  g_assert_nonnull (answer);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  onboarding_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, onboarding_fixture_setup, func, onboarding_fixture_teardown)
  ADD ("/ui/onboarding-open/application-open", test_application_open);
  ADD ("/ui/onboarding-open/drop", test_drop);
  ADD ("/ui/onboarding-open/cancel-each-step", test_cancel_each_step);
  ADD ("/ui/onboarding-open/locked-keyring", test_locked_keyring);
#undef ADD

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
