/* cw-witness-admin.c: the `consent-node witness` commands: running a
 * c2sp.org/tlog-witness witness (init, add-log, serve, status) and
 * configuring a node's witnesses (node-add); `sign-set` lives in
 * cw-node-witness-set.c. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-node-admin.h"
#include "cw-node-cli.h"
#include "cw-node-config.h"
#include "cw-node-data-dir.h"
#include "cw-node-tls.h"
#include "cw-node-witness-set.h"
#include "cw-witness-admin.h"
#include "cw-witness-dir.h"
#include "cw-witness-pool.h"
#include "cw-witness-server.h"

#define NODE_GROUP_WITNESSES "witnesses"

static gboolean
parse_options (GOptionContext     *context,
               const char         *summary,
               const GOptionEntry *entries,
               const char         *prog,
               int                *argc,
               char             ***argv,
               int                *out_status)
{
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);

  return cw_node_cli_parse (context, prog, argc, argv, out_status);
}

static CwWitnessDir *
open_witness_dir (const char *prog,
                  const char *dir,
                  int        *out_status)
{
  g_autoptr(GError) error = NULL;
  CwWitnessDir *witness_dir;

  if (dir == NULL)
    {
      *out_status = cw_node_cli_usage_error (prog, "--dir is required");
      return NULL;
    }

  witness_dir = cw_witness_dir_open (dir, &error);
  if (witness_dir == NULL)
    *out_status = cw_node_cli_fail (prog, error);

  return witness_dir;
}

/* init ------------------------------------------------------------------ */

static int
cmd_init (const char  *prog,
          int          argc,
          char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *listen = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Witness directory to create", "DIR" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name,
      "Witness name, also its key's name (e.g. witness.example.org)", "NAME" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address to serve on (default " CW_WITNESS_CONFIG_DEFAULT_LISTEN ")", "ADDRESS:PORT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwWitnessDir) witness_dir = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *pin = NULL;
  int status;

  if (!parse_options (context,
                      "Creates a witness directory: cosignature key, TLS certificate, "
                      "configuration and database.",
                      entries, prog, &argc, &argv, &status))
    return status;

  if (dir == NULL)
    return cw_node_cli_usage_error (prog, "--dir is required");
  if (name == NULL)
    return cw_node_cli_usage_error (prog, "--name is required");

  witness_dir = cw_witness_dir_create (dir, name, listen, &error);
  if (witness_dir == NULL)
    return cw_node_cli_fail (prog, error);

  key = cw_witness_dir_load_key (witness_dir, &error);
  pin = key != NULL ? cw_witness_dir_compute_pin (witness_dir, &error) : NULL;
  if (pin == NULL)
    return cw_node_cli_fail (prog, error);
  verifier = cw_verifier_key_to_string (cw_signing_key_get_verifier (key));

  g_print ("directory: %s\n", cw_witness_dir_get_path (witness_dir));
  g_print ("name: %s\n", name);
  g_print ("verifier-key: %s\n", verifier);
  g_print ("tls-pin: %s\n", pin);
  g_print ("listen: %s\n", cw_witness_config_get_listen (cw_witness_dir_get_config (witness_dir)));

  return CW_NODE_EXIT_OK;
}

/* add-log --------------------------------------------------------------- */

static int
cmd_add_log (const char  *prog,
             int          argc,
             char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *key_text = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Witness directory", "DIR" },
    { "origin", 'o', 0, G_OPTION_ARG_STRING, &origin, "The log's origin", "ORIGIN" },
    { "key", 'k', 0, G_OPTION_ARG_STRING, &key_text,
      "The log's verifier key, as `consent-node init` printed it", "VERIFIERKEY" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwWitnessDir) witness_dir = NULL;
  g_autoptr(CwVerifierKey) key = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_options (context,
                      "Adds a log to witness. Its first checkpoint is trusted as it comes; "
                      "every later one must be consistent with it.",
                      entries, prog, &argc, &argv, &status))
    return status;

  if (dir == NULL || origin == NULL || key_text == NULL)
    return cw_node_cli_usage_error (prog, "--dir, --origin and --key are required");

  key = cw_verifier_key_new_from_string (key_text, &error);
  if (key == NULL)
    return cw_node_cli_fail (prog, error);
  if (cw_verifier_key_get_key_type (key) != CW_KEY_TYPE_ED25519 ||
      g_strcmp0 (cw_verifier_key_get_name (key), origin) != 0)
    {
      g_printerr ("%s: --key must be an Ed25519 log key named like the origin “%s”\n",
                  prog, origin);
      return CW_NODE_EXIT_FAILURE;
    }

  witness_dir = open_witness_dir (prog, dir, &status);
  if (witness_dir == NULL)
    return status;

  if (!cw_witness_store_add_log (cw_witness_dir_get_store (witness_dir), origin, key,
                                 g_get_real_time () / G_USEC_PER_SEC, &error))
    return cw_node_cli_fail (prog, error);

  g_print ("added: %s\n", origin);

  return CW_NODE_EXIT_OK;
}

