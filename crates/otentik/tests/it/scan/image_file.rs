//! The image-file source: a file on disk to payloads, as `otentik scan` and `add --image` use it.

use otentik::scan::{self, ScanOptions};

use super::data_dir;

#[test]
fn a_photo_from_disk_decodes_with_where_and_how() {
    let path = data_dir("real/qrcode-1/1.png");
    let image = scan::image_file::load(&path).unwrap();
    let options = ScanOptions {
        want: scan::Want::AnyText,
        ..ScanOptions::default()
    };
    let outcome = scan::scan(scan::Frame::grey(&image), &options);
    let found = &outcome.found[0];
    assert_eq!(
        found.text,
        std::fs::read_to_string(path.with_extension("txt")).unwrap()
    );
    assert!(
        !found.authenticator,
        "a MEBKM bookmark is not an authenticator code"
    );
    assert!(outcome.attempts >= 1 && found.elapsed <= outcome.elapsed);
    // Debug output never shows the payload (it may hold a secret).
    assert!(!format!("{found:?}").contains("wikipedia"));
}

#[test]
fn the_otpauth_fixture_is_found_by_the_file_source() {
    let path = data_dir("otpauth-spse.png");
    let expected = std::fs::read_to_string(path.with_extension("txt")).unwrap();
    let mut source = scan::image_file::ImageFile::new(&path);
    let found = scan::find_authenticator(&mut source, &ScanOptions::default()).unwrap();
    assert_eq!(found.text, expected);
    assert!(found.authenticator);

    let mut missing = scan::image_file::ImageFile::new("/nonexistent/qr.png");
    let err = scan::find_authenticator(&mut missing, &ScanOptions::default()).unwrap_err();
    assert!(
        matches!(err, otentik::Error::ImageUnreadable { .. }),
        "{err:?}"
    );
}
