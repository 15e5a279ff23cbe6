use super::{Client, ListQuery, NewClient};
use crate::{
    db::{Db, Tx, to_utc},
    money::Money,
};
use chrono::NaiveDateTime;
use mysql_async::{Row, prelude::Queryable};
use rust_decimal::Decimal;

const COLUMNS: &str = "id, wp_user_id, first_name, last_name, email, phone, status, blocked, \
                       wallet_balance, created_at, updated_at, deleted_at, merged_into_id";

fn from_row(mut row: Row) -> Client {
    let mut take = |name: &str| {
        row.take::<mysql_async::Value, _>(name)
            .unwrap_or(mysql_async::Value::NULL)
    };
    let opt_str = |v| mysql_async::from_value::<Option<String>>(v);
    let opt_u64 = |v| mysql_async::from_value::<Option<u64>>(v);
    let ts = |v| to_utc(mysql_async::from_value::<NaiveDateTime>(v));
    Client {
        id: mysql_async::from_value(take("id")),
        wp_user_id: opt_u64(take("wp_user_id")),
        first_name: mysql_async::from_value(take("first_name")),
        last_name: mysql_async::from_value(take("last_name")),
        email: opt_str(take("email")),
        phone: opt_str(take("phone")),
        status: mysql_async::from_value(take("status")),
        blocked: mysql_async::from_value(take("blocked")),
        wallet_balance: Money::from_db(mysql_async::from_value::<Decimal>(take("wallet_balance"))),
        created_at: ts(take("created_at")),
        updated_at: ts(take("updated_at")),
        deleted_at: mysql_async::from_value::<Option<NaiveDateTime>>(take("deleted_at"))
            .map(to_utc),
        merged_into_id: opt_u64(take("merged_into_id")),
    }
}

pub async fn count_live(tx: &mut Tx, db: &Db) -> Result<u64, mysql_async::Error> {
    let n: Option<u64> = tx
        .query_first(db.sql(
            "SELECT COUNT(*) FROM {p}volixta_clients WHERE deleted_at IS NULL AND merged_into_id IS NULL",
        ))
        .await?;
    Ok(n.unwrap_or(0))
}

pub async fn insert(tx: &mut Tx, db: &Db, c: &NewClient) -> Result<u64, mysql_async::Error> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_clients (wp_user_id, first_name, last_name, email, phone, status) \
             VALUES (?, ?, ?, ?, ?, ?)",
        ),
        (
            c.wp_user_id,
            &c.first_name,
            &c.last_name,
            c.email.as_ref().map(|e| e.as_str()),
            c.phone.as_ref().map(|p| p.as_str()),
            &c.status,
        ),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn find<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<Client>, mysql_async::Error> {
    let row: Option<Row> = conn
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_clients WHERE id = ?"
            )),
            (id,),
        )
        .await?;
    Ok(row.map(from_row))
}

/// Locks the client's row: every wallet change and booking payment of the client goes through it.
pub async fn find_for_update(
    tx: &mut Tx,
    db: &Db,
    id: u64,
) -> Result<Option<Client>, mysql_async::Error> {
    let row: Option<Row> = tx
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_clients WHERE id = ? FOR UPDATE"
            )),
            (id,),
        )
        .await?;
    Ok(row.map(from_row))
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

pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    q: &ListQuery,
) -> Result<Vec<Client>, mysql_async::Error> {
    let mut sql = format!("SELECT {COLUMNS} FROM {{p}}volixta_clients WHERE id > ?");
    let mut params: Vec<mysql_async::Value> = vec![q.after.unwrap_or(0).into()];
    if !q.include_deleted.unwrap_or(false) {
        sql.push_str(" AND deleted_at IS NULL AND merged_into_id IS NULL");
    }
    if let Some(search) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // The column collation (utf8mb4_unicode_ci) makes LIKE case- and accent-insensitive.
        let pattern = format!("%{}%", escape_like(search));
        sql.push_str(
            " AND (CONCAT(first_name, ' ', last_name) LIKE ? OR email LIKE ? OR phone LIKE ?)",
        );
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        let phone_pattern = if digits.is_empty() {
            pattern.clone()
        } else {
            format!("%{digits}%")
        };
        params.extend([pattern.clone().into(), pattern.into(), phone_pattern.into()]);
    }
    sql.push_str(" ORDER BY id LIMIT ?");
    params.push(u64::from(q.limit()).into());
    let rows: Vec<Row> = conn.exec(db.sql(&sql), params).await?;
    Ok(rows.into_iter().map(from_row).collect())
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
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
