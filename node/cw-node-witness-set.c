/* cw-node-witness-set.c: the admin side of witness sets (PROTOCOL.md §4
 * "Witness sets"): the log operator proposes a set signed by the log key,
 * each witness checks and signs it, and the operator publishes it once a
 * quorum of the current witnesses signed; the node then serves it
 * (cw-node-server-witnesses.c) and gathers cosignatures from the new
 * witnesses from its next checkpoint (cw-node-admin.c). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "cw-checkpoint.h"
#include "cw-node-cli.h"
#include "cw-node-data-dir.h"
#include "cw-node-witness-set.h"
#include "cw-note.h"
#include "cw-witness-dir.h"
#include "cw-witness-set.h"

#define GROUP_WITNESSES "witnesses"

char *
cw_node_witness_set_path (CwNodeConfig *config)
{
  return g_build_filename (cw_node_config_get_base_dir (config), CW_NODE_WITNESS_SET_FILE, NULL);
}

char *
cw_node_witness_set_dup_stamp (CwNodeConfig *config)
{
  g_autofree char *path = cw_node_witness_set_path (config);
  struct stat st;

  /* Publish replaces the file by a rename: a new inode and time. */
  if (stat (path, &st) != 0)
    return NULL;
  return g_strdup_printf ("%ju:%jd.%09ld:%jd", (uintmax_t) st.st_ino, (intmax_t) st.st_mtim.tv_sec,
                          st.st_mtim.tv_nsec, (intmax_t) st.st_size);
}

CwNodeConfig *
cw_node_witness_set_reload_config (CwNodeConfig  *config,
                                   GError       **error)
{
  const char *base_dir = cw_node_config_get_base_dir (config);
  g_autofree char *path = g_build_filename (base_dir, CW_NODE_DATA_DIR_CONFIG_FILE, NULL);

  return cw_node_config_load (path, base_dir, error);
}

/* Writes @text to @path (world-readable: a set is public), or to standard
 * output for %NULL or "-". */
static gboolean
write_public (const char  *path,
              const char  *text,
              GError     **error)
{
  if (path == NULL || g_str_equal (path, "-"))
    {
      g_print ("%s", text);
      return TRUE;
    }
  if (!g_file_set_contents_full (path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, error))
    return FALSE;
  /* consent-node runs with umask 077; the note holds nothing secret. */
  if (g_chmod (path, 0644) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Could not make “%s” readable: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static char *
read_note (const char  *path,
           GError     **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (len > CW_WITNESS_SET_MAX_SIZE || memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED,
                   "“%s” is not a witness set note", path);
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* The set in @note if @key signed it (a known signer whose signature
 * fails is refused too). */
static CwWitnessSet *
open_signed_by (const char     *note,
                CwVerifierKey  *key,
                GError        **error)
{
  g_autoptr(CwNoteVerifiers) known = cw_note_verifiers_new ();
  g_autoptr(CwNote) opened = NULL;
  g_autoptr(GError) cause = NULL;

  if (!cw_note_verifiers_add (known, key, error))
    return NULL;
  opened = cw_note_open (note, strlen (note), known, &cause);
  if (opened == NULL)
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_NOT_LOG_SIGNED,
                   "The note does not carry a valid signature by the log key %s: %s",
                   cw_verifier_key_get_name (key), cause->message);
      return NULL;
    }
  return cw_witness_set_parse_text (cw_note_get_text (opened), error);
}

/* Whether @note carries a valid signature by @key. */
static gboolean
is_signed_by (const char    *note,
              CwVerifierKey *key)
{
  g_autoptr(CwNoteVerifiers) known = cw_note_verifiers_new ();
  g_autoptr(CwNote) opened = NULL;

  if (!cw_note_verifiers_add (known, key, NULL))
    return FALSE;
  opened = cw_note_open (note, strlen (note), known, NULL);
  return opened != NULL && cw_note_find_signature (opened, key) != NULL;
}

/* The key part of a node.conf witness entry "<verifier key> <URL> <pin>". */
static char *
entry_key (const char *entry)
{
  return g_strndup (entry, strcspn (entry, " "));
}

/* The witnesses wallets trust now: the published set's, or before any
 * rotation node.conf's (what invites carry), as a profile for
 * cw_witness_set_verify(). */
static CwNodeProfile *
current_witnesses (CwNodeConfig   *config,
                   CwSigningKey   *log_key,
                   guint64        *out_version,
                   GError        **error)
{
  g_autofree char *path = cw_node_witness_set_path (config);
  g_autofree char *note = NULL;
  g_autofree char *log_text = cw_verifier_key_to_string (cw_signing_key_get_verifier (log_key));
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  guint quorum;

  *out_version = 0;
  if (g_file_get_contents (path, &note, NULL, &local_error))
    {
      g_autoptr(CwWitnessSet) set = cw_witness_set_parse_note (note, strlen (note), error);

      if (set == NULL)
        return NULL;
      *out_version = set->version;
      return cw_node_profile_new ("https://node.invalid", NULL, log_text,
                                  (const char * const *) set->witness_keys, set->quorum, error);
    }
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  for (const char * const *entry = cw_node_config_get_witnesses (config); *entry != NULL; entry++)
    g_ptr_array_add (keys, entry_key (*entry));
  g_ptr_array_add (keys, NULL);
  quorum = cw_node_config_get_witness_quorum (config);
  return cw_node_profile_new ("https://node.invalid", NULL, log_text,
                              (const char * const *) keys->pdata, quorum, error);
}

/* node.conf's entry (URL and pin) for each witness of @set, in its order:
 * the node must be able to reach every new witness before it switches. */
static GPtrArray *
entries_for_set (CwNodeConfig        *config,
                 const CwWitnessSet  *set,
                 GError             **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  for (guint i = 0; set->witness_keys[i] != NULL; i++)
    {
      g_autoptr(CwVerifierKey) wanted = cw_verifier_key_new_from_string (set->witness_keys[i], NULL);
      g_autofree char *wanted_text = cw_verifier_key_to_string (wanted);
      const char *found = NULL;

      for (const char * const *entry = cw_node_config_get_witnesses (config);
           *entry != NULL && found == NULL; entry++)
        {
          g_autofree char *key_text = entry_key (*entry);
          g_autoptr(CwVerifierKey) key = cw_verifier_key_new_from_string (key_text, NULL);
          g_autofree char *canonical = key != NULL ? cw_verifier_key_to_string (key) : NULL;

          if (g_strcmp0 (canonical, wanted_text) == 0)
            found = *entry;
        }
      if (found == NULL)
        {
          g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                       "The node does not know how to reach witness %s of the set; add it "
                       "with “consent-node witness node-add” first",
                       cw_verifier_key_get_name (wanted));
          return NULL;
        }
      g_ptr_array_add (entries, (gpointer) found);
    }
  g_ptr_array_add (entries, NULL);
  return g_steal_pointer (&entries);
}

