/* cw-node-admin.c: the consent-node command line: init, serve, provider,
 * invite, status, witness and witness-set. Each subcommand has its own GOptionContext
 * and --help. */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-node-admin.h"
#include "cw-node-cli.h"
#include "cw-node-data-dir.h"
#include "cw-node-directory.h"
#include "cw-node-invite.h"
#include "cw-node-log.h"
#include "cw-node-log-writer.h"
#include "cw-node-secret-file.h"
#include "cw-node-server.h"
#include "cw-node-tls.h"
#include "cw-node-witness-set.h"
#include "cw-witness-admin.h"
#include "cw-witness-pool.h"

static CwNodeDataDir *
open_data_dir (const char  *prog,
               const char  *dir,
               int         *out_status)
{
  g_autoptr(GError) error = NULL;
  CwNodeDataDir *data_dir;

  if (dir == NULL)
    {
      *out_status = cw_node_cli_usage_error (prog, "--dir is required");
      return NULL;
    }

  data_dir = cw_node_data_dir_open (dir, &error);
  if (data_dir == NULL)
    *out_status = cw_node_cli_fail (prog, error);

  return data_dir;
}

static char *
dup_verifier_key_string (CwSigningKey *key)
{
  /* The verifier is owned by the signing key. */
  return cw_verifier_key_to_string (cw_signing_key_get_verifier (key));
}

/* init ------------------------------------------------------------------ */

