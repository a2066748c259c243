#!/usr/bin/env python3
"""v3 protocol vectors (docs/PROTOCOL.md §6), made with Python `cryptography`, independently of AlipaySign.

Requests: the auth string, the content `authString\\nMETHOD\\nrequestURI\\nbody\\n[appAuthToken\\n]` and the header
`ALIPAY-SHA256withRSA <authString>,sign=<base64>` are built here following §6.1, which cites the Java, .NET, PHP and
Node v3 SDK sources (the Node SDK's `#curl`: `${authString}\\n${httpMethod}\\n${httpRequestUrl}\\n${httpRequestBody}\\n`
then `${appAuthToken}\\n` only with a token). The app signs with ../alipay/keys/other2048; verify with other2048-spki.
Tampered cases change one thing after signing; `diagnosis_line` is the content line the change is in, by construction.

Responses: `timestamp\\nnonce\\nbody\\n` (§6.2) signed by "Alipay" with ../alipay/keys/rsa2048, whose certificate is
../certificates/generated/chain-leaf-only.pem (so certificate mode can pick it by SN).

Endpoints: the public-account API on https://openapi.alipay.com (create, delete, query, reset).
Run: python3 vectors/v3/generate.py
"""
import base64
import json
import os
import urllib.parse

from cryptography.hazmat.primitives import hashes, padding as sympad, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "alipay", "keys")


