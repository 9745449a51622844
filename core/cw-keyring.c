/* cw-keyring.c: the identity seed in the Secret Service through libsecret's
 * asynchronous password API (specifications.freedesktop.org/secret-service).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <sodium.h>
#include <string.h>

#include "cw-keyring.h"

#define ATTR_PATIENT "patient"
#define ATTR_FINGERPRINT "fingerprint"
#define ITEM_LABEL "Consent Wallet identity key"
/* Standard base64 of 32 bytes with padding, and its NUL. */
#define SEED_B64_SIZE (sodium_base64_ENCODED_LEN (CW_SEED_SIZE, sodium_base64_VARIANT_ORIGINAL))

struct _CwKeyring
{
  GObject parent_instance;

  char *collection;
};

enum {
  PROP_0,
  PROP_COLLECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CwKeyring, cw_keyring, G_TYPE_OBJECT)

G_DEFINE_QUARK (cw-keyring-error-quark, cw_keyring_error)

static const SecretSchema identity_schema = {
  CW_KEYRING_SCHEMA_NAME,
  SECRET_SCHEMA_NONE,
  {
    { ATTR_PATIENT, SECRET_SCHEMA_ATTRIBUTE_STRING },
    { ATTR_FINGERPRINT, SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

typedef enum {
  OP_STORE,
  OP_LOOKUP,
  OP_CLEAR,
} Operation;

typedef struct {
  char *patient_id;
  char *fingerprint;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];
  gboolean has_public_key;
  char *key_name;
} RequestData;

static void
request_data_free (RequestData *data)
{
  g_free (data->patient_id);
  g_free (data->fingerprint);
  g_free (data->key_name);
  g_free (data);
}

static RequestData *
request_data_new (const char   *patient_id,
                  const guint8 *public_key)
{
  RequestData *data = g_new0 (RequestData, 1);

  data->patient_id = g_strdup (patient_id);
  if (public_key != NULL)
    {
      memcpy (data->public_key, public_key, CW_PUBLIC_KEY_SIZE);
      data->has_public_key = TRUE;
      data->fingerprint = cw_key_fingerprint (public_key);
    }

  return data;
}

static GHashTable *
request_data_attributes (RequestData *data)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (char *) ATTR_PATIENT, data->patient_id);
  if (data->fingerprint != NULL)
    g_hash_table_insert (attributes, (char *) ATTR_FINGERPRINT, data->fingerprint);

  return attributes;
}

static const char *
operation_verb (Operation op)
{
  switch (op)
    {
    case OP_STORE:
      return _("saved in");
    case OP_LOOKUP:
      return _("read from");
    case OP_CLEAR:
    default:
      return _("removed from");
    }
}

static gboolean
error_means_no_service (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_FILE_NOT_FOUND:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          return TRUE;
        default:
          return FALSE;
        }
    }

  /* g_bus_get() without a session bus to connect to. */
  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_NOT_FOUND ||
           error->code == G_IO_ERROR_CONNECTION_REFUSED ||
           error->code == G_IO_ERROR_CLOSED ||
           (error->code == G_IO_ERROR_FAILED && g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL);

  return FALSE;
}

