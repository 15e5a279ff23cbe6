//! The WooCommerce bridge's rows: intents, receipts (the exactly-once key), refunds, the
//! delivery log and the poll's lease.
use super::domain::{IntentKind, IntentStatus};
use crate::{
    db::{Db, DbError, Tx, row::Column},
    money::Money,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::{FromValueError, Value, prelude::*};
use serde::Serialize;
use utoipa::ToSchema;

/// A kind this build does not know reads as a booking (never written by it).
impl Column for IntentKind {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let name = String::from_value_opt(value)?;
        Ok(Self::parse(&name).unwrap_or(Self::Booking))
    }

    fn into_column(self) -> Value {
        self.as_str().into()
    }
}

impl Column for IntentStatus {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let name = String::from_value_opt(value)?;
        Ok(Self::parse(&name).unwrap_or(Self::Pending))
    }

    fn into_column(self) -> Value {
        self.as_str().into()
    }
}

/// A payment the service asked WooCommerce to collect.
#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Intent {
    pub id: u64,
    pub uuid: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub kind: IntentKind,
    pub client_id: u64,
    pub booking_id: Option<u64>,
    pub booking_payment_id: Option<u64>,
    pub top_up_id: Option<u64>,
    pub package_id: Option<u64>,
    pub client_package_id: Option<u64>,
    pub amount: Money,
    pub currency: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub status: IntentStatus,
    pub wc_order_id: Option<u64>,
    pub payment_url: Option<String>,
    /// The order's status when the service last looked (`pending`, `completed`, …).
    pub order_status: Option<String>,
    #[serde(skip)]
    pub order_modified_gmt: Option<NaiveDateTime>,
    /// Set when a payment did not match or a paid order was refunded: a manager looks.
    pub flag: Option<String>,
    pub flag_detail: Option<String>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub flagged_at: Option<DateTime<Utc>>,
    /// A manager marked the flag resolved (cleared again by a newer flag).
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// What the manager did about it; kept when a newer flag reopens the intent.
    pub resolution_note: Option<String>,
    pub requested_by: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub paid_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, uuid, kind, client_id, booking_id, booking_payment_id, top_up_id, \
    package_id, client_package_id, amount, currency, status, wc_order_id, payment_url, \
    order_status, order_modified_gmt, flag, flag_detail, flagged_at, resolved_at, resolved_by, \
    resolution_note, requested_by, created_at, paid_at";

pub const UNIQUE_OPEN: &str = "uq_wc_intent_open";

pub struct NewIntent<'a> {
    pub uuid: &'a str,
    pub kind: IntentKind,
    pub client_id: u64,
    pub booking_id: Option<u64>,
    pub booking_payment_id: Option<u64>,
    pub top_up_id: Option<u64>,
    pub package_id: Option<u64>,
    pub amount: Money,
    pub currency: &'a str,
    pub open_key: &'a str,
    pub requested_by: &'a str,
}

pub async fn insert_intent(tx: &mut Tx, db: &Db, n: &NewIntent<'_>) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_wc_intents (uuid, kind, client_id, booking_id, \
             booking_payment_id, top_up_id, package_id, amount, currency, open_key, requested_by, \
             creating_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(6) + INTERVAL 30 SECOND)",
        ),
        (
            n.uuid,
            n.kind.as_str(),
            n.client_id,
            n.booking_id,
            n.booking_payment_id,
            n.top_up_id,
            n.package_id,
            n.amount.amount(),
            n.currency,
            n.open_key,
            n.requested_by,
        ),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn find<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> Result<Option<Intent>, DbError> {
    conn.exec_first(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_wc_intents WHERE id = ?"
        )),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn find_open<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    open_key: &str,
    for_update: bool,
) -> Result<Option<Intent>, DbError> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    conn.exec_first(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_wc_intents WHERE open_key = ?{lock}"
        )),
        (open_key,),
    )
    .await
    .map_err(DbError::from)
}

/// The newest intent of a top-up (its order, whatever became of it).
pub async fn latest_for_top_up<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    top_up_id: u64,
) -> Result<Option<Intent>, DbError> {
    conn.exec_first(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_wc_intents WHERE top_up_id = ? ORDER BY id DESC LIMIT 1"
        )),
        (top_up_id,),
    )
    .await
    .map_err(DbError::from)
}

/// The intent an order pays, locked: by the uuid in its meta, else by the order id.
pub async fn lock_for_order(
    tx: &mut Tx,
    db: &Db,
    uuid: Option<&str>,
    wc_order_id: u64,
) -> Result<Option<Intent>, DbError> {
    if let Some(uuid) = uuid {
        let found: Option<Intent> = tx
            .exec_first(
                db.sql(&format!(
                    "SELECT {COLUMNS} FROM {{p}}volixta_wc_intents WHERE uuid = ? FOR UPDATE"
                )),
                (uuid,),
            )
            .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    tx.exec_first(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_wc_intents WHERE wc_order_id = ? FOR UPDATE"
        )),
        (wc_order_id,),
    )
    .await
    .map_err(DbError::from)
}