def load(name):
    with open(os.path.join(KEYS, name), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


APP_KEY, ALIPAY_KEY = load("other2048-pkcs8.pem"), load("rsa2048-pkcs8.pem")
AES_KEY_B64 = "aYA0GP8JEW+D7/UFaskCWA=="


def sign(key, data):
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def aes(plain):
    p = sympad.PKCS7(128).padder()
    data = p.update(plain) + p.finalize()
    e = Cipher(algorithms.AES(base64.b64decode(AES_KEY_B64)), modes.CBC(b"\0" * 16)).encryptor()
    return base64.b64encode(e.update(data) + e.finalize()).decode()


APP_ID = "2021004100000001"
APP_CERT_SN = "866efef280dec9137a87d047ac446315"   # the Node SDK's app certificate (../certificates)
BASE = "/v3/alipay/open/public/account"


def auth_string(fields):
    return ",".join(f"{k}={v}" for k, v in fields)


def request(name, method, uri, body="", token=None, cert=False, extra=(), order=None, nonce=None, ts=None, encrypted=False,
            tamper=None):
    nonce = nonce or "5f0b7a2e-8c1d-4e6f-9a3b-2c4d6e8f0a1b"
    ts = ts or "1763805600000"
    fields = [("app_id", APP_ID)] + ([("app_cert_sn", APP_CERT_SN)] if cert else []) + [("nonce", nonce), ("timestamp", ts)]
    fields += list(extra)
    if order:
        fields = sorted(fields, key=lambda f: order.index(f[0]))
    a = auth_string(fields)
    sent_body = aes(body.encode()) if encrypted else body
    content = a + "\n" + method + "\n" + uri + "\n" + sent_body + "\n" + (token + "\n" if token else "")
    sig = sign(APP_KEY, content.encode("utf-8"))
    case = {"name": name, "method": method, "uri": uri, "body": sent_body, "app_auth_token": token,
            "auth_string": a, "content": content, "signature": sig,
            "authorization": "ALIPAY-SHA256withRSA " + a + ",sign=" + sig, "expected": "valid",
            "nonce": nonce, "timestamp": ts, "app_cert_sn": APP_CERT_SN if cert else None,
            "extra": [list(e) for e in extra], "plain_body": body if encrypted else None}
    if tamper:
        case = tamper(case)
    return case


def tampered(name, line, **changes):
    def f(case):
        case = dict(case)
        case["name"] = name
        case.update(changes)
        case["expected"] = "invalid"
        case["diagnosis_line"] = line
        return case
    return f


CREATE_BODY = json.dumps({"display_name": "测试生活号", "account_type": "PUBLIC", "logo_url": "https://example.com/a.png"},
                         ensure_ascii=False, separators=(",", ":"))
RESET_BODY = '{"agreement_id":"20261122000000000001","display_name":"新名字"}'
DELETE_URI = BASE + "/delete?" + urllib.parse.urlencode(
    {"agreement_id": "20261122000000000001", "bind_account_no": "A001", "from_user_id": "2088102000000001",
     "open_id": "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"})
QUERY_URI = BASE + "/query?user_id=2088102000000001&open_id=074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"
ENCODED_URI = BASE + "/query?" + urllib.parse.urlencode({"user_id": "2088102000000001", "open_id": "测试 a+b/c"},
                                                         quote_via=urllib.parse.quote)

REQUESTS = [
    request("create: POST with a JSON body (Chinese text)", "POST", BASE + "/create", CREATE_BODY),
    request("create: with an app auth token", "POST", BASE + "/create", CREATE_BODY, token="202611BB1234567890abcdef"),
    request("create: certificate mode (app_cert_sn)", "POST", BASE + "/create", CREATE_BODY, cert=True),
    request("create: certificate mode and a token", "POST", BASE + "/create", CREATE_BODY, cert=True, token="202611BBtoken"),
    request("delete: DELETE with a query and an empty body", "DELETE", DELETE_URI),
    request("query: GET with a query and an empty body", "GET", QUERY_URI),
    request("query: percent-encoded query values", "GET", ENCODED_URI),
    request("reset: POST, fields in the Postman order with expired_seconds", "POST", BASE + "/reset", RESET_BODY,
            extra=[("expired_seconds", "120")], order=["app_id", "timestamp", "nonce", "expired_seconds"]),
    request("create: encrypted body", "POST", BASE + "/create", CREATE_BODY, encrypted=True),
    request("tampered: the method", "DELETE", DELETE_URI, tamper=tampered("tampered: signed DELETE, sent GET", 2, method="GET")),
    request("tampered: the URI", "GET", BASE + "/query", tamper=tampered(
        "tampered: signed the path only, sent with the query", 3, uri=QUERY_URI)),
    request("tampered: the query", "GET", QUERY_URI, tamper=tampered(
        "tampered: a query value changed", None, uri=QUERY_URI.replace("2088102000000001", "2088102000000002"))),
    request("tampered: the body", "POST", BASE + "/reset", "", tamper=tampered(
        "tampered: signed an empty body, sent a body", 4, body=RESET_BODY)),
    request("tampered: body changed", "POST", BASE + "/reset", RESET_BODY, tamper=tampered(
        "tampered: one character of the body changed", None, body=RESET_BODY.replace("新", "旧"))),
    request("tampered: token", "POST", BASE + "/create", CREATE_BODY, tamper=tampered(
        "tampered: signed without a token, sent with alipay-app-auth-token", 5, app_auth_token="202611BB1234567890abcdef")),
    request("tampered: header", "GET", QUERY_URI, tamper=lambda c: dict(
        c, name="tampered: the header's nonce changed", expected="invalid", diagnosis_line=None,
        authorization=c["authorization"].replace(c["nonce"], "00000000-0000-4000-8000-000000000000"))),
]

# Responses signed by "Alipay".
def response(name, status, body, *, signature="sign", ts="1763805601234", nonce="b3f5a1c2d4e6", sn=None, encrypted=False,
             plain=None, tamper_body=None, expected=None):
    content = ts + "\n" + nonce + "\n" + body + "\n"
    sig = sign(ALIPAY_KEY, content.encode("utf-8")) if signature == "sign" else signature
    sent = tamper_body if tamper_body is not None else body
    return {"name": name, "status": status, "timestamp": ts, "nonce": nonce, "signature": sig, "sn": sn, "body": sent,
            "encrypted": encrypted, "plaintext": plain, "content": content if signature == "sign" else None,
            "expected": expected or "valid"}


QUERY_OK = '{"user_id":"2088102000000001","display_name":"测试生活号","status":"ONLINE"}'
ERROR = '{"code":"invalid-auth-token","message":"无效的访问令牌","links":[{"link":"https://open.alipay.com/api/errCheck?traceId=0b1a2c3d","desc":"解决方案"}]}'
LEAF_SN = None
with open(os.path.join(HERE, "..", "certificates", "certificates.json"), encoding="utf-8") as f:
    for c in json.load(f)["certificates"]:
        if c["file"] == "generated/chain-leaf-only.pem":
            LEAF_SN = c["sn"]
RESPONSES = [
    response("200 with a JSON body", 200, QUERY_OK),
    response("200 with an empty body", 200, ""),
    response("200 certificate mode (alipay-sn)", 200, QUERY_OK, sn=LEAF_SN),
    response("200 tampered body", 200, QUERY_OK, tamper_body=QUERY_OK.replace("ONLINE", "OFFLINE"), expected="invalid"),
    response("200 without a signature", 200, QUERY_OK, signature=None, expected="missingHeaders"),
    response("401 error body without a signature", 401, ERROR, signature=None, expected="unsignedError"),
    response("400 error body with the literal null signature", 400, ERROR, signature="null", expected="unsignedError"),
    response("401 error body, signed", 401, ERROR),
    response("200 encrypted body", 200, aes(QUERY_OK.encode()), encrypted=True, plain=QUERY_OK),
]


def main():
    doc = {"source": "vectors/v3/generate.py: content and headers built from docs/PROTOCOL.md §6, signed by Python cryptography",
           "app_public_key": "alipay/keys/other2048-spki.pem", "alipay_public_key": "alipay/keys/rsa2048-spki.pem",
           "alipay_certificate": "certificates/generated/chain-leaf-only.pem", "alipay_certificate_sn": LEAF_SN,
           "aes_key": AES_KEY_B64, "requests": REQUESTS, "responses": RESPONSES}
    with open(os.path.join(HERE, "v3.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(len(REQUESTS), "requests,", len(RESPONSES), "responses")


if __name__ == "__main__":
    main()
