//! `otentik add <URI> | --image F | --screen | --clipboard | --camera`: add an account, or
//! every account of an export; an account whose QR offers push approvals is enrolled at once
//! (and retried later if the server is away).

use std::process::ExitCode;

use otentik::push::{PushClient, accounts};
use otentik::scan::{self, ScanOptions};

use crate::args::AddArgs;
use crate::commands::push::device_name;
use crate::{Outcome, messages, output};

/// Runs the command. The payload is read and parsed completely before the vault is touched.
pub fn run(args: &AddArgs) -> Outcome {
    let payload = payload(args)?;
    let parsed = otentik::otpauth::parse_any(&payload)?;
    let mut vault = super::unlock::open(args.password_file.as_deref(), "--password-file")?;
    let mut added = Vec::new();
    for item in &parsed {
        for warning in &item.warnings {
            eprintln!("{}", messages::warning_line(&warning.to_string()));
        }
        let stored = vault.add(&item.account, crate::now(), args.force)?;
        output::line(&messages::added(&stored));
        added.push(stored);
    }
    let with_push: Vec<_> = added.iter().filter(|a| a.push.is_some()).collect();
    if with_push.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = crate::runtime()?;
    let client = PushClient::new()?;
    for account in with_push {
        let result = runtime.block_on(accounts::enroll(
            &mut vault,
            &client,
            &account.id,
            &device_name(),
            crate::now(),
        ));
        match result {
            Ok(enrolled) => output::line(&messages::push_active(&enrolled)),
            // The account is kept: its codes work, and enrolment is retried later.
            Err(error) => eprintln!(
                "{}",
                messages::warning_line(&messages::push_not_active(&error))
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The authenticator URI, typed or read from a QR code.
fn payload(args: &AddArgs) -> Result<String, crate::failure::Failure> {
    let options = ScanOptions::default();
    let found = if let Some(uri) = &args.uri {
        return Ok(uri.clone());
    } else if let Some(image) = &args.image {
        scan::find_authenticator(&mut scan::image_file::ImageFile::new(image), &options)?
    } else if args.screen {
        scan::find_authenticator(&mut scan::screen::Screen::new(), &options)?
    } else if args.clipboard {
        scan::find_authenticator(&mut scan::clipboard::Clipboard, &options)?
    } else {
        return camera();
    };
    Ok(found.text)
}

#[cfg(feature = "camera")]
fn camera() -> Result<String, crate::failure::Failure> {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use otentik::scan::camera::{self, CameraEvent, NokhwaCamera};

    let options = ScanOptions {
        budget: Duration::from_millis(150),
        ..ScanOptions::default()
    };
    let scan = camera::start(
        NokhwaCamera::open_first,
        options,
        Duration::from_millis(100),
        Arc::new(scan::SystemClock),
    )?;
    eprintln!("{}", messages::CAMERA_HOLD);
    let deadline = Instant::now() + Duration::from_secs(60);
    let result = loop {
        match scan.next_event(Duration::from_millis(250)) {
            Some(CameraEvent::Found(found)) => break Ok(found.text),
            Some(CameraEvent::Failed(error)) => break Err(error.into()),
            Some(CameraEvent::Ended) => {
                break Err(otentik::Error::QrNotFound {
                    what: "on the camera".into(),
                }
                .into());
            }
            None if Instant::now() > deadline => {
                break Err(otentik::Error::QrNotFound {
                    what: "on the camera within a minute".into(),
                }
                .into());
            }
            None => {}
        }
    };
    scan.stop();
    result
}

#[cfg(not(feature = "camera"))]
fn camera() -> Result<String, crate::failure::Failure> {
    Err(crate::failure::Failure::bad_input(
        messages::CAMERA_NOT_BUILT,
    ))
}
