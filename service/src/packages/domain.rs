//! Packages' rules without SQL: what a package and a client package are, how a client
//! package's status and expiry follow from its dates and sessions, how identical packages group.
use super::PackageError;
use crate::money::Money;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// At most this many clients in one bulk assignment or deactivation.
pub const MAX_BULK: usize = 500;

/// The builder's fields, for `POST /v1/packages` and `PUT /v1/packages/{id}` (which replaces
/// them all).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Sessions per package.
    pub sessions: u32,
    pub price: Money,
    /// Days it stays valid after activation; absent = unlimited.
    pub validity_days: Option<u32>,
    /// How many more may be sold or given; absent = unlimited.
    pub quantity: Option<u32>,
    /// The services it pays for (at least one).
    pub service_ids: Vec<u64>,
    /// Where it may be used; none = every location.
    #[serde(default)]
    pub location_ids: Vec<u64>,
    /// On sale (default). An inactive package is neither sold nor assigned; those already
    /// owned stay usable.
    pub active: Option<bool>,
}

/// A checked builder request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageSpec {
    pub name: String,
    pub description: String,
    pub sessions: u32,
    pub price: Money,
    pub validity_days: Option<u32>,
    pub quantity: Option<u32>,
    pub service_ids: Vec<u64>,
    pub location_ids: Vec<u64>,
    pub active: bool,
}

fn unique(ids: &[u64]) -> Vec<u64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl PackageRequest {
    pub fn validate(&self) -> Result<PackageSpec, PackageError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 150 {
            return Err(PackageError::field("name", "a name of 1 to 150 characters"));
        }
        if self.description.chars().count() > 5000 {
            return Err(PackageError::field(
                "description",
                "at most 5,000 characters",
            ));
        }
        if !(1..=1000).contains(&self.sessions) {
            return Err(PackageError::field("sessions", "between 1 and 1,000"));
        }
        if self.price.is_negative() {
            return Err(PackageError::field("price", "may not be negative"));
        }
        if self.validity_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            return Err(PackageError::field(
                "validity_days",
                "between 1 and 3,650 days, or none for unlimited",
            ));
        }
        if self.quantity.is_some_and(|q| q > 1_000_000) {
            return Err(PackageError::field("quantity", "at most 1,000,000"));
        }
        let service_ids = unique(&self.service_ids);
        if service_ids.is_empty() {
            return Err(PackageError::field(
                "service_ids",
                "choose at least one service",
            ));
        }
        Ok(PackageSpec {
            name: name.to_owned(),
            description: self.description.trim().to_owned(),
            sessions: self.sessions,
            price: self.price,
            validity_days: self.validity_days,
            quantity: self.quantity,
            service_ids,
            location_ids: unique(&self.location_ids),
            active: self.active.unwrap_or(true),
        })
    }
}

/// A package as the builder and the list show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Package {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub sessions: u32,
    pub price: Money,
    /// None = unlimited.
    pub validity_days: Option<u32>,
    /// How many more may be sold or given; None = unlimited.
    pub quantity_left: Option<u32>,
    pub active: bool,
    pub service_ids: Vec<u64>,
    /// Empty = every location.
    pub location_ids: Vec<u64>,
    /// Clients holding at least one (not removed).
    pub owners: u64,
    pub created_at: DateTime<Utc>,
}

/// What everyone but a manager sees of a package: only one on sale (active, not sold out),
/// and nothing of its owners, stock or history (DOMAIN.md: guests read the catalog).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PackageOffer {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub sessions: u32,
    pub price: Money,
    /// None = unlimited.
    pub validity_days: Option<u32>,
    pub service_ids: Vec<u64>,
    /// Empty = every location.
    pub location_ids: Vec<u64>,
}

impl Package {
    /// On sale: active, with some left (or no limit).
    pub fn on_sale(&self) -> bool {
        self.active && self.quantity_left != Some(0)
    }

    pub fn offer(self) -> PackageOffer {
        PackageOffer {
            id: self.id,
            name: self.name,
            description: self.description,
            sessions: self.sessions,
            price: self.price,
            validity_days: self.validity_days,
            service_ids: self.service_ids,
            location_ids: self.location_ids,
        }
    }
}

