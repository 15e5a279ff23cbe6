//! Clients: the people who book. Managers keep their profiles; a client sees and edits only its
//! own profile fields. Every change is recorded in the audit log in the same transaction.
mod domain;
mod duplicates;
mod error;
mod groups;
pub mod http;
mod import;
mod import_cli;
mod import_jobs;
mod merge;
pub(crate) mod repo;
mod statuses;

pub use domain::{
    Channel, Client, ClientInput, Cursor, DEFAULT_AVATARS, DuplicateGroup, DuplicateReason, Email,
    Gender, Group, GroupInput, ListQuery, MAX_AVATAR_BYTES, Notifications, Permissions, Phone,
    Profile, Sort, Status, StatusInput, UPLOADED_AVATAR,
};
pub use duplicates::{find_duplicates, mark_distinct};
pub use error::{ClientError, ClientResult};
pub use groups::*;
pub use import::{ImportOptions, ImportReport, RowAction, RowOutcome, import_csv};
pub use import_cli::import_file;
pub use import_jobs::{
    ImportJob, JobState, MAX_UPLOAD_BYTES, Preview, import_fields, import_job, import_preview,
    run_import, start_import, upload_import,
};
pub use merge::{MergeRequest, MergeResult, Moved, check_pair, merge};
pub use statuses::*;

use crate::{
    audit::{self, Record},
    auth::{Actor, AuthError, Role},
    db::{Db, DbError, Tx},
    paging::{Page, PageRequest},
    settings, webhooks,
};
use sha2::{Digest, Sha256};

pub const ENTITY: &str = "client";

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

pub(crate) fn record(
    id: u64,
    actor: &str,
    action: &'static str,
    changes: audit::Changes,
) -> Record {
    Record {
        entity: ENTITY,
        entity_id: id,
        actor: actor.to_owned(),
        action,
        changes,
    }
}

/// Writes the audit records of changes to clients and, in the same transaction, tells the
/// webhook endpoints: every change to a client is recorded here, so `client.created`,
/// `client.updated` and `client.merged` leave from this one place.
pub(crate) async fn log(tx: &mut Tx, db: &Db, records: &[Record]) -> Result<(), DbError> {
    audit::record_many(tx, db, records).await?;
    for r in records {
        let topic = match r.action {
            "create" => "client.created",
            "merge" => "client.merged",
            // The merged-away profile's side of a merge: the kept profile's event names it.
            "merged" => continue,
            _ if r.is_empty_update() => continue,
            _ => "client.updated",
        };
        publish(tx, db, topic, r).await?;
    }
    Ok(())
}

/// One client event for the webhook endpoints: the client as it is now, who changed it and
/// what changed (the audit record's before and after).
pub(crate) async fn publish(tx: &mut Tx, db: &Db, topic: &str, r: &Record) -> Result<(), DbError> {
    if !webhooks::wanted(tx, db, topic).await? {
        return Ok(());
    }
    let Some(client) = repo::find(tx, db, r.entity_id).await? else {
        return Ok(());
    };
    let mut data = serde_json::json!({
        "client": client,
        "actor": r.actor,
        "action": r.action,
        "changes": r.changes,
    });
    if let Some(merged) = r.changes.get("merged_from") {
        data["merged_client_id"] = merged.after.clone();
    }
    webhooks::publish(tx, db, topic, &data).await
}

/// Installs the triggers that keep the number of live clients of each status and group (what
/// the Clients screen's quick filters show). A database user without the TRIGGER privilege (or
/// SUPER, with binary logging on) keeps working without them: the counts then stay NULL and
/// readers count the clients on each read.
pub async fn install_count_triggers(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.pool.get_conn().await?;
    match repo::install_count_triggers(&mut conn, db).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_missing_privilege() => {
            tracing::warn!(error = %e, "the client count triggers could not be created; the database user lacks the privilege");
            Ok(())
        }
        Err(e) => Err(e.into_inner().into()),
    }
}

pub async fn create(db: &Db, actor: Actor, input: ClientInput) -> ClientResult<Client> {
    let input = &input;
    db.transaction(|mut tx| async move {
        let result = create_in(&mut tx, db, actor, input.clone()).await;
        (tx, result)
    })
    .await
}