/* serve ----------------------------------------------------------------- */

static int
cmd_serve (const char  *prog,
           int          argc,
           char       **argv)
{
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Witness directory", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwWitnessDir) witness_dir = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(CwWitnessServer) server = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *url = NULL;
  CwWitnessConfig *config;
  guint term_id;
  guint int_id;
  int status;

  if (!parse_options (context,
                      "Serves c2sp.org/tlog-witness add-checkpoint over HTTPS until SIGTERM "
                      "or SIGINT.",
                      entries, prog, &argc, &argv, &status))
    return status;

  witness_dir = open_witness_dir (prog, dir, &status);
  if (witness_dir == NULL)
    return status;
  config = cw_witness_dir_get_config (witness_dir);

  key = cw_witness_dir_load_key (witness_dir, &error);
  if (key == NULL)
    return cw_node_cli_fail (prog, error);

  logs = cw_witness_store_list_logs (cw_witness_dir_get_store (witness_dir), &error);
  if (logs == NULL)
    return cw_node_cli_fail (prog, error);

  cert_path = cw_witness_config_get_tls_cert_path (config);
  key_path = cw_witness_config_get_tls_key_path (config);
  certificate = cw_node_tls_load (cert_path, key_path, &error);
  if (certificate == NULL)
    return cw_node_cli_fail (prog, error);

  server = cw_witness_server_new (config, cw_witness_dir_get_store (witness_dir), key,
                                  certificate);
  if (!cw_witness_server_start (server, &error))
    return cw_node_cli_fail (prog, error);

  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, cw_node_cli_quit_signal_cb, loop);
  int_id = g_unix_signal_add (SIGINT, cw_node_cli_quit_signal_cb, loop);

  url = cw_witness_server_dup_url (server);
  g_print ("listening on %s\n", url);
  fflush (stdout);
  g_printerr ("%s: witness %s for %u log(s)\n",
              prog, cw_witness_config_get_name (config), logs->len);

  g_main_loop_run (loop);

  g_source_remove (term_id);
  g_source_remove (int_id);
  cw_witness_server_shutdown (server);
  g_printerr ("%s: stopped\n", prog);

  return CW_NODE_EXIT_OK;
}

/* status ---------------------------------------------------------------- */

static int
cmd_status (const char  *prog,
            int          argc,
            char       **argv)
{
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Witness directory", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwWitnessDir) witness_dir = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *pin = NULL;
  CwWitnessStore *store;
  guint64 n_evidence = 0;
  int status;

  if (!parse_options (context, "Shows the witness's identity and the logs it witnesses.",
                      entries, prog, &argc, &argv, &status))
    return status;

  witness_dir = open_witness_dir (prog, dir, &status);
  if (witness_dir == NULL)
    return status;
  store = cw_witness_dir_get_store (witness_dir);

  key = cw_witness_dir_load_key (witness_dir, &error);
  pin = key != NULL ? cw_witness_dir_compute_pin (witness_dir, &error) : NULL;
  logs = pin != NULL ? cw_witness_store_list_logs (store, &error) : NULL;
  if (logs == NULL || !cw_witness_store_count_evidence (store, &n_evidence, &error))
    return cw_node_cli_fail (prog, error);
  verifier = cw_verifier_key_to_string (cw_signing_key_get_verifier (key));

  g_print ("name: %s\n", cw_witness_config_get_name (cw_witness_dir_get_config (witness_dir)));
  g_print ("verifier-key: %s\n", verifier);
  g_print ("tls-pin: %s\n", pin);
  g_print ("listen: %s\n", cw_witness_config_get_listen (cw_witness_dir_get_config (witness_dir)));
  g_print ("logs: %u\n", logs->len);
  g_print ("evidence: %" G_GUINT64_FORMAT "\n", n_evidence);
  for (guint i = 0; i < logs->len; i++)
    {
      CwWitnessLog *log = g_ptr_array_index (logs, i);
      g_autofree char *root = cw_base64_encode (log->root, sizeof log->root);

      /* One line per log: origin, size and root last cosigned. */
      g_print ("log: %s %" G_GUINT64_FORMAT " %s\n", log->origin, log->size, root);
    }

  return CW_NODE_EXIT_OK;
}

/* node-add -------------------------------------------------------------- */

/* Writes @key_file to @path atomically (mode 0600), after checking that
 * the node accepts it. */
