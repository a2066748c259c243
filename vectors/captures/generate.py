#!/usr/bin/env python3
"""Captured-traffic vectors for `alipay-sign check` (issue 6), and the bundled examples/capture.har.

Every exchange is built here with Python `cryptography` (signatures) and the standard library (form encoding, JSON),
following docs/PROTOCOL.md §1 (request content), §1.2 (notifications), §4 (responses), §6 (v3) and §7 (parameters). Each
broken exchange is broken in one known way, so the findings expected of it are known by construction: they are listed
with it in expected.json (the ids of the error and warning findings; info findings are not asserted).

Files:
- mitmproxy.har: written as mitmproxy's HAR export writes it (postData with text and params, response content as
  text, `_`-less); GBK bodies therefore arrive as UTF-8 text, which the checker must re-encode.
- chrome.har: written as Chrome DevTools writes it (vendor fields `_initiator`, `_priority`, `_resourceType`,
  `_transferSize`; response bodies that are not UTF-8 as base64).
- capture.jsonl: the same exchanges as JSON Lines (the schema in the README).
- expected.json: per exchange, the kind and the finding ids expected.
- ../../examples/capture.har: the same exchanges signed with the examples' keys, for `make demo`.

Run: python3 vectors/captures/generate.py   (needs `cryptography`)
"""
import base64
import json
import os
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
CAPTURE_TIME = "2026-11-22T02:00:00.000Z"        # 10:00 in Beijing
BEIJING = "2026-11-22 10:00:00"
V3_MS = "1795312800000"                          # 2026-11-22T02:00:00Z (checked in main)


def load(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def sign(key, data, algo=None):
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), algo or hashes.SHA256())).decode()


def content(params, drop=("sign",)):
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in drop and v != "")


