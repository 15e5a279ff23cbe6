//! Packages' SQL: the packages and what they cover, the client packages and their uses.
use super::domain::{Held, PackageSpec, SaleMethod, Terms, Use};
use crate::{
    db::{Db, DbError, Tx},
    money::Money,
};
use chrono::{DateTime, NaiveDate, Utc};
use mysql_async::{
    Value,
    prelude::{FromRow, Queryable},
};

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn ids_params(ids: &[u64]) -> Vec<Value> {
    ids.iter().map(|id| Value::from(*id)).collect()
}

pub async fn insert_package(
    tx: &mut Tx,
    db: &Db,
    spec: &PackageSpec,
    actor: &str,
) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_packages (name, description, sessions, validity_days, price, \
             quantity_left, active, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            &spec.name,
            &spec.description,
            spec.sessions,
            spec.validity_days,
            spec.price.amount(),
            spec.quantity,
            spec.active,
            actor,
        ),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn update_package(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    spec: &PackageSpec,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_packages SET name = ?, description = ?, sessions = ?, \
             validity_days = ?, price = ?, quantity_left = ?, active = ? WHERE id = ?",
        ),
        (
            &spec.name,
            &spec.description,
            spec.sessions,
            spec.validity_days,
            spec.price.amount(),
            spec.quantity,
            spec.active,
            id,
        ),
    )
    .await?;
    Ok(())
}

/// Replaces what a package covers.
pub async fn set_coverage(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    service_ids: &[u64],
    location_ids: &[u64],
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_package_services WHERE package_id = ?"),
        (id,),
    )
    .await?;
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_package_locations WHERE package_id = ?"),
        (id,),
    )
    .await?;
    crate::db::exec_each(
        tx,
        &db.sql("INSERT INTO {p}volixta_package_services (package_id, service_id) VALUES (?, ?)"),
        service_ids.iter().map(|s| (id, *s)),
    )
    .await?;
    crate::db::exec_each(
        tx,
        &db.sql("INSERT INTO {p}volixta_package_locations (package_id, location_id) VALUES (?, ?)"),
        location_ids.iter().map(|l| (id, *l)),
    )
    .await?;
    Ok(())
}

/// Which of `ids` name a service (`services`) or location (`locations`) of the catalog.
pub async fn existing<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    catalog_table: CatalogTable,
    ids: &[u64],
) -> Result<Vec<u64>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let table = match catalog_table {
        CatalogTable::Services => "{p}volixta_services",
        CatalogTable::Locations => "{p}volixta_locations",
    };
    conn.exec(
        db.sql(&format!(
            "SELECT id FROM {table} WHERE id IN ({})",
            marks(ids.len())
        )),
        ids_params(ids),
    )
    .await
    .map_err(DbError::from)
}

#[derive(Clone, Copy)]
pub enum CatalogTable {
    Services,
    Locations,
}

#[derive(Clone, Debug, FromRow)]
pub struct PackageRow {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub sessions: u32,
    pub validity_days: Option<u32>,
    pub price: Money,
    pub quantity_left: Option<u32>,
    pub active: bool,
    pub owners: u64,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
}

const PACKAGE_COLUMNS: &str = "p.id, p.name, p.description, p.sessions, p.validity_days, p.price, \
     p.quantity_left, p.active, p.created_at, \
     (SELECT COUNT(DISTINCT cp.client_id) FROM {p}volixta_client_packages cp \
      WHERE cp.package_id = p.id AND cp.removed_at IS NULL) AS owners";

/// Every package, by name.
pub async fn packages<Q: Queryable>(conn: &mut Q, db: &Db) -> Result<Vec<PackageRow>, DbError> {
    conn.query(db.sql(&format!(
        "SELECT {PACKAGE_COLUMNS} FROM {{p}}volixta_packages p ORDER BY p.name, p.id"
    )))
    .await
    .map_err(DbError::from)
}

