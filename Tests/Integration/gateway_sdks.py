#!/usr/bin/env python3
"""The local gateway driven by real clients: the official Python SDK (`alipay-sdk-python`) and `python-alipay-sdk`.

Run by `make test-gateway-sdks` (part of `make test`) from a venv under .venv-sdk/ that the Makefile makes:
    .venv-sdk/bin/python Tests/Integration/gateway_sdks.py .build/debug/alipay-sign-gateway

The keys are the project's test keys (vectors/alipay/keys): rsa2048 plays the app, other2048 plays Alipay. Each
check prints `ok` or `FAIL`; the last line is the plain `N passed, N failed` count, and the exit code is 1 when a
check failed.
"""
import http.server
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = os.path.join(ROOT, "vectors", "alipay", "keys")
APP_ID = "2021000000000001"

results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)[:400]), flush=True)


def read(name):
    with open(os.path.join(KEYS, name)) as f:
        return f.read()


def bare(pem):
    """The base64 body of a PEM file, as the SDKs take keys."""
    return "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))


class Gateway:
    """alipay-sign-gateway on a free port, with the faults given; stopped on exit."""

    def __init__(self, binary, *faults):
        args = [binary, "--port", "0", "--app-public-key", os.path.join(KEYS, "rsa2048-spki.pem"),
                "--alipay-private-key", os.path.join(KEYS, "other2048-pkcs8.pem"), "--app-id", APP_ID,
                "--notify-retry-seconds", "0.2,0.2"]
        for fault in faults:
            args += ["--fault", fault]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError("the gateway did not start: " + line + self.process.stderr.read())
        self.url = line.split(" ", 2)[2].strip()
        self.port = int(self.url.rsplit(":", 1)[1])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def official_client(gateway, charset="utf-8", app_key="rsa2048-pkcs1.pem"):
    from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
    from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
    import alipay.aop.api.util.WebUtils as WebUtils

    # The SDK always connects to port 80 or 443 whatever the URL says, and adds the URL's port to a string, which
    # raises TypeError (get_http_connection): connect to the gateway's port instead. The request target stays in the
    # absolute form the SDK sends (POST http://host:port/gateway.do?...), which the gateway accepts.
    def get_http_connection(url, query_string, timeout):
        parsed = urllib.parse.urlparse(url)
        target = "%s://%s:%d%s?%s" % (parsed.scheme, parsed.hostname, parsed.port, parsed.path, query_string)
        return target, WebUtils.httplib.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)

    WebUtils.get_http_connection = get_http_connection
    config = AlipayClientConfig()
    config.server_url = gateway.url + "/gateway.do"
    config.app_id = APP_ID
    config.app_private_key = bare(read(app_key))
    config.alipay_public_key = bare(read("other2048-spki.pem"))
    config.charset = charset
    return DefaultAlipayClient(alipay_client_config=config)


def official_precreate(client, out_trade_no, subject="咖啡 a/b"):
    from alipay.aop.api.domain.AlipayTradePrecreateModel import AlipayTradePrecreateModel
    from alipay.aop.api.request.AlipayTradePrecreateRequest import AlipayTradePrecreateRequest

    model = AlipayTradePrecreateModel()
    model.out_trade_no = out_trade_no
    model.total_amount = "88.88"
    model.subject = subject
    request = AlipayTradePrecreateRequest(biz_model=model)
    return client.execute(request)


