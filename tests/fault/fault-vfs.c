/* fault-vfs.c: a pass-through SQLite VFS that fails writes on request
 * (fault-vfs.h). Only xWrite, xTruncate and xSync are ever failed: those
 * are the calls a full or failing disk makes fail, and SQLite must turn
 * them into a rolled-back transaction and an error. */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "fault-vfs.h"

typedef struct {
  sqlite3_file base;
  sqlite3_file *real;   /* allocated right after this struct */
} FaultFile;

static sqlite3_vfs fault_vfs;
static sqlite3_vfs *real_vfs;
static sqlite3_io_methods fault_io_methods;

static FaultVfsMode mode = FAULT_VFS_NONE;
static gint64 budget;
static guint n_failures;
static GMutex lock;

/* Whether a write of @amount bytes must fail, and with what. */
static int
check_write (int amount)
{
  int rc = SQLITE_OK;

  g_mutex_lock (&lock);
  if (mode == FAULT_VFS_IO_ERROR)
    rc = SQLITE_IOERR_WRITE;
  else if (mode == FAULT_VFS_DISK_FULL)
    {
      if (budget < amount)
        {
          budget = 0;
          rc = SQLITE_FULL;
        }
      else
        budget -= amount;
    }
  if (rc != SQLITE_OK)
    n_failures++;
  g_mutex_unlock (&lock);

  return rc;
}

/* Whether a truncate or sync must fail (only a failing disk does that). */
static gboolean
check_io (void)
{
  gboolean fail;

  g_mutex_lock (&lock);
  fail = mode == FAULT_VFS_IO_ERROR;
  if (fail)
    n_failures++;
  g_mutex_unlock (&lock);

  return fail;
}

static sqlite3_file *
real_file (sqlite3_file *file)
{
  return ((FaultFile *) file)->real;
}

static int
fault_close (sqlite3_file *file)
{
  sqlite3_file *real = real_file (file);
  int rc = real->pMethods != NULL ? real->pMethods->xClose (real) : SQLITE_OK;

  file->pMethods = NULL;
  return rc;
}

static int
fault_read (sqlite3_file *file, void *buf, int amount, sqlite3_int64 offset)
{
  return real_file (file)->pMethods->xRead (real_file (file), buf, amount, offset);
}

static int
fault_write (sqlite3_file *file, const void *buf, int amount, sqlite3_int64 offset)
{
  int rc = check_write (amount);

  if (rc != SQLITE_OK)
    return rc;
  return real_file (file)->pMethods->xWrite (real_file (file), buf, amount, offset);
}

static int
fault_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  if (check_io ())
    return SQLITE_IOERR_TRUNCATE;
  return real_file (file)->pMethods->xTruncate (real_file (file), size);
}

static int
fault_sync (sqlite3_file *file, int flags)
{
  if (check_io ())
    return SQLITE_IOERR_FSYNC;
  return real_file (file)->pMethods->xSync (real_file (file), flags);
}

static int
fault_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
  return real_file (file)->pMethods->xFileSize (real_file (file), size);
}

static int
fault_lock (sqlite3_file *file, int level)
{
  return real_file (file)->pMethods->xLock (real_file (file), level);
}

static int
fault_unlock (sqlite3_file *file, int level)
{
  return real_file (file)->pMethods->xUnlock (real_file (file), level);
}

static int
fault_check_reserved_lock (sqlite3_file *file, int *out)
{
  return real_file (file)->pMethods->xCheckReservedLock (real_file (file), out);
}

static int
fault_file_control (sqlite3_file *file, int op, void *arg)
{
  return real_file (file)->pMethods->xFileControl (real_file (file), op, arg);
}

static int
fault_sector_size (sqlite3_file *file)
{
  return real_file (file)->pMethods->xSectorSize (real_file (file));
}

static int
fault_device_characteristics (sqlite3_file *file)
{
  return real_file (file)->pMethods->xDeviceCharacteristics (real_file (file));
}

static int
fault_shm_map (sqlite3_file *file, int page, int page_size, int extend, void volatile **out)
{
  return real_file (file)->pMethods->xShmMap (real_file (file), page, page_size, extend, out);
}

static int
fault_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
  return real_file (file)->pMethods->xShmLock (real_file (file), offset, n, flags);
}

static void
fault_shm_barrier (sqlite3_file *file)
{
  real_file (file)->pMethods->xShmBarrier (real_file (file));
}

static int
fault_shm_unmap (sqlite3_file *file, int delete_flag)
{
  return real_file (file)->pMethods->xShmUnmap (real_file (file), delete_flag);
}

static int
fault_fetch (sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
  return real_file (file)->pMethods->xFetch (real_file (file), offset, amount, out);
}

