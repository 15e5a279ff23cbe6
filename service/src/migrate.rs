//! Schema migrations: `migrations/V<n>__<what>.sql`, embedded at build time, `{prefix}`
//! replaced by the WordPress table prefix, applied by refinery.
use crate::db::{Db, RowLock};
use anyhow::Context;
use refinery_core::{Migration, Runner};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

const LOCK_WAIT_SECONDS: u64 = 120;

pub fn migrations(prefix: &str) -> anyhow::Result<Vec<Migration>> {
    embedded::EMBEDDED
        .iter()
        .map(|(name, sql)| {
            Migration::unapplied(name, &sql.replace("{prefix}", prefix))
                .with_context(|| format!("migration file {name}.sql is misnamed"))
        })
        .collect()
}

pub fn history_table(prefix: &str) -> String {
    format!("{prefix}volixta_schema_history")
}

/// Applies pending migrations exactly once even when several replicas start together, on one
/// server or on a multi-primary cluster: the replica that holds the migration lock applies them,
/// the others wait and then find nothing left to do.
pub async fn run(db: &Db) -> anyhow::Result<()> {
    RowLock::create_table(db).await?;
    let Some(lock) = RowLock::acquire(db, "migrate", LOCK_WAIT_SECONDS).await? else {
        anyhow::bail!(
            "another replica held the migration lock for {LOCK_WAIT_SECONDS} s; is one stuck? (the row 'migrate' in volixta_locks names its holder)"
        );
    };
    let mut outcome = apply(db).await;
    if outcome.is_ok() {
        outcome = crate::wallet::install_append_only_guard(db).await;
    }
    if outcome.is_ok() {
        outcome = crate::rewards::install_append_only_guard(db).await;
    }
    if outcome.is_ok() {
        outcome = crate::clients::install_count_triggers(db).await;
    }
    lock.release().await?;
    outcome
}

async fn apply(db: &Db) -> anyhow::Result<()> {
    let migrations = migrations(db.prefix())?;
    let mut runner = Runner::new(&migrations)
        .set_abort_divergent(true)
        .set_abort_missing(true);
    runner.set_migration_table_name(history_table(db.prefix()));
    let mut pool = db.pool.clone();
    let report = runner.run_async(&mut pool).await.map_err(explain)?;
    for migration in report.applied_migrations() {
        tracing::info!(%migration, "migration applied");
    }
    Ok(())
}

fn explain(error: refinery_core::Error) -> anyhow::Error {
    match error.kind() {
        refinery_core::error::Kind::DivergentVersion(applied, file) => anyhow::anyhow!(
            "migration {file} was edited after it was applied (the database recorded {applied} with another checksum); restore the file and add a new migration instead"
        ),
        refinery_core::error::Kind::MissingVersion(migration) => anyhow::anyhow!(
            "migration {migration} does not line up with the database: either the database recorded it and this build lacks the file (an older binary against a newer database?), or this build has it with a version below the newest applied one; migrations are only ever added above the newest"
        ),
        _ => anyhow::anyhow!("migrations failed: {error}"),
    }
}
