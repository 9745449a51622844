/* cw-witness-admin.h: the `consent-node witness` commands: running a
 * c2sp.org/tlog-witness witness (init, add-log, serve, status) and
 * configuring a node's witnesses (node-add), signing a witness set
 * (sign-set, cw-node-witness-set.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs the witness subcommand in @argv[1] (@argv[0] is "witness") and
 * returns the process exit status (CW_NODE_EXIT_*). */
int cw_witness_admin_main (const char  *prog,
                           int          argc,
                           char       **argv);

G_END_DECLS
