//! The QR decoders the pipeline can call, each behind `catch_unwind`.
//!
//! rqrr (the decoder the design names) and rxing (a Rust port of ZXing and zxing-cpp's QR
//! reader). Why both, and in which order: `docs/decisions/0003-scan-decoders.md`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::GrayImage;
use rxing::{BarcodeFormat, DecodeHints};

/// A QR decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Decoder {
    /// rqrr: quirc's algorithm in Rust.
    Rqrr,
    /// rxing: ZXing's and zxing-cpp's QR readers in Rust, hybrid (local) binarizer.
    Rxing,
    /// rxing with ZXing's global-histogram binarizer (better on smooth, low-contrast frames).
    RxingGlobal,
    /// No decoding: the source handed over text (an `otpauth://` link on the clipboard).
    Text,
}

impl Decoder {
    /// Short stable name, used in `--json` output and ladder descriptions.
    pub fn name(self) -> &'static str {
        match self {
            Decoder::Rqrr => "rqrr",
            Decoder::Rxing => "rxing",
            Decoder::RxingGlobal => "rxing-global",
            Decoder::Text => "text",
        }
    }

    /// The decoder called `name` (see [`Decoder::name`]).
    pub fn from_name(name: &str) -> Option<Decoder> {
        [
            Decoder::Rqrr,
            Decoder::Rxing,
            Decoder::RxingGlobal,
            Decoder::Text,
        ]
        .into_iter()
        .find(|d| d.name() == name)
    }
}

/// What one decoder call gave.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    /// Payloads read, in the order the decoder returned them.
    pub texts: Vec<String>,
    /// The decoder panicked (the panic was caught; `texts` is then empty).
    pub panicked: bool,
}

/// Runs `decoder` on `image`; a panic inside the decoder is caught and reported, never
/// propagated.
pub(crate) fn run(decoder: Decoder, image: &GrayImage) -> Decoded {
    if image.width() == 0 || image.height() == 0 {
        return Decoded::default();
    }
    isolate(|| match decoder {
        Decoder::Rqrr => rqrr_decode(image),
        Decoder::Rxing => rxing_decode(image, false),
        Decoder::RxingGlobal => rxing_decode(image, true),
        Decoder::Text => Vec::new(),
    })
}

/// Runs a decoder call, turning a panic into `panicked: true`.
fn isolate(call: impl FnOnce() -> Vec<String>) -> Decoded {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(texts) => Decoded {
            texts,
            panicked: false,
        },
        Err(_) => Decoded {
            texts: Vec::new(),
            panicked: true,
        },
    }
}

fn rqrr_decode(image: &GrayImage) -> Vec<String> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let pixels = image.as_raw();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let mut texts = Vec::new();
    for grid in prepared.detect_grids() {
        let mut bytes = Vec::new();
        if grid.decode_to(&mut bytes).is_ok() {
            texts.push(bytes_to_text(bytes));
        }
    }
    texts
}

/// rqrr hands over raw bytes: UTF-8 where valid, else ISO 8859-1 (the QR default).
fn bytes_to_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => err.into_bytes().into_iter().map(char::from).collect(),
    }
}

fn rxing_decode(image: &GrayImage, global: bool) -> Vec<String> {
    let mut hints = DecodeHints {
        TryHarder: Some(true),
        ..DecodeHints::default()
    };
    let (width, height) = image.dimensions();
    let result = if global {
        let source = match rxing::Luma8LuminanceSource::new(image.as_raw().clone(), width, height) {
            Ok(source) => source,
            Err(_) => return Vec::new(),
        };
        let mut bitmap =
            rxing::BinaryBitmap::new(rxing::common::GlobalHistogramBinarizer::new(source));
        hints.PossibleFormats = Some([BarcodeFormat::QR_CODE].into_iter().collect());
        let mut reader = rxing::MultiFormatReader::default();
        rxing::Reader::decode_with_hints(&mut reader, &mut bitmap, &hints)
    } else {
        rxing::helpers::detect_in_luma_slice_with_hints(
            image.as_raw(),
            width,
            height,
            Some(BarcodeFormat::QR_CODE),
            &mut hints,
        )
    };
    match result {
        Ok(found) => vec![found.getText().to_owned()],
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_decoder_is_contained() {
        let decoded = isolate(|| panic!("hostile image"));
        assert!(decoded.panicked);
        assert!(decoded.texts.is_empty());
        let decoded = isolate(|| vec!["x".to_owned()]);
        assert!(!decoded.panicked);
        assert_eq!(decoded.texts, ["x"]);
    }

    #[test]
    fn names_round_trip() {
        for decoder in [
            Decoder::Rqrr,
            Decoder::Rxing,
            Decoder::RxingGlobal,
            Decoder::Text,
        ] {
            assert_eq!(Decoder::from_name(decoder.name()), Some(decoder));
        }
        assert_eq!(Decoder::from_name("zbar"), None);
    }

    #[test]
    fn non_utf8_payloads_are_read_as_latin1() {
        assert_eq!(bytes_to_text(b"caf\xe9".to_vec()), "café");
        assert_eq!(bytes_to_text("café".as_bytes().to_vec()), "café");
    }

    #[test]
    fn empty_images_decode_to_nothing() {
        for decoder in [Decoder::Rqrr, Decoder::Rxing, Decoder::RxingGlobal] {
            let decoded = run(decoder, &GrayImage::new(0, 0));
            assert!(decoded.texts.is_empty() && !decoded.panicked);
        }
    }
}
