//! `otentik scan <IMAGE>...`: payloads on stdout, `--json`, exit statuses 1 (no code) and 2
//! (unreadable image). Images from the core crate's test data.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

/// `otpauth-spse.png`: a QR code rendered by the `qrcode` crate.
pub const SPSE_URI: &str = "otpauth://totp/SPSE%20LPSE:budi.santoso?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=SPSE%20LPSE&digits=6&period=30";

/// A file of the core crate's QR test data.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../otentik/tests/data/qr")
        .join(path)
}

fn otentik() -> Command {
    let mut command = Command::cargo_bin("otentik").unwrap();
    command.env_remove("RUST_LOG");
    command
}

#[test]
fn scan_prints_each_payload_on_its_own_line() {
    let photo = data("real/qrcode-1/1.png");
    let expected_photo = std::fs::read_to_string(photo.with_extension("txt")).unwrap();
    let output = otentik()
        .arg("scan")
        .arg(data("otpauth-spse.png"))
        .arg(&photo)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout, format!("{SPSE_URI}\n{expected_photo}\n"));
}

#[test]
fn scan_json_says_which_decoder_and_when() {
    let output = otentik()
        .args(["scan", "--json"])
        .arg(data("otpauth-spse.png"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &json[0];
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(first["text"], SPSE_URI);
    assert_eq!(first["authenticator"], true);
    assert!(
        first["file"]
            .as_str()
            .unwrap()
            .ends_with("otpauth-spse.png")
    );
    assert!(["rqrr", "rxing", "rxing-global"].contains(&first["decoder"].as_str().unwrap()));
    assert!(first["steps"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(first["ms"].as_f64().is_some_and(|ms| ms >= 0.0));
}

#[test]
fn an_image_without_a_code_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.png");
    std::fs::write(&blank, WHITE_PNG).unwrap();
    let output = otentik().arg("scan").arg(&blank).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: no QR code found in '"),
        "{stderr}"
    );
    assert!(stderr.contains("blank.png"), "{stderr}");
}

#[test]
fn an_unreadable_image_exits_2_and_the_others_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "not an image").unwrap();
    let output = otentik()
        .arg("scan")
        .arg(&text)
        .arg(data("otpauth-spse.png"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("{SPSE_URI}\n")
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot read the image '"),
        "{stderr}"
    );
    assert!(
        stderr.contains("use a PNG, JPEG, WebP, BMP or GIF image"),
        "{stderr}"
    );

    let output = otentik()
        .args(["scan", "/nonexistent/qr.png"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn scan_needs_an_image() {
    let output = otentik().arg("scan").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// A 1×1 white greyscale PNG.
const WHITE_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x01,
    0x01, 0x01, 0x00, 0xb1, 0x38, 0xf6, 0x14, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];
