/* cw-mnemonic-names.c: accessible names of buttons with a mnemonic, read
 * once, not twice.
 *
 * GTK 4.8 gives a button whose label has a mnemonic ("_Revoke") two
 * names: its label text as is, underscore included, as the accessible
 * label, and its label child through the labelled-by relation. AT-SPI
 * joins them, so a screen reader says "_Revoke Revoke". Without the first
 * the name is the child's text, "Revoke", as for any other button.
 * cw_mnemonic_names_install() drops it from every such button of a window
 * as the window is shown, from any other as it is shown, in our windows
 * and libadwaita's dialogs alike, and again whenever the label changes. */
#include "config.h"

#include "cw-mnemonic-names.h"

static void
drop_label_property (GtkButton *button)
{
  if (gtk_button_get_use_underline (button))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
label_changed_cb (GtkButton  *button,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  drop_label_property (button);
}

static void
watch_button (GtkButton *button)
{
  static GQuark watched_quark;

  if (watched_quark == 0)
    watched_quark = g_quark_from_static_string ("cw-mnemonic-name-watched");
  /* GTK sets the accessible label again with every new label. */
  if (g_object_get_qdata (G_OBJECT (button), watched_quark) == NULL)
    {
      g_object_set_qdata (G_OBJECT (button), watched_quark, GINT_TO_POINTER (TRUE));
      g_signal_connect (button, "notify::label", G_CALLBACK (label_changed_cb), NULL);
      g_signal_connect (button, "notify::use-underline", G_CALLBACK (label_changed_cb), NULL);
    }
  drop_label_property (button);
}

static void
watch_tree (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    watch_button (GTK_BUTTON (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    watch_tree (child);
}

/* A window, as it is first shown, for every button in it, also those on
 * stack pages not in front and in unrevealed revealers, which assistive
 * technology lists too; any other button as it is shown (a list row's, a
 * page built later). */
static gboolean
mapped_hook (GSignalInvocationHint *hint,
             guint                  n_param_values,
             const GValue          *param_values,
             gpointer               user_data)
{
  GObject *instance = g_value_get_object (&param_values[0]);

  if (GTK_IS_ROOT (instance))
    watch_tree (GTK_WIDGET (instance));
  else if (GTK_IS_BUTTON (instance))
    watch_button (GTK_BUTTON (instance));
  return TRUE;
}

/**
 * cw_mnemonic_names_install:
 *
 * From now on, in this process, buttons with a mnemonic have one
 * accessible name. Call once, after gtk_init().
 */
void
cw_mnemonic_names_install (void)
{
  static gsize installed;

  if (g_once_init_enter (&installed))
    {
      /* The signal exists once the class does; GTK keeps it for good. */
      g_type_class_ref (GTK_TYPE_WIDGET);
      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0,
                                  mapped_hook, NULL, NULL);
      g_once_init_leave (&installed, 1);
    }
}
