//! Commands that need no vault: `inspect`, `code --uri`, `convert`.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

const RFC_SHA1: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// Two accounts (SHA1 TOTP, SHA256 HOTP), independently encoded (see the core's tests).
const EXPORT: &str = "otpauth-migration://offline?data=CjUKFDEyMzQ1Njc4OTAxMjM0NTY3ODkwEhFhbGljZUBleGFtcGxlLmNvbRoEQUNNRSABKAEwAgo6CiAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAx%2BBIIQmFuazpib2IaBEJhbmsgAigCMAE4BxABGAEgACi5YA%3D%3D";

fn otentik() -> Command {
    let mut command = Command::cargo_bin("otentik").unwrap();
    command.env_remove("RUST_LOG");
    command
}

fn stdout_json(command: &mut Command) -> Value {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn inspect_prints_the_contract_fields_and_never_the_secret() {
    let uri = format!(
        "otpauth://totp/SPSE%20LPSE:budi?secret={RFC_SHA1}&issuer=SPSE%20LPSE&push_url=https%3A%2F%2Fspse.example%2Fpush&push_token=one-time"
    );
    let output = otentik().args(["inspect", &uri]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains(RFC_SHA1) && !text.contains("one-time"),
        "secret or token leaked: {text}"
    );
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value,
        json!({
            "type": "totp", "issuer": "SPSE LPSE", "account": "budi", "algorithm": "SHA1",
            "digits": 6, "period": 30, "counter": null, "secret_bits": 160,
            "push_url": "https://spse.example/push", "warnings": []
        })
    );
}

#[test]
fn inspect_hotp_and_warnings() {
    let value = stdout_json(otentik().args([
        "inspect",
        "otpauth://hotp/Old:alice?secret=JBSWY3DPEHPK3PXP&issuer=New&counter=42&digits=8&algorithm=SHA512",
    ]));
    assert_eq!(value["type"], "hotp");
    assert_eq!(value["counter"], 42);
    assert_eq!(value["period"], Value::Null);
    assert_eq!(value["digits"], 8);
    assert_eq!(value["algorithm"], "SHA512");
    assert_eq!(value["secret_bits"], 80);
    assert_eq!(value["warnings"].as_array().unwrap().len(), 2);
}

#[test]
fn inspect_export_prints_an_array() {
    let value = stdout_json(otentik().args(["inspect", EXPORT]));
    let accounts = value.as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["account"], "alice@example.com");
    assert_eq!(accounts[1]["type"], "hotp");
    assert_eq!(accounts[1]["algorithm"], "SHA256");
}

#[test]
fn code_at_a_given_time() {
    let uri = format!("otpauth://totp/ACME:alice?secret={RFC_SHA1}&digits=8");
    otentik()
        .args(["code", "--uri", &uri, "--at", "59"])
        .assert()
        .success()
        .stdout("94287082\n")
        .stderr("");
    let value =
        stdout_json(otentik().args(["code", "--uri", &uri, "--at", "1111111109", "--json"]));
    assert_eq!(value, json!({"code": "07081804", "remaining": 1}));
}

#[test]
fn code_now_is_a_fresh_code() {
    let uri = format!("otpauth://totp/ACME:alice?secret={RFC_SHA1}");
    let value = stdout_json(otentik().args(["code", "--uri", &uri, "--json"]));
    let code = value["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    let remaining = value["remaining"].as_u64().unwrap();
    assert!((1..=30).contains(&remaining));
}

#[test]
fn code_of_an_export_prints_one_line_per_account() {
    otentik()
        .args(["code", "--uri", EXPORT, "--at", "59"])
        .assert()
        .success()
        .stdout("287082\n97188855\n");
    let value = stdout_json(otentik().args(["code", "--uri", EXPORT, "--at", "59", "--json"]));
    assert_eq!(
        value,
        json!([{"code": "287082", "remaining": 1}, {"code": "97188855", "remaining": null}])
    );
}

#[test]
fn convert_prints_standard_uris_that_give_the_same_codes() {
    let output = otentik().args(["convert", EXPORT]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("otpauth://totp/ACME:alice%40example.com?secret="));
    assert!(lines[1].starts_with("otpauth://hotp/Bank:bob?secret="));
    otentik()
        .args(["code", "--uri", lines[1], "--at", "0"])
        .assert()
        .stdout("97188855\n");
}

#[test]
fn bad_input_is_status_2_one_line_on_stderr_nothing_on_stdout() {
    let cases: Vec<Vec<String>> = vec![
        vec![
            "inspect".into(),
            "otpauth://totp/A:b?secret=JBSW1Y3DPEHPK3PXP".into(),
        ],
        vec!["inspect".into(), "https://example.com".into()],
        vec![
            "inspect".into(),
            "otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP".into(),
        ],
        vec![
            "code".into(),
            "--uri".into(),
            "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&digits=10".into(),
        ],
        vec![
            "code".into(),
            "--uri".into(),
            "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP".into(),
            "--at".into(),
            "soon".into(),
        ],
        vec!["code".into()],
        vec![
            "convert".into(),
            "otpauth-migration://offline?data=!!!".into(),
        ],
        vec!["convert".into()],
        vec!["frobnicate".into()],
    ];
    for args in cases {
        let output = otentik().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            output.stdout.is_empty(),
            "{args:?}: stdout {:?}",
            String::from_utf8_lossy(&output.stdout)
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

#[test]
fn the_error_says_what_and_where() {
    otentik()
        .args(["inspect", "otpauth://totp/A:b?secret=JBSW1Y3DPEHPK3PXP"])
        .assert()
        .code(2)
        .stderr("error: secret is not valid base32: '1' at position 5\n");
}

#[test]
fn every_command_has_help() {
    for command in ["inspect", "code", "convert"] {
        otentik()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage: otentik"));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// `inspect` on any text: JSON on success, or status 2 with one line; never a crash.
    #[test]
    fn inspect_never_panics(text in "(otpauth://|otpauth-migration://offline\\?data=)?\\PC{0,80}") {
        let output = otentik().args(["inspect", "--", &text]).output().unwrap();
        match output.status.code() {
            Some(0) => { serde_json::from_slice::<Value>(&output.stdout).unwrap(); }
            Some(2) => proptest::prop_assert_eq!(String::from_utf8_lossy(&output.stderr).lines().count(), 1),
            other => proptest::prop_assert!(false, "status {:?} for {:?}: {}", other, text, String::from_utf8_lossy(&output.stderr)),
        }
    }
}
