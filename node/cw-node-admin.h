/* cw-node-admin.h: the consent-node command line: init, serve, provider,
 * invite, status and witness. */
#pragma once

#include <glib.h>

#include "cw-node-cli.h"

G_BEGIN_DECLS

/* Runs the subcommand in @argv[1] and returns the process exit status. */
int cw_node_admin_main (int    argc,
                        char **argv);

/* `consent-node invite` (cw-node-admin-invite.c). */
int cw_node_admin_invite (const char  *prog,
                          int          argc,
                          char       **argv);

G_END_DECLS
