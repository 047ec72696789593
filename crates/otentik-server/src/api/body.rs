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
    let mut wait = 0;
    for value in query_values(query, "wait") {
        wait = value
            .parse::<u64>()
            .map_err(|_| Error::field("wait", "expected whole seconds, 0 to 30"))?;
    }
    Ok(wait.min(otentik_protocol::MAX_WAIT_SECS))
}

/// The values of every `key=value` pair of `query` named `key`, in order (`""` for a bare
/// `key`). Values are taken as sent: the device API's parameters are plain ASCII, and the
/// query is signed as sent.
pub fn query_values<'a>(query: Option<&'a str>, key: &'a str) -> impl Iterator<Item = &'a str> {
    query
        .unwrap_or("")
        .split('&')
        .filter_map(move |pair| match pair.split_once('=') {
            Some((name, value)) if name == key => Some(value),
            None if pair == key => Some(""),
            _ => None,
        })
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
