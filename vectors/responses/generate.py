#!/usr/bin/env python3
"""v2 gateway response vectors (docs/PROTOCOL.md §4, §5), made independently of AlipaySign.

Each body is built here as text, encoded in its charset, and signed (RSA2 unless said) with Python `cryptography` over
the bytes that the Java SDK's raw-substring rule selects: `java_json_slice` and `java_xml_slice` below restate
`AlipaySignature.extractSignContent` (JSON) and `XmlConverter.getSignSourceData` (XML) from docs/PROTOCOL.md §4.2/§4.5 on the
decoded text. The expected verdict is the Java SDK's policy (§4.2) computed here with `cryptography`'s own
verification, except where the case says otherwise (`expected_note`): AlipaySign is stricter than the Java SDK on
injected nodes and on a `<sign>` that is not an element, and says so.

The official Python SDK (PyPI `alipay-sdk-python`) is run over every JSON body as a cross-check of the extracted
content when it is installed (`python_sdk`): its regexes ignore the method name, cannot handle certificate mode, and
take the last `},"sign":"`; where it fails or differs, the vector says so. It is a cross-check only.

AES (§5): AES-CBC, zero IV, PKCS#7, through `cryptography`; the key is the Node SDK's test key.

Run: python3 vectors/responses/generate.py   (needs `cryptography`; `alipay-sdk-python` optional)
"""
import base64
import json
import os
import re

from cryptography.hazmat.primitives import hashes, padding as sympad, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "alipay", "keys")
with open(os.path.join(KEYS, "rsa2048-pkcs8.pem"), "rb") as f:
    KEY = serialization.load_pem_private_key(f.read(), None)
with open(os.path.join(KEYS, "other2048-pkcs8.pem"), "rb") as f:
    OTHER = serialization.load_pem_private_key(f.read(), None)
AES_KEY_B64 = "aYA0GP8JEW+D7/UFaskCWA=="          # the Node SDK's test encryptKey
AES_KEY = base64.b64decode(AES_KEY_B64)


def sign(data, key=KEY, algo=None):
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), algo or hashes.SHA256())).decode()


def verify(data, sig):
    try:
        KEY.public_key().verify(base64.b64decode(sig), data, padding.PKCS1v15(), hashes.SHA256())
        return True
    except Exception:
        return False


def aes_encrypt(plain):
    padder = sympad.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(AES_KEY), modes.CBC(b"\0" * 16)).encryptor()
    return base64.b64encode(enc.update(data) + enc.finalize()).decode()


def aes_decrypt(b64):
    dec = Cipher(algorithms.AES(AES_KEY), modes.CBC(b"\0" * 16)).decryptor()
    data = dec.update(base64.b64decode(b64)) + dec.finalize()
    unpadder = sympad.PKCS7(128).unpadder()
    return unpadder.update(data) + unpadder.finalize()


# --- The Java SDK's extraction (docs/PROTOCOL.md §4.2), on decoded text ---
def java_json_slice(body, method):
    root = method.replace(".", "_") + "_response"
    idx = body.find(root)
    if idx > 0:
        node = root
    elif body.find("error_response") > 0:
        node, idx = "error_response", body.find("error_response")
    else:
        return None, None
    start = idx + len(node) + 2
    while start < len(body) and body[start] not in "{\"":  # extractBeginPosition
        start += 1
    if body[start] == "{":
        depth, in_quotes, i = 0, False, start
        end = len(body)
        while i < len(body):
            c = body[i]
            if c == '"':
                k, back = i - 1, 0
                while k >= 0 and body[k] == "\\":
                    back += 1
                    k -= 1
                if back % 2 == 0:
                    in_quotes = not in_quotes
            elif not in_quotes and c == "{":
                depth += 1
            elif not in_quotes and c == "}":
                depth -= 1
                if depth == 0:
                    end = i + 1
                    break
            i += 1
    else:
        q = body.find('"', start + 1)
        end = q + 1 if q >= 0 else len(body)
    if body.rfind(node) > end:
        return node, "duplicate"
    return node, (start, end)


def java_xml_slice(body, method):
    root = method.replace(".", "_") + "_response"
    idx = body.find(root)
    node = root
    if idx <= 0:
        node, idx = "error_response", body.find("error_response")
    start = idx + len(node) + 1
    end = body.find("<sign")
    s1, s2 = body.find("<sign>"), body.find("</sign>")
    sig = body[s1 + 6:s2] if s1 >= 0 and s2 >= 0 else None
    return (start, end), sig