/// Creates a client in the caller's transaction, for a caller that does more in the same one
/// (the admin form preloads credits with the profile).
pub async fn create_in(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    input: ClientInput,
) -> ClientResult<Client> {
    let mut profile = Profile::blank().apply(input, today())?;
    ensure_below_limit(tx, db).await?;
    profile.status = repo::ensure_status(tx, db, &profile.status).await?;
    let id = repo::insert(tx, db, &profile)
        .await
        .map_err(|e| wp_user_taken(e.into()))?;
    let changes = audit::diff(&serde_json::Value::Null, &profile.audit_view());
    log(tx, db, &[record(id, &actor.to_string(), "create", changes)]).await?;
    repo::find(tx, db, id).await?.ok_or(ClientError::NotFound)
}

/// Applies an edit. A client may change its own profile fields only (never e-mail, status,
/// notes, permission level, blocked or the WordPress link).
pub async fn update(db: &Db, actor: Actor, id: u64, input: ClientInput) -> ClientResult<Client> {
    if !actor.is_manager() {
        let forbidden = input.staff_only_fields();
        if !forbidden.is_empty() {
            return Err(ClientError::StaffOnly(forbidden));
        }
    }
    let input = &input;
    db.transaction(|mut tx| async move {
        let result = update_in(&mut tx, db, actor, id, input.clone()).await;
        (tx, result)
    })
    .await
}

async fn update_in(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    input: ClientInput,
) -> ClientResult<Client> {
    let current = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if !current.is_live() {
        return Err(ClientError::NotLive);
    }
    let before = current.profile();
    let mut next = before.clone().apply(input, today())?;
    if next.status != before.status {
        next.status = repo::ensure_status(tx, db, &next.status).await?;
    }
    if before.avatar.as_deref() == Some(UPLOADED_AVATAR) && next.avatar != before.avatar {
        repo::delete_avatar(tx, db, id).await?;
    }
    repo::save(tx, db, id, &next)
        .await
        .map_err(|e| wp_user_taken(e.into()))?;
    let changes = audit::diff(&before.audit_view(), &next.audit_view());
    log(tx, db, &[record(id, &actor.to_string(), "update", changes)]).await?;
    repo::find(tx, db, id).await?.ok_or(ClientError::NotFound)
}

/// The WordPress user's unique index refusing the row means another live client has that user;
/// any other failure stays what it was (a lock conflict is still run again).
fn wp_user_taken(e: DbError) -> ClientError {
    if e.duplicate_key() == Some(repo::UNIQUE_WP_USER) {
        ClientError::WpUserTaken
    } else {
        e.into()
    }
}

/// The limit counts live clients; the settings row lock makes the count and the insert atomic.
pub(crate) async fn ensure_below_limit(tx: &mut Tx, db: &Db) -> ClientResult<()> {
    if let Some(limit) = room_left(tx, db).await?
        && limit == 0
    {
        return Err(ClientError::LimitReached);
    }
    Ok(())
}

/// How many more live clients the limit allows (`None`: no limit), under the settings row lock.
pub(crate) async fn room_left(tx: &mut Tx, db: &Db) -> ClientResult<Option<u64>> {
    match settings::lock_client_limit(tx, db).await? {
        Some(limit) => {
            let live = repo::count_live(tx, db).await?;
            Ok(Some(u64::from(limit).saturating_sub(live)))
        }
        None => Ok(None),
    }
}

/// The client this actor may act on: managers any, a client only its own (others look absent).
pub async fn authorize(db: &Db, actor: Actor, client_id: u64) -> ClientResult<()> {
    match actor.role {
        Role::Admin | Role::Manager => Ok(()),
        Role::Client => {
            let mut conn = db.pool.get_conn().await?;
            match repo::live_id_for_wp_user(&mut conn, db, actor.wp_user_id).await? {
                Some(own) if own == client_id => Ok(()),
                _ => Err(ClientError::NotFound),
            }
        }
        Role::Employee | Role::Guest => Err(ClientError::Auth(AuthError::Forbidden)),
    }
}

/// Like `authorize`, and employees may read profiles too (DOMAIN.md).
pub async fn authorize_read(db: &Db, actor: Actor, client_id: u64) -> ClientResult<()> {
    if actor.role == Role::Employee {
        return Ok(());
    }
    authorize(db, actor, client_id).await
}

/// The live client linked to a client actor.
pub async fn own_client_id(db: &Db, actor: Actor) -> ClientResult<u64> {
    if actor.role != Role::Client {
        return Err(ClientError::Auth(AuthError::Forbidden));
    }
    live_client_of(db, actor.wp_user_id)
        .await?
        .ok_or(ClientError::NotFound)
}

/// The live client linked to a WordPress user, if any.
pub async fn live_client_of(db: &Db, wp_user_id: u64) -> Result<Option<u64>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::live_id_for_wp_user(&mut conn, db, wp_user_id).await?)
}