pub async fn package<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<PackageRow>, DbError> {
    conn.exec_first(
        db.sql(&format!(
            "SELECT {PACKAGE_COLUMNS} FROM {{p}}volixta_packages p WHERE p.id = ?"
        )),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

/// These packages, by name (the owners count is not needed where this is used).
pub async fn packages_by_ids<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    ids: &[u64],
) -> Result<Vec<PackageRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    conn.exec(
        db.sql(&format!(
            "SELECT p.id, p.name, p.description, p.sessions, p.validity_days, p.price, \
             p.quantity_left, p.active, p.created_at, 0 AS owners \
             FROM {{p}}volixta_packages p WHERE p.id IN ({}) ORDER BY p.name, p.id",
            marks(ids.len())
        )),
        ids_params(ids),
    )
    .await
    .map_err(DbError::from)
}

/// The package, locked: its stock is taken under this lock. `owners` is not counted (that
/// would lock every holder's row too).
pub async fn package_for_update(
    tx: &mut Tx,
    db: &Db,
    id: u64,
) -> Result<Option<PackageRow>, DbError> {
    tx.exec_first(
        db.sql(
            "SELECT p.id, p.name, p.description, p.sessions, p.validity_days, p.price, \
             p.quantity_left, p.active, p.created_at, 0 AS owners \
             FROM {p}volixta_packages p WHERE p.id = ? FOR UPDATE",
        ),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

/// Takes `n` from a limited stock (the caller holds the package's lock and checked it).
pub async fn take_stock(tx: &mut Tx, db: &Db, id: u64, n: u32) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_packages SET quantity_left = quantity_left - ? \
             WHERE id = ? AND quantity_left IS NOT NULL",
        ),
        (n, id),
    )
    .await?;
    Ok(())
}

/// (package id, service or location id) pairs of the given packages.
pub async fn coverage<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    catalog_table: CatalogTable,
    package_ids: &[u64],
) -> Result<Vec<(u64, u64)>, DbError> {
    if package_ids.is_empty() {
        return Ok(Vec::new());
    }
    let (table, column) = match catalog_table {
        CatalogTable::Services => ("{p}volixta_package_services", "service_id"),
        CatalogTable::Locations => ("{p}volixta_package_locations", "location_id"),
    };
    conn.exec(
        db.sql(&format!(
            "SELECT package_id, {column} FROM {table} WHERE package_id IN ({}) \
             ORDER BY package_id, {column}",
            marks(package_ids.len())
        )),
        ids_params(package_ids),
    )
    .await
    .map_err(DbError::from)
}

/// Live clients among `ids`.
pub async fn live_clients<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    ids: &[u64],
) -> Result<Vec<u64>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    conn.exec(
        db.sql(&format!(
            "SELECT id FROM {{p}}volixta_clients WHERE id IN ({}) \
             AND deleted_at IS NULL AND merged_into_id IS NULL",
            marks(ids.len())
        )),
        ids_params(ids),
    )
    .await
    .map_err(DbError::from)
}

pub struct NewHeld<'a> {
    pub package_id: u64,
    pub client_id: u64,
    pub terms: Terms,
    pub sale: Option<(Money, SaleMethod)>,
    pub actor: &'a str,
}

pub async fn insert_held(tx: &mut Tx, db: &Db, new: &NewHeld<'_>) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_client_packages (package_id, client_id, sessions_total, \
             activation_date, expires_on, active, sold_price, sold_method, created_by) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            new.package_id,
            new.client_id,
            new.terms.sessions_total,
            new.terms.activation_date,
            new.terms.expires_on,
            new.terms.active,
            new.sale.map(|(price, _)| price.amount()),
            new.sale.map(|(_, method)| method.as_str()),
            new.actor,
        ),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

