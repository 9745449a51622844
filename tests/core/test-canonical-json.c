/* test-canonical-json.c: canonical JSON encoding, the canonical check with
 * its precise errors, the strict check, and faithful parsing. */
#include "config.h"

#include <string.h>

#include "cw-canonical-json.h"

static char *
encode_text (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  g_autoptr(GBytes) bytes = NULL;

  g_assert_no_error (error);
  bytes = cw_canonical_json_encode (node, &error);
  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
test_encode_basic (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { " { \"b\" : 1 , \"a\" : [ true , false , null , -42 ] } ", "{\"a\":[true,false,null,-42],\"b\":1}" },
    { "{\"z\":{\"y\":{},\"x\":[]},\"a\":\"\"}", "{\"a\":\"\",\"z\":{\"x\":[],\"y\":{}}}" },
    /* Only '"', '\\' and controls are escaped; '/', DEL and non-ASCII are not. */
    { "[\"q\\\"b\\\\s\\/ \\u00e9\\u007f\\u2028\"]", "[\"q\\\"b\\\\s/ \xc3\xa9\x7f\xe2\x80\xa8\"]" },
    { "[\"\\b\\t\\n\\f\\r\\u0001\\u001F\"]", "[\"\\b\\t\\n\\f\\r\\u0001\\u001f\"]" },
    { "[9007199254740991,-9007199254740991,0]", "[9007199254740991,-9007199254740991,0]" },
    { "\"top\"", "\"top\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = encode_text (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

/* RFC 8785 §3.2.3: names sort by UTF-16 code units, so U+1F600 (a
 * surrogate pair) sorts before U+FB33 although its code point is higher. */
static void
test_encode_sort_utf16 (void)
{
  g_autofree char *out = encode_text ("{\"\\u20ac\":1,\"\\r\":2,\"\\ufb33\":3,\"1\":4,"
                                      "\"\\ud83d\\ude00\":5,\"\\u0080\":6,\"\\u00f6\":7}");

  g_assert_cmpstr (out, ==, "{\"\\r\":2,\"1\":4,\"\xc2\x80\":6,\"\xc3\xb6\":7,\"\xe2\x82\xac\":1,"
                            "\"\xf0\x9f\x98\x80\":5,\"\xef\xac\xb3\":3}");
  g_assert_true (cw_canonical_json_check ((const guint8 *) out, strlen (out), NULL, NULL));
}

static void
test_encode_rejects (void)
{
  g_autoptr(JsonNode) dbl = json_node_init_double (json_node_alloc (), 1.0);
  g_autoptr(JsonNode) big = json_node_init_int (json_node_alloc (), CW_CANONICAL_JSON_MAX_INT + 1);
  g_autoptr(JsonNode) deep = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = cw_canonical_json_encode (dbl, &error);
  g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_FLOAT);
  g_assert_null (bytes);
  g_clear_error (&error);

  bytes = cw_canonical_json_encode (big, &error);
  g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE);
  g_clear_error (&error);

  for (guint i = 0; i <= CW_CANONICAL_JSON_MAX_DEPTH; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i <= CW_CANONICAL_JSON_MAX_DEPTH; i++)
    g_string_append_c (text, ']');
  deep = json_from_string (text->str, &error);
  g_assert_no_error (error);
  bytes = cw_canonical_json_encode (deep, &error);
  g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DEPTH);
}

typedef struct {
  const char           *text;
  gssize                len;    /* -1: strlen */
  int                   code;   /* CwCanonicalJsonError */
  gsize                 offset;
} BadCase;

