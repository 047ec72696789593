//! The native host's answers: one JSON request in, one JSON reply out (`docs/browser.md`).
//!
//! Requests: `status`, `accounts` (names of the accounts bound to an origin), `code` (the
//! current code of one of them, only for its bound origin). Every reply echoes the request's
//! `id`; every failure is `{"type":"error","code","message"}` and the host keeps running. No
//! reply ever holds a secret: names, codes and the lock state only.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::account::OtpKind;
use crate::origin::Origin;
use crate::vault::Vault;

/// A request from the extension (its `id`, if any, is taken off first).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Request {
    Status,
    Accounts { origin: String },
    Code { origin: String, account: String },
    Add { origin: String, uri: String },
}

/// Longest `id` echoed back.
const MAX_ID: usize = 64;

/// The reply to one request (`message`: the frame's bytes), at `now` (Unix seconds), on the
/// vault as `open` finds it now: opened afresh for every request, so that accounts, origins
/// and the lock changed by the app or the CLI count at once (a host outlives them all), and a
/// vault that cannot be opened (a locked keyring) is an error reply, not the host's end.
pub fn reply(open: &mut dyn FnMut() -> crate::Result<Vault>, message: &[u8], now: u64) -> Value {
    reply_with(open, message, now, &default_app)
}

/// The app an add starts when none runs: `OTENTIK_APP`, or `otentik-app` beside this program
/// or on `PATH`.
pub fn default_app() -> Option<std::path::PathBuf> {
    let program = std::env::current_exe().ok();
    super::relay::find_app(
        std::env::var_os(super::relay::APP_ENV),
        program.as_deref().and_then(std::path::Path::parent),
        std::env::var_os("PATH"),
    )
}

/// [`reply`], with the app an add starts when none runs given by `app` (`None`: start none).
pub fn reply_with(
    open: &mut dyn FnMut() -> crate::Result<Vault>,
    message: &[u8],
    now: u64,
    app: &dyn Fn() -> Option<std::path::PathBuf>,
) -> Value {
    let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(message) else {
        return error(None, "bad_request", "the message is not a JSON object");
    };
    let id = match fields.remove("id") {
        None => None,
        Some(Value::String(id)) if id.len() <= MAX_ID => Some(id),
        Some(_) => {
            return error(
                None,
                "bad_request",
                "'id' must be a string of at most 64 bytes",
            );
        }
    };
    let fields = Value::Object(fields);
    let request = match Request::deserialize(&fields) {
        Ok(request) => request,
        Err(e) => {
            return error(
                id,
                "bad_request",
                &format!("not a request Otentik knows: {e}"),
            );
        }
    };
    let result = match request {
        // The vault is closed before the wait for the user (it holds secrets, and the app
        // writes to it when the user confirms).
        Request::Add { origin, uri } => {
            let uri = zeroize::Zeroizing::new(uri);
            open()
                .map_err(core)
                .map(|vault| vault.dir().to_path_buf())
                .and_then(|dir| add(&dir, &origin, &uri, app))
        }
        request => open().map_err(core).and_then(|mut vault| {
            // With the lock on, the host has no password: the running app, if it is
            // unlocked, answers instead. A locked app, or none, and the host answers as a
            // locked vault does (names only, `vault_locked` for codes).
            #[cfg(unix)]
            if vault.is_locked()
                && let Ok(reply) =
                    super::relay::query(vault.dir(), &fields, super::relay::QUERY_WAIT)
                && reply["code"] != "vault_locked"
            {
                return Ok(reply);
            }
            answer(&mut vault, request, now)
        }),
    };
    match result {
        Ok(answer) => with_id(answer, id),
        Err((code, message)) => error(id, &code, &message),
    }
}

/// The reply to a `status`, `accounts` or `code` request (`request`, without its `id`) from
/// an open vault: what the running app answers for a host whose vault is locked
/// ([`super::relay::query`]). An `add` is refused here: it has its own way.
pub fn answer_open(vault: &mut Vault, request: Value, now: u64) -> Value {
    let result = match serde_json::from_value::<Request>(request) {
        Err(e) => Err(refusal(
            "bad_request",
            &format!("not a request Otentik knows: {e}"),
        )),
        Ok(Request::Add { .. }) => Err(refusal(
            "bad_request",
            "an add is asked with its own request",
        )),
        Ok(request) => answer(vault, request, now),
    };
    result.unwrap_or_else(|(code, message)| error(None, &code, &message))
}

