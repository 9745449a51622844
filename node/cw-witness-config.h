/* cw-witness-config.h: a witness's settings (c2sp.org/tlog-witness), kept
 * in a GKeyFile in its directory. Errors are in CW_NODE_CONFIG_ERROR. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CW_WITNESS_CONFIG_FILE "witness.conf"
#define CW_WITNESS_CONFIG_DEFAULT_LISTEN "127.0.0.1:8444"

#define CW_TYPE_WITNESS_CONFIG (cw_witness_config_get_type ())

G_DECLARE_FINAL_TYPE (CwWitnessConfig, cw_witness_config, CW, WITNESS_CONFIG, GObject)

/* Defaults, with relative file names resolved against @base_dir. */
CwWitnessConfig *cw_witness_config_new               (const char       *base_dir,
                                                      const char       *name);
CwWitnessConfig *cw_witness_config_load              (const char       *path,
                                                      const char       *base_dir,
                                                      GError          **error);
/* Writes the file with mode 0600; fails if it exists. */
gboolean         cw_witness_config_save              (CwWitnessConfig  *self,
                                                      const char       *path,
                                                      GError          **error);

/* The witness's name, also its cosignature key's name. */
const char      *cw_witness_config_get_name          (CwWitnessConfig  *self);
const char      *cw_witness_config_get_listen        (CwWitnessConfig  *self);
void             cw_witness_config_set_listen        (CwWitnessConfig  *self,
                                                      const char       *listen);
gsize            cw_witness_config_get_max_body_size (CwWitnessConfig  *self);
char            *cw_witness_config_get_key_path      (CwWitnessConfig  *self);
char            *cw_witness_config_get_database_path (CwWitnessConfig  *self);
char            *cw_witness_config_get_tls_cert_path (CwWitnessConfig  *self);
char            *cw_witness_config_get_tls_key_path  (CwWitnessConfig  *self);

G_END_DECLS
