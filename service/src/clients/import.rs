//! CSV import: a column mapping, a dry run that says per row what would happen, and a real run
//! that skips invalid rows (with line and reason) and imports the rest. Rows match live clients
//! by e-mail, then phone, so importing the same file twice creates nobody twice. Rows are written
//! in chunks, each one transaction with a few multi-row statements; a chunk that loses a lock
//! conflict (a certification failure on a cluster) is run again alone, the chunks before it stay.
use super::{
    Client, ClientError, ClientInput, ClientResult, Email, Phone, Profile, domain::csv_io::Mapping,
    record, repo, room_left, today,
};
use crate::{
    audit,
    db::{Db, RowLock, Tx},
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

const CHUNK: usize = 2000;
const IMPORT_LOCK_WAIT_SECONDS: u64 = 300;
pub const MAX_ROWS: usize = 500_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
    Unchanged,
    Skip,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RowOutcome {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub action: RowAction,
    /// The matched or created client; absent for a dry run's new clients and for skipped rows.
    pub client_id: Option<u64>,
    /// An earlier line of the same file that the row matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as_line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    /// Every row, in file order.
    pub outcomes: Vec<RowOutcome>,
}

impl ImportReport {
    fn count(&mut self) {
        let n = |a| self.outcomes.iter().filter(|o| o.action == a).count() as u64;
        let (c, u, un, s) = (
            n(RowAction::Create),
            n(RowAction::Update),
            n(RowAction::Unchanged),
            n(RowAction::Skip),
        );
        self.rows = self.outcomes.len() as u64;
        (self.created, self.updated, self.unchanged, self.skipped) = (c, u, un, s);
    }
}

pub struct ImportOptions<'a> {
    pub dry_run: bool,
    /// `field → column header`; recognised headers when absent.
    pub mapping: Option<&'a HashMap<String, String>>,
    /// Recorded in the audit log as who imported.
    pub actor: String,
}

/// Whom a row is about: a live client, or the n-th client this file creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Target {
    Existing(u64),
    New(usize),
}

/// A row read and turned into an edit, with the keys it matches on.
struct Parsed {
    input: ClientInput,
    email: Option<String>,
    phone: Option<String>,
}

type Records = Vec<(u64, Result<csv::StringRecord, String>)>;

pub(super) fn read_csv(data: &[u8]) -> Result<(Vec<String>, Records), ClientError> {
    let bad = |message: String| ClientError::Invalid {
        field: "csv",
        message,
    };
    let first_line = data.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first_line.iter().filter(|b| **b == c).count();
    // Spreadsheets in many locales export with semicolons.
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(data);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("the header line is not readable: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(bad("the file is empty".into()));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        if rows.len() >= MAX_ROWS {
            return Err(bad(format!("at most {MAX_ROWS} rows per file")));
        }
        match record {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => {}
            Ok(r) => rows.push((r.position().map_or(0, csv::Position::line), Ok(r))),
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                rows.push((line, Err(format!("not readable as CSV: {e}"))));
            }
        }
    }
    Ok((headers, rows))
}

fn parse(mapping: &Mapping, record: &csv::StringRecord) -> Result<Parsed, String> {
    let input = mapping.row_input(record)?;
    let email = match &input.email {
        Some(Some(e)) => Some(
            Email::parse(e)
                .map_err(|e| e.to_string())?
                .as_str()
                .to_lowercase(),
        ),
        _ => None,
    };
    let phone = match &input.phone {
        Some(Some(p)) => Some(
            Phone::parse(p)
                .map_err(|e| format!("phone {p:?}: {e}"))?
                .as_str()
                .to_owned(),
        ),
        _ => None,
    };
    Ok(Parsed {
        input,
        email,
        phone,
    })
}

/// What the import knows across chunks.
struct State {
    by_email: HashMap<String, Target>,
    by_phone: HashMap<String, Target>,
    /// The line that created each new client, and its profile while it exists only in a dry run.
    new_lines: Vec<u64>,
    new_profiles: HashMap<usize, Profile>,
    /// New clients the client limit left out.
    over_limit: HashSet<usize>,
    /// Ids of the new clients once written.
    new_ids: HashMap<usize, u64>,
    /// Statuses by lowercase name, as first saved.
    statuses: HashMap<String, String>,
    /// A dry run's room under the client limit (a real run reads it under lock per chunk).
    dry_room: Option<u64>,
}

