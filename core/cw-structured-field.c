/* cw-structured-field.c: a strict RFC 8941 parser and serialiser for the
 * dictionaries, inner lists, parameters and items of HTTP Message Signatures.
 *
 * RFC 8941: §3.1.1 inner lists, §3.1.2 parameters and keys, §3.2
 * dictionaries, §3.3 items; parsing per §4.2 (§4.2.2 dictionaries, §4.2.1.2
 * inner lists, §4.2.3 items, §4.2.4 to §4.2.8 bare items), serialising per
 * §4.1. Stricter than RFC 8941 on purpose: duplicate dictionary keys and
 * parameters are rejected (not overwritten), decimals are not accepted, and
 * byte sequences must be canonical base64 with padding.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-structured-field.h"

#define SF_MAX_INTEGER_DIGITS 15

G_DEFINE_QUARK (cw-structured-field-error-quark, cw_structured_field_error)

/* ------------------------------------------------------------------ */
/* The data model.                                                     */

void
cw_structured_field_bare_item_clear (CwStructuredFieldBareItem *value)
{
  g_return_if_fail (value != NULL);

  g_clear_pointer (&value->string, g_free);
  g_clear_pointer (&value->bytes, g_bytes_unref);
}

static void
sf_param_free (CwStructuredFieldParameter *param)
{
  g_free (param->key);
  cw_structured_field_bare_item_clear (&param->value);
  g_free (param);
}

GPtrArray *
cw_structured_field_parameters_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) sf_param_free);
}

static CwStructuredFieldItem *
sf_item_new (void)
{
  CwStructuredFieldItem *item = g_new0 (CwStructuredFieldItem, 1);

  item->params = cw_structured_field_parameters_new ();
  return item;
}

static void
sf_item_free (CwStructuredFieldItem *item)
{
  cw_structured_field_bare_item_clear (&item->value);
  g_ptr_array_unref (item->params);
  g_free (item);
}

static CwStructuredFieldMember *
sf_member_new (void)
{
  CwStructuredFieldMember *member = g_new0 (CwStructuredFieldMember, 1);

  member->items = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_item_free);
  member->params = cw_structured_field_parameters_new ();
  return member;
}

static void
sf_member_free (CwStructuredFieldMember *member)
{
  g_free (member->key);
  g_ptr_array_unref (member->items);
  g_ptr_array_unref (member->params);
  g_free (member);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStructuredFieldItem, sf_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwStructuredFieldMember, sf_member_free)

CwStructuredFieldParameter *
cw_structured_field_parameters_lookup (GPtrArray  *params,
                                       const char *key)
{
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < params->len; i++)
    {
      CwStructuredFieldParameter *param = g_ptr_array_index (params, i);

      if (g_str_equal (param->key, key))
        return param;
    }

  return NULL;
}

/* Clears the value in place, or appends the parameter: order is kept. */
static CwStructuredFieldBareItem *
sf_params_slot (GPtrArray  *params,
                const char *key)
{
  CwStructuredFieldParameter *param = cw_structured_field_parameters_lookup (params, key);

  if (param == NULL)
    {
      param = g_new0 (CwStructuredFieldParameter, 1);
      param->key = g_strdup (key);
      g_ptr_array_add (params, param);
    }

  cw_structured_field_bare_item_clear (&param->value);
  return &param->value;
}

void
cw_structured_field_parameters_set_integer (GPtrArray  *params,
                                            const char *key,
                                            gint64      value)
{
  CwStructuredFieldBareItem *slot;

  g_return_if_fail (params != NULL);
  g_return_if_fail (key != NULL && cw_structured_field_is_key (key));

  slot = sf_params_slot (params, key);
  slot->type = CW_STRUCTURED_FIELD_TYPE_INTEGER;
  slot->integer = value;
}

void
cw_structured_field_parameters_set_string (GPtrArray  *params,
                                           const char *key,
                                           const char *text)
{
  CwStructuredFieldBareItem *slot;

  g_return_if_fail (params != NULL);
  g_return_if_fail (key != NULL && cw_structured_field_is_key (key));
  g_return_if_fail (text != NULL && cw_structured_field_is_string (text));

  slot = sf_params_slot (params, key);
  slot->type = CW_STRUCTURED_FIELD_TYPE_STRING;
  slot->string = g_strdup (text);
}

