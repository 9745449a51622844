/* cw-provider-item.c: One provider of the wallet's provider directory cache. */
#include "config.h"

#include "cw-provider-item.h"

struct _CwProviderItem
{
  GObject parent_instance;

  char *id;
  char *name;
  char *organization;
  char *kind;
};

G_DEFINE_FINAL_TYPE (CwProviderItem, cw_provider_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ORGANIZATION,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cw_provider_item_finalize (GObject *object)
{
  CwProviderItem *self = CW_PROVIDER_ITEM (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->organization);
  g_free (self->kind);

  G_OBJECT_CLASS (cw_provider_item_parent_class)->finalize (object);
}

static void
cw_provider_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CwProviderItem *self = CW_PROVIDER_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id != NULL ? self->id : "");
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name != NULL ? self->name : "");
      break;
    case PROP_ORGANIZATION:
      g_value_set_string (value, self->organization != NULL ? self->organization : "");
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind != NULL ? self->kind : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_provider_item_class_init (CwProviderItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_provider_item_finalize;
  object_class->get_property = cw_provider_item_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORGANIZATION] =
    g_param_spec_string ("organization", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_provider_item_init (CwProviderItem *self)
{
}

CwProviderItem *
cw_provider_item_new (const CwProviderItemData *data)
{
  CwProviderItem *self = g_object_new (CW_TYPE_PROVIDER_ITEM, NULL);

  self->id = g_strdup (data->id);
  self->name = g_strdup (data->name);
  self->organization = g_strdup (data->organization);
  self->kind = g_strdup (data->kind);

  return self;
}

void
cw_provider_item_update (CwProviderItem *self,
                         const CwProviderItemData *data)
{
  g_return_if_fail (CW_IS_PROVIDER_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->id, data->id) != 0)
    {
      g_free (self->id);
      self->id = g_strdup (data->id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
  if (g_strcmp0 (self->name, data->name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (data->name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
  if (g_strcmp0 (self->organization, data->organization) != 0)
    {
      g_free (self->organization);
      self->organization = g_strdup (data->organization);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORGANIZATION]);
    }
  if (g_strcmp0 (self->kind, data->kind) != 0)
    {
      g_free (self->kind);
      self->kind = g_strdup (data->kind);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
cw_provider_item_update_from (CwProviderItem *self,
                              CwProviderItem *other)
{
  CwProviderItemData data = {
    other->id,
    other->name,
    other->organization,
    other->kind,
  };

  cw_provider_item_update (self, &data);
}

const char *
cw_provider_item_get_id (CwProviderItem *self)
{
  g_return_val_if_fail (CW_IS_PROVIDER_ITEM (self), NULL);

  return self->id != NULL ? self->id : "";
}

const char *
cw_provider_item_get_name (CwProviderItem *self)
{
  g_return_val_if_fail (CW_IS_PROVIDER_ITEM (self), NULL);

  return self->name != NULL ? self->name : "";
}

const char *
cw_provider_item_get_organization (CwProviderItem *self)
{
  g_return_val_if_fail (CW_IS_PROVIDER_ITEM (self), NULL);

  return self->organization != NULL ? self->organization : "";
}

const char *
cw_provider_item_get_kind (CwProviderItem *self)
{
  g_return_val_if_fail (CW_IS_PROVIDER_ITEM (self), NULL);

  return self->kind != NULL ? self->kind : "";
}