static int
fault_unfetch (sqlite3_file *file, sqlite3_int64 offset, void *page)
{
  return real_file (file)->pMethods->xUnfetch (real_file (file), offset, page);
}

static int
fault_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  FaultFile *self = (FaultFile *) file;
  int rc;

  self->real = (sqlite3_file *) (self + 1);
  memset (self->real, 0, real_vfs->szOsFile);
  rc = real_vfs->xOpen (real_vfs, name, self->real, flags, out_flags);
  file->pMethods = self->real->pMethods != NULL ? &fault_io_methods : NULL;

  return rc;
}

static int
fault_delete (sqlite3_vfs *vfs, const char *name, int sync_dir)
{
  return real_vfs->xDelete (real_vfs, name, sync_dir);
}

static int
fault_access (sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
  return real_vfs->xAccess (real_vfs, name, flags, out);
}

static int
fault_full_pathname (sqlite3_vfs *vfs, const char *name, int n, char *out)
{
  return real_vfs->xFullPathname (real_vfs, name, n, out);
}

static void *
fault_dl_open (sqlite3_vfs *vfs, const char *name)
{
  return real_vfs->xDlOpen (real_vfs, name);
}

static void
fault_dl_error (sqlite3_vfs *vfs, int n, char *out)
{
  real_vfs->xDlError (real_vfs, n, out);
}

static void (*fault_dl_sym (sqlite3_vfs *vfs, void *handle, const char *symbol)) (void)
{
  return real_vfs->xDlSym (real_vfs, handle, symbol);
}

static void
fault_dl_close (sqlite3_vfs *vfs, void *handle)
{
  real_vfs->xDlClose (real_vfs, handle);
}

static int
fault_randomness (sqlite3_vfs *vfs, int n, char *out)
{
  return real_vfs->xRandomness (real_vfs, n, out);
}

static int
fault_sleep (sqlite3_vfs *vfs, int microseconds)
{
  return real_vfs->xSleep (real_vfs, microseconds);
}

static int
fault_current_time (sqlite3_vfs *vfs, double *out)
{
  return real_vfs->xCurrentTime (real_vfs, out);
}

static int
fault_get_last_error (sqlite3_vfs *vfs, int n, char *out)
{
  return real_vfs->xGetLastError (real_vfs, n, out);
}

static int
fault_current_time_int64 (sqlite3_vfs *vfs, sqlite3_int64 *out)
{
  return real_vfs->xCurrentTimeInt64 (real_vfs, out);
}

void
fault_vfs_install (void)
{
  static sqlite3_io_methods methods = {
    3,
    fault_close, fault_read, fault_write, fault_truncate, fault_sync, fault_file_size,
    fault_lock, fault_unlock, fault_check_reserved_lock, fault_file_control,
    fault_sector_size, fault_device_characteristics,
    fault_shm_map, fault_shm_lock, fault_shm_barrier, fault_shm_unmap,
    fault_fetch, fault_unfetch,
  };

  if (real_vfs != NULL)
    return;

  sqlite3_initialize ();
  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);
  /* The forwarders above call the version 3 methods unconditionally. */
  g_assert_cmpint (real_vfs->iVersion, >=, 2);

  fault_io_methods = methods;
  fault_vfs = (sqlite3_vfs) {
    .iVersion = 2,
    .szOsFile = sizeof (FaultFile) + real_vfs->szOsFile,
    .mxPathname = real_vfs->mxPathname,
    .zName = "cw-fault",
    .xOpen = fault_open,
    .xDelete = fault_delete,
    .xAccess = fault_access,
    .xFullPathname = fault_full_pathname,
    .xDlOpen = fault_dl_open,
    .xDlError = fault_dl_error,
    .xDlSym = fault_dl_sym,
    .xDlClose = fault_dl_close,
    .xRandomness = fault_randomness,
    .xSleep = fault_sleep,
    .xCurrentTime = fault_current_time,
    .xGetLastError = fault_get_last_error,
    .xCurrentTimeInt64 = fault_current_time_int64,
  };
  g_assert_cmpint (sqlite3_vfs_register (&fault_vfs, 1), ==, SQLITE_OK);
}

void
fault_vfs_set_mode (FaultVfsMode mode_,
                    gint64       budget_)
{
  g_mutex_lock (&lock);
  mode = mode_;
  budget = budget_;
  n_failures = 0;
  g_mutex_unlock (&lock);
}

guint
fault_vfs_get_n_failures (void)
{
  guint n;

  g_mutex_lock (&lock);
  n = n_failures;
  g_mutex_unlock (&lock);

  return n;
}
