/* cw-node-log-writer.h: the serving node's log writer. `serve` logs one
 * line per request and per batch; written unbuffered to stderr that is a
 * write(2) per line on the thread that serves HTTPS. This writer collects
 * informational lines (G_LOG_LEVEL_MESSAGE) and writes them in one go at
 * most every 100 ms, or at once when 64 KiB are waiting. Warnings and
 * worse first flush what is waiting, then go out at once through GLib's
 * default writer, so the order of lines is kept. If stderr is the systemd
 * journal, nothing changes. At most the last 100 ms of message lines are
 * lost if the process is killed; they are operator information only, never
 * part of what a transaction's durability depends on. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs the writer for the process (call once, from the main thread,
 * before other threads log) and its flush timer on the thread-default
 * main context. */
void  cw_node_log_writer_install (void);

/* Writes out what is waiting and stops the timer; the writer stays, but
 * writes every line at once from now on. */
void  cw_node_log_writer_shutdown (void);

G_END_DECLS
