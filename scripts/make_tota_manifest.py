"""Write corpora/tota.jsonl: every English ToTA trade agreement, weakly labelled by its article headings.

    python scripts/make_tota_manifest.py [--shared ../shared/data] [-o corpora/tota.jsonl]

Only paths go into the manifest; the texts stay in ../shared.
"""

from __future__ import annotations

import argparse
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Agreements whose text makes an alliance promise after all: not weak negatives (their sentences would teach
# the heads that the promise is none), and not counted as false positives when one is drafted for them.
NOT_WEAK = {
    "pta_110": "the consolidated EU treaties: the mutual assistance clause (TEU Art. 42(7)) and the duty to "
    "consult on foreign and security policy (TEU Art. 32), which ATOP codes for the Lisbon phase (4175)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "corpora" / "tota.jsonl")
    args = parser.parse_args()
    folder = args.shared / "treaties" / "tota" / "xml"
    lines = []
    for path in sorted(folder.glob("*.xml"), key=lambda p: int(p.stem.split("_")[1])):
        meta = ET.parse(path).getroot().find("meta")
        if meta is None or (meta.findtext("language") or "").strip() != "en":
            continue
        rel = os.path.relpath(path, args.output.parent)
        line = {"id": f"tota-{path.stem}", "text": rel, "weak": path.stem not in NOT_WEAK}
        if path.stem in NOT_WEAK:
            line["note"] = NOT_WEAK[path.stem]
        lines.append(json.dumps(line))
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} treaties to {args.output}")


if __name__ == "__main__":
    main()