impl State {
    fn target(&mut self, line: u64, email: Option<&String>, phone: Option<&String>) -> Target {
        let found = email
            .and_then(|e| self.by_email.get(e))
            .or_else(|| phone.and_then(|p| self.by_phone.get(p)))
            .copied()
            .map(|t| match t {
                Target::New(k) => self.new_ids.get(&k).map_or(t, |id| Target::Existing(*id)),
                t @ Target::Existing(_) => t,
            });
        let target = found.unwrap_or_else(|| {
            self.new_lines.push(line);
            Target::New(self.new_lines.len() - 1)
        });
        // Later rows find this client by any of its keys.
        if let Some(e) = email {
            self.by_email.entry(e.clone()).or_insert(target);
        }
        if let Some(p) = phone {
            self.by_phone.entry(p.clone()).or_insert(target);
        }
        target
    }

    /// The status as first saved, by this chunk (`saved`) or an earlier one.
    fn canonical_status(&self, saved: &HashMap<String, String>, p: &mut Profile) {
        let key = p.status.to_lowercase();
        if let Some(name) = saved.get(&key).or_else(|| self.statuses.get(&key)) {
            p.status.clone_from(name);
        }
    }

    /// Takes in what a chunk learned, once its transaction committed (or, in a dry run, once
    /// it was planned).
    fn learn(&mut self, chunk: Learned) -> Vec<RowOutcome> {
        self.over_limit.extend(chunk.over_limit);
        self.statuses.extend(chunk.statuses);
        self.new_ids.extend(chunk.new_ids);
        self.new_profiles.extend(chunk.new_profiles);
        if let Some(room) = chunk.dry_room {
            self.dry_room = room;
        }
        chunk.outcomes
    }
}

/// What one chunk found out: its rows' outcomes and what later chunks must know. A chunk's
/// transaction only reads the `State`; what it learned is taken in after it committed, so a run
/// again after a lock conflict starts from the same state as the first.
#[derive(Default)]
struct Learned {
    outcomes: Vec<RowOutcome>,
    /// New clients the client limit left out.
    over_limit: HashSet<usize>,
    /// Statuses saved, by lowercase name.
    statuses: HashMap<String, String>,
    /// Ids of the new clients written.
    new_ids: HashMap<usize, u64>,
    /// A dry run's new clients and its room left under the client limit.
    new_profiles: HashMap<usize, Profile>,
    dry_room: Option<Option<u64>>,
}

/// Imports (or, in a dry run, plans) the rows of `data`. `progress(done, total)` is called after
/// each chunk.
pub async fn import_csv(
    db: &Db,
    data: &[u8],
    options: &ImportOptions<'_>,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> ClientResult<ImportReport> {
    let (headers, records) = read_csv(data)?;
    let mapping = Mapping::resolve(&headers, options.mapping)?;
    // Two imports at once (a double click, two replicas, two cluster nodes) would both miss the
    // rows the other is creating; a lock row makes the second one start after the first, and match.
    let lock = if options.dry_run {
        None
    } else {
        match RowLock::acquire(db, "client_import", IMPORT_LOCK_WAIT_SECONDS).await? {
            Some(lock) => Some(lock),
            None => return Err(ClientError::ImportRunning),
        }
    };
    let outcome = import_locked(db, records, &mapping, options, progress).await;
    if let Some(lock) = lock {
        lock.release().await?;
    }
    outcome
}

