//! The connection pool, the one place transactions are begun, committed and retried, and the
//! few helpers every repository shares.
mod error;
pub mod row;

pub use error::{DbError, is_retryable};

use crate::config::Config;
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
    let constraints = PoolConstraints::new(2, 64).expect("2 <= 64");
    // Instants are stored as UTC; the session zone makes NOW() and CURRENT_TIMESTAMP agree.
    // Connections keep no other session state, so the per-checkout reset is skipped.
    let opts = OptsBuilder::from_opts(opts)
        .init(vec![
            "SET time_zone = '+00:00', NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
        ])
        .pool_opts(
            PoolOpts::default()
                .with_constraints(constraints)
                .with_reset_connection(false),
        );
    let db = Db::new(Pool::new(opts), &config.table_prefix);
    // Fail at start with a clear message rather than at the first request.
    db.pool
        .get_conn()
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach the database at VOLIXTA_DATABASE_URL: {e}"))?;
    Ok(db)
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

    pub async fn begin(&self) -> Result<Tx, mysql_async::Error> {
        self.pool.start_transaction(TxOpts::default()).await
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

const TRANSACTION_ATTEMPTS: u32 = 4;

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

/// `DATETIME(6)` columns hold UTC instants.
pub fn to_utc(naive: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    naive.and_utc()
}
