//! Named locks that hold on a multi-primary cluster: a lock is a written row, not `GET_LOCK`.
//! A named lock is local to one node of a Galera cluster, while a row inserted on one node
//! conflicts with the same row inserted on another (the later commit fails certification, or
//! meets the row as a duplicate key). The row carries a lease its holder renews while it works,
//! so a process killed while holding it blocks the next one only until the lease ends.
use super::{Db, is_retryable};
use mysql_async::prelude::Queryable;
use std::time::{Duration, Instant};

const LEASE_SECONDS: u64 = 30;

pub struct RowLock {
    db: Db,
    name: String,
    holder: String,
    renewing: tokio::task::JoinHandle<()>,
}

impl RowLock {
    /// The locks' table. Made outside the migrations because the migrations themselves run
    /// under a lock; on a cluster, DDL runs in the same order on every node, so replicas
    /// starting together may all ask for it.
    pub async fn create_table(db: &Db) -> Result<(), mysql_async::Error> {
        let mut conn = db.pool.get_conn().await?;
        conn.query_drop(db.sql(
            "CREATE TABLE IF NOT EXISTS {p}volixta_locks (
                name VARCHAR(64) NOT NULL PRIMARY KEY,
                holder CHAR(32) NOT NULL,
                expires_at DATETIME(6) NOT NULL
            ) ENGINE=InnoDB",
        ))
        .await
    }

    /// Takes the lock `name`, waiting up to `wait_seconds` for its holder to let it go; `None`
    /// when it did not.
    pub async fn acquire(
        db: &Db,
        name: &str,
        wait_seconds: u64,
    ) -> Result<Option<Self>, mysql_async::Error> {
        let mut conn = db.pool.get_conn().await?;
        let holder = uuid::Uuid::new_v4().simple().to_string();
        let deadline = Instant::now() + Duration::from_secs(wait_seconds);
        let take = db.sql(&format!(
            "INSERT INTO {{p}}volixta_locks (name, holder, expires_at) \
             VALUES (?, ?, NOW(6) + INTERVAL {LEASE_SECONDS} SECOND)"
        ));
        loop {
            // A holder that stopped renewing (a killed process) loses the lock when its lease ends.
            conn.exec_drop(
                db.sql("DELETE FROM {p}volixta_locks WHERE name = ? AND expires_at < NOW(6)"),
                (name,),
            )
            .await
            .or_else(lost_a_race)?;
            match conn.exec_drop(&take, (name, &holder)).await {
                Ok(()) => break,
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => lost_a_race(e)?,
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let renewing = tokio::spawn(renew(db.clone(), name.to_owned(), holder.clone()));
        Ok(Some(Self {
            db: db.clone(),
            name: name.to_owned(),
            holder,
            renewing,
        }))
    }

    pub async fn release(self) -> Result<(), mysql_async::Error> {
        self.renewing.abort();
        let mut conn = self.db.pool.get_conn().await?;
        conn.exec_drop(
            self.db
                .sql("DELETE FROM {p}volixta_locks WHERE name = ? AND holder = ?"),
            (&self.name, &self.holder),
        )
        .await
    }
}

impl Drop for RowLock {
    /// A lock dropped without `release` (an error path) stops being renewed and ends with its lease.
    fn drop(&mut self) {
        self.renewing.abort();
    }
}

async fn renew(db: Db, name: String, holder: String) {
    let renew = db.sql(&format!(
        "UPDATE {{p}}volixta_locks SET expires_at = NOW(6) + INTERVAL {LEASE_SECONDS} SECOND \
         WHERE name = ? AND holder = ?"
    ));
    loop {
        tokio::time::sleep(Duration::from_secs(LEASE_SECONDS / 3)).await;
        match db.pool.get_conn().await {
            Ok(mut conn) => {
                if let Err(e) = conn.exec_drop(&renew, (&name, &holder)).await {
                    tracing::warn!(lock = %name, error = %e, "could not renew a lock's lease");
                }
            }
            Err(e) => tracing::warn!(lock = %name, error = %e, "could not renew a lock's lease"),
        }
    }
}

/// Another process inserted the row first (on this node, or on another and replicated here).
fn is_duplicate_key(e: &mysql_async::Error) -> bool {
    matches!(e, mysql_async::Error::Server(server) if server.code == 1062)
}

/// A statement that lost a conflict with another process taking or freeing the same row (a
/// deadlock, or a certification failure on a cluster) is simply tried again on the next round.
fn lost_a_race(e: mysql_async::Error) -> Result<(), mysql_async::Error> {
    if is_retryable(&e) { Ok(()) } else { Err(e) }
}
