/* cw-tx.c: consent transaction payloads, as specified in DESIGN.md
 * "Consent transactions" and the decisions written in cw-tx.h.
 *
 * One table describes every field (its JSON name, its kind, where it lives
 * in CwTx) and another which fields each type requires or allows; parsing,
 * building and encoding all walk those tables, so a field is added in one
 * place.
 */
#include "config.h"

#include <string.h>
#include <sodium.h>

#include "cw-canonical-json.h"
#include "cw-tx.h"

#ifndef N_
# define N_(s) (s)
#endif

G_DEFINE_QUARK (cw-tx-error-quark, cw_tx_error)

struct _CwTx {
  gatomicrefcount  ref_count;
  CwTxType         type;
  guint32          present;   /* bit per Field */
  GBytes          *payload;

  guint8           patient[CW_PUBLIC_KEY_SIZE];
  guint64          seq;
  guint8           prev[CW_TX_ID_SIZE];
  GDateTime       *time;
  guint8           nonce[CW_TX_NONCE_SIZE];
  char            *provider;
  guint8           recovery_key[CW_PUBLIC_KEY_SIZE];
  char            *invite;
  char            *clinic;
  guint            scopes;
  CwPurpose        purpose;
  guint            access;
  char            *data_from;
  char            *data_to;
  GDateTime       *expires;
  guint8           request[CW_TX_ID_SIZE];
  guint8           grant[CW_TX_ID_SIZE];
  guint8           new_key[CW_PUBLIC_KEY_SIZE];
  guint8           new_recovery_key[CW_PUBLIC_KEY_SIZE];
  char            *reason;
};

G_DEFINE_BOXED_TYPE (CwTx, cw_tx, cw_tx_ref, cw_tx_unref)

/* ---- names ------------------------------------------------------------- */

static const struct {
  CwScopes    scope;
  const char *name;
  const char *display_name;
} scope_table[CW_N_SCOPES] = {
  { CW_SCOPE_SUMMARY,        "summary",        N_("Health summary") },
  { CW_SCOPE_ALLERGIES,      "allergies",      N_("Allergies") },
  { CW_SCOPE_MEDICATIONS,    "medications",    N_("Medications") },
  { CW_SCOPE_PROBLEMS,       "problems",       N_("Problems and conditions") },
  { CW_SCOPE_IMMUNIZATIONS,  "immunizations",  N_("Immunizations") },
  { CW_SCOPE_LAB_RESULTS,    "lab-results",    N_("Lab results") },
  { CW_SCOPE_IMAGING,        "imaging",        N_("Imaging") },
  { CW_SCOPE_CLINICAL_NOTES, "clinical-notes", N_("Clinical notes") },
  { CW_SCOPE_VITALS,         "vitals",         N_("Vital signs") },
  { CW_SCOPE_MENTAL_HEALTH,  "mental-health",  N_("Mental health") },
  { CW_SCOPE_SUBSTANCE_USE,  "substance-use",  N_("Substance use") },
  { CW_SCOPE_SEXUAL_HEALTH,  "sexual-health",  N_("Sexual and reproductive health") },
  { CW_SCOPE_GENETICS,       "genetics",       N_("Genetic information") },
  { CW_SCOPE_BILLING,        "billing",        N_("Billing and insurance") },
};

static const struct {
  const char *code;
  const char *display_name;
} purpose_table[CW_N_PURPOSES] = {
  [CW_PURPOSE_TREAT]    = { "TREAT",    N_("Treatment") },
  [CW_PURPOSE_ETREAT]   = { "ETREAT",   N_("Emergency treatment") },
  [CW_PURPOSE_CAREMGT]  = { "CAREMGT",  N_("Care management") },
  [CW_PURPOSE_HPAYMT]   = { "HPAYMT",   N_("Payment for care") },
  [CW_PURPOSE_HOPERAT]  = { "HOPERAT",  N_("Healthcare operations") },
  [CW_PURPOSE_HRESCH]   = { "HRESCH",   N_("Healthcare research") },
  [CW_PURPOSE_PUBHLTH]  = { "PUBHLTH",  N_("Public health") },
  [CW_PURPOSE_PATRQT]   = { "PATRQT",   N_("At the patient’s request") },
  [CW_PURPOSE_COVERAGE] = { "COVERAGE", N_("Insurance coverage") },
};