def java_policy(content_bytes, sig, is_success):
    """AbstractAlipayClient.checkResponseSign with AlipaySignature.rsaCheck and the \\/ retry."""
    if not sig:
        return "unsignedError" if not is_success else "unsignedSuccess"
    if verify(content_bytes, sig):
        return "valid"
    if b"\\/" in content_bytes and verify(content_bytes.replace(b"\\/", b"/"), sig):
        return "validAfterUnescapingSlashes"
    return "invalid"


def python_sdk_extract(body):
    try:
        from alipay.aop.api.constant.CommonConstants import PATTERN_RESPONSE_BEGIN, PATTERN_RESPONSE_SIGN_BEGIN
    except Exception:
        return {"available": False}
    m1, m2 = PATTERN_RESPONSE_BEGIN.search(body), PATTERN_RESPONSE_SIGN_BEGIN.search(body)
    if not m1 or not m2:
        return {"available": True, "error": "response shape maybe illegal"}
    start = m2.start()
    while m2:
        m2 = PATTERN_RESPONSE_SIGN_BEGIN.search(body, pos=m2.end())
        if m2:
            start = m2.start()
    return {"available": True, "content": body[m1.end() - 1:start + 1]}


CASES = []


def case(name, method, body_fn, *, charset="utf-8", fmt="json", expected=None, expected_note=None, decrypt=False,
         error=None):
    CASES.append(dict(name=name, method=method, body_fn=body_fn, charset=charset, format=fmt, expected=expected,
                      expected_note=expected_note, decrypt=decrypt, error=error))


def signed_json(node_name, node_text, *, before="", between=",", after="", sign_key=KEY, sign_over=None,
                sign_member=True, sign_first=False, charset="utf-8", escape_sign=False):
    """A body `{<before>"node":<node_text><between>"sign":"..."<after>}` with the signature over node_text."""
    sig = sign((sign_over if sign_over is not None else node_text).encode(charset), sign_key)
    sig_text = sig.replace("/", "\\/") if escape_sign else sig
    sign_part = f'"sign":"{sig_text}"'
    if not sign_member:
        return "{" + before + f'"{node_name}":' + node_text + after + "}"
    if sign_first:
        return "{" + sign_part + "," + before + f'"{node_name}":' + node_text + after + "}"
    return "{" + before + f'"{node_name}":' + node_text + between + sign_part + after + "}"


Q = "alipay.trade.query"
QN = "alipay_trade_query_response"
OK = '{"code":"10000","msg":"Success","trade_no":"2026112222001400001234567890","out_trade_no":"20261122100000001","total_amount":"88.88"}'

case("basic", Q, lambda: signed_json(QN, OK))
case("whitespace and CRLF everywhere", Q, lambda: "{\r\n  \"" + QN + "\" :\r\n  " + OK.replace(",", ",\r\n    ")
     + " ,\r\n  \"sign\" : \"" + sign(OK.replace(",", ",\r\n    ").encode()) + "\"\r\n}\r\n")
case("sign before the node", Q, lambda: signed_json(QN, OK, sign_first=True))
case("alipay_cert_sn between node and sign", Q, lambda: signed_json(QN, OK, between=',"alipay_cert_sn":"7513daaaa48aa3ba2e4018d84402479c",'))
case("alipay_cert_sn first", Q, lambda: signed_json(QN, OK, before='"alipay_cert_sn":"7513daaaa48aa3ba2e4018d84402479c",'))
case("a member named sign inside the node", Q, lambda: signed_json(QN, '{"code":"10000","msg":"Success","sign":"inner","x":{"sign":"deeper"}}'))
case("braces, quotes, backslashes and \"sign\" inside strings", Q, lambda: signed_json(
    QN, r'{"code":"10000","msg":"Success","memo":"a } b { c \"quoted\" \\ d \\\\\" e","k":"\",\"sign\":\"x","t":"}}}"}'))
