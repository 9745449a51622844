/* fault-vfs.h: a SQLite VFS for fault-injection tests. It wraps the
 * platform's default VFS, is registered as the new default (so every
 * store the test opens uses it without any hook in the stores), and on
 * request makes writes fail as a full disk or a failing disk would. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FAULT_VFS_NONE,      /* pass everything through */
  FAULT_VFS_DISK_FULL, /* writes past the byte budget fail with SQLITE_FULL */
  FAULT_VFS_IO_ERROR,  /* writes and syncs fail with SQLITE_IOERR_* */
} FaultVfsMode;

/* Registers the VFS as the default; idempotent. */
void     fault_vfs_install        (void);
/* @budget: bytes that may still be written in FAULT_VFS_DISK_FULL mode. */
void     fault_vfs_set_mode       (FaultVfsMode mode,
                                   gint64       budget);
/* How many writes or syncs were refused since the mode was set. */
guint    fault_vfs_get_n_failures (void);

G_END_DECLS
