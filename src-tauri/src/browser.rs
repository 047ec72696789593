//! Adds from the browser extension: its native host hands the page's `otpauth://` URI and
//! origin to the running app over a private socket (`otentik::browser::relay`), the accounts
//! are held like a scanned QR code and the window asks the user; confirming adds them bound to
//! that origin (`confirm_add`), declining answers `declined` (`cancel_add`). A request that
//! arrives while locked waits for the unlock, like an `otpauth://` link. With the app lock on,
//! the host (which has no password) asks the unlocked app for names and codes too.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use otentik::origin::Origin;
use serde_json::Value;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::failure::Failure;
use crate::state::AppState;
use crate::{capture, link};

/// At most this many requests from the browser's host are served at once (adds waiting for
/// the user, queries); more are refused (`busy`).
const MAX_WAITING: usize = 8;

/// How long an add whose wait ran out while the user was confirming it waits for that answer.
const CONFIRMING: std::time::Duration = std::time::Duration::from_secs(60);

/// Gives a serving slot back when its request is done, even if serving it panicked.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An add from the browser waiting for the user: where the page was, and where the answer
/// goes (the host's connection, through the thread that serves it).
pub struct Asked {
    /// Tells this request apart (to forget it when the browser stops waiting).
    pub id: String,
    /// The page's origin: the accounts are bound to it when the user confirms.
    pub origin: Origin,
    reply: mpsc::Sender<Value>,
}

impl Asked {
    /// A request from the page at `origin`, and where its answer arrives.
    pub fn new(origin: Origin) -> (Self, mpsc::Receiver<Value>) {
        let (reply, answers) = mpsc::channel();
        let id = crate::state::token();
        (Self { id, origin, reply }, answers)
    }

    /// Answers the browser: `added` or an error reply (`otentik::browser::relay`).
    pub fn answer(self, reply: Value) {
        // The host may have stopped waiting; nothing to do then.
        let _ = self.reply.send(reply);
    }
}

/// A failure's code as the extension receives it (its `snake_case` name).
fn code_name(failure: &Failure) -> String {
    serde_json::to_value(failure.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "internal".into())
}

/// Listens for the browser's adds to the vault in `data_dir`, for as long as the app runs.
/// Without a socket (another app on the same vault, a folder that cannot be written) the app
/// runs on and the browser is told the app is not running.
pub fn start<R: Runtime>(app: &AppHandle<R>, data_dir: &std::path::Path) {
    start_waiting(app, data_dir, otentik::browser::relay::WAIT);
}

/// [`start`], holding each add for the user's answer up to `wait` (tests shorten it).
pub fn start_waiting<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &std::path::Path,
    wait: std::time::Duration,
) {
    #[cfg(unix)]
    {
        use otentik::browser::relay;
        let listener = match relay::Listener::bind(data_dir) {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "no adds from the browser");
                return;
            }
        };
        let app = app.clone();
        let waiting = Arc::new(AtomicUsize::new(0));
        let spawned = std::thread::Builder::new()
            .name("browser-adds".into())
            .spawn(move || {
                loop {
                    let connection = match listener.accept() {
                        Ok(connection) => connection,
                        Err(error) => {
                            tracing::warn!(%error, "a browser add could not be accepted");
                            std::thread::sleep(std::time::Duration::from_secs(1));
                            continue;
                        }
                    };
                    if waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
                        waiting.fetch_sub(1, Ordering::SeqCst);
                        let _ = connection.answer(&relay::refused(
                            "busy",
                            "Otentik already has several accounts from the browser waiting: answer those first",
                        ));
                        continue;
                    }
                    let (app, slot) = (app.clone(), Slot(waiting.clone()));
                    let served = std::thread::Builder::new()
                        .name("browser-add".into())
                        .spawn(move || {
                            let _slot = slot;
                            serve(&app, connection, wait);
                        });
                    if let Err(error) = served {
                        tracing::warn!(%error, "a browser add could not be served");
                    }
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "no adds from the browser");
        }
    }
    #[cfg(not(unix))]
    let _ = (app, data_dir, wait);
}

/// Serves one host connection: reads its request; for an add, holds the accounts for the
/// user and answers when the user has (or after `wait`); a query is answered at once.
#[cfg(unix)]
fn serve<R: Runtime>(
    app: &AppHandle<R>,
    mut connection: otentik::browser::relay::Asked,
    wait: std::time::Duration,
) {
    use otentik::browser::relay;
    let reply = match connection.request() {
        Err((code, message)) => relay::refused(&code, &message),
        Ok(relay::Request::Query(request)) => query(app, request),
        Ok(relay::Request::Add { origin, uri }) => {
            let state = app.state::<AppState>();
            let (asked, answers) = Asked::new(origin);
            let id = asked.id.clone();
            tracing::info!(origin = %asked.origin.as_str(), "an account from the browser waits for confirmation");
            let held = if state.is_locked() {
                // Read after the unlock, like a link: a locked app says nothing about its
                // accounts (not even whether this one is already there).
                state.defer(uri, Some(asked));
                Ok(())
            } else {
                capture::from_text(&uri)
                    .and_then(|parsed| state.hold_asked(parsed, asked))
                    .map(|pending| state.push_link(Ok(pending)))
            };
            match held {
                Err(failure) => relay::refused(&code_name(&failure), &failure.message),
                Ok(()) => {
                    let _ = app.emit(link::EVENT, ());
                    link::show(app);
                    let timeout = relay::refused(
                        "timeout",
                        "no answer in Otentik in time: press the button again and confirm in the Otentik window",
                    );
                    match answers.recv_timeout(wait) {
                        Ok(reply) => reply,
                        Err(mpsc::RecvTimeoutError::Timeout) if state.abandon_asked(&id) => timeout,
                        // The user is confirming it right now: the answer follows.
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            answers.recv_timeout(CONFIRMING).unwrap_or(timeout)
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => relay::refused(
                            "not_confirmed",
                            "Otentik put the account aside without adding it (it was locked, or newer accounts came in): press the button again",
                        ),
                    }
                }
            }
        }
    };
    if let Err(error) = connection.answer(&reply) {
        tracing::info!(%error, "the browser stopped waiting for its answer");
    }
}

/// The extension's `status`, `accounts` or `code` for a host whose vault is locked: answered
/// from the app's vault while it is unlocked, `vault_locked` otherwise (the host then answers
/// as a locked vault does).
#[cfg(unix)]
fn query<R: Runtime>(app: &AppHandle<R>, request: Value) -> Value {
    let state = app.state::<AppState>();
    let now = state.clock.now();
    state
        .with_vault(|vault| {
            Ok::<_, Failure>(otentik::browser::host::answer_open(vault, request, now))
        })
        .unwrap_or_else(|failure| {
            otentik::browser::relay::refused(&code_name(&failure), &failure.message)
        })
}
