//! The scan pipeline: pixels in, QR payloads out, trying a ladder of (preprocessing, decoder)
//! attempts cheapest first within a time budget.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use image::GrayImage;

use super::decoders::{self, Decoder};
use super::preprocess::{MAX_WORK_SIDE, Prep, half};
use crate::error::{Error, Result};

/// Layout of the bytes of a [`Frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// One byte a pixel, 0 black to 255 white.
    Grey,
    /// Three bytes a pixel: red, green, blue.
    Rgb,
    /// Four bytes a pixel: red, green, blue, alpha (alpha is ignored).
    Rgba,
}

impl PixelFormat {
    fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Grey => 1,
            PixelFormat::Rgb => 3,
            PixelFormat::Rgba => 4,
        }
    }

    fn name(self) -> &'static str {
        match self {
            PixelFormat::Grey => "grey",
            PixelFormat::Rgb => "RGB",
            PixelFormat::Rgba => "RGBA",
        }
    }
}

/// Borrowed pixels of one image or camera frame, rows top to bottom, no padding.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    width: u32,
    height: u32,
    format: PixelFormat,
    data: &'a [u8],
}

impl fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Frame({}×{} {})",
            self.width,
            self.height,
            self.format.name()
        )
    }
}

impl<'a> Frame<'a> {
    /// Checks that `data` holds exactly `width × height` pixels of `format`.
    pub fn new(width: u32, height: u32, format: PixelFormat, data: &'a [u8]) -> Result<Self> {
        let expected = (width as usize)
            .checked_mul(height as usize)
            .and_then(|n| n.checked_mul(format.bytes_per_pixel()));
        if expected != Some(data.len()) {
            return Err(Error::PixelBufferSize {
                width,
                height,
                format: format.name(),
                expected: expected.unwrap_or(usize::MAX),
                actual: data.len(),
            });
        }
        Ok(Frame {
            width,
            height,
            format,
            data,
        })
    }

    /// A grey image as a frame.
    pub fn grey(image: &'a GrayImage) -> Self {
        Frame {
            width: image.width(),
            height: image.height(),
            format: PixelFormat::Grey,
            data: image.as_raw(),
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The frame in grey (BT.601 luma).
    pub(crate) fn to_grey_image(self) -> GrayImage {
        let luma = |p: &[u8]| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114 + 500) / 1000)
                as u8
        };
        let pixels = match self.format {
            PixelFormat::Grey => self.data.to_vec(),
            PixelFormat::Rgb => self.data.chunks_exact(3).map(luma).collect(),
            PixelFormat::Rgba => self.data.chunks_exact(4).map(luma).collect(),
        };
        GrayImage::from_raw(self.width, self.height, pixels).unwrap_or_default()
    }
}

/// Where time comes from: the pipeline reads it to keep its budget, the camera loop to keep
/// its rate. Tests pass a clock they control.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// The monotonic system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// One rung of the ladder: preprocessing steps applied in order, then a decoder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attempt {
    /// Steps applied to the frame first (empty: the frame as is).
    pub steps: Vec<Prep>,
    /// The decoder called on the result.
    pub decoder: Decoder,
}

impl Attempt {
    /// An attempt from a decoder and steps.
    pub fn new(decoder: Decoder, steps: &[Prep]) -> Self {
        Attempt {
            steps: steps.iter().copied().filter(|s| *s != Prep::AsIs).collect(),
            decoder,
        }
    }

    /// The steps as one name: `as-is`, `half+stretch`, ...
    pub fn steps_name(&self) -> String {
        if self.steps.is_empty() {
            Prep::AsIs.name().to_owned()
        } else {
            let names: Vec<&str> = self.steps.iter().map(|s| s.name()).collect();
            names.join("+")
        }
    }
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.decoder.name(), self.steps_name())
    }
}

impl FromStr for Attempt {
    type Err = String;

    /// `decoder:step+step`, e.g. `rxing:as-is` or `rqrr:half+stretch`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (decoder, steps) = text.split_once(':').unwrap_or((text, "as-is"));
        let decoder = Decoder::from_name(decoder.trim())
            .ok_or_else(|| format!("unknown decoder '{decoder}'"))?;
        let steps = steps
            .split('+')
            .map(|s| Prep::from_name(s.trim()).ok_or_else(|| format!("unknown step '{s}'")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Attempt::new(decoder, &steps))
    }
}

/// Parses a ladder written as attempts separated by commas (see [`Attempt`]'s `FromStr`).
pub fn parse_ladder(text: &str) -> Result<Vec<Attempt>, String> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// The ladder Otentik uses, chosen by measurement on real photos and synthetic camera frames
/// (`docs/decisions/0003-scan-decoders.md`): cheap rungs that decode most frames first, then the
/// ones that rescue inverted, unevenly lit, low-contrast and tiny codes; rqrr last, as a
/// decoder of another lineage in case rxing fails on an input.
pub fn default_ladder() -> Vec<Attempt> {
    use Decoder::{Rqrr, Rxing, RxingGlobal};
    use Prep::{Double, Half, Invert, Stretch, Threshold};
    vec![
        Attempt::new(RxingGlobal, &[Half]),
        Attempt::new(RxingGlobal, &[]),
        Attempt::new(RxingGlobal, &[Invert]),
        Attempt::new(RxingGlobal, &[Half, Threshold]),
        Attempt::new(Rxing, &[]),
        Attempt::new(Rxing, &[Half]),
        Attempt::new(RxingGlobal, &[Half, Stretch]),
        Attempt::new(RxingGlobal, &[Threshold]),
        Attempt::new(Rxing, &[Invert]),
        Attempt::new(RxingGlobal, &[Double, Threshold]),
        Attempt::new(Rqrr, &[]),
    ]
}