CwStructuredFieldMember *
cw_structured_field_dictionary_lookup (GPtrArray  *members,
                                       const char *key)
{
  g_return_val_if_fail (members != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < members->len; i++)
    {
      CwStructuredFieldMember *member = g_ptr_array_index (members, i);

      if (g_str_equal (member->key, key))
        return member;
    }

  return NULL;
}

/* ------------------------------------------------------------------ */
/* Character classes.                                                  */

gboolean
cw_structured_field_is_tchar (char c)
{
  return c != '\0' && (g_ascii_isalnum (c) || strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_key_char (char c)
{
  return g_ascii_islower (c) || g_ascii_isdigit (c) || (c != '\0' && strchr ("_-.*", c) != NULL);
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/' || c == '=';
}

gboolean
cw_structured_field_is_key (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);

  if (!g_ascii_islower (text[0]) && text[0] != '*')
    return FALSE;

  for (const char *p = text + 1; *p != '\0'; p++)
    if (!is_key_char (*p))
      return FALSE;

  return TRUE;
}

gboolean
cw_structured_field_is_string (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* RFC 8941 §4.2 parsing.                                              */

typedef struct {
  const char                    *field;  /* the header name, for messages */
  const CwStructuredFieldLimits *limits;
  const char                    *start;
  const char                    *cur;
  const char                    *end;
} SfParser;

static gboolean
sf_fail (SfParser   *p,
         GError    **error,
         const char *what)
{
  g_set_error (error, CW_STRUCTURED_FIELD_ERROR, CW_STRUCTURED_FIELD_ERROR_MALFORMED,
               /* TRANSLATORS: an HTTP field name (not translated), what is wrong, then a byte
                * offset */
               _("Malformed %s field: %s at offset %u"),
               p->field, what, (guint) (p->cur - p->start));
  return FALSE;
}

static gboolean
sf_too_large (SfParser   *p,
              GError    **error,
              const char *what)
{
  g_set_error (error, CW_STRUCTURED_FIELD_ERROR, CW_STRUCTURED_FIELD_ERROR_TOO_LARGE,
               /* TRANSLATORS: an HTTP field name (not translated), then “parameters”,
                * “inner-list items” or “dictionary members” */
               _("The %s field has too many %s"), p->field, what);
  return FALSE;
}

static char
sf_peek (SfParser *p)
{
  return p->cur < p->end ? *p->cur : '\0';
}

static gboolean
sf_at_end (SfParser *p)
{
  return p->cur >= p->end;
}

static void
sf_skip_sp (SfParser *p)
{
  while (sf_peek (p) == ' ')
    p->cur++;
}

static void
sf_skip_ows (SfParser *p)
{
  while (sf_peek (p) == ' ' || sf_peek (p) == '\t')
    p->cur++;
}

static gboolean
sf_parse_key (SfParser  *p,
              char     **key,
              GError   **error)
{
  const char *begin = p->cur;

  if (!g_ascii_islower (sf_peek (p)) && sf_peek (p) != '*')
    return sf_fail (p, error, _("expected a key"));

  p->cur++;
  while (is_key_char (sf_peek (p)))
    p->cur++;

  *key = g_strndup (begin, p->cur - begin);
  return TRUE;
}

static gboolean
sf_parse_integer (SfParser                   *p,
                  CwStructuredFieldBareItem  *value,
                  GError                    **error)
{
  gboolean negative = FALSE;
  gint64 number = 0;
  guint digits = 0;

  if (sf_peek (p) == '-')
    {
      negative = TRUE;
      p->cur++;
    }

  if (!g_ascii_isdigit (sf_peek (p)))
    return sf_fail (p, error, _("expected a digit"));

  while (g_ascii_isdigit (sf_peek (p)))
    {
      if (++digits > SF_MAX_INTEGER_DIGITS)
        return sf_fail (p, error, _("integer has more than 15 digits"));
      number = number * 10 + (*p->cur - '0');
      p->cur++;
    }

  if (sf_peek (p) == '.')
    return sf_fail (p, error, _("decimals are not accepted"));

  value->type = CW_STRUCTURED_FIELD_TYPE_INTEGER;
  value->integer = negative ? -number : number;
  return TRUE;
}

static gboolean
sf_parse_string (SfParser                   *p,
                 CwStructuredFieldBareItem  *value,
                 GError                    **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  p->cur++;
  for (;;)
    {
      guchar c;

      if (sf_at_end (p))
        return sf_fail (p, error, _("unterminated string"));

      c = (guchar) *p->cur;
      if (c == '"')
        break;
      if (c == '\\')
        {
          p->cur++;
          c = (guchar) sf_peek (p);
          if (c != '"' && c != '\\')
            return sf_fail (p, error, _("invalid escape in string"));
        }
      else if (c < 0x20 || c > 0x7e)
        {
          return sf_fail (p, error, _("invalid character in string"));
        }

      g_string_append_c (text, (char) c);
      p->cur++;
    }

  p->cur++;
  value->type = CW_STRUCTURED_FIELD_TYPE_STRING;
  value->string = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

static gboolean
sf_parse_token (SfParser                   *p,
                CwStructuredFieldBareItem  *value,
                GError                    **error)
{
  const char *begin = p->cur;

  p->cur++;
  while (cw_structured_field_is_tchar (sf_peek (p)) || sf_peek (p) == ':' || sf_peek (p) == '/')
    p->cur++;

  value->type = CW_STRUCTURED_FIELD_TYPE_TOKEN;
  value->string = g_strndup (begin, p->cur - begin);
  return TRUE;
}

static gboolean
sf_parse_bytes (SfParser                   *p,
                CwStructuredFieldBareItem  *value,
                GError                    **error)
{
  const char *begin;
  g_autoptr(GError) local_error = NULL;

  begin = ++p->cur;
  while (sf_peek (p) != ':')
    {
      if (sf_at_end (p))
        return sf_fail (p, error, _("unterminated byte sequence"));
      if (!is_base64_char (*p->cur))
        return sf_fail (p, error, _("invalid character in byte sequence"));
      p->cur++;
    }

  value->type = CW_STRUCTURED_FIELD_TYPE_BYTES;
  if (p->cur == begin)
    value->bytes = g_bytes_new (NULL, 0);
  else
    value->bytes = cw_base64_decode (begin, p->cur - begin, &local_error);

  if (value->bytes == NULL)
    return sf_fail (p, error, _("byte sequence is not canonical base64"));

  p->cur++;
  return TRUE;
}

static gboolean
sf_parse_boolean (SfParser                   *p,
                  CwStructuredFieldBareItem  *value,
                  GError                    **error)
{
  p->cur++;
  if (sf_peek (p) != '0' && sf_peek (p) != '1')
    return sf_fail (p, error, _("expected ?0 or ?1"));

  value->type = CW_STRUCTURED_FIELD_TYPE_BOOLEAN;
  value->integer = *p->cur - '0';
  p->cur++;
  return TRUE;
}

static gboolean
sf_parse_bare_item (SfParser                   *p,
                    CwStructuredFieldBareItem  *value,
                    GError                    **error)
{
  char c = sf_peek (p);

  if (c == '-' || g_ascii_isdigit (c))
    return sf_parse_integer (p, value, error);
  if (c == '"')
    return sf_parse_string (p, value, error);
  if (c == '*' || g_ascii_isalpha (c))
    return sf_parse_token (p, value, error);
  if (c == ':')
    return sf_parse_bytes (p, value, error);
  if (c == '?')
    return sf_parse_boolean (p, value, error);

  return sf_fail (p, error, _("expected an item"));
}

static gboolean
sf_parse_parameters (SfParser   *p,
                     GPtrArray  *params,
                     GError    **error)
{
  while (sf_peek (p) == ';')
    {
      CwStructuredFieldParameter *param;
      g_autofree char *key = NULL;

      p->cur++;
      sf_skip_sp (p);
      if (!sf_parse_key (p, &key, error))
        return FALSE;
      if (cw_structured_field_parameters_lookup (params, key) != NULL)
        return sf_fail (p, error, _("duplicate parameter"));
      if (params->len >= p->limits->max_parameters)
        return sf_too_large (p, error, _("parameters"));

      param = g_new0 (CwStructuredFieldParameter, 1);
      param->key = g_steal_pointer (&key);
      param->value.type = CW_STRUCTURED_FIELD_TYPE_BOOLEAN;
      param->value.integer = TRUE;
      g_ptr_array_add (params, param);

      if (sf_peek (p) == '=')
        {
          p->cur++;
          if (!sf_parse_bare_item (p, &param->value, error))
            return FALSE;
        }
    }

  return TRUE;
}

static CwStructuredFieldItem *
sf_parse_item (SfParser  *p,
               GError   **error)
{
  g_autoptr(CwStructuredFieldItem) item = sf_item_new ();

  if (!sf_parse_bare_item (p, &item->value, error) ||
      !sf_parse_parameters (p, item->params, error))
    return NULL;

  return g_steal_pointer (&item);
}

static gboolean
sf_parse_inner_list (SfParser                 *p,
                     CwStructuredFieldMember  *member,
                     GError                  **error)
{
  member->is_inner_list = TRUE;
  p->cur++;

  for (;;)
    {
      CwStructuredFieldItem *item;

      sf_skip_sp (p);
      if (sf_peek (p) == ')')
        break;
      if (sf_at_end (p))
        return sf_fail (p, error, _("unterminated inner list"));
      if (member->items->len >= p->limits->max_items)
        return sf_too_large (p, error, _("inner-list items"));

      item = sf_parse_item (p, error);
      if (item == NULL)
        return FALSE;
      g_ptr_array_add (member->items, item);

      if (sf_at_end (p))
        return sf_fail (p, error, _("unterminated inner list"));
      if (sf_peek (p) != ' ' && sf_peek (p) != ')')
        return sf_fail (p, error, _("expected a space or ')' in inner list"));
    }

  p->cur++;
  return sf_parse_parameters (p, member->params, error);
}

static gboolean
sf_parse_member_value (SfParser                 *p,
                       CwStructuredFieldMember  *member,
                       GError                  **error)
{
  CwStructuredFieldItem *item;

  if (sf_peek (p) != '=')
    {
      /* A bare key is Boolean true with parameters. */
      item = sf_item_new ();
      item->value.type = CW_STRUCTURED_FIELD_TYPE_BOOLEAN;
      item->value.integer = TRUE;
      g_ptr_array_add (member->items, item);
      return sf_parse_parameters (p, item->params, error);
    }

  p->cur++;
  if (sf_peek (p) == '(')
    return sf_parse_inner_list (p, member, error);

  item = sf_parse_item (p, error);
  if (item == NULL)
    return FALSE;
  g_ptr_array_add (member->items, item);
  return TRUE;
}

static gboolean
sf_parse_dictionary_members (SfParser   *p,
                             GPtrArray  *members,
                             GError    **error)
{
  while (!sf_at_end (p))
    {
      g_autoptr(CwStructuredFieldMember) member = sf_member_new ();

      if (!sf_parse_key (p, &member->key, error))
        return FALSE;
      if (cw_structured_field_dictionary_lookup (members, member->key) != NULL)
        return sf_fail (p, error, _("duplicate key"));
      if (members->len >= p->limits->max_members)
        return sf_too_large (p, error, _("dictionary members"));
      if (!sf_parse_member_value (p, member, error))
        return FALSE;
      g_ptr_array_add (members, g_steal_pointer (&member));

      sf_skip_ows (p);
      if (sf_at_end (p))
        break;
      if (sf_peek (p) != ',')
        return sf_fail (p, error, _("expected ',' between members"));
      p->cur++;
      sf_skip_ows (p);
      if (sf_at_end (p))
        return sf_fail (p, error, _("trailing comma"));
    }

  return TRUE;
}

GPtrArray *
cw_structured_field_parse_dictionary (const char                     *field,
                                      const char                     *text,
                                      const CwStructuredFieldLimits  *limits,
                                      GError                        **error)
{
  static const CwStructuredFieldLimits no_limits = {
    G_MAXSIZE, G_MAXUINT, G_MAXUINT, G_MAXUINT,
  };
  g_autoptr(GPtrArray) members = NULL;
  gsize len;
  SfParser p;

  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (limits == NULL)
    limits = &no_limits;

  len = strlen (text);
  if (len > limits->max_length)
    {
      g_set_error (error, CW_STRUCTURED_FIELD_ERROR, CW_STRUCTURED_FIELD_ERROR_TOO_LARGE,
                   _("The %s field is longer than %zu bytes"),
                   field, limits->max_length);
      return NULL;
    }

  p = (SfParser) { field, limits, text, text, text + len };
  members = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_member_free);
  sf_skip_sp (&p);
  if (!sf_parse_dictionary_members (&p, members, error))
    return NULL;

  return g_steal_pointer (&members);
}

/* ------------------------------------------------------------------ */
/* RFC 8941 §4.1 serialising.                                          */

void
cw_structured_field_append_string (GString    *out,
                                   const char *text)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (text != NULL);

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
cw_structured_field_append_bytes (GString *out,
                                  GBytes  *bytes)
{
  gsize len;
  const guint8 *data;
  g_autofree char *text = NULL;

  g_return_if_fail (out != NULL);
  g_return_if_fail (bytes != NULL);

  data = g_bytes_get_data (bytes, &len);
  text = len > 0 ? cw_base64_encode (data, len) : g_strdup ("");
  g_string_append_printf (out, ":%s:", text);
}

static void
sf_append_bare_item (GString                         *out,
                     const CwStructuredFieldBareItem *value)
{
  switch (value->type)
    {
    case CW_STRUCTURED_FIELD_TYPE_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->integer);
      break;
    case CW_STRUCTURED_FIELD_TYPE_STRING:
      cw_structured_field_append_string (out, value->string);
      break;
    case CW_STRUCTURED_FIELD_TYPE_TOKEN:
      g_string_append (out, value->string);
      break;
    case CW_STRUCTURED_FIELD_TYPE_BYTES:
      cw_structured_field_append_bytes (out, value->bytes);
      break;
    case CW_STRUCTURED_FIELD_TYPE_BOOLEAN:
      g_string_append (out, value->integer ? "?1" : "?0");
      break;
    default:
      g_assert_not_reached ();
    }
}

void
cw_structured_field_append_parameters (GString   *out,
                                       GPtrArray *params)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (params != NULL);

  for (guint i = 0; i < params->len; i++)
    {
      CwStructuredFieldParameter *param = g_ptr_array_index (params, i);

      g_string_append_printf (out, ";%s", param->key);
      if (param->value.type != CW_STRUCTURED_FIELD_TYPE_BOOLEAN || !param->value.integer)
        {
          g_string_append_c (out, '=');
          sf_append_bare_item (out, &param->value);
        }
    }
}

