use super::domain::{
    Addon, AddonInput, Category, DayOff, Location, LocationChanges, Service, ServiceChanges,
    SpecialDay, Staff, StaffChanges, StaffHours, TimeRuleOverrides, WallTime, WeeklyHours,
};
use crate::{
    db::{Db, Tx},
    money::Money,
};
use chrono::{DateTime, Utc};
use mysql_async::{
    Row, Value, from_value,
    prelude::{FromRow, Queryable},
};
use std::collections::HashMap;

type SqlResult<T> = Result<T, mysql_async::Error>;

/// Category names are unique.
pub const UNIQUE_CATEGORY_NAME: &str = "uq_category_name";
/// A WordPress user is at most one staff member.
pub const UNIQUE_STAFF_WP_USER: &str = "uq_staff_wp_user";

fn wall(minutes: u16) -> WallTime {
    WallTime::from_minutes(minutes).unwrap_or(WallTime::END_OF_DAY)
}

/// Positional, for the staff details only: availability reads them on every request, and the
/// `FromRow` derive, which looks each column up by name in every row, costs about five times as
/// much per row there (0.85 µs against 0.15 µs, measured on 300 rows).
fn col<T: mysql_async::prelude::FromValue>(row: &mut Row, i: usize) -> T {
    from_value(row.take::<Value, _>(i).unwrap_or(Value::NULL))
}

/// `SET a = ?, b = ?` for the keys a patch carries.
#[derive(Default)]
struct Sets {
    columns: Vec<&'static str>,
    params: Vec<Value>,
}

impl Sets {
    fn set(&mut self, column: &'static str, value: Option<impl Into<Value>>) {
        if let Some(v) = value {
            self.columns.push(column);
            self.params.push(v.into());
        }
    }

    /// `update` is the statement's head up to SET, with the table's name written out, so that
    /// the table a repo writes can be read (and checked, tests/ownership.rs) in its source.
    async fn apply(self, tx: &mut Tx, db: &Db, update: &str, id: u64) -> SqlResult<()> {
        if self.columns.is_empty() {
            return Ok(());
        }
        let assignments: Vec<String> = self.columns.iter().map(|c| format!("{c} = ?")).collect();
        let mut params = self.params;
        params.push(id.into());
        tx.exec_drop(
            db.sql(&format!("{update} {} WHERE id = ?", assignments.join(", "))),
            params,
        )
        .await
    }
}

/// Which of `ids` exist in `table`.
pub async fn existing_ids<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    table: &str,
    ids: &[u64],
) -> SqlResult<Vec<u64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(",");
    conn.exec(
        db.sql(&format!(
            "SELECT id FROM {{p}}volixta_{table} WHERE id IN ({marks})"
        )),
        ids.to_vec(),
    )
    .await
}

// ---------------------------------------------------------------- locations

pub async fn insert_location(tx: &mut Tx, db: &Db, c: &LocationChanges) -> SqlResult<u64> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_locations (name, address, timezone, active) VALUES (?, ?, ?, ?)",
        ),
        (
            c.name.as_deref().unwrap_or_default(),
            c.address.as_deref().unwrap_or_default(),
            c.timezone.map(|tz| tz.name()).unwrap_or("UTC"),
            c.active.unwrap_or(true),
        ),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn update_location(tx: &mut Tx, db: &Db, id: u64, c: &LocationChanges) -> SqlResult<()> {
    let mut sets = Sets::default();
    sets.set("name", c.name.clone());
    sets.set("address", c.address.clone());
    sets.set("timezone", c.timezone.map(|tz| tz.name().to_owned()));
    sets.set("active", c.active);
    sets.apply(tx, db, "UPDATE {p}volixta_locations SET", id)
        .await
}

pub async fn replace_location_hours(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    hours: &[WeeklyHours],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_location_hours WHERE location_id = ?"),
        (id,),
    )
    .await?;
    tx.exec_batch(
        db.sql(
            "INSERT INTO {p}volixta_location_hours (location_id, weekday, start_minute, end_minute) \
             VALUES (?, ?, ?, ?)",
        ),
        hours
            .iter()
            .map(|h| (id, h.weekday, h.start.minutes(), h.end.minutes())),
    )
    .await
}

