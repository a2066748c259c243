#!/usr/bin/env python3
"""Certificate-mode vectors (docs/PROTOCOL.md §3), with expected values from implementations independent of AlipaySign.

- generated/: certificates made here with Python `cryptography`: odd issuer names, serials of 1 to 20 bytes, a negative
  serial (patched into the DER by hand, since `cryptography` refuses to make one), and a root -> intermediate -> leaf
  hierarchy with expired, not-yet-valid, wrongly signed and mis-ordered variants.
- alipay/: the real certificates the official SDKs ship, from their test fixtures (committed here; see
  alipay/README.md for where each comes from and which SDK test asserts which SN).

Expected values, per certificate (certificates.json):
- `issuer`, `serial`, `sn`: the JDK (CertFacts.java: X500Principal.getName(), BigInteger, MD5), i.e. what the Alipay Java
  SDK computes. The JDK cannot parse the SM2 certificates ("Unknown named curve"); for those the values come from the
  Debian `openssl x509 -nameopt RFC2253,-esc_msb` issuer and serial, hashed here with hashlib (`source` says which).
- `openssl_issuer` / `openssl_sn`: the same through OpenSSL, and `python_rfc4514`: `cryptography`'s rfc4514_string(),
  recorded as cross-checks. Where they differ from the JDK the file says so (`agree`); the JDK is the reference.
- `sig_alg_oid`: read from the DER by the small walker below.
Per bundle: the RSA and SM2 root SNs, joined here from the per-certificate values above.
Per chain case: `expected` comes from CertFacts.java `trust`, the Java SDK's AntCertificationUtil.isTrusted re-stated over
the JDK with a fixed instant; generate.py also asserts that it is the outcome each case was built to produce.

Keys: the test keys of ../alipay/keys (root rsa4096, intermediate other2048, leaves rsa2048). Every run rewrites
generated/ with identical bytes: the keys, names, serials and dates are fixed and RSA PKCS#1 v1.5 signing is deterministic.

Run: python3 vectors/certificates/generate.py   (needs `cryptography`, a JDK 11+ `java` and the `openssl` binary)
"""
import base64
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID, ObjectIdentifier

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "generated")
KEYS = os.path.join(HERE, "..", "alipay", "keys")
UTC = dt.timezone.utc


def key(name):
    with open(os.path.join(KEYS, name + "-pkcs8.pem"), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


ROOT_KEY, INTER_KEY, LEAF_KEY = key("rsa4096"), key("other2048"), key("rsa2048")


def name(*rdns):
    """rdns: each a list of (oid, value[, asn1 type]) making one RDN, in DER order (least specific first)."""
    out = []
    for rdn in rdns:
        attrs = [x509.NameAttribute(a[0], a[1], _type=a[2]) if len(a) > 2 else x509.NameAttribute(a[0], a[1]) for a in rdn]
        out.append(x509.RelativeDistinguishedName(attrs))
    return x509.Name(out)


def simple(cn, ou="Certification Authority", o="AlipaySign Test", c="CN"):
    rdns = [[(NameOID.COUNTRY_NAME, c)], [(NameOID.ORGANIZATION_NAME, o)]]
    if ou:
        rdns.append([(NameOID.ORGANIZATIONAL_UNIT_NAME, ou)])
    rdns.append([(NameOID.COMMON_NAME, cn)])
    return name(*rdns)


def when(y, m=1, d=1):
    return dt.datetime(y, m, d, tzinfo=UTC)


def make(subject, issuer, subject_key, signing_key, serial, not_before=when(2020), not_after=when(2040), algo=hashes.SHA256()):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(subject_key.public_key())
         .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after))
    return b.sign(signing_key, algo)


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def write(rel, data):
    path = os.path.join(GEN, rel)
    with open(path, "wb") as f:
        f.write(data)
    return "generated/" + rel


# --- a tiny DER walker, for the signature algorithm OID of certificates `cryptography` cannot parse (SM2) ---
def der_next(b, i):
    tag, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return tag, i, i + n


