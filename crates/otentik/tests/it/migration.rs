//! Google Authenticator exports. The fixtures were encoded independently of our code (by hand,
//! field by field, in Python), and their expected codes computed with Python's `hmac`.

use otentik::otp::code_at;
use otentik::otpauth::{self, parse_any};
use otentik::{Algorithm, OtpKind};

/// Two accounts, SHA1 TOTP and SHA256 8-digit HOTP (counter 7); the base64 holds a `+`
/// (percent-encoded as %2B) and `=` padding (%3D).
const TWO_ACCOUNTS: &str = "otpauth-migration://offline?data=CjUKFDEyMzQ1Njc4OTAxMjM0NTY3ODkwEhFhbGljZUBleGFtcGxlLmNvbRoEQUNNRSABKAEwAgo6CiAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAx%2BBIIQmFuazpib2IaBEJhbmsgAigCMAE4BxABGAEgACi5YA%3D%3D";
/// The same export, as a tool that forgot to percent-encode would paste it.
const TWO_ACCOUNTS_RAW: &str = "otpauth-migration://offline?data=CjUKFDEyMzQ1Njc4OTAxMjM0NTY3ODkwEhFhbGljZUBleGFtcGxlLmNvbRoEQUNNRSABKAEwAgo6CiAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAx+BIIQmFuazpib2IaBEJhbmsgAigCMAE4BxABGAEgACi5YA==";
/// One export split over two QR codes.
const BATCH_1: &str = "otpauth-migration://offline?data=CioKFGFiY2RlZmdoaWowMTIzNDU2Nzg5EgVjYXJvbBoFR2l0ZWEgASgBMAIQARgCIAAouWA%3D";
const BATCH_2: &str = "otpauth-migration://offline?data=CisKFEFCQ0RFRkdISUowMTIzNDU2Nzg5EgRkYXZlGgdGb3JnZWpvIAEoATACEAEYAiABKLlg";
/// An MD5 account (unusable) beside a good one.
const WITH_MD5: &str = "otpauth-migration://offline?data=CiYKFDEyMzQ1Njc4OTAxMjM0NTY3ODkwEgNldmUaA09sZCAEKAEwAgo1ChQxMjM0NTY3ODkwMTIzNDU2Nzg5MBIRYWxpY2VAZXhhbXBsZS5jb20aBEFDTUUgASgBMAIQARgBIAAouWA%3D";

#[test]
fn two_accounts_with_a_plus_in_the_base64() {
    for uri in [TWO_ACCOUNTS, TWO_ACCOUNTS_RAW] {
        let accounts = parse_any(uri).unwrap();
        assert_eq!(accounts.len(), 2);
        let totp = &accounts[0].account;
        assert_eq!(
            (totp.issuer.as_str(), totp.name.as_str()),
            ("ACME", "alice@example.com")
        );
        assert_eq!(
            (totp.kind, totp.algorithm, totp.digits, totp.period),
            (OtpKind::Totp, Algorithm::Sha1, 6, 30)
        );
        assert_eq!(code_at(totp, 59), "287082");
        let hotp = &accounts[1].account;
        // "Bank:bob" in the name field with issuer "Bank" becomes name "bob".
        assert_eq!((hotp.issuer.as_str(), hotp.name.as_str()), ("Bank", "bob"));
        assert_eq!(
            (hotp.kind, hotp.algorithm, hotp.digits, hotp.counter),
            (OtpKind::Hotp, Algorithm::Sha256, 8, 7)
        );
        assert_eq!(code_at(hotp, 0), "97188855");
        assert!(
            accounts.iter().all(|a| a.warnings.is_empty()),
            "{accounts:?}"
        );
    }
}

#[test]
fn a_plus_turned_into_a_space_is_repaired() {
    let damaged = TWO_ACCOUNTS_RAW.replace('+', " ");
    assert_eq!(parse_any(&damaged).unwrap().len(), 2);
}

#[test]
fn batches_import_separately_and_say_so() {
    let first = parse_any(BATCH_1).unwrap();
    let second = parse_any(BATCH_2).unwrap();
    assert_eq!(first.len() + second.len(), 2);
    assert_eq!(first[0].account.name, "carol");
    assert_eq!(second[0].account.name, "dave");
    assert_eq!(code_at(&first[0].account, 1000), "764242");
    assert_eq!(code_at(&second[0].account, 1000), "982853");
    assert_eq!(
        english(&first[0].warnings),
        ["this is part 1 of 2 of a Google Authenticator export: scan the other parts too"]
    );
    assert_eq!(
        english(&second[0].warnings),
        ["this is part 2 of 2 of a Google Authenticator export: scan the other parts too"]
    );
}

#[test]
fn an_unusable_account_is_reported_not_dropped() {
    let accounts = parse_any(WITH_MD5).unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].account.name, "alice@example.com");
    assert_eq!(
        english(&accounts[0].warnings),
        [
            "skipped: account 1 of the export ('Old:eve'): MD5 is not supported by any standard authenticator"
        ]
    );
}

#[test]
fn bad_exports_say_what_is_wrong() {
    let cases = [
        ("otpauth-migration://offline", "missing parameter 'data'"),
        (
            "otpauth-migration://offline?data=%%%",
            "migration data is not valid base64",
        ),
        (
            "otpauth-migration://offline?data=!!!!",
            "migration data is not valid base64",
        ),
        (
            "otpauth-migration://offline?data=CgE%3D",
            "not a valid Google Authenticator export",
        ),
        (
            "otpauth-migration://offline?data=",
            "the export holds no account",
        ),
    ];
    for (uri, want) in cases {
        let message = parse_any(uri).unwrap_err().to_string();
        assert!(message.contains(want), "{uri}: {message}");
    }
}

#[test]
fn our_export_reads_back() {
    let accounts: Vec<_> = parse_any(TWO_ACCOUNTS)
        .unwrap()
        .into_iter()
        .map(|p| p.account)
        .collect();
    let uri = otpauth::format_migration(&accounts, 0, 1);
    let again: Vec<_> = parse_any(&uri)
        .unwrap()
        .into_iter()
        .map(|p| p.account)
        .collect();
    assert_eq!(again, accounts);
}

/// The warnings as the CLI prints them.
fn english(warnings: &[otentik::otpauth::Warning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}
