/* cw-node-invite.c: one-time enrollment codes a clinic hands to a patient;
 * the node keeps only their SHA-256. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-node-invite.h"

#define GROUP_LENGTH 5

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

G_DEFINE_QUARK (cw-node-invite-error-quark, cw_node_invite_error)

char *
cw_node_invite_generate_code (void)
{
  GString *code = g_string_sized_new (CW_NODE_INVITE_CODE_LENGTH + 4);

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialized");

  for (guint i = 0; i < CW_NODE_INVITE_CODE_LENGTH; i++)
    {
      if (i > 0 && i % GROUP_LENGTH == 0)
        g_string_append_c (code, '-');
      g_string_append_c (code, base32_alphabet[randombytes_uniform (32)]);
    }

  return g_string_free (code, FALSE);
}

char *
cw_node_invite_normalize_code (const char  *text,
                               GError     **error)
{
  GString *code;

  if (text == NULL || strlen (text) > 4 * CW_NODE_INVITE_CODE_LENGTH)
    goto invalid;

  code = g_string_sized_new (CW_NODE_INVITE_CODE_LENGTH);
  for (const char *p = text; *p; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == '-' || c == ' ')
        continue;
      if (strchr (base32_alphabet, c) == NULL || c == '\0')
        {
          g_string_free (code, TRUE);
          goto invalid;
        }
      g_string_append_c (code, c);
    }

  if (code->len != CW_NODE_INVITE_CODE_LENGTH)
    {
      g_string_free (code, TRUE);
      goto invalid;
    }

  return g_string_free (code, FALSE);

invalid:
  g_set_error (error, CW_NODE_INVITE_ERROR, CW_NODE_INVITE_ERROR_INVALID_CODE,
               "An invite code is %d letters A–Z and digits 2–7",
               CW_NODE_INVITE_CODE_LENGTH);
  return NULL;
}

gboolean
cw_node_invite_hash_code (const char  *text,
                          guint8       out_hash[CW_NODE_STORE_HASH_SIZE],
                          GError     **error)
{
  g_autofree char *code = cw_node_invite_normalize_code (text, error);

  if (code == NULL)
    return FALSE;

  cw_sha256 ((const guint8 *) code, strlen (code), out_hash);
  sodium_memzero (code, strlen (code));

  return TRUE;
}

static gboolean
parse_duration (const char *text,
                gint64     *out_seconds)
{
  gsize len = strlen (text);
  g_autofree char *number = NULL;
  guint64 value;
  gint64 unit;

  if (len < 2)
    return FALSE;

  switch (text[len - 1])
    {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 24 * 3600; break;
    case 'w': unit = 7 * 24 * 3600; break;
    default: return FALSE;
    }

  number = g_strndup (text, len - 1);
  if (!cw_parse_uint64 (number, -1, &value) || value > (guint64) G_MAXINT64 / unit)
    return FALSE;

  *out_seconds = (gint64) value * unit;

  return TRUE;
}

gboolean
cw_node_invite_parse_expiry (const char  *text,
                             gint64       now,
                             gint64      *out_expires,
                             GError     **error)
{
  gint64 seconds;
  gint64 expires;

  if (text == NULL)
    {
      *out_expires = now + CW_NODE_INVITE_DEFAULT_LIFETIME;
      return TRUE;
    }

  if (parse_duration (text, &seconds))
    {
      if (seconds > CW_NODE_INVITE_MAX_LIFETIME)
        goto too_far;
      expires = now + seconds;
    }
  else
    {
      g_autoptr(GDateTime) time = NULL;

      /* No default zone: a time without one is ambiguous. */
      if (strchr (text, 'T') == NULL && strchr (text, 't') == NULL)
        goto invalid;
      time = g_date_time_new_from_iso8601 (text, NULL);
      if (time == NULL)
        goto invalid;
      expires = g_date_time_to_unix (time);
      if (expires - now > CW_NODE_INVITE_MAX_LIFETIME)
        goto too_far;
    }

  if (expires <= now)
    {
      g_set_error (error, CW_NODE_INVITE_ERROR, CW_NODE_INVITE_ERROR_INVALID_EXPIRY,
                   "The expiry “%s” is not in the future", text);
      return FALSE;
    }

  *out_expires = expires;

  return TRUE;

invalid:
  g_set_error (error, CW_NODE_INVITE_ERROR, CW_NODE_INVITE_ERROR_INVALID_EXPIRY,
               "Invalid expiry “%s”: give a duration such as 90m, 12h, 7d or 2w, "
               "or an RFC 3339 time such as 2030-01-31T12:00:00Z", text);
  return FALSE;

too_far:
  g_set_error (error, CW_NODE_INVITE_ERROR, CW_NODE_INVITE_ERROR_INVALID_EXPIRY,
               "The expiry “%s” is more than 365 days away", text);
  return FALSE;
}

char *
cw_node_invite_create (CwNodeStore  *store,
                       const char   *provider_id,
                       gint64        now,
                       gint64        expires,
                       GError      **error)
{
  g_autofree char *code = cw_node_invite_generate_code ();
  guint8 hash[CW_NODE_STORE_HASH_SIZE];

  g_return_val_if_fail (CW_IS_NODE_STORE (store), NULL);

  if (!cw_node_invite_hash_code (code, hash, error) ||
      !cw_node_store_add_invite (store, hash, provider_id, now, expires, error))
    return NULL;

  return g_steal_pointer (&code);
}
