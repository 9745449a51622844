/* cw-wallet.c: CwWallet, the engine's service object: construction,
 * properties, alerts, worker threads, FHIR export and the background
 * flush timer. Transactions, flush and sync: cw-wallet-ops.c; enrollment:
 * cw-wallet-enroll.c. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-fhir.h"
#include "cw-recovery-code.h"
#include "cw-wallet-private.h"

#define MAX_FLUSH_BACKOFF_S 600

G_DEFINE_QUARK (cw-wallet-error-quark, cw_wallet_error)

G_DEFINE_FINAL_TYPE (CwWallet, cw_wallet, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_KEYRING,
  PROP_ENROLLED,
  PROP_PATIENT_ID,
  PROP_MAX_RETRIES,
  PROP_GRANTS,
  PROP_REQUESTS,
  PROP_ACTIVITY,
  PROP_PROVIDERS,
  N_PROPS
};

enum {
  SIGNAL_ALERT_RAISED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
cw_wallet_dispose (GObject *object)
{
  CwWallet *self = CW_WALLET (object);

  cw_wallet_stop_background_flush (self);
  cw_wallet_models_clear (self);
  g_clear_object (&self->keyring);

  G_OBJECT_CLASS (cw_wallet_parent_class)->dispose (object);
}

static void
cw_wallet_finalize (GObject *object)
{
  CwWallet *self = CW_WALLET (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->identity, cw_store_identity_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->store_path);
  g_mutex_clear (&self->op_lock);

  G_OBJECT_CLASS (cw_wallet_parent_class)->finalize (object);
}

static void
cw_wallet_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CwWallet *self = CW_WALLET (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_KEYRING:
      g_value_set_object (value, self->keyring);
      break;
    case PROP_ENROLLED:
      g_value_set_boolean (value, cw_wallet_get_enrolled (self));
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, cw_wallet_get_patient_id (self));
      break;
    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case PROP_GRANTS:
      g_value_set_object (value, cw_wallet_get_grants (self));
      break;
    case PROP_REQUESTS:
      g_value_set_object (value, cw_wallet_get_requests (self));
      break;
    case PROP_ACTIVITY:
      g_value_set_object (value, cw_wallet_get_activity (self));
      break;
    case PROP_PROVIDERS:
      g_value_set_object (value, cw_wallet_get_providers (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_wallet_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CwWallet *self = CW_WALLET (object);

  switch (prop_id)
    {
    case PROP_KEYRING:
      self->keyring = g_value_dup_object (value);
      break;
    case PROP_MAX_RETRIES:
      cw_wallet_set_max_retries (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_wallet_class_init (CwWalletClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_wallet_dispose;
  object_class->finalize = cw_wallet_finalize;
  object_class->get_property = cw_wallet_get_property;
  object_class->set_property = cw_wallet_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CW_TYPE_WALLET_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_KEYRING] =
    g_param_spec_object ("keyring", NULL, NULL, CW_TYPE_KEYRING,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ENROLLED] =
    g_param_spec_boolean ("enrolled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 20, 4,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The list models: each is one object for the wallet's life, updated in
   * place, so these never change and are never notified. */
  properties[PROP_GRANTS] =
    g_param_spec_object ("grants", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REQUESTS] =
    g_param_spec_object ("requests", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ACTIVITY] =
    g_param_spec_object ("activity", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROVIDERS] =
    g_param_spec_object ("providers", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CwWallet::alert-raised:
   * @id: the alert's row in the store
   * @kind: e.g. "forked-checkpoint"
   * @message: for the patient
   *
   * A check failed; the alert and its evidence are in the store.
   */
  signals[SIGNAL_ALERT_RAISED] =
    g_signal_new ("alert-raised", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING);
}

static void
cw_wallet_init (CwWallet *self)
{
  g_mutex_init (&self->op_lock);
  self->max_retries = 4;
  self->context = g_main_context_ref_thread_default ();
}

