//! `otentik origin` and `otentik browser-host` as a child process on the real keyring: the
//! browser's framing, every message type, malformed and oversized messages, a locked vault.

use std::io::{Read, Write};
use std::process::{Command as Process, Stdio};

use serde_json::{Value, json};

use crate::sandbox::Sandbox;

const URI: &str = "otpauth://totp/Demo:budi?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Demo";
const DEMO: &str = "http://127.0.0.1:8080";

struct Host {
    child: std::process::Child,
}

impl Host {
    fn start(sandbox: &Sandbox) -> Host {
        let mut command = Process::new(assert_cmd::cargo::cargo_bin("otentik"));
        command
            .arg("browser-host")
            .env("OTENTIK_DATA_DIR", sandbox.dir.path())
            .env("OTENTIK_KEYRING_SERVICE", &sandbox.service)
            // An add starts no app (the app beside `otentik` in target/ would be found).
            .env("OTENTIK_APP", "/nonexistent/otentik-app");
        Host::spawn(command)
    }

    /// The program a browser would start: what a manifest's `path` names, with nothing of
    /// the test's environment (the program must carry the vault's folder and namespace).
    fn start_program(program: &str) -> Host {
        let mut command = Process::new(program);
        command
            .env_remove("OTENTIK_DATA_DIR")
            .env_remove("OTENTIK_KEYRING_SERVICE")
            .env("OTENTIK_APP", "/nonexistent/otentik-app");
        Host::spawn(command)
    }

