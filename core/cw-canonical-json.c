/* cw-canonical-json.c: canonical JSON encoding and checking, the RFC 8785
 * (JSON Canonicalization Scheme) subset of DESIGN.md "Consent transactions".
 *
 * Why a scanner of our own: json-glib accepts duplicate member names (the
 * last wins), single-quoted strings, leading zeros, and it normalises
 * numbers and escapes away, so nothing it gives back can tell whether the
 * received bytes were canonical, let alone where they were not. The check
 * (cw-canonical-json-check.c) therefore walks the bytes once with the exact
 * canonical grammar and reports the first violation with its offset; only
 * then does json-glib build the tree, and cw_canonical_json_parse()
 * re-encodes that tree and compares bytes, so the scanner and json-glib can
 * never disagree silently.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-canonical-json-private.h"

G_DEFINE_QUARK (cw-canonical-json-error-quark, cw_canonical_json_error)

/* Short escapes of RFC 8785 §3.2.2.2, indexed by code point. */
const char cw_canonical_json_short_escapes[0x20] = {
  ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
};

/* ---- comparison -------------------------------------------------------- */

static guint
to_utf16 (gunichar  c,
          guint16   units[2])
{
  if (c < 0x10000)
    {
      units[0] = c;
      return 1;
    }

  c -= 0x10000;
  units[0] = 0xD800 + (c >> 10);
  units[1] = 0xDC00 + (c & 0x3FF);
  return 2;
}

int
cw_canonical_json_compare_keys (const char *a,
                                gsize       a_len,
                                const char *b,
                                gsize       b_len)
{
  const char *a_end = a + a_len;
  const char *b_end = b + b_len;
  guint16 ua[2], ub[2];
  guint na = 0, nb = 0, ia = 0, ib = 0;

  for (;;)
    {
      if (ia == na && a < a_end)
        {
          na = to_utf16 (g_utf8_get_char (a), ua);
          ia = 0;
          a = g_utf8_next_char (a);
        }
      if (ib == nb && b < b_end)
        {
          nb = to_utf16 (g_utf8_get_char (b), ub);
          ib = 0;
          b = g_utf8_next_char (b);
        }

      if (ia == na || ib == nb)
        return (ia == na ? 0 : 1) - (ib == nb ? 0 : 1);

      if (ua[ia] != ub[ib])
        return ua[ia] < ub[ib] ? -1 : 1;
      ia++;
      ib++;
    }
}

/* ---- encoding ---------------------------------------------------------- */

void
cw_canonical_json_append_string (GString    *out,
                                 const char *str)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p < 0x20 && cw_canonical_json_short_escapes[*p] != '\0')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, cw_canonical_json_short_escapes[*p]);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gboolean encode_node (GString   *out,
                             JsonNode  *node,
                             guint      depth,
                             GError   **error);

static int
compare_member_names (gconstpointer a,
                      gconstpointer b)
{
  return cw_canonical_json_compare_keys (a, strlen (a), b, strlen (b));
}

static gboolean
encode_object (GString     *out,
               JsonObject  *object,
               guint        depth,
               GError     **error)
{
  g_autoptr(GList) names = json_object_get_members (object);
  const char *prev = NULL;

  names = g_list_sort (names, compare_member_names);
  g_string_append_c (out, '{');
  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (!g_utf8_validate (name, -1, NULL))
        {
          g_set_error_literal (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UTF8,
                               _("Member name is not valid UTF-8"));
          return FALSE;
        }
      if (prev != NULL && strcmp (prev, name) == 0)
        {
          g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY,
                       _("Duplicate member name “%s”"), name);
          return FALSE;
        }
      if (prev != NULL)
        g_string_append_c (out, ',');
      cw_canonical_json_append_string (out, name);
      g_string_append_c (out, ':');
      if (!encode_node (out, json_object_get_member (object, name), depth, error))
        return FALSE;
      prev = name;
    }
  g_string_append_c (out, '}');

  return TRUE;
}

static gboolean
encode_array (GString    *out,
              JsonArray  *array,
              guint       depth,
              GError    **error)
{
  guint n = json_array_get_length (array);

  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (!encode_node (out, json_array_get_element (array, i), depth, error))
        return FALSE;
    }
  g_string_append_c (out, ']');

  return TRUE;
}

static gboolean
encode_value (GString   *out,
              JsonNode  *node,
              GError   **error)
{
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);

      if (v > CW_CANONICAL_JSON_MAX_INT || v < -CW_CANONICAL_JSON_MAX_INT)
        {
          g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE,
                       _("Integer %" PRId64 " is beyond ±(2^53 - 1)"), v);
          return FALSE;
        }
      g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
    }
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (type == G_TYPE_STRING)
    {
      const char *str = json_node_get_string (node);

      if (!g_utf8_validate (str, -1, NULL))
        {
          g_set_error_literal (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UTF8,
                               _("String is not valid UTF-8"));
          return FALSE;
        }
      cw_canonical_json_append_string (out, str);
    }
  else
    {
      g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_FLOAT,
                   _("Values of type %s are not allowed; integers only"), g_type_name (type));
      return FALSE;
    }

  return TRUE;
}

static gboolean
encode_node (GString   *out,
             JsonNode  *node,
             guint      depth,
             GError   **error)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
    case JSON_NODE_ARRAY:
      if (depth >= CW_CANONICAL_JSON_MAX_DEPTH)
        {
          g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DEPTH,
                       _("Nested deeper than %d levels"), CW_CANONICAL_JSON_MAX_DEPTH);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_OBJECT (node))
        return encode_object (out, json_node_get_object (node), depth + 1, error);
      return encode_array (out, json_node_get_array (node), depth + 1, error);

    case JSON_NODE_VALUE:
      return encode_value (out, node, error);

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      return TRUE;
    }
}

GBytes *
cw_canonical_json_encode (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!encode_node (out, node, 0, error))
    return NULL;

  return g_string_free_to_bytes (g_steal_pointer (&out));
}

/* ---- parsing ----------------------------------------------------------- */

static JsonNode *
parse_checked (const guint8  *data,
               gsize          len,
               GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, (const char *) data, len, &local_error))
    {
      g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_SYNTAX,
                   _("JSON parser: %s"), local_error->message);
      return NULL;
    }

  return json_parser_steal_root (parser);
}

JsonNode *
cw_canonical_json_parse (const guint8  *data,
                         gsize          len,
                         GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) again = NULL;

  if (!cw_canonical_json_check (data, len, NULL, error))
    return NULL;
  if ((root = parse_checked (data, len, error)) == NULL)
    return NULL;

  /* json-glib cuts strings at U+0000, for one; never hand out a tree that
   * says something other than the bytes did. */
  again = cw_canonical_json_encode (root, NULL);
  if (again == NULL ||
      g_bytes_get_size (again) != len ||
      memcmp (g_bytes_get_data (again, NULL), data, len) != 0)
    {
      g_set_error_literal (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UNREPRESENTABLE,
                           _("The document holds values the JSON parser cannot represent "
                             "faithfully"));
      return NULL;
    }

  return g_steal_pointer (&root);
}

JsonNode *
cw_canonical_json_parse_strict (const guint8  *data,
                                gsize          len,
                                GError       **error)
{
  /* json-glib cuts strings at U+0000: refuse rather than hand out a tree
   * the bytes do not say. */
  if (!cw_canonical_json_check_document (data, len, error))
    return NULL;
  return parse_checked (data, len, error);
}
