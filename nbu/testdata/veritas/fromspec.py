#!/usr/bin/env python3
"""Builds one example response per endpoint from the Veritas OpenAPI specs.

Veritas gives a whole-response example only for /storage/robots-device-hosts;
for the other list endpoints the 200 response schema carries per-field
`example:` values. This script walks that schema and writes a document made of
those examples, so the decode tests read what the spec says a server sends:
  - a field with `example` gets it; else the first `enum` value; else
    "<field>-example" (strings), 7 (integers), 2.5 (numbers), true (booleans),
    2024-05-06T07:08:09.000Z (date-time); allOf parts are merged;
  - every array holds one element; a $ref into the same file is followed, one
    into a file the bundle lacks (common.yaml) gives an empty object;
  - a response-level `example` (robots-device-hosts) is copied as it is.
Usage: fromspec.py <specs dir> <out dir>   (specs dir = shared/docs/veritas)
"""
import json, os, sys, yaml

ENDPOINTS = [  # (release, file, path, output)
    ("11.0", "storage.yaml", "/storage/disk-pools", "disk_pools_13.0.json"),
    ("11.0", "storage.yaml", "/storage/drives", "drives_13.0.json"),
    ("10.3", "storage.yaml", "/storage/drives", "drives_10.0.json"),
    ("11.0", "storage.yaml", "/storage/tape-media", "tape_media_13.0.json"),
    ("10.5", "storage.yaml", "/storage/tape-volume-pools", "tape_volume_pools_12.0.json"),
    ("11.0", "storage.yaml", "/storage/tape-volume-pools", "tape_volume_pools_13.0.json"),
    ("11.0", "storage.yaml", "/storage/robots-device-hosts", "robots_device_hosts_13.0.json"),
    ("10.3", "config.yaml", "/config/media-servers", "media_servers_10.0.json"),
]


SPEC = {}


def example(schema, name):
    ref = schema.get("$ref", "")
    if ref.startswith("#/"):
        return example(resolve(ref), name)
    if ref:  # another file (common.yaml), not in the bundle: left empty
        return {}
    if "example" in schema:
        return schema["example"]
    if "allOf" in schema:
        out = {}
        for part in schema["allOf"]:
            out.update(example(part, name))
        return out
    if "enum" in schema:
        return schema["enum"][0]
    t = schema.get("type")
    if t == "object" or "properties" in schema:
        return {k: example(v, k) for k, v in schema.get("properties", {}).items()}
    if t == "array":
        return [example(schema.get("items", {}), name)]
    if t == "integer":
        return 7
    if t == "number":
        return 2.5
    if t == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2024-05-06T07:08:09.000Z"
    return name + "-example"


def resolve(ref):
    node = SPEC
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def main(specs, out):
    for rel, f, path, name in ENDPOINTS:
        spec = yaml.safe_load(open(os.path.join(specs, rel, f)))
        SPEC.clear()
        SPEC.update(spec)
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        body = next(iter(content.values()))
        doc = body["example"] if "example" in body else example(body["schema"], "")
        with open(os.path.join(out, name), "w") as fh:
            json.dump(doc, fh, indent=2, default=str)
            fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
