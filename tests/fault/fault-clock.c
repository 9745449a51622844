/* fault-clock.c: children with a shifted clock through libfaketime (see
 * the header). */
#include "config.h"

#include <gio/gio.h>

#include "fault-clock.h"

#define FAKETIME_LIBRARY "libfaketimeMT.so.1"

/* The library lives in the multiarch folder: /usr/lib/<triplet>/faketime/. */
static const char *
faketime_library (void)
{
  static char *path;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path != NULL)
    return path;

  dir = g_dir_open ("/usr/lib", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *candidate = g_build_filename ("/usr/lib", name, "faketime",
                                                     FAKETIME_LIBRARY, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
        {
          path = g_steal_pointer (&candidate);
          break;
        }
    }

  if (path == NULL)
    g_error ("%s not found under /usr/lib/*/faketime: install the Debian package "
             "“faketime” (tools/deps.sh lists it)", FAKETIME_LIBRARY);
  return path;
}

void
fault_clock_shift_children (const char *offset)
{
  /* What the test was started with (meson's 'sanitizers' setup sets it). */
  static char *asan_options;
  static gboolean asan_options_saved;
  g_autofree char *shifted_asan_options = NULL;

  if (!asan_options_saved)
    {
      asan_options = g_strdup (g_getenv ("ASAN_OPTIONS"));
      asan_options_saved = TRUE;
    }

  if (offset == NULL)
    {
      g_unsetenv ("LD_PRELOAD");
      g_unsetenv ("FAKETIME");
      g_unsetenv ("FAKETIME_DONT_FAKE_MONOTONIC");
      if (asan_options != NULL)
        g_setenv ("ASAN_OPTIONS", asan_options, TRUE);
      else
        g_unsetenv ("ASAN_OPTIONS");
      return;
    }

  g_setenv ("LD_PRELOAD", faketime_library (), TRUE);
  g_setenv ("FAKETIME", offset, TRUE);
  /* Only the wall clock moves: timeouts and main loops keep real time. */
  g_setenv ("FAKETIME_DONT_FAKE_MONOTONIC", "1", TRUE);

  /* In an AddressSanitizer build the children refuse to start when a
   * preloaded library comes before the ASan runtime. libfaketime only
   * wraps the clock calls, so the order does not matter to them; other
   * programs ignore the variable. */
  shifted_asan_options = asan_options != NULL
    ? g_strconcat (asan_options, ":verify_asan_link_order=0", NULL)
    : g_strdup ("verify_asan_link_order=0");
  g_setenv ("ASAN_OPTIONS", shifted_asan_options, TRUE);
}

gint64
fault_clock_child_now (const char *offset)
{
  g_autoptr(GSubprocess) date = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  fault_clock_shift_children (offset);
  date = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "date", "+%s", NULL);
  fault_clock_shift_children (NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (date, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);

  return g_ascii_strtoll (out, NULL, 10);
}
