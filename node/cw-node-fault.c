/* cw-node-fault.c: crash points for fault-injection tests (cw-node-fault.h). */
#include "config.h"

#include <unistd.h>

#include "cw-node-fault.h"

void
cw_node_fault_point (const char *point)
{
  static const char *armed;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      armed = g_getenv ("CW_NODE_FAULT");
      g_once_init_leave (&initialized, 1);
    }

  /* _exit: no atexit handlers, no flushing, like a crash. */
  if (armed != NULL && g_str_equal (armed, point))
    _exit (CW_NODE_FAULT_EXIT_STATUS);
}
