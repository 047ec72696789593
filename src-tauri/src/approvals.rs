//! Login approvals in the app: the core's push poller running in the background, the queue of
//! login requests waiting for the user, which servers are away, and the I/O of answering,
//! enrolling and unregistering.
//!
//! Push I/O runs on a small runtime of its own. Commands are synchronous (they run on Tauri's
//! pool and hold the vault's lock), so each network call is made from a scoped thread that
//! blocks on that runtime: no async lock, no runtime nested in another.
//!
//! The poller's events go to a *host* installed at start-up ([`crate::background::start`]): a function
//! that reaches the app (vault, UI events, notification, tray). Without a host (command tests
//! that never start the app) nothing polls.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use otentik::push::accounts::DeviceKeys;
use otentik::push::{PendingRequest, PollerHandle, PushClient, PushEvent, ServerUrl, poller};
use tokio::sync::mpsc;

use crate::failure::{AppCode, CommandResult, Failure};
use crate::state::lock;

/// Receives every poller event (see [`crate::background::start`]).
pub type Host = Arc<dyn Fn(PushEvent) + Send + Sync>;

/// Told how many requests wait whenever a request leaves the queue (answered, expired, its
/// account removed or revoked), so the tray follows without waiting for the next poll.
pub type Changed = Arc<dyn Fn(usize) + Send + Sync>;

/// At most this many requests wait; older ones are dropped (a server limits them anyway).
const MAX_QUEUED: usize = 32;

/// Background push state shared by the commands and the poller's event thread.
pub struct Approvals {
    runtime: Option<tokio::runtime::Runtime>,
    client: Result<PushClient, Failure>,
    host: Mutex<Option<Host>>,
    changed: Mutex<Option<Changed>>,
    poller: Mutex<Option<PollerHandle>>,
    queue: Mutex<Vec<PendingRequest>>,
    unreachable: Mutex<BTreeMap<String, String>>,
    language: Mutex<Language>,
}

/// The UI's language, which notifications speak too.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Bahasa Indonesia, the first language.
    #[default]
    Id,
    /// English.
    En,
}

