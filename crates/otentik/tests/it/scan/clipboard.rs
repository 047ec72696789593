//! The clipboard for real: xclip puts a PNG (then a link) on the X11 clipboard of a private
//! Xvfb and the clipboard source reads it back. arboard finds the display through `DISPLAY`
//! only, and this crate forbids the `unsafe` that setting it in-process needs, so the reading
//! half runs in a child process (this test binary again, one ignored test) with `DISPLAY` set.

use std::process::Command;

use otentik::Error;
use otentik::scan::clipboard::Clipboard;
use otentik::scan::{Decoder, ScanOptions, find_authenticator};

use super::xvfb;

const URI: &str =
    "otpauth://totp/SPSE:pokja-12?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BA&issuer=SPSE";
const EXPECT: &str = "OTENTIK_TEST_CLIPBOARD_EXPECT";

/// Runs `clipboard_reader` in a child with `DISPLAY` set; panics with its output on failure.
fn read_in_child(display: &str, expect: &str) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "scan::clipboard::clipboard_reader",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DISPLAY", display)
        .env(EXPECT, expect)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "clipboard reader ({expect}) failed:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "the clipboard reader did not run:\n{text}"
    );
}

#[test]
fn clipboard_empty_then_png_then_link_under_xvfb() {
    let display = xvfb::start();
    read_in_child(&display.name, "empty");

    display.clip(Some("image/png"), &super::qr_png(URI, 4));
    read_in_child(&display.name, "image");

    display.clip(None, format!("{URI}\n").as_bytes());
    read_in_child(&display.name, "text");
}

#[test]
#[ignore = "the reading half of clipboard_empty_then_png_then_link_under_xvfb, run by it in a child process"]
fn clipboard_reader() {
    let Ok(expect) = std::env::var(EXPECT) else {
        println!("run by clipboard_empty_then_png_then_link_under_xvfb; nothing to do alone");
        return;
    };
    let result = find_authenticator(&mut Clipboard, &ScanOptions::default());
    match expect.as_str() {
        "empty" => {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::ClipboardEmpty), "{err:?}");
            assert_eq!(
                err.to_string(),
                "the clipboard holds neither an image nor text: copy the QR code image or the \
                 'otpauth://' link first"
            );
        }
        "image" => {
            let found = result.unwrap();
            assert_eq!(found.text, URI);
            assert_ne!(found.decoder, Decoder::Text, "read from the image");
        }
        "text" => {
            let found = result.unwrap();
            assert_eq!(found.text, URI);
            assert_eq!(found.decoder, Decoder::Text);
        }
        other => panic!("unknown expectation {other}"),
    }
}