#[derive(FromRow)]
struct HeldRow {
    id: u64,
    package_id: u64,
    client_id: u64,
    name: String,
    sessions_total: u32,
    sessions_used: u32,
    activation_date: NaiveDate,
    expires_on: Option<NaiveDate>,
    active: bool,
    sold_price: Option<Money>,
    sold_method: Option<String>,
    created_by: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    created_at: DateTime<Utc>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    removed_at: Option<DateTime<Utc>>,
    removed_reason: Option<String>,
}

impl From<HeldRow> for Held {
    fn from(r: HeldRow) -> Self {
        Self {
            id: r.id,
            package_id: r.package_id,
            client_id: r.client_id,
            name: r.name,
            terms: Terms {
                sessions_total: r.sessions_total,
                sessions_used: r.sessions_used,
                activation_date: r.activation_date,
                expires_on: r.expires_on,
                active: r.active,
            },
            sold_price: r.sold_price,
            sold_method: r.sold_method.as_deref().and_then(SaleMethod::parse),
            created_by: r.created_by,
            created_at: r.created_at,
            removed_at: r.removed_at,
            removed_reason: r.removed_reason,
        }
    }
}

const HELD_SELECT: &str = "SELECT cp.id, cp.package_id, cp.client_id, p.name, cp.sessions_total, \
     cp.sessions_used, cp.activation_date, cp.expires_on, cp.active, cp.sold_price, \
     cp.sold_method, cp.created_by, cp.created_at, cp.removed_at, cp.removed_reason \
     FROM {p}volixta_client_packages cp JOIN {p}volixta_packages p ON p.id = cp.package_id";

/// A client's packages, oldest first; removed ones too when asked.
pub async fn held_by_client<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
    with_removed: bool,
) -> Result<Vec<Held>, DbError> {
    let removed = if with_removed {
        ""
    } else {
        " AND cp.removed_at IS NULL"
    };
    let rows: Vec<HeldRow> = conn
        .exec(
            db.sql(&format!(
                "{HELD_SELECT} WHERE cp.client_id = ?{removed} ORDER BY cp.id"
            )),
            (client_id,),
        )
        .await?;
    Ok(rows.into_iter().map(Held::from).collect())
}

/// The holders of one package (removed ones left out), by client.
pub async fn held_of_package<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    package_id: u64,
) -> Result<Vec<Held>, DbError> {
    let rows: Vec<HeldRow> = conn
        .exec(
            db.sql(&format!(
                "{HELD_SELECT} WHERE cp.package_id = ? AND cp.removed_at IS NULL \
                 ORDER BY cp.client_id, cp.id"
            )),
            (package_id,),
        )
        .await?;
    Ok(rows.into_iter().map(Held::from).collect())
}

pub async fn held<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> Result<Option<Held>, DbError> {
    let row: Option<HeldRow> = conn
        .exec_first(db.sql(&format!("{HELD_SELECT} WHERE cp.id = ?")), (id,))
        .await?;
    Ok(row.map(Held::from))
}

/// The columns of a client package alone, for reads that lock its row and no other (its
/// package's row is shared by every holder): the name is filled in afterwards.
const HELD_LOCK: &str = "SELECT cp.id, cp.package_id, cp.client_id, '' AS name, cp.sessions_total, \
     cp.sessions_used, cp.activation_date, cp.expires_on, cp.active, cp.sold_price, \
     cp.sold_method, cp.created_by, cp.created_at, cp.removed_at, cp.removed_reason \
     FROM {p}volixta_client_packages cp";

