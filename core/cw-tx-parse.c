/* cw-tx-parse.c: strict parsing of consent transaction payloads, and the
 * per-type validation that parsed and built transactions both pass.
 *
 * One table says which fields each type requires or allows; the checks of
 * the rules written in cw-tx.h walk it and cw_tx_field_table.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "cw-canonical-json.h"
#include "cw-json-reader.h"
#include "cw-tx.h"
#include "cw-tx-private.h"

/* ---- which fields each type has ---------------------------------------- */

#define PATIENT_SIGNED (BIT (F_V) | BIT (F_TYPE) | BIT (F_PATIENT) | BIT (F_SEQ) | \
                        BIT (F_TIME) | BIT (F_NONCE))
#define PROVIDER_SIGNED (BIT (F_V) | BIT (F_TYPE) | BIT (F_PATIENT) | BIT (F_TIME) | \
                         BIT (F_NONCE) | BIT (F_PROVIDER))

/* prev is "optional" here; whether it must be present follows from seq. */
static const struct {
  guint32 required;
  guint32 optional;
} type_fields[] = {
  [CW_TX_TYPE_ENROLL]  = { PATIENT_SIGNED | BIT (F_RECOVERY_KEY) | BIT (F_INVITE) | BIT (F_CLINIC),
                           BIT (F_PREV) },
  [CW_TX_TYPE_GRANT]   = { PATIENT_SIGNED | BIT (F_PROVIDER) | BIT (F_SCOPES) | BIT (F_PURPOSE) |
                           BIT (F_ACCESS) | BIT (F_EXPIRES),
                           BIT (F_PREV) | BIT (F_DATA_FROM) | BIT (F_DATA_TO) | BIT (F_REQUEST) },
  [CW_TX_TYPE_REVOKE]  = { PATIENT_SIGNED | BIT (F_GRANT), BIT (F_PREV) },
  [CW_TX_TYPE_DENY]    = { PATIENT_SIGNED | BIT (F_REQUEST), BIT (F_PREV) },
  [CW_TX_TYPE_ROTATE]  = { PATIENT_SIGNED | BIT (F_NEW_KEY), BIT (F_PREV) | BIT (F_NEW_RECOVERY_KEY) },
  [CW_TX_TYPE_REQUEST] = { PROVIDER_SIGNED | BIT (F_SCOPES) | BIT (F_PURPOSE) | BIT (F_ACCESS) |
                           BIT (F_EXPIRES) | BIT (F_REASON), 0 },
  [CW_TX_TYPE_ACCESS]  = { PROVIDER_SIGNED | BIT (F_GRANT) | BIT (F_SCOPES) | BIT (F_PURPOSE), 0 },
};

static int
field_lookup (const char *name)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (strcmp (name, cw_tx_field_table[i].name) == 0)
      return i;
  return -1;
}

/* ---- validation shared by builders and the parser ---------------------- */

