#!/usr/bin/env python3
"""Checks one of the node's systemd units: `systemd-analyze verify` must
accept it without a warning, the hardening the docs promise must be there,
and `systemd-analyze security --offline` must rate it at most 2.0 ("OK").
Skips (exit 77) where systemd-analyze is not installed.

Usage: check-systemd-unit.py UNIT_FILE SYSTEMD_ANALYZE
"""

import pathlib
import re
import subprocess
import sys

REQUIRED = [
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    'SystemCallFilter=@system-service',
    'MemoryDenyWriteExecute=yes',
    'UMask=0077',
]
MAX_EXPOSURE = 2.0


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    unit, analyze = pathlib.Path(sys.argv[1]), sys.argv[2]
    if not analyze:
        print('systemd-analyze is not installed: skipped')
        return 77

    problems = []
    lines = [l.strip() for l in unit.read_text(encoding='utf-8').splitlines()]
    for directive in REQUIRED:
        if directive not in lines:
            problems.append(f'{unit.name}: missing {directive}')
    if not any(re.fullmatch(r'StateDirectory=consent-node(-witness)?', l) for l in lines):
        problems.append(f'{unit.name}: missing StateDirectory=')

    verify = subprocess.run([analyze, 'verify', '--man=no', str(unit)],
                            capture_output=True, text=True)
    output = (verify.stdout + verify.stderr).strip()
    # Messages about other units (for example a container's own ones) are
    # not ours to fix; anything naming this unit is.
    ours = [l for l in output.splitlines() if unit.name in l or str(unit) in l]
    if verify.returncode != 0 or ours:
        problems.append(f'systemd-analyze verify {unit.name} (exit {verify.returncode}):\n{output}')

    security = subprocess.run([analyze, 'security', '--offline=true', '--no-pager', str(unit)],
                              capture_output=True, text=True)
    match = re.search(r'Overall exposure level for \S+: ([0-9.]+)', security.stdout + security.stderr)
    if match is None:
        print(f'systemd-analyze security gave no rating:\n{security.stdout}{security.stderr}')
    else:
        exposure = float(match.group(1))
        print(f'{unit.name}: exposure {exposure}')
        if exposure > MAX_EXPOSURE:
            problems.append(f'{unit.name}: exposure {exposure} is above {MAX_EXPOSURE}')

    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f'{unit.name} verifies')
    return 0


if __name__ == '__main__':
    sys.exit(main())
