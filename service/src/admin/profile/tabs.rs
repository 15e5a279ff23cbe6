//! The view models of the profile's tabs (wallet, bookings, reward points, groups, activity):
//! rows worded for the template, and the filters each tab reads from the query.
use super::{Choice, ProfileQuery, TAB_ROWS};
use crate::{
    admin::display::{Clock, Formats, Names, Who},
    audit,
    bookings::{self, Booking, BookingError, CalendarDay},
    clients::{Client, Group},
    paging::{MAX_LIMIT, PageRequest},
    rewards,
    wallet::{self, EntryKind},
};
use chrono::Utc;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct WalletRow {
    pub date: String,
    pub kind: &'static str,
    pub amount: String,
    pub credit: bool,
    pub balance_after: String,
    pub reason: String,
    pub actor: Who,
}

/// The wallet adjustment form as it was sent, and what was wrong with it.
#[derive(Debug, Default, Serialize)]
pub struct AdjustState {
    pub direction: String,
    pub amount: String,
    pub reason: String,
    pub errors: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct WalletTab {
    pub balance: String,
    pub rows: Vec<WalletRow>,
    pub kinds: Vec<Choice>,
    pub from: String,
    pub to: String,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
    /// A fresh key per rendered form: a resent form is the same adjustment, not a second one.
    pub idempotency_key: String,
    pub adjust: AdjustState,
    /// Gift codes a manager may apply to this client.
    pub codes: Vec<Choice>,
    pub code_error: Option<String>,
}

pub const KINDS: &[EntryKind] = &[
    EntryKind::ManualCredit,
    EntryKind::ManualDebit,
    EntryKind::GiftCode,
    EntryKind::BookingPayment,
    EntryKind::CancellationRefund,
    EntryKind::BookingRefund,
    EntryKind::TopUp,
    EntryKind::Merge,
];

pub fn wallet_rows(
    rows: &[wallet::LedgerRow],
    fmt: &Formats,
    clock: Clock,
    names: &Names,
) -> Vec<WalletRow> {
    rows.iter()
        .map(|r| WalletRow {
            date: clock.when(r.created_at),
            kind: r.kind.as_str(),
            amount: fmt.money(r.amount.abs()),
            credit: !r.amount.is_negative(),
            balance_after: fmt.money(r.balance_after),
            reason: r.reason.clone(),
            actor: names.who(&r.actor),
        })
        .collect()
}

pub fn kind_choices(selected: &str) -> Vec<Choice> {
    let selected: Vec<&str> = selected.split(',').collect();
    KINDS
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: k.as_str().to_owned(),
            selected: selected.contains(&k.as_str()),
        })
        .collect()
}

/// The next page's query, when another page follows.
pub fn next_before(q: &ProfileQuery, next_cursor: Option<u64>) -> Option<String> {
    next_cursor.map(|id| q.with("before", &id.to_string()))
}

#[derive(Debug, Serialize)]
pub struct BookingRow {
    pub id: u64,
    pub date: String,
    pub time: String,
    pub service: String,
    pub staff: String,
    pub location: String,
    pub status: &'static str,
    pub payment_status: &'static str,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct BookingsTab {
    /// `list` or `calendar`.
    pub mode: &'static str,
    pub scope: &'static str,
    pub from: String,
    pub to: String,
    pub statuses: Vec<Choice>,
    pub payment_statuses: Vec<Choice>,
    pub rows: Vec<BookingRow>,
    pub days: Vec<CalendarDay>,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
}

/// The tab's filters, read by the bookings domain as `GET /v1/clients/{id}/bookings` reads its
/// own (dates are whole days on the business's clock, `to` included), with the tab's mode.
pub fn bookings_filter(
    q: &ProfileQuery,
    clock: Clock,
) -> Result<
    (
        bookings::ListFilter,
        PageRequest<bookings::Cursor>,
        &'static str,
    ),
    BookingError,
> {
    let mode = if q.get("mode") == "calendar" {
        "calendar"
    } else {
        "list"
    };
    let given = |name: &str| Some(q.get(name).to_owned()).filter(|v| !v.is_empty());
    let query = bookings::ListQuery {
        scope: given("scope"),
        from: given("from"),
        to: given("to"),
        status: given("status"),
        payment_status: given("payment_status"),
        client_id: Some(q.client_id),
        timezone: Some(clock.name().to_owned()),
        cursor: given("cursor"),
        limit: Some(if mode == "calendar" {
            MAX_LIMIT
        } else {
            TAB_ROWS
        }),
        ..bookings::ListQuery::default()
    };
    let (filter, page) = query.filter(TAB_ROWS, Utc::now())?;
    Ok((filter, page, mode))
}

pub fn booking_rows(list: &[Booking], clock: Clock, fmt: &Formats) -> Vec<BookingRow> {
    list.iter()
        .map(|b| BookingRow {
            id: b.id,
            date: clock.date(b.start),
            time: fmt.time(clock, b.start),
            service: b.service_name.clone().unwrap_or_default(),
            staff: b.staff_name.clone().unwrap_or_default(),
            location: b.location_name.clone().unwrap_or_default(),
            status: b.status.as_str(),
            payment_status: b.payment_status.as_str(),
            total: fmt.money_in(b.total, &b.currency),
        })
        .collect()
}

pub fn status_choices<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|s| Choice {
            value: name(*s).to_owned(),
            label: name(*s).to_owned(),
            selected: name(*s) == selected,
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct RewardRow {
    pub date: String,
    pub points: i64,
    pub action: String,
    pub balance_after: u64,
    pub reason: String,
    pub actor: Who,
}

#[derive(Debug, Serialize)]
pub struct RewardsTab {
    pub points: u64,
    pub search: String,
    pub rows: Vec<RewardRow>,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
}

pub fn reward_rows(rows: &[rewards::LedgerRow], clock: Clock, names: &Names) -> Vec<RewardRow> {
    rows.iter()
        .map(|r| RewardRow {
            date: clock.when(r.created_at),
            points: r.points,
            action: serde_json::to_value(r.action)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            balance_after: r.balance_after,
            reason: r.reason.clone(),
            actor: names.who(&r.actor),
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct GroupRow {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub member: bool,
}

pub fn group_rows(groups: &[Group], client: &Client) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|g| GroupRow {
            id: g.id,
            name: g.name.clone(),
            description: g.description.clone(),
            member: client.groups.contains(&g.id),
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct ChangeRow {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize)]
pub struct ActivityRow {
    pub date: String,
    pub actor: Who,
    pub action: String,
    pub changes: Vec<ChangeRow>,
}

#[derive(Debug, Serialize)]
pub struct ActivityTab {
    pub rows: Vec<ActivityRow>,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
}

fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn activity_rows(entries: &[audit::Entry], clock: Clock, names: &Names) -> Vec<ActivityRow> {
    entries
        .iter()
        .map(|e| ActivityRow {
            date: clock.when(e.created_at),
            actor: names.who(&e.actor),
            action: e.action.clone(),
            changes: e
                .changes
                .iter()
                .map(|(field, c)| ChangeRow {
                    field: field.clone(),
                    before: shown(&c.before),
                    after: shown(&c.after),
                })
                .collect(),
        })
        .collect()
}