static gboolean
validate_sequence (CwTx    *self,
                   GError **error)
{
  gboolean has_prev = (self->present & BIT (F_PREV)) != 0;

  if (cw_tx_type_is_provider_signed (self->type))
    return TRUE;
  if (self->type == CW_TX_TYPE_ENROLL && self->seq != 0)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE, _("An enrollment must have seq 0"));
      return FALSE;
    }
  if (self->type != CW_TX_TYPE_ENROLL && self->seq == 0)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE,
                   /* TRANSLATORS: a transaction type as written in the protocol (not
                    * translated); “seq” is a field name */
                   _("A %s must have seq 1 or more"), cw_tx_type_to_string (self->type));
      return FALSE;
    }
  if (has_prev != (self->seq > 0))
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE,
                           _("prev must be present exactly when seq is above 0"));
      return FALSE;
    }
  if (self->seq > (guint64) CW_CANONICAL_JSON_MAX_INT)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE, _("seq is too large"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_texts (CwTx    *self,
                GError **error)
{
  for (guint f = 0; f < N_FIELDS; f++)
    {
      const CwTxFieldInfo *info = &cw_tx_field_table[f];
      const char *text;

      if (info->kind != KIND_TEXT || (self->present & BIT (f)) == 0)
        continue;
      text = *FIELD_PTR (self, f, char *);
      if (!info->check (text))
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                       /* TRANSLATORS: a transaction field name (not translated), then what it
                        * must be: “a string”, “an integer”… */
                       _("Field “%s” must be %s"), info->name, _(info->rule));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_sets (CwTx    *self,
               GError **error)
{
  const char *bad = NULL;

  if ((self->present & BIT (F_SCOPES)) &&
      (self->scopes == 0 || (self->scopes & ~CW_SCOPES_ALL) != 0))
    bad = "scopes";
  else if ((self->present & BIT (F_ACCESS)) &&
           (self->access == 0 || (self->access & ~(CW_ACCESS_VIEW | CW_ACCESS_STORE)) != 0))
    bad = "access";
  else if ((self->present & BIT (F_PURPOSE)) && (guint) self->purpose >= CW_N_PURPOSES)
    bad = "purpose";

  if (bad != NULL)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                   _("Field “%s” must name at least one known value"), bad);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_ranges (CwTx    *self,
                 GError **error)
{
  if (self->expires != NULL && g_date_time_compare (self->expires, self->time) <= 0)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                           _("expires must be later than time"));
      return FALSE;
    }
  if (self->data_from != NULL && self->data_to != NULL && strcmp (self->data_from, self->data_to) > 0)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                           _("data_from must not be after data_to"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_fields_present (CwTx    *self,
                         GError **error)
{
  guint32 required = type_fields[self->type].required;
  guint32 allowed = required | type_fields[self->type].optional;

  for (guint f = 0; f < N_FIELDS; f++)
    {
      if ((required & BIT (f)) && !(self->present & BIT (f)))
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_MISSING_FIELD,
                       /* TRANSLATORS: a transaction type and a field name, as written in the
                        * protocol (not translated) */
                       _("A %s needs the field “%s”"), cw_tx_type_to_string (self->type),
                       cw_tx_field_table[f].name);
          return FALSE;
        }
      if (!(allowed & BIT (f)) && (self->present & BIT (f)))
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_FIELD,
                       /* TRANSLATORS: a transaction type and a field name, as written in the
                        * protocol (not translated) */
                       _("A %s has no field “%s”"), cw_tx_type_to_string (self->type),
                       cw_tx_field_table[f].name);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
cw_tx_validate (CwTx    *self,
                GError **error)
{
  return validate_fields_present (self, error) &&
         validate_sequence (self, error) &&
         validate_texts (self, error) &&
         validate_sets (self, error) &&
         validate_ranges (self, error);
}

/* ---- parsing ----------------------------------------------------------- */

static gboolean
wrong_json_type (const CwTxFieldInfo  *info,
                 const char           *expected,
                 GError              **error)
{
  g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_WRONG_JSON_TYPE,
               _("Field “%s” must be %s"), info->name, expected);
  return FALSE;
}

static gboolean
invalid_value (const CwTxFieldInfo  *info,
               const char           *rule,
               GError              **error)
{
  g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
               _("Field “%s” must be %s"), info->name, rule);
  return FALSE;
}

typedef gboolean (*NameLookup) (const char *name,
                                guint      *flag);

static gboolean
lookup_scope (const char *name,
              guint      *flag)
{
  CwScopes scope;

  if (!cw_scope_from_string (name, &scope))
    return FALSE;
  *flag = scope;
  return TRUE;
}

static gboolean
lookup_access (const char *name,
               guint      *flag)
{
  CwAccess access;

  if (!cw_access_from_string (name, &access))
    return FALSE;
  *flag = access;
  return TRUE;
}

/* A string value, decoded (owned), into @text; FALSE with a field error
 * when the value is not a string or decodes to U+0000. */
static gboolean
read_string_value (CwJsonReader         *reader,
                   const CwTxFieldInfo  *info,
                   char                **text,
                   GError              **error)
{
  const char *plain;
  gsize len;

  if (cw_json_reader_peek (reader) != '"')
    return wrong_json_type (info, _("a string"), error);
  if (cw_json_reader_read_plain_string (reader, &plain, &len))
    *text = g_strndup (plain, len);
  else if ((*text = cw_json_reader_read_string (reader)) == NULL)
    return invalid_value (info, _("a string without U+0000"), error);
  return TRUE;
}

