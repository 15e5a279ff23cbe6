//! All of the invoices' SQL. The booking, its lines and payments and the client are read here
//! as they stand in the issuing transaction; only this file writes the invoice tables.
use super::domain::{
    Cursor, Document, InvoiceLine, Kind, Parties, Sibling, State, Summary, Totals, rate,
};
use crate::bookings::{LineKind, PaymentMethod, PaymentStatus};
use crate::db::{Db, DbError, Tx};
use crate::money::Money;
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::{
    Value,
    prelude::{FromRow, Queryable},
};
use rust_decimal::Decimal;

type SqlResult<T> = Result<T, DbError>;

/// The booking as an invoice needs it, read in the issuing transaction.
#[derive(Clone, Debug)]
pub struct BookingFacts {
    pub client_id: u64,
    pub cancelled: bool,
    pub currency: String,
    pub prices_include_tax: bool,
    pub deposit_amount: Money,
    pub lines: Vec<InvoiceLine>,
    /// Any payment was ever received (even if refunded since).
    pub anything_paid: bool,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_address: String,
}

#[derive(FromRow)]
struct FactsRow {
    client_id: u64,
    status: String,
    currency: String,
    prices_include_tax: bool,
    deposit_amount: Money,
    anything_paid: bool,
    first_name: String,
    last_name: String,
    email: Option<String>,
    street: String,
    zip: String,
    city: String,
}

#[derive(FromRow)]
struct LineRow {
    kind: String,
    description: String,
    quantity: u32,
    unit_price: Money,
    amount: Money,
    discount: Money,
    tax_rate_percent: Decimal,
    tax: Money,
    total: Money,
}

impl From<LineRow> for InvoiceLine {
    fn from(r: LineRow) -> Self {
        Self {
            kind: LineKind::parse(&r.kind).unwrap_or(LineKind::Addon),
            description: r.description,
            quantity: r.quantity,
            unit_price: r.unit_price,
            amount: r.amount,
            discount: r.discount,
            tax_rate: rate(r.tax_rate_percent),
            tax: r.tax,
            total: r.total,
        }
    }
}

pub async fn booking_facts(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
) -> SqlResult<Option<BookingFacts>> {
    let row: Option<FactsRow> = tx
        .exec_first(
            db.sql(
                "SELECT b.client_id, b.status, b.currency, b.prices_include_tax, b.deposit_amount, \
                 EXISTS (SELECT 1 FROM {p}volixta_booking_payments p WHERE p.booking_id = b.id \
                   AND p.kind = 'payment' AND p.status = 'paid') AS anything_paid, \
                 c.first_name, c.last_name, c.email, c.street, c.zip, c.city \
                 FROM {p}volixta_bookings b JOIN {p}volixta_clients c ON c.id = b.client_id \
                 WHERE b.id = ?",
            ),
            (booking_id,),
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let lines: Vec<LineRow> = tx
        .exec(
            db.sql(
                "SELECT kind, name AS description, quantity, unit_price, amount, discount, \
                 tax_rate_percent, tax, total FROM {p}volixta_booking_lines \
                 WHERE booking_id = ? ORDER BY position",
            ),
            (booking_id,),
        )
        .await?;
    let place = [r.zip.trim(), r.city.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let address = [r.street.trim(), place.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Some(BookingFacts {
        client_id: r.client_id,
        cancelled: r.status == "cancelled",
        currency: r.currency,
        prices_include_tax: r.prices_include_tax,
        deposit_amount: r.deposit_amount,
        lines: lines.into_iter().map(InvoiceLine::from).collect(),
        anything_paid: r.anything_paid,
        buyer_name: format!("{} {}", r.first_name, r.last_name)
            .trim()
            .to_owned(),
        buyer_email: r.email.unwrap_or_default(),
        buyer_address: address,
    }))
}

/// Takes the booking's row lock, as the bookings domain does before it changes one.
pub async fn lock_booking(tx: &mut Tx, db: &Db, booking_id: u64) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("SELECT id FROM {p}volixta_bookings WHERE id = ? FOR UPDATE"),
        (booking_id,),
    )
    .await?;
    Ok(())
}

