//! Imports started from wp-admin: the uploaded file waits in the database between the steps
//! (column mapping, dry run, import), and a run happens in the background of the replica that
//! started it, writing its progress after each chunk so a screen polling any replica shows it.
use super::{
    ClientError, ClientResult, ImportOptions, ImportReport, domain::csv_io, import::read_csv,
    import_csv, repo,
};
use crate::db::{Db, Tx};
use serde::Serialize;
use std::collections::HashMap;

/// The largest file a browser uploads; larger ones go through `volixta-service import-clients`.
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// The first rows of a file shown beside its columns while mapping them.
const SAMPLE_ROWS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Uploaded, waiting for its columns to be mapped.
    Uploaded,
    Running,
    /// Its last run finished: `report` says how.
    Done,
    /// Its last run stopped on an error, or the process running it went away.
    Failed,
}

/// An uploaded file and its last run.
#[derive(Debug, Serialize)]
pub struct ImportJob {
    pub id: u64,
    pub actor: String,
    pub file_name: String,
    pub state: JobState,
    pub dry_run: bool,
    pub rows_total: u64,
    pub rows_done: u64,
    /// `field → column header` of the last run.
    pub mapping: HashMap<String, String>,
    pub report: Option<ImportReport>,
    pub error: Option<String>,
}

/// A file's columns as the mapping step shows them.
#[derive(Debug, Serialize)]
pub struct Preview {
    pub headers: Vec<String>,
    /// The field each column's header suggests.
    pub guessed: Vec<Option<&'static str>>,
    /// The first rows, cell by cell.
    pub samples: Vec<Vec<String>>,
    pub rows: usize,
}

/// The fields a column may be mapped to, in the order a form offers them.
pub fn import_fields() -> Vec<&'static str> {
    csv_io::Field::ALL.iter().map(|f| f.name()).collect()
}

/// Stores an uploaded file once it reads as CSV with a header line.
pub async fn upload_import(db: &Db, actor: &str, file_name: &str, csv: &[u8]) -> ClientResult<u64> {
    if csv.len() > MAX_UPLOAD_BYTES {
        return Err(ClientError::Invalid {
            field: "csv",
            message: format!(
                "the file may be at most {} MiB here; import larger files with the command line",
                MAX_UPLOAD_BYTES / 1024 / 1024
            ),
        });
    }
    read_csv(csv)?;
    let name: String = file_name.trim().chars().take(255).collect();
    let mut conn = db.pool.get_conn().await?;
    repo::purge_imports(&mut conn, db).await?;
    Ok(repo::insert_import(&mut conn, db, actor, &name, csv).await?)
}

pub async fn import_job(db: &Db, id: u64) -> ClientResult<ImportJob> {
    let mut conn = db.pool.get_conn().await?;
    let row = repo::find_import(&mut conn, db, id)
        .await?
        .ok_or(ClientError::ImportNotFound)?;
    let state = match row.state.as_str() {
        "running" if row.stale => JobState::Failed,
        "running" => JobState::Running,
        "done" => JobState::Done,
        "failed" => JobState::Failed,
        _ => JobState::Uploaded,
    };
    let error = match (state, row.stale) {
        (JobState::Failed, true) => Some("the run was interrupted; start it again".to_owned()),
        _ => row.error,
    };
    Ok(ImportJob {
        id: row.id,
        actor: row.actor,
        file_name: row.file_name,
        state,
        dry_run: row.dry_run,
        rows_total: row.rows_total,
        rows_done: row.rows_done,
        mapping: row
            .mapping
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default(),
        report: row.report.and_then(|r| serde_json::from_str(&r).ok()),
        error,
    })
}

async fn file(db: &Db, id: u64) -> ClientResult<Vec<u8>> {
    let mut conn = db.pool.get_conn().await?;
    repo::import_file(&mut conn, db, id)
        .await?
        .ok_or(ClientError::ImportNotFound)
}

/// The columns of an uploaded file, with the fields their headers suggest and a few rows.
pub async fn import_preview(db: &Db, id: u64) -> ClientResult<Preview> {
    let (headers, records) = read_csv(&file(db, id).await?)?;
    let samples = records
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .take(SAMPLE_ROWS)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    Ok(Preview {
        guessed: csv_io::guess(&headers)
            .into_iter()
            .map(|f| f.map(csv_io::Field::name))
            .collect(),
        headers,
        samples,
        rows: records.len(),
    })
}

/// Starts a run of an uploaded file with this mapping, in the caller's transaction (so a form
/// sent twice with one idempotency key starts it once). `ImportInProgress` while a run is on.
pub async fn start_import(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    mapping: &HashMap<String, String>,
    dry_run: bool,
) -> ClientResult<()> {
    let csv = repo::import_file(tx, db, id)
        .await?
        .ok_or(ClientError::ImportNotFound)?;
    let (headers, _) = read_csv(&csv)?;
    csv_io::Mapping::resolve(&headers, Some(mapping))?;
    let mapping = serde_json::to_string(mapping).map_err(anyhow::Error::from)?;
    if repo::start_import(tx, db, id, &mapping, dry_run).await? {
        Ok(())
    } else {
        Err(ClientError::ImportInProgress)
    }
}

/// Runs a started import to its end, writing progress as chunks finish; meant to be spawned
/// once `start_import` committed. Failures end up in the row, for the screen to show.
pub async fn run_import(db: Db, id: u64) {
    let outcome = run(&db, id).await;
    let (report, error) = match &outcome {
        Ok(report) => (serde_json::to_string(report).ok(), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut conn = match db.pool.get_conn().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::error!(import = id, error = %e, "cannot record the end of an import");
            return;
        }
    };
    if let Err(e) =
        repo::finish_import(&mut conn, &db, id, report.as_deref(), error.as_deref()).await
    {
        tracing::error!(import = id, error = %e, "cannot record the end of an import");
    }
}

async fn run(db: &Db, id: u64) -> ClientResult<ImportReport> {
    let job = import_job(db, id).await?;
    let csv = file(db, id).await?;
    let (sender, mut progress) = tokio::sync::watch::channel((0_u64, 0_u64));
    let report = async move {
        let options = ImportOptions {
            dry_run: job.dry_run,
            mapping: Some(&job.mapping),
            actor: job.actor.clone(),
        };
        let tell = move |done: u64, total: u64| {
            sender.send_replace((done, total));
        };
        import_csv(db, &csv, &options, &tell).await
        // `tell` and its sender go here, which ends the progress writer below.
    };
    let writer = async {
        while progress.changed().await.is_ok() {
            let (done, total) = *progress.borrow_and_update();
            let mut conn = db.pool.get_conn().await?;
            repo::import_progress(&mut conn, db, id, done, total).await?;
        }
        Ok::<(), ClientError>(())
    };
    let (report, written) = tokio::join!(report, writer);
    written?;
    report
}