/* Wallets that take the set check the next checkpoints against it, so the
 * newest one must already carry a quorum of the new witnesses'
 * cosignatures (the node gathers from old and new witnesses meanwhile). */
static gboolean
check_latest_cosigned (CwNodeStore         *store,
                       CwSigningKey        *log_key,
                       const CwWitnessSet  *set,
                       GError             **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_verifier_key_unref);
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autofree char *latest = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GError) cause = NULL;
  guint64 size = 0;

  latest = cw_node_store_dup_latest_checkpoint (store, &size, error);
  if (latest == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_NO_QUORUM,
                     "The log has no signed checkpoint yet");
      return FALSE;
    }
  note = cw_node_store_dup_checkpoint (store, size, error);
  if (note == NULL)
    return FALSE;

  for (guint i = 0; set->witness_keys[i] != NULL; i++)
    g_ptr_array_add (keys, cw_verifier_key_new_from_string (set->witness_keys[i], NULL));
  opened = cw_signed_checkpoint_open (note, strlen (note), cw_signing_key_get_verifier (log_key),
                                      (CwVerifierKey **) keys->pdata, keys->len, &cause);
  if (opened == NULL || !cw_signed_checkpoint_check_quorum (opened, set->quorum, &cause))
    {
      g_set_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_NO_QUORUM,
                   "The latest checkpoint (size %" G_GUINT64_FORMAT ") carries %u cosignatures "
                   "of the new witnesses, fewer than its quorum of %u: add the new witnesses "
                   "with “consent-node witness node-add”, restart the node, and publish once "
                   "a checkpoint they cosigned exists", size,
                   opened != NULL ? cw_signed_checkpoint_get_n_cosigners (opened) : 0,
                   set->quorum);
      return FALSE;
    }
  return TRUE;
}

/* Replaces node.conf's witnesses and quorum with the set's, atomically
 * (mode 0600, as `consent-node init` made it), after checking that the
 * node accepts the new file. */
