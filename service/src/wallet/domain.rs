use super::WalletError;
use crate::{ledger, money::Money};
use chrono::{DateTime, Utc};
use mysql_async::prelude::FromRow;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    ManualCredit,
    ManualDebit,
    GiftCode,
    BookingPayment,
    CancellationRefund,
    /// What was paid beyond a booking's new total when its options were reduced.
    BookingRefund,
    TopUp,
    Merge,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ManualCredit => "manual_credit",
            Self::ManualDebit => "manual_debit",
            Self::GiftCode => "gift_code",
            Self::BookingPayment => "booking_payment",
            Self::CancellationRefund => "cancellation_refund",
            Self::BookingRefund => "booking_refund",
            Self::TopUp => "top_up",
            Self::Merge => "merge",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::ManualCredit,
            Self::ManualDebit,
            Self::GiftCode,
            Self::BookingPayment,
            Self::CancellationRefund,
            Self::BookingRefund,
            Self::TopUp,
            Self::Merge,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What a ledger row refers to, besides the client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct References {
    pub booking_id: Option<u64>,
    pub gift_code_id: Option<u64>,
    pub wc_order_id: Option<u64>,
}

/// A change to post: the signed amount and why.
#[derive(Clone, Debug)]
pub struct Entry {
    pub client_id: u64,
    pub amount: Money,
    pub kind: EntryKind,
    pub reason: String,
    pub actor: String,
    pub refs: References,
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct LedgerRow {
    pub id: u64,
    pub client_id: u64,
    pub amount: Money,
    pub balance_after: Money,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub kind: EntryKind,
    pub reason: String,
    pub actor: String,
    pub booking_id: Option<u64>,
    pub gift_code_id: Option<u64>,
    pub wc_order_id: Option<u64>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
}

pub fn manual_kind(amount: Money) -> EntryKind {
    if amount.is_negative() {
        EntryKind::ManualDebit
    } else {
        EntryKind::ManualCredit
    }
}

/// A manager's credit (positive) or debit (negative) of one client's wallet, with its reason.
#[derive(Clone, Debug)]
pub struct Adjustment {
    pub client_id: u64,
    pub amount: Money,
    pub reason: String,
}

impl Adjustment {
    pub fn new(client_id: u64, amount: Money, reason: Option<&str>) -> Result<Self, WalletError> {
        Ok(Self {
            client_id,
            amount,
            reason: ledger::clean_reason(reason)?,
        })
    }
}

/// Filters of a wallet history: kinds, and a period `[from, to)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub kinds: Vec<EntryKind>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only these clients' movements (across all clients' history); empty: no such filter.
    pub client_ids: Vec<u64>,
    pub actor: Option<ActorFilter>,
}

/// Whose movements: one actor (`manager:2`), every actor of a role (`client`: clients acting
/// themselves), or the service's own work and integrations (`system`: WooCommerce, imports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActorFilter {
    One(String),
    Role(&'static str),
    System,
}

impl ActorFilter {
    pub fn parse(raw: &str) -> Option<Self> {
        const ROLES: [&str; 5] = ["admin", "manager", "employee", "client", "guest"];
        match raw.trim() {
            "" => None,
            "system" => Some(Self::System),
            r => match ROLES.iter().find(|role| **role == r) {
                Some(role) => Some(Self::Role(role)),
                None => Some(Self::One(r.to_owned())),
            },
        }
    }
}

impl HistoryFilter {
    /// `kind` is a comma-separated list; `from` and `to` are RFC 3339 instants or dates
    /// (`to` as a date includes that whole day, UTC).
    pub fn parse(
        kind: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Self, WalletError> {
        let kinds = kind
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| EntryKind::parse(k).ok_or(WalletError::UnknownKind(k.to_owned())))
            .collect::<Result<Vec<_>, _>>()?;
        let from = from
            .map(|v| parse_bound(v, false).ok_or(WalletError::BadPeriod("from")))
            .transpose()?;
        let to = to
            .map(|v| parse_bound(v, true).ok_or(WalletError::BadPeriod("to")))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(WalletError::EmptyPeriod);
        }
        Ok(Self {
            kinds,
            from,
            to,
            ..Self::default()
        })
    }
}

fn parse_bound(value: &str, end: bool) -> Option<DateTime<Utc>> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Some(instant.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let date = if end { date.succ_opt()? } else { date };
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// What is wrong with one client's wallet, found by `verify_ledgers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BrokenLedger {
    pub client_id: u64,
    pub problems: Vec<String>,
}

impl std::fmt::Display for BrokenLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "client {}: {}", self.client_id, self.problems.join("; "))
    }
}

/// Walks one client's ledger in id order: every `balance_after` must be the running sum, never
/// negative, and the last one must be the balance cached on the client row.
#[derive(Debug)]
pub struct LedgerAudit {
    client_id: u64,
    running: Decimal,
    sum: Decimal,
    problems: Vec<String>,
}

