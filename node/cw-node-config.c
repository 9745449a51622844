/* cw-node-config.c: the node's settings, kept in a GKeyFile in its data
 * directory. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-node-config.h"
#include "cw-node-secret-file.h"

#define GROUP_NODE "node"
#define GROUP_TLS "tls"
#define GROUP_SEQUENCER "sequencer"
#define GROUP_LIMITS "limits"
#define GROUP_WITNESSES "witnesses"

#define MAX_ORIGIN_LENGTH 255

struct _CwNodeConfig
{
  GObject parent_instance;

  char *base_dir;
  char *origin;
  char *listen;
  char *log_key_file;
  char *database_file;
  char *tls_certificate_file;
  char *tls_key_file;
  guint batch_interval_ms;
  guint batch_max_size;
  guint max_body_size;
  guint max_search_results;
  guint max_query_length;
  guint rate_limit;
  guint rate_burst;
  guint rate_limit_loopback;
  guint idle_timeout;
  guint body_timeout;
  char **witnesses;
  guint witness_quorum;
  guint witness_timeout_ms;
  guint serving_threads;
  guint shutdown_timeout;
};

G_DEFINE_FINAL_TYPE (CwNodeConfig, cw_node_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_DIR,
  PROP_ORIGIN,
  PROP_LISTEN,
  PROP_LOG_KEY_FILE,
  PROP_DATABASE_FILE,
  PROP_TLS_CERTIFICATE_FILE,
  PROP_TLS_KEY_FILE,
  PROP_BATCH_INTERVAL_MS,
  PROP_BATCH_MAX_SIZE,
  PROP_MAX_BODY_SIZE,
  PROP_MAX_SEARCH_RESULTS,
  PROP_MAX_QUERY_LENGTH,
  PROP_RATE_LIMIT,
  PROP_RATE_BURST,
  PROP_RATE_LIMIT_LOOPBACK,
  PROP_IDLE_TIMEOUT,
  PROP_BODY_TIMEOUT,
  PROP_WITNESSES,
  PROP_WITNESS_QUORUM,
  PROP_WITNESS_TIMEOUT_MS,
  PROP_SERVING_THREADS,
  PROP_SHUTDOWN_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Integer settings: key file group and key, and their allowed range. */
static const struct {
  guint prop_id;
  const char *group;
  const char *key;
} uint_settings[] = {
  { PROP_BATCH_INTERVAL_MS, GROUP_SEQUENCER, "batch-interval-ms" },
  { PROP_BATCH_MAX_SIZE, GROUP_SEQUENCER, "batch-max-size" },
  { PROP_MAX_BODY_SIZE, GROUP_LIMITS, "max-body-size" },
  { PROP_MAX_SEARCH_RESULTS, GROUP_LIMITS, "max-search-results" },
  { PROP_MAX_QUERY_LENGTH, GROUP_LIMITS, "max-query-length" },
  { PROP_RATE_LIMIT, GROUP_LIMITS, "rate-limit" },
  { PROP_RATE_BURST, GROUP_LIMITS, "rate-burst" },
  { PROP_RATE_LIMIT_LOOPBACK, GROUP_LIMITS, "rate-limit-loopback" },
  { PROP_IDLE_TIMEOUT, GROUP_LIMITS, "idle-timeout" },
  { PROP_BODY_TIMEOUT, GROUP_LIMITS, "body-timeout" },
  { PROP_WITNESS_QUORUM, GROUP_WITNESSES, "quorum" },
  { PROP_WITNESS_TIMEOUT_MS, GROUP_WITNESSES, "timeout-ms" },
  { PROP_SERVING_THREADS, GROUP_NODE, "serving-threads" },
  { PROP_SHUTDOWN_TIMEOUT, GROUP_NODE, "shutdown-timeout" },
};

static const struct {
  guint prop_id;
  const char *group;
  const char *key;
} file_settings[] = {
  { PROP_LOG_KEY_FILE, GROUP_NODE, "log-key" },
  { PROP_DATABASE_FILE, GROUP_NODE, "database" },
  { PROP_TLS_CERTIFICATE_FILE, GROUP_TLS, "certificate" },
  { PROP_TLS_KEY_FILE, GROUP_TLS, "key" },
};

G_DEFINE_QUARK (cw-node-config-error-quark, cw_node_config_error)