/// Whether a client (live or deleted) already has this e-mail, read in the caller's
/// transaction: the booking form asks before it creates one, under a lock of its own.
pub async fn email_taken(tx: &mut Tx, db: &Db, email: &str) -> Result<bool, DbError> {
    Ok(repo::email_taken(tx, db, email).await?)
}

/// What a client may do online, for the bookings domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortalAction {
    Book,
    Reschedule,
    Cancel,
    ViewInvoices,
}

/// What a live client may do online: blocked or not, and its permission level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortalRights {
    blocked: bool,
    permissions: Permissions,
}

impl PortalRights {
    /// Refuses an online action the client may not take: `Blocked` for a blocked client booking
    /// or rescheduling online, `NotPermitted` when its permission level does not allow the
    /// action. Managers acting on a client's behalf do not ask.
    pub fn allow(self, action: PortalAction) -> Result<(), ClientError> {
        if self.blocked && matches!(action, PortalAction::Book | PortalAction::Reschedule) {
            return Err(ClientError::Blocked);
        }
        let (allowed, what) = match action {
            PortalAction::Book => (self.permissions.book, "book"),
            PortalAction::Reschedule => (self.permissions.reschedule, "reschedule"),
            PortalAction::Cancel => (self.permissions.cancel, "cancel"),
            PortalAction::ViewInvoices => (self.permissions.view_invoices, "view invoices"),
        };
        if allowed {
            Ok(())
        } else {
            Err(ClientError::NotPermitted(what))
        }
    }
}

/// The online rights of a live client; `None` when there is no such live client.
pub async fn portal_rights<Q: mysql_async::prelude::Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> Result<Option<PortalRights>, DbError> {
    Ok(repo::portal_rights(conn, db, client_id)
        .await?
        .map(|(blocked, permissions)| PortalRights {
            blocked,
            permissions,
        }))
}

pub async fn get(db: &Db, id: u64) -> ClientResult<Client> {
    find(db, id).await?.ok_or(ClientError::NotFound)
}

/// A client, live or not, for domains that show it beside their own records.
pub async fn find(db: &Db, id: u64) -> Result<Option<Client>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::find(&mut conn, db, id).await?)
}

/// One page of the list and the cursor of the next one.
pub async fn list(db: &Db, query: &ListQuery) -> ClientResult<Page<Client, String>> {
    let page = query.page()?;
    let filter = repo::Filter::from_query(query)?;
    let mut conn = db.pool.get_conn().await?;
    let page = repo::list(&mut conn, db, filter, query.sort(), &page).await?;
    Ok(Page {
        items: page.items,
        next_cursor: page.next_cursor.map(|c| c.encode()),
    })
}

pub async fn delete(db: &Db, actor: Actor, id: u64) -> ClientResult<Client> {
    db.transaction(|mut tx| async move {
        let result = delete_in(&mut tx, db, actor, id).await;
        (tx, result)
    })
    .await
}

async fn delete_in(tx: &mut Tx, db: &Db, actor: Actor, id: u64) -> ClientResult<Client> {
    let client = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if client.deleted_at.is_none() {
        repo::set_deleted(tx, db, id, true).await?;
        let deleted = record(id, &actor.to_string(), "delete", audit::Changes::new());
        log(tx, db, &[deleted]).await?;
    }
    repo::find(tx, db, id).await?.ok_or(ClientError::NotFound)
}

pub async fn restore(db: &Db, actor: Actor, id: u64) -> ClientResult<Client> {
    db.transaction(|mut tx| async move {
        let result = restore_in(&mut tx, db, actor, id).await;
        (tx, result)
    })
    .await
}

async fn restore_in(tx: &mut Tx, db: &Db, actor: Actor, id: u64) -> ClientResult<Client> {
    let client = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if client.deleted_at.is_none() {
        return Err(ClientError::NotDeleted);
    }
    ensure_below_limit(tx, db).await?;
    repo::set_deleted(tx, db, id, false)
        .await
        .map_err(|e| wp_user_taken(e.into()))?;
    let restored = record(id, &actor.to_string(), "restore", audit::Changes::new());
    log(tx, db, &[restored]).await?;
    repo::find(tx, db, id).await?.ok_or(ClientError::NotFound)
}

/// The photo's type when it may be a client's avatar (size and format, from its bytes).
pub fn check_photo(image: &[u8]) -> ClientResult<&'static str> {
    domain::check_avatar(image)
}

