use crate::{
    clients::Group,
    db::{Db, Tx},
};
use mysql_async::{Value, prelude::Queryable};

/// The kept count (see `counts.rs`), or a count of the rows where it is not kept.
const GROUP_SELECT: &str = "SELECT g.id, g.name, g.description, \
    COALESCE(g.live_clients, (SELECT COUNT(*) FROM {p}volixta_client_group_members m \
     JOIN {p}volixta_clients c ON c.id = m.client_id \
     WHERE m.group_id = g.id AND c.live = 1)) AS clients, g.created_at \
    FROM {p}volixta_client_groups g";

pub async fn list_groups<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Vec<Group>, mysql_async::Error> {
    conn.query(db.sql(&format!("{GROUP_SELECT} ORDER BY g.name")))
        .await
}

pub async fn find_group<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<Group>, mysql_async::Error> {
    conn.exec_first(db.sql(&format!("{GROUP_SELECT} WHERE g.id = ?")), (id,))
        .await
}

pub async fn lock_group(
    tx: &mut Tx,
    db: &Db,
    id: u64,
) -> Result<Option<(String, String)>, mysql_async::Error> {
    tx.exec_first(
        db.sql("SELECT name, description FROM {p}volixta_client_groups WHERE id = ? FOR UPDATE"),
        (id,),
    )
    .await
}

pub async fn insert_group(
    tx: &mut Tx,
    db: &Db,
    name: &str,
    description: &str,
) -> Result<u64, mysql_async::Error> {
    tx.exec_drop(
        db.sql("INSERT INTO {p}volixta_client_groups (name, description) VALUES (?, ?)"),
        (name, description),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn update_group(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    name: &str,
    description: &str,
) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_client_groups SET name = ?, description = ? WHERE id = ?"),
        (name, description, id),
    )
    .await
}

/// Deletes the group and its memberships; returns the clients that were in it.
pub async fn delete_group(tx: &mut Tx, db: &Db, id: u64) -> Result<Vec<u64>, mysql_async::Error> {
    let members: Vec<u64> = tx
        .exec(
            db.sql("SELECT client_id FROM {p}volixta_client_group_members WHERE group_id = ? FOR UPDATE"),
            (id,),
        )
        .await?;
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_client_groups WHERE id = ?"),
        (id,),
    )
    .await?;
    Ok(members)
}

fn in_list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Of `ids`, those that name a client (live or not).
pub async fn existing_client_ids(
    tx: &mut Tx,
    db: &Db,
    ids: &[u64],
) -> Result<Vec<u64>, mysql_async::Error> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows: Vec<u64> = tx
            .exec(
                db.sql(&format!(
                    "SELECT id FROM {{p}}volixta_clients WHERE id IN ({})",
                    in_list(chunk.len())
                )),
                chunk.to_vec(),
            )
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// Of `ids`, the members of the group.
pub async fn members_among(
    tx: &mut Tx,
    db: &Db,
    group_id: u64,
    ids: &[u64],
) -> Result<Vec<u64>, mysql_async::Error> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1000) {
        let mut params: Vec<Value> = vec![group_id.into()];
        params.extend(chunk.iter().map(|&id| Value::from(id)));
        let rows: Vec<u64> = tx
            .exec(
                db.sql(&format!(
                    "SELECT client_id FROM {{p}}volixta_client_group_members \
                     WHERE group_id = ? AND client_id IN ({}) FOR UPDATE",
                    in_list(chunk.len())
                )),
                params,
            )
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

pub async fn add_members(
    tx: &mut Tx,
    db: &Db,
    group_id: u64,
    ids: &[u64],
) -> Result<(), mysql_async::Error> {
    for chunk in ids.chunks(1000) {
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|&id| [Value::from(group_id), Value::from(id)])
            .collect();
        tx.exec_drop(
            db.sql(&format!(
                "INSERT INTO {{p}}volixta_client_group_members (group_id, client_id) VALUES {} \
                 ON DUPLICATE KEY UPDATE client_id = client_id",
                vec!["(?, ?)"; chunk.len()].join(", ")
            )),
            params,
        )
        .await?;
    }
    Ok(())
}

pub async fn remove_members(
    tx: &mut Tx,
    db: &Db,
    group_id: u64,
    ids: &[u64],
) -> Result<(), mysql_async::Error> {
    for chunk in ids.chunks(1000) {
        let mut params: Vec<Value> = vec![group_id.into()];
        params.extend(chunk.iter().map(|&id| Value::from(id)));
        tx.exec_drop(
            db.sql(&format!(
                "DELETE FROM {{p}}volixta_client_group_members WHERE group_id = ? AND client_id IN ({})",
                in_list(chunk.len())
            )),
            params,
        )
        .await?;
    }
    Ok(())
}
/// Moves every membership of `from` to `to` (a merge); memberships both had stay once.
pub async fn move_memberships(
    tx: &mut Tx,
    db: &Db,
    from: u64,
    to: u64,
) -> Result<Vec<u64>, mysql_async::Error> {
    let groups: Vec<u64> = tx
        .exec(
            db.sql("SELECT group_id FROM {p}volixta_client_group_members WHERE client_id = ? FOR UPDATE"),
            (from,),
        )
        .await?;
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_client_group_members (group_id, client_id, added_at) \
             SELECT group_id, ?, added_at FROM {p}volixta_client_group_members WHERE client_id = ? \
             ON DUPLICATE KEY UPDATE client_id = VALUES(client_id)",
        ),
        (to, from),
    )
    .await?;
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_client_group_members WHERE client_id = ?"),
        (from,),
    )
    .await?;
    Ok(groups)
}
