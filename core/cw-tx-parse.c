/* cw-tx-parse.c: strict parsing of consent transaction payloads, and the
 * per-type validation that parsed and built transactions both pass.
 *
 * One table says which fields each type requires or allows; the checks of
 * the rules written in cw-tx.h walk it and cw_tx_field_table.
 */
#include "config.h"

#include <string.h>

#include "cw-canonical-json.h"
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
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE, "An enrollment must have seq 0");
      return FALSE;
    }
  if (self->type != CW_TX_TYPE_ENROLL && self->seq == 0)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE,
                   "A %s must have seq 1 or more", cw_tx_type_to_string (self->type));
      return FALSE;
    }
  if (has_prev != (self->seq > 0))
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE,
                           "prev must be present exactly when seq is above 0");
      return FALSE;
    }
  if (self->seq > (guint64) CW_CANONICAL_JSON_MAX_INT)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE, "seq is too large");
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
                       "Field “%s” must be %s", info->name, info->rule);
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
                   "Field “%s” must name at least one known value", bad);
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
                           "expires must be later than time");
      return FALSE;
    }
  if (self->data_from != NULL && self->data_to != NULL && strcmp (self->data_from, self->data_to) > 0)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                           "data_from must not be after data_to");
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
                       "A %s needs the field “%s”", cw_tx_type_to_string (self->type),
                       cw_tx_field_table[f].name);
          return FALSE;
        }
      if (!(allowed & BIT (f)) && (self->present & BIT (f)))
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_FIELD,
                       "A %s has no field “%s”", cw_tx_type_to_string (self->type),
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
               "Field “%s” must be %s", info->name, expected);
  return FALSE;
}

static gboolean
invalid_value (const CwTxFieldInfo  *info,
               const char           *rule,
               GError              **error)
{
  g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
               "Field “%s” must be %s", info->name, rule);
  return FALSE;
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
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

/* A non-empty array of known names, strictly ascending. */
static gboolean
read_name_set (const CwTxFieldInfo  *info,
               JsonNode             *node,
               NameLookup            lookup,
               guint                *out,
               GError              **error)
{
  JsonArray *array;
  const char *prev = NULL;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_json_type (info, "an array of strings", error);
  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return invalid_value (info, "a non-empty array", error);

  *out = 0;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *name;
      guint flag;

      if (!node_is_string (element))
        return wrong_json_type (info, "an array of strings", error);
      name = json_node_get_string (element);
      if (!lookup (name, &flag))
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                       "Field “%s” holds an unknown value", info->name);
          return FALSE;
        }
      if (prev != NULL && strcmp (prev, name) >= 0)
        return invalid_value (info, "strictly ascending, without repeats", error);
      *out |= flag;
      prev = name;
    }
  return TRUE;
}

static gboolean
read_string_field (CwTx        *self,
                   CwTxField    f,
                   const char  *text,
                   GError     **error)
{
  const CwTxFieldInfo *info = &cw_tx_field_table[f];

  switch (info->kind)
    {
    case KIND_BYTES:
      if (!cw_base64_decode_fixed (text, -1, FIELD_PTR (self, f, guint8), info->size, NULL))
        {
          g_autofree char *rule = g_strdup_printf ("standard base64 of exactly %" G_GSIZE_FORMAT " bytes",
                                                   info->size);
          return invalid_value (info, rule, error);
        }
      return TRUE;
    case KIND_TIME:
      if ((*FIELD_PTR (self, f, GDateTime *) = cw_tx_parse_time (text)) == NULL)
        return invalid_value (info, "a real UTC time written YYYY-MM-DDTHH:MM:SSZ", error);
      return TRUE;
    case KIND_PURPOSE:
      if (!cw_purpose_from_string (text, &self->purpose))
        return invalid_value (info, "a known PurposeOfUse code", error);
      return TRUE;
    case KIND_TEXT:
      *FIELD_PTR (self, f, char *) = g_strdup (text);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
read_field (CwTx       *self,
            CwTxField   f,
            JsonNode   *node,
            GError    **error)
{
  const CwTxFieldInfo *info = &cw_tx_field_table[f];

  switch (info->kind)
    {
    case KIND_TYPE:
      return TRUE;
    case KIND_VERSION:
      if (!node_is_integer (node))
        return wrong_json_type (info, "an integer", error);
      if (json_node_get_int (node) != CW_TX_VERSION)
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_VERSION,
                       "Unsupported payload version %" G_GINT64_FORMAT, json_node_get_int (node));
          return FALSE;
        }
      return TRUE;
    case KIND_SEQ:
      if (!node_is_integer (node))
        return wrong_json_type (info, "an integer", error);
      if (json_node_get_int (node) < 0)
        return invalid_value (info, "0 or more", error);
      self->seq = json_node_get_int (node);
      return TRUE;
    case KIND_SCOPES:
      return read_name_set (info, node, lookup_scope, &self->scopes, error);
    case KIND_ACCESS:
      return read_name_set (info, node, lookup_access, &self->access, error);
    case KIND_BYTES:
    case KIND_TIME:
    case KIND_PURPOSE:
    case KIND_TEXT:
    default:
      if (!node_is_string (node))
        return wrong_json_type (info, "a string", error);
      return read_string_field (self, f, json_node_get_string (node), error);
    }
}

