# AlipaySign: `make demo` and `make test` each install the system libraries if missing, then build.
SWIFT ?= swift
BIN := .build/debug/alipay-sign
EX := examples

.PHONY: deps build release rules demo test test-server test-gateway-sdks test-sm2-peers test-spark docs fuzz fuzz-short sanitize sanitize-thread-suites bench bench-compare bench-check bench-thresholds clean

deps:
	@.ci/ensure-deps

build: deps
	$(SWIFT) build --product alipay-sign

# The CLI for production use: optimised, Swift runtime linked statically (start-up to a first signature ~11 ms
# instead of ~15 ms). The binary is .build/release/alipay-sign.
release: deps
	$(SWIFT) build -c release --product alipay-sign --static-swift-stdlib

# After editing Sources/AlipayConformance/Rules/*.json: embed them into the binary (a test checks this was done).
rules:
	python3 Sources/AlipayConformance/Rules/embed.py

# The main job on the bundled examples: check a capture, then the single operations one by one.
demo: build
	@# git keeps no file modes but the executable bit: the example private keys come out 0644, and the CLI warns
	@# about a private key file others can read.
	@chmod 600 $(EX)/keys/*-private-key.pem
	@echo "== alipay-sign check on examples/capture.har (v2, v3, notifications, and deliberately broken exchanges)"
	@$(BIN) check --app-public-key $(EX)/keys/app-public-key.pem --alipay-public-key $(EX)/keys/alipay-public-key.pem \
	  $(EX)/capture.har; echo "exit code $$? (1: some findings are errors)"
	@echo
	@echo "== The canonical content of examples/request.json (what is signed)"
	@$(BIN) content $(EX)/request.json
	@echo
	@echo "== Its RSA2 signature with the example app key (alipay-sign sign --json)"
	@$(BIN) sign --private-key $(EX)/keys/app-private-key.pem --json $(EX)/request.json
	@echo
	@echo "== Which key is which (alipay-sign keys inspect)"
	@$(BIN) keys inspect $(EX)/keys/app-private-key.pem $(EX)/keys/app-public-key.pem $(EX)/keys/alipay-public-key.pem
	@echo
	@echo "== A payment notification signed by the example Alipay key (V1)"
	@$(BIN) verify-notify --public-key $(EX)/keys/alipay-public-key.pem $(EX)/notify-trade.txt
	@echo
	@echo "== A real notification signed by Alipay (from the official Node SDK's tests; verifies V2)"
	@$(BIN) verify-notify --public-key $(EX)/keys/alipay-real-notify-public-key.pem $(EX)/notify-real-alipay.txt
	@echo
	@echo "== The same notification with one value altered: invalid, exit code 1"
	@$(BIN) verify-notify --public-key $(EX)/keys/alipay-real-notify-public-key.pem $(EX)/notify-tampered.txt; \
	  echo "exit code $$?"
	@echo
	@echo "== A real gateway response signed by Alipay (Node SDK tests): the exact signed bytes, then the verdict"
	@$(BIN) extract --method alipay.open.file.upload $(EX)/response-real-alipay.json
	@$(BIN) verify-response --public-key $(EX)/keys/alipay-real-response-public-key.pem --method alipay.open.file.upload \
	  $(EX)/response-real-alipay.json
	@echo
	@echo "== v3: the Authorization header of a GET to the public-account API, then its verification"
	@H=$$($(BIN) v3 sign --private-key $(EX)/keys/app-private-key.pem --app-id 2021000000000001 --method GET \
	  --uri '/v3/alipay/open/public/account/query?user_id=2088102000000001' --nonce 5f0b7a2e-8c1d-4e6f-9a3b-2c4d6e8f0a1b \
	  --timestamp 1763805600000) && echo "$$H" && \
	  $(BIN) v3 verify-request --public-key $(EX)/keys/app-public-key.pem --method GET \
	  --uri '/v3/alipay/open/public/account/query?user_id=2088102000000001' --authorization "$$H" && \
	  echo "== The same header presented for a DELETE: invalid, and the hint names line 2" && \
	  ($(BIN) v3 verify-request --public-key $(EX)/keys/app-public-key.pem --method DELETE \
	  --uri '/v3/alipay/open/public/account/query?user_id=2088102000000001' --authorization "$$H"; echo "exit code $$?")
	@echo
	@echo "== Certificate mode: app_cert_sn and alipay_root_cert_sn of the official SDKs' real certificates"
	@$(BIN) cert sn $(EX)/certificates/appCertPublicKey_2021001161683774.crt
	@$(BIN) cert root-sn $(EX)/certificates/alipayRootCert.crt
	@echo
	@echo "== A request signed in certificate mode (the two SNs are added, then signed)"
	@$(BIN) sign --private-key $(EX)/keys/app-private-key.pem --app-cert $(EX)/certificates/appCertPublicKey_2021001161683774.crt \
	  --root-cert $(EX)/certificates/alipayRootCert.crt --json $(EX)/request.json
	@echo
	@echo "== Is Alipay's certificate chain trusted under the root bundle? On 2022-06-01 yes; today it has expired (exit 1)"
	@$(BIN) cert verify --root $(EX)/certificates/alipayRootCert.crt --at 2022-06-01 $(EX)/certificates/alipayCertPublicKey_RSA2-dotnet.crt
	@$(BIN) cert verify --root $(EX)/certificates/alipayRootCert.crt $(EX)/certificates/alipayCertPublicKey_RSA2-dotnet.crt; \
	  echo "exit code $$?"
	@echo
	@echo "== The local gateway: a signed request answered and verified, one signed with the wrong key refused"
	@$(SWIFT) build --product alipay-sign-gateway > /dev/null
	@python3 $(EX)/gateway-demo.py .build/debug

test: deps
	$(SWIFT) build --build-tests
	SWIFT_BACKTRACE=enable=no timeout 1200 $(SWIFT) test --skip-build
	$(MAKE) test-server
	$(MAKE) test-gateway-sdks
	$(MAKE) test-sm2-peers

# The local gateway driven by the official Python SDK (alipay-sdk-python) and python-alipay-sdk, installed from PyPI
# into .venv-sdk/ (ignored) the first time, with gmssl for the SM2 peer checks.
SDK_VENV := .venv-sdk
$(SDK_VENV)/.ready-3:
	python3 -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/pip install --quiet --disable-pip-version-check alipay-sdk-python==3.7.1411 python-alipay-sdk==3.4.0 gmssl==3.2.2
	touch $@

test-gateway-sdks: deps $(SDK_VENV)/.ready-3
	$(SWIFT) build --product alipay-sign-gateway
	timeout 300 $(SDK_VENV)/bin/python Tests/Integration/gateway_sdks.py .build/debug/alipay-sign-gateway

# The library's SM2 signatures verified by BouncyCastle (Debian's libbcprov-java, run by the JDK), gmssl and the
# openssl command (Tests/Integration/sm2_peers.py).
test-sm2-peers: deps $(SDK_VENV)/.ready-3
	$(SWIFT) build --product alipay-sign
	timeout 120 $(SDK_VENV)/bin/python Tests/Integration/sm2_peers.py .build/debug/alipay-sign

# examples/spark/check_capture.py run by Spark in local mode (local[2]) over a 20,700-exchange capture with the
# static CLI, against one `check` run over the same capture (Tests/Integration/spark_check.py). pyspark (with its
# Spark jars) comes from PyPI into .venv-spark/ (ignored) the first time; Spark runs on the JDK ensure-deps installs.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.ready-1:
	python3 -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --disable-pip-version-check pyspark==4.3.0
	touch $@

test-spark: release $(SPARK_VENV)/.ready-1
	timeout 600 $(SPARK_VENV)/bin/python Tests/Integration/spark_check.py .build/release/alipay-sign

# examples/server: the Hummingbird example, its own package, built in this package's build directory: it resolves
# the same versions, so SwiftNIO, Hummingbird and BoringSSL (for Hummingbird's test client) are the ones `make test`
# has just built (CI on 2026-12-01: 343 s to build the example in a directory of its own, 20 s here; this package's
# next build then takes 10-35 s to take its own graph back).
test-server: deps
	cd examples/server && $(SWIFT) build --build-tests --scratch-path ../../.build
	cd examples/server && SWIFT_BACKTRACE=enable=no timeout 600 $(SWIFT) test --skip-build --scratch-path ../../.build

# The DocC documentation of both libraries (.build/plugins/Swift-DocC/outputs/*.doccarchive), failing on any DocC
# warning; then every public symbol must be documented, with Parameters/Returns/Throws where they apply.
docs: deps
	$(SWIFT) package --disable-sandbox generate-documentation --target AlipaySign --target AlipayConformance \
	  --warnings-as-errors
	@for t in AlipaySign AlipayConformance; do \
	  python3 scripts/doc-coverage.py "$$(find .build -path "*extracted-symbols*/$$t/$$t.symbols.json" | head -n 1)" || exit 1; \
	done