static const struct {
  CwAccess    access;
  const char *name;
} access_table[] = {
  /* Ascending by name, the order on the wire. */
  { CW_ACCESS_STORE, "store" },
  { CW_ACCESS_VIEW,  "view" },
};

static const char * const type_names[] = {
  [CW_TX_TYPE_ENROLL]  = "enroll",
  [CW_TX_TYPE_GRANT]   = "grant",
  [CW_TX_TYPE_REVOKE]  = "revoke",
  [CW_TX_TYPE_DENY]    = "deny",
  [CW_TX_TYPE_ROTATE]  = "rotate",
  [CW_TX_TYPE_REQUEST] = "request",
  [CW_TX_TYPE_ACCESS]  = "access",
};

const char *
cw_tx_type_to_string (CwTxType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

gboolean
cw_tx_type_from_string (const char *name,
                        CwTxType   *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    {
      if (g_strcmp0 (name, type_names[i]) == 0)
        {
          *type = i;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
cw_tx_type_is_provider_signed (CwTxType type)
{
  return type == CW_TX_TYPE_REQUEST || type == CW_TX_TYPE_ACCESS;
}

static int
scope_index (CwScopes scope)
{
  for (guint i = 0; i < G_N_ELEMENTS (scope_table); i++)
    if (scope_table[i].scope == scope)
      return i;
  return -1;
}

const char *
cw_scope_to_string (CwScopes scope)
{
  int i = scope_index (scope);
  return i < 0 ? NULL : scope_table[i].name;
}

gboolean
cw_scope_from_string (const char *name,
                      CwScopes   *scope)
{
  for (guint i = 0; i < G_N_ELEMENTS (scope_table); i++)
    {
      if (g_strcmp0 (name, scope_table[i].name) == 0)
        {
          *scope = scope_table[i].scope;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
cw_scope_is_sensitive (CwScopes scope)
{
  return scope_index (scope) >= 0 && (scope & CW_SCOPES_SENSITIVE) != 0;
}

const char *
cw_scope_get_display_name (CwScopes scope)
{
  int i = scope_index (scope);
  return i < 0 ? NULL : scope_table[i].display_name;
}

const char *
cw_purpose_to_string (CwPurpose purpose)
{
  g_return_val_if_fail ((guint) purpose < CW_N_PURPOSES, NULL);
  return purpose_table[purpose].code;
}

gboolean
cw_purpose_from_string (const char *code,
                        CwPurpose  *purpose)
{
  for (guint i = 0; i < CW_N_PURPOSES; i++)
    {
      if (g_strcmp0 (code, purpose_table[i].code) == 0)
        {
          *purpose = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
cw_purpose_get_display_name (CwPurpose purpose)
{
  g_return_val_if_fail ((guint) purpose < CW_N_PURPOSES, NULL);
  return purpose_table[purpose].display_name;
}

/* ---- single-field validators ------------------------------------------- */

gboolean
cw_tx_provider_id_is_valid (const char *id)
{
  gsize len = id != NULL ? strlen (id) : 0;

  if (len == 0 || len > CW_TX_MAX_PROVIDER_ID_LEN || id[0] == '-' || id[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]) && id[i] != '-')
      return FALSE;
  return TRUE;
}

gboolean
cw_tx_invite_is_valid (const char *invite)
{
  gsize len = invite != NULL ? strlen (invite) : 0;

  if (len == 0 || len > CW_TX_MAX_INVITE_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (invite[i] < 0x21 || invite[i] > 0x7E)
      return FALSE;
  return TRUE;
}

gboolean
cw_tx_reason_is_valid (const char *reason)
{
  gsize len = reason != NULL ? strlen (reason) : 0;

  if (len == 0 || len > CW_TX_MAX_REASON_LEN || !g_utf8_validate (reason, len, NULL))
    return FALSE;
  for (const char *p = reason; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* Reads @n decimal digits at @text, or -1. */
static int
read_digits (const char *text,
             guint       n)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return -1;
      v = v * 10 + (text[i] - '0');
    }
  return v;
}

/* "YYYY-MM-DD" at @text, a real date of years 1..9999. */
static gboolean
read_date (const char *text,
           int        *year,
           int        *month,
           int        *day)
{
  if (text[4] != '-' || text[7] != '-')
    return FALSE;
  *year = read_digits (text, 4);
  *month = read_digits (text + 5, 2);
  *day = read_digits (text + 8, 2);

  return *year >= 1 && *month >= 1 && *day >= 1 &&
         g_date_valid_dmy (*day, *month, *year);
}

gboolean
cw_tx_date_is_valid (const char *date)
{
  int y, m, d;

  return date != NULL && strlen (date) == 10 && read_date (date, &y, &m, &d);
}

GDateTime *
cw_tx_parse_time (const char *text)
{
  int y, mo, d, h, mi, s;

  if (text == NULL || strlen (text) != 20 || text[10] != 'T' || text[19] != 'Z' ||
      text[13] != ':' || text[16] != ':' || !read_date (text, &y, &mo, &d))
    return NULL;

  h = read_digits (text + 11, 2);
  mi = read_digits (text + 14, 2);
  s = read_digits (text + 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
    return NULL;

  return g_date_time_new_utc (y, mo, d, h, mi, s);
}

char *
cw_tx_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (time != NULL, NULL);

  utc = g_date_time_to_utc (time);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ",
                          g_date_time_get_year (utc), g_date_time_get_month (utc),
                          g_date_time_get_day_of_month (utc), g_date_time_get_hour (utc),
                          g_date_time_get_minute (utc), g_date_time_get_second (utc));
}

/* ---- the field tables -------------------------------------------------- */

typedef enum {
  F_V,
  F_TYPE,
  F_PATIENT,
  F_SEQ,
  F_PREV,
  F_TIME,
  F_NONCE,
  F_PROVIDER,
  F_RECOVERY_KEY,
  F_INVITE,
  F_CLINIC,
  F_SCOPES,
  F_PURPOSE,
  F_ACCESS,
  F_DATA_FROM,
  F_DATA_TO,
  F_EXPIRES,
  F_REQUEST,
  F_GRANT,
  F_NEW_KEY,
  F_NEW_RECOVERY_KEY,
  F_REASON,
  N_FIELDS,
} Field;

#define BIT(f) (1u << (f))

typedef enum {
  KIND_VERSION,
  KIND_TYPE,
  KIND_SEQ,
  KIND_BYTES,
  KIND_TIME,
  KIND_TEXT,
  KIND_SCOPES,
  KIND_PURPOSE,
  KIND_ACCESS,
} Kind;

typedef gboolean (*TextCheck) (const char *text);

typedef struct {
  const char *name;
  Kind        kind;
  gsize       offset;
  gsize       size;    /* KIND_BYTES: exact decoded length */
  TextCheck   check;   /* KIND_TEXT: content rule */
  const char *rule;    /* KIND_TEXT: the rule in words, for errors */
} FieldInfo;

#define AT(member) G_STRUCT_OFFSET (CwTx, member)
#define FIELD_PTR(self, f, type) ((type *) G_STRUCT_MEMBER_P ((self), field_table[f].offset))

static const FieldInfo field_table[N_FIELDS] = {
  [F_V]                = { "v", KIND_VERSION },
  [F_TYPE]             = { "type", KIND_TYPE },
  [F_PATIENT]          = { "patient", KIND_BYTES, AT (patient), CW_PUBLIC_KEY_SIZE },
  [F_SEQ]              = { "seq", KIND_SEQ, AT (seq) },
  [F_PREV]             = { "prev", KIND_BYTES, AT (prev), CW_TX_ID_SIZE },
  [F_TIME]             = { "time", KIND_TIME, AT (time) },
  [F_NONCE]            = { "nonce", KIND_BYTES, AT (nonce), CW_TX_NONCE_SIZE },
  [F_PROVIDER]         = { "provider", KIND_TEXT, AT (provider), 0, cw_tx_provider_id_is_valid,
                           "1–64 characters of a-z, 0-9 and “-”, not starting or ending with “-”" },
  [F_RECOVERY_KEY]     = { "recovery_key", KIND_BYTES, AT (recovery_key), CW_PUBLIC_KEY_SIZE },
  [F_INVITE]           = { "invite", KIND_TEXT, AT (invite), 0, cw_tx_invite_is_valid,
                           "1–128 printable ASCII characters" },
  [F_CLINIC]           = { "clinic", KIND_TEXT, AT (clinic), 0, cw_tx_provider_id_is_valid,
                           "1–64 characters of a-z, 0-9 and “-”, not starting or ending with “-”" },
  [F_SCOPES]           = { "scopes", KIND_SCOPES, AT (scopes) },
  [F_PURPOSE]          = { "purpose", KIND_PURPOSE, AT (purpose) },
  [F_ACCESS]           = { "access", KIND_ACCESS, AT (access) },
  [F_DATA_FROM]        = { "data_from", KIND_TEXT, AT (data_from), 0, cw_tx_date_is_valid,
                           "a date YYYY-MM-DD" },
  [F_DATA_TO]          = { "data_to", KIND_TEXT, AT (data_to), 0, cw_tx_date_is_valid,
                           "a date YYYY-MM-DD" },
  [F_EXPIRES]          = { "expires", KIND_TIME, AT (expires) },
  [F_REQUEST]          = { "request", KIND_BYTES, AT (request), CW_TX_ID_SIZE },
  [F_GRANT]            = { "grant", KIND_BYTES, AT (grant), CW_TX_ID_SIZE },
  [F_NEW_KEY]          = { "new_key", KIND_BYTES, AT (new_key), CW_PUBLIC_KEY_SIZE },
  [F_NEW_RECOVERY_KEY] = { "new_recovery_key", KIND_BYTES, AT (new_recovery_key), CW_PUBLIC_KEY_SIZE },
  [F_REASON]           = { "reason", KIND_TEXT, AT (reason), 0, cw_tx_reason_is_valid,
                           "1–500 bytes of text without control characters" },
};

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
    if (strcmp (name, field_table[i].name) == 0)
      return i;
  return -1;
}

/* ---- life cycle -------------------------------------------------------- */

static CwTx *
cw_tx_alloc (CwTxType type)
{
  CwTx *self = g_new0 (CwTx, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->type = type;
  return self;
}

CwTx *
cw_tx_ref (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cw_tx_unref (CwTx *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->payload, g_bytes_unref);
  g_clear_pointer (&self->time, g_date_time_unref);
  g_clear_pointer (&self->expires, g_date_time_unref);
  g_free (self->provider);
  g_free (self->invite);
  g_free (self->clinic);
  g_free (self->data_from);
  g_free (self->data_to);
  g_free (self->reason);
  g_free (self);
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
                   "A %s must have seq 1 or more", type_names[self->type]);
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
      const FieldInfo *info = &field_table[f];
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
                       "A %s needs the field “%s”", type_names[self->type], field_table[f].name);
          return FALSE;
        }
      if (!(allowed & BIT (f)) && (self->present & BIT (f)))
        {
          g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_UNKNOWN_FIELD,
                       "A %s has no field “%s”", type_names[self->type], field_table[f].name);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate (CwTx    *self,
          GError **error)
{
  return validate_fields_present (self, error) &&
         validate_sequence (self, error) &&
         validate_texts (self, error) &&
         validate_sets (self, error) &&
         validate_ranges (self, error);
}

/* ---- encoding ---------------------------------------------------------- */

static int
compare_name_ptrs (gconstpointer a,
                   gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static JsonNode *
string_array_node (GPtrArray *names)
{
  g_autoptr(JsonArray) array = json_array_new ();

  g_ptr_array_sort (names, compare_name_ptrs);
  for (guint i = 0; i < names->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (names, i));
  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
scopes_node (guint scopes)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (scope_table); i++)
    if (scopes & scope_table[i].scope)
      g_ptr_array_add (names, (gpointer) scope_table[i].name);
  return string_array_node (names);
}

static JsonNode *
access_node (guint access)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (access_table); i++)
    if (access & access_table[i].access)
      g_ptr_array_add (names, (gpointer) access_table[i].name);
  return string_array_node (names);
}

static JsonNode *
field_to_node (CwTx  *self,
               Field  f)
{
  const FieldInfo *info = &field_table[f];
  g_autofree char *text = NULL;

  switch (info->kind)
    {
    case KIND_VERSION:
      return json_node_init_int (json_node_alloc (), CW_TX_VERSION);
    case KIND_TYPE:
      return json_node_init_string (json_node_alloc (), type_names[self->type]);
    case KIND_SEQ:
      return json_node_init_int (json_node_alloc (), (gint64) self->seq);
    case KIND_BYTES:
      text = cw_base64_encode (FIELD_PTR (self, f, guint8), info->size);
      return json_node_init_string (json_node_alloc (), text);
    case KIND_TIME:
      text = cw_tx_format_time (*FIELD_PTR (self, f, GDateTime *));
      return json_node_init_string (json_node_alloc (), text);
    case KIND_TEXT:
      return json_node_init_string (json_node_alloc (), *FIELD_PTR (self, f, char *));
    case KIND_SCOPES:
      return scopes_node (self->scopes);
    case KIND_PURPOSE:
      return json_node_init_string (json_node_alloc (), purpose_table[self->purpose].code);
    case KIND_ACCESS:
    default:
      return access_node (self->access);
    }
}

static GBytes *
encode (CwTx    *self,
        GError **error)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) root = NULL;

  for (guint f = 0; f < N_FIELDS; f++)
    if (self->present & BIT (f))
      json_object_set_member (object, field_table[f].name, field_to_node (self, f));

  root = json_node_init_object (json_node_alloc (), object);
  return cw_canonical_json_encode (root, error);
}

/* ---- builders ---------------------------------------------------------- */

/* Drops sub-second precision and converts to UTC, as the wire form does. */
static GDateTime *
normalize_time (GDateTime *time)
{
  g_autofree char *text = NULL;

  if (time == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      text = cw_tx_format_time (now);
    }
  else
    text = cw_tx_format_time (time);

  return cw_tx_parse_time (text);
}

static CwTx *
builder_begin (CwTxType          type,
               const CwTxCommon *common)
{
  CwTx *self = cw_tx_alloc (type);

  self->present = BIT (F_V) | BIT (F_TYPE) | BIT (F_PATIENT) | BIT (F_TIME) | BIT (F_NONCE);
  memcpy (self->patient, common->patient, CW_PUBLIC_KEY_SIZE);
  self->time = normalize_time (common->time);
  if (common->nonce != NULL)
    memcpy (self->nonce, common->nonce, CW_TX_NONCE_SIZE);
  else
    randombytes_buf (self->nonce, CW_TX_NONCE_SIZE);

  self->seq = common->seq;
  if (!cw_tx_type_is_provider_signed (type))
    self->present |= BIT (F_SEQ);
  if (common->prev != NULL)
    {
      memcpy (self->prev, common->prev, CW_TX_ID_SIZE);
      self->present |= BIT (F_PREV);
    }
  return self;
}

static gboolean
builder_check_provider_common (CwTx              *self,
                               const CwTxCommon  *common,
                               GError           **error)
{
  if (common->seq != 0 || common->prev != NULL)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_SEQUENCE,
                   "A %s carries no seq or prev", type_names[self->type]);
      return FALSE;
    }
  return TRUE;
}

static void
builder_set_bytes (CwTx         *self,
                   Field         f,
                   const guint8 *bytes)
{
  if (bytes == NULL)
    return;
  memcpy (FIELD_PTR (self, f, guint8), bytes, field_table[f].size);
  self->present |= BIT (f);
}

static void
builder_set_text (CwTx       *self,
                  Field       f,
                  const char *text)
{
  if (text == NULL)
    return;
  *FIELD_PTR (self, f, char *) = g_strdup (text);
  self->present |= BIT (f);
}

static void
builder_set_consent (CwTx      *self,
                     CwScopes   scopes,
                     CwPurpose  purpose)
{
  self->scopes = scopes;
  self->purpose = purpose;
  self->present |= BIT (F_SCOPES) | BIT (F_PURPOSE);
}

static void
builder_set_expires (CwTx      *self,
                     GDateTime *expires)
{
  if (expires == NULL)
    return;
  self->expires = normalize_time (expires);
  self->present |= BIT (F_EXPIRES);
}

static CwTx *
builder_end (CwTx    *tx,
             GError **error)
{
  g_autoptr(CwTx) self = tx;

  if (!validate (self, error))
    return NULL;
  if ((self->payload = encode (self, error)) == NULL)
    return NULL;
  if (g_bytes_get_size (self->payload) > CW_TX_MAX_PAYLOAD_SIZE)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_TOO_LARGE,
                   "The payload is larger than %d bytes", CW_TX_MAX_PAYLOAD_SIZE);
      return NULL;
    }
  return g_steal_pointer (&self);
}

