/* ui-test-util.h: what every UI test shares: its set-up, turning the main
 * loop until something happened (a condition, an async result, a drawn
 * frame), resizing a window and screenshots of what was drawn (see the .c
 * file). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The safety deadline of the waits below, in seconds: reached only when
 * something is broken, never as a way to let time pass. */
#define UI_TEST_TIMEOUT_S 60

typedef gboolean (*UiTestCondition) (gpointer data);

/* gtk_test_init() and adw_init(), then what the app has on a desktop: its
 * style sheet and GNOME's window controls. */
void              ui_test_init                (int              *argc,
                                               char           ***argv);

/* Turns the main loop for @ms milliseconds, blocking between events. Only
 * for letting idle work (a destroyed window's clean-up) run; wait for what
 * a test checks with ui_test_wait_until() instead. */
void              ui_test_iterate_for         (guint             ms);

/* Turns the main loop until @condition (@data) holds, for at most
 * @timeout_s seconds; whether it held. */
gboolean          ui_test_wait_until          (UiTestCondition   condition,
                                               gpointer          data,
                                               guint             timeout_s);

/* A GAsyncReadyCallback that keeps a reference to the result in the
 * GAsyncResult * that @user_data points to. */
void              ui_test_result_cb           (GObject          *source,
                                               GAsyncResult     *result,
                                               gpointer          user_data);

/* Turns the main loop until ui_test_result_cb() has set *@result, for at
 * most @timeout_s seconds; fails the test when it has not. */
void              ui_test_wait_result         (GAsyncResult    **result,
                                               guint             timeout_s);

/* The message dialog on screen, if there is one. */
AdwMessageDialog *ui_test_find_message_dialog (void);

/* Waits until @widget is mapped, queues a draw and turns the main loop
 * until its frame clock has painted that frame ("after-paint"). Aborts the
 * test when no frame comes within UI_TEST_TIMEOUT_S. */
void              ui_test_wait_for_frame      (GtkWidget        *widget);

/* Sets @window's default size and waits until the window has the size
 * GTK settled on (the one asked for, or its minimum if that is larger) and
 * a frame is drawn at it. */
void              ui_test_resize              (GtkWindow        *window,
                                               int               width,
                                               int               height);

/* Saves what @widget (a window or a dialog) shows to
 * "<dir>/<name>-<width>x<height>.png" and returns that path. It waits for
 * the widget to be mapped, for a window to reach the size last asked of
 * it, and for a frame drawn with no stack or revealer transition under
 * way, whose render node it saves. @dir %NULL means $CW_SCREENSHOT_DIR;
 * when that is unset too, nothing is saved and %NULL returned. */
char             *ui_test_save_screenshot     (GtkWidget        *widget,
                                               const char       *dir,
                                               const char       *name);

G_END_DECLS
