/* cw-node-provider.c: one entry of the provider directory (a clinic, lab,
 * insurer...), with the rules for its fields. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-node-provider.h"

struct _CwNodeProvider
{
  GObject parent_instance;

  char *id;
  char *name;
  char *organization;
  CwNodeProviderKind kind;
  GBytes *public_key;
  gint64 created;
  CwVerifierKey *verifier_key;
};

G_DEFINE_FINAL_TYPE (CwNodeProvider, cw_node_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ORGANIZATION,
  PROP_KIND,
  PROP_PUBLIC_KEY,
  PROP_CREATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GEnumValue kind_values[] = {
  { CW_NODE_PROVIDER_KIND_PRACTICE, "CW_NODE_PROVIDER_KIND_PRACTICE", "practice" },
  { CW_NODE_PROVIDER_KIND_HOSPITAL, "CW_NODE_PROVIDER_KIND_HOSPITAL", "hospital" },
  { CW_NODE_PROVIDER_KIND_LAB, "CW_NODE_PROVIDER_KIND_LAB", "lab" },
  { CW_NODE_PROVIDER_KIND_PHARMACY, "CW_NODE_PROVIDER_KIND_PHARMACY", "pharmacy" },
  { CW_NODE_PROVIDER_KIND_INSURER, "CW_NODE_PROVIDER_KIND_INSURER", "insurer" },
  { CW_NODE_PROVIDER_KIND_RESEARCH, "CW_NODE_PROVIDER_KIND_RESEARCH", "research" },
  { 0, NULL, NULL },
};

G_DEFINE_QUARK (cw-node-provider-error-quark, cw_node_provider_error)

GType
cw_node_provider_kind_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GType type = g_enum_register_static ("CwNodeProviderKind", kind_values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

const char *
cw_node_provider_kind_to_string (CwNodeProviderKind kind)
{
  g_return_val_if_fail (kind <= CW_NODE_PROVIDER_KIND_RESEARCH, NULL);

  return kind_values[kind].value_nick;
}

gboolean
cw_node_provider_kind_from_string (const char         *text,
                                   CwNodeProviderKind *out_kind)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; kind_values[i].value_nick != NULL; i++)
    {
      if (g_str_equal (text, kind_values[i].value_nick))
        {
          *out_kind = kind_values[i].value;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
cw_node_provider_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;

  len = strlen (id);
  if (len == 0 || len > CW_NODE_PROVIDER_MAX_ID_LENGTH ||
      id[0] == '-' || id[len - 1] == '-')
    return FALSE;

  for (const char *p = id; *p; p++)
    {
      if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
        return FALSE;
    }

  return TRUE;
}

/* Display text: valid UTF-8, 1–200 characters, no control characters, no
 * leading or trailing white space. */
static gboolean
text_is_valid (const char *text)
{
  glong n_chars;

  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  n_chars = g_utf8_strlen (text, -1);
  if (n_chars > CW_NODE_PROVIDER_MAX_TEXT_LENGTH)
    return FALSE;

  if (g_unichar_isspace (g_utf8_get_char (text)) ||
      g_unichar_isspace (g_utf8_get_char (g_utf8_offset_to_pointer (text, n_chars - 1))))
    return FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
          type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR ||
          type == G_UNICODE_UNASSIGNED || type == G_UNICODE_SURROGATE ||
          type == G_UNICODE_PRIVATE_USE)
        return FALSE;
    }

  return TRUE;
}

static void
cw_node_provider_finalize (GObject *object)
{
  CwNodeProvider *self = (CwNodeProvider *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->organization, g_free);
  g_clear_pointer (&self->public_key, g_bytes_unref);
  g_clear_pointer (&self->verifier_key, cw_verifier_key_unref);

  G_OBJECT_CLASS (cw_node_provider_parent_class)->finalize (object);
}

static void
cw_node_provider_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CwNodeProvider *self = CW_NODE_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ORGANIZATION:
      g_value_set_string (value, self->organization);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_PUBLIC_KEY:
      g_value_set_boxed (value, self->public_key);
      break;
    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_provider_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CwNodeProvider *self = CW_NODE_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_ORGANIZATION:
      self->organization = g_value_dup_string (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_PUBLIC_KEY:
      self->public_key = g_value_dup_boxed (value);
      break;
    case PROP_CREATED:
      self->created = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_provider_class_init (CwNodeProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = cw_node_provider_finalize;
  object_class->get_property = cw_node_provider_get_property;
  object_class->set_property = cw_node_provider_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, "Directory ID, also the key name", NULL, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, "Display name", NULL, flags);
  properties[PROP_ORGANIZATION] =
    g_param_spec_string ("organization", NULL, "Organization it belongs to", NULL, flags);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, "Kind of provider", CW_TYPE_NODE_PROVIDER_KIND,
                       CW_NODE_PROVIDER_KIND_PRACTICE, flags);
  properties[PROP_PUBLIC_KEY] =
    g_param_spec_boxed ("public-key", NULL, "Ed25519 public key, 32 bytes", G_TYPE_BYTES, flags);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, "When it was added, in seconds since the epoch",
                        0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_provider_init (CwNodeProvider *self)
{
}