static int
cmd_init (const char  *prog,
          int          argc,
          char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Data directory to create", "DIR" },
    { "origin", 'o', 0, G_OPTION_ARG_STRING, &origin,
      "Log origin, also the log key's name (e.g. consent.example.org/log)", "NAME" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address to serve on (default " CW_NODE_CONFIG_DEFAULT_LISTEN ")", "ADDRESS:PORT" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert,
      "Use this PEM certificate instead of a self-signed one", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Private key of --cert (PEM)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *pin = NULL;
  int status;

  g_option_context_set_summary (context,
                                "Creates a node data directory: log signer key, TLS "
                                "certificate, configuration and database.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;

  if (dir == NULL)
    return cw_node_cli_usage_error (prog, "--dir is required");
  if (origin == NULL)
    return cw_node_cli_usage_error (prog, "--origin is required");
  if ((cert == NULL) != (key == NULL))
    return cw_node_cli_usage_error (prog, "--cert and --key go together");

  data_dir = cw_node_data_dir_create (dir, origin, listen, cert, key, &error);
  if (data_dir == NULL)
    return cw_node_cli_fail (prog, error);

  log_key = cw_node_data_dir_load_log_key (data_dir, &error);
  pin = log_key != NULL ? cw_node_data_dir_compute_tls_pin (data_dir, &error) : NULL;
  if (pin == NULL)
    return cw_node_cli_fail (prog, error);
  verifier = dup_verifier_key_string (log_key);

  g_print ("directory: %s\n", cw_node_data_dir_get_path (data_dir));
  g_print ("origin: %s\n", origin);
  g_print ("verifier-key: %s\n", verifier);
  g_print ("tls-pin: %s\n", pin);
  g_print ("listen: %s\n", cw_node_config_get_listen (cw_node_data_dir_get_config (data_dir)));

  return CW_NODE_EXIT_OK;
}

/* serve ----------------------------------------------------------------- */

/* The sequencer's cosign step: pushes each new checkpoint to the
 * configured witnesses and stores the cosignatures that come back. It runs
 * on the sequencer thread only, with a store handle of its own. */
typedef struct
{
  CwWitnessPool *pool;
  CwNodeStore *store;
  guint quorum;
  CwNodeConfig *config;
  CwVerifierKey *log_key;
  char *set_stamp;   /* of the published witness set the pool was made for */
} Cosigner;

static void
cosigner_free (Cosigner *cosigner)
{
  g_clear_object (&cosigner->pool);
  g_clear_object (&cosigner->store);
  g_clear_object (&cosigner->config);
  g_clear_pointer (&cosigner->log_key, cw_verifier_key_unref);
  g_free (cosigner->set_stamp);
  g_free (cosigner);
}

/* Once a witness set was published, node.conf lists its witnesses: the
 * next checkpoint goes to them (cw-node-witness-set.c). */
static void
cosigner_follow_witness_set (Cosigner *cosigner)
{
  g_autofree char *stamp = cw_node_witness_set_dup_stamp (cosigner->config);
  g_autoptr(CwNodeConfig) config = NULL;
  g_autoptr(CwWitnessPool) pool = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (stamp, cosigner->set_stamp) == 0)
    return;
  config = cw_node_witness_set_reload_config (cosigner->config, &error);
  pool = config != NULL ? cw_witness_pool_new_from_config (config, cosigner->log_key, &error) : NULL;
  if (pool == NULL)
    {
      g_warning ("Switching to the published witness set: %s", error->message);
      return;
    }
  cw_witness_pool_set_timeout (pool, cw_node_config_get_witness_timeout_ms (config));
  g_message ("witness set published: now %u witnesses, quorum %u",
             cw_witness_pool_get_n_witnesses (pool), cw_node_config_get_witness_quorum (config));
  g_set_object (&cosigner->pool, pool);
  cosigner->quorum = cw_node_config_get_witness_quorum (config);
  g_free (cosigner->set_stamp);
  cosigner->set_stamp = g_steal_pointer (&stamp);
}

static GPtrArray *
cosign_proof_cb (guint64    old_size,
                 guint64    new_size,
                 gpointer   user_data,
                 GError   **error)
{
  CwNodeSequencer *sequencer = user_data;

  /* Called within the cosign step, so sizes up to the one being cosigned
   * are provable although not published yet. */
  return cw_node_sequencer_prove_consistency (sequencer, old_size, new_size, error);
}

static char *
cosign_cb (CwNodeSequencer *sequencer,
           guint64          size,
           const char      *checkpoint,
           gpointer         user_data)
{
  Cosigner *cosigner = user_data;
  g_autoptr(GPtrArray) cosignatures = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cosigned = NULL;

  cosigner_follow_witness_set (cosigner);
  cosigned = cw_witness_pool_cosign_sync (cosigner->pool, checkpoint, size, cosign_proof_cb,
                                          sequencer, NULL, &cosignatures, &error);
  if (cosigned == NULL)
    {
      g_warning ("Cosigning checkpoint %" G_GUINT64_FORMAT ": %s", size, error->message);
      return NULL;
    }

  /* A cosignature that could not be stored is still served until the next
   * checkpoint; it is lost only across a restart. */
  for (guint i = 0; i < cosignatures->len; i++)
    {
      CwWitnessCosignature *cosignature = g_ptr_array_index (cosignatures, i);

      if (!cw_node_store_add_cosignature (cosigner->store, size, cosignature->witness,
                                          cosignature->line, (gint64) cosignature->time, &error))
        {
          g_warning ("Storing the cosignature of %s: %s", cosignature->witness, error->message);
          g_clear_error (&error);
        }
    }

  if (cosignatures->len < cosigner->quorum)
    g_message ("checkpoint %" G_GUINT64_FORMAT ": %u of %u cosignatures, below the quorum of %u",
               size, cosignatures->len, cw_witness_pool_get_n_witnesses (cosigner->pool),
               cosigner->quorum);

  return g_steal_pointer (&cosigned);
}

/* Wires the configured witnesses, if any, into the sequencer. */
static gboolean
setup_witnesses (CwNodeSequencer  *sequencer,
                 CwNodeConfig     *config,
                 CwNodeStore      *store,
                 CwSigningKey     *log_key,
                 GError          **error)
{
  g_autoptr(CwWitnessPool) pool = NULL;
  g_autoptr(CwNodeStore) handle = NULL;
  Cosigner *cosigner;

  pool = cw_witness_pool_new_from_config (config, cw_signing_key_get_verifier (log_key), error);
  if (pool == NULL)
    return FALSE;
  if (cw_witness_pool_get_n_witnesses (pool) == 0)
    return TRUE;

  handle = cw_node_store_open_another (store, error);
  if (handle == NULL)
    return FALSE;

  cw_witness_pool_set_timeout (pool, cw_node_config_get_witness_timeout_ms (config));

  cosigner = g_new0 (Cosigner, 1);
  cosigner->pool = g_steal_pointer (&pool);
  cosigner->store = g_steal_pointer (&handle);
  cosigner->quorum = cw_node_config_get_witness_quorum (config);
  cosigner->config = g_object_ref (config);
  cosigner->log_key = cw_verifier_key_ref (cw_signing_key_get_verifier (log_key));
  cosigner->set_stamp = cw_node_witness_set_dup_stamp (config);
  cw_node_sequencer_set_cosign_func (sequencer, cosign_cb, cosigner,
                                     (GDestroyNotify) cosigner_free);

  return TRUE;
}

static int
cmd_serve (const char  *prog,
           int          argc,
           char       **argv)
{
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(CwNodeDirectory) directory = NULL;
  g_autoptr(CwNodeSequencer) sequencer = NULL;
  g_autoptr(CwNodeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *url = NULL;
  CwNodeConfig *config;
  CwNodeStore *store;
  guint64 size = 0;
  guint term_id;
  guint int_id;
  int status;

  g_option_context_set_summary (context,
                                "Serves the node API over HTTPS until SIGTERM or SIGINT.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;

  data_dir = open_data_dir (prog, dir, &status);
  if (data_dir == NULL)
    return status;

  config = cw_node_data_dir_get_config (data_dir);
  store = cw_node_data_dir_get_store (data_dir);

  log_key = cw_node_data_dir_load_log_key (data_dir, &error);
  if (log_key == NULL)
    return cw_node_cli_fail (prog, error);

  /* Checks the stored log and signs a head left unsigned by a crash. */
  sequencer = cw_node_sequencer_new (store, cw_node_config_get_origin (config), log_key,
                                     cw_node_config_get_batch_interval_ms (config),
                                     cw_node_config_get_batch_max_size (config), &error);
  if (sequencer == NULL)
    return cw_node_cli_fail (prog, error);
  g_free (cw_node_sequencer_dup_checkpoint (sequencer, &size));

  if (!setup_witnesses (sequencer, config, store, log_key, &error))
    return cw_node_cli_fail (prog, error);
  cw_node_sequencer_cosign_head (sequencer, cw_node_config_get_witness_quorum (config));

  cert_path = cw_node_config_get_tls_cert_path (config);
  key_path = cw_node_config_get_tls_key_path (config);
  certificate = cw_node_tls_load (cert_path, key_path, &error);
  if (certificate == NULL)
    return cw_node_cli_fail (prog, error);

  directory = cw_node_directory_new (store, cw_node_config_get_max_search_results (config));
  server = cw_node_server_new (config, store, directory, sequencer, certificate);

  if (!cw_node_server_start (server, &error))
    return cw_node_cli_fail (prog, error);
  cw_node_sequencer_start (sequencer);

  /* One line per request and per batch: written in bulk from here on. */
  cw_node_log_writer_install ();

  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, cw_node_cli_quit_signal_cb, loop);
  int_id = g_unix_signal_add (SIGINT, cw_node_cli_quit_signal_cb, loop);

  url = cw_node_server_dup_url (server);
  g_print ("listening on %s\n", url);
  g_printerr ("%s: log %s at size %" G_GUINT64_FORMAT ", %u witnesses\n",
              prog, cw_node_config_get_origin (config), size,
              g_strv_length ((char **) cw_node_config_get_witnesses (config)));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (term_id);
  g_source_remove (int_id);
  /* Every submission accepted so far is answered first (bounded by
   * [node] shutdown-timeout). */
  cw_node_server_shutdown (server);
  cw_node_sequencer_stop (sequencer);
  cw_node_log_writer_shutdown ();
  g_printerr ("%s: stopped\n", prog);

  return CW_NODE_EXIT_OK;
}

/* provider -------------------------------------------------------------- */

static gboolean
decode_public_key (const char  *text,
                   GBytes     **out_key,
                   GError     **error)
{
  guint8 key[CW_PUBLIC_KEY_SIZE];

  if (!cw_base64_decode_fixed (text, -1, key, sizeof key, NULL))
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_KEY,
                   "--public-key must be the base64 of a %d-byte Ed25519 public key",
                   CW_PUBLIC_KEY_SIZE);
      return FALSE;
    }

  *out_key = g_bytes_new (key, sizeof key);

  return TRUE;
}