/// Locked rows read as they are now (a locking read sees the latest commit, where a plain read
/// inside the transaction would see its snapshot), with their packages' names.
async fn locked(
    tx: &mut Tx,
    db: &Db,
    filter: &str,
    params: Vec<Value>,
) -> Result<Vec<Held>, DbError> {
    let rows: Vec<HeldRow> = tx
        .exec(
            db.sql(&format!(
                "{HELD_LOCK} WHERE {filter} ORDER BY cp.id FOR UPDATE"
            )),
            params,
        )
        .await?;
    let mut held: Vec<Held> = rows.into_iter().map(Held::from).collect();
    let mut package_ids: Vec<u64> = held.iter().map(|h| h.package_id).collect();
    package_ids.sort_unstable();
    package_ids.dedup();
    if package_ids.is_empty() {
        return Ok(held);
    }
    let names: Vec<(u64, String)> = tx
        .exec(
            db.sql(&format!(
                "SELECT id, name FROM {{p}}volixta_packages WHERE id IN ({})",
                marks(package_ids.len())
            )),
            ids_params(&package_ids),
        )
        .await?;
    for h in &mut held {
        if let Some((_, name)) = names.iter().find(|(id, _)| *id == h.package_id) {
            h.name.clone_from(name);
        }
    }
    Ok(held)
}

/// The client package, locked: its sessions and terms change only under this lock.
pub async fn held_for_update(tx: &mut Tx, db: &Db, id: u64) -> Result<Option<Held>, DbError> {
    Ok(locked(tx, db, "cp.id = ?", vec![id.into()]).await?.pop())
}

/// The live client packages of `package_id` held by `client_ids`, locked.
pub async fn held_by_clients_for_update(
    tx: &mut Tx,
    db: &Db,
    package_id: u64,
    client_ids: &[u64],
) -> Result<Vec<Held>, DbError> {
    let mut params = vec![Value::from(package_id)];
    params.extend(ids_params(client_ids));
    let filter = format!(
        "cp.package_id = ? AND cp.client_id IN ({}) AND cp.removed_at IS NULL",
        marks(client_ids.len())
    );
    locked(tx, db, &filter, params).await
}

pub async fn update_terms(tx: &mut Tx, db: &Db, id: u64, t: &Terms) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_client_packages SET sessions_total = ?, activation_date = ?, \
             expires_on = ?, active = ? WHERE id = ?",
        ),
        (
            t.sessions_total,
            t.activation_date,
            t.expires_on,
            t.active,
            id,
        ),
    )
    .await?;
    Ok(())
}

pub async fn deactivate(tx: &mut Tx, db: &Db, ids: &[u64]) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    tx.exec_drop(
        db.sql(&format!(
            "UPDATE {{p}}volixta_client_packages SET active = 0 WHERE id IN ({})",
            marks(ids.len())
        )),
        ids_params(ids),
    )
    .await?;
    Ok(())
}

pub async fn remove(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    actor: &str,
    reason: &str,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_client_packages SET removed_at = CURRENT_TIMESTAMP(6), \
             removed_by = ?, removed_reason = ? WHERE id = ?",
        ),
        (actor, reason, id),
    )
    .await?;
    Ok(())
}

/// Whether the package pays for this service at this location (no locations = every one).
pub async fn covers<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    package_id: u64,
    service_id: u64,
    location_id: u64,
) -> Result<bool, DbError> {
    let found: Option<u8> = conn
        .exec_first(
            db.sql(
                "SELECT 1 FROM {p}volixta_package_services s WHERE s.package_id = ? \
                 AND s.service_id = ? AND (NOT EXISTS (SELECT 1 FROM \
                 {p}volixta_package_locations l WHERE l.package_id = s.package_id) \
                 OR EXISTS (SELECT 1 FROM {p}volixta_package_locations l \
                 WHERE l.package_id = s.package_id AND l.location_id = ?))",
            ),
            (package_id, service_id, location_id),
        )
        .await?;
    Ok(found.is_some())
}

/// One more session used, written with its use row (the caller holds the row's lock).
pub async fn take_session(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    booking_id: u64,
    number: u32,
    total: u32,
    actor: &str,
) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_client_packages SET sessions_used = sessions_used + 1 WHERE id = ?",
        ),
        (id,),
    )
    .await?;
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_package_uses (client_package_id, booking_id, \
             session_number, sessions_total, actor) VALUES (?, ?, ?, ?, ?)",
        ),
        (id, booking_id, number, total, actor),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