async fn import_locked(
    db: &Db,
    records: Records,
    mapping: &Mapping,
    options: &ImportOptions<'_>,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> ClientResult<ImportReport> {
    let mut conn = db.pool.get_conn().await?;
    let mut state = State {
        by_email: HashMap::new(),
        by_phone: HashMap::new(),
        new_lines: Vec::new(),
        new_profiles: HashMap::new(),
        over_limit: HashSet::new(),
        new_ids: HashMap::new(),
        dry_room: None,
        statuses: repo::status_names(&mut conn, db)
            .await?
            .into_iter()
            .map(|n| (n.to_lowercase(), n))
            .collect(),
    };
    for (id, email, phone) in repo::live_contacts(&mut conn, db).await? {
        if let Some(e) = email {
            state
                .by_email
                .entry(e.to_lowercase())
                .or_insert(Target::Existing(id));
        }
        if let Some(p) = phone {
            state.by_phone.entry(p).or_insert(Target::Existing(id));
        }
    }
    drop(conn);
    let total = records.len() as u64;
    let mut report = ImportReport {
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    // One read-only transaction for a dry run: it reads what the real run would lock, in one
    // snapshot, and writes nothing (so it has no conflict to lose).
    let mut dry_tx = if options.dry_run {
        let mut tx = db.snapshot().await?;
        state.dry_room = match crate::settings::load(db).await?.client_limit {
            Some(limit) => {
                Some(u64::from(limit).saturating_sub(repo::count_live(&mut tx, db).await?))
            }
            None => None,
        };
        Some(tx)
    } else {
        None
    };
    for chunk in records.chunks(CHUNK) {
        let parsed: Vec<(u64, Result<Parsed, String>)> = chunk
            .iter()
            .map(|(line, r)| {
                (
                    *line,
                    r.as_ref()
                        .map_err(Clone::clone)
                        .and_then(|r| parse(mapping, r)),
                )
            })
            .collect();
        // Whom each row is about depends on the file alone (and the ids of clients that earlier,
        // committed chunks created), so it is decided once, outside the chunk's transaction.
        let targets: Vec<Option<Target>> = parsed
            .iter()
            .map(|(line, p)| {
                p.as_ref()
                    .ok()
                    .map(|p| state.target(*line, p.email.as_ref(), p.phone.as_ref()))
            })
            .collect();
        let chunk = (&state, parsed.as_slice(), targets.as_slice());
        let learned = match dry_tx.as_mut() {
            Some(tx) => run_chunk(tx, db, chunk, options).await?,
            // Only the chunk runs again after a lost lock conflict: the chunks before it have
            // committed, and the file's state is as they left it.
            None => {
                db.transaction(|mut tx| async move {
                    let result = run_chunk(&mut tx, db, chunk, options).await;
                    (tx, result)
                })
                .await?
            }
        };
        report.outcomes.extend(state.learn(learned));
        progress(report.outcomes.len() as u64, total);
    }
    if let Some(tx) = dry_tx {
        tx.rollback().await?;
    }
    report.count();
    Ok(report)
}

/// A chunk's rows with their targets, and the file's state before it.
type Chunk<'a> = (
    &'a State,
    &'a [(u64, Result<Parsed, String>)],
    &'a [Option<Target>],
);

