#!/usr/bin/env bash
# Load on the local gateway (issue 14): wrk posts one pre-signed alipay.trade.query for SECONDS (default 60) on
# loopback with 2 threads and 32 connections; each request costs the gateway an RSA2 verification and an RSA2
# signature, so `openssl speed -multi 2 rsa2048` sign/s, measured in the same run, is the ceiling.
# Prints requests/s and its ratio to that ceiling, p50/p99 latency, non-2xx and socket errors, and the gateway's
# resident memory at the start and the end. Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 2; }
swift build -c release --product alipay-sign > /dev/null
swift build -c release --product alipay-sign-gateway > /dev/null
BIN=.build/release
KEYS=vectors/alipay/keys
work=$(mktemp -d)
trap 'kill $gw 2> /dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

"$BIN/alipay-sign-gateway" --port 0 --app-public-key $KEYS/rsa2048-spki.pem --alipay-private-key $KEYS/other2048-pkcs8.pem \
  --timestamp-window 86400 > "$work/out" 2> /dev/null &
gw=$!
for _ in $(seq 50); do grep -q listening "$work/out" 2> /dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/out")

# One request, signed once by the CLI: the query and the body as the Java SDK splits them.
ts=$(TZ=Asia/Shanghai date '+%Y-%m-%d %H:%M:%S')
printf '{"app_id":"2021000000000001","method":"alipay.trade.query","charset":"utf-8","sign_type":"RSA2","timestamp":"%s","version":"1.0","format":"JSON","biz_content":"{\\"out_trade_no\\":\\"LOAD-1\\"}"}' "$ts" > "$work/request.json"
sign=$("$BIN/alipay-sign" sign --private-key $KEYS/rsa2048-pkcs8.pem "$work/request.json")
python3 - "$work" "$sign" "$ts" << 'PY'
import sys, urllib.parse
work, sign, ts = sys.argv[1:]
query = urllib.parse.urlencode({"method": "alipay.trade.query", "version": "1.0", "app_id": "2021000000000001",
                                "sign_type": "RSA2", "charset": "utf-8", "timestamp": ts, "sign": sign, "format": "JSON"})
body = urllib.parse.urlencode({"biz_content": '{"out_trade_no":"LOAD-1"}'})
open(work + "/post.lua", "w").write(
    'wrk.method = "POST"\nwrk.path = "/gateway.do?%s"\nwrk.body = "%s"\n'
    'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8"\n' % (query, body))
PY
# The answer must be a verified business answer (the trade does not exist), not a refusal.
curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded;charset=utf-8' \
  --data "$(sed -n 's/^wrk.body = "\(.*\)"$/\1/p' "$work/post.lua")" \
  "$url$(sed -n 's/^wrk.path = "\(.*\)"$/\1/p' "$work/post.lua")" | tee "$work/answer" | grep -q ACQ.TRADE_NOT_EXIST \
  || { echo "the pre-signed request is not accepted: $(cat "$work/answer" 2> /dev/null)"; exit 1; }

rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/$gw/status; }
echo "gateway resident memory at the start: $(rss)"
speed=$(openssl speed -seconds 10 -multi 2 rsa2048 2> /dev/null | awk '/^rsa 2048/ {print $6}')
cpu() { awk '{print $14 + $15}' /proc/$gw/stat; }
cpu_start=$(cpu)
wrk -t2 -c32 -d"${SECONDS_TO_RUN}s" --latency -s "$work/post.lua" "$url" > "$work/wrk"
cpu_end=$(cpu)
echo "gateway resident memory at the end:   $(rss)"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
echo "openssl speed -multi 2 rsa2048 sign/s: $speed"
echo "gateway verified requests/s:          $rps ($(python3 -c "print(round($rps / $speed, 2))") of the ceiling)"
# Where the difference goes: the gateway's CPU time per request against openssl's per signature (one core each).
python3 - "$cpu_start" "$cpu_end" "$(getconf CLK_TCK)" "$SECONDS_TO_RUN" "$rps" "$speed" << 'PY'
import sys
start, end, tick, seconds, rps, speed = map(float, sys.argv[1:])
cores = (end - start) / tick / seconds
print("gateway CPU: %.2f cores busy, %.0f us per request; openssl: %.0f us per signature"
      % (cores, cores / rps * 1e6, 2 / speed * 1e6))
PY
grep -E "^ +(50|99)%|Non-2xx|Socket errors" "$work/wrk" | sed 's/^ */  latency /'
grep -q "Non-2xx\|Socket errors" "$work/wrk" && echo "errors: see above" || echo "errors: 0"
