#!/usr/bin/env python3
"""make demo's gateway step: starts alipay-sign gateway on a free port, sends it a request signed by
`alipay-sign sign` (the app's example key) and the same request signed with the wrong key, shows the answers and the
gateway's log lines (with the content it built for the failure), verifies the first answer with
`alipay-sign verify-response`, and stops the gateway. Python's standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug"
EX = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(EX, "keys")
QUERY_NAMES = {"method", "version", "app_id", "sign_type", "charset", "timestamp", "sign", "format", "notify_url"}


def sign(parameters, key):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(parameters, f, ensure_ascii=False)
    try:
        out = subprocess.run([os.path.join(BIN, "alipay-sign"), "sign", "--private-key", key, f.name],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    finally:
        os.unlink(f.name)


def send(url, parameters):
    query = urllib.parse.urlencode({k: v for k, v in parameters.items() if k in QUERY_NAMES})
    body = urllib.parse.urlencode({k: v for k, v in parameters.items() if k not in QUERY_NAMES}).encode()
    request = urllib.request.Request(url + "/gateway.do?" + query, data=body,
                                     headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})
    return urllib.request.urlopen(request).read()


gateway = subprocess.Popen(
    [os.path.join(BIN, "alipay-sign"), "gateway", "--port", "0",
     "--app-public-key", os.path.join(KEYS, "app-public-key.pem"),
     "--alipay-private-key", os.path.join(KEYS, "alipay-private-key.pem")],
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
try:
    line = gateway.stdout.readline().strip()
    print(line)
    url = line.split(" ", 2)[2]
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    parameters = {"app_id": "2021000000000001", "method": "alipay.trade.precreate", "charset": "utf-8",
                  "sign_type": "RSA2", "timestamp": now, "version": "1.0", "format": "JSON",
                  "biz_content": json.dumps({"out_trade_no": "DEMO-1", "total_amount": "88.88", "subject": "测试商品"},
                                            ensure_ascii=False, separators=(",", ":"))}
    good = dict(parameters, sign=sign(parameters, os.path.join(KEYS, "app-private-key.pem")))
    answer = send(url, good)
    print("signed by the app's key:", answer.decode())
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
        f.write(answer)
    verdict = subprocess.run([os.path.join(BIN, "alipay-sign"), "verify-response", "--public-key",
                              os.path.join(KEYS, "alipay-public-key.pem"), "--method", "alipay.trade.precreate", f.name],
                             capture_output=True, text=True)
    os.unlink(f.name)
    print("alipay-sign verify-response on that answer:", verdict.stdout.splitlines()[0])
    wrong = dict(parameters, sign=sign(parameters, os.path.join(KEYS, "alipay-private-key.pem")))
    print("signed by another key:", send(url, wrong).decode()[:260], "…")
finally:
    gateway.terminate()
    _, log = gateway.communicate(timeout=10)
    print("the gateway's log:")
    for entry in log.splitlines():
        if "/gateway.do" in entry:
            print("  " + entry.split("] ", 1)[-1])
