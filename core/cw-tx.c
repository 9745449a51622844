/* cw-tx.c: consent transaction payloads, as specified in DESIGN.md
 * "Consent transactions" and the decisions written in cw-tx.h: the CwTx
 * model, its builders, canonical encoding, getters and IDs.
 *
 * One table describes every field (its JSON name, its kind, where it lives
 * in CwTx) and another (in cw-tx-parse.c) which fields each type requires or
 * allows; parsing, building and encoding all walk those tables, so a field
 * is added in one place.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cw-canonical-json-private.h"
#include "cw-tx.h"
#include "cw-tx-private.h"

G_DEFINE_QUARK (cw-tx-error-quark, cw_tx_error)

G_DEFINE_BOXED_TYPE (CwTx, cw_tx, cw_tx_ref, cw_tx_unref)

/* ---- the field table --------------------------------------------------- */

#define AT(member) G_STRUCT_OFFSET (CwTx, member)

const CwTxFieldInfo cw_tx_field_table[N_FIELDS] = {
  [F_V]                = { "v", KIND_VERSION },
  [F_TYPE]             = { "type", KIND_TYPE },
  [F_PATIENT]          = { "patient", KIND_BYTES, AT (patient), CW_PUBLIC_KEY_SIZE },
  [F_SEQ]              = { "seq", KIND_SEQ, AT (seq) },
  [F_PREV]             = { "prev", KIND_BYTES, AT (prev), CW_TX_ID_SIZE },
  [F_TIME]             = { "time", KIND_TIME, AT (time) },
  [F_NONCE]            = { "nonce", KIND_BYTES, AT (nonce), CW_TX_NONCE_SIZE },
  [F_PROVIDER]         = { "provider", KIND_TEXT, AT (provider), 0, cw_tx_provider_id_is_valid,
                           N_("1–64 characters of a-z, 0-9 and “-”, not starting or ending with “-”") },
  [F_RECOVERY_KEY]     = { "recovery_key", KIND_BYTES, AT (recovery_key), CW_PUBLIC_KEY_SIZE },
  [F_INVITE]           = { "invite", KIND_TEXT, AT (invite), 0, cw_tx_invite_is_valid,
                           N_("1–128 printable ASCII characters") },
  [F_CLINIC]           = { "clinic", KIND_TEXT, AT (clinic), 0, cw_tx_provider_id_is_valid,
                           N_("1–64 characters of a-z, 0-9 and “-”, not starting or ending with “-”") },
  [F_SCOPES]           = { "scopes", KIND_SCOPES, AT (scopes) },
  [F_PURPOSE]          = { "purpose", KIND_PURPOSE, AT (purpose) },
  [F_ACCESS]           = { "access", KIND_ACCESS, AT (access) },
  [F_DATA_FROM]        = { "data_from", KIND_TEXT, AT (data_from), 0, cw_tx_date_is_valid,
                           N_("a date YYYY-MM-DD") },
  [F_DATA_TO]          = { "data_to", KIND_TEXT, AT (data_to), 0, cw_tx_date_is_valid,
                           N_("a date YYYY-MM-DD") },
  [F_EXPIRES]          = { "expires", KIND_TIME, AT (expires) },
  [F_REQUEST]          = { "request", KIND_BYTES, AT (request), CW_TX_ID_SIZE },
  [F_GRANT]            = { "grant", KIND_BYTES, AT (grant), CW_TX_ID_SIZE },
  [F_NEW_KEY]          = { "new_key", KIND_BYTES, AT (new_key), CW_PUBLIC_KEY_SIZE },
  [F_NEW_RECOVERY_KEY] = { "new_recovery_key", KIND_BYTES, AT (new_recovery_key), CW_PUBLIC_KEY_SIZE },
  [F_REASON]           = { "reason", KIND_TEXT, AT (reason), 0, cw_tx_reason_is_valid,
                           N_("1–500 bytes of text without control characters") },
};

/* ---- life cycle -------------------------------------------------------- */

CwTx *
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

/* ---- encoding ---------------------------------------------------------- */

/* Field indices in the order of their names, as canonical JSON sorts
 * members (the names are ASCII, so byte order is UTF-16 order). */
