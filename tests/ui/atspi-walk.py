#!/usr/bin/python3
# atspi-walk.py: what a screen reader sees of the running consent-wallet
# (process PID, the first argument): every page of the window and the grant
# dialog are walked through AT-SPI, and any push button, toggle, check box,
# entry or list item without an accessible name is reported. Then one grant
# is revoked only through AT-SPI actions: the row's revoke button, then
# Revoke in the confirmation. Run by test-atspi.c; prints TAP.
import sys
import time

import pyatspi

PID = int(sys.argv[1])
# "onboarding": the app runs on an empty wallet; only its welcome page is
# walked (the onboarding is built only for a wallet that needs it).
MODE = sys.argv[2] if len(sys.argv) > 2 else "wallet"

NAMED_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON: "push button",
    pyatspi.ROLE_TOGGLE_BUTTON: "toggle button",
    pyatspi.ROLE_PAGE_TAB: "page tab",
    pyatspi.ROLE_CHECK_BOX: "check box",
    pyatspi.ROLE_RADIO_BUTTON: "radio button",
    pyatspi.ROLE_ENTRY: "entry",
    pyatspi.ROLE_PASSWORD_TEXT: "password entry",
    pyatspi.ROLE_LIST_ITEM: "list item",
}

n_tests = 0
failed = False


def tap(ok, what, notes=()):
    global n_tests, failed
    n_tests += 1
    failed = failed or not ok
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n_tests, what))
    for note in notes:
        print("# " + note)
    sys.stdout.flush()


def wait_for(find, seconds=60):
    """Polls @find until it returns something; None when it never does."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found = find()
        except Exception:  # objects come and go while the app changes
            found = None
        if found:
            return found
        time.sleep(0.2)
    return None


def find_app():
    for app in pyatspi.Registry.getDesktop(0):
        if app is not None and app.get_process_id() == PID:
            return app
    return None


def walk(node, path=""):
    """Yields (object, path) for @node and everything below it."""
    try:
        role = node.getRoleName()
        children = list(node)
    except Exception:
        return
    here = "%s/%s[%s]" % (path, role, node.name or "")
    yield node, here
    for child in children:
        if child is not None:
            yield from walk(child, here)


def showing(node):
    """For windows: on screen."""
    try:
        return node.getState().contains(pyatspi.STATE_SHOWING)
    except Exception:
        return False


def visible(node):
    """For controls: GTK 4.8 marks only windows as showing, so controls
    count when visible, also on the pages of a stack not in front."""
    try:
        return node.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def has_name(node):
    """GTK 4.8 names an unlabelled widget after its type ("GtkButton"):
    that is no name to a listener."""
    name = (node.name or "").strip()
    return name != "" and not (name.startswith(("Gtk", "Adw")) and " " not in name)


def name_matches(node, wanted):
    return (node.name or "") == wanted


def read_twice(name):
    """GTK 4.8 names a button with a mnemonic "_Revoke Revoke" unless the
    app drops its accessible label (ui/cw-mnemonic-names.c)."""
    words = name.split()
    half = len(words) // 2
    return (any(w.startswith("_") and len(w) > 1 for w in words) or
            (len(words) % 2 == 0 and half > 0 and words[:half] == words[half:]))


def unnamed(root):
    """Paths of visible controls that have no accessible name, or one read
    twice, also on
    the pages of a stack not in front. The button GTK puts inside a named
    drop-down is the drop-down's."""
    found = []
    for node, path in walk(root):
        if node.getRole() not in NAMED_ROLES or not visible(node):
            continue
        if has_name(node):
            if read_twice(node.name):
                found.append("%s read twice: %s" % (NAMED_ROLES[node.getRole()], path))
            continue
        parent = node.parent
        if parent is not None and parent.getRole() == pyatspi.ROLE_COMBO_BOX and has_name(parent):
            continue
        found.append("%s without a name: %s" % (NAMED_ROLES[node.getRole()], path))
    return found


def find(root, role, name=None, prefix=None):
    for node, _ in walk(root):
        if node.getRole() != role or not visible(node):
            continue
        if name is not None and not name_matches(node, name):
            continue
        if prefix is not None and not (node.name or "").startswith(prefix):
            continue
        return node
    return None


