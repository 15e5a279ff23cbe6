use super::{Sets, SqlResult, batch, next_set, only_id, typed};
use crate::{
    catalog::domain::{Addon, AddonInput, Category, Service, ServiceChanges, TimeRuleOverrides},
    db::{Db, Tx},
    money::Money,
};
use chrono::{DateTime, Utc};
use mysql_async::{
    Row, Value,
    prelude::{FromRow, Queryable},
};
use std::collections::HashMap;

// ---------------------------------------------------------------- categories

pub async fn insert_category(tx: &mut Tx, db: &Db, name: &str, position: i32) -> SqlResult<u64> {
    tx.exec_drop(
        db.sql("INSERT INTO {p}volixta_service_categories (name, position) VALUES (?, ?)"),
        (name, position),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn update_category(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    name: Option<String>,
    position: Option<i32>,
) -> SqlResult<()> {
    let mut sets = Sets::default();
    sets.set("name", name);
    sets.set("position", position);
    sets.apply(tx, db, "UPDATE {p}volixta_service_categories SET", id)
        .await
}

/// `locking` reads the latest committed row (after a duplicate-key error on insert); the plain
/// read takes no gap lock, so two transactions creating the same category cannot deadlock.
pub async fn category_id_by_name(
    tx: &mut Tx,
    db: &Db,
    name: &str,
    locking: bool,
) -> SqlResult<Option<u64>> {
    let lock = if locking { " LOCK IN SHARE MODE" } else { "" };
    tx.exec_first(
        db.sql(&format!(
            "SELECT id FROM {{p}}volixta_service_categories WHERE name = ?{lock}"
        )),
        (name,),
    )
    .await
}

/// Deletes the category when no service (active or not) belongs to it; `false` otherwise.
pub async fn delete_empty_category(tx: &mut Tx, db: &Db, id: u64) -> SqlResult<bool> {
    tx.exec_drop(
        db.sql(
            "DELETE FROM {p}volixta_service_categories WHERE id = ? AND NOT EXISTS \
             (SELECT 1 FROM {p}volixta_services s WHERE s.category_id = ?)",
        ),
        (id, id),
    )
    .await?;
    Ok(tx.affected_rows() > 0)
}

pub async fn categories<Q: Queryable>(conn: &mut Q, db: &Db) -> SqlResult<Vec<Category>> {
    conn.query(db.sql(
        "SELECT id, name, position FROM {p}volixta_service_categories ORDER BY position, name, id",
    ))
    .await
}

// ---------------------------------------------------------------- services

pub async fn insert_service(
    tx: &mut Tx,
    db: &Db,
    c: &ServiceChanges,
    category_id: Option<u64>,
) -> SqlResult<u64> {
    let rules = c.time_rules.unwrap_or_default();
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_services (category_id, name, description, duration_minutes, \
             price, capacity, buffer_before_minutes, buffer_after_minutes, \
             min_booking_notice_minutes, min_change_notice_minutes, slot_interval_minutes, \
             max_booking_ahead_days, active, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        vec![
            Value::from(category_id),
            c.name.clone().unwrap_or_default().into(),
            c.description.clone().unwrap_or_default().into(),
            c.duration_minutes.unwrap_or(30).into(),
            c.price.unwrap_or(Money::ZERO).amount().into(),
            c.capacity.unwrap_or(1).into(),
            c.buffer_before_minutes.unwrap_or(0).into(),
            c.buffer_after_minutes.unwrap_or(0).into(),
            rules.min_booking_notice_minutes.into(),
            rules.min_change_notice_minutes.into(),
            rules.slot_interval_minutes.into(),
            rules.max_booking_ahead_days.into(),
            c.active.unwrap_or(true).into(),
            c.position.unwrap_or(0).into(),
        ],
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn update_service(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    c: &ServiceChanges,
    category_id: Option<Option<u64>>,
) -> SqlResult<()> {
    let mut sets = Sets::default();
    sets.set("category_id", category_id.map(Value::from));
    sets.set("name", c.name.clone());
    sets.set("description", c.description.clone());
    sets.set("duration_minutes", c.duration_minutes);
    sets.set("price", c.price.map(Money::amount));
    sets.set("capacity", c.capacity);
    sets.set("buffer_before_minutes", c.buffer_before_minutes);
    sets.set("buffer_after_minutes", c.buffer_after_minutes);
    if let Some(r) = c.time_rules {
        sets.set(
            "min_booking_notice_minutes",
            Some(Value::from(r.min_booking_notice_minutes)),
        );
        sets.set(
            "min_change_notice_minutes",
            Some(Value::from(r.min_change_notice_minutes)),
        );
        sets.set(
            "slot_interval_minutes",
            Some(Value::from(r.slot_interval_minutes)),
        );
        sets.set(
            "max_booking_ahead_days",
            Some(Value::from(r.max_booking_ahead_days)),
        );
    }
    sets.set("active", c.active);
    sets.set("position", c.position);
    sets.apply(tx, db, "UPDATE {p}volixta_services SET", id)
        .await
}

pub async fn replace_service_locations(
    tx: &mut Tx,
    db: &Db,
    service_id: u64,
    location_ids: &[u64],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_service_locations WHERE service_id = ?"),
        (service_id,),
    )
    .await?;
    crate::db::exec_each(
        tx,
        &db.sql("INSERT INTO {p}volixta_service_locations (service_id, location_id) VALUES (?, ?)"),
        location_ids.iter().map(|l| (service_id, *l)),
    )
    .await
}

pub async fn replace_service_staff(
    tx: &mut Tx,
    db: &Db,
    service_id: u64,
    staff_ids: &[u64],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_staff_services WHERE service_id = ?"),
        (service_id,),
    )
    .await?;
    crate::db::exec_each(
        tx,
        &db.sql("INSERT INTO {p}volixta_staff_services (staff_id, service_id) VALUES (?, ?)"),
        staff_ids.iter().map(|s| (*s, service_id)),
    )
    .await
}

/// Ids of the service's add-ons, active or retired.
pub async fn addon_ids(tx: &mut Tx, db: &Db, service_id: u64) -> SqlResult<Vec<u64>> {
    tx.exec(
        db.sql("SELECT id FROM {p}volixta_service_addons WHERE service_id = ?"),
        (service_id,),
    )
    .await
}

/// Listed add-ons are updated or added in the given order; unlisted ones are retired, not
/// deleted, because bookings may name them.
pub async fn replace_addons(
    tx: &mut Tx,
    db: &Db,
    service_id: u64,
    addons: &[AddonInput],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_service_addons SET active = 0 WHERE service_id = ?"),
        (service_id,),
    )
    .await?;
    for (position, a) in addons.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        match a.id {
            Some(id) => {
                tx.exec_drop(
                    db.sql(
                        "UPDATE {p}volixta_service_addons SET name = ?, price = ?, \
                         duration_minutes = ?, max_quantity = ?, min_quantity = ?, position = ?, \
                         active = 1 WHERE id = ? AND service_id = ?",
                    ),
                    (
                        &a.name,
                        a.price.amount(),
                        a.duration_minutes,
                        a.max_quantity,
                        a.min_quantity,
                        position,
                        id,
                        service_id,
                    ),
                )
                .await?;
            }
            None => {
                tx.exec_drop(
                    db.sql(
                        "INSERT INTO {p}volixta_service_addons \
                         (service_id, name, price, duration_minutes, max_quantity, min_quantity, \
                         position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ),
                    (
                        service_id,
                        &a.name,
                        a.price.amount(),
                        a.duration_minutes,
                        a.max_quantity,
                        a.min_quantity,
                        position,
                    ),
                )
                .await?;
            }
        }
    }
    Ok(())
}

pub(super) fn service_statements(db: &Db, only: Option<u64>) -> Vec<String> {
    let sub = only_id("service_id", only);
    vec![
        db.sql(&format!(
            "SELECT s.id, s.category_id, c.name AS category, s.name, s.position, s.description, s.duration_minutes, \
             s.price, s.capacity, s.buffer_before_minutes, s.buffer_after_minutes, \
             s.min_booking_notice_minutes, s.min_change_notice_minutes, \
             s.slot_interval_minutes, s.max_booking_ahead_days, s.active, s.created_at, \
             s.updated_at FROM {{p}}volixta_services s \
             LEFT JOIN {{p}}volixta_service_categories c ON c.id = s.category_id \
             {} ORDER BY c.position, c.name, s.position, s.name, s.id",
            only_id("s.id", only)
        )),
        // Locations, staff and add-ons of the services in one statement, as for staff.
        db.sql(&format!(
            "SELECT 'l' AS k, service_id, location_id AS a, NULL AS name, NULL AS price, \
             NULL AS duration, NULL AS quantity, NULL AS min_quantity, 0 AS position \
             FROM {{p}}volixta_service_locations {sub} \
             UNION ALL SELECT 's', ss.service_id, ss.staff_id, NULL, NULL, NULL, NULL, NULL, 0 \
             FROM {{p}}volixta_staff_services ss \
             JOIN {{p}}volixta_staff st ON st.id = ss.staff_id AND st.active = 1 {} \
             UNION ALL SELECT 'a', service_id, id, name, price, duration_minutes, max_quantity, \
             min_quantity, position FROM {{p}}volixta_service_addons {sub} AND active = 1 \
             ORDER BY k, service_id, position, a",
            only_id("ss.service_id", only)
        )),
    ]
}

#[derive(FromRow)]
struct ServiceRow {
    id: u64,
    category_id: Option<u64>,
    category: Option<String>,
    name: String,
    position: i32,
    description: String,
    duration_minutes: u16,
    price: Money,
    capacity: u16,
    buffer_before_minutes: u16,
    buffer_after_minutes: u16,
    min_booking_notice_minutes: Option<u32>,
    min_change_notice_minutes: Option<u32>,
    slot_interval_minutes: Option<u32>,
    max_booking_ahead_days: Option<u32>,
    active: bool,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    created_at: DateTime<Utc>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    updated_at: DateTime<Utc>,
}

/// A service's location (`k = 'l'`), staff member (`'s'`) or add-on (`'a'`, with its terms).
#[derive(FromRow)]
struct ServiceDetailRow {
    k: String,
    service_id: u64,
    a: u64,
    name: Option<String>,
    price: Option<Money>,
    duration: Option<u16>,
    quantity: Option<u16>,
    min_quantity: Option<u16>,
}

pub(super) fn build_services(sets: &mut std::vec::IntoIter<Vec<Row>>) -> Vec<Service> {
    let rows: Vec<ServiceRow> = typed(next_set(sets));
    let mut locations: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut staff: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut addons: HashMap<u64, Vec<Addon>> = HashMap::new();
    for d in typed::<ServiceDetailRow>(next_set(sets)) {
        match d.k.as_str() {
            "l" => locations.entry(d.service_id).or_default().push(d.a),
            "s" => staff.entry(d.service_id).or_default().push(d.a),
            _ => addons.entry(d.service_id).or_default().push(Addon {
                id: d.a,
                name: d.name.unwrap_or_default(),
                price: d.price.unwrap_or_default(),
                duration_minutes: d.duration.unwrap_or_default(),
                min_quantity: d.min_quantity.unwrap_or(1),
                max_quantity: d.quantity.unwrap_or_default(),
            }),
        }
    }
    rows.into_iter()
        .map(|r| Service {
            location_ids: locations.remove(&r.id).unwrap_or_default(),
            staff_ids: staff.remove(&r.id).unwrap_or_default(),
            addons: addons.remove(&r.id).unwrap_or_default(),
            id: r.id,
            category_id: r.category_id,
            category: r.category,
            name: r.name,
            position: r.position,
            description: r.description,
            duration_minutes: r.duration_minutes,
            price: r.price,
            capacity: r.capacity,
            buffer_before_minutes: r.buffer_before_minutes,
            buffer_after_minutes: r.buffer_after_minutes,
            time_rules: TimeRuleOverrides {
                min_booking_notice_minutes: r.min_booking_notice_minutes,
                min_change_notice_minutes: r.min_change_notice_minutes,
                slot_interval_minutes: r.slot_interval_minutes,
                max_booking_ahead_days: r.max_booking_ahead_days,
            },
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect()
}

/// Services with their locations, staff and active add-ons; one service when `only` is given.
pub async fn services<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    only: Option<u64>,
) -> SqlResult<Vec<Service>> {
    let sets = batch(conn, &service_statements(db, only)).await?;
    Ok(build_services(&mut sets.into_iter()))
}