/// One multi-statement round trip; each statement's rows in order. Only for statements built
/// here, with ids spliced as integers.
async fn batch<Q: Queryable>(conn: &mut Q, statements: &[String]) -> SqlResult<Vec<Vec<Row>>> {
    let mut result = conn.query_iter(statements.join(";\n")).await?;
    let mut sets = Vec::with_capacity(statements.len());
    for _ in statements {
        sets.push(result.collect::<Row>().await?);
    }
    Ok(sets)
}

fn next_set(sets: &mut std::vec::IntoIter<Vec<Row>>) -> Vec<Row> {
    sets.next().unwrap_or_default()
}

fn typed<T: mysql_async::prelude::FromRow>(rows: Vec<Row>) -> Vec<T> {
    rows.into_iter().map(mysql_async::from_row).collect()
}

/// `WHERE` for every row (`None`) or one id, spliced as an integer.
fn only_id(column: &str, only: Option<u64>) -> String {
    only.map_or_else(
        || "WHERE 1".to_owned(),
        |id| format!("WHERE {column} = {id}"),
    )
}

fn location_statements(db: &Db, only: Option<u64>) -> Vec<String> {
    vec![
        db.sql(&format!(
            "SELECT id, name, address, timezone, active, created_at, updated_at \
             FROM {{p}}volixta_locations {} ORDER BY name, id",
            only_id("id", only)
        )),
        db.sql(&format!(
            "SELECT location_id, weekday, start_minute, end_minute FROM {{p}}volixta_location_hours \
             {} ORDER BY location_id, weekday, start_minute",
            only_id("location_id", only)
        )),
    ]
}

#[derive(FromRow)]
struct LocationRow {
    id: u64,
    name: String,
    address: String,
    timezone: String,
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

#[derive(FromRow)]
struct HoursRow {
    location_id: u64,
    weekday: u8,
    start_minute: u16,
    end_minute: u16,
}

fn build_locations(sets: &mut std::vec::IntoIter<Vec<Row>>) -> Vec<Location> {
    let rows: Vec<LocationRow> = typed(next_set(sets));
    let mut by_location: HashMap<u64, Vec<WeeklyHours>> = HashMap::new();
    for h in typed::<HoursRow>(next_set(sets)) {
        by_location
            .entry(h.location_id)
            .or_default()
            .push(WeeklyHours {
                weekday: h.weekday,
                start: wall(h.start_minute),
                end: wall(h.end_minute),
            });
    }
    rows.into_iter()
        .map(|r| Location {
            opening_hours: by_location.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name: r.name,
            address: r.address,
            timezone: r.timezone,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect()
}

/// Locations with their opening hours; one location when `only` is given.
pub async fn locations<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    only: Option<u64>,
) -> SqlResult<Vec<Location>> {
    let sets = batch(conn, &location_statements(db, only)).await?;
    Ok(build_locations(&mut sets.into_iter()))
}

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
             max_booking_ahead_days, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    tx.exec_batch(
        db.sql("INSERT INTO {p}volixta_service_locations (service_id, location_id) VALUES (?, ?)"),
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
    tx.exec_batch(
        db.sql("INSERT INTO {p}volixta_staff_services (staff_id, service_id) VALUES (?, ?)"),
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
                         duration_minutes = ?, max_quantity = ?, position = ?, active = 1 \
                         WHERE id = ? AND service_id = ?",
                    ),
                    (
                        &a.name,
                        a.price.amount(),
                        a.duration_minutes,
                        a.max_quantity,
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
                         (service_id, name, price, duration_minutes, max_quantity, position) \
                         VALUES (?, ?, ?, ?, ?, ?)",
                    ),
                    (
                        service_id,
                        &a.name,
                        a.price.amount(),
                        a.duration_minutes,
                        a.max_quantity,
                        position,
                    ),
                )
                .await?;
            }
        }
    }
    Ok(())
}

