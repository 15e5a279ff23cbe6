use super::{Client, Gender, Permissions, Profile};
use crate::db::{Db, Tx};
use mysql_async::{
    Value,
    prelude::{FromRow, Queryable},
};
use std::collections::HashMap;

mod avatars;
mod counts;
mod groups;
mod imports;
mod list;
mod row;
mod statuses;

/// A WordPress user is linked to at most one live client.
pub const UNIQUE_WP_USER: &str = "uq_live_wp_user";
/// Status names are unique.
pub const UNIQUE_STATUS_NAME: &str = "uq_name";
/// Group names are unique.
pub const UNIQUE_GROUP_NAME: &str = "uq_name";

pub use avatars::*;
pub use counts::install_count_triggers;
pub use groups::*;
pub use imports::*;
pub use list::*;
pub use row::ClientRow;
pub use statuses::*;

pub(crate) const COLUMNS: &str = "c.id, c.wp_user_id, c.first_name, c.last_name, c.email, c.phone, \
    c.street, c.zip, c.city, c.status, c.notes, c.can_book, c.can_reschedule, c.can_cancel, \
    c.can_view_invoices, c.avatar, c.birthday, c.anniversary, c.gender, c.notify_reminders, \
    c.notify_birthday, c.notify_marketing, c.blocked, c.wallet_balance, c.reward_points, \
    c.created_at, c.updated_at, c.deleted_at, c.merged_into_id";

/// The profile columns in the order of `profile_values`.
pub(crate) const PROFILE_COLUMNS: &[&str] = &[
    "wp_user_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "zip",
    "city",
    "status",
    "notes",
    "can_book",
    "can_reschedule",
    "can_cancel",
    "can_view_invoices",
    "avatar",
    "birthday",
    "anniversary",
    "gender",
    "notify_reminders",
    "notify_birthday",
    "notify_marketing",
    "blocked",
];

pub(crate) fn profile_values(p: &Profile) -> Vec<Value> {
    vec![
        p.wp_user_id.into(),
        p.first_name.as_str().into(),
        p.last_name.as_str().into(),
        p.email.as_ref().map(|e| e.as_str()).into(),
        p.phone.as_ref().map(|e| e.as_str()).into(),
        p.street.as_str().into(),
        p.zip.as_str().into(),
        p.city.as_str().into(),
        p.status.as_str().into(),
        p.notes.as_str().into(),
        p.permissions.book.into(),
        p.permissions.reschedule.into(),
        p.permissions.cancel.into(),
        p.permissions.view_invoices.into(),
        p.avatar.as_deref().into(),
        p.birthday.into(),
        p.anniversary.into(),
        p.gender.map(Gender::as_str).into(),
        p.notifications.reminders.into(),
        p.notifications.birthday.into(),
        p.notifications.marketing.into(),
        p.blocked.into(),
    ]
}

pub async fn count_live(tx: &mut Tx, db: &Db) -> Result<u64, mysql_async::Error> {
    let n: Option<u64> = tx
        .query_first(db.sql("SELECT COUNT(*) FROM {p}volixta_clients WHERE live = 1"))
        .await?;
    Ok(n.unwrap_or(0))
}

pub async fn insert(tx: &mut Tx, db: &Db, p: &Profile) -> Result<u64, mysql_async::Error> {
    let placeholders = vec!["?"; PROFILE_COLUMNS.len()].join(", ");
    tx.exec_drop(
        db.sql(&format!(
            "INSERT INTO {{p}}volixta_clients ({}) VALUES ({placeholders})",
            PROFILE_COLUMNS.join(", ")
        )),
        profile_values(p),
    )
    .await?;
    let id = tx.last_insert_id().unwrap_or_default();
    reindex(tx, db, &[(id, p)]).await?;
    Ok(id)
}

