//! wp-admin → Volixta → Invoices (`?page=volixta-invoices`): every invoice and credit note of
//! the business, newest first, with filters, one document opened with its lines, and its PDF.
//! What a document says and who may see it are the invoices domain's (`invoices::list_among`,
//! `invoices::get`); this screen only words its answers.
//!
//! The screen's state is its query string: `client` (a name, e-mail or phone) or `client_id`,
//! `from` and `to` (days of issue on the business's clock), `status`, `number` (its
//! beginning), `kind`, `cursor` (the page), and `invoice=<id>` (the document opened).
pub mod http;

use super::{
    display::{Clock, Formats},
    profile::Choice,
};
use crate::{
    auth::Actor,
    clients,
    db::Db,
    error::ApiResult,
    i18n::Locale,
    invoices::{self, InvoiceError, Kind, ListQuery, State, Summary},
    money::Money,
};
use chrono::{DateTime, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// Rows per page.
const ROWS: u16 = 25;
/// Clients a name search may stand for at once.
const CLIENTS: u16 = 200;

/// The keys the screen reads; anything else in the query (`rest_route`, …) is left out.
const KEYS: &[&str] = &[
    "client",
    "client_id",
    "from",
    "to",
    "status",
    "number",
    "kind",
    "cursor",
    "invoice",
];

/// The statuses the filter offers: open invoices by their booking's payment status, and
/// invoices a credit note cancelled.
const STATUSES: &[&str] = &[
    "paid",
    "partially_paid",
    "unpaid",
    "pending",
    "refunded",
    "credited",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvoicesQuery {
    pub page: String,
    values: BTreeMap<&'static str, String>,
}

impl InvoicesQuery {
    pub fn parse(raw: Option<&str>) -> Self {
        let mut q = Self {
            page: "volixta-invoices".to_owned(),
            ..Self::default()
        };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            if key == "page" {
                let plain = (1..=64).contains(&value.len())
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if plain {
                    value.clone_into(&mut q.page);
                }
            } else if let Some(name) = KEYS.iter().find(|k| **k == key)
                && !value.is_empty()
            {
                q.values.insert(*name, value.chars().take(200).collect());
            }
        }
        q
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// This state with `changes` applied (`None` removes a key), as a query string.
    fn with(&self, changes: &[(&'static str, Option<String>)]) -> String {
        let mut values = self.values.clone();
        for (k, v) in changes {
            match v {
                Some(v) => values.insert(*k, v.clone()),
                None => values.remove(k),
            };
        }
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("page", &self.page);
        for (k, v) in &values {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

/// A filter the list could not apply, said beside the filters instead of a list that would
/// pretend to match it.
#[derive(Debug, Serialize)]
pub struct FilterError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub id: u64,
    pub number: String,
    pub credit_note: bool,
    pub issued: String,
    pub client_id: u64,
    pub client: String,
    pub booking_id: u64,
    pub booking_date: String,
    pub service: String,
    pub total: String,
    pub method: Option<&'static str>,
    /// `paid`, `partially_paid`, … for an open invoice; `credited` or `credit_note` otherwise.
    pub status: &'static str,
    /// The invoice a credit note credits, or the credit note of a credited invoice (or the
    /// invoice a corrected one replaces), with the query that finds it.
    pub related: Option<(String, String)>,
    /// The query that opens it.
    pub open: String,
    /// The proxy path of its PDF.
    pub pdf: String,
}

#[derive(Debug, Serialize)]
pub struct LineView {
    pub description: String,
    pub quantity: u32,
    pub unit_price: String,
    pub discount: String,
    pub tax_rate: String,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct TaxView {
    pub rate: String,
    pub base: String,
    pub tax: String,
}

#[derive(Debug, Serialize)]
pub struct PaymentView {
    pub date: String,
    pub refund: bool,
    pub method: &'static str,
    pub amount: String,
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SiblingView {
    pub number: String,
    pub credit_note: bool,
    pub total: String,
    pub current: bool,
    pub open: String,
}

/// The document opened, as its PDF prints it.
#[derive(Debug, Serialize)]
pub struct Detail {
    pub id: u64,
    pub number: String,
    pub credit_note: bool,
    pub status: &'static str,
    pub reason: String,
    pub related_number: Option<String>,
    pub issued: String,
    pub booking_id: u64,
    /// The booking's start on its location's clock.
    pub booking_when: String,
    pub booking_zone: String,
    pub service: String,
    pub staff: String,
    pub location: String,
    pub location_address: String,
    pub client_id: u64,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_address: String,
    pub lines: Vec<LineView>,
    pub prices_include_tax: bool,
    pub subtotal: String,
    pub discount_total: String,
    pub taxes: Vec<TaxView>,
    pub tax_total: String,
    pub total: String,
    pub deposit: Option<String>,
    pub credits_used: Option<String>,
    pub package_session: Option<String>,
    pub payments: Vec<PaymentView>,
    pub amount_paid: String,
    pub balance_due: String,
    pub documents: Vec<SiblingView>,
    pub pdf: String,
    pub close: String,
}

#[derive(Debug, Serialize)]
pub struct InvoicesScreen {
    pub page: String,
    pub timezone: &'static str,
    pub client: String,
    pub client_id: Option<u64>,
    /// The name of the client `client_id` names, for the filter's "only" link.
    pub client_name: String,
    pub from: String,
    pub to: String,
    pub number: String,
    pub statuses: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub error: Option<FilterError>,
    /// The field of `error`, for the filter to mark (empty without one).
    pub error_field: String,
    /// The search matched no client: nothing to list.
    pub no_client: bool,
    pub rows: Vec<Row>,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
    pub detail: Option<Detail>,
    /// The document asked for does not exist.
    pub missing: bool,
}

fn choices(values: &[&str], selected: &str) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            value: (*v).to_owned(),
            label: (*v).to_owned(),
            selected: *v == selected,
        })
        .collect()
}

/// The badge a document wears: its booking's payment status while it is the invoice in
/// force, else what a credit note made of it.
fn badge(kind: Kind, state: State, payment: crate::bookings::PaymentStatus) -> &'static str {
    match (kind, state) {
        (Kind::CreditNote, _) => "credit_note",
        (_, State::Credited) => "credited",
        _ => payment.as_str(),
    }
}

fn date_filter(q: &InvoicesQuery, name: &str) -> Result<Option<NaiveDate>, FilterError> {
    match q.get(name) {
        "" => Ok(None),
        v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FilterError {
                field: name.to_owned(),
                message: "Enter a date like 2026-01-31.".to_owned(),
            }),
    }
}

/// The list query of the filters, or the first filter that means nothing.
fn list_query(q: &InvoicesQuery) -> Result<ListQuery, FilterError> {
    let client_id = match q.get("client_id") {
        "" => None,
        v => Some(v.parse().map_err(|_| FilterError {
            field: "client_id".into(),
            message: "Not a client.".into(),
        })?),
    };
    let text = |name: &str| Some(q.get(name).to_owned()).filter(|s| !s.is_empty());
    Ok(ListQuery {
        client_id,
        from: date_filter(q, "from")?,
        to: date_filter(q, "to")?,
        status: text("status"),
        number: text("number"),
        kind: text("kind"),
        limit: Some(ROWS),
        cursor: text("cursor"),
    })
}

fn row(s: &Summary, q: &InvoicesQuery, clock: Clock, fmt: &Formats) -> Row {
    Row {
        id: s.id,
        number: s.number.clone(),
        credit_note: s.kind == Kind::CreditNote,
        issued: clock.date(s.issued_at),
        client_id: s.client_id,
        client: s.client_name.clone(),
        booking_id: s.booking_id,
        booking_date: clock.date(s.booking_start),
        service: s.service_name.clone(),
        total: fmt.money_in(s.total, &s.currency),
        method: s.payment_method.map(crate::bookings::PaymentMethod::as_str),
        status: badge(s.kind, s.state, s.payment_status),
        related: s.related_number.as_ref().map(|n| {
            (
                n.clone(),
                q.with(&[
                    ("number", Some(n.clone())),
                    ("cursor", None),
                    ("invoice", None),
                    ("status", None),
                    ("kind", None),
                ]),
            )
        }),
        open: q.with(&[("invoice", Some(s.id.to_string()))]),
        pdf: format!("invoices/{}/pdf", s.id),
    }
}

fn detail(inv: invoices::Invoice, q: &InvoicesQuery, clock: Clock, fmt: &Formats) -> Detail {
    let money = |m: Money| fmt.money_in(m, &inv.currency);
    let booking_when = DateTime::parse_from_rfc3339(&inv.booking.local_start)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| clock.when(inv.booking.start));
    Detail {
        id: inv.id,
        number: inv.number.clone(),
        credit_note: inv.kind == Kind::CreditNote,
        status: badge(inv.kind, inv.state, inv.payment_status),
        reason: inv.reason.clone(),
        related_number: inv.related_number.clone(),
        issued: clock.when(inv.issued_at),
        booking_id: inv.booking_id,
        booking_when,
        booking_zone: inv.booking.timezone.clone(),
        service: inv.booking.service.clone(),
        staff: inv.booking.staff.clone(),
        location: inv.booking.location.clone(),
        location_address: inv.booking.location_address.clone(),
        client_id: inv.client_id,
        buyer_name: inv.parties.buyer_name.clone(),
        buyer_email: inv.parties.buyer_email.clone(),
        buyer_address: inv.parties.buyer_address.clone(),
        lines: inv
            .lines
            .iter()
            .map(|l| LineView {
                description: l.description.clone(),
                quantity: l.quantity,
                unit_price: money(l.unit_price),
                discount: money(l.discount),
                tax_rate: format!("{} %", l.tax_rate),
                total: money(l.total),
            })
            .collect(),
        prices_include_tax: inv.prices_include_tax,
        subtotal: money(inv.subtotal),
        discount_total: money(inv.discount_total),
        taxes: inv
            .taxes
            .iter()
            .map(|t| TaxView {
                rate: format!("{} %", t.rate),
                base: money(t.base),
                tax: money(t.tax),
            })
            .collect(),
        tax_total: money(inv.tax_total),
        total: money(inv.total),
        deposit: inv.deposit.map(money),
        credits_used: (!inv.credits_used.is_zero()).then(|| money(inv.credits_used)),
        package_session: inv.package_session.clone(),
        payments: inv
            .payments
            .iter()
            .map(|p| PaymentView {
                date: clock.when(p.at),
                refund: p.kind == crate::bookings::PaymentKind::Refund,
                method: p.method.as_str(),
                amount: money(p.amount),
                status: p.status.as_str(),
            })
            .collect(),
        amount_paid: money(inv.amount_paid),
        balance_due: money(inv.balance_due),
        documents: inv
            .documents
            .iter()
            .map(|d| SiblingView {
                number: d.number.clone(),
                credit_note: d.kind == Kind::CreditNote,
                total: money(d.total),
                current: d.id == inv.id,
                open: q.with(&[("invoice", Some(d.id.to_string()))]),
            })
            .collect(),
        pdf: format!("invoices/{}/pdf", inv.id),
        close: q.with(&[("invoice", None)]),
    }
}

/// Live clients matching a name, e-mail or phone.
async fn search_clients(db: &Db, search: &str) -> ApiResult<Vec<u64>> {
    let query = clients::ListQuery {
        search: Some(search.to_owned()),
        limit: Some(CLIENTS),
        ..clients::ListQuery::default()
    };
    Ok(clients::list(db, &query)
        .await?
        .items
        .iter()
        .map(|c| c.id)
        .collect())
}

/// The screen for a query, as `actor` (a manager or an administrator) may see it.
pub async fn screen(
    db: &Db,
    actor: Actor,
    site: &Locale,
    q: &InvoicesQuery,
) -> ApiResult<InvoicesScreen> {
    let clock = Clock::business(db).await?;
    let fmt = Formats::load(db, site).await?;
    let mut error = None;
    let mut no_client = false;
    let mut page = None;
    match list_query(q) {
        Err(e) => error = Some(e),
        Ok(list) => {
            let among = match (list.client_id, q.get("client")) {
                (None, search) if !search.is_empty() => {
                    let ids = search_clients(db, search).await?;
                    no_client = ids.is_empty();
                    ids
                }
                _ => Vec::new(),
            };
            if !no_client {
                match invoices::list_among(db, actor, &list, &among).await {
                    Ok(p) => page = Some(p),
                    Err(InvoiceError::Field { field, message }) => {
                        error = Some(FilterError { field, message });
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let client_id = q.get("client_id").parse().ok();
    let client_name = match client_id {
        Some(id) => clients::get(db, id)
            .await
            .map(|c| c.full_name())
            .unwrap_or_else(|_| format!("#{id}")),
        None => String::new(),
    };
    let (detail, missing) = match q.get("invoice").parse::<u64>() {
        Err(_) => (None, !q.get("invoice").is_empty()),
        Ok(id) => match invoices::get(db, actor, id).await {
            Ok(inv) => (Some(detail(inv, q, clock, &fmt)), false),
            Err(InvoiceError::NotFound) => (None, true),
            Err(e) => return Err(e.into()),
        },
    };
    let (rows, next) = page.map_or((Vec::new(), None), |p| (p.items, p.next_cursor));
    Ok(InvoicesScreen {
        page: q.page.clone(),
        timezone: clock.name(),
        client: q.get("client").to_owned(),
        client_id,
        client_name,
        from: q.get("from").to_owned(),
        to: q.get("to").to_owned(),
        number: q.get("number").to_owned(),
        statuses: choices(STATUSES, q.get("status")),
        kinds: choices(&["invoice", "credit_note"], q.get("kind")),
        error_field: error.as_ref().map(|e| e.field.clone()).unwrap_or_default(),
        error,
        no_client,
        rows: rows.iter().map(|s| row(s, q, clock, &fmt)).collect(),
        next_page: next.map(|c| q.with(&[("cursor", Some(c)), ("invoice", None)])),
        first_page: q.with(&[("cursor", None), ("invoice", None)]),
        is_first_page: q.get("cursor").is_empty(),
        detail,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_keeps_what_the_screen_reads() {
        let q = InvoicesQuery::parse(Some(
            "page=volixta-invoices&status=paid&rest_route=%2Fx&number=inv-2026&cursor=12_3&invoice=4",
        ));
        assert_eq!(q.get("status"), "paid");
        assert_eq!(q.get("rest_route"), "");
        assert_eq!(
            q.with(&[("cursor", None), ("invoice", None)]),
            "page=volixta-invoices&number=inv-2026&status=paid"
        );
        let bad = InvoicesQuery::parse(Some("from=yesterday"));
        assert_eq!(list_query(&bad).expect_err("a date").field, "from");
        let page = InvoicesQuery::parse(Some("page=%3Cscript%3E"));
        assert_eq!(page.page, "volixta-invoices");
    }
}
