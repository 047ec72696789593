//! Wake-ups across server processes on PostgreSQL: one connection per process `LISTEN`s on
//! the channel `otentik` and sends this process's publications with `pg_notify`; every
//! notification (a topic such as `user:<id>`) from another process wakes the local waiters of
//! that topic through the [`Hub`].
//!
//! After each (re)connection, and only once `LISTEN` is in force, every local waiter is woken
//! so that it re-reads the database: notifications sent while the connection was down are
//! lost by PostgreSQL, the re-read finds what they announced. Topics this process publishes
//! while the connection is down wait in a queue and go out after it is back.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

use crate::hub::Hub;

/// The channel every process listens on.
const CHANNEL: &str = "otentik";

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Starts the listening connection of this process; the hub's publications go out through
/// it from now on. Ends when the hub shuts down.
pub fn start(url: String, hub: Arc<Hub>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    hub.set_remote(sender);
    tokio::spawn(run(url, hub, receiver));
}

async fn run(url: String, hub: Arc<Hub>, mut outgoing: mpsc::UnboundedReceiver<String>) {
    let mut backoff = Duration::from_millis(50);
    // A topic that failed to go out: sent first after reconnecting.
    let mut unsent: Option<String> = None;
    loop {
        if hub.is_shut_down() {
            return;
        }
        match session(&url, &hub, &mut outgoing, &mut unsent).await {
            Ok(()) => return,
            Err(error) => {
                hub.set_listening(false);
                tracing::warn!(%error, "the PostgreSQL listening connection failed; reconnecting");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection's life: `Ok` when the hub shut down, `Err` when the connection failed.
async fn session(
    url: &str,
    hub: &Hub,
    outgoing: &mut mpsc::UnboundedReceiver<String>,
    unsent: &mut Option<String>,
) -> Result<(), String> {
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let (notified, mut notifications) = mpsc::unbounded_channel::<(i32, String)>();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if notified
                        .send((n.process_id(), n.payload().to_owned()))
                        .is_err()
                    {
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
        let own: i32 = client
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        hub.set_listening(true);
        // Whatever was announced while no connection listened: every waiter re-reads.
        hub.wake_all();
        let mut shutdown = hub.shutdown_signal();
        loop {
            if let Some(topic) = unsent.take() {
                if let Err(error) = notify(&client, &topic).await {
                    *unsent = Some(topic);
                    return Err(error.to_string());
                }
                continue;
            }
            tokio::select! {
                topic = outgoing.recv() => match topic {
                    Some(topic) => *unsent = Some(topic),
                    None => return Ok(()),
                },
                notification = notifications.recv() => match notification {
                    // Our own publications were delivered locally already.
                    Some((pid, topic)) if pid != own => hub.publish_local(&topic),
                    Some(_) => {}
                    None => return Err("the connection closed".into()),
                },
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }
    .await;
    driver.abort();
    result
}

async fn notify(client: &tokio_postgres::Client, topic: &str) -> Result<(), tokio_postgres::Error> {
    client
        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &topic])
        .await?;
    Ok(())
}
