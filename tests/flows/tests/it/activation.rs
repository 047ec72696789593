//! Aktivasi: the guide's steps 1–6.

use otentik_flows::{Browser, Cli, DemoServer, attribute};

#[test]
fn enable_totp_then_add_the_qr_turns_the_page_to_berhasil() {
    let server = DemoServer::start();
    let browser = Browser::new(&server.url);
    let cli = Cli::new();
    assert_eq!(
        browser
            .login("penyedia", "penyedia1", "penyedia1-rahasia")
            .at,
        "/beranda"
    );
    let (page, uri) = browser.enable_totp();
    assert!(page.html.contains("<svg"), "the page shows a QR code");
    assert!(
        !browser
            .get("/totp/enable")
            .html
            .contains("Berhasil Enable TOTP")
    );

    let added = cli.ok(&["add", &uri]);
    assert!(
        added.stdout.contains("Added: SPSE Demo: penyedia1"),
        "{}",
        added.stdout
    );
    assert!(
        added.stdout.contains("Push: active"),
        "{}{}",
        added.stdout,
        added.stderr
    );

    // The page's own status endpoint (what its script polls) says completed, and the page
    // itself now reads "Berhasil Enable TOTP".
    let status = browser.get("/totp/enable/status?wait=5");
    assert!(status.html.contains("\"completed\""), "{}", status.html);
    assert!(
        browser
            .get("/totp/enable")
            .html
            .contains("Berhasil Enable TOTP")
    );
    let beranda = browser.get("/beranda");
    assert!(beranda.html.contains("DISABLE TOTP"));

    // The account is in the vault with push active, and its secret is not in the file.
    let status = cli.ok(&["status", "--json"]).json();
    assert_eq!(status[0]["push"], "active", "{status}");
    let metadata = std::fs::read_to_string(cli.data_dir().join("accounts.json")).unwrap();
    let secret = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
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
    let plain: String = uri
        .split('&')
        .filter(|p| !p.starts_with("push_"))
        .collect::<Vec<_>>()
        .join("&");
    cli.ok(&["add", &plain]);
    let code = cli.ok(&["code", "ppk1"]).stdout.trim().to_owned();
    let page = browser.post("/totp/enable/kode", &[("totp", &code)]);
    assert!(page.html.contains("Berhasil Enable TOTP"), "{}", page.html);
}

/// The QR names the server's key (`push_key`): a QR whose key was swapped (a forged page, a
/// server in the middle) does not enrol, and the account's push stays off.
#[test]
fn a_qr_naming_another_server_key_does_not_enrol() {
    let server = DemoServer::start();
    let browser = Browser::new(&server.url);
    let cli = Cli::new();
    browser.login("nonpenyedia", "ppk1", "ppk1-rahasia");
    let (_, uri) = browser.enable_totp();
    let key = uri
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("push_key="))
        .expect("the enrolment QR names the server key");
    assert_eq!(key.len(), 43, "{key}");
    let other = "A".repeat(43);
    let swapped = uri.replace(&format!("push_key={key}"), &format!("push_key={other}"));
    let added = cli.run(&["add", &swapped]);
    assert!(
        added.stderr.contains("not the one in the QR code"),
        "{}",
        added.stderr
    );
    let status = cli.run(&["status", "--json"]);
    assert!(
        !status.stdout.contains("\"active\""),
        "the account's push must not be active: {}",
        status.stdout
    );
    // The genuine QR enrols.
    let genuine = cli.run(&["add", &uri]);
    assert!(!genuine.stderr.contains("not the one in the QR code"));
}

/// The QR image itself, as a user would save it from the page, read by `otentik add --image`.
#[test]
fn add_by_qr_image_from_the_page() {
    let server = DemoServer::start();
    let browser = Browser::new(&server.url);
    let cli = Cli::new();
    browser.login("penyedia", "penyedia2", "penyedia2-rahasia");
    let (page, uri) = browser.enable_totp();
    let start = page.html.find("<svg").expect("an inline SVG QR code");
    let end = page.html[start..].find("</svg>").expect("the SVG ends") + start + "</svg>".len();
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("qr.svg");
    let png = dir.path().join("qr.png");
    std::fs::write(&svg, &page.html[start..end]).unwrap();
    let rendered = std::process::Command::new("rsvg-convert")
        .arg(&svg)
        .arg("-o")
        .arg(&png)
        .status()
        .expect("rsvg-convert (Debian package librsvg2-bin) renders the SVG");
    assert!(rendered.success());

    let added = cli.ok(&["add", "--image", png.to_str().unwrap()]);
    assert!(
        added.stdout.contains("Added: SPSE Demo: penyedia2"),
        "{}",
        added.stdout
    );
    assert!(
        added.stdout.contains("Push: active"),
        "{}{}",
        added.stdout,
        added.stderr
    );
    assert!(
        browser
            .get("/totp/enable")
            .html
            .contains("Berhasil Enable TOTP")
    );
    // The code from the image's account is the code of the page's URI.
    let listed = cli.ok(&["code", "penyedia2", "--at", "1700000000"]).stdout;
    let from_uri = cli
        .ok(&["code", "--uri", &uri, "--at", "1700000000"])
        .stdout;
    assert_eq!(listed, from_uri);
}

#[test]
fn add_by_image_without_a_qr_says_so_and_adds_nothing() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.bmp");
    // A 4×4 white BMP: readable, no QR code.
    let mut bmp = vec![b'B', b'M'];
    let pixels = vec![0xffu8; 4 * 4 * 3];
    let size = 54 + pixels.len() as u32;
    bmp.extend_from_slice(&size.to_le_bytes());
    bmp.extend_from_slice(&[
        0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 24, 0,
    ]);
    bmp.extend_from_slice(&[0; 24]);
    bmp.extend_from_slice(&pixels);
    std::fs::write(&blank, &bmp).unwrap();
    let output = cli.run(&["add", "--image", blank.to_str().unwrap()]);
    assert_eq!(output.status, 1, "{}", output.stderr);
    assert!(
        output.stderr.contains("no QR code found"),
        "{}",
        output.stderr
    );
    let missing = cli.run(&["add", "--image", "/nonexistent.png"]);
    assert_eq!(missing.status, 2, "{}", missing.stderr);
}
