/* cw-canonical-json.c: canonical JSON encoding and checking, the RFC 8785
 * (JSON Canonicalization Scheme) subset of DESIGN.md "Consent transactions".
 *
 * Why a scanner of our own: json-glib accepts duplicate member names (the
 * last wins), single-quoted strings, leading zeros, and it normalises
 * numbers and escapes away, so nothing it gives back can tell whether the
 * received bytes were canonical, let alone where they were not. The check
 * therefore walks the bytes once with the exact canonical grammar and
 * reports the first violation with its offset; only then does json-glib
 * build the tree, and cw_canonical_json_parse() re-encodes that tree and
 * compares bytes, so the scanner and json-glib can never disagree silently.
 */
#include "config.h"

#include <string.h>

#include "cw-canonical-json.h"

G_DEFINE_QUARK (cw-canonical-json-error-quark, cw_canonical_json_error)

/* Short escapes of RFC 8785 §3.2.2.2, indexed by code point. */
static const char short_escapes[0x20] = {
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

static void
encode_string (GString    *out,
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
      else if (*p < 0x20 && short_escapes[*p] != '\0')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, short_escapes[*p]);
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
                               "Member name is not valid UTF-8");
          return FALSE;
        }
      if (prev != NULL && strcmp (prev, name) == 0)
        {
          g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY,
                       "Duplicate member name “%s”", name);
          return FALSE;
        }
      if (prev != NULL)
        g_string_append_c (out, ',');
      encode_string (out, name);
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
                       "Integer %" G_GINT64_FORMAT " is beyond ±(2^53 - 1)", v);
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
                               "String is not valid UTF-8");
          return FALSE;
        }
      encode_string (out, str);
    }
  else
    {
      g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_FLOAT,
                   "Values of type %s are not allowed; integers only", g_type_name (type));
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
                       "Nested deeper than %d levels", CW_CANONICAL_JSON_MAX_DEPTH);
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

/* ---- checking ---------------------------------------------------------- */

typedef struct {
  const guint8  *data;
  gsize          len;
  gsize          pos;
  guint          depth;
  gboolean       canonical;
  gsize         *error_offset;
  GError       **error;
  gboolean       has_nul;   /* a string holds U+0000 */
} Scanner;

static gboolean scan_value (Scanner *s);

G_GNUC_PRINTF (4, 5)
static gboolean
fail (Scanner              *s,
      gsize                 at,
      CwCanonicalJsonError  code,
      const char           *format,
      ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (s->error_offset != NULL)
    *s->error_offset = at;
  g_set_error (s->error, CW_CANONICAL_JSON_ERROR, code, "At byte %" G_GSIZE_FORMAT ": %s", at, what);

  return FALSE;
}

static gboolean
at_end (Scanner *s)
{
  return s->pos >= s->len;
}

static gboolean
is_space (guint8 c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Canonical form has no insignificant white space at all. */
static gboolean
skip_space (Scanner *s)
{
  if (!at_end (s) && is_space (s->data[s->pos]) && s->canonical)
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_WHITESPACE,
                 "white space (0x%02x) outside a string", s->data[s->pos]);

  while (!at_end (s) && is_space (s->data[s->pos]))
    s->pos++;

  return TRUE;
}

static gboolean
expect_byte (Scanner *s,
             guint8   c)
{
  if (!skip_space (s))
    return FALSE;
  if (at_end (s))
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, "expected “%c”, found the end", c);
  if (s->data[s->pos] != c)
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX,
                 "expected “%c”, found 0x%02x", c, s->data[s->pos]);
  s->pos++;
  return TRUE;
}

static int
hex_value (guint8    c,
           gboolean *upper)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    {
      *upper = TRUE;
      return c - 'A' + 10;
    }
  return -1;
}

/* Reads the four hex digits after "\u" at s->pos. */
static gboolean
scan_hex4 (Scanner  *s,
           guint    *unit,
           gboolean *upper)
{
  *unit = 0;
  *upper = FALSE;
  for (guint i = 0; i < 4; i++, s->pos++)
    {
      int v = at_end (s) ? -1 : hex_value (s->data[s->pos], upper);

      if (v < 0)
        return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, "expected a hex digit in \\u escape");
      *unit = (*unit << 4) | (guint) v;
    }
  return TRUE;
}

