//! The demo's outgoing e-mail: one `.eml` file per message in the outbox folder, like the
//! mail catcher in the SPSE guide, and the `/outbox` page listing them.

use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;

use super::reply::{html, page_error};
use super::{Demo, pages};
use crate::Error;

/// One e-mail.
#[derive(Debug, Clone)]
pub struct Mail {
    /// File name in the outbox.
    pub file: String,
    /// Whole message text (headers, blank line, body).
    pub text: String,
}

/// Writes a message and returns its file name.
pub fn write(dir: &Path, now: u64, to: &str, subject: &str, body: &str) -> Result<String, Error> {
    let file = format!("{now:012}-{}.eml", crate::token::random("", 6));
    let text = format!(
        "From: SPSE Demo <noreply@spse-demo.test>\r\nTo: {to}\r\nSubject: {subject}\r\n\
         X-Unix-Time: {now}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    );
    let tmp = dir.join(format!(".{file}.tmp"));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, dir.join(&file)))
        .map_err(|e| Error::Internal(format!("writing to the outbox: {e}")))?;
    Ok(file)
}

/// Every message, newest first.
pub fn list(dir: &Path) -> Result<Vec<Mail>, Error> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::Internal(format!("reading the outbox: {e}")))?;
    let mut mails: Vec<Mail> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            if !file.ends_with(".eml") || file.starts_with('.') {
                return None;
            }
            let text = std::fs::read_to_string(entry.path()).ok()?;
            Some(Mail { file, text })
        })
        .collect();
    mails.sort_by(|a, b| b.file.cmp(&a.file));
    Ok(mails)
}

/// `/outbox`: every e-mail the demo sent, newest first.
pub async fn page(State(demo): State<Arc<Demo>>) -> Response {
    match list(demo.outbox()) {
        Ok(mails) => html(pages::outbox(&mails)),
        Err(e) => page_error(e),
    }
}