pub async fn save(tx: &mut Tx, db: &Db, id: u64, p: &Profile) -> Result<(), mysql_async::Error> {
    let set = PROFILE_COLUMNS
        .iter()
        .map(|c| format!("{c} = ?"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut params = profile_values(p);
    params.push(id.into());
    tx.exec_drop(
        db.sql(&format!(
            "UPDATE {{p}}volixta_clients SET {set} WHERE id = ?"
        )),
        params,
    )
    .await?;
    reindex(tx, db, &[(id, p)]).await
}

pub async fn find<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<Client>, mysql_async::Error> {
    let row: Option<ClientRow> = conn
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_clients c WHERE c.id = ?"
            )),
            (id,),
        )
        .await?;
    let Some(mut client) = row.map(Client::from) else {
        return Ok(None);
    };
    client.groups = group_ids_of(conn, db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Some(client))
}

/// Locks the client's row: every change of the client, its wallet and its points goes through it.
pub async fn find_for_update(
    tx: &mut Tx,
    db: &Db,
    id: u64,
) -> Result<Option<Client>, mysql_async::Error> {
    let row: Option<ClientRow> = tx
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_clients c WHERE c.id = ? FOR UPDATE"
            )),
            (id,),
        )
        .await?;
    Ok(row.map(Client::from))
}

pub async fn live_id_for_wp_user<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    wp_user_id: u64,
) -> Result<Option<u64>, mysql_async::Error> {
    conn.exec_first(
        db.sql("SELECT id FROM {p}volixta_clients WHERE live_wp_user_id = ?"),
        (wp_user_id,),
    )
    .await
}

/// Whether any client, live or deleted, has this e-mail (compared as the column's collation
/// does: without regard to case).
pub async fn email_taken<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    email: &str,
) -> Result<bool, mysql_async::Error> {
    let found: Option<u8> = conn
        .exec_first(
            db.sql("SELECT 1 FROM {p}volixta_clients WHERE email = ? LIMIT 1"),
            (email.trim(),),
        )
        .await?;
    Ok(found.is_some())
}

/// The group ids of each of `ids`, in one query.
pub async fn group_ids_of<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    ids: &[u64],
) -> Result<HashMap<u64, Vec<u64>>, mysql_async::Error> {
    let mut out: HashMap<u64, Vec<u64>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let placeholders = vec!["?"; ids.len()].join(", ");
    let rows: Vec<(u64, u64)> = conn
        .exec(
            db.sql(&format!(
                "SELECT client_id, group_id FROM {{p}}volixta_client_group_members \
                 WHERE client_id IN ({placeholders}) ORDER BY group_id"
            )),
            ids.to_vec(),
        )
        .await?;
    for (client, group) in rows {
        out.entry(client).or_default().push(group);
    }
    Ok(out)
}

pub async fn set_deleted(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    deleted: bool,
) -> Result<(), mysql_async::Error> {
    let sql = if deleted {
        "UPDATE {p}volixta_clients SET deleted_at = UTC_TIMESTAMP(6) WHERE id = ?"
    } else {
        "UPDATE {p}volixta_clients SET deleted_at = NULL WHERE id = ?"
    };
    tx.exec_drop(db.sql(sql), (id,)).await
}

/// Online booking rights of a live client: blocked, and the permission level.
pub async fn portal_rights<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<(bool, Permissions)>, mysql_async::Error> {
    #[derive(FromRow)]
    struct Rights {
        blocked: bool,
        can_book: bool,
        can_reschedule: bool,
        can_cancel: bool,
        can_view_invoices: bool,
    }
    let row: Option<Rights> = conn
        .exec_first(
            db.sql(
                "SELECT blocked, can_book, can_reschedule, can_cancel, can_view_invoices \
                 FROM {p}volixta_clients WHERE id = ? AND live = 1",
            ),
            (id,),
        )
        .await?;
    Ok(row.map(|r| {
        (
            r.blocked,
            Permissions {
                book: r.can_book,
                reschedule: r.can_reschedule,
                cancel: r.can_cancel,
                view_invoices: r.can_view_invoices,
            },
        )
    }))
}

