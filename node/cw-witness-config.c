/* cw-witness-config.c: a witness's settings (c2sp.org/tlog-witness), kept
 * in a GKeyFile in its directory. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-node-config.h"
#include "cw-node-secret-file.h"
#include "cw-witness-config.h"

#define GROUP_WITNESS "witness"
#define GROUP_TLS "tls"
#define GROUP_LIMITS "limits"

#define MAX_NAME_LENGTH 255
/* 63 proof lines and a checkpoint with its signatures fit many times. */
#define DEFAULT_MAX_BODY_SIZE (64 * 1024)
#define MIN_MAX_BODY_SIZE 1024
#define MAX_MAX_BODY_SIZE (1024 * 1024)

struct _CwWitnessConfig
{
  GObject parent_instance;

  char *base_dir;
  char *name;
  char *listen;
  char *key_file;
  char *database_file;
  char *tls_certificate_file;
  char *tls_key_file;
  gsize max_body_size;
};

G_DEFINE_FINAL_TYPE (CwWitnessConfig, cw_witness_config, G_TYPE_OBJECT)

static void
cw_witness_config_finalize (GObject *object)
{
  CwWitnessConfig *self = (CwWitnessConfig *)object;

  g_clear_pointer (&self->base_dir, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->listen, g_free);
  g_clear_pointer (&self->key_file, g_free);
  g_clear_pointer (&self->database_file, g_free);
  g_clear_pointer (&self->tls_certificate_file, g_free);
  g_clear_pointer (&self->tls_key_file, g_free);

  G_OBJECT_CLASS (cw_witness_config_parent_class)->finalize (object);
}

static void
cw_witness_config_class_init (CwWitnessConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_witness_config_finalize;
}

static void
cw_witness_config_init (CwWitnessConfig *self)
{
  self->listen = g_strdup (CW_WITNESS_CONFIG_DEFAULT_LISTEN);
  self->key_file = g_strdup ("witness.key");
  self->database_file = g_strdup ("witness.db");
  self->tls_certificate_file = g_strdup ("tls-cert.pem");
  self->tls_key_file = g_strdup ("tls-key.pem");
  self->max_body_size = DEFAULT_MAX_BODY_SIZE;
}

CwWitnessConfig *
cw_witness_config_new (const char *base_dir,
                       const char *name)
{
  CwWitnessConfig *self;

  g_return_val_if_fail (base_dir != NULL, NULL);

  self = g_object_new (CW_TYPE_WITNESS_CONFIG, NULL);
  self->base_dir = g_strdup (base_dir);
  self->name = g_strdup (name);

  return self;
}

static gboolean
validate (CwWitnessConfig  *self,
          GError          **error)
{
  g_autoptr(GSocketAddress) address = NULL;

  if (self->name == NULL || !cw_key_name_is_valid (self->name) ||
      strlen (self->name) > MAX_NAME_LENGTH)
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "Invalid witness name “%s”: it must be 1–%d bytes of UTF-8 without "
                   "spaces, control characters or “+”, such as witness.example.org",
                   self->name != NULL ? self->name : "", MAX_NAME_LENGTH);
      return FALSE;
    }

  address = cw_node_config_parse_listen (self->listen, error);
  if (address == NULL)
    return FALSE;

  if (self->max_body_size < MIN_MAX_BODY_SIZE || self->max_body_size > MAX_MAX_BODY_SIZE)
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "max-body-size must be from %d to %d bytes",
                   MIN_MAX_BODY_SIZE, MAX_MAX_BODY_SIZE);
      return FALSE;
    }

  return TRUE;
}

/* Replaces *@field with the key's value if the key is set and not empty. */
static gboolean
load_string (GKeyFile    *key_file,
             const char  *path,
             const char  *group,
             const char  *key,
             char       **field,
             GError     **error)
{
  g_autofree char *value = g_key_file_get_string (key_file, group, key, NULL);

  if (value == NULL)
    return TRUE;

  if (*value == '\0')
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "%s: [%s] %s is empty", path, group, key);
      return FALSE;
    }

  g_free (*field);
  *field = g_steal_pointer (&value);

  return TRUE;
}

