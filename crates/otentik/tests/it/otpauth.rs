//! The Key URI format against real-world cases.

use otentik::otpauth::{self, Parsed};
use otentik::{Algorithm, OtpKind};

/// What a case must give: the fields of the account and how many warnings, or an error
/// whose message contains the text.
enum Want {
    Ok {
        issuer: &'static str,
        name: &'static str,
        algorithm: Algorithm,
        digits: u8,
        period: u32,
        warnings: usize,
    },
    Hotp {
        counter: u64,
    },
    Err(&'static str),
}

fn ok(issuer: &'static str, name: &'static str, warnings: usize) -> Want {
    Want::Ok {
        issuer,
        name,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
        warnings,
    }
}

fn params(algorithm: Algorithm, digits: u8, period: u32) -> Want {
    Want::Ok {
        issuer: "ACME",
        name: "alice",
        algorithm,
        digits,
        period,
        warnings: 0,
    }
}

const S160: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

#[test]
fn real_world_cases() {
    let s = S160;
    let cases: Vec<(String, Want)> = vec![
        // Google's own example: an 80-bit secret (accepted, with a warning).
        ("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example".into(), ok("Example", "alice@google.com", 1)),
        // GitHub and Discord issue 80-bit secrets too.
        ("otpauth://totp/GitHub:octocat?secret=ABCDEFGHIJKLMNOP&issuer=GitHub".into(), ok("GitHub", "octocat", 1)),
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME"), ok("ACME", "alice", 0)),
        (format!("otpauth://totp/ACME:alice?secret={}&issuer=ACME", s.to_lowercase()), ok("ACME", "alice", 0)),
        ("otpauth://totp/ACME:alice?secret=GEZD%20GNBV%20GY3T%20QOJQ%20GEZD%20GNBV%20GY3T%20QOJQ&issuer=ACME".into(), ok("ACME", "alice", 0)),
        ("otpauth://totp/ACME:alice?secret=GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ&issuer=ACME".into(), ok("ACME", "alice", 0)),
        ("otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ%3D%3D%3D&issuer=ACME".into(), ok("ACME", "alice", 0)),
        ("otpauth://totp/ACME:alice?secret=MZXW6YTBOI======&issuer=ACME".into(), Want::Err("secret is too short: 48 bits")),
        // Unicode labels and issuers.
        (format!("otpauth://totp/Bank%20%C3%9Cber:J%C3%BCrgen?secret={s}&issuer=Bank%20%C3%9Cber"), ok("Bank Über", "Jürgen", 0)),
        (format!("otpauth://totp/LPSE%20Kota%20Bandung:budi?secret={s}"), ok("LPSE Kota Bandung", "budi", 0)),
        (format!("otpauth://totp/%E6%9D%B1%E4%BA%AC:%E5%A4%AA%E9%83%8E?secret={s}"), ok("東京", "太郎", 0)),
        // Issuer only in the label, only as a parameter, both, both and different.
        (format!("otpauth://totp/ACME:alice?secret={s}"), ok("ACME", "alice", 0)),
        (format!("otpauth://totp/alice?secret={s}&issuer=ACME"), ok("ACME", "alice", 0)),
        (format!("otpauth://totp/alice?secret={s}"), ok("", "alice", 0)),
        (format!("otpauth://totp/Old%20Name:alice?secret={s}&issuer=New%20Name"), ok("New Name", "alice", 1)),
        (format!("otpauth://totp/acme:alice?secret={s}&issuer=ACME"), ok("ACME", "alice", 0)),
        // pyotp encodes the separator; many sites put a space after it.
        (format!("otpauth://totp/ACME%3Aalice%40example.com?secret={s}&issuer=ACME"), ok("ACME", "alice@example.com", 0)),
        (format!("otpauth://totp/ACME:%20alice?secret={s}"), ok("ACME", "alice", 0)),
        (format!("otpauth://totp/ACME:%20alice?secret={s}&issuer="), ok("ACME", "alice", 0)),
        // A '+' is a plus, not a space.
        (format!("otpauth://totp/C%2B%2B:alice?secret={s}&issuer=C++"), ok("C++", "alice", 0)),
        // Case-insensitive scheme, type and algorithm; unknown parameters ignored.
        (format!("OTPAUTH://TOTP/ACME:alice?secret={s}&issuer=ACME"), ok("ACME", "alice", 0)),
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&image=https%3A%2F%2Fexample.com%2Flogo.png"), ok("ACME", "alice", 0)),
        (format!("  otpauth://totp/ACME:alice?secret={s}&issuer=ACME\n"), ok("ACME", "alice", 0)),
        // Algorithms, digits, periods.
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&algorithm=sha256"), params(Algorithm::Sha256, 6, 30)),
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&algorithm=SHA512&digits=8"), params(Algorithm::Sha512, 8, 30)),
        // Aegis, andOTP, Ente, LastPass and Proton keep 9-digit accounts.
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&digits=9"), params(Algorithm::Sha1, 9, 30)),
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&digits=7"), params(Algorithm::Sha1, 7, 30)),
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&period=60"), params(Algorithm::Sha1, 6, 60)),
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&period=1"), params(Algorithm::Sha1, 6, 1)),
        (format!("otpauth://totp/ACME:alice?secret={s}&issuer=ACME&period=3600"), params(Algorithm::Sha1, 6, 3600)),
        // HOTP.
        (format!("otpauth://hotp/ACME:alice?secret={s}&issuer=ACME&counter=5"), Want::Hotp { counter: 5 }),
        (format!("otpauth://hotp/ACME:alice?secret={s}&issuer=ACME"), Want::Err("missing parameter 'counter' (required for HOTP)")),
        (format!("otpauth://hotp/ACME:alice?secret={s}&counter=-1"), Want::Err("invalid counter '-1'")),
        // Errors.
        (format!("otpauth://totp/ACME:alice?secret={s}&digits=10"), Want::Err("invalid digits '10': expected 6 to 9")),
        (format!("otpauth://totp/ACME:alice?secret={s}&digits=5"), Want::Err("invalid digits '5'")),
        (format!("otpauth://totp/ACME:alice?secret={s}&period=0"), Want::Err("invalid period '0'")),
        (format!("otpauth://totp/ACME:alice?secret={s}&period=3601"), Want::Err("invalid period '3601'")),
        (format!("otpauth://totp/ACME:alice?secret={s}&algorithm=MD5"), Want::Err("unsupported algorithm 'MD5'")),
        ("otpauth://totp/ACME:alice?secret=&issuer=ACME".into(), Want::Err("the secret is empty")),
        ("otpauth://totp/ACME:alice?issuer=ACME".into(), Want::Err("missing parameter 'secret'")),
        ("otpauth://totp/ACME:alice?secret=JBSW1Y3DPEHPK3PXP".into(), Want::Err("secret is not valid base32: '1' at position 5")),
        ("otpauth://totp/ACME:alice?secret=JBSWY3DP%C3%A9".into(), Want::Err("secret is not valid base32: 'é' at position 9")),
        (format!("https://example.com/totp?secret={s}"), Want::Err("found 'https'")),
        (format!("otpauth://motp/ACME:alice?secret={s}"), Want::Err("unsupported OTP type 'motp'")),
        (format!("otpauth:totp/ACME:alice?secret={s}"), Want::Err("'otpauth:' must be followed by '//'")),
        (format!("otpauth://totp/ACME:?secret={s}"), Want::Err("the label has no account name")),
        (format!("otpauth://totp/?secret={s}"), Want::Err("the label has no account name")),
        (format!("otpauth://totp/ACME:alice?secret={s}&secret={s}"), Want::Err("parameter 'secret' appears more than once")),
        (format!("otpauth://totp/ACME:%FF?secret={s}"), Want::Err("the label is not valid UTF-8")),
        (format!("otpauth://totp/ACME:alice?secret={s}&push_url=https%3A%2F%2Fpush.example"), Want::Err("'push_url' without 'push_token'")),
        (format!("otpauth://totp/ACME:alice?secret={s}&push_url=ftp%3A%2F%2Fx&push_token=t"), Want::Err("must be an https:// URL")),
    ];
    assert!(cases.len() >= 30);
    for (uri, want) in cases {
        let result = otpauth::parse(&uri);
        match (want, result) {
            (
                Want::Ok {
                    issuer,
                    name,
                    algorithm,
                    digits,
                    period,
                    warnings,
                },
                Ok(parsed),
            ) => {
                let a = &parsed.account;
                assert_eq!(a.kind, OtpKind::Totp, "{uri}");
                assert_eq!(
                    (a.issuer.as_str(), a.name.as_str()),
                    (issuer, name),
                    "{uri}"
                );
                assert_eq!(
                    (a.algorithm, a.digits, a.period),
                    (algorithm, digits, period),
                    "{uri}"
                );
                assert_eq!(
                    parsed.warnings.len(),
                    warnings,
                    "{uri}: {:?}",
                    parsed.warnings
                );
            }
            (Want::Hotp { counter }, Ok(parsed)) => {
                assert_eq!(parsed.account.kind, OtpKind::Hotp, "{uri}");
                assert_eq!(parsed.account.counter, counter, "{uri}");
            }
            (Want::Err(text), Err(error)) => {
                let message = error.to_string();
                assert!(
                    message.contains(text),
                    "{uri}: got '{message}', want '{text}'"
                );
                assert!(
                    !message.contains(S160) && !message.contains("JBSWY3DP"),
                    "secret leaked: {message}"
                );
            }
            (_, Ok(parsed)) => panic!("{uri}: expected an error, got {:?}", parsed.account),
            (_, Err(error)) => panic!("{uri}: unexpected error '{error}'"),
        }
    }
}

#[test]
fn eighty_bit_warning_says_what_it_means() {
    let parsed = otpauth::parse("otpauth://totp/GitHub:octocat?secret=ABCDEFGHIJKLMNOP").unwrap();
    assert_eq!(parsed.account.secret.bits(), 80);
    assert_eq!(
        english(&parsed.warnings),
        ["the secret is only 80 bits long; 128 or more is recommended"]
    );
    assert_eq!(
        parsed.warnings[0].code(),
        otentik::otpauth::WarningCode::ShortSecret
    );
}

#[test]
fn issuer_mismatch_warning_names_both() {
    let uri = format!("otpauth://totp/Old:alice?secret={S160}&issuer=New");
    let parsed = otpauth::parse(&uri).unwrap();
    assert_eq!(
        english(&parsed.warnings),
        ["the issuer parameter 'New' differs from the label prefix 'Old'; using 'New'"]
    );
    assert_eq!(
        parsed.warnings[0].code(),
        otentik::otpauth::WarningCode::IssuerMismatch
    );
}

#[test]
fn a_pasted_secret_is_not_echoed() {
    let error = otpauth::parse("JBSWY3DPEHPK3PXP").unwrap_err();
    assert_eq!(
        error.to_string(),
        "not an authenticator URI: expected 'otpauth://' or 'otpauth-migration://', found 'text without a URI scheme'"
    );
    let error = otpauth::parse("JBSWY3DP:EHPK3PXP").unwrap_err();
    assert!(!error.to_string().contains("EHPK3PXP"));
}

#[test]
fn push_extras_are_kept_and_round_trip() {
    let uri = format!(
        "otpauth://totp/SPSE:budi?secret={S160}&issuer=SPSE&push_url=https%3A%2F%2Fspse.example%2Fpush&push_token=tok-123"
    );
    let parsed = otpauth::parse(&uri).unwrap();
    let push = parsed.account.push.clone().unwrap();
    assert_eq!(push.url, "https://spse.example/push");
    assert_eq!(push.token, "tok-123");
    assert!(
        !format!("{:?}", parsed.account).contains("tok-123"),
        "token in Debug"
    );
    assert!(
        !format!("{:?}", parsed.account).contains(S160),
        "secret in Debug"
    );
    let again = otpauth::parse(&otpauth::format(&parsed.account)).unwrap();
    assert_eq!(again.account, parsed.account);
}

#[test]
fn format_then_parse_keeps_tricky_labels() {
    for (issuer, name) in [
        ("", "na:me"),
        ("Is:suer", "a:b"),
        ("Über", "ユーザー"),
        ("C++", "a+b c"),
        ("", " x"),
    ] {
        let uri = format!("otpauth://totp/x?secret={S160}");
        let mut account = otpauth::parse(&uri).unwrap().account;
        account.issuer = issuer.into();
        account.name = name.trim().into();
        let Parsed { account: again, .. } = otpauth::parse(&otpauth::format(&account)).unwrap();
        assert_eq!(again, account, "{issuer:?} {name:?}");
    }
}

/// The warnings as the CLI prints them.
fn english(warnings: &[otentik::otpauth::Warning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn push_key_is_read_checked_and_written_back() {
    let key = "JPbtasv-EAnAMNfKVnwzykgwkRSYI2tVYabIKr7F3ig";
    let uri = format!(
        "otpauth://totp/SPSE:budi?secret=JBSWY3DPEHPK3PXP&issuer=SPSE&push_url=https%3A%2F%2Fspse.example%2Fdevice%2Fv1&push_token=pt_x&push_key={key}"
    );
    let parsed = otentik::otpauth::parse(&uri).unwrap();
    let invite = parsed.account.push.clone().unwrap();
    assert_eq!(invite.key.as_deref(), Some(key));
    let again = otentik::otpauth::parse(&otentik::otpauth::format(&parsed.account)).unwrap();
    assert_eq!(again.account.push, parsed.account.push);
    for bad in ["short", "JPbtasv+EAnAMNfKVnwzykgwkRSYI2tVYabIKr7F3ig"] {
        let error = otentik::otpauth::parse(&uri.replace(key, bad)).unwrap_err();
        assert_eq!(error.code(), otentik::Code::InvalidUri, "{bad}: {error}");
        assert!(error.to_string().contains("push_key"), "{error}");
    }
}
