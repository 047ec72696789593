//! Image files and in-memory encoded images (PNG, JPEG, WebP, BMP, GIF), decoded with size
//! limits so a decompression bomb is refused before it is unpacked.

use std::io::Cursor;
use std::path::Path;

use image::{GrayImage, ImageReader, Limits};

use crate::error::{Error, Result};

/// Largest accepted width or height, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// Largest memory the decoder may allocate for one image, in bytes.
pub const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// Reads and decodes the image file at `path`, in grey.
pub fn load(path: &Path) -> Result<GrayImage> {
    let what = format!("'{}'", path.display());
    let bytes = std::fs::read(path).map_err(|err| Error::ImageUnreadable {
        what: what.clone(),
        reason: err.to_string(),
    })?;
    decode(&bytes, &what)
}

/// Decodes an encoded image held in memory, in grey; `what` names it in errors
/// (`"'shot.png'"`, `"from the clipboard"`).
pub fn decode(bytes: &[u8], what: &str) -> Result<GrayImage> {
    let unreadable = |reason: String| Error::ImageUnreadable {
        what: what.to_owned(),
        reason,
    };
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|err| unreadable(err.to_string()))?;
    if reader.format().is_none() {
        return Err(unreadable("not an image file of a known format".to_owned()));
    }
    reader.limits(limits());
    let too_large = || Error::ImageTooLarge {
        what: what.to_owned(),
        width: 0,
        height: 0,
        max: MAX_SIDE,
    };
    let (width, height) = match reader.into_dimensions() {
        Ok(size) => size,
        Err(image::ImageError::Limits(_)) => return Err(too_large()),
        Err(err) => return Err(unreadable(err.to_string())),
    };
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(Error::ImageTooLarge {
            what: what.to_owned(),
            width,
            height,
            max: MAX_SIDE,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|err| unreadable(err.to_string()))?;
    reader.limits(limits());
    match reader.decode() {
        Ok(image) => Ok(image.to_luma8()),
        Err(image::ImageError::Limits(_)) => Err(Error::ImageTooLarge {
            what: what.to_owned(),
            width,
            height,
            max: MAX_SIDE,
        }),
        Err(err) => Err(unreadable(err.to_string())),
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// An image file as a [`Source`](super::Source).
#[derive(Debug, Clone)]
pub struct ImageFile {
    path: std::path::PathBuf,
}

impl ImageFile {
    /// The file at `path` (read when captured).
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        ImageFile { path: path.into() }
    }
}

impl super::Source for ImageFile {
    fn describe(&self) -> String {
        format!("in '{}'", self.path.display())
    }

    fn capture(&mut self) -> Result<Vec<super::Capture>> {
        Ok(vec![super::Capture::Image(load(&self.path)?)])
    }
}