/// The booking's invoice in force, locked: one issuer at a time decides what happens to it.
pub async fn open_invoice_for_update(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
) -> SqlResult<Option<u64>> {
    Ok(tx
        .exec_first(
            db.sql("SELECT id FROM {p}volixta_invoices WHERE open_booking_id = ? FOR UPDATE"),
            (booking_id,),
        )
        .await?)
}

/// Whether the booking ever had an invoice (credited ones count).
pub async fn has_any(tx: &mut Tx, db: &Db, booking_id: u64) -> SqlResult<bool> {
    let n: Option<u64> = tx
        .exec_first(
            db.sql("SELECT COUNT(*) FROM {p}volixta_invoices WHERE booking_id = ?"),
            (booking_id,),
        )
        .await?;
    Ok(n.unwrap_or(0) > 0)
}

/// Makes sure the counter row of `series` and `year` exists, in its own autocommit statement
/// on another connection: issuers racing for the very first number of a year would otherwise
/// deadlock on the row's absence (each locks the gap, then inserts into it). A row at 0 has
/// given no number, so creating it outside the issuing transaction leaves no gap.
pub async fn ensure_counter(db: &Db, series: &str, year: i32) -> SqlResult<()> {
    let mut conn = db.pool.get_conn().await?;
    let exists: Option<u8> = conn
        .exec_first(
            db.sql("SELECT 1 FROM {p}volixta_invoice_counters WHERE series = ? AND year = ?"),
            (series, year),
        )
        .await?;
    if exists.is_none() {
        conn.exec_drop(
            db.sql(
                "INSERT INTO {p}volixta_invoice_counters (series, year, last_number) \
                 VALUES (?, ?, 0) ON DUPLICATE KEY UPDATE last_number = last_number",
            ),
            (series, year),
        )
        .await?;
    }
    Ok(())
}

/// The next number of `series` in `year`. The counter row stays locked by this transaction
/// until it ends: a concurrent issuer waits, and a rollback gives the number back.
pub async fn next_number(tx: &mut Tx, db: &Db, series: &str, year: i32) -> SqlResult<u32> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_invoice_counters (series, year, last_number) VALUES (?, ?, 1) \
             ON DUPLICATE KEY UPDATE last_number = last_number + 1",
        ),
        (series, year),
    )
    .await?;
    let n: Option<u32> = tx
        .exec_first(
            db.sql(
                "SELECT last_number FROM {p}volixta_invoice_counters WHERE series = ? AND year = ?",
            ),
            (series, year),
        )
        .await?;
    n.ok_or_else(|| {
        DbError::Other(mysql_async::Error::Other(
            "the invoice counter row vanished".into(),
        ))
    })
}

pub struct NewDocument<'a> {
    pub kind: Kind,
    pub series: &'a str,
    pub year: i32,
    pub seq: u32,
    pub number: &'a str,
    pub booking_id: u64,
    pub facts: &'a BookingFacts,
    pub related_id: Option<u64>,
    pub reason: &'a str,
    pub issued_at: DateTime<Utc>,
    pub totals: Totals,
    pub seller: (&'a str, &'a str, &'a str),
}