async fn run_chunk(
    tx: &mut Tx,
    db: &Db,
    (state, rows, targets): Chunk<'_>,
    options: &ImportOptions<'_>,
) -> ClientResult<Learned> {
    let mut learned = Learned::default();
    let existing_ids: Vec<u64> = targets
        .iter()
        .filter_map(|t| match t {
            Some(Target::Existing(id)) => Some(*id),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let locked: Vec<Client> = repo::lock_many(tx, db, &existing_ids, !options.dry_run).await?;
    let mut before: HashMap<Target, Profile> = locked
        .iter()
        .filter(|c| c.is_live())
        .map(|c| (Target::Existing(c.id), c.profile()))
        .collect();
    let mut current = before.clone();
    for (k, p) in &state.new_profiles {
        current.insert(Target::New(*k), p.clone());
    }
    let mut room = if options.dry_run {
        state.dry_room
    } else {
        room_left(tx, db).await?
    };
    let today = today();
    let mut outcomes = Vec::with_capacity(rows.len());
    // The order of targets first touched in this chunk, to write them in file order.
    let mut touched: Vec<Target> = Vec::new();
    let mut seen: HashSet<Target> = HashSet::new();
    for ((line, parsed), target) in rows.iter().zip(targets) {
        let line = *line;
        let skip = |reason: String| RowOutcome {
            line,
            action: RowAction::Skip,
            client_id: None,
            same_as_line: None,
            reason: Some(reason),
        };
        let (parsed, target) = match (parsed, target) {
            (Err(reason), _) => {
                outcomes.push(skip(reason.clone()));
                continue;
            }
            (Ok(p), Some(t)) => (p, *t),
            (Ok(_), None) => unreachable!("a parsed row always has a target"),
        };
        let same_as_line = match target {
            Target::New(k) if state.new_lines[k] != line => Some(state.new_lines[k]),
            _ => None,
        };
        if let Target::New(k) = target
            && (state.over_limit.contains(&k) || learned.over_limit.contains(&k))
        {
            outcomes.push(skip(ClientError::LimitReached.to_string()));
            continue;
        }
        let Some(base) = current.get(&target).cloned().or_else(|| match target {
            Target::New(_) => Some(Profile::blank()),
            // Deleted or merged since the file was matched.
            Target::Existing(_) => None,
        }) else {
            outcomes.push(skip("the matching client was deleted meanwhile".into()));
            continue;
        };
        let creating = !current.contains_key(&target);
        let mut input = parsed.input.clone();
        // An address that differs only in case is the one already stored.
        if base.email.as_ref().map(|e| e.as_str().to_lowercase()) == parsed.email {
            input.email = None;
        }
        let mut next = match base.clone().apply(input, today) {
            Ok(p) => p,
            Err(e) => {
                outcomes.push(skip(e.to_string()));
                continue;
            }
        };
        state.canonical_status(&learned.statuses, &mut next);
        if creating && let Some(left) = room.as_mut() {
            if *left == 0 {
                if let Target::New(k) = target {
                    learned.over_limit.insert(k);
                }
                outcomes.push(skip(ClientError::LimitReached.to_string()));
                continue;
            }
            *left -= 1;
        }
        let action = if creating {
            RowAction::Create
        } else if next == base {
            RowAction::Unchanged
        } else {
            RowAction::Update
        };
        if seen.insert(target) {
            touched.push(target);
        }
        current.insert(target, next);
        outcomes.push(RowOutcome {
            line,
            action,
            client_id: match target {
                Target::Existing(id) => Some(id),
                Target::New(_) => None,
            },
            same_as_line,
            reason: None,
        });
    }
    learned.outcomes = outcomes;
    if options.dry_run {
        learned.dry_room = Some(room);
        for t in touched {
            if let (Target::New(k), Some(p)) = (t, current.get(&t)) {
                learned.new_profiles.insert(k, p.clone());
            }
        }
        return Ok(learned);
    }
    write_chunk(
        tx,
        db,
        state,
        &touched,
        &mut before,
        &current,
        &mut learned,
        &options.actor,
    )
    .await?;
    Ok(learned)
}

#[allow(clippy::too_many_arguments)]
async fn write_chunk(
    tx: &mut Tx,
    db: &Db,
    state: &State,
    touched: &[Target],
    before: &mut HashMap<Target, Profile>,
    current: &HashMap<Target, Profile>,
    learned: &mut Learned,
    actor: &str,
) -> ClientResult<()> {
    let mut new_statuses: Vec<String> = touched
        .iter()
        .filter_map(|t| current.get(t))
        .filter(|p| !state.statuses.contains_key(&p.status.to_lowercase()))
        .map(|p| p.status.clone())
        .collect();
    new_statuses.sort();
    new_statuses.dedup_by(|a, b| a.to_lowercase() == b.to_lowercase());
    for name in new_statuses {
        let stored = repo::ensure_status(tx, db, &name).await?;
        learned.statuses.insert(name.to_lowercase(), stored);
    }
    let mut creates: Vec<(usize, Profile)> = Vec::new();
    let mut updates: Vec<(u64, Profile)> = Vec::new();
    for t in touched {
        let Some(mut p) = current.get(t).cloned() else {
            continue;
        };
        state.canonical_status(&learned.statuses, &mut p);
        match t {
            Target::New(k) => creates.push((*k, p)),
            Target::Existing(id) if before.get(t) != Some(&p) => updates.push((*id, p)),
            Target::Existing(_) => {}
        }
    }
    let ids =
        repo::insert_many(tx, db, &creates.iter().map(|(_, p)| p).collect::<Vec<_>>()).await?;
    let mut created: HashMap<usize, u64> = HashMap::new();
    for ((k, _), id) in creates.iter().zip(&ids) {
        created.insert(*k, *id);
    }
    repo::save_many(
        tx,
        db,
        &updates.iter().map(|(id, p)| (*id, p)).collect::<Vec<_>>(),
    )
    .await?;

    let mut records = Vec::with_capacity(creates.len() + updates.len());
    for ((_, p), id) in creates.iter().zip(&ids) {
        let changes = audit::diff(&serde_json::Value::Null, &p.audit_view());
        records.push(record(*id, actor, "import", changes));
    }
    for (id, p) in &updates {
        let old = before
            .remove(&Target::Existing(*id))
            .map(|b| b.audit_view())
            .unwrap_or_default();
        records.push(record(
            *id,
            actor,
            "import",
            audit::diff(&old, &p.audit_view()),
        ));
    }
    audit::record_many(tx, db, &records).await?;
    // An import's records say `import` whether they made a client or changed one; the new ones
    // come first.
    for (i, r) in records.iter().enumerate() {
        let topic = if i < creates.len() {
            "client.created"
        } else if r.changes.is_empty() {
            continue;
        } else {
            "client.updated"
        };
        super::publish(tx, db, topic, r).await?;
    }

    // Outcomes of rows about new clients learn their ids.
    let line_of_new: HashMap<u64, u64> = created
        .iter()
        .map(|(k, id)| (state.new_lines[*k], *id))
        .collect();
    for o in learned.outcomes.iter_mut() {
        if o.client_id.is_none() && o.action != RowAction::Skip {
            let origin = o.same_as_line.unwrap_or(o.line);
            o.client_id = line_of_new.get(&origin).copied();
        }
    }
    // Rows of later chunks that match a client created here update it like any other client.
    learned.new_ids = created;
    Ok(())
}