/// Takes the right to create the intent's order for 30 s; false while another request has it
/// or the order already exists.
pub async fn claim_creation(tx: &mut Tx, db: &Db, id: u64) -> Result<bool, DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wc_intents SET creating_until = NOW(6) + INTERVAL 30 SECOND \
             WHERE id = ? AND wc_order_id IS NULL AND status = 'creating' \
             AND (creating_until IS NULL OR creating_until < NOW(6))",
        ),
        (id,),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

pub async fn set_order(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    wc_order_id: u64,
    order_key: Option<&str>,
    payment_url: Option<&str>,
    first_poll_seconds: u64,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            // A delivery can reach the intent (by its uuid) before the order's id is stored
            // here: what it recorded stays. Assignments run left to right, so the poll's time
            // is set while `status` is still the old one.
            "UPDATE {p}volixta_wc_intents SET wc_order_id = ?, order_key = ?, payment_url = ?, \
             next_poll_at = IF(status = 'creating', NOW(6) + INTERVAL ? SECOND, next_poll_at), \
             status = IF(status = 'creating', 'pending', status), creating_until = NULL, \
             order_status = COALESCE(order_status, 'pending') WHERE id = ?",
        ),
        (wc_order_id, order_key, payment_url, first_poll_seconds, id),
    )
    .await
    .map_err(DbError::from)
}

/// Lets a failed creation be tried again at once.
pub async fn release_creation<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> Result<(), DbError> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wc_intents SET creating_until = NULL \
             WHERE id = ? AND status = 'creating'",
        ),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn set_state(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    status: IntentStatus,
    order_status: &str,
    modified: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    let closes = !matches!(status, IntentStatus::Creating | IntentStatus::Pending);
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wc_intents SET status = ?, order_status = ?, \
             order_modified_gmt = GREATEST(COALESCE(order_modified_gmt, ?), COALESCE(?, order_modified_gmt)), \
             open_key = IF(?, NULL, open_key), \
             paid_at = IF(? = 'paid' AND paid_at IS NULL, NOW(6), paid_at), \
             next_poll_at = IF(?, NULL, next_poll_at) WHERE id = ?",
        ),
        (
            status.as_str(),
            order_status,
            modified,
            modified,
            closes,
            status.as_str(),
            closes,
            id,
        ),
    )
    .await
    .map_err(DbError::from)
}

pub async fn set_client_package(tx: &mut Tx, db: &Db, id: u64, held: u64) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_wc_intents SET client_package_id = ? WHERE id = ?"),
        (held, id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn flag(tx: &mut Tx, db: &Db, id: u64, flag: &str, detail: &str) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wc_intents SET flag = ?, flag_detail = ?, \
             flagged_at = NOW(6), resolved_at = NULL, resolved_by = NULL WHERE id = ?",
        ),
        (flag, detail.chars().take(500).collect::<String>(), id),
    )
    .await
    .map_err(DbError::from)
}

/// Flags the intent unless it already carries this very flag and detail, so a state delivered
/// again does not reopen what a manager resolved.
pub async fn flag_once(
    tx: &mut Tx,
    db: &Db,
    intent: &Intent,
    flag_name: &str,
    detail: &str,
) -> Result<(), DbError> {
    let detail: String = detail.chars().take(500).collect();
    if intent.flag.as_deref() == Some(flag_name) && intent.flag_detail.as_deref() == Some(&detail) {
        return Ok(());
    }
    flag(tx, db, intent.id, flag_name, &detail).await
}

/// A paid order as counted.
pub struct Receipt<'a> {
    pub wc_order_id: u64,
    pub intent_id: u64,
    pub amount: Money,
    pub currency: &'a str,
    pub date_paid: NaiveDateTime,
    pub transaction_id: &'a str,
    pub source: &'a str,
}

/// The exactly-once key: true for the one transaction that records this order as paid.
pub async fn insert_receipt(tx: &mut Tx, db: &Db, r: &Receipt<'_>) -> Result<bool, DbError> {
    let result = tx
        .exec_drop(
            db.sql(
                "INSERT INTO {p}volixta_wc_receipts (wc_order_id, intent_id, amount, currency, \
                 date_paid_gmt, transaction_id, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ),
            (
                r.wc_order_id,
                r.intent_id,
                r.amount.amount(),
                r.currency,
                r.date_paid,
                r.transaction_id.chars().take(200).collect::<String>(),
                r.source,
            ),
        )
        .await
        .map_err(DbError::from);
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.is_duplicate_key() => Ok(false),
        Err(e) => Err(e),
    }
}

