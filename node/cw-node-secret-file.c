/* cw-node-secret-file.c: creating and reading files only their owner may
 * read (the log key, provider keys, the TLS key). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-node-secret-file.h"

/* A key file is one line of about 100 bytes; anything much larger is not
 * one, and is not read into memory. */
#define MAX_KEY_FILE_SIZE 4096

G_DEFINE_QUARK (cw-node-secret-file-error-quark, cw_node_secret_file_error)

gboolean
cw_node_secret_file_write (const char  *path,
                           const void  *data,
                           gsize        len,
                           GError     **error)
{
  const guint8 *p = data;
  gsize done = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, CW_NODE_SECRET_FILE_ERROR,
                   saved_errno == EEXIST ? CW_NODE_SECRET_FILE_ERROR_EXISTS
                                         : CW_NODE_SECRET_FILE_ERROR_IO,
                   "Could not create “%s”: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  while (done < len)
    {
      ssize_t n = write (fd, p + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += n;
    }

  if (fsync (fd) != 0)
    goto fail;

  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }

  return TRUE;

fail:
  {
    int saved_errno = errno;

    if (fd >= 0)
      close (fd);
    g_unlink (path);
    g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_IO,
                 "Could not write “%s”: %s", path, g_strerror (saved_errno));
    return FALSE;
  }
}

gboolean
cw_node_secret_file_write_key (const char    *path,
                               CwSigningKey  *key,
                               GError       **error)
{
  char *text = cw_signing_key_to_string (key);
  gsize len = strlen (text);
  gboolean ok;

  /* The newline goes in place of the terminator, so the text never leaves
   * sodium memory. */
  text[len] = '\n';
  ok = cw_node_secret_file_write (path, text, len + 1, error);
  text[len] = '\0';
  cw_secure_string_free (text);

  return ok;
}

CwSigningKey *
cw_node_secret_file_read_key (const char  *path,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  CwSigningKey *key = NULL;
  struct stat st;
  char *buf = NULL;
  gsize len = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_IO,
                   "Could not open “%s”: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_INVALID,
                   "“%s” is not a regular file", path);
      goto out;
    }

  if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_PERMISSIONS,
                   "“%s” is accessible by other users (mode %03o); "
                   "run “chmod 600 %s” and check who has read it",
                   path, (guint) (st.st_mode & 0777), path);
      goto out;
    }

  if (st.st_size > MAX_KEY_FILE_SIZE)
    {
      g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_INVALID,
                   "“%s” is too large to be a key file", path);
      goto out;
    }

  if (sodium_init () >= 0)
    buf = sodium_malloc (MAX_KEY_FILE_SIZE + 1);
  if (buf == NULL)
    {
      g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_IO,
                   "Out of secure memory reading “%s”", path);
      goto out;
    }

  for (;;)
    {
      ssize_t n = read (fd, buf + len, MAX_KEY_FILE_SIZE - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_IO,
                       "Could not read “%s”: %s", path, g_strerror (saved_errno));
          goto out;
        }
      if (n == 0 || len + n >= MAX_KEY_FILE_SIZE)
        {
          len += n;
          break;
        }
      len += n;
    }

  /* One line, with or without its final newline. */
  if (len > 0 && buf[len - 1] == '\n')
    len--;
  buf[len] = '\0';

  if (memchr (buf, '\0', len) != NULL || memchr (buf, '\n', len) != NULL)
    {
      g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_INVALID,
                   "“%s” is not a signer key file", path);
      goto out;
    }

  key = cw_signing_key_new_from_string (buf, &local_error);
  if (key == NULL)
    g_set_error (error, CW_NODE_SECRET_FILE_ERROR, CW_NODE_SECRET_FILE_ERROR_INVALID,
                 "“%s” does not hold a signer key (PRIVATE+KEY+…): %s",
                 path, local_error->message);

out:
  if (buf != NULL)
    {
      sodium_memzero (buf, MAX_KEY_FILE_SIZE + 1);
      sodium_free (buf);
    }
  close (fd);

  return key;
}