CwWallet *
cw_wallet_new (const char         *store_path,
               CwKeyring          *keyring,
               CwNodeClientFlags   client_flags,
               GError            **error)
{
  g_autoptr(CwWallet) self = NULL;

  g_return_val_if_fail (store_path != NULL, NULL);
  g_return_val_if_fail (CW_IS_KEYRING (keyring), NULL);

  self = g_object_new (CW_TYPE_WALLET, "keyring", keyring, NULL);
  self->store_path = g_strdup (store_path);
  self->client_flags = client_flags;
  self->store = cw_wallet_store_new (store_path, error);
  if (self->store == NULL)
    return NULL;
  self->identity = cw_wallet_store_get_identity (self->store, error);
  if (self->identity == NULL && error != NULL && *error != NULL)
    return NULL;

  return g_steal_pointer (&self);
}

CwWalletStore *
cw_wallet_get_store (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), NULL);

  return self->store;
}

CwKeyring *
cw_wallet_get_keyring (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), NULL);

  return self->keyring;
}

gboolean
cw_wallet_get_enrolled (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), FALSE);

  return self->identity != NULL;
}

const char *
cw_wallet_get_patient_id (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), NULL);

  return self->identity != NULL ? self->identity->patient_id : NULL;
}

void
cw_wallet_set_max_retries (CwWallet *self,
                           guint     max_retries)
{
  g_return_if_fail (CW_IS_WALLET (self));

  if (self->max_retries == max_retries)
    return;
  self->max_retries = max_retries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
}

void
cw_wallet_set_request_deadline (CwWallet *self,
                                guint     seconds)
{
  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (seconds > 0);

  self->request_deadline = seconds;
}

typedef struct {
  CwWallet *wallet;
  gint64 id;
  char *kind;
  char *message;
} AlertEmission;

static gboolean
emit_alert_cb (gpointer user_data)
{
  AlertEmission *emission = user_data;

  g_signal_emit (emission->wallet, signals[SIGNAL_ALERT_RAISED], 0, emission->id, emission->kind,
                 emission->message);
  return G_SOURCE_REMOVE;
}

static void
alert_emission_free (gpointer data)
{
  AlertEmission *emission = data;

  g_object_unref (emission->wallet);
  g_free (emission->kind);
  g_free (emission->message);
  g_free (emission);
}

void
cw_wallet_raise_alert (CwWallet     *self,
                       const GError *error,
                       GBytes       *evidence)
{
  g_autoptr(GError) store_error = NULL;
  AlertEmission *emission;
  const char *kind = cw_verifier_error_to_alert_kind (error);
  gint64 id;

  id = cw_wallet_store_raise_alert (self->store, kind, error->message, evidence, &store_error);
  if (id < 0 || store_error != NULL)
    g_warning ("Could not store an alert (%s): %s", kind,
               store_error != NULL ? store_error->message : "unknown error");

  emission = g_new0 (AlertEmission, 1);
  emission->wallet = g_object_ref (self);
  emission->id = id;
  emission->kind = g_strdup (kind);
  emission->message = g_strdup (error->message);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_alert_cb, emission,
                              alert_emission_free);
}

gboolean
cw_wallet_worker_begin (CwWallet            *self,
                        CwWalletWorker      *worker,
                        const CwNodeProfile *profile,
                        GError             **error)
{
  memset (worker, 0, sizeof *worker);
  worker->context = g_main_context_new ();
  g_main_context_push_thread_default (worker->context);
  worker->profile = cw_node_profile_copy (profile);
  worker->client = cw_node_client_new (profile, self->client_flags, error);
  if (worker->client == NULL)
    return FALSE;
  cw_node_client_set_max_retries (worker->client, self->max_retries);
  if (self->request_deadline > 0)
    cw_node_client_set_deadline (worker->client, self->request_deadline);
  worker->verifier = cw_verifier_new (profile, error);
  return worker->verifier != NULL;
}

void
cw_wallet_worker_end (CwWalletWorker *worker)
{
  /* A worker that never began (no node configured yet) has nothing. */
  if (worker->context == NULL)
    return;
  g_clear_object (&worker->client);
  g_clear_object (&worker->verifier);
  g_clear_pointer (&worker->profile, cw_node_profile_free);
  /* Let the client's cancelled I/O finish on its own context. */
  while (g_main_context_iteration (worker->context, FALSE))
    ;
  g_main_context_pop_thread_default (worker->context);
  g_clear_pointer (&worker->context, g_main_context_unref);
}

void
cw_wallet_worker_wait_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
cw_wallet_worker_wait (CwWalletWorker  *worker,
                       GAsyncResult   **result_out)
{
  while (*result_out == NULL)
    g_main_context_iteration (worker->context, TRUE);

  return *result_out;
}