# libFuzzer over fourteen targets (fuzz/run.sh: the table of executions and crashes), FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz: deps
	fuzz/run.sh $(FUZZ_SECONDS)

# The short pass CI runs: 5 s per target, 45 s in all (plus the instrumented build).
fuzz-short: deps
	fuzz/run.sh 5

# The suites of the library, the conformance module and the CLI under AddressSanitizer, and the CLI's concurrent
# paths (batch modes and check on several workers, over the vectors) under ThreadSanitizer, with only the CLI built
# for it (scripts/tsan-cli.sh). The ASan build leaves the local gateway out (ALIPAY_SIGN_CORE_ONLY=1, Package.swift):
# its code has no unsafe pointer, and instrumenting SwiftNIO, Hummingbird and BoringSSL again was most of this
# step's time (a clean ASan build 436 s with them on CI's slowest run, ~105 s without). The versions are the ones
# Package.resolved pins for the whole package, so that this build neither re-resolves nor rewrites it.
# Leak detection is off: the test harness's and Foundation.Process's objects alive at exit are reported as leaks
# (a run with it on found the one real leak, since fixed).
sanitize: deps
	@test -f Package.resolved || $(SWIFT) package resolve
	ALIPAY_SIGN_CORE_ONLY=1 ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no $(SWIFT) test --sanitize=address \
	  --build-path .build-asan --only-use-versions-from-resolved-file
	scripts/tsan-cli.sh

# The library and conformance suites under ThreadSanitizer: a second sanitized build of every target, servers
# included (several minutes more than `make sanitize`; not in CI).
sanitize-thread-suites: deps
	SWIFT_BACKTRACE=enable=no $(SWIFT) test --sanitize=thread --build-path .build-tsan-suites --filter 'AlipaySignTests|AlipayConformanceTests'

bench: deps
	cd bench && $(SWIFT) package --disable-sandbox benchmark

bench-compare: deps
	bench/compare.sh

# Allocation counts per operation (p90) against the committed bench/Thresholds (exit non-zero on a regression).
# Instruction counts need hardware performance counters, which these VMs do not expose; where they exist, add
# --metric instructions to both targets and commit the thresholds it writes.
bench-check: deps
	cd bench && $(SWIFT) package --disable-sandbox benchmark thresholds check --metric mallocCountTotal

# Rewrites bench/Thresholds from a fresh run: after a deliberate change, review the diff and commit it.
bench-thresholds: deps
	cd bench && $(SWIFT) package --disable-sandbox benchmark thresholds update --metric mallocCountTotal

clean:
	rm -rf .build .build-asan .build-tsan bench/.build fuzz/.build
