//! The SQLite handle (issue 13, item 8): another process holding the database's write lock
//! must not stall requests that do not need it.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::harness::Server;

/// How long the other connection holds the write lock: the scenario of the issue ("holds
/// `BEGIN IMMEDIATE` for 3 s"), not a wait for something to happen.
const HELD: Duration = Duration::from_secs(3);

// Two workers, as on the 2-core machines the server runs on: with the old single connection
// (and database calls on the runtime's workers), the blocked logins below held the one
// connection, and the status calls waited for the lock to go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_lock_held_elsewhere_does_not_stall_status_calls() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let server = Server::launch(|_| {}, db.to_str().unwrap(), None).await;
    let device = server.enrolled_device("u").await;
    let _other = server.enrolled_device("v").await;

    // Another process takes the write lock and keeps it for HELD.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(Instant::now()).unwrap();
        std::thread::sleep(HELD);
        conn.execute_batch("COMMIT").unwrap();
    });
    let locked_at = locked_rx.recv().unwrap();
    // Writes that must wait for the lock are in flight meanwhile (one per worker).
    let writes: Vec<_> = ["u", "v"]
        .into_iter()
        .map(|user| {
            let (http, url) = (server.http.clone(), server.url.clone());
            tokio::spawn(async move {
                http.post(format!("{url}/rp/v1/logins"))
                    .bearer_auth(crate::harness::SITE_KEY)
                    .json(
                        &serde_json::json!({ "user_id": user, "ip": "1.2.3.4", "user_agent": "x" }),
                    )
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    // Status calls keep answering quickly while the lock is held.
    let mut calls = 0;
    while locked_at.elapsed() < HELD - Duration::from_millis(500) {
        let started = Instant::now();
        let (status, body) = device.status().await;
        let took = started.elapsed();
        assert_eq!(status, StatusCode::OK, "{body}");
        // Generous: an unstalled call takes a few milliseconds; a stalled one, seconds.
        assert!(
            took < Duration::from_millis(200),
            "status took {took:?} while another connection held the write lock"
        );
        calls += 1;
    }
    assert!(calls > 0);
    // Once the lock goes, the waiting writes complete.
    for write in writes {
        assert_eq!(write.await.unwrap(), StatusCode::CREATED);
    }
    holder.join().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_stuck_on_the_lock_ends_at_the_request_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let server = Server::launch(|c| c.request_timeout = 1, db.to_str().unwrap(), None).await;
    let _device = server.enrolled_device("u").await;
    // Another connection holds the write lock until the test lets go (no timed hold here).
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        let _ = release_rx.recv();
        conn.execute_batch("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    // A login must write: it waits on the lock (busy timeout 5 s) and the 1 s request timeout
    // ends it first with a 500 whose details stay in the log.
    let (status, body) = server.create_login("u").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("internal")),
        "{body}"
    );
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    // The lock gone, logins work again.
    let (status, body) = server.create_login("u").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
