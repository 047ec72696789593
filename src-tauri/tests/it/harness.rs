//! A mock app over a temporary vault, and a way to call its commands the way the webview does.
//!
//! The vault's secrets live in the core's in-memory store (feature `test-store`): the keyring
//! itself is tested in the core, and here only by [`Harness::keyring`], the smoke test's
//! harness over the real Secret Service.

use std::sync::Arc;

use otentik::vault::{KeyringStore, MemoryStore, SecretStore, Vault};
use otentik_app::clipboard::Copier;
use otentik_app::clock::{Clock, FixedClock};
use otentik_app::state::AppState;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

/// 2023-11-14T22:13:32Z: 2 s into a 30-second period, 28 s left.
pub const NOW_MS: u64 = 1_700_000_012_000;

pub struct Harness {
    pub app: App<MockRuntime>,
    pub main: WebviewWindow<MockRuntime>,
    pub dir: tempfile::TempDir,
    pub service: String,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_clock(Arc::new(FixedClock::at_ms(NOW_MS)))
    }

    /// Over a vault of its own in memory, with `clock` (the system clock where a server checks
    /// time).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        let store = MemoryStore::new();
        Self::over(clock, String::new(), move |_| Ok(Box::new(store.clone())))
    }

    /// Over a vault of its own in the real keyring (namespace [`Harness::service`]), at
    /// [`NOW_MS`]: for the one smoke test that proves the commands reach the Secret Service.
    pub fn keyring() -> Self {
        otentik_test_support::keyring::require_session();
        let service = otentik_test_support::keyring::service("app-test");
        Self::over(Arc::new(FixedClock::at_ms(NOW_MS)), service, |service| {
            Ok(Box::new(KeyringStore::connect(service.to_owned())?))
        })
    }

    fn over(
        clock: Arc<dyn Clock>,
        service: String,
        store: impl Fn(&str) -> otentik::Result<Box<dyn SecretStore>> + Send + Sync + 'static,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (vault_dir, vault_service) = (dir.path().join("data"), service.clone());
        let state = AppState::new(
            Box::new(move || Vault::open(vault_dir.clone(), store(&vault_service)?)),
            clock,
            Copier::new(std::time::Duration::from_secs(30)),
        );
        Self::with_state(state, dir, service)
    }

    pub fn with_state(state: AppState, dir: tempfile::TempDir, service: String) -> Self {
        let app = otentik_app::app(mock_builder(), state)
            .build(otentik_app::context())
            .unwrap();
        // The configuration's window, or one like it.
        let main = match app.get_webview_window("main") {
            Some(main) => main,
            None => WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .unwrap(),
        };
        Self {
            app,
            main,
            dir,
            service,
        }
    }

    /// Calls `cmd` from the main window with JSON arguments.
    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        call_from(&self.main, "tauri://localhost", cmd, InvokeBody::Json(args))
    }

    /// Calls `cmd` from the main window with a raw body and headers.
    pub fn call_raw(
        &self,
        cmd: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Result<Value, Value> {
        let mut map = tauri::http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                tauri::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        request(
            &self.main,
            "tauri://localhost",
            cmd,
            InvokeBody::Raw(body),
            map,
        )
    }

    /// Adds accounts from a URI through the UI's path (read, then confirm).
    pub fn add_uri(&self, uri: &str) -> Value {
        let pending = self
            .call("read_text", serde_json::json!({ "text": uri }))
            .unwrap();
        self.call(
            "confirm_add",
            serde_json::json!({ "token": pending["token"] }),
        )
        .unwrap()
    }
}

pub fn call_from(
    window: &WebviewWindow<MockRuntime>,
    url: &str,
    cmd: &str,
    body: InvokeBody,
) -> Result<Value, Value> {
    request(window, url, cmd, body, Default::default())
}

fn request(
    window: &WebviewWindow<MockRuntime>,
    url: &str,
    cmd: &str,
    body: InvokeBody,
    headers: tauri::http::HeaderMap,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: url.parse().unwrap(),
            body,
            headers,
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// A PNG of a QR code holding `text`.
pub fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(300, 300)
        .build();
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}
