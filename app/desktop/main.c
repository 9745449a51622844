/* main.c: entry point of consent-wallet, the desktop app. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cw-application.h"

/* The process holds the identity key while it signs: it must never end up
 * in a core file or be readable through ptrace by other processes. */
static void
harden_process (void)
{
  const struct rlimit no_core = { 0, 0 };

  if (setrlimit (RLIMIT_CORE, &no_core) != 0)
    perror ("consent-wallet: setrlimit(RLIMIT_CORE)");
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    perror ("consent-wallet: prctl(PR_SET_DUMPABLE)");

  /* Exports and the wallet are private unless made otherwise. */
  umask (077);
}

/* With GSK_RENDERER=cairo GTK draws nothing with GL, yet GDK 4.8 loads and
 * probes the GL stack when it opens the display: 120-130 ms of the start
 * through Mesa's software rasterizer on the benchmark machine
 * (docs/PERFORMANCE.md, "App startup"). In exactly that case, and unless
 * the user set GDK_DEBUG, the app tells GDK to skip GL. Called before any
 * thread exists, since setenv() is not thread-safe. */
static void
skip_unused_gl (void)
{
  if (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") == 0 && g_getenv ("GDK_DEBUG") == NULL)
    g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CwApplication) app = NULL;

  harden_process ();
  skip_unused_gl ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (sodium_init () < 0)
    {
      fprintf (stderr, "consent-wallet: libsodium could not be initialized\n");
      return 1;
    }

  app = cw_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
