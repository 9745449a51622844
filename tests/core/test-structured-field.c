/* test-structured-field.c: the strict RFC 8941 dictionary parser and
 * serialiser, through round trips, the data model, malformed input and caps. */
#include "config.h"

#include <glib.h>

#include "cw-structured-field.h"

static GPtrArray *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *members;

  members = cw_structured_field_parse_dictionary ("Test", text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (members);
  return members;
}

static CwStructuredFieldItem *
member_item (GPtrArray  *members,
             const char *key)
{
  CwStructuredFieldMember *member = cw_structured_field_dictionary_lookup (members, key);

  g_assert_nonnull (member);
  g_assert_false (member->is_inner_list);
  g_assert_cmpuint (member->items->len, ==, 1);
  return g_ptr_array_index (member->items, 0);
}

static void
test_types (void)
{
  g_autoptr(GPtrArray) members = NULL;
  CwStructuredFieldMember *list;
  CwStructuredFieldItem *item;
  CwStructuredFieldParameter *param;
  const guint8 *data;
  gsize len;

  members = parse_ok ("int=-42, str=\"a\\\"b\\\\c\", tok=*tok/en:1, bin=:AQID:, no=?0, "
                      "yes;p=1, list=(\"x\";q 7);r=?0, empty=()");
  g_assert_cmpuint (members->len, ==, 8);

  item = member_item (members, "int");
  g_assert_cmpint (item->value.type, ==, CW_STRUCTURED_FIELD_TYPE_INTEGER);
  g_assert_cmpint (item->value.integer, ==, -42);

  item = member_item (members, "str");
  g_assert_cmpint (item->value.type, ==, CW_STRUCTURED_FIELD_TYPE_STRING);
  g_assert_cmpstr (item->value.string, ==, "a\"b\\c");

  item = member_item (members, "tok");
  g_assert_cmpint (item->value.type, ==, CW_STRUCTURED_FIELD_TYPE_TOKEN);
  g_assert_cmpstr (item->value.string, ==, "*tok/en:1");

  item = member_item (members, "bin");
  g_assert_cmpint (item->value.type, ==, CW_STRUCTURED_FIELD_TYPE_BYTES);
  data = g_bytes_get_data (item->value.bytes, &len);
  g_assert_cmpmem (data, len, "\x01\x02\x03", 3);

  item = member_item (members, "no");
  g_assert_cmpint (item->value.type, ==, CW_STRUCTURED_FIELD_TYPE_BOOLEAN);
  g_assert_cmpint (item->value.integer, ==, 0);

  /* A bare key is Boolean true, and may carry parameters. */
  item = member_item (members, "yes");
  g_assert_cmpint (item->value.type, ==, CW_STRUCTURED_FIELD_TYPE_BOOLEAN);
  g_assert_cmpint (item->value.integer, ==, 1);
  param = cw_structured_field_parameters_lookup (item->params, "p");
  g_assert_nonnull (param);
  g_assert_cmpint (param->value.integer, ==, 1);

  list = cw_structured_field_dictionary_lookup (members, "list");
  g_assert_true (list->is_inner_list);
  g_assert_cmpuint (list->items->len, ==, 2);
  item = g_ptr_array_index (list->items, 0);
  g_assert_cmpstr (item->value.string, ==, "x");
  param = cw_structured_field_parameters_lookup (item->params, "q");
  g_assert_cmpint (param->value.type, ==, CW_STRUCTURED_FIELD_TYPE_BOOLEAN);
  g_assert_cmpint (param->value.integer, ==, 1);
  item = g_ptr_array_index (list->items, 1);
  g_assert_cmpint (item->value.integer, ==, 7);
  param = cw_structured_field_parameters_lookup (list->params, "r");
  g_assert_cmpint (param->value.type, ==, CW_STRUCTURED_FIELD_TYPE_BOOLEAN);
  g_assert_cmpint (param->value.integer, ==, 0);
  g_assert_null (cw_structured_field_parameters_lookup (list->params, "q"));

  list = cw_structured_field_dictionary_lookup (members, "empty");
  g_assert_true (list->is_inner_list);
  g_assert_cmpuint (list->items->len, ==, 0);

  g_assert_null (cw_structured_field_dictionary_lookup (members, "missing"));
}

