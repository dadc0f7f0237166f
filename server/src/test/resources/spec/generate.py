#!/usr/bin/env python3
"""Writes endpoints.tsv, every endpoint of the Matrix specification's OpenAPI files, for
SpecRoutesIT. Run from the repository root with the path of the spec's data/api folder:

    python3 server/src/test/resources/spec/generate.py ../shared/spec/data/api
"""
import glob
import os
import sys

import yaml

api = sys.argv[1]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "endpoints.tsv")
rows = []
for api_name in ("client-server", "server-server"):
    for path in sorted(glob.glob(os.path.join(api, api_name, "*.yaml"))):
        doc = yaml.safe_load(open(path))
        if not doc or "paths" not in doc:
            continue
        base = ""
        for server in doc.get("servers", []):
            base = server.get("variables", {}).get("basePath", {}).get("default", "")
        for endpoint, operations in doc["paths"].items():
            for method in ("get", "put", "post", "delete"):
                if method in operations:
                    deprecated = "deprecated" if operations[method].get("deprecated") else ""
                    rows.append((f"{api_name}/{os.path.basename(path)}", method.upper(), (base + endpoint).strip(),
                                 deprecated))
with open(out, "w") as f:
    f.write("# spec file\tmethod\tpath\tdeprecated (written by generate.py from the Matrix spec's data/api)\n")
    for row in rows:
        f.write("\t".join(row) + "\n")
print(f"{len(rows)} endpoints -> {out}")
