//! Client groups: named segments for filtering and bulk work.
use super::{ClientError, ClientResult, Group, GroupInput, domain, record, repo};
use crate::{
    audit,
    auth::Actor,
    db::{Db, DbError, Tx},
};
use std::collections::BTreeSet;

pub async fn list_groups(db: &Db) -> ClientResult<Vec<Group>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::list_groups(&mut conn, db).await?)
}

pub async fn get_group(db: &Db, id: u64) -> ClientResult<Group> {
    let mut conn = db.pool.get_conn().await?;
    repo::find_group(&mut conn, db, id)
        .await?
        .ok_or(ClientError::GroupNotFound)
}

pub async fn create_group(db: &Db, input: GroupInput) -> ClientResult<Group> {
    let name = domain::group_name(input.name.as_deref().unwrap_or(""))?;
    let description = domain::group_description(input.description.as_deref().unwrap_or(""))?;
    let (name, description) = (&name, &description);
    db.transaction(|mut tx| async move {
        let result = insert_group(&mut tx, db, name, description).await;
        (tx, result)
    })
    .await
}

async fn insert_group(tx: &mut Tx, db: &Db, name: &str, description: &str) -> ClientResult<Group> {
    let id = repo::insert_group(tx, db, name, description)
        .await
        .map_err(|e| group_name_taken(e.into()))?;
    repo::find_group(tx, db, id)
        .await?
        .ok_or(ClientError::GroupNotFound)
}

/// The group names' unique index refusing the row means a group has that name already.
fn group_name_taken(e: DbError) -> ClientError {
    if e.duplicate_key() == Some(repo::UNIQUE_GROUP_NAME) {
        ClientError::GroupNameTaken
    } else {
        e.into()
    }
}

pub async fn update_group(db: &Db, id: u64, input: GroupInput) -> ClientResult<Group> {
    let input = &input;
    db.transaction(|mut tx| async move {
        let result = change_group(&mut tx, db, id, input).await;
        (tx, result)
    })
    .await
}

async fn change_group(tx: &mut Tx, db: &Db, id: u64, input: &GroupInput) -> ClientResult<Group> {
    let (name, description) = repo::lock_group(tx, db, id)
        .await?
        .ok_or(ClientError::GroupNotFound)?;
    let name = match input.name.as_deref() {
        Some(n) => domain::group_name(n)?,
        None => name,
    };
    let description = match input.description.as_deref() {
        Some(d) => domain::group_description(d)?,
        None => description,
    };
    repo::update_group(tx, db, id, &name, &description)
        .await
        .map_err(|e| group_name_taken(e.into()))?;
    repo::find_group(tx, db, id)
        .await?
        .ok_or(ClientError::GroupNotFound)
}

/// Deleting a group removes its memberships (recorded on each client), not its clients.
pub async fn delete_group(db: &Db, actor: Actor, id: u64) -> ClientResult<()> {
    db.transaction(|mut tx| async move {
        let result = delete_group_in(&mut tx, db, actor, id).await;
        (tx, result)
    })
    .await
}

async fn delete_group_in(tx: &mut Tx, db: &Db, actor: Actor, id: u64) -> ClientResult<()> {
    repo::lock_group(tx, db, id)
        .await?
        .ok_or(ClientError::GroupNotFound)?;
    let members = repo::delete_group(tx, db, id).await?;
    let records = membership_records(&actor.to_string(), id, &members, false);
    super::log(tx, db, &records).await?;
    Ok(())
}

fn membership_records(
    actor: &str,
    group_id: u64,
    clients: &[u64],
    added: bool,
) -> Vec<audit::Record> {
    let (action, before, after) = if added {
        ("group_added", serde_json::Value::Null, group_id.into())
    } else {
        ("group_removed", group_id.into(), serde_json::Value::Null)
    };
    clients
        .iter()
        .map(|&cid| {
            let changes = audit::Changes::from([(
                "group".to_owned(),
                audit::Change {
                    before: before.clone(),
                    after: after.clone(),
                },
            )]);
            record(cid, actor, action, changes)
        })
        .collect()
}

fn distinct(ids: &[u64]) -> Result<Vec<u64>, ClientError> {
    let set: BTreeSet<u64> = ids.iter().copied().collect();
    if set.len() > domain::MAX_BULK {
        return Err(ClientError::TooMany);
    }
    Ok(set.into_iter().collect())
}

/// Adds or removes clients in bulk: every id must name a client, or nothing changes.
/// Returns the group and how many memberships actually changed.
pub async fn change_members(
    db: &Db,
    actor: Actor,
    group_id: u64,
    client_ids: &[u64],
    add: bool,
) -> ClientResult<(Group, usize)> {
    let ids = &distinct(client_ids)?;
    db.transaction(|mut tx| async move {
        let result = change_members_in(&mut tx, db, actor, group_id, ids, add).await;
        (tx, result)
    })
    .await
}

async fn change_members_in(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    group_id: u64,
    ids: &[u64],
    add: bool,
) -> ClientResult<(Group, usize)> {
    repo::lock_group(tx, db, group_id)
        .await?
        .ok_or(ClientError::GroupNotFound)?;
    let existing: BTreeSet<u64> = repo::existing_client_ids(tx, db, ids)
        .await?
        .into_iter()
        .collect();
    let unknown: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !existing.contains(id))
        .collect();
    if !unknown.is_empty() {
        return Err(ClientError::UnknownClients(
            unknown.into_iter().take(20).collect(),
        ));
    }
    let members: BTreeSet<u64> = repo::members_among(tx, db, group_id, ids)
        .await?
        .into_iter()
        .collect();
    let changed: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| members.contains(id) != add)
        .collect();
    if add {
        repo::add_members(tx, db, group_id, &changed).await?;
    } else {
        repo::remove_members(tx, db, group_id, &changed).await?;
    }
    let records = membership_records(&actor.to_string(), group_id, &changed, add);
    super::log(tx, db, &records).await?;
    let group = repo::find_group(tx, db, group_id)
        .await?
        .ok_or(ClientError::GroupNotFound)?;
    Ok((group, changed.len()))
}
