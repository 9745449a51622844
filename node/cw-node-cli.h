/* cw-node-cli.h: what every consent-node subcommand shares: exit statuses,
 * error printing, option parsing and dispatch to a table of commands. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses. */
#define CW_NODE_EXIT_OK 0
#define CW_NODE_EXIT_FAILURE 1
#define CW_NODE_EXIT_USAGE 2

typedef int (*CwNodeCliFunc) (const char  *prog,
                              int          argc,
                              char       **argv);

typedef struct
{
  const char *name;
  CwNodeCliFunc func;
  const char *summary;
} CwNodeCliCommand;

/* Print "@prog: message" (plus a --help hint for usage errors) and return
 * the matching exit status. */
int      cw_node_cli_fail          (const char              *prog,
                                    const GError            *error);
int      cw_node_cli_usage_error   (const char              *prog,
                                    const char              *message);

/* Parses options; on failure prints the error, sets @out_status and returns
 * FALSE. Extra positional arguments are refused too. */
gboolean cw_node_cli_parse         (GOptionContext          *context,
                                    const char              *prog,
                                    int                     *argc,
                                    char                  ***argv,
                                    int                     *out_status);

/* Runs the command named by @argv[1] from @commands, or prints the list. */
int      cw_node_cli_run           (const char              *prog,
                                    const CwNodeCliCommand  *commands,
                                    gsize                    n_commands,
                                    int                      argc,
                                    char                   **argv);

/* A g_unix_signal_add() callback that quits the GMainLoop in @user_data. */
gboolean cw_node_cli_quit_signal_cb (gpointer                user_data);

G_END_DECLS
