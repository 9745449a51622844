/* cw-tx-fields.c: the content rules of single transaction fields and the one
 * RFC 3339 form of times and dates that payloads use.
 */
#include "config.h"

#include <string.h>

#include "cw-tx-fields.h"

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
