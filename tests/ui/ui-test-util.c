/* ui-test-util.c: the main-loop waits the UI tests share, driven by events
 * (a condition that holds, a frame clock's "after-paint") and not by the
 * clock: under AddressSanitizer or on a loaded machine GTK draws far more
 * slowly, and a sleep long enough on one machine is too short on another.
 * Their timeouts are safety deadlines that fail the test. */
#include "config.h"

#include <string.h>

#include "ui-test-util.h"

/* How often ui_test_wait_until() looks at its condition when no event
 * wakes the main loop (a thread or another process may change it). */
#define WAKE_INTERVAL_MS 20
/* Frames a screenshot waits for one drawn at the window's size. */
#define MAX_SCREENSHOT_FRAMES 100
/* Longer than libadwaita's CSS transitions (the view switcher's highlight
 * fades in 200 ms): a screenshot shows where a change ends. */
#define SCREENSHOT_SETTLE_US (300 * 1000)

static gboolean
flag_set_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* GTK 4.8's list view can assert on an empty row-height cache while a
 * window is first mapped (fixed in later GTK). That one message is GTK's,
 * not ours; every other warning stays fatal. */
static gboolean
ignore_gtk_list_view_height_cb (const char     *log_domain,
                                GLogLevelFlags  log_level,
                                const char     *message,
                                gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "Gtk") == 0 &&
           message != NULL &&
           strstr (message, "gtk_list_view_get_unknown_row_height") != NULL);
}