/// The reply to a frame over the size limit.
pub fn too_large(length: u32) -> Value {
    error(
        None,
        "too_large",
        &format!(
            "the message is {length} bytes, more than the {} a request may be",
            super::frame::MAX_REQUEST
        ),
    )
}

/// The reply instead of one over the browser's limit (thousands of accounts bound to a site).
pub fn reply_too_large(length: usize) -> Value {
    error(
        None,
        "too_large",
        &format!(
            "the reply is {length} bytes, more than the browser accepts: bind fewer accounts to this site"
        ),
    )
}

type Refusal = (String, String);

fn answer(vault: &mut Vault, request: Request, now: u64) -> Result<Value, Refusal> {
    match request {
        Request::Status => Ok(json!({
            "type": "status",
            "locked": vault.is_locked(),
            "version": env!("CARGO_PKG_VERSION"),
        })),
        Request::Accounts { origin } => {
            let origin = origin_of(&origin)?;
            let accounts: Vec<Value> = vault
                .bound_to(&origin)
                .into_iter()
                .map(|a| json!({ "id": a.id, "issuer": a.issuer, "label": a.name }))
                .collect();
            Ok(json!({ "type": "accounts", "origin": origin.as_str(), "accounts": accounts }))
        }
        Request::Code { origin, account } => {
            let origin = origin_of(&origin)?;
            // Unknown and not bound answer alike: a page learns nothing about other accounts.
            let Some(stored) = vault
                .bound_to(&origin)
                .into_iter()
                .find(|a| a.id == account)
                .cloned()
            else {
                return Err(refusal(
                    "origin_not_bound",
                    "this site is not where the account was added: Otentik fills its codes only on the site it is bound to",
                ));
            };
            if stored.kind == OtpKind::Hotp {
                return Err(refusal(
                    "unsupported",
                    "counter-based (HOTP) codes are not filled from the browser: open Otentik",
                ));
            }
            let code = vault.code(&stored.id, now).map_err(core)?;
            let period = u64::from(stored.period.max(1));
            Ok(json!({
                "type": "code",
                "account": stored.id,
                "code": code,
                "period": period,
                "remaining": period - now % period,
            }))
        }
        Request::Add { .. } => Err(refusal("internal", "an add is not answered here")),
    }
}

/// `add`: the URI is checked here (the page learns a broken QR code at once; the URI is never
/// echoed: it holds a seed), then the running app asks the user and keeps it bound to `origin`
/// only if they confirm ([`super::relay`]). With no app running, the app is started first
/// (`OTENTIK_APP`, or `otentik-app` beside this program or on `PATH`).
fn add(
    data_dir: &std::path::Path,
    origin: &str,
    uri: &str,
    app: &dyn Fn() -> Option<std::path::PathBuf>,
) -> Result<Value, Refusal> {
    let origin = origin_of(origin)?;
    crate::otpauth::parse(uri).map_err(|e| refusal("invalid_uri", &e.to_string()))?;
    #[cfg(unix)]
    {
        use super::relay;
        match relay::ask(data_dir, &origin, uri, relay::HOST_WAIT) {
            // No app: start it (it asks the user), then ask again.
            Err((code, message)) if code == "app_not_running" => {
                let program = app().ok_or((code, message))?;
                relay::start_app(data_dir, &program, relay::START_WAIT)?;
                relay::ask(data_dir, &origin, uri, relay::HOST_WAIT)
            }
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (data_dir, app);
        Err(refusal(
            "unsupported",
            "adding an account from the browser is not available on this system yet: scan the QR code with the Otentik app",
        ))
    }
}

fn origin_of(text: &str) -> Result<Origin, Refusal> {
    Origin::parse(text).map_err(|e| refusal("origin_not_allowed", &e.to_string()))
}

fn core(error: crate::Error) -> Refusal {
    let code = serde_json::to_value(error.code())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "internal".into());
    (code, error.to_string())
}

fn refusal(code: &str, message: &str) -> Refusal {
    (code.to_owned(), message.to_owned())
}

fn error(id: Option<String>, code: &str, message: &str) -> Value {
    with_id(
        json!({ "type": "error", "code": code, "message": message }),
        id,
    )
}