def test_official_sdk(binary):
    with Gateway(binary) as gateway:
        for charset in ("utf-8", "GBK"):
            client = official_client(gateway, charset=charset)
            try:
                answer = json.loads(official_precreate(client, "PY-" + charset, subject="测试商品 " + charset))
                check("official SDK, %s: precreate answered and its signature accepted" % charset,
                      answer.get("code") == "10000" and answer.get("qr_code"), answer)
            except Exception as e:  # the SDK raises when the signature does not verify
                check("official SDK, %s: precreate answered and its signature accepted" % charset, False, repr(e))
        # A wrong key: isv.invalid-signature, echoing the content the SDK signed.
        client = official_client(gateway, app_key="other2048-pkcs1.pem")
        import alipay.aop.api.DefaultAlipayClient as Default
        signed = {}
        original = Default.get_sign_content

        def capture(params):
            content = original(params)
            signed["content"] = content
            return content

        Default.get_sign_content = capture
        try:
            answer = json.loads(official_precreate(client, "PY-WRONG"))
        finally:
            Default.get_sign_content = original
        echoed = answer.get("sub_msg", "").split("验签字符串为：")[-1].replace("&amp;", "&")
        check("official SDK, wrong key: isv.invalid-signature", answer.get("sub_code") == "isv.invalid-signature", answer)
        check("official SDK, wrong key: the echoed string is the content the SDK signed",
              echoed == signed.get("content"), (echoed, signed.get("content")))
    for fault in ("response-bad-sign", "response-wrong-key"):
        with Gateway(binary, fault) as gateway:
            try:
                official_precreate(official_client(gateway), "PY-" + fault)
                check("official SDK rejects a response with %s" % fault, False, "accepted")
            except Exception as e:
                check("official SDK rejects a response with %s" % fault, "response sign verify failed" in str(e), repr(e))


