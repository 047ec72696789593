//! Time, passed in: the [`Clock`] a poller reads, and the per-server clock offset that
//! corrects codes when the device clock is wrong.

/// Device clocks further than this from the server's get a warning, and their codes use the
/// server's time.
pub const CLOCK_WARNING_SECS: u64 = 15;

/// Where a long-running task reads the time. Everything else takes the time as a parameter.
pub trait Clock: Send + Sync + 'static {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}

/// Server time minus device time.
pub fn offset(server_time: u64, device_time: u64) -> i64 {
    let difference = i128::from(server_time) - i128::from(device_time);
    i64::try_from(difference).unwrap_or(if difference < 0 { i64::MIN } else { i64::MAX })
}

/// Whether an offset deserves a warning (and correction).
pub fn is_off(offset: i64) -> bool {
    offset.unsigned_abs() > CLOCK_WARNING_SECS
}

/// The time to compute codes at: the device time, corrected by the server's offset when the
/// device clock is off by more than [`CLOCK_WARNING_SECS`].
pub fn corrected(device_time: u64, offset: i64) -> u64 {
    if is_off(offset) {
        device_time.saturating_add_signed(offset)
    } else {
        device_time
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_offsets_are_ignored_large_ones_corrected() {
        assert_eq!(offset(1_000, 990), 10);
        assert_eq!(offset(0, u64::MAX), i64::MIN);
        assert_eq!(corrected(1_000, 15), 1_000);
        assert_eq!(corrected(1_000, 16), 1_016);
        assert_eq!(corrected(1_000, -600), 400);
        assert_eq!(corrected(10, -600), 0);
        assert!(!is_off(-15) && is_off(-16));
    }
}
