/* cw-notifier.c: notifications for new requests, refused access attempts
 * and grants about to expire, each sent once. */
#include "config.h"

#include <glib/gi18n.h>

#include "cw-activity-item.h"
#include "cw-grant-item.h"
#include "cw-notifier.h"
#include "cw-request-item.h"
#include "cw-ui-format.h"

#define EXPIRY_WARNING_S (7 * 24 * 3600)

struct _CwNotifier
{
  GObject       parent_instance;

  CwWallet     *wallet;
  GApplication *application;  /* weak */
  GHashTable   *sent;         /* notification IDs already sent */
  GCancellable *cancellable;
  guint         n_sent;
  guint         n_writes;     /* marks under way */
  gboolean      loaded;       /* earlier starts' IDs are in sent */
  gboolean      check_waiting;
  gboolean      notify_requests;
  gboolean      notify_refused_access;
  gboolean      notify_expiring_grants;
};

G_DEFINE_FINAL_TYPE (CwNotifier, cw_notifier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NOTIFY_REQUESTS,
  PROP_NOTIFY_REFUSED_ACCESS,
  PROP_NOTIFY_EXPIRING_GRANTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Remembering what was sent: written off the main loop (the store syncs
 * to disk); a failed write costs at most a repeated notification. */

static void
mark_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (cw_wallet_store_mark_notified (cw_wallet_get_store (source_object), task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
marked_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CwNotifier) self = user_data;
  g_autoptr(GError) error = NULL;

  self->n_writes--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not remember a notification: %s", error->message);
}

static void
remember (CwNotifier *self,
          const char *id)
{
  g_autoptr(GTask) task = g_task_new (self->wallet, NULL, marked_cb, g_object_ref (self));

  g_task_set_source_tag (task, remember);
  g_task_set_task_data (task, g_strdup (id), g_free);
  self->n_writes++;
  g_task_run_in_thread (task, mark_thread);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GHashTable *ids = cw_wallet_store_list_notified (cw_wallet_get_store (source_object), &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_hash_table_unref);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CwNotifier) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ids = g_task_propagate_pointer (G_TASK (result), &error);
  GHashTableIter iter;
  gpointer id;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Without the record, notifying again beats never notifying. */
  if (ids == NULL)
    g_warning ("Could not read which notifications were shown: %s", error->message);
  else
    {
      g_hash_table_iter_init (&iter, ids);
      while (g_hash_table_iter_next (&iter, &id, NULL))
        g_hash_table_add (self->sent, g_strdup (id));
    }
  self->loaded = TRUE;
  if (self->check_waiting)
    {
      self->check_waiting = FALSE;
      cw_notifier_check (self);
    }
}

/* The notification's ID names the item, so the desktop too replaces rather
 * than stacks one it already shows. */
static gboolean
send (CwNotifier    *self,
      const char    *id,
      GNotification *notification)
{
  if (!g_hash_table_add (self->sent, g_strdup (id)))
    return FALSE;
  remember (self, id);

  g_notification_set_default_action (notification, "app.activate");
  if (self->application != NULL)
    g_application_send_notification (self->application, id, notification);
  self->n_sent++;
  g_signal_emit (self, signals[SENT], 0, id, notification);
  return TRUE;
}

static guint
check_requests (CwNotifier *self)
{
  GListModel *requests = cw_wallet_get_requests (self->wallet);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (requests); i++)
    {
      g_autoptr(CwRequestItem) item = g_list_model_get_item (requests, i);
      g_autofree char *id = NULL;
      g_autofree char *title = NULL;
      g_autoptr(GNotification) notification = NULL;

      if (g_strcmp0 (cw_request_item_get_state (item), "pending") != 0)
        continue;
      id = g_strconcat ("request-", cw_request_item_get_id (item), NULL);
      if (g_hash_table_contains (self->sent, id))
        continue;

      title = g_strdup_printf (_("%s asks to see your records"),
                               cw_request_item_get_provider_name (item));
      notification = g_notification_new (title);
      g_notification_set_body (notification, cw_request_item_get_scopes_text (item));
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      n += send (self, id, notification);
    }
  return n;
}

static guint
check_refused (CwNotifier *self)
{
  GListModel *activity = cw_wallet_get_activity (self->wallet);
  gint64 since = g_get_real_time () / G_USEC_PER_SEC - EXPIRY_WARNING_S;
  guint n = 0;

  /* Newest first: older refusals were shown before, or are old news. */
  for (guint i = 0; i < g_list_model_get_n_items (activity); i++)
    {
      g_autoptr(CwActivityItem) item = g_list_model_get_item (activity, i);
      g_autofree char *id = NULL;
      g_autofree char *title = NULL;
      g_autofree char *when = NULL;
      g_autofree char *body = NULL;
      g_autoptr(GNotification) notification = NULL;

      if (cw_activity_item_get_time (item) < since)
        break;
      if (g_strcmp0 (cw_activity_item_get_kind (item), "access") != 0 ||
          g_strcmp0 (cw_activity_item_get_state (item), "denied") != 0)
        continue;
      id = g_strconcat ("refused-", cw_activity_item_get_id (item), NULL);
      if (g_hash_table_contains (self->sent, id))
        continue;

      title = g_strdup_printf (_("%s tried to open your records and was refused"),
                               cw_activity_item_get_provider_name (item));
      when = cw_ui_format_date_time (cw_activity_item_get_time (item));
      /* Translators: "Medications, on 23 Dec 2026, 14:05" */
      body = g_strdup_printf (_("%s, on %s"), cw_activity_item_get_scopes_text (item), when);
      notification = g_notification_new (title);
      g_notification_set_body (notification, body);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      n += send (self, id, notification);
    }
  return n;
}