/// A client package's status, computed from its dates, sessions and flag whenever it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Pending,
    Expired,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Expired => "expired",
            Self::Inactive => "inactive",
        }
    }

    /// Which of a client's statuses speaks for all of them in a summary.
    fn rank(self) -> u8 {
        match self {
            Self::Active => 0,
            Self::Pending => 1,
            Self::Inactive => 2,
            Self::Expired => 3,
        }
    }
}

/// What a client package's status depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub sessions_total: u32,
    pub sessions_used: u32,
    pub activation_date: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub active: bool,
}

impl Terms {
    pub fn remaining(&self) -> u32 {
        self.sessions_total.saturating_sub(self.sessions_used)
    }

    /// DOMAIN.md: deactivated ones are inactive; pending before the activation date; expired
    /// after the expiry or with no session left; active otherwise.
    pub fn status(&self, today: NaiveDate) -> Status {
        if !self.active {
            Status::Inactive
        } else if today < self.activation_date {
            Status::Pending
        } else if self.expires_on.is_some_and(|e| e < today) || self.remaining() == 0 {
            Status::Expired
        } else {
            Status::Active
        }
    }

    /// CONTRACT.md: a booking may use a package that is active now and whose expiry (if any)
    /// is not before the booking's date.
    pub fn usable_for(&self, today: NaiveDate, booking_date: NaiveDate) -> bool {
        self.status(today) == Status::Active && self.expires_on.is_none_or(|e| e >= booking_date)
    }
}

/// The last day a package activated on `activation` may be used, `validity_days` later.
pub fn expiry(activation: NaiveDate, validity_days: Option<u32>) -> Option<NaiveDate> {
    validity_days.and_then(|d| activation.checked_add_days(Days::new(u64::from(d))))
}

/// How a sale was paid: recorded by a manager, or `woocommerce` when the client bought it online.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SaleMethod {
    Cash,
    Card,
    BankTransfer,
    Woocommerce,
}

impl SaleMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cash => "cash",
            Self::Card => "card",
            Self::BankTransfer => "bank_transfer",
            Self::Woocommerce => "woocommerce",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cash" => Some(Self::Cash),
            "card" => Some(Self::Card),
            "bank_transfer" => Some(Self::BankTransfer),
            "woocommerce" => Some(Self::Woocommerce),
            _ => None,
        }
    }
}

/// A package a client owns.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClientPackage {
    pub id: u64,
    pub package_id: u64,
    pub client_id: u64,
    pub name: String,
    pub sessions_total: u32,
    pub sessions_used: u32,
    pub sessions_remaining: u32,
    pub status: Status,
    /// False once deactivated.
    pub active: bool,
    pub activation_date: NaiveDate,
    /// None = never expires.
    pub expires_on: Option<NaiveDate>,
    /// Recorded as sold: the price and how it was paid.
    pub sold_price: Option<Money>,
    pub sold_method: Option<SaleMethod>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Removed from the profile (kept for its history), with why.
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_reason: Option<String>,
}

/// A client package as its row holds it; the status is added when read.
#[derive(Clone, Debug)]
pub struct Held {
    pub id: u64,
    pub package_id: u64,
    pub client_id: u64,
    pub name: String,
    pub terms: Terms,
    pub sold_price: Option<Money>,
    pub sold_method: Option<SaleMethod>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_reason: Option<String>,
}

impl Held {
    pub fn view(&self, today: NaiveDate) -> ClientPackage {
        let t = &self.terms;
        ClientPackage {
            id: self.id,
            package_id: self.package_id,
            client_id: self.client_id,
            name: self.name.clone(),
            sessions_total: t.sessions_total,
            sessions_used: t.sessions_used,
            sessions_remaining: t.remaining(),
            status: if self.removed_at.is_some() {
                Status::Inactive
            } else {
                t.status(today)
            },
            active: t.active,
            activation_date: t.activation_date,
            expires_on: t.expires_on,
            sold_price: self.sold_price,
            sold_method: self.sold_method,
            created_by: self.created_by.clone(),
            created_at: self.created_at,
            removed_at: self.removed_at,
            removed_reason: self.removed_reason.clone(),
        }
    }

    /// What the audit log records of it.
    pub fn audit_view(&self) -> serde_json::Value {
        serde_json::json!({
            "client_package_id": self.id,
            "package_id": self.package_id,
            "sessions_total": self.terms.sessions_total,
            "activation_date": self.terms.activation_date,
            "expires_on": self.terms.expires_on,
            "active": self.terms.active,
        })
    }
}

