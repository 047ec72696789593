//! `otentik add --screen` and `otentik add --clipboard` as a user runs them: a QR code in a
//! window on a private Xvfb, a PNG or a pasted link on its clipboard (xclip), the account
//! stored in the real keyring and listed afterwards; nothing to read is exit status 1.
//!
//! The display is handed to each `otentik` process through its environment (`DISPLAY`), as a
//! desktop session does; `WAYLAND_DISPLAY` is removed so the X11 path is the one taken.

use std::io::Cursor;

use assert_cmd::Command;
use image::{GrayImage, Luma};
use serde_json::Value;

use crate::sandbox::{Sandbox, serial};
use crate::scan::{SPSE_URI, data};
use crate::xvfb;

const PASTED: &str = "otpauth://totp/LPSE%20Jabar:pokja.tiga?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BA&issuer=LPSE%20Jabar";

/// `otentik` in `sandbox`, on `display`.
fn otentik_on(sandbox: &Sandbox, display: &xvfb::Display) -> Command {
    let mut command = sandbox.otentik();
    command
        .env("DISPLAY", &display.name)
        .env_remove("WAYLAND_DISPLAY");
    command
}

/// `(issuer, account)` of every listed account.
fn listed(sandbox: &Sandbox) -> Vec<(String, String)> {
    let list = sandbox.json(&["list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&a["issuer"]), text(&a["account"]))
        })
        .collect()
}

/// Runs `otentik add <from>` on `display`, expecting exit status `status` and `stderr`, and
/// nothing added.
fn add_fails(sandbox: &Sandbox, display: &xvfb::Display, from: &str, status: i32, stderr: &str) {
    let output = otentik_on(sandbox, display)
        .args(["add", from])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(status), "{printed}");
    assert_eq!(printed, stderr);
    assert!(output.stdout.is_empty());
    assert!(listed(sandbox).is_empty());
}

fn blank_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(GrayImage::from_pixel(120, 120, Luma([255])))
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[test]
fn add_screen_reads_the_code_in_a_window_and_the_account_is_listed() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    let display = xvfb::start();

    // Nothing on the screen yet: status 1, nothing stored.
    add_fails(
        &sandbox,
        &display,
        "--screen",
        1,
        "error: no QR code found on the screen: show the code larger and sharper (zoom in), or \
         save it as an image and scan the file\n",
    );

    let qr = image::open(data("otpauth-spse.png")).unwrap().to_luma8();
    let _window = display.show(&qr, 420, 200);
    otentik_on(&sandbox, &display)
        .args(["add", "--screen"])
        .assert()
        .success()
        .stdout("Added: SPSE LPSE: budi.santoso (TOTP, 6 digits, 30 s)\n");
    assert_eq!(
        listed(&sandbox),
        [("SPSE LPSE".to_owned(), "budi.santoso".to_owned())]
    );
    // The code shown is the one the scanned URI gives.
    let code = sandbox.json(&["code", "budi", "--at", "59", "--json"]);
    let expected = sandbox
        .otentik()
        .args(["code", "--uri", SPSE_URI, "--at", "59"])
        .output()
        .unwrap();
    assert_eq!(
        code["code"].as_str().map(|c| format!("{c}\n")),
        Some(String::from_utf8(expected.stdout).unwrap())
    );
}

#[test]
fn add_clipboard_reads_a_png_then_a_pasted_link_and_both_are_listed() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    let display = xvfb::start();

    // An empty clipboard says what to copy (bad input, status 2).
    add_fails(
        &sandbox,
        &display,
        "--clipboard",
        2,
        "error: the clipboard holds neither an image nor text: copy the QR code image or the \
         'otpauth://' link first\n",
    );

    // An image without a code: status 1.
    display.clip(Some("image/png"), &blank_png());
    add_fails(
        &sandbox,
        &display,
        "--clipboard",
        1,
        "error: no QR code found on the clipboard: show the code larger and sharper (zoom in), \
         or save it as an image and scan the file\n",
    );

    // A copied QR image.
    let png = std::fs::read(data("otpauth-spse.png")).unwrap();
    display.clip(Some("image/png"), &png);
    otentik_on(&sandbox, &display)
        .args(["add", "--clipboard"])
        .assert()
        .success()
        .stdout("Added: SPSE LPSE: budi.santoso (TOTP, 6 digits, 30 s)\n");

    // A pasted link (text, with the newline a copy from a terminal brings).
    display.clip(None, format!("{PASTED}\n").as_bytes());
    otentik_on(&sandbox, &display)
        .args(["add", "--clipboard"])
        .assert()
        .success()
        .stdout("Added: LPSE Jabar: pokja.tiga (TOTP, 6 digits, 30 s)\n");

    assert_eq!(
        listed(&sandbox),
        [
            ("SPSE LPSE".to_owned(), "budi.santoso".to_owned()),
            ("LPSE Jabar".to_owned(), "pokja.tiga".to_owned()),
        ]
    );
}