static const guint8 *
fields_by_name (void)
{
  static guint8 order[N_FIELDS];
  static gsize ready;

  if (g_once_init_enter (&ready))
    {
      for (guint i = 0; i < N_FIELDS; i++)
        {
          guint j = i;

          for (; j > 0 && strcmp (cw_tx_field_table[order[j - 1]].name,
                                  cw_tx_field_table[i].name) > 0; j--)
            order[j] = order[j - 1];
          order[j] = (guint8) i;
        }
      g_once_init_leave (&ready, 1);
    }
  return order;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A set of flags as the array of their names, in ascending order. */
static void
append_name_set (GString     *out,
                 const char **names,
                 guint        n_names)
{
  qsort (names, n_names, sizeof *names, compare_names);
  g_string_append_c (out, '[');
  for (guint i = 0; i < n_names; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      cw_canonical_json_append_string (out, names[i]);
    }
  g_string_append_c (out, ']');
}

static void
append_scopes (GString *out,
               guint    scopes)
{
  const char *names[CW_N_SCOPES];
  guint n = 0;

  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (scopes & (1u << i))
      names[n++] = cw_scope_to_string (1u << i);
  append_name_set (out, names, n);
}

static void
append_access (GString *out,
               guint    access)
{
  static const CwAccess all[] = { CW_ACCESS_VIEW, CW_ACCESS_STORE };
  const char *names[G_N_ELEMENTS (all)];
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (access & all[i])
      names[n++] = cw_access_to_string (all[i]);
  append_name_set (out, names, n);
}

/* Field @f's value as canonical JSON. */
static gboolean
append_field (GString    *out,
              CwTx       *self,
              CwTxField   f,
              GError    **error)
{
  const CwTxFieldInfo *info = &cw_tx_field_table[f];
  g_autofree char *text = NULL;

  switch (info->kind)
    {
    case KIND_VERSION:
      g_string_append_printf (out, "%d", CW_TX_VERSION);
      return TRUE;
    case KIND_TYPE:
      cw_canonical_json_append_string (out, cw_tx_type_to_string (self->type));
      return TRUE;
    case KIND_SEQ:
      if (self->seq > (guint64) CW_CANONICAL_JSON_MAX_INT)
        {
          g_set_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE,
                       _("Integer %" PRIu64 " is beyond ±(2^53 - 1)"), self->seq);
          return FALSE;
        }
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, self->seq);
      return TRUE;
    case KIND_BYTES:
      text = cw_base64_encode (FIELD_PTR (self, f, guint8), info->size);
      cw_canonical_json_append_string (out, text);
      return TRUE;
    case KIND_TIME:
      text = cw_tx_format_time (*FIELD_PTR (self, f, GDateTime *));
      cw_canonical_json_append_string (out, text);
      return TRUE;
    case KIND_TEXT:
      if (!g_utf8_validate (*FIELD_PTR (self, f, char *), -1, NULL))
        {
          g_set_error_literal (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UTF8,
                               _("String is not valid UTF-8"));
          return FALSE;
        }
      cw_canonical_json_append_string (out, *FIELD_PTR (self, f, char *));
      return TRUE;
    case KIND_SCOPES:
      append_scopes (out, self->scopes);
      return TRUE;
    case KIND_PURPOSE:
      cw_canonical_json_append_string (out, cw_purpose_to_string (self->purpose));
      return TRUE;
    case KIND_ACCESS:
    default:
      append_access (out, self->access);
      return TRUE;
    }
}

/* Written directly, member by member in name order, rather than through a
 * json-glib tree: every payload a sync reads is encoded again to prove it
 * says exactly what the parsed transaction says. */
GBytes *
cw_tx_encode (CwTx    *self,
              GError **error)
{
  const guint8 *order = fields_by_name ();
  g_autoptr(GString) out = g_string_sized_new (512);

  g_string_append_c (out, '{');
  for (guint i = 0; i < N_FIELDS; i++)
    {
      CwTxField f = order[i];

      if (!(self->present & BIT (f)))
        continue;
      if (out->len > 1)
        g_string_append_c (out, ',');
      cw_canonical_json_append_string (out, cw_tx_field_table[f].name);
      g_string_append_c (out, ':');
      if (!append_field (out, self, f, error))
        return NULL;
    }
  g_string_append_c (out, '}');

  return g_string_free_to_bytes (g_steal_pointer (&out));
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
                   /* TRANSLATORS: a transaction type as written in the protocol (not
                    * translated); “seq” and “prev” are field names */
                   _("A %s carries no seq or prev"), cw_tx_type_to_string (self->type));
      return FALSE;
    }
  return TRUE;
}

static void
builder_set_bytes (CwTx         *self,
                   CwTxField     f,
                   const guint8 *bytes)
{
  if (bytes == NULL)
    return;
  memcpy (FIELD_PTR (self, f, guint8), bytes, cw_tx_field_table[f].size);
  self->present |= BIT (f);
}

static void
builder_set_text (CwTx       *self,
                  CwTxField   f,
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

  if (!cw_tx_validate (self, error))
    return NULL;
  if ((self->payload = cw_tx_encode (self, error)) == NULL)
    return NULL;
  if (g_bytes_get_size (self->payload) > CW_TX_MAX_PAYLOAD_SIZE)
    {
      g_set_error (error, CW_TX_ERROR, CW_TX_ERROR_TOO_LARGE,
                   _("The payload is larger than %d bytes"), CW_TX_MAX_PAYLOAD_SIZE);
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
bytes_if_present (CwTx      *self,
                  CwTxField  f)
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