/* A non-empty array of known names, strictly ascending. */
static gboolean
read_name_set (CwJsonReader         *reader,
               const CwTxFieldInfo  *info,
               NameLookup            lookup,
               guint                *out,
               GError              **error)
{
  g_autofree char *prev = NULL;
  gboolean malformed = FALSE;

  if (!cw_json_reader_begin (reader, '['))
    return wrong_json_type (info, _("an array of strings"), error);

  *out = 0;
  while (cw_json_reader_next_element (reader, &malformed))
    {
      g_autofree char *name = NULL;
      guint flag;

      if (cw_json_reader_peek (reader) != '"')
        return wrong_json_type (info, _("an array of strings"), error);
      if (!read_string_value (reader, info, &name, NULL) || !lookup (name, &flag))
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                       _("Field “%s” holds an unknown value"), info->name);
          return FALSE;
        }
      if (prev != NULL && strcmp (prev, name) >= 0)
        return invalid_value (info, _("strictly ascending, without repeats"), error);
      *out |= flag;
      g_free (prev);
      prev = g_steal_pointer (&name);
    }
  if (malformed)
    return wrong_json_type (info, _("an array of strings"), error);
  if (prev == NULL)
    return invalid_value (info, _("a non-empty array"), error);
  return TRUE;
}

/* Takes @text (owned) into field @f: text fields keep it as it is. */
static gboolean
read_string_field (CwTx        *self,
                   CwTxField    f,
                   char       **text,
                   GError     **error)
{
  const CwTxFieldInfo *info = &cw_tx_field_table[f];

  switch (info->kind)
    {
    case KIND_BYTES:
      if (!cw_base64_decode_fixed (*text, -1, FIELD_PTR (self, f, guint8), info->size, NULL))
        {
          g_autofree char *rule = g_strdup_printf (_("standard base64 of exactly %zu bytes"),
                                                   info->size);
          return invalid_value (info, rule, error);
        }
      return TRUE;
    case KIND_TIME:
      if ((*FIELD_PTR (self, f, GDateTime *) = cw_tx_parse_time (*text)) == NULL)
        return invalid_value (info, _("a real UTC time written YYYY-MM-DDTHH:MM:SSZ"), error);
      return TRUE;
    case KIND_PURPOSE:
      if (!cw_purpose_from_string (*text, &self->purpose))
        return invalid_value (info, _("a known PurposeOfUse code"), error);
      return TRUE;
    case KIND_TEXT:
      *FIELD_PTR (self, f, char *) = g_steal_pointer (text);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* An integer value: canonical JSON has no other numbers. */
static gboolean
read_integer (CwJsonReader         *reader,
              const CwTxFieldInfo  *info,
              gint64               *value,
              GError              **error)
{
  char c = cw_json_reader_peek (reader);

  if ((c != '-' && !g_ascii_isdigit (c)) || !cw_json_reader_read_int (reader, value))
    return wrong_json_type (info, _("an integer"), error);
  return TRUE;
}

static gboolean
read_field (CwTx          *self,
            CwTxField      f,
            CwJsonReader  *reader,
            GError       **error)
{
  const CwTxFieldInfo *info = &cw_tx_field_table[f];
  g_autofree char *text = NULL;
  gint64 number;

  switch (info->kind)
    {
    case KIND_TYPE:
      return TRUE;
    case KIND_VERSION:
      if (!read_integer (reader, info, &number, error))
        return FALSE;
      if (number != CW_TX_VERSION)
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_VERSION,
                       _("Unsupported payload version %" PRId64), number);
          return FALSE;
        }
      return TRUE;
    case KIND_SEQ:
      if (!read_integer (reader, info, &number, error))
        return FALSE;
      if (number < 0)
        return invalid_value (info, _("0 or more"), error);
      self->seq = (guint64) number;
      return TRUE;
    case KIND_SCOPES:
      return read_name_set (reader, info, lookup_scope, &self->scopes, error);
    case KIND_ACCESS:
      return read_name_set (reader, info, lookup_access, &self->access, error);
    case KIND_BYTES:
    case KIND_TIME:
    case KIND_PURPOSE:
    case KIND_TEXT:
    default:
      return read_string_value (reader, info, &text, error) &&
             read_string_field (self, f, &text, error);
    }
}

/* A member of the payload object: its field (-1 when unknown) and where
 * its value starts. */
typedef struct {
  int field;
  gsize value_pos;
} Member;

/* The object's members up to and including the first unknown one (whose
 * name goes to @unknown), in document order, and the type; the members
 * are read once the type says which fields it allows. */
