//! Refusing a request that was already received.

use std::collections::HashMap;

use crate::Error;

/// Remembers request nonces for as long as their timestamp would still be accepted, so a
/// captured request cannot be sent again. Memory grows with the request rate times the window.
#[derive(Debug)]
pub struct ReplayGuard {
    window: u64,
    seen: HashMap<String, u64>,
    last_prune: u64,
}

impl ReplayGuard {
    /// A guard for timestamps accepted within `window` seconds of the verifier's clock.
    pub fn new(window: u64) -> Self {
        Self {
            window,
            seen: HashMap::new(),
            last_prune: 0,
        }
    }

    /// Records `key` (device id and nonce) for a request stamped `timestamp`; refuses it when
    /// seen before. Call only after the signature verified, so strangers cannot burn nonces.
    pub fn check_and_record(&mut self, key: &str, timestamp: u64, now: u64) -> Result<(), Error> {
        if now >= self.last_prune.saturating_add(10) {
            self.seen.retain(|_, forget_after| *forget_after >= now);
            self.last_prune = now;
        }
        let forget_after = timestamp.saturating_add(self.window);
        match self.seen.get(key) {
            Some(_) => Err(Error::Replay),
            None => {
                self.seen.insert(key.to_owned(), forget_after);
                Ok(())
            }
        }
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_second_use_and_forgets_after_the_window() {
        let mut guard = ReplayGuard::new(120);
        assert_eq!(guard.check_and_record("d/n1", 1000, 1000), Ok(()));
        assert_eq!(
            guard.check_and_record("d/n1", 1000, 1050),
            Err(Error::Replay)
        );
        assert_eq!(guard.check_and_record("d/n2", 1000, 1050), Ok(()));
        assert_eq!(guard.len(), 2);
        // Long after the window the entries are pruned (the timestamp check refuses them anyway).
        assert_eq!(guard.check_and_record("d/n3", 2000, 2000), Ok(()));
        assert_eq!(guard.len(), 1);
    }
}
