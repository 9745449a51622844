/* cw-node-config.h: the node's settings, kept in a GKeyFile in its data
 * directory. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CW_NODE_CONFIG_ERROR (cw_node_config_error_quark ())

typedef enum {
  CW_NODE_CONFIG_ERROR_INVALID,   /* a value is missing or out of range */
  CW_NODE_CONFIG_ERROR_IO,        /* the file could not be read or written */
} CwNodeConfigError;

#define CW_NODE_CONFIG_DEFAULT_LISTEN "127.0.0.1:8443"

#define CW_TYPE_NODE_CONFIG (cw_node_config_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeConfig, cw_node_config, CW, NODE_CONFIG, GObject)

GQuark              cw_node_config_error_quark         (void);

/* Defaults, with relative file names resolved against @base_dir. */
CwNodeConfig       *cw_node_config_new                 (const char     *base_dir,
                                                        const char     *origin);
CwNodeConfig       *cw_node_config_load                (const char     *path,
                                                        const char     *base_dir,
                                                        GError        **error);
/* Writes the file with mode 0600; fails if it exists. */
gboolean            cw_node_config_save                (CwNodeConfig   *self,
                                                        const char     *path,
                                                        GError        **error);

const char         *cw_node_config_get_base_dir        (CwNodeConfig   *self);
const char         *cw_node_config_get_origin          (CwNodeConfig   *self);
const char         *cw_node_config_get_listen          (CwNodeConfig   *self);
void                cw_node_config_set_listen          (CwNodeConfig   *self,
                                                        const char     *listen);
/* File settings as written, and resolved against the base directory. */
void                cw_node_config_set_tls_files       (CwNodeConfig   *self,
                                                        const char     *certificate,
                                                        const char     *key);
char               *cw_node_config_get_log_key_path    (CwNodeConfig   *self);
char               *cw_node_config_get_database_path   (CwNodeConfig   *self);
char               *cw_node_config_get_tls_cert_path   (CwNodeConfig   *self);
char               *cw_node_config_get_tls_key_path    (CwNodeConfig   *self);

guint               cw_node_config_get_batch_interval_ms (CwNodeConfig *self);
guint               cw_node_config_get_batch_max_size  (CwNodeConfig   *self);
gsize               cw_node_config_get_max_body_size   (CwNodeConfig   *self);
guint               cw_node_config_get_max_search_results (CwNodeConfig *self);
guint               cw_node_config_get_max_query_length (CwNodeConfig  *self);
/* [limits] rate-limit, rate-burst, rate-limit-loopback, idle-timeout and
 * body-timeout (cw-node-limits.h). */
guint               cw_node_config_get_rate_limit      (CwNodeConfig   *self);
guint               cw_node_config_get_rate_burst      (CwNodeConfig   *self);
gboolean            cw_node_config_get_rate_limit_loopback (CwNodeConfig *self);
guint               cw_node_config_get_idle_timeout    (CwNodeConfig   *self);
guint               cw_node_config_get_body_timeout    (CwNodeConfig   *self);
/* Entries "<verifier key> <URL> <TLS pin>", parsed by cw-witness-pool. */
const char * const *cw_node_config_get_witnesses       (CwNodeConfig   *self);
guint               cw_node_config_get_witness_quorum  (CwNodeConfig   *self);
/* How long each checkpoint waits for its cosignatures: [witnesses] timeout-ms. */
guint               cw_node_config_get_witness_timeout_ms (CwNodeConfig *self);
/* [node] serving-threads: SoupServers, each on its own thread. */
guint               cw_node_config_get_serving_threads (CwNodeConfig   *self);
/* [node] shutdown-timeout: seconds a stopping node waits for the answers
 * of requests in progress. */
guint               cw_node_config_get_shutdown_timeout (CwNodeConfig  *self);

/* Parses "<IPv4>:<port>" or "[<IPv6>]:<port>" (an address, not a host name;
 * port 0 asks for an ephemeral port). */
GSocketAddress     *cw_node_config_parse_listen        (const char     *listen,
                                                        GError        **error);

G_END_DECLS
