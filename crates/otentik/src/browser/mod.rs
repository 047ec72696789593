//! The browser extension's native host (`otentik browser-host`): the browsers' framing
//! ([`frame`]), the requests it answers ([`host`]) and its manifest in the browsers' folders
//! ([`install`]), and the private channel to the running app for adds ([`relay`]). See `docs/browser.md`.

pub mod frame;
pub mod host;
pub mod install;
pub mod relay;

use std::io::{Read, Write};

/// Serves requests from `input` until the browser closes it (`Ok`), answering each on
/// `output`, on the vault `open` gives (opened for each request). A malformed or oversized
/// message, or a reply too large for the browser, gets an error reply and the host goes on;
/// a broken pipe ends it with the error. `now` gives the Unix time of each request.
pub fn serve(
    mut open: impl FnMut() -> crate::Result<crate::vault::Vault>,
    input: &mut impl Read,
    output: &mut impl Write,
    now: impl Fn() -> u64,
) -> std::io::Result<()> {
    while let Some(incoming) = frame::read(input)? {
        let reply = match incoming {
            frame::Incoming::Message(message) => host::reply(&mut open, &message, now()),
            frame::Incoming::TooLarge(length) => host::too_large(length),
        };
        let mut bytes = serde_json::to_vec(&reply).map_err(std::io::Error::other)?;
        if bytes.len() > frame::MAX_REPLY {
            bytes = serde_json::to_vec(&host::reply_too_large(bytes.len()))
                .map_err(std::io::Error::other)?;
        }
        frame::write(output, &bytes)?;
    }
    Ok(())
}