static const BadCase bad_cases[] = {
  { "", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 0 },
  { " {}", -1, CW_CANONICAL_JSON_ERROR_WHITESPACE, 0 },
  { "{\"a\": 1}", -1, CW_CANONICAL_JSON_ERROR_WHITESPACE, 5 },
  { "{\"a\":1 }", -1, CW_CANONICAL_JSON_ERROR_WHITESPACE, 6 },
  { "[1,\n2]", -1, CW_CANONICAL_JSON_ERROR_WHITESPACE, 3 },
  { "{}\n", -1, CW_CANONICAL_JSON_ERROR_WHITESPACE, 2 },
  { "{\"b\":1,\"a\":2}", -1, CW_CANONICAL_JSON_ERROR_UNSORTED_KEYS, 7 },
  { "{\"a\":{\"y\":1,\"x\":2}}", -1, CW_CANONICAL_JSON_ERROR_UNSORTED_KEYS, 12 },
  { "{\"\xef\xac\xb3\":1,\"\xf0\x9f\x98\x80\":2}", -1, CW_CANONICAL_JSON_ERROR_UNSORTED_KEYS, 9 },
  { "{\"a\":1,\"a\":2}", -1, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY, 7 },
  { "[1.0]", -1, CW_CANONICAL_JSON_ERROR_FLOAT, 2 },
  { "[1.5]", -1, CW_CANONICAL_JSON_ERROR_FLOAT, 2 },
  { "[1e5]", -1, CW_CANONICAL_JSON_ERROR_FLOAT, 2 },
  { "[1E5]", -1, CW_CANONICAL_JSON_ERROR_FLOAT, 2 },
  { "[-0]", -1, CW_CANONICAL_JSON_ERROR_NUMBER_FORM, 1 },
  { "[01]", -1, CW_CANONICAL_JSON_ERROR_NUMBER_FORM, 1 },
  { "[-007]", -1, CW_CANONICAL_JSON_ERROR_NUMBER_FORM, 1 },
  { "[9007199254740992]", -1, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE, 1 },
  { "[-9007199254740992]", -1, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE, 1 },
  { "[123456789012345678901234567890]", -1, CW_CANONICAL_JSON_ERROR_NUMBER_RANGE, 1 },
  { "[+1]", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 1 },
  { "[-]", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 2 },
  { "[\"\\u0041\"]", -1, CW_CANONICAL_JSON_ERROR_ESCAPE, 2 },
  { "[\"x\\/\"]", -1, CW_CANONICAL_JSON_ERROR_ESCAPE, 3 },
  { "[\"\\u000a\"]", -1, CW_CANONICAL_JSON_ERROR_ESCAPE, 2 },
  { "[\"\\u0022\"]", -1, CW_CANONICAL_JSON_ERROR_ESCAPE, 2 },
  { "[\"\\u00e9\"]", -1, CW_CANONICAL_JSON_ERROR_ESCAPE, 2 },
  { "[\"\\ud83d\\ude00\"]", -1, CW_CANONICAL_JSON_ERROR_ESCAPE, 2 },
  { "[\"\\u001F\"]", -1, CW_CANONICAL_JSON_ERROR_HEX_CASE, 2 },
  { "[\"\\u001f\\u000B\"]", -1, CW_CANONICAL_JSON_ERROR_HEX_CASE, 8 },
  { "[\"\\x\"]", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 2 },
  { "[\"\\u00g1\"]", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 6 },
  { "[\"a\x01\"]", -1, CW_CANONICAL_JSON_ERROR_CONTROL_CHAR, 3 },
  { "[\"a\tb\"]", -1, CW_CANONICAL_JSON_ERROR_CONTROL_CHAR, 3 },
  { "[\"a\0b\"]", 7, CW_CANONICAL_JSON_ERROR_CONTROL_CHAR, 3 },
  { "[\"\xff\"]", -1, CW_CANONICAL_JSON_ERROR_UTF8, 2 },
  { "[\"ab\xc3\"]", -1, CW_CANONICAL_JSON_ERROR_UTF8, 4 },
  { "[\"\xc0\xaf\"]", -1, CW_CANONICAL_JSON_ERROR_UTF8, 2 },
  { "[\"\xed\xa0\x80\"]", -1, CW_CANONICAL_JSON_ERROR_UTF8, 2 },
  { "[\"\xf4\x90\x80\x80\"]", -1, CW_CANONICAL_JSON_ERROR_UTF8, 2 },
  { "[\xc3\xa9]", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 1 },
  { "{}x", -1, CW_CANONICAL_JSON_ERROR_TRAILING, 2 },
  { "{}{}", -1, CW_CANONICAL_JSON_ERROR_TRAILING, 2 },
  { "1 ", -1, CW_CANONICAL_JSON_ERROR_WHITESPACE, 1 },
  { "[1,]", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 3 },
  { "[1", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 2 },
  { "{\"a\"}", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 4 },
  { "{\"a\":1,}", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 7 },
  { "{'a':1}", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 1 },
  { "{a:1}", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 1 },
  { "[tru]", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 1 },
  { "[\"abc", -1, CW_CANONICAL_JSON_ERROR_SYNTAX, 1 },
  { "[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]", -1, CW_CANONICAL_JSON_ERROR_DEPTH, 16 },
};

