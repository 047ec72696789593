//! The background poller: one long-poll per push server for all of its devices, verified
//! requests handed to whoever listens, exponential backoff with jitter when the server is
//! away (cut short by a cheap TCP probe every 2 s, so polling resumes as soon as the network
//! or the server is back), an immediate retry on [`PollerHandle::wake`], and a clean stop.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use super::accounts::{DeviceKeys, PendingRequest};
use super::client::{POLL_WAIT_SECS, PushClient};
use super::clock::{self, Clock};
use super::transport::ServerUrl;
use crate::error::Error;

/// What the poller reports.
#[derive(Debug, Clone)]
pub enum PushEvent {
    /// A new login request (each is reported once).
    Request(Box<PendingRequest>),
    /// The site disabled or reset TOTP for this account.
    Revoked {
        /// Vault account id.
        account_id: String,
    },
    /// The server stopped answering (reported once per outage).
    Unreachable {
        /// Server host.
        server: String,
        /// Why, for display.
        message: String,
    },
    /// The server answers again.
    Reachable {
        /// Server host.
        server: String,
    },
    /// The server's clock differs from ours by this many seconds (server minus device).
    ClockOffset {
        /// The accounts on that server.
        account_ids: Vec<String>,
        /// Seconds.
        offset: i64,
    },
    /// A challenge failed verification and was dropped.
    Rejected {
        /// Why.
        message: String,
    },
}

/// Backoff after errors: 1 s doubling to 30 s, each with up to 50 % random jitter.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How often a server that stopped answering is probed (a TCP connect) during backoff.
const PROBE_EVERY: Duration = Duration::from_secs(2);
/// While only already-reported requests are pending, the server answers every poll at once:
/// poll at this pace until they are answered or expire.
const KNOWN_PENDING_PACE: Duration = Duration::from_millis(750);

/// An empty answer faster than this to a long poll is "at once"; after this many in a row,
/// polls are paced as above.
const QUICK_ANSWER: Duration = Duration::from_millis(100);
const QUICK_EMPTY_LIMIT: u32 = 3;

/// Controls a running poller.
pub struct PollerHandle {
    stop: watch::Sender<bool>,
    wake: Arc<Notify>,
    tasks: Vec<JoinHandle<()>>,
}

