//! The client list's SQL: every filter is one clause of `Filter`, so a new filter is one more arm.
use super::{COLUMNS, ClientRow, group_ids_of};
use crate::{
    clients::{Channel, Client, ClientError, Cursor, ListQuery, Sort, domain::ids},
    db::Db,
    paging::{Page, PageRequest},
};
use mysql_async::{Value, prelude::Queryable};

/// A WHERE clause under construction: the SQL pieces and their parameters, in order; and, for a
/// search, the matching ids the list starts from.
#[derive(Default)]
pub struct Filter {
    clauses: Vec<String>,
    params: Vec<Value>,
    source: Option<(String, Vec<Value>)>,
}

impl Filter {
    fn push(&mut self, clause: impl Into<String>, params: impl IntoIterator<Item = Value>) {
        self.clauses.push(clause.into());
        self.params.extend(params);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1 = 1".into()
        } else {
            self.clauses.join(" AND ")
        }
    }

    /// The filters of the query, without the cursor.
    pub fn from_query(q: &ListQuery) -> Result<Self, ClientError> {
        let mut f = Self::default();
        if q.deleted == Some(true) {
            f.push("c.deleted_at IS NOT NULL AND c.merged_into_id IS NULL", []);
        } else if !q.include_deleted.unwrap_or(false) {
            f.push("c.live = 1", []);
        }
        let only = ids("ids", q.ids.as_deref())?;
        if only.len() > 500 {
            return Err(ClientError::Invalid {
                field: "ids",
                message: "ids names at most 500 clients".into(),
            });
        }
        if !only.is_empty() {
            f.push(
                format!("c.id IN ({})", Self::in_list(&only)),
                only.into_iter().map(Value::from),
            );
        }
        let statuses = q.statuses();
        if !statuses.is_empty() {
            f.push(
                format!("c.status IN ({})", vec!["?"; statuses.len()].join(", ")),
                statuses.into_iter().map(Value::from),
            );
        }
        if let Some(group) = q.group_id {
            f.push(
                "c.id IN (SELECT m.client_id FROM {p}volixta_client_group_members m WHERE m.group_id = ?)",
                [group.into()],
            );
        }
        if let Some(package) = q.package_id {
            f.push(
                "c.id IN (SELECT cp.client_id FROM {p}volixta_client_packages cp \
                 WHERE cp.package_id = ? AND cp.removed_at IS NULL)",
                [package.into()],
            );
        }
        if let Some(blocked) = q.blocked {
            f.push("c.blocked = ?", [blocked.into()]);
        }
        if let Some(channel) = q.subscribed {
            let column = match channel {
                Channel::Reminders => "c.notify_reminders",
                Channel::Birthday => "c.notify_birthday",
                Channel::Marketing => "c.notify_marketing",
            };
            // A blocked client receives nothing but what staff send by hand.
            f.push(format!("{column} = 1 AND c.blocked = 0"), []);
        }
        booking_clauses(&mut f, q)?;
        if let Some(search) = q.search.as_deref() {
            f.source = search_source(&crate::clients::domain::search::words(search));
        }
        Ok(f)
    }

    fn in_list(ids: &[u64]) -> String {
        vec!["?"; ids.len()].join(", ")
    }

    fn after(&mut self, sort: Sort, cursor: &Cursor) {
        match (sort, cursor) {
            (Sort::Id, Cursor::Id(id)) => self.push("c.id > ?", [(*id).into()]),
            (Sort::IdDesc, Cursor::Id(id)) => self.push("c.id < ?", [(*id).into()]),
            (Sort::Name | Sort::NameDesc, Cursor::Name { last, first, id }) => {
                let op = if sort == Sort::Name { ">" } else { "<" };
                self.push(
                    format!(
                        "(c.last_name {op} ? OR (c.last_name = ? AND (c.first_name {op} ? \
                         OR (c.first_name = ? AND c.id {op} ?))))"
                    ),
                    [
                        last.as_str().into(),
                        last.as_str().into(),
                        first.as_str().into(),
                        first.as_str().into(),
                        (*id).into(),
                    ],
                );
            }
            // `Cursor::decode` ties a cursor to its sort, so these do not occur.
            _ => {}
        }
    }
}

/// Bookings that count as using a service: all but cancelled ones.
const USED: &str = "b.status <> 'cancelled'";

