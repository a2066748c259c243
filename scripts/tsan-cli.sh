#!/usr/bin/env bash
# The CLI's concurrent paths under ThreadSanitizer: batch signing and verification on several workers (UTF-8, GBK
# and GB18030 notifications, whose converters are pooled across threads; JSON responses in UTF-8 and GBK) and
# `check` on several workers over several blocks, over the vectors. Only the CLI and what it links (the library,
# the conformance target, ArgumentParser) are built with the sanitizer: none of the server's dependencies.
# Exit 1 on any report of the sanitizer, or on an exit code other than 0 or 1 (some vectors are invalid on purpose).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product alipay-sign --sanitize=thread --build-path .build-tsan >/dev/null
cli=.build-tsan/debug/alipay-sign
keys=vectors/alipay/keys
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import base64, json, sys
d = sys.argv[1]
cases = json.load(open("vectors/alipay/notifications.json"))["cases"]
for charset in ("UTF-8", "GBK", "GB18030"):
    with open(f"{d}/notify-{charset}.jsonl", "w") as f:
        f.writelines(json.dumps({"body": c["body"]}) + "\n" for c in cases * 300 if c["charset"] == charset)
with open(d + "/sign.jsonl", "w") as f:
    for i in range(400):
        f.write(json.dumps({"app_id": "2021000000000001", "method": "alipay.trade.query", "charset": "utf-8",
                            "sign_type": "RSA2", "timestamp": "2026-11-22 10:00:00", "version": "1.0",
                            "biz_content": json.dumps({"out_trade_no": "T%06d" % i, "subject": "测试"}, ensure_ascii=False)},
                           ensure_ascii=False) + "\n")
responses = json.load(open("vectors/responses/responses.json"))["responses"]
for charset in ("utf-8", "GBK"):
    with open(f"{d}/responses-{charset}.jsonl", "w") as f:
        for r in responses * 40:
            if r["format"] == "json" and r["charset"] == charset and r.get("expected") and not r.get("aes_key"):
                body = base64.b64decode(r["body_b64"]).decode("utf-8" if charset == "utf-8" else "gbk")
                f.write(json.dumps({"body": body, "method": r["method"]}, ensure_ascii=False) + "\n")
with open(d + "/capture.jsonl", "w") as f:
    # 2,300 exchanges: three blocks of 4 workers, so that a block is checked while the next is read (ParallelCheck).
    f.write(open("vectors/captures/capture.jsonl", encoding="utf-8").read() * 100)
PY
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
run() {  # run NAME STDIN COMMAND...
  local name=$1 input=$2
  shift 2
  local rc=0
  "$@" <"$input" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -eq 66 ] || grep -q "ThreadSanitizer" "$tmp/err"; then
    echo "tsan: $name: the sanitizer reported"
    head -80 "$tmp/err"
    exit 1
  fi
  if [ "$rc" -gt 1 ]; then
    echo "tsan: $name: exit code $rc"
    head -20 "$tmp/err"
    exit 1
  fi
  echo "tsan: $name: $(wc -l <"$tmp/out") lines, exit $rc, no report"
}
run "sign --jsonl --threads 4" "$tmp/sign.jsonl" $cli sign --jsonl --threads 4 --private-key $keys/rsa2048-pkcs8.pem
for charset in UTF-8 GBK GB18030; do
  run "verify-notify --jsonl --threads 4 ($charset)" "$tmp/notify-$charset.jsonl" \
    $cli verify-notify --jsonl --threads 4 --public-key $keys/rsa2048-spki.pem
done
run "verify-response --jsonl --threads 4" "$tmp/responses-utf-8.jsonl" \
  $cli verify-response --jsonl --threads 4 --public-key $keys/rsa2048-spki.pem
run "verify-response --jsonl --threads 4 --charset GBK" "$tmp/responses-GBK.jsonl" \
  $cli verify-response --jsonl --threads 4 --charset GBK --public-key $keys/rsa2048-spki.pem
run "check --threads 4 --format json" /dev/null $cli check --threads 4 --format json \
  --app-public-key $keys/other2048-spki.pem --alipay-public-key $keys/rsa2048-spki.pem "$tmp/capture.jsonl"
