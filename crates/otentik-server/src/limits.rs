//! In-memory caps: concurrent long-polls per device (a long-poll is held by one process), and
//! the replay cache of a server on SQLite (one process; on PostgreSQL the nonces are in the
//! database, where every process sees them: [`crate::device::record_nonce`]).
//!
//! (Limits that must survive a restart or hold across processes — login back-off, wrong
//! typed codes, the typed-code rate — live in the database: see [`crate::throttle`].)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::Error;

/// Long-polls one device may hold at once; the next one is refused with 429. A device needs
/// one (two briefly, while a reconnect overlaps the old poll); four leaves room for a user
/// with the app and the command line on the same account.
pub const MAX_POLLS_PER_DEVICE: usize = 4;

/// Counts the long-polls each device holds.
#[derive(Debug, Default, Clone)]
pub struct PollSlots(Arc<Mutex<HashMap<String, usize>>>);

/// A held long-poll slot for some devices; released when dropped (also when the client goes
/// away and the request future is dropped).
#[derive(Debug)]
pub struct PollSlot {
    slots: PollSlots,
    devices: Vec<String>,
}

impl PollSlots {
    /// Takes a slot for each of `devices`, or none and [`Error::RateLimited`] when one of
    /// them already holds [`MAX_POLLS_PER_DEVICE`].
    pub fn take(&self, devices: &[String]) -> Result<PollSlot, Error> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if devices
            .iter()
            .any(|d| map.get(d).copied().unwrap_or(0) >= MAX_POLLS_PER_DEVICE)
        {
            return Err(Error::RateLimited(1));
        }
        for device in devices {
            *map.entry(device.clone()).or_default() += 1;
        }
        Ok(PollSlot {
            slots: self.clone(),
            devices: devices.to_vec(),
        })
    }

    /// How many long-polls `device` holds now.
    pub fn held(&self, device: &str) -> usize {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(device).copied().unwrap_or(0)
    }
}

impl Drop for PollSlot {
    fn drop(&mut self) {
        let mut map = self.slots.0.lock().unwrap_or_else(|p| p.into_inner());
        for device in &self.devices {
            if let Some(count) = map.get_mut(device) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    map.remove(device);
                }
            }
        }
    }
}

/// Request nonces seen within the clock tolerance, so a captured request cannot be sent
/// again; with a hard cap on its size. Record a nonce only once its signer is known to the
/// server (a registered device, or an enrolment whose token is valid).
#[derive(Debug)]
pub struct ReplayCache {
    window: u64,
    cap: usize,
    seen: HashMap<String, u64>,
    last_prune: u64,
}

impl ReplayCache {
    /// Remembers nonces for `window` seconds past their timestamp, at most `cap` at once.
    pub fn new(window: u64, cap: usize) -> Self {
        Self {
            window,
            cap,
            seen: HashMap::new(),
            last_prune: 0,
        }
    }

    /// Records `key` for a request stamped `timestamp`: [`Error::Unauthorized`] when seen
    /// before, [`Error::RateLimited`] when the cache is full of nonces still in their window.
    pub fn record(&mut self, key: &str, timestamp: u64, now: u64) -> Result<(), Error> {
        let full = self.seen.len() >= self.cap;
        if now >= self.last_prune.saturating_add(10) || (full && now != self.last_prune) {
            self.seen.retain(|_, forget_after| *forget_after >= now);
            self.last_prune = now;
        }
        if self.seen.contains_key(key) {
            return Err(Error::Unauthorized);
        }
        if self.seen.len() >= self.cap {
            tracing::warn!(cap = self.cap, "the replay cache is full");
            return Err(Error::RateLimited(10));
        }
        self.seen
            .insert(key.to_owned(), timestamp.saturating_add(self.window));
        Ok(())
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replay_cache_refuses_repeats_and_stays_under_its_cap() {
        let mut cache = ReplayCache::new(120, 2);
        cache.record("a", 1000, 1000).unwrap();
        assert!(matches!(
            cache.record("a", 1000, 1001),
            Err(Error::Unauthorized)
        ));
        cache.record("b", 1000, 1001).unwrap();
        assert!(matches!(
            cache.record("c", 1000, 1002),
            Err(Error::RateLimited(_))
        ));
        assert_eq!(cache.len(), 2);
        // Past the window the old ones go and there is room again.
        cache.record("c", 1200, 1200).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn the_fifth_poll_is_refused_and_a_dropped_one_frees_its_slot() {
        let slots = PollSlots::default();
        let ids = vec!["d".to_owned()];
        let held: Vec<PollSlot> = (0..4).map(|_| slots.take(&ids).unwrap()).collect();
        assert!(matches!(slots.take(&ids), Err(Error::RateLimited(_))));
        assert_eq!(slots.held("d"), 4);
        drop(held);
        assert_eq!(slots.held("d"), 0);
        assert!(slots.take(&ids).is_ok());
    }
}
