/* test-key.c: key IDs, Go key strings and signatures against the C2SP vectors. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-key.h"

#define PETER_VERIFIER "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SIGNER "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"

static void
test_verifier_string (void)
{
  const char *keys[] = {
    PETER_VERIFIER,
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CwVerifierKey) key = cw_verifier_key_new_from_string (keys[i], &error);
      g_autofree char *back = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (cw_verifier_key_get_key_type (key), ==, CW_KEY_TYPE_ED25519);
      back = cw_verifier_key_to_string (key);
      g_assert_cmpstr (back, ==, keys[i]);
    }
}

static void
test_verifier_rejects (void)
{
  const struct {
    const char *text;
    CwKeyError code;
  } bad[] = {
    { "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_MISMATCH },
    { "PeterNeumanN+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_MISMATCH },
    { "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX", CW_KEY_ERROR_MISMATCH },
    { "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", CW_KEY_ERROR_INVALID },
    { "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_INVALID },
    { "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_INVALID },
    { "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_INVALID },
    { "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_INVALID },
    { "c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_INVALID },
    { "", CW_KEY_ERROR_INVALID },
    /* Algorithm byte 0x02 is unknown. */
    { "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", CW_KEY_ERROR_UNSUPPORTED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CwVerifierKey) key = cw_verifier_key_new_from_string (bad[i].text, &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, bad[i].text);
      g_assert_error (error, CW_KEY_ERROR, (gint) bad[i].code);
      g_assert_null (key);
    }
}

static void
test_signer_string (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) signer = cw_signing_key_new_from_string (PETER_SIGNER, &error);
  g_autoptr(CwVerifierKey) verifier = NULL;
  g_autofree char *verifier_text = NULL;
  char *signer_text;

  g_assert_no_error (error);
  g_assert_cmphex (cw_signing_key_get_key_id (signer), ==, 0xc74f20a3);
  verifier_text = cw_verifier_key_to_string (cw_signing_key_get_verifier (signer));
  g_assert_cmpstr (verifier_text, ==, PETER_VERIFIER);

  signer_text = cw_signing_key_to_string (signer);
  g_assert_cmpstr (signer_text, ==, PETER_SIGNER);
  cw_secure_string_free (signer_text);

  verifier = cw_verifier_key_new_from_string (PETER_VERIFIER, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (cw_verifier_key_get_public_key (verifier), CW_PUBLIC_KEY_SIZE,
                   cw_signing_key_get_public_key (signer), CW_PUBLIC_KEY_SIZE);

  g_assert_null (cw_signing_key_new_from_string (PETER_VERIFIER, &error));
  g_assert_error (error, CW_KEY_ERROR, CW_KEY_ERROR_INVALID);
}

static void
test_sign_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) key = cw_signing_key_generate ("consent.example.org/log",
                                                         CW_KEY_TYPE_ED25519, &error);
  const guint8 msg[] = "consent";
  guint8 sig[CW_SIGNATURE_SIZE];
  CwVerifierKey *verifier;

  g_assert_no_error (error);
  verifier = cw_signing_key_get_verifier (key);
  cw_signing_key_sign (key, msg, sizeof msg, sig);
  g_assert_true (cw_verifier_key_verify (verifier, msg, sizeof msg, sig));

  for (guint bit = 0; bit < CW_SIGNATURE_SIZE * 8; bit++)
    {
      sig[bit / 8] ^= 1 << (bit % 8);
      g_assert_false (cw_verifier_key_verify (verifier, msg, sizeof msg, sig));
      sig[bit / 8] ^= 1 << (bit % 8);
    }

  /* Two generated keys differ. */
  {
    g_autoptr(CwSigningKey) other = cw_signing_key_generate ("consent.example.org/log",
                                                             CW_KEY_TYPE_ED25519, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (cw_signing_key_get_public_key (other), 4,
                     cw_signing_key_get_public_key (other), 4);
    g_assert_false (memcmp (cw_signing_key_get_public_key (other),
                            cw_signing_key_get_public_key (key), CW_PUBLIC_KEY_SIZE) == 0);
  }
}

static void
test_cosignature_key_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) ed = cw_signing_key_new_from_string (PETER_SIGNER, &error);
  g_autoptr(CwSigningKey) cosig = NULL;
  g_autofree char *text = NULL;
  g_autoptr(CwVerifierKey) back = NULL;

  g_assert_no_error (error);
  cosig = cw_signing_key_new_from_seed ("PeterNeumann", CW_KEY_TYPE_COSIGNATURE_V1,
                                        cw_signing_key_peek_seed (ed), &error);
  g_assert_no_error (error);

  /* Same key, different type byte: a different key ID. */
  g_assert_cmphex (cw_signing_key_get_key_id (cosig), !=, cw_signing_key_get_key_id (ed));
  g_assert_cmphex (cw_signing_key_get_key_id (cosig), ==,
                   cw_key_id_compute ("PeterNeumann", CW_KEY_TYPE_COSIGNATURE_V1,
                                      cw_signing_key_get_public_key (ed)));

  text = cw_verifier_key_to_string (cw_signing_key_get_verifier (cosig));
  g_assert_true (g_str_has_prefix (text, "PeterNeumann+"));
  back = cw_verifier_key_new_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cw_verifier_key_get_key_type (back), ==, CW_KEY_TYPE_COSIGNATURE_V1);
}

static void
test_names (void)
{
  g_assert_true (cw_key_name_is_valid ("consent.example.org/log"));
  g_assert_true (cw_key_name_is_valid ("Zürich-witness"));
  g_assert_false (cw_key_name_is_valid (""));
  g_assert_false (cw_key_name_is_valid ("a b"));
  g_assert_false (cw_key_name_is_valid ("a+b"));
  g_assert_false (cw_key_name_is_valid ("a\tb"));
  g_assert_false (cw_key_name_is_valid ("a\xc2\xa0" "b"));  /* no-break space */
  g_assert_false (cw_key_name_is_valid ("a\xff"));
}

static void
test_fingerprint (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwVerifierKey) key = cw_verifier_key_new_from_string (PETER_VERIFIER, &error);
  g_autofree char *fp = NULL;
  g_autofree char *fp2 = NULL;
  guint8 other[CW_PUBLIC_KEY_SIZE];

  g_assert_no_error (error);
  fp = cw_key_fingerprint (cw_verifier_key_get_public_key (key));
  g_assert_cmpuint (strlen (fp), ==, 29);
  g_assert_true (g_regex_match_simple ("^([A-Z2-7]{4}-){5}[A-Z2-7]{4}$", fp, 0, 0));

  memcpy (other, cw_verifier_key_get_public_key (key), sizeof other);
  other[31] ^= 1;
  fp2 = cw_key_fingerprint (other);
  g_assert_cmpstr (fp, !=, fp2);
}

int
main (int argc, char *argv[])
{
  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/key/verifier/string", test_verifier_string);
  g_test_add_func ("/key/verifier/rejects", test_verifier_rejects);
  g_test_add_func ("/key/signer/string", test_signer_string);
  g_test_add_func ("/key/sign-verify", test_sign_verify);
  g_test_add_func ("/key/cosignature-id", test_cosignature_key_id);
  g_test_add_func ("/key/names", test_names);
  g_test_add_func ("/key/fingerprint", test_fingerprint);

  return g_test_run ();
}