/// `reply` with the request's `id`, when it had one.
fn with_id(mut reply: Value, id: Option<String>) -> Value {
    if let (Some(id), Value::Object(fields)) = (id, &mut reply) {
        fields.insert("id".into(), Value::String(id));
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{KdfParams, MemoryStore};
    use crate::{Account, Secret};

    const DEMO: &str = "http://127.0.0.1:8080";

    fn vault(dir: &std::path::Path, store: &MemoryStore) -> Vault {
        Vault::open(dir.to_path_buf(), Box::new(store.clone())).unwrap()
    }

    /// What the host does: a fresh open of the vault for every request.
    fn opener<'a>(
        dir: &'a std::path::Path,
        store: &'a MemoryStore,
    ) -> impl FnMut() -> crate::Result<Vault> + 'a {
        move || Vault::open(dir.to_path_buf(), Box::new(store.clone()))
    }

    /// The host's reply; an add starts no app.
    fn ask(open: &mut dyn FnMut() -> crate::Result<Vault>, request: Value) -> Value {
        reply_with(open, request.to_string().as_bytes(), 59, &|| None)
    }

    /// A vault with a bound account (`bound`), an unbound one and a bound HOTP one.
    fn setup(dir: &std::path::Path, store: &MemoryStore) -> (Vault, String, String, String) {
        let mut vault = vault(dir, store);
        let bound = vault
            .add(
                &Account::totp(
                    "Demo",
                    "budi",
                    Secret::new(b"12345678901234567890".to_vec()),
                ),
                1,
                false,
            )
            .unwrap()
            .id;
        let other = vault
            .add(
                &Account::totp("Bank", "budi", Secret::new(vec![7; 20])),
                1,
                false,
            )
            .unwrap()
            .id;
        let mut hotp = Account::totp("Demo", "hotp", Secret::new(vec![9; 20]));
        hotp.kind = OtpKind::Hotp;
        let hotp = vault.add(&hotp, 1, false).unwrap().id;
        let demo = Origin::parse(DEMO).unwrap();
        vault
            .set_origins(&bound, std::slice::from_ref(&demo))
            .unwrap();
        vault.set_origins(&hotp, &[demo]).unwrap();
        (vault, bound, other, hotp)
    }

    #[test]
    fn status_names_the_lock_and_echoes_the_id() {
        let (dir, store) = (tempfile::tempdir().unwrap(), MemoryStore::new());
        let mut open = opener(dir.path(), &store);
        let status = ask(&mut open, json!({ "type": "status", "id": "r1" }));
        assert_eq!(status["type"], "status");
        assert_eq!(status["locked"], false);
        assert_eq!(status["id"], "r1");
    }

    #[test]
    fn accounts_lists_names_bound_to_the_origin_only() {
        let (dir, store) = (tempfile::tempdir().unwrap(), MemoryStore::new());
        let (_, bound, _, hotp) = setup(dir.path(), &store);
        let mut open = opener(dir.path(), &store);
        // The origin as the page wrote it, normalised.
        let listed = ask(
            &mut open,
            json!({ "type": "accounts", "origin": "http://127.0.0.1:8080/" }),
        );
        assert_eq!(listed["origin"], DEMO);
        assert_eq!(
            listed["accounts"],
            json!([
                { "id": bound, "issuer": "Demo", "label": "budi" },
                { "id": hotp, "issuer": "Demo", "label": "hotp" },
            ])
        );
        let text = listed.to_string();
        assert!(!text.contains("GEZDGNBVGY3TQOJQ"), "no secret: {text}");
        for elsewhere in [
            "https://lpse.example",
            "http://localhost:8080",
            "http://127.0.0.1:8081",
        ] {
            let listed = ask(
                &mut open,
                json!({ "type": "accounts", "origin": elsewhere }),
            );
            assert_eq!(listed["accounts"], json!([]), "{elsewhere}");
        }
    }

    #[test]
    fn a_code_is_given_only_on_the_bound_origin() {
        let (dir, store) = (tempfile::tempdir().unwrap(), MemoryStore::new());
        let (_, bound, other, hotp) = setup(dir.path(), &store);
        let mut open = opener(dir.path(), &store);
        let code = ask(
            &mut open,
            json!({ "type": "code", "origin": DEMO, "account": bound }),
        );
        // RFC 6238's SHA-1 vector at T = 59 s, six digits.
        assert_eq!(
            code,
            json!({ "type": "code", "account": bound, "code": "287082", "period": 30, "remaining": 1 })
        );
        for (origin, account) in [
            ("http://localhost:8080", bound.as_str()),
            ("https://lpse.example", bound.as_str()),
            (DEMO, other.as_str()),
            (DEMO, "no-such-account"),
        ] {
            let refused = ask(
                &mut open,
                json!({ "type": "code", "origin": origin, "account": account }),
            );
            assert_eq!(refused["type"], "error");
            assert_eq!(refused["code"], "origin_not_bound", "{origin} {account}");
            // An error and nothing else: no code, no account name.
            let keys: Vec<&String> = refused.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["code", "message", "type"], "{refused}");
            assert!(!refused.to_string().contains("budi"), "{refused}");
        }
        let refused = ask(
            &mut open,
            json!({ "type": "code", "origin": DEMO, "account": hotp }),
        );
        assert_eq!(refused["code"], "unsupported");
        let counter = open().unwrap().get(&hotp).unwrap().counter;
        assert_eq!(
            counter, 0,
            "a refused HOTP request does not move the counter"
        );
        let refused = ask(
            &mut open,
            json!({ "type": "code", "origin": "http://lpse.example", "account": bound }),
        );
        assert_eq!(refused["code"], "origin_not_allowed");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("only to this computer")
        );
    }

    #[test]
    fn malformed_requests_get_a_bad_request_reply() {
        let (dir, store) = (tempfile::tempdir().unwrap(), MemoryStore::new());
        let mut open = opener(dir.path(), &store);
        for (message, id) in [
            (&b"not json"[..], None),
            (b"", None),
            (b"\xff\xfe", None),
            (b"[1,2]", None),
            (br#"{"id":"x"}"#, Some("x")),
            (br#"{"type":"launch_missiles","id":"y"}"#, Some("y")),
            (br#"{"type":"code","origin":"https://a.example"}"#, None),
            (br#"{"type":"status","id":7}"#, None),
        ] {
            let answer = reply(&mut open, message, 0);
            assert_eq!(answer["type"], "error", "{answer}");
            assert_eq!(answer["code"], "bad_request", "{answer}");
            assert_eq!(answer.get("id").and_then(Value::as_str), id, "{answer}");
        }
    }

    #[test]
    fn add_checks_the_uri_and_never_echoes_it() {
        let (dir, store) = (tempfile::tempdir().unwrap(), MemoryStore::new());
        let mut open = opener(dir.path(), &store);
        let uri = "otpauth://totp/Demo:budi?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Demo";
        let answer = ask(
            &mut open,
            json!({ "type": "add", "origin": DEMO, "uri": uri }),
        );
        // No app runs for this vault: said plainly, the URI not echoed.
        assert_eq!(answer["code"], "app_not_running", "{answer}");
        assert!(!answer.to_string().contains("GEZDGNBV"));
        // An app is started for it; one that ends at once is said plainly too.
        #[cfg(unix)]
        {
            let request = json!({ "type": "add", "origin": DEMO, "uri": uri }).to_string();
            let answer = reply_with(&mut open, request.as_bytes(), 59, &|| {
                Some("/bin/false".into())
            });
            assert_eq!(answer["code"], "app_not_running", "{answer}");
            assert!(
                answer["message"].as_str().unwrap().contains("it ended"),
                "{answer}"
            );
        }
        // The app confirms: its reply comes back with the request's id.
        #[cfg(unix)]
        {
            let listener = super::super::relay::Listener::bind(dir.path()).unwrap();
            let app = std::thread::spawn(move || {
                let mut asked = listener.accept().unwrap();
                let super::super::relay::Request::Add { origin, uri: got } =
                    asked.request().unwrap()
                else {
                    panic!("not an add")
                };
                asked
                    .answer(&super::super::relay::added("a1", "Demo", "budi"))
                    .unwrap();
                (origin.as_str().to_owned(), got.to_string())
            });
            let answer = ask(
                &mut open,
                json!({ "type": "add", "origin": "http://127.0.0.1:8080/", "uri": uri, "id": "r9" }),
            );
            assert_eq!(answer["type"], "added", "{answer}");
            assert_eq!(answer["account"]["label"], "budi");
            assert_eq!(answer["id"], "r9");
            assert_eq!(app.join().unwrap(), (DEMO.to_owned(), uri.to_owned()));
        }
        let broken = ask(
            &mut open,
            json!({ "type": "add", "origin": DEMO, "uri": "otpauth://totp/x" }),
        );
        assert_eq!(broken["code"], "invalid_uri");
        assert!(open().unwrap().accounts().is_empty());
    }

    #[test]
    fn a_locked_vault_answers_vault_locked_and_lists_names() {
        let (dir, store) = (tempfile::tempdir().unwrap(), MemoryStore::new());
        let (mut vault, bound, _, _) = setup(dir.path(), &store);
        // One host, running before and after the lock is turned on elsewhere (the app).
        let mut open = opener(dir.path(), &store);
        let before = ask(
            &mut open,
            json!({ "type": "code", "origin": DEMO, "account": bound }),
        );
        assert_eq!(before["type"], "code", "{before}");
        vault
            .enable_lock("kata sandi panjang", KdfParams::MINIMUM)
            .unwrap();
        assert_eq!(ask(&mut open, json!({ "type": "status" }))["locked"], true);
        let code = ask(
            &mut open,
            json!({ "type": "code", "origin": DEMO, "account": bound }),
        );
        assert_eq!(code["code"], "vault_locked", "{code}");
        let listed = ask(&mut open, json!({ "type": "accounts", "origin": DEMO }));
        assert_eq!(listed["accounts"].as_array().unwrap().len(), 2);

        // The app runs with the vault unlocked: it answers for the host, which has no password.
        #[cfg(unix)]
        {
            use super::super::relay::{Listener, Request, refused};
            let before_code = before["code"].clone();
            let listener = Listener::bind(dir.path()).unwrap();
            let app = std::thread::spawn(move || {
                for _ in 0..2 {
                    let mut asked = listener.accept().unwrap();
                    let Request::Query(request) = asked.request().unwrap() else {
                        panic!("not a query")
                    };
                    asked.answer(&answer_open(&mut vault, request, 59)).unwrap();
                }
                // Then the app locks: the host answers as a locked vault again.
                for _ in 0..2 {
                    let mut asked = listener.accept().unwrap();
                    asked.request().unwrap();
                    asked
                        .answer(&refused("vault_locked", "Otentik is locked"))
                        .unwrap();
                }
            });
            let code = ask(
                &mut open,
                json!({ "type": "code", "origin": DEMO, "account": bound, "id": "c1" }),
            );
            assert_eq!(code["type"], "code", "{code}");
            assert_eq!(code["code"], before_code);
            assert_eq!(code["id"], "c1");
            let elsewhere = ask(
                &mut open,
                json!({ "type": "code", "origin": "http://localhost:8080", "account": bound }),
            );
            assert_eq!(elsewhere["code"], "origin_not_bound", "{elsewhere}");
            let code = ask(
                &mut open,
                json!({ "type": "code", "origin": DEMO, "account": bound }),
            );
            assert_eq!(code["code"], "vault_locked", "{code}");
            let status = ask(&mut open, json!({ "type": "status" }));
            assert_eq!(status["locked"], true, "{status}");
            app.join().unwrap();
        }
    }

    #[test]
    fn serve_answers_each_frame_and_goes_on_after_an_oversized_one() {
        let (dir, store) = (tempfile::tempdir().unwrap(), MemoryStore::new());
        let mut input = Vec::new();
        super::super::frame::write(&mut input, br#"{"type":"status","id":"a"}"#).unwrap();
        let huge = super::super::frame::MAX_REQUEST + 10;
        input.extend(huge.to_ne_bytes());
        input.extend(vec![b'x'; huge as usize]);
        super::super::frame::write(&mut input, br#"{"type":"status","id":"b"}"#).unwrap();
        let mut output = Vec::new();
        super::super::serve(
            opener(dir.path(), &store),
            &mut &input[..],
            &mut output,
            || 0,
        )
        .unwrap();
        let mut replies = &output[..];
        let mut next = || match super::super::frame::read(&mut replies).unwrap() {
            Some(super::super::frame::Incoming::Message(m)) => {
                serde_json::from_slice::<Value>(&m).unwrap()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(next()["id"], "a");
        assert_eq!(next()["code"], "too_large");
        assert_eq!(next()["id"], "b");
        assert!(super::super::frame::read(&mut replies).unwrap().is_none());
    }
}
