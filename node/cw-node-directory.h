/* cw-node-directory.h: the provider directory as the API and the admin
 * commands use it: validated changes and bounded searches over the store. */
#pragma once

#include "cw-node-provider.h"
#include "cw-node-store.h"

G_BEGIN_DECLS

#define CW_TYPE_NODE_DIRECTORY (cw_node_directory_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeDirectory, cw_node_directory, CW, NODE_DIRECTORY, GObject)

CwNodeDirectory *cw_node_directory_new        (CwNodeStore        *store,
                                               guint               max_results);

CwNodeStore     *cw_node_directory_get_store  (CwNodeDirectory    *self);
guint            cw_node_directory_get_max_results (CwNodeDirectory *self);

CwNodeProvider  *cw_node_directory_add        (CwNodeDirectory    *self,
                                               const char         *id,
                                               const char         *name,
                                               const char         *organization,
                                               CwNodeProviderKind  kind,
                                               GBytes             *public_key,
                                               GError            **error);
gboolean         cw_node_directory_remove     (CwNodeDirectory    *self,
                                               const char         *id,
                                               GError            **error);
/* Fails with CW_NODE_STORE_ERROR_NOT_FOUND for unknown or invalid IDs. */
CwNodeProvider  *cw_node_directory_lookup     (CwNodeDirectory    *self,
                                               const char         *id,
                                               GError            **error);
/* Providers whose name or organization contains @query, ignoring case;
 * %NULL or "" matches all. At most max-results are returned;
 * @out_truncated says whether there were more. */
GPtrArray       *cw_node_directory_search     (CwNodeDirectory    *self,
                                               const char         *query,
                                               gboolean           *out_truncated,
                                               GError            **error);
/* Every provider, for the admin's list. */
GPtrArray       *cw_node_directory_list_all   (CwNodeDirectory    *self,
                                               GError            **error);

G_END_DECLS
