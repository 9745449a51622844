/* cw-node-cli.c: what every consent-node subcommand shares. */
#include "config.h"

#include <stdio.h>

#include "cw-node-cli.h"

int
cw_node_cli_fail (const char   *prog,
                  const GError *error)
{
  g_printerr ("%s: %s\n", prog, error->message);
  return CW_NODE_EXIT_FAILURE;
}

int
cw_node_cli_usage_error (const char *prog,
                         const char *message)
{
  g_printerr ("%s: %s\nRun “%s --help” for usage.\n", prog, message, prog);
  return CW_NODE_EXIT_USAGE;
}

gboolean
cw_node_cli_parse (GOptionContext   *context,
                   const char       *prog,
                   int              *argc,
                   char           ***argv,
                   int              *out_status)
{
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (context, TRUE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *out_status = cw_node_cli_usage_error (prog, error->message);
      return FALSE;
    }

  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf ("Unexpected argument “%s”", (*argv)[1]);

      *out_status = cw_node_cli_usage_error (prog, message);
      return FALSE;
    }

  return TRUE;
}

static void
print_commands (FILE                   *out,
                const char             *prog,
                const CwNodeCliCommand *commands,
                gsize                   n_commands)
{
  fprintf (out, "Usage:\n  %s COMMAND [OPTION…]\n\nCommands:\n", prog);
  for (gsize i = 0; i < n_commands; i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun “%s COMMAND --help” for a command's options.\n", prog);
}

int
cw_node_cli_run (const char             *prog,
                 const CwNodeCliCommand *commands,
                 gsize                   n_commands,
                 int                     argc,
                 char                  **argv)
{
  if (argc < 2)
    {
      print_commands (stderr, prog, commands, n_commands);
      return CW_NODE_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_commands (stdout, prog, commands, n_commands);
      return CW_NODE_EXIT_OK;
    }

  for (gsize i = 0; i < n_commands; i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          g_autofree char *sub_prog = g_strdup_printf ("%s %s", prog, commands[i].name);

          /* For the "Usage:" line of --help. */
          g_set_prgname (sub_prog);

          return commands[i].func (sub_prog, argc - 1, argv + 1);
        }
    }

  g_printerr ("%s: unknown command “%s”\n", prog, argv[1]);
  print_commands (stderr, prog, commands, n_commands);

  return CW_NODE_EXIT_USAGE;
}

gboolean
cw_node_cli_quit_signal_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  /* The caller removes the source once the loop is done. */
  return G_SOURCE_CONTINUE;
}