case("\\/ kept as sent and signed as sent", Q, lambda: signed_json(QN, r'{"code":"10000","msg":"Success","url":"http:\/\/example.com\/a"}'))
case("\\/ signed unescaped: the Java retry", Q, lambda: signed_json(
    QN, r'{"code":"10000","msg":"Success","url":"http:\/\/example.com\/a"}',
    sign_over='{"code":"10000","msg":"Success","url":"http://example.com/a"}'))
case("\\u escapes and Chinese text", Q, lambda: signed_json(QN, '{"code":"10000","msg":"Success","subject":"\\u6d4b\\u8bd5 测试商品 Iphone6 16G","e":"\\ud83d\\ude00"}'))
case("deep nesting (300 levels)", Q, lambda: signed_json(QN, '{"code":"10000","deep":' + "[" * 150 + '{"a":' * 150 + "1" + "}" * 150 + "]" * 150 + "}"))
case("a sign with \\/ escapes in its JSON string", Q, lambda: signed_json(QN, OK, escape_sign=True))
case("whitespace before the node value", Q, lambda: "{\"" + QN + "\" :   \t" + OK + ",\"sign\":\"" + sign(OK.encode()) + "\"}")
case("tampered content", Q, lambda: signed_json(QN, OK).replace("88.88", "88.89"))
case("signed by another key", Q, lambda: signed_json(QN, OK, sign_key=OTHER))
case("error_response signed", Q, lambda: signed_json("error_response",
     '{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}'))
case("error_response unsigned", Q, lambda: '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}}')
case("method node with sub_code, unsigned", Q, lambda: '{"' + QN + '":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}}')
case("success without a sign", Q, lambda: '{"' + QN + '":' + OK + '}')
case("success with an empty sign", Q, lambda: '{"' + QN + '":' + OK + ',"sign":""}')
case("both the method node and error_response", Q, lambda: signed_json(QN, OK, after=',"error_response":{"code":"20000"}'))
case("the root node twice (injection)", Q, lambda: signed_json(QN, OK) [:-1] + ',"' + QN + '":{"code":"10000","total_amount":"0.01"}}',
     expected="rejected", expected_note="Java's lastIndexOf guard rejects it too")
case("the root node name nested (injection)", Q, lambda: signed_json(QN, OK, after=',"x":{"' + QN + '":{"code":"10000"}}'),
     expected="rejected", expected_note="Java's lastIndexOf guard rejects it too")
case("the sign twice", Q, lambda: signed_json(QN, OK)[:-1] + ',"sign":"AAAA"}',
     expected="rejected", expected_note="AlipaySign refuses a duplicated root sign; Java's JSON parser keeps one of the two")
case("a node for another method", Q, lambda: signed_json("alipay_trade_pay_response", OK), error="malformedResponse")
case("truncated JSON", Q, lambda: signed_json(QN, OK)[:-3], error="malformedJSON")
case("not JSON", Q, lambda: "<html>502 Bad Gateway</html>", error="malformedJSON")
GBK_TEXT = '{"code":"10000","msg":"Success","subject":"乗亄 测试商品 \\\\ {}"}'
case("GBK body with 0x5C and 0x7B trail bytes", Q, lambda: signed_json(QN, GBK_TEXT, charset="gbk"), charset="GBK")
case("GB18030 body with 4-byte characters", Q, lambda: signed_json(QN, '{"code":"10000","subject":"😀𠀀乗"}', charset="gb18030"),
     charset="GB18030")
case("encrypted node (AES), signed over the quoted token", "alipay.trade.pay", lambda: (lambda ct: "{\"alipay_trade_pay_response\":\""
     + ct + "\",\"sign\":\"" + sign(("\"" + ct + "\"").encode()) + "\"}")(aes_encrypt(OK.encode())), decrypt=True)
case("encrypted node with alipay_cert_sn", "alipay.trade.pay", lambda: (lambda ct: "{\"alipay_trade_pay_response\":\""
     + ct + "\",\"alipay_cert_sn\":\"7513daaaa48aa3ba2e4018d84402479c\",\"sign\":\"" + sign(("\"" + ct + "\"").encode()) + "\"}")(
    aes_encrypt('{"code":"10000","msg":"Success","subject":"测试"}'.encode())), decrypt=True)
case("encrypted error response stays an object", "alipay.trade.pay",
     lambda: '{"alipay_trade_pay_response":{"code":"40004","msg":"Business Failed","sub_code":"isv.decrypt-error"}}')