fn service_statements(db: &Db, only: Option<u64>) -> Vec<String> {
    let sub = only_id("service_id", only);
    vec![
        db.sql(&format!(
            "SELECT s.id, s.category_id, c.name AS category, s.name, s.description, s.duration_minutes, \
             s.price, s.capacity, s.buffer_before_minutes, s.buffer_after_minutes, \
             s.min_booking_notice_minutes, s.min_change_notice_minutes, \
             s.slot_interval_minutes, s.max_booking_ahead_days, s.active, s.created_at, \
             s.updated_at FROM {{p}}volixta_services s \
             LEFT JOIN {{p}}volixta_service_categories c ON c.id = s.category_id \
             {} ORDER BY c.position, s.name, s.id",
            only_id("s.id", only)
        )),
        // Locations, staff and add-ons of the services in one statement, as for staff.
        db.sql(&format!(
            "SELECT 'l' AS k, service_id, location_id AS a, NULL AS name, NULL AS price, \
             NULL AS duration, NULL AS quantity, 0 AS position \
             FROM {{p}}volixta_service_locations {sub} \
             UNION ALL SELECT 's', ss.service_id, ss.staff_id, NULL, NULL, NULL, NULL, 0 \
             FROM {{p}}volixta_staff_services ss \
             JOIN {{p}}volixta_staff st ON st.id = ss.staff_id AND st.active = 1 {} \
             UNION ALL SELECT 'a', service_id, id, name, price, duration_minutes, max_quantity, \
             position FROM {{p}}volixta_service_addons {sub} AND active = 1 \
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
}

fn build_services(sets: &mut std::vec::IntoIter<Vec<Row>>) -> Vec<Service> {
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

// ---------------------------------------------------------------- staff

pub async fn insert_staff(tx: &mut Tx, db: &Db, c: &StaffChanges) -> SqlResult<u64> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_staff (wp_user_id, first_name, last_name, email, phone, active) \
             VALUES (?, ?, ?, ?, ?, ?)",
        ),
        (
            c.wp_user_id.flatten(),
            c.first_name.as_deref().unwrap_or_default(),
            c.last_name.as_deref().unwrap_or_default(),
            c.email.clone().flatten().map(|e| e.as_str().to_owned()),
            c.phone.clone().flatten().map(|p| p.as_str().to_owned()),
            c.active.unwrap_or(true),
        ),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn update_staff(tx: &mut Tx, db: &Db, id: u64, c: &StaffChanges) -> SqlResult<()> {
    let mut sets = Sets::default();
    sets.set("first_name", c.first_name.clone());
    sets.set("last_name", c.last_name.clone());
    sets.set(
        "email",
        c.email
            .as_ref()
            .map(|e| Value::from(e.as_ref().map(|e| e.as_str().to_owned()))),
    );
    sets.set(
        "phone",
        c.phone
            .as_ref()
            .map(|p| Value::from(p.as_ref().map(|p| p.as_str().to_owned()))),
    );
    sets.set("wp_user_id", c.wp_user_id.map(Value::from));
    sets.set("active", c.active);
    sets.apply(tx, db, "UPDATE {p}volixta_staff SET", id).await
}

pub async fn replace_staff_services(
    tx: &mut Tx,
    db: &Db,
    staff_id: u64,
    service_ids: &[u64],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_staff_services WHERE staff_id = ?"),
        (staff_id,),
    )
    .await?;
    tx.exec_batch(
        db.sql("INSERT INTO {p}volixta_staff_services (staff_id, service_id) VALUES (?, ?)"),
        service_ids.iter().map(|s| (staff_id, *s)),
    )
    .await
}

pub async fn replace_staff_hours(
    tx: &mut Tx,
    db: &Db,
    staff_id: u64,
    hours: &[StaffHours],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_staff_hours WHERE staff_id = ?"),
        (staff_id,),
    )
    .await?;
    tx.exec_batch(
        db.sql(
            "INSERT INTO {p}volixta_staff_hours \
             (staff_id, location_id, weekday, start_minute, end_minute) VALUES (?, ?, ?, ?, ?)",
        ),
        hours.iter().map(|h| {
            (
                staff_id,
                h.location_id,
                h.weekday,
                h.start.minutes(),
                h.end.minutes(),
            )
        }),
    )
    .await
}

pub async fn replace_staff_breaks(
    tx: &mut Tx,
    db: &Db,
    staff_id: u64,
    breaks: &[WeeklyHours],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_staff_breaks WHERE staff_id = ?"),
        (staff_id,),
    )
    .await?;
    tx.exec_batch(
        db.sql(
            "INSERT INTO {p}volixta_staff_breaks (staff_id, weekday, start_minute, end_minute) \
             VALUES (?, ?, ?, ?)",
        ),
        breaks
            .iter()
            .map(|b| (staff_id, b.weekday, b.start.minutes(), b.end.minutes())),
    )
    .await
}

