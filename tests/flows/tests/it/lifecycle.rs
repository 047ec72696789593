//! Reset TOTP (e-mail link), activate again, Disable TOTP, Hapus: the guide's last flows.

use crate::activated;

#[test]
fn reset_by_email_revokes_then_activating_again_works_and_the_old_one_goes() {
    let (_server, browser, cli) = activated("penyedia2", "penyedia2-rahasia", "penyedia");
    let reset = browser.reset_totp_by_email("penyedia2", "penyedia2@demo.test", "penyedia");
    assert!(reset.html.contains("Berhasil Reset TOTP"), "{}", reset.html);

    let status = cli.ok(&["status"]);
    assert!(status.stdout.contains("push revoked"), "{}", status.stdout);
    assert!(
        status
            .stdout
            .contains("TOTP dinonaktifkan atau direset di server")
    );
    let old_id = cli.ok(&["list", "--json"]).json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Activate again: a second account for the same user, with push active.
    assert_eq!(
        browser
            .login("penyedia", "penyedia2", "penyedia2-rahasia")
            .at,
        "/beranda"
    );
    let (_, uri) = browser.enable_totp();
    let added = cli.ok(&["add", &uri]);
    assert!(added.stdout.contains("Push: active"), "{}", added.stdout);
    browser.logout();
    browser.login("penyedia", "penyedia2", "penyedia2-rahasia");
    let pending = cli.ok(&["pending", "--wait", "10", "--json"]).json();
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_ne!(
        pending[0]["account_id"],
        old_id.as_str(),
        "the request goes to the new enrolment"
    );

    // The old one: removed without a warning (the site no longer has it).
    let removed = cli.ok(&["remove", &old_id, "--yes"]);
    assert!(
        !removed.stderr.contains("still has TOTP on"),
        "{}",
        removed.stderr
    );
    let list = cli.ok(&["list", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_ne!(list[0]["id"], old_id.as_str());
}

#[test]
fn remove_warns_while_the_site_has_totp_on_and_not_after_disable() {
    let (_server, browser, cli) = activated("penyedia3", "penyedia3-rahasia", "penyedia");
    // Still on at the site: a warning, and no removal without --yes off a terminal.
    let refused = cli.run(&["remove", "penyedia3"]);
    assert_eq!(refused.status, 2);
    assert!(
        refused.stderr.contains("the site still has TOTP on"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        cli.ok(&["list", "--json"]).json().as_array().unwrap().len(),
        1
    );

    // Disable TOTP on the site (logging in with Ya first), then Hapus: no warning.
    let waiting = browser.login("penyedia", "penyedia3", "penyedia3-rahasia");
    let number = otentik_flows::attribute(&waiting.html, "id=\"nomor\"", "data-number").unwrap();
    let request = crate::one_request(&cli);
    cli.ok(&[
        "approve",
        request["id"].as_str().unwrap(),
        "--number",
        &number,
    ]);
    assert_eq!(browser.get("/login/selesai").at, "/beranda");
    // Approved with Ya just now: the form needs its token, not a code.
    let disabled = browser.disable_totp(None);
    assert!(
        disabled.html.contains("Berhasil Disable TOTP"),
        "{}",
        disabled.html
    );
    let removed = cli.ok(&["remove", "penyedia3", "--yes"]);
    assert!(
        !removed.stderr.contains("still has TOTP on"),
        "{}",
        removed.stderr
    );
    assert!(removed.stdout.contains("Removed"));
    assert!(
        cli.ok(&["list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let user = otentik_flows::site_user(&_server, "penyedia3");
    assert_eq!(user["totp_enabled"], false, "{user}");
}

#[test]
fn remove_with_yes_while_enabled_warns_and_unregisters_the_device() {
    let (_server, browser, cli) = activated("ppk1", "ppk1-rahasia", "nonpenyedia");
    let removed = cli.ok(&["remove", "ppk1", "--yes"]);
    assert!(
        removed.stderr.contains("the site still has TOTP on"),
        "{}",
        removed.stderr
    );
    // The site has no device any more: a login goes to the typed-code form, not to waiting.
    browser.logout();
    let page = browser.login("nonpenyedia", "ppk1", "ppk1-rahasia");
    assert_eq!(page.at, "/login/kode", "{}", page.html);
}
