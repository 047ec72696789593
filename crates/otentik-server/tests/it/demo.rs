//! The demo site walked end to end with a cookie-keeping HTTP client, as a browser would.

use otentik_protocol::answer::Decision;
use reqwest::StatusCode;

use crate::harness::{Device, Server};

struct Browser {
    http: reqwest::Client,
    base: String,
}

/// The value of `attribute="…"` after the first `marker` in `html`, entity-decoded.
fn attribute(html: &str, marker: &str, attribute: &str) -> Option<String> {
    let at = html.find(marker)?;
    let rest = &html[at..];
    let start = rest.find(&format!("{attribute}=\""))? + attribute.len() + 2;
    let end = rest[start..].find('"')? + start;
    Some(
        rest[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

impl Browser {
    fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .user_agent("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_owned(),
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String, String) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status();
        let at = response.url().path().to_owned();
        (status, at, response.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let at = response.url().path().to_owned();
        (status, at, response.text().await.unwrap())
    }

    async fn captcha(&self, path: &str) -> String {
        let (status, _, page) = self.get(path).await;
        assert_eq!(status, StatusCode::OK);
        attribute(&page, "id=\"kode-keamanan\"", "data-kode").unwrap()
    }

    /// Fills the login form of `kind` (`penyedia` / `nonpenyedia`).
    async fn login(&self, kind: &str, user: &str, password: &str) -> (StatusCode, String, String) {
        let path = format!("/login/{kind}");
        let kode = self.captcha(&path).await;
        self.post(
            &path,
            &[("userid", user), ("password", password), ("kode", &kode)],
        )
        .await
    }

    async fn logout(&self) {
        let (_, at, _) = self.post("/logout", &[]).await;
        assert_eq!(at, "/");
    }
}

#[tokio::test]
async fn the_guide_walked_end_to_end() {
    let outbox = tempfile::tempdir().unwrap();
    let server = Server::start_demo(outbox.path(), |c| c.site_name = "SPSE Demo".into()).await;
    let browser = Browser::new(&server.url);

    // LOGIN → PENYEDIA / NON PENYEDIA → form.
    let (_, _, home) = browser.get("/").await;
    assert!(home.contains("LOGIN"));
    let (_, _, choose) = browser.get("/login").await;
    assert!(choose.contains("PENYEDIA") && choose.contains("NON PENYEDIA"));
    let (_, _, form) = browser.get("/login/penyedia").await;
    assert!(form.contains("Kode Keamanan") && form.contains("Reset TOTP?"));

    // Wrong captcha, wrong password, wrong user type: refused with a clear message.
    let (status, _, page) = browser
        .post(
            "/login/penyedia",
            &[
                ("userid", "penyedia1"),
                ("password", "penyedia1-rahasia"),
                ("kode", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Kode Keamanan salah"));
    let (_, _, page) = browser.login("penyedia", "penyedia1", "salah").await;
    assert!(page.contains("User ID atau password salah"));
    let (_, _, page) = browser
        .login("nonpenyedia", "penyedia1", "penyedia1-rahasia")
        .await;
    assert!(page.contains("User ID atau password salah"));

    // TOTP off: straight to Beranda.
    let (status, at, page) = browser
        .login("penyedia", "penyedia1", "penyedia1-rahasia")
        .await;
    assert_eq!((status, at.as_str()), (StatusCode::OK, "/beranda"));
    assert!(page.contains("PT Maju Jaya") && page.contains("ENABLE TOTP"));

    // ENABLE TOTP: the QR page embeds the URI; the device enrols; the page turns into
    // "Berhasil Enable TOTP" (its script polls /totp/enable/status).
    let (_, at, page) = browser.post("/totp/enable", &[]).await;
    assert_eq!(at, "/totp/enable");
    assert!(page.contains("<svg"));
    let uri = attribute(&page, "id=\"qr\"", "data-otpauth-uri").unwrap();
    assert!(
        uri.starts_with("otpauth://totp/SPSE%20Demo:penyedia1?"),
        "{uri}"
    );
    let (_, _, status) = browser.get("/totp/enable/status").await;
    assert!(status.contains("\"pending\""));
    let device = Device::enroll(&server.http, server.clock.clone(), &uri)
        .await
        .unwrap();
    let (_, _, status) = browser.get("/totp/enable/status?wait=5").await;
    assert!(status.contains("\"completed\""), "{status}");
    let (_, _, page) = browser.get("/totp/enable").await;
    assert!(page.contains("Berhasil Enable TOTP"));
    let (_, _, page) = browser.get("/beranda").await;
    assert!(page.contains("Aktif") && page.contains("DISABLE TOTP"));
    browser.logout().await;

    // Login with Ya: the waiting page shows the number; the device sees the same request.
    let (_, at, page) = browser
        .login("penyedia", "penyedia1", "penyedia1-rahasia")
        .await;
    assert_eq!(at, "/login/tunggu");
    // Typed number matching is the default: the page says to type it.
    assert!(page.contains("Ketik angka ini di Otentik"), "{page}");
    let number: u8 = attribute(&page, "id=\"nomor\"", "data-number")
        .unwrap()
        .parse()
        .unwrap();
    let challenge = device.challenges(5).await.remove(0);
    assert_eq!(challenge.site, "SPSE Demo");
    assert_eq!(challenge.account, "penyedia1");
    assert_eq!(challenge.ip, "127.0.0.1");
    assert!(challenge.user_agent.contains("Firefox/128.0"));
    assert!(challenge.numbers.as_ref().unwrap().contains(&number));
    let (_, _, status) = browser.get("/login/tunggu/status").await;
    assert!(status.contains("\"pending\""));
    let (status, _) = device
        .answer(&challenge, Decision::Approve, Some(number))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, status) = browser.get("/login/tunggu/status?wait=5").await;
    assert!(status.contains("\"approved\""));
    let (_, at, page) = browser.get("/login/selesai").await;
    assert_eq!(at, "/beranda");
    assert!(page.contains("Selamat datang"));
    browser.logout().await;

    // Login with Tidak: refused.
    let (_, at, _) = browser
        .login("penyedia", "penyedia1", "penyedia1-rahasia")
        .await;
    assert_eq!(at, "/login/tunggu");
    let challenge = device.challenges(5).await.remove(0);
    device.answer(&challenge, Decision::Deny, None).await;
    let (_, _, page) = browser.get("/login/tunggu").await; // the meta-refresh path
    assert!(page.contains("Login ditolak"), "{page}");
    let (_, at, _) = browser.get("/beranda").await;
    assert_eq!(at, "/login", "not logged in after Tidak");

    // Login with a typed code instead of push.
    let (_, at, page) = browser
        .login("penyedia", "penyedia1", "penyedia1-rahasia")
        .await;
    assert_eq!(at, "/login/tunggu");
    assert!(page.contains("Gunakan kode TOTP"));
    let (_, _, page) = browser.post("/login/kode", &[("totp", "000000")]).await;
    assert!(page.contains("Kode TOTP salah"));
    server.clock.advance(30); // the enrolment's own step is spent
    let (_, at, _) = browser
        .post("/login/kode", &[("totp", &device.code())])
        .await;
    assert_eq!(at, "/beranda");
    browser.logout().await;

    // Reset TOTP by e-mail: wrong data and right data give the same answer; only the right
    // data writes an e-mail.
    let kode = browser.captcha("/resettotp").await;
    let (_, _, page) = browser
        .post(
            "/resettotp",
            &[
                ("userid", "penyedia1"),
                ("email", "salah@demo.test"),
                ("kode", &kode),
                ("tipe", "penyedia"),
            ],
        )
        .await;
    assert!(page.contains("telah dikirim"));
    assert_eq!(std::fs::read_dir(outbox.path()).unwrap().count(), 0);
    let kode = browser.captcha("/resettotp").await;
    let (_, _, page) = browser
        .post(
            "/resettotp",
            &[
                ("userid", "penyedia1"),
                ("email", "penyedia1@demo.test"),
                ("kode", &kode),
                ("tipe", "penyedia"),
            ],
        )
        .await;
    assert!(page.contains("telah dikirim"));
    let (_, _, mails) = browser.get("/outbox").await;
    assert!(mails.contains("To: penyedia1@demo.test"));
    let link = attribute(&mails, "class=\"reset-link\"", "href").unwrap();
    assert!(link.starts_with(&format!(
        "{}/proc4user/resettotp?userid=penyedia1&tipe=penyedia&kode=",
        server.url
    )));
    let (status, _, page) = browser.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("RESET TOTP"));
    let kode_value = link.rsplit("kode=").next().unwrap();
    let (_, _, page) = browser
        .post(
            "/proc4user/resettotp",
            &[
                ("userid", "penyedia1"),
                ("tipe", "penyedia"),
                ("kode", kode_value),
            ],
        )
        .await;
    assert!(page.contains("Berhasil Reset TOTP"), "{page}");
    let (status, body) = device.status().await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("device_revoked"))
    );
    // The link works once.
    let (status, _, page) = browser.get(&link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("tidak valid"));

    // Activate again, then DISABLE TOTP.
    let (_, at, page) = browser
        .login("penyedia", "penyedia1", "penyedia1-rahasia")
        .await;
    assert_eq!(at, "/beranda");
    assert!(page.contains("ENABLE TOTP"));
    let (_, _, page) = browser.post("/totp/enable", &[]).await;
    let uri = attribute(&page, "id=\"qr\"", "data-otpauth-uri").unwrap();
    let second = Device::enroll(&server.http, server.clock.clone(), &uri)
        .await
        .unwrap();
    let (_, _, page) = browser.get("/totp/enable").await;
    assert!(page.contains("Berhasil Enable TOTP"));
    let (_, _, page) = browser.get("/totp/disable").await;
    assert!(page.contains("DISABLE TOTP"));
    // Activated in this session just now: no code asked, but the form token is.
    assert!(!page.contains("name=\"totp\""), "{page}");
    let token = attribute(&page, "name=\"token\"", "value").unwrap();
    let (status, _, _) = browser.post("/totp/disable", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no form token");
    let (status, _, _) = browser.post("/totp/disable", &[("token", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong form token");
    let (_, _, page) = browser.post("/totp/disable", &[("token", &token)]).await;
    assert!(page.contains("Berhasil Disable TOTP"));
    assert_eq!(second.status().await.0, StatusCode::GONE);
    let (_, _, page) = browser.get("/beranda").await;
    assert!(page.contains("Tidak aktif"));
}

#[tokio::test]
async fn not_me_and_plain_totp_app_on_the_demo() {
    let outbox = tempfile::tempdir().unwrap();
    let server = Server::start_demo(outbox.path(), |_| {}).await;
    let browser = Browser::new(&server.url);
    let (_, at, _) = browser.login("nonpenyedia", "ppk1", "ppk1-rahasia").await;
    assert_eq!(at, "/beranda");
    let (_, _, page) = browser.post("/totp/enable", &[]).await;
    let uri = attribute(&page, "id=\"qr\"", "data-otpauth-uri").unwrap();
    // A generic authenticator (no push): confirm with a typed code.
    let account = otentik::otpauth::parse(&uri).unwrap().account;
    let now = otentik_server::clock::Clock::now(&*server.clock);
    let code = otentik::otp::totp_code(&account.secret, account.algorithm, 6, 30, now);
    let (_, _, page) = browser.post("/totp/enable/kode", &[("totp", "123")]).await;
    assert!(page.contains("Kode TOTP salah"));
    let (_, _, page) = browser.post("/totp/enable/kode", &[("totp", &code)]).await;
    assert!(page.contains("Berhasil Enable TOTP"));
    browser.logout().await;
    // No push device: the login goes to the code form directly.
    let (_, at, _) = browser.login("nonpenyedia", "ppk1", "ppk1-rahasia").await;
    assert_eq!(at, "/login/kode");
    let next = otentik::otp::totp_code(&account.secret, account.algorithm, 6, 30, now + 30);
    let (_, at, _) = browser.post("/login/kode", &[("totp", &next)]).await;
    assert_eq!(at, "/beranda");
    browser.logout().await;

    // Guessing: after 10 wrong codes within the hour even the right one waits, and the page
    // says how long (5 a minute are allowed, so the guesses take two minutes).
    let (_, at, _) = browser.login("nonpenyedia", "ppk1", "ppk1-rahasia").await;
    assert_eq!(at, "/login/kode");
    server.clock.advance(60); // past the per-minute limit of the code above
    for round in 0..2 {
        for _ in 0..5 {
            let (_, _, page) = browser.post("/login/kode", &[("totp", "000000")]).await;
            assert!(page.contains("Kode TOTP salah"), "{page}");
        }
        if round == 0 {
            server.clock.advance(60);
        }
    }
    let right = otentik::otp::totp_code(&account.secret, account.algorithm, 6, 30, now + 120);
    let (status, _, page) = browser.post("/login/kode", &[("totp", &right)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Coba lagi dalam 59 menit"), "{page}");

    // "Bukan saya" with a push device on another user.
    let other = Browser::new(&server.url);
    other.login("nonpenyedia", "pokja1", "pokja1-rahasia").await;
    let (_, _, page) = other.post("/totp/enable", &[]).await;
    let uri = attribute(&page, "id=\"qr\"", "data-otpauth-uri").unwrap();
    let device = Device::enroll(&server.http, server.clock.clone(), &uri)
        .await
        .unwrap();
    other.logout().await;
    other.login("nonpenyedia", "pokja1", "pokja1-rahasia").await;
    let challenge = device.challenges(5).await.remove(0);
    device.answer(&challenge, Decision::NotMe, None).await;
    let (_, _, page) = other.get("/login/selesai").await;
    assert!(page.contains("dilaporkan"));
    // The next login must wait (the back-off), then a typed code lets the user in, and
    // Beranda tells them to change the password.
    let (status, _, page) = other.login("nonpenyedia", "pokja1", "pokja1-rahasia").await;
    assert!(page.contains("Coba lagi dalam 10 detik"), "{status} {page}");
    server.clock.advance(30);
    let (_, at, _) = other.login("nonpenyedia", "pokja1", "pokja1-rahasia").await;
    assert_eq!(at, "/login/tunggu");
    let (_, at, page) = other.post("/login/kode", &[("totp", &device.code())]).await;
    assert_eq!(at, "/beranda");
    assert!(
        page.contains("Ada permintaan login yang Anda tolak sebagai bukan saya: ganti kata sandi"),
        "{page}"
    );

    // Ten minutes after the typed code, DISABLE TOTP asks for a fresh one.
    server.clock.advance(11 * 60);
    let (_, _, page) = other.get("/totp/disable").await;
    assert!(page.contains("name=\"totp\""), "{page}");
    let token = attribute(&page, "name=\"token\"", "value").unwrap();
    let (status, _, page) = other
        .post("/totp/disable", &[("token", &token), ("totp", "000000")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Kode TOTP salah"), "{page}");
    let (_, _, page) = other
        .post(
            "/totp/disable",
            &[("token", &token), ("totp", &device.code())],
        )
        .await;
    assert!(page.contains("Berhasil Disable TOTP"), "{page}");
}