/* Canonical: \u is only for U+0000..U+001F without a short form, in lower
 * case; everything else that may be escaped has exactly one spelling. */
static gboolean
check_canonical_unicode_escape (Scanner  *s,
                                gsize     start,
                                guint     unit,
                                gboolean  upper)
{
  if (unit < 0x20 && short_escapes[unit] != '\0')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE,
                 "U+%04X must be escaped as \\%c", unit, short_escapes[unit]);
  if (unit == '"' || unit == '\\')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE,
                 "U+%04X must be escaped as \\%c", unit, unit);
  if (unit >= 0x20)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE,
                 "needless escape of U+%04X", unit);
  if (upper)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_HEX_CASE,
                 "upper-case hex digits in \\u escape");
  return TRUE;
}

/* Strict mode: any escape RFC 8259 allows, with surrogates paired. */
static gboolean
decode_strict_unicode_escape (Scanner  *s,
                              gsize     start,
                              guint     unit,
                              gunichar *c)
{
  guint low;
  gboolean upper;

  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, "unpaired low surrogate");
  if (unit < 0xD800 || unit > 0xDBFF)
    {
      *c = unit;
      return TRUE;
    }

  if (s->pos + 2 > s->len || s->data[s->pos] != '\\' || s->data[s->pos + 1] != 'u')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, "unpaired high surrogate");
  s->pos += 2;
  if (!scan_hex4 (s, &low, &upper))
    return FALSE;
  if (low < 0xDC00 || low > 0xDFFF)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, "unpaired high surrogate");

  *c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  return TRUE;
}

/* s->pos is on the backslash. Appends the decoded character to @out. */
static gboolean
scan_escape (Scanner *s,
             GString *out)
{
  static const char simple[] = "\"\"\\\\b\bf\fn\nr\rt\t//";
  gsize start = s->pos;
  const char *found;
  guint unit;
  gboolean upper;
  gunichar c = 0;
  guint8 e;

  if (++s->pos >= s->len)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_SYNTAX, "unterminated escape");

  e = s->data[s->pos++];
  if (e == '/' && s->canonical)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, "needless escape \\/");

  found = e != 'u' && e != '\0' ? strchr (simple, e) : NULL;
  if (found != NULL && (found - simple) % 2 == 0)
    {
      g_string_append_c (out, found[1]);
      return TRUE;
    }
  if (e != 'u')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_SYNTAX, "invalid escape \\%c", g_ascii_isprint (e) ? e : '?');

  if (!scan_hex4 (s, &unit, &upper))
    return FALSE;

  if (s->canonical)
    {
      if (!check_canonical_unicode_escape (s, start, unit, upper))
        return FALSE;
      c = unit;
    }
  else if (!decode_strict_unicode_escape (s, start, unit, &c))
    return FALSE;

  if (c == 0)
    s->has_nul = TRUE;

  g_string_append_unichar (out, c);
  return TRUE;
}

/* s->pos is on the opening quote. Appends the decoded string to @out. */
static gboolean
scan_string (Scanner *s,
             GString *out)
{
  gsize start = s->pos++;

  for (;;)
    {
      guint8 c;

      if (at_end (s))
        return fail (s, start, CW_CANONICAL_JSON_ERROR_SYNTAX, "unterminated string");

      c = s->data[s->pos];
      if (c == '"')
        {
          s->pos++;
          return TRUE;
        }
      else if (c == '\\')
        {
          if (!scan_escape (s, out))
            return FALSE;
        }
      else if (c < 0x20)
        return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_CONTROL_CHAR,
                     "unescaped control character U+%04X in a string", c);
      else if (c < 0x80)
        {
          g_string_append_c (out, c);
          s->pos++;
        }
      else
        {
          const char *p = (const char *) s->data + s->pos;
          gunichar u = g_utf8_get_char_validated (p, s->len - s->pos);

          if (u == (gunichar) -1 || u == (gunichar) -2)
            return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_UTF8, "invalid UTF-8 sequence");
          g_string_append_len (out, p, g_utf8_next_char (p) - p);
          s->pos += g_utf8_next_char (p) - p;
        }
    }
}

