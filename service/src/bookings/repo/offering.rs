//! What the booking transaction reads about the service, staff member, location and client,
//! and the service's price rules.
use super::{SqlResult, col, money};
use crate::bookings::domain::{Deposit, Discount};
use crate::{
    db::{Db, DbError, Tx},
    money::Money,
};
use mysql_async::{Row, prelude::Queryable};
use rust_decimal::Decimal;

/// What the booking transaction needs to know about the service, staff member and location.
#[derive(Clone, Debug)]
pub struct Offering {
    pub service_name: String,
    pub duration_minutes: u32,
    pub price: Money,
    pub capacity: u32,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub service_active: bool,
    pub min_change_notice_minutes: Option<u32>,
    pub deposit: Deposit,
    pub discount: Option<Discount>,
    pub tax_rate_percent: Option<Decimal>,
    /// The staff member exists, is active and performs the service.
    pub staff_performs: bool,
    /// The location exists, is active and offers the service.
    pub location_offers: bool,
    /// `Some(live)` when the client exists.
    pub client_live: Option<bool>,
}

pub fn deposit_of(kind: &str, value: Money) -> Deposit {
    match kind {
        "fixed" => Deposit::Fixed(value),
        "percent" => Deposit::Percent(value),
        _ => Deposit::None,
    }
}

pub fn discount_of(kind: &str, value: Money) -> Option<Discount> {
    match kind {
        "amount" => Some(Discount::Amount(value)),
        "percent" => Some(Discount::Percent(value)),
        _ => None,
    }
}

/// One round trip: the service with its pricing rules, and whether the staff member, the
/// location and the client go with it.
pub async fn offering<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    service_id: u64,
    location_id: u64,
    staff_id: u64,
    client_id: u64,
) -> SqlResult<Option<Offering>> {
    let row: Option<Row> = conn
        .exec_first(
            db.sql(
                "SELECT s.name, s.duration_minutes, s.price, s.capacity, s.buffer_before_minutes, \
                 s.buffer_after_minutes, s.active, s.min_change_notice_minutes, \
                 COALESCE(p.deposit_kind, 'none'), COALESCE(p.deposit_value, 0), \
                 COALESCE(p.discount_kind, 'none'), COALESCE(p.discount_value, 0), p.tax_rate_percent, \
                 EXISTS (SELECT 1 FROM {p}volixta_staff_services ss JOIN {p}volixta_staff st ON st.id = ss.staff_id \
                         WHERE ss.service_id = s.id AND ss.staff_id = ? AND st.active = 1), \
                 EXISTS (SELECT 1 FROM {p}volixta_locations l WHERE l.id = ? AND l.active = 1 AND \
                         (NOT EXISTS (SELECT 1 FROM {p}volixta_service_locations sl WHERE sl.service_id = s.id) \
                          OR EXISTS (SELECT 1 FROM {p}volixta_service_locations sl \
                                     WHERE sl.service_id = s.id AND sl.location_id = l.id))), \
                 (SELECT c.live FROM {p}volixta_clients c WHERE c.id = ?) \
                 FROM {p}volixta_services s LEFT JOIN {p}volixta_service_pricing p ON p.service_id = s.id \
                 WHERE s.id = ?",
            ),
            (staff_id, location_id, client_id, service_id),
        )
        .await?;
    Ok(row.map(|mut r| {
        let deposit_kind: String = col(&mut r, 8);
        let deposit_value = money(&mut r, 9);
        let discount_kind: String = col(&mut r, 10);
        let discount_value = money(&mut r, 11);
        Offering {
            service_name: col(&mut r, 0),
            duration_minutes: col(&mut r, 1),
            price: money(&mut r, 2),
            capacity: col(&mut r, 3),
            buffer_before_minutes: col(&mut r, 4),
            buffer_after_minutes: col(&mut r, 5),
            service_active: col(&mut r, 6),
            min_change_notice_minutes: col(&mut r, 7),
            deposit: deposit_of(&deposit_kind, deposit_value),
            discount: discount_of(&discount_kind, discount_value),
            tax_rate_percent: col(&mut r, 12),
            staff_performs: col(&mut r, 13),
            location_offers: col(&mut r, 14),
            client_live: col(&mut r, 15),
        }
    }))
}

/// (id, name, price, duration, min quantity, max quantity, active) of a service's add-ons.
pub type AddonRow = (u64, String, Decimal, u32, u32, u32, bool);

pub async fn addons<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    service_id: u64,
) -> SqlResult<Vec<AddonRow>> {
    conn.exec(
        db.sql(
            "SELECT id, name, price, duration_minutes, min_quantity, max_quantity, active \
             FROM {p}volixta_service_addons WHERE service_id = ?",
        ),
        (service_id,),
    )
    .await
    .map_err(DbError::from)
}

/// Taken before the booking row is inserted: the insert's foreign-key check would otherwise
/// hold a shared lock that the wallet's exclusive lock has to upgrade, and two bookings of one
/// client paying by wallet would deadlock.
pub async fn lock_client(tx: &mut Tx, db: &Db, client_id: u64) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("SELECT id FROM {p}volixta_clients WHERE id = ? FOR UPDATE"),
        (client_id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn service_exists<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> SqlResult<bool> {
    let found: Option<u64> = conn
        .exec_first(
            db.sql("SELECT id FROM {p}volixta_services WHERE id = ?"),
            (id,),
        )
        .await?;
    Ok(found.is_some())
}

/// Kinds and values as stored: (deposit kind, value, discount kind, value, tax rate).
pub async fn pricing<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    service_id: u64,
) -> SqlResult<Option<(String, Decimal, String, Decimal, Option<Decimal>)>> {
    conn.exec_first(
        db.sql(
            "SELECT deposit_kind, deposit_value, discount_kind, discount_value, tax_rate_percent \
             FROM {p}volixta_service_pricing WHERE service_id = ?",
        ),
        (service_id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn save_pricing(
    tx: &mut Tx,
    db: &Db,
    service_id: u64,
    deposit: Deposit,
    discount: Option<Discount>,
    tax_rate_percent: Option<Decimal>,
) -> SqlResult<()> {
    let (deposit_kind, deposit_value) = match deposit {
        Deposit::None => ("none", Money::ZERO),
        Deposit::Fixed(v) => ("fixed", v),
        Deposit::Percent(v) => ("percent", v),
    };
    let (discount_kind, discount_value) = match discount {
        None => ("none", Money::ZERO),
        Some(Discount::Amount(v)) => ("amount", v),
        Some(Discount::Percent(v)) => ("percent", v),
    };
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_service_pricing \
             (service_id, deposit_kind, deposit_value, discount_kind, discount_value, tax_rate_percent) \
             VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE deposit_kind = VALUES(deposit_kind), \
             deposit_value = VALUES(deposit_value), discount_kind = VALUES(discount_kind), \
             discount_value = VALUES(discount_value), tax_rate_percent = VALUES(tax_rate_percent)",
        ),
        (
            service_id,
            deposit_kind,
            deposit_value.amount(),
            discount_kind,
            discount_value.amount(),
            tax_rate_percent,
        ),
    )
    .await
    .map_err(DbError::from)
}
