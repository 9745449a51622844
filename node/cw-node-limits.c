/* cw-node-limits.c: the HTTPS server's per-client request rate and the
 * watchdog that closes connections which do not deliver a request in time. */
#include "config.h"

#include <string.h>

#include "cw-node-api-error.h"
#include "cw-node-limits.h"

/* Buckets of clients that went quiet are dropped this often. */
#define PRUNE_INTERVAL_US (60 * G_USEC_PER_SEC)
/* Past this many clients, quiet ones are dropped at once. */
#define MAX_BUCKETS 65536

typedef struct
{
  double tokens;
  gint64 updated;
} Bucket;

/* The watchdog of one SoupServer: it lives on that server's thread (each
 * serving thread has its own server and main context), so its table needs
 * no lock. */
typedef struct
{
  CwNodeLimits *limits;     /* weak: the server's owner keeps it */
  GHashTable *watches;      /* SoupServerMessage → Watch */
  GHashTable *idle;         /* GSocket → gint64 deadline: kept-alive connections between
                               requests */
  GSource *tick;
} Watchdog;

typedef struct
{
  Watchdog *watchdog;
  SoupServerMessage *msg;   /* weak */
  gint64 deadline;
} Watch;

struct _CwNodeLimits
{
  GObject parent_instance;

  guint rate;
  guint burst;
  gboolean limit_loopback;
  guint idle_timeout;
  guint body_timeout;

  /* Shared by the serving threads: a client's rate counts over all of
   * its connections. */
  GMutex buckets_lock;
  GHashTable *buckets;      /* client key → Bucket */
  gint64 last_prune;
};

#define WATCHDOG_KEY "cw-node-limits-watchdog"

G_DEFINE_FINAL_TYPE (CwNodeLimits, cw_node_limits, G_TYPE_OBJECT)

static void
msg_finalized_cb (gpointer  data,
                  GObject  *where_the_object_was)
{
  Watch *watch = data;

  watch->msg = NULL;
  g_hash_table_remove (watch->watchdog->watches, where_the_object_was);
}

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  if (watch->msg != NULL)
    {
      g_signal_handlers_disconnect_by_data (watch->msg, watch->watchdog);
      g_object_weak_unref (G_OBJECT (watch->msg), msg_finalized_cb, watch);
    }
  g_free (watch);
}

static void
cw_node_limits_finalize (GObject *object)
{
  CwNodeLimits *self = (CwNodeLimits *)object;

  g_clear_pointer (&self->buckets, g_hash_table_unref);
  g_mutex_clear (&self->buckets_lock);

  G_OBJECT_CLASS (cw_node_limits_parent_class)->finalize (object);
}

static void
cw_node_limits_class_init (CwNodeLimitsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_node_limits_finalize;
}

static void
cw_node_limits_init (CwNodeLimits *self)
{
  g_mutex_init (&self->buckets_lock);
  self->buckets = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                         (GDestroyNotify) g_bytes_unref, g_free);
}

CwNodeLimits *
cw_node_limits_new (guint    rate,
                    guint    burst,
                    gboolean limit_loopback,
                    guint    idle_timeout,
                    guint    body_timeout)
{
  CwNodeLimits *self = g_object_new (CW_TYPE_NODE_LIMITS, NULL);

  self->rate = rate;
  self->burst = MAX (burst, 1);
  self->limit_loopback = limit_loopback;
  self->idle_timeout = MAX (idle_timeout, 1);
  self->body_timeout = MAX (body_timeout, 1);

  return self;
}