static void
cw_node_config_finalize (GObject *object)
{
  CwNodeConfig *self = (CwNodeConfig *)object;

  g_clear_pointer (&self->base_dir, g_free);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->listen, g_free);
  g_clear_pointer (&self->log_key_file, g_free);
  g_clear_pointer (&self->database_file, g_free);
  g_clear_pointer (&self->tls_certificate_file, g_free);
  g_clear_pointer (&self->tls_key_file, g_free);
  g_clear_pointer (&self->witnesses, g_strfreev);

  G_OBJECT_CLASS (cw_node_config_parent_class)->finalize (object);
}

static char **
string_field (CwNodeConfig *self,
              guint         prop_id)
{
  switch (prop_id)
    {
    case PROP_BASE_DIR: return &self->base_dir;
    case PROP_ORIGIN: return &self->origin;
    case PROP_LISTEN: return &self->listen;
    case PROP_LOG_KEY_FILE: return &self->log_key_file;
    case PROP_DATABASE_FILE: return &self->database_file;
    case PROP_TLS_CERTIFICATE_FILE: return &self->tls_certificate_file;
    case PROP_TLS_KEY_FILE: return &self->tls_key_file;
    default: return NULL;
    }
}

static guint *
uint_field (CwNodeConfig *self,
            guint         prop_id)
{
  switch (prop_id)
    {
    case PROP_BATCH_INTERVAL_MS: return &self->batch_interval_ms;
    case PROP_BATCH_MAX_SIZE: return &self->batch_max_size;
    case PROP_MAX_BODY_SIZE: return &self->max_body_size;
    case PROP_MAX_SEARCH_RESULTS: return &self->max_search_results;
    case PROP_MAX_QUERY_LENGTH: return &self->max_query_length;
    case PROP_RATE_LIMIT: return &self->rate_limit;
    case PROP_RATE_BURST: return &self->rate_burst;
    case PROP_RATE_LIMIT_LOOPBACK: return &self->rate_limit_loopback;
    case PROP_IDLE_TIMEOUT: return &self->idle_timeout;
    case PROP_BODY_TIMEOUT: return &self->body_timeout;
    case PROP_WITNESS_QUORUM: return &self->witness_quorum;
    case PROP_WITNESS_TIMEOUT_MS: return &self->witness_timeout_ms;
    case PROP_SERVING_THREADS: return &self->serving_threads;
    case PROP_SHUTDOWN_TIMEOUT: return &self->shutdown_timeout;
    default: return NULL;
    }
}

static void
cw_node_config_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwNodeConfig *self = CW_NODE_CONFIG (object);
  char **str;
  guint *num;

  if ((str = string_field (self, prop_id)) != NULL)
    g_value_set_string (value, *str);
  else if ((num = uint_field (self, prop_id)) != NULL)
    g_value_set_uint (value, *num);
  else if (prop_id == PROP_WITNESSES)
    g_value_set_boxed (value, self->witnesses);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
