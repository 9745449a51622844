/* cw-request-item.c: One provider request to the patient in the wallet's
 * request list. */
#include "config.h"

#include "cw-request-item.h"

struct _CwRequestItem
{
  GObject parent_instance;

  char *id;
  char *provider;
  char *provider_name;
  char *organization;
  char *scopes_text;
  char *purpose_text;
  char *reason;
  gint64 time;
  gint64 expires;
  char *state;
};

G_DEFINE_FINAL_TYPE (CwRequestItem, cw_request_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROVIDER,
  PROP_PROVIDER_NAME,
  PROP_ORGANIZATION,
  PROP_SCOPES_TEXT,
  PROP_PURPOSE_TEXT,
  PROP_REASON,
  PROP_TIME,
  PROP_EXPIRES,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cw_request_item_finalize (GObject *object)
{
  CwRequestItem *self = CW_REQUEST_ITEM (object);

  g_free (self->id);
  g_free (self->provider);
  g_free (self->provider_name);
  g_free (self->organization);
  g_free (self->scopes_text);
  g_free (self->purpose_text);
  g_free (self->reason);
  g_free (self->state);

  G_OBJECT_CLASS (cw_request_item_parent_class)->finalize (object);
}

static void
cw_request_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwRequestItem *self = CW_REQUEST_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id != NULL ? self->id : "");
      break;
    case PROP_PROVIDER:
      g_value_set_string (value, self->provider != NULL ? self->provider : "");
      break;
    case PROP_PROVIDER_NAME:
      g_value_set_string (value, self->provider_name != NULL ? self->provider_name : "");
      break;
    case PROP_ORGANIZATION:
      g_value_set_string (value, self->organization != NULL ? self->organization : "");
      break;
    case PROP_SCOPES_TEXT:
      g_value_set_string (value, self->scopes_text != NULL ? self->scopes_text : "");
      break;
    case PROP_PURPOSE_TEXT:
      g_value_set_string (value, self->purpose_text != NULL ? self->purpose_text : "");
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason != NULL ? self->reason : "");
      break;
    case PROP_TIME:
      g_value_set_int64 (value, self->time);
      break;
    case PROP_EXPIRES:
      g_value_set_int64 (value, self->expires);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state != NULL ? self->state : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_request_item_class_init (CwRequestItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_request_item_finalize;
  object_class->get_property = cw_request_item_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROVIDER_NAME] =
    g_param_spec_string ("provider-name", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORGANIZATION] =
    g_param_spec_string ("organization", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SCOPES_TEXT] =
    g_param_spec_string ("scopes-text", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PURPOSE_TEXT] =
    g_param_spec_string ("purpose-text", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TIME] =
    g_param_spec_int64 ("time", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_EXPIRES] =
    g_param_spec_int64 ("expires", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_request_item_init (CwRequestItem *self)
{
}

CwRequestItem *
cw_request_item_new (const CwRequestItemData *data)
{
  CwRequestItem *self = g_object_new (CW_TYPE_REQUEST_ITEM, NULL);

  self->id = g_strdup (data->id);
  self->provider = g_strdup (data->provider);
  self->provider_name = g_strdup (data->provider_name);
  self->organization = g_strdup (data->organization);
  self->scopes_text = g_strdup (data->scopes_text);
  self->purpose_text = g_strdup (data->purpose_text);
  self->reason = g_strdup (data->reason);
  self->time = data->time;
  self->expires = data->expires;
  self->state = g_strdup (data->state);

  return self;
}

void
cw_request_item_update (CwRequestItem *self,
                        const CwRequestItemData *data)
{
  g_return_if_fail (CW_IS_REQUEST_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->id, data->id) != 0)
    {
      g_free (self->id);
      self->id = g_strdup (data->id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
  if (g_strcmp0 (self->provider, data->provider) != 0)
    {
      g_free (self->provider);
      self->provider = g_strdup (data->provider);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);
    }
  if (g_strcmp0 (self->provider_name, data->provider_name) != 0)
    {
      g_free (self->provider_name);
      self->provider_name = g_strdup (data->provider_name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER_NAME]);
    }
  if (g_strcmp0 (self->organization, data->organization) != 0)
    {
      g_free (self->organization);
      self->organization = g_strdup (data->organization);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORGANIZATION]);
    }
  if (g_strcmp0 (self->scopes_text, data->scopes_text) != 0)
    {
      g_free (self->scopes_text);
      self->scopes_text = g_strdup (data->scopes_text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCOPES_TEXT]);
    }
  if (g_strcmp0 (self->purpose_text, data->purpose_text) != 0)
    {
      g_free (self->purpose_text);
      self->purpose_text = g_strdup (data->purpose_text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PURPOSE_TEXT]);
    }
  if (g_strcmp0 (self->reason, data->reason) != 0)
    {
      g_free (self->reason);
      self->reason = g_strdup (data->reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
    }
  if (self->time != data->time)
    {
      self->time = data->time;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
    }
  if (self->expires != data->expires)
    {
      self->expires = data->expires;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPIRES]);
    }
  if (g_strcmp0 (self->state, data->state) != 0)
    {
      g_free (self->state);
      self->state = g_strdup (data->state);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
cw_request_item_update_from (CwRequestItem *self,
                             CwRequestItem *other)
{
  CwRequestItemData data = {
    other->id,
    other->provider,
    other->provider_name,
    other->organization,
    other->scopes_text,
    other->purpose_text,
    other->reason,
    other->time,
    other->expires,
    other->state,
  };

  cw_request_item_update (self, &data);
}

const char *
cw_request_item_get_id (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->id != NULL ? self->id : "";
}

const char *
cw_request_item_get_provider (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->provider != NULL ? self->provider : "";
}

const char *
cw_request_item_get_provider_name (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->provider_name != NULL ? self->provider_name : "";
}

const char *
cw_request_item_get_organization (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->organization != NULL ? self->organization : "";
}

const char *
cw_request_item_get_scopes_text (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->scopes_text != NULL ? self->scopes_text : "";
}

const char *
cw_request_item_get_purpose_text (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->purpose_text != NULL ? self->purpose_text : "";
}

const char *
cw_request_item_get_reason (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->reason != NULL ? self->reason : "";
}

gint64
cw_request_item_get_time (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), 0);

  return self->time;
}

gint64
cw_request_item_get_expires (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), 0);

  return self->expires;
}

const char *
cw_request_item_get_state (CwRequestItem *self)
{
  g_return_val_if_fail (CW_IS_REQUEST_ITEM (self), NULL);

  return self->state != NULL ? self->state : "";
}
