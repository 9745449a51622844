/* cw-json-reader.c: a cursor over strict JSON already checked by
 * cw_canonical_json_check_strict() (RFC 8259); see cw-json-reader.h. */
#include "config.h"

#include <string.h>

#include "cw-json-reader.h"

void
cw_json_reader_init (CwJsonReader *self,
                     const char   *data,
                     gsize         len)
{
  self->data = data;
  self->len = len;
  self->pos = 0;
}

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline void
skip_space (CwJsonReader *self)
{
  while (self->pos < self->len && is_space (self->data[self->pos]))
    self->pos++;
}

char
cw_json_reader_peek (CwJsonReader *self)
{
  skip_space (self);
  return self->pos < self->len ? self->data[self->pos] : 0;
}

gboolean
cw_json_reader_begin (CwJsonReader *self,
                      char          open)
{
  if (cw_json_reader_peek (self) != open)
    return FALSE;
  self->pos++;
  return TRUE;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits at @pos, or -1. */
static gint
read_hex4 (CwJsonReader *self)
{
  gint value = 0;

  if (self->len - self->pos < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      int d = hex_digit (self->data[self->pos + i]);

      if (d < 0)
        return -1;
      value = value * 16 + d;
    }
  self->pos += 4;
  return value;
}

/* One escape after the backslash, appended to @out. */
static gboolean
decode_escape (CwJsonReader *self,
               GString      *out)
{
  char c;
  gint unit, low;

  if (self->pos >= self->len)
    return FALSE;
  c = self->data[self->pos++];
  switch (c)
    {
    case '"': g_string_append_c (out, '"'); return TRUE;
    case '\\': g_string_append_c (out, '\\'); return TRUE;
    case '/': g_string_append_c (out, '/'); return TRUE;
    case 'b': g_string_append_c (out, '\b'); return TRUE;
    case 'f': g_string_append_c (out, '\f'); return TRUE;
    case 'n': g_string_append_c (out, '\n'); return TRUE;
    case 'r': g_string_append_c (out, '\r'); return TRUE;
    case 't': g_string_append_c (out, '\t'); return TRUE;
    case 'u':
      break;
    default:
      return FALSE;
    }

  if ((unit = read_hex4 (self)) < 0 || unit == 0)
    return FALSE;
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return FALSE;
  if (unit >= 0xD800 && unit <= 0xDBFF)
    {
      /* A high surrogate needs its low one. */
      if (self->len - self->pos < 2 || self->data[self->pos] != '\\' ||
          self->data[self->pos + 1] != 'u')
        return FALSE;
      self->pos += 2;
      if ((low = read_hex4 (self)) < 0xDC00 || low > 0xDFFF)
        return FALSE;
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
  g_string_append_unichar (out, (gunichar) unit);
  return TRUE;
}

char *
cw_json_reader_read_string (CwJsonReader *self)
{
  g_autoptr(GString) out = NULL;
  gsize start;

  if (cw_json_reader_peek (self) != '"')
    return NULL;
  start = ++self->pos;

  /* Most strings here (base64, names) have no escape: one copy. */
  while (self->pos < self->len && self->data[self->pos] != '"' && self->data[self->pos] != '\\')
    self->pos++;
  if (self->pos >= self->len)
    return NULL;
  if (self->data[self->pos] == '"')
    return g_strndup (self->data + start, self->pos++ - start);

  out = g_string_new_len (self->data + start, self->pos - start);
  while (self->pos < self->len)
    {
      char c = self->data[self->pos++];

      if (c == '"')
        return g_string_free (g_steal_pointer (&out), FALSE);
      if (c != '\\')
        g_string_append_c (out, c);
      else if (!decode_escape (self, out))
        return NULL;
    }
  return NULL;
}

gboolean
cw_json_reader_read_plain_string (CwJsonReader  *self,
                                  const char   **text,
                                  gsize         *len)
{
  gsize start, end;

  if (cw_json_reader_peek (self) != '"')
    return FALSE;
  start = end = self->pos + 1;
  while (end < self->len && self->data[end] != '"' && self->data[end] != '\\')
    end++;
  if (end >= self->len || self->data[end] != '"')
    return FALSE;

  *text = self->data + start;
  *len = end - start;
  self->pos = end + 1;
  return TRUE;
}

gboolean
cw_json_reader_read_uint (CwJsonReader *self,
                          guint64      *value)
{
  guint64 v = 0;
  gsize start;

  skip_space (self);
  start = self->pos;
  while (self->pos < self->len && g_ascii_isdigit (self->data[self->pos]))
    {
      guint d = (guint) (self->data[self->pos] - '0');

      if (v > ((guint64) G_MAXINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
      self->pos++;
    }
  if (self->pos == start)
    return FALSE;
  /* A fraction or an exponent makes it a number that is not an integer. */
  if (self->pos < self->len && (self->data[self->pos] == '.' || self->data[self->pos] == 'e' ||
                                self->data[self->pos] == 'E'))
    return FALSE;

  *value = v;
  return TRUE;
}

gboolean
cw_json_reader_read_int (CwJsonReader *self,
                         gint64       *value)
{
  gboolean negative;
  guint64 magnitude;

  skip_space (self);
  negative = self->pos < self->len && self->data[self->pos] == '-';
  if (negative)
    {
      self->pos++;
      if (self->pos >= self->len || !g_ascii_isdigit (self->data[self->pos]))
        return FALSE;
    }
  if (!cw_json_reader_read_uint (self, &magnitude))
    return FALSE;

  *value = negative ? -(gint64) magnitude : (gint64) magnitude;
  return TRUE;
}

gboolean
cw_json_reader_read_null (CwJsonReader *self)
{
  skip_space (self);
  if (self->len - self->pos < 4 || memcmp (self->data + self->pos, "null", 4) != 0)
    return FALSE;
  self->pos += 4;
  return TRUE;
}

gboolean
cw_json_reader_next_member (CwJsonReader  *self,
                            char         **name,
                            gboolean      *malformed)
{
  char c = cw_json_reader_peek (self);

  *name = NULL;
  *malformed = FALSE;
  if (c == '}')
    {
      self->pos++;
      return FALSE;
    }
  if (c == ',')
    {
      self->pos++;
      c = cw_json_reader_peek (self);
    }
  if (c != '"' || (*name = cw_json_reader_read_string (self)) == NULL ||
      cw_json_reader_peek (self) != ':')
    {
      g_clear_pointer (name, g_free);
      *malformed = TRUE;
      return FALSE;
    }
  self->pos++;
  return TRUE;
}

gboolean
cw_json_reader_next_element (CwJsonReader *self,
                             gboolean     *malformed)
{
  char c = cw_json_reader_peek (self);

  *malformed = FALSE;
  if (c == ']')
    {
      self->pos++;
      return FALSE;
    }
  if (c == ',')
    self->pos++;
  if (cw_json_reader_peek (self) == 0)
    {
      *malformed = TRUE;
      return FALSE;
    }
  return TRUE;
}

/* Past the string that starts at @pos (its opening quote). */
static gboolean
skip_string (CwJsonReader *self)
{
  for (self->pos++; self->pos < self->len; self->pos++)
    {
      char c = self->data[self->pos];

      if (c == '\\')
        self->pos++;
      else if (c == '"')
        {
          self->pos++;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
cw_json_reader_skip (CwJsonReader *self)
{
  gsize depth = 0;
  char c = cw_json_reader_peek (self);

  if (c == '"')
    return skip_string (self);
  if (c != '{' && c != '[')
    {
      /* A number or a literal: up to the next delimiter. */
      gsize start = self->pos;

      while (self->pos < self->len && !is_space (self->data[self->pos]) &&
             strchr (",}]", self->data[self->pos]) == NULL)
        self->pos++;
      return self->pos > start;
    }

  while (self->pos < self->len)
    {
      c = self->data[self->pos];
      if (c == '"')
        {
          if (!skip_string (self))
            return FALSE;
          continue;
        }
      self->pos++;
      if (c == '{' || c == '[')
        depth++;
      else if ((c == '}' || c == ']') && --depth == 0)
        return TRUE;
    }
  return FALSE;
}

char *
cw_json_reader_read_compact (CwJsonReader *self,
                             gsize        *len)
{
  g_autoptr(GString) out = NULL;
  gboolean has_space = FALSE;
  gboolean closed = FALSE;
  gsize start, depth = 0;
  char c = cw_json_reader_peek (self);

  if (c != '{' && c != '[')
    return NULL;
  start = self->pos;

  while (!closed && self->pos < self->len)
    {
      c = self->data[self->pos];
      if (c == '"')
        {
          if (!skip_string (self))
            return NULL;
          continue;
        }
      if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        closed = --depth == 0;
      else if (is_space (c))
        has_space = TRUE;
      self->pos++;
    }
  if (!closed)
    return NULL;

  if (!has_space)
    {
      if (len != NULL)
        *len = self->pos - start;
      return g_strndup (self->data + start, self->pos - start);
    }

  /* Drop the white space outside strings; strings are copied as they are. */
  out = g_string_sized_new (self->pos - start);
  for (gsize i = start; i < self->pos; i++)
    {
      c = self->data[i];
      if (c == '"')
        {
          gsize end = i + 1;

          while (self->data[end] != '"')
            end += self->data[end] == '\\' ? 2 : 1;
          g_string_append_len (out, self->data + i, end + 1 - i);
          i = end;
        }
      else if (!is_space (c))
        {
          g_string_append_c (out, c);
        }
    }
  if (len != NULL)
    *len = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
