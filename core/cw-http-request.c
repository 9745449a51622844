/* cw-http-request.c: the request description of RFC 9421 HTTP Message
 * Signatures and the values of the components a signature covers.
 *
 * RFC 9421: §2.1 HTTP fields, §2.2 derived components. RFC 9110: §4.2.3
 * normalisation of the authority, §5.6.2 tokens for methods and field names.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-http-request-private.h"
#include "cw-http-signature.h"
#include "cw-structured-field.h"

/* The derived components we can compute (RFC 9421 §2.2). */
static const char * const derived_components[] = {
  "@method",
  "@target-uri",
  "@authority",
  "@scheme",
  "@request-target",
  "@path",
  "@query",
  NULL,
};

struct _CwHttpRequest {
  char      *method;
  char      *scheme;
  char      *authority;
  char      *path;
  char      *query;          /* NULL when absent */
  GPtrArray *header_names;   /* lower case */
  GPtrArray *header_values;  /* trimmed, parallel to header_names */
};

static gboolean
invalid_request (GError     **error,
                 const char  *what,
                 const char  *value)
{
  g_set_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_INVALID_REQUEST,
               /* TRANSLATORS: a part of an HTTP request (“method”, “path”, “header name”…), then
                * its value */
               _("Invalid %s in request: “%s”"), what, value ? value : "(null)");
  return FALSE;
}

/* A token (RFC 9110 §5.6.2): methods and field names. */
static gboolean
is_token (const char *text)
{
  if (text[0] == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!cw_structured_field_is_tchar (*p))
      return FALSE;

  return TRUE;
}

static gboolean
is_valid_scheme (const char *scheme)
{
  if (!g_ascii_isalpha (scheme[0]))
    return FALSE;

  for (const char *p = scheme; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '-' && *p != '.')
      return FALSE;

  return TRUE;
}

/* Visible ASCII except the characters in @forbidden. */
static gboolean
is_visible_ascii_except (const char *text,
                         const char *forbidden)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || strchr (forbidden, *p) != NULL)
      return FALSE;

  return TRUE;
}

static gboolean
is_default_port (const char *scheme,
                 const char *port)
{
  guint64 number;

  if (*port == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (port, 10, 0, 65535, &number, NULL))
    return FALSE;

  return (g_str_equal (scheme, "https") && number == 443) ||
         (g_str_equal (scheme, "http") && number == 80);
}

/* HTTP §4.2.3 normalisation: lower case, default port dropped. */
static char *
normalize_authority (const char *scheme,
                     const char *authority)
{
  char *normal = g_ascii_strdown (authority, -1);
  char *colon = strrchr (normal, ':');
  char *bracket = strrchr (normal, ']');

  if (colon != NULL && (bracket == NULL || colon > bracket) &&
      is_default_port (scheme, colon + 1))
    *colon = '\0';

  return normal;
}

static gboolean
check_request_parts (const char  *method,
                     const char  *scheme,
                     const char  *authority,
                     const char  *path,
                     const char  *query,
                     GError     **error)
{
  if (method == NULL || !is_token (method))
    return invalid_request (error, _("method"), method);
  if (scheme == NULL || !is_valid_scheme (scheme))
    return invalid_request (error, _("scheme"), scheme);
  if (authority == NULL || authority[0] == '\0' ||
      !is_visible_ascii_except (authority, "/?#@\"<>\\^`{|}"))
    return invalid_request (error, _("authority"), authority);
  if (path == NULL || (path[0] != '\0' && path[0] != '/') ||
      !is_visible_ascii_except (path, "?#"))
    return invalid_request (error, _("path"), path);
  if (query != NULL && !is_visible_ascii_except (query, "#"))
    return invalid_request (error, _("query"), query);

  return TRUE;
}

CwHttpRequest *
cw_http_request_new (const char  *method,
                     const char  *scheme,
                     const char  *authority,
                     const char  *path,
                     const char  *query,
                     GError     **error)
{
  CwHttpRequest *self;

  if (!check_request_parts (method, scheme, authority, path, query, error))
    return NULL;

  self = g_new0 (CwHttpRequest, 1);
  self->method = g_strdup (method);
  self->scheme = g_ascii_strdown (scheme, -1);
  self->authority = normalize_authority (self->scheme, authority);
  self->path = g_strdup (path[0] == '\0' ? "/" : path);
  self->query = g_strdup (query);
  self->header_names = g_ptr_array_new_with_free_func (g_free);
  self->header_values = g_ptr_array_new_with_free_func (g_free);

  return self;
}