static gboolean
scan_digits (Scanner *s)
{
  gsize start = s->pos;

  while (!at_end (s) && g_ascii_isdigit (s->data[s->pos]))
    s->pos++;

  if (s->pos == start)
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, "expected a digit");
  return TRUE;
}

/* Strict mode: the fraction and exponent of RFC 8259 §6. */
static gboolean
scan_fraction_exponent (Scanner *s)
{
  if (!at_end (s) && s->data[s->pos] == '.')
    {
      s->pos++;
      if (!scan_digits (s))
        return FALSE;
    }
  if (!at_end (s) && (s->data[s->pos] == 'e' || s->data[s->pos] == 'E'))
    {
      s->pos++;
      if (!at_end (s) && (s->data[s->pos] == '+' || s->data[s->pos] == '-'))
        s->pos++;
      if (!scan_digits (s))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_integer_range (Scanner *s,
                     gsize    start,
                     gsize    digits_start)
{
  gsize n_digits = s->pos - digits_start;
  char buf[20];
  guint64 v;

  if (n_digits < 16)
    return TRUE;

  if (n_digits < sizeof buf)
    {
      memcpy (buf, s->data + digits_start, n_digits);
      buf[n_digits] = '\0';
      v = g_ascii_strtoull (buf, NULL, 10);
      if (v <= (guint64) CW_CANONICAL_JSON_MAX_INT)
        return TRUE;
    }

  return fail (s, start, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE, "integer beyond ±(2^53 - 1)");
}

static gboolean
scan_number (Scanner *s)
{
  gsize start = s->pos;
  gsize digits_start;
  gboolean negative = FALSE;

  if (s->data[s->pos] == '-')
    {
      negative = TRUE;
      s->pos++;
    }
  digits_start = s->pos;
  if (!scan_digits (s))
    return FALSE;

  if (s->data[digits_start] == '0' && s->pos - digits_start > 1)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_NUMBER_FORM, "number with a leading zero");

  if (!at_end (s) && strchr (".eE", s->data[s->pos]) != NULL)
    {
      if (s->canonical)
        return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_FLOAT,
                     "fraction or exponent; only integers are allowed");
      return scan_fraction_exponent (s);
    }

  if (!s->canonical)
    return TRUE;
  if (negative && s->data[digits_start] == '0')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_NUMBER_FORM, "negative zero");

  return check_integer_range (s, start, digits_start);
}

static gboolean
scan_literal (Scanner *s)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);

      if (s->len - s->pos >= n && memcmp (s->data + s->pos, literals[i], n) == 0)
        {
          s->pos += n;
          return TRUE;
        }
    }

  return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, "unexpected byte 0x%02x", s->data[s->pos]);
}

static gboolean
member_name_error (Scanner              *s,
                   gsize                 at,
                   CwCanonicalJsonError  code,
                   GString              *name)
{
  g_autofree char *shown = g_strescape (name->str, NULL);

  if (code == CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY)
    return fail (s, at, code, "duplicate member “%s”", shown);
  return fail (s, at, code, "member “%s” is out of order", shown);
}

static gboolean
check_member_name (Scanner    *s,
                   gsize       at,
                   gboolean    first,
                   GString    *prev,
                   GString    *name,
                   GHashTable *seen)
{
  int cmp;

  if (!s->canonical)
    {
      /* By length too: "a" and "a\u0000" are different names. */
      g_autoptr(GBytes) key = g_bytes_new (name->str, name->len);

      if (g_hash_table_contains (seen, key))
        return member_name_error (s, at, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY, name);
      g_hash_table_add (seen, g_steal_pointer (&key));
      return TRUE;
    }

  cmp = first ? -1 : cw_canonical_json_compare_keys (prev->str, prev->len, name->str, name->len);
  if (cmp == 0)
    return member_name_error (s, at, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY, name);
  if (cmp > 0)
    return member_name_error (s, at, CW_CANONICAL_JSON_ERROR_UNSORTED_KEYS, name);

  g_string_truncate (prev, 0);
  g_string_append_len (prev, name->str, name->len);
  return TRUE;
}

static gboolean
enter (Scanner *s)
{
  if (++s->depth > CW_CANONICAL_JSON_MAX_DEPTH)
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_DEPTH,
                 "nested deeper than %d levels", CW_CANONICAL_JSON_MAX_DEPTH);
  s->pos++;
  return skip_space (s);
}

