"""``python -m hengelo_analysis.demo [out]``: write the synthetic demo raw tree."""

import sys

from hengelo_analysis.demo import generate


def main(argv: list[str]) -> None:
    out = argv[1] if len(argv) > 1 else "data/raw/demo"
    files = generate(out)
    sys.stdout.write(f"wrote {len(files)} files under {out}\n")


# Guarded: a tool that imports every module of the package (pkgutil) must not write a tree.
if __name__ == "__main__":
    main(sys.argv)
