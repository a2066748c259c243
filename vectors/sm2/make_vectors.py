"""SM3withSM2 vectors (docs/PROTOCOL.md §10): signatures made by BouncyCastle (Sm2Peer.java, Debian's
libbcprov-java: the provider the Java SDK uses) and by gmssl (PyPI) with the key of this folder (made by
`openssl genpkey -algorithm SM2`), over contents in UTF-8 and GBK; and whole artefacts signed SM2 by BouncyCastle:
a request's parameters, a V1 notification body, a gateway response. SM2 signatures are randomised, so a vector is
a signature the library must verify, never one it must reproduce.
Run: .venv-sdk/bin/python vectors/sm2/make_vectors.py (needs java, /usr/share/java/bcprov.jar, and gmssl).
"""
import base64, json, os, subprocess, urllib.parse
from gmssl import sm2

HERE = os.path.dirname(os.path.abspath(__file__))


def bc_sign(datas):
    lines = "".join((base64.b64encode(d).decode() or "-") + "\n" for d in datas)
    out = subprocess.run(["java", "-cp", "/usr/share/java/bcprov.jar", os.path.join(HERE, "Sm2Peer.java"), "sign",
                          os.path.join(HERE, "sm2-pkcs8.b64")], input=lines.encode(), capture_output=True, check=True)
    signatures = out.stdout.decode().split()
    assert len(signatures) == len(datas)
    return signatures


# gmssl wants the private scalar and x||y in hex (no 04 prefix: its lstrip("04") bug, docs/PROTOCOL.md §10).
text = subprocess.run(["openssl", "pkey", "-in", os.path.join(HERE, "sm2-pkcs8.pem"), "-text", "-noout"],
                      capture_output=True, check=True).stdout.decode()
def hexblock(label):
    lines = text.split(label + ":")[1].split("\n")[1:]
    out = ""
    for l in lines:
        if not l.startswith("    "):
            break
        out += l.strip().replace(":", "")
    return out
d, xy = hexblock("priv"), hexblock("pub")
assert xy.startswith("04") and not xy[2:].startswith("04")
gm = sm2.CryptSM2(private_key=d[-64:], public_key=xy[2:], asn1=True)


def gm_sign(data):
    return base64.b64encode(bytes.fromhex(gm.sign_with_sm3(data))).decode()


contents = [
    ("request content, UTF-8", "utf-8", "app_id=2021000000000001&biz_content={\"out_trade_no\":\"SM2-1\",\"subject\":\"咖啡\"}&charset=utf-8&method=alipay.trade.query&sign_type=SM2&timestamp=2026-11-30 10:00:00&version=1.0"),
    ("request content, GBK", "gbk", "app_id=2021000000000001&biz_content={\"subject\":\"测试商品\"}&charset=GBK&method=alipay.trade.create&sign_type=SM2&timestamp=2026-11-30 10:00:00&version=1.0"),
    ("empty", "utf-8", ""),
    ("long", "utf-8", "x" * 5000),
]
datas = [c.encode(cs) for _, cs, c in contents]
bc = bc_sign(datas)
cases = [{"name": n, "charset": cs, "content": c, "bouncycastle": b, "gmssl": gm_sign(data)}
         for (n, cs, c), data, b in zip(contents, datas, bc)]

# Whole artefacts, signed by BouncyCastle.
def content(params, drop):
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in drop and v.strip())

request = {"app_id": "2021000000000001", "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "SM2",
           "timestamp": "2026-11-30 10:00:00", "version": "1.0", "biz_content": "{\"out_trade_no\":\"SM2-REQ\"}"}
notify = {"notify_type": "trade_status_sync", "notify_id": "2026113000222100005012345678", "notify_time": "2026-11-30 10:00:06",
          "app_id": "2021000000000001", "charset": "utf-8", "version": "1.0", "sign_type": "SM2", "out_trade_no": "SM2-N",
          "trade_status": "TRADE_SUCCESS", "total_amount": "1.00", "subject": "国密"}
node = '{"code":"10000","msg":"Success","out_trade_no":"SM2-RESP","trade_status":"TRADE_SUCCESS"}'
signed = bc_sign([content(request, ("sign",)).encode(), content(notify, ("sign", "sign_type")).encode(), node.encode()])
request["sign"] = signed[0]
notify["sign"] = signed[1]
artefacts = {
    "request": request,
    "notification_body": urllib.parse.urlencode(notify),
    "response": {"method": "alipay.trade.query", "body": '{"alipay_trade_query_response":' + node + ',"sign":"' + signed[2] + '"}'},
}
# Certificate chains signed SM2 (the .NET SDK's test certificates): each link's signature checked by BouncyCastle;
# the instants inside and outside the leaf's validity (its dates read by the openssl command).
def chain(candidate, roots):
    out = subprocess.run(["java", "-cp", "/usr/share/java/bcprov.jar", os.path.join(HERE, "Sm2Peer.java"), "chain",
                          os.path.join(HERE, "..", candidate), os.path.join(HERE, "..", roots)], capture_output=True,
                         check=True).stdout.decode().split()
    return [v == "true" for v in out]


sm2_dir = "certificates/alipay/dotnet/SM2/"
links = chain(sm2_dir + "alipayCertPublicKey_SM2.crt", sm2_dir + "alipayRootCert.crt")
dates = subprocess.run(["openssl", "x509", "-in", os.path.join(HERE, "..", sm2_dir + "alipayCertPublicKey_SM2.crt"),
                        "-noout", "-dates"], capture_output=True, check=True, text=True).stdout
chains = [
    {"candidate": sm2_dir + "alipayCertPublicKey_SM2.crt", "roots": sm2_dir + "alipayRootCert.crt",
     "bouncycastle_links": links, "leaf_dates": dates.strip().split("\n"), "at": "2020-06-01T00:00:00Z",
     "expected": "trusted" if all(links) else "untrusted"},
    {"candidate": sm2_dir + "alipayCertPublicKey_SM2.crt", "roots": sm2_dir + "alipayRootCert.crt",
     "bouncycastle_links": links, "leaf_dates": dates.strip().split("\n"), "at": "2021-06-01T00:00:00Z",
     "expected": "expired"},
]
with open(os.path.join(HERE, "sm2.json"), "w") as out:
    json.dump({"source": "BouncyCastle 1.72 (Sm2Peer.java) and gmssl, key sm2-pkcs8.pem (openssl genpkey)",
               "private_key": "sm2/sm2-pkcs8.pem", "public_key": "sm2/sm2-spki.pem", "cases": cases,
               "artefacts": artefacts, "chains": chains}, out, ensure_ascii=False, indent=1)
    out.write("\n")
print(len(cases), "cases")
