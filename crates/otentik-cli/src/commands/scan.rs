//! `otentik scan <IMAGE>...`: the QR codes in image files, each payload on its own line (any
//! text, not only authenticator URIs); `--json` adds which decoder and steps read it, and when.
//! Exit status 1 when an image holds no readable code, 2 when an image cannot be read (the
//! other images are still scanned).

use std::process::ExitCode;
use std::time::Duration;

use otentik::scan::{self, Frame, ScanOptions, Want};
use serde::Serialize;

use crate::args::ScanArgs;
use crate::failure::{BAD_INPUT, Failure, NOT_FOUND};
use crate::{Outcome, messages, output};

/// The JSON shape of one payload (a contract: keep the field names).
#[derive(Debug, Serialize)]
struct Payload {
    file: String,
    /// The payload. It may hold a secret: the user asked to see it.
    text: String,
    /// Whether it is an otpauth:// or otpauth-migration:// URI Otentik can add.
    authenticator: bool,
    /// `rqrr`, `rxing`, `rxing-global`.
    decoder: &'static str,
    /// Preprocessing before the decoder: `as-is`, `half`, `half+threshold`, ...
    steps: String,
    /// Milliseconds from the start of the image's scan (after file decoding) to this payload.
    ms: f64,
}

/// Runs the command.
pub fn run(args: &ScanArgs) -> Outcome {
    let options = ScanOptions {
        want: Want::AnyText,
        budget: Duration::from_secs(3),
        ..ScanOptions::default()
    };
    let mut payloads = Vec::new();
    let mut status = 0u8;
    for file in &args.images {
        let image = match scan::image_file::load(file) {
            Ok(image) => image,
            Err(error) => {
                let failure = Failure::from(error);
                eprintln!("{}", messages::error_line(&failure.message));
                status = BAD_INPUT;
                continue;
            }
        };
        let outcome = scan::scan(Frame::grey(&image), &options);
        if outcome.found.is_empty() {
            eprintln!(
                "{}",
                messages::error_line(&messages::scan_nothing_found(file))
            );
            status = status.max(NOT_FOUND);
        }
        for found in outcome.found {
            if !args.json {
                output::line(&found.text);
            }
            payloads.push(Payload {
                file: file.display().to_string(),
                authenticator: found.authenticator,
                decoder: found.decoder.name(),
                steps: found.steps_name(),
                ms: (found.elapsed.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
                text: found.text,
            });
        }
    }
    if args.json {
        output::json(&payloads);
    }
    Ok(ExitCode::from(status))
}