pub async fn insert_document(tx: &mut Tx, db: &Db, d: &NewDocument<'_>) -> SqlResult<u64> {
    let open = (d.kind == Kind::Invoice).then_some(d.booking_id);
    let params: Vec<Value> = vec![
        d.kind.as_str().into(),
        d.series.into(),
        d.year.into(),
        d.seq.into(),
        d.number.into(),
        d.booking_id.into(),
        d.facts.client_id.into(),
        d.related_id.into(),
        open.into(),
        d.reason.into(),
        d.issued_at.naive_utc().into(),
        d.facts.currency.as_str().into(),
        d.facts.prices_include_tax.into(),
        d.totals.subtotal.amount().into(),
        d.totals.discount_total.amount().into(),
        d.totals.tax_total.amount().into(),
        d.totals.total.amount().into(),
        d.facts.deposit_amount.amount().into(),
        d.seller.0.into(),
        d.seller.1.into(),
        d.seller.2.into(),
        d.facts.buyer_name.as_str().into(),
        d.facts.buyer_email.as_str().into(),
        d.facts.buyer_address.as_str().into(),
    ];
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_invoices (kind, series, year, seq, number, booking_id, \
             client_id, related_id, open_booking_id, reason, issued_at, currency, \
             prices_include_tax, subtotal, discount_total, tax_total, total, deposit_amount, \
             seller_name, seller_address, seller_tax_number, buyer_name, buyer_email, \
             buyer_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
             ?, ?, ?, ?)",
        ),
        params,
    )
    .await?;
    tx.last_insert_id().ok_or_else(|| {
        DbError::Other(mysql_async::Error::Other(
            "no id for the new invoice".into(),
        ))
    })
}

pub async fn insert_lines(
    tx: &mut Tx,
    db: &Db,
    invoice_id: u64,
    lines: &[InvoiceLine],
) -> SqlResult<()> {
    let params = lines.iter().enumerate().map(|(i, l)| {
        let position = u32::try_from(i).unwrap_or(u32::MAX);
        let params: Vec<Value> = vec![
            invoice_id.into(),
            position.into(),
            l.kind.as_str().into(),
            l.description.as_str().into(),
            l.quantity.into(),
            l.unit_price.amount().into(),
            l.amount.amount().into(),
            l.discount.amount().into(),
            l.tax_rate.amount().into(),
            l.tax.amount().into(),
            l.total.amount().into(),
        ];
        params
    });
    crate::db::exec_each(
        tx,
        &db.sql(
            "INSERT INTO {p}volixta_invoice_lines (invoice_id, position, kind, description, \
             quantity, unit_price, amount, discount, tax_rate_percent, tax, total) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        params,
    )
    .await?;
    Ok(())
}

/// Rewrites an invoice nobody paid against yet: same number, the booking's new lines.
pub async fn rewrite(
    tx: &mut Tx,
    db: &Db,
    invoice_id: u64,
    facts: &BookingFacts,
    totals: Totals,
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_invoice_lines WHERE invoice_id = ?"),
        (invoice_id,),
    )
    .await?;
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_invoices SET subtotal = ?, discount_total = ?, tax_total = ?, \
             total = ?, deposit_amount = ? WHERE id = ?",
        ),
        (
            totals.subtotal.amount(),
            totals.discount_total.amount(),
            totals.tax_total.amount(),
            totals.total.amount(),
            facts.deposit_amount.amount(),
            invoice_id,
        ),
    )
    .await?;
    insert_lines(tx, db, invoice_id, &facts.lines).await
}

pub async fn mark_credited(tx: &mut Tx, db: &Db, invoice_id: u64) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_invoices SET state = 'credited', open_booking_id = NULL \
             WHERE id = ?",
        ),
        (invoice_id,),
    )
    .await?;
    Ok(())
}

pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> SqlResult<u64> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_invoices SET client_id = ? WHERE client_id = ?"),
        (to, from),
    )
    .await?;
    Ok(tx.affected_rows())
}

pub async fn lines<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    invoice_id: u64,
) -> SqlResult<Vec<InvoiceLine>> {
    let rows: Vec<LineRow> = conn
        .exec(
            db.sql(
                "SELECT kind, description, quantity, unit_price, amount, discount, \
                 tax_rate_percent, tax, total FROM {p}volixta_invoice_lines \
                 WHERE invoice_id = ? ORDER BY position",
            ),
            (invoice_id,),
        )
        .await?;
    Ok(rows.into_iter().map(InvoiceLine::from).collect())
}

