/* cw-node-log-writer.c: the serving node's buffered log writer; see
 * cw-node-log-writer.h. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "cw-node-log-writer.h"

#define FLUSH_INTERVAL_MS 100
#define FLUSH_SIZE (64 * 1024)

static GMutex writer_lock;
static GString *pending;        /* guarded by writer_lock */
static gboolean buffering;      /* guarded by writer_lock */
static guint flush_id;          /* main thread only */

/* Called with writer_lock held. */
static void
flush_locked (void)
{
  gsize done = 0;

  while (pending != NULL && done < pending->len)
    {
      gssize written = write (STDERR_FILENO, pending->str + done, pending->len - done);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        break;     /* Nowhere to log to; the lines are dropped. */
      done += (gsize) written;
    }

  if (pending != NULL)
    g_string_truncate (pending, 0);
}

static gboolean
flush_cb (gpointer user_data)
{
  g_mutex_lock (&writer_lock);
  flush_locked ();
  g_mutex_unlock (&writer_lock);

  return G_SOURCE_CONTINUE;
}

/* Debug output that G_MESSAGES_DEBUG does not ask for. */
static gboolean
is_unwanted (GLogLevelFlags   log_level,
             const GLogField *fields,
             gsize            n_fields)
{
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields && domain == NULL; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
    }

  return g_log_writer_default_would_drop (log_level, domain);
}

static GLogWriterOutput
writer_cb (GLogLevelFlags   log_level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  g_autofree char *line = NULL;

  /* Dropped before it could flush what is waiting: the sequencer's debug
   * line comes with every submission. */
  if (is_unwanted (log_level, fields, n_fields))
    return G_LOG_WRITER_HANDLED;

  g_mutex_lock (&writer_lock);

  if ((log_level & G_LOG_LEVEL_MASK) != G_LOG_LEVEL_MESSAGE || !buffering)
    {
      /* Debug output G_MESSAGES_DEBUG asks for, warnings and worse:
       * after what is waiting, in order. */
      flush_locked ();
      g_mutex_unlock (&writer_lock);

      return g_log_writer_default (log_level, fields, n_fields, user_data);
    }

  line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);
  g_string_append (pending, line);
  g_string_append_c (pending, '\n');
  if (pending->len >= FLUSH_SIZE)
    flush_locked ();

  g_mutex_unlock (&writer_lock);

  return G_LOG_WRITER_HANDLED;
}

void
cw_node_log_writer_install (void)
{
  if (g_log_writer_is_journald (STDERR_FILENO))
    return;

  g_mutex_lock (&writer_lock);
  if (pending == NULL)
    pending = g_string_sized_new (FLUSH_SIZE + 1024);
  buffering = TRUE;
  g_mutex_unlock (&writer_lock);

  g_log_set_writer_func (writer_cb, NULL, NULL);
  flush_id = g_timeout_add (FLUSH_INTERVAL_MS, flush_cb, NULL);
}

void
cw_node_log_writer_shutdown (void)
{
  g_clear_handle_id (&flush_id, g_source_remove);

  g_mutex_lock (&writer_lock);
  flush_locked ();
  buffering = FALSE;
  g_mutex_unlock (&writer_lock);
}
