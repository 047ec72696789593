//! Printing results on stdout.

use std::io::Write as _;

use serde::Serialize;

/// Prints a value as pretty JSON on stdout.
pub fn json(value: &impl Serialize) {
    // Serialising our own plain structs cannot fail; a closed stdout is not worth a panic.
    if let Ok(text) = serde_json::to_string_pretty(value) {
        line(&text);
    }
}

/// Prints a line on stdout, ignoring a closed pipe (`otentik … | head -1`).
pub fn line(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}
