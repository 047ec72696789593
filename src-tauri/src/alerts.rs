//! Telling the user a login request arrived when the window is not in front: a desktop
//! notification naming the account and the site (a click on it opens the request), and the
//! window asking for attention.
//!
//! The notification goes through `notify-rust` (on Linux, the freedesktop `Notify` call on
//! the session bus): it is what `tauri-plugin-notification` uses on desktops, and it also
//! reports the click (docs/decisions/0004-notifications.md).

use otentik::push::PendingRequest;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::approvals::Language;
use crate::link;

/// The event that tells the UI to open the requests of an account (payload: its id).
pub const OPEN_EVENT: &str = "otentik://open-request";

/// What a notification says, in the UI's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// First line.
    pub summary: String,
    /// Second line.
    pub body: String,
    /// The label of the click action.
    pub action: String,
}

/// The notification of a request that arrives while the app is locked: it names nothing
/// (no site, account or address on a screen anyone at the desk can see) and says to unlock.
pub fn locked_text(language: Language) -> Text {
    if language == Language::En {
        Text {
            summary: "Login request — unlock Otentik to answer".to_owned(),
            body: "Unlock with your password, then answer Yes, No or Not me.".to_owned(),
            action: "Unlock".to_owned(),
        }
    } else {
        Text {
            summary: "Permintaan login — buka kunci Otentik untuk menjawab".to_owned(),
            body: "Buka kunci dengan kata sandi, lalu jawab Ya, Tidak, atau Bukan saya.".to_owned(),
            action: "Buka kunci".to_owned(),
        }
    }
}

/// The notification for `request`, in `language`. The body is escaped: freedesktop
/// notification servers read it as markup, and the site, account and address come from the
/// server (a `<a href>` or `&` in them must show as text, not become a link or an entity).
pub fn text(request: &PendingRequest, language: Language) -> Text {
    let mut text = plain_text(request, language);
    text.body = escape_markup(&text.body);
    text
}

/// `&`, `<` and `>` as entities, for a notification body.
pub fn escape_markup(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn plain_text(request: &PendingRequest, language: Language) -> Text {
    let c = &request.challenge;
    if language == Language::En {
        Text {
            summary: format!("Login request: {}", c.site),
            body: format!(
                "{} wants to log in as {} from {}. Open Otentik to answer.",
                request.account_label, c.account, c.ip
            ),
            action: "Answer".to_owned(),
        }
    } else {
        Text {
            summary: format!("Permintaan login: {}", c.site),
            body: format!(
                "{} meminta login sebagai {} dari {}. Buka Otentik untuk menjawab.",
                request.account_label, c.account, c.ip
            ),
            action: "Jawab".to_owned(),
        }
    }
}

/// Shows the notification and asks for the window's attention. Never blocks: the
/// notification waits for its click on a thread of its own.
/// While `locked` it says only that a request waits ([`locked_text`]).
pub fn login_request<R: Runtime>(
    app: &AppHandle<R>,
    request: &PendingRequest,
    language: Language,
    locked: bool,
) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.request_user_attention(Some(tauri::UserAttentionType::Informational));
    }
    let text = if locked {
        locked_text(language)
    } else {
        text(request, language)
    };
    let app = app.clone();
    let account_id = request.account_id.clone();
    let spawned = std::thread::Builder::new()
        .name("otentik-notification".into())
        .spawn(move || notify(&app, &text, &account_id));
    if let Err(error) = spawned {
        tracing::warn!(%error, "no notification");
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn notify<R: Runtime>(app: &AppHandle<R>, text: &Text, account_id: &str) {
    let mut notification = notify_rust::Notification::new();
    notification
        .appname("Otentik")
        .summary(&text.summary)
        .body(&text.body)
        .icon("otentik")
        .action("default", &text.action)
        .timeout(notify_rust::Timeout::Milliseconds(120_000));
    #[cfg(target_os = "linux")]
    notification
        .hint(notify_rust::Hint::Category("im.received".to_owned()))
        .hint(notify_rust::Hint::DesktopEntry("otentik".to_owned()));
    match notification.show() {
        #[cfg(target_os = "linux")]
        Ok(handle) => handle.wait_for_action(|action| {
            if action == "default" {
                open_request(app, account_id);
            }
        }),
        #[cfg(not(target_os = "linux"))]
        Ok(_) => {
            let _ = (app, account_id);
        }
        // No notification daemon: the tray, the badge and the window's attention remain.
        Err(error) => tracing::warn!(%error, "no notification"),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn notify<R: Runtime>(_app: &AppHandle<R>, _text: &Text, _account_id: &str) {}

/// Brings the window to the front on the requests of `account_id`.
pub fn open_request<R: Runtime>(app: &AppHandle<R>, account_id: &str) {
    link::show(app);
    let _ = app.emit(OPEN_EVENT, account_id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use otentik::push::Challenge;

    fn request() -> PendingRequest {
        PendingRequest {
            account_id: "a1".into(),
            account_label: "SPSE Demo: penyedia1".into(),
            challenge: Challenge {
                id: "c1".into(),
                nonce: "n".into(),
                device_id: "d".into(),
                site: "SPSE Demo".into(),
                account: "penyedia1".into(),
                ip: "10.1.2.3".into(),
                user_agent: "Firefox".into(),
                created_at: 0,
                expires_at: 120,
                numbers: None,
                number_entry: false,
                signature: String::new(),
            },
        }
    }

    #[test]
    fn the_notification_names_site_account_and_ip_in_both_languages() {
        let id = text(&request(), Language::Id);
        assert_eq!(id.summary, "Permintaan login: SPSE Demo");
        assert_eq!(
            id.body,
            "SPSE Demo: penyedia1 meminta login sebagai penyedia1 dari 10.1.2.3. Buka Otentik untuk menjawab."
        );
        assert_eq!(id.action, "Jawab");
        let en = text(&request(), Language::En);
        assert_eq!(en.summary, "Login request: SPSE Demo");
        assert!(en.body.contains("as penyedia1 from 10.1.2.3"));
        assert_eq!(
            text(&request(), Language::default()),
            id,
            "Bahasa Indonesia by default"
        );
    }

    #[test]
    fn a_locked_app_announces_a_request_without_naming_it() {
        let id = locked_text(Language::Id);
        assert_eq!(
            id.summary,
            "Permintaan login — buka kunci Otentik untuk menjawab"
        );
        let en = locked_text(Language::En);
        for text in [&id, &en] {
            let all = format!("{} {} {}", text.summary, text.body, text.action);
            for named in ["SPSE", "penyedia1", "10.1.2.3"] {
                assert!(!all.contains(named), "{all}");
            }
        }
    }

    #[test]
    fn markup_from_the_server_is_shown_as_text() {
        let mut hostile = request();
        hostile.challenge.account = "<a href=\"https://evil.example\">klik</a>".into();
        hostile.challenge.site = "A & B <b>".into();
        let shown = text(&hostile, Language::Id);
        assert!(
            shown
                .body
                .contains("&lt;a href=\"https://evil.example\"&gt;klik&lt;/a&gt;"),
            "{}",
            shown.body
        );
        assert!(!shown.body.contains('<'), "{}", shown.body);
        // The summary is plain text by the specification: shown as it is.
        assert_eq!(shown.summary, "Permintaan login: A & B <b>");
        assert_eq!(escape_markup("a&b<c>d"), "a&amp;b&lt;c&gt;d");
    }
}
