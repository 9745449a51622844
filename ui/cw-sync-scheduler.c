/* cw-sync-scheduler.c: on-demand and periodic flush-then-sync, and the
 * offline state. */
#include "config.h"

#include "cw-sync-scheduler.h"

struct _CwSyncScheduler
{
  GObject       parent_instance;

  CwWallet     *wallet;
  GCancellable *cancellable;
  guint         interval;   /* minutes, 0 = on demand only */
  guint         timer_id;
  gboolean      syncing;
  gboolean      offline;
};

G_DEFINE_FINAL_TYPE (CwSyncScheduler, cw_sync_scheduler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_SYNCING,
  PROP_OFFLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_syncing (CwSyncScheduler *self,
             gboolean         syncing)
{
  if (self->syncing == syncing)
    return;
  self->syncing = syncing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
}

static void
set_offline (CwSyncScheduler *self,
             gboolean         offline)
{
  if (self->offline == offline)
    return;
  self->offline = offline;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
}

static gboolean
is_unreachable (const GError *error)
{
  return error != NULL && error->domain == CW_NODE_CLIENT_ERROR &&
         cw_node_client_error_is_transient (error);
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CwSyncScheduler) self = user_data;
  g_autoptr(GError) error = NULL;

  cw_wallet_sync_finish (self->wallet, result, &error);
  set_syncing (self, FALSE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_offline (self, is_unreachable (error));
  g_signal_emit (self, signals[FINISHED], 0, error);
}

static void
flush_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CwSyncScheduler) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Whatever the outbox did, the sync reports the state of things. */
  cw_wallet_flush_finish (self->wallet, result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_syncing (self, FALSE);
      return;
    }
  cw_wallet_sync_async (self->wallet, self->cancellable, sync_done_cb, g_object_ref (self));
}

gboolean
cw_sync_scheduler_sync_now (CwSyncScheduler *self)
{
  g_return_val_if_fail (CW_IS_SYNC_SCHEDULER (self), FALSE);

  if (self->syncing || !cw_wallet_get_enrolled (self->wallet))
    return FALSE;
  set_syncing (self, TRUE);
  cw_wallet_flush_async (self->wallet, self->cancellable, flush_done_cb, g_object_ref (self));
  return TRUE;
}

static gboolean
timer_cb (gpointer user_data)
{
  cw_sync_scheduler_sync_now (user_data);
  return G_SOURCE_CONTINUE;
}

static void
restart_timer (CwSyncScheduler *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->interval > 0)
    self->timer_id = g_timeout_add_seconds (self->interval * 60, timer_cb, self);
}

void
cw_sync_scheduler_stop (CwSyncScheduler *self)
{
  g_return_if_fail (CW_IS_SYNC_SCHEDULER (self));

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
}

guint
cw_sync_scheduler_get_interval (CwSyncScheduler *self)
{
  g_return_val_if_fail (CW_IS_SYNC_SCHEDULER (self), 0);
  return self->interval;
}

void
cw_sync_scheduler_set_interval (CwSyncScheduler *self,
                                guint            minutes)
{
  g_return_if_fail (CW_IS_SYNC_SCHEDULER (self));

  if (self->interval == minutes)
    return;
  self->interval = minutes;
  restart_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

gboolean
cw_sync_scheduler_get_syncing (CwSyncScheduler *self)
{
  g_return_val_if_fail (CW_IS_SYNC_SCHEDULER (self), FALSE);
  return self->syncing;
}

gboolean
cw_sync_scheduler_get_offline (CwSyncScheduler *self)
{
  g_return_val_if_fail (CW_IS_SYNC_SCHEDULER (self), FALSE);
  return self->offline;
}

static void
cw_sync_scheduler_dispose (GObject *object)
{
  CwSyncScheduler *self = CW_SYNC_SCHEDULER (object);

  cw_sync_scheduler_stop (self);
  g_clear_object (&self->wallet);

  G_OBJECT_CLASS (cw_sync_scheduler_parent_class)->dispose (object);
}

static void
cw_sync_scheduler_finalize (GObject *object)
{
  CwSyncScheduler *self = CW_SYNC_SCHEDULER (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cw_sync_scheduler_parent_class)->finalize (object);
}

static void
cw_sync_scheduler_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CwSyncScheduler *self = CW_SYNC_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_sync_scheduler_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CwSyncScheduler *self = CW_SYNC_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      cw_sync_scheduler_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_sync_scheduler_class_init (CwSyncSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_sync_scheduler_dispose;
  object_class->finalize = cw_sync_scheduler_finalize;
  object_class->get_property = cw_sync_scheduler_get_property;
  object_class->set_property = cw_sync_scheduler_set_property;

  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, 1440, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SYNCING] =
    g_param_spec_boolean ("syncing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A flush and sync ended; the error is %NULL on success. */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
cw_sync_scheduler_init (CwSyncScheduler *self)
{
  self->cancellable = g_cancellable_new ();
}

CwSyncScheduler *
cw_sync_scheduler_new (CwWallet *wallet)
{
  CwSyncScheduler *self;

  g_return_val_if_fail (CW_IS_WALLET (wallet), NULL);

  self = g_object_new (CW_TYPE_SYNC_SCHEDULER, NULL);
  self->wallet = g_object_ref (wallet);
  return self;
}
