//! Text a device shows: what may not be in it.
//!
//! The site name, account name, IP address and user agent of a login request end up on the
//! user's screen. Bidirectional controls (U+202E turns "exe.fdp" into "pdf.exe"), zero-width
//! and other invisible format characters, and control characters let a hostile site or browser
//! make that text say something else; a server refuses them (422) and a device never needs to
//! render them.

/// The first character of `text` that a device must not be asked to show: a control
/// character (Unicode category Cc), a line or paragraph separator, or a format character
/// (category Cf: bidi controls, zero-width characters, tags, …).
pub fn hidden_char(text: &str) -> Option<char> {
    text.chars().find(|&c| c.is_control() || is_format(c))
}

/// Unicode 16 general category Cf, plus the line and paragraph separators (Zl, Zp).
fn is_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

#[cfg(test)]
mod tests {
    use super::hidden_char;

    #[test]
    fn ordinary_text_in_any_script_passes() {
        for text in [
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
            "LPSE Kota Bandung",
            "203.0.113.7",
            "2001:db8::1",
            "Pengadaan — Kab. Sleman",
            "ผู้ใช้ 用户 مستخدم",
            "emoji 👍🏽 and ZWJ-free flags 🇮🇩",
        ] {
            assert_eq!(hidden_char(text), None, "{text}");
        }
    }

    #[test]
    fn bidi_zero_width_control_and_tag_characters_are_found() {
        for (text, found) in [
            ("Chrome\u{202E}exe.fdp", '\u{202E}'),
            ("\u{2066}isolate", '\u{2066}'),
            ("LPSE\u{200B}Bandung", '\u{200B}'),
            ("a\u{200D}b", '\u{200D}'),
            ("\u{FEFF}bom", '\u{FEFF}'),
            ("soft\u{00AD}hyphen", '\u{00AD}'),
            ("line\u{2028}break", '\u{2028}'),
            ("new\nline", '\n'),
            ("esc\u{1B}[31m", '\u{1B}'),
            ("tag\u{E0041}", '\u{E0041}'),
            ("arabic\u{061C}mark", '\u{061C}'),
        ] {
            assert_eq!(hidden_char(text), Some(found), "{text:?}");
        }
    }
}
