#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets, made from the committed vectors (run by `make fuzz`).

Writes fuzz/.corpus/<target>/ (git-ignored; libFuzzer adds what it finds there).
"""
import base64
import glob
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
V = os.path.join(HERE, "..", "vectors")
OUT = os.path.join(HERE, ".corpus")


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def load(path):
    with open(os.path.join(V, path), encoding="utf-8") as f:
        return json.load(f)


for c in load("alipay/notifications.json")["cases"]:
    put("form", c["body"])
    put("notify", c["body"])
for c in load("alipay/content.json")["forms"]:
    put("form", c["body"])
    put("notify", c["body"])
for r in load("responses/responses.json")["responses"]:
    put("json-response" if r["format"] == "json" else "xml-response", base64.b64decode(r["body_b64"]))
for path in glob.glob(os.path.join(V, "alipay", "keys", "*")):
    put("key", open(path, "rb").read())
for path in glob.glob(os.path.join(V, "certificates", "**", "*.*"), recursive=True):
    if path.endswith((".pem", ".crt")):
        put("cert-bundle", open(path, "rb").read())
for path in glob.glob(os.path.join(V, "captures", "*.har")):
    put("har", open(path, "rb").read())
    # One entry a HAR as well: small inputs run many times faster, and reach the same parsing.
    har = json.load(open(path, encoding="utf-8"))
    for entry in har["log"]["entries"]:
        put("har", json.dumps({"log": dict(har["log"], entries=[entry])}, ensure_ascii=False))
lines = open(os.path.join(V, "captures", "capture.jsonl"), "rb").read()
put("jsonl", lines)
for line in lines.splitlines():
    put("jsonl", line + b"\n")
for r in load("v3/v3.json")["requests"]:
    put("v3-auth", r["authorization"])
for c in load("requests/requests.json")["cases"]:
    if "input" in c:
        put("html-form" if c["shape"] == "html-form" else "order-string", c["input"])
    else:
        put("multipart", c["content_type"].encode() + b"\n" + base64.b64decode(c["input_base64"]))
for c in load("multipart/multipart.json")["cases"]:
    put("multipart", c["content_type"].encode() + b"\n" + base64.b64decode(c["body"]))
for c in load("open-data/open-data.json")["cases"]:
    put("open-data", c["input"])
for c in load("rotation/downloads.json")["cases"]:
    put("download", c["response"])
# Inputs of crashes found and fixed: kept as seeds so that they are run first, every time.
for path in glob.glob(os.path.join(HERE, "regressions", "*", "*")):
    put(os.path.basename(os.path.dirname(path)), open(path, "rb").read())
print("seeds in", OUT, {t: len(os.listdir(os.path.join(OUT, t))) for t in sorted(os.listdir(OUT))})