/* Enrollment and restore start again from an empty store on failure. */

void
cw_wallet_reset_store (CwWallet *self)
{
  g_autoptr(GError) error = NULL;
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  cw_wallet_store_close (self->store);
  g_clear_object (&self->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (self->store_path, suffixes[i], NULL);

      g_unlink (path);
    }

  self->store = cw_wallet_store_new (self->store_path, &error);
  if (self->store == NULL)
    g_warning ("Could not reopen the wallet database: %s", error->message);
}

/* FHIR export. */

static void
export_fhir_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  CwWallet *self = source_object;
  const char *grant_id = task_data;
  g_autoptr(CwStoreGrant) grant = NULL;
  g_autoptr(CwStoreProvider) provider = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(JsonNode) consent = NULL;
  g_autoptr(GDateTime) logged = NULL;
  GError *error = NULL;
  CwFhirConsentStatus status;

  grant = cw_wallet_store_get_grant (self->store, grant_id, &error);
  if (grant == NULL)
    {
      if (error == NULL)
        error = g_error_new (CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_FOUND,
                             _("There is no confirmed grant %s in this wallet."), grant_id);
      g_task_return_error (task, error);
      return;
    }

  envelope = cw_dsse_envelope_parse (grant->envelope, strlen (grant->envelope), &error);
  if (envelope == NULL ||
      (payload = cw_dsse_envelope_get_payload (envelope)) == NULL ||
      (tx = cw_tx_parse_payload_bytes (payload, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  provider = cw_wallet_store_get_provider (self->store, grant->provider, NULL);
  status = cw_fhir_consent_status_for_grant (tx, grant->revoked_by != NULL, NULL);
  consent = cw_fhir_consent_from_grant (tx, NULL, status,
                                        provider != NULL ? provider->name : NULL, &error);
  if (consent == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, json_to_string (consent, TRUE), g_free);
}

void
cw_wallet_export_fhir_async (CwWallet            *self,
                             const char          *grant_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (grant_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_export_fhir_async);
  g_task_set_task_data (task, g_strdup (grant_id), g_free);
  g_task_run_in_thread (task, export_fhir_thread);
}

char *
cw_wallet_export_fhir_finish (CwWallet      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_export_fhir_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Background flush. */

static gboolean flush_timer_cb (gpointer user_data);

static void
schedule_flush (CwWallet *self,
                guint     delay_s)
{
  /* Jitter keeps many wallets from hitting a node that comes back at once. */
  guint jittered = delay_s / 2 + g_random_int_range (0, (gint32) delay_s / 2 + 1);

  self->flush_source = g_timeout_add_seconds (MAX (jittered, 1), flush_timer_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->flush_source),
                            "[cw] wallet background flush");
}

static void
background_flushed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  CwWallet *self = CW_WALLET (source);
  g_autoptr(GError) error = NULL;

  self->flush_running = FALSE;
  if (!cw_wallet_flush_finish (self, result, NULL, &error) &&
      cw_node_client_error_is_transient (error))
    self->flush_backoff = MIN (self->flush_backoff * 2, MAX_FLUSH_BACKOFF_S);
  else
    self->flush_backoff = self->flush_interval;

  if (self->flush_interval > 0 && self->flush_source == 0)
    schedule_flush (self, self->flush_backoff);
  g_object_unref (self);
}

static gboolean
flush_timer_cb (gpointer user_data)
{
  CwWallet *self = user_data;

  self->flush_source = 0;
  if (!self->flush_running && self->identity != NULL)
    {
      self->flush_running = TRUE;
      cw_wallet_flush_async (self, NULL, background_flushed_cb, g_object_ref (self));
    }
  else
    {
      schedule_flush (self, self->flush_backoff);
    }

  return G_SOURCE_REMOVE;
}

void
cw_wallet_start_background_flush (CwWallet *self,
                                  guint     interval_s)
{
  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (interval_s > 0);

  cw_wallet_stop_background_flush (self);
  self->flush_interval = interval_s;
  self->flush_backoff = interval_s;
  schedule_flush (self, interval_s);
}

void
cw_wallet_stop_background_flush (CwWallet *self)
{
  g_return_if_fail (CW_IS_WALLET (self));

  self->flush_interval = 0;
  g_clear_handle_id (&self->flush_source, g_source_remove);
}
