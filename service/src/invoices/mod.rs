//! Invoices and credit notes of bookings. Every booking gets its invoice in the transaction that
//! creates it (`sync_booking`, called by the bookings domain); a cancellation credits it, and a
//! change of price rewrites it while nothing was paid, else credits it and issues a corrected
//! one. Numbers are `SERIES-YYYY-NNNNNN`, one gapless sequence per series and year, taken from a
//! counter row locked by the issuing transaction (DOMAIN.md "Money").
//!
//! Who sees what is the bookings domain's rule: a document is visible to whoever sees its
//! booking (managers all, an employee its staff member's, a client its own, and only while its
//! permission level lets it view invoices); anything else is absent (404).
mod domain;
mod error;
pub mod http;
pub mod pdf;
mod repo;

pub use domain::{
    BookingInfo, Cursor, Invoice, InvoiceLine, Kind, Parties, PaymentLine, Sibling, State, Summary,
    TaxAmount, method_label, status_label,
};
pub use error::InvoiceError;

use crate::{
    auth::{Actor, Role},
    bookings::{self, BookingError, Details, Party, PaymentKind, PaymentMethod, PaymentRowStatus},
    catalog,
    clients::{self, ClientError, PortalAction},
    db::{Db, DbError, Tx},
    money::Money,
    paging::{Page, PageRequest},
    settings,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{Change, Totals};
use repo::{BookingFacts, NewDocument};

/// Issues the invoice of a booking just created in the caller's transaction. Call it last: the
/// counter lock it takes is held until the commit, so the shorter the rest, the less other
/// issuers wait. It reads no other invoice, so bookings placed at once never lock each other
/// out here (only the counter row serialises them, briefly).
pub async fn issue_for_new_booking(tx: &mut Tx, db: &Db, booking_id: u64) -> Result<(), DbError> {
    let Some(facts) = repo::booking_facts(tx, db, booking_id).await? else {
        return Ok(());
    };
    issue(tx, db, booking_id, &facts, Kind::Invoice, None, "").await?;
    Ok(())
}

/// Brings the invoices of a changed booking in line with it, in the caller's transaction, which
/// holds the booking's row lock (so one change at a time decides): a cancelled booking's
/// invoice is credited; a changed price rewrites the invoice while nothing was paid, else
/// credits it and issues a corrected one. A booking without any invoice (placed before
/// invoices existed) gets its first one.
pub async fn sync_booking(tx: &mut Tx, db: &Db, booking_id: u64) -> Result<(), DbError> {
    let Some(facts) = repo::booking_facts(tx, db, booking_id).await? else {
        return Ok(());
    };
    let (open_id, current) = match repo::open_invoice_for_update(tx, db, booking_id).await? {
        Some(id) => (id, repo::lines(tx, db, id).await?),
        // Credited already: a cancelled booking stays as it is.
        None if repo::has_any(tx, db, booking_id).await? => return Ok(()),
        None => {
            let id = issue(tx, db, booking_id, &facts, Kind::Invoice, None, "").await?;
            (id, facts.lines.clone())
        }
    };
    match domain::change(facts.cancelled, current == facts.lines, facts.anything_paid) {
        Change::None => {}
        Change::Rewrite => {
            repo::rewrite(tx, db, open_id, &facts, Totals::of(&facts.lines)).await?;
        }
        Change::Credit => {
            credit(tx, db, booking_id, &facts, open_id, &current, "cancelled").await?;
        }
        Change::CreditAndReissue => {
            credit(tx, db, booking_id, &facts, open_id, &current, "changed").await?;
            issue(
                tx,
                db,
                booking_id,
                &facts,
                Kind::Invoice,
                Some(open_id),
                "changed",
            )
            .await?;
        }
    }
    Ok(())
}

async fn credit(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    facts: &BookingFacts,
    invoice_id: u64,
    lines: &[InvoiceLine],
    reason: &str,
) -> Result<(), DbError> {
    repo::mark_credited(tx, db, invoice_id).await?;
    let credited = BookingFacts {
        lines: lines.iter().map(InvoiceLine::negated).collect(),
        deposit_amount: Money::ZERO,
        ..facts.clone()
    };
    issue(
        tx,
        db,
        booking_id,
        &credited,
        Kind::CreditNote,
        Some(invoice_id),
        reason,
    )
    .await?;
    Ok(())
}

async fn issue(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    facts: &BookingFacts,
    kind: Kind,
    related_id: Option<u64>,
    reason: &str,
) -> Result<u64, DbError> {
    let s = settings::load_with(tx, db).await?;
    let zone = catalog::business_zone_in(tx, db).await?;
    let issued_at = Utc::now();
    // The year of the number is the year of issue on the business's clock (CONTRACT.md).
    let year = issued_at.with_timezone(&zone).year();
    let series = match kind {
        Kind::Invoice => s.invoice_series.as_str(),
        Kind::CreditNote => s.credit_note_series.as_str(),
    };
    repo::ensure_counter(db, series, year).await?;
    let seq = repo::next_number(tx, db, series, year).await?;
    let number = domain::number(series, year, seq);
    let id = repo::insert_document(
        tx,
        db,
        &NewDocument {
            kind,
            series,
            year,
            seq,
            number: &number,
            booking_id,
            facts,
            related_id,
            reason,
            issued_at,
            totals: Totals::of(&facts.lines),
            seller: (
                s.business_name.as_str(),
                s.business_address.as_str(),
                s.business_tax_number.as_str(),
            ),
        },
    )
    .await?;
    repo::insert_lines(tx, db, id, &facts.lines).await?;
    Ok(id)
}

/// Moves the documents of a merged client profile (`from`) to the kept one (`to`), in the
/// merge's transaction. What they print (the buyer's name and address) stays as issued.
pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> Result<u64, DbError> {
    repo::reassign_client(tx, db, from, to).await
}

/// The booking's invoice in force (or, once cancelled, its last one), as its reader may see it.
pub async fn for_booking(db: &Db, actor: Actor, booking_id: u64) -> Result<Invoice, InvoiceError> {
    let details = visible_booking(db, actor, booking_id).await?;
    let mut conn = db.pool.get_conn().await?;
    let id = match repo::current_for_booking(&mut conn, db, booking_id).await? {
        Some(id) => id,
        None => {
            // A booking placed before invoices existed gets its invoice when first asked for.
            drop(conn);
            db.transaction(|mut tx| async move {
                let r = match repo::lock_booking(&mut tx, db, booking_id).await {
                    Ok(()) => sync_booking(&mut tx, db, booking_id).await,
                    Err(e) => Err(e),
                };
                (tx, r)
            })
            .await?;
            conn = db.pool.get_conn().await?;
            repo::current_for_booking(&mut conn, db, booking_id)
                .await?
                .ok_or(InvoiceError::NotFound)?
        }
    };
    let doc = repo::find(&mut conn, db, id)
        .await?
        .ok_or(InvoiceError::NotFound)?;
    drop(conn);
    assemble(db, doc, &details).await
}

/// The PDF of the booking's invoice (as `for_booking` chooses it).
pub async fn booking_pdf(db: &Db, actor: Actor, booking_id: u64) -> Result<Pdf, InvoiceError> {
    let inv = for_booking(db, actor, booking_id).await?;
    to_pdf(db, inv).await
}

/// The PDF of one invoice or credit note.
pub async fn pdf_of(db: &Db, actor: Actor, id: u64) -> Result<Pdf, InvoiceError> {
    let inv = get(db, actor, id).await?;
    to_pdf(db, inv).await
}

/// A rendered document and the name to save it under.
pub struct Pdf {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

async fn to_pdf(db: &Db, inv: Invoice) -> Result<Pdf, InvoiceError> {
    let s = settings::load(db).await?;
    let style = pdf::Style {
        locale: s.locale.unwrap_or_else(|| "en_US".to_owned()),
    };
    // Rendering is CPU work of a few milliseconds: off the async workers.
    let (number, bytes) = tokio::task::spawn_blocking(move || {
        pdf::render(&inv, &style).map(|bytes| (inv.number, bytes))
    })
    .await
    .map_err(|e| InvoiceError::Render(e.to_string()))?
    .map_err(|e| InvoiceError::Render(e.to_string()))?;
    Ok(Pdf {
        file_name: format!("{number}.pdf"),
        bytes,
    })
}

/// One invoice or credit note by its id.
pub async fn get(db: &Db, actor: Actor, id: u64) -> Result<Invoice, InvoiceError> {
    let mut conn = db.pool.get_conn().await?;
    let doc = repo::find(&mut conn, db, id)
        .await?
        .ok_or(InvoiceError::NotFound)?;
    drop(conn);
    let details = visible_booking(db, actor, doc.booking_id).await?;
    assemble(db, doc, &details).await
}

/// The booking behind a document, if the caller sees it; a client also needs the permission
/// to view invoices.
async fn visible_booking(db: &Db, actor: Actor, booking_id: u64) -> Result<Details, InvoiceError> {
    let details = match bookings::details(db, actor, booking_id).await {
        Ok(d) => d,
        Err(BookingError::NotFound) => return Err(InvoiceError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if actor.role == Role::Client {
        client_may_view(db, details.booking.client_id).await?;
    }
    Ok(details)
}

async fn client_may_view(db: &Db, client_id: u64) -> Result<(), InvoiceError> {
    let mut conn = db.pool.get_conn().await?;
    clients::portal_rights(&mut conn, db, client_id)
        .await?
        .ok_or(ClientError::NotFound)?
        .allow(PortalAction::ViewInvoices)?;
    Ok(())
}

async fn assemble(
    db: &Db,
    doc: domain::Document,
    details: &Details,
) -> Result<Invoice, InvoiceError> {
    let mut conn = db.pool.get_conn().await?;
    let lines = repo::lines(&mut conn, db, doc.id).await?;
    let documents = repo::of_booking(&mut conn, db, doc.booking_id).await?;
    drop(conn);
    Ok(build(doc, lines, documents, details))
}

fn build(
    doc: domain::Document,
    lines: Vec<InvoiceLine>,
    documents: Vec<Sibling>,
    details: &Details,
) -> Invoice {
    let b = &details.booking;
    let pay = &details.payment;
    let counted = |p: &&bookings::Payment| {
        matches!(p.status, PaymentRowStatus::Paid | PaymentRowStatus::Pending)
    };
    let payments: Vec<PaymentLine> = pay
        .history
        .iter()
        .filter(counted)
        .filter(|p| doc.kind == Kind::Invoice || p.kind == PaymentKind::Refund)
        .map(|p| PaymentLine {
            kind: p.kind,
            method: p.method,
            amount: p.amount,
            status: p.status,
            at: p.created_at,
        })
        .collect();
    let credits_used = pay
        .history
        .iter()
        .filter(|p| {
            p.kind == PaymentKind::Payment
                && p.method == PaymentMethod::Wallet
                && p.status == PaymentRowStatus::Paid
        })
        .map(|p| p.amount)
        .sum();
    let (amount_paid, balance_due) = match (doc.kind, doc.state) {
        (Kind::Invoice, State::Open) => {
            let due = doc.totals.total - b.amount_paid;
            (
                b.amount_paid,
                if due.is_negative() { Money::ZERO } else { due },
            )
        }
        // A credited invoice is settled by its credit note; what was paid went back or over
        // to the corrected invoice, which its own figures show.
        (Kind::Invoice, State::Credited) => (b.amount_paid, Money::ZERO),
        (Kind::CreditNote, _) => (Money::ZERO, Money::ZERO),
    };
    let d = &details.details;
    Invoice {
        id: doc.id,
        kind: doc.kind,
        number: doc.number,
        issued_at: doc.issued_at,
        state: doc.state,
        reason: doc.reason,
        related_number: doc.related_number,
        booking_id: doc.booking_id,
        client_id: doc.client_id,
        currency: doc.currency,
        parties: doc.parties,
        booking: BookingInfo {
            id: b.id,
            service: d.service.name.clone(),
            start: d.start,
            end: d.end,
            local_start: d.local_start.clone(),
            timezone: d.location.timezone.clone(),
            people: d.people,
            staff: d.staff.name.clone(),
            location: d.location.name.clone(),
            location_address: d.location.address.clone(),
            status: b.status,
        },
        taxes: domain::taxes(&lines),
        lines,
        prices_include_tax: doc.prices_include_tax,
        subtotal: doc.totals.subtotal,
        discount_total: doc.totals.discount_total,
        tax_total: doc.totals.tax_total,
        total: doc.totals.total,
        deposit: (doc.kind == Kind::Invoice && !doc.deposit_amount.is_zero())
            .then_some(doc.deposit_amount),
        credits_used: if doc.kind == Kind::Invoice {
            credits_used
        } else {
            Money::ZERO
        },
        package_session: pay
            .package
            .as_ref()
            .filter(|_| doc.kind == Kind::Invoice)
            .map(|p| p.description.clone()),
        payments,
        amount_paid,
        balance_due,
        payment_status: b.payment_status,
        documents,
    }
}

/// What a list of invoices may be narrowed by.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    pub client_id: Option<u64>,
    /// Issued on or after this day (the business's time zone).
    pub from: Option<NaiveDate>,
    /// Issued on or before this day.
    pub to: Option<NaiveDate>,
    /// `paid`, `partially_paid`, `unpaid`, `pending`, `refunded` (open invoices by their
    /// booking's payment status) or `credited`.
    pub status: Option<String>,
    /// The start of a number, e.g. `INV-2026-0001`.
    pub number: Option<String>,
    /// `invoice` or `credit_note`.
    pub kind: Option<String>,
    pub limit: Option<u16>,
    pub cursor: Option<String>,
}

const STATUSES: [&str; 6] = [
    "paid",
    "partially_paid",
    "unpaid",
    "pending",
    "refunded",
    "credited",
];

/// One page of the documents `actor` may see, newest first.
pub async fn list(
    db: &Db,
    actor: Actor,
    q: &ListQuery,
) -> Result<Page<Summary, String>, InvoiceError> {
    list_among(db, actor, q, &[]).await
}

/// `list`, narrowed further to the documents of any of `client_ids` (the clients a search
/// found); an empty slice narrows nothing.
pub async fn list_among(
    db: &Db,
    actor: Actor,
    q: &ListQuery,
    client_ids: &[u64],
) -> Result<Page<Summary, String>, InvoiceError> {
    let party = bookings::party(db, actor).await?;
    let mut filter = repo::Filter {
        client_id: q.client_id,
        client_ids: client_ids.to_vec(),
        ..repo::Filter::default()
    };
    match party {
        Party::Manager => {}
        Party::Employee { staff_id, .. } => filter.staff_id = Some(staff_id),
        Party::Client { client_id } => {
            if q.client_id.is_some_and(|c| c != client_id) {
                return Err(InvoiceError::NotFound);
            }
            client_may_view(db, client_id).await?;
            filter.client_id = Some(client_id);
        }
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !STATUSES.contains(&s) {
            return Err(InvoiceError::field("status", STATUSES.join(", ")));
        }
        filter.status = Some(s.to_owned());
    }
    if let Some(k) = q.kind.as_deref().filter(|s| !s.is_empty()) {
        filter.kind = Some(
            Kind::parse(k).ok_or_else(|| InvoiceError::field("kind", "invoice or credit_note"))?,
        );
    }
    if let Some(n) = q.number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if n.len() > 40 {
            return Err(InvoiceError::field("number", "at most 40 characters"));
        }
        filter.number = Some(n.to_ascii_uppercase());
    }
    if q.from.is_some() || q.to.is_some() {
        let zone = catalog::business_zone(db).await?;
        let start = |d: NaiveDate| -> DateTime<Utc> { bookings::midnight(d, zone) };
        filter.from = q.from.map(start);
        filter.to = q.to.and_then(|d| d.succ_opt()).map(start);
    }
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => {
            Some(Cursor::decode(raw).ok_or_else(|| InvoiceError::field("cursor", "not a cursor"))?)
        }
    };
    let page: PageRequest<Cursor> = PageRequest::new(after, q.limit);
    let mut conn = db.pool.get_conn().await?;
    let rows = repo::list(&mut conn, db, &filter, page.after, page.rows_to_read()).await?;
    Ok(Page::from_rows(rows, page.limit, |s| {
        Cursor {
            issued_at: s.issued_at,
            id: s.id,
        }
        .encode()
    }))
}
