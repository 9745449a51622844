/* cw-node-secret-file.h: creating and reading files only their owner may
 * read (the log key, provider keys, the TLS key). */
#pragma once

#include <glib.h>

#include "cw-key.h"

G_BEGIN_DECLS

#define CW_NODE_SECRET_FILE_ERROR (cw_node_secret_file_error_quark ())

typedef enum {
  CW_NODE_SECRET_FILE_ERROR_EXISTS,       /* refusing to overwrite */
  CW_NODE_SECRET_FILE_ERROR_IO,           /* could not read or write */
  CW_NODE_SECRET_FILE_ERROR_PERMISSIONS,  /* group or others may read it */
  CW_NODE_SECRET_FILE_ERROR_INVALID,      /* not a key file */
} CwNodeSecretFileError;

GQuark        cw_node_secret_file_error_quark (void);

/* Creates @path with mode 0600 (never replacing a file), writes @data and
 * syncs it to disk. On failure nothing is left behind. */
gboolean      cw_node_secret_file_write       (const char    *path,
                                               const void    *data,
                                               gsize          len,
                                               GError       **error);

/* Writes @key in Go's "PRIVATE+KEY+..." form, as above. */
gboolean      cw_node_secret_file_write_key   (const char    *path,
                                               CwSigningKey  *key,
                                               GError       **error);

/* Reads a signer key written by _write_key(). Refuses files that group or
 * others can read or write. */
CwSigningKey *cw_node_secret_file_read_key    (const char    *path,
                                               GError       **error);

G_END_DECLS