static int
cmd_provider_add (const char  *prog,
                  int          argc,
                  char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *organization = NULL;
  g_autofree char *kind_text = NULL;
  g_autofree char *public_key_text = NULL;
  g_autofree char *generate_key = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id,
      "Provider ID: 1–64 of a–z, 0–9 and “-”", "ID" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name", "NAME" },
    { "organization", 0, 0, G_OPTION_ARG_STRING, &organization, "Organization", "ORG" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_text,
      "practice, hospital, lab, pharmacy, insurer or research", "KIND" },
    { "public-key", 0, 0, G_OPTION_ARG_STRING, &public_key_text,
      "The provider's Ed25519 public key, base64", "BASE64" },
    { "generate-key", 0, 0, G_OPTION_ARG_FILENAME, &generate_key,
      "Generate the provider's signer key into FILE (mode 0600)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwNodeDirectory) directory = NULL;
  g_autoptr(CwNodeProvider) provider = NULL;
  g_autoptr(CwSigningKey) signing_key = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL;
  CwNodeProviderKind kind;
  int status;

  g_option_context_set_summary (context, "Adds a provider to the directory.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;

  if (dir == NULL || id == NULL || name == NULL || organization == NULL || kind_text == NULL)
    return cw_node_cli_usage_error (prog, "--dir, --id, --name, --organization and --kind are required");
  if ((public_key_text == NULL) == (generate_key == NULL))
    return cw_node_cli_usage_error (prog, "Give exactly one of --public-key and --generate-key");
  if (!cw_node_provider_kind_from_string (kind_text, &kind))
    return cw_node_cli_usage_error (prog, "--kind must be one of practice, hospital, lab, pharmacy, "
                              "insurer, research");

  /* Everything is checked before the database is opened; a generated key
   * is only made once the rest is known to be valid. */
  if (public_key_text != NULL)
    {
      if (!decode_public_key (public_key_text, &public_key, &error))
        return cw_node_cli_fail (prog, error);
    }
  else
    {
      static const guint8 placeholder[CW_PUBLIC_KEY_SIZE] = { 0 };

      public_key = g_bytes_new_static (placeholder, sizeof placeholder);
    }

  provider = cw_node_provider_new (id, name, organization, kind, public_key, 0, &error);
  if (provider == NULL)
    return cw_node_cli_fail (prog, error);
  g_clear_object (&provider);

  if (generate_key != NULL)
    {
      signing_key = cw_signing_key_generate (id, CW_KEY_TYPE_ED25519, &error);
      if (signing_key == NULL)
        return cw_node_cli_fail (prog, error);
      g_bytes_unref (public_key);
      public_key = g_bytes_new (cw_signing_key_get_public_key (signing_key), CW_PUBLIC_KEY_SIZE);
    }

  if (generate_key != NULL && g_file_test (generate_key, G_FILE_TEST_EXISTS))
    {
      g_printerr ("%s: “%s” exists; refusing to overwrite it\n", prog, generate_key);
      return CW_NODE_EXIT_FAILURE;
    }

  data_dir = open_data_dir (prog, dir, &status);
  if (data_dir == NULL)
    return status;

  /* The key file first: if the database refuses the provider, it goes
   * again; the other way round could leave a provider nobody has a key for. */
  if (signing_key != NULL && !cw_node_secret_file_write_key (generate_key, signing_key, &error))
    return cw_node_cli_fail (prog, error);

  directory = cw_node_directory_new (cw_node_data_dir_get_store (data_dir), 1);
  provider = cw_node_directory_add (directory, id, name, organization, kind, public_key, &error);
  if (provider == NULL)
    {
      if (signing_key != NULL)
        g_unlink (generate_key);
      return cw_node_cli_fail (prog, error);
    }

  verifier = cw_verifier_key_to_string (cw_node_provider_get_verifier_key (provider));
  g_print ("added: %s\n", id);
  g_print ("verifier-key: %s\n", verifier);
  if (generate_key != NULL)
    g_print ("signer-key-file: %s\n", generate_key);

  return CW_NODE_EXIT_OK;
}

static int
cmd_provider_list (const char  *prog,
                   int          argc,
                   char       **argv)
{
  g_autofree char *dir = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON, as the API does", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwNodeDirectory) directory = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context, "Lists the providers in the directory.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;

  data_dir = open_data_dir (prog, dir, &status);
  if (data_dir == NULL)
    return status;

  directory = cw_node_directory_new (cw_node_data_dir_get_store (data_dir), 1);
  providers = cw_node_directory_list_all (directory, &error);
  if (providers == NULL)
    return cw_node_cli_fail (prog, error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "providers");
      json_builder_begin_array (builder);
      for (guint i = 0; i < providers->len; i++)
        json_builder_add_value (builder, cw_node_provider_to_json (g_ptr_array_index (providers, i)));
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
      return CW_NODE_EXIT_OK;
    }

  for (guint i = 0; i < providers->len; i++)
    {
      CwNodeProvider *provider = g_ptr_array_index (providers, i);
      g_autofree char *verifier =
        cw_verifier_key_to_string (cw_node_provider_get_verifier_key (provider));

      g_print ("%s\t%s\t%s\t%s\t%s\n",
               cw_node_provider_get_id (provider),
               cw_node_provider_kind_to_string (cw_node_provider_get_kind (provider)),
               cw_node_provider_get_name (provider),
               cw_node_provider_get_organization (provider),
               verifier);
    }

  return CW_NODE_EXIT_OK;
}

static int
cmd_provider_remove (const char  *prog,
                     int          argc,
                     char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *id = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, "Provider ID", "ID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwNodeDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context,
                                "Removes a provider from the directory. Its ID and key stay "
                                "reserved, and its unused invites are deleted.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;

  if (id == NULL)
    return cw_node_cli_usage_error (prog, "--id is required");

  data_dir = open_data_dir (prog, dir, &status);
  if (data_dir == NULL)
    return status;

  directory = cw_node_directory_new (cw_node_data_dir_get_store (data_dir), 1);
  if (!cw_node_directory_remove (directory, id, &error))
    return cw_node_cli_fail (prog, error);

  g_print ("removed: %s\n", id);

  return CW_NODE_EXIT_OK;
}

static const CwNodeCliCommand provider_commands[] = {
  { "add", cmd_provider_add, "Add a provider" },
  { "list", cmd_provider_list, "List providers" },
  { "remove", cmd_provider_remove, "Remove a provider" },
};


static int
cmd_provider (const char  *prog,
              int          argc,
              char       **argv)
{
  return cw_node_cli_run (prog, provider_commands, G_N_ELEMENTS (provider_commands), argc, argv);
}

/* invite: cw-node-admin-invite.c ---------------------------------------- */

static int
cmd_invite (const char  *prog,
            int          argc,
            char       **argv)
{
  return cw_node_admin_invite (prog, argc, argv);
}

/* status ---------------------------------------------------------------- */

static int
cmd_status (const char  *prog,
            int          argc,
            char       **argv)
{
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *checkpoint = NULL;
  CwNodeConfig *config;
  CwNodeStore *store;
  guint64 tree_size;
  guint64 checkpoint_size = 0;
  guint64 n_providers;
  guint64 n_invites;
  int status;

  g_option_context_set_summary (context, "Shows the node's identity and counters.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;

  data_dir = open_data_dir (prog, dir, &status);
  if (data_dir == NULL)
    return status;

  config = cw_node_data_dir_get_config (data_dir);
  store = cw_node_data_dir_get_store (data_dir);

  if (!cw_node_store_get_tree_head (store, &tree_size, NULL, &error) ||
      !cw_node_store_count_providers (store, &n_providers, &error) ||
      !cw_node_store_count_pending_invites (store, g_get_real_time () / G_USEC_PER_SEC,
                                            &n_invites, &error))
    return cw_node_cli_fail (prog, error);

  checkpoint = cw_node_store_dup_latest_checkpoint (store, &checkpoint_size, &error);
  if (error != NULL)
    return cw_node_cli_fail (prog, error);

  log_key = cw_node_data_dir_load_log_key (data_dir, &error);
  if (log_key == NULL)
    return cw_node_cli_fail (prog, error);
  verifier = dup_verifier_key_string (log_key);

  pin = cw_node_data_dir_compute_tls_pin (data_dir, &error);
  if (pin == NULL)
    return cw_node_cli_fail (prog, error);

  g_print ("origin: %s\n", cw_node_config_get_origin (config));
  g_print ("tree-size: %" G_GUINT64_FORMAT "\n", tree_size);
  if (checkpoint != NULL)
    g_print ("checkpoint-size: %" G_GUINT64_FORMAT "\n", checkpoint_size);
  else
    g_print ("checkpoint-size: none\n");
  g_print ("providers: %" G_GUINT64_FORMAT "\n", n_providers);
  g_print ("pending-invites: %" G_GUINT64_FORMAT "\n", n_invites);
  g_print ("verifier-key: %s\n", verifier);
  g_print ("tls-pin: %s\n", pin);
  g_print ("listen: %s\n", cw_node_config_get_listen (config));

  return CW_NODE_EXIT_OK;
}

/* witness --------------------------------------------------------------- */

static int
cmd_witness (const char  *prog,
             int          argc,
             char       **argv)
{
  return cw_witness_admin_main (prog, argc, argv);
}

/* dispatch -------------------------------------------------------------- */

static const CwNodeCliCommand commands[] = {
  { "init", cmd_init, "Create a node data directory" },
  { "serve", cmd_serve, "Serve the node API over HTTPS" },
  { "provider", cmd_provider, "Manage the provider directory (add, list, remove)" },
  { "invite", cmd_invite, "Register a one-time code and sign the clinic's invite" },
  { "status", cmd_status, "Show the node's identity and counters" },
  { "witness", cmd_witness, "Witness mode (init, add-log, serve, status, node-add, sign-set)" },
  { "witness-set", cw_node_admin_witness_set, "Rotate the witnesses (propose, publish)" },
};

int
cw_node_admin_main (int    argc,
                    char **argv)
{
  return cw_node_cli_run ("consent-node", commands, G_N_ELEMENTS (commands), argc, argv);
}