def click(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ("click", "press", "activate"):
            return action.doAction(i)
    return action.doAction(0)


def main_window(app):
    for window in app:
        if window is not None and find(window, pyatspi.ROLE_PAGE_TAB, name="Access"):
            return window
    return None


app = wait_for(find_app)
tap(app is not None, "the app is on the accessibility bus")
if app is None:
    print("1..%d" % n_tests)
    sys.exit(1)

if MODE == "onboarding":
    welcome = wait_for(lambda: next((w for w in app if w is not None and
                                     find(w, pyatspi.ROLE_PUSH_BUTTON,
                                          name="I Already Have a Wallet")), None))
    tap(welcome is not None, "an empty wallet opens on the welcome page")
    if welcome is not None:
        problems = unnamed(welcome)
        tap(not problems, "onboarding: every control has a name", problems)
    print("1..%d" % n_tests)
    sys.exit(1 if failed else 0)

window = wait_for(lambda: main_window(app))
tap(window is not None, "the main window shows its view switcher",
    [] if window is not None else [path for _, path in walk(app)][:150])

# Each page, as a person switches to it.
for page, ready_role, ready_prefix in (
        ("Access", pyatspi.ROLE_PUSH_BUTTON, "Revoke access for "),
        ("Requests", pyatspi.ROLE_LIST_ITEM, None),
        ("Activity", pyatspi.ROLE_LIST_ITEM, None)):
    switch = window and find(window, pyatspi.ROLE_PAGE_TAB, name=page)
    if switch is None:
        tap(False, "page %s: its switcher button" % page)
        continue
    click(switch)
    ready = wait_for(lambda: find(window, ready_role, prefix=ready_prefix))
    tap(ready is not None, "page %s shows its content" % page)
    problems = unnamed(window)
    tap(not problems, "page %s: every control has a name" % page, problems)

# The grant dialog, opened with the header bar's button.
give = window and find(window, pyatspi.ROLE_PUSH_BUTTON, name="Give access")
tap(give is not None, "the Give Access button is found by its name")
if give is not None:
    click(give)
    dialog = wait_for(lambda: next((w for w in app if w is not None and w != window
                                    and showing(w)), None))
    tap(dialog is not None, "the grant dialog opens")
    if dialog is not None:
        wait_for(lambda: find(dialog, pyatspi.ROLE_ENTRY) or find(dialog, pyatspi.ROLE_LIST_ITEM))
        problems = unnamed(dialog)
        tap(not problems, "grant dialog: every control has a name", problems)
        close = find(dialog, pyatspi.ROLE_PUSH_BUTTON, name="Cancel") or \
            find(dialog, pyatspi.ROLE_PUSH_BUTTON, name="Close")
        if close is not None:
            click(close)
        wait_for(lambda: not showing(dialog), 20)

# One revoke, only through AT-SPI actions.
access = find(window, pyatspi.ROLE_PAGE_TAB, name="Access")
click(access)
revoke = wait_for(lambda: find(window, pyatspi.ROLE_PUSH_BUTTON, prefix="Revoke access for "))
tap(revoke is not None, "a row's revoke button is found by its name")
if revoke is not None:
    name = revoke.name
    click(revoke)
    confirm = wait_for(lambda: next((w for w in app if w is not None
                                     and find(w, pyatspi.ROLE_PUSH_BUTTON, name="Revoke")), None))
    tap(confirm is not None, "the confirmation names its Revoke button",
        [] if confirm is not None else
        ["window %s: %s" % (w.name, [n.name for n, _ in walk(w)
                                     if n.getRole() == pyatspi.ROLE_PUSH_BUTTON])
         for w in app if w is not None])
    if confirm is not None:
        problems = unnamed(confirm)
        tap(not problems, "confirmation: every control has a name", problems)
        click(find(confirm, pyatspi.ROLE_PUSH_BUTTON, name="Revoke"))
        gone = wait_for(lambda: find(window, pyatspi.ROLE_PUSH_BUTTON, name=name) is None, 120)
        tap(bool(gone), "the revoked grant leaves the Access page")

print("1..%d" % n_tests)
sys.exit(1 if failed else 0)
