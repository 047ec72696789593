//! The private Secret Service session that `scripts/with-keyring.sh` starts (a D-Bus session
//! with an unlocked gnome-keyring): a check that the test runs inside it, a namespace of its
//! own per test, one keyring test at a time, and what the keyring holds as `secret-tool` sees
//! it (for tests that check what is, and is not, readable there).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

static SERIAL: Mutex<()> = Mutex::new(());

/// Panics, saying how to get one, unless the test runs inside a D-Bus session.
pub fn require_session() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the tests through scripts/with-keyring.sh (as `make test` does)"
    );
}

/// A keyring namespace (`OTENTIK_KEYRING_SERVICE`) of its own: `otentik-<what>-<random>`.
pub fn service(what: &str) -> String {
    format!("otentik-{what}-{:016x}", rand::random::<u64>())
}

/// Held by every test that talks to the keyring in-process: one at a time, as gnome-keyring
/// expects of one client.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One keyring item: its attributes and its secret as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Attributes (`service`, `username`, ...).
    pub attributes: BTreeMap<String, String>,
    /// The secret as stored.
    pub secret: Vec<u8>,
}

/// Every item of the keyring whose `service` attribute is `service`, read with `secret-tool`
/// (Debian package libsecret-tools), outside Otentik's own code.
pub fn items(service: &str) -> Vec<Item> {
    require_session();
    let output = Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", service])
        .output()
        .expect("this test needs secret-tool (apt-get install libsecret-tools)");
    // secret-tool prints each item as a "[path]" block of "label = …", "secret = …" lines on
    // stdout, and its "attribute.NAME = VALUE" lines on stderr, item after item in the same
    // order: an attribute name seen twice starts the next item's.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut items: Vec<Item> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with('[') {
            items.push(Item {
                attributes: BTreeMap::new(),
                secret: Vec::new(),
            });
        } else if let (Some(item), Some(secret)) =
            (items.last_mut(), line.strip_prefix("secret = "))
        {
            item.secret = secret.as_bytes().to_vec();
        }
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut groups: Vec<BTreeMap<String, String>> = Vec::new();
    for line in stderr.lines() {
        let Some((name, value)) = line
            .strip_prefix("attribute.")
            .and_then(|rest| rest.split_once(" = "))
        else {
            continue;
        };
        match groups.last_mut() {
            Some(group) if !group.contains_key(name) => {
                group.insert(name.to_owned(), value.to_owned());
            }
            _ => groups.push(BTreeMap::from([(name.to_owned(), value.to_owned())])),
        }
    }
    for (item, attributes) in items.iter_mut().zip(groups) {
        item.attributes = attributes;
    }
    items
}

/// A command that runs `program` with `args` in a D-Bus session of its own, whose Secret
/// Service (gnome-keyring) runs but was never unlocked: a fresh `home` has no login keyring.
/// The program starts once the service owns its bus name (`gdbus wait`, Debian package
/// libglib2.0-bin), not after a guessed delay.
pub fn locked_session(home: &Path, program: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("dbus-run-session");
    command
        .args([
            "--",
            "sh",
            "-c",
            "gnome-keyring-daemon --start --components=secrets >/dev/null \
             && gdbus wait --session --timeout 10 org.freedesktop.secrets \
             && exec \"$@\"",
            "sh",
        ])
        .arg(program)
        .args(args)
        .env("HOME", home)
        .env_remove("GNOME_KEYRING_CONTROL")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    command
}
