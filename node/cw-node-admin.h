/* cw-node-admin.h: the consent-node command line: init, serve, provider,
 * invite, status and witness. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses. */
#define CW_NODE_EXIT_OK 0
#define CW_NODE_EXIT_FAILURE 1
#define CW_NODE_EXIT_USAGE 2

/* Runs the subcommand in @argv[1] and returns the process exit status. */
int cw_node_admin_main (int    argc,
                        char **argv);

G_END_DECLS