#[derive(FromRow)]
struct DocumentRow {
    id: u64,
    kind: String,
    number: String,
    booking_id: u64,
    client_id: u64,
    related_id: Option<u64>,
    related_number: Option<String>,
    state: String,
    reason: String,
    issued_at: NaiveDateTime,
    currency: String,
    prices_include_tax: bool,
    subtotal: Money,
    discount_total: Money,
    tax_total: Money,
    total: Money,
    deposit_amount: Money,
    seller_name: String,
    seller_address: String,
    seller_tax_number: String,
    buyer_name: String,
    buyer_email: String,
    buyer_address: String,
}

pub async fn find<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> SqlResult<Option<Document>> {
    let row: Option<DocumentRow> = conn
        .exec_first(
            db.sql(
                "SELECT i.id, i.kind, i.number, i.booking_id, i.client_id, i.related_id, \
                 r.number AS related_number, i.state, i.reason, i.issued_at, i.currency, \
                 i.prices_include_tax, i.subtotal, i.discount_total, i.tax_total, i.total, \
                 i.deposit_amount, i.seller_name, i.seller_address, i.seller_tax_number, \
                 i.buyer_name, i.buyer_email, i.buyer_address \
                 FROM {p}volixta_invoices i LEFT JOIN {p}volixta_invoices r ON r.id = i.related_id \
                 WHERE i.id = ?",
            ),
            (id,),
        )
        .await?;
    Ok(row.map(|r| Document {
        id: r.id,
        kind: Kind::parse(&r.kind).unwrap_or(Kind::Invoice),
        number: r.number,
        booking_id: r.booking_id,
        client_id: r.client_id,
        related_id: r.related_id,
        related_number: r.related_number,
        state: State::parse(&r.state),
        reason: r.reason,
        issued_at: r.issued_at.and_utc(),
        currency: r.currency,
        prices_include_tax: r.prices_include_tax,
        totals: Totals {
            subtotal: r.subtotal,
            discount_total: r.discount_total,
            tax_total: r.tax_total,
            total: r.total,
        },
        deposit_amount: r.deposit_amount,
        parties: Parties {
            seller_name: r.seller_name,
            seller_address: r.seller_address,
            seller_tax_number: r.seller_tax_number,
            buyer_name: r.buyer_name,
            buyer_email: r.buyer_email,
            buyer_address: r.buyer_address,
        },
    }))
}

/// The invoice a booking shows: the one in force, else (cancelled) the last one issued.
pub async fn current_for_booking<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    booking_id: u64,
) -> SqlResult<Option<u64>> {
    Ok(conn
        .exec_first(
            db.sql(
                "SELECT id FROM {p}volixta_invoices WHERE booking_id = ? AND kind = 'invoice' \
                 ORDER BY open_booking_id IS NULL, id DESC LIMIT 1",
            ),
            (booking_id,),
        )
        .await?)
}

#[derive(FromRow)]
struct SiblingRow {
    id: u64,
    kind: String,
    number: String,
    issued_at: NaiveDateTime,
    total: Money,
    state: String,
}

pub async fn of_booking<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    booking_id: u64,
) -> SqlResult<Vec<Sibling>> {
    let rows: Vec<SiblingRow> = conn
        .exec(
            db.sql(
                "SELECT id, kind, number, issued_at, total, state FROM {p}volixta_invoices \
                 WHERE booking_id = ? ORDER BY id",
            ),
            (booking_id,),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Sibling {
            id: r.id,
            kind: Kind::parse(&r.kind).unwrap_or(Kind::Invoice),
            number: r.number,
            issued_at: r.issued_at.and_utc(),
            total: r.total,
            state: State::parse(&r.state),
        })
        .collect())
}

/// What a list may be narrowed by; the domain fills in who may see what.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub client_id: Option<u64>,
    /// Any of these clients (a search by name); empty: no such narrowing.
    pub client_ids: Vec<u64>,
    pub staff_id: Option<u64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub kind: Option<Kind>,
    /// A payment status of open invoices, or `credited`.
    pub status: Option<String>,
    /// The start of a number (`INV-2026-00012`), or all of it.
    pub number: Option<String>,
}