def exchanges(app, alipay):
    """(exchange dict, expected ids) pairs; an exchange: method, url, request headers/body, status, response headers/body,
    the request charset."""
    out = []

    def v2(method, biz, *, sign_type="RSA2", charset="utf-8", timestamp=BEIJING, version="1.0", extra=None, drop=(),
           sign_charset=None, tamper_biz=None, response=None, response_key=None, response_method=None,
           response_tamper=False, expected=()):
        p = {"app_id": "2021000000000001", "method": method, "format": "JSON", "charset": charset, "sign_type": sign_type,
             "timestamp": timestamp, "version": version, "biz_content": biz}
        for d in drop:
            p.pop(d, None)
        p.update(extra or {})
        algo = hashes.SHA1() if sign_type == "RSA" else hashes.SHA256()
        p["sign"] = sign(app, content(p).encode(sign_charset or charset), algo)
        if tamper_biz is not None:
            p["biz_content"] = tamper_biz
        query = {k: v for k, v in p.items() if k != "biz_content"}
        url = "https://openapi.alipay.com/gateway.do?" + urllib.parse.urlencode(query, encoding=charset)
        body = urllib.parse.urlencode({"biz_content": p["biz_content"]}, encoding=charset) if "biz_content" in p else ""
        resp_body = None
        if response is not None:
            node_name = (response_method or method).replace(".", "_") + "_response"
            node = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
            sig = sign(response_key or alipay, node.encode(charset), algo)  # the gateway signs with the request's sign_type
            if response_tamper:
                node = node.replace("10000", "10001", 1)
            resp_body = '{"' + node_name + '":' + node + ',"sign":"' + sig + '"}'
        out.append(({"method": "POST", "url": url,
                     "request_headers": [("Content-Type", f"application/x-www-form-urlencoded;charset={charset}")],
                     "request_body": body.encode("ascii"), "status": 200 if resp_body else 0,
                     "response_headers": [("Content-Type", f"application/json;charset={charset}")],
                     "response_body": resp_body.encode(charset) if resp_body else None, "charset": charset},
                    {"kind": "v2", "findings": sorted(set(expected))}))

    query_biz = '{"out_trade_no":"20261122100000001"}'
    query_ok = {"code": "10000", "msg": "Success", "trade_no": "2026112222001400001234567890",
                "out_trade_no": "20261122100000001", "trade_status": "TRADE_SUCCESS", "total_amount": "88.88"}
    v2("alipay.trade.query", query_biz, response=query_ok)
    unbind_ok = '{"receiver_list":[{"type":"userId","account":"2088102000000001"}],"out_request_no":"unbind_20261122_001"}'
    v2("alipay.trade.royalty.relation.unbind", unbind_ok,
       response={"code": "10000", "msg": "Success", "result_code": "SUCCESS"})
    v2("alipay.trade.royalty.relation.unbind", '{"out_request_no":"unbind-2026/11/22-0001-this-is-far-too-long"}',
       response={"code": "10000", "msg": "Success", "result_code": "MAYBE"},
       expected=["api.alipay.trade.royalty.relation.unbind"])
    v2("alipay.trade.query", query_biz, sign_type="RSA", response=query_ok, expected=["v2.param.sign_type"])
    v2("alipay.trade.query", query_biz, timestamp="2026-11-22 02:00:00", response=query_ok, expected=["v2.param.timestamp"])
    v2("alipay.trade.query", query_biz, tamper_biz='{"out_trade_no":"20261122100000002"}', expected=["v2.request.signature"])
    v2("alipay.trade.precreate", '{"out_trade_no":"20261122100000003","total_amount":"1.00","subject":"测试商品"}',
       sign_charset="gbk", expected=["v2.request.signature"])
    gateway_string = content({"app_id": "2021000000000001", "biz_content": query_biz, "charset": "utf-8", "format": "JSON",
                              "method": "alipay.trade.query", "sign_type": "RSA2", "timestamp": "2026-11-22 10:00:01",
                              "version": "1.0"})
    v2("alipay.trade.query", query_biz, response={
        "code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature",
        "sub_msg": "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：" + gateway_string},
       expected=["v2.response.invalid-signature"])
    v2("alipay.trade.query", query_biz, response=query_ok, response_tamper=True, expected=["v2.response.signature"])
    v2("alipay.trade.query", query_biz, response=query_ok, response_method="alipay.trade.pay", expected=["v2.response.envelope"])
    v2("alipay.trade.query", '{"out_trade_no":"20261122100000004","memo":"测试"}', charset="GBK",
       response=dict(query_ok, buyer_logon_id="张三"))
    v2("alipay.trade.query", query_biz, drop=("version",), response=query_ok, expected=["v2.param.version"])
    v2("alipay.trade.query", query_biz, extra={"app_cert_sn": "866efef280dec9137a87d047ac446315"}, response=query_ok,
       expected=["v2.param.cert_sn"])
    v2("alipay.trade.query", '{"out_trade_no":"20261122100000005",}', response=query_ok, expected=["v2.param.biz_content"])

    # Notifications to the merchant.
    def notification(key, ack="success", expected=()):
        p = {"notify_time": "2026-11-22 10:00:06", "notify_type": "trade_status_sync",
             "notify_id": "2026112200222100005012345678", "app_id": "2021000000000001", "charset": "utf-8",
             "version": "1.0", "sign_type": "RSA2", "trade_no": "2026112222001400001234567890",
             "out_trade_no": "20261122100000001", "trade_status": "TRADE_SUCCESS", "total_amount": "88.88",
             "subject": "测试商品"}
        p["sign"] = sign(key, content(p, drop=("sign", "sign_type")).encode())
        out.append(({"method": "POST", "url": "https://merchant.example/alipay/notify",
                     "request_headers": [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                     "request_body": urllib.parse.urlencode(p).encode(), "status": 200,
                     "response_headers": [("Content-Type", "text/plain")], "response_body": ack.encode(), "charset": "utf-8"},
                    {"kind": "notification", "findings": sorted(set(expected))}))

    notification(alipay)
    notification(app, expected=["notify.signature"])
    notification(alipay, ack="fail", expected=["notify.ack"])

    # v3.
    def v3(method, path, query="", body="", *, sign_method=None, response=None, status=200, response_signed=True,
           expected=()):
        uri = path + ("?" + query if query else "")
        auth = f"app_id=2021000000000001,nonce=5f0b7a2e-8c1d-4e6f-9a3b-2c4d6e8f0a1b,timestamp={V3_MS}"
        signature = sign(app, (auth + "\n" + (sign_method or method) + "\n" + uri + "\n" + body + "\n").encode())
        headers = [("Authorization", f"ALIPAY-SHA256withRSA {auth},sign={signature}"), ("Content-Type", "application/json"),
                   ("alipay-request-id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")]
        resp_headers = [("Content-Type", "application/json"), ("alipay-trace-id", "0b1a2c3d")]
        if response is not None and response_signed:
            ts, nonce = "1795312800123", "b3f5a1c2d4e6"
            resp_headers += [("alipay-timestamp", ts), ("alipay-nonce", nonce),
                             ("alipay-signature", sign(alipay, (ts + "\n" + nonce + "\n" + response + "\n").encode()))]
        out.append(({"method": method, "url": "https://openapi.alipay.com" + uri, "request_headers": headers,
                     "request_body": body.encode(), "status": status if response is not None else 0,
                     "response_headers": resp_headers, "response_body": response.encode() if response is not None else None,
                     "charset": "utf-8"},
                    {"kind": "v3", "findings": sorted(set(expected))}))

    base = "/v3/alipay/open/public/account"
    v3("GET", base + "/query", "user_id=2088102000000001&open_id=074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5",
       response='{"user_id":"2088102000000001","display_name":"测试生活号"}')
    v3("DELETE", base + "/delete", "agreement_id=&bind_account_no=&from_user_id=1234", response='{}',
       expected=["api.DELETE /v3/alipay/open/public/account/delete"])
    v3("PUT", base + "/create", body='{"display_name":"测试生活号"}', sign_method="POST", response='{"agreement_id":"1"}',
       expected=["v3.request.signature"])
    v3("POST", base + "/reset", body='{"agreement_id":"20261122000000000001"}', response='{"result":"ok"}',
       response_signed=False, expected=["v3.response.headers"])
    v3("GET", base + "/query", "user_id=2088102000000001", status=401, response_signed=False,
       response='{"code":"invalid-auth-token","message":"无效的访问令牌","links":[{"link":"https://open.alipay.com/api/errCheck?traceId=0b1a2c3d","desc":"解决方案"}]}')

    # Not Alipay traffic.
    out.append(({"method": "GET", "url": "https://example.com/index.html", "request_headers": [("Accept", "text/html")],
                 "request_body": b"", "status": 200, "response_headers": [("Content-Type", "text/html")],
                 "response_body": b"<html></html>", "charset": "utf-8"}, {"kind": "skipped", "findings": []}))
    return out


def har(exs, style):
    entries = []
    for ex, _ in exs:
        req_body = ex["request_body"]
        ct = dict(ex["request_headers"]).get("Content-Type", "")
        request = {"method": ex["method"], "url": ex["url"], "httpVersion": "HTTP/1.1", "cookies": [],
                   "headers": [{"name": n, "value": v} for n, v in ex["request_headers"]],
                   "queryString": [{"name": k, "value": v} for k, v in
                                   urllib.parse.parse_qsl(urllib.parse.urlsplit(ex["url"]).query, keep_blank_values=True,
                                                          encoding=ex["charset"])],
                   "headersSize": -1, "bodySize": len(req_body)}
        if req_body:
            post = {"mimeType": ct, "text": req_body.decode("ascii" if "form" in ct else "utf-8")}
            if "form" in ct:
                post["params"] = [{"name": k, "value": v} for k, v in
                                  urllib.parse.parse_qsl(req_body.decode("ascii"), keep_blank_values=True, encoding=ex["charset"])]
            request["postData"] = post
        entry = {"startedDateTime": CAPTURE_TIME, "time": 42.0, "request": request, "cache": {},
                 "timings": {"send": 1, "wait": 40, "receive": 1}}
        if ex["response_body"] is not None:
            rb = ex["response_body"]
            content = {"size": len(rb), "mimeType": dict(ex["response_headers"]).get("Content-Type", "")}
            if style == "chrome" and ex["charset"].lower() != "utf-8":
                content.update(text=base64.b64encode(rb).decode(), encoding="base64")
            else:
                content["text"] = rb.decode(ex["charset"])       # as decoded for display: UTF-8 in the HAR
            entry["response"] = {"status": ex["status"], "statusText": "OK", "httpVersion": "HTTP/1.1", "cookies": [],
                                 "headers": [{"name": n, "value": v} for n, v in ex["response_headers"]],
                                 "content": content, "redirectURL": "", "headersSize": -1, "bodySize": len(rb)}
        else:
            entry["response"] = {"status": 0, "statusText": "", "httpVersion": "", "cookies": [], "headers": [],
                                 "content": {"size": 0, "mimeType": ""}, "redirectURL": "", "headersSize": -1, "bodySize": -1}
        if style == "chrome":
            entry.update(_initiator={"type": "other"}, _priority="High", _resourceType="fetch", _fromCache=None)
            entry["response"]["_transferSize"] = 1234
            entry["serverIPAddress"] = "203.0.113.10"
        else:
            entry["serverIPAddress"] = "203.0.113.10"
        entries.append(entry)
    creator = {"name": "mitmproxy har_dump", "version": "0.1", "comment": "mitmproxy version 10"} if style == "mitmproxy" \
        else {"name": "WebInspector", "version": "537.36"}
    return {"log": {"version": "1.2", "creator": creator, "pages": [], "entries": entries}}


def jsonl(exs):
    lines = []
    for ex, _ in exs:
        line = {"time": CAPTURE_TIME,
                "request": {"method": ex["method"], "url": ex["url"], "headers": dict(ex["request_headers"]),
                            "body": ex["request_body"].decode("utf-8"), "encoding": "utf8"}}
        if ex["response_body"] is not None:
            rb = ex["response_body"]
            if ex["charset"].lower() == "utf-8":
                line["response"] = {"status": ex["status"], "headers": dict(ex["response_headers"]), "body": rb.decode(),
                                    "encoding": "utf8"}
            else:
                line["response"] = {"status": ex["status"], "headers": dict(ex["response_headers"]),
                                    "body": base64.b64encode(rb).decode(), "encoding": "base64"}
        lines.append(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n"


def main():
    import datetime
    assert int(datetime.datetime(2026, 11, 22, 2, tzinfo=datetime.timezone.utc).timestamp() * 1000) == int(V3_MS), V3_MS
    keys = os.path.join(ROOT, "vectors", "alipay", "keys")
    exs = exchanges(load(os.path.join(keys, "other2048-pkcs8.pem")), load(os.path.join(keys, "rsa2048-pkcs8.pem")))
    for style in ("mitmproxy", "chrome"):
        with open(os.path.join(HERE, f"{style}.har"), "w", encoding="utf-8") as f:
            json.dump(har(exs, style), f, ensure_ascii=False, indent=1 if style == "chrome" else None)
    with open(os.path.join(HERE, "capture.jsonl"), "w", encoding="utf-8") as f:
        f.write(jsonl(exs))
    expected = {"app_public_key": "alipay/keys/other2048-spki.pem", "alipay_public_key": "alipay/keys/rsa2048-spki.pem",
                "exchanges": [e for _, e in exs]}
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")
    ex_keys = os.path.join(ROOT, "examples", "keys")
    demo = exchanges(load(os.path.join(ex_keys, "app-private-key.pem")), load(os.path.join(ex_keys, "alipay-private-key.pem")))
    with open(os.path.join(ROOT, "examples", "capture.har"), "w", encoding="utf-8") as f:
        json.dump(har(demo, "mitmproxy"), f, ensure_ascii=False, indent=1)
    print(len(exs), "exchanges;", sum(1 for _, e in exs if e["findings"]), "with expected findings")


if __name__ == "__main__":
    main()