static guint
check_expiring (CwNotifier *self)
{
  GListModel *grants = cw_wallet_get_grants (self->wallet);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (grants); i++)
    {
      g_autoptr(CwGrantItem) item = g_list_model_get_item (grants, i);
      gint64 expires = cw_grant_item_get_expires (item);
      g_autofree char *id = NULL;
      g_autofree char *title = NULL;
      g_autofree char *expiry = NULL;
      g_autofree char *body = NULL;
      g_autoptr(GNotification) notification = NULL;

      if (g_strcmp0 (cw_grant_item_get_state (item), "active") != 0 ||
          expires <= now || expires > now + EXPIRY_WARNING_S)
        continue;
      id = g_strconcat ("expiring-", cw_grant_item_get_id (item), NULL);
      if (g_hash_table_contains (self->sent, id))
        continue;

      title = g_strdup_printf (_("Access for %s ends soon"), cw_grant_item_get_provider_name (item));
      expiry = cw_ui_format_expiry (expires, now);
      /* Translators: "Medications: expires in 3 days" */
      body = g_strdup_printf (_("%s: %s"), cw_grant_item_get_scopes_text (item), expiry);
      notification = g_notification_new (title);
      g_notification_set_body (notification, body);
      n += send (self, id, notification);
    }
  return n;
}

guint
cw_notifier_check (CwNotifier *self)
{
  guint n = 0;

  g_return_val_if_fail (CW_IS_NOTIFIER (self), 0);

  if (!self->loaded)
    {
      self->check_waiting = TRUE;
      return 0;
    }
  if (self->notify_requests)
    n += check_requests (self);
  if (self->notify_refused_access)
    n += check_refused (self);
  if (self->notify_expiring_grants)
    n += check_expiring (self);
  return n;
}

static void
sync_finished_cb (CwNotifier   *self,
                  const GError *error)
{
  cw_notifier_check (self);
}

void
cw_notifier_follow (CwNotifier      *self,
                    CwSyncScheduler *scheduler)
{
  g_return_if_fail (CW_IS_NOTIFIER (self));
  g_return_if_fail (CW_IS_SYNC_SCHEDULER (scheduler));

  g_signal_connect_object (scheduler, "finished", G_CALLBACK (sync_finished_cb), self,
                           G_CONNECT_SWAPPED);
}

guint
cw_notifier_get_n_sent (CwNotifier *self)
{
  g_return_val_if_fail (CW_IS_NOTIFIER (self), 0);
  return self->n_sent;
}

gboolean
cw_notifier_get_busy (CwNotifier *self)
{
  g_return_val_if_fail (CW_IS_NOTIFIER (self), FALSE);
  return !self->loaded || self->n_writes > 0;
}

static void
cw_notifier_dispose (GObject *object)
{
  CwNotifier *self = CW_NOTIFIER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->wallet);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (cw_notifier_parent_class)->dispose (object);
}

static void
cw_notifier_finalize (GObject *object)
{
  CwNotifier *self = CW_NOTIFIER (object);

  g_hash_table_unref (self->sent);

  G_OBJECT_CLASS (cw_notifier_parent_class)->finalize (object);
}

static gboolean *
flag (CwNotifier *self,
      guint       prop_id)
{
  switch (prop_id)
    {
    case PROP_NOTIFY_REQUESTS:
      return &self->notify_requests;
    case PROP_NOTIFY_REFUSED_ACCESS:
      return &self->notify_refused_access;
    case PROP_NOTIFY_EXPIRING_GRANTS:
      return &self->notify_expiring_grants;
    default:
      return NULL;
    }
}

static void
cw_notifier_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  gboolean *value_p = flag (CW_NOTIFIER (object), prop_id);

  if (value_p == NULL)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else
    g_value_set_boolean (value, *value_p);
}

static void
cw_notifier_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  gboolean *value_p = flag (CW_NOTIFIER (object), prop_id);

  if (value_p == NULL)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (*value_p == g_value_get_boolean (value))
    return;
  *value_p = g_value_get_boolean (value);
  g_object_notify_by_pspec (object, pspec);
}

static void
cw_notifier_class_init (CwNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_notifier_dispose;
  object_class->finalize = cw_notifier_finalize;
  object_class->get_property = cw_notifier_get_property;
  object_class->set_property = cw_notifier_set_property;

  properties[PROP_NOTIFY_REQUESTS] =
    g_param_spec_boolean ("notify-requests", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NOTIFY_REFUSED_ACCESS] =
    g_param_spec_boolean ("notify-refused-access", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NOTIFY_EXPIRING_GRANTS] =
    g_param_spec_boolean ("notify-expiring-grants", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A notification went out: its ID ("request-<id>", "refused-<id>",
   * "expiring-<id>") and the notification. */
  signals[SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_NOTIFICATION);
}

static void
cw_notifier_init (CwNotifier *self)
{
  self->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->notify_requests = TRUE;
  self->notify_refused_access = TRUE;
  self->notify_expiring_grants = TRUE;
}

CwNotifier *
cw_notifier_new (CwWallet     *wallet,
                 GApplication *application)
{
  CwNotifier *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (CW_IS_WALLET (wallet), NULL);
  g_return_val_if_fail (application == NULL || G_IS_APPLICATION (application), NULL);

  self = g_object_new (CW_TYPE_NOTIFIER, NULL);
  self->wallet = g_object_ref (wallet);
  g_set_weak_pointer (&self->application, application);
  self->cancellable = g_cancellable_new ();

  task = g_task_new (self->wallet, self->cancellable, loaded_cb, g_object_ref (self));
  g_task_set_source_tag (task, cw_notifier_new);
  g_task_run_in_thread (task, load_thread);
  return self;
}
