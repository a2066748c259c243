#!/usr/bin/env python3
"""Writes the example notifications with an independent implementation (Python `cryptography`).

notify-trade.txt: a trade_status_sync body signed V1 (sign and sign_type left out, docs/PROTOCOL.md §1.2) by the
example "Alipay" key in keys/ (made with `openssl genrsa 2048` for the examples only; never a real key).
notify-real-alipay.txt and notify-tampered.txt: the real Alipay-signed message of
../vectors/alipay-sdk/node-sdk-notifications.json, as it is and with service_code altered.
notify-real-alipay.json: the same message as a web framework logs it, a JSON object of its parameters decoded by
Python's urllib.parse.parse_qsl.
"""
import base64, json, os, urllib.parse
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))
key = serialization.load_pem_private_key(open(os.path.join(HERE, "keys/alipay-private-key.pem"), "rb").read(), None)
params = {"gmt_create": "2026-11-22 10:00:05", "charset": "utf-8", "notify_type": "trade_status_sync",
          "notify_id": "2026112200222100005012345678", "notify_time": "2026-11-22 10:00:06",
          "trade_status": "TRADE_SUCCESS", "app_id": "2021000000000001", "out_trade_no": "20261122100000001",
          "trade_no": "2026112222001400001234567890", "total_amount": "88.88", "subject": "测试商品 Iphone6 16G",
          "fund_bill_list": '[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]', "version": "1.0",
          "sign_type": "RSA2"}
content = "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type") and params[k].strip())
params["sign"] = base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
open(os.path.join(HERE, "notify-trade.txt"), "w").write(urllib.parse.urlencode(params) + "\n")

real = json.load(open(os.path.join(HERE, "../vectors/alipay-sdk/node-sdk-notifications.json")))["cases"]
open(os.path.join(HERE, "notify-real-alipay.txt"), "w").write(real[2]["body"] + "\n")
open(os.path.join(HERE, "notify-tampered.txt"), "w").write(real[3]["body"] + "\n")
decoded = dict(urllib.parse.parse_qsl(real[2]["body"], keep_blank_values=True))
open(os.path.join(HERE, "notify-real-alipay.json"), "w").write(json.dumps(decoded, ensure_ascii=False) + "\n")
