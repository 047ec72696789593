//! Login: the guide's steps 7–12 with Ya, Tidak, Bukan saya, number matching, a typed code,
//! and `otentik watch`.

use std::time::Duration;

use otentik_flows::attribute;

use crate::{activated, one_request};

fn number_on(page: &otentik_flows::Page) -> String {
    attribute(&page.html, "id=\"nomor\"", "data-number").expect("the waiting page shows a number")
}

#[test]
fn ya_logs_in_tidak_refuses_bukan_saya_reports_a_wrong_number_refuses() {
    let (server, browser, cli) = activated("penyedia1", "penyedia1-rahasia", "penyedia");

    // Ya, with the number the site shows.
    let waiting = browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
    assert_eq!(waiting.at, "/login/tunggu");
    let number = number_on(&waiting);
    let request = one_request(&cli);
    assert_eq!(request["site"], "SPSE Demo");
    assert_eq!(request["site_account"], "penyedia1");
    assert_eq!(request["ip"], "127.0.0.1");
    assert!(
        request["browser"]
            .as_str()
            .unwrap()
            .contains("Firefox/128.0")
    );
    assert!(request["seconds_left"].as_u64().unwrap() > 30);
    // The CLI declares typed number entry: the user types the site's number, no choices.
    assert_eq!(request["number_entry"], true, "{request}");
    assert!(request["numbers"].is_null(), "{request}");
    let id = request["id"].as_str().unwrap();
    // Approving without the number is refused before anything is sent.
    assert_eq!(cli.run(&["approve", id]).status, 2);
    let approved = cli.ok(&["approve", id, "--number", &number]);
    assert!(approved.stdout.contains("Approved"), "{}", approved.stdout);
    assert!(
        browser
            .get("/login/tunggu/status?wait=5")
            .html
            .contains("\"approved\"")
    );
    let home = browser.get("/login/selesai");
    assert_eq!(home.at, "/beranda");
    assert!(home.html.contains("Selamat datang"));
    browser.logout();
    // Answered once: a second answer is refused.
    assert_eq!(cli.run(&["approve", id, "--number", &number]).status, 2);

    // Tidak.
    browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
    let request = one_request(&cli);
    let denied = cli.ok(&["deny", request["id"].as_str().unwrap()]);
    assert!(denied.stdout.contains("Refused"), "{}", denied.stdout);
    assert!(browser.get("/login/tunggu").html.contains("Login ditolak"));
    assert_eq!(
        browser.get("/beranda").at,
        "/login",
        "not logged in after Tidak"
    );

    // Bukan saya.
    browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
    let request = one_request(&cli);
    let reported = cli.ok(&["deny", request["id"].as_str().unwrap(), "--not-me"]);
    assert!(reported.stdout.contains("Reported"), "{}", reported.stdout);
    assert!(browser.get("/login/selesai").html.contains("dilaporkan"));
    assert_eq!(browser.get("/beranda").at, "/login");

    // After Bukan saya the site makes the next login wait (the back-off: 10 s first).
    let refused = browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
    assert!(refused.html.contains("Coba lagi dalam"), "{}", refused.html);
    let waiting = otentik_test_support::wait::until(
        Duration::from_secs(20),
        "the back-off after Bukan saya to end",
        || {
            let page = browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
            (page.at == "/login/tunggu").then_some(page)
        },
    );

    // A wrong number: not approved.
    let shown = number_on(&waiting);
    let request = one_request(&cli);
    let wrong = ((shown.parse::<u8>().unwrap() + 1) % 100).to_string();
    let refused = cli.ok(&[
        "approve",
        request["id"].as_str().unwrap(),
        "--number",
        &wrong,
    ]);
    assert!(
        refused.stdout.contains("number did not match"),
        "{}",
        refused.stdout
    );
    assert!(
        !browser
            .get("/login/tunggu/status")
            .html
            .contains("\"approved\"")
    );
    assert_eq!(browser.get("/beranda").at, "/login");
    drop(server);
}