/// The filters on what clients booked, each one clause over `{p}volixta_bookings`.
fn booking_clauses(f: &mut Filter, q: &ListQuery) -> Result<(), ClientError> {
    let used_services = ids("used_service_ids", q.used_service_ids.as_deref())?;
    let used_categories = ids("used_category_ids", q.used_category_ids.as_deref())?;
    let unused_services = ids("unused_service_ids", q.unused_service_ids.as_deref())?;
    let unused_categories = ids("unused_category_ids", q.unused_category_ids.as_deref())?;
    if !used_services.is_empty() {
        f.push(
            format!(
                "c.id IN (SELECT b.client_id FROM {{p}}volixta_bookings b WHERE {USED} AND b.service_id IN ({}))",
                Filter::in_list(&used_services)
            ),
            used_services.into_iter().map(Value::from),
        );
    }
    if !used_categories.is_empty() {
        f.push(
            format!(
                "c.id IN (SELECT b.client_id FROM {{p}}volixta_bookings b JOIN {{p}}volixta_services s ON s.id = b.service_id \
                 WHERE {USED} AND s.category_id IN ({}))",
                Filter::in_list(&used_categories)
            ),
            used_categories.into_iter().map(Value::from),
        );
    }
    if !unused_services.is_empty() {
        f.push(
            format!(
                "NOT EXISTS (SELECT 1 FROM {{p}}volixta_bookings b WHERE b.client_id = c.id AND {USED} \
                 AND b.service_id IN ({}))",
                Filter::in_list(&unused_services)
            ),
            unused_services.into_iter().map(Value::from),
        );
    }
    if !unused_categories.is_empty() {
        f.push(
            format!(
                "NOT EXISTS (SELECT 1 FROM {{p}}volixta_bookings b JOIN {{p}}volixta_services s ON s.id = b.service_id \
                 WHERE b.client_id = c.id AND {USED} AND s.category_id IN ({}))",
                Filter::in_list(&unused_categories)
            ),
            unused_categories.into_iter().map(Value::from),
        );
    }
    if let (Some(from), Some(to)) = (q.booked_from, q.booked_to)
        && from > to
    {
        return Err(ClientError::Invalid {
            field: "booked_to",
            message: "booked_to is on or after booked_from".into(),
        });
    }
    let dated = q.booked_from.is_some() || q.booked_to.is_some();
    if dated || q.active_bookings.is_some() {
        let active = q.active_bookings.is_some();
        let mut conditions = vec![if active {
            "b.status IN ('pending', 'confirmed')".to_owned()
        } else {
            USED.to_owned()
        }];
        let mut params: Vec<Value> = Vec::new();
        if let Some(from) = q.booked_from {
            conditions.push("b.start_at >= ?".into());
            params.push(from.and_time(chrono::NaiveTime::MIN).into());
        }
        if let Some(to) = q.booked_to {
            conditions.push("b.start_at < ?".into());
            let next_day = to.succ_opt().unwrap_or(to);
            params.push(next_day.and_time(chrono::NaiveTime::MIN).into());
        }
        if active && !dated {
            conditions.push("b.end_at >= UTC_TIMESTAMP(6)".into());
        }
        let sub = format!(
            "SELECT b.client_id FROM {{p}}volixta_bookings b WHERE {}",
            conditions.join(" AND ")
        );
        if q.active_bookings == Some(false) {
            f.push(format!("c.id NOT IN ({sub})"), params);
        } else {
            f.push(format!("c.id IN ({sub})"), params);
        }
    }
    Ok(())
}

/// The ids of clients with a token starting with each word. The list is read from these ids
/// (few, by index range) rather than by scanning clients in order and probing each.
fn search_source(words: &[String]) -> Option<(String, Vec<Value>)> {
    let patterns: Vec<String> = words
        .iter()
        .filter(|w| w.chars().count() >= 2)
        .map(|w| format!("{}%", escape_like(w)))
        .collect();
    if patterns.is_empty() {
        return None;
    }
    let any = vec!["s.token LIKE ?"; patterns.len()].join(" OR ");
    let mut params: Vec<Value> = patterns.iter().map(|p| Value::from(p.as_str())).collect();
    let sql = if patterns.len() == 1 {
        format!("SELECT DISTINCT s.client_id FROM {{p}}volixta_client_search s WHERE {any}")
    } else {
        // Every word must match one of the client's tokens.
        let each =
            vec!["COUNT(DISTINCT CASE WHEN s.token LIKE ? THEN 1 END)"; patterns.len()].join(" + ");
        params.extend(patterns.iter().map(|p| Value::from(p.as_str())));
        params.push((patterns.len() as u64).into());
        format!(
            "SELECT s.client_id FROM {{p}}volixta_client_search s WHERE {any} \
             GROUP BY s.client_id HAVING {each} = ?"
        )
    };
    Some((sql, params))
}

fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::Id => "c.id",
        Sort::IdDesc => "c.id DESC",
        Sort::Name => "c.last_name, c.first_name, c.id",
        Sort::NameDesc => "c.last_name DESC, c.first_name DESC, c.id DESC",
    }
}

pub fn cursor_of(sort: Sort, c: &Client) -> Cursor {
    match sort {
        Sort::Id | Sort::IdDesc => Cursor::Id(c.id),
        Sort::Name | Sort::NameDesc => Cursor::Name {
            last: c.last_name.clone(),
            first: c.first_name.clone(),
            id: c.id,
        },
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One page of the list, in `sort` order.
pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    mut filter: Filter,
    sort: Sort,
    page: &PageRequest<Cursor>,
) -> Result<Page<Client, Cursor>, mysql_async::Error> {
    if let Some(cursor) = &page.after {
        filter.after(sort, cursor);
    }
    let (from, mut params) = match &filter.source {
        Some((ids, ids_params)) => (
            format!("({ids}) m STRAIGHT_JOIN {{p}}volixta_clients c ON c.id = m.client_id"),
            ids_params.clone(),
        ),
        None => ("{p}volixta_clients c".to_owned(), Vec::new()),
    };
    params.extend(filter.params.iter().cloned());
    params.push(page.rows_to_read().into());
    let sql = format!(
        "SELECT {COLUMNS} FROM {from} WHERE {} ORDER BY {} LIMIT ?",
        filter.sql(),
        order_by(sort)
    );
    let rows: Vec<ClientRow> = conn.exec(db.sql(&sql), params).await?;
    let rows = rows.into_iter().map(Client::from).collect();
    let mut page = Page::from_rows(rows, page.limit, |c| cursor_of(sort, c));
    let ids: Vec<u64> = page.items.iter().map(|c| c.id).collect();
    let mut groups = group_ids_of(conn, db, &ids).await?;
    for c in &mut page.items {
        c.groups = groups.remove(&c.id).unwrap_or_default();
    }
    Ok(page)
}