#define CHECK_COMMON(common, error) \
  g_return_val_if_fail ((common) != NULL && (common)->patient != NULL, NULL); \
  g_return_val_if_fail ((error) == NULL || *(error) == NULL, NULL)

CwTx *
cw_tx_new_enroll (const CwTxCommon  *common,
                  const guint8      *recovery_key,
                  const char        *invite,
                  const char        *clinic,
                  GError           **error)
{
  CwTx *self;

  CHECK_COMMON (common, error);

  self = builder_begin (CW_TX_TYPE_ENROLL, common);
  builder_set_bytes (self, F_RECOVERY_KEY, recovery_key);
  builder_set_text (self, F_INVITE, invite);
  builder_set_text (self, F_CLINIC, clinic);
  return builder_end (self, error);
}

CwTx *
cw_tx_new_grant (const CwTxCommon  *common,
                 const char        *provider,
                 CwScopes           scopes,
                 CwPurpose          purpose,
                 CwAccess           access,
                 const char        *data_from,
                 const char        *data_to,
                 GDateTime         *expires,
                 const guint8      *request,
                 GError           **error)
{
  CwTx *self;

  CHECK_COMMON (common, error);

  self = builder_begin (CW_TX_TYPE_GRANT, common);
  builder_set_text (self, F_PROVIDER, provider);
  builder_set_consent (self, scopes, purpose);
  self->access = access;
  self->present |= BIT (F_ACCESS);
  builder_set_text (self, F_DATA_FROM, data_from);
  builder_set_text (self, F_DATA_TO, data_to);
  builder_set_expires (self, expires);
  builder_set_bytes (self, F_REQUEST, request);
  return builder_end (self, error);
}

