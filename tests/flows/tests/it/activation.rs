//! Aktivasi: the guide's steps 1–6.

use otentik_flows::{Browser, Cli, DemoServer, attribute};

#[test]
fn enable_totp_then_add_the_qr_turns_the_page_to_berhasil() {
    let server = DemoServer::start();
    let browser = Browser::new(&server.url);
    let cli = Cli::new();
    assert_eq!(browser.login("penyedia", "penyedia1", "penyedia1-rahasia").at, "/beranda");
    let (page, uri) = browser.enable_totp();
    assert!(page.html.contains("<svg"), "the page shows a QR code");
    assert!(!browser.get("/totp/enable").html.contains("Berhasil Enable TOTP"));

    let added = cli.ok(&["add", &uri]);
    assert!(added.stdout.contains("Added: SPSE Demo: penyedia1"), "{}", added.stdout);
    assert!(added.stdout.contains("Push: active"), "{}{}", added.stdout, added.stderr);

    // The page's own status endpoint (what its script polls) says completed, and the page
    // itself now reads "Berhasil Enable TOTP".
    let status = browser.get("/totp/enable/status?wait=5");
    assert!(status.html.contains("\"completed\""), "{}", status.html);
    assert!(browser.get("/totp/enable").html.contains("Berhasil Enable TOTP"));
    let beranda = browser.get("/beranda");
    assert!(beranda.html.contains("DISABLE TOTP"));

    // The account is in the vault with push active, and its secret is not in the file.
    let status = cli.ok(&["status", "--json"]).json();
    assert_eq!(status[0]["push"], "active", "{status}");
    let metadata = std::fs::read_to_string(cli.data_dir().join("accounts.json")).unwrap();
    let secret = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap();
    assert!(!metadata.contains(secret));
    assert!(attribute(&page.html, "id=\"qr\"", "data-otpauth-uri").is_some());
}

#[test]
fn a_qr_without_push_still_gives_codes_the_site_accepts() {
    let server = DemoServer::start();
    let browser = Browser::new(&server.url);
    let cli = Cli::new();
    browser.login("nonpenyedia", "ppk1", "ppk1-rahasia");
    let (_, uri) = browser.enable_totp();
    // A generic authenticator would ignore push_url/push_token: strip them.
    let plain: String = uri.split('&').filter(|p| !p.starts_with("push_")).collect::<Vec<_>>().join("&");
    cli.ok(&["add", &plain]);
    let code = cli.ok(&["code", "ppk1"]).stdout.trim().to_owned();
    let page = browser.post("/totp/enable/kode", &[("totp", &code)]);
    assert!(page.html.contains("Berhasil Enable TOTP"), "{}", page.html);
}