/// True when this refund had not been recorded yet.
pub async fn insert_refund(
    tx: &mut Tx,
    db: &Db,
    wc_order_id: u64,
    refund_id: u64,
    intent_id: u64,
    amount: Money,
    reason: &str,
) -> Result<bool, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT IGNORE INTO {p}volixta_wc_refunds (wc_order_id, wc_refund_id, intent_id, \
             amount, reason) VALUES (?, ?, ?, ?, ?)",
        ),
        (
            wc_order_id,
            refund_id,
            intent_id,
            amount.amount(),
            reason.chars().take(500).collect::<String>(),
        ),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

/// A paid order that was later cancelled, failed, trashed or deleted, as recorded.
pub struct Cancellation<'a> {
    pub wc_order_id: u64,
    pub intent_id: u64,
    /// `cancelled`, `failed`, `trash` or `deleted`.
    pub order_status: &'a str,
    /// The state's `date_modified_gmt` (for a deletion, when the service learned of it).
    pub order_modified: NaiveDateTime,
    pub date_paid: Option<NaiveDateTime>,
}

/// True when this change had not been recorded yet (the key is the order, the status and the
/// state's date, so the same state delivered again is recorded once).
pub async fn insert_cancellation(
    tx: &mut Tx,
    db: &Db,
    c: &Cancellation<'_>,
) -> Result<bool, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT IGNORE INTO {p}volixta_wc_cancellations (wc_order_id, intent_id, \
             order_status, order_modified_gmt, date_paid_gmt) VALUES (?, ?, ?, ?, ?)",
        ),
        (
            c.wc_order_id,
            c.intent_id,
            c.order_status.chars().take(32).collect::<String>(),
            c.order_modified,
            c.date_paid,
        ),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct CancellationRow {
    pub wc_order_id: u64,
    pub intent_id: u64,
    /// `cancelled`, `failed`, `trash` or `deleted`.
    pub order_status: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
}

pub async fn cancellations<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    intent_id: u64,
) -> Result<Vec<CancellationRow>, DbError> {
    conn.exec(
        db.sql(
            "SELECT wc_order_id, intent_id, order_status, created_at \
             FROM {p}volixta_wc_cancellations WHERE intent_id = ? ORDER BY id",
        ),
        (intent_id,),
    )
    .await
    .map_err(DbError::from)
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct RefundRow {
    pub wc_order_id: u64,
    pub wc_refund_id: u64,
    pub intent_id: u64,
    pub amount: Money,
    pub reason: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
}

pub async fn refunds<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    intent_id: u64,
) -> Result<Vec<RefundRow>, DbError> {
    conn.exec(
        db.sql(
            "SELECT wc_order_id, wc_refund_id, intent_id, amount, reason, created_at \
             FROM {p}volixta_wc_refunds WHERE intent_id = ? ORDER BY wc_refund_id",
        ),
        (intent_id,),
    )
    .await
    .map_err(DbError::from)
}

/// Newest first, below the cursor; only flagged ones, or only one booking's, when asked.
pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    flagged: bool,
    resolved: Option<bool>,
    booking_id: Option<u64>,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<Intent>, DbError> {
    let mut sql = format!("SELECT {COLUMNS} FROM {{p}}volixta_wc_intents WHERE id < ?");
    let mut params: Vec<Value> = vec![before.unwrap_or(u64::MAX).into()];
    if flagged || resolved.is_some() {
        sql.push_str(" AND flag IS NOT NULL");
    }
    match resolved {
        Some(true) => sql.push_str(" AND resolved_at IS NOT NULL"),
        Some(false) => sql.push_str(" AND resolved_at IS NULL"),
        None => {}
    }
    if let Some(b) = booking_id {
        sql.push_str(" AND booking_id = ?");
        params.push(b.into());
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    params.push(limit.into());
    conn.exec(db.sql(&sql), params).await.map_err(DbError::from)
}

/// A delivery as logged.
#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Delivery {
    pub id: u64,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub received_at: DateTime<Utc>,
    pub webhook_id: Option<String>,
    pub delivery_id: Option<String>,
    pub topic: Option<String>,
    pub source: Option<String>,
    pub signature_valid: bool,
    pub wc_order_id: Option<u64>,
    pub order_status: Option<String>,
    /// `ping`, `paid`, `already_paid`, `flagged`, `cancelled`, `refund_recorded`, `stale`,
    /// `unchanged`, `unknown_order`, `bad_signature`, `malformed`, `error`, …
    pub outcome: String,
    pub detail: String,
    /// The request's headers as JSON.
    pub headers: String,
    pub body_bytes: u32,
    pub body_sha256: String,
}