cw_node_config_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CwNodeConfig *self = CW_NODE_CONFIG (object);
  char **str;
  guint *num;

  if ((str = string_field (self, prop_id)) != NULL)
    {
      if (g_strcmp0 (*str, g_value_get_string (value)) != 0)
        {
          g_free (*str);
          *str = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else if ((num = uint_field (self, prop_id)) != NULL)
    {
      if (*num != g_value_get_uint (value))
        {
          *num = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else if (prop_id == PROP_WITNESSES)
    {
      g_strfreev (self->witnesses);
      self->witnesses = g_value_dup_boxed (value);
      if (self->witnesses == NULL)
        self->witnesses = g_new0 (char *, 1);
      g_object_notify_by_pspec (object, pspec);
    }
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
cw_node_config_class_init (CwNodeConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ctor = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cw_node_config_finalize;
  object_class->get_property = cw_node_config_get_property;
  object_class->set_property = cw_node_config_set_property;

  properties[PROP_BASE_DIR] =
    g_param_spec_string ("base-dir", NULL, "Directory relative file names are resolved against",
                         NULL, ctor);
  properties[PROP_ORIGIN] =
    g_param_spec_string ("origin", NULL, "Log origin, also the log key's name",
                         NULL, ctor);
  properties[PROP_LISTEN] =
    g_param_spec_string ("listen", NULL, "Address and port to listen on",
                         CW_NODE_CONFIG_DEFAULT_LISTEN, rw);
  properties[PROP_LOG_KEY_FILE] =
    g_param_spec_string ("log-key-file", NULL, "Log signer key file",
                         "log.key", rw);
  properties[PROP_DATABASE_FILE] =
    g_param_spec_string ("database-file", NULL, "SQLite database file",
                         "node.db", rw);
  properties[PROP_TLS_CERTIFICATE_FILE] =
    g_param_spec_string ("tls-certificate-file", NULL, "PEM certificate file",
                         "tls-cert.pem", rw);
  properties[PROP_TLS_KEY_FILE] =
    g_param_spec_string ("tls-key-file", NULL, "PEM private key file",
                         "tls-key.pem", rw);
  properties[PROP_BATCH_INTERVAL_MS] =
    g_param_spec_uint ("batch-interval-ms", NULL, "Longest wait before a batch is committed",
                       1, 10000, 5, rw);
  properties[PROP_BATCH_MAX_SIZE] =
    g_param_spec_uint ("batch-max-size", NULL, "Most transactions in one batch",
                       1, 1000000, 4096, rw);
  properties[PROP_MAX_BODY_SIZE] =
    g_param_spec_uint ("max-body-size", NULL, "Largest request body accepted, in bytes",
                       1024, 16 * 1024 * 1024, 64 * 1024, rw);
  properties[PROP_MAX_SEARCH_RESULTS] =
    g_param_spec_uint ("max-search-results", NULL, "Most providers one search returns",
                       1, 1000, 50, rw);
  properties[PROP_MAX_QUERY_LENGTH] =
    g_param_spec_uint ("max-query-length", NULL, "Longest search query, in characters",
                       1, 1024, 128, rw);
  /* Generous for one wallet; loopback (local tools, tests, benchmarks) is
   * exempt unless rate-limit-loopback is 1. */
  properties[PROP_RATE_LIMIT] =
    g_param_spec_uint ("rate-limit", NULL, "Requests per second per client address, 0 for none",
                       0, 1000000, 50, rw);
  properties[PROP_RATE_BURST] =
    g_param_spec_uint ("rate-burst", NULL, "Requests a client address may make at once",
                       1, 1000000, 200, rw);
  properties[PROP_RATE_LIMIT_LOOPBACK] =
    g_param_spec_uint ("rate-limit-loopback", NULL, "1 to rate-limit loopback clients too",
                       0, 1, 0, rw);
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL,
                       "Seconds a connection may take to deliver a request's head, idle time included",
                       1, 3600, 30, rw);
  properties[PROP_BODY_TIMEOUT] =
    g_param_spec_uint ("body-timeout", NULL, "Seconds a client may take to send a request body",
                       1, 3600, 60, rw);
  properties[PROP_WITNESSES] =
    g_param_spec_boxed ("witnesses", NULL, "Witnesses, one “<verifier key> <URL> <TLS pin>” each",
                        G_TYPE_STRV, rw);
  properties[PROP_WITNESS_QUORUM] =
    g_param_spec_uint ("witness-quorum", NULL, "Cosignatures required per checkpoint",
                       0, 64, 0, rw);
  /* A witness that is down delays each batch by at most this much. */
  properties[PROP_WITNESS_TIMEOUT_MS] =
    g_param_spec_uint ("witness-timeout-ms", NULL, "Longest wait for witnesses per checkpoint",
                       1, 600000, 10000, rw);
  /* Each serving thread runs its own SoupServer on a SO_REUSEPORT socket. */
  properties[PROP_SERVING_THREADS] =
    g_param_spec_uint ("serving-threads", NULL, "Threads that serve HTTPS requests",
                       1, 64, 1, rw);
  /* On SIGTERM: how long the answers of requests in progress may take
   * before their connections are closed anyway (cw-node-drain.h). */
  properties[PROP_SHUTDOWN_TIMEOUT] =
    g_param_spec_uint ("shutdown-timeout", NULL,
                       "Seconds a stopping node waits for the answers in progress",
                       1, 3600, 30, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_config_init (CwNodeConfig *self)
{
  self->witnesses = g_new0 (char *, 1);
}

CwNodeConfig *
cw_node_config_new (const char *base_dir,
                    const char *origin)
{
  g_return_val_if_fail (base_dir != NULL, NULL);

  return g_object_new (CW_TYPE_NODE_CONFIG,
                       "base-dir", base_dir,
                       "origin", origin,
                       NULL);
}

GSocketAddress *
cw_node_config_parse_listen (const char  *listen,
                             GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  const char *colon;
  guint64 port;

  if (listen == NULL || (colon = strrchr (listen, ':')) == NULL)
    goto invalid;

  if (listen[0] == '[')
    {
      if (colon == listen || colon[-1] != ']')
        goto invalid;
      host = g_strndup (listen + 1, colon - listen - 2);
    }
  else
    {
      host = g_strndup (listen, colon - listen);
      /* A bare IPv6 address has more colons; it needs brackets. */
      if (strchr (host, ':') != NULL)
        goto invalid;
    }

  address = g_inet_address_new_from_string (host);
  if (address == NULL || !cw_parse_uint64 (colon + 1, -1, &port) || port > 65535)
    goto invalid;

  return g_inet_socket_address_new (address, (guint16) port);

invalid:
  g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
               "Invalid listen address “%s”: expected an IP address and port, "
               "such as 127.0.0.1:8443 or [::1]:8443",
               listen != NULL ? listen : "");
  return NULL;
}

static gboolean
validate (CwNodeConfig  *self,
          GError       **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  guint n_witnesses;

  if (self->origin == NULL || !cw_key_name_is_valid (self->origin) ||
      strlen (self->origin) > MAX_ORIGIN_LENGTH)
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "Invalid origin “%s”: it must be 1–%d bytes of UTF-8 without "
                   "spaces, control characters or “+”, such as consent.example.org/log",
                   self->origin != NULL ? self->origin : "", MAX_ORIGIN_LENGTH);
      return FALSE;
    }

  address = cw_node_config_parse_listen (self->listen, error);
  if (address == NULL)
    return FALSE;

  n_witnesses = g_strv_length (self->witnesses);
  if (self->witness_quorum > n_witnesses)
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                   "The witness quorum (%u) is larger than the number of witnesses (%u)",
                   self->witness_quorum, n_witnesses);
      return FALSE;
    }

  return TRUE;
}

