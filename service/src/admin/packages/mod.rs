//! wp-admin → Volixta → Packages: the list (with each package's owners), the builder form, the
//! Assign screen (clients picked with their photo, name and status), bulk assign and deactivate;
//! and the Packages tab of a client's profile. Everything goes through the packages domain.
pub mod http;

use super::{
    display::{Clock, Formats, Names},
    profile::{Notice, initials},
};
use crate::{
    catalog,
    clients::{self, ListQuery},
    db::Db,
    error::ApiResult,
    money::Money,
    packages::{self, ClientPackage, Package, PackageRequest, Status, Use},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the screen's query string asks for.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PackagesQuery {
    pub page: String,
    /// `new`, `edit`, `view` (owners) or `assign`; empty = the list.
    pub action: String,
    pub id: String,
    /// The Assign screen's client search.
    pub search: String,
}

impl PackagesQuery {
    pub fn parse(raw: Option<&str>) -> Self {
        let mut q: Self = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
        if q.page.is_empty() {
            q.page = "volixta-packages".into();
        }
        q
    }

    pub fn id(&self) -> Option<u64> {
        self.id.parse().ok()
    }

    fn package_id(&self) -> Option<u64> {
        if matches!(self.action.as_str(), "edit" | "view" | "assign") {
            self.id()
        } else {
            None
        }
    }
}

/// One row of the list.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: u64,
    pub name: String,
    pub sessions: u32,
    pub validity_days: Option<u32>,
    pub price: String,
    pub quantity_left: Option<u32>,
    pub owners: u64,
    pub active: bool,
    pub services: String,
}

/// The builder form as typed.
#[derive(Debug, Default, Serialize)]
pub struct BuilderForm {
    pub name: String,
    pub description: String,
    pub sessions: String,
    pub price: String,
    pub validity_days: String,
    pub quantity: String,
    pub active: bool,
    pub service_ids: Vec<u64>,
    pub location_ids: Vec<u64>,
    pub errors: BTreeMap<String, String>,
}

impl BuilderForm {
    fn of(p: &Package) -> Self {
        Self {
            name: p.name.clone(),
            description: p.description.clone(),
            sessions: p.sessions.to_string(),
            price: p.price.to_string(),
            validity_days: p.validity_days.map(|d| d.to_string()).unwrap_or_default(),
            quantity: p.quantity_left.map(|d| d.to_string()).unwrap_or_default(),
            active: p.active,
            service_ids: p.service_ids.clone(),
            location_ids: p.location_ids.clone(),
            errors: BTreeMap::new(),
        }
    }

    /// The packages API's request, or the errors of the fields that are not even values.
    pub fn request(&mut self) -> Option<PackageRequest> {
        let number = |raw: &str| -> Result<Option<u32>, ()> {
            match raw.trim() {
                "" => Ok(None),
                n => n.parse().map(Some).map_err(|_| ()),
            }
        };
        let sessions = number(&self.sessions);
        if !matches!(sessions, Ok(Some(_))) {
            self.errors.insert(
                "sessions".into(),
                "Enter a whole number of sessions, like 5.".into(),
            );
        }
        let price = match self.price.trim() {
            "" | "0" => Some(Money::ZERO),
            raw => super::profile::typed_amount(raw),
        };
        if price.is_none() {
            self.errors
                .insert("price".into(), "Enter a price like 120.00.".into());
        }
        let validity = number(&self.validity_days);
        if validity.is_err() {
            self.errors.insert(
                "validity_days".into(),
                "Enter a number of days, or leave it empty for unlimited.".into(),
            );
        }
        let quantity = number(&self.quantity);
        if quantity.is_err() {
            self.errors.insert(
                "quantity".into(),
                "Enter a whole number, or leave it empty for unlimited.".into(),
            );
        }
        if !self.errors.is_empty() {
            return None;
        }
        Some(PackageRequest {
            name: self.name.clone(),
            description: self.description.clone(),
            sessions: sessions.ok().flatten().unwrap_or_default(),
            price: price.unwrap_or(Money::ZERO),
            validity_days: validity.ok().flatten(),
            quantity: quantity.ok().flatten(),
            service_ids: self.service_ids.clone(),
            location_ids: self.location_ids.clone(),
            active: Some(self.active),
        })
    }
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub id: u64,
    pub name: String,
    pub checked: bool,
}

/// One owner in the View and Edit screens.
#[derive(Debug, Serialize)]
pub struct OwnerRow {
    pub client_id: u64,
    pub name: String,
    pub count: u32,
    pub sessions_remaining: u32,
    pub status: Status,
}

