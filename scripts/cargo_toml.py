#!/usr/bin/env python3
"""Print one value from Cargo.toml for build.sh, so the crate stays the one source of versions.

Usage: cargo_toml.py version | wasm-bindgen | wasm-opt-args [path/to/Cargo.toml]
"""

import sys
import tomllib


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    what = sys.argv[1]
    path = sys.argv[2] if len(sys.argv) == 3 else "Cargo.toml"
    with open(path, "rb") as f:
        cargo = tomllib.load(f)

    if what == "version":
        print(cargo["package"]["version"])
    elif what == "wasm-bindgen":
        spec = cargo["dependencies"]["wasm-bindgen"]
        requirement = spec if isinstance(spec, str) else spec.get("version", "")
        # Only an exact pin guarantees that the CLI and the library agree on the ABI.
        if not requirement.startswith("="):
            print(f"{path}: wasm-bindgen must be pinned exactly (\"=X.Y.Z\"), found {requirement!r}",
                  file=sys.stderr)
            return 1
        print(requirement[1:].strip())
    elif what == "wasm-opt-args":
        profile = (cargo.get("package", {}).get("metadata", {}).get("wasm-pack", {})
                   .get("profile", {}).get("release", {}))
        args = profile.get("wasm-opt", ["-Oz"])
        print(" ".join(args if isinstance(args, list) else ["-Oz"]))
    else:
        print(f"unknown key {what!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
