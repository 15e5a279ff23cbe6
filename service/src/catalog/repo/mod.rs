//! All of the catalog's SQL: locations, categories and services, staff, and the batched reads
//! that availability and bookings make.
use super::domain::{Location, Service, Staff, WallTime};
use crate::db::{Db, Tx};
use mysql_async::{Row, Value, prelude::Queryable};

mod locations;
mod services;
mod staff;

pub use locations::*;
pub use services::*;
pub use staff::*;

use locations::{build_locations, location_statements};
use services::{build_services, service_statements};
use staff::{build_staff, staff_statements};

pub(super) type SqlResult<T> = Result<T, mysql_async::Error>;

/// Category names are unique.
pub const UNIQUE_CATEGORY_NAME: &str = "uq_category_name";
/// A WordPress user is at most one staff member.
pub const UNIQUE_STAFF_WP_USER: &str = "uq_staff_wp_user";

fn wall(minutes: u16) -> WallTime {
    WallTime::from_minutes(minutes).unwrap_or(WallTime::END_OF_DAY)
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
