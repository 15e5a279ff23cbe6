//! The CSV import screen: upload, map the columns, dry run, import, with the run's progress as
//! the clients domain writes it. Which step shows follows from the uploaded file's state.
use super::super::profile::Notice;
use crate::{
    clients::{self, ImportJob, JobState, RowAction},
    db::Db,
    error::ApiResult,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Rows of a report listed on the screen; the counts cover the rest.
const REPORT_ROWS: usize = 200;

#[derive(Debug, Serialize)]
pub struct Column {
    /// The form field of its select: `column_<index>`.
    pub name: String,
    pub header: String,
    /// The field chosen for it, or empty.
    pub field: String,
    pub samples: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OutcomeView {
    pub line: u64,
    pub action: RowAction,
    pub client_id: Option<u64>,
    pub same_as_line: Option<u64>,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ReportView {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub outcomes: Vec<OutcomeView>,
    /// Rows left out of `outcomes`.
    pub more: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct ImportScreen {
    pub page: String,
    /// `upload`, `map`, `running`, `report` or `failed`.
    pub step: &'static str,
    pub import_id: Option<u64>,
    pub file_name: String,
    pub max_bytes: usize,
    pub max_mib: usize,
    pub rows: usize,
    pub columns: Vec<Column>,
    pub fields: Vec<&'static str>,
    /// The last run (or the one running) was a dry run.
    pub dry_run: bool,
    pub done: u64,
    pub total: u64,
    pub percent: u64,
    pub report: Option<ReportView>,
    pub error: Option<String>,
    /// Field → why it was refused.
    pub errors: BTreeMap<String, String>,
    pub notice: Option<Notice>,
    pub idempotency_key: String,
}

impl ImportScreen {
    pub fn upload(page: &str) -> Self {
        Self {
            page: page.to_owned(),
            step: "upload",
            max_bytes: clients::MAX_UPLOAD_BYTES,
            max_mib: clients::MAX_UPLOAD_BYTES / 1024 / 1024,
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            ..Self::default()
        }
    }
}

fn report_view(report: &clients::ImportReport) -> ReportView {
    ReportView {
        rows: report.rows,
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        skipped: report.skipped,
        outcomes: report
            .outcomes
            .iter()
            .take(REPORT_ROWS)
            .map(|o| OutcomeView {
                line: o.line,
                action: o.action,
                client_id: o.client_id,
                same_as_line: o.same_as_line,
                reason: o.reason.clone().unwrap_or_default(),
            })
            .collect(),
        more: report.outcomes.len().saturating_sub(REPORT_ROWS),
    }
}

/// The screen of an uploaded file; `chosen` is the mapping a refused form asked for.
pub async fn import_screen(
    db: &Db,
    page: &str,
    id: u64,
    chosen: Option<&HashMap<String, String>>,
) -> ApiResult<ImportScreen> {
    let job: ImportJob = clients::import_job(db, id).await?;
    let mut screen = ImportScreen::upload(page);
    screen.import_id = Some(job.id);
    screen.file_name.clone_from(&job.file_name);
    screen.dry_run = job.dry_run;
    screen.error.clone_from(&job.error);
    screen.step = match job.state {
        JobState::Uploaded => "map",
        JobState::Running => "running",
        JobState::Done => "report",
        JobState::Failed => "failed",
    };
    if job.state == JobState::Running {
        screen.done = job.rows_done;
        screen.total = job.rows_total;
        screen.percent = (job.rows_done * 100)
            .checked_div(job.rows_total)
            .unwrap_or(0)
            .min(100);
        return Ok(screen);
    }
    screen.report = job.report.as_ref().map(report_view);
    // The mapping form shows with a new file, after a dry run, and after a failure.
    if job.state != JobState::Done || job.dry_run {
        let preview = clients::import_preview(db, id).await?;
        let mapping = chosen.unwrap_or(&job.mapping);
        screen.rows = preview.rows;
        screen.fields = clients::import_fields();
        screen.columns = preview
            .headers
            .iter()
            .enumerate()
            .map(|(i, header)| Column {
                name: format!("column_{i}"),
                header: header.clone(),
                field: if mapping.is_empty() {
                    preview.guessed[i].unwrap_or_default().to_owned()
                } else {
                    mapping
                        .iter()
                        .find(|(_, h)| *h == header)
                        .map(|(f, _)| f.clone())
                        .unwrap_or_default()
                },
                samples: preview
                    .samples
                    .iter()
                    .map(|row| row.get(i).cloned().unwrap_or_default())
                    .collect(),
            })
            .collect();
    }
    Ok(screen)
}

/// `column_<i> → field` of the mapping form as the domain's `field → header`; a field chosen
/// for two columns is refused beside the second.
pub fn mapping_of(
    form: &HashMap<String, String>,
    headers: &[String],
) -> Result<HashMap<String, String>, (String, String)> {
    let mut mapping = HashMap::new();
    for (i, header) in headers.iter().enumerate() {
        let name = format!("column_{i}");
        let field = form.get(&name).map_or("", |f| f.trim());
        if field.is_empty() {
            continue;
        }
        if mapping.insert(field.to_owned(), header.clone()).is_some() {
            return Err((
                name,
                format!("{field} is already chosen for another column"),
            ));
        }
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_s_columns_become_the_domain_s_mapping() {
        let headers = vec!["Name".to_owned(), "Mail".to_owned(), "Notes".to_owned()];
        let form = HashMap::from([
            ("column_0".to_owned(), "full_name".to_owned()),
            ("column_1".to_owned(), "email".to_owned()),
            ("column_2".to_owned(), String::new()),
            ("dry_run".to_owned(), "1".to_owned()),
        ]);
        let mapping = mapping_of(&form, &headers).expect("a mapping");
        assert_eq!(mapping.len(), 2);
        assert_eq!(mapping["email"], "Mail");
        let twice = HashMap::from([
            ("column_0".to_owned(), "email".to_owned()),
            ("column_2".to_owned(), "email".to_owned()),
        ]);
        assert_eq!(
            mapping_of(&twice, &headers).expect_err("twice").0,
            "column_2"
        );
    }
}
