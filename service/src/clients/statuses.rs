//! Custom client statuses (New, VIP, Returning, and whatever managers type).
use super::{ClientError, ClientResult, Status, StatusInput, domain, record, repo};
use crate::{
    audit,
    auth::Actor,
    db::{Db, DbError},
};

pub async fn list_statuses(db: &Db) -> ClientResult<Vec<Status>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::list_statuses(&mut conn, db).await?)
}

pub async fn create_status(db: &Db, input: StatusInput) -> ClientResult<Status> {
    let name = domain::status_name(input.name.as_deref().unwrap_or(""))?;
    let icon = domain::icon_name(input.icon.as_deref().unwrap_or(""))?;
    let mut tx = db.begin().await?;
    let id = match repo::insert_status(&mut tx, db, &name, &icon, input.position.unwrap_or(1000))
        .await
        .map_err(DbError::from)
    {
        Ok(id) => id,
        Err(e) if e.duplicate_key() == Some(repo::UNIQUE_STATUS_NAME) => {
            return Err(ClientError::StatusTaken);
        }
        Err(e) => return Err(e.into()),
    };
    let status = repo::find_status(&mut tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)?;
    tx.commit().await?;
    Ok(status)
}

/// Renaming a status renames it on every client that has it (and records that on each).
pub async fn update_status(
    db: &Db,
    actor: Actor,
    id: u64,
    input: StatusInput,
) -> ClientResult<Status> {
    let icon = input.icon.as_deref().map(domain::icon_name).transpose()?;
    let mut tx = db.begin().await?;
    let current = repo::lock_status(&mut tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)?;
    let name = match input.name.as_deref() {
        Some(n) => domain::status_name(n)?,
        None => current.clone(),
    };
    match repo::update_status(&mut tx, db, id, &name, icon.as_deref(), input.position)
        .await
        .map_err(DbError::from)
    {
        Ok(()) => {}
        Err(e) if e.duplicate_key() == Some(repo::UNIQUE_STATUS_NAME) => {
            return Err(ClientError::StatusTaken);
        }
        Err(e) => return Err(e.into()),
    }
    if name != current {
        let renamed = repo::rename_status_on_clients(&mut tx, db, &current, &name).await?;
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
        super::log(&mut tx, db, &records).await?;
    }
    let status = repo::find_status(&mut tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)?;
    tx.commit().await?;
    Ok(status)
}

/// A status still given to live clients stays; give them another one first.
pub async fn delete_status(db: &Db, id: u64) -> ClientResult<()> {
    let mut tx = db.begin().await?;
    let name = repo::lock_status(&mut tx, db, id)
        .await?
        .ok_or(ClientError::StatusNotFound)?;
    if repo::clients_with_status(&mut tx, db, &name).await? > 0 {
        return Err(ClientError::StatusInUse);
    }
    repo::delete_status(&mut tx, db, id).await?;
    tx.commit().await?;
    Ok(())
}