CwTx *
cw_tx_new_revoke (const CwTxCommon  *common,
                  const guint8      *grant,
                  GError           **error)
{
  CwTx *self;

  CHECK_COMMON (common, error);

  self = builder_begin (CW_TX_TYPE_REVOKE, common);
  builder_set_bytes (self, F_GRANT, grant);
  return builder_end (self, error);
}

CwTx *
cw_tx_new_deny (const CwTxCommon  *common,
                const guint8      *request,
                GError           **error)
{
  CwTx *self;

  CHECK_COMMON (common, error);

  self = builder_begin (CW_TX_TYPE_DENY, common);
  builder_set_bytes (self, F_REQUEST, request);
  return builder_end (self, error);
}

CwTx *
cw_tx_new_rotate (const CwTxCommon  *common,
                  const guint8      *new_key,
                  const guint8      *new_recovery_key,
                  GError           **error)
{
  CwTx *self;

  CHECK_COMMON (common, error);

  self = builder_begin (CW_TX_TYPE_ROTATE, common);
  builder_set_bytes (self, F_NEW_KEY, new_key);
  builder_set_bytes (self, F_NEW_RECOVERY_KEY, new_recovery_key);
  return builder_end (self, error);
}

CwTx *
cw_tx_new_request (const CwTxCommon  *common,
                   const char        *provider,
                   CwScopes           scopes,
                   CwPurpose          purpose,
                   CwAccess           access,
                   GDateTime         *expires,
                   const char        *reason,
                   GError           **error)
{
  g_autoptr(CwTx) self = NULL;

  CHECK_COMMON (common, error);

  self = builder_begin (CW_TX_TYPE_REQUEST, common);
  if (!builder_check_provider_common (self, common, error))
    return NULL;
  builder_set_text (self, F_PROVIDER, provider);
  builder_set_consent (self, scopes, purpose);
  self->access = access;
  self->present |= BIT (F_ACCESS);
  builder_set_expires (self, expires);
  builder_set_text (self, F_REASON, reason);
  return builder_end (g_steal_pointer (&self), error);
}