    fn spawn(mut command: Process) -> Host {
        let child = command
            // What Chromium passes: the calling extension's origin.
            .arg("chrome-extension://fkamgadhljpfghnogkmljbkocmcioimp/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Host { child }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin
            .write_all(&u32::try_from(bytes.len()).unwrap().to_ne_bytes())
            .unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let stdout = self.child.stdout.as_mut().unwrap();
        let mut length = [0u8; 4];
        stdout.read_exact(&mut length).unwrap();
        let mut message = vec![0u8; u32::from_ne_bytes(length) as usize];
        stdout.read_exact(&mut message).unwrap();
        serde_json::from_slice(&message).unwrap()
    }

    fn ask(&mut self, request: Value) -> Value {
        self.send_raw(request.to_string().as_bytes());
        self.read()
    }

    /// Closes the host's input, as the browser does, and expects a clean exit.
    fn finish(mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

/// The Demo account's code now, computed apart from the host.
fn code_now() -> String {
    let account = otentik::otpauth::parse(URI).unwrap().account;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    otentik::otp::code_at(&account, now)
}

fn add_and_bind(sandbox: &Sandbox) -> String {
    sandbox.otentik().args(["add", URI]).assert().success();
    sandbox
        .otentik()
        .args(["add", "otpauth://totp/Bank:budi?secret=JBSWY3DPEHPK3PXP"])
        .assert()
        .success();
    let output = sandbox
        .otentik()
        .args(["origin", "Demo", "http://127.0.0.1:8080/"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), format!("{DEMO}\n"));
    let list = sandbox.json(&["list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["issuer"] == "Demo")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn origin_binds_checks_and_clears() {
    let sandbox = Sandbox::new();
    add_and_bind(&sandbox);
    let refused = sandbox
        .otentik()
        .args(["origin", "Demo", "http://lpse.example"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only to this computer"));
    let shown = sandbox.otentik().args(["origin", "Demo"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout),
        format!("{DEMO}\n"),
        "unchanged"
    );
    let metadata = std::fs::read_to_string(sandbox.metadata()).unwrap();
    assert!(metadata.contains(r#""origins""#), "{metadata}");
    sandbox
        .otentik()
        .args(["origin", "Demo", "--clear"])
        .assert()
        .success();
    let shown = sandbox.otentik().args(["origin", "Demo"]).output().unwrap();
    assert!(shown.stdout.is_empty());
}

#[test]
fn the_host_answers_every_message_type_over_the_browsers_framing() {
    let sandbox = Sandbox::new();
    let id = add_and_bind(&sandbox);
    let mut host = Host::start(&sandbox);

    let status = host.ask(json!({ "type": "status", "id": "1" }));
    assert_eq!(status["type"], "status");
    assert_eq!(status["locked"], false);
    assert_eq!(status["id"], "1");

    let listed = host.ask(json!({ "type": "accounts", "origin": DEMO }));
    assert_eq!(
        listed["accounts"],
        json!([{ "id": id, "issuer": "Demo", "label": "budi" }])
    );
    let look_alike = host.ask(json!({ "type": "accounts", "origin": "http://localhost:8080" }));
    assert_eq!(look_alike["accounts"], json!([]));

    let before = code_now();
    let code = host.ask(json!({ "type": "code", "origin": DEMO, "account": id }));
    let after = code_now();
    let given = code["code"].as_str().unwrap().to_owned();
    assert!(
        given == before || given == after,
        "{code} vs {before}/{after}"
    );
    assert_eq!(code["period"], 30);
    let refused =
        host.ask(json!({ "type": "code", "origin": "http://localhost:8080", "account": id }));
    assert_eq!(refused["code"], "origin_not_bound");

    // Malformed and oversized messages get an error reply; the host keeps running.
    host.send_raw(b"{not json");
    assert_eq!(host.read()["code"], "bad_request");
    host.send_raw(&vec![b' '; 70 * 1024]);
    assert_eq!(host.read()["code"], "too_large");
    // No Otentik app runs on this vault and none can be started (OTENTIK_APP names a missing
    // program, see Host::start): the add says to open it, and never echoes the URI.
    let add = host.ask(json!({ "type": "add", "origin": DEMO, "uri": URI }));
    assert_eq!(add["code"], "app_not_running", "{add}");
    assert!(!add.to_string().contains("GEZDGNBV"), "{add}");
    assert_eq!(host.ask(json!({ "type": "status" }))["type"], "status");
    host.finish();
}

#[test]
fn a_locked_vault_gives_names_and_no_code() {
    let sandbox = Sandbox::new();
    let id = add_and_bind(&sandbox);
    let password = sandbox.dir.path().join("password");
    std::fs::write(&password, "kata sandi panjang sekali").unwrap();
    sandbox
        .otentik()
        .args(["lock", "on", "--password-file", password.to_str().unwrap()])
        .assert()
        .success();
    let mut host = Host::start(&sandbox);
    assert_eq!(host.ask(json!({ "type": "status" }))["locked"], true);
    let listed = host.ask(json!({ "type": "accounts", "origin": DEMO }));
    assert_eq!(listed["accounts"].as_array().unwrap().len(), 1);
    let code = host.ask(json!({ "type": "code", "origin": DEMO, "account": id }));
    assert_eq!(code["code"], "vault_locked", "{code}");
    host.finish();
}

#[test]
fn install_writes_the_manifest_whose_program_reaches_this_vault() {
    let sandbox = Sandbox::new();
    let id = add_and_bind(&sandbox);
    let home = tempfile::tempdir().unwrap();
    let browser = |args: &[&str]| {
        sandbox
            .otentik()
            .arg("browser")
            .args(args)
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap()
    };
    // No browser folder yet: nothing to install for, and it says what to do.
    let output = browser(&["install"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--browser"));

    std::fs::create_dir_all(home.path().join(".config/chromium")).unwrap();
    let output = browser(&["install"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest_path = home
        .path()
        .join(".config/chromium/NativeMessagingHosts/id.otentik.browser_host.json");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("chromium: {}\n", manifest_path.display())
    );
    assert!(
        !home.path().join(".mozilla").exists(),
        "only the browsers found"
    );
    let manifest: Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    assert_eq!(
        manifest["allowed_origins"],
        json!(["chrome-extension://fkamgadhljpfghnogkmljbkocmcioimp/"])
    );

    // The program the manifest names is what the browser starts: it opens this vault.
    let mut host = Host::start_program(manifest["path"].as_str().unwrap());
    let listed = host.ask(json!({ "type": "accounts", "origin": DEMO }));
    assert_eq!(listed["accounts"][0]["id"], id.as_str(), "{listed}");
    host.finish();

    // A custom profile folder (Chromium's --user-data-dir), then uninstall.
    let custom = home.path().join("profile/NativeMessagingHosts");
    let output = browser(&[
        "install",
        "--browser",
        "firefox",
        "--dir",
        custom.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let firefox: Value = serde_json::from_slice(
        &std::fs::read(custom.join("id.otentik.browser_host.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(firefox["allowed_extensions"], json!(["browser@otentik.id"]));
    let output = browser(&["uninstall"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "chromium: removed\n"
    );
    assert!(!manifest_path.exists());

    // Chromium's profile follows XDG_CONFIG_HOME, and so does the manifest.
    let config = home.path().join("cfg");
    std::fs::create_dir_all(config.join("chromium")).unwrap();
    let output = sandbox
        .otentik()
        .args(["browser", "install"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", &config)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        config
            .join("chromium/NativeMessagingHosts/id.otentik.browser_host.json")
            .exists()
    );
}
