/* cw-node-directory.c: the provider directory as the API and the admin
 * commands use it: validated changes and bounded searches over the store. */
#include "config.h"

#include "cw-node-directory.h"

struct _CwNodeDirectory
{
  GObject parent_instance;

  CwNodeStore *store;
  guint max_results;
};

G_DEFINE_FINAL_TYPE (CwNodeDirectory, cw_node_directory, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_MAX_RESULTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cw_node_directory_dispose (GObject *object)
{
  CwNodeDirectory *self = (CwNodeDirectory *)object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (cw_node_directory_parent_class)->dispose (object);
}

static void
cw_node_directory_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CwNodeDirectory *self = CW_NODE_DIRECTORY (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_MAX_RESULTS:
      g_value_set_uint (value, self->max_results);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_directory_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CwNodeDirectory *self = CW_NODE_DIRECTORY (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_MAX_RESULTS:
      self->max_results = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_directory_class_init (CwNodeDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = cw_node_directory_dispose;
  object_class->get_property = cw_node_directory_get_property;
  object_class->set_property = cw_node_directory_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, "Where providers are kept", CW_TYPE_NODE_STORE, flags);
  properties[PROP_MAX_RESULTS] =
    g_param_spec_uint ("max-results", NULL, "Most providers one search returns",
                       1, G_MAXINT, 50, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_directory_init (CwNodeDirectory *self)
{
}

CwNodeDirectory *
cw_node_directory_new (CwNodeStore *store,
                       guint        max_results)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (store), NULL);

  return g_object_new (CW_TYPE_NODE_DIRECTORY,
                       "store", store,
                       "max-results", MAX (max_results, 1),
                       NULL);
}

CwNodeStore *
cw_node_directory_get_store (CwNodeDirectory *self)
{
  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (self), NULL);
  return self->store;
}

guint
cw_node_directory_get_max_results (CwNodeDirectory *self)
{
  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (self), 0);
  return self->max_results;
}

CwNodeProvider *
cw_node_directory_add (CwNodeDirectory     *self,
                       const char          *id,
                       const char          *name,
                       const char          *organization,
                       CwNodeProviderKind   kind,
                       GBytes              *public_key,
                       GError             **error)
{
  g_autoptr(CwNodeProvider) provider = NULL;

  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (self), NULL);

  provider = cw_node_provider_new (id, name, organization, kind, public_key,
                                   g_get_real_time () / G_USEC_PER_SEC, error);
  if (provider == NULL)
    return NULL;

  if (!cw_node_store_add_provider (self->store, provider, error))
    return NULL;

  return g_steal_pointer (&provider);
}

gboolean
cw_node_directory_remove (CwNodeDirectory  *self,
                          const char       *id,
                          GError          **error)
{
  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (self), FALSE);

  if (!cw_node_provider_id_is_valid (id))
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_ID,
                   "Invalid provider ID “%s”", id != NULL ? id : "");
      return FALSE;
    }

  return cw_node_store_remove_provider (self->store, id, g_get_real_time () / G_USEC_PER_SEC,
                                        error);
}

CwNodeProvider *
cw_node_directory_lookup (CwNodeDirectory  *self,
                          const char       *id,
                          GError          **error)
{
  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (self), NULL);

  /* Anything that is not an ID cannot name a provider; the store never
   * sees it. */
  if (!cw_node_provider_id_is_valid (id))
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No provider with this ID");
      return NULL;
    }

  return cw_node_store_lookup_provider (self->store, id, error);
}

GPtrArray *
cw_node_directory_search (CwNodeDirectory  *self,
                          const char       *query,
                          gboolean         *out_truncated,
                          GError          **error)
{
  g_autofree char *folded = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gboolean truncated;

  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (self), NULL);
  g_return_val_if_fail (query == NULL || g_utf8_validate (query, -1, NULL), NULL);

  if (query != NULL && *query != '\0')
    folded = g_utf8_casefold (query, -1);

  /* One more than asked, to know whether there are more. */
  results = cw_node_store_search_providers (self->store, folded, self->max_results + 1, error);
  if (results == NULL)
    return NULL;

  truncated = results->len > self->max_results;
  if (truncated)
    g_ptr_array_set_size (results, self->max_results);

  if (out_truncated != NULL)
    *out_truncated = truncated;

  return g_steal_pointer (&results);
}

GPtrArray *
cw_node_directory_list_all (CwNodeDirectory  *self,
                            GError          **error)
{
  g_return_val_if_fail (CW_IS_NODE_DIRECTORY (self), NULL);

  return cw_node_store_search_providers (self->store, NULL, G_MAXINT, error);
}