static GError *
keyring_error_new (CwKeyringError code,
                   Operation      op)
{
  const char *verb = operation_verb (op);

  switch (code)
    {
    case CW_KEYRING_ERROR_NO_SERVICE:
      return g_error_new (CW_KEYRING_ERROR, code,
                          /* TRANSLATORS: %s is “saved in”, “read from” or “removed from” */
                          _("No keyring service is running, so the identity key cannot be %s the keyring. "
                            "Log in to a desktop session or start GNOME Keyring, then try again."),
                          verb);
    case CW_KEYRING_ERROR_LOCKED:
      return g_error_new (CW_KEYRING_ERROR, code,
                          /* TRANSLATORS: %s is “saved in”, “read from” or “removed from” */
                          _("The keyring is locked and was not unlocked, so the identity key cannot be %s it. "
                            "Unlock the keyring when asked (or in Passwords and Keys) and try again."),
                          verb);
    case CW_KEYRING_ERROR_NOT_FOUND:
      return g_error_new_literal (CW_KEYRING_ERROR, code,
                                  _("The keyring holds no Consent Wallet identity key for this patient. "
                                    "Restore the identity from your backup file or recovery key."));
    case CW_KEYRING_ERROR_INVALID:
      return g_error_new_literal (CW_KEYRING_ERROR, code,
                                  _("The identity key in the keyring is damaged or belongs to another key. "
                                    "Restore the identity from your backup file or recovery key."));
    case CW_KEYRING_ERROR_FAILED:
    default:
      return g_error_new (CW_KEYRING_ERROR, CW_KEYRING_ERROR_FAILED,
                          /* TRANSLATORS: %s is “saved in”, “read from” or “removed from” */
                          _("The identity key could not be %s the keyring. Try again; if it keeps failing, "
                            "check that the keyring service works."), verb);
    }
}

/* Translates a libsecret or D-Bus error into our domain; takes @error. */
static GError *
map_error (GError    *error,
           Operation  op)
{
  g_autoptr(GError) owned = error;
  CwKeyringError code = CW_KEYRING_ERROR_FAILED;
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_steal_pointer (&owned);

  if (error_means_no_service (error))
    code = CW_KEYRING_ERROR_NO_SERVICE;
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    code = CW_KEYRING_ERROR_LOCKED;

  mapped = keyring_error_new (code, op);
  /* Keep the service's own words for "other failures"; they carry no secret. */
  if (code == CW_KEYRING_ERROR_FAILED)
    {
      g_autofree char *text = g_strdup_printf ("%s (%s)", mapped->message, error->message);

      g_clear_error (&mapped);
      mapped = g_error_new_literal (CW_KEYRING_ERROR, code, text);
    }

  return mapped;
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, error ? map_error (error, OP_STORE)
                                     : keyring_error_new (CW_KEYRING_ERROR_FAILED, OP_STORE));
  else
    g_task_return_boolean (task, TRUE);
}

void
cw_keyring_store_async (CwKeyring           *self,
                        const char          *patient_id,
                        CwSigningKey        *key,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *fingerprint = NULL;
  char *b64;

  g_return_if_fail (CW_IS_KEYRING (self));
  g_return_if_fail (patient_id != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_keyring_store_async);

  if (sodium_init () < 0 || (b64 = sodium_malloc (SEED_B64_SIZE)) == NULL)
    {
      g_task_return_new_error (task, CW_KEYRING_ERROR, CW_KEYRING_ERROR_FAILED,
                               _("Secure memory for the identity key could not be allocated. "
                                 "Close other programs and try again."));
      return;
    }

  fingerprint = cw_key_fingerprint (cw_signing_key_get_public_key (key));
  sodium_bin2base64 (b64, SEED_B64_SIZE, cw_signing_key_peek_seed (key), CW_SEED_SIZE,
                     sodium_base64_VARIANT_ORIGINAL);

  /* libsecret copies the password into its own secure memory right away. */
  secret_password_store (&identity_schema,
                         self->collection ? self->collection : SECRET_COLLECTION_DEFAULT,
                         ITEM_LABEL, b64, cancellable, store_cb, g_steal_pointer (&task),
                         ATTR_PATIENT, patient_id,
                         ATTR_FINGERPRINT, fingerprint,
                         NULL);
  sodium_free (b64);
}

gboolean
cw_keyring_store_finish (CwKeyring     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CW_IS_KEYRING (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_keyring_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A lookup found nothing: tell "not there" from "there but locked". */
static void
locked_search_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *items;
  gboolean locked = FALSE;

  items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, OP_LOOKUP));
      return;
    }

  for (GList *l = items; l != NULL; l = l->next)
    locked |= secret_item_get_locked (l->data);
  g_list_free_full (items, g_object_unref);

  g_task_return_error (task, keyring_error_new (locked ? CW_KEYRING_ERROR_LOCKED
                                                       : CW_KEYRING_ERROR_NOT_FOUND,
                                                OP_LOOKUP));
}

