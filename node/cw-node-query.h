/* cw-node-query.h: the query strings of the node's read endpoints.
 *
 * They are parsed here, apart from the libsoup messages that carry them,
 * so that the parsing can be tested and fuzzed without a server
 * (tests/fuzz/fuzz-node-query.c). Each function reads the raw query as the
 * request line wrote it, still percent-encoded, because libsoup's decoded
 * table keeps only one of a repeated parameter, silently drops a pair
 * without "=", and lets a decoded "%00" cut a value short. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean cw_node_query_parse_decimals (const char         *raw_query,
                                       const char * const *names,
                                       gboolean           *out_present,
                                       guint64            *out_values);

gboolean cw_node_query_parse_search   (const char         *raw_query,
                                       GHashTable         *query,
                                       guint               max_chars,
                                       const char        **out_q);

G_END_DECLS
