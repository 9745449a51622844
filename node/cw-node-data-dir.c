/* cw-node-data-dir.c: a node's data directory: creating it (config, log
 * key, TLS identity, database) and opening it again. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "cw-encoding.h"
#include "cw-node-data-dir.h"
#include "cw-node-log.h"
#include "cw-node-secret-file.h"
#include "cw-node-store-sqlite.h"
#include "cw-node-tls.h"

struct _CwNodeDataDir
{
  GObject parent_instance;

  char *path;
  CwNodeConfig *config;
  CwNodeStore *store;
};

G_DEFINE_FINAL_TYPE (CwNodeDataDir, cw_node_data_dir, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_CONFIG,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_QUARK (cw-node-data-dir-error-quark, cw_node_data_dir_error)

static void
cw_node_data_dir_dispose (GObject *object)
{
  CwNodeDataDir *self = (CwNodeDataDir *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (cw_node_data_dir_parent_class)->dispose (object);
}

static void
cw_node_data_dir_finalize (GObject *object)
{
  CwNodeDataDir *self = (CwNodeDataDir *)object;

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (cw_node_data_dir_parent_class)->finalize (object);
}

static void
cw_node_data_dir_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CwNodeDataDir *self = CW_NODE_DATA_DIR (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_data_dir_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CwNodeDataDir *self = CW_NODE_DATA_DIR (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_data_dir_class_init (CwNodeDataDirClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = cw_node_data_dir_dispose;
  object_class->finalize = cw_node_data_dir_finalize;
  object_class->get_property = cw_node_data_dir_get_property;
  object_class->set_property = cw_node_data_dir_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, "The data directory", NULL, flags);
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, "The node's settings", CW_TYPE_NODE_CONFIG, flags);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, "The node's storage", CW_TYPE_NODE_STORE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_data_dir_init (CwNodeDataDir *self)
{
}

gboolean
cw_node_data_dir_make_private (const char  *path,
                               gboolean    *out_created,
                               GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *parent = NULL;

  *out_created = FALSE;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_EXISTS,
                       "“%s” exists and is not a directory; refusing to overwrite it", path);
          return FALSE;
        }

      dir = g_dir_open (path, 0, error);
      if (dir == NULL)
        return FALSE;

      if (g_dir_read_name (dir) != NULL)
        {
          g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_EXISTS,
                       "“%s” is not empty; refusing to overwrite it (choose a new --dir)",
                       path);
          return FALSE;
        }

      if (g_chmod (path, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_IO,
                       "Could not make “%s” private: %s", path, g_strerror (saved_errno));
          return FALSE;
        }

      return TRUE;
    }

  parent = g_path_get_dirname (path);
  if (g_mkdir_with_parents (parent, 0755) != 0 || g_mkdir (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_IO,
                   "Could not create “%s”: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  *out_created = TRUE;

  return TRUE;
}

void
cw_node_data_dir_remove_created (const char *dir_path,
                                 gboolean    dir_created,
                                 GPtrArray  *files)
{
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *wal = g_strconcat (file, "-wal", NULL);
      g_autofree char *shm = g_strconcat (file, "-shm", NULL);

      g_unlink (file);
      g_unlink (wal);
      g_unlink (shm);
    }

  if (dir_created)
    g_rmdir (dir_path);
}

CwNodeDataDir *
cw_node_data_dir_create (const char  *path,
                         const char  *origin,
                         const char  *listen,
                         const char  *cert_file,
                         const char  *key_file,
                         GError     **error)
{
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CwNodeConfig) config = NULL;
  g_autoptr(CwNodeStore) store = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *abs_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *log_key_path = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *tls_key_path = NULL;
  g_autofree char *db_path = NULL;
  guint8 empty_root[CW_HASH_SIZE];
  gboolean dir_created = FALSE;

  g_return_val_if_fail (path != NULL, NULL);

  /* Check everything that can be checked before touching the disk. */
  if ((cert_file == NULL) != (key_file == NULL))
    {
      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_NOT_FOUND,
                   "--cert and --key go together");
      return NULL;
    }

  abs_path = g_canonicalize_filename (path, NULL);
  config = cw_node_config_new (abs_path, origin);
  if (listen != NULL)
    {
      address = cw_node_config_parse_listen (listen, error);
      if (address == NULL)
        return NULL;
      cw_node_config_set_listen (config, listen);
    }

  if (cert_file != NULL)
    {
      g_autofree char *abs_cert = g_canonicalize_filename (cert_file, NULL);
      g_autofree char *abs_key = g_canonicalize_filename (key_file, NULL);
      g_autoptr(GTlsCertificate) cert = cw_node_tls_load (abs_cert, abs_key, error);

      if (cert == NULL)
        return NULL;
      cw_node_config_set_tls_files (config, abs_cert, abs_key);
    }

  log_key = cw_signing_key_generate (origin, CW_KEY_TYPE_ED25519, &local_error);
  if (log_key == NULL)
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "Invalid origin “%s”: %s", origin != NULL ? origin : "",
                   local_error->message);
      return NULL;
    }

  config_path = g_build_filename (abs_path, CW_NODE_DATA_DIR_CONFIG_FILE, NULL);
  log_key_path = cw_node_config_get_log_key_path (config);
  cert_path = cw_node_config_get_tls_cert_path (config);
  tls_key_path = cw_node_config_get_tls_key_path (config);
  db_path = cw_node_config_get_database_path (config);

  if (!cw_node_data_dir_make_private (abs_path, &dir_created, error))
    return NULL;

  /* The config is written first: its validation covers the origin. */
  if (!cw_node_config_save (config, config_path, error))
    goto fail;
  g_ptr_array_add (created, g_strdup (config_path));

  if (!cw_node_secret_file_write_key (log_key_path, log_key, error))
    goto fail;
  g_ptr_array_add (created, g_strdup (log_key_path));

  if (cert_file == NULL)
    {
      if (!cw_node_tls_generate_self_signed (cert_path, tls_key_path, error))
        goto fail;
      g_ptr_array_add (created, g_strdup (cert_path));
      g_ptr_array_add (created, g_strdup (tls_key_path));
    }

  store = cw_node_store_sqlite_new (db_path, TRUE, error);
  g_ptr_array_add (created, g_strdup (db_path));
  if (store == NULL)
    goto fail;

  cw_sha256 (NULL, 0, empty_root);
  if (!cw_node_store_initialize (store, origin, empty_root, error) ||
      !cw_node_log_sign_checkpoint (store, origin, log_key, error))
    goto fail;

  return g_object_new (CW_TYPE_NODE_DATA_DIR,
                       "path", abs_path,
                       "config", config,
                       "store", store,
                       NULL);