CwNodeProvider *
cw_node_provider_new (const char          *id,
                      const char          *name,
                      const char          *organization,
                      CwNodeProviderKind   kind,
                      GBytes              *public_key,
                      gint64               created,
                      GError             **error)
{
  g_autoptr(CwNodeProvider) self = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!cw_node_provider_id_is_valid (id))
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_ID,
                   "Invalid provider ID “%s”: use 1–%d characters of a–z, 0–9 and “-”, "
                   "not starting or ending with “-”",
                   id != NULL ? id : "", CW_NODE_PROVIDER_MAX_ID_LENGTH);
      return NULL;
    }

  if (!text_is_valid (name))
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_NAME,
                   "Invalid provider name: it must be 1–%d characters of printable UTF-8 "
                   "without leading or trailing spaces", CW_NODE_PROVIDER_MAX_TEXT_LENGTH);
      return NULL;
    }

  if (!text_is_valid (organization))
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_ORGANIZATION,
                   "Invalid organization: it must be 1–%d characters of printable UTF-8 "
                   "without leading or trailing spaces", CW_NODE_PROVIDER_MAX_TEXT_LENGTH);
      return NULL;
    }

  if (kind > CW_NODE_PROVIDER_KIND_RESEARCH)
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_KIND,
                   "Invalid provider kind %d", (int) kind);
      return NULL;
    }

  if (public_key == NULL || g_bytes_get_size (public_key) != CW_PUBLIC_KEY_SIZE)
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_KEY,
                   "An Ed25519 public key is %d bytes", CW_PUBLIC_KEY_SIZE);
      return NULL;
    }

  self = g_object_new (CW_TYPE_NODE_PROVIDER,
                       "id", id,
                       "name", name,
                       "organization", organization,
                       "kind", kind,
                       "public-key", public_key,
                       "created", created,
                       NULL);

  self->verifier_key = cw_verifier_key_new (id, CW_KEY_TYPE_ED25519,
                                            g_bytes_get_data (public_key, NULL),
                                            &local_error);
  if (self->verifier_key == NULL)
    {
      g_set_error (error, CW_NODE_PROVIDER_ERROR, CW_NODE_PROVIDER_ERROR_INVALID_KEY,
                   "Unusable public key: %s", local_error->message);
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
cw_node_provider_get_id (CwNodeProvider *self)
{
  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), NULL);
  return self->id;
}

const char *
cw_node_provider_get_name (CwNodeProvider *self)
{
  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), NULL);
  return self->name;
}

const char *
cw_node_provider_get_organization (CwNodeProvider *self)
{
  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), NULL);
  return self->organization;
}

CwNodeProviderKind
cw_node_provider_get_kind (CwNodeProvider *self)
{
  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), 0);
  return self->kind;
}

GBytes *
cw_node_provider_get_public_key (CwNodeProvider *self)
{
  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), NULL);
  return self->public_key;
}

gint64
cw_node_provider_get_created (CwNodeProvider *self)
{
  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), 0);
  return self->created;
}

CwVerifierKey *
cw_node_provider_get_verifier_key (CwNodeProvider *self)
{
  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), NULL);
  return self->verifier_key;
}

char *
cw_node_provider_dup_search_text (CwNodeProvider *self)
{
  g_autofree char *joined = NULL;

  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), NULL);

  joined = g_strconcat (self->name, "\n", self->organization, NULL);

  return g_utf8_casefold (joined, -1);
}

JsonNode *
cw_node_provider_to_json (CwNodeProvider *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *public_key = NULL;
  g_autofree char *verifier_key = NULL;

  g_return_val_if_fail (CW_IS_NODE_PROVIDER (self), NULL);

  public_key = cw_base64_encode (g_bytes_get_data (self->public_key, NULL),
                                 g_bytes_get_size (self->public_key));
  verifier_key = cw_verifier_key_to_string (self->verifier_key);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "organization");
  json_builder_add_string_value (builder, self->organization);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, cw_node_provider_kind_to_string (self->kind));
  json_builder_set_member_name (builder, "public_key");
  json_builder_add_string_value (builder, public_key);
  json_builder_set_member_name (builder, "verifier_key");
  json_builder_add_string_value (builder, verifier_key);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
