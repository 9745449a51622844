/* cli-test-util.c: helpers for the consent-wallet-cli tests (see the
 * header): devices with a real gnome-keyring on a private bus, running the
 * CLI binary, and a consent-node to enroll with. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>

#include "cli-test-util.h"
#include "cw-recovery-code.h"
#include "cw-key.h"
#include "cw-tls-pin.h"

#define BUS_CONFIG \
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n" \
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n" \
  "<busconfig><type>session</type><listen>unix:dir=%s</listen><auth>EXTERNAL</auth>\n" \
  "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\n" \
  "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n"

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* The device's environment on @launcher. */
static void
set_device_env (GSubprocessLauncher *launcher,
                CliDevice           *device)
{
  g_autofree char *runtime = g_build_filename (device->home, "run", NULL);
  g_autofree char *data = g_build_filename (device->home, ".local", "share", NULL);
  g_autofree char *config = g_build_filename (device->home, ".config", NULL);
  g_autofree char *cache = g_build_filename (device->home, ".cache", NULL);

  g_subprocess_launcher_setenv (launcher, "HOME", device->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  if (device->address != NULL)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", device->address, TRUE);
}

void
cli_device_start (CliDevice *device)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *runtime = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDBusConnection) bus = NULL;

  memset (device, 0, sizeof *device);
  device->home = g_dir_make_tmp ("cw-cli-XXXXXX", &error);
  g_assert_no_error (error);
  runtime = g_build_filename (device->home, "run", NULL);
  g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);

  config_path = g_build_filename (device->home, "bus.conf", NULL);
  config = g_strdup_printf (BUS_CONFIG, runtime);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  device->bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                             "--config-file", config_path, "--print-address=1",
                                             NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (device->bus));
  device->address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device->address);

  g_clear_object (&launcher);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  set_device_env (launcher, device);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--unlock",
                                        "--components=secrets", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (daemon, "test-password", NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  bus = g_dbus_connection_new_for_address_sync (device->address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 400 && device->keyring_pid == 0; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                     g_variant_new ("(s)", "org.freedesktop.secrets"),
                                     G_VARIANT_TYPE ("(u)"), 0, -1, NULL, NULL);

      if (reply != NULL)
        g_variant_get (reply, "(u)", &device->keyring_pid);
      else
        g_usleep (50 * 1000);
    }
  g_assert_cmpuint (device->keyring_pid, !=, 0);
  g_dbus_connection_close_sync (bus, NULL, NULL);
}

void
cli_device_stop (CliDevice *device)
{
  if (device->keyring_pid != 0)
    kill ((pid_t) device->keyring_pid, SIGTERM);
  device->keyring_pid = 0;
  if (device->bus != NULL)
    {
      g_subprocess_send_signal (device->bus, SIGTERM);
      g_subprocess_wait (device->bus, NULL, NULL);
      g_clear_object (&device->bus);
    }
  if (device->home != NULL)
    node_test_remove_tree (device->home);
  g_clear_pointer (&device->home, g_free);
  g_clear_pointer (&device->address, g_free);
}

void
cli_run_free (CliRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

static GPtrArray *
build_argv (const char          *data_dir,
            const char * const  *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) CW_CLI_BINARY);
  if (data_dir != NULL)
    {
      g_ptr_array_add (argv, (char *) "--data-dir");
      g_ptr_array_add (argv, (char *) data_dir);
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

CliRun *
cli_runv (CliDevice          *device,
          const char         *data_dir,
          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = build_argv (data_dir, args);
  g_autoptr(GError) error = NULL;
  CliRun *run = g_new0 (CliRun, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  set_device_env (launcher, device);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  if (run->err != NULL && run->err[0] != '\0')
    g_test_message ("%s %s: exit %d, stderr: %s", args[0], args[1] != NULL ? args[1] : "",
                    run->status, run->err);
  return run;
}

guint
cli_device_count_keys (CliDevice  *device,
                       const char *patient_id)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  set_device_env (launcher, device);
  process = g_subprocess_launcher_spawn (launcher, &error, "secret-tool", "search", "--all",
                                         "patient", patient_id, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  /* One "[/org/freedesktop/secrets/collection/...]" line per item; an
   * empty search exits 1. */
  lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "[/"))
        n++;
      sodium_memzero (lines[i], strlen (lines[i]));
    }
  if (out != NULL)
    sodium_memzero (out, strlen (out));
  return n;
}

CliRun *
cli_run (CliDevice  *device,
         const char *data_dir,
         const char *first_arg,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return cli_runv (device, data_dir, (const char * const *) args->pdata);
}

GSubprocess *
cli_spawnv (CliDevice          *device,
            const char         *data_dir,
            const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = build_argv (data_dir, args);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  set_device_env (launcher, device);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

JsonNode *
cli_run_json (CliRun *run,
              int     status)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (run->status != status)
    g_test_message ("stdout: %s\nstderr: %s", run->out, run->err);
  g_assert_cmpint (run->status, ==, status);
  json_parser_load_from_data (parser, run->out, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

void
cli_node_setup (CliNode *node)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;

  memset (node, 0, sizeof *node);
  tx_node_setup (&node->node);
  tx_node_start (&node->node);
  cert = g_tls_certificate_new_from_file (node->node.cert_path, &error);
  g_assert_no_error (error);
  node->pin = cw_tls_pin_for_certificate (cert, &error);
  g_assert_no_error (error);
  node->log_key = cw_verifier_key_to_string (node->node.log_key);
}

void
cli_node_teardown (CliNode *node)
{
  tx_node_teardown (&node->node);
  g_clear_pointer (&node->pin, g_free);
  g_clear_pointer (&node->log_key, g_free);
}

void
cli_node_keep_port (CliNode *node)
{
  const char *url = node->node.server->url;
  const char *host = strstr (url, "127.0.0.1:");
  g_autofree char *listen = NULL;

  g_assert_nonnull (host);
  listen = g_strndup (host, strcspn (host, "/"));
  tx_node_set_config (&node->node, "node", "listen", listen);
}

char *
cli_enroll (CliNode    *node,
            CliDevice  *device,
            const char *data_dir)
{
  g_autofree char *code = tx_node_invite (&node->node, "gp-one");
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;

  run = cli_run (device, data_dir, "--json", "enroll", "--node", node->node.server->url,
                 "--pin", node->pin, "--log-key", node->log_key, "--clinic", "gp-one",
                 "--code", code, NULL);
  answer = cli_run_json (run, 0);
  object = json_node_get_object (answer);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "recovery_code")), ==,
                    CW_RECOVERY_CODE_LENGTH);
  return g_strdup (json_object_get_string_member (object, "patient_id"));
}
