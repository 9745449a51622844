/* cw-record-list.c: a keyed GListModel that refreshes in place. */
#include "config.h"

#include "cw-record-list.h"

struct _CwRecordList
{
  GObject parent_instance;

  GType item_type;
  CwRecordKeyFunc get_key;
  CwRecordUpdateFunc update;
  GPtrArray *items;
  GHashTable *by_key;   /* key (owned by its item) -> item */
  gboolean loaded;      /* refreshed at least once */
};

enum {
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
cw_record_list_get_item_type (GListModel *model)
{
  return CW_RECORD_LIST (model)->item_type;
}

static guint
cw_record_list_get_n_items (GListModel *model)
{
  return CW_RECORD_LIST (model)->items->len;
}

static gpointer
cw_record_list_get_item (GListModel *model,
                         guint       position)
{
  CwRecordList *self = CW_RECORD_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
cw_record_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cw_record_list_get_item_type;
  iface->get_n_items = cw_record_list_get_n_items;
  iface->get_item = cw_record_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (CwRecordList, cw_record_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cw_record_list_model_init))

static void
cw_record_list_finalize (GObject *object)
{
  CwRecordList *self = CW_RECORD_LIST (object);

  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (cw_record_list_parent_class)->finalize (object);
}

static void
cw_record_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwRecordList *self = CW_RECORD_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_record_list_class_init (CwRecordListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_record_list_finalize;
  object_class->get_property = cw_record_list_get_property;

  /* An empty list that was never refreshed is not known to be empty:
   * views show "loading" until this turns TRUE. */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_record_list_init (CwRecordList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
}

CwRecordList *
cw_record_list_new (GType               item_type,
                    CwRecordKeyFunc     get_key,
                    CwRecordUpdateFunc  update)
{
  CwRecordList *self;

  g_return_val_if_fail (g_type_is_a (item_type, G_TYPE_OBJECT), NULL);
  g_return_val_if_fail (get_key != NULL && update != NULL, NULL);

  self = g_object_new (CW_TYPE_RECORD_LIST, NULL);
  self->item_type = item_type;
  self->get_key = get_key;
  self->update = update;
  return self;
}

void
cw_record_list_refresh (CwRecordList *self,
                        GPtrArray    *fresh)
{
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GHashTable) by_key = NULL;
  guint prefix = 0, suffix = 0, n_old, n_new;

  g_return_if_fail (CW_IS_RECORD_LIST (self));
  g_return_if_fail (fresh != NULL);

  old = g_steal_pointer (&self->items);
  self->items = g_ptr_array_new_full (fresh->len, g_object_unref);
  by_key = g_steal_pointer (&self->by_key);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < fresh->len; i++)
    {
      gpointer item = g_ptr_array_index (fresh, i);
      const char *key = self->get_key (item);
      gpointer known = g_hash_table_lookup (by_key, key);

      /* A key listed twice keeps its first place. */
      if (g_hash_table_contains (self->by_key, key))
        continue;
      if (known != NULL)
        {
          self->update (known, item);
          item = known;
        }
      g_ptr_array_add (self->items, g_object_ref (item));
      g_hash_table_insert (self->by_key, (gpointer) self->get_key (item), item);
    }

  n_old = old->len;
  n_new = self->items->len;
  while (prefix < n_old && prefix < n_new &&
         old->pdata[prefix] == self->items->pdata[prefix])
    prefix++;
  while (suffix < n_old - prefix && suffix < n_new - prefix &&
         old->pdata[n_old - 1 - suffix] == self->items->pdata[n_new - 1 - suffix])
    suffix++;

  if (prefix + suffix < n_old || prefix + suffix < n_new)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, n_old - prefix - suffix,
                                n_new - prefix - suffix);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
}

gboolean
cw_record_list_get_loaded (CwRecordList *self)
{
  g_return_val_if_fail (CW_IS_RECORD_LIST (self), FALSE);
  return self->loaded;
}

gpointer
cw_record_list_lookup (CwRecordList *self,
                       const char   *key)
{
  g_return_val_if_fail (CW_IS_RECORD_LIST (self), NULL);

  return g_hash_table_lookup (self->by_key, key);
}
