//! The connection pool, the one place transactions are begun, committed and retried, and the
//! few helpers every repository shares.
mod error;
mod lock;
pub mod row;

pub use error::{DbError, is_retryable};
pub use lock::RowLock;

use crate::config::Config;
use mysql_async::prelude::Queryable;
use mysql_async::{Opts, OptsBuilder, Pool, PoolConstraints, PoolOpts, TxOpts};
use std::{future::Future, sync::Arc, time::Duration};

pub type Tx = mysql_async::Transaction<'static>;

/// The pool plus the WordPress table prefix. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    prefix: Arc<str>,
}

pub fn is_valid_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.len() <= 32
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub async fn connect(config: &Config) -> anyhow::Result<Db> {
    let opts = Opts::from_url(&config.database_url)
        .map_err(|e| anyhow::anyhow!("VOLIXTA_DATABASE_URL is not a valid mysql:// URL: {e}"))?;
    // Instants are stored as UTC; the session zone makes NOW() and CURRENT_TIMESTAMP agree.
    let mut init = vec!["SET time_zone = '+00:00', NAMES utf8mb4 COLLATE utf8mb4_unicode_ci"];
    let first = pool(&opts, init.clone(), &config.table_prefix);
    // Fail at start with a clear message rather than at the first request.
    let mut conn =
        first.pool.get_conn().await.map_err(|e| {
            anyhow::anyhow!("cannot reach the database at VOLIXTA_DATABASE_URL: {e}")
        })?;
    // On a Galera node, a commit made through another node is certified everywhere before it
    // returns but may not be applied here yet: a client created through one replica and read
    // through the next would be missing. Reads wait until this node has applied what the
    // cluster committed before them (`wsrep_sync_wait = 1`: SELECT and BEGIN). Writes need no
    // wait: certification already decides their conflicts. A server without Galera has no
    // wsrep_on (MySQL) or has it OFF.
    let galera = conn
        .query_first::<String, _>("SELECT CAST(@@global.wsrep_on AS CHAR)")
        .await
        .ok()
        .flatten()
        .is_some_and(|on| on == "1" || on.eq_ignore_ascii_case("ON"));
    drop(conn);
    if !galera {
        return Ok(first);
    }
    first.pool.disconnect().await.ok();
    init.push("SET SESSION wsrep_sync_wait = 1");
    tracing::info!("the database is a Galera node: reads wait for the cluster's earlier commits");
    Ok(pool(&opts, init, &config.table_prefix))
}

fn pool(opts: &Opts, init: Vec<&str>, prefix: &str) -> Db {
    let constraints = PoolConstraints::new(2, 64).expect("2 <= 64");
    // Connections keep no other session state, so the per-checkout reset is skipped.
    let opts = OptsBuilder::from_opts(opts.clone()).init(init).pool_opts(
        PoolOpts::default()
            .with_constraints(constraints)
            .with_reset_connection(false),
    );
    Db::new(Pool::new(opts), prefix)
}