impl Approvals {
    /// Idle: no host, no poller.
    pub fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("otentik-push")
            .enable_all()
            .build()
            .ok();
        let client = PushClient::new().map_err(Failure::from);
        Self {
            runtime,
            client,
            host: Mutex::new(None),
            changed: Mutex::new(None),
            poller: Mutex::new(None),
            queue: Mutex::new(Vec::new()),
            unreachable: Mutex::new(BTreeMap::new()),
            language: Mutex::new(Language::Id),
        }
    }

    /// The push client, or why there is none.
    pub fn client(&self) -> CommandResult<&PushClient> {
        self.client.as_ref().map_err(Clone::clone)
    }

    /// Runs `work` to completion on the push runtime, from any thread (a command's, or one
    /// inside another runtime).
    pub fn block_on<F>(&self, work: F) -> CommandResult<F::Output>
    where
        F: Future + Send,
        F::Output: Send,
    {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| Failure::new(AppCode::Internal, "the push runtime did not start"))?;
        std::thread::scope(|scope| {
            scope
                .spawn(|| runtime.block_on(work))
                .join()
                .map_err(|_| Failure::new(AppCode::Internal, "a push task failed badly"))
        })
    }

    /// Installs the function that receives the poller's events.
    pub fn set_host(&self, host: Host) {
        if let Ok(mut slot) = self.host.lock() {
            *slot = Some(host);
        }
    }

    /// Installs the function told when requests leave the queue.
    pub fn on_change(&self, changed: Changed) {
        if let Ok(mut slot) = self.changed.lock() {
            *slot = Some(changed);
        }
    }

    /// Tells the [`Changed`] function, outside every lock of this struct.
    fn changed(&self) {
        let changed = self.changed.lock().ok().and_then(|slot| slot.clone());
        if let Some(changed) = changed {
            changed(self.waiting(None));
        }
    }

    /// (Re)starts polling `servers`; the previous poller stops. Without a host, does nothing.
    pub fn restart(
        &self,
        servers: Vec<(ServerUrl, Vec<DeviceKeys>)>,
        clock: Arc<dyn otentik::push::Clock>,
    ) -> CommandResult<()> {
        let Some(host) = lock(&self.host)?.clone() else {
            return Ok(());
        };
        let (Some(runtime), Ok(client)) = (self.runtime.as_ref(), self.client.as_ref()) else {
            return Ok(());
        };
        let mut slot = lock(&self.poller)?;
        if let Some(previous) = slot.take() {
            runtime.spawn(previous.stop());
        }
        // Servers no longer polled cannot be "away".
        let hosts: Vec<String> = servers.iter().map(|(s, _)| s.host()).collect();
        lock(&self.unreachable)?.retain(|server, _| hosts.contains(server));
        if servers.is_empty() {
            return Ok(());
        }
        let (sender, mut events) = mpsc::unbounded_channel();
        let handle = {
            let _inside = runtime.enter();
            poller::spawn(client.clone(), servers, clock, sender)
        };
        *slot = Some(handle);
        std::thread::Builder::new()
            .name("otentik-push-events".into())
            .spawn(move || {
                // Ends when the poller stops (its sender is dropped).
                while let Some(event) = events.blocking_recv() {
                    host(event);
                }
            })
            .map_err(|e| Failure::new(AppCode::Internal, format!("cannot start: {e}")))?;
        Ok(())
    }

    /// Stops polling (the app locked: the poller holds the device keys; it starts again with
    /// the poll-only keys). The queue stays: a request cannot be answered before the unlock,
    /// and is not announced twice.
    pub fn stop(&self) {
        if let (Ok(mut slot), Some(runtime)) = (self.poller.lock(), self.runtime.as_ref())
            && let Some(previous) = slot.take()
        {
            runtime.spawn(previous.stop());
        }
    }

    /// Ends the poller's pause (it paces itself while a request it reported is pending): call
    /// it after an answer, so the next login is fetched at once.
    pub fn wake(&self) {
        if let Ok(slot) = self.poller.lock()
            && let Some(poller) = slot.as_ref()
        {
            poller.wake();
        }
    }

    /// Queues a request; `false` when it was already queued (the poller restarted).
    pub fn enqueue(&self, request: PendingRequest) -> bool {
        let Ok(mut queue) = self.queue.lock() else {
            return false;
        };
        if queue.iter().any(|r| r.challenge.id == request.challenge.id) {
            return false;
        }
        queue.push(request);
        queue.sort_by_key(|r| std::cmp::Reverse(r.challenge.created_at));
        queue.truncate(MAX_QUEUED);
        true
    }

    /// The queued requests, newest first.
    pub fn queued(&self) -> Vec<PendingRequest> {
        self.queue
            .lock()
            .map(|queue| queue.clone())
            .unwrap_or_default()
    }

    /// Drops the request `id` (answered or gone).
    pub fn forget(&self, id: &str) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.retain(|r| r.challenge.id != id);
        }
        self.changed();
    }

    /// Drops the requests `ids` (expired, or their account is gone); tells only when one left.
    pub fn forget_all(&self, ids: &[String]) {
        let dropped = self.queue.lock().is_ok_and(|mut queue| {
            let before = queue.len();
            queue.retain(|r| !ids.contains(&r.challenge.id));
            before != queue.len()
        });
        if dropped {
            self.changed();
        }
    }

    /// Drops every request of an account (revoked or removed).
    pub fn forget_account(&self, account_id: &str) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.retain(|r| r.account_id != account_id);
        }
        self.changed();
    }

    /// How many requests wait, in all and for `account_id`.
    pub fn waiting(&self, account_id: Option<&str>) -> usize {
        self.queue.lock().map_or(0, |queue| {
            queue
                .iter()
                .filter(|r| account_id.is_none_or(|id| r.account_id == id))
                .count()
        })
    }

    /// Records that `server` stopped answering (`Some(why)`) or answers again (`None`).
    pub fn set_unreachable(&self, server: &str, why: Option<String>) {
        if let Ok(mut map) = self.unreachable.lock() {
            match why {
                Some(why) => map.insert(server.to_owned(), why),
                None => map.remove(server),
            };
        }
    }

    /// Why `server` is away, if it is.
    pub fn unreachable(&self, server: &str) -> Option<String> {
        self.unreachable
            .lock()
            .ok()
            .and_then(|map| map.get(server).cloned())
    }

    /// The UI's language, for notifications.
    pub fn language(&self) -> Language {
        self.language.lock().map(|l| *l).unwrap_or_default()
    }

    /// Sets the UI's language.
    pub fn set_language(&self, language: Language) -> CommandResult<()> {
        *lock(&self.language)? = language;
        Ok(())
    }
}

