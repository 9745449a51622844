/* cw-node-witness-set.h: rotating a consortium's witnesses (PROTOCOL.md §4
 * "Witness sets"): the published set's place in the node directory and
 * the admin commands `consent-node witness-set propose|publish` and
 * `consent-node witness sign-set`. */
#pragma once

#include "cw-node-config.h"

G_BEGIN_DECLS

#define CW_NODE_WITNESS_SET_FILE "witness-set.note"

/* Where the node keeps the published set: in its data directory. The
 * file is only ever replaced whole (rename), so a reader sees the old or
 * the new note, never a mix. */
char *cw_node_witness_set_path      (CwNodeConfig  *config);

/* A stamp of the published set's file (%NULL when there is none), cheap
 * enough for the running node to take before every checkpoint: a new
 * stamp means a set was published. */
char *cw_node_witness_set_dup_stamp (CwNodeConfig  *config);
/* The witnesses node.conf lists now, re-read from disk (publish rewrote
 * them), and their quorum. */
CwNodeConfig *cw_node_witness_set_reload_config (CwNodeConfig  *config,
                                                 GError       **error);

/* `consent-node witness-set ...` */
int   cw_node_admin_witness_set     (const char    *prog,
                                     int            argc,
                                     char         **argv);
/* `consent-node witness sign-set`: on a witness directory. */
int   cw_witness_admin_sign_set     (const char    *prog,
                                     int            argc,
                                     char         **argv);

G_END_DECLS
