//! The camera: frames are captured on their own thread and handed to the decoder at a steady
//! rate, the newest frame winning (a frame that arrives while the decoder is busy replaces the
//! one waiting, so the decoder never falls behind the picture).
//!
//! The thread works on any [`FrameSource`]; with the `camera` feature, [`NokhwaCamera`] is the
//! real one (V4L2, AVFoundation, Media Foundation through nokhwa). Tests replay images.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use image::GrayImage;

use super::pipeline::{Clock, Found, Frame, ScanOptions, Want, scan_with_clock};
use crate::error::{Error, Result};

/// Something that delivers frames, one at a time, at its own pace (a camera blocks until the
/// next frame is exposed).
pub trait FrameSource {
    /// The next frame; `Ok(None)` when the source has ended (a replay has no more images).
    fn next_frame(&mut self) -> Result<Option<GrayImage>>;
}

/// What the camera scan reports.
#[derive(Debug)]
pub enum CameraEvent {
    /// A payload was read (per [`ScanOptions::want`]); the scan has stopped.
    Found(Found),
    /// The camera could not be opened or failed; the scan has stopped.
    Failed(Error),
    /// The source ended without a payload being read; the scan has stopped.
    Ended,
}

/// Counters, for progress display and tests.
#[derive(Debug, Default)]
pub struct CameraStats {
    /// Frames the source delivered.
    pub captured: AtomicUsize,
    /// Frames the decoder scanned.
    pub scanned: AtomicUsize,
    /// Frames replaced by a newer one before the decoder got to them.
    pub skipped: AtomicUsize,
}

/// The newest frame waiting for the decoder.
#[derive(Default)]
struct Slot {
    frame: Option<GrayImage>,
    /// Frames put into the slot so far.
    sequence: usize,
    /// The source has ended or failed.
    ended: bool,
}

struct Shared {
    slot: Mutex<Slot>,
    changed: Condvar,
    stop: AtomicBool,
    stats: CameraStats,
}

/// A running camera scan: two threads (capture, decode) and the events they report.
pub struct CameraScan {
    events: Receiver<CameraEvent>,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for CameraScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CameraScan")
            .field("stats", &self.shared.stats)
            .finish()
    }
}

/// Starts scanning: `open` runs on the capture thread (a camera handle often must stay on the
/// thread that opened it) and its frames are scanned with `options`, at most one frame every
/// `interval`, time read from `clock`.
pub fn start<S, F>(
    open: F,
    options: ScanOptions,
    interval: Duration,
    clock: Arc<dyn Clock>,
) -> Result<CameraScan>
where
    S: FrameSource,
    F: FnOnce() -> Result<S> + Send + 'static,
{
    let shared = Arc::new(Shared {
        slot: Mutex::new(Slot::default()),
        changed: Condvar::new(),
        stop: AtomicBool::new(false),
        stats: CameraStats::default(),
    });
    let (events, receiver) = mpsc::channel();
    let capture = {
        let shared = Arc::clone(&shared);
        let events = events.clone();
        std::thread::Builder::new()
            .name("otentik-camera".to_owned())
            .spawn(move || capture_loop(open, &shared, &events))
    };
    let capture = capture.map_err(|err| Error::Camera {
        reason: format!("cannot start the camera thread: {err}"),
    })?;
    let decode = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("otentik-qr".to_owned())
            .spawn(move || decode_loop(&shared, &options, interval, clock.as_ref(), &events))
    };
    let decode = match decode {
        Ok(handle) => handle,
        Err(err) => {
            shared.stop.store(true, Ordering::SeqCst);
            let _ = capture.join();
            return Err(Error::Camera {
                reason: format!("cannot start the decoding thread: {err}"),
            });
        }
    };
    Ok(CameraScan {
        events: receiver,
        shared,
        threads: vec![capture, decode],
    })
}

