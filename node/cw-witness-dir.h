/* cw-witness-dir.h: a witness's directory (c2sp.org/tlog-witness): its
 * cosignature key, TLS identity, configuration and database. Errors are in
 * CW_NODE_DATA_DIR_ERROR and the domains of the parts. */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"
#include "cw-witness-config.h"
#include "cw-witness-store.h"

G_BEGIN_DECLS

#define CW_TYPE_WITNESS_DIR (cw_witness_dir_get_type ())

G_DECLARE_FINAL_TYPE (CwWitnessDir, cw_witness_dir, CW, WITNESS_DIR, GObject)

/* Creates @path (mode 0700; an existing empty directory is taken over), a
 * cosignature/v1 key (type 0x04) named @name in a 0600 file, a self-signed
 * certificate, the config and the database. On failure, whatever it
 * created is removed again. */
CwWitnessDir    *cw_witness_dir_create       (const char     *path,
                                              const char     *name,
                                              const char     *listen,
                                              GError        **error);
CwWitnessDir    *cw_witness_dir_open         (const char     *path,
                                              GError        **error);

const char      *cw_witness_dir_get_path     (CwWitnessDir   *self);
CwWitnessConfig *cw_witness_dir_get_config   (CwWitnessDir   *self);
CwWitnessStore  *cw_witness_dir_get_store    (CwWitnessDir   *self);
/* The cosignature key; checked to be type 0x04 and named as configured. */
CwSigningKey    *cw_witness_dir_load_key     (CwWitnessDir   *self,
                                              GError        **error);
char            *cw_witness_dir_compute_pin  (CwWitnessDir   *self,
                                              GError        **error);

G_END_DECLS