static void
sf_append_item (GString               *out,
                CwStructuredFieldItem *item)
{
  sf_append_bare_item (out, &item->value);
  cw_structured_field_append_parameters (out, item->params);
}

char *
cw_structured_field_dictionary_to_string (GPtrArray *members)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (members != NULL, NULL);

  for (guint i = 0; i < members->len; i++)
    {
      CwStructuredFieldMember *member = g_ptr_array_index (members, i);
      CwStructuredFieldItem *item;

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, member->key);

      if (member->is_inner_list)
        {
          g_string_append (out, "=(");
          for (guint j = 0; j < member->items->len; j++)
            {
              if (j > 0)
                g_string_append_c (out, ' ');
              sf_append_item (out, g_ptr_array_index (member->items, j));
            }
          g_string_append_c (out, ')');
          cw_structured_field_append_parameters (out, member->params);
          continue;
        }

      /* Boolean true is the bare key (§4.1.2). */
      item = g_ptr_array_index (member->items, 0);
      if (item->value.type == CW_STRUCTURED_FIELD_TYPE_BOOLEAN && item->value.integer)
        {
          cw_structured_field_append_parameters (out, item->params);
          continue;
        }
      g_string_append_c (out, '=');
      sf_append_item (out, item);
    }

  return g_string_free (out, FALSE);
}