/// One client of the Assign screen.
#[derive(Debug, Serialize)]
pub struct Pick {
    pub id: u64,
    pub name: String,
    pub initials: String,
    /// The uploaded photo's proxy path, when there is one.
    pub photo: Option<String>,
    pub email: String,
    pub status: String,
    /// How many of this package they hold now.
    pub holds: u32,
}

#[derive(Debug, Serialize)]
pub struct PackageSummary {
    pub id: u64,
    pub name: String,
    pub sessions: u32,
    pub validity_days: Option<u32>,
    pub price: String,
    pub quantity_left: Option<u32>,
    pub active: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Screen {
    pub page: String,
    pub action: String,
    pub idempotency_key: String,
    pub notice: Option<Notice>,
    pub rows: Vec<Row>,
    pub package: Option<PackageSummary>,
    pub form: Option<BuilderForm>,
    pub services: Vec<Choice>,
    pub locations: Vec<Choice>,
    pub owners: Vec<OwnerRow>,
    pub picks: Vec<Pick>,
    pub search: String,
    pub bulk_error: Option<String>,
}

/// The screen for a query; `form` keeps what a refused form typed.
pub async fn screen(
    db: &Db,
    fmt: &Formats,
    q: &PackagesQuery,
    notice: Option<Notice>,
    form: Option<BuilderForm>,
    bulk_error: Option<String>,
) -> ApiResult<Screen> {
    let mut screen = Screen {
        page: q.page.clone(),
        action: q.action.clone(),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        notice,
        search: q.search.clone(),
        bulk_error,
        ..Screen::default()
    };
    let package = match q.package_id() {
        Some(id) => Some(packages::get(db, id).await?),
        None => None,
    };
    if let Some(p) = &package {
        screen.package = Some(PackageSummary {
            id: p.id,
            name: p.name.clone(),
            sessions: p.sessions,
            validity_days: p.validity_days,
            price: fmt.money(p.price),
            quantity_left: p.quantity_left,
            active: p.active,
        });
    }
    match (q.action.as_str(), &package) {
        ("new", _) | ("edit", Some(_)) => {
            let form = form.unwrap_or_else(|| {
                package.as_ref().map_or_else(
                    || BuilderForm {
                        active: true,
                        ..BuilderForm::default()
                    },
                    BuilderForm::of,
                )
            });
            let services = catalog::services(db).await?;
            let locations = catalog::locations(db).await?;
            screen.services = services
                .into_iter()
                .map(|s| Choice {
                    checked: form.service_ids.contains(&s.id),
                    id: s.id,
                    name: s.name,
                })
                .collect();
            screen.locations = locations
                .into_iter()
                .map(|l| Choice {
                    checked: form.location_ids.contains(&l.id),
                    id: l.id,
                    name: l.name,
                })
                .collect();
            screen.form = Some(form);
            if let Some(p) = &package {
                screen.owners = owner_rows(db, p.id).await?;
            }
        }
        ("view", Some(p)) => screen.owners = owner_rows(db, p.id).await?,
        ("assign", Some(p)) => screen.picks = picks(db, p.id, &q.search).await?,
        _ => {
            screen.action = String::new();
            let services = catalog::services(db).await?;
            screen.rows = packages::list(db)
                .await?
                .into_iter()
                .map(|p| Row {
                    services: services
                        .iter()
                        .filter(|s| p.service_ids.contains(&s.id))
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    id: p.id,
                    name: p.name,
                    sessions: p.sessions,
                    validity_days: p.validity_days,
                    price: fmt.money(p.price),
                    quantity_left: p.quantity_left,
                    owners: p.owners,
                    active: p.active,
                })
                .collect();
        }
    }
    Ok(screen)
}

async fn owner_rows(db: &Db, package_id: u64) -> ApiResult<Vec<OwnerRow>> {
    let owners = packages::owners(db, package_id).await?;
    let ids: Vec<String> = owners.iter().map(|o| o.client_id.to_string()).collect();
    let mut names = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let q = ListQuery {
            ids: Some(chunk.join(",")),
            include_deleted: Some(true),
            limit: Some(500),
            ..ListQuery::default()
        };
        for c in clients::list(db, &q).await?.items {
            names.insert(c.id, c.full_name());
        }
    }
    Ok(owners
        .into_iter()
        .map(|o| OwnerRow {
            name: names
                .get(&o.client_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", o.client_id)),
            client_id: o.client_id,
            count: o.count,
            sessions_remaining: o.sessions_remaining,
            status: o.status,
        })
        .collect())
}

/// Clients to pick from: the search's, or the first of the list, with what they hold of it.
async fn picks(db: &Db, package_id: u64, search: &str) -> ApiResult<Vec<Pick>> {
    let q = ListQuery {
        search: Some(search.trim().to_owned()).filter(|s| !s.is_empty()),
        limit: Some(50),
        ..ListQuery::default()
    };
    let found = clients::list(db, &q).await?.items;
    let owners = packages::owners(db, package_id).await?;
    Ok(found
        .into_iter()
        .map(|c| Pick {
            holds: owners
                .iter()
                .find(|o| o.client_id == c.id)
                .map_or(0, |o| o.count),
            initials: initials(&c),
            photo: c.photo_path(),
            name: c.full_name(),
            email: c.email.clone().unwrap_or_default(),
            status: c.status.clone(),
            id: c.id,
        })
        .collect())
}

/// A client package as the profile's Packages tab shows it.
#[derive(Debug, Serialize)]
pub struct HeldRow {
    pub id: u64,
    pub name: String,
    pub sessions_total: u32,
    pub sessions_used: u32,
    pub sessions_remaining: u32,
    pub status: Status,
    pub active: bool,
    pub activation_date: String,
    pub expires_on: String,
    pub sold: Option<String>,
    pub removed: Option<String>,
    pub removed_reason: String,
    pub uses: Vec<UseRow>,
}

/// One booking that used a session.
#[derive(Debug, Serialize)]
pub struct UseRow {
    pub booking_id: u64,
    pub session: String,
    pub service: String,
    pub start: String,
    pub used: String,
    pub by: super::display::Who,
    pub returned: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PackagesTab {
    pub rows: Vec<HeldRow>,
    /// Packages on sale, for the "Add a package" form.
    pub on_sale: Vec<Choice>,
    pub idempotency_key: String,
    /// The row a refused form belongs to, and the reasons beside its fields.
    pub error_row: Option<u64>,
    pub errors: BTreeMap<String, String>,
}

/// The profile's Packages tab: every package of the client (removed ones at the end) with the
/// bookings that used its sessions.
pub async fn client_tab(
    db: &Db,
    client_id: u64,
    clock: Clock,
    fmt: &Formats,
    error_row: Option<u64>,
    errors: BTreeMap<String, String>,
) -> ApiResult<PackagesTab> {
    let mut held = packages::of_client(db, client_id, true).await?;
    held.sort_by_key(|p| (p.removed_at.is_some(), p.id));
    let ids: Vec<u64> = held.iter().map(|p| p.id).collect();
    let uses = packages::uses(db, &ids).await?;
    let names = Names::of(db, uses.iter().map(|u| u.actor.as_str())).await?;
    let rows = held
        .iter()
        .map(|p| held_row(p, &uses, clock, &names, fmt))
        .collect();
    let on_sale = packages::list(db)
        .await?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| Choice {
            id: p.id,
            name: p.name,
            checked: false,
        })
        .collect();
    Ok(PackagesTab {
        rows,
        on_sale,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        error_row,
        errors,
    })
}

fn held_row(
    p: &ClientPackage,
    uses: &[Use],
    clock: Clock,
    names: &Names,
    fmt: &Formats,
) -> HeldRow {
    HeldRow {
        id: p.id,
        name: p.name.clone(),
        sessions_total: p.sessions_total,
        sessions_used: p.sessions_used,
        sessions_remaining: p.sessions_remaining,
        status: p.status,
        active: p.active,
        activation_date: p.activation_date.to_string(),
        expires_on: p.expires_on.map(|d| d.to_string()).unwrap_or_default(),
        sold: p
            .sold_price
            .zip(p.sold_method)
            .map(|(price, method)| format!("{} ({})", fmt.money(price), method.as_str())),
        removed: p.removed_at.map(|t| clock.when(t)),
        removed_reason: p.removed_reason.clone().unwrap_or_default(),
        uses: uses
            .iter()
            .filter(|u| u.client_package_id == p.id)
            .map(|u| UseRow {
                booking_id: u.booking_id,
                session: format!("{} / {}", u.session_number, u.sessions_total),
                service: u.service_name.clone(),
                start: clock.when(u.booking_start),
                used: clock.when(u.used_at),
                by: names.who(&u.actor),
                returned: u.returned_at.map(|t| clock.when(t)),
            })
            .collect(),
    }
}
