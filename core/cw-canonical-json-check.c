/* cw-canonical-json-check.c: the byte scanner behind cw_canonical_json_check()
 * and cw_canonical_json_check_strict() (see cw-canonical-json.c for why the
 * project has its own): the canonical grammar of DESIGN.md "Consent
 * transactions" with the offset of the first violation, or strict RFC 8259
 * with duplicate names and depth refused. It decodes only what a check
 * needs (member names with escapes); every other string is walked, not
 * copied, since pages of thousands of envelopes pass through it. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-canonical-json-private.h"

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
  g_set_error (s->error, CW_CANONICAL_JSON_ERROR, code, _("At byte %zu: %s"), at, what);

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
                 _("white space (0x%02x) outside a string"), s->data[s->pos]);

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
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, _("expected “%c”, found the end"), c);
  if (s->data[s->pos] != c)
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX,
                 _("expected “%c”, found 0x%02x"), c, s->data[s->pos]);
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
        return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, _("expected a hex digit in \\u escape"));
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
  if (unit < 0x20 && cw_canonical_json_short_escapes[unit] != '\0')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE,
                 _("U+%04X must be escaped as \\%c"), unit, cw_canonical_json_short_escapes[unit]);
  if (unit == '"' || unit == '\\')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE,
                 _("U+%04X must be escaped as \\%c"), unit, unit);
  if (unit >= 0x20)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE,
                 _("needless escape of U+%04X"), unit);
  if (upper)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_HEX_CASE,
                 _("upper-case hex digits in \\u escape"));
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
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, _("unpaired low surrogate"));
  if (unit < 0xD800 || unit > 0xDBFF)
    {
      *c = unit;
      return TRUE;
    }

  if (s->pos + 2 > s->len || s->data[s->pos] != '\\' || s->data[s->pos + 1] != 'u')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, _("unpaired high surrogate"));
  s->pos += 2;
  if (!scan_hex4 (s, &low, &upper))
    return FALSE;
  if (low < 0xDC00 || low > 0xDFFF)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, _("unpaired high surrogate"));

  *c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  return TRUE;
}

/* s->pos is on the backslash. Appends the decoded character to @out,
 * unless @out is %NULL (the escape is only checked). */
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
    return fail (s, start, CW_CANONICAL_JSON_ERROR_SYNTAX, _("unterminated escape"));

  e = s->data[s->pos++];
  if (e == '/' && s->canonical)
    return fail (s, start, CW_CANONICAL_JSON_ERROR_ESCAPE, _("needless escape \\/"));

  found = e != 'u' && e != '\0' ? strchr (simple, e) : NULL;
  if (found != NULL && (found - simple) % 2 == 0)
    {
      if (out != NULL)
        g_string_append_c (out, found[1]);
      return TRUE;
    }
  if (e != 'u')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_SYNTAX, _("invalid escape \\%c"), g_ascii_isprint (e) ? e : '?');

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

  if (out != NULL)
    g_string_append_unichar (out, c);
  return TRUE;
}

