/* cw-structured-field.h: a strict parser and serialiser for the RFC 8941
 * Structured Field Values that HTTP Message Signatures carry.
 *
 * Covered: dictionaries (RFC 8941 §3.2), inner lists (§3.1.1), parameters
 * (§3.1.2) and items (§3.3) that are integers (§3.3.1), strings (§3.3.3),
 * tokens (§3.3.4), byte sequences (§3.3.5) or booleans (§3.3.6); parsing per
 * §4.2, serialising per §4.1. Not covered: top-level lists and items, and
 * decimals (§3.3.2), which are refused. Stricter than RFC 8941 on purpose:
 * duplicate dictionary keys and parameters are rejected (not overwritten),
 * and byte sequences must be canonical base64 with padding.
 *
 * The data model is plain structs in GPtrArrays, owned by the arrays: a
 * dictionary is a GPtrArray of CwStructuredFieldMember in field order, and
 * parameters a GPtrArray of CwStructuredFieldParameter in field order.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_STRUCTURED_FIELD_ERROR (cw_structured_field_error_quark ())

typedef enum {
  CW_STRUCTURED_FIELD_ERROR_MALFORMED,  /* not RFC 8941, or outside our subset */
  CW_STRUCTURED_FIELD_ERROR_TOO_LARGE,  /* a CwStructuredFieldLimits cap was exceeded */
} CwStructuredFieldError;

GQuark cw_structured_field_error_quark (void);

typedef enum {
  CW_STRUCTURED_FIELD_TYPE_INTEGER,
  CW_STRUCTURED_FIELD_TYPE_STRING,
  CW_STRUCTURED_FIELD_TYPE_TOKEN,
  CW_STRUCTURED_FIELD_TYPE_BYTES,
  CW_STRUCTURED_FIELD_TYPE_BOOLEAN,
} CwStructuredFieldType;

/* A bare item (§3.3). */
typedef struct {
  CwStructuredFieldType  type;
  gint64                 integer;  /* integers, and booleans as 0 or 1 */
  char                  *string;   /* strings and tokens */
  GBytes                *bytes;    /* byte sequences */
} CwStructuredFieldBareItem;

/* A parameter (§3.1.2); one without a value is Boolean true. */
typedef struct {
  char                      *key;
  CwStructuredFieldBareItem  value;
} CwStructuredFieldParameter;

/* An item with its parameters (§3.3). */
typedef struct {
  CwStructuredFieldBareItem  value;
  GPtrArray                 *params;  /* CwStructuredFieldParameter */
} CwStructuredFieldItem;

/* A dictionary member (§3.2): an item, or an inner list with parameters. */
typedef struct {
  char      *key;
  gboolean   is_inner_list;
  GPtrArray *items;   /* CwStructuredFieldItem; exactly one unless is_inner_list */
  GPtrArray *params;  /* CwStructuredFieldParameter of the inner list */
} CwStructuredFieldMember;

/* Caps on what the parser accepts from outside. */
typedef struct {
  gsize max_length;      /* bytes in the field value */
  guint max_members;     /* dictionary members */
  guint max_items;       /* items in one inner list */
  guint max_parameters;  /* parameters of one item or inner list */
} CwStructuredFieldLimits;

/* tchar (RFC 9110 §5.6.2), of which sf-tokens, methods and field names are made. */
gboolean    cw_structured_field_is_tchar  (char        c);
/* An sf-key (§3.1.2): dictionary keys and parameter names. */
gboolean    cw_structured_field_is_key    (const char *text);
/* Whether @text fits in an sf-string (§3.3.3): printable ASCII. */
gboolean    cw_structured_field_is_string (const char *text);

void        cw_structured_field_bare_item_clear (CwStructuredFieldBareItem *value);

GPtrArray  *cw_structured_field_parameters_new  (void);
CwStructuredFieldParameter *
            cw_structured_field_parameters_lookup      (GPtrArray  *params,
                                                        const char *key);
/* The setters replace the value in place, or append the parameter. */
void        cw_structured_field_parameters_set_integer (GPtrArray  *params,
                                                        const char *key,
                                                        gint64      value);
/* @text must satisfy cw_structured_field_is_string(). */
void        cw_structured_field_parameters_set_string  (GPtrArray  *params,
                                                        const char *key,
                                                        const char *text);

/* Parses @text, the value of the field called @field (named in messages), as
 * a dictionary; returns its members, none when @text is empty or blank.
 * @limits may be NULL for no caps. */
GPtrArray  *cw_structured_field_parse_dictionary (const char                     *field,
                                                  const char                     *text,
                                                  const CwStructuredFieldLimits  *limits,
                                                  GError                        **error);
CwStructuredFieldMember *
            cw_structured_field_dictionary_lookup    (GPtrArray  *members,
                                                      const char *key);
/* The canonical serialisation of a dictionary (§4.1.2). */
char       *cw_structured_field_dictionary_to_string (GPtrArray  *members);

/* Serialisers of the parts (§4.1.1.2, §4.1.6, §4.1.8), appending to @out. */
void        cw_structured_field_append_string     (GString    *out,
                                                   const char *text);
void        cw_structured_field_append_bytes      (GString    *out,
                                                   GBytes     *bytes);
void        cw_structured_field_append_parameters (GString    *out,
                                                   GPtrArray  *params);

G_END_DECLS