#[derive(FromRow)]
struct SummaryRow {
    id: u64,
    kind: String,
    number: String,
    issued_at: NaiveDateTime,
    booking_id: u64,
    client_id: u64,
    client_name: String,
    booking_start: NaiveDateTime,
    service_name: String,
    currency: String,
    total: Money,
    state: String,
    payment_status: String,
    payment_method: Option<String>,
    related_number: Option<String>,
}

pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    f: &Filter,
    after: Option<Cursor>,
    rows: u32,
) -> SqlResult<Vec<Summary>> {
    let mut sql = String::from(
        "SELECT i.id, i.kind, i.number, i.issued_at, i.booking_id, i.client_id, \
         i.buyer_name AS client_name, b.start_at AS booking_start, s.name AS service_name, \
         i.currency, i.total, i.state, b.payment_status, b.payment_method, \
         COALESCE(r.number, (SELECT c.number FROM {p}volixta_invoices c \
           WHERE c.related_id = i.id AND c.kind = 'credit_note' ORDER BY c.id LIMIT 1)) \
           AS related_number \
         FROM {p}volixta_invoices i \
         JOIN {p}volixta_bookings b ON b.id = i.booking_id \
         JOIN {p}volixta_services s ON s.id = b.service_id \
         LEFT JOIN {p}volixta_invoices r ON r.id = i.related_id WHERE 1 = 1",
    );
    let mut params: Vec<Value> = Vec::new();
    if let Some(c) = f.client_id {
        sql.push_str(" AND i.client_id = ?");
        params.push(c.into());
    }
    if !f.client_ids.is_empty() {
        let marks = vec!["?"; f.client_ids.len()].join(", ");
        sql.push_str(&format!(" AND i.client_id IN ({marks})"));
        params.extend(f.client_ids.iter().map(|&c| Value::from(c)));
    }
    if let Some(s) = f.staff_id {
        sql.push_str(" AND b.staff_id = ?");
        params.push(s.into());
    }
    if let Some(t) = f.from {
        sql.push_str(" AND i.issued_at >= ?");
        params.push(t.naive_utc().into());
    }
    if let Some(t) = f.to {
        sql.push_str(" AND i.issued_at < ?");
        params.push(t.naive_utc().into());
    }
    if let Some(k) = f.kind {
        sql.push_str(" AND i.kind = ?");
        params.push(k.as_str().into());
    }
    match f.status.as_deref() {
        None => {}
        Some("credited") => sql.push_str(" AND i.kind = 'invoice' AND i.state = 'credited'"),
        Some(s) => {
            sql.push_str(" AND i.kind = 'invoice' AND i.state = 'open' AND b.payment_status = ?");
            params.push(s.into());
        }
    }
    if let Some(n) = &f.number {
        sql.push_str(" AND i.number LIKE ?");
        let escaped = n
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        params.push(format!("{escaped}%").into());
    }
    if let Some(c) = after {
        sql.push_str(" AND (i.issued_at, i.id) < (?, ?)");
        params.push(c.issued_at.naive_utc().into());
        params.push(c.id.into());
    }
    sql.push_str(" ORDER BY i.issued_at DESC, i.id DESC LIMIT ?");
    params.push(rows.into());
    let rows: Vec<SummaryRow> = conn.exec(db.sql(&sql), params).await?;
    Ok(rows
        .into_iter()
        .map(|r| Summary {
            id: r.id,
            kind: Kind::parse(&r.kind).unwrap_or(Kind::Invoice),
            number: r.number,
            issued_at: r.issued_at.and_utc(),
            booking_id: r.booking_id,
            client_id: r.client_id,
            client_name: r.client_name,
            booking_start: r.booking_start.and_utc(),
            service_name: r.service_name,
            currency: r.currency,
            total: r.total,
            state: State::parse(&r.state),
            payment_status: PaymentStatus::parse(&r.payment_status)
                .unwrap_or(PaymentStatus::Unpaid),
            payment_method: r.payment_method.as_deref().and_then(PaymentMethod::parse),
            related_number: r.related_number,
        })
        .collect())
}
