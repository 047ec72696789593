//! Wake-ups for long-polls: a waiter subscribes to a topic (`user:<id>`, `login:<id>`,
//! `enrollment:<id>`), re-reads the database, and sleeps until the topic is published.
//!
//! On SQLite the hub is all there is (one process). On PostgreSQL every publication also
//! goes to the other server processes through the database (`crate::db::listen`), and theirs
//! come back in through [`Hub::publish_local`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

/// Topic-keyed wake-ups plus a shutdown signal that ends every wait.
#[derive(Debug)]
pub struct Hub {
    topics: Mutex<HashMap<String, watch::Sender<u64>>>,
    subscriptions: std::sync::atomic::AtomicU64,
    shutdown: watch::Sender<bool>,
    /// Publications for the other processes (PostgreSQL), when there are others.
    remote: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<String>>,
    /// Whether wake-ups from other processes arrive now (the listening connection is up).
    listening: std::sync::atomic::AtomicBool,
    /// Publications queued for the other processes and not sent yet.
    unsent: std::sync::atomic::AtomicUsize,
    /// This process among the others: its notifications carry it, so that the listening
    /// connection skips those that come back (they woke the local waiters already).
    instance: String,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            topics: Mutex::new(HashMap::new()),
            subscriptions: Default::default(),
            shutdown: watch::channel(false).0,
            remote: std::sync::OnceLock::new(),
            listening: std::sync::atomic::AtomicBool::new(true),
            unsent: Default::default(),
            instance: crate::token::random("", 12),
        }
    }
}

/// A notification between server processes: who sent it and the topics it wakes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Notice<'a> {
    from: std::borrow::Cow<'a, str>,
    topics: Vec<std::borrow::Cow<'a, str>>,
}

