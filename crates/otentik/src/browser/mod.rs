//! The browser extension's native host (`otentik browser-host`): the browsers' framing
//! ([`frame`]), the requests it answers ([`host`]) and its manifest in the browsers' folders
//! ([`install`]). See `docs/browser.md`.

pub mod frame;
pub mod host;
pub mod install;

use std::io::{Read, Write};

/// Serves requests from `input` until the browser closes it (`Ok`), answering each on
/// `output`. A malformed or oversized message gets an error reply and the host goes on;
/// a broken pipe ends it with the error. `now` gives the Unix time of each request.
pub fn serve(
    vault: &mut crate::vault::Vault,
    input: &mut impl Read,
    output: &mut impl Write,
    now: impl Fn() -> u64,
) -> std::io::Result<()> {
    while let Some(incoming) = frame::read(input)? {
        let reply = match incoming {
            frame::Incoming::Message(message) => host::reply(vault, &message, now()),
            frame::Incoming::TooLarge(length) => host::too_large(length),
        };
        let bytes = serde_json::to_vec(&reply).map_err(std::io::Error::other)?;
        frame::write(output, &bytes)?;
    }
    Ok(())
}