/* Canonical input comes back unchanged; other valid input comes back canonical. */
static void
test_round_trip (void)
{
  const struct {
    const char *input;
    const char *canonical;
  } cases[] = {
    { "sig1=(\"@method\" \"@path\");created=1;keyid=\"k\"", NULL },
    { "a=1, b=\"two\", c=tok, d=:AQID:, e=?0, f, g=(1 2);h;i=?0", NULL },
    { "sig1=();created=0", NULL },
    { "a=-5;b=\"\\\\\\\"\", c=::", NULL },
    { "  sig1=( \"@method\"   \"@path\" );created=1;keyid=\"k\"",
      "sig1=(\"@method\" \"@path\");created=1;keyid=\"k\"" },
    { "sig1=(\"@path\");x=?1;y=?0;z=tok/en:1;w=:AQID:;v=-5;created=007",
      "sig1=(\"@path\");x;y=?0;z=tok/en:1;w=:AQID:;v=-5;created=7" },
    { "a=(\"@path\"),\tb=(\"@path\")", "a=(\"@path\"), b=(\"@path\")" },
    { "a=1,b=2  ,  c=3 ", "a=1, b=2, c=3" },
    { "sig1=(\"@path\");  created=1", "sig1=(\"@path\");created=1" },
    { "a=?1;x=1", "a;x=1" },
    { "a=-0", "a=0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *expected = cases[i].canonical ? cases[i].canonical : cases[i].input;
      g_autoptr(GPtrArray) members = parse_ok (cases[i].input);
      g_autoptr(GPtrArray) again = NULL;
      g_autofree char *text = cw_structured_field_dictionary_to_string (members);
      g_autofree char *text_again = NULL;

      g_assert_cmpstr (text, ==, expected);

      /* The canonical form is a fixed point. */
      again = parse_ok (text);
      text_again = cw_structured_field_dictionary_to_string (again);
      g_assert_cmpstr (text_again, ==, text);
    }
}

static void
test_empty (void)
{
  const char *inputs[] = { "", " ", "    " };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GPtrArray) members = parse_ok (inputs[i]);
      g_autofree char *text = cw_structured_field_dictionary_to_string (members);

      g_assert_cmpuint (members->len, ==, 0);
      g_assert_cmpstr (text, ==, "");
    }
}

static void
test_malformed (void)
{
  const char *inputs[] = {
    /* Keys and members. */
    "sig1=",
    "Sig1=(\"@method\")",
    "1sig=(\"@method\")",
    "\tsig1=1",
    "sig1=(\"@method\") x",
    "sig1=(\"@method\"),",
    "sig1=(\"@method\") sig2=(\"@path\")",
    "sig1=(\"@method\"), sig1=(\"@path\")",
    "a=1, a",
    /* Inner lists. */
    "sig1=(\"@method\"",
    "sig1=(\"@method\"\"@path\")",
    "sig1=(@method)",
    "sig1=(1,2)",
    /* Parameters. */
    "sig1=(\"@method\");created=1;created=2",
    "sig1=(\"@method\");;created=1",
    "a=1;",
    "a=1;=2",
    "a=1;B=2",
    /* Strings. */
    "sig1=(\"@method\");keyid=\"abc",
    "sig1=(\"@method\");keyid=\"a\\q\"",
    "sig1=(\"@method\");keyid=\"a\tb\"",
    "sig1=(\"@method\");keyid=\"\xc3\xa9\"",
    /* Integers; decimals are refused. */
    "sig1=(\"@method\");created=1.5",
    "sig1=(\"@method\");created=1234567890123456",
    "sig1=(\"@method\");created=-",
    "a=--1",
    /* Booleans. */
    "sig1=(\"@method\");flag=?2",
    "a=?",
    /* Byte sequences: canonical padded base64 only. */
    "sig1=(\"@method\");blob=:AQ=:",
    "sig1=:abc:",
    "sig1=:YR==:",
    "sig1=:YQ:",
    "sig1=:YW Jj:",
    "sig1=:YW-j:",
    "sig1=:YWJj",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) members = NULL;

      members = cw_structured_field_parse_dictionary ("Test", inputs[i], NULL, &error);
      if (members != NULL)
        g_test_message ("case %u parsed: %s", i, inputs[i]);
      g_assert_null (members);
      g_assert_error (error, CW_STRUCTURED_FIELD_ERROR, CW_STRUCTURED_FIELD_ERROR_MALFORMED);
      g_assert_true (g_str_has_prefix (error->message, "Malformed Test field: "));
      g_test_message ("case %u: %s", i, error->message);
    }
}

static void
assert_too_large (const char                    *text,
                  const CwStructuredFieldLimits *limits)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (cw_structured_field_parse_dictionary ("Test", text, limits, &error));
  g_assert_error (error, CW_STRUCTURED_FIELD_ERROR, CW_STRUCTURED_FIELD_ERROR_TOO_LARGE);
}

static void
assert_fits (const char                    *text,
             const CwStructuredFieldLimits *limits)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = NULL;

  members = cw_structured_field_parse_dictionary ("Test", text, limits, &error);
  g_assert_no_error (error);
  g_assert_nonnull (members);
}

