#!/usr/bin/env python3
"""Embeds every AMF3 crash input of test/amf/regressions/ (files named amf3-*) in
test/amf/Amf3Hostile.test.cpp, between the REGRESSIONS-BEGIN and REGRESSIONS-END markers, so
the unit tests replay them without knowing where the sources are. Run it after adding a file."""
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
folder = root / "test" / "amf" / "regressions"
test = root / "test" / "amf" / "Amf3Hostile.test.cpp"

lines = []
for path in sorted(folder.glob("amf3-*")):
    data = path.read_bytes()
    lines.append(f'    {{"{path.name}",')
    # 30 bytes per source line stays inside the 100 columns clang-format keeps.
    rows = [data[i:i + 30] for i in range(0, len(data), 30)] or [b""]
    for i, row in enumerate(rows):
        text = " ".join(f"{b:02X}" for b in row)
        end = "}," if i == len(rows) - 1 else ""
        lines.append(f'     "{text} "{end}')
source = test.read_text()
begin = source.index("// REGRESSIONS-BEGIN\n") + len("// REGRESSIONS-BEGIN\n")
end = source.index("    // REGRESSIONS-END")
source = source[:begin] + "".join(line + "\n" for line in lines) + source[end:]
test.write_text(source)
print(f"embedded {len(list(folder.glob('amf3-*')))} regressions")
