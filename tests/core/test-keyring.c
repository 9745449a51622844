/* test-keyring.c: CwKeyring against a real gnome-keyring-daemon on a private
 * session bus that this process starts and stops (shared/TESTING.md), and
 * against a bus with no Secret Service at all.
 *
 * Fails when no bus or keyring can be started, unless CW_ALLOW_NO_KEYRING=1.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-keyring.h"

#define BUS_CONFIG \
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n" \
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n" \
  "<busconfig>\n" \
  "  <type>session</type>\n" \
  "  <listen>unix:dir=%s</listen>\n" \
  "  <auth>EXTERNAL</auth>\n" \
  "  <policy context=\"default\">\n" \
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n" \
  "    <allow eavesdrop=\"true\"/>\n" \
  "    <allow own=\"*\"/>\n" \
  "  </policy>\n" \
  "</busconfig>\n"

/* What main() started; torn down at exit. */
static struct {
  char *home;
  char *keyring_bus;
  char *empty_bus;
  GSubprocess *buses[2];
  guint32 keyring_pid;
  char *setup_error;
} env;

static const SecretSchema raw_schema = {
  CW_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
  { { "patient", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "fingerprint", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 } },
};

/* The bus dies with this process, even when an assertion aborts it; the
 * keyring daemon then exits with its bus. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts a private bus with no activatable services. */
static gboolean
start_bus (guint    index,
           char   **address,
           GError **error)
{
  g_autofree char *config_path = g_strdup_printf ("%s/bus-%u.conf", env.home, index);
  g_autofree char *config = g_strdup_printf (BUS_CONFIG, env.home);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;

  if (!g_file_set_contents (config_path, config, -1, error))
    return FALSE;
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  env.buses[index] = g_subprocess_launcher_spawn (launcher, error, "dbus-daemon", "--nofork",
                                                  "--config-file", config_path,
                                                  "--print-address=1", NULL);
  if (env.buses[index] == NULL)
    return FALSE;

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (env.buses[index]));
  *address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (*address == NULL || !g_str_has_prefix (*address, "unix:"))
    {
      g_clear_pointer (address, g_free);
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "dbus-daemon printed no address");
      return FALSE;
    }

  return TRUE;
}

static gboolean
start_keyring (GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *out = NULL;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", env.keyring_bus, TRUE);
  /* The test's own debug settings (fatal-warnings) are not the daemon's. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_PERTURB_");
  proc = g_subprocess_launcher_spawn (launcher, error, "gnome-keyring-daemon", "--unlock",
                                      "--components=secrets", NULL);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, "test-password", NULL, &out, NULL, error))
    return FALSE;

  /* Wait for the service to own its name, and learn its PID to stop it. */
  bus = g_dbus_connection_new_for_address_sync (env.keyring_bus,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, error);
  if (bus == NULL)
    return FALSE;
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                     g_variant_new ("(s)", "org.freedesktop.secrets"),
                                     G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);

      if (reply != NULL)
        {
          g_variant_get (reply, "(u)", &env.keyring_pid);
          return g_dbus_connection_close_sync (bus, NULL, error);
        }
      g_usleep (50 * 1000);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "gnome-keyring-daemon did not appear on the bus (it printed: %s)", out);
  return FALSE;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