pub async fn replace_days_off(
    tx: &mut Tx,
    db: &Db,
    staff_id: u64,
    days: &[DayOff],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_staff_days_off WHERE staff_id = ?"),
        (staff_id,),
    )
    .await?;
    tx.exec_batch(
        db.sql(
            "INSERT INTO {p}volixta_staff_days_off (staff_id, first_date, last_date, reason) \
             VALUES (?, ?, ?, ?)",
        ),
        days.iter()
            .map(|d| (staff_id, d.date, d.until, d.reason.as_str())),
    )
    .await
}

pub async fn replace_special_days(
    tx: &mut Tx,
    db: &Db,
    staff_id: u64,
    days: &[SpecialDay],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_staff_special_days WHERE staff_id = ?"),
        (staff_id,),
    )
    .await?;
    tx.exec_batch(
        db.sql(
            "INSERT INTO {p}volixta_staff_special_days \
             (staff_id, day, location_id, start_minute, end_minute) VALUES (?, ?, ?, ?, ?)",
        ),
        days.iter().map(|d| {
            (
                staff_id,
                d.date,
                d.location_id,
                d.start.minutes(),
                d.end.minutes(),
            )
        }),
    )
    .await
}

#[derive(Clone, Copy, Debug)]
pub enum StaffFilter {
    All,
    One(u64),
    /// The active staff performing a service.
    Performing(u64),
}

fn staff_statements(db: &Db, filter: StaffFilter) -> Vec<String> {
    let (main, sub) = match filter {
        StaffFilter::All => ("WHERE 1".to_owned(), "WHERE 1".to_owned()),
        StaffFilter::One(id) => (format!("WHERE id = {id}"), format!("WHERE staff_id = {id}")),
        StaffFilter::Performing(service_id) => {
            let performing = format!(
                "(SELECT staff_id FROM {{p}}volixta_staff_services WHERE service_id = {service_id})"
            );
            (
                format!("WHERE active = 1 AND id IN {performing}"),
                format!("WHERE staff_id IN {performing}"),
            )
        }
    };
    // The five tables about staff time come as one statement: each statement costs the server
    // about as much as its rows here, and availability reads them on every request.
    let details = format!(
        "SELECT 'v' AS k, staff_id, service_id AS a, NULL AS b, NULL AS c, NULL AS d, \
         NULL AS e, NULL AS f, NULL AS g FROM {{p}}volixta_staff_services {sub} \
         UNION ALL SELECT 'h', staff_id, location_id, weekday, start_minute, end_minute, \
         NULL, NULL, NULL FROM {{p}}volixta_staff_hours {sub} \
         UNION ALL SELECT 'b', staff_id, NULL, weekday, start_minute, end_minute, NULL, NULL, \
         NULL FROM {{p}}volixta_staff_breaks {sub} \
         UNION ALL SELECT 'o', staff_id, NULL, NULL, NULL, NULL, first_date, last_date, reason \
         FROM {{p}}volixta_staff_days_off {sub} \
         UNION ALL SELECT 's', staff_id, location_id, NULL, start_minute, end_minute, day, NULL, \
         NULL FROM {{p}}volixta_staff_special_days {sub} \
         ORDER BY k, staff_id, e, b, c, a"
    );
    vec![
        db.sql(&format!(
            "SELECT id, wp_user_id, first_name, last_name, email, phone, active, created_at, \
             updated_at FROM {{p}}volixta_staff {main} ORDER BY last_name, first_name, id"
        )),
        db.sql(&details),
    ]
}