static void
test_limits (void)
{
  const CwStructuredFieldLimits limits = {
    .max_length = 64,
    .max_members = 2,
    .max_items = 3,
    .max_parameters = 2,
  };

  assert_fits ("a=1, b=2", &limits);
  assert_too_large ("a=1, b=2, c=3", &limits);

  assert_fits ("a=(1 2 3)", &limits);
  assert_too_large ("a=(1 2 3 4)", &limits);

  assert_fits ("a=(1;x;y);p;q, b;p;q", &limits);
  assert_too_large ("a=(1;x;y;z)", &limits);
  assert_too_large ("a=();p;q;r", &limits);
  assert_too_large ("a;p;q;r", &limits);

  /* 64 bytes, then 65. */
  assert_fits ("a=\"012345678901234567890123456789012345678901234567890123456789\"", &limits);
  assert_too_large ("a=\"0123456789012345678901234567890123456789012345678901234567890\"", &limits);

  /* Without caps, only the syntax counts. */
  assert_fits ("a=1, b=2, c=(1 2 3 4);p;q;r", NULL);
}

static void
test_parameters (void)
{
  g_autoptr(GPtrArray) params = cw_structured_field_parameters_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  CwStructuredFieldParameter *param;

  cw_structured_field_parameters_set_integer (params, "created", 1);
  cw_structured_field_parameters_set_string (params, "keyid", "a\"b\\c");
  cw_structured_field_parameters_set_integer (params, "expires", 2);

  /* Setting again replaces the value in place: the order is kept. */
  cw_structured_field_parameters_set_string (params, "created", "now");
  cw_structured_field_parameters_set_integer (params, "keyid", -7);
  g_assert_cmpuint (params->len, ==, 3);

  param = cw_structured_field_parameters_lookup (params, "created");
  g_assert_cmpint (param->value.type, ==, CW_STRUCTURED_FIELD_TYPE_STRING);
  g_assert_cmpstr (param->value.string, ==, "now");
  g_assert_null (cw_structured_field_parameters_lookup (params, "nonce"));

  cw_structured_field_append_parameters (out, params);
  g_assert_cmpstr (out->str, ==, ";created=\"now\";keyid=-7;expires=2");
}

static void
test_append (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) bytes = g_bytes_new ("abc", 3);

  cw_structured_field_append_string (out, "say \"hi\" \\o/");
  g_string_append_c (out, ' ');
  cw_structured_field_append_bytes (out, bytes);
  g_string_append_c (out, ' ');
  cw_structured_field_append_bytes (out, empty);
  g_assert_cmpstr (out->str, ==, "\"say \\\"hi\\\" \\\\o/\" :YWJj: ::");
}

static void
test_predicates (void)
{
  const char *keys[] = { "a", "*", "sig1", "a_b-c.d*", "*x" };
  const char *not_keys[] = { "", "A", "1a", "_a", "a b", "aB", "a=" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (cw_structured_field_is_key (keys[i]));
  for (guint i = 0; i < G_N_ELEMENTS (not_keys); i++)
    g_assert_false (cw_structured_field_is_key (not_keys[i]));

  g_assert_true (cw_structured_field_is_string (""));
  g_assert_true (cw_structured_field_is_string (" ~\"\\ printable"));
  g_assert_false (cw_structured_field_is_string ("tab\t"));
  g_assert_false (cw_structured_field_is_string ("line\n"));
  g_assert_false (cw_structured_field_is_string ("\x7f"));
  g_assert_false (cw_structured_field_is_string ("\xc3\xa9"));

  g_assert_true (cw_structured_field_is_tchar ('a'));
  g_assert_true (cw_structured_field_is_tchar ('~'));
  g_assert_true (cw_structured_field_is_tchar ('!'));
  g_assert_false (cw_structured_field_is_tchar ('\0'));
  g_assert_false (cw_structured_field_is_tchar (':'));
  g_assert_false (cw_structured_field_is_tchar (' '));
  g_assert_false (cw_structured_field_is_tchar ('"'));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/structured-field/parse/types", test_types);
  g_test_add_func ("/structured-field/parse/empty", test_empty);
  g_test_add_func ("/structured-field/parse/malformed", test_malformed);
  g_test_add_func ("/structured-field/parse/limits", test_limits);
  g_test_add_func ("/structured-field/round-trip", test_round_trip);
  g_test_add_func ("/structured-field/parameters", test_parameters);
  g_test_add_func ("/structured-field/append", test_append);
  g_test_add_func ("/structured-field/predicates", test_predicates);

  return g_test_run ();
}
