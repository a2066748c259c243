"""Mini-program sensitive data (my.getPhoneNumber, docs/PROTOCOL.md §15) as the mini program receives it: the
response AES-encrypted (AES-CBC, zero IV, PKCS#7) and signed RSA2 by Python `cryptography` with
../alipay/keys/other2048 playing Alipay, over the ciphertext in double quotes (or the plain JSON when unencrypted).
Run: python3 vectors/open-data/make_vectors.py. Nothing here comes from AlipaySign.
"""
import base64, json, os
from cryptography.hazmat.primitives import hashes, padding as sympadding, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = os.path.dirname(os.path.abspath(__file__))
key = serialization.load_pem_private_key(open(os.path.join(HERE, "../alipay/keys/other2048-pkcs8.pem"), "rb").read(), None)
AES_KEY = base64.b64decode("aYA0GP8JEW+D7/UFaskCWA==")
OTHER_AES = "1234567890abcdefghijkl=="


def sign(text):
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def encrypt(text):
    p = sympadding.PKCS7(128).padder()
    data = p.update(text.encode()) + p.finalize()
    e = Cipher(algorithms.AES(AES_KEY), modes.CBC(b"\0" * 16)).encryptor()
    return base64.b64encode(e.update(data) + e.finalize()).decode()


plain = '{"code":"10000","msg":"Success","mobile":"13800000000"}'
cipher = encrypt(plain)
signed = {"response": cipher, "sign": sign('"' + cipher + '"'), "sign_type": "RSA2", "encrypt_type": "AES", "charset": "UTF-8"}
cases = [
    {"name": "encrypted and signed", "input": json.dumps(signed), "aes_key": "aYA0GP8JEW+D7/UFaskCWA==",
     "status": "valid", "exit": 0, "plaintext": plain},
    {"name": "encrypted and signed, no key", "input": json.dumps(signed), "aes_key": None, "status": "valid", "exit": 0,
     "plaintext": None},
    {"name": "the object as a JSON string (res.response)", "input": json.dumps(json.dumps(signed)),
     "aes_key": "aYA0GP8JEW+D7/UFaskCWA==", "status": "valid", "exit": 0, "plaintext": plain},
    {"name": "older client: response and sign only", "input": json.dumps({"response": cipher, "sign": signed["sign"]}),
     "aes_key": "aYA0GP8JEW+D7/UFaskCWA==", "status": "valid", "exit": 0, "plaintext": plain},
    {"name": "signed over the ciphertext without quotes", "input": json.dumps(dict(signed, sign=sign(cipher))),
     "aes_key": "aYA0GP8JEW+D7/UFaskCWA==", "status": "invalid", "exit": 1, "plaintext": None},
    {"name": "ciphertext altered", "input": json.dumps(dict(signed, response=encrypt(plain.replace("138", "139")))),
     "aes_key": "aYA0GP8JEW+D7/UFaskCWA==", "status": "invalid", "exit": 1, "plaintext": None},
    {"name": "wrong AES key", "input": json.dumps(signed), "aes_key": OTHER_AES, "status": None, "exit": 2, "plaintext": None},
    {"name": "unencrypted error answer, unsigned",
     "input": json.dumps({"response": '{"code":"40001","msg":"Missing Required Arguments","subCode":"isv.missing-encrypt-key","subMsg":"缺少加密配置"}'}, ensure_ascii=False),
     "aes_key": None, "status": "unsignedError", "exit": 1, "plaintext": None},
    {"name": "plain and signed", "input": json.dumps({"response": plain, "sign": sign(plain), "sign_type": "RSA2"}),
     "aes_key": None, "status": "valid", "exit": 0, "plaintext": plain},
    {"name": "not open data", "input": '{"resp":"x"}', "aes_key": None, "status": None, "exit": 2, "plaintext": None},
]
with open(os.path.join(HERE, "open-data.json"), "w") as out:
    json.dump({"alipay_public_key": "alipay/keys/other2048-spki.pem", "cases": cases}, out, ensure_ascii=False, indent=1)
    out.write("\n")
