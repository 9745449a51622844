#!/usr/bin/env python3
"""Checks the Flatpak manifest, desktop file and metainfo offline against
the rules Flathub's linter applies, so that a submission does not fail on
them.

Usage: check-flatpak.py SOURCE_ROOT APP_ID PROJECT_VERSION
"""

import configparser
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

# What the app needs, and nothing more (docs/OPERATING.md, flatpak/README.md):
# the node over HTTPS, a display, GPU rendering. Secrets go through the
# secret portal, which needs no permission.
EXPECTED_FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
]
FORBIDDEN_FINISH_ARGS = re.compile(
    r'^--(filesystem=(home|host|host-os|host-etc)(:.*)?'
    r'|socket=(session-bus|system-bus|x11)'
    r'|device=all'
    r'|talk-name=org\.freedesktop\.(portal\..*|Flatpak|secrets)'
    r'|own-name=org\.freedesktop\..*)$')
METADATA_LICENSES = {'CC0-1.0', 'FSFAP', 'MIT', 'CC-BY-3.0', 'CC-BY-SA-3.0',
                     'CC-BY-4.0', 'CC-BY-SA-4.0', 'GFDL-1.1', 'GFDL-1.2',
                     'GFDL-1.3', 'BSL-1.0', '0BSD', 'MIT-0'}
SHA256 = re.compile(r'^[0-9a-f]{64}$')
RAW_SCREENSHOT = re.compile(r'^https://raw\.githubusercontent\.com/[^/]+/[^/]+/[^/]+/(.+\.png)$')


class Checker:
    def __init__(self):
        self.problems = []

    def expect(self, condition, message):
        if not condition:
            self.problems.append(message)
        return condition