impl Default for Approvals {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Approvals {
    fn drop(&mut self) {
        // Dropping a runtime inside another one panics; this never waits.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The name this device gives itself when it enrols.
pub fn device_name() -> String {
    otentik::push::accounts::device_name("Otentik")
}

/// The host part of a push URL, as the poller names servers.
pub fn server_host(url: &str) -> String {
    ServerUrl::parse(url).map_or_else(|_| url.to_owned(), |s| s.host())
}

#[cfg(test)]
mod tests {
    use super::*;
    use otentik::push::Challenge;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn request(id: &str, account: &str, created_at: u64) -> PendingRequest {
        PendingRequest {
            account_id: account.into(),
            account_label: format!("SPSE Demo: {account}"),
            challenge: Challenge {
                id: id.into(),
                nonce: "n".into(),
                device_id: "d".into(),
                site: "SPSE Demo".into(),
                account: account.into(),
                ip: "10.1.2.3".into(),
                user_agent: "Firefox".into(),
                created_at,
                expires_at: created_at + 60,
                numbers: None,
                number_entry: false,
                signature: String::new(),
            },
        }
    }

    #[test]
    fn the_queue_is_newest_first_without_duplicates_and_tells_when_requests_leave() {
        let approvals = Approvals::new();
        let told = Arc::new(Mutex::new(Vec::new()));
        let calls = Arc::new(AtomicUsize::new(0));
        let (sink, count) = (told.clone(), calls.clone());
        approvals.on_change(Arc::new(move |waiting| {
            count.fetch_add(1, Ordering::SeqCst);
            sink.lock().unwrap().push(waiting);
        }));
        assert!(approvals.enqueue(request("c1", "a1", 10)));
        assert!(approvals.enqueue(request("c2", "a2", 20)));
        assert!(approvals.enqueue(request("c3", "a1", 30)));
        assert!(!approvals.enqueue(request("c2", "a2", 20)), "queued twice");
        let ids: Vec<String> = approvals
            .queued()
            .iter()
            .map(|r| r.challenge.id.clone())
            .collect();
        assert_eq!(ids, ["c3", "c2", "c1"]);
        assert_eq!(approvals.waiting(Some("a1")), 2);
        // Adding, listing and dropping nothing tell nothing; leaving does.
        approvals.forget_all(&["nothing".to_owned()]);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        approvals.forget("c3");
        approvals.forget_all(&["c1".to_owned()]);
        approvals.forget_account("a2");
        assert_eq!(*told.lock().unwrap(), [2, 1, 0]);
    }

    #[test]
    fn the_language_is_id_unless_set_and_crosses_ipc_by_its_code() {
        let approvals = Approvals::new();
        assert_eq!(approvals.language(), Language::Id);
        approvals.set_language(Language::En).unwrap();
        assert_eq!(approvals.language(), Language::En);
        assert_eq!(serde_json::to_value(Language::En).unwrap(), "en");
        assert!(serde_json::from_value::<Language>(serde_json::json!("fr")).is_err());
    }
}
