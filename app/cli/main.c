/* main.c: entry point of consent-wallet-cli, the command-line wallet. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cw-cli.h"

/* The process holds the identity key while it signs: it must never end up
 * in a core file or be readable through ptrace by other processes. */
static void
harden_process (void)
{
  const struct rlimit no_core = { 0, 0 };

  if (setrlimit (RLIMIT_CORE, &no_core) != 0)
    perror ("consent-wallet-cli: setrlimit(RLIMIT_CORE)");
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    perror ("consent-wallet-cli: prctl(PR_SET_DUMPABLE)");

  /* Backups, exports and the wallet are private unless made otherwise. */
  umask (077);
}

int
main (int   argc,
      char *argv[])
{
  harden_process ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (sodium_init () < 0)
    {
      fprintf (stderr, "consent-wallet-cli: libsodium could not be initialized\n");
      return CW_CLI_EXIT_FAILED;
    }

  return cw_cli_main (argc, argv);
}