/// The use of a booking not given back yet, locked: (use id, client package id).
pub async fn open_use_of_booking(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
) -> Result<Option<(u64, u64)>, DbError> {
    tx.exec_first(
        db.sql(
            "SELECT id, client_package_id FROM {p}volixta_package_uses \
             WHERE booking_id = ? AND returned_at IS NULL FOR UPDATE",
        ),
        (booking_id,),
    )
    .await
    .map_err(DbError::from)
}

/// Gives a session back (the caller holds the client package's lock).
pub async fn give_back(
    tx: &mut Tx,
    db: &Db,
    use_id: u64,
    client_package_id: u64,
    actor: &str,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_package_uses SET returned_at = CURRENT_TIMESTAMP(6), \
             returned_by = ? WHERE id = ?",
        ),
        (actor, use_id),
    )
    .await?;
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_client_packages SET sessions_used = sessions_used - 1 \
             WHERE id = ? AND sessions_used > 0",
        ),
        (client_package_id,),
    )
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct UseRow {
    id: u64,
    client_package_id: u64,
    booking_id: u64,
    session_number: u32,
    sessions_total: u32,
    actor: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    used_at: DateTime<Utc>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    returned_at: Option<DateTime<Utc>>,
    returned_by: Option<String>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    booking_start: DateTime<Utc>,
    service_name: String,
    staff_name: String,
    booking_status: String,
}

/// The uses of these client packages, newest first.
pub async fn uses<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_package_ids: &[u64],
) -> Result<Vec<Use>, DbError> {
    if client_package_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<UseRow> = conn
        .exec(
            db.sql(&format!(
                "SELECT u.id, u.client_package_id, u.booking_id, u.session_number, \
                 u.sessions_total, u.actor, u.used_at, u.returned_at, u.returned_by, \
                 b.start_at AS booking_start, s.name AS service_name, \
                 TRIM(CONCAT(st.first_name, ' ', st.last_name)) AS staff_name, \
                 CAST(b.status AS CHAR) AS booking_status \
                 FROM {{p}}volixta_package_uses u \
                 JOIN {{p}}volixta_bookings b ON b.id = u.booking_id \
                 JOIN {{p}}volixta_services s ON s.id = b.service_id \
                 JOIN {{p}}volixta_staff st ON st.id = b.staff_id \
                 WHERE u.client_package_id IN ({}) ORDER BY u.id DESC",
                marks(client_package_ids.len())
            )),
            ids_params(client_package_ids),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Use {
            id: r.id,
            client_package_id: r.client_package_id,
            booking_id: r.booking_id,
            session_number: r.session_number,
            sessions_total: r.sessions_total,
            actor: r.actor,
            used_at: r.used_at,
            returned_at: r.returned_at,
            returned_by: r.returned_by,
            booking_start: r.booking_start,
            service_name: r.service_name,
            staff_name: r.staff_name,
            booking_status: r.booking_status,
        })
        .collect())
}

/// The use a booking made (given back or not): the package's name and "session n of m".
pub async fn use_of_booking<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    booking_id: u64,
) -> Result<Option<(u64, String, u32, u32, bool)>, DbError> {
    conn.exec_first(
        db.sql(
            "SELECT u.client_package_id, p.name, u.session_number, u.sessions_total, \
             (u.returned_at IS NOT NULL) AS returned \
             FROM {p}volixta_package_uses u \
             JOIN {p}volixta_client_packages cp ON cp.id = u.client_package_id \
             JOIN {p}volixta_packages p ON p.id = cp.package_id WHERE u.booking_id = ?",
        ),
        (booking_id,),
    )
    .await
    .map_err(DbError::from)
}

/// Moves a merged client's packages to the kept profile.
pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_client_packages SET client_id = ? WHERE client_id = ?"),
        (to, from),
    )
    .await?;
    Ok(tx.affected_rows())
}
