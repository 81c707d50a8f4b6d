import sys

from hengelo_analysis.demo import generate

out = sys.argv[1] if len(sys.argv) > 1 else "data/raw/demo"
files = generate(out)
sys.stdout.write(f"wrote {len(files)} files under {out}\n")
