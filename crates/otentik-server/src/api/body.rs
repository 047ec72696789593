//! Turning request bodies and query strings into values, with `{code, message}` errors.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

use crate::Error;

/// Parses a JSON body: requires `Content-Type: application/json`, refuses unknown fields
/// (the types say so), maps each failure to its documented code.
pub fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<(T, Bytes), Error> {
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::BodyTooLarge(limit)
        } else {
            Error::MalformedJson("the body could not be read".into())
        }
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(Error::UnsupportedMediaType);
    }
    let value = serde_json::from_slice(&body).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => Error::InvalidJson(e.to_string()),
            Category::Syntax | Category::Eof | Category::Io => Error::MalformedJson(e.to_string()),
        }
    })?;
    Ok((value, body))
}

/// The `wait` query parameter: seconds, 0 when absent, capped at 30.
pub fn wait_param(query: Option<&str>) -> Result<u64, Error> {
    let Some(query) = query else { return Ok(0) };
    let mut wait = 0;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "wait" {
            wait = value
                .parse::<u64>()
                .map_err(|_| Error::field("wait", "expected whole seconds, 0 to 30"))?;
        }
    }
    Ok(wait.min(otentik_protocol::MAX_WAIT_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_values() {
        assert_eq!(wait_param(None).unwrap(), 0);
        assert_eq!(wait_param(Some("wait=5")).unwrap(), 5);
        assert_eq!(wait_param(Some("x=1&wait=99")).unwrap(), 30);
        assert_eq!(
            wait_param(Some("wait=-1")).unwrap_err().to_string(),
            "invalid wait: expected whole seconds, 0 to 30"
        );
    }
}
