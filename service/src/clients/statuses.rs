//! Custom client statuses (New, VIP, Returning, and whatever managers type).
use super::{ClientError, ClientResult, Status, StatusInput, domain, record, repo};
use crate::{
    audit,
    auth::Actor,
    db::{Db, DbError, Tx},
};

pub async fn list_statuses(db: &Db) -> ClientResult<Vec<Status>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::list_statuses(&mut conn, db).await?)
}

pub async fn create_status(db: &Db, input: StatusInput) -> ClientResult<Status> {
    let name = domain::status_name(input.name.as_deref().unwrap_or(""))?;
    let icon = domain::icon_name(input.icon.as_deref().unwrap_or(""))?;
    let (name, icon, position) = (&name, &icon, input.position.unwrap_or(1000));
    db.transaction(|mut tx| async move {
        let result = insert_status(&mut tx, db, name, icon, position).await;
        (tx, result)
    })
    .await
}

async fn insert_status(
    tx: &mut Tx,
    db: &Db,
    name: &str,
    icon: &str,
    position: i64,
) -> ClientResult<Status> {
    let id = repo::insert_status(tx, db, name, icon, position)
        .await
        .map_err(|e| status_taken(e.into()))?;
    repo::find_status(tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)
}

/// The status names' unique index refusing the row means a status has that name already.
fn status_taken(e: DbError) -> ClientError {
    if e.duplicate_key() == Some(repo::UNIQUE_STATUS_NAME) {
        ClientError::StatusTaken
    } else {
        e.into()
    }
}

/// Renaming a status renames it on every client that has it (and records that on each).
pub async fn update_status(
    db: &Db,
    actor: Actor,
    id: u64,
    input: StatusInput,
) -> ClientResult<Status> {
    let icon = input.icon.as_deref().map(domain::icon_name).transpose()?;
    let (input, icon) = (&input, icon.as_deref());
    db.transaction(|mut tx| async move {
        let result = change_status(&mut tx, db, actor, id, input, icon).await;
        (tx, result)
    })
    .await
}

async fn change_status(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    input: &StatusInput,
    icon: Option<&str>,
) -> ClientResult<Status> {
    let current = repo::lock_status(tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)?;
    let name = match input.name.as_deref() {
        Some(n) => domain::status_name(n)?,
        None => current.clone(),
    };
    repo::update_status(tx, db, id, &name, icon, input.position)
        .await
        .map_err(|e| status_taken(e.into()))?;
    if name != current {
        let renamed = repo::rename_status_on_clients(tx, db, &current, &name).await?;
        let actor = actor.to_string();
        let change = audit::Change {
            before: current.clone().into(),
            after: name.clone().into(),
        };
        let records: Vec<_> = renamed
            .into_iter()
            .map(|cid| {
                let changes = audit::Changes::from([("status".to_owned(), change.clone())]);
                record(cid, &actor, "update", changes)
            })
            .collect();
        super::log(tx, db, &records).await?;
    }
    repo::find_status(tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)
}

/// A status still given to live clients stays; give them another one first.
pub async fn delete_status(db: &Db, id: u64) -> ClientResult<()> {
    db.transaction(|mut tx| async move {
        let result = delete_unused_status(&mut tx, db, id).await;
        (tx, result)
    })
    .await
}

async fn delete_unused_status(tx: &mut Tx, db: &Db, id: u64) -> ClientResult<()> {
    let name = repo::lock_status(tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)?;
    if repo::clients_with_status(tx, db, &name).await? > 0 {
        return Err(ClientError::StatusInUse);
    }
    repo::delete_status(tx, db, id).await?;
    Ok(())
}
