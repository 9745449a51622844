/* cw-ui-format.c: plain-language phrases for scopes, purposes and dates,
 * and small helpers the pages share. */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "cw-ui-format.h"

char *
cw_ui_format_scopes (CwScopes scopes)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < CW_N_SCOPES; i++)
    {
      CwScopes scope = 1 << i;

      if ((scopes & scope) == 0)
        continue;
      if (text->len > 0)
        /* Translators: separates data categories in a list */
        g_string_append (text, _(", "));
      g_string_append (text, _(cw_scope_get_display_name (scope)));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Category and purpose names are capitalised on their own; inside a
 * sentence English and Spanish lower them, German keeps its nouns. */
static char *
name_in_sentence (const char *translated_name)
{
  /* Translators: "keep" if names of data categories and purposes keep their
   * capital letter inside a sentence in your language; otherwise "lower". */
  if (g_strcmp0 (C_("names in a sentence", "lower"), "keep") == 0)
    return g_strdup (translated_name);
  return g_utf8_strdown (translated_name, -1);
}

char *
cw_ui_format_scopes_phrase (CwScopes scopes)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (scopes & (1 << i))
      g_ptr_array_add (names, name_in_sentence (_(cw_scope_get_display_name (1 << i))));

  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0 && i == names->len - 1)
        /* Translators: before the last data category in a sentence */
        g_string_append (text, _(" and "));
      else if (i > 0)
        g_string_append (text, _(", "));
      g_string_append (text, names->pdata[i]);
    }

  /* Translators: %s is a list of data categories, "medications and lab results" */
  return g_strdup_printf (_("your %s"), text->str);
}

const char *
cw_ui_format_purpose (CwPurpose purpose)
{
  return _(cw_purpose_get_display_name (purpose));
}

const char *
cw_ui_format_purpose_phrase (CwPurpose purpose)
{
  switch (purpose)
    {
    case CW_PURPOSE_TREAT:
      return _("for your treatment");
    case CW_PURPOSE_ETREAT:
      return _("for emergency treatment");
    case CW_PURPOSE_CAREMGT:
      return _("to manage your care");
    case CW_PURPOSE_HPAYMT:
      return _("to arrange payment for your care");
    case CW_PURPOSE_HOPERAT:
      return _("to run their healthcare services");
    case CW_PURPOSE_HRESCH:
      return _("for healthcare research");
    case CW_PURPOSE_PUBHLTH:
      return _("for public health");
    case CW_PURPOSE_PATRQT:
      return _("because you asked them to");
    case CW_PURPOSE_COVERAGE:
      return _("for your insurance coverage");
    default:
      return "";
    }
}

char *
cw_ui_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  /* Translators: a date, see g_date_time_format(): "23 December 2026" */
  return g_date_time_format (time, _("%-e %B %Y"));
}

char *
cw_ui_format_date_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  /* Translators: a date and time, see g_date_time_format() */
  return g_date_time_format (time, _("%-e %b %Y, %H:%M"));
}

char *
cw_ui_format_expiry (gint64 expires,
                     gint64 now)
{
  gint64 days;

  if (expires <= now)
    return g_strdup (_("Expired"));

  /* Nearest whole day: a grant made for 30 days reads "30 days" all day. */
  days = (expires - now + 12 * 60 * 60) / (24 * 60 * 60);
  if (days == 0)
    return g_strdup (_("Expires today"));

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Expires in %" PRId64 " day",
                                       "Expires in %" PRId64 " days", days),
                          days);
}

char *
cw_ui_format_grant_sentence (const char *provider_name,
                             CwScopes    scopes,
                             CwPurpose   purpose,
                             CwAccess    access,
                             gint64      expires)
{
  g_autofree char *what = cw_ui_format_scopes_phrase (scopes);
  g_autofree char *until = cw_ui_format_date (expires);
  const char *verb;

  if ((access & CW_ACCESS_STORE) && (access & CW_ACCESS_VIEW))
    verb = _("view and keep a copy of");
  else if (access & CW_ACCESS_STORE)
    verb = _("keep a copy of");
  else
    verb = _("view");

  /* Translators: "St Mary's Cardiology can view your medications for your
   * treatment until 23 December 2026." */
  return g_strdup_printf (_("%s can %s %s %s until %s."),
                          provider_name, verb, what,
                          cw_ui_format_purpose_phrase (purpose), until);
}

void
cw_ui_show_stack_page (GtkStack   *stack,
                       const char *name)
{
  gtk_widget_set_visible (gtk_stack_get_child_by_name (stack, name), TRUE);
  gtk_stack_set_visible_child_name (stack, name);
}

void
cw_ui_name_list_row (GtkWidget  *child,
                     const char *name)
{
  GtkWidget *row = gtk_widget_get_parent (child);

  if (row != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
string_row_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (list_item, label);
}

static void
string_row_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item)
{
  const char *text = gtk_string_object_get_string (gtk_list_item_get_item (list_item));
  GtkWidget *label = gtk_list_item_get_child (list_item);

  gtk_label_set_text (GTK_LABEL (label), text);
  cw_ui_name_list_row (label, text);
}

GtkListItemFactory *
cw_ui_named_string_factory (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (string_row_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (string_row_bind_cb), NULL);
  return factory;
}