static gboolean
switch_node_config (const char   *base_dir,
                    GPtrArray    *entries,
                    guint         quorum,
                    GError      **error)
{
  g_autofree char *path = g_build_filename (base_dir, CW_NODE_DATA_DIR_CONFIG_FILE, NULL);
  g_autofree char *tmp_path = g_strconcat (path, ".new", NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(CwNodeConfig) check = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_key_file_load_from_file (key_file, path,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, error))
    return FALSE;
  g_key_file_set_string_list (key_file, GROUP_WITNESSES, "witnesses",
                              (const char * const *) entries->pdata, entries->len - 1);
  g_key_file_set_uint64 (key_file, GROUP_WITNESSES, "quorum", quorum);

  data = g_key_file_to_data (key_file, &len, NULL);
  if (!g_file_set_contents_full (tmp_path, data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;
  check = cw_node_config_load (tmp_path, base_dir, error);
  if (check == NULL || g_rename (tmp_path, path) != 0)
    {
      if (check != NULL)
        g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_IO,
                     "Could not replace “%s”: %s", path, g_strerror (errno));
      g_unlink (tmp_path);
      return FALSE;
    }
  return TRUE;
}

/* propose --------------------------------------------------------------- */

static int
cmd_propose (const char  *prog,
             int          argc,
             char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) witnesses = NULL;
  gint64 version = 0;
  int quorum = 0;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { "version", 0, 0, G_OPTION_ARG_INT64, &version,
      "Version of the new set, above the published one", "N" },
    { "quorum", 'q', 0, G_OPTION_ARG_INT, &quorum,
      "Cosignatures wallets will require per checkpoint", "N" },
    { "witness", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &witnesses,
      "Verifier key of a witness of the new set (repeat for each)", "KEY" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the note here (default: stdout)",
      "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(CwNodeProfile) current = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *note = NULL;
  guint64 current_version = 0;
  int status;

  g_option_context_set_summary (context,
                                "Proposes a new witness set, signed by the log key. Each "
                                "current witness then checks and signs it with “consent-node "
                                "witness sign-set”, and “consent-node witness-set publish” "
                                "serves it.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;
  if (dir == NULL || version <= 0 || quorum <= 0 || witnesses == NULL)
    return cw_node_cli_usage_error (prog, "--dir, --version (1 or more), --quorum (1 or more) "
                                    "and at least one --witness are required");

  data_dir = cw_node_data_dir_open (dir, &error);
  if (data_dir == NULL ||
      (log_key = cw_node_data_dir_load_log_key (data_dir, &error)) == NULL ||
      (current = current_witnesses (cw_node_data_dir_get_config (data_dir), log_key,
                                    &current_version, &error)) == NULL)
    return cw_node_cli_fail (prog, error);
  if ((guint64) version <= current_version)
    {
      g_printerr ("%s: --version must be above %" G_GUINT64_FORMAT ", the published set's\n",
                  prog, current_version);
      return CW_NODE_EXIT_FAILURE;
    }

  text = cw_witness_set_format (cw_signing_key_get_name (log_key), (guint64) version,
                                (guint) quorum, (const char * const *) witnesses, &error);
  if (text == NULL ||
      (note = cw_witness_set_add_signature (text, log_key, &error)) == NULL ||
      !write_public (out, note, &error))
    return cw_node_cli_fail (prog, error);

  return CW_NODE_EXIT_OK;
}

/* publish --------------------------------------------------------------- */

static int
cmd_publish (const char  *prog,
             int          argc,
             char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *in = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Node data directory", "DIR" },
    { "in", 'i', 0, G_OPTION_ARG_FILENAME, &in, "The signed witness set note", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(CwNodeProfile) current = NULL;
  g_autoptr(CwWitnessSet) set = NULL;
  g_autoptr(GPtrArray) set_entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *path = NULL;
  CwNodeConfig *config;
  guint64 current_version = 0;
  int status;

  g_option_context_set_summary (context,
                                "Publishes a witness set at GET /v1/log/witnesses once the log "
                                "and a quorum of the current witnesses signed it, and switches "
                                "the node's witnesses and quorum in node.conf to the set's (a "
                                "running node uses them from its next checkpoint). Every witness of the set "
                                "must already be in node.conf (“consent-node witness "
                                "node-add”), and the latest checkpoint must carry a quorum of "
                                "their cosignatures.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;
  if (dir == NULL || in == NULL)
    return cw_node_cli_usage_error (prog, "--dir and --in are required");

  data_dir = cw_node_data_dir_open (dir, &error);
  if (data_dir == NULL ||
      (log_key = cw_node_data_dir_load_log_key (data_dir, &error)) == NULL ||
      (note = read_note (in, &error)) == NULL)
    return cw_node_cli_fail (prog, error);
  config = cw_node_data_dir_get_config (data_dir);

  /* The same check a wallet makes, against what wallets hold now. */
  if ((set = open_signed_by (note, cw_signing_key_get_verifier (log_key), &error)) == NULL ||
      (current = current_witnesses (config, log_key, &current_version, &error)) == NULL)
    return cw_node_cli_fail (prog, error);
  if (set->version <= current_version)
    {
      g_printerr ("%s: the set's version %" G_GUINT64_FORMAT " is not above %" G_GUINT64_FORMAT
                  ", the published set's\n", prog, set->version, current_version);
      return CW_NODE_EXIT_FAILURE;
    }
  g_clear_pointer (&set, cw_witness_set_free);
  set = cw_witness_set_verify (note, strlen (note), current, current_version, &error);
  if (set == NULL ||
      (set_entries = entries_for_set (config, set, &error)) == NULL ||
      !check_latest_cosigned (cw_node_data_dir_get_store (data_dir), log_key, set, &error))
    return cw_node_cli_fail (prog, error);

  /* node.conf first: a failure after it leaves the old set served, and the
   * same note can be published again. */
  path = cw_node_witness_set_path (config);
  if (!switch_node_config (cw_node_config_get_base_dir (config), set_entries, set->quorum,
                           &error) ||
      !write_public (path, note, &error))
    return cw_node_cli_fail (prog, error);

  g_print ("published: version %" G_GUINT64_FORMAT ", %u witnesses, quorum %u\n", set->version,
           g_strv_length (set->witness_keys), set->quorum);
  return CW_NODE_EXIT_OK;
}

static const CwNodeCliCommand commands[] = {
  { "propose", cmd_propose, "Propose a new witness set signed by the log key" },
  { "publish", cmd_publish, "Serve a witness set its witnesses signed, and switch to it" },
};

int
cw_node_admin_witness_set (const char  *prog,
                           int          argc,
                           char       **argv)
{
  return cw_node_cli_run (prog, commands, G_N_ELEMENTS (commands), argc, argv);
}

/* witness sign-set ------------------------------------------------------ */

int
cw_witness_admin_sign_set (const char  *prog,
                           int          argc,
                           char       **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *log_key_text = NULL;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Witness directory", "DIR" },
    { "in", 'i', 0, G_OPTION_ARG_FILENAME, &in, "The proposed witness set note", "FILE" },
    { "log-key", 'k', 0, G_OPTION_ARG_STRING, &log_key_text,
      "Verifier key of the log that proposes it", "VERIFIERKEY" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the note here (default: stdout)",
      "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CwWitnessDir) witness_dir = NULL;
  g_autoptr(CwSigningKey) cosigner = NULL;
  g_autoptr(CwSigningKey) signer = NULL;
  g_autoptr(CwVerifierKey) log_key = NULL;
  g_autoptr(CwWitnessSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *signed_note = NULL;
  int status;

  g_option_context_set_summary (context,
                                "Signs a proposed witness set after checking the log's "
                                "signature. Check the listed witnesses and quorum with the "
                                "consortium before signing: wallets move to them.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cw_node_cli_parse (context, prog, &argc, &argv, &status))
    return status;
  if (dir == NULL || in == NULL || log_key_text == NULL)
    return cw_node_cli_usage_error (prog, "--dir, --in and --log-key are required");

  witness_dir = cw_witness_dir_open (dir, &error);
  if (witness_dir == NULL ||
      (cosigner = cw_witness_dir_load_key (witness_dir, &error)) == NULL ||
      (log_key = cw_verifier_key_new_from_string (log_key_text, &error)) == NULL ||
      (note = read_note (in, &error)) == NULL ||
      (set = open_signed_by (note, log_key, &error)) == NULL)
    return cw_node_cli_fail (prog, error);
  if (!g_str_equal (set->origin, cw_verifier_key_get_name (log_key)))
    {
      g_printerr ("%s: the set is for the log “%s”, not “%s”\n", prog, set->origin,
                  cw_verifier_key_get_name (log_key));
      return CW_NODE_EXIT_FAILURE;
    }

  /* A plain Ed25519 signature with the cosigning key's seed and name: it
   * can never pass for a cosignature (other key ID, other signed text). */
  signer = cw_signing_key_new_from_seed (cw_signing_key_get_name (cosigner), CW_KEY_TYPE_ED25519,
                                         cw_signing_key_peek_seed (cosigner), &error);
  if (signer == NULL)
    return cw_node_cli_fail (prog, error);
  if (is_signed_by (note, cw_signing_key_get_verifier (signer)))
    {
      g_printerr ("%s: this witness already signed the set\n", prog);
      return CW_NODE_EXIT_FAILURE;
    }
  if ((signed_note = cw_witness_set_add_signature (note, signer, &error)) == NULL ||
      !write_public (out, signed_note, &error))
    return cw_node_cli_fail (prog, error);

  return CW_NODE_EXIT_OK;
}