static void
set_deadline (Watchdog          *watchdog,
              SoupServerMessage *msg,
              guint              seconds)
{
  Watch *watch = g_hash_table_lookup (watchdog->watches, msg);

  if (watch != NULL)
    watch->deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

/* A kept-alive connection is watched from the end of one request until
 * the next one starts or its head is in, whichever libsoup reports first:
 * libsoup 3.2 makes the next message only once its first bytes arrive, and
 * stops reading an idle connection whose socket timed out without closing
 * it, so that a client reusing it would wait for an answer forever. */
static void
watch_idle (Watchdog          *watchdog,
            SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  gint64 *deadline;

  if (socket == NULL || g_socket_is_closed (socket))
    return;
  deadline = g_new (gint64, 1);
  *deadline = g_get_monotonic_time () + (gint64) watchdog->limits->idle_timeout * G_USEC_PER_SEC;
  g_hash_table_replace (watchdog->idle, g_object_ref (socket), deadline);
}

static void
unwatch_idle (Watchdog          *watchdog,
              SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_hash_table_remove (watchdog->idle, socket);
}

static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  Watchdog *watchdog = user_data;

  unwatch_idle (watchdog, msg);
  set_deadline (watchdog, msg, watchdog->limits->body_timeout);
}

static void
got_body_cb (SoupServerMessage *msg,
             gpointer           user_data)
{
  Watchdog *watchdog = user_data;

  /* The request is in; the handlers take it from here. */
  g_hash_table_remove (watchdog->watches, msg);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  Watchdog *watchdog = user_data;
  CwNodeLimits *self = watchdog->limits;
  GSocket *socket = soup_server_message_get_socket (msg);
  Watch *watch = g_new0 (Watch, 1);

  watch->watchdog = watchdog;
  watch->msg = msg;
  g_object_weak_ref (G_OBJECT (msg), msg_finalized_cb, watch);
  g_hash_table_replace (watchdog->watches, msg, watch);
  set_deadline (watchdog, msg, self->idle_timeout);
  unwatch_idle (watchdog, msg);

  /* libsoup caches the peer's address on first use; once the watchdog
   * has ended the connection it could no longer look it up. */
  soup_server_message_get_remote_host (msg);

  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), watchdog);
  g_signal_connect (msg, "got-body", G_CALLBACK (got_body_cb), watchdog);

  /* Also bounds every single write, the answer's included. Longer than
   * any deadline above, so that reads are always ended by the watchdog:
   * libsoup 3.2 can leave a kept-alive connection open, unread, after its
   * idle read timed out. */
  if (socket != NULL && g_socket_get_timeout (socket) == 0)
    g_socket_set_timeout (socket, self->idle_timeout + self->body_timeout);
}

static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  Watchdog *watchdog = user_data;

  g_hash_table_remove (watchdog->watches, msg);
  watch_idle (watchdog, msg);
}

/* Closed outright: libsoup may not be reading a kept-alive connection, and
 * a client that reuses it must get a reset, not silence. libsoup's next
 * read or write fails and drops it. */
static void
close_socket (GSocket    *socket,
              const char *host,
              const char *why)
{
  if (g_socket_is_closed (socket))
    return;
  g_message ("%s: %s, closing the connection", host != NULL ? host : "?", why);
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_socket_close (socket, NULL);
}

static char *
socket_host (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_remote_address (socket, NULL);

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  return g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

static gboolean
tick_cb (gpointer user_data)
{
  Watchdog *watchdog = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) late = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  Watch *watch;
  GSocket *idle_socket;
  gint64 *deadline;

  g_hash_table_iter_init (&iter, watchdog->watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      if (watch->msg != NULL && now >= watch->deadline)
        g_ptr_array_add (late, g_object_ref (watch->msg));
    }

  for (guint i = 0; i < late->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (late, i);
      GSocket *socket = soup_server_message_get_socket (msg);

      g_hash_table_remove (watchdog->watches, msg);
      if (socket != NULL)
        close_socket (socket, soup_server_message_get_remote_host (msg),
                      "no complete request in time");
    }

  g_hash_table_iter_init (&iter, watchdog->idle);
  while (g_hash_table_iter_next (&iter, (gpointer *) &idle_socket, (gpointer *) &deadline))
    {
      g_autofree char *host = NULL;

      if (now < *deadline)
        continue;
      host = socket_host (idle_socket);
      close_socket (idle_socket, host, "idle for too long");
      g_hash_table_iter_remove (&iter);
    }

  return G_SOURCE_CONTINUE;
}

