#!/usr/bin/env python3
"""Lists every public symbol of a module that has no documentation comment, from the symbol graph that
`swift package generate-documentation` extracts (or `swift package dump-symbol-graph`). Exit 1 when one is found.

A symbol counts as documented when it has a doc comment of its own, or when it implements a protocol requirement or
overrides a member that is documented elsewhere (DocC shows the inherited text). Enum cases count too. A function,
method or initialiser must also have `- Parameters:` (or `- Parameter x:`) when it takes any, `- Returns:` when it
returns a value, and `- Throws:` when it throws.

Usage: scripts/doc-coverage.py PATH/TO/AlipaySign.symbols.json
"""
import json
import sys


FUNCTIONS = {"swift.func", "swift.method", "swift.type.method", "swift.init", "swift.func.op", "swift.subscript"}


def main(path):
    with open(path) as f:
        graph = json.load(f)
    # Symbols that conform to a requirement or are default implementations: DocC inherits their text.
    inherited = set()
    for rel in graph.get("relationships", []):
        if rel.get("kind") in ("requirementOf", "defaultImplementationOf", "overrides") or "sourceOrigin" in rel:
            inherited.add(rel["source"])
    missing = []
    for symbol in graph["symbols"]:
        if symbol.get("accessLevel") not in ("public", "open"):
            continue
        if symbol.get("spi"):
            continue
        if symbol["identifier"]["precise"] in inherited:
            continue
        comment = "\n".join(line.get("text", "") for line in symbol.get("docComment", {}).get("lines", []))
        lacks = []
        if not comment.strip():
            lacks.append("documentation")
        elif symbol["kind"]["identifier"] in FUNCTIONS:
            signature = symbol.get("functionSignature", {})
            fragments = "".join(f.get("spelling", "") for f in symbol.get("declarationFragments", []))
            if signature.get("parameters") and "- Parameter" not in comment:
                lacks.append("- Parameters")
            returns = "".join(f.get("spelling", "") for f in signature.get("returns", [])).strip()
            if returns not in ("", "()", "Void") and symbol["kind"]["identifier"] != "swift.init" and "- Returns" not in comment:
                lacks.append("- Returns")
            if " throws" in fragments and "- Throws" not in comment:
                lacks.append("- Throws")
        if not lacks:
            continue
        name = ".".join(symbol.get("pathComponents", [])) or symbol["names"]["title"]
        location = symbol.get("location", {})
        where = location.get("uri", "").split("/Sources/")[-1]
        line = location.get("position", {}).get("line", 0) + 1
        missing.append(f"{where}:{line}: {symbol['kind']['displayName'].lower()} {name}: no {', '.join(lacks)}")
    for m in sorted(missing):
        print(m)
    total = sum(1 for s in graph["symbols"] if s.get("accessLevel") in ("public", "open") and not s.get("spi"))
    print(f"{total - len(missing)} of {total} public symbols documented", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
