#!/usr/bin/env python3
"""Fails when a source or .ui file with translatable strings is missing from
po/POTFILES.in, or when POTFILES.in names a file that does not exist.

Usage: check-potfiles.py SOURCE_ROOT
"""

import pathlib
import re
import sys

SCANNED_DIRS = ('core', 'node', 'ui', 'app')

# The GLib preset's keywords, as written in this project's C style (a space
# before the parenthesis is allowed).
C_MARKERS = re.compile(r'(?<![\w])(?:_|N_|C_|NC_|Q_|ngettext|g_dngettext|'
                       r'g_dgettext|g_dpgettext2|g_dcgettext)\s*\(')
UI_MARKER = re.compile(r'translatable\s*=\s*["\'](?:yes|true|1)["\']')


def strip_c_comments(text):
    """Removes comments but keeps string and character literals, so that a
    marker mentioned in a comment does not count."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            end = text.find('*/', i + 2)
            i = n if end < 0 else end + 2
        elif text.startswith('//', i):
            end = text.find('\n', i)
            i = n if end < 0 else end
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def has_translatable_strings(path):
    text = path.read_text(encoding='utf-8', errors='replace')
    if path.suffix == '.ui':
        return UI_MARKER.search(text) is not None
    return C_MARKERS.search(strip_c_comments(text)) is not None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    potfiles = root / 'po' / 'POTFILES.in'
    listed = set()
    for line in potfiles.read_text(encoding='utf-8').splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            listed.add(line)

    problems = []
    for name in sorted(listed):
        if not (root / name).is_file():
            problems.append(f'po/POTFILES.in names {name}, which does not exist')

    for folder in SCANNED_DIRS:
        for path in sorted((root / folder).rglob('*')):
            if path.suffix not in ('.c', '.h', '.ui') or not path.is_file():
                continue
            name = path.relative_to(root).as_posix()
            if has_translatable_strings(path) and name not in listed:
                problems.append(f'{name} has translatable strings but is not in po/POTFILES.in')

    for problem in problems:
        print(problem)
    if problems:
        print(f'{len(problems)} problem(s); fix po/POTFILES.in')
        return 1
    print(f'po/POTFILES.in lists all {len(listed)} files with translatable strings')
    return 0


if __name__ == '__main__':
    sys.exit(main())