def check_manifest(c, root, app_id):
    path = root / 'flatpak' / (app_id + '.json')
    if not c.expect(path.is_file(), f'{path} is missing'):
        return
    try:
        manifest = json.loads(path.read_text(encoding='utf-8'))
    except ValueError as e:
        c.expect(False, f'{path} is not valid JSON: {e}')
        return

    c.expect(manifest.get('id', manifest.get('app-id')) == app_id,
             f'manifest id is not {app_id}')
    c.expect(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is not org.gnome.Platform')
    c.expect(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is not org.gnome.Sdk')
    c.expect(isinstance(manifest.get('runtime-version'), str)
             and re.fullmatch(r'\d+', manifest.get('runtime-version', '')),
             'runtime-version must be a stable GNOME release such as "47", not master')
    c.expect(manifest.get('command') == 'consent-wallet', 'command is not consent-wallet')

    finish_args = manifest.get('finish-args', [])
    for arg in finish_args:
        c.expect(not FORBIDDEN_FINISH_ARGS.match(arg), f'finish-args: {arg} is not allowed')
    c.expect(sorted(finish_args) == sorted(EXPECTED_FINISH_ARGS),
             f'finish-args are {finish_args}, expected exactly {EXPECTED_FINISH_ARGS}')
    c.expect(len(finish_args) == len(set(finish_args)), 'finish-args has duplicates')

    modules = manifest.get('modules', [])
    if not c.expect(modules, 'manifest has no modules'):
        return
    for module in modules:
        if not c.expect(isinstance(module, dict), 'modules must be inline objects'):
            continue
        name = module.get('name', '?')
        for source in module.get('sources', []):
            kind = source.get('type')
            if kind in ('archive', 'file'):
                c.expect(source.get('url', '').startswith('https://'),
                         f'module {name}: source URL must be https')
                c.expect(SHA256.match(source.get('sha256', '')) is not None,
                         f'module {name}: archive needs a sha256')
            elif kind == 'git':
                c.expect('commit' in source, f'module {name}: git source needs a commit')
            elif kind == 'dir':
                c.expect(module is modules[-1], f'module {name}: only the app may be a local dir')
    app = modules[-1]
    c.expect(app.get('buildsystem') == 'meson', 'the app module must be built by meson')
    c.expect(app.get('run-tests') is True, 'the app module must have run-tests: true')
    c.expect(any(m.get('name') == 'libsodium' for m in modules if isinstance(m, dict)),
             'libsodium (not in the GNOME runtime) must be a bundled module')


def check_desktop(c, root, app_id):
    path = root / 'data' / (app_id + '.desktop.in')
    if not c.expect(path.is_file(), f'{path} is missing'):
        return
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(path, encoding='utf-8')
    entry = parser['Desktop Entry']
    c.expect(entry.get('Icon') == app_id, f'desktop Icon is not {app_id}')
    c.expect(entry.get('Exec', '').split()[0] == 'consent-wallet', 'desktop Exec is not consent-wallet')
    c.expect('x-scheme-handler/consentwallet;' in entry.get('MimeType', ''),
             'desktop MimeType lacks x-scheme-handler/consentwallet')
    if c.expect(entry.get('DBusActivatable') == 'true', 'desktop file is not DBusActivatable'):
        service = root / 'data' / (app_id + '.service.in')
        c.expect(service.is_file() and f'Name=@app_id@' in service.read_text(encoding='utf-8'),
                 'DBusActivatable=true needs data/<app id>.service.in naming the app ID')
    icon = root / 'data' / 'icons' / 'hicolor' / 'scalable' / 'apps' / (app_id + '.svg')
    c.expect(icon.is_file(), f'the scalable app icon {icon.name} is missing')
    symbolic = root / 'data' / 'icons' / 'hicolor' / 'symbolic' / 'apps' / (app_id + '-symbolic.svg')
    c.expect(symbolic.is_file(), f'the symbolic icon {symbolic.name} is missing')


def check_metainfo(c, root, app_id, version):
    path = root / 'data' / (app_id + '.metainfo.xml.in')
    if not c.expect(path.is_file(), f'{path} is missing'):
        return
    try:
        component = ET.parse(path).getroot()
    except ET.ParseError as e:
        c.expect(False, f'{path}: {e}')
        return

    def text(tag):
        node = component.find(tag)
        return (node.text or '').strip() if node is not None else ''

    c.expect(component.get('type') == 'desktop-application', 'component type is not desktop-application')
    c.expect(text('id') == app_id, f'metainfo id is not {app_id}')
    c.expect(text('name') != '', 'metainfo has no name')
    summary = text('summary')
    c.expect(0 < len(summary) <= 35 and not summary.endswith('.'),
             'summary must be 1 to 35 characters without a final period')
    c.expect(component.find('description') is not None, 'metainfo has no description')
    c.expect(text('metadata_license') in METADATA_LICENSES,
             f'metadata_license {text("metadata_license")!r} is not one Flathub accepts')
    c.expect(text('project_license') != '', 'metainfo has no project_license')

    launchable = component.find('launchable')
    c.expect(launchable is not None and launchable.get('type') == 'desktop-id'
             and (launchable.text or '').strip() == app_id + '.desktop',
             f'launchable must be desktop-id {app_id}.desktop')

    developer = component.find('developer')
    c.expect(developer is not None and developer.get('id') and developer.findtext('name'),
             'metainfo needs <developer id="..."><name>')
    c.expect(text('developer_name') != '', 'metainfo needs developer_name')

    urls = {u.get('type'): (u.text or '').strip() for u in component.findall('url')}
    for kind in ('homepage', 'bugtracker'):
        c.expect(urls.get(kind, '').startswith('https://'), f'metainfo needs an https {kind} URL')

    rating = component.find('content_rating')
    c.expect(rating is not None and rating.get('type') == 'oars-1.1',
             'metainfo needs <content_rating type="oars-1.1">')

    releases = component.findall('releases/release')
    if c.expect(releases, 'metainfo has no releases'):
        c.expect(all(r.get('version') and re.fullmatch(r'\d{4}-\d{2}-\d{2}', r.get('date', ''))
                     for r in releases), 'every release needs a version and a YYYY-MM-DD date')
        c.expect(releases[0].get('version') == version,
                 f'the newest release is {releases[0].get("version")}, the project is {version}')

    screenshots = component.findall('screenshots/screenshot')
    c.expect(len(screenshots) >= 3, 'metainfo needs at least three screenshots')
    c.expect(sum(1 for s in screenshots if s.get('type') == 'default') == 1,
             'exactly one screenshot must be the default')
    for shot in screenshots:
        image = (shot.findtext('image') or '').strip()
        c.expect(image.startswith('https://') and image.endswith('.png'),
                 f'screenshot {image!r} must be an https PNG URL')
        c.expect((shot.findtext('caption') or '').strip() != '', f'screenshot {image} has no caption')
        match = RAW_SCREENSHOT.match(image)
        if match:
            c.expect((root / match.group(1)).is_file(),
                     f'screenshot {image} points at {match.group(1)}, which is not in the tree')


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    root, app_id, version = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    c = Checker()
    check_manifest(c, root, app_id)
    check_desktop(c, root, app_id)
    check_metainfo(c, root, app_id, version)
    for problem in c.problems:
        print(problem)
    if c.problems:
        print(f'{len(c.problems)} problem(s)')
        return 1
    print('manifest, desktop file and metainfo pass the offline Flathub checks')
    return 0


if __name__ == '__main__':
    sys.exit(main())