fail:
  g_clear_object (&store);
  cw_node_data_dir_remove_created (abs_path, dir_created, created);
  return NULL;
}

CwNodeDataDir *
cw_node_data_dir_open (const char  *path,
                       GError     **error)
{
  g_autoptr(CwNodeConfig) config = NULL;
  g_autoptr(CwNodeStore) store = NULL;
  g_autofree char *abs_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *origin = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  abs_path = g_canonicalize_filename (path, NULL);
  config_path = g_build_filename (abs_path, CW_NODE_DATA_DIR_CONFIG_FILE, NULL);

  if (!g_file_test (config_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_NOT_FOUND,
                   "“%s” is not a node directory (no %s); create one with "
                   "“consent-node init”", abs_path, CW_NODE_DATA_DIR_CONFIG_FILE);
      return NULL;
    }

  config = cw_node_config_load (config_path, abs_path, error);
  if (config == NULL)
    return NULL;

  db_path = cw_node_config_get_database_path (config);
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_NOT_FOUND,
                   "The database “%s” is missing", db_path);
      return NULL;
    }

  store = cw_node_store_sqlite_new (db_path, FALSE, error);
  if (store == NULL)
    return NULL;

  origin = cw_node_store_dup_origin (store, error);
  if (origin == NULL)
    return NULL;

  if (g_strcmp0 (origin, cw_node_config_get_origin (config)) != 0)
    {
      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_MISMATCH,
                   "The configuration names the origin “%s” but the database holds "
                   "the log “%s”", cw_node_config_get_origin (config), origin);
      return NULL;
    }

  return g_object_new (CW_TYPE_NODE_DATA_DIR,
                       "path", abs_path,
                       "config", config,
                       "store", store,
                       NULL);
}

const char *
cw_node_data_dir_get_path (CwNodeDataDir *self)
{
  g_return_val_if_fail (CW_IS_NODE_DATA_DIR (self), NULL);
  return self->path;
}

CwNodeConfig *
cw_node_data_dir_get_config (CwNodeDataDir *self)
{
  g_return_val_if_fail (CW_IS_NODE_DATA_DIR (self), NULL);
  return self->config;
}

CwNodeStore *
cw_node_data_dir_get_store (CwNodeDataDir *self)
{
  g_return_val_if_fail (CW_IS_NODE_DATA_DIR (self), NULL);
  return self->store;
}

CwSigningKey *
cw_node_data_dir_load_log_key (CwNodeDataDir  *self,
                               GError        **error)
{
  g_autofree char *key_path = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  const char *origin;

  g_return_val_if_fail (CW_IS_NODE_DATA_DIR (self), NULL);

  key_path = cw_node_config_get_log_key_path (self->config);
  key = cw_node_secret_file_read_key (key_path, error);
  if (key == NULL)
    return NULL;

  origin = cw_node_config_get_origin (self->config);
  if (cw_signing_key_get_key_type (key) != CW_KEY_TYPE_ED25519 ||
      g_strcmp0 (cw_signing_key_get_name (key), origin) != 0)
    {
      g_set_error (error, CW_NODE_DATA_DIR_ERROR, CW_NODE_DATA_DIR_ERROR_MISMATCH,
                   "The log key “%s” is not an Ed25519 key named after the origin “%s”",
                   key_path, origin);
      return NULL;
    }

  return g_steal_pointer (&key);
}

char *
cw_node_data_dir_compute_tls_pin (CwNodeDataDir  *self,
                                  GError        **error)
{
  g_autofree char *cert_path = NULL;

  g_return_val_if_fail (CW_IS_NODE_DATA_DIR (self), NULL);

  cert_path = cw_node_config_get_tls_cert_path (self->config);

  return cw_node_tls_compute_pin (cert_path, error);
}