impl CameraScan {
    /// Waits up to `timeout` for the next event; `None` when there is none yet.
    pub fn next_event(&self, timeout: Duration) -> Option<CameraEvent> {
        match self.events.recv_timeout(timeout) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            // Both threads have ended without a word: only after stop().
            Err(RecvTimeoutError::Disconnected) => Some(CameraEvent::Ended),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &CameraStats {
        &self.shared.stats
    }

    /// Stops both threads and waits for them (at most one frame of the camera).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for CameraScan {
    fn drop(&mut self) {
        self.halt();
    }
}

fn capture_loop<S, F>(open: F, shared: &Shared, events: &Sender<CameraEvent>)
where
    S: FrameSource,
    F: FnOnce() -> Result<S>,
{
    let end = |failure: Option<Error>| {
        if let Some(err) = failure {
            let _ = events.send(CameraEvent::Failed(err));
        }
        let mut slot = shared.slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.ended = true;
        shared.changed.notify_all();
    };
    let mut source = match open() {
        Ok(source) => source,
        Err(err) => return end(Some(err)),
    };
    while !shared.stop.load(Ordering::SeqCst) {
        match source.next_frame() {
            Ok(Some(frame)) => {
                shared.stats.captured.fetch_add(1, Ordering::SeqCst);
                let mut slot = shared.slot.lock().unwrap_or_else(PoisonError::into_inner);
                if slot.frame.replace(frame).is_some() {
                    shared.stats.skipped.fetch_add(1, Ordering::SeqCst);
                }
                slot.sequence += 1;
                shared.changed.notify_all();
            }
            Ok(None) => return end(None),
            Err(err) => return end(Some(err)),
        }
    }
}

fn decode_loop(
    shared: &Shared,
    options: &ScanOptions,
    interval: Duration,
    clock: &dyn Clock,
    events: &Sender<CameraEvent>,
) {
    loop {
        let tick = clock.now();
        let frame = {
            let mut slot = shared.slot.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if shared.stop.load(Ordering::SeqCst) {
                    return;
                }
                if let Some(frame) = slot.frame.take() {
                    break frame;
                }
                if slot.ended {
                    // A failure was already reported by the capture thread.
                    let _ = events.send(CameraEvent::Ended);
                    return;
                }
                slot = shared
                    .changed
                    .wait_timeout(slot, Duration::from_millis(200))
                    .map(|(guard, _)| guard)
                    .unwrap_or_else(|poison| poison.into_inner().0);
            }
        };
        shared.stats.scanned.fetch_add(1, Ordering::SeqCst);
        let outcome = scan_with_clock(Frame::grey(&frame), options, clock);
        let hit = match options.want {
            Want::Authenticator => outcome.authenticator(),
            Want::AnyText => outcome.found.first(),
        };
        if let Some(found) = hit {
            let _ = events.send(CameraEvent::Found(found.clone()));
            shared.stop.store(true, Ordering::SeqCst);
            shared.changed.notify_all();
            return;
        }
        let spent = clock.now().saturating_duration_since(tick);
        if spent < interval {
            clock.sleep(interval - spent);
        }
    }
}

#[cfg(feature = "camera")]
pub use self::nokhwa_camera::NokhwaCamera;

#[cfg(feature = "camera")]
mod nokhwa_camera {
    use image::GrayImage;
    use nokhwa::pixel_format::LumaFormat;
    use nokhwa::utils::{ApiBackend, CameraIndex, RequestedFormat, RequestedFormatType};

    use super::FrameSource;
    use crate::error::{Error, Result};

    /// The system's first camera, through nokhwa.
    pub struct NokhwaCamera {
        camera: nokhwa::Camera,
    }

    impl std::fmt::Debug for NokhwaCamera {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "NokhwaCamera({})", self.camera.info().human_name())
        }
    }

    impl NokhwaCamera {
        /// Opens the first camera and starts its stream: [`Error::NoCamera`] when there is
        /// none, [`Error::CameraDenied`] when the system refuses access.
        pub fn open_first() -> Result<Self> {
            let cameras = nokhwa::query(ApiBackend::Auto).map_err(classify)?;
            let index = cameras
                .first()
                .map(|info| info.index().clone())
                .or_else(|| {
                    // Some backends list nothing but can open device 0 (V4L2 without sysfs).
                    has_video_device().then_some(CameraIndex::Index(0))
                })
                .ok_or(Error::NoCamera)?;
            let format =
                RequestedFormat::new::<LumaFormat>(RequestedFormatType::AbsoluteHighestFrameRate);
            let mut camera = nokhwa::Camera::new(index, format).map_err(classify)?;
            camera.open_stream().map_err(classify)?;
            Ok(NokhwaCamera { camera })
        }
    }

    impl FrameSource for NokhwaCamera {
        fn next_frame(&mut self) -> Result<Option<GrayImage>> {
            let buffer = self.camera.frame().map_err(classify)?;
            let frame = buffer.decode_image::<LumaFormat>().map_err(classify)?;
            Ok(Some(frame))
        }
    }

    fn has_video_device() -> bool {
        cfg!(target_os = "linux") && std::path::Path::new("/dev/video0").exists()
    }

    /// nokhwa's errors, sorted into what the user can act on.
    fn classify(err: nokhwa::NokhwaError) -> Error {
        let reason = err.to_string();
        let lower = reason.to_lowercase();
        if lower.contains("permission denied")
            || lower.contains("not authorized")
            || lower.contains("access denied")
        {
            Error::CameraDenied { reason }
        } else if lower.contains("no such file") || lower.contains("no such device") {
            Error::NoCamera
        } else {
            Error::Camera { reason }
        }
    }
}
