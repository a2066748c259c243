#!/usr/bin/env python3
"""The library's SM2 signatures checked by independent implementations: BouncyCastle (vectors/sm2/Sm2Peer.java,
Debian's libbcprov-java: the Java SDK's provider), gmssl (PyPI) and the openssl command, each given the
signatures `alipay-sign sign --sign-type SM2 --raw` made over contents in UTF-8 and GBK.
Run by `make test-sm2-peers` (part of `make test`):
    .venv-sdk/bin/python Tests/Integration/sm2_peers.py .build/debug/alipay-sign
Prints ok or FAIL per check and `N passed, N failed`; exit 1 when a check failed.
"""
import base64, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SM2 = os.path.join(ROOT, "vectors", "sm2")
binary = sys.argv[1]
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:300]), flush=True)


contents = [("utf-8", "app_id=2021000000000001&biz_content={\"subject\":\"国密 SM2\"}&charset=utf-8&sign_type=SM2"),
            ("GBK", "app_id=2021000000000001&biz_content={\"subject\":\"测试商品\"}&charset=GBK&sign_type=SM2"),
            ("utf-8", "")]
signed = []
with tempfile.TemporaryDirectory() as work:
    for charset, text in contents:
        path = os.path.join(work, "content")
        with open(path, "wb") as f:
            f.write(text.encode("utf-8"))  # the CLI reads text as UTF-8 and signs its bytes in --charset
        for _ in range(3):  # randomised: several signatures of each
            r = subprocess.run([binary, "sign", "--sign-type", "SM2", "--raw", "--charset", charset, "--private-key",
                                os.path.join(SM2, "sm2-pkcs8.pem"), path], capture_output=True, text=True)
            check("alipay-sign signs SM2 in %s" % charset, r.returncode == 0, r.stderr)
            signed.append((text.encode(charset), r.stdout.strip()))

    # BouncyCastle
    lines = "".join((base64.b64encode(d).decode() or "-") + " " + s + "\n" for d, s in signed)
    r = subprocess.run(["java", "-cp", "/usr/share/java/bcprov.jar", os.path.join(SM2, "Sm2Peer.java"), "verify",
                        os.path.join(SM2, "sm2-spki.b64")], input=lines, capture_output=True, text=True)
    verdicts = r.stdout.split()
    check("BouncyCastle verifies every signature", verdicts == ["true"] * len(signed), (verdicts, r.stderr))
    tampered = "".join((base64.b64encode(d + b"x").decode()) + " " + s + "\n" for d, s in signed)
    r = subprocess.run(["java", "-cp", "/usr/share/java/bcprov.jar", os.path.join(SM2, "Sm2Peer.java"), "verify",
                        os.path.join(SM2, "sm2-spki.b64")], input=tampered, capture_output=True, text=True)
    check("BouncyCastle refuses them over altered content", r.stdout.split() == ["false"] * len(signed), r.stdout)

    # gmssl
    from gmssl import sm2
    text = subprocess.run(["openssl", "pkey", "-pubin", "-in", os.path.join(SM2, "sm2-spki.pem"), "-text", "-noout"],
                          capture_output=True, text=True, check=True).stdout
    xy = "".join(l.strip().replace(":", "") for l in text.split("pub:")[1].split("\n")[1:] if l.startswith("    "))
    gm = sm2.CryptSM2(private_key=None, public_key=xy[2:], asn1=True)
    check("gmssl verifies every signature", all(gm.verify_with_sm3(base64.b64decode(s).hex(), d) for d, s in signed))

    # The openssl command
    ok = True
    for i, (d, s) in enumerate(signed):
        data, sig = os.path.join(work, "d%d" % i), os.path.join(work, "s%d" % i)
        open(data, "wb").write(d)
        open(sig, "wb").write(base64.b64decode(s))
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey",
                            os.path.join(SM2, "sm2-spki.pem"), "-pkeyopt", "distid:1234567812345678", "-sigfile", sig,
                            "-in", data], capture_output=True, text=True)
        ok = ok and r.returncode == 0
    check("openssl pkeyutl (distid 1234567812345678) verifies every signature", ok)

passed = sum(results)
print("%d passed, %d failed" % (passed, len(results) - passed))
sys.exit(0 if results and passed == len(results) else 1)