static gboolean
replace_node_config (GKeyFile    *key_file,
                     const char  *path,
                     const char  *base_dir,
                     GError     **error)
{
  g_autoptr(CwNodeConfig) config = NULL;
  g_autoptr(CwWitnessPool) pool = NULL;
  g_autoptr(CwVerifierKey) placeholder = NULL;
  g_autofree char *tmp_path = g_strconcat (path, ".new", NULL);
  g_autofree char *data = NULL;
  static const guint8 zero[CW_PUBLIC_KEY_SIZE] = { 0 };
  gsize len = 0;

  data = g_key_file_to_data (key_file, &len, NULL);
  if (!g_file_set_contents_full (tmp_path, data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;

  config = cw_node_config_load (tmp_path, base_dir, error);
  placeholder = cw_verifier_key_new ("check", CW_KEY_TYPE_ED25519, zero, NULL);
  pool = config != NULL ? cw_witness_pool_new_from_config (config, placeholder, error) : NULL;
  if (pool == NULL || g_rename (tmp_path, path) != 0)
    {
      if (pool != NULL)
        g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_IO,
                     "Could not replace “%s”", path);
      g_unlink (tmp_path);
      return FALSE;
    }

  return TRUE;
}

static int
cmd_node_add (const char  *prog,
              int          argc,
              char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *key = NULL;
  int quorum = -1;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "The node's data directory", "DIR" },
    { "url", 'u', 0, G_OPTION_ARG_STRING, &url,
      "The witness's https URL (without /witness/add-checkpoint)", "URL" },
    { "pin", 'p', 0, G_OPTION_ARG_STRING, &pin,
      "The witness's TLS pin, as `consent-node witness init` printed it", "PIN" },
    { "key", 'k', 0, G_OPTION_ARG_STRING, &key, "The witness's verifier key", "VERIFIERKEY" },
    { "quorum", 'q', 0, G_OPTION_ARG_INT, &quorum,
      "Also set the number of cosignatures required per checkpoint", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *abs_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *entry = NULL;
  g_auto(GStrv) witnesses = NULL;
  int status;

  if (!parse_options (context,
                      "Adds a witness to a node's configuration; the node pushes every new "
                      "checkpoint to it from its next start.",
                      entries, prog, &argc, &argv, &status))
    return status;

  if (dir == NULL || url == NULL || pin == NULL || key == NULL)
    return cw_node_cli_usage_error (prog, "--dir, --url, --pin and --key are required");
  if (quorum < -1 || quorum > 64)
    return cw_node_cli_usage_error (prog, "--quorum must be from 0 to 64");

  entry = cw_witness_pool_format_entry (url, pin, key, &error);
  if (entry == NULL)
    return cw_node_cli_fail (prog, error);

  abs_dir = g_canonicalize_filename (dir, NULL);
  path = g_build_filename (abs_dir, CW_NODE_DATA_DIR_CONFIG_FILE, NULL);
  if (!g_key_file_load_from_file (key_file, path,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &error))
    return cw_node_cli_fail (prog, error);

  witnesses = g_key_file_get_string_list (key_file, NODE_GROUP_WITNESSES, "witnesses", NULL, NULL);
  for (guint i = 0; witnesses != NULL && witnesses[i] != NULL; i++)
    g_ptr_array_add (list, witnesses[i]);
  g_ptr_array_add (list, entry);

  g_key_file_set_string_list (key_file, NODE_GROUP_WITNESSES, "witnesses",
                              (const char * const *) list->pdata, list->len);
  if (quorum >= 0)
    g_key_file_set_uint64 (key_file, NODE_GROUP_WITNESSES, "quorum", (guint64) quorum);

  if (!replace_node_config (key_file, path, abs_dir, &error))
    return cw_node_cli_fail (prog, error);

  g_print ("witnesses: %u\n", list->len);
  g_print ("quorum: %" G_GUINT64_FORMAT "\n",
           g_key_file_get_uint64 (key_file, NODE_GROUP_WITNESSES, "quorum", NULL));

  return CW_NODE_EXIT_OK;
}

/* dispatch -------------------------------------------------------------- */

static const CwNodeCliCommand commands[] = {
  { "init", cmd_init, "Create a witness directory" },
  { "add-log", cmd_add_log, "Witness one more log" },
  { "serve", cmd_serve, "Serve as a witness over HTTPS" },
  { "status", cmd_status, "Show the witness and the logs it witnesses" },
  { "node-add", cmd_node_add, "Add a witness to a node's configuration" },
  { "sign-set", cw_witness_admin_sign_set, "Sign a proposed witness set" },
};

int
cw_witness_admin_main (const char  *prog,
                       int          argc,
                       char       **argv)
{
  return cw_node_cli_run (prog, commands, G_N_ELEMENTS (commands), argc, argv);
}