static gboolean
read_type (JsonObject  *object,
           CwTxType    *type,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, "type");

  if (node == NULL)
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_MISSING_FIELD, "The payload has no “type”");
      return FALSE;
    }
  if (!node_is_string (node))
    return wrong_json_type (&cw_tx_field_table[F_TYPE], "a string", error);
  if (!cw_tx_type_from_string (json_node_get_string (node), type))
    {
      g_autofree char *shown = g_strescape (json_node_get_string (node), NULL);
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_TYPE,
                   "Unknown transaction type “%s”", shown);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_members (CwTx        *self,
              JsonObject  *object,
              GError     **error)
{
  g_autoptr(GList) names = json_object_get_members (object);
  guint32 allowed = type_fields[self->type].required | type_fields[self->type].optional;

  for (const GList *l = names; l != NULL; l = l->next)
    {
      int f = field_lookup (l->data);

      if (f < 0 || !(allowed & BIT (f)))
        {
          g_autofree char *shown = g_strescape (l->data, NULL);
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_FIELD,
                       "A %s has no field “%s”", cw_tx_type_to_string (self->type), shown);
          return FALSE;
        }
      if (!read_field (self, f, json_object_get_member (object, l->data), error))
        return FALSE;
      self->present |= BIT (f);
    }
  return TRUE;
}

/* The canonical check, then json-glib's tree. cw_canonical_json_parse()
 * would also encode the tree again to prove json-glib held every value
 * faithfully (it cuts strings at U+0000); here that proof comes anyway,
 * and more strongly, from encoding the parsed transaction and comparing
 * it with the bytes (cw_tx_parse_payload()), so it is not paid twice. */
static JsonNode *
parse_canonical (const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!cw_canonical_json_check (data, len, NULL, error))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) data, len, &local_error))
    {
      g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_SYNTAX,
                   "JSON parser: %s", local_error->message);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

CwTx *
cw_tx_parse_payload (const guint8  *data,
                     gsize          len,
                     GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(CwTx) self = NULL;
  g_autoptr(GBytes) again = NULL;
  CwTxType type;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > CW_TX_MAX_PAYLOAD_SIZE)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_TOO_LARGE,
                   "The payload is larger than %d bytes", CW_TX_MAX_PAYLOAD_SIZE);
      return NULL;
    }
  if ((root = parse_canonical (data, len, error)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_NOT_OBJECT, "The payload is not a JSON object");
      return NULL;
    }
  if (!read_type (json_node_get_object (root), &type, error))
    return NULL;

  self = cw_tx_alloc (type);
  if (!read_members (self, json_node_get_object (root), error) || !cw_tx_validate (self, error))
    return NULL;

  /* The model must say exactly what the bytes say. */
  again = cw_tx_encode (self, NULL);
  self->payload = g_bytes_new (data, len);
  if (again == NULL || !g_bytes_equal (again, self->payload))
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_INVALID_VALUE,
                           "The payload does not encode back to the same bytes");
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
