/* test-node-listing.c: the node's list pages (cw_node_listing_parse(),
 * walked with cw-json-reader.h instead of a json-glib tree): what a good
 * page gives, that an envelope comes out as compact text whatever white
 * space the node wrote, that escapes are decoded exactly, and that every
 * rule of the strict parser still refuses what it refused before. */
#include "config.h"

#include <string.h>

#include "cw-json-reader.h"
#include "cw-node-results.h"

#define ID_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
/* Bytes 0x20 … 0x3f; the tail lets a test write the first letter escaped. */
#define HASH_TAIL "CEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define HASH "I" HASH_TAIL
#define ENVELOPE "{\"payload\":\"e30=\",\"payloadType\":\"t\",\"signatures\":[{\"keyid\":\"k\",\"sig\":\"s\"}]}"

static CwNodeListing *
parse (const char      *text,
       CwNodeListKind   kind,
       GError         **error)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return cw_node_listing_parse (body, kind, error);
}

static char *
access_page (const char *item)
{
  return g_strdup_printf ("{\"checkpoint\":\"origin\\n1\\nroot\\n\",\"events\":[%s],\"next\":null}",
                          item);
}

static void
test_good_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNodeListing) chain = NULL;
  g_autoptr(CwNodeListing) access = NULL;
  g_autofree char *spaced = NULL;
  CwNodeListItem *item;

  chain = parse ("{\"checkpoint\":\"o\\n2\\nr\\n\\u2014 x\\n\",\"head\":{\"seq\":4,\"id\":\"" ID_A "\"},"
                 "\"transactions\":[{\"seq\":4,\"id\":\"" ID_A "\",\"index\":7,\"envelope\":"
                 ENVELOPE ",\"proof\":[\"" HASH "\",\"\\u0049" HASH_TAIL "\"]}],\"next\":5}",
                 CW_NODE_LIST_CHAIN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (chain->checkpoint, ==, "o\n2\nr\n\u2014 x\n");
  g_assert_true (chain->has_head);
  g_assert_cmpuint (chain->head_seq, ==, 4);
  g_assert_cmpstr (chain->head_id, ==, ID_A);
  g_assert_true (chain->has_next);
  g_assert_cmpuint (chain->next, ==, 5);
  g_assert_cmpuint (chain->items->len, ==, 1);
  item = g_ptr_array_index (chain->items, 0);
  g_assert_cmpuint (item->seq, ==, 4);
  g_assert_cmpuint (item->index, ==, 7);
  g_assert_cmpstr (item->id, ==, ID_A);
  g_assert_cmpstr (item->envelope, ==, ENVELOPE);
  g_assert_cmpuint (item->n_proof, ==, 2);
  /* Both hashes, the plain one and the escaped one, end to end. */
  for (guint i = 0; i < 2 * 32; i++)
    g_assert_cmpuint (item->proof[i], ==, 0x20 + i % 32);

  /* White space anywhere, also inside the envelope, which comes out
   * compact; the strings inside it keep theirs. */
  spaced = g_strdup_printf ("{ \"checkpoint\" : \"c\" ,\n \"events\" : [ { \"outcome\" : \"denied\","
                            " \"id\" : \"" ID_A "\", \"index\" : 0, \"proof\" : [ ],"
                            " \"envelope\" : { \"payload\" : \"e30=\" ,\n\t\"payloadType\" : "
                            "\"a b\\\"\" , \"signatures\" : [ ] } } ] , \"next\" : null }");
  access = parse (spaced, CW_NODE_LIST_ACCESS, &error);
  g_assert_no_error (error);
  g_assert_false (access->has_next);
  item = g_ptr_array_index (access->items, 0);
  g_assert_cmpstr (item->outcome, ==, "denied");
  g_assert_cmpuint (item->n_proof, ==, 0);
  g_assert_cmpstr (item->envelope, ==,
                   "{\"payload\":\"e30=\",\"payloadType\":\"a b\\\"\",\"signatures\":[]}");
}