static void
locked_service_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      g_task_return_error (task, map_error (error, OP_LOOKUP));
      return;
    }

  attributes = request_data_attributes (data);
  cancellable = g_task_get_cancellable (task);
  secret_service_search (service, &identity_schema, attributes, SECRET_SEARCH_ALL,
                         cancellable, locked_search_cb, g_steal_pointer (&task));
}

static CwSigningKey *
key_from_secret (SecretValue  *value,
                 RequestData  *data,
                 GError      **error)
{
  const char *text;
  gsize text_len = 0, bin_len = 0;
  const char *end = NULL;
  guint8 *seed;
  CwSigningKey *key;

  text = secret_value_get (value, &text_len);
  if ((seed = sodium_malloc (CW_SEED_SIZE)) == NULL)
    {
      g_set_error_literal (error, CW_KEYRING_ERROR, CW_KEYRING_ERROR_FAILED,
                           _("Secure memory for the identity key could not be allocated. "
                             "Close other programs and try again."));
      return NULL;
    }

  if (sodium_base642bin (seed, CW_SEED_SIZE, text, text_len, NULL, &bin_len, &end,
                         sodium_base64_VARIANT_ORIGINAL) != 0 ||
      bin_len != CW_SEED_SIZE || end != text + text_len)
    {
      sodium_free (seed);
      g_propagate_error (error, keyring_error_new (CW_KEYRING_ERROR_INVALID, OP_LOOKUP));
      return NULL;
    }

  key = cw_signing_key_new_from_seed (data->key_name, CW_KEY_TYPE_ED25519, seed, error);
  sodium_free (seed);
  if (key == NULL)
    return NULL;

  if (data->has_public_key &&
      memcmp (cw_signing_key_get_public_key (key), data->public_key, CW_PUBLIC_KEY_SIZE) != 0)
    {
      cw_signing_key_unref (key);
      g_propagate_error (error, keyring_error_new (CW_KEYRING_ERROR_INVALID, OP_LOOKUP));
      return NULL;
    }

  return key;
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  SecretValue *value;
  CwSigningKey *key;
  GError *error = NULL;

  value = secret_password_lookup_binary_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, OP_LOOKUP));
      return;
    }

  /* Nothing unlocked matched: either no item or a locked one whose unlock
   * prompt was refused. Look without unlocking to tell which. */
  if (value == NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      secret_service_get (SECRET_SERVICE_NONE, cancellable, locked_service_cb,
                          g_steal_pointer (&task));
      return;
    }

  key = key_from_secret (value, data, &error);
  secret_value_unref (value);
  if (key == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, (GDestroyNotify) cw_signing_key_unref);
}

void
cw_keyring_lookup_async (CwKeyring           *self,
                         const char          *patient_id,
                         const guint8        *public_key,
                         const char          *key_name,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RequestData *data;

  g_return_if_fail (CW_IS_KEYRING (self));
  g_return_if_fail (patient_id != NULL);
  g_return_if_fail (cw_key_name_is_valid (key_name));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_keyring_lookup_async);
  data = request_data_new (patient_id, public_key);
  data->key_name = g_strdup (key_name);
  g_task_set_task_data (task, data, (GDestroyNotify) request_data_free);

  if (data->fingerprint != NULL)
    secret_password_lookup (&identity_schema, cancellable, lookup_cb, g_steal_pointer (&task),
                            ATTR_PATIENT, data->patient_id,
                            ATTR_FINGERPRINT, data->fingerprint,
                            NULL);
  else
    secret_password_lookup (&identity_schema, cancellable, lookup_cb, g_steal_pointer (&task),
                            ATTR_PATIENT, data->patient_id,
                            NULL);
}

CwSigningKey *
cw_keyring_lookup_finish (CwKeyring     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CW_IS_KEYRING (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_keyring_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_clear_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, map_error (error, OP_CLEAR));
  else
    g_task_return_error (task, keyring_error_new (CW_KEYRING_ERROR_NOT_FOUND, OP_CLEAR));
}