impl PollerHandle {
    /// Retries at once (call it when the network comes back).
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Stops every poll and waits for the tasks to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Starts one polling task per server on the current tokio runtime.
pub fn spawn(
    client: PushClient,
    servers: Vec<(ServerUrl, Vec<DeviceKeys>)>,
    clock: Arc<dyn Clock>,
    events: mpsc::UnboundedSender<PushEvent>,
) -> PollerHandle {
    let (stop, stopped) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let tasks = servers
        .into_iter()
        .map(|(server, devices)| {
            let task = ServerPoll {
                client: client.clone(),
                server,
                devices,
                clock: clock.clone(),
                events: events.clone(),
                stopped: stopped.clone(),
                wake: wake.clone(),
            };
            tokio::spawn(task.run())
        })
        .collect();
    PollerHandle { stop, wake, tasks }
}

struct ServerPoll {
    client: PushClient,
    server: ServerUrl,
    devices: Vec<DeviceKeys>,
    clock: Arc<dyn Clock>,
    events: mpsc::UnboundedSender<PushEvent>,
    stopped: watch::Receiver<bool>,
    wake: Arc<Notify>,
}

impl ServerPoll {
    async fn run(mut self) {
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut backoff = BACKOFF_FIRST;
        let mut unreachable = false;
        let mut last_offset: Option<i64> = None;
        let mut quick_empty = 0_u32;
        while !self.devices.is_empty() && !*self.stopped.borrow() {
            let now = self.clock.now();
            let handles: Vec<_> = self.devices.iter().map(DeviceKeys::device).collect();
            // After an outage, the first poll returns at once: a long poll would report the
            // server back only when it ends, up to POLL_WAIT_SECS later.
            let wait = if unreachable { 0 } else { POLL_WAIT_SECS };
            let learned = last_offset.or_else(|| self.devices.first().map(|d| d.clock_offset));
            let poll = self.client.poll(&self.server, &handles, wait, now, learned);
            let asked = tokio::time::Instant::now();
            let result = tokio::select! {
                result = poll => result,
                _ = self.stopped.changed() => break,
            };
            drop(handles);
            let pause = match result {
                Ok(polled) => {
                    backoff = BACKOFF_FIRST;
                    if std::mem::take(&mut unreachable) {
                        self.send(PushEvent::Reachable {
                            server: self.server.host(),
                        });
                    }
                    let offset = clock::offset(polled.server_time, self.clock.now());
                    if last_offset.is_none_or(|last| last.abs_diff(offset) > 2) {
                        last_offset = Some(offset);
                        let account_ids =
                            self.devices.iter().map(|d| d.account_id.clone()).collect();
                        self.send(PushEvent::ClockOffset {
                            account_ids,
                            offset,
                        });
                    }
                    for message in polled.rejected {
                        self.send(PushEvent::Rejected { message });
                    }
                    if !polled.revoked.is_empty() {
                        self.confirm_and_revoke(&polled.revoked, now).await;
                    }
                    seen.retain(|_, expires_at| *expires_at > polled.server_time);
                    let mut fresh = false;
                    let known_pending = !polled.challenges.is_empty();
                    // A server that answers long polls at once with nothing (it ignores
                    // `wait`) must not make this loop spin.
                    quick_empty = if !known_pending && asked.elapsed() < QUICK_ANSWER {
                        quick_empty + 1
                    } else {
                        0
                    };
                    for challenge in polled.challenges {
                        if seen
                            .insert(challenge.id.clone(), challenge.expires_at)
                            .is_some()
                        {
                            continue;
                        }
                        fresh = true;
                        if let Some(device) = self
                            .devices
                            .iter()
                            .find(|d| d.device_id == challenge.device_id)
                        {
                            let request = PendingRequest {
                                account_id: device.account_id.clone(),
                                account_label: device.label.clone(),
                                challenge,
                            };
                            self.send(PushEvent::Request(Box::new(request)));
                        }
                    }
                    // Only requests already reported came back: the server answers such
                    // polls at once, so pace them. An empty answer (a request was answered
                    // elsewhere, or the wait ended) goes straight back to waiting, or the
                    // next login would wait for the pause.
                    ((known_pending && !fresh) || quick_empty >= QUICK_EMPTY_LIMIT)
                        .then_some(KNOWN_PENDING_PACE)
                }
                Err(Error::PushRevoked) => {
                    let all: Vec<String> =
                        self.devices.iter().map(|d| d.device_id.clone()).collect();
                    self.confirm_and_revoke(&all, now).await;
                    // Unconfirmed: do not hammer a server that answers 410 to every poll.
                    Some(backoff)
                }
                Err(error) => {
                    if !std::mem::replace(&mut unreachable, true) {
                        self.send(PushEvent::Unreachable {
                            server: self.server.host(),
                            message: error.to_string(),
                        });
                    }
                    let pause = jitter(backoff);
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    Some(pause)
                }
            };
            if let Some(pause) = pause {
                // While the server is away, a TCP probe every PROBE_EVERY ends the pause as
                // soon as it answers: polling resumes at once when the network returns.
                let probe = async {
                    if !unreachable {
                        return std::future::pending::<()>().await;
                    }
                    loop {
                        tokio::time::sleep(PROBE_EVERY).await;
                        if self.server.reachable(PROBE_EVERY).await {
                            return;
                        }
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = probe => backoff = BACKOFF_FIRST,
                    _ = self.wake.notified() => backoff = BACKOFF_FIRST,
                    _ = self.stopped.changed() => break,
                }
            }
        }
    }

    /// Asks the signed status of each of `device_ids` (which the server called revoked
    /// without a signature) and revokes only those it confirms; the rest are reported as
    /// rejected and kept.
    async fn confirm_and_revoke(&mut self, device_ids: &[String], now: u64) {
        let devices = std::mem::take(&mut self.devices);
        let listed: Vec<&DeviceKeys> = devices
            .iter()
            .filter(|d| device_ids.contains(&d.device_id))
            .collect();
        let (revoked, problems) =
            super::accounts::confirm_revoked(&self.client, &self.server, &listed, now).await;
        self.devices = devices;
        for problem in problems {
            self.send(PushEvent::Rejected {
                message: problem.to_string(),
            });
        }
        self.revoke(&revoked);
    }

    /// Reports revoked devices and stops polling for them.
    fn revoke(&mut self, device_ids: &[String]) {
        let (revoked, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.devices)
            .into_iter()
            .partition(|d| device_ids.contains(&d.device_id));
        self.devices = kept;
        for device in revoked {
            self.send(PushEvent::Revoked {
                account_id: device.account_id,
            });
        }
    }

    fn send(&self, event: PushEvent) {
        let _ = self.events.send(event);
    }
}

fn jitter(base: Duration) -> Duration {
    let factor = 1.0 + rand::random::<f64>() * 0.5;
    base.mul_f64(factor)
}
