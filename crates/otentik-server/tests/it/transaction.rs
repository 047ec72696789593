//! Transactions on both engines: statements deferred to the next round trip run in order,
//! a deferred statement that fails fails the transaction with nothing kept, and a rolled-back
//! transaction sends nothing it deferred.

use otentik_server::db::{Conn, Lock, Value};

use crate::harness::Server;

const INSERT: &str = "INSERT INTO code_failures (user_id, at) VALUES (?1, ?2)";

fn times(conn: &mut Conn<'_>, user: &str) -> Vec<u64> {
    conn.query(
        "SELECT at FROM code_failures WHERE user_id = ?1 ORDER BY at",
        &[Value::from(user)],
    )
    .unwrap()
    .iter()
    .map(|row| row.get(0).unwrap())
    .collect()
}

fn row(user: &str, at: u64) -> [Value; 2] {
    [Value::from(user), Value::from(at)]
}

#[tokio::test(flavor = "multi_thread")]
async fn deferred_statements_run_in_order_and_fail_the_transaction_they_belong_to() {
    let server = Server::start_with(|_| {}).await;
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = state.db().unwrap();

        // Deferred writes come before the read that follows them; a pipeline answers each
        // of its queries in order.
        let (seen, both) = conn
            .transaction(Lock::Key("a"), |tx| {
                tx.defer(INSERT, &row("a", 1))?;
                tx.defer(INSERT, &row("a", 2))?;
                let seen = times(tx, "a");
                tx.defer(INSERT, &row("a", 3))?;
                let both = tx.pipeline(&[
                    (
                        "SELECT COUNT(*) FROM code_failures WHERE user_id = ?1",
                        &[Value::from("a")],
                    ),
                    (
                        "SELECT MAX(at) FROM code_failures WHERE user_id = ?1",
                        &[Value::from("a")],
                    ),
                ])?;
                Ok(Ok((seen, both)))
            })
            .unwrap();
        assert_eq!(seen, vec![1, 2]);
        let counts: Vec<u64> = both.iter().map(|rows| rows[0].get(0).unwrap()).collect();
        assert_eq!(counts, vec![3, 3]);
        assert_eq!(times(&mut conn, "a"), vec![1, 2, 3]);

        // A deferred statement that fails (a second server key, against the table's CHECK)
        // fails the commit it rides with: nothing of the transaction is kept.
        let failed: Result<(), _> = conn.transaction(Lock::Key("b"), |tx| {
            tx.defer(INSERT, &row("b", 1))?;
            tx.defer(
                "INSERT INTO server_key (id, sealed) VALUES (2, ?1)",
                &[Value::Blob(vec![0])],
            )?;
            tx.defer(INSERT, &row("b", 2))?;
            Ok(Ok(()))
        });
        // SQLite runs a deferred statement at once, so the error comes from `defer` there:
        // the same outcome either way.
        assert!(failed.is_err());
        assert_eq!(times(&mut conn, "b"), Vec::<u64>::new());

        // A deferred statement that cannot even be sent (an argument too few) fails the
        // transaction before anything goes: the statement before it is not kept either.
        let unsent: Result<(), _> = conn.transaction(Lock::Key("d"), |tx| {
            tx.defer(INSERT, &row("d", 1))?;
            tx.defer(INSERT, &[Value::from("d")])?;
            Ok(Ok(()))
        });
        assert!(unsent.is_err());
        assert_eq!(times(&mut conn, "d"), Vec::<u64>::new());

        // A transaction that rolls back sends nothing it deferred, and the connection goes
        // on with a clean slate.
        let refused: Result<(), _> = conn.transaction(Lock::Rows, |tx| {
            tx.defer(INSERT, &row("c", 1))?;
            Err(otentik_server::Error::Internal("refused".into()))
        });
        assert!(refused.is_err());
        conn.transaction(Lock::Rows, |tx| {
            tx.defer(INSERT, &row("c", 2))?;
            Ok(Ok(()))
        })
        .unwrap();
        assert_eq!(times(&mut conn, "c"), vec![2]);
    })
    .await
    .unwrap();
}