CwNodeConfig *
cw_node_config_load (const char  *path,
                     const char  *base_dir,
                     GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(CwNodeConfig) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *listen = NULL;
  GObjectClass *klass;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (base_dir != NULL, NULL);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_IO,
                   "Could not read the configuration “%s”: %s", path, local_error->message);
      return NULL;
    }

  origin = g_key_file_get_string (key_file, GROUP_NODE, "origin", NULL);
  self = cw_node_config_new (base_dir, origin);
  klass = G_OBJECT_GET_CLASS (self);

  listen = g_key_file_get_string (key_file, GROUP_NODE, "listen", NULL);
  if (listen != NULL)
    cw_node_config_set_listen (self, listen);

  for (guint i = 0; i < G_N_ELEMENTS (file_settings); i++)
    {
      g_autofree char *value = g_key_file_get_string (key_file, file_settings[i].group,
                                                      file_settings[i].key, NULL);

      if (value == NULL)
        continue;
      if (*value == '\0')
        {
          g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                       "%s: [%s] %s is empty", path, file_settings[i].group, file_settings[i].key);
          return NULL;
        }
      g_object_set (self, properties[file_settings[i].prop_id]->name, value, NULL);
    }

  for (guint i = 0; i < G_N_ELEMENTS (uint_settings); i++)
    {
      GParamSpecUInt *pspec;
      guint64 value;
      g_autofree char *text = g_key_file_get_value (key_file, uint_settings[i].group,
                                                    uint_settings[i].key, NULL);

      if (text == NULL)
        continue;

      pspec = G_PARAM_SPEC_UINT (g_object_class_find_property (klass,
                                   properties[uint_settings[i].prop_id]->name));
      g_strstrip (text);
      if (!cw_parse_uint64 (text, -1, &value) ||
          value < pspec->minimum || value > pspec->maximum)
        {
          g_set_error (error, CW_NODE_CONFIG_ERROR, CW_NODE_CONFIG_ERROR_INVALID,
                       "%s: [%s] %s must be a whole number from %u to %u, not “%s”",
                       path, uint_settings[i].group, uint_settings[i].key,
                       pspec->minimum, pspec->maximum, text);
          return NULL;
        }
      g_object_set (self, properties[uint_settings[i].prop_id]->name, (guint) value, NULL);
    }

  if (g_key_file_has_key (key_file, GROUP_WITNESSES, "witnesses", NULL))
    {
      g_auto(GStrv) witnesses = g_key_file_get_string_list (key_file, GROUP_WITNESSES,
                                                            "witnesses", NULL, NULL);

      g_object_set (self, "witnesses", witnesses, NULL);
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
cw_node_config_save (CwNodeConfig  *self,
                     const char    *path,
                     GError       **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), FALSE);

  if (!validate (self, error))
    return FALSE;

  g_key_file_set_comment (key_file, NULL, NULL,
                          " consent-node configuration. Relative file names are\n"
                          " resolved against the directory of this file.", NULL);
  g_key_file_set_string (key_file, GROUP_NODE, "origin", self->origin);
  g_key_file_set_string (key_file, GROUP_NODE, "listen", self->listen);

  for (guint i = 0; i < G_N_ELEMENTS (file_settings); i++)
    {
      const char *value = *string_field (self, file_settings[i].prop_id);

      g_key_file_set_string (key_file, file_settings[i].group, file_settings[i].key, value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (uint_settings); i++)
    g_key_file_set_uint64 (key_file, uint_settings[i].group, uint_settings[i].key,
                           *uint_field (self, uint_settings[i].prop_id));

  g_key_file_set_string_list (key_file, GROUP_WITNESSES, "witnesses",
                              (const char * const *) self->witnesses,
                              g_strv_length (self->witnesses));
  g_key_file_set_comment (key_file, GROUP_WITNESSES, "witnesses",
                          " Witnesses, “<verifier key> <URL> <TLS pin>” separated by “;”\n"
                          " (add them with `consent-node witness node-add`).", NULL);

  data = g_key_file_to_data (key_file, &len, NULL);

  if (!cw_node_secret_file_write (path, data, len, error))
    return FALSE;

  return TRUE;
}

