# AlipaySign: `make demo` and `make test` each install the system libraries if missing, then build.
SWIFT ?= swift
BIN := .build/debug/alipay-sign
EX := examples

.PHONY: deps build demo test bench bench-compare clean

deps:
	@.ci/ensure-deps

build: deps
	$(SWIFT) build --product alipay-sign

# The main job on the bundled examples: sign a request, verify notifications, print what was signed.
demo: build
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

test: deps
	$(SWIFT) build --build-tests
	SWIFT_BACKTRACE=enable=no timeout 1200 $(SWIFT) test --skip-build

bench: deps
	cd bench && $(SWIFT) package --disable-sandbox benchmark

bench-compare: deps
	bench/compare.sh

clean:
	rm -rf .build bench/.build
