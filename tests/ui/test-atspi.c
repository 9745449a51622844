/* test-atspi.c: the real consent-wallet as assistive technology sees it.
 * A wallet is prepared against a real consent-node and gnome-keyring (a
 * grant to revoke, a pending request, an access event), then the app runs
 * with GTK_A11Y=atspi and atspi-walk.py walks its pages and the grant
 * dialog over AT-SPI, fails on any unnamed control, and revokes the grant
 * through AT-SPI actions alone. The node's answer, read by a verified
 * sync, must then show the grant revoked. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "cw-encoding.h"
#include "engine-test-util.h"

static void
add_request (EngineFixture *f)
{
  guint8 patient[CW_PUBLIC_KEY_SIZE];
  CwTxCommon common = { patient, 0, NULL, NULL, NULL };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 30);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_true (cw_base64_decode_fixed (cw_wallet_get_patient_id (f->wallet), -1, patient,
                                         sizeof patient, NULL));
  tx = cw_tx_new_request (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                          expires, "Yearly check-up.", &error);
  g_assert_no_error (error);
  answer = tx_submit_ok (&f->node, tx, f->node.gp_key);
  g_assert_nonnull (json_object_get_string_member (answer, "id"));
}

/* The test's private session bus has no service activation: the AT-SPI
 * bus launcher is started here, for the app and the walker alike. */
static GSubprocess *
start_atspi_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GSubprocess *launcher;

  g_assert_no_error (error);
  launcher = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/libexec/at-spi-bus-launcher",
                               NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 600; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      gboolean owned = FALSE;

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", "org.a11y.Bus"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, &error);
      g_assert_no_error (error);
      g_variant_get (reply, "(b)", &owned);
      if (owned)
        return launcher;
      g_usleep (50 * 1000);
    }
  g_assert_not_reached ();
}

/* Runs the app on @data_dir with the AT-SPI bridge on and atspi-walk.py
 * against it in @mode; the walker's TAP lines become this test's messages.
 * Fails the test when the walker fails. */
static void
walk_app (const char *data_dir,
          const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "ui", "atspi-walk.py", NULL);
  g_autofree char *app_pid = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GSubprocess) walker = NULL;
  g_autoptr(GSubprocess) atspi_bus = start_atspi_bus ();

  /* The app, as a user starts it, with the AT-SPI bridge on; warnings of
   * another process are not this test's to make fatal. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "atspi", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "NO_AT_BRIDGE");
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  app = g_subprocess_launcher_spawn (launcher, &error, CW_APP_BINARY, "--data-dir", data_dir,
                                     NULL);
  g_assert_no_error (error);
  app_pid = g_strdup (g_subprocess_get_identifier (app));

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  walker = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/python3", script, app_pid,
                                        mode, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (walker, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  {
    g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (lines[i][0] != '\0')
        g_test_message ("atspi: %s", lines[i]);
  }

  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, NULL);
  g_subprocess_send_signal (atspi_bus, SIGTERM);
  g_subprocess_wait (atspi_bus, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (walker));
  g_assert_cmpint (g_subprocess_get_exit_status (walker), ==, 0);
  g_assert_null (strstr (out, "not ok"));
  g_assert_nonnull (strstr (out, "ok "));
}

static void
test_atspi_walk (EngineFixture *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) grant = NULL;
  g_autofree char *outcome = NULL;
  g_autofree char *data_dir = g_path_get_dirname (f->store_path);
  g_autoptr(CwStoreGrant) revoked = NULL;

  g_assert_no_error (error);
  grant = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (grant->state, ==, CW_STORE_TX_CONFIRMED);
  add_request (f);
  outcome = engine_provider_access (f, f->node.lab_key, "lab-two", grant->id,
                                    CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT);
  g_assert_cmpstr (outcome, ==, "allowed");
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  walk_app (data_dir, "wallet");

  /* What the node says, checked by the wallet's own verified sync. */
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  revoked = cw_wallet_store_get_grant (engine_store (f), grant->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (revoked);
  g_assert_nonnull (revoked->revoked_by);
}

/* A new patient's first window: the onboarding, which an enrolled
 * wallet's window does not build. */
static void
test_atspi_onboarding (void)
{
  g_autofree char *dir = node_test_make_tmpdir ();

  walk_app (dir, "onboarding");
  node_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  engine_test_start_keyring ();
  g_test_init (&argc, &argv, NULL);
  if (!g_spawn_command_line_sync ("/usr/bin/python3 -c 'import pyatspi'", NULL, NULL, &status,
                                  NULL) || !g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("python3-pyatspi is not installed (tools/deps.sh installs it)");
      return g_test_run ();
    }

  g_test_add ("/ui/atspi/walk-and-revoke", EngineFixture, NULL, engine_fixture_setup,
              test_atspi_walk, engine_fixture_teardown);
  g_test_add_func ("/ui/atspi/onboarding", test_atspi_onboarding);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