CwTx *
cw_tx_new_access (const CwTxCommon  *common,
                  const char        *provider,
                  const guint8      *grant,
                  CwScopes           scopes,
                  CwPurpose          purpose,
                  GError           **error)
{
  g_autoptr(CwTx) self = NULL;

  CHECK_COMMON (common, error);

  self = builder_begin (CW_TX_TYPE_ACCESS, common);
  if (!builder_check_provider_common (self, common, error))
    return NULL;
  builder_set_text (self, F_PROVIDER, provider);
  builder_set_bytes (self, F_GRANT, grant);
  builder_set_consent (self, scopes, purpose);
  return builder_end (g_steal_pointer (&self), error);
}

/* ---- parsing ----------------------------------------------------------- */

static gboolean
wrong_json_type (const FieldInfo  *info,
                 const char       *expected,
                 GError          **error)
{
  g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_WRONG_JSON_TYPE,
               "Field “%s” must be %s", info->name, expected);
  return FALSE;
}

static gboolean
invalid_value (const FieldInfo  *info,
               const char       *rule,
               GError          **error)
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
  for (guint i = 0; i < G_N_ELEMENTS (access_table); i++)
    {
      if (strcmp (name, access_table[i].name) == 0)
        {
          *flag = access_table[i].access;
          return TRUE;
        }
    }
  return FALSE;
}

