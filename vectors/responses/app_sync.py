"""The app SDK's synchronous result of alipay.trade.app.pay ({"resultStatus","result","memo"}, docs/PROTOCOL.md
§13), with `result` signed by Python `cryptography` with vectors/alipay/keys/other2048 (playing Alipay), and the
ways it reaches a server: as the app SDK returns it, re-serialised as an object (order kept: still verifies, and is
reported), re-serialised with spaces (does not verify), tampered, and empty (the Java SDK makes up a 20000 error).
Run: python3 vectors/responses/app_sync.py (writes app-sync.json). Nothing here comes from AlipaySign.
"""
import base64, json, os
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))
key = serialization.load_pem_private_key(open(os.path.join(HERE, "../alipay/keys/other2048-pkcs8.pem"), "rb").read(), None)
node = ('{"code":"10000","msg":"Success","app_id":"2021000000000001","auth_app_id":"2021000000000001",'
        '"charset":"utf-8","timestamp":"2026-11-30 10:00:00","out_trade_no":"APP-SYNC-1","total_amount":"9.00",'
        '"trade_no":"2026113022001400001234567890","seller_id":"2088000000000001"}')
sign = base64.b64encode(key.sign(node.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
result = '{"alipay_trade_app_pay_response":' + node + ',"sign":"' + sign + '","sign_type":"RSA2"}'
cases = [
    {"name": "as the app SDK returns it", "input": {"resultStatus": "9000", "result": result, "memo": ""},
     "status": "valid", "note": None},
    {"name": "result re-serialised as an object, order kept", "input": {"resultStatus": "9000", "result": json.loads(result), "memo": ""},
     "status": "valid", "note": "re-serialised"},
    {"name": "result re-serialised with spaces", "input": {"resultStatus": "9000", "result": json.dumps(json.loads(result), ensure_ascii=False), "memo": ""},
     "status": "invalid", "note": "white space"},
    {"name": "result tampered", "input": {"resultStatus": "9000", "result": result.replace("9.00", "0.01"), "memo": ""},
     "status": "invalid", "note": None},
    {"name": "empty result", "input": {"resultStatus": "6001", "result": "", "memo": "用户中途取消"},
     "status": "unsignedError", "note": "empty"},
]
with open(os.path.join(HERE, "app-sync.json"), "w") as out:
    json.dump({"alipay_public_key": "alipay/keys/other2048-spki.pem",
               "cases": [dict(c, input=json.dumps(c["input"], ensure_ascii=False, separators=(",", ":"))) for c in cases]},
              out, ensure_ascii=False, indent=1)
    out.write("\n")
