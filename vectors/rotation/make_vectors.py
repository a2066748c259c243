"""alipay.open.app.alipaycert.download responses (docs/PROTOCOL.md §14) around the generated certificates of
../certificates/generated (root rsa4096 -> intermediate other2048 -> leaf rsa2048): alipay_cert_content is the base64
of the PEM text, as the gateway sends it. The expected SNs are the JDK's (../certificates/certificates.json,
CertFacts.java). `after_rotation` is a response signed, by the `openssl` command, with the leaf's key
(../alipay/keys/rsa2048) and naming the leaf's SN: it verifies once the download is imported, and is a rotation
before. Run: python3 vectors/rotation/make_vectors.py (the standard library and the openssl command).
"""
import base64, json, os, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "certificates", "generated")
facts = json.load(open(os.path.join(HERE, "..", "certificates", "certificates.json")))


def sn(file):
    return next(c["sn"] for c in facts["certificates"] if c["file"] == "generated/" + file and c["index"] == 0)


def response(pem_file, code="10000"):
    node = {"code": code, "msg": "Success" if code == "10000" else "Business Failed"}
    if code == "10000":
        node["alipay_cert_content"] = base64.b64encode(open(os.path.join(GEN, pem_file), "rb").read()).decode()
    else:
        node.update({"sub_code": "CERT_NOT_EXIST", "sub_msg": "证书不存在"})
    return json.dumps({"alipay_open_app_alipaycert_download_response": node, "sign": "c2lnbg=="}, ensure_ascii=False,
                      separators=(",", ":"))


cases = [
    {"name": "leaf with its intermediate", "response": response("chain-leaf-intermediate.pem"), "roots": "generated/chain-root.pem",
     "at": "2025-01-01T00:00:00Z", "expected": "imported", "sn": sn("chain-leaf-intermediate.pem")},
    {"name": "leaf without its intermediate", "response": response("chain-leaf-only.pem"), "roots": "generated/chain-root.pem",
     "at": "2025-01-01T00:00:00Z", "expected": "untrusted", "sn": None},
    {"name": "leaf signed by the wrong key", "response": response("chain-leaf-wrong-signer.pem"), "roots": "generated/chain-root.pem",
     "at": "2025-01-01T00:00:00Z", "expected": "untrusted", "sn": None},
    {"name": "a failed download", "response": response(None, code="40004"), "roots": "generated/chain-root.pem",
     "at": "2025-01-01T00:00:00Z", "expected": "input-error", "sn": None},
]
node = '{"code":"10000","msg":"Success","out_trade_no":"ROT-1","trade_status":"TRADE_SUCCESS"}'
signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", os.path.join(HERE, "..", "alipay", "keys", "rsa2048-pkcs8.pem")],
                           input=node.encode(), capture_output=True, check=True).stdout
after = ('{"alipay_trade_query_response":' + node + ',"alipay_cert_sn":"' + sn("chain-leaf-intermediate.pem")
         + '","sign":"' + base64.b64encode(signature).decode() + '"}')
with open(os.path.join(HERE, "downloads.json"), "w") as out:
    json.dump({"source": "base64 of the generated PEM files; SNs from the JDK (certificates.json)", "cases": cases,
               "after_rotation": {"method": "alipay.trade.query", "body": after}}, out, ensure_ascii=False, indent=1)
    out.write("\n")