static void
watchdog_free (gpointer data)
{
  Watchdog *watchdog = data;

  g_source_destroy (watchdog->tick);
  g_source_unref (watchdog->tick);
  g_hash_table_unref (watchdog->watches);
  g_hash_table_unref (watchdog->idle);
  g_free (watchdog);
}

void
cw_node_limits_attach (CwNodeLimits *self,
                       SoupServer   *server)
{
  Watchdog *watchdog;

  g_return_if_fail (CW_IS_NODE_LIMITS (self));
  g_return_if_fail (SOUP_IS_SERVER (server));

  watchdog = g_new0 (Watchdog, 1);
  watchdog->limits = self;
  watchdog->watches = g_hash_table_new_full (NULL, NULL, NULL, watch_free);
  watchdog->idle = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  watchdog->tick = g_timeout_source_new_seconds (1);
  g_source_set_callback (watchdog->tick, tick_cb, watchdog, NULL);
  g_source_attach (watchdog->tick, g_main_context_get_thread_default ());
  /* Goes with the server, on its thread. */
  g_object_set_data_full (G_OBJECT (server), WATCHDOG_KEY, watchdog, watchdog_free);

  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), watchdog);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_done_cb), watchdog);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_done_cb), watchdog);
}

/* The bucket key of a client: its IPv4 address, or its IPv6 /64. */
static GBytes *
client_key (GInetAddress *address)
{
  gsize len = g_inet_address_get_native_size (address);

  return g_bytes_new (g_inet_address_to_bytes (address), MIN (len, 8));
}

static void
prune_buckets (CwNodeLimits *self,
               gint64        now)
{
  GHashTableIter iter;
  Bucket *bucket;

  g_hash_table_iter_init (&iter, self->buckets);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &bucket))
    {
      double elapsed = (double) (now - bucket->updated) / G_USEC_PER_SEC;

      if (bucket->tokens + elapsed * self->rate >= self->burst)
        g_hash_table_iter_remove (&iter);
    }
  self->last_prune = now;
}

gboolean
cw_node_limits_admit (CwNodeLimits      *self,
                      SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  GInetAddress *address;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *retry_after = NULL;
  gint64 now = g_get_monotonic_time ();
  Bucket *bucket;
  double elapsed;

  g_return_val_if_fail (CW_IS_NODE_LIMITS (self), TRUE);

  if (self->rate == 0 || !G_IS_INET_SOCKET_ADDRESS (remote))
    return TRUE;

  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  if (g_inet_address_get_is_loopback (address) && !self->limit_loopback)
    return TRUE;

  g_mutex_lock (&self->buckets_lock);
  if (now - self->last_prune > PRUNE_INTERVAL_US || g_hash_table_size (self->buckets) >= MAX_BUCKETS)
    prune_buckets (self, now);

  key = client_key (address);
  bucket = g_hash_table_lookup (self->buckets, key);
  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = self->burst;
      bucket->updated = now;
      g_hash_table_insert (self->buckets, g_bytes_ref (key), bucket);
    }

  elapsed = (double) (now - bucket->updated) / G_USEC_PER_SEC;
  bucket->tokens = MIN ((double) self->burst, bucket->tokens + elapsed * self->rate);
  bucket->updated = now;

  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      g_mutex_unlock (&self->buckets_lock);
      return TRUE;
    }

  retry_after = g_strdup_printf ("%u", (guint) ((1.0 - bucket->tokens) / self->rate) + 1);
  g_mutex_unlock (&self->buckets_lock);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", retry_after);
  /* The body, if any, is not read; the connection cannot be reused. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
  cw_node_api_error_respond (msg, CW_NODE_API_ERROR_RATE_LIMITED,
                             "Too many requests from this address; retry later");

  return FALSE;
}
