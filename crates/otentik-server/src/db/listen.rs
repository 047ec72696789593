//! Wake-ups across server processes on PostgreSQL: one connection per process `LISTEN`s on
//! the channel `otentik` and sends this process's publications with `pg_notify`; every
//! notification from another process (a JSON notice: the sending process and topics such as
//! `user:<id>`) wakes the local waiters of those topics through the [`Hub`]. Changes made in
//! a transaction notify from inside it instead ([`crate::db::Conn::notify`]): PostgreSQL
//! delivers at commit, one round trip sooner and never for a rollback.
//!
//! After each (re)connection, and only once `LISTEN` is in force, every local waiter is woken
//! so that it re-reads the database: notifications sent while the connection was down are
//! lost by PostgreSQL, the re-read finds what they announced. Topics this process publishes
//! while the connection is down wait in a queue and go out after it is back.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;
use tokio_postgres::types::Type;

use crate::hub::Hub;

/// The channel every process listens on.
pub(crate) const CHANNEL: &str = "otentik";

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How often the listening connection proves it is alive (a connection cut without a reset,
/// by a failover or a firewall, would otherwise look up for hours), and how long the proof
/// may take.
const HEARTBEAT: Duration = Duration::from_secs(15);
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(5);

/// Starts the listening connection of this process; the hub's publications go out through
/// it from now on. It runs as long as the runtime does: during a graceful shutdown, what the
/// requests that finish publish still goes out ([`Hub::flush`] waits for it).
pub fn start(url: String, hub: Arc<Hub>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    hub.set_remote(sender);
    tokio::spawn(run(url, hub, receiver));
}

async fn run(url: String, hub: Arc<Hub>, mut outgoing: mpsc::UnboundedReceiver<String>) {
    const FIRST_BACKOFF: Duration = Duration::from_millis(50);
    let mut backoff = FIRST_BACKOFF;
    // A topic that failed to go out: sent first after reconnecting.
    let mut unsent: Option<String> = None;
    loop {
        let started = tokio::time::Instant::now();
        match session(&url, &hub, &mut outgoing, &mut unsent).await {
            Ok(()) => return,
            Err(error) => {
                hub.set_listening(false);
                tracing::warn!(%error, "the PostgreSQL listening connection failed; reconnecting");
            }
        }
        // A connection that lived a while starts the back-off again.
        if started.elapsed() > HEARTBEAT {
            backoff = FIRST_BACKOFF;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection's life: `Ok` when nothing can publish any more (the hub is gone), `Err`
/// when the connection failed.
async fn session(
    url: &str,
    hub: &Hub,
    outgoing: &mut mpsc::UnboundedReceiver<String>,
    unsent: &mut Option<String>,
) -> Result<(), String> {
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let (notified, mut notifications) = mpsc::unbounded_channel::<String>();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if notified.send(n.payload().to_owned()).is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                // Terminal: the connection is gone.
                Some(Err(_)) | None => return,
            }
        }
    });
    let result = async {
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(|e| e.to_string())?;
        // Prepared once per connection: a publication is then one round trip.
        let notify = client
            .prepare_typed("SELECT pg_notify($1, $2)", &[Type::TEXT, Type::TEXT])
            .await
            .map_err(|e| e.to_string())?;
        hub.set_listening(true);
        // Whatever was announced while no connection listened: every waiter re-reads.
        hub.wake_all();
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        loop {
            if let Some(topic) = unsent.take() {
                let payload = hub.notice(std::slice::from_ref(&topic));
                if let Err(error) = client.execute(&notify, &[&CHANNEL, &payload]).await {
                    *unsent = Some(topic);
                    return Err(error.to_string());
                }
                hub.sent_remote();
                continue;
            }
            tokio::select! {
                topic = outgoing.recv() => match topic {
                    Some(topic) => *unsent = Some(topic),
                    None => return Ok(()),
                },
                notification = notifications.recv() => match notification {
                    // Our own publications were delivered locally already.
                    Some(payload) => hub.receive(&payload),
                    None => return Err("the connection closed".into()),
                },
                _ = heartbeat.tick() => {
                    match tokio::time::timeout(HEARTBEAT_TIMEOUT, client.simple_query("SELECT 1")).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(error)) => return Err(error.to_string()),
                        Err(_) => return Err("the connection did not answer its heartbeat".into()),
                    }
                }
            }
        }
    }
    .await;
    driver.abort();
    result
}