/// One item of a group.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupItem {
    pub id: u64,
    pub sessions_total: u32,
    pub sessions_used: u32,
    pub sessions_remaining: u32,
    pub status: Status,
    pub activation_date: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

/// Identical packages of one client: the same package, sessions total, activation date and
/// expiry (CONTRACT.md).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Group {
    pub package_id: u64,
    pub name: String,
    pub count: u32,
    /// Over every item of the group.
    pub sessions_remaining: u32,
    pub sessions_total: u32,
    pub activation_date: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// The best status among the items (active, then pending, inactive, expired).
    pub status: Status,
    pub items: Vec<GroupItem>,
}

/// Groups a client's packages (removed ones left out), in the order first seen.
pub fn group(held: &[Held], today: NaiveDate) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for h in held.iter().filter(|h| h.removed_at.is_none()) {
        let t = &h.terms;
        let item = GroupItem {
            id: h.id,
            sessions_total: t.sessions_total,
            sessions_used: t.sessions_used,
            sessions_remaining: t.remaining(),
            status: t.status(today),
            activation_date: t.activation_date,
            expires_on: t.expires_on,
        };
        let same = |g: &&mut Group| {
            g.package_id == h.package_id
                && g.sessions_total == t.sessions_total
                && g.activation_date == t.activation_date
                && g.expires_on == t.expires_on
        };
        if let Some(g) = groups.iter_mut().find(same) {
            g.count += 1;
            g.sessions_remaining += item.sessions_remaining;
            if item.status.rank() < g.status.rank() {
                g.status = item.status;
            }
            g.items.push(item);
        } else {
            groups.push(Group {
                package_id: h.package_id,
                name: h.name.clone(),
                count: 1,
                sessions_remaining: item.sessions_remaining,
                sessions_total: t.sessions_total,
                activation_date: t.activation_date,
                expires_on: t.expires_on,
                status: item.status,
                items: vec![item],
            });
        }
    }
    groups
}

/// The best of several statuses, for a summary of one client's packages.
pub fn best(statuses: impl IntoIterator<Item = Status>) -> Option<Status> {
    statuses.into_iter().min_by_key(|s| s.rank())
}

/// A booking that used (and maybe gave back) a session.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Use {
    pub id: u64,
    pub client_package_id: u64,
    pub booking_id: u64,
    /// "session n of m" when it was used.
    pub session_number: u32,
    pub sessions_total: u32,
    pub actor: String,
    pub used_at: DateTime<Utc>,
    /// Given back when the booking was cancelled.
    pub returned_at: Option<DateTime<Utc>>,
    pub returned_by: Option<String>,
    /// The booking's start, service, staff member and status, for the history.
    pub booking_start: DateTime<Utc>,
    pub service_name: String,
    pub staff_name: String,
    pub booking_status: String,
}

/// `PATCH /v1/client-packages/{id}`: each key optional; `expires_on: null` removes the expiry.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPackageChange {
    pub active: Option<bool>,
    pub activation_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub expires_on: Option<Option<NaiveDate>>,
    pub sessions_total: Option<u32>,
}

/// A key that is present (even as null) is `Some`, an absent one `None` (with `default`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl ClientPackageChange {
    /// The terms after the change, or the field that refuses it.
    pub fn apply(&self, before: Terms) -> Result<Terms, PackageError> {
        let mut t = before;
        if let Some(active) = self.active {
            t.active = active;
        }
        if let Some(date) = self.activation_date {
            t.activation_date = date;
        }
        if let Some(expiry) = self.expires_on {
            t.expires_on = expiry;
        }
        if let Some(total) = self.sessions_total {
            if !(1..=1000).contains(&total) {
                return Err(PackageError::field("sessions_total", "between 1 and 1,000"));
            }
            if total < t.sessions_used {
                return Err(PackageError::field(
                    "sessions_total",
                    format!("never below the {} sessions already used", t.sessions_used),
                ));
            }
            t.sessions_total = total;
        }
        if t.expires_on.is_some_and(|e| e < t.activation_date) {
            return Err(PackageError::field(
                "expires_on",
                "the expiry may not be before the activation date",
            ));
        }
        Ok(t)
    }
}

/// A reason to remove a package from a profile: required, at most 500 characters.
pub fn removal_reason(reason: &str) -> Result<String, PackageError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(PackageError::field("reason", "say why it is removed"));
    }
    if reason.chars().count() > 500 {
        return Err(PackageError::field("reason", "at most 500 characters"));
    }
    Ok(reason.to_owned())
}