/* Plain characters: printable ASCII other than the quote and backslash. */
static gboolean
is_plain (guint8 c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* s->pos is on the opening quote. Appends the decoded string to @out, or
 * with @out %NULL only checks it: values the scanner does not keep are
 * never copied. Runs of plain characters are taken in one step. */
static gboolean
scan_string (Scanner *s,
             GString *out)
{
  gsize start = s->pos++;

  for (;;)
    {
      gsize run = s->pos;
      guint8 c;

      while (s->pos < s->len && is_plain (s->data[s->pos]))
        s->pos++;
      if (out != NULL && s->pos > run)
        g_string_append_len (out, (const char *) s->data + run, s->pos - run);

      if (at_end (s))
        return fail (s, start, CW_CANONICAL_JSON_ERROR_SYNTAX, _("unterminated string"));

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
                     _("unescaped control character U+%04X in a string"), c);
      else
        {
          const char *p = (const char *) s->data + s->pos;
          gunichar u = g_utf8_get_char_validated (p, s->len - s->pos);

          if (u == (gunichar) -1 || u == (gunichar) -2)
            return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_UTF8, _("invalid UTF-8 sequence"));
          if (out != NULL)
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
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, _("expected a digit"));
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

  return fail (s, start, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE, _("integer beyond ±(2^53 - 1)"));
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
    return fail (s, start, CW_CANONICAL_JSON_ERROR_NUMBER_FORM, _("number with a leading zero"));

  if (!at_end (s) && strchr (".eE", s->data[s->pos]) != NULL)
    {
      if (s->canonical)
        return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_FLOAT,
                     _("fraction or exponent; only integers are allowed"));
      return scan_fraction_exponent (s);
    }

  if (!s->canonical)
    return TRUE;
  if (negative && s->data[digits_start] == '0')
    return fail (s, start, CW_CANONICAL_JSON_ERROR_NUMBER_FORM, _("negative zero"));

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

  return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, _("unexpected byte 0x%02x"), s->data[s->pos]);
}

/* A member name as the duplicate and order checks need it: the bytes
 * between the quotes when it has no escape (nearly every name, and then
 * nothing is copied), else its decoded copy in @decoded. */
typedef struct {
  const char *str;
  gsize len;
  GString *decoded;
} Name;

static void
name_clear (Name *name)
{
  if (name->decoded != NULL)
    g_string_free (name->decoded, TRUE);
  *name = (Name) { NULL, 0, NULL };
}

/* s->pos is on the opening quote. */
static gboolean
scan_name (Scanner *s,
           Name    *name)
{
  gsize start = s->pos;

  if (!scan_string (s, NULL))
    return FALSE;
  if (memchr (s->data + start + 1, '\\', s->pos - start - 2) == NULL)
    {
      name->str = (const char *) s->data + start + 1;
      name->len = s->pos - start - 2;
      return TRUE;
    }

  /* Escaped: read it again, decoding this time. */
  s->pos = start;
  name->decoded = g_string_new (NULL);
  if (!scan_string (s, name->decoded))
    return FALSE;
  name->str = name->decoded->str;
  name->len = name->decoded->len;
  return TRUE;
}

static gboolean
member_name_error (Scanner              *s,
                   gsize                 at,
                   CwCanonicalJsonError  code,
                   const Name           *name)
{
  g_autofree char *copy = g_strndup (name->str, name->len);
  g_autofree char *shown = g_strescape (copy, NULL);

  if (code == CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY)
    return fail (s, at, code, _("duplicate member “%s”"), shown);
  return fail (s, at, code, _("member “%s” is out of order"), shown);
}

/* Objects up to this many members are checked for duplicates by comparing
 * names directly; larger ones get a hash table. */
#define SMALL_OBJECT 16

/* The names an object has had so far. */
typedef struct {
  Name small[SMALL_OBJECT];  /* strict mode, the first members */
  guint n_small;
  GHashTable *seen;          /* strict mode, GBytes, past SMALL_OBJECT */
  Name prev;                 /* canonical mode, the previous name */
} Members;

static void
members_clear (Members *members)
{
  for (guint i = 0; i < members->n_small; i++)
    name_clear (&members->small[i]);
  g_clear_pointer (&members->seen, g_hash_table_unref);
  name_clear (&members->prev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Members, members_clear)

static gboolean
name_seen (Members    *members,
           const Name *name)
{
  /* By length too: "a" and "a\u0000" are different names. */
  g_autoptr(GBytes) key = NULL;

  if (members->seen == NULL)
    {
      for (guint i = 0; i < members->n_small; i++)
        if (members->small[i].len == name->len &&
            memcmp (members->small[i].str, name->str, name->len) == 0)
          return TRUE;
      if (members->n_small < SMALL_OBJECT)
        return FALSE;

      members->seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                             (GDestroyNotify) g_bytes_unref, NULL);
      for (guint i = 0; i < members->n_small; i++)
        g_hash_table_add (members->seen, g_bytes_new (members->small[i].str, members->small[i].len));
    }

  key = g_bytes_new (name->str, name->len);
  return g_hash_table_contains (members->seen, key);
}

