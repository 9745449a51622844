/* main.c: entry point of consent-node, the consortium node and its admin
 * tool. */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cw-node-admin.h"

/* The process holds the log key: it must never end up in a core file or be
 * readable through ptrace by other processes of the same user. */
static void
harden_process (void)
{
  const struct rlimit no_core = { 0, 0 };

  if (setrlimit (RLIMIT_CORE, &no_core) != 0)
    perror ("consent-node: setrlimit(RLIMIT_CORE)");
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    perror ("consent-node: prctl(PR_SET_DUMPABLE)");

  /* Everything the node writes is private unless made otherwise. */
  umask (077);

  /* A peer closing its socket must not kill the server. */
  signal (SIGPIPE, SIG_IGN);
}

int
main (int   argc,
      char *argv[])
{
  harden_process ();
  setlocale (LC_ALL, "");
  /* The node's answers and logs are read by wallets and operators
   * everywhere: its messages stay in English whatever the language of
   * the account it runs under (core's messages are translatable for the
   * wallet). */
  setlocale (LC_MESSAGES, "C");

  if (sodium_init () < 0)
    {
      fprintf (stderr, "consent-node: libsodium could not be initialized\n");
      return CW_NODE_EXIT_FAILURE;
    }

  return cw_node_admin_main (argc, argv);
}