/// Stores an uploaded photo after checking its size and sniffing its type from its bytes.
pub async fn upload_avatar(db: &Db, actor: Actor, id: u64, image: &[u8]) -> ClientResult<Client> {
    let content_type = domain::check_avatar(image)?;
    let sha = &hex::encode(Sha256::digest(image));
    db.transaction(|mut tx| async move {
        let result = put_avatar_in(&mut tx, db, actor, id, (content_type, image, sha)).await;
        (tx, result)
    })
    .await
}

async fn put_avatar_in(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    (content_type, image, sha): (&str, &[u8], &str),
) -> ClientResult<Client> {
    let current = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if !current.is_live() {
        return Err(ClientError::NotLive);
    }
    let old_sha = repo::avatar_sha(tx, db, id).await?;
    repo::put_avatar(tx, db, id, content_type, image, sha).await?;
    let changes = audit::diff(
        &serde_json::json!({"avatar": current.avatar, "avatar_sha256": old_sha}),
        &serde_json::json!({"avatar": UPLOADED_AVATAR, "avatar_sha256": sha}),
    );
    log(tx, db, &[record(id, &actor.to_string(), "update", changes)]).await?;
    repo::find(tx, db, id).await?.ok_or(ClientError::NotFound)
}

/// The uploaded photo: its sniffed content type, bytes and SHA-256.
pub async fn avatar(db: &Db, id: u64) -> ClientResult<(String, Vec<u8>, String)> {
    let mut conn = db.pool.get_conn().await?;
    repo::get_avatar(&mut conn, db, id)
        .await?
        .ok_or(ClientError::NoAvatar)
}

pub async fn history(db: &Db, id: u64, page: PageRequest) -> ClientResult<Page<audit::Entry>> {
    get(db, id).await?;
    Ok(audit::list(db, ENTITY, id, page).await?)
}

/// The (filtered) list as CSV, every page of it, in the list's sort order. Cells a spreadsheet
/// would run as formulas are neutralised.
pub async fn export_csv(db: &Db, query: &ListQuery) -> ClientResult<Vec<u8>> {
    let sort = query.sort();
    let mut conn = db.pool.get_conn().await?;
    let group_names = repo::group_names(&mut conn, db).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(domain::csv_io::EXPORT_HEADERS)
        .map_err(anyhow::Error::from)?;
    // Larger pages than a caller may ask for: the export reads the whole list.
    let mut request = PageRequest {
        after: query.cursor()?,
        limit: 1000,
    };
    loop {
        let filter = repo::Filter::from_query(query)?;
        let page = repo::list(&mut conn, db, filter, sort, &request).await?;
        for client in &page.items {
            out.write_record(domain::csv_io::export_row(client, &group_names))
                .map_err(anyhow::Error::from)?;
        }
        match page.next_cursor {
            Some(next) => request.after = Some(next),
            None => break,
        }
    }
    Ok(out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("csv buffer: {e}"))?)
}

/// Who the audit log names when a client turned marketing off with the signed link of an
/// e-mail: nobody is logged in then, and the link, not a session, is what proved it was them.
pub const UNSUBSCRIBE_LINK_ACTOR: &str = "unsubscribe_link";

/// Turns marketing e-mails off for a live client (an unsubscribe link that checked out), with an
/// `unsubscribe` entry in its audit log (and `client.updated` to the webhooks) by
/// [`UNSUBSCRIBE_LINK_ACTOR`]; `false` when there is no such live client. Saying it twice is
/// harmless and records nothing the second time.
pub async fn opt_out_of_marketing(db: &Db, client_id: u64) -> Result<bool, DbError> {
    db.transaction(|mut tx| async move {
        let result = opt_out_in(&mut tx, db, client_id).await;
        (tx, result)
    })
    .await
}

async fn opt_out_in(tx: &mut Tx, db: &Db, client_id: u64) -> Result<bool, DbError> {
    let Some(current) = repo::find_for_update(tx, db, client_id).await? else {
        return Ok(false);
    };
    if !current.is_live() {
        return Ok(false);
    }
    let before = current.profile();
    if !before.notifications.marketing {
        return Ok(true);
    }
    let mut next = before.clone();
    next.notifications.marketing = false;
    repo::save(tx, db, client_id, &next).await?;
    let changes = audit::diff(&before.audit_view(), &next.audit_view());
    log(
        tx,
        db,
        &[record(
            client_id,
            UNSUBSCRIBE_LINK_ACTOR,
            "unsubscribe",
            changes,
        )],
    )
    .await?;
    Ok(true)
}