pub struct NewDelivery<'a> {
    pub webhook_id: Option<&'a str>,
    pub delivery_id: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub source: Option<&'a str>,
    pub signature_valid: bool,
    pub wc_order_id: Option<u64>,
    pub order_status: Option<&'a str>,
    pub outcome: &'a str,
    pub detail: &'a str,
    pub headers: &'a str,
    pub body_bytes: usize,
    pub body_sha256: &'a str,
}

fn cut(s: Option<&str>, n: usize) -> Option<String> {
    s.map(|s| s.chars().take(n).collect())
}

pub async fn log_delivery<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    d: &NewDelivery<'_>,
) -> Result<(), DbError> {
    conn.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_wc_deliveries (webhook_id, delivery_id, topic, source, \
             signature_valid, wc_order_id, order_status, outcome, detail, headers, body_bytes, \
             body_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            cut(d.webhook_id, 20).filter(|s| s.bytes().all(|b| b.is_ascii_graphic())),
            cut(d.delivery_id, 64).filter(|s| s.bytes().all(|b| b.is_ascii_graphic())),
            cut(d.topic, 64).filter(|s| s.bytes().all(|b| b.is_ascii_graphic())),
            cut(d.source, 255),
            d.signature_valid,
            d.wc_order_id,
            cut(d.order_status, 32),
            d.outcome,
            cut(Some(d.detail), 500),
            cut(Some(d.headers), 8000),
            u32::try_from(d.body_bytes).unwrap_or(u32::MAX),
            d.body_sha256,
        ),
    )
    .await
    .map_err(DbError::from)
}

pub async fn deliveries<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    wc_order_id: Option<u64>,
    limit: u32,
) -> Result<Vec<Delivery>, DbError> {
    let (filter, params): (&str, Vec<Value>) = match wc_order_id {
        Some(o) => ("WHERE wc_order_id = ?", vec![o.into(), limit.into()]),
        None => ("", vec![limit.into()]),
    };
    conn.exec(
        db.sql(&format!(
            "SELECT id, received_at, webhook_id, delivery_id, topic, source, signature_valid, \
             wc_order_id, order_status, outcome, detail, headers, body_bytes, body_sha256 \
             FROM {{p}}volixta_wc_deliveries {filter} ORDER BY id DESC LIMIT ?"
        )),
        params,
    )
    .await
    .map_err(DbError::from)
}

pub async fn purge_deliveries_older_than_days<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    days: u32,
) -> Result<(), DbError> {
    conn.exec_drop(
        db.sql(
            "DELETE FROM {p}volixta_wc_deliveries WHERE received_at < NOW(6) - INTERVAL ? DAY LIMIT 5000",
        ),
        (days,),
    )
    .await
    .map_err(DbError::from)
}

/// Holds (or renews) the named lease for `seconds`; false while another holder's is current.
pub async fn take_lease(
    conn: &mut mysql_async::Conn,
    db: &Db,
    name: &str,
    holder: &str,
    seconds: u64,
) -> Result<bool, DbError> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_leases SET holder = ?, expires_at = NOW(6) + INTERVAL ? SECOND \
             WHERE name = ? AND (holder = ? OR expires_at < NOW(6))",
        ),
        (holder, seconds, name, holder),
    )
    .await?;
    Ok(conn.affected_rows() == 1)
}

/// Pending orders due for a poll, oldest due first.
pub async fn due_for_poll<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    limit: u32,
) -> Result<Vec<(u64, u64, NaiveDateTime)>, DbError> {
    conn.exec(
        db.sql(
            "SELECT id, wc_order_id, created_at FROM {p}volixta_wc_intents \
             WHERE status = 'pending' AND next_poll_at <= NOW(6) AND wc_order_id IS NOT NULL \
             ORDER BY next_poll_at LIMIT ?",
        ),
        (limit,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn polled<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    next_in_seconds: u64,
) -> Result<(), DbError> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wc_intents SET polls = polls + 1, last_polled_at = NOW(6), \
             next_poll_at = IF(status = 'pending', NOW(6) + INTERVAL ? SECOND, NULL) WHERE id = ?",
        ),
        (next_in_seconds, id),
    )
    .await
    .map_err(DbError::from)
}

/// Marks a flagged intent resolved with the manager's note, in one statement: only a flag that
/// is still open changes, so two managers resolving at once leave one answer. Returns whether
/// it changed; `false` when the intent is not flagged or already resolved (or does not exist).
pub async fn resolve(
    conn: &mut mysql_async::Conn,
    db: &Db,
    id: u64,
    by: &str,
    note: &str,
) -> Result<bool, DbError> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wc_intents SET resolved_at = NOW(6), resolved_by = ?, \
             resolution_note = ? WHERE id = ? AND flag IS NOT NULL AND resolved_at IS NULL",
        ),
        (by, note, id),
    )
    .await
    .map_err(DbError::from)?;
    Ok(conn.affected_rows() == 1)
}