/* A non-empty array of known names, strictly ascending. */
static gboolean
read_name_set (const FieldInfo  *info,
               JsonNode         *node,
               NameLookup        lookup,
               guint            *out,
               GError          **error)
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
read_string_field (CwTx             *self,
                   Field             f,
                   const char       *text,
                   GError          **error)
{
  const FieldInfo *info = &field_table[f];

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
read_field (CwTx      *self,
            Field      f,
            JsonNode  *node,
            GError   **error)
{
  const FieldInfo *info = &field_table[f];

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
    return wrong_json_type (&field_table[F_TYPE], "a string", error);
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
                       "A %s has no field “%s”", type_names[self->type], shown);
          return FALSE;
        }
      if (!read_field (self, f, json_object_get_member (object, l->data), error))
        return FALSE;
      self->present |= BIT (f);
    }
  return TRUE;
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
  if ((root = cw_canonical_json_parse (data, len, error)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CW_TX_ERROR, CW_TX_ERROR_NOT_OBJECT, "The payload is not a JSON object");
      return NULL;
    }
  if (!read_type (json_node_get_object (root), &type, error))
    return NULL;

  self = cw_tx_alloc (type);
  if (!read_members (self, json_node_get_object (root), error) || !validate (self, error))
    return NULL;

  /* The model must say exactly what the bytes say. */
  again = encode (self, NULL);
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

