use super::{Sets, SqlResult, batch, next_set, only_id, typed, wall};
use crate::{
    catalog::domain::{Location, LocationChanges, LocationSpecialDay, Period, WeeklyHours},
    db::{Db, Tx},
};
use chrono::{DateTime, NaiveDate, Utc};
use mysql_async::{
    Row,
    prelude::{FromRow, Queryable},
};
use std::collections::HashMap;

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
    crate::db::exec_each(tx, &
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

pub async fn replace_location_special_days(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    days: &[LocationSpecialDay],
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_location_special_days WHERE location_id = ?"),
        (id,),
    )
    .await?;
    let rows = days.iter().flat_map(|d| {
        let closed = d.closed.then_some((id, d.date, 0u16, 0u16, true));
        d.periods
            .iter()
            .map(move |p| (id, d.date, p.start.minutes(), p.end.minutes(), false))
            .chain(closed)
    });
    crate::db::exec_each(
        tx,
        &db.sql(
            "INSERT INTO {p}volixta_location_special_days \
             (location_id, day, start_minute, end_minute, closed) VALUES (?, ?, ?, ?, ?)",
        ),
        rows,
    )
    .await
}

pub(super) fn location_statements(db: &Db, only: Option<u64>) -> Vec<String> {
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
        db.sql(&format!(
            "SELECT location_id, day, start_minute, end_minute, closed \
             FROM {{p}}volixta_location_special_days {} ORDER BY location_id, day, start_minute",
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

#[derive(FromRow)]
struct SpecialDayRow {
    location_id: u64,
    day: NaiveDate,
    start_minute: u16,
    end_minute: u16,
    closed: bool,
}

pub(super) fn build_locations(sets: &mut std::vec::IntoIter<Vec<Row>>) -> Vec<Location> {
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
    let mut special: HashMap<u64, Vec<LocationSpecialDay>> = HashMap::new();
    for d in typed::<SpecialDayRow>(next_set(sets)) {
        let days = special.entry(d.location_id).or_default();
        if days.last().is_none_or(|last| last.date != d.day) {
            days.push(LocationSpecialDay {
                date: d.day,
                closed: d.closed,
                periods: Vec::new(),
            });
        }
        if !d.closed
            && let Some(last) = days.last_mut()
        {
            last.periods.push(Period {
                start: wall(d.start_minute),
                end: wall(d.end_minute),
            });
        }
    }
    rows.into_iter()
        .map(|r| Location {
            opening_hours: by_location.remove(&r.id).unwrap_or_default(),
            special_days: special.remove(&r.id).unwrap_or_default(),
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
