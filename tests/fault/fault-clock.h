/* fault-clock.h: a shifted clock for the processes a fault test starts
 * (consent-node, consent-wallet-cli), through Debian's libfaketime
 * (package faketime) preloaded into them. No clock hook in the code under
 * test: it reads the time as always, from the C library. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Children spawned from now on run @offset away from the real clock, in
 * libfaketime's FAKETIME syntax ("-10m", "+21d"); %NULL restores the real
 * clock for later children. This process's own clock is not touched. */
void      fault_clock_shift_children  (const char *offset);

/* Runs `date +%s` under @offset: the Unix time such a child sees now. */
gint64    fault_clock_child_now       (const char *offset);

G_END_DECLS
