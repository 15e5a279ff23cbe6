//! The connection pool and the few helpers every repository shares.
use crate::config::Config;
use mysql_async::{Opts, OptsBuilder, Pool, PoolConstraints, PoolOpts, TxOpts};
use std::sync::Arc;

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
}

/// MariaDB's duplicate-key error (1062), which domains turn into their own conflict.
pub fn is_duplicate_key(error: &mysql_async::Error) -> bool {
    matches!(error, mysql_async::Error::Server(e) if e.code == 1062)
}

/// `DATETIME(6)` columns hold UTC instants.
pub fn to_utc(naive: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    naive.and_utc()
}
