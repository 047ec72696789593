//! Keys and the demo's exposure (issue 13, item 7), on the real binary: no secret printed,
//! key files private, keys long enough, the demo only on loopback unless asked.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const LONG_KEY: &str = "sk_keys_test_0123456789abcdefghijklmnop";

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otentik-server"));
    command.env("RUST_LOG", "warn");
    command.env_remove("OTENTIK_SITE_KEY");
    command.env_remove("OTENTIK_DATA_KEY");
    command
}

/// Runs the binary with `args` expecting it to refuse to start.
fn refused(dir: &Path, args: &[&str]) -> Output {
    let mut command = binary();
    if !args.contains(&"--listen") {
        command.args(["--listen", "127.0.0.1:0"]);
    }
    let output = command
        .arg("--db")
        .arg(dir.join("db.sqlite3"))
        .args(args)
        .env("OTENTIK_SERVER_DATA_DIR", dir)
        .output()
        .unwrap();
    assert!(!output.status.success(), "{output:?}");
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_generated_site_key_goes_to_a_private_file_never_to_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3");
    let mut child = binary()
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("OTENTIK_SERVER_DATA_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("site key");
        printed.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let key_file = dir.path().join("db.sqlite3.site-key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert!(key.len() >= 32);
    #[cfg(unix)]
    assert_eq!(mode(&key_file), 0o600);
    let all = printed.join("\n");
    assert!(!all.contains(key.trim()), "the key was printed: {all}");
    assert!(
        all.contains(&format!("site key (for /rp/v1): in {}", key_file.display())),
        "{all}"
    );
}

#[test]
fn short_keys_and_readable_key_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = refused(dir.path(), &["--site-key", "short-key"]);
    assert!(
        stderr(&output).contains("use at least 32 random characters"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("short-key"),
        "the key is not repeated"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let key_file = dir.path().join("site.key");
        std::fs::write(&key_file, LONG_KEY).unwrap();
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let output = refused(dir.path(), &["--site-key-file", key_file.to_str().unwrap()]);
        assert!(
            stderr(&output).contains("may be read by group or others (mode 640)"),
            "{}",
            stderr(&output)
        );
        let data_file = dir.path().join("data.key");
        std::fs::write(&data_file, "00".repeat(32)).unwrap();
        std::fs::set_permissions(&data_file, std::fs::Permissions::from_mode(0o604)).unwrap();
        let output = refused(
            dir.path(),
            &[
                "--site-key",
                LONG_KEY,
                "--data-key-file",
                data_file.to_str().unwrap(),
            ],
        );
        assert!(stderr(&output).contains("mode 604"), "{}", stderr(&output));
    }
}

#[test]
fn the_demo_refuses_a_public_address_without_the_flag_and_plain_key_flags_warn() {
    let dir = tempfile::tempdir().unwrap();
    let output = refused(
        dir.path(),
        &["--site-key", LONG_KEY, "--demo", "--listen", "0.0.0.0:0"],
    );
    let text = stderr(&output);
    assert!(
        text.contains("--demo serves known users and passwords: it listens only on a loopback address (not 0.0.0.0:0) unless --demo-public is given"),
        "{text}"
    );
    assert!(
        text.contains("--site-key puts a secret on the command line"),
        "{text}"
    );
    assert!(!text.contains(LONG_KEY), "the key itself is never printed");
}
