/* cw-node-drain.c: a clean stop for HTTPS servers; see cw-node-drain.h. */
#include "config.h"

#include "cw-node-drain.h"

/* On a message while its request is in progress: a reference to the
 * drain, dropped (and the request counted as ended) when the answer is
 * written, the connection fails or the message goes away unanswered (its
 * connection stolen), whichever comes first. */
#define IN_PROGRESS_KEY "cw-node-drain-in-progress"

struct _CwNodeDrain
{
  GObject parent_instance;

  GMainContext *context;    /* where cw_node_drain_wait() runs */
  gint64 started;           /* monotonic; set once the drain began */

  /* Atomic: the serving threads count their own requests. */
  gint draining;
  gint in_progress;
  gint answered;            /* answers written since the drain began */
};

G_DEFINE_FINAL_TYPE (CwNodeDrain, cw_node_drain, G_TYPE_OBJECT)

static void
cw_node_drain_finalize (GObject *object)
{
  CwNodeDrain *self = (CwNodeDrain *)object;

  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (cw_node_drain_parent_class)->finalize (object);
}

static void
cw_node_drain_class_init (CwNodeDrainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_node_drain_finalize;
}

static void
cw_node_drain_init (CwNodeDrain *self)
{
  self->context = g_main_context_ref_thread_default ();
}

CwNodeDrain *
cw_node_drain_new (void)
{
  return g_object_new (CW_TYPE_NODE_DRAIN, NULL);
}

/* Runs on the thread that drops the message's data, any serving thread. */
static void
request_ended (gpointer data)
{
  g_autoptr(CwNodeDrain) self = data;

  if (g_atomic_int_dec_and_test (&self->in_progress) && g_atomic_int_get (&self->draining))
    g_main_context_wakeup (self->context);
}

/* From here on the request counts: the head is in, so its answer is owed
 * (a connection that has sent nothing, or half a head, is not waited for). */
static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  CwNodeDrain *self = user_data;

  g_atomic_int_inc (&self->in_progress);
  g_object_set_data_full (G_OBJECT (msg), IN_PROGRESS_KEY, g_object_ref (self), request_ended);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data, 0);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  CwNodeDrain *self = user_data;

  if (g_object_get_data (G_OBJECT (msg), IN_PROGRESS_KEY) == NULL)
    return;
  if (g_atomic_int_get (&self->draining))
    g_atomic_int_inc (&self->answered);
  g_object_set_data (G_OBJECT (msg), IN_PROGRESS_KEY, NULL);
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_object_set_data (G_OBJECT (msg), IN_PROGRESS_KEY, NULL);
}

void
cw_node_drain_attach (CwNodeDrain *self,
                      SoupServer  *server)
{
  g_return_if_fail (CW_IS_NODE_DRAIN (self));
  g_return_if_fail (SOUP_IS_SERVER (server));

  g_signal_connect_object (server, "request-started", G_CALLBACK (request_started_cb), self, 0);
  g_signal_connect_object (server, "request-finished", G_CALLBACK (request_finished_cb), self, 0);
  g_signal_connect_object (server, "request-aborted", G_CALLBACK (request_aborted_cb), self, 0);
}

gboolean
cw_node_drain_is_draining (CwNodeDrain *self)
{
  g_return_val_if_fail (CW_IS_NODE_DRAIN (self), FALSE);

  return g_atomic_int_get (&self->draining);
}

void
cw_node_drain_prepare_answer (SoupServerMessage *msg)
{
  CwNodeDrain *self = g_object_get_data (G_OBJECT (msg), IN_PROGRESS_KEY);

  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));

  if (self != NULL && g_atomic_int_get (&self->draining))
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Connection", "close");
}

void
cw_node_drain_begin (CwNodeDrain *self)
{
  g_return_if_fail (CW_IS_NODE_DRAIN (self));
  g_return_if_fail (!g_atomic_int_get (&self->draining));

  self->started = g_get_monotonic_time ();
  g_atomic_int_set (&self->draining, TRUE);
  g_message ("shutting down: no new connections; requests in progress: %d",
             g_atomic_int_get (&self->in_progress));
}

static gboolean
deadline_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;

  return G_SOURCE_REMOVE;
}

static void
log_outcome (CwNodeDrain *self,
             guint        timeout_s)
{
  gint64 elapsed_us = g_get_monotonic_time () - self->started;
  int answered = g_atomic_int_get (&self->answered);
  int left = g_atomic_int_get (&self->in_progress);

  if (left == 0)
    g_message ("shut down after %" G_GINT64_FORMAT " ms; answers sent while draining: %d",
               elapsed_us / 1000, answered);
  else
    g_warning ("Shutting down: cut off after %u s with requests still in progress: %d "
               "(answers sent while draining: %d)", timeout_s, left, answered);
}

gboolean
cw_node_drain_wait (CwNodeDrain *self,
                    guint        timeout_s)
{
  g_autoptr(GSource) deadline = NULL;
  gint64 remaining_us;
  gboolean expired = FALSE;

  g_return_val_if_fail (CW_IS_NODE_DRAIN (self), FALSE);
  g_return_val_if_fail (g_atomic_int_get (&self->draining), FALSE);

  remaining_us = self->started + (gint64) timeout_s * G_USEC_PER_SEC - g_get_monotonic_time ();
  deadline = g_timeout_source_new ((guint) (MAX (remaining_us, 0) / 1000));
  g_source_set_callback (deadline, deadline_cb, &expired, NULL);
  g_source_attach (deadline, self->context);

  /* The last request to end wakes the context up, from whichever thread. */
  while (g_atomic_int_get (&self->in_progress) > 0 && !expired)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (deadline);

  log_outcome (self, timeout_s);

  return g_atomic_int_get (&self->in_progress) == 0;
}
