//! The command line's CSV import: `volixta-service import-clients FILE`.
use super::{ImportOptions, RowAction, import_csv};
use crate::db::Db;
use std::collections::HashMap;

/// `volixta-service import-clients FILE`: the import with a progress bar and a printed report.
pub async fn import_file(
    db: &Db,
    path: &std::path::Path,
    dry_run: bool,
    mapping: &[String],
    verbose: bool,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mapping: HashMap<String, String> = mapping
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(f, h)| (f.trim().to_owned(), h.trim().to_owned()))
                .with_context(|| format!("--mapping {pair:?} is not field=Header"))
        })
        .collect::<anyhow::Result<_>>()?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{bar:40}] {pos}/{len} rows  {per_sec}  eta {eta}",
        )?
        .progress_chars("=> "),
    );
    let options = ImportOptions {
        dry_run,
        mapping: (!mapping.is_empty()).then_some(&mapping),
        actor: "cli".into(),
    };
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = import_csv(db, &data, &options, &progress)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    bar.finish_and_clear();
    for o in &report.outcomes {
        if verbose || o.action == RowAction::Skip {
            let action = serde_json::to_value(o.action).unwrap_or_default();
            let client = o
                .client_id
                .map(|id| format!(" client #{id}"))
                .unwrap_or_default();
            let reason = o
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            println!(
                "line {}: {}{client}{reason}",
                o.line,
                action.as_str().unwrap_or("")
            );
        }
    }
    println!(
        "{}{} rows: {} created, {} updated, {} unchanged, {} skipped",
        if dry_run {
            "dry run, nothing changed. "
        } else {
            ""
        },
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped
    );
    Ok(())
}
