//! Optional device features, declared in the signed query of a poll
//! (`GET /device/v1/challenges?wait=25&features=number_entry`).
//!
//! A server that does not know a feature ignores it; a device that does not declare one gets
//! the protocol as it was before the feature existed. The server remembers what each device
//! declared last, so a login started while the device is between polls is shaped for it.

/// The query parameter that carries the features, comma-separated.
pub const PARAM: &str = "features";

/// The device can show a field for the number the site shows and sign the typed number
/// ([`crate::challenge::Challenge::number_entry`]).
pub const NUMBER_ENTRY: &str = "number_entry";

/// Every feature this crate knows, in the order a device declares them.
pub const ALL: &[&str] = &[NUMBER_ENTRY];

/// The features named in a query value: trimmed, non-empty, unknown ones kept (the caller
/// decides), at most 16 so a hostile query cannot grow what a server stores.
pub fn parse(value: &str) -> Vec<&str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|feature| !feature.is_empty())
        .take(16)
        .collect()
}

/// The query value a device of this version sends.
pub fn declared() -> String {
    ALL.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_what_is_named_and_bounds_it() {
        assert_eq!(parse("number_entry"), vec![NUMBER_ENTRY]);
        assert_eq!(parse(" number_entry, ,later "), vec![NUMBER_ENTRY, "later"]);
        assert!(parse("").is_empty());
        assert_eq!(parse(&"x,".repeat(100)).len(), 16);
        assert_eq!(declared(), "number_entry");
    }
}