/// What counts as success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Stop at the first payload that is an `otpauth://` or `otpauth-migration://` URI (other
    /// payloads seen on the way are returned too).
    Authenticator,
    /// Stop at the first payload of any kind.
    AnyText,
}

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// When to stop.
    pub want: Want,
    /// No new attempt starts after this much time (the first one always runs).
    pub budget: Duration,
    /// Attempts in order.
    pub ladder: Vec<Attempt>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            want: Want::Authenticator,
            budget: Duration::from_millis(500),
            ladder: default_ladder(),
        }
    }
}

/// One payload read from a frame.
#[derive(Clone, PartialEq, Eq)]
pub struct Found {
    /// The payload. It may hold a secret: never log it.
    pub text: String,
    /// Whether it is an authenticator URI (`otpauth://…` or `otpauth-migration://…` that
    /// parses).
    pub authenticator: bool,
    /// Which decoder read it.
    pub decoder: Decoder,
    /// Which preprocessing steps came first (empty: the frame as is).
    pub steps: Vec<Prep>,
    /// Time from the start of the scan until it was read.
    pub elapsed: Duration,
}

impl fmt::Debug for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Found")
            .field(
                "text",
                &format_args!("<{} bytes, redacted>", self.text.len()),
            )
            .field("authenticator", &self.authenticator)
            .field("decoder", &self.decoder)
            .field("steps", &self.steps)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

impl Found {
    /// The preprocessing steps as one name (`as-is`, `half+stretch`).
    pub fn steps_name(&self) -> String {
        Attempt::new(self.decoder, &self.steps).steps_name()
    }
}

/// The result of scanning one frame.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// Payloads read, each once, in the order read.
    pub found: Vec<Found>,
    /// How many attempts ran.
    pub attempts: usize,
    /// How many decoder calls panicked (caught; the scan went on).
    pub panics: usize,
    /// Whether the budget stopped the ladder before success or its end.
    pub out_of_time: bool,
    /// Time the whole scan took.
    pub elapsed: Duration,
}

impl ScanOutcome {
    /// The first authenticator payload, if any.
    pub fn authenticator(&self) -> Option<&Found> {
        self.found.iter().find(|f| f.authenticator)
    }

    fn satisfied(&self, want: Want) -> bool {
        match want {
            Want::Authenticator => self.found.iter().any(|f| f.authenticator),
            Want::AnyText => !self.found.is_empty(),
        }
    }
}

/// Whether `text` is an authenticator payload Otentik can add.
pub fn is_authenticator(text: &str) -> bool {
    crate::otpauth::parse_any(text).is_ok_and(|accounts| !accounts.is_empty())
}

/// Scans a frame for QR codes with the system clock. Never panics.
pub fn scan(frame: Frame<'_>, options: &ScanOptions) -> ScanOutcome {
    scan_with_clock(frame, options, &SystemClock)
}