impl Hub {
    /// A receiver that changes on the next [`Hub::publish`] of `topic`.
    pub fn subscribe(&self, topic: &str) -> watch::Receiver<u64> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        let count = self
            .subscriptions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if count % 4096 == 4095 {
            topics.retain(|_, sender| sender.receiver_count() > 0);
        }
        match topics.get(topic) {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = watch::channel(0);
                topics.insert(topic.to_owned(), sender);
                receiver
            }
        }
    }

    /// How many receivers of `topic` are alive: the long-polls waiting on it right now (tests
    /// wait on this instead of sleeping).
    pub fn waiters(&self, topic: &str) -> usize {
        let topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics
            .get(topic)
            .map_or(0, |sender| sender.receiver_count())
    }

    /// Wakes every waiter of `topic`, in this process and (PostgreSQL) in the others.
    pub fn publish(&self, topic: &str) {
        self.publish_local(topic);
        self.publish_remote(topic);
    }

    /// Wakes the waiters of `topic` in the other processes (PostgreSQL) only, through the
    /// listening connection's queue.
    pub fn publish_remote(&self, topic: &str) {
        if let Some(remote) = self.remote.get()
            && remote.send(topic.to_owned()).is_ok()
        {
            self.unsent
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Wakes every waiter of `topic` in this process only (a wake-up from another one).
    pub fn publish_local(&self, topic: &str) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = topics.get(topic) {
            if sender.receiver_count() == 0 {
                topics.remove(topic);
            } else {
                sender.send_modify(|v| *v = v.wrapping_add(1));
            }
        }
    }

    /// Wakes this process's waiters of each of `topics` (after the transaction that changed
    /// them committed; the other processes were told by [`crate::db::Conn::notify`]).
    pub fn publish_local_all(&self, topics: &[String]) {
        for topic in topics {
            self.publish_local(topic);
        }
    }

    /// The payload of a notification of `topics` to the other processes.
    pub(crate) fn notice(&self, topics: &[String]) -> String {
        let notice = Notice {
            from: self.instance.as_str().into(),
            topics: topics.iter().map(|t| t.as_str().into()).collect(),
        };
        serde_json::to_string(&notice).unwrap_or_default()
    }

    /// Wakes the local waiters of a notification's topics, unless this process sent it. A
    /// bare topic (what the previous version sent) wakes that topic; other JSON is ignored.
    pub(crate) fn receive(&self, payload: &str) {
        match serde_json::from_str::<Notice<'_>>(payload) {
            Ok(notice) if notice.from == self.instance => {}
            Ok(notice) => {
                for topic in &notice.topics {
                    self.publish_local(topic);
                }
            }
            // A process of the version before notices sent the bare topic: still woken (a
            // rolling upgrade keeps its wake-ups; a stray wake-up only costs a re-read).
            Err(_) if !payload.starts_with('{') => self.publish_local(payload),
            Err(_) => tracing::warn!("ignored a notification that no server process sent"),
        }
    }

    /// Wakes every waiter of every topic, so each re-reads the database (after the listening
    /// connection was down: what was announced meanwhile is lost).
    pub fn wake_all(&self) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics.retain(|_, sender| sender.receiver_count() > 0);
        for sender in topics.values() {
            sender.send_modify(|v| *v = v.wrapping_add(1));
        }
    }

    /// Sends this process's publications to the other processes through `remote` from now on.
    pub(crate) fn set_remote(&self, remote: tokio::sync::mpsc::UnboundedSender<String>) {
        let _ = self.remote.set(remote);
        self.set_listening(false);
    }

    /// Counts one queued publication as sent to the other processes.
    pub(crate) fn sent_remote(&self) {
        let _ = self.unsent.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |n| n.checked_sub(1),
        );
    }

    /// Waits (up to `limit`) until every publication queued for the other processes has gone
    /// out: the end of a graceful shutdown, so that what the last requests published still
    /// wakes devices polling elsewhere.
    pub async fn flush(&self, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.unsent.load(std::sync::atomic::Ordering::SeqCst) > 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Records whether wake-ups from other processes arrive now.
    pub(crate) fn set_listening(&self, listening: bool) {
        self.listening
            .store(listening, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether wake-ups from the other processes arrive now (always on SQLite); `/readyz`
    /// answers 503 while they do not.
    pub fn is_listening(&self) -> bool {
        self.listening.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Ends all current and future waits (graceful shutdown).
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Whether [`Hub::shut_down`] was called.
    pub fn is_shut_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Sleeps until any of `receivers` changes, `timeout` passes or the server shuts down.
    /// Returns false on timeout or shutdown.
    pub async fn wait_any(&self, receivers: Vec<watch::Receiver<u64>>, timeout: Duration) -> bool {
        let mut shutdown = self.shutdown.subscribe();
        if *shutdown.borrow_and_update() {
            return false;
        }
        let changed = async move {
            let mut receivers = receivers;
            if receivers.len() == 1
                && let Some(mut only) = receivers.pop()
            {
                return only.changed().await.is_ok();
            }
            let mut set = tokio::task::JoinSet::new();
            for mut receiver in receivers {
                set.spawn(async move { receiver.changed().await.is_ok() });
            }
            matches!(set.join_next().await, Some(Ok(true)))
        };
        tokio::select! {
            woke = changed => woke,
            _ = tokio::time::sleep(timeout) => false,
            _ = shutdown.changed() => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_notice_from_another_process_wakes_its_topics_and_our_own_is_skipped() {
        let (here, there) = (Hub::default(), Hub::default());
        let mut user = here.subscribe("user:a");
        let mut login = here.subscribe("login:1");
        let other = here.subscribe("user:b");
        let notice = there.notice(&["user:a".into(), "login:1".into()]);
        assert!(!notice.contains(&here.instance), "{notice}");

        // Our own notice coming back through the database wakes nobody (done locally).
        here.receive(&here.notice(&["user:a".into()]));
        assert!(!user.has_changed().unwrap());

        here.receive(&notice);
        assert!(user.has_changed().unwrap());
        assert!(login.has_changed().unwrap());
        assert!(!other.has_changed().unwrap());
        user.mark_unchanged();

        // JSON that is not a notice: ignored, nothing woken.
        here.receive(r#"{"from": 1}"#);
        assert!(!user.has_changed().unwrap());
        assert!(!other.has_changed().unwrap());
        login.mark_unchanged();

        // A bare topic from a process of the previous version (a rolling upgrade): woken.
        here.receive("user:b");
        assert!(other.has_changed().unwrap());
        assert!(!user.has_changed().unwrap());
    }
}
