//! Never panic, always a clear error: random bytes as image files, truncated files,
//! decompression bombs, random pixel buffers.

use std::io::Cursor;
use std::time::Duration;

use image::{GrayImage, ImageFormat, Luma};
use otentik::Error;
use otentik::scan::{self, Frame, PixelFormat, ScanOptions, Want};
use proptest::prelude::*;
use qrcode::QrCode;

const URI: &str = "otpauth://totp/SPSE:budi?secret=JBSWY3DPEHPK3PXP&issuer=SPSE";

fn qr_image() -> GrayImage {
    QrCode::new(URI)
        .unwrap()
        .render::<Luma<u8>>()
        .module_dimensions(4, 4)
        .build()
}

fn encoded(format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(qr_image())
        .to_rgb8()
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

fn options() -> ScanOptions {
    ScanOptions {
        want: Want::AnyText,
        budget: Duration::from_secs(60),
        ..ScanOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_are_refused_with_a_clear_error(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        match scan::image_file::decode(&bytes, "'random.bin'") {
            Ok(_) => {}
            Err(err @ Error::ImageUnreadable { .. }) | Err(err @ Error::ImageTooLarge { .. }) => {
                prop_assert!(err.to_string().contains("'random.bin'"));
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn random_bytes_behind_a_real_magic_number_do_not_panic(
        magic in 0usize..5,
        tail in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let heads: [&[u8]; 5] = [
            b"\x89PNG\r\n\x1a\n",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
            b"RIFF\x00\x10\x00\x00WEBPVP8 ",
            b"BM",
            b"GIF89a",
        ];
        let mut bytes = heads[magic].to_vec();
        bytes.extend(tail);
        if let Ok(image) = scan::image_file::decode(&bytes, "'fuzz'") {
            let _ = scan::scan(Frame::grey(&image), &options());
        }
    }

    #[test]
    fn random_pixel_buffers_do_not_panic(
        width in 0u32..96,
        height in 0u32..96,
        seed in any::<u64>(),
        blocky in any::<bool>(),
    ) {
        // Random noise, or random 4×4 blocks that look a bit like modules.
        let mut state = seed | 1;
        let mut next = || { state ^= state << 13; state ^= state >> 7; state ^= state << 17; state };
        let pixels: Vec<u8> = (0..width * height)
            .map(|i| if blocky {
                let (x, y) = (i % width.max(1) / 4, i / width.max(1) / 4);
                if (u64::from(x * 31 + y * 17) ^ seed) % 3 == 0 { 0 } else { 255 }
            } else {
                next() as u8
            })
            .collect();
        let frame = Frame::new(width, height, PixelFormat::Grey, &pixels).unwrap();
        let outcome = scan::scan(frame, &options());
        prop_assert_eq!(outcome.panics, 0);
    }

    #[test]
    fn truncated_png_jpeg_webp_bmp_gif_give_a_clear_error(cut in 0.0f64..1.0, format in 0usize..5) {
        let format = [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Bmp, ImageFormat::Gif][format];
        let bytes = encoded(format);
        let cut = ((bytes.len() as f64) * cut) as usize;
        match scan::image_file::decode(&bytes[..cut], "'cut'") {
            // Some decoders fill a truncated tail with black: then it must still scan safely.
            Ok(image) => { let _ = scan::scan(Frame::grey(&image), &options()); }
            Err(Error::ImageUnreadable { what, reason }) => {
                prop_assert_eq!(what, "'cut'");
                prop_assert!(!reason.is_empty());
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}

#[test]
fn every_format_decodes_to_the_payload() {
    for format in [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::WebP,
        ImageFormat::Bmp,
        ImageFormat::Gif,
    ] {
        let image = scan::image_file::decode(&encoded(format), "'qr'").unwrap();
        let outcome = scan::scan(Frame::grey(&image), &ScanOptions::default());
        let found = outcome
            .authenticator()
            .unwrap_or_else(|| panic!("{format:?}: nothing found"));
        assert_eq!(found.text, URI, "{format:?}");
    }
}

#[test]
fn a_png_that_claims_to_be_huge_is_refused_before_decoding() {
    // A valid PNG header saying 100 000 × 100 000 pixels (10 GB of pixels), then nothing.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    let err = scan::image_file::decode(&png, "'bomb.png'").unwrap_err();
    assert!(matches!(err, Error::ImageTooLarge { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the image 'bomb.png' is too large"),
        "{err}"
    );
}

#[test]
fn a_pixel_buffer_of_the_wrong_size_is_refused() {
    let err = Frame::new(10, 10, PixelFormat::Rgb, &[0; 299]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid pixel buffer: 10×10 RGB needs 300 bytes, got 299; pass the frame's real size and pixel format"
    );
    assert!(Frame::new(u32::MAX, u32::MAX, PixelFormat::Rgba, &[]).is_err());
}

#[test]
fn a_missing_file_names_the_file() {
    let err = scan::image_file::load(std::path::Path::new("/nonexistent/qr.png")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read the image '/nonexistent/qr.png': "),
        "{err}"
    );
}

#[test]
fn rgb_and_rgba_frames_scan_like_grey() {
    let grey = qr_image();
    let rgb = image::DynamicImage::ImageLuma8(grey.clone()).to_rgb8();
    let rgba = image::DynamicImage::ImageLuma8(grey.clone()).to_rgba8();
    let (w, h) = grey.dimensions();
    for frame in [
        Frame::new(w, h, PixelFormat::Rgb, rgb.as_raw()).unwrap(),
        Frame::new(w, h, PixelFormat::Rgba, rgba.as_raw()).unwrap(),
    ] {
        let outcome = scan::scan(frame, &ScanOptions::default());
        assert_eq!(outcome.authenticator().map(|f| f.text.as_str()), Some(URI));
    }
}

/// CRC-32 (IEEE) for the hand-made PNG chunk.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