void
ui_test_init (int    *argc,
              char ***argv)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_test_init (argc, argv, NULL);
  g_test_log_set_fatal_handler (ignore_gtk_list_view_height_cb, NULL);
  adw_init ();
  /* GNOME's title buttons (Xvfb has no settings daemon). */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  /* AdwApplication loads the app's style sheet; there is none here. */
  gtk_css_provider_load_from_resource (css, "/io/github/consentwallet/ConsentWallet/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

void
ui_test_iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_set_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
ui_test_wait_until (UiTestCondition condition,
                    gpointer        data,
                    guint           timeout_s)
{
  gboolean timed_out = FALSE;
  gboolean held;
  guint deadline;
  guint wake;

  g_return_val_if_fail (condition != NULL, FALSE);

  if (condition (data))
    return TRUE;
  deadline = g_timeout_add_seconds (timeout_s, flag_set_cb, &timed_out);
  wake = g_timeout_add (WAKE_INTERVAL_MS, wake_cb, NULL);
  while (!(held = condition (data)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  if (!timed_out)
    g_source_remove (deadline);
  return held;
}

void
ui_test_result_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

void
ui_test_wait_result (GAsyncResult **result,
                     guint          timeout_s)
{
  g_assert_true (ui_test_wait_until (result_set, result, timeout_s));
}

AdwMessageDialog *
ui_test_find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Mapped, with a size, and for a resizable window the size last asked of
 * it: once its surface has the size GTK settled on, GTK writes that size
 * (the minimum, when it is larger than the one asked for) back into the
 * default size, so the two agree only then. */
static gboolean
at_asked_size (gpointer data)
{
  GtkWidget *widget = data;
  GtkWindow *window;
  GdkSurface *surface;
  int width, height;

  if (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) <= 0 ||
      gtk_widget_get_height (widget) <= 0)
    return FALSE;
  if (!GTK_IS_WINDOW (widget))
    return TRUE;
  window = GTK_WINDOW (widget);
  if (!gtk_window_get_resizable (window) || gtk_window_is_maximized (window) ||
      gtk_window_is_fullscreen (window))
    return TRUE;
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  gtk_window_get_default_size (window, &width, &height);
  return (width <= 0 || width == gdk_surface_get_width (surface)) &&
         (height <= 0 || height == gdk_surface_get_height (surface));
}

/* Whether a stack, revealer or squeezer shown in @widget is between two
 * children or states: GTK animates those by the clock, frame by frame. */
static gboolean
transition_running (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;
  if (GTK_IS_REVEALER (widget) &&
      gtk_revealer_get_reveal_child (GTK_REVEALER (widget)) !=
      gtk_revealer_get_child_revealed (GTK_REVEALER (widget)))
    return TRUE;
  if (ADW_IS_SQUEEZER (widget) && adw_squeezer_get_transition_running (ADW_SQUEEZER (widget)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (transition_running (child))
      return TRUE;
  return FALSE;
}

typedef struct {
  GtkWidget     *widget;
  gboolean       painted;
  /* For a screenshot: what the first frame drawn at the asked size, with
   * no transition under way, drew. */
  gboolean       capture;
  gint64         settle_until;  /* monotonic time; not captured before it */
  GskRenderNode *node;
  int            width;
  int            height;
} Frame;

/* The widget's render node as the frame just painted left it; %NULL when
 * nothing was drawn (the surface was not viewable yet) or something asked
 * for a redraw since. */
static GskRenderNode *
snapshot_widget (GtkWidget *widget,
                 int       *width,
                 int       *height)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

  *width = gtk_widget_get_width (widget);
  *height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), *width, *height);
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
frame_after_paint_cb (GdkFrameClock *clock,
                      Frame         *frame)
{
  frame->painted = TRUE;
  /* Right after the paint, before any other source can queue a redraw
   * (which drops the render node). */
  if (frame->capture && frame->node == NULL && at_asked_size (frame->widget) &&
      !transition_running (frame->widget) &&
      gdk_frame_clock_get_frame_time (clock) >= frame->settle_until)
    frame->node = snapshot_widget (frame->widget, &frame->width, &frame->height);
}

static void
run_frame (Frame *frame)
{
  g_autoptr(GdkFrameClock) clock = NULL;
  gboolean timed_out = FALSE;
  guint deadline;
  gulong handler;

  if (!ui_test_wait_until (widget_mapped, frame->widget, UI_TEST_TIMEOUT_S))
    g_error ("%s was not mapped within %u s", G_OBJECT_TYPE_NAME (frame->widget),
             UI_TEST_TIMEOUT_S);
  clock = g_object_ref (gtk_widget_get_frame_clock (frame->widget));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (frame_after_paint_cb), frame);
  deadline = g_timeout_add_seconds (UI_TEST_TIMEOUT_S, flag_set_cb, &timed_out);
  frame->painted = FALSE;
  gtk_widget_queue_draw (frame->widget);
  /* A whole cycle even if a draw was queued already and not yet done. */
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  while (!frame->painted && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  if (!timed_out)
    g_source_remove (deadline);
  if (!frame->painted)
    g_error ("No frame of %s was drawn within %u s", G_OBJECT_TYPE_NAME (frame->widget),
             UI_TEST_TIMEOUT_S);
}

void
ui_test_wait_for_frame (GtkWidget *widget)
{
  Frame frame = { .widget = widget };

  g_return_if_fail (GTK_IS_WIDGET (widget));

  run_frame (&frame);
}

void
ui_test_resize (GtkWindow *window,
                int        width,
                int        height)
{
  g_return_if_fail (GTK_IS_WINDOW (window));

  gtk_window_set_default_size (window, width, height);
  /* A window not shown yet opens at that size. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    return;
  if (!ui_test_wait_until (at_asked_size, window, UI_TEST_TIMEOUT_S))
    g_error ("%s did not reach %dx%d within %u s", G_OBJECT_TYPE_NAME (window), width, height,
             UI_TEST_TIMEOUT_S);
  ui_test_wait_for_frame (GTK_WIDGET (window));
}

char *
ui_test_save_screenshot (GtkWidget  *widget,
                         const char *dir,
                         const char *name)
{
  Frame frame = {
    .widget = widget, .capture = TRUE,
    .settle_until = g_get_monotonic_time () + SCREENSHOT_SETTLE_US,
  };
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  GskRenderer *renderer;
  char *path;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (dir == NULL)
    dir = g_getenv ("CW_SCREENSHOT_DIR");
  if (dir == NULL)
    return NULL;

  /* Generous: under load the X server may take long to map a window. */
  if (!ui_test_wait_until (at_asked_size, widget, UI_TEST_TIMEOUT_S))
    g_error ("%s: %s was not mapped at its size within %u s", name,
             G_OBJECT_TYPE_NAME (widget), UI_TEST_TIMEOUT_S);
  /* Frame by frame: a relayout or a model arriving after a paint asks for
   * another one, and a page or a banner may still be sliding in. */
  for (guint i = 0; frame.node == NULL && i < MAX_SCREENSHOT_FRAMES; i++)
    run_frame (&frame);
  if (frame.node == NULL)
    g_error ("%s: none of %u frames of %s drew it at its size with no transition under way",
             name, MAX_SCREENSHOT_FRAMES, G_OBJECT_TYPE_NAME (widget));
  node = g_steal_pointer (&frame.node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, frame.width, frame.height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_strdup_printf ("%s-%dx%d.png", name, frame.width, frame.height);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return path;
}