void
cw_keyring_clear_async (CwKeyring           *self,
                        const char          *patient_id,
                        const guint8        *public_key,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  RequestData *data;

  g_return_if_fail (CW_IS_KEYRING (self));
  g_return_if_fail (patient_id != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_keyring_clear_async);
  data = request_data_new (patient_id, public_key);
  g_task_set_task_data (task, data, (GDestroyNotify) request_data_free);

  attributes = request_data_attributes (data);
  secret_password_clearv (&identity_schema, attributes, cancellable, clear_cb,
                          g_steal_pointer (&task));
}

gboolean
cw_keyring_clear_finish (CwKeyring     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CW_IS_KEYRING (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_keyring_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The other keys of the patient: found by the patient attribute alone,
 * then each removed by its fingerprint, so that the key kept is never
 * touched. Synchronous libsecret calls, in a worker thread. */
static void
clear_others_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  RequestData *data = task_data;
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  GList *items;

  g_hash_table_insert (attributes, (char *) ATTR_PATIENT, data->patient_id);
  items = secret_password_searchv_sync (&identity_schema, attributes, SECRET_SEARCH_ALL,
                                        cancellable, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, OP_CLEAR));
      return;
    }
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) found = secret_retrievable_get_attributes (l->data);
      const char *fingerprint = g_hash_table_lookup (found, ATTR_FINGERPRINT);

      if (fingerprint != NULL && g_strcmp0 (fingerprint, data->fingerprint) != 0)
        g_ptr_array_add (others, g_strdup (fingerprint));
    }
  g_list_free_full (items, g_object_unref);

  for (guint i = 0; i < others->len; i++)
    {
      g_hash_table_insert (attributes, (char *) ATTR_FINGERPRINT, others->pdata[i]);
      secret_password_clearv_sync (&identity_schema, attributes, cancellable, &error);
      if (error != NULL)
        {
          g_task_return_error (task, map_error (error, OP_CLEAR));
          return;
        }
    }
  g_task_return_int (task, others->len);
}

void
cw_keyring_clear_others_async (CwKeyring           *self,
                               const char          *patient_id,
                               const guint8        *keep_public_key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_KEYRING (self));
  g_return_if_fail (patient_id != NULL && keep_public_key != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_keyring_clear_others_async);
  g_task_set_task_data (task, request_data_new (patient_id, keep_public_key),
                        (GDestroyNotify) request_data_free);
  g_task_run_in_thread (task, clear_others_thread);
}

gssize
cw_keyring_clear_others_finish (CwKeyring     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CW_IS_KEYRING (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_keyring_clear_others_async,
                        -1);

  return g_task_propagate_int (G_TASK (result), error);
}

CwKeyring *
cw_keyring_new (const char *collection)
{
  return g_object_new (CW_TYPE_KEYRING, "collection", collection, NULL);
}

const char *
cw_keyring_get_collection (CwKeyring *self)
{
  g_return_val_if_fail (CW_IS_KEYRING (self), NULL);

  return self->collection;
}

static void
cw_keyring_finalize (GObject *object)
{
  CwKeyring *self = CW_KEYRING (object);

  g_clear_pointer (&self->collection, g_free);

  G_OBJECT_CLASS (cw_keyring_parent_class)->finalize (object);
}

static void
cw_keyring_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CwKeyring *self = CW_KEYRING (object);

  switch (prop_id)
    {
    case PROP_COLLECTION:
      g_value_set_string (value, self->collection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_keyring_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CwKeyring *self = CW_KEYRING (object);

  switch (prop_id)
    {
    case PROP_COLLECTION:
      self->collection = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_keyring_class_init (CwKeyringClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_keyring_finalize;
  object_class->get_property = cw_keyring_get_property;
  object_class->set_property = cw_keyring_set_property;

  /**
   * CwKeyring:collection:
   *
   * The collection alias or object path new items go to; %NULL for the
   * user's default collection.
   */
  properties[PROP_COLLECTION] =
    g_param_spec_string ("collection", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_keyring_init (CwKeyring *self)
{
}
