#!/usr/bin/env bash
# Our RSA-2048 sign and verify throughput next to `openssl speed` on the same machine, in the same run.
# Usage: bench/compare.sh [SECONDS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-3}

swift build -c release --product throughput >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "openssl: $(openssl version)"
echo

speed=$(openssl speed -seconds "$seconds" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6, $7}')
read -r ossl_sign ossl_verify <<<"$speed"
ours=$(.build/release/throughput --seconds "$seconds")
get() { awk -v k="$1" '$1 == k {print $2}' <<<"$ours"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
printf '%-44s %12s %8s\n' "operation (RSA-2048, 1 thread)" "ops/s" "ratio"
printf '%-44s %12.0f %8s\n' "openssl speed: sign" "$ossl_sign" "1.000"
printf '%-44s %12.0f %8s\n' "AlipaySign: RSA2 sign (content bytes)" "$(get sign)" "$(ratio "$(get sign)" "$ossl_sign")"
printf '%-44s %12.0f %8s\n' "AlipaySign: RSA2 sign of a request (+content, base64)" "$(get sign-request)" \
  "$(ratio "$(get sign-request)" "$ossl_sign")"
printf '%-44s %12.0f %8s\n' "openssl speed: verify" "$ossl_verify" "1.000"
printf '%-44s %12.0f %8s\n' "AlipaySign: RSA2 verify" "$(get verify)" "$(ratio "$(get verify)" "$ossl_verify")"
printf '%-44s %12.0f %8s\n' "AlipaySign: notification verify (parse+V1+verify)" "$(get verify-notify)" \
  "$(ratio "$(get verify-notify)" "$ossl_verify")"
printf '%-44s %12.0f\n' "AlipaySign: canonical content, 10 parameters" "$(get content)"
echo
echo "sign ratio:   $(ratio "$(get sign)" "$ossl_sign")   (target >= 0.95)"
echo "verify ratio: $(ratio "$(get verify)" "$ossl_verify")   (target >= 0.90)"
