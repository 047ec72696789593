//! The browsers' native-messaging framing: each message is a 32-bit length in the machine's
//! byte order, then that many bytes of UTF-8 JSON.

use std::io::{self, Read, Write};

/// The largest request the host reads (the extension's requests are a few hundred bytes; an
/// `add` carries one `otpauth://` URI).
pub const MAX_REQUEST: u32 = 64 * 1024;
/// The largest message a browser accepts from a host (Chromium's limit is 1 MiB).
pub const MAX_REPLY: usize = 1024 * 1024;

/// One frame read from the browser.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A message's bytes (not yet known to be JSON).
    Message(Vec<u8>),
    /// A message over [`MAX_REQUEST`], read past and dropped: the next frame is intact.
    TooLarge(u32),
}

/// Reads the next frame: `None` when the browser closed the pipe between frames (the host's
/// signal to exit); an error when it closed it inside one.
pub fn read(reader: &mut impl Read) -> io::Result<Option<Incoming>> {
    let mut length = [0u8; 4];
    let mut filled = 0;
    while filled < length.len() {
        match reader.read(&mut length[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let length = u32::from_ne_bytes(length);
    if length > MAX_REQUEST {
        let skipped = io::copy(&mut reader.take(u64::from(length)), &mut io::sink())?;
        if skipped < u64::from(length) {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        return Ok(Some(Incoming::TooLarge(length)));
    }
    let mut message = vec![0u8; length as usize];
    reader.read_exact(&mut message)?;
    Ok(Some(Incoming::Message(message)))
}

/// Writes one message and flushes it.
pub fn write(writer: &mut impl Write, message: &[u8]) -> io::Result<()> {
    if message.len() > MAX_REPLY {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a reply over the browser's 1 MiB limit",
        ));
    }
    let length = u32::try_from(message.len()).map_err(|_| io::ErrorKind::InvalidInput)?;
    writer.write_all(&length.to_ne_bytes())?;
    writer.write_all(message)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, message).unwrap();
        out
    }

    #[test]
    fn frames_round_trip_in_native_byte_order() {
        let bytes = framed(br#"{"type":"status"}"#);
        assert_eq!(bytes[..4], 17u32.to_ne_bytes());
        let mut reader = &bytes[..];
        assert_eq!(
            read(&mut reader).unwrap(),
            Some(Incoming::Message(br#"{"type":"status"}"#.to_vec()))
        );
        assert_eq!(
            read(&mut reader).unwrap(),
            None,
            "a clean end between frames"
        );
    }

    #[test]
    fn an_oversized_frame_is_skipped_and_the_next_one_read() {
        let mut bytes = (MAX_REQUEST + 1).to_ne_bytes().to_vec();
        bytes.extend(vec![b' '; MAX_REQUEST as usize + 1]);
        bytes.extend(framed(b"{}"));
        let mut reader = &bytes[..];
        assert_eq!(
            read(&mut reader).unwrap(),
            Some(Incoming::TooLarge(MAX_REQUEST + 1))
        );
        assert_eq!(
            read(&mut reader).unwrap(),
            Some(Incoming::Message(b"{}".to_vec()))
        );
    }

    #[test]
    fn a_pipe_closed_inside_a_frame_is_an_error() {
        for cut in [&[1u8, 0][..], &framed(b"{\"type\"}")[..6]] {
            let mut reader = cut;
            let error = read(&mut reader).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        }
        let mut huge = (MAX_REQUEST + 1).to_ne_bytes().to_vec();
        huge.extend(b"short");
        assert!(read(&mut &huge[..]).is_err());
    }

    #[test]
    fn a_reply_over_the_browsers_limit_is_refused() {
        let mut out = Vec::new();
        assert!(write(&mut out, &vec![b'a'; MAX_REPLY + 1]).is_err());
        assert!(out.is_empty());
    }
}
