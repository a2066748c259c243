"""Multipart bodies written by the official Python SDK's own MultiPartForm (alipay-sdk-python 3.7.1411,
alipay/aop/api/util/WebUtils.py), the fields they were given, and the Java SDK's layout (WebUtils.doPost, written
out from its format strings). Run with the venv that `make test-gateway-sdks` makes:
    .venv-sdk/bin/python vectors/multipart/make_vectors.py
"""
import base64, json, os
from alipay.aop.api.util.WebUtils import MultiPartForm

here = os.path.dirname(os.path.abspath(__file__))
png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\r\n--ALIPAY_SDK_PYTHON_BOUNDAR\x00\xff"
cases = []

def python_case(name, charset, fields, files):
    form = MultiPartForm(charset)
    for k, v in fields:
        form.add_field(k, v)
    for field, filename, content in files:
        form.add_file(field_name=field, file_name=filename, file_content=content, mimetype="image/png")
    cases.append({"name": name, "content_type": form.get_content_type(), "body": base64.b64encode(form.build_body()).decode(),
                  "charset": charset, "text": dict(fields),
                  "files": [{"name": f, "filename": n, "content": base64.b64encode(c).decode()} for f, n, c in files]})

python_case("python sdk utf-8 image upload", "utf-8",
            [("image_type", "png"), ("image_name", "海报 & poster=1%")], [("image_content", "poster.png", png)])
python_case("python sdk gbk text only", "gbk", [("image_type", "jpg"), ("image_name", "测试图片")], [])

def java_body(boundary, charset, fields, files):
    # WebUtils.doPost(url, params, fileParams, charset, ...): every part preceded by "\r\n--" + boundary + "\r\n";
    # getTextEntry: "Content-Disposition:form-data;name=\"k\"\r\nContent-Type:text/plain\r\n\r\n";
    # getFileEntry: "Content-Disposition:form-data;name=\"k\";filename=\"f\"\r\nContent-Type:<mime>\r\n\r\n";
    # end: "\r\n--" + boundary + "--\r\n".
    out = b""
    for k, v in fields:
        out += ("\r\n--" + boundary + "\r\n").encode(charset)
        out += ('Content-Disposition:form-data;name="%s"\r\nContent-Type:text/plain\r\n\r\n' % k).encode(charset)
        out += v.encode(charset)
    for k, f, c in files:
        out += ("\r\n--" + boundary + "\r\n").encode(charset)
        out += ('Content-Disposition:form-data;name="%s";filename="%s"\r\nContent-Type:image/png\r\n\r\n' % (k, f)).encode(charset)
        out += c
    out += ("\r\n--" + boundary + "--\r\n").encode(charset)
    return out

for name, charset, fields, files in [
    ("java sdk utf-8 image upload", "UTF-8", [("image_type", "png"), ("image_name", "海报 & poster")], [("image_content", "p.png", png)]),
    ("java sdk gbk", "GBK", [("image_name", "测试图片"), ("image_type", "jpg")], [("image_content", "p.png", b"\r\n--17000")]),
]:
    boundary = "1700000000000"
    cases.append({"name": name, "content_type": "multipart/form-data;boundary=%s;charset=%s" % (boundary, charset),
                  "body": base64.b64encode(java_body(boundary, charset, fields, files)).decode(), "charset": charset,
                  "text": dict(fields),
                  "files": [{"name": f, "filename": n, "content": base64.b64encode(c).decode()} for f, n, c in files]})

with open(os.path.join(here, "multipart.json"), "w") as out:
    json.dump({"source": "alipay-sdk-python 3.7.1411 MultiPartForm; the Java SDK's WebUtils.doPost layout", "cases": cases},
              out, ensure_ascii=False, indent=1)
    out.write("\n")
