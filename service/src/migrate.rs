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
    // On a cluster, DDL runs in total order and can abort a statement of this replica that
    // crossed it (1213); every step below is safe to run again, so such a step is tried again.
    let mut attempt: u64 = 1;
    let outcome = loop {
        let outcome = apply_all(db).await;
        match &outcome {
            Err(e) if attempt < 5 && lost_a_conflict(e) => {
                tracing::warn!(error = %e, attempt, "migrations met a conflict; running them again");
                tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                attempt += 1;
            }
            _ => break outcome,
        }
    };
    lock.release().await?;
    outcome
}

async fn apply_all(db: &Db) -> anyhow::Result<()> {
    apply(db).await?;
    crate::wallet::install_append_only_guard(db).await?;
    crate::rewards::install_append_only_guard(db).await?;
    crate::clients::install_count_triggers(db).await
}

fn lost_a_conflict(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<mysql_async::Error>()
            .is_some_and(crate::db::is_retryable)
    })
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
