//! Waiting for a condition, polled, with a deadline: tests never sleep a fixed time.

use std::time::{Duration, Instant};

/// How often a condition is polled.
pub const POLL: Duration = Duration::from_millis(20);

/// Polls `ready` until it returns `Some`, and returns that; panics after `limit` saying what
/// was awaited.
pub fn until<T>(limit: Duration, what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = ready() {
            return value;
        }
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(POLL);
    }
}

/// Polls `holds` until it is true; panics after `limit` saying what was awaited.
pub fn until_true(limit: Duration, what: &str, mut holds: impl FnMut() -> bool) {
    until(limit, what, || holds().then_some(()));
}

/// The async twin of [`until`], for tests on a tokio runtime (it sleeps with `sleep`, the
/// caller's async sleep, so the runtime keeps running).
pub async fn until_async<T, F, S>(
    limit: Duration,
    what: &str,
    mut ready: impl FnMut() -> F,
    sleep: impl Fn(Duration) -> S,
) -> T
where
    F: std::future::Future<Output = Option<T>>,
    S: std::future::Future<Output = ()>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = ready().await {
            return value;
        }
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_first_value_and_fails_at_the_deadline() {
        let mut calls = 0;
        let value = until(Duration::from_secs(5), "three calls", || {
            calls += 1;
            (calls == 3).then_some(calls)
        });
        assert_eq!(value, 3);
        let late = std::panic::catch_unwind(|| {
            until_true(Duration::from_millis(50), "never", || false);
        });
        let message = *late.unwrap_err().downcast::<String>().unwrap();
        assert!(message.contains("for never"), "{message}");
    }
}
