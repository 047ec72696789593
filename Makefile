# Otentik: one command to run, one to test. Both install what they need.
#   make run    build the UI and start the Otentik desktop app
#   make test   every test layer: the set-up, format, lints, unit, property, integration (real
#               keyring, real server on SQLite and on PostgreSQL, real X display, the browser
#               extension in a real Chromium), fuzz targets built
#   make bench  benchmarks that print figures (see docs/benchmarks.md)

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
# The UI's Node.js and npm: deps (scripts/node.sh) fetches pinned ones into .tools/node when the
# system's Node.js is missing or too old for the UI. First on PATH for every recipe, so npm and the
# package scripts it starts (vite, svelte-check, vitest) run on it; without the folder, the
# system's Node.js is used.
export PATH := $(CURDIR)/.tools/node/bin:$(PATH)

.PHONY: run test bench deps setup-test lint unit fuzz-build fmt ui tools browser

deps:
	@scripts/deps.sh

# The set-up itself: on a fresh Debian 12 chroot with its Node.js 18, scripts/node.sh brings a
# working Node.js and npm (needs root and the network; about a minute).
setup-test: deps
	scripts/test-node-setup.sh

run: deps ui
	$(CARGO) build --release -p otentik-app -p otentik-cli
	./target/release/otentik-app

# The desktop app's UI (Svelte + TypeScript + Vite): install exactly the locked packages,
# type-check, unit-test (Vitest), build into ui/dist. Before any cargo command that compiles
# src-tauri: tauri::generate_context! embeds ui/dist. After deps, which brings the Node.js.
ui: deps
	cd ui && npm ci --no-audit --no-fund && npm run check && npm test && npm run build

# Test tools installed with cargo when missing: tauri-driver drives the app's real window.
tools:
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked

test: deps setup-test ui browser tools lint unit fuzz-build

# The browser extension (browser/, TypeScript): locked packages, type check, unit tests
# (Vitest), the unpacked extension built into browser/dist.
browser: deps
	cd browser && npm ci --no-audit --no-fund && npm run check && npm test && npm run build

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --features otentik/camera -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --features otentik/camera

# All crates' tests, inside a private D-Bus session with an unlocked gnome-keyring. The app's
# end-to-end tests (tests/e2e) run the debug otentik-app and otentik CLI that this builds, each
# under its own Xvfb display.
unit: ui tools
	OTENTIK_FLOWS_PREBUILT=1 scripts/with-keyring.sh $(CARGO) test --workspace --features otentik/camera
	# The push server's suite and the guide's flows again, on PostgreSQL: a throw-away cluster
	# (Debian's postgresql, started by the tests as the postgres user) instead of SQLite. The
	# binaries are the ones just built: no second build.
	OTENTIK_TEST_DB=postgres OTENTIK_FLOWS_PREBUILT=1 scripts/with-keyring.sh \
		scripts/test-again.sh otentik-server otentik-flows
	# The browser extension in Debian's Chromium under Xvfb, with the real native host and the
	# demo site (the otentik and otentik-server binaries the workspace tests built).
	scripts/with-keyring.sh scripts/browser-e2e.sh

# The fuzz targets live in their own workspace; building proves they compile on stable.
# Running them needs nightly: cargo +nightly fuzz run otpauth_uri
fuzz-build:
	cd fuzz && $(CARGO) build --bins

bench: deps ui tools
	$(CARGO) build --release -p otentik-app -p otentik-cli
	scripts/with-keyring.sh $(CARGO) bench --workspace

fmt:
	$(CARGO) fmt --all