static gboolean
set_up_environment (GError **error)
{
  g_autofree char *runtime = NULL;

  env.home = g_dir_make_tmp ("cw-keyring-XXXXXX", error);
  if (env.home == NULL)
    return FALSE;
  runtime = g_build_filename (env.home, "run", NULL);
  g_mkdir (runtime, 0700);

  g_setenv ("HOME", env.home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_DATA_HOME", env.home, TRUE);
  g_unsetenv ("DISPLAY");

  if (!start_bus (0, &env.keyring_bus, error) || !start_bus (1, &env.empty_bus, error) ||
      !start_keyring (error))
    return FALSE;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", env.keyring_bus, TRUE);
  g_setenv ("CW_TEST_EMPTY_BUS", env.empty_bus, TRUE);
  return TRUE;
}

static void
tear_down_environment (void)
{
  if (env.keyring_pid != 0)
    kill ((pid_t) env.keyring_pid, SIGTERM);
  for (guint i = 0; i < G_N_ELEMENTS (env.buses); i++)
    if (env.buses[i] != NULL)
      {
        g_subprocess_send_signal (env.buses[i], SIGTERM);
        g_subprocess_wait (env.buses[i], NULL, NULL);
        g_clear_object (&env.buses[i]);
      }
  if (env.home != NULL)
    remove_tree (env.home);
  g_clear_pointer (&env.home, g_free);
}

/* Async helpers. */

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static gboolean
store (CwKeyring     *keyring,
       const char    *patient,
       CwSigningKey  *key,
       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_keyring_store_async (keyring, patient, key, NULL, done_cb, &result);
  return cw_keyring_store_finish (keyring, wait_for (&result), error);
}

static CwSigningKey *
lookup (CwKeyring     *keyring,
        const char    *patient,
        const guint8  *public_key,
        GCancellable  *cancellable,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_keyring_lookup_async (keyring, patient, public_key, "patient", cancellable, done_cb, &result);
  return cw_keyring_lookup_finish (keyring, wait_for (&result), error);
}

static gboolean
clear (CwKeyring     *keyring,
       const char    *patient,
       const guint8  *public_key,
       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_keyring_clear_async (keyring, patient, public_key, NULL, done_cb, &result);
  return cw_keyring_clear_finish (keyring, wait_for (&result), error);
}

static char *
new_patient_id (void)
{
  guint8 id[CW_PUBLIC_KEY_SIZE];

  randombytes_buf (id, sizeof id);
  return cw_base64_encode (id, sizeof id);
}

static gboolean
check_environment (void)
{
  if (env.setup_error == NULL)
    return TRUE;

  if (g_strcmp0 (g_getenv ("CW_ALLOW_NO_KEYRING"), "1") == 0)
    g_test_skip_printf ("no keyring: %s", env.setup_error);
  else
    g_test_fail_printf ("no session bus or gnome-keyring could be started (%s); "
                        "install dbus-daemon and gnome-keyring, or set CW_ALLOW_NO_KEYRING=1",
                        env.setup_error);
  return FALSE;
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(CwSigningKey) key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(CwSigningKey) found = NULL;
  g_autoptr(CwSigningKey) any = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *patient = new_patient_id ();
  g_autofree char *fingerprint = NULL;
  g_autofree char *seed_b64 = NULL;
  g_autofree char *raw = NULL;

  if (!check_environment ())
    return;

  g_assert_true (store (keyring, patient, key, &error));
  g_assert_no_error (error);
  /* Storing again replaces the item rather than adding one. */
  g_assert_true (store (keyring, patient, key, &error));
  g_assert_no_error (error);

  found = lookup (keyring, patient, cw_signing_key_get_public_key (key), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (cw_signing_key_peek_seed (found), CW_SEED_SIZE, cw_signing_key_peek_seed (key), CW_SEED_SIZE);
  g_assert_cmpstr (cw_signing_key_get_name (found), ==, "patient");
  any = lookup (keyring, patient, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (cw_signing_key_get_public_key (any), CW_PUBLIC_KEY_SIZE,
                   cw_signing_key_get_public_key (key), CW_PUBLIC_KEY_SIZE);

  /* What is in the keyring: the seed as base64, under our attributes. */
  fingerprint = cw_key_fingerprint (cw_signing_key_get_public_key (key));
  seed_b64 = cw_base64_encode (cw_signing_key_peek_seed (key), CW_SEED_SIZE);
  raw = secret_password_lookup_sync (&raw_schema, NULL, &error, "patient", patient,
                                     "fingerprint", fingerprint, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (raw, ==, seed_b64);

  g_assert_true (clear (keyring, patient, cw_signing_key_get_public_key (key), &error));
  g_assert_no_error (error);
  g_assert_null (lookup (keyring, patient, NULL, NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NOT_FOUND);
}

static void
test_not_found (void)
{
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(CwSigningKey) key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(CwSigningKey) other = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *patient = new_patient_id ();
  g_autofree char *stranger = new_patient_id ();

  if (!check_environment ())
    return;

  g_assert_null (lookup (keyring, stranger, NULL, NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (clear (keyring, stranger, NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The patient's item exists, but for another key. */
  g_assert_true (store (keyring, patient, key, &error));
  g_assert_null (lookup (keyring, patient, cw_signing_key_get_public_key (other), NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (clear (keyring, patient, NULL, &error));
  g_assert_no_error (error);
}

static void
test_invalid_item (void)
{
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(CwSigningKey) key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(CwSigningKey) other = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *patient = new_patient_id ();
  g_autofree char *fingerprint = NULL;
  g_autofree char *other_seed = NULL;

  if (!check_environment ())
    return;

  /* Not base64 of 32 bytes. */
  fingerprint = cw_key_fingerprint (cw_signing_key_get_public_key (key));
  g_assert_true (secret_password_store_sync (&raw_schema, NULL, "junk", "not a seed", NULL, &error,
                                             "patient", patient, "fingerprint", fingerprint, NULL));
  g_assert_null (lookup (keyring, patient, cw_signing_key_get_public_key (key), NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_INVALID);
  g_clear_error (&error);

  /* A valid seed, but of another key than the item claims. */
  other_seed = cw_base64_encode (cw_signing_key_peek_seed (other), CW_SEED_SIZE);
  g_assert_true (secret_password_store_sync (&raw_schema, NULL, "swapped", other_seed, NULL, &error,
                                             "patient", patient, "fingerprint", fingerprint, NULL));
  g_assert_null (lookup (keyring, patient, cw_signing_key_get_public_key (key), NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (clear (keyring, patient, NULL, &error));
}

static void
test_cancelled (void)
{
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *patient = new_patient_id ();

  if (!check_environment ())
    return;

  g_cancellable_cancel (cancellable);
  g_assert_null (lookup (keyring, patient, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Runs in a child process, so that its D-Bus and libsecret singletons
 * connect to @address instead of the keyring's bus. */
static void
check_no_service (const char *address)
{
  g_autoptr(CwKeyring) keyring = NULL;
  g_autoptr(CwSigningKey) key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *patient = new_patient_id ();

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  keyring = cw_keyring_new (NULL);

  g_assert_false (store (keyring, patient, key, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NO_SERVICE);
  g_assert_nonnull (strstr (error->message, "No keyring service"));
  g_clear_error (&error);
  g_assert_null (lookup (keyring, patient, NULL, NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NO_SERVICE);
  g_clear_error (&error);
  g_assert_false (clear (keyring, patient, NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_NO_SERVICE);
}

static void
test_no_service (void)
{
  if (g_test_subprocess ())
    {
      check_no_service (g_getenv ("CW_TEST_EMPTY_BUS"));
      return;
    }
  if (!check_environment ())
    return;

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_no_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-bus", g_getenv ("HOME"));

      check_no_service (address);
      return;
    }
  if (!check_environment ())
    return;

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Last, since nothing can unlock the collection again without a prompter. */
static void
test_locked (void)
{
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(CwSigningKey) key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *patient = new_patient_id ();
  GList *objects;

  if (!check_environment ())
    return;

  g_assert_true (store (keyring, patient, key, &error));
  g_assert_no_error (error);

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  objects = g_list_append (NULL, collection);
  secret_service_lock_sync (service, objects, NULL, NULL, &error);
  g_list_free (objects);
  g_assert_no_error (error);

  /* No prompter can run on this bus: the unlock is refused. */
  g_assert_null (lookup (keyring, patient, cw_signing_key_get_public_key (key), NULL, &error));
  g_assert_error (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "locked"));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);

  if (!g_test_subprocess ())
    {
      if (!set_up_environment (&error))
        env.setup_error = g_strdup (error->message);
      else
        {
          /* The bus goes away at the end; that must not end this process. */
          g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

          if (bus != NULL)
            g_dbus_connection_set_exit_on_close (bus, FALSE);
        }
    }

  g_test_add_func ("/keyring/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/keyring/not-found", test_not_found);
  g_test_add_func ("/keyring/invalid-item", test_invalid_item);
  g_test_add_func ("/keyring/cancelled", test_cancelled);
  g_test_add_func ("/keyring/no-service", test_no_service);
  g_test_add_func ("/keyring/no-bus", test_no_bus);
  g_test_add_func ("/keyring/locked", test_locked);

  status = g_test_run ();

  if (!g_test_subprocess ())
    {
      secret_service_disconnect ();
      tear_down_environment ();
    }

  return status;
}