impl Db {
    pub fn new(pool: Pool, prefix: &str) -> Self {
        Self {
            pool,
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Replaces `{p}` with the table prefix, which `is_valid_prefix` guarantees is safe to splice.
    pub fn sql(&self, query: &str) -> String {
        query.replace("{p}", &self.prefix)
    }

    /// Private: a transaction that writes is begun only by `transaction`, which runs it again
    /// when it loses a lock conflict. Committed by hand, a certification failure on a cluster
    /// would reach the user as a 500.
    async fn begin(&self) -> Result<Tx, mysql_async::Error> {
        self.pool.start_transaction(TxOpts::default()).await
    }

    /// A read-only transaction on one consistent snapshot, for work that reads several times and
    /// must see one state of the data (a ledger audit, an import's dry run). It cannot write, so
    /// it has no conflict to lose and nothing to run again; roll it back (or drop it) when done.
    pub async fn snapshot(&self) -> Result<Tx, DbError> {
        let mut opts = TxOpts::default();
        opts.with_consistent_snapshot(true).with_readonly(true);
        Ok(self.pool.start_transaction(opts).await?)
    }

    /// Runs `work` in a transaction and commits what it returns `Ok` for; an `Err` rolls back
    /// (unless it says it `commits`).
    /// When the database gave up on the transaction for a lock conflict (deadlock, lock wait
    /// timeout, Galera certification at commit), everything is rolled back and `work` runs
    /// again from the start, a few times, after a short random pause so the two sides of a
    /// deadlock do not collide again in step. `work` must therefore do nothing outside the
    /// transaction that cannot be repeated.
    ///
    /// `work` takes the transaction and hands it back with its result:
    /// `|mut tx| async move { let r = domain_fn(&mut tx, …).await; (tx, r) }`. Lending
    /// `&mut Tx` to an async closure would read better, but today's compiler cannot prove such
    /// a closure's future `Send` (which every handler needs) once it captures a reference.
    pub async fn transaction<T, E, F, Fut>(&self, mut work: F) -> Result<T, E>
    where
        E: TxError,
        F: FnMut(Tx) -> Fut,
        Fut: Future<Output = (Tx, Result<T, E>)>,
    {
        let mut attempt = 1;
        loop {
            let tx = self.begin().await.map_err(db_err)?;
            let outcome = match work(tx).await {
                (tx, Ok(value)) => tx.commit().await.map(|()| value).map_err(db_err),
                (tx, Err(e)) if e.commits() => tx.commit().await.map_err(db_err).and(Err(e)),
                (tx, Err(e)) => {
                    // After a deadlock the server has already rolled back; after a lock wait
                    // timeout only the statement was, so the rest must be undone here.
                    if let Err(rollback) = tx.rollback().await {
                        tracing::warn!(error = %rollback, "rollback failed");
                    }
                    Err(e)
                }
            };
            match outcome {
                Err(e) if attempt < TRANSACTION_ATTEMPTS && e.is_retryable() => {
                    tracing::debug!(
                        attempt,
                        "transaction lost a lock conflict; running it again"
                    );
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

// On one server a conflict is rare and clears at once; on a multi-primary cluster every
// transaction that wrote a row another node wrote meanwhile loses at commit, and under a burst on
// one hot row (forty debits of one wallet) a transaction can lose several rounds in a row.
const TRANSACTION_ATTEMPTS: u32 = 10;

fn backoff(attempt: u32) -> Duration {
    let base = 5 * 2_u64.pow(attempt.min(6));
    Duration::from_millis(base + rand::random_range(0..=base))
}

fn db_err<E: From<DbError>>(e: mysql_async::Error) -> E {
    E::from(DbError::from(e))
}

/// What a transaction's work may fail with: every domain error can carry a `DbError` and say
/// whether that failure was a lock conflict that `Db::transaction` may retry.
pub trait TxError: From<DbError> {
    fn is_retryable(&self) -> bool;

    /// A refusal whose writes are kept: the transaction commits, and the caller still gets the
    /// error (a wrong gift code counts as a try). Almost every refusal rolls back instead.
    fn commits(&self) -> bool {
        false
    }
}

impl TxError for DbError {
    fn is_retryable(&self) -> bool {
        DbError::is_retryable(self)
    }
}

/// Runs `query` once per row of `rows` in the caller's transaction, one statement execution
/// each. Not the driver's `exec_batch`: against MariaDB it sends the rows as one bulk execute,
/// and on a Galera node a transaction aborted by a conflicting replicated write while that bulk
/// execute ran was answered OK, the bulk execute and then the COMMIT, with none of its writes
/// kept (a booking answered 201 that no node had). A plain execute reports the conflict as a
/// deadlock, and `Db::transaction` runs the work again.
///
/// The rows are turned into parameters before the returned future starts, so that it does not
/// hold the caller's iterator (whose closures would keep it from being `Send`).
pub fn exec_each<'a, P: Into<mysql_async::Params>>(
    tx: &'a mut Tx,
    query: &'a str,
    rows: impl IntoIterator<Item = P>,
) -> impl Future<Output = Result<(), mysql_async::Error>> + Send + 'a {
    let rows: Vec<mysql_async::Params> = rows.into_iter().map(Into::into).collect();
    async move {
        let statement = tx.prep(query).await?;
        for row in rows {
            tx.exec_drop(&statement, row).await?;
        }
        Ok(())
    }
}

/// `DATETIME(6)` columns hold UTC instants.
pub fn to_utc(naive: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    naive.and_utc()
}
