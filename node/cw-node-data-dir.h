/* cw-node-data-dir.h: a node's data directory: creating it (config, log
 * key, TLS identity, database) and opening it again. */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"
#include "cw-node-config.h"
#include "cw-node-store.h"

G_BEGIN_DECLS

#define CW_NODE_DATA_DIR_ERROR (cw_node_data_dir_error_quark ())

typedef enum {
  CW_NODE_DATA_DIR_ERROR_EXISTS,      /* refusing to overwrite */
  CW_NODE_DATA_DIR_ERROR_NOT_FOUND,   /* not a node directory */
  CW_NODE_DATA_DIR_ERROR_MISMATCH,    /* config and database disagree */
  CW_NODE_DATA_DIR_ERROR_IO,
} CwNodeDataDirError;

#define CW_NODE_DATA_DIR_CONFIG_FILE "node.conf"

#define CW_TYPE_NODE_DATA_DIR (cw_node_data_dir_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeDataDir, cw_node_data_dir, CW, NODE_DATA_DIR, GObject)

GQuark         cw_node_data_dir_error_quark     (void);

/* Creates @path (mode 0700; an existing empty directory is taken over),
 * the log signer key named @origin, a self-signed certificate unless
 * @cert_file and @key_file are given, the config and the database with the
 * signed checkpoint of the empty log. Refuses a non-empty directory. On
 * failure, whatever it created is removed again. */
CwNodeDataDir *cw_node_data_dir_create          (const char     *path,
                                                 const char     *origin,
                                                 const char     *listen,
                                                 const char     *cert_file,
                                                 const char     *key_file,
                                                 GError        **error);
CwNodeDataDir *cw_node_data_dir_open            (const char     *path,
                                                 GError        **error);

const char    *cw_node_data_dir_get_path        (CwNodeDataDir  *self);
CwNodeConfig  *cw_node_data_dir_get_config      (CwNodeDataDir  *self);
CwNodeStore   *cw_node_data_dir_get_store       (CwNodeDataDir  *self);

CwSigningKey  *cw_node_data_dir_load_log_key    (CwNodeDataDir  *self,
                                                 GError        **error);
char          *cw_node_data_dir_compute_tls_pin (CwNodeDataDir  *self,
                                                 GError        **error);

/* Shared by node and witness directories: takes over an empty existing
 * directory at @path (made private, 0700) or creates it; @out_created
 * says which, so that a failed setup can undo only what it made. */
gboolean       cw_node_data_dir_make_private    (const char     *path,
                                                 gboolean       *out_created,
                                                 GError        **error);
/* Removes @files (with their SQLite -wal/-shm companions) and, if
 * @dir_created, the directory itself. */
void           cw_node_data_dir_remove_created  (const char     *dir_path,
                                                 gboolean        dir_created,
                                                 GPtrArray      *files);

G_END_DECLS
