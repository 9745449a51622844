/* cw-node-query.c: the query strings of the node's read endpoints
 * (cw-node-query.h). */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-node-query.h"

/* @raw_query as "name=value" pairs joined by "&", each name one of the
 * NULL-terminated @names and none twice, each value a decimal integer as
 * cw_parse_uint64() reads it. NULL or "" is no parameter at all. On
 * success, out_present[i] says whether names[i] was given and
 * out_values[i] holds its value (0 if not given). Nothing is decoded: a
 * decimal integer has nothing to escape, so an escaped name or value is
 * refused rather than read. */
gboolean
cw_node_query_parse_decimals (const char         *raw_query,
                              const char * const *names,
                              gboolean           *out_present,
                              guint64            *out_values)
{
  g_auto(GStrv) pairs = NULL;
  guint n_names;

  g_return_val_if_fail (names != NULL, FALSE);
  g_return_val_if_fail (out_present != NULL, FALSE);
  g_return_val_if_fail (out_values != NULL, FALSE);

  n_names = g_strv_length ((GStrv) names);
  for (guint i = 0; i < n_names; i++)
    {
      out_present[i] = FALSE;
      out_values[i] = 0;
    }

  if (raw_query == NULL || *raw_query == '\0')
    return TRUE;

  pairs = g_strsplit (raw_query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *equals = strchr (pairs[i], '=');
      guint n;

      if (equals == NULL)
        return FALSE;
      *equals = '\0';

      for (n = 0; n < n_names && !g_str_equal (pairs[i], names[n]); n++)
        ;
      if (n == n_names || out_present[n] ||
          !cw_parse_uint64 (equals + 1, -1, &out_values[n]))
        return FALSE;
      out_present[n] = TRUE;
    }

  return TRUE;
}

/* Printable text: valid UTF-8 without control characters. */
static gboolean
text_is_printable (const char *text,
                   guint       max_chars)
{
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > max_chars)
    return FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

/* The provider search: no query, or exactly the one parameter "q",
 * printable UTF-8 of at most @max_chars characters. @query is libsoup's
 * decoded table of @raw_query (NULL when there is no query); *out_q points
 * into it, or is NULL when "q" is not given. */
gboolean
cw_node_query_parse_search (const char  *raw_query,
                            GHashTable  *query,
                            guint        max_chars,
                            const char **out_q)
{
  const char *q = NULL;

  g_return_val_if_fail (out_q != NULL, FALSE);

  *out_q = NULL;
  if (query != NULL)
    {
      GHashTableIter iter;
      const char *key;

      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
        {
          if (!g_str_equal (key, "q"))
            return FALSE;
        }
      q = g_hash_table_lookup (query, "q");
    }

  /* A NUL byte would silently cut the decoded value short, and the parsed
   * table would keep only one of a repeated "q". */
  if ((raw_query != NULL && (strstr (raw_query, "%00") != NULL ||
                             strchr (raw_query, '&') != NULL)) ||
      (q != NULL && !text_is_printable (q, max_chars)))
    return FALSE;

  /* libsoup drops a pair without "=" from the table, which would turn
   * "?x" into a search for everything. */
  if (raw_query != NULL && *raw_query != '\0' && q == NULL)
    return FALSE;

  *out_q = q;
  return TRUE;
}
