//! The camera thread, driven by a frame source that replays images (this machine has no
//! camera), and the real camera's "no camera" error.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::{GrayImage, Luma};
use otentik::Error;
use otentik::scan::camera::{self, CameraEvent, FrameSource};
use otentik::scan::{Clock, ScanOptions, SystemClock};
use qrcode::QrCode;

const URI: &str = "otpauth://totp/SPSE:sri_wahyuni?secret=JBSWY3DPEHPK3PXP&issuer=SPSE";

/// Replays frames, optionally pausing between them like a camera's exposure.
struct Replay {
    frames: VecDeque<GrayImage>,
    pause: Duration,
    /// Error to return after the frames, instead of ending.
    fail_after: Option<Error>,
}

impl FrameSource for Replay {
    fn next_frame(&mut self) -> otentik::Result<Option<GrayImage>> {
        std::thread::sleep(self.pause);
        match self.frames.pop_front() {
            Some(frame) => Ok(Some(frame)),
            None => match self.fail_after.take() {
                Some(err) => Err(err),
                None => Ok(None),
            },
        }
    }
}

fn blank() -> GrayImage {
    GrayImage::from_pixel(640, 360, Luma([180]))
}

fn with_code() -> GrayImage {
    let code = QrCode::new(URI)
        .unwrap()
        .render::<Luma<u8>>()
        .module_dimensions(4, 4)
        .build();
    let mut frame = blank();
    image::imageops::overlay(&mut frame, &code, 200, 40);
    frame
}

fn wait(scan: &camera::CameraScan) -> CameraEvent {
    scan.next_event(Duration::from_secs(60))
        .expect("no event within a minute")
}

#[test]
fn the_code_is_found_in_replayed_frames() {
    let frames: VecDeque<_> = (0..8)
        .map(|_| blank())
        .chain((0..4).map(|_| with_code()))
        .collect();
    let source = Replay {
        frames,
        pause: Duration::from_millis(5),
        fail_after: None,
    };
    let scan = camera::start(
        move || Ok(source),
        ScanOptions::default(),
        Duration::from_millis(10),
        Arc::new(SystemClock),
    )
    .unwrap();
    match wait(&scan) {
        CameraEvent::Found(found) => assert_eq!(found.text, URI),
        other => panic!("expected the code, got {other:?}"),
    }
    let stats = scan.stats();
    assert!(stats.scanned.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    scan.stop();
}

#[test]
fn the_newest_frame_wins() {
    // 200 blank frames delivered at once, then the code, then the end: the decoder cannot
    // keep up with the blanks, skips the stale ones, and still sees the last frame.
    let frames: VecDeque<_> = (0..200).map(|_| blank()).chain([with_code()]).collect();
    let source = Replay {
        frames,
        pause: Duration::ZERO,
        fail_after: None,
    };
    let scan = camera::start(
        move || Ok(source),
        ScanOptions::default(),
        Duration::ZERO,
        Arc::new(SystemClock),
    )
    .unwrap();
    match wait(&scan) {
        CameraEvent::Found(found) => assert_eq!(found.text, URI),
        other => panic!("expected the code, got {other:?}"),
    }
    let stats = scan.stats();
    let (captured, scanned, skipped) = (
        stats.captured.load(std::sync::atomic::Ordering::SeqCst),
        stats.scanned.load(std::sync::atomic::Ordering::SeqCst),
        stats.skipped.load(std::sync::atomic::Ordering::SeqCst),
    );
    assert_eq!(captured, 201);
    assert!(
        skipped > 0 && scanned < captured,
        "scanned {scanned}, skipped {skipped}"
    );
    assert_eq!(
        scanned + skipped,
        captured,
        "every frame is either scanned or replaced"
    );
}

#[test]
fn a_replay_without_a_code_ends() {
    let source = Replay {
        frames: (0..3).map(|_| blank()).collect(),
        pause: Duration::ZERO,
        fail_after: None,
    };
    let scan = camera::start(
        move || Ok(source),
        ScanOptions::default(),
        Duration::ZERO,
        Arc::new(SystemClock),
    )
    .unwrap();
    assert!(matches!(wait(&scan), CameraEvent::Ended));
}

#[test]
fn a_failing_camera_reports_its_error_and_stops() {
    let source = Replay {
        frames: VecDeque::from([blank()]),
        pause: Duration::ZERO,
        fail_after: Some(Error::Camera {
            reason: "device unplugged".to_owned(),
        }),
    };
    let scan = camera::start(
        move || Ok(source),
        ScanOptions::default(),
        Duration::ZERO,
        Arc::new(SystemClock),
    )
    .unwrap();
    match wait(&scan) {
        CameraEvent::Failed(err) => assert_eq!(
            err.to_string(),
            "the camera failed: device unplugged; reconnect it, or add the account from an image or the screen"
        ),
        other => panic!("expected the failure, got {other:?}"),
    }
}

#[test]
fn no_camera_is_reported_as_such() {
    let scan = camera::start(
        || -> otentik::Result<Replay> { Err(Error::NoCamera) },
        ScanOptions::default(),
        Duration::ZERO,
        Arc::new(SystemClock),
    )
    .unwrap();
    match wait(&scan) {
        CameraEvent::Failed(err) => assert_eq!(
            err.to_string(),
            "no camera found: connect one, or add the account from an image or the screen"
        ),
        other => panic!("expected 'no camera', got {other:?}"),
    }
}

/// A clock that only moves when slept on, recording every sleep.
#[derive(Default)]
struct SleepLog {
    now: Mutex<Option<Instant>>,
    sleeps: Mutex<Vec<Duration>>,
}

impl Clock for SleepLog {
    fn now(&self) -> Instant {
        *self.now.lock().unwrap().get_or_insert_with(Instant::now)
    }
    fn sleep(&self, duration: Duration) {
        self.sleeps.lock().unwrap().push(duration);
        let mut now = self.now.lock().unwrap();
        *now = Some(now.unwrap_or_else(Instant::now) + duration);
    }
}

#[test]
fn frames_are_decoded_at_a_steady_rate() {
    // Decoding takes no time on this clock, so the loop waits a full interval after each
    // frame without a code.
    let clock = Arc::new(SleepLog::default());
    let source = Replay {
        frames: (0..5).map(|_| blank()).chain([with_code()]).collect(),
        pause: Duration::from_millis(20),
        fail_after: None,
    };
    let interval = Duration::from_millis(100);
    let scan = camera::start(
        move || Ok(source),
        ScanOptions::default(),
        interval,
        clock.clone(),
    )
    .unwrap();
    assert!(matches!(wait(&scan), CameraEvent::Found(_)));
    scan.stop();
    let sleeps = clock.sleeps.lock().unwrap().clone();
    assert!(!sleeps.is_empty());
    assert!(sleeps.iter().all(|s| *s == interval), "{sleeps:?}");
}

#[cfg(feature = "camera")]
#[test]
fn the_real_camera_says_no_camera_here() {
    if std::path::Path::new("/dev/video0").exists() {
        println!("/dev/video0 exists: this machine has a camera, nothing to check");
        return;
    }
    let err = camera::NokhwaCamera::open_first().unwrap_err();
    assert!(matches!(err, Error::NoCamera), "{err:?}");
}
