//! HTML of the demo pages (maud; no JavaScript framework, a few lines of polling script).

use maud::{DOCTYPE, Markup, PreEscaped, html};
use otentik_protocol::rp_api::UserStatus;

use super::outbox::Mail;
use super::users::{DemoUser, UserKind};

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:0;background:#f3f5f8;color:#1d2733}
header{background:#b71c1c;color:#fff;padding:12px 24px}
header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:640px;margin:24px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 1px 4px #0002}
.btn{display:inline-block;background:#0d47a1;color:#fff;border:0;padding:10px 18px;border-radius:4px;font-size:1em;text-decoration:none;cursor:pointer;margin:4px 4px 4px 0}
.btn.red{background:#b71c1c}.btn.grey{background:#607d8b}
label{display:block;margin-top:12px;font-weight:600}
input,select{width:100%;padding:8px;box-sizing:border-box;margin-top:4px}
.error{background:#ffebee;color:#b71c1c;padding:10px;border-radius:4px}
.ok{background:#e8f5e9;color:#1b5e20;padding:10px;border-radius:4px}
.number{font-size:4em;font-weight:700;text-align:center;letter-spacing:.1em}
.kode{font-family:monospace;font-size:1.6em;letter-spacing:.4em;background:repeating-linear-gradient(45deg,#eee,#eee 4px,#ddd 4px,#ddd 8px);padding:4px 12px}
.en{color:#607d8b;font-size:.85em}
pre{white-space:pre-wrap;background:#f7f7f7;padding:12px}
";

/// The page frame.
pub fn layout(title: &str, body: Markup) -> Markup {
    layout_with_head(title, html! {}, body)
}

/// The page frame with extra `<head>` content (meta refresh).
pub fn layout_with_head(title: &str, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="id" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — SPSE Demo" }
                style { (PreEscaped(STYLE)) }
                (head)
            }
            body {
                header { a href="/" { "SPSE Demo" } " · Sistem Pengadaan Secara Elektronik" }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// An error box.
pub fn error(text: Option<&str>) -> Markup {
    html! { @if let Some(text) = text { p.error role="alert" { (text) } } }
}

/// The Kode Keamanan (captcha) field.
pub fn captcha(code: &str) -> Markup {
    html! {
        label for="kode" { "Kode Keamanan " span.en { "(security code)" } }
        p { "Ketik kode ini: " span.kode id="kode-keamanan" data-kode=(code) { (code) } }
        input id="kode" name="kode" autocomplete="off" required inputmode="numeric";
    }
}

pub fn home(logged_in: bool) -> Markup {
    layout(
        "Selamat Datang",
        html! {
            p { "Demo situs pengadaan untuk mencoba Otentik: login dengan persetujuan push, "
                "aktivasi, nonaktifkan dan reset TOTP." }
            p.en { "Demo procurement site for trying Otentik's push approvals and TOTP." }
            @if logged_in { a.btn href="/beranda" { "BERANDA" } }
            @else { a.btn href="/login" { "LOGIN" } }
            a.btn.grey href="/outbox" { "Kotak Keluar Email (outbox)" }
        },
    )
}

pub fn choose_kind() -> Markup {
    layout(
        "Login",
        html! {
            p { "Pilih jenis pengguna:" span.en { " (choose user type)" } }
            a.btn href="/login/penyedia" { "PENYEDIA" }
            a.btn href="/login/nonpenyedia" { "NON PENYEDIA" }
        },
    )
}

pub fn login_form(kind: UserKind, code: &str, message: Option<&str>) -> Markup {
    layout(
        &format!("Login {}", kind.label()),
        html! {
            (error(message))
            form method="post" action={ "/login/" (kind.slug()) } {
                label for="userid" { "User ID" }
                input id="userid" name="userid" autocomplete="username" required;
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                (captcha(code))
                p { button.btn type="submit" { "LOGIN" } }
            }
            p { a href="/resettotp" { "Reset TOTP?" } }
        },
    )
}

pub fn waiting(user_id: &str, number: Option<u8>, number_entry: bool) -> Markup {
    let script = "
(async function(){
  for(;;){
    try{
      const r = await fetch('/login/tunggu/status?wait=20',{credentials:'same-origin'});
      const j = await r.json();
      if(j.status !== 'pending'){ location.href='/login/selesai'; return; }
    }catch(e){ await new Promise(f=>setTimeout(f,2000)); }
  }
})();";
    layout_with_head(
        "Menunggu Persetujuan",
        html! { noscript { meta http-equiv="refresh" content="3"; } },
        html! {
            p { "Buka aplikasi Otentik, pilih akun " b { (user_id) } ", lalu ketuk " b { "Ya" } "." }
            p.en { "Open Otentik and tap Yes on the login request." }
            @if let Some(number) = number {
                @if number_entry {
                    p { "Ketik angka ini di Otentik:" span.en { " (type this number in Otentik)" } }
                } @else {
                    p { "Pilih angka ini di aplikasi:" span.en { " (pick this number)" } }
                }
                p.number id="nomor" data-number=(number) { (number) }
            }
            p { a href="/login/kode" { "Gunakan kode TOTP" } span.en { " (type a code instead)" } }
            script { (PreEscaped(script)) }
        },
    )
}

pub fn refused(title: &str, text: &str) -> Markup {
    layout(
        title,
        html! {
            p.error id="hasil" { (text) }
            a.btn href="/login" { "LOGIN" }
        },
    )
}

pub fn code_form(message: Option<&str>) -> Markup {
    layout(
        "Kode TOTP",
        html! {
            (error(message))
            form method="post" action="/login/kode" {
                label for="totp" { "Kode TOTP (6 angka)" span.en { " 6-digit code" } }
                input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" required;
                p { button.btn type="submit" { "VERIFIKASI" } }
            }
        },
    )
}

/// The warning Beranda shows while the user has recent "Bukan saya" answers.
pub const NOT_ME_WARNING: &str =
    "Ada permintaan login yang Anda tolak sebagai bukan saya: ganti kata sandi";

pub fn beranda(user: &DemoUser, status: &UserStatus, message: Option<&str>) -> Markup {
    let (totp_enabled, devices) = (status.totp_enabled, status.devices);
    layout(
        "Beranda",
        html! {
            @if let Some(text) = message { p.ok id="pesan" { (text) } }
            @if !status.not_me.is_empty() {
                p.error id="bukan-saya" role="alert" {
                    (NOT_ME_WARNING) " (" (status.not_me.len()) " kali dalam 30 hari terakhir, terakhir dari IP "
                    (status.not_me.last().map(|r| r.ip.as_str()).unwrap_or("")) ")."
                }
            }
            p { "Selamat datang, " b { (user.name) } " (" (user.id) ", " (user.kind.label()) ")." }
            p id="status-totp" data-enabled=(totp_enabled) {
                "TOTP: " @if totp_enabled { b { "Aktif" } " (perangkat push: " (devices) ")" } @else { b { "Tidak aktif" } }
            }
            @if totp_enabled {
                a.btn.red href="/totp/disable" { "DISABLE TOTP" }
            } @else {
                form method="post" action="/totp/enable" style="display:inline" {
                    button.btn type="submit" { "ENABLE TOTP" }
                }
            }
            form method="post" action="/logout" style="display:inline" {
                button.btn.grey type="submit" { "LOGOUT" }
            }
        },
    )
}

pub fn enable_qr(uri: &str, svg: &str, message: Option<&str>) -> Markup {
    let script = "
(async function(){
  for(;;){
    try{
      const r = await fetch('/totp/enable/status?wait=20',{credentials:'same-origin'});
      const j = await r.json();
      if(j.status !== 'pending'){ location.reload(); return; }
    }catch(e){ await new Promise(f=>setTimeout(f,2000)); }
  }
})();";
    layout_with_head(
        "Enable TOTP",
        html! { noscript { meta http-equiv="refresh" content="3"; } },
        html! {
            (error(message))
            p { "Pindai kode QR ini dengan Otentik (atau aplikasi autentikator lain)." }
            p.en { "Scan this QR code with Otentik or any authenticator app." }
            div id="qr" data-otpauth-uri=(uri) { (PreEscaped(svg)) }
            p { "Halaman ini berubah sendiri setelah Otentik menampilkan \"Berhasil tambah akun\"." }
            details {
                summary { "Aplikasi tanpa push? Masukkan kode" }
                form method="post" action="/totp/enable/kode" {
                    label for="totp" { "Kode TOTP" }
                    input id="totp" name="totp" inputmode="numeric" required;
                    p { button.btn type="submit" { "KONFIRMASI" } }
                }
            }
            script { (PreEscaped(script)) }
        },
    )
}

pub fn done(title: &str, text: &str) -> Markup {
    layout(
        title,
        html! {
            p.ok id="hasil" { (text) }
            a.btn href="/beranda" { "BERANDA" }
        },
    )
}

pub fn disable_confirm(token: &str, needs_code: bool, message: Option<&str>) -> Markup {
    layout(
        "Disable TOTP",
        html! {
            (error(message))
            p { "Nonaktifkan TOTP? Setelah ini login hanya dengan User ID dan password, "
                "dan akun di Otentik tidak bisa dipakai lagi untuk situs ini." }
            form method="post" action="/totp/disable" {
                input type="hidden" name="token" value=(token);
                @if needs_code {
                    label for="totp" { "Kode TOTP saat ini" span.en { " current 6-digit code" } }
                    input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" required;
                }
                button.btn.red type="submit" { "DISABLE TOTP" }
                a.btn.grey href="/beranda" { "Batal" }
            }
        },
    )
}

pub fn reset_form(code: &str, message: Option<&str>, sent: bool) -> Markup {
    layout(
        "Reset TOTP",
        html! {
            @if sent {
                p.ok id="hasil" { "Jika data sesuai, tautan reset TOTP telah dikirim ke email Anda. "
                    "Lihat " a href="/outbox" { "kotak keluar email" } "." }
            }
            (error(message))
            form method="post" action="/resettotp" {
                label for="userid" { "User ID" }
                input id="userid" name="userid" required;
                label for="email" { "Email" }
                input id="email" name="email" type="email" required;
                (captcha(code))
                label for="tipe" { "Tipe User" }
                select id="tipe" name="tipe" {
                    option value="penyedia" { "PENYEDIA" }
                    option value="nonpenyedia" { "NON PENYEDIA" }
                }
                p { button.btn type="submit" { "KIRIM" } }
            }
        },
    )
}

pub fn reset_confirm(user_id: &str, tipe: &str, kode: &str) -> Markup {
    layout(
        "Konfirmasi Reset TOTP",
        html! {
            p { "Reset TOTP untuk User ID " b { (user_id) } "? Setelah reset, login lalu aktifkan TOTP kembali." }
            form method="post" action="/proc4user/resettotp" {
                input type="hidden" name="userid" value=(user_id);
                input type="hidden" name="tipe" value=(tipe);
                input type="hidden" name="kode" value=(kode);
                button.btn.red type="submit" { "RESET TOTP" }
            }
        },
    )
}

pub fn outbox(mails: &[Mail]) -> Markup {
    layout(
        "Kotak Keluar Email",
        html! {
            p.en { "Outbox: e-mails the demo site sent (newest first)." }
            @if mails.is_empty() { p { "Belum ada email." } }
            @for mail in mails {
                article.mail data-file=(mail.file) {
                    pre { (mail.text) }
                    @for link in links(&mail.text) {
                        p { a.reset-link href=(link) { (link) } }
                    }
                }
            }
        },
    )
}

fn links(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .collect()
}

pub fn refused_ok(title: &str, text: &str) -> Markup {
    layout(
        title,
        html! {
            p.ok id="hasil" { (text) }
            a.btn href="/login" { "LOGIN" }
        },
    )
}
