/* fuzz-node-query.c: the request target of the node's read endpoints, the
 * way the server sees it. The input (up to its first NUL) is the target of
 * a request line; the harness turns it into a URI with libsoup's flags, as
 * libsoup's server does, decodes the query into the table the handlers get
 * (soup_form_decode()), and hands both to every parser in
 * node/cw-node-query.c, and a tile path to cw_tile_parse_path().
 *
 * Invariants: an accepted decimal query is exactly "name=value" pairs of
 * distinct known names, the values written as cw_parse_uint64() reads
 * them, so printing the parsed values gives the raw query back; an
 * accepted search query is empty or the one parameter "q", printable UTF-8
 * within the limit; an accepted tile path formats back to itself. */
#include "config.h"

#include <libsoup/soup.h>

#include "fuzz-common.h"

#include "cw-node-query.h"
#include "cw-tiles.h"

/* Small, so that the length check is reached. */
#define FUZZ_MAX_QUERY_CHARS 40

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

/* The pair "name=value" as an accepted query must have written it. */
static void
check_pair (const char         *pair,
            const char * const *names,
            const gboolean     *present,
            const guint64      *values,
            gboolean           *seen)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *expected = NULL;

      if (!g_str_has_prefix (pair, names[i]) || pair[strlen (names[i])] != '=')
        continue;

      FUZZ_ASSERT (present[i] && !seen[i]);
      expected = g_strdup_printf ("%s=%" G_GUINT64_FORMAT, names[i], values[i]);
      FUZZ_ASSERT (g_str_equal (pair, expected));
      seen[i] = TRUE;
      return;
    }

  FUZZ_ASSERT (!"an accepted query holds a pair of no known name");
}

static void
check_decimals (const char         *raw,
                const char * const *names)
{
  gboolean present[3];
  guint64 values[3];
  gboolean seen[3] = { FALSE, FALSE, FALSE };
  g_auto(GStrv) pairs = NULL;
  guint n_names = g_strv_length ((GStrv) names);

  if (!cw_node_query_parse_decimals (raw, names, present, values))
    {
      FUZZ_ASSERT (raw != NULL && *raw != '\0');
      return;
    }

  if (raw == NULL || *raw == '\0')
    {
      for (guint i = 0; i < n_names; i++)
        FUZZ_ASSERT (!present[i] && values[i] == 0);
      return;
    }

  pairs = g_strsplit (raw, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    check_pair (pairs[i], names, present, values, seen);
  for (guint i = 0; i < n_names; i++)
    FUZZ_ASSERT (present[i] == seen[i]);
}

static void
check_search (const char *raw,
              GHashTable *query)
{
  const char *q = (const char *) 0x1;

  if (!cw_node_query_parse_search (raw, query, FUZZ_MAX_QUERY_CHARS, &q))
    {
      FUZZ_ASSERT (q == NULL);
      return;
    }

  if (q == NULL)
    {
      FUZZ_ASSERT (raw == NULL || *raw == '\0');
      return;
    }

  FUZZ_ASSERT (raw != NULL && strchr (raw, '&') == NULL && strstr (raw, "%00") == NULL);
  FUZZ_ASSERT (g_hash_table_size (query) == 1);
  FUZZ_ASSERT (q == g_hash_table_lookup (query, "q"));
  FUZZ_ASSERT (g_utf8_validate (q, -1, NULL));
  FUZZ_ASSERT (g_utf8_strlen (q, -1) <= FUZZ_MAX_QUERY_CHARS);
  for (const char *p = q; *p; p = g_utf8_next_char (p))
    FUZZ_ASSERT (!g_unichar_iscntrl (g_utf8_get_char (p)));
}

static void
check_tile (const char *path)
{
  CwTile tile = { 0, };
  g_autofree char *again = NULL;

  if (!g_str_has_prefix (path, "/log/") || !cw_tile_parse_path (path + 5, &tile, NULL))
    return;

  again = cw_tile_path (&tile);
  FUZZ_ASSERT (g_str_equal (again, path + 5));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char * const proof_names[][3] = {
    { "index", "size", NULL },
    { "old", "new", NULL },
  };
  static const char * const page_names[][3] = {
    { "from", "limit", NULL },
    { "after", "limit", NULL },
  };
  g_autofree char *target = fuzz_strndup (data, size);
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) query = NULL;
  const char *raw;

  /* libsoup's server takes an origin-form target only from "/". */
  if (target[0] != '/')
    return 0;

  url = g_strconcat ("https://node.fuzz.example", target, NULL);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    return 0;

  raw = g_uri_get_query (uri);
  if (raw != NULL)
    query = soup_form_decode (raw);

  for (guint i = 0; i < G_N_ELEMENTS (proof_names); i++)
    check_decimals (raw, proof_names[i]);
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    check_decimals (raw, page_names[i]);
  check_search (raw, query);
  check_tile (g_uri_get_path (uri));

  return 0;
}