/// The clients of a bulk action: at least one, at most `MAX_BULK`, each once.
pub fn bulk_clients(ids: &[u64]) -> Result<Vec<u64>, PackageError> {
    let ids = unique(ids);
    if ids.is_empty() {
        return Err(PackageError::field(
            "client_ids",
            "choose at least one client",
        ));
    }
    if ids.len() > MAX_BULK {
        return Err(PackageError::field(
            "client_ids",
            format!("at most {MAX_BULK} clients at once"),
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn terms() -> Terms {
        Terms {
            sessions_total: 3,
            sessions_used: 0,
            activation_date: d("2026-03-01"),
            expires_on: Some(d("2026-03-31")),
            active: true,
        }
    }

    #[test]
    fn status_follows_dates_sessions_and_the_flag() {
        let t = terms();
        assert_eq!(t.status(d("2026-02-28")), Status::Pending);
        assert_eq!(t.status(d("2026-03-01")), Status::Active);
        assert_eq!(t.status(d("2026-03-31")), Status::Active);
        assert_eq!(t.status(d("2026-04-01")), Status::Expired);
        let used_up = Terms {
            sessions_used: 3,
            ..t
        };
        assert_eq!(used_up.status(d("2026-03-10")), Status::Expired);
        let off = Terms { active: false, ..t };
        assert_eq!(off.status(d("2026-03-10")), Status::Inactive);
        let forever = Terms {
            expires_on: None,
            ..t
        };
        assert_eq!(forever.status(d("2036-03-10")), Status::Active);
    }

    #[test]
    fn a_booking_after_the_expiry_may_not_use_it() {
        let t = terms();
        assert!(t.usable_for(d("2026-03-10"), d("2026-03-31")));
        assert!(!t.usable_for(d("2026-03-10"), d("2026-04-01")));
        assert!(!t.usable_for(d("2026-02-10"), d("2026-03-10")));
    }

    #[test]
    fn sessions_never_go_below_those_used() {
        let t = Terms {
            sessions_used: 2,
            ..terms()
        };
        let lower = ClientPackageChange {
            sessions_total: Some(1),
            ..Default::default()
        };
        assert!(lower.apply(t).is_err());
        let same = ClientPackageChange {
            sessions_total: Some(2),
            ..Default::default()
        };
        assert_eq!(same.apply(t).expect("ok").sessions_total, 2);
        let before_activation = ClientPackageChange {
            expires_on: Some(Some(d("2026-02-01"))),
            ..Default::default()
        };
        assert!(before_activation.apply(t).is_err());
        let unlimited = ClientPackageChange {
            expires_on: Some(None),
            ..Default::default()
        };
        assert_eq!(unlimited.apply(t).expect("ok").expires_on, None);
    }

    #[test]
    fn expires_on_null_is_told_apart_from_absent() {
        let absent: ClientPackageChange = serde_json::from_str("{}").expect("json");
        assert_eq!(absent.expires_on, None);
        let null: ClientPackageChange =
            serde_json::from_str(r#"{"expires_on": null}"#).expect("json");
        assert_eq!(null.expires_on, Some(None));
    }

    #[test]
    fn identical_packages_group() {
        let held = |id, used, activation: &str| Held {
            id,
            package_id: 7,
            client_id: 1,
            name: "Starter".into(),
            terms: Terms {
                sessions_used: used,
                activation_date: d(activation),
                ..terms()
            },
            sold_price: None,
            sold_method: None,
            created_by: "manager:1".into(),
            created_at: Utc::now(),
            removed_at: None,
            removed_reason: None,
        };
        let list = [
            held(1, 0, "2026-03-01"),
            held(2, 3, "2026-03-01"),
            held(3, 1, "2026-03-02"),
        ];
        let groups = group(&list, d("2026-03-05"));
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].count, 2);
        assert_eq!(groups[0].sessions_remaining, 3);
        assert_eq!(groups[0].status, Status::Active);
        assert_eq!(groups[1].items[0].id, 3);
    }

    #[test]
    fn expiry_counts_days_from_activation() {
        assert_eq!(expiry(d("2026-01-01"), Some(30)), Some(d("2026-01-31")));
        assert_eq!(expiry(d("2026-01-01"), None), None);
    }
}