static void
test_check_rejects (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      gsize len = c->len < 0 ? strlen (c->text) : (gsize) c->len;
      g_autoptr(GError) error = NULL;
      g_autofree char *where = g_strdup_printf ("At byte %" G_GSIZE_FORMAT ":", c->offset);
      g_autofree char *shown = g_strescape (c->text, NULL);
      gsize offset = G_MAXSIZE;

      g_test_message ("case %u: %s", i, shown);
      g_assert_false (cw_canonical_json_check ((const guint8 *) c->text, len, &offset, &error));
      g_assert_error (error, CW_CANONICAL_JSON_ERROR, c->code);
      g_assert_cmpuint (offset, ==, c->offset);
      g_assert_true (g_str_has_prefix (error->message, where));
    }
}

static void
test_check_accepts (void)
{
  static const char * const good[] = {
    "{}", "[]", "0", "-1", "true", "null", "\"\"",
    "{\"a\":[1,{\"b\":null}],\"b\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\"}",
    "[9007199254740991,-9007199254740991]",
    "{\"\":1,\"a\":2,\"aa\":3,\"b\":4}",
    "[\"/\x7f\xc3\xa9\xf0\x9f\x98\x80\"]",
    "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (cw_canonical_json_check ((const guint8 *) good[i], strlen (good[i]), NULL, &error));
      g_assert_no_error (error);
    }
}

/* Every canonical document is a fixed point of parse + encode. */
static void
test_parse_round_trip (void)
{
  static const char * const docs[] = {
    "{\"a\":[1,{\"b\":null}],\"b\":\"x\\n\\u0001\"}",
    "[true,false,-5,\"\xe2\x82\xac\"]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = cw_canonical_json_parse ((const guint8 *) docs[i], strlen (docs[i]), &error);
      g_autoptr(GBytes) again = NULL;

      g_assert_no_error (error);
      again = cw_canonical_json_encode (node, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (again, NULL), g_bytes_get_size (again), docs[i], strlen (docs[i]));
    }
}

/* json-glib cuts strings at U+0000; parse must refuse rather than lie. */
static void
test_parse_unrepresentable (void)
{
  static const char doc[] = "[\"a\\u0000b\"]";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_true (cw_canonical_json_check ((const guint8 *) doc, strlen (doc), NULL, NULL));
  node = cw_canonical_json_parse ((const guint8 *) doc, strlen (doc), &error);
  g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UNREPRESENTABLE);
  g_assert_null (node);
}

/* Protocol documents: strict, and no string may hold U+0000, which the
 * canonical and strict checkers let through. */
static void
test_check_document (void)
{
  static const char good[] = " {\"payloadType\" : \"t\\u0041\", \"a\":[1e2]} ";
  static const char * const with_nul[] = {
    "[\"a\\u0000b\"]",
    "{\"payloadType\":\"t\\u0000x\"}",
    "{\"n\\u0000\":1}",
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_canonical_json_check_document ((const guint8 *) good, strlen (good), &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (with_nul); i++)
    {
      const guint8 *text = (const guint8 *) with_nul[i];

      g_assert_true (cw_canonical_json_check_strict (text, strlen (with_nul[i]), NULL, NULL));
      g_assert_false (cw_canonical_json_check_document (text, strlen (with_nul[i]), &error));
      g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_UNREPRESENTABLE);
      g_clear_error (&error);
    }
  /* And the usual strict rules still apply. */
  g_assert_false (cw_canonical_json_check_document ((const guint8 *) "{\"a\":1,\"a\":2}", 13, &error));
  g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY);
}

static void
test_strict (void)
{
  static const char * const good[] = {
    " { \"b\" : 1.5e3 , \"a\" : [ \"\\u0041\\/\\ud83d\\ude00\" ] } \n",
    "{\"payloadType\":\"x\",\"payload\":\"\"}",
    "-0", "1E+2",
  };
  static const struct {
    const char *text;
    int         code;   /* CwCanonicalJsonError */
  } bad[] = {
    { "{\"a\":1, \"a\":2}", CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY },
    { "{\"a\":1,\"\\u0061\":2}", CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY },
    { "{'a':1}", CW_CANONICAL_JSON_ERROR_SYNTAX },
    { "[01]", CW_CANONICAL_JSON_ERROR_NUMBER_FORM },
    { "[1.]", CW_CANONICAL_JSON_ERROR_SYNTAX },
    { "[\"\\ud83d\"]", CW_CANONICAL_JSON_ERROR_ESCAPE },
    { "[\"\\ude00\"]", CW_CANONICAL_JSON_ERROR_ESCAPE },
    { "[\"\xff\"]", CW_CANONICAL_JSON_ERROR_UTF8 },
    { "[1] x", CW_CANONICAL_JSON_ERROR_TRAILING },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = cw_canonical_json_parse_strict ((const guint8 *) good[i], strlen (good[i]), &error);

      g_assert_no_error (error);
      g_assert_nonnull (node);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cw_canonical_json_check_strict ((const guint8 *) bad[i].text, strlen (bad[i].text), NULL, &error));
      g_assert_error (error, CW_CANONICAL_JSON_ERROR, bad[i].code);
    }
}

