//! QR scanning.
//!
//! - `synth`: the synthetic frame generator (shared with `benches/scan.rs`).
//! - `rates`: decode-rate floors on the real photos and the synthetic set.
//! - `robustness`: no panic and a clear error on hostile files and pixel buffers.
//! - `image_file`: the image-file source.
//! - `screen`, `clipboard`: the real sources on a private Xvfb (the shared test support), with
//!   xclip.
//! - `wayland`: the screen source on a headless sway through the XDG desktop portal.
//! - `camera`: the camera thread with a replaying frame source; "no camera".

mod camera;
mod clipboard;
mod image_file;
mod rates;
mod robustness;
mod screen;
pub mod synth;
mod wayland;
use otentik_test_support::xvfb;

use std::path::{Path, PathBuf};

/// `tests/data/qr/<sub>`.
pub fn data_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/qr")
        .join(sub)
}

/// A PNG of `text` as a QR code, `module` pixels a module.
pub fn qr_png(text: &str, module: u32) -> Vec<u8> {
    let code = qrcode::QrCode::new(text)
        .unwrap()
        .render::<image::Luma<u8>>()
        .module_dimensions(module, module)
        .build();
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(code)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}