def sig_alg_oid(der):
    _, start, _ = der_next(der, 0)                     # Certificate
    _, _, tbs_end = der_next(der, start)               # tbsCertificate
    _, alg_start, _ = der_next(der, tbs_end)           # signatureAlgorithm
    _, oid_start, oid_end = der_next(der, alg_start)   # algorithm OID
    raw = der[oid_start:oid_end]
    parts, value = [], 0
    for byte in raw:
        value = value << 7 | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    first = min(parts[0] // 40, 2)
    return ".".join(str(p) for p in [first, parts[0] - 40 * first] + parts[1:])


def pem_blocks(data):
    return re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", data, re.S)


def der_of(block):
    body = b"".join(l.strip() for l in block.splitlines() if not l.startswith(b"-----"))
    return base64.b64decode(body)


def openssl_facts(block):
    out = subprocess.run(["openssl", "x509", "-noout", "-issuer", "-serial", "-nameopt", "RFC2253,-esc_msb"],
                         input=block, capture_output=True, check=True).stdout.decode("utf-8")
    issuer = re.search(r"^issuer=(.*)$", out, re.M).group(1)
    serial_hex = re.search(r"^serial=(.*)$", out, re.M).group(1)
    serial = str(-int(serial_hex[1:], 16)) if serial_hex.startswith("-") else str(int(serial_hex, 16))
    return issuer, serial


def md5(s):
    return hashlib.md5(s.encode("utf-8")).hexdigest()


def java(*args):
    return subprocess.run(["java", os.path.join(HERE, "CertFacts.java"), *args], capture_output=True, check=True,
                          cwd=HERE).stdout.decode("utf-8")


def generate():
    os.makedirs(GEN, exist_ok=True)
    cases = []  # (file, note)

    # Odd issuer names (self-signed by the leaf key: the SN only reads the issuer and the serial).
    CN, O, OU, C = NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COUNTRY_NAME
    odd = [
        ("comma", "a comma in a value", name([(C, "CN")], [(O, "Ant, Inc")], [(CN, "Test CA")])),
        ("plus", "a plus sign", name([(C, "CN")], [(CN, "a+b")])),
        ("quote", "double quotes", name([(C, "CN")], [(CN, 'The "Best" CA')])),
        ("semicolon-angles", "; < >", name([(C, "CN")], [(CN, "a;b<c>d")])),
        ("hash-leading", "a leading #", name([(C, "CN")], [(CN, "#1 CA")])),
        ("hash-inner", "a # inside a value", name([(C, "CN")], [(CN, "CA #2")])),
        ("backslash-equals", "a backslash and an equals sign", name([(C, "CN")], [(CN, "a\\b=c")])),
        ("leading-space", "a leading and a trailing space", name([(C, "CN")], [(CN, " padded CA ")])),
        ("chinese", "a Chinese CN (UTF8String)", name([(C, "CN")], [(O, "蚂蚁金服")], [(CN, "支付宝测试根证书")])),
        ("no-ou", "no OU", name([(C, "CN")], [(O, "Ant Financial")], [(CN, "No OU CA")])),
        ("email", "an emailAddress (not an RFC 2253 keyword)",
         name([(C, "CN")], [(O, "Ant")], [(CN, "Mail CA")], [(NameOID.EMAIL_ADDRESS, "ca@example.com")])),
        ("multi-valued", "a multi-valued RDN", name([(C, "CN")], [(CN, "Multi"), (OU, "Unit")])),
        ("keywords", "L, ST, STREET, DC and UID keywords",
         name([(NameOID.DOMAIN_COMPONENT, "com")], [(NameOID.DOMAIN_COMPONENT, "example")], [(C, "CN")],
              [(NameOID.STATE_OR_PROVINCE_NAME, "Zhejiang")], [(NameOID.LOCALITY_NAME, "Hangzhou")],
              [(NameOID.STREET_ADDRESS, "1 Wan Tang Rd")], [(NameOID.USER_ID, "u42")], [(CN, "Keyword CA")])),
        ("other-oids", "serialNumber and title attributes (OID=#hex)",
         name([(C, "CN")], [(NameOID.SERIAL_NUMBER, "12345")], [(NameOID.TITLE, "Boss")], [(CN, "OID CA")])),
        ("printable-bmp", "PrintableString and BMPString values",
         name([(C, "CN", _ASN1Type.PrintableString)], [(O, "BMP Org", _ASN1Type.BMPString)], [(CN, "Printable CA", _ASN1Type.PrintableString)])),
    ]
    for i, (slug, note, n) in enumerate(odd):
        cert = make(n, n, LEAF_KEY, LEAF_KEY, 0x1000 + i)
        cases.append((write(f"issuer-{slug}.pem", pem(cert)), "issuer: " + note))

    # Serials of 1 to 20 bytes; some with the top bit set (DER adds a 00 byte, which the decimal must not show).
    issuer = simple("Serial Test CA")
    serials = [1, 0x7F, 0x80, 0xFF, 0x1234, 0x8000, 0xDEADBEEF, 0x80000000_00000000, (1 << 127) + 12345,
               int("FF" * 16, 16), int("01" + "00" * 15, 16), (1 << 159) - 1, int("7F" + "FF" * 19, 16)]
    for s in serials:
        cert = make(issuer, issuer, LEAF_KEY, LEAF_KEY, s)
        cases.append((write(f"serial-{s:x}.pem", pem(cert)), f"serial 0x{s:x} ({(s.bit_length() + 7) // 8} bytes)"))

    # A negative serial: RFC 5280 forbids it, Java reads it as a signed BigInteger. Patch 0x05 into 0x85; the
    # signature no longer matches, which the SN does not look at.
    cert = make(issuer, issuer, LEAF_KEY, LEAF_KEY, 5)
    der = cert.public_bytes(serialization.Encoding.DER)
    at = der.index(bytes([0x02, 0x01, 0x05]))
    der = der[:at + 2] + b"\x85" + der[at + 3:]
    b64 = base64.b64encode(der).decode()
    text = "-----BEGIN CERTIFICATE-----\n" + "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + "\n-----END CERTIFICATE-----\n"
    cases.append((write("serial-negative.pem", text.encode()), "serial -123 (0x85, negative: Java's signed BigInteger)"))

    # A hierarchy: root (rsa4096) -> intermediate (other2048) -> leaf (rsa2048).
    root_name, inter_name = simple("AlipaySign Test Root"), simple("AlipaySign Test Class 2")
    root = make(root_name, root_name, ROOT_KEY, ROOT_KEY, 0x0100, when(2020), when(2045))
    inter = make(inter_name, root_name, INTER_KEY, ROOT_KEY, 0x0200, when(2020), when(2040))
    leaf_name = simple("alipay-public-2088000000000000", ou="Alipay", o="AlipaySign Test Merchant")
    leaf = make(leaf_name, inter_name, LEAF_KEY, INTER_KEY, 0x0300, when(2021), when(2031))
    leaf_expired = make(leaf_name, inter_name, LEAF_KEY, INTER_KEY, 0x0301, when(2020), when(2022))
    leaf_future = make(leaf_name, inter_name, LEAF_KEY, INTER_KEY, 0x0302, when(2035), when(2039))
    leaf_wrong_key = make(leaf_name, inter_name, LEAF_KEY, ROOT_KEY, 0x0303, when(2021), when(2031))
    other_ca = simple("Some Other CA")
    leaf_other_issuer = make(leaf_name, other_ca, LEAF_KEY, INTER_KEY, 0x0304, when(2021), when(2031))
    inter_forged = make(inter_name, root_name, INTER_KEY, INTER_KEY, 0x0201, when(2020), when(2040))
    root_expired = make(root_name, root_name, ROOT_KEY, ROOT_KEY, 0x0101, when(2000), when(2010))
    unrelated = make(other_ca, other_ca, INTER_KEY, INTER_KEY, 0x0400)
    second_root = make(simple("Second Root"), simple("Second Root"), INTER_KEY, INTER_KEY, 0x0500)
    broken = bytearray(leaf.public_bytes(serialization.Encoding.DER))
    broken[-1] ^= 0x01                                   # the last byte of the signature
    b64 = base64.b64encode(bytes(broken)).decode()
    leaf_broken_pem = ("-----BEGIN CERTIFICATE-----\n" + "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
                       + "\n-----END CERTIFICATE-----\n").encode()

    files = {
        "root": write("chain-root.pem", pem(root)),
        "root-expired": write("chain-root-expired.pem", pem(root_expired)),
        "roots-crlf": write("chain-roots-crlf-no-blank.pem", pem(unrelated, root).replace(b"\n", b"\r\n")),
        "ok": write("chain-leaf-intermediate.pem", pem(leaf, inter)),
        "reversed": write("chain-intermediate-leaf.pem", pem(inter, leaf)),
        "leaf-only": write("chain-leaf-only.pem", pem(leaf)),
        "full": write("chain-leaf-intermediate-root.pem", pem(leaf, inter, root)),
        "expired": write("chain-leaf-expired.pem", pem(leaf_expired, inter)),
        "future": write("chain-leaf-not-yet-valid.pem", pem(leaf_future, inter)),
        "wrong-key": write("chain-leaf-wrong-signer.pem", pem(leaf_wrong_key, inter)),
        "other-issuer": write("chain-leaf-other-issuer.pem", pem(leaf_other_issuer)),
        "forged-inter": write("chain-intermediate-forged.pem", pem(leaf, inter_forged)),
        "broken": write("chain-leaf-broken-signature.pem", leaf_broken_pem + pem(inter)),
        "incomplete": write("chain-incomplete.pem", pem(leaf, unrelated)),
        "two-roots": write("chain-two-self-signed.pem", pem(leaf, inter, root, second_root)),
    }
    for k, f in files.items():
        cases.append((f, "hierarchy: " + k))
    return cases, files


def main():
    cases, files = generate()
    # --- per-certificate facts ---
    alipay_files = sorted(os.path.relpath(os.path.join(dp, f), HERE) for dp, _, fs in os.walk(os.path.join(HERE, "alipay"))
                          for f in fs if f.endswith(".crt"))
    notes = {f: n for f, n in cases}
    facts = [json.loads(l) for l in java("facts", *([os.path.join(HERE, f) for f, _ in cases] + [os.path.join(HERE, f) for f in alipay_files])).splitlines()]
    records = []
    by_file = {}
    for fact in facts:
        rel = os.path.relpath(fact["file"], HERE)
        with open(os.path.join(HERE, rel), "rb") as f:
            block = pem_blocks(f.read())[fact["index"]]
        der = der_of(block)
        o_issuer, o_serial = openssl_facts(block)
        rec = {"file": rel, "index": fact["index"], "sig_alg_oid": sig_alg_oid(der)}
        if "error" in fact:
            rec.update(issuer=o_issuer, serial=o_serial, sn=md5(o_issuer + o_serial),
                       source="openssl x509 -nameopt RFC2253,-esc_msb + md5 (the JDK cannot parse it: " + fact["error"] + ")")
        else:
            assert fact["sigAlgOID"] == rec["sig_alg_oid"], (rel, fact)
            rec.update(issuer=fact["issuer"], serial=fact["serial"], sn=fact["sn"], source="JDK (CertFacts.java)")
            rec["openssl_issuer"] = o_issuer
            rec["openssl_agrees"] = o_issuer == fact["issuer"] and o_serial == fact["serial"]
            try:
                with warnings.catch_warnings():  # the negative serial and the real certificates' NULL parameters
                    warnings.simplefilter("ignore")
                    py = x509.load_der_x509_certificate(der)
                rec["python_rfc4514"] = py.issuer.rfc4514_string()
                rec["python_agrees"] = rec["python_rfc4514"] == fact["issuer"]
            except Exception as e:  # the SM2 certificates: strict parsers refuse them
                rec["python_rfc4514"] = None
        if rel in notes:
            rec["note"] = notes[rel]
        records.append(rec)
        by_file.setdefault(rel, []).append(rec)

    # Known answers asserted by the official SDKs' own tests (alipay/README.md) must come out of the JDK as well.
    known = {"alipay/node/appCertPublicKey_2021001161683774.crt": "866efef280dec9137a87d047ac446315",
             "alipay/node/alipayCertPublicKey_RSA2.crt": "7513daaaa48aa3ba2e4018d84402479c",
             "alipay/dotnet/appCertPublicKey_2021003102616019.crt": "47a27aac8ae3b5c589576f371da36dc2"}
    for f, sn in known.items():
        assert by_file[f][0]["sn"] == sn, (f, by_file[f][0]["sn"])

    bundles = []
    for f in alipay_files + [files["roots-crlf"], files["root"]]:
        recs = by_file.get(f) or []
        if not recs:
            continue
        rsa = "_".join(r["sn"] for r in recs if r["sig_alg_oid"].startswith("1.2.840.113549.1.1"))
        sm2 = "_".join(r["sn"] for r in recs if r["sig_alg_oid"].startswith("1.2.156.10197.1.501"))
        bundles.append({"file": f, "rsa": rsa, "sm2": sm2, "certificates": len(recs)})
    node_root = [b for b in bundles if b["file"] == "alipay/node/alipayRootCert.crt"][0]
    assert node_root["rsa"] == "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6", node_root

    # --- chain trust: (candidate, roots, instant, the outcome the case was built for) ---
    def ms(t):
        return str(int(t.timestamp() * 1000))
    real = "alipay/dotnet/"
    chain_cases = [
        (files["ok"], files["root"], when(2025), "trusted", "leaf + intermediate under the root"),
        (files["reversed"], files["root"], when(2025), "trusted", "intermediate before leaf: sortByDn reorders"),
        (files["full"], files["root"], when(2025), "trusted", "leaf + intermediate + root"),
        (files["ok"], files["roots-crlf"], when(2025), "trusted", "root bundle with CRLF and no blank line"),
        (files["ok"], files["root-expired"], when(2025), "trusted", "an expired root: Java does not check the root's dates"),
        (files["leaf-only"], files["root"], when(2025), "untrusted: issuerNotInRoots", "the leaf alone: its issuer is not a root"),
        (files["other-issuer"], files["root"], when(2025), "untrusted: issuerNotInRoots", "issued by an unknown CA"),
        (files["expired"], files["root"], when(2025), "untrusted: expired", "the leaf expired in 2022"),
        (files["future"], files["root"], when(2025), "untrusted: notYetValid", "the leaf is valid from 2035"),
        (files["ok"], files["root"], when(2019), "untrusted: notYetValid", "before the intermediate's notBefore"),
        (files["ok"], files["root"], when(2041), "untrusted: expired", "after the intermediate's notAfter"),
        (files["ok"], files["root"], when(2031), "trusted", "exactly at the leaf's notAfter: still valid (inclusive)"),
        (files["ok"], files["root"], when(2031) + dt.timedelta(seconds=1), "untrusted: expired", "one second after the leaf's notAfter"),
        (files["ok"], files["root"], when(2021), "trusted", "exactly at the leaf's notBefore: valid (inclusive)"),
        (files["wrong-key"], files["root"], when(2025), "untrusted: badSignature", "leaf signed by the root key, not the intermediate's"),
        (files["forged-inter"], files["root"], when(2025), "untrusted: badSignature", "intermediate names the root but signed itself"),
        (files["broken"], files["root"], when(2025), "untrusted: badSignature", "one bit of the leaf's signature flipped"),
        (files["incomplete"], files["root"], when(2025), "untrusted: incompleteChain", "an unrelated certificate in the chain"),
        (files["two-roots"], files["root"], when(2025), "untrusted: incompleteChain", "two self-signed certificates"),
        (real + "alipayCertPublicKey_RSA2.crt", real + "alipayRootCert.crt", when(2022, 6, 1), "trusted",
         "the .NET SDK's Alipay chain under its root bundle, while valid"),
        (real + "alipayCertPublicKey_RSA2.crt", real + "alipayRootCert.crt", when(2026, 1, 1), "untrusted: expired",
         "the same chain after it expired"),
        ("alipay/node/appCertPublicKey_2021001161683774.crt", "alipay/node/alipayRootCert.crt", when(2021, 6, 1),
         "untrusted: issuerNotInRoots", "an app certificate is issued by Class 1 R1, an intermediate, not a root"),
    ]
    trust = []
    for cand, roots, at, intended, note in chain_cases:
        verdict = java("trust", cand, roots, ms(at)).strip()
        assert verdict == intended, (cand, roots, at, verdict, intended)
        trust.append({"candidate": cand, "roots": roots, "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "expected": verdict,
                      "note": note})

    # --- certificate-mode requests: the two SNs added, then the canonical content (docs/PROTOCOL.md §1.1: sorted by
    # key, empty values and `sign` left out) signed with RSA2 by `cryptography` ---
    from cryptography.hazmat.primitives.asymmetric import padding
    sn_of = {r["file"]: r["sn"] for r in records if r["index"] == 0}
    root_of = {b["file"]: b["rsa"] for b in bundles}
    requests = []
    for app, roots, params in [
        ("alipay/node/appCertPublicKey_2021001161683774.crt", "alipay/node/alipayRootCert.crt",
         {"app_id": "2021001161683774", "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA2",
          "timestamp": "2026-11-22 10:00:00", "version": "1.0", "biz_content": '{"out_trade_no":"20150320010101001"}'}),
        ("alipay/dotnet/appCertPublicKey_2021003102616019.crt", "alipay/dotnet/alipayRootCert.crt",
         {"app_id": "2021003102616019", "method": "alipay.trade.pay", "charset": "utf-8", "sign_type": "RSA2",
          "timestamp": "2026-11-22 10:00:00", "version": "1.0", "notify_url": ""}),
    ]:
        full = dict(params, app_cert_sn=sn_of[app], alipay_root_cert_sn=root_of[roots])
        content = "&".join(f"{k}={v}" for k, v in sorted(full.items()) if k != "sign" and v != "")
        signature = base64.b64encode(LEAF_KEY.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode()
        requests.append({"app_cert": app, "root_cert": roots, "key": "rsa2048-pkcs8.pem", "parameters": params,
                         "app_cert_sn": sn_of[app], "alipay_root_cert_sn": root_of[roots], "content": content,
                         "signature": signature})

    out = {
        "source": "vectors/certificates/generate.py: per-certificate values from the JDK (CertFacts.java), or from openssl "
                  "where the JDK cannot parse the certificate (see `source`); chain verdicts from CertFacts.java trust, "
                  "the Java SDK's isTrusted over the JDK. Nothing here comes from AlipaySign.",
        "certificates": records, "root_sns": bundles, "trust": trust, "requests": requests,
    }
    with open(os.path.join(HERE, "certificates.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    disagree = [(r["file"], r["issuer"], r.get("openssl_issuer"), r.get("python_rfc4514")) for r in records
                if r.get("openssl_agrees") is False or r.get("python_agrees") is False]
    print(f"{len(records)} certificates, {len(bundles)} bundles, {len(trust)} chain cases; "
          f"{len(disagree)} where openssl or python differ from the JDK:")
    for d in disagree:
        print("  ", d)


if __name__ == "__main__":
    main()