static char *
resolve (CwNodeConfig *self,
         const char   *file)
{
  return g_canonicalize_filename (file, self->base_dir);
}

const char *
cw_node_config_get_base_dir (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return self->base_dir;
}

const char *
cw_node_config_get_origin (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return self->origin;
}

const char *
cw_node_config_get_listen (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return self->listen;
}

void
cw_node_config_set_listen (CwNodeConfig *self,
                           const char   *listen)
{
  g_return_if_fail (CW_IS_NODE_CONFIG (self));
  g_object_set (self, "listen", listen, NULL);
}

void
cw_node_config_set_tls_files (CwNodeConfig *self,
                              const char   *certificate,
                              const char   *key)
{
  g_return_if_fail (CW_IS_NODE_CONFIG (self));
  g_object_set (self,
                "tls-certificate-file", certificate,
                "tls-key-file", key,
                NULL);
}

char *
cw_node_config_get_log_key_path (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return resolve (self, self->log_key_file);
}

char *
cw_node_config_get_database_path (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return resolve (self, self->database_file);
}

char *
cw_node_config_get_tls_cert_path (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return resolve (self, self->tls_certificate_file);
}

char *
cw_node_config_get_tls_key_path (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return resolve (self, self->tls_key_file);
}

guint
cw_node_config_get_batch_interval_ms (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->batch_interval_ms;
}

guint
cw_node_config_get_batch_max_size (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->batch_max_size;
}

gsize
cw_node_config_get_max_body_size (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->max_body_size;
}

guint
cw_node_config_get_max_search_results (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->max_search_results;
}

guint
cw_node_config_get_max_query_length (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->max_query_length;
}

const char * const *
cw_node_config_get_witnesses (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), NULL);
  return (const char * const *) self->witnesses;
}

guint
cw_node_config_get_witness_quorum (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->witness_quorum;
}

guint
cw_node_config_get_witness_timeout_ms (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->witness_timeout_ms;
}

guint
cw_node_config_get_rate_limit (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->rate_limit;
}

guint
cw_node_config_get_rate_burst (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->rate_burst;
}

gboolean
cw_node_config_get_rate_limit_loopback (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), FALSE);
  return self->rate_limit_loopback != 0;
}

guint
cw_node_config_get_idle_timeout (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->idle_timeout;
}

guint
cw_node_config_get_body_timeout (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 0);
  return self->body_timeout;
}

guint
cw_node_config_get_serving_threads (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 1);
  return self->serving_threads;
}

guint
cw_node_config_get_shutdown_timeout (CwNodeConfig *self)
{
  g_return_val_if_fail (CW_IS_NODE_CONFIG (self), 10);
  return self->shutdown_timeout;
}