CwWitnessConfig *
cw_witness_config_load (const char  *path,
                        const char  *base_dir,
                        GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(CwWitnessConfig) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *max_body = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (base_dir != NULL, NULL);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_IO,
                   "Could not read the witness configuration “%s”: %s",
                   path, local_error->message);
      return NULL;
    }

  name = g_key_file_get_string (key_file, GROUP_WITNESS, "name", NULL);
  self = cw_witness_config_new (base_dir, name);

  if (!load_string (key_file, path, GROUP_WITNESS, "listen", &self->listen, error) ||
      !load_string (key_file, path, GROUP_WITNESS, "key", &self->key_file, error) ||
      !load_string (key_file, path, GROUP_WITNESS, "database", &self->database_file, error) ||
      !load_string (key_file, path, GROUP_TLS, "certificate", &self->tls_certificate_file, error) ||
      !load_string (key_file, path, GROUP_TLS, "key", &self->tls_key_file, error))
    return NULL;

  max_body = g_key_file_get_value (key_file, GROUP_LIMITS, "max-body-size", NULL);
  if (max_body != NULL)
    {
      guint64 value;

      g_strstrip (max_body);
      if (!cw_parse_uint64 (max_body, -1, &value) || value > MAX_MAX_BODY_SIZE)
        {
          g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                       "%s: [%s] max-body-size must be a whole number from %d to %d",
                       path, GROUP_LIMITS, MIN_MAX_BODY_SIZE, MAX_MAX_BODY_SIZE);
          return NULL;
        }
      self->max_body_size = value;
    }

  if (!validate (self, &local_error))
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "%s: %s", path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&self);
}

gboolean
cw_witness_config_save (CwWitnessConfig  *self,
                        const char       *path,
                        GError          **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), FALSE);

  if (!validate (self, error))
    return FALSE;

  g_key_file_set_comment (key_file, NULL, NULL,
                          " consent-node witness configuration. Relative file names\n"
                          " are resolved against the directory of this file.", NULL);
  g_key_file_set_string (key_file, GROUP_WITNESS, "name", self->name);
  g_key_file_set_string (key_file, GROUP_WITNESS, "listen", self->listen);
  g_key_file_set_string (key_file, GROUP_WITNESS, "key", self->key_file);
  g_key_file_set_string (key_file, GROUP_WITNESS, "database", self->database_file);
  g_key_file_set_string (key_file, GROUP_TLS, "certificate", self->tls_certificate_file);
  g_key_file_set_string (key_file, GROUP_TLS, "key", self->tls_key_file);
  g_key_file_set_uint64 (key_file, GROUP_LIMITS, "max-body-size", self->max_body_size);

  data = g_key_file_to_data (key_file, &len, NULL);

  return cw_node_secret_file_write (path, data, len, error);
}

static char *
resolve (CwWitnessConfig *self,
         const char      *file)
{
  return g_canonicalize_filename (file, self->base_dir);
}

const char *
cw_witness_config_get_name (CwWitnessConfig *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), NULL);
  return self->name;
}

const char *
cw_witness_config_get_listen (CwWitnessConfig *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), NULL);
  return self->listen;
}

void
cw_witness_config_set_listen (CwWitnessConfig *self,
                              const char      *listen)
{
  g_return_if_fail (CW_IS_WITNESS_CONFIG (self));
  g_return_if_fail (listen != NULL);

  g_free (self->listen);
  self->listen = g_strdup (listen);
}

gsize
cw_witness_config_get_max_body_size (CwWitnessConfig *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), 0);
  return self->max_body_size;
}

char *
cw_witness_config_get_key_path (CwWitnessConfig *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), NULL);
  return resolve (self, self->key_file);
}

char *
cw_witness_config_get_database_path (CwWitnessConfig *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), NULL);
  return resolve (self, self->database_file);
}

char *
cw_witness_config_get_tls_cert_path (CwWitnessConfig *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), NULL);
  return resolve (self, self->tls_certificate_file);
}

char *
cw_witness_config_get_tls_key_path (CwWitnessConfig *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_CONFIG (self), NULL);
  return resolve (self, self->tls_key_file);
}
