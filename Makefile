# Otentik: one command to run, one to test. Both install what they need.
#   make run    build and start Otentik (until the desktop app lands: the CLI's help)
#   make test   every test layer: format, lints, unit, property, integration (real keyring,
#               real server, real X display), fuzz targets built
#   make bench  benchmarks that print figures (see docs/benchmarks.md)

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run test bench deps lint unit fuzz-build fmt

deps:
	@scripts/deps.sh

run: deps
	$(CARGO) build --release -p otentik-cli
	./target/release/otentik --help

test: deps lint unit fuzz-build

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --features otentik/camera -- -D warnings

# All crates' tests, inside a private D-Bus session with an unlocked gnome-keyring.
unit:
	OTENTIK_FLOWS_PREBUILT=1 scripts/with-keyring.sh $(CARGO) test --workspace --features otentik/camera

# The fuzz targets live in their own workspace; building proves they compile on stable.
# Running them needs nightly: cargo +nightly fuzz run otpauth_uri
fuzz-build:
	cd fuzz && $(CARGO) build --bins

bench: deps
	scripts/with-keyring.sh $(CARGO) bench --workspace

fmt:
	$(CARGO) fmt --all