/// Scans a frame for QR codes, reading time from `clock`. Never panics.
pub fn scan_with_clock(frame: Frame<'_>, options: &ScanOptions, clock: &dyn Clock) -> ScanOutcome {
    let start = clock.now();
    let mut outcome = ScanOutcome::default();
    if frame.width == 0 || frame.height == 0 {
        return outcome;
    }
    let mut grey = frame.to_grey_image();
    while grey.width().max(grey.height()) > MAX_WORK_SIDE {
        grey = half(&grey);
    }
    for attempt in &options.ladder {
        if outcome.attempts > 0 && clock.now().saturating_duration_since(start) >= options.budget {
            outcome.out_of_time = true;
            break;
        }
        outcome.attempts += 1;
        let mut image: Cow<'_, GrayImage> = Cow::Borrowed(&grey);
        for step in &attempt.steps {
            if let Some(next) = step.apply(&image) {
                image = Cow::Owned(next);
            }
        }
        let decoded = decoders::run(attempt.decoder, &image);
        if decoded.panicked {
            outcome.panics += 1;
        }
        for text in decoded.texts {
            if outcome.found.iter().any(|f| f.text == text) {
                continue;
            }
            outcome.found.push(Found {
                authenticator: is_authenticator(&text),
                text,
                decoder: attempt.decoder,
                steps: attempt.steps.clone(),
                elapsed: clock.now().saturating_duration_since(start),
            });
        }
        if outcome.satisfied(options.want) {
            break;
        }
    }
    outcome.elapsed = clock.now().saturating_duration_since(start);
    outcome
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use image::Luma;

    use super::*;

    const URI: &str = "otpauth://totp/SPSE:budi?secret=JBSWY3DPEHPK3PXP&issuer=SPSE";

    fn qr(text: &str) -> GrayImage {
        qrcode::QrCode::new(text)
            .map(|code| code.render::<Luma<u8>>().module_dimensions(4, 4).build())
            .unwrap_or_default()
    }

    /// A clock that moves `step` forward each time it is read.
    struct SteppingClock {
        now: Mutex<Instant>,
        step: Duration,
    }

    impl Clock for SteppingClock {
        fn now(&self) -> Instant {
            let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
            *now += self.step;
            *now
        }
    }

    #[test]
    fn the_budget_stops_the_ladder_but_the_first_attempt_always_runs() {
        let blank = GrayImage::from_pixel(64, 64, Luma([200]));
        let clock = SteppingClock {
            now: Mutex::new(Instant::now()),
            step: Duration::from_millis(40),
        };
        let options = ScanOptions {
            budget: Duration::from_millis(100),
            ..ScanOptions::default()
        };
        let outcome = scan_with_clock(Frame::grey(&blank), &options, &clock);
        assert!(outcome.out_of_time);
        // The clock is read at the start and before every attempt but the first: 40 ms and
        // 80 ms after the start attempts 2 and 3 run; at 120 ms the ladder stops.
        assert_eq!(outcome.attempts, 3);
        let outcome = scan_with_clock(
            Frame::grey(&blank),
            &ScanOptions {
                budget: Duration::ZERO,
                ..options
            },
            &clock,
        );
        assert_eq!(outcome.attempts, 1);
    }

    #[test]
    fn an_empty_ladder_or_frame_finds_nothing() {
        let image = qr(URI);
        let options = ScanOptions {
            ladder: Vec::new(),
            ..ScanOptions::default()
        };
        let outcome = scan(Frame::grey(&image), &options);
        assert!(outcome.found.is_empty() && outcome.attempts == 0);
        let empty = GrayImage::new(0, 0);
        assert!(
            scan(Frame::grey(&empty), &ScanOptions::default())
                .found
                .is_empty()
        );
    }

    #[test]
    fn authenticator_mode_goes_on_past_other_payloads_any_text_mode_stops() {
        let image = qr("https://lpse.example.go.id/");
        let ladder = parse_ladder("rxing:as-is,rxing-global:as-is,rqrr:as-is").unwrap_or_default();
        let want_any = ScanOptions {
            want: Want::AnyText,
            ladder: ladder.clone(),
            ..ScanOptions::default()
        };
        let outcome = scan(Frame::grey(&image), &want_any);
        assert_eq!(outcome.attempts, 1);
        assert_eq!(outcome.found.len(), 1);
        assert!(!outcome.found[0].authenticator);
        let want_otp = ScanOptions {
            ladder,
            ..ScanOptions::default()
        };
        let outcome = scan(Frame::grey(&image), &want_otp);
        assert_eq!(
            outcome.attempts, 3,
            "went on looking for an authenticator code"
        );
        assert_eq!(outcome.found.len(), 1, "the same payload is reported once");
        assert!(outcome.authenticator().is_none());
    }

    #[test]
    fn an_authenticator_code_is_found_on_the_first_rung() {
        let image = qr(URI);
        let outcome = scan(Frame::grey(&image), &ScanOptions::default());
        let found = outcome.authenticator().map(|f| f.text.as_str());
        assert_eq!(found, Some(URI));
        assert_eq!(outcome.attempts, 1);
    }

    #[test]
    fn huge_frames_are_scaled_down_before_decoding() {
        // 9000×40 is more than MAX_WORK_SIDE wide: halved twice, then scanned.
        let wide = GrayImage::from_pixel(9000, 40, Luma([255]));
        let outcome = scan(Frame::grey(&wide), &ScanOptions::default());
        assert!(outcome.found.is_empty() && outcome.panics == 0);
    }

    #[test]
    fn ladders_parse_and_print() {
        let ladder = parse_ladder("rxing-global:half+threshold, rqrr").unwrap_or_default();
        let printed: Vec<String> = ladder.iter().map(ToString::to_string).collect();
        assert_eq!(printed, ["rxing-global:half+threshold", "rqrr:as-is"]);
        assert_eq!(
            parse_ladder("zbar:as-is"),
            Err("unknown decoder 'zbar'".to_owned())
        );
        assert_eq!(
            parse_ladder("rqrr:sharpen"),
            Err("unknown step 'sharpen'".to_owned())
        );
    }

    #[test]
    fn found_debug_redacts_the_payload() {
        let found = Found {
            text: URI.to_owned(),
            authenticator: true,
            decoder: Decoder::Rxing,
            steps: vec![Prep::Half],
            elapsed: Duration::ZERO,
        };
        let debug = format!("{found:?}");
        assert!(!debug.contains("JBSWY3DPEHPK3PXP"), "{debug}");
        assert_eq!(found.steps_name(), "half");
    }
}