pub async fn mark_merged(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    into: u64,
) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_clients SET merged_into_id = ? WHERE id = ?"),
        (into, id),
    )
    .await
}

/// Live clients sharing a value of `column` (`email` or `phone`), grouped by that value.
pub async fn shared_values<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    column: &'static str,
) -> Result<Vec<Vec<u64>>, mysql_async::Error> {
    let rows: Vec<(String, u64)> = conn
        .query(db.sql(&format!(
            "SELECT d.v, c.id FROM {{p}}volixta_clients c JOIN \
             (SELECT {column} AS v FROM {{p}}volixta_clients WHERE live = 1 AND {column} IS NOT NULL \
              GROUP BY {column} HAVING COUNT(*) > 1) d ON c.{column} = d.v \
             WHERE c.live = 1 ORDER BY d.v, c.id"
        )))
        .await?;
    let mut groups: Vec<Vec<u64>> = Vec::new();
    let mut last: Option<String> = None;
    for (value, id) in rows {
        if last.as_ref() != Some(&value) {
            groups.push(Vec::new());
            last = Some(value);
        }
        if let Some(g) = groups.last_mut() {
            g.push(id);
        }
    }
    Ok(groups)
}

pub async fn live_names<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Vec<(u64, String, String)>, mysql_async::Error> {
    conn.query(db.sql("SELECT id, first_name, last_name FROM {p}volixta_clients WHERE live = 1"))
        .await
}

pub async fn distinct_pairs<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Vec<(u64, u64)>, mysql_async::Error> {
    conn.query(db.sql("SELECT low_id, high_id FROM {p}volixta_client_distinct_pairs"))
        .await
}

pub async fn insert_distinct_pair(
    tx: &mut Tx,
    db: &Db,
    low: u64,
    high: u64,
    actor: &str,
) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_client_distinct_pairs (low_id, high_id, actor) VALUES (?, ?, ?) \
             ON DUPLICATE KEY UPDATE actor = VALUES(actor)",
        ),
        (low, high, actor),
    )
    .await
}

/// Live clients by id, in the order of `ids`.
pub async fn find_many<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    ids: &[u64],
) -> Result<Vec<Client>, mysql_async::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; ids.len()].join(", ");
    let rows: Vec<ClientRow> = conn
        .exec(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_clients c WHERE c.id IN ({placeholders})"
            )),
            ids.to_vec(),
        )
        .await?;
    let mut by_id: HashMap<u64, Client> = rows
        .into_iter()
        .map(Client::from)
        .map(|c| (c.id, c))
        .collect();
    let mut groups = group_ids_of(conn, db, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            by_id.remove(id).map(|mut c| {
                c.groups = groups.remove(id).unwrap_or_default();
                c
            })
        })
        .collect())
}

/// E-mail and phone of every live client: what an import matches its rows against.
pub async fn live_contacts<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Vec<(u64, Option<String>, Option<String>)>, mysql_async::Error> {
    conn.query(db.sql(
        "SELECT id, email, phone FROM {p}volixta_clients WHERE live = 1 AND (email IS NOT NULL OR phone IS NOT NULL) ORDER BY id",
    ))
    .await
}

/// Reads clients by id, locking them when `lock` (an import's matched rows).
pub async fn lock_many(
    tx: &mut Tx,
    db: &Db,
    ids: &[u64],
    lock: bool,
) -> Result<Vec<Client>, mysql_async::Error> {
    let lock = if lock { "FOR UPDATE" } else { "" };
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let rows: Vec<ClientRow> = tx
            .exec(
                db.sql(&format!(
                    "SELECT {COLUMNS} FROM {{p}}volixta_clients c WHERE c.id IN ({placeholders}) {lock}"
                )),
                chunk.to_vec(),
            )
            .await?;
        out.extend(rows.into_iter().map(Client::from));
    }
    Ok(out)
}