# XML (legacy): the Java rule.
XN = "alipay_trade_query_response"
XOK = "<code>10000</code><msg>Success</msg><trade_no>2026112222001400001234567890</trade_no>"


def xml_doc(inner, *, decl='<?xml version="1.0" encoding="utf-8"?>', charset="utf-8", key=KEY, sign_inside=True,
            extra_before_sign=""):
    """<alipay><node>inner[<sign>]</node>[<sign>]</alipay>, the sign over the Java slice."""
    if sign_inside:
        tmpl = decl + "<alipay><" + XN + ">" + inner + extra_before_sign + "<sign>{sig}</sign></" + XN + "></alipay>"
    else:
        tmpl = decl + "<alipay><" + XN + ">" + inner + "</" + XN + ">" + extra_before_sign + "<sign>{sig}</sign></alipay>"
    probe = tmpl.replace("{sig}", "")
    (start, end), _ = java_xml_slice(probe, Q)
    return tmpl.replace("{sig}", sign(probe[start:end].encode(charset), key))


case("xml: sign inside the node", Q, lambda: xml_doc(XOK), fmt="xml")
case("xml: sign after the node", Q, lambda: xml_doc(XOK, sign_inside=False), fmt="xml")
case("xml: <sign_type> before <sign> (ambiguous)", Q, lambda: xml_doc(XOK, extra_before_sign="<sign_type>RSA2</sign_type>"), fmt="xml",
     expected_note="valid under the Java/.NET rule, with an ambiguity diagnostic")
case("xml: <sign> inside a comment first", Q, lambda: xml_doc(XOK).replace("<alipay>", "<alipay><!-- <sign>AAAA</sign> -->"),
     fmt="xml", expected="rejected",
     expected_note="the Java SDK takes the commented <sign>; AlipaySign rejects a <sign> that is not an element")
case("xml: <sign> inside CDATA first", Q, lambda: xml_doc(XOK.replace("<msg>Success</msg>", "<msg><![CDATA[<sign>AAAA</sign>]]></msg>")),
     fmt="xml", expected="rejected", expected_note="as above, CDATA")
case("xml: GBK", Q, lambda: xml_doc("<code>10000</code><subject>测试乗</subject>", decl='<?xml version="1.0" encoding="GBK"?>',
     charset="gbk"), fmt="xml", charset="GBK")
case("xml: tampered", Q, lambda: xml_doc(XOK).replace("Success", "Succeed"), fmt="xml")
case("xml: error_response unsigned", Q, lambda: '<?xml version="1.0" encoding="utf-8"?><error_response><code>40002</code><sub_code>isv.invalid-signature</sub_code><sign></sign></error_response>',
     fmt="xml")
case("xml: encrypted", Q, lambda: xml_doc("<response_encrypted>" + aes_encrypt(b"<code>10000</code><msg>Success</msg>") + "</response_encrypted>"),
     fmt="xml", decrypt=True)
case("xml: not well-formed", Q, lambda: xml_doc(XOK).replace("</msg>", "</mgs>"), fmt="xml", error="malformedResponse")


