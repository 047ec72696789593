//! Screen capture for real: a window of our own shows a QR code on a private Xvfb, the screen
//! source captures every monitor, and the pipeline reads the code.

use image::{GrayImage, Luma};
use otentik::Error;
use otentik::scan::screen::Screen;
use otentik::scan::{Decoder, ScanOptions, Source, find_authenticator};
use qrcode::QrCode;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConnectionExt, CreateGCAux, CreateWindowAux, EventMask, ImageFormat, WindowClass,
};

use super::xvfb;

const URI: &str = "otpauth://totp/LPSE%20Kemenkeu:ppk.satu?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=LPSE%20Kemenkeu";

/// Shows `image` in a window at (x, y) on `display`; the connection must stay open for the
/// window to stay.
fn show(
    display: &str,
    image: &GrayImage,
    x: i16,
    y: i16,
) -> x11rb::rust_connection::RustConnection {
    let (conn, screen_num) = x11rb::connect(Some(display)).unwrap();
    let screen = conn.setup().roots[screen_num].clone();
    let window = conn.generate_id().unwrap();
    let (w, h) = (image.width() as u16, image.height() as u16);
    conn.create_window(
        screen.root_depth,
        window,
        screen.root,
        x,
        y,
        w,
        h,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .background_pixel(screen.white_pixel)
            .override_redirect(1)
            .event_mask(EventMask::STRUCTURE_NOTIFY | EventMask::EXPOSURE),
    )
    .unwrap();
    conn.map_window(window).unwrap();
    conn.flush().unwrap();
    loop {
        if let Event::MapNotify(_) = conn.wait_for_event().unwrap() {
            break;
        }
    }
    let gc = conn.generate_id().unwrap();
    conn.create_gc(gc, window, &CreateGCAux::new()).unwrap();
    // 32-bit BGRX rows, a band at a time to stay under the request size limit.
    for top in (0..h).step_by(64) {
        let rows = (h - top).min(64);
        let mut data = Vec::with_capacity(usize::from(w) * usize::from(rows) * 4);
        for y in top..top + rows {
            for x in 0..w {
                let g = image.get_pixel(u32::from(x), u32::from(y)).0[0];
                data.extend([g, g, g, 0]);
            }
        }
        conn.put_image(
            ImageFormat::Z_PIXMAP,
            window,
            gc,
            w,
            rows,
            0,
            top as i16,
            0,
            screen.root_depth,
            &data,
        )
        .unwrap();
    }
    conn.get_input_focus().unwrap().reply().unwrap();
    conn
}

#[test]
fn a_qr_code_in_a_window_is_read_from_the_screen() {
    let display = xvfb::start();
    let code = QrCode::new(URI)
        .unwrap()
        .render::<Luma<u8>>()
        .module_dimensions(5, 5)
        .build();
    let _window = show(&display.name, &code, 700, 180);

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
