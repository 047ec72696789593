//! QR scanning: read the QR code a site shows, from an image file, the clipboard, the screen
//! or a camera.
//!
//! One pure function, [`scan`], turns pixels into payloads: it tries a ladder of
//! (preprocessing, decoder) [`Attempt`]s cheapest first and stops at the first authenticator
//! payload or when its time budget is spent. Every decoder call is panic-isolated and images
//! are size-limited before decoding, so no input can take the caller down.
//!
//! Sources hand images (or text) to it: [`image_file::ImageFile`], [`clipboard::Clipboard`],
//! [`screen::Screen`], each a [`Source`]; the camera runs on its own thread over any
//! [`camera::FrameSource`]. Front ends call [`find_authenticator`] (the account to add, or an
//! error that says what to do) or [`scan_source`] (everything read).

mod decoders;
mod pipeline;
mod preprocess;
mod source;

pub mod camera;
pub mod clipboard;
pub mod image_file;
pub mod screen;

pub use decoders::Decoder;
pub use pipeline::{
    Attempt, Clock, Found, Frame, PixelFormat, ScanOptions, ScanOutcome, SystemClock, Want,
    default_ladder, is_authenticator, parse_ladder, scan, scan_with_clock,
};
pub use preprocess::{MAX_WORK_SIDE, Prep};
pub use source::{Capture, Source, find_authenticator, scan_source};