def main():
    out = []
    for c in CASES:
        text = c["body_fn"]()
        cs = c["charset"].lower()
        body = text.encode(cs)
        v = {"name": c["name"], "method": c["method"], "format": c["format"], "charset": c["charset"],
             "body_b64": base64.b64encode(body).decode()}
        if c["error"]:
            v["error"] = c["error"]
        elif c["format"] == "json":
            node, rng = java_json_slice(text, c["method"])
            d = json.loads(text, object_pairs_hook=lambda pairs: dict(pairs))
            sig = d.get("sign")
            node_value = d.get(node)
            is_success = isinstance(node_value, dict) and not (node_value.get("sub_code") or "").strip()
            if isinstance(node_value, str):
                is_success = None
            if rng == "duplicate":
                v["content"] = None
                status = "rejected"
            else:
                start, end = rng
                content = text[start:end]
                v["content"] = content
                if is_success is None and not sig:
                    is_success = True
                status = java_policy(content.encode(cs), sig, is_success)
            v["sign"] = sig
            v["alipay_cert_sn"] = d.get("alipay_cert_sn")
            v["node"] = node
            v["java_status"] = status
            v["expected"] = c["expected"] or status
            sdk = python_sdk_extract(text)
            if sdk.get("available"):
                v["python_sdk"] = sdk.get("content") if "content" in sdk else "error: " + sdk["error"]
                v["python_sdk_agrees"] = sdk.get("content") == v.get("content")
        else:
            (start, end), sig = java_xml_slice(text, c["method"])
            content = text[start:end]
            is_success = "<sub_code>" not in content
            status = java_policy(content.encode(cs), sig, is_success)
            v.update(content=content, sign=sig, node=XN if text.find(XN) > 0 else "error_response", java_status=status,
                     expected=c["expected"] or status)
        if c["decrypt"]:
            v["aes_key"] = AES_KEY_B64
            m = re.search(r'_response":"([^"]+)"', text) or re.search(r"<response_encrypted>([^<]+)</response_encrypted>", text)
            v["plaintext"] = aes_decrypt(m.group(1)).decode(cs)
        if c["expected_note"]:
            v["expected_note"] = c["expected_note"]
        out.append(v)
    aes = []
    for plain in ['{"out_trade_no":"20150320010101001","total_amount":"88.88","subject":"Iphone6 16G"}', "", "a" * 16,
                  '{"subject":"测试商品"}']:
        aes.append({"key": AES_KEY_B64, "plaintext": plain, "charset": "UTF-8", "ciphertext": aes_encrypt(plain.encode())})
    aes.append({"key": AES_KEY_B64, "plaintext": '{"subject":"测试商品"}', "charset": "GBK",
                "ciphertext": aes_encrypt('{"subject":"测试商品"}'.encode("gbk"))})
    for key in ["RrAdgyCsnkoE1a9A8cW72w==", base64.b64encode(bytes(range(24))).decode(), base64.b64encode(bytes(range(32))).decode()]:
        k = base64.b64decode(key)
        padder = sympad.PKCS7(128).padder()
        data = padder.update(b'{"a":"b"}') + padder.finalize()
        enc = Cipher(algorithms.AES(k), modes.CBC(b"\0" * 16)).encryptor()
        aes.append({"key": key, "plaintext": '{"a":"b"}', "charset": "UTF-8",
                    "ciphertext": base64.b64encode(enc.update(data) + enc.finalize()).decode()})
    # Encrypted requests (docs/PROTOCOL.md §5): biz_content -> base64(AES(bytes in charset)), encrypt_type=AES, then the
    # canonical content (sorted, empty values and sign left out) signed RSA2.
    requests = []
    for charset, params in [("utf-8", {"app_id": "2021000000000001", "method": "alipay.trade.precreate", "charset": "utf-8",
                                        "sign_type": "RSA2", "timestamp": "2026-11-22 10:00:00", "version": "1.0",
                                        "biz_content": '{"out_trade_no":"20261122100000001","total_amount":"88.88","subject":"测试商品"}'}),
                            ("gbk", {"app_id": "2021000000000001", "method": "alipay.trade.precreate", "charset": "GBK",
                                     "sign_type": "RSA2", "timestamp": "2026-11-22 10:00:00", "version": "1.0",
                                     "biz_content": '{"subject":"测试商品乗"}'})]:
        full = dict(params, biz_content=aes_encrypt(params["biz_content"].encode(charset)), encrypt_type="AES")
        content = "&".join(f"{k}={v}" for k, v in sorted(full.items()) if k != "sign" and v != "")
        requests.append({"aes_key": AES_KEY_B64, "charset": charset, "parameters": params,
                         "encrypted_biz_content": full["biz_content"], "content": content,
                         "signature": sign(content.encode(charset))})
    doc = {"source": "vectors/responses/generate.py: bodies signed by Python cryptography over the Java SDK's raw-substring "
                     "slice (restated here from docs/PROTOCOL.md §4); verdicts by the Java policy computed with cryptography; "
                     "AES by cryptography (CBC, zero IV, PKCS#7). Nothing here comes from AlipaySign.",
           "public_key": "alipay/keys/rsa2048-spki.pem", "responses": out, "aes": aes,
           "encrypted_requests": requests}
    with open(os.path.join(HERE, "responses.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    for v in out:
        print(f'{v["name"]}: {v.get("expected", v.get("error"))}'
              + ("" if v.get("python_sdk_agrees", True) else f'  [python SDK: {str(v.get("python_sdk"))[:60]}]'))


if __name__ == "__main__":
    main()