/// Inserts many clients with one statement per 500; returns their ids in order.
pub async fn insert_many(
    tx: &mut Tx,
    db: &Db,
    profiles: &[&Profile],
) -> Result<Vec<u64>, mysql_async::Error> {
    let mut ids = Vec::with_capacity(profiles.len());
    let row = format!("({})", vec!["?"; PROFILE_COLUMNS.len()].join(", "));
    for chunk in profiles.chunks(500) {
        let params: Vec<Value> = chunk.iter().flat_map(|p| profile_values(p)).collect();
        let got: Vec<u64> = tx
            .exec(
                db.sql(&format!(
                    "INSERT INTO {{p}}volixta_clients ({}) VALUES {} RETURNING id",
                    PROFILE_COLUMNS.join(", "),
                    vec![row.as_str(); chunk.len()].join(", ")
                )),
                params,
            )
            .await?;
        ids.extend(got);
    }
    let indexed: Vec<(u64, &Profile)> = ids.iter().copied().zip(profiles.iter().copied()).collect();
    reindex(tx, db, &indexed).await?;
    Ok(ids)
}

/// Saves many profiles with one statement per 500 (rows locked by `lock_many`).
pub async fn save_many(
    tx: &mut Tx,
    db: &Db,
    profiles: &[(u64, &Profile)],
) -> Result<(), mysql_async::Error> {
    let row = format!("(?, {})", vec!["?"; PROFILE_COLUMNS.len()].join(", "));
    let updates = PROFILE_COLUMNS
        .iter()
        .map(|c| format!("{c} = VALUES({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in profiles.chunks(500) {
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(id, p)| std::iter::once(Value::from(*id)).chain(profile_values(p)))
            .collect();
        tx.exec_drop(
            db.sql(&format!(
                "INSERT INTO {{p}}volixta_clients (id, {}) VALUES {} ON DUPLICATE KEY UPDATE {updates}",
                PROFILE_COLUMNS.join(", "),
                vec![row.as_str(); chunk.len()].join(", ")
            )),
            params,
        )
        .await?;
    }
    reindex(tx, db, profiles).await
}

pub async fn status_names<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Vec<String>, mysql_async::Error> {
    conn.query(db.sql("SELECT name FROM {p}volixta_client_statuses"))
        .await
}

pub async fn group_names<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<HashMap<u64, String>, mysql_async::Error> {
    let rows: Vec<(u64, String)> = conn
        .query(db.sql("SELECT id, name FROM {p}volixta_client_groups"))
        .await?;
    Ok(rows.into_iter().collect())
}

/// Rebuilds the search tokens of these clients.
pub async fn reindex(
    tx: &mut Tx,
    db: &Db,
    clients: &[(u64, &Profile)],
) -> Result<(), mysql_async::Error> {
    for chunk in clients.chunks(1000) {
        let ids: Vec<Value> = chunk.iter().map(|(id, _)| Value::from(*id)).collect();
        tx.exec_drop(
            db.sql(&format!(
                "DELETE FROM {{p}}volixta_client_search WHERE client_id IN ({})",
                vec!["?"; ids.len()].join(", ")
            )),
            ids,
        )
        .await?;
        let rows: Vec<(String, u64)> = chunk
            .iter()
            .flat_map(|(id, p)| {
                super::domain::search::tokens(p)
                    .into_iter()
                    .map(move |t| (t, *id))
            })
            .collect();
        for part in rows.chunks(4000) {
            let params: Vec<Value> = part
                .iter()
                .flat_map(|(t, id)| [Value::from(t.as_str()), Value::from(*id)])
                .collect();
            tx.exec_drop(
                db.sql(&format!(
                    "INSERT INTO {{p}}volixta_client_search (token, client_id) VALUES {}",
                    vec!["(?, ?)"; part.len()].join(", ")
                )),
                params,
            )
            .await?;
        }
    }
    Ok(())
}
