/* cw-grant-item.c: One grant in the wallet's grant list: who may read what,
 * for which purpose, until when, and whether the node's log proved it. */
#include "config.h"

#include "cw-grant-item.h"

struct _CwGrantItem
{
  GObject parent_instance;

  char *id;
  char *provider;
  char *provider_name;
  char *organization;
  char *scopes_text;
  char *purpose_text;
  char *access_text;
  gint64 time;
  gint64 expires;
  char *state;
  gboolean verified;
  gint64 log_index;
};

G_DEFINE_FINAL_TYPE (CwGrantItem, cw_grant_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROVIDER,
  PROP_PROVIDER_NAME,
  PROP_ORGANIZATION,
  PROP_SCOPES_TEXT,
  PROP_PURPOSE_TEXT,
  PROP_ACCESS_TEXT,
  PROP_TIME,
  PROP_EXPIRES,
  PROP_STATE,
  PROP_VERIFIED,
  PROP_LOG_INDEX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cw_grant_item_finalize (GObject *object)
{
  CwGrantItem *self = CW_GRANT_ITEM (object);

  g_free (self->id);
  g_free (self->provider);
  g_free (self->provider_name);
  g_free (self->organization);
  g_free (self->scopes_text);
  g_free (self->purpose_text);
  g_free (self->access_text);
  g_free (self->state);

  G_OBJECT_CLASS (cw_grant_item_parent_class)->finalize (object);
}

static void
cw_grant_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CwGrantItem *self = CW_GRANT_ITEM (object);

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
    case PROP_ACCESS_TEXT:
      g_value_set_string (value, self->access_text != NULL ? self->access_text : "");
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
    case PROP_VERIFIED:
      g_value_set_boolean (value, self->verified);
      break;
    case PROP_LOG_INDEX:
      g_value_set_int64 (value, self->log_index);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_grant_item_class_init (CwGrantItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_grant_item_finalize;
  object_class->get_property = cw_grant_item_get_property;

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
  properties[PROP_ACCESS_TEXT] =
    g_param_spec_string ("access-text", NULL, NULL, "",
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
  properties[PROP_VERIFIED] =
    g_param_spec_boolean ("verified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOG_INDEX] =
    g_param_spec_int64 ("log-index", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_grant_item_init (CwGrantItem *self)
{
}

CwGrantItem *
cw_grant_item_new (const CwGrantItemData *data)
{
  CwGrantItem *self = g_object_new (CW_TYPE_GRANT_ITEM, NULL);

  self->id = g_strdup (data->id);
  self->provider = g_strdup (data->provider);
  self->provider_name = g_strdup (data->provider_name);
  self->organization = g_strdup (data->organization);
  self->scopes_text = g_strdup (data->scopes_text);
  self->purpose_text = g_strdup (data->purpose_text);
  self->access_text = g_strdup (data->access_text);
  self->time = data->time;
  self->expires = data->expires;
  self->state = g_strdup (data->state);
  self->verified = data->verified;
  self->log_index = data->log_index;

  return self;
}

void
cw_grant_item_update (CwGrantItem *self,
                      const CwGrantItemData *data)
{
  g_return_if_fail (CW_IS_GRANT_ITEM (self));

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
  if (g_strcmp0 (self->access_text, data->access_text) != 0)
    {
      g_free (self->access_text);
      self->access_text = g_strdup (data->access_text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCESS_TEXT]);
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
  if (self->verified != data->verified)
    {
      self->verified = data->verified;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFIED]);
    }
  if (self->log_index != data->log_index)
    {
      self->log_index = data->log_index;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_INDEX]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
cw_grant_item_update_from (CwGrantItem *self,
                           CwGrantItem *other)
{
  CwGrantItemData data = {
    other->id,
    other->provider,
    other->provider_name,
    other->organization,
    other->scopes_text,
    other->purpose_text,
    other->access_text,
    other->time,
    other->expires,
    other->state,
    other->verified,
    other->log_index,
  };

  cw_grant_item_update (self, &data);
}

const char *
cw_grant_item_get_id (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->id != NULL ? self->id : "";
}

const char *
cw_grant_item_get_provider (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->provider != NULL ? self->provider : "";
}

const char *
cw_grant_item_get_provider_name (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->provider_name != NULL ? self->provider_name : "";
}

const char *
cw_grant_item_get_organization (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->organization != NULL ? self->organization : "";
}

const char *
cw_grant_item_get_scopes_text (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->scopes_text != NULL ? self->scopes_text : "";
}

const char *
cw_grant_item_get_purpose_text (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->purpose_text != NULL ? self->purpose_text : "";
}

const char *
cw_grant_item_get_access_text (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->access_text != NULL ? self->access_text : "";
}

gint64
cw_grant_item_get_time (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), 0);

  return self->time;
}

gint64
cw_grant_item_get_expires (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), 0);

  return self->expires;
}

const char *
cw_grant_item_get_state (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), NULL);

  return self->state != NULL ? self->state : "";
}

gboolean
cw_grant_item_get_verified (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), FALSE);

  return self->verified;
}

gint64
cw_grant_item_get_log_index (CwGrantItem *self)
{
  g_return_val_if_fail (CW_IS_GRANT_ITEM (self), 0);

  return self->log_index;
}