/* Reads "," or the closing byte after a member or element; sets *done. */
static gboolean
scan_separator (Scanner  *s,
                guint8    close,
                gboolean *done)
{
  if (!skip_space (s))
    return FALSE;
  if (!at_end (s) && s->data[s->pos] == close)
    {
      s->pos++;
      s->depth--;
      *done = TRUE;
      return TRUE;
    }
  *done = FALSE;
  return expect_byte (s, ',') && skip_space (s);
}

static gboolean
scan_object (Scanner *s)
{
  g_autoptr(GString) prev = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                      (GDestroyNotify) g_bytes_unref, NULL);
  gboolean first = TRUE;
  gboolean done = FALSE;

  if (!enter (s))
    return FALSE;
  if (!at_end (s) && s->data[s->pos] == '}')
    return scan_separator (s, '}', &done);

  while (!done)
    {
      g_autoptr(GString) name = g_string_new (NULL);
      gsize at = s->pos;

      if (at_end (s) || s->data[s->pos] != '"')
        return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, "expected a member name");
      if (!scan_string (s, name))
        return FALSE;
      if (!check_member_name (s, at, first, prev, name, seen))
        return FALSE;
      first = FALSE;
      if (!expect_byte (s, ':') || !scan_value (s) || !scan_separator (s, '}', &done))
        return FALSE;
    }
  return TRUE;
}

static gboolean
scan_array (Scanner *s)
{
  gboolean done = FALSE;

  if (!enter (s))
    return FALSE;
  if (!at_end (s) && s->data[s->pos] == ']')
    return scan_separator (s, ']', &done);

  while (!done)
    {
      if (!scan_value (s) || !scan_separator (s, ']', &done))
        return FALSE;
    }
  return TRUE;
}

static gboolean
scan_value (Scanner *s)
{
  guint8 c;

  if (!skip_space (s))
    return FALSE;
  if (at_end (s))
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, "unexpected end of input");

  c = s->data[s->pos];
  if (c == '{')
    return scan_object (s);
  if (c == '[')
    return scan_array (s);
  if (c == '"')
    {
      g_autoptr(GString) ignored = g_string_new (NULL);
      return scan_string (s, ignored);
    }
  if (c == '-' || g_ascii_isdigit (c))
    return scan_number (s);
  return scan_literal (s);
}

static gboolean
scan_document (const guint8  *data,
               gsize          len,
               gboolean       canonical,
               gsize         *error_offset,
               gboolean      *out_has_nul,
               GError       **error)
{
  Scanner s = { data, len, 0, 0, canonical, error_offset, error, FALSE };

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!scan_value (&s) || !skip_space (&s))
    return FALSE;
  if (!at_end (&s))
    return fail (&s, s.pos, CW_CANONICAL_JSON_ERROR_TRAILING, "trailing bytes after the JSON value");

  if (out_has_nul != NULL)
    *out_has_nul = s.has_nul;

  return TRUE;
}

gboolean
cw_canonical_json_check (const guint8  *data,
                         gsize          len,
                         gsize         *error_offset,
                         GError       **error)
{
  return scan_document (data, len, TRUE, error_offset, NULL, error);
}

gboolean
cw_canonical_json_check_strict (const guint8  *data,
                                gsize          len,
                                gsize         *error_offset,
                                GError       **error)
{
  return scan_document (data, len, FALSE, error_offset, NULL, error);
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
                   "JSON parser: %s", local_error->message);
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
                           "The document holds values the JSON parser cannot represent faithfully");
      return NULL;
    }

  return g_steal_pointer (&root);
}

JsonNode *
cw_canonical_json_parse_strict (const guint8  *data,
                                gsize          len,
                                GError       **error)
{
  gboolean has_nul = FALSE;

  if (!scan_document (data, len, FALSE, NULL, &has_nul, error))
    return NULL;
  /* json-glib cuts strings at U+0000: "<type>\u0000junk" would read as
   * "<type>". Refuse rather than hand out a tree the bytes do not say. */
  if (has_nul)
    {
      g_set_error_literal (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UNREPRESENTABLE,
                           "The document holds U+0000 in a string, which the JSON parser cannot "
                           "represent faithfully");
      return NULL;
    }
  return parse_checked (data, len, error);
}
