/* cw-witness-dir.c: a witness's directory (c2sp.org/tlog-witness): its
 * cosignature key, TLS identity, configuration and database. */
#include "config.h"

#include "cw-node-config.h"
#include "cw-node-data-dir.h"
#include "cw-node-secret-file.h"
#include "cw-node-tls.h"
#include "cw-witness-dir.h"

struct _CwWitnessDir
{
  GObject parent_instance;

  char *path;
  CwWitnessConfig *config;
  CwWitnessStore *store;
};

G_DEFINE_FINAL_TYPE (CwWitnessDir, cw_witness_dir, G_TYPE_OBJECT)

static void
cw_witness_dir_dispose (GObject *object)
{
  CwWitnessDir *self = (CwWitnessDir *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (cw_witness_dir_parent_class)->dispose (object);
}

static void
cw_witness_dir_finalize (GObject *object)
{
  CwWitnessDir *self = (CwWitnessDir *)object;

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (cw_witness_dir_parent_class)->finalize (object);
}

static void
cw_witness_dir_class_init (CwWitnessDirClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_witness_dir_dispose;
  object_class->finalize = cw_witness_dir_finalize;
}

static void
cw_witness_dir_init (CwWitnessDir *self)
{
}

static CwWitnessDir *
witness_dir_new (const char      *path,
                 CwWitnessConfig *config,
                 CwWitnessStore  *store)
{
  CwWitnessDir *self = g_object_new (CW_TYPE_WITNESS_DIR, NULL);

  self->path = g_strdup (path);
  self->config = g_object_ref (config);
  self->store = g_object_ref (store);

  return self;
}

CwWitnessDir *
cw_witness_dir_create (const char  *path,
                       const char  *name,
                       const char  *listen,
                       GError     **error)
{
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CwWitnessConfig) config = NULL;
  g_autoptr(CwWitnessStore) store = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *abs_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *tls_key_path = NULL;
  g_autofree char *db_path = NULL;
  gboolean dir_created = FALSE;

  g_return_val_if_fail (path != NULL, NULL);

  abs_path = g_canonicalize_filename (path, NULL);
  config = cw_witness_config_new (abs_path, name);
  if (listen != NULL)
    {
      g_autoptr(GSocketAddress) address = cw_node_config_parse_listen (listen, error);

      if (address == NULL)
        return NULL;
      cw_witness_config_set_listen (config, listen);
    }

  key = cw_signing_key_generate (name, CW_KEY_TYPE_COSIGNATURE_V1, &local_error);
  if (key == NULL)
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "Invalid witness name “%s”: %s", name != NULL ? name : "",
                   local_error->message);
      return NULL;
    }

  config_path = g_build_filename (abs_path, CW_WITNESS_CONFIG_FILE, NULL);
  key_path = cw_witness_config_get_key_path (config);
  cert_path = cw_witness_config_get_tls_cert_path (config);
  tls_key_path = cw_witness_config_get_tls_key_path (config);
  db_path = cw_witness_config_get_database_path (config);

  if (!cw_node_data_dir_make_private (abs_path, &dir_created, error))
    return NULL;

  if (!cw_witness_config_save (config, config_path, error))
    goto fail;
  g_ptr_array_add (created, g_strdup (config_path));

  if (!cw_node_secret_file_write_key (key_path, key, error))
    goto fail;
  g_ptr_array_add (created, g_strdup (key_path));

  if (!cw_node_tls_generate_self_signed (cert_path, tls_key_path, error))
    goto fail;
  g_ptr_array_add (created, g_strdup (cert_path));
  g_ptr_array_add (created, g_strdup (tls_key_path));

  store = cw_witness_store_new (db_path, TRUE, error);
  g_ptr_array_add (created, g_strdup (db_path));
  if (store == NULL)
    goto fail;

  return witness_dir_new (abs_path, config, store);

fail:
  g_clear_object (&store);
  cw_node_data_dir_remove_created (abs_path, dir_created, created);
  return NULL;
}

CwWitnessDir *
cw_witness_dir_open (const char  *path,
                     GError     **error)
{
  g_autoptr(CwWitnessConfig) config = NULL;
  g_autoptr(CwWitnessStore) store = NULL;
  g_autofree char *abs_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *db_path = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  abs_path = g_canonicalize_filename (path, NULL);
  config_path = g_build_filename (abs_path, CW_WITNESS_CONFIG_FILE, NULL);

  if (!g_file_test (config_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_NOT_FOUND,
                   "“%s” is not a witness directory (no %s); create one with "
                   "“consent-node witness init”", abs_path, CW_WITNESS_CONFIG_FILE);
      return NULL;
    }

  config = cw_witness_config_load (config_path, abs_path, error);
  if (config == NULL)
    return NULL;

  /* The database is never created here: a witness that lost its state
   * must not silently start over and cosign a fork. */
  db_path = cw_witness_config_get_database_path (config);
  store = cw_witness_store_new (db_path, FALSE, error);
  if (store == NULL)
    return NULL;

  return witness_dir_new (abs_path, config, store);
}

const char *
cw_witness_dir_get_path (CwWitnessDir *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_DIR (self), NULL);
  return self->path;
}

CwWitnessConfig *
cw_witness_dir_get_config (CwWitnessDir *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_DIR (self), NULL);
  return self->config;
}

CwWitnessStore *
cw_witness_dir_get_store (CwWitnessDir *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_DIR (self), NULL);
  return self->store;
}

CwSigningKey *
cw_witness_dir_load_key (CwWitnessDir  *self,
                         GError       **error)
{
  g_autoptr(CwSigningKey) key = NULL;
  g_autofree char *key_path = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_DIR (self), NULL);

  key_path = cw_witness_config_get_key_path (self->config);
  key = cw_node_secret_file_read_key (key_path, error);
  if (key == NULL)
    return NULL;

  if (cw_signing_key_get_key_type (key) != CW_KEY_TYPE_COSIGNATURE_V1 ||
      g_strcmp0 (cw_signing_key_get_name (key), cw_witness_config_get_name (self->config)) != 0)
    {
      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_MISMATCH,
                   "“%s” is not a cosignature key named “%s”",
                   key_path, cw_witness_config_get_name (self->config));
      return NULL;
    }

  return g_steal_pointer (&key);
}

char *
cw_witness_dir_compute_pin (CwWitnessDir  *self,
                            GError       **error)
{
  g_autofree char *cert_path = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_DIR (self), NULL);

  cert_path = cw_witness_config_get_tls_cert_path (self->config);

  return cw_node_tls_compute_pin (cert_path, error);
}