/* ---- accessors --------------------------------------------------------- */

GBytes *
cw_tx_to_payload (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_bytes_ref (self->payload);
}

void
cw_tx_compute_id (CwTx   *self,
                  guint8  id_out[CW_TX_ID_SIZE])
{
  gsize len;
  const guint8 *data;

  g_return_if_fail (self != NULL);

  data = g_bytes_get_data (self->payload, &len);
  cw_sha256 (data, len, id_out);
}

char *
cw_tx_dup_id_base64 (CwTx *self)
{
  guint8 id[CW_TX_ID_SIZE];

  cw_tx_compute_id (self, id);
  return cw_base64_encode (id, sizeof id);
}

static const guint8 *
bytes_if_present (CwTx  *self,
                  Field  f)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (self->present & BIT (f)) ? FIELD_PTR (self, f, guint8) : NULL;
}

CwTxType
cw_tx_get_tx_type (CwTx *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->type;
}

const guint8 *
cw_tx_get_patient (CwTx *self)
{
  return bytes_if_present (self, F_PATIENT);
}

char *
cw_tx_dup_patient_id (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return cw_base64_encode (self->patient, CW_PUBLIC_KEY_SIZE);
}

guint64
cw_tx_get_seq (CwTx *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->seq;
}

const guint8 *
cw_tx_get_prev (CwTx *self)
{
  return bytes_if_present (self, F_PREV);
}

GDateTime *
cw_tx_get_time (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->time;
}

const guint8 *
cw_tx_get_nonce (CwTx *self)
{
  return bytes_if_present (self, F_NONCE);
}

const char *
cw_tx_get_provider (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->provider;
}

const guint8 *
cw_tx_get_recovery_key (CwTx *self)
{
  return bytes_if_present (self, F_RECOVERY_KEY);
}

const char *
cw_tx_get_invite (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->invite;
}

const char *
cw_tx_get_clinic (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->clinic;
}

CwScopes
cw_tx_get_scopes (CwTx *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->scopes;
}

CwPurpose
cw_tx_get_purpose (CwTx *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->purpose;
}

CwAccess
cw_tx_get_access (CwTx *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->access;
}

const char *
cw_tx_get_data_from (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data_from;
}

const char *
cw_tx_get_data_to (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data_to;
}

GDateTime *
cw_tx_get_expires (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->expires;
}

const guint8 *
cw_tx_get_request (CwTx *self)
{
  return bytes_if_present (self, F_REQUEST);
}

const guint8 *
cw_tx_get_grant (CwTx *self)
{
  return bytes_if_present (self, F_GRANT);
}

const guint8 *
cw_tx_get_new_key (CwTx *self)
{
  return bytes_if_present (self, F_NEW_KEY);
}

const guint8 *
cw_tx_get_new_recovery_key (CwTx *self)
{
  return bytes_if_present (self, F_NEW_RECOVERY_KEY);
}

const char *
cw_tx_get_reason (CwTx *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->reason;
}
