//! Screen capture for real: a window of our own shows a QR code on a private Xvfb, the screen
//! source captures every monitor, and the pipeline reads the code.

use image::Luma;
use otentik::Error;
use otentik::scan::screen::Screen;
use otentik::scan::{Decoder, ScanOptions, Source, find_authenticator};
use qrcode::QrCode;

use super::xvfb;

const URI: &str = "otpauth://totp/LPSE%20Kemenkeu:ppk.satu?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=LPSE%20Kemenkeu";

#[test]
fn a_qr_code_in_a_window_is_read_from_the_screen() {
    let display = xvfb::start();
    let code = QrCode::new(URI)
        .unwrap()
        .render::<Luma<u8>>()
        .module_dimensions(5, 5)
        .build();
    let _window = display.show(&code, 700, 180);

    let mut screen = Screen::on_display(&display.name);
    let found = find_authenticator(&mut screen, &ScanOptions::default()).unwrap();
    assert_eq!(found.text, URI);
    assert_ne!(found.decoder, Decoder::Text);
}

#[test]
fn a_screen_without_a_qr_code_says_so() {
    let display = xvfb::start();
    let mut screen = Screen::on_display(&display.name);
    let captures = screen.capture().unwrap();
    assert!(!captures.is_empty(), "at least one monitor");
    let err = find_authenticator(&mut screen, &ScanOptions::default()).unwrap_err();
    assert!(matches!(err, Error::QrNotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "no QR code found on the screen: show the code larger and sharper (zoom in), or save it \
         as an image and scan the file"
    );
}

#[test]
fn an_unreachable_display_is_a_clear_error() {
    let err = Screen::on_display(":4242").capture().unwrap_err();
    assert!(matches!(err, Error::ScreenCapture { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("cannot capture the screen: cannot connect to the X11 display"),
        "{message}"
    );
    assert!(
        message.ends_with("save the QR code as an image and scan the file instead"),
        "{message}"
    );
}
