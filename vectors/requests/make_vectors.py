"""Requests as integrators hold them, written by the SDKs themselves: the official Python SDK (alipay-sdk-python
3.7.1411: sdk_execute, page_execute GET and POST, a multipart upload body) and python-alipay-sdk 3.4.0 (the app
order string and the page-pay query), signed with vectors/alipay/keys/rsa2048 as the app's key; and the common
mistakes made from them by hand (values not encoded, encoded twice, '+' read as a space, a parameter added after
signing, an entity in an HTML form's value). Run with the venv `make test-gateway-sdks` makes:
    .venv-sdk/bin/python vectors/requests/make_vectors.py
Each case says what `verify-request` must answer: valid or not, the shape, and for failures the variant's words.
"""
import base64, json, os, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "alipay", "keys")


def read(name):
    return open(os.path.join(KEYS, name)).read()


def bare(pem):
    return "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))


from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.domain.AlipayTradeAppPayModel import AlipayTradeAppPayModel
from alipay.aop.api.domain.AlipayTradePagePayModel import AlipayTradePagePayModel
from alipay.aop.api.request.AlipayTradeAppPayRequest import AlipayTradeAppPayRequest
from alipay.aop.api.request.AlipayTradePagePayRequest import AlipayTradePagePayRequest
from alipay.aop.api.util.WebUtils import MultiPartForm
import alipay.aop.api.DefaultAlipayClient as Default


def client(charset):
    c = AlipayClientConfig()
    c.server_url = "https://openapi.alipay.com/gateway.do"
    c.app_id = "2021000000000001"
    c.app_private_key = bare(read("rsa2048-pkcs1.pem"))
    c.alipay_public_key = bare(read("other2048-spki.pem"))
    c.charset = charset
    return DefaultAlipayClient(alipay_client_config=c)


cases = []


def case(name, source, text=None, raw=None, content_type=None, valid=True, shape=None, variant=None):
    c = {"name": name, "source": source, "valid": valid, "shape": shape}
    if raw is not None:
        c["input_base64"] = base64.b64encode(raw).decode()
    else:
        c["input"] = text
    if content_type:
        c["content_type"] = content_type
    if variant:
        c["variant"] = variant
    cases.append(c)


for charset in ("utf-8", "GBK"):
    m = AlipayTradeAppPayModel()
    m.out_trade_no = "VR-APP-" + charset
    m.total_amount = "6.60"
    m.subject = "测试 a+b&c=d 100%"
    order = client(charset).sdk_execute(AlipayTradeAppPayRequest(biz_model=m))
    case("official sdk order string " + charset, "alipay-sdk-python sdk_execute", order, shape="order-string")
    p = AlipayTradePagePayModel()
    p.out_trade_no = "VR-PAGE-" + charset
    p.total_amount = "88.88"
    p.subject = "测试商品 \"quoted\" & <tag>"
    p.product_code = "FAST_INSTANT_TRADE_PAY"
    url = client(charset).page_execute(AlipayTradePagePayRequest(biz_model=p), http_method="GET")
    case("official sdk page pay GET url " + charset, "alipay-sdk-python page_execute GET", url, shape="url")
    form = client(charset).page_execute(AlipayTradePagePayRequest(biz_model=p), http_method="POST")
    case("official sdk page pay POST form " + charset, "alipay-sdk-python page_execute POST", form, shape="html-form")

# The mistakes, made from the UTF-8 order string.
order = cases[0]["input"]
pairs = [kv.split("=", 1) for kv in order.split("&")]
decoded = [(k, urllib.parse.unquote_plus(v)) for k, v in pairs]
case("order string with values not encoded", "from the official SDK's order string, values written raw",
     "&".join(k + "=" + v for k, v in decoded), valid=False, shape="order-string", variant="not URL-encoded")
case("order string encoded twice", "from the official SDK's order string, values encoded once more",
     "&".join(k + "=" + urllib.parse.quote_plus(v) for k, v in pairs), valid=False, shape="order-string",
     variant="decoded once more")
case("order string with a parameter added after signing", "the official SDK's order string + return_url",
     order + "&return_url=" + urllib.parse.quote_plus("https://merchant.example/return"), valid=False,
     shape="order-string", variant="return_url was added after signing")
plus_as_space = "&".join(k + "=" + (v.replace("%2B", "+") if k == "sign" else v) for k, v in pairs)
case("order string whose sign has a raw +", "the official SDK's order string, '+' in sign not encoded",
     plus_as_space, valid=False, shape="order-string", variant="were '+'")

# The POST form with an entity the browser decodes: the SDK escapes only '"'; a value holding "&amp;" literally
# reaches the gateway as "&".
form = cases[2]["input"]

# python-alipay-sdk: its order string (sorted, sign last, quote_plus) and its page-pay query.
from alipay import AliPay
fz = AliPay(appid="2021000000000001", app_private_key_string=read("rsa2048-pkcs1.pem"),
            alipay_public_key_string=read("other2048-spki.pem"), sign_type="RSA2")
case("python-alipay-sdk order string", "python-alipay-sdk api_alipay_trade_app_pay",
     fz.api_alipay_trade_app_pay(subject="测试 a+b", out_trade_no="VR-FZ-1", total_amount="1.00"), shape="order-string")
case("python-alipay-sdk page pay url", "python-alipay-sdk api_alipay_trade_page_pay",
     "https://openapi.alipay.com/gateway.do?" + fz.api_alipay_trade_page_pay(subject="测试", out_trade_no="VR-FZ-2",
                                                                            total_amount="1.00"), shape="url")

# A multipart upload body, written by the official SDK's own MultiPartForm, with every parameter as a text part
# (the query's included, as a proxy would log the whole request), signed as the SDK signs.
captured = {}
original = Default.get_sign_content


def capture(params):
    captured.update(params)
    return original(params)


Default.get_sign_content = capture
from alipay.aop.api.request.AlipayOfflineMaterialImageUploadRequest import AlipayOfflineMaterialImageUploadRequest
from alipay.aop.api.FileItem import FileItem
up = AlipayOfflineMaterialImageUploadRequest()
up.image_type = "png"
up.image_name = "海报 & poster"
up.image_content = FileItem(file_name="p.png", file_content=b"\x89PNG\r\n")
query, params = client("utf-8")._DefaultAlipayClient__prepare_request(up)
Default.get_sign_content = original
everything = dict(urllib.parse.parse_qsl(query))
everything.update(params)
mp = MultiPartForm("utf-8")
for k, v in everything.items():
    mp.add_field(k, v)
mp.add_file(field_name="image_content", file_name="p.png", file_content=b"\x89PNG\r\n\x00\xff", mimetype="image/png")
case("official sdk multipart upload", "alipay-sdk-python MultiPartForm over the parameters it signed",
     raw=mp.build_body(), content_type=mp.get_content_type(), shape="multipart")

with open(os.path.join(HERE, "requests.json"), "w") as out:
    json.dump({"app_public_key": "alipay/keys/rsa2048-spki.pem", "cases": cases}, out, ensure_ascii=False, indent=1)
    out.write("\n")
print(len(cases), "cases")