static void
test_bad_pages (void)
{
  const char *items[] = {
    /* unknown, missing or mistyped members */
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[],\"x\":1}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{}}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"envelope\":{},\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":-1,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":1.0,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":1e2,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":\"1\",\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"maybe\",\"envelope\":{},\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":\"{}\",\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":[],\"proof\":[]}",
    "{\"id\":\"AAEC\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[]}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[\"AAEC\"]}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[1]}",
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":{}}",
    /* a duplicate member, which a json-glib tree took silently */
    "{\"id\":\"" ID_A "\",\"index\":1,\"index\":2,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[]}",
    /* U+0000, which a C string cannot hold */
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\\u0000\",\"envelope\":{},\"proof\":[]}",
    /* ... also inside an envelope, kept as text (found by
     * tests/fuzz/fuzz-node-results, tests/fuzz/regressions/node-results/):
     * its payload type would read as cut short */
    "{\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{\"payloadType\":"
    "\"t\\u0000x\"},\"proof\":[]}",
    /* seq belongs to the chain only */
    "{\"seq\":1,\"id\":\"" ID_A "\",\"index\":1,\"outcome\":\"allowed\",\"envelope\":{},\"proof\":[]}",
    "1",
  };
  const char *pages[] = {
    "{\"checkpoint\":\"c\",\"events\":[],\"next\":null,\"more\":1}",
    "{\"checkpoint\":\"c\",\"events\":[]}",
    "{\"checkpoint\":1,\"events\":[],\"next\":null}",
    "{\"events\":[],\"next\":null}",
    "{\"checkpoint\":\"c\",\"next\":null}",
    "{\"checkpoint\":\"c\",\"events\":{},\"next\":null}",
    "{\"checkpoint\":\"c\",\"events\":[],\"next\":-1}",
    "{\"checkpoint\":\"c\",\"events\":[],\"next\":\"2\"}",
    "{\"checkpoint\":\"c\",\"events\":[],\"next\":null} x",
    "{\"checkpoint\":\"c\",\"events\":[],\"next\":null",
    "{\"checkpoint\":\"c\",\"events\":[],\"next\":nul}",
    "[]",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autofree char *page = access_page (items[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(CwNodeListing) listing = parse (page, CW_NODE_LIST_ACCESS, &error);

      g_test_message ("item %" G_GSIZE_FORMAT ": %s", i, items[i]);
      g_assert_null (listing);
      g_assert_error (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CwNodeListing) listing = parse (pages[i], CW_NODE_LIST_ACCESS, &error);

      g_test_message ("page %" G_GSIZE_FORMAT ": %s", i, pages[i]);
      g_assert_null (listing);
      g_assert_error (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED);
    }

  {
    /* The chain needs its head, with both members. */
    const char *chains[] = {
      "{\"checkpoint\":\"c\",\"transactions\":[],\"next\":null}",
      "{\"checkpoint\":\"c\",\"head\":null,\"transactions\":[],\"next\":null}",
      "{\"checkpoint\":\"c\",\"head\":{\"seq\":1},\"transactions\":[],\"next\":null}",
      "{\"checkpoint\":\"c\",\"head\":{\"seq\":1,\"id\":\"" ID_A "\",\"x\":1},\"transactions\":[],"
      "\"next\":null}",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (chains); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(CwNodeListing) listing = parse (chains[i], CW_NODE_LIST_CHAIN, &error);

        g_assert_null (listing);
        g_assert_error (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED);
      }
  }
}

/* 1000 items is a full page; 1001 is more than a page may hold. */
static void
test_item_cap (void)
{
  for (guint n = 1000; n <= 1001; n++)
    {
      g_autoptr(GString) items = g_string_new (NULL);
      g_autofree char *page = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(CwNodeListing) listing = NULL;

      for (guint i = 0; i < n; i++)
        g_string_append_printf (items, "%s{\"id\":\"" ID_A "\",\"index\":%u,\"envelope\":{},"
                                "\"proof\":[]}", i > 0 ? "," : "", i);
      page = g_strdup_printf ("{\"checkpoint\":\"c\",\"grants\":[%s],\"next\":null}", items->str);
      listing = parse (page, CW_NODE_LIST_GRANTS, &error);
      if (n == 1000)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (listing->items->len, ==, 1000);
        }
      else
        {
          g_assert_null (listing);
          g_assert_error (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED);
        }
    }
}

/* The reader's string decoding, escapes and surrogate pairs included. */
static void
test_reader_strings (void)
{
  const struct {
    const char *json;
    const char *decoded;  /* NULL: refused */
  } cases[] = {
    { "\"plain\"", "plain" },
    { "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "a\"b\\c/d\b\f\n\r\t" },
    { "\"\\u00e9\\u2014\"", "\u00e9\u2014" },
    { "\"\\ud83d\\ude00\"", "\U0001F600" },
    { "\"\\u0000\"", NULL },
    { "\"\\ud83d\"", NULL },
    { "\"\\ude00\"", NULL },
    { "\"\\x\"", NULL },
    { "\"open", NULL },
    { "1", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CwJsonReader reader;
      g_autofree char *decoded = NULL;

      cw_json_reader_init (&reader, cases[i].json, strlen (cases[i].json));
      decoded = cw_json_reader_read_string (&reader);
      g_assert_cmpstr (decoded, ==, cases[i].decoded);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/node-listing/good", test_good_pages);
  g_test_add_func ("/node-listing/bad", test_bad_pages);
  g_test_add_func ("/node-listing/item-cap", test_item_cap);
  g_test_add_func ("/node-listing/reader-strings", test_reader_strings);

  return g_test_run ();
}