def post_order_string(gateway, order_string):
    """What the Alipay app does with an order string: posts it whole to the gateway (no query)."""
    request = urllib.request.Request(gateway.url + "/gateway.do", data=order_string.encode("ascii"),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    return urllib.request.urlopen(request).read()


def test_official_upload_and_order_string(binary):
    from alipay.aop.api.FileItem import FileItem
    from alipay.aop.api.domain.AlipayTradeAppPayModel import AlipayTradeAppPayModel
    from alipay.aop.api.request.AlipayOfflineMaterialImageUploadRequest import AlipayOfflineMaterialImageUploadRequest
    from alipay.aop.api.request.AlipayTradeAppPayRequest import AlipayTradeAppPayRequest

    with Gateway(binary) as gateway:
        for charset in ("utf-8", "GBK"):
            # An upload (multipart): the text parts are signed, the file is not.
            request = AlipayOfflineMaterialImageUploadRequest()
            request.image_type = "png"
            request.image_name = "海报 & poster " + charset
            request.image_content = FileItem(file_name="p.png", file_content=b"\x89PNG\r\n--ALIPAY_SDK_PYTHON_BOUNDAR\xff")
            try:
                answer = json.loads(official_client(gateway, charset=charset).execute(request))
                check("official SDK, %s: an image upload (multipart) verified, answered and accepted" % charset,
                      answer.get("code") == "10000" and answer.get("image_id"), answer)
            except Exception as e:
                check("official SDK, %s: an image upload (multipart) verified, answered and accepted" % charset, False, repr(e))
            # An app order string (sdk_execute), posted as the app posts it; the answer verified by python-alipay-sdk.
            model = AlipayTradeAppPayModel()
            model.out_trade_no = "PY-APP-" + charset
            model.total_amount = "6.60"
            model.subject = "测试 a+b&c"
            order = official_client(gateway, charset=charset).sdk_execute(AlipayTradeAppPayRequest(biz_model=model))
            raw = post_order_string(gateway, order).decode("gbk" if charset == "GBK" else "utf-8")
            try:
                answer = fzlee_client(gateway)._verify_and_return_sync_response(raw, "alipay_trade_app_pay_response")
                check("official SDK, %s: an app order string (sdk_execute) verified by the gateway" % charset,
                      answer.get("code") == "10000" and answer.get("out_trade_no") == model.out_trade_no, answer)
            except Exception as e:
                check("official SDK, %s: an app order string (sdk_execute) verified by the gateway" % charset, False,
                      repr(e) + raw)
        # python-alipay-sdk's order string (sorted, sign last, quote_plus).
        order = fzlee_client(gateway).api_alipay_trade_app_pay(subject="测试", out_trade_no="FZ-APP", total_amount="1.00")
        raw = post_order_string(gateway, order).decode()
        try:
            answer = fzlee_client(gateway)._verify_and_return_sync_response(raw, "alipay_trade_app_pay_response")
            check("python-alipay-sdk: an app order string verified by the gateway", answer.get("code") == "10000", answer)
        except Exception as e:
            check("python-alipay-sdk: an app order string verified by the gateway", False, repr(e) + raw)


def test_fzlee_certificate_mode(binary):
    """python-alipay-sdk's certificate-mode client (DCAliPay) against a gateway in certificate mode: the app's
    certificate and Alipay's, the real Alipay root bundle for alipay_root_cert_sn."""
    from alipay import DCAliPay

    generated = os.path.join(ROOT, "vectors", "certificates", "generated")
    app_cert = os.path.join(generated, "chain-leaf-only.pem")               # the rsa2048 key
    alipay_cert = os.path.join(generated, "chain-intermediate-leaf.pem")    # first certificate: the other2048 key
    root = os.path.join(ROOT, "vectors", "certificates", "alipay", "node", "alipayRootCert.crt")
    args = [binary, "--port", "0", "--app-cert", app_cert, "--root-cert", root,
            "--alipay-private-key", os.path.join(KEYS, "other2048-pkcs8.pem"), "--alipay-cert", alipay_cert]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError("the gateway did not start: " + line + process.stderr.read())
        url = line.split(" ", 2)[2].strip()
        with open(app_cert) as a, open(alipay_cert) as b, open(root) as c:
            client = DCAliPay(appid=APP_ID, app_private_key_string=read("rsa2048-pkcs1.pem"),
                              app_public_key_cert_string=a.read(), alipay_public_key_cert_string=b.read(),
                              alipay_root_cert_string=c.read())
        client._gateway = url + "/gateway.do"
        answer = client.api_alipay_trade_precreate(subject="证书模式", out_trade_no="DC-1", total_amount="1.00")
        check("python-alipay-sdk DCAliPay: certificate-mode precreate verified by the gateway, its answer by the SDK",
              answer.get("code") == "10000" and answer.get("qr_code"), answer)
    except Exception as e:
        check("python-alipay-sdk DCAliPay: certificate-mode precreate verified by the gateway, its answer by the SDK",
              False, repr(e))
    finally:
        process.terminate()
        process.wait(timeout=10)


class NotifyEndpoint(http.server.BaseHTTPRequestHandler):
    """A merchant's notify endpoint that verifies with python-alipay-sdk and answers success or fail."""
    verifier = None
    verdicts = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        data = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        signature = data.pop("sign", "")
        data.pop("alipay_cert_sn", None)
        ok = self.verifier.verify(data, signature)
        NotifyEndpoint.verdicts.append((ok, data.get("out_trade_no"), data.get("trade_status")))
        answer = b"success" if ok else b"fail"
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def fzlee_client(gateway):
    from alipay import AliPay

    client = AliPay(appid=APP_ID, app_private_key_string=read("rsa2048-pkcs1.pem"),
                    alipay_public_key_string=read("other2048-spki.pem"), sign_type="RSA2")
    client._gateway = gateway.url + "/gateway.do"
    return client


def test_fzlee_sdk(binary):
    from alipay.exceptions import AliPayValidationError

    server = socketserver.TCPServer(("127.0.0.1", 0), NotifyEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    notify_url = "http://127.0.0.1:%d/notify" % server.server_address[1]
    try:
        with Gateway(binary) as gateway:
            client = fzlee_client(gateway)
            NotifyEndpoint.verifier = client
            answer = client.api_alipay_trade_precreate(subject="通知测试", out_trade_no="FZ-1", total_amount="1.00",
                                                       notify_url=notify_url)
            check("python-alipay-sdk: precreate (a GET) answered and verified", answer.get("code") == "10000", answer)
            query = client.api_alipay_trade_query(out_trade_no="FZ-1")
            check("python-alipay-sdk: query verified", query.get("trade_status") == "WAIT_BUYER_PAY", query)
            urllib.request.urlopen(urllib.request.Request(gateway.url + "/sandbox/pay?out_trade_no=FZ-1", data=b"")).read()
            for _ in range(100):
                if NotifyEndpoint.verdicts:
                    break
                time.sleep(0.05)
            check("python-alipay-sdk verifies the gateway's notification",
                  NotifyEndpoint.verdicts[:1] == [(True, "FZ-1", "TRADE_SUCCESS")], NotifyEndpoint.verdicts)
        with Gateway(binary, "response-bad-sign") as gateway:
            try:
                fzlee_client(gateway).api_alipay_trade_query(out_trade_no="FZ-X")
                check("python-alipay-sdk rejects a response with response-bad-sign", False, "accepted")
            except AliPayValidationError:
                check("python-alipay-sdk rejects a response with response-bad-sign", True)
        NotifyEndpoint.verdicts = []
        with Gateway(binary, "notify-bad-sign") as gateway:
            client = fzlee_client(gateway)
            NotifyEndpoint.verifier = client
            client.api_alipay_trade_precreate(subject="x", out_trade_no="FZ-2", total_amount="1.00", notify_url=notify_url)
            urllib.request.urlopen(urllib.request.Request(gateway.url + "/sandbox/pay?out_trade_no=FZ-2", data=b"")).read()
            for _ in range(100):
                if len(NotifyEndpoint.verdicts) >= 3:
                    break
                time.sleep(0.05)
            check("python-alipay-sdk refuses a notification with notify-bad-sign, and the gateway retries",
                  len(NotifyEndpoint.verdicts) == 3 and not any(v[0] for v in NotifyEndpoint.verdicts), NotifyEndpoint.verdicts)
    finally:
        server.shutdown()


def test_bad_durations_are_usage_errors(binary):
    """Delays and windows that are not seconds are refused at start (exit 64), before the first trade or
    notification could stop the server: NaN, infinite or negative values; and ports outside 0-65535 (70000 was
    taken modulo 65536: the gateway listened on 4464)."""
    base = [binary, "--app-public-key", os.path.join(KEYS, "rsa2048-spki.pem"),
            "--alipay-private-key", os.path.join(KEYS, "other2048-pkcs8.pem"), "--app-id", APP_ID]
    for extra in (["--auto-pay", "nan"], ["--auto-pay", "inf"], ["--auto-pay=-1"], ["--notify-retry-seconds", "1,nan"],
                  ["--notify-retry-seconds", "inf"], ["--timestamp-window", "nan"], ["--timestamp-window=-5"],
                  ["--port", "70000"], ["--port=-1"]):
        port = [] if extra[0].startswith("--port") else ["--port", "0"]
        r = subprocess.run(base + port + extra, capture_output=True, text=True, timeout=30)
        check("the gateway refuses " + " ".join(extra) + " as a usage error", r.returncode == 64, (r.returncode, r.stderr))


if __name__ == "__main__":
    import urllib.request

    # Both SDKs write `timestamp` in the machine's local time (datetime.now()), and the gateway, like Alipay's,
    # reads it as Beijing time: a UTC machine is 8 hours off. Run the SDKs in Beijing time.
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()

    binary = sys.argv[1]
    for test in (test_official_sdk, test_official_upload_and_order_string, test_fzlee_sdk, test_fzlee_certificate_mode,
                 test_bad_durations_are_usage_errors):
        try:
            test(binary)
        except Exception as e:  # a crash of the harness is a failure, never a pass
            check(test.__name__, False, repr(e))
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if results and passed == len(results) else 1)
