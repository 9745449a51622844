/* fuzz-canonical-json.c: the canonical and strict JSON checkers and parsers.
 * Canonical input is strict input too; whatever parses as canonical encodes
 * back to the same bytes; whatever parses strictly encodes (when it can) to
 * canonical bytes that parse again to the same encoding. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-canonical-json.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) strict_node = NULL;
  g_autoptr(GError) error = NULL;
  gsize offset = G_MAXSIZE;
  gboolean canonical, strict;

  canonical = cw_canonical_json_check (data, size, &offset, &error);
  FUZZ_ASSERT (canonical == (error == NULL));
  if (!canonical)
    FUZZ_ASSERT (offset <= size);
  g_clear_error (&error);

  strict = cw_canonical_json_check_strict (data, size, &offset, &error);
  FUZZ_ASSERT (strict == (error == NULL));
  if (!strict)
    FUZZ_ASSERT (offset <= size);
  g_clear_error (&error);
  if (canonical)
    FUZZ_ASSERT (strict);

  node = cw_canonical_json_parse (data, size, &error);
  if (node != NULL)
    {
      g_autoptr(GBytes) encoded = cw_canonical_json_encode (node, NULL);

      FUZZ_ASSERT (canonical);
      FUZZ_ASSERT (encoded != NULL);
      FUZZ_ASSERT (fuzz_bytes_equal (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                                     data, size));
    }
  g_clear_error (&error);

  strict_node = cw_canonical_json_parse_strict (data, size, &error);
  if (strict_node != NULL)
    {
      g_autoptr(GBytes) encoded = NULL;

      FUZZ_ASSERT (strict);
      encoded = cw_canonical_json_encode (strict_node, NULL);
      if (encoded != NULL)
        {
          gsize len;
          const guint8 *bytes = g_bytes_get_data (encoded, &len);
          g_autoptr(JsonNode) reparsed = cw_canonical_json_parse (bytes, len, NULL);
          g_autoptr(GBytes) encoded2 = NULL;

          FUZZ_ASSERT (cw_canonical_json_check (bytes, len, NULL, NULL));
          FUZZ_ASSERT (reparsed != NULL);
          encoded2 = cw_canonical_json_encode (reparsed, NULL);
          FUZZ_ASSERT (encoded2 != NULL && g_bytes_equal (encoded, encoded2));
        }
    }
  else if (strict)
    {
      /* json-glib may still refuse what the checker let through, but only
       * for something it cannot represent. */
      FUZZ_ASSERT (error != NULL);
    }

  return 0;
}
