#!/usr/bin/env python3
"""Generates the project's own Alipay vectors with independent implementations.

Expected values come from Python `cryptography` (RSA PKCS#1 v1.5, SHA-256/SHA-1), the JDK's
`String.getBytes(charset)` (the bytes Alipay's Java gateway signs; JavaBytes.java, cross-checked against Python's
codecs wherever Python can encode the text) and urllib.parse (form encoding), following the rules of docs/PROTOCOL.md §1-2 as
written in this file. Nothing here calls or reads the Swift code.

Keys under keys/ are made for tests only. They are generated once and reused, so that the committed vectors do
not change on every run; `--new-keys` makes new ones (and so new vectors).

Run: python3 vectors/alipay/generate.py   (needs `pip install cryptography` and a JDK 11+ `java`; the Debian `openssl` binary
makes the 512-bit key, which `cryptography` refuses to generate.)
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.parse
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
Enc = serialization.Encoding
PF = serialization.PrivateFormat
PubF = serialization.PublicFormat


def write(name, data):
    with open(os.path.join(KEYS, name), "wb") as f:
        f.write(data)


def load_or_make(name, bits):
    path = os.path.join(KEYS, name + "-pkcs8.pem")
    if os.path.exists(path) and "--new-keys" not in sys.argv:
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def wrap(b64, width, eol):
    return eol.join(b64[i:i + width] for i in range(0, len(b64), width)) + eol


# --- keys in every format people paste -------------------------------------------------------------------------
def key_files(name, key):
    """Writes `key` in every format; returns the index entries {file: facts}."""
    pub = key.public_key()
    spki = pub.public_bytes(Enc.DER, PubF.SubjectPublicKeyInfo)
    fingerprint = "sha256:" + hashlib.sha256(spki).hexdigest()
    bits = key.key_size
    p1 = key.private_bytes(Enc.DER, PF.TraditionalOpenSSL, serialization.NoEncryption())
    p8 = key.private_bytes(Enc.DER, PF.PKCS8, serialization.NoEncryption())
    pub1 = pub.public_bytes(Enc.DER, PubF.PKCS1)
    files = {
        f"{name}-pkcs1.pem": (key.private_bytes(Enc.PEM, PF.TraditionalOpenSSL, serialization.NoEncryption()),
                              "private", "PKCS#1", "PEM (RSA PRIVATE KEY)"),
        f"{name}-pkcs8.pem": (key.private_bytes(Enc.PEM, PF.PKCS8, serialization.NoEncryption()),
                              "private", "PKCS#8", "PEM (PRIVATE KEY)"),
        f"{name}-pkcs1.der": (p1, "private", "PKCS#1", "DER"),
        f"{name}-pkcs8.der": (p8, "private", "PKCS#8", "DER"),
        # The form Alipay's key tool gives: one line of base64, no armour.
        f"{name}-pkcs1.b64": (base64.b64encode(p1), "private", "PKCS#1", "bare base64"),
        f"{name}-pkcs8.b64": (base64.b64encode(p8), "private", "PKCS#8", "bare base64"),
        # Copy-paste damage: CRLF line ends at an odd width, no armour.
        f"{name}-pkcs8-crlf76.b64": (wrap(base64.b64encode(p8).decode(), 76, "\r\n").encode(),
                                     "private", "PKCS#8", "bare base64"),
        f"{name}-spki.pem": (pub.public_bytes(Enc.PEM, PubF.SubjectPublicKeyInfo), "public", "SPKI", "PEM (PUBLIC KEY)"),
        f"{name}-spki.der": (spki, "public", "SPKI", "DER"),
        f"{name}-spki.b64": (base64.b64encode(spki), "public", "SPKI", "bare base64"),
        f"{name}-pkcs1-public.pem": (pub.public_bytes(Enc.PEM, PubF.PKCS1), "public", "PKCS#1 public",
                                     "PEM (RSA PUBLIC KEY)"),
        f"{name}-pkcs1-public.b64": (base64.b64encode(pub1), "public", "PKCS#1 public", "bare base64"),
    }
    index = {}
    for file, (data, kind, fmt, encoding) in files.items():
        write(file, data)
        index[file] = {"kind": kind, "format": fmt, "encoding": encoding, "bits": bits, "fingerprint": fingerprint}
    return index


def self_signed_cert(name, key):
    path = os.path.join(KEYS, f"{name}-cert.pem")
    if os.path.exists(path) and "--new-keys" not in sys.argv:
        with open(path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        if cert.public_key().public_numbers() == key.public_key().public_numbers():
            return cert
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"AlipaySign test {name} (tests only)"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "AlipaySign"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")])
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(0x2020051862039D4090897BA4D51C2126).not_valid_before(now)
            .not_valid_after(now + timedelta(days=3650)).sign(key, hashes.SHA256()))
    write(f"{name}-cert.pem", cert.public_bytes(Enc.PEM))
    return cert


# --- canonical content: Java AlipaySignature.getSignContent (docs/PROTOCOL.md §1.1) -----------------------------------
JAVA_WHITESPACE = set(range(0x09, 0x0E)) | set(range(0x1C, 0x20)) | {0x20, 0x1680, 0x2028, 0x2029, 0x205F, 0x3000} \
    | (set(range(0x2000, 0x200B)) - {0x2007})


def java_empty(v):
    units = v.encode("utf-16-le")
    return all(int.from_bytes(units[i:i + 2], "little") in JAVA_WHITESPACE for i in range(0, len(units), 2))


def java_key(k):
    return k.encode("utf-16-be")  # Java String.compareTo: UTF-16 code units


def content(params, mode):
    drop = {"request": {"sign"}, "notify-v1": {"sign", "sign_type", "alipay_cert_sn"},
            "notify-v2": {"sign", "alipay_cert_sn"}}[mode]
    keys = sorted((k for k in params if k not in drop and k and not java_empty(params[k])), key=java_key)
    return "&".join(f"{k}={params[k]}" for k in keys)


def sign(key, text, charset, sign_type):
    h = hashes.SHA256() if sign_type == "RSA2" else hashes.SHA1()
    return base64.b64encode(key.sign(java_bytes(text, charset), padding.PKCS1v15(), h)).decode()


def verifies(pub, sig, data, sign_type):
    h = hashes.SHA256() if sign_type == "RSA2" else hashes.SHA1()
    try:
        pub.verify(base64.b64decode(sig), data, padding.PKCS1v15(), h)
        return True
    except Exception:
        return False


PY_CODEC = {"UTF-8": "utf-8", "GBK": "gbk", "GB18030": "gb18030"}
_JAVA_CACHE = {}


def java_bytes(text, charset):
    """The bytes Java's String.getBytes(charset) gives: the reference (Alipay's gateway is Java).

    Python's codecs are the cross-check: where Python can encode the text, both must agree; Python's "gbk" cannot
    encode U+20AC, which Java's GBK writes as A2 E3 (glibc's GBK writes 80 instead)."""
    if (text, charset) not in _JAVA_CACHE:
        out = subprocess.run(["java", os.path.join(HERE, "JavaBytes.java"), charset], input=text.replace("\n", "\\n"),
                             capture_output=True, text=True, check=True).stdout.strip()
        if out == "UNMAPPABLE":
            raise ValueError(f"{charset} cannot encode {text!r} in Java")
        data = bytes.fromhex(out)
        try:
            assert text.encode(PY_CODEC[charset]) == data, (text, charset)
        except UnicodeEncodeError:
            pass
        _JAVA_CACHE[(text, charset)] = data
    return _JAVA_CACHE[(text, charset)]

BIZ = '{"out_trade_no":"20150320010101001","total_amount":"88.88","subject":"Iphone6 16G","note":"a&b=c d"}'
REQUEST = {
    "app_id": "2014072300007148", "method": "alipay.trade.pay", "format": "JSON", "charset": "utf-8",
    "sign_type": "RSA2", "timestamp": "2014-07-24 03:07:50", "version": "1.0", "biz_content": BIZ,
    "notify_url": "https://example.com/notify?x=1&y=2", "app_auth_token": "",
}

CONTENT_CASES = [
    ("typical request", REQUEST, "request"),
    ("sign is left out of a request, sign_type is kept", dict(REQUEST, sign="ABC=="), "request"),
    ("empty, whitespace-only and Unicode-space values are dropped (Java StringUtils.isEmpty)",
     {"a": "1", "b": "", "c": " ", "d": "\t\r\n", "e": "\u3000", "f": "\u2003", "g": "\u00a0", "h": "\u2007",
      "i": "\u202f", "j": " x "}, "request"),
    ("values are never URL-encoded; & = + % and spaces stay as they are",
     {"q": "a&b=c+d %20 e", "p": "100%", "url": "https://a.example/b?c=d&e=f"}, "request"),
    ("Chinese values", {"subject": "语雀空间 500人规模", "body": "支付宝交易成功", "app_id": "1"}, "request"),
    ("keys sort in Java String order: '_' (0x5F) after upper case, before lower case",
     {"a_b": "1", "aB": "2", "ab": "3", "a": "4", "A": "5", "a.b": "6", "a1": "7"}, "request"),
    ("supplementary vs U+E000-U+FFFF keys: Java puts the surrogate pair first",
     {"\uff01": "fullwidth", "\U0001f600": "emoji", "z": "ascii"}, "request"),
    ("notification V1 drops sign, sign_type and alipay_cert_sn",
     {"notify_id": "1", "sign": "x", "sign_type": "RSA2", "alipay_cert_sn": "abc", "trade_status": "TRADE_SUCCESS"},
     "notify-v1"),
    ("notification V2 keeps sign_type, drops sign and alipay_cert_sn",
     {"notify_id": "1", "sign": "x", "sign_type": "RSA2", "alipay_cert_sn": "abc", "trade_status": "TRADE_SUCCESS"},
     "notify-v2"),
    ("a request keeps alipay_cert_sn-like parameters it sends", {"app_cert_sn": "a", "alipay_root_cert_sn": "b"},
     "request"),
    ("no parameters at all", {}, "request"),
]

# Form bodies, encoded by urllib.parse in the declared charset, and the parameters they decode to.
FORM_CASES = [
    ("UTF-8 body, + is a space, %2B is a plus", "UTF-8",
     {"subject": "a b+c", "total_amount": "0.01", "charset": "utf-8"}),
    ("GBK body: percent-escapes are GBK bytes", "GBK",
     {"subject": "支付宝交易成功", "buyer_logon_id": "xud***@126.com", "charset": "GBK"}),
    ("GB18030 body", "GB18030", {"subject": "语雀空间€", "charset": "GB18030"}),
    ("GBK body with the euro sign as Java writes it (A2 E3)", "GBK", {"price": "€12", "charset": "GBK"}),
    ("a value that was URL-encoded by the merchant is decoded once, not twice", "UTF-8",
     {"passback_params": "merchant%3Dvalue%26x%3D1", "charset": "utf-8"}),
]

SIGN_TEXTS = [
    "app_id=2014072300007148&biz_content={\"subject\":\"Iphone6 16G\"}&charset=utf-8&method=alipay.trade.pay",
    "subject=支付宝交易成功&total_amount=88.88&note=语雀空间 500人规模",
    "multi\nline\tcontent ·—“”",
    "price=€12&name=测试",
]


def main():
    os.makedirs(KEYS, exist_ok=True)
    keys = {bits: load_or_make(f"rsa{bits}", bits) for bits in (1024, 2048, 4096)}
    other = load_or_make("other2048", 2048)
    index = {}
    for bits, key in keys.items():
        index.update(key_files(f"rsa{bits}", key))
        cert = self_signed_cert(f"rsa{bits}", key)
        spki = key.public_key().public_bytes(Enc.DER, PubF.SubjectPublicKeyInfo)
        index[f"rsa{bits}-cert.pem"] = {"kind": "public", "format": "X.509 certificate",
                                        "encoding": "PEM (CERTIFICATE)", "bits": bits,
                                        "fingerprint": "sha256:" + hashlib.sha256(spki).hexdigest()}
    index.update(key_files("other2048", other))

    # Keys that must be refused, each with the error code expected.
    bad = {}
    ec_key = ec.generate_private_key(ec.SECP256R1()) if not os.path.exists(os.path.join(KEYS, "bad-ec-pkcs8.pem")) \
        else None
    if ec_key:
        write("bad-ec-pkcs8.pem", ec_key.private_bytes(Enc.PEM, PF.PKCS8, serialization.NoEncryption()))
    bad["bad-ec-pkcs8.pem"] = {"as": "private", "code": "unsupportedKey"}
    if not os.path.exists(os.path.join(KEYS, "bad-rsa512.pem")):
        subprocess.run(["openssl", "genrsa", "-out", os.path.join(KEYS, "bad-rsa512.pem"), "512"], check=True,
                       capture_output=True)
    bad["bad-rsa512.pem"] = {"as": "private", "code": "weakKey"}
    write("bad-encrypted-pkcs8.pem", keys[2048].private_bytes(
        Enc.PEM, PF.PKCS8, serialization.BestAvailableEncryption(b"tests only")))
    bad["bad-encrypted-pkcs8.pem"] = {"as": "private", "code": "unsupportedKey"}
    pem = open(os.path.join(KEYS, "rsa2048-pkcs8.pem"), "rb").read()
    write("bad-truncated-pkcs8.pem", pem[: len(pem) // 2] + b"\n-----END PRIVATE KEY-----\n")
    bad["bad-truncated-pkcs8.pem"] = {"as": "private", "code": "malformedKey"}
    write("bad-no-end-line.pem", pem[: len(pem) // 2])
    bad["bad-no-end-line.pem"] = {"as": "private", "code": "malformedKey"}
    write("bad-not-base64.txt", b"this is not a key\n")
    bad["bad-not-base64.txt"] = {"as": "private", "code": "malformedKey"}
    b64 = open(os.path.join(KEYS, "rsa2048-pkcs8.b64"), "rb").read()
    write("bad-escaped-newlines.b64", b64[:64] + b"\\n" + b64[64:])
    bad["bad-escaped-newlines.b64"] = {"as": "private", "code": "malformedKey"}
    bad["rsa2048-cert.pem"] = {"as": "private", "code": "unsupportedKey"}
    bad["rsa2048-spki.pem"] = {"as": "private", "code": "unsupportedKey"}
    bad["rsa2048-pkcs8.pem"] = {"as": "public", "code": "unsupportedKey"}
    bad["rsa1024-pkcs8.pem"] = {"as": "private", "code": "weakKey"}
    bad["rsa1024-spki.pem"] = {"as": "public", "code": "weakKey"}

    with open(os.path.join(HERE, "keys.json"), "w") as f:
        json.dump({"source": "generate.py: Python cryptography (key serialisation, SHA-256 of the SPKI DER)",
                   "keys": index, "refused": bad}, f, indent=1, ensure_ascii=False, sort_keys=True)

    content_cases = [{"name": n, "mode": m, "parameters": p, "content": content(p, m)} for n, p, m in CONTENT_CASES]
    form_cases = []
    for name, charset, params in FORM_CASES:
        body = "&".join(urllib.parse.quote_plus(k) + "=" + urllib.parse.quote_plus(java_bytes(v, charset))
                        for k, v in params.items())
        form_cases.append({"name": name, "charset": charset, "body": body, "parameters": params,
                           "request_content": content(params, "request")})
    with open(os.path.join(HERE, "content.json"), "w") as f:
        json.dump({"source": "generate.py: Java getSignContent rules (docs/PROTOCOL.md §1) written in Python; form "
                             "bodies by urllib.parse.urlencode in the declared charset",
                   "content": content_cases, "forms": form_cases}, f, indent=1, ensure_ascii=False)

    sig_cases = []
    for bits, key in keys.items():
        for sign_type in ("RSA2", "RSA"):
            for charset in ("UTF-8", "GBK", "GB18030"):
                for text in SIGN_TEXTS:
                    data = java_bytes(text, charset)
                    sig_cases.append({"key": f"rsa{bits}-pkcs8.pem", "public": f"rsa{bits}-spki.pem", "bits": bits,
                                      "sign_type": sign_type, "charset": charset, "content": text,
                                      "content_hex": data.hex(), "signature": sign(key, text, charset, sign_type)})
    # The request content of REQUEST, signed: the whole sign path from parameters.
    for charset in ("UTF-8", "GBK"):
        params = dict(REQUEST, charset=charset.lower(), subject_cn="支付宝")
        text = content(params, "request")
        sig_cases.append({"key": "rsa2048-pkcs1.b64", "public": "rsa2048-spki.b64", "bits": 2048,
                          "sign_type": "RSA2", "charset": charset, "content": text, "parameters": params,
                          "content_hex": java_bytes(text, charset).hex(),
                          "signature": sign(keys[2048], text, charset, "RSA2")})
    with open(os.path.join(HERE, "signatures.json"), "w") as f:
        json.dump({"source": "generate.py: Python cryptography RSA PKCS#1 v1.5 (SHA-256 for RSA2, SHA-1 for RSA) "
                             "over Python's codec bytes",
                   "cases": sig_cases}, f, indent=1, ensure_ascii=False)

    # Notifications: form bodies as Alipay sends them, signed V1 or V2 by "Alipay" (here the rsa2048 key).
    alipay = keys[2048]
    notes = []
    base = {"gmt_create": "2026-11-20 15:56:22", "notify_type": "trade_status_sync", "notify_id": "2026112000222155",
            "trade_status": "TRADE_SUCCESS", "app_id": "2021000000000001", "total_amount": "0.10",
            "subject": "语雀空间 500人规模", "sign_type": "RSA2", "version": "1.0",
            "fund_bill_list": '[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]',
            "passback_params": "merchant%3Dvalue"}

    def notification(name, params, version, charset, expect, expect_mode, tamper=None, key=alipay, sign_type="RSA2"):
        params = dict(params, charset=charset.lower() if charset == "UTF-8" else charset)
        signed = content(params, "notify-v1" if version == "v1" else "notify-v2")
        params["sign"] = sign(key, signed, charset, sign_type)
        if tamper:
            params = tamper(dict(params))
        body = "&".join(urllib.parse.quote_plus(k) + "=" + urllib.parse.quote_plus(java_bytes(v, charset))
                        for k, v in params.items())
        notes.append({"name": name, "body": body, "charset": charset, "sign_type": sign_type,
                      "public": "rsa2048-spki.pem", "valid": expect, "mode": expect_mode,
                      "signed_content": signed})

    notification("trade_status_sync signed V1 (UTF-8)", base, "v1", "UTF-8", True, "v1")
    notification("servicemarket message signed V2 (UTF-8)",
                 dict(base, notify_type="servicemarket_order_notify"), "v2", "UTF-8", True, "v2")
    notification("GBK notification signed V1 over GBK bytes", base, "v1", "GBK", True, "v1")
    notification("GB18030 notification signed V2", base, "v2", "GB18030", True, "v2")
    notification("certificate mode: alipay_cert_sn is sent but not signed",
                 dict(base, alipay_cert_sn="7513daaaa48aa3ba2e4018d84402479c"), "v1", "UTF-8", True, "v1")
    notification("legacy sign_type=RSA (SHA1withRSA)", dict(base, sign_type="RSA"), "v1", "UTF-8", True, "v1",
                 sign_type="RSA")
    notification("tampered amount", base, "v1", "UTF-8", False, None,
                 tamper=lambda p: dict(p, total_amount="100.00"))
    notification("tampered: a parameter added", base, "v1", "UTF-8", False, None,
                 tamper=lambda p: dict(p, extra="1"))
    notification("signed by another key", base, "v1", "UTF-8", False, None, key=other)
    notification("signature with one byte changed", base, "v1", "UTF-8", False, None,
                 tamper=lambda p: dict(p, sign=("B" if p["sign"][0] != "B" else "C") + p["sign"][1:]))
    for n in notes:  # cross-check: the independent verifier agrees with the expectation
        codec = "gb18030" if n["charset"] == "GBK" else PY_CODEC[n["charset"]]  # Java GBK bytes are GB18030 bytes
        params = dict(urllib.parse.parse_qsl(n["body"], keep_blank_values=True, encoding=codec))
        ok = [verifies(alipay.public_key(), params["sign"],
                       java_bytes(content(params, m), n["charset"]), n["sign_type"])
              for m in ("notify-v1", "notify-v2")]
        assert any(ok) == n["valid"], n["name"]
    with open(os.path.join(HERE, "notifications.json"), "w") as f:
        json.dump({"source": "generate.py: bodies by urllib.parse.urlencode, signatures by Python cryptography over "
                             "the V1/V2 content (docs/PROTOCOL.md §1.2) in the body's charset",
                   "cases": notes}, f, indent=1, ensure_ascii=False)
    print(f"keys: {len(index)} files; content: {len(content_cases)}, forms: {len(form_cases)}, "
          f"signatures: {len(sig_cases)}, notifications: {len(notes)}")


if __name__ == "__main__":
    main()
