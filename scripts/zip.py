#!/usr/bin/env python3
"""Zip a directory reproducibly: the same tree gives the same bytes on any machine.

Entries are the files under DIR, relative to it (the manifest at the root, as Chrome and
Firefox expect), in sorted order, with a fixed timestamp and fixed permissions.

Usage: zip.py DIR OUT.zip
"""

import os
import sys
import zipfile

# The earliest date a zip entry can carry; any fixed date would do.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def files_under(root: str) -> list[str]:
    found = []
    for parent, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            full = os.path.join(parent, name)
            found.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(found)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root, out = sys.argv[1], sys.argv[2]
    if not os.path.isdir(root):
        print(f"zip.py: {root} is not a directory", file=sys.stderr)
        return 1
    partial = out + ".partial"
    with zipfile.ZipFile(partial, "w") as archive:
        for name in files_under(root):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permission bits below are read
            info.external_attr = (0o100644 & 0xFFFF) << 16
            with open(os.path.join(root, name), "rb") as f:
                archive.writestr(info, f.read(), compresslevel=9)
    os.replace(partial, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