#[test]
fn a_typed_code_logs_in_without_push() {
    let (_server, browser, cli) = activated("ppk1", "ppk1-rahasia", "nonpenyedia");
    let waiting = browser.login("nonpenyedia", "ppk1", "ppk1-rahasia");
    assert!(waiting.html.contains("Gunakan kode TOTP"));
    // The enrolment spent the current time step (a code is accepted once): type the next
    // one, as a user who waits for the code to roll would.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = cli
        .ok(&["code", "ppk1", "--at", &(now + 30).to_string()])
        .stdout
        .trim()
        .to_owned();
    assert_eq!(code.len(), 6);
    assert!(
        browser
            .post("/login/kode", &[("totp", "000000")])
            .html
            .contains("Kode TOTP salah")
    );
    let home = browser.post("/login/kode", &[("totp", &code)]);
    assert_eq!(home.at, "/beranda", "{}", home.html);
    browser.logout();
    // The same code again is refused: one use only.
    browser.login("nonpenyedia", "ppk1", "ppk1-rahasia");
    assert_ne!(
        browser.post("/login/kode", &[("totp", &code)]).at,
        "/beranda"
    );
}

#[test]
fn watch_shows_each_request_and_answers_it() {
    let (_server, browser, cli) = activated("pokja1", "pokja1-rahasia", "nonpenyedia");
    let mut watch = cli.watch();
    let mut seen = watch.wait_for("Waiting for login requests", 0, Duration::from_secs(10));

    let waiting = browser.login("nonpenyedia", "pokja1", "pokja1-rahasia");
    let number = number_on(&waiting);
    seen = watch.wait_for("Ya/Tidak/Bukan saya?", seen, Duration::from_secs(10));
    let shown = watch.output();
    assert!(
        shown.contains("pokja1 at SPSE Demo") && shown.contains("127.0.0.1"),
        "{shown}"
    );
    watch.answer("y");
    seen = watch.wait_for("Number shown on the site", seen, Duration::from_secs(5));
    watch.answer(&number);
    seen = watch.wait_for("Approved", seen, Duration::from_secs(10));
    assert_eq!(browser.get("/login/selesai").at, "/beranda");
    browser.logout();

    browser.login("nonpenyedia", "pokja1", "pokja1-rahasia");
    seen = watch.wait_for("Ya/Tidak/Bukan saya?", seen, Duration::from_secs(10));
    watch.answer("t");
    watch.wait_for("Refused", seen, Duration::from_secs(10));
    assert!(browser.get("/login/tunggu").html.contains("Login ditolak"));
}

#[test]
fn logins_beyond_the_per_minute_limit_are_refused_and_login_limit_raises_it() {
    for (options, allowed) in [(&[][..], 5), (&["--login-limit", "8"][..], 8)] {
        let server = otentik_flows::DemoServer::start_with(options);
        let (_server, browser, cli) =
            crate::activated_on(server, "ppk1", "ppk1-rahasia", "nonpenyedia");
        for round in 0..allowed {
            browser.logout();
            let page = browser.login("nonpenyedia", "ppk1", "ppk1-rahasia");
            assert_eq!(page.at, "/login/tunggu", "login {round} of {options:?}");
            // Each one answered Ya: logins replaced unanswered would start the back-off
            // (another rule) before the per-minute limit.
            let request = one_request(&cli);
            cli.ok(&[
                "approve",
                request["id"].as_str().unwrap(),
                "--number",
                &number_on(&page),
            ]);
        }
        browser.logout();
        let refused = browser.login("nonpenyedia", "ppk1", "ppk1-rahasia");
        assert_ne!(refused.at, "/login/tunggu", "{options:?}");
        assert!(
            refused.html.contains("Terlalu banyak percobaan login"),
            "{}",
            refused.html
        );
    }
}