impl LedgerAudit {
    pub fn new(client_id: u64) -> Self {
        Self {
            client_id,
            running: Decimal::ZERO,
            sum: Decimal::ZERO,
            problems: Vec::new(),
        }
    }

    pub fn client_id(&self) -> u64 {
        self.client_id
    }

    pub fn row(&mut self, id: u64, amount: Decimal, balance_after: Decimal) {
        self.sum += amount;
        self.running += amount;
        if amount.is_zero() {
            self.problems.push(format!("row {id} has a zero amount"));
        }
        if balance_after != self.running {
            self.problems.push(format!(
                "row {id} says balance {} but the rows up to it sum to {}",
                balance_after.normalize(),
                self.running.normalize()
            ));
            // Go on from what the row says, so one bad row is reported once, not on every later row.
            self.running = balance_after;
        }
        if balance_after.is_sign_negative() && !balance_after.is_zero() {
            self.problems
                .push(format!("row {id} leaves a negative balance"));
        }
    }

    /// `cached` is `clients.wallet_balance`, or None when the client row is missing.
    pub fn finish(mut self, cached: Option<Decimal>) -> Option<BrokenLedger> {
        let ledger_sum = self.sum;
        match cached {
            None => self
                .problems
                .push("ledger rows for a client that does not exist".to_owned()),
            Some(cached) => {
                if cached != ledger_sum {
                    self.problems.push(format!(
                        "cached balance {} differs from the ledger sum {}",
                        cached.normalize(),
                        ledger_sum.normalize()
                    ));
                }
                if cached.is_sign_negative() && !cached.is_zero() {
                    self.problems
                        .push(format!("cached balance {} is negative", cached.normalize()));
                }
            }
        }
        (!self.problems.is_empty()).then_some(BrokenLedger {
            client_id: self.client_id,
            problems: self.problems,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopUpStatus {
    Pending,
    Paid,
    Cancelled,
}

impl TopUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Paid, Self::Cancelled]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Why a payment did not credit a top-up; a manager looks at flagged top-ups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopUpFlag {
    AmountMismatch,
    OrderMismatch,
    PaidAfterCancel,
    ClientNotActive,
}

impl TopUpFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AmountMismatch => "amount_mismatch",
            Self::OrderMismatch => "order_mismatch",
            Self::PaidAfterCancel => "paid_after_cancel",
            Self::ClientNotActive => "client_not_active",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::AmountMismatch,
            Self::OrderMismatch,
            Self::PaidAfterCancel,
            Self::ClientNotActive,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct TopUp {
    pub id: u64,
    pub client_id: u64,
    pub amount: Money,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub status: TopUpStatus,
    pub wc_order_id: Option<u64>,
    pub amount_paid: Option<Money>,
    /// The ledger row that credited it, once paid.
    pub ledger_id: Option<u64>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub flag: Option<TopUpFlag>,
    pub flag_detail: Option<String>,
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
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// The largest single top-up; a typo of a few zeros should not become a WooCommerce order.
pub fn top_up_amount(amount: Money) -> Result<Money, WalletError> {
    let max: Money = "10000.00".parse().expect("constant");
    if amount.is_negative() || amount.is_zero() {
        return Err(WalletError::TopUpNotPositive);
    }
    if amount > max {
        return Err(WalletError::TopUpTooLarge { max });
    }
    Ok(amount)
}

/// What a confirmed payment does to a top-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    Credit,
    AlreadyPaid,
    Flag(TopUpFlag, String),
}

pub fn decide_completion(top_up: &TopUp, wc_order_id: u64, amount_paid: Money) -> Completion {
    match top_up.status {
        TopUpStatus::Paid if top_up.wc_order_id == Some(wc_order_id) => Completion::AlreadyPaid,
        TopUpStatus::Paid => Completion::Flag(
            TopUpFlag::OrderMismatch,
            format!(
                "order {wc_order_id} paid {amount_paid} for a top-up already paid by order {}",
                top_up
                    .wc_order_id
                    .map_or_else(|| "?".to_owned(), |o| o.to_string())
            ),
        ),
        TopUpStatus::Cancelled => Completion::Flag(
            TopUpFlag::PaidAfterCancel,
            format!("order {wc_order_id} paid {amount_paid} after the top-up was cancelled"),
        ),
        TopUpStatus::Pending => match top_up.wc_order_id {
            Some(attached) if attached != wc_order_id => Completion::Flag(
                TopUpFlag::OrderMismatch,
                format!(
                    "order {wc_order_id} paid {amount_paid}, but the top-up belongs to order {attached}"
                ),
            ),
            _ if amount_paid != top_up.amount => Completion::Flag(
                TopUpFlag::AmountMismatch,
                format!(
                    "order {wc_order_id} paid {amount_paid}, the top-up asked for {}",
                    top_up.amount
                ),
            ),
            _ => Completion::Credit,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        s.parse().expect("money")
    }

    #[test]
    fn kinds_round_trip() {
        for k in [EntryKind::ManualCredit, EntryKind::Merge, EntryKind::TopUp] {
            assert_eq!(EntryKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn history_filter_parses_kinds_and_periods() {
        let f = HistoryFilter::parse(
            Some("gift_code, top_up"),
            Some("2026-01-01"),
            Some("2026-01-31"),
        )
        .expect("valid");
        assert_eq!(f.kinds, vec![EntryKind::GiftCode, EntryKind::TopUp]);
        assert_eq!(
            f.from.map(|d| d.to_rfc3339()),
            Some("2026-01-01T00:00:00+00:00".into())
        );
        assert_eq!(
            f.to.map(|d| d.to_rfc3339()),
            Some("2026-02-01T00:00:00+00:00".into())
        );
        let f = HistoryFilter::parse(None, Some("2026-01-01T10:00:00+02:00"), None).expect("valid");
        assert_eq!(
            f.from.map(|d| d.to_rfc3339()),
            Some("2026-01-01T08:00:00+00:00".into())
        );
        assert!(matches!(
            HistoryFilter::parse(Some("salary"), None, None),
            Err(WalletError::UnknownKind(_))
        ));
        assert!(matches!(
            HistoryFilter::parse(None, Some("yesterday"), None),
            Err(WalletError::BadPeriod("from"))
        ));
        assert!(matches!(
            HistoryFilter::parse(None, Some("2026-02-01"), Some("2026-01-31")),
            Err(WalletError::EmptyPeriod)
        ));
    }

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn audit_accepts_a_sound_chain() {
        let mut a = LedgerAudit::new(7);
        a.row(1, d("10"), d("10"));
        a.row(2, d("-4"), d("6"));
        assert_eq!(a.finish(Some(d("6.0000"))), None);
    }

    #[test]
    fn audit_names_each_break() {
        let mut a = LedgerAudit::new(7);
        a.row(1, d("10"), d("10"));
        a.row(2, d("-4"), d("5"));
        a.row(3, d("1"), d("6"));
        let broken = a.finish(Some(d("9"))).expect("broken");
        assert_eq!(broken.client_id, 7);
        assert_eq!(broken.problems.len(), 2, "{broken}");
        assert!(broken.problems[0].contains("row 2"));
        assert!(broken.problems[1].contains("cached balance 9"));
        let mut a = LedgerAudit::new(8);
        a.row(4, d("-1"), d("-1"));
        assert!(
            a.finish(Some(d("-1")))
                .expect("broken")
                .to_string()
                .contains("negative")
        );
        assert!(LedgerAudit::new(9).finish(Some(d("1"))).is_some());
    }

    fn top_up(status: TopUpStatus, order: Option<u64>) -> TopUp {
        TopUp {
            id: 1,
            client_id: 1,
            amount: m("25.00"),
            status,
            wc_order_id: order,
            amount_paid: None,
            ledger_id: None,
            flag: None,
            flag_detail: None,
            requested_by: "client:1".into(),
            created_at: Utc::now(),
            paid_at: None,
            cancelled_at: None,
        }
    }

    #[test]
    fn a_top_up_is_credited_once_and_only_for_the_right_payment() {
        use TopUpStatus::*;
        assert_eq!(
            decide_completion(&top_up(Pending, None), 9, m("25.00")),
            Completion::Credit
        );
        assert_eq!(
            decide_completion(&top_up(Pending, Some(9)), 9, m("25")),
            Completion::Credit
        );
        assert_eq!(
            decide_completion(&top_up(Paid, Some(9)), 9, m("25.00")),
            Completion::AlreadyPaid
        );
        let flag = |c| match c {
            Completion::Flag(f, _) => Some(f),
            _ => None,
        };
        assert_eq!(
            flag(decide_completion(&top_up(Pending, None), 9, m("24.99"))),
            Some(TopUpFlag::AmountMismatch)
        );
        assert_eq!(
            flag(decide_completion(&top_up(Pending, Some(8)), 9, m("25.00"))),
            Some(TopUpFlag::OrderMismatch)
        );
        assert_eq!(
            flag(decide_completion(&top_up(Paid, Some(8)), 9, m("25.00"))),
            Some(TopUpFlag::OrderMismatch)
        );
        assert_eq!(
            flag(decide_completion(&top_up(Cancelled, None), 9, m("25.00"))),
            Some(TopUpFlag::PaidAfterCancel)
        );
    }

    #[test]
    fn top_up_amounts_are_bounded() {
        assert!(top_up_amount(m("0.01")).is_ok());
        assert!(top_up_amount(m("10000.00")).is_ok());
        assert!(matches!(
            top_up_amount(m("0")),
            Err(WalletError::TopUpNotPositive)
        ));
        assert!(matches!(
            top_up_amount(m("-5")),
            Err(WalletError::TopUpNotPositive)
        ));
        assert!(matches!(
            top_up_amount(m("10000.01")),
            Err(WalletError::TopUpTooLarge { .. })
        ));
    }
}
