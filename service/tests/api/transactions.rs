//! `Db::transaction`: a deadlock is retried in the database layer, invisibly to the caller.
use crate::helpers::*;
use mysql_async::prelude::Queryable;
use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU32, Ordering},
};
use tokio::sync::Barrier;
use volixta_service::db::{Db, DbError, Tx};

/// Locks `first`, waits (on its first attempt only) until the other transaction holds its own
/// first row, then locks `second`: two of these in opposite order deadlock once.
async fn cross(
    db: Db,
    first: u32,
    second: u32,
    barrier: Arc<Barrier>,
    attempts: Arc<AtomicU32>,
    saw_retryable: Arc<AtomicBool>,
) -> Result<(), DbError> {
    let db = &db;
    let mut tries = 0;
    db.transaction(|mut tx| {
        tries += 1;
        attempts.fetch_add(1, Ordering::SeqCst);
        let (barrier, saw) = (barrier.clone(), saw_retryable.clone());
        let wait = tries == 1;
        async move {
            let result = bump_both(&mut tx, db, first, second, wait.then_some(&barrier)).await;
            if result.as_ref().is_err_and(DbError::is_retryable) {
                saw.store(true, Ordering::SeqCst);
            }
            (tx, result)
        }
    })
    .await
}

async fn bump_both(
    tx: &mut Tx,
    db: &Db,
    first: u32,
    second: u32,
    barrier: Option<&Arc<Barrier>>,
) -> Result<(), DbError> {
    let bump = db.sql("UPDATE {p}deadlock_probe SET n = n + 1 WHERE id = ?");
    tx.exec_drop(&bump, (first,)).await?;
    if let Some(barrier) = barrier {
        barrier.wait().await;
    }
    tx.exec_drop(&bump, (second,)).await?;
    Ok(())
}

#[tokio::test]
async fn a_deadlock_victim_is_run_again_and_both_commit() {
    let app = TestApp::spawn().await;
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.query_drop(
        app.db.sql(
            "CREATE TABLE {p}deadlock_probe (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB",
        ),
    )
    .await
    .expect("table");
    conn.query_drop(
        app.db
            .sql("INSERT INTO {p}deadlock_probe VALUES (1, 0), (2, 0)"),
    )
    .await
    .expect("rows");
    let barrier = Arc::new(Barrier::new(2));
    let attempts = Arc::new(AtomicU32::new(0));
    let saw_retryable = Arc::new(AtomicBool::new(false));
    let one = tokio::spawn(cross(
        app.db.clone(),
        1,
        2,
        barrier.clone(),
        attempts.clone(),
        saw_retryable.clone(),
    ));
    let two = tokio::spawn(cross(
        app.db.clone(),
        2,
        1,
        barrier,
        attempts.clone(),
        saw_retryable.clone(),
    ));
    one.await.expect("task").expect("first transaction commits");
    two.await
        .expect("task")
        .expect("second transaction commits");
    assert!(
        saw_retryable.load(Ordering::SeqCst),
        "the server reported a deadlock, classified as retryable"
    );
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        3,
        "one of the two ran twice"
    );
    let ns: Vec<u32> = conn
        .query(app.db.sql("SELECT n FROM {p}deadlock_probe ORDER BY id"))
        .await
        .expect("select");
    assert_eq!(
        ns,
        vec![2, 2],
        "each transaction bumped each row exactly once"
    );
}