CwHttpRequest *
cw_http_request_new_for_uri (const char  *method,
                             GUri        *uri,
                             GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *authority = NULL;
  g_autoptr(GUri) encoded = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *host;

  g_return_val_if_fail (uri != NULL, NULL);

  /* Reparse so path and query keep their percent-encoding whatever flags
   * the caller parsed with. */
  text = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_FRAGMENT);
  encoded = g_uri_parse (text, G_URI_FLAGS_ENCODED, &local_error);
  if (encoded == NULL)
    {
      invalid_request (error, _("URI"), text);
      return NULL;
    }

  host = g_uri_get_host (encoded);
  if (host == NULL || host[0] == '\0')
    {
      invalid_request (error, _("URI"), text);
      return NULL;
    }

  authority = g_strdup_printf (strchr (host, ':') != NULL ? "[%s]" : "%s", host);
  if (g_uri_get_port (encoded) >= 0)
    {
      char *with_port = g_strdup_printf ("%s:%d", authority, g_uri_get_port (encoded));

      g_free (authority);
      authority = with_port;
    }

  return cw_http_request_new (method, g_uri_get_scheme (encoded), authority,
                              g_uri_get_path (encoded), g_uri_get_query (encoded),
                              error);
}

void
cw_http_request_free (CwHttpRequest *self)
{
  if (self == NULL)
    return;

  g_free (self->method);
  g_free (self->scheme);
  g_free (self->authority);
  g_free (self->path);
  g_free (self->query);
  g_ptr_array_unref (self->header_names);
  g_ptr_array_unref (self->header_values);
  g_free (self);
}

/* Field values must not break the one-line-per-component base. */
static gboolean
is_valid_field_value (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if (((guchar) *p < 0x20 && *p != '\t') || (guchar) *p == 0x7f)
      return FALSE;

  return TRUE;
}

gboolean
cw_http_request_add_header (CwHttpRequest  *self,
                            const char     *name,
                            const char     *value,
                            GError        **error)
{
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (name == NULL || !is_token (name))
    return invalid_request (error, _("header name"), name);
  if (value == NULL || !is_valid_field_value (value))
    return invalid_request (error, _("header value"), name);
  if (strlen (value) > CW_HTTP_SIGNATURE_MAX_VALUE_LENGTH ||
      self->header_names->len >= CW_HTTP_SIGNATURE_MAX_HEADERS)
    {
      g_set_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_TOO_LARGE,
                   _("Too many or too long header fields (at “%s”)"), name);
      return FALSE;
    }

  /* g_strstrip() also trims \n and \r, which we have already refused. */
  trimmed = g_strstrip (g_strdup (value));
  g_ptr_array_add (self->header_names, g_ascii_strdown (name, -1));
  g_ptr_array_add (self->header_values, g_steal_pointer (&trimmed));
  return TRUE;
}

/* All field lines named @name, joined by ", " (RFC 9421 §2.1). */
static char *
request_field_value (CwHttpRequest  *self,
                     const char     *name,
                     GError        **error)
{
  g_autoptr(GString) value = NULL;

  for (guint i = 0; i < self->header_names->len; i++)
    {
      if (!g_str_equal (g_ptr_array_index (self->header_names, i), name))
        continue;

      if (value == NULL)
        value = g_string_new (NULL);
      else
        g_string_append (value, ", ");
      g_string_append (value, g_ptr_array_index (self->header_values, i));
    }

  if (value == NULL)
    {
      g_set_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_MISSING_COMPONENT,
                   _("The request has no “%s” header, which the signature covers"), name);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&value), FALSE);
}

static char *
request_target (CwHttpRequest *self)
{
  if (self->query == NULL)
    return g_strdup (self->path);

  return g_strconcat (self->path, "?", self->query, NULL);
}

/* The value of a derived component (RFC 9421 §2.2). */
static char *
request_derived_value (CwHttpRequest *self,
                       const char    *name)
{
  g_autofree char *target = request_target (self);

  if (g_str_equal (name, "@method"))
    return g_strdup (self->method);
  if (g_str_equal (name, "@target-uri"))
    return g_strconcat (self->scheme, "://", self->authority, target, NULL);
  if (g_str_equal (name, "@authority"))
    return g_strdup (self->authority);
  if (g_str_equal (name, "@scheme"))
    return g_strdup (self->scheme);
  if (g_str_equal (name, "@request-target"))
    return g_steal_pointer (&target);
  if (g_str_equal (name, "@path"))
    return g_strdup (self->path);
  if (g_str_equal (name, "@query"))
    return g_strconcat ("?", self->query ? self->query : "", NULL);

  g_assert_not_reached ();
}

gboolean
cw_http_request_is_derived_component (const char *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  return g_strv_contains (derived_components, name);
}

char *
cw_http_request_get_component_value (CwHttpRequest  *self,
                                     const char     *name,
                                     GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (name[0] == '@')
    return request_derived_value (self, name);

  return request_field_value (self, name, error);
}