#[derive(FromRow)]
struct StaffRow {
    id: u64,
    wp_user_id: Option<u64>,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
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

fn build_staff(sets: &mut std::vec::IntoIter<Vec<Row>>) -> Vec<Staff> {
    let rows: Vec<StaffRow> = typed(next_set(sets));
    let mut services: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut hours: HashMap<u64, Vec<StaffHours>> = HashMap::new();
    let mut breaks: HashMap<u64, Vec<WeeklyHours>> = HashMap::new();
    let mut days_off: HashMap<u64, Vec<DayOff>> = HashMap::new();
    let mut special: HashMap<u64, Vec<SpecialDay>> = HashMap::new();
    for mut r in next_set(sets) {
        let kind: String = col(&mut r, 0);
        let st: u64 = col(&mut r, 1);
        match kind.as_str() {
            "v" => services.entry(st).or_default().push(col(&mut r, 2)),
            "h" => hours.entry(st).or_default().push(StaffHours {
                location_id: col(&mut r, 2),
                weekday: col(&mut r, 3),
                start: wall(col(&mut r, 4)),
                end: wall(col(&mut r, 5)),
            }),
            "b" => breaks.entry(st).or_default().push(WeeklyHours {
                weekday: col(&mut r, 3),
                start: wall(col(&mut r, 4)),
                end: wall(col(&mut r, 5)),
            }),
            "o" => days_off.entry(st).or_default().push(DayOff {
                date: col(&mut r, 6),
                until: col(&mut r, 7),
                reason: col(&mut r, 8),
            }),
            _ => special.entry(st).or_default().push(SpecialDay {
                date: col(&mut r, 6),
                location_id: col(&mut r, 2),
                start: wall(col(&mut r, 4)),
                end: wall(col(&mut r, 5)),
            }),
        }
    }
    rows.into_iter()
        .map(|r| Staff {
            service_ids: services.remove(&r.id).unwrap_or_default(),
            working_hours: hours.remove(&r.id).unwrap_or_default(),
            breaks: breaks.remove(&r.id).unwrap_or_default(),
            days_off: days_off.remove(&r.id).unwrap_or_default(),
            special_days: special.remove(&r.id).unwrap_or_default(),
            id: r.id,
            wp_user_id: r.wp_user_id,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect()
}

/// Staff with everything that shapes their time.
pub async fn staff<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    filter: StaffFilter,
) -> SqlResult<Vec<Staff>> {
    let sets = batch(conn, &staff_statements(db, filter)).await?;
    Ok(build_staff(&mut sets.into_iter()))
}

/// One service, one location and the active staff performing the service, in one round trip.
pub async fn offering<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    service_id: u64,
    location_id: u64,
) -> SqlResult<(Option<Service>, Option<Location>, Vec<Staff>)> {
    let mut statements = service_statements(db, Some(service_id));
    statements.extend(location_statements(db, Some(location_id)));
    statements.extend(staff_statements(db, StaffFilter::Performing(service_id)));
    let mut sets = batch(conn, &statements).await?.into_iter();
    let service = build_services(&mut sets).pop();
    let location = build_locations(&mut sets).pop();
    Ok((service, location, build_staff(&mut sets)))
}

/// Locks the row so concurrent patches of one record apply one after the other.
pub async fn lock_row(tx: &mut Tx, db: &Db, table: &str, id: u64) -> SqlResult<bool> {
    let found: Option<u64> = tx
        .exec_first(
            db.sql(&format!(
                "SELECT id FROM {{p}}volixta_{table} WHERE id = ? FOR UPDATE"
            )),
            (id,),
        )
        .await?;
    Ok(found.is_some())
}