/* Found by tests/fuzz/fuzz-canonical-json (tests/fuzz/regressions/
 * canonical-json/): the strict checker compared member names as C strings,
 * so "p" and "p\u0000" were a duplicate to it but not to the canonical
 * checker. Both now see two names; the parsers refuse U+0000 anyway. */
static void
test_names_with_nul (void)
{
  static const char text[] = "{\"p\":\"Z\",\"p\\u0000\":1}";
  static const char dup[] = "{\"p\\u0000\":\"Z\",\"p\\u0000\":1}";
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_canonical_json_check ((const guint8 *) text, strlen (text), NULL, NULL));
  g_assert_true (cw_canonical_json_check_strict ((const guint8 *) text, strlen (text), NULL, NULL));
  g_assert_false (cw_canonical_json_check_strict ((const guint8 *) dup, strlen (dup), NULL, &error));
  g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY);
}

/* Objects with many members: the duplicate check changes its method past
 * the first few members, so a repeat must be found wherever it falls,
 * written plainly or escaped, and distinct names must all pass. */
static void
test_strict_many_members (void)
{
  for (guint n = 1; n <= 40; n++)
    {
      for (guint dup = 0; dup < n; dup++)
        {
          g_autoptr(GString) text = g_string_new ("{");
          g_autoptr(GString) escaped = NULL;
          g_autoptr(GError) error = NULL;

          for (guint i = 0; i < n; i++)
            g_string_append_printf (text, "%s\"m%u\":%u", i > 0 ? "," : "", i, i);
          if (dup == 0)
            {
              g_autoptr(GString) good = g_string_new (text->str);

              g_string_append_c (good, '}');
              g_assert_true (cw_canonical_json_check_strict ((const guint8 *) good->str, good->len,
                                                             NULL, NULL));
            }

          /* "m<dup>" again, then once more with its first letter escaped. */
          escaped = g_string_new (text->str);
          g_string_append_printf (text, ",\"m%u\":0}", dup);
          g_string_append_printf (escaped, ",\"\\u006d%u\":0}", dup);
          g_assert_false (cw_canonical_json_check_strict ((const guint8 *) text->str, text->len,
                                                          NULL, &error));
          g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY);
          g_clear_error (&error);
          g_assert_false (cw_canonical_json_check_strict ((const guint8 *) escaped->str,
                                                          escaped->len, NULL, &error));
          g_assert_error (error, CW_CANONICAL_JSON_ERROR, CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY);
        }
    }
}

static void
test_compare_keys (void)
{
  g_assert_cmpint (cw_canonical_json_compare_keys ("a", 1, "b", 1), <, 0);
  g_assert_cmpint (cw_canonical_json_compare_keys ("ab", 2, "a", 1), >, 0);
  g_assert_cmpint (cw_canonical_json_compare_keys ("", 0, "", 0), ==, 0);
  /* U+1F600 (D83D DE00) sorts before U+FB33 in UTF-16. */
  g_assert_cmpint (cw_canonical_json_compare_keys ("\xf0\x9f\x98\x80", 4, "\xef\xac\xb3", 3), <, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/canonical-json/encode/basic", test_encode_basic);
  g_test_add_func ("/canonical-json/encode/sort-utf16", test_encode_sort_utf16);
  g_test_add_func ("/canonical-json/encode/rejects", test_encode_rejects);
  g_test_add_func ("/canonical-json/check/rejects", test_check_rejects);
  g_test_add_func ("/canonical-json/check/accepts", test_check_accepts);
  g_test_add_func ("/canonical-json/parse/round-trip", test_parse_round_trip);
  g_test_add_func ("/canonical-json/parse/unrepresentable", test_parse_unrepresentable);
  g_test_add_func ("/canonical-json/strict", test_strict);
  g_test_add_func ("/canonical-json/compare-keys", test_compare_keys);
  g_test_add_func ("/canonical-json/strict/names-with-nul", test_names_with_nul);
  g_test_add_func ("/canonical-json/strict/document", test_check_document);
  g_test_add_func ("/canonical-json/strict/many-members", test_strict_many_members);

  return g_test_run ();
}