static gboolean
scan_members (CwJsonReader  *reader,
              Member         members[N_FIELDS + 1],
              guint         *n_members,
              char         **unknown,
              CwTxType      *type,
              GError       **error)
{
  gboolean malformed = FALSE, has_type = FALSE;
  char *name;

  *n_members = 0;
  while (cw_json_reader_next_member (reader, &name, &malformed))
    {
      g_autofree char *owned = name;
      int f = field_lookup (name);

      if (f == F_TYPE)
        {
          g_autofree char *text = NULL;
          gsize pos = reader->pos;

          if (cw_json_reader_peek (reader) != '"')
            return wrong_json_type (&cw_tx_field_table[F_TYPE], _("a string"), error);
          if (!read_string_value (reader, &cw_tx_field_table[F_TYPE], &text, NULL) ||
              !cw_tx_type_from_string (text, type))
            {
              g_autofree char *shown = text != NULL ? g_strescape (text, NULL)
                                                    : g_strdup (_("a string holding U+0000"));
              g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_TYPE,
                           _("Unknown transaction type “%s”"), shown);
              return FALSE;
            }
          has_type = TRUE;
          reader->pos = pos;
        }
      if (*unknown == NULL && *n_members <= N_FIELDS)
        {
          members[*n_members].field = f;
          members[*n_members].value_pos = reader->pos;
          (*n_members)++;
          if (f < 0)
            *unknown = g_steal_pointer (&owned);
        }
      if (!cw_json_reader_skip (reader))
        malformed = TRUE;
      if (malformed)
        break;
    }
  if (malformed)
    {
      g_set_error_literal (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_SYNTAX,
                           _("The payload object is cut short"));
      return FALSE;
    }
  if (!has_type)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_MISSING_FIELD, _("The payload has no “type”"));
      return FALSE;
    }
  return TRUE;
}

/* Reads the payload object, already checked as canonical JSON, with the
 * document reader instead of building a json-glib tree: the type first,
 * then every member in document order. */
static gboolean
read_members (CwTx         **out,
              CwJsonReader  *reader,
              GError       **error)
{
  Member members[N_FIELDS + 1];
  guint n_members;
  g_autofree char *unknown = NULL;
  g_autoptr(CwTx) self = NULL;
  CwTxType type;
  guint32 allowed;

  if (!cw_json_reader_begin (reader, '{'))
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_NOT_OBJECT, _("The payload is not a JSON object"));
      return FALSE;
    }
  if (!scan_members (reader, members, &n_members, &unknown, &type, error))
    return FALSE;

  self = cw_tx_alloc (type);
  allowed = type_fields[type].required | type_fields[type].optional;
  for (guint i = 0; i < n_members; i++)
    {
      int f = members[i].field;

      if (f < 0 || !(allowed & BIT (f)))
        {
          g_autofree char *shown = g_strescape (f < 0 ? unknown : cw_tx_field_table[f].name, NULL);
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_FIELD,
                       _("A %s has no field “%s”"), cw_tx_type_to_string (type), shown);
          return FALSE;
        }
      reader->pos = members[i].value_pos;
      if (!read_field (self, f, reader, error))
        return FALSE;
      self->present |= BIT (f);
    }

  *out = g_steal_pointer (&self);
  return TRUE;
}

CwTx *
cw_tx_parse_payload (const guint8  *data,
                     gsize          len,
                     GError       **error)
{
  g_autoptr(CwTx) self = NULL;
  g_autoptr(GBytes) again = NULL;
  CwJsonReader reader;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > CW_TX_MAX_PAYLOAD_SIZE)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_TOO_LARGE,
                   _("The payload is larger than %d bytes"), CW_TX_MAX_PAYLOAD_SIZE);
      return NULL;
    }
  if (!cw_canonical_json_check (data, len, NULL, error))
    return NULL;
  cw_json_reader_init (&reader, (const char *) data, len);
  if (!read_members (&self, &reader, error) || !cw_tx_validate (self, error))
    return NULL;

  /* The model must say exactly what the bytes say. */
  again = cw_tx_encode (self, NULL);
  self->payload = g_bytes_new (data, len);
  if (again == NULL || !g_bytes_equal (again, self->payload))
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                           _("The payload does not encode back to the same bytes"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

CwTx *
cw_tx_parse_payload_bytes (GBytes  *payload,
                           GError **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (payload != NULL, NULL);

  data = g_bytes_get_data (payload, &len);
  return cw_tx_parse_payload (data, len, error);
}