/* Checks @name against the object's earlier ones and keeps it (taken). */
static gboolean
check_member_name (Scanner  *s,
                   gsize     at,
                   Members  *members,
                   Name     *name)
{
  gboolean first = members->n_small == 0 && members->seen == NULL && members->prev.str == NULL;
  int cmp;

  if (!s->canonical)
    {
      if (name_seen (members, name))
        return member_name_error (s, at, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY, name);
      if (members->seen != NULL)
        {
          g_hash_table_add (members->seen, g_bytes_new (name->str, name->len));
          name_clear (name);
        }
      else
        {
          members->small[members->n_small++] = *name;
          *name = (Name) { NULL, 0, NULL };
        }
      return TRUE;
    }

  cmp = first ? -1 : cw_canonical_json_compare_keys (members->prev.str, members->prev.len,
                                                     name->str, name->len);
  if (cmp == 0)
    return member_name_error (s, at, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY, name);
  if (cmp > 0)
    return member_name_error (s, at, CW_CANONICAL_JSON_ERROR_UNSORTED_KEYS, name);

  name_clear (&members->prev);
  members->prev = *name;
  *name = (Name) { NULL, 0, NULL };
  return TRUE;
}

static gboolean
enter (Scanner *s)
{
  if (++s->depth > CW_CANONICAL_JSON_MAX_DEPTH)
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_DEPTH,
                 _("nested deeper than %d levels"), CW_CANONICAL_JSON_MAX_DEPTH);
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
  g_auto(Members) members = { 0 };
  gboolean done = FALSE;

  if (!enter (s))
    return FALSE;
  if (!at_end (s) && s->data[s->pos] == '}')
    return scan_separator (s, '}', &done);

  while (!done)
    {
      Name name = { NULL, 0, NULL };
      gsize at = s->pos;
      gboolean ok;

      if (at_end (s) || s->data[s->pos] != '"')
        return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, _("expected a member name"));
      ok = scan_name (s, &name) && check_member_name (s, at, &members, &name);
      name_clear (&name);
      if (!ok)
        return FALSE;
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
    return fail (s, s->pos, CW_CANONICAL_JSON_ERROR_SYNTAX, _("unexpected end of input"));

  c = s->data[s->pos];
  if (c == '{')
    return scan_object (s);
  if (c == '[')
    return scan_array (s);
  if (c == '"')
    return scan_string (s, NULL);
  if (c == '-' || g_ascii_isdigit (c))
    return scan_number (s);
  return scan_literal (s);
}

gboolean
cw_canonical_json_scan (const guint8  *data,
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
    return fail (&s, s.pos, CW_CANONICAL_JSON_ERROR_TRAILING, _("trailing bytes after the JSON value"));

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
  return cw_canonical_json_scan (data, len, TRUE, error_offset, NULL, error);
}

gboolean
cw_canonical_json_check_strict (const guint8  *data,
                                gsize          len,
                                gsize         *error_offset,
                                GError       **error)
{
  return cw_canonical_json_scan (data, len, FALSE, error_offset, NULL, error);
}

gboolean
cw_canonical_json_check_document (const guint8  *data,
                                  gsize          len,
                                  GError       **error)
{
  gboolean has_nul = FALSE;

  if (!cw_canonical_json_scan (data, len, FALSE, NULL, &has_nul, error))
    return FALSE;
  if (has_nul)
    {
      g_set_error_literal (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UNREPRESENTABLE,
                           _("The document holds U+0000 in a string, which the JSON parser cannot "
                             "represent faithfully"));
      return FALSE;
    }
  return TRUE;
}
