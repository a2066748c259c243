#!/usr/bin/env python3
"""The Python peers, signing and verifying the same request content with the same RSA-2048 key as bench/throughput.

Prints `NAME OPS_PER_SECOND` lines for compare.sh:
- the official SDK (PyPI alipay-sdk-python): SignatureUtils.get_sign_content + sign_with_rsa2 / verify_with_rsa
  (pure-Python `rsa`);
- python-alipay-sdk (fzlee): AliPay.sign_data (content + PKCS1_v1_5 over pycryptodome) / AliPay._verify.
Usage: python_peers.py SECONDS
"""
import sys
import time

KEYS = __file__.rsplit("/", 3)[0] + "/vectors/alipay/keys/"
REQUEST = {
    "app_id": "2021000000000001", "method": "alipay.trade.precreate", "format": "JSON", "charset": "utf-8",
    "sign_type": "RSA2", "timestamp": "2026-11-22 10:00:00", "version": "1.0",
    "notify_url": "https://merchant.example/alipay/notify", "app_auth_token": "202611BB1234567890abcdef",
    "biz_content": '{"out_trade_no":"20261122100000001","total_amount":"88.88","subject":"测试商品 Iphone6 16G","timeout_express":"90m"}',
}


def rate(seconds, fn):
    for _ in range(3):
        fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    pkcs1_b64 = open(KEYS + "rsa2048-pkcs1.b64").read().strip()
    spki_b64 = open(KEYS + "rsa2048-spki.b64").read().strip()
    try:
        from alipay.aop.api.util import SignatureUtils as su
        content = su.get_sign_content(REQUEST)
        signature = su.sign_with_rsa2(pkcs1_b64, content, "utf-8")
        assert su.verify_with_rsa(spki_b64, content.encode(), signature)
        print("python-official-sign", round(rate(seconds, lambda: su.sign_with_rsa2(pkcs1_b64, su.get_sign_content(REQUEST), "utf-8"))))
        print("python-official-verify", round(rate(seconds, lambda: su.verify_with_rsa(spki_b64, content.encode(), signature))))
    except Exception as e:  # not installed, or an API change: say so rather than fail the whole comparison
        print("python-official-error", type(e).__name__, file=sys.stderr)
    try:
        from alipay import AliPay
        sdk = AliPay(appid=REQUEST["app_id"], app_notify_url=None, sign_type="RSA2",
                     app_private_key_string=open(KEYS + "rsa2048-pkcs1.pem").read(),
                     alipay_public_key_string=open(KEYS + "rsa2048-spki.pem").read())
        data = dict(REQUEST)
        signed = sdk.sign_data(dict(data))
        sign = signed.rsplit("sign=", 1)[1]
        from urllib.parse import unquote_plus
        raw = "&".join(f"{k}={v}" for k, v in sorted(data.items()))
        assert sdk._verify(raw, unquote_plus(sign))
        print("python-fzlee-sign", round(rate(seconds, lambda: sdk.sign_data(dict(data)))))
        print("python-fzlee-verify", round(rate(seconds, lambda: sdk._verify(raw, unquote_plus(sign)))))
    except Exception as e:
        print("python-fzlee-error", type(e).__name__, e, file=sys.stderr)


if __name__ == "__main__":
    main()
