//! Packages: a number of sessions of some services (at some locations), built by a manager,
//! assigned or sold to clients, and used one session per booking. A client package's status is
//! computed whenever it is read; its sessions move only under its row lock, in the transaction
//! of the booking that uses or gives one back, and a CHECK keeps them within the total.
//! Every change is in the audit log: the builder under `package`, a client's packages under
//! that `client` (so its profile's activity shows them).
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{
    ClientPackage, ClientPackageChange, Group, GroupItem, MAX_BULK, Package, PackageOffer,
    PackageRequest, PackageSpec, SaleMethod, Status, Use, bulk_clients, removal_reason,
};
pub use error::PackageError;

use crate::{
    audit::{self, Record},
    auth::Actor,
    catalog, clients,
    db::{Db, DbError, Tx},
    webhooks,
};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Held, Terms};
use repo::CatalogTable;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const ENTITY: &str = "package";

/// Today on the business's clock: a package's days are the business's days.
pub async fn today(db: &Db) -> Result<NaiveDate, DbError> {
    date_of(db, Utc::now()).await
}

/// The business's date of an instant.
pub async fn date_of(db: &Db, at: DateTime<Utc>) -> Result<NaiveDate, DbError> {
    let zone = catalog::business_zone(db).await?;
    Ok(at.with_timezone(&zone).date_naive())
}

fn client_record(
    client_id: u64,
    actor: &str,
    action: &'static str,
    changes: audit::Changes,
) -> Record {
    Record {
        entity: clients::ENTITY,
        entity_id: client_id,
        actor: actor.to_owned(),
        action,
        changes,
    }
}

async fn check_coverage(tx: &mut Tx, db: &Db, spec: &PackageSpec) -> Result<(), PackageError> {
    let services = repo::existing(tx, db, CatalogTable::Services, &spec.service_ids).await?;
    if let Some(missing) = spec.service_ids.iter().find(|id| !services.contains(id)) {
        return Err(PackageError::field(
            "service_ids",
            format!("no service #{missing}"),
        ));
    }
    let locations = repo::existing(tx, db, CatalogTable::Locations, &spec.location_ids).await?;
    if let Some(missing) = spec.location_ids.iter().find(|id| !locations.contains(id)) {
        return Err(PackageError::field(
            "location_ids",
            format!("no location #{missing}"),
        ));
    }
    Ok(())
}

fn audit_view(spec: &PackageSpec) -> serde_json::Value {
    serde_json::json!({
        "name": spec.name,
        "description": spec.description,
        "sessions": spec.sessions,
        "price": spec.price,
        "validity_days": spec.validity_days,
        "quantity": spec.quantity,
        "service_ids": spec.service_ids,
        "location_ids": spec.location_ids,
        "active": spec.active,
    })
}

/// Builds a package.
pub async fn create(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    spec: &PackageSpec,
) -> Result<Package, PackageError> {
    check_coverage(tx, db, spec).await?;
    let actor = actor.to_string();
    let id = repo::insert_package(tx, db, spec, &actor).await?;
    repo::set_coverage(tx, db, id, &spec.service_ids, &spec.location_ids).await?;
    let changes = audit::diff(&serde_json::Value::Null, &audit_view(spec));
    audit::record(
        tx,
        db,
        &Record {
            entity: ENTITY,
            entity_id: id,
            actor,
            action: "create",
            changes,
        },
    )
    .await?;
    load(tx, db, id).await
}

/// Replaces a package's builder fields. Client packages already made keep their terms.
pub async fn replace(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    spec: &PackageSpec,
) -> Result<Package, PackageError> {
    let before = repo::package_for_update(tx, db, id)
        .await?
        .ok_or(PackageError::NotFound)?;
    check_coverage(tx, db, spec).await?;
    let before = spec_of(tx, db, before).await?;
    repo::update_package(tx, db, id, spec).await?;
    repo::set_coverage(tx, db, id, &spec.service_ids, &spec.location_ids).await?;
    let changes = audit::diff(&audit_view(&before), &audit_view(spec));
    audit::record(
        tx,
        db,
        &Record {
            entity: ENTITY,
            entity_id: id,
            actor: actor.to_string(),
            action: "update",
            changes,
        },
    )
    .await?;
    load(tx, db, id).await
}

async fn spec_of(tx: &mut Tx, db: &Db, row: repo::PackageRow) -> Result<PackageSpec, PackageError> {
    let p = with_coverage(tx, db, vec![row]).await?.remove(0);
    Ok(PackageSpec {
        name: p.name,
        description: p.description,
        sessions: p.sessions,
        price: p.price,
        validity_days: p.validity_days,
        quantity: p.quantity_left,
        service_ids: p.service_ids,
        location_ids: p.location_ids,
        active: p.active,
    })
}

async fn with_coverage<Q: mysql_async::prelude::Queryable>(
    conn: &mut Q,
    db: &Db,
    rows: Vec<repo::PackageRow>,
) -> Result<Vec<Package>, DbError> {
    let ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
    let services = repo::coverage(conn, db, CatalogTable::Services, &ids).await?;
    let locations = repo::coverage(conn, db, CatalogTable::Locations, &ids).await?;
    let of = |pairs: &[(u64, u64)], id: u64| -> Vec<u64> {
        pairs
            .iter()
            .filter(|(p, _)| *p == id)
            .map(|(_, x)| *x)
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| Package {
            service_ids: of(&services, r.id),
            location_ids: of(&locations, r.id),
            id: r.id,
            name: r.name,
            description: r.description,
            sessions: r.sessions,
            price: r.price,
            validity_days: r.validity_days,
            quantity_left: r.quantity_left,
            active: r.active,
            owners: r.owners,
            created_at: r.created_at,
        })
        .collect())
}

async fn load<Q: mysql_async::prelude::Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Package, PackageError> {
    let row = repo::package(conn, db, id)
        .await?
        .ok_or(PackageError::NotFound)?;
    Ok(with_coverage(conn, db, vec![row]).await?.remove(0))
}

/// Every package, by name.
pub async fn list(db: &Db) -> Result<Vec<Package>, PackageError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let rows = repo::packages(&mut conn, db).await?;
    Ok(with_coverage(&mut conn, db, rows).await?)
}

pub async fn get(db: &Db, id: u64) -> Result<Package, PackageError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    load(&mut conn, db, id).await
}

/// One client holding a package: how many they got, what is left, and where they stand.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Owner {
    pub client_id: u64,
    /// How many of this package the client holds (not removed).
    pub count: u32,
    pub sessions_remaining: u32,
    /// The best status among theirs.
    pub status: Status,
    /// Their client packages of it.
    pub items: Vec<ClientPackage>,
}

/// The clients holding a package, by client id.
pub async fn owners(db: &Db, package_id: u64) -> Result<Vec<Owner>, PackageError> {
    let today = today(db).await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    repo::package(&mut conn, db, package_id)
        .await?
        .ok_or(PackageError::NotFound)?;
    let held = repo::held_of_package(&mut conn, db, package_id).await?;
    let mut owners: Vec<Owner> = Vec::new();
    for h in held {
        let view = h.view(today);
        match owners.last_mut() {
            Some(o) if o.client_id == h.client_id => {
                o.count += 1;
                o.sessions_remaining += view.sessions_remaining;
                o.status = domain::best([o.status, view.status]).unwrap_or(view.status);
                o.items.push(view);
            }
            _ => owners.push(Owner {
                client_id: h.client_id,
                count: 1,
                sessions_remaining: view.sessions_remaining,
                status: view.status,
                items: vec![view],
            }),
        }
    }
    Ok(owners)
}

/// `POST /v1/clients/{id}/packages`: one package for one client.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub package_id: u64,
    /// Default: today.
    pub activation_date: Option<NaiveDate>,
    /// Default: from the package's validity (none when unlimited).
    pub expires_on: Option<NaiveDate>,
    /// Record it as sold (paid at the package's price) by this method.
    pub sold: Option<SaleMethod>,
}

/// Checks what needs no database: the expiry not before the activation.
pub fn check_assign(r: &AssignRequest) -> Result<(), PackageError> {
    if let (Some(a), Some(e)) = (r.activation_date, r.expires_on)
        && e < a
    {
        return Err(PackageError::field(
            "expires_on",
            "the expiry may not be before the activation date",
        ));
    }
    Ok(())
}

/// Locks the package and takes `n` of its stock: refused when inactive or when fewer are left.
async fn take(
    tx: &mut Tx,
    db: &Db,
    package_id: u64,
    n: u32,
) -> Result<repo::PackageRow, PackageError> {
    let package = repo::package_for_update(tx, db, package_id)
        .await?
        .ok_or(PackageError::NotFound)?;
    if !package.active {
        return Err(PackageError::Inactive);
    }
    if let Some(left) = package.quantity_left {
        if left < n {
            return Err(PackageError::SoldOut { left });
        }
        repo::take_stock(tx, db, package_id, n).await?;
    }
    Ok(package)
}

/// Gives (or, with `sold`, records as sold) one package to a client.
pub async fn assign(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    client_id: u64,
    r: &AssignRequest,
) -> Result<ClientPackage, PackageError> {
    check_assign(r)?;
    let today = today(db).await?;
    if repo::live_clients(tx, db, &[client_id]).await?.is_empty() {
        return Err(PackageError::field("client_id", "no such client"));
    }
    let package = take(tx, db, r.package_id, 1).await.map_err(|e| match e {
        PackageError::NotFound => PackageError::field("package_id", "no such package"),
        e => e,
    })?;
    let activation = r.activation_date.unwrap_or(today);
    let terms = Terms {
        sessions_total: package.sessions,
        sessions_used: 0,
        activation_date: activation,
        expires_on: r
            .expires_on
            .or_else(|| domain::expiry(activation, package.validity_days)),
        active: true,
    };
    if terms.expires_on.is_some_and(|e| e < activation) {
        return Err(PackageError::field(
            "expires_on",
            "the expiry may not be before the activation date",
        ));
    }
    let actor = actor.to_string();
    let new = repo::NewHeld {
        package_id: package.id,
        client_id,
        terms,
        sale: r.sold.map(|m| (package.price, m)),
        actor: &actor,
    };
    let id = repo::insert_held(tx, db, &new).await?;
    let held = repo::held(tx, db, id)
        .await?
        .ok_or(PackageError::ClientPackageNotFound)?;
    let mut view = held.audit_view();
    if let Some((price, method)) = new.sale {
        view["sold_price"] = serde_json::json!(price);
        view["sold_method"] = serde_json::json!(method);
    }
    let action = if r.sold.is_some() {
        "package_sold"
    } else {
        "package_assigned"
    };
    let changes = audit::diff(&serde_json::Value::Null, &view);
    audit::record(tx, db, &client_record(client_id, &actor, action, changes)).await?;
    let view = held.view(today);
    assigned(tx, db, &view, &actor).await?;
    Ok(view)
}

/// Tells the webhook endpoints that a client got a package (given or sold), in the
/// transaction that gave it.
async fn assigned(tx: &mut Tx, db: &Db, held: &ClientPackage, actor: &str) -> Result<(), DbError> {
    webhooks::publish(
        tx,
        db,
        "package.assigned",
        &serde_json::json!({"client_package": held, "actor": actor}),
    )
    .await
}

/// Gives one more of a package to each client (adds only; nothing they own changes). Returns
/// how many got one.
pub async fn assign_many(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    package_id: u64,
    client_ids: &[u64],
    activation_date: Option<NaiveDate>,
) -> Result<u64, PackageError> {
    let client_ids = bulk_clients(client_ids)?;
    let live = repo::live_clients(tx, db, &client_ids).await?;
    let unknown: Vec<u64> = client_ids
        .iter()
        .copied()
        .filter(|id| !live.contains(id))
        .collect();
    if !unknown.is_empty() {
        return Err(PackageError::UnknownClients(unknown));
    }
    let today = today(db).await?;
    let n = u32::try_from(client_ids.len()).unwrap_or(u32::MAX);
    let package = take(tx, db, package_id, n).await?;
    let activation = activation_date.unwrap_or(today);
    let actor = actor.to_string();
    let mut records = Vec::with_capacity(client_ids.len());
    let listened = webhooks::wanted(tx, db, "package.assigned").await?;
    for client_id in &client_ids {
        let new = repo::NewHeld {
            package_id,
            client_id: *client_id,
            terms: Terms {
                sessions_total: package.sessions,
                sessions_used: 0,
                activation_date: activation,
                expires_on: domain::expiry(activation, package.validity_days),
                active: true,
            },
            sale: None,
            actor: &actor,
        };
        let id = repo::insert_held(tx, db, &new).await?;
        if listened {
            let held = repo::held(tx, db, id)
                .await?
                .ok_or(PackageError::ClientPackageNotFound)?;
            assigned(tx, db, &held.view(today), &actor).await?;
        }
        let view = serde_json::json!({
            "client_package_id": id,
            "package_id": package_id,
            "sessions_total": new.terms.sessions_total,
            "activation_date": new.terms.activation_date,
            "expires_on": new.terms.expires_on,
            "active": true,
        });
        let changes = audit::diff(&serde_json::Value::Null, &view);
        records.push(client_record(
            *client_id,
            &actor,
            "package_assigned",
            changes,
        ));
    }
    audit::record_many(tx, db, &records).await?;
    Ok(u64::from(n))
}

/// Deactivates every live client package of `package_id` the clients hold. Returns how many
/// changed.
pub async fn deactivate_many(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    package_id: u64,
    client_ids: &[u64],
) -> Result<u64, PackageError> {
    let client_ids = bulk_clients(client_ids)?;
    repo::package(tx, db, package_id)
        .await?
        .ok_or(PackageError::NotFound)?;
    let held = repo::held_by_clients_for_update(tx, db, package_id, &client_ids).await?;
    let changed: Vec<&Held> = held.iter().filter(|h| h.terms.active).collect();
    let ids: Vec<u64> = changed.iter().map(|h| h.id).collect();
    repo::deactivate(tx, db, &ids).await?;
    let actor = actor.to_string();
    let records: Vec<Record> = changed
        .iter()
        .map(|h| {
            let mut after = h.audit_view();
            after["active"] = false.into();
            client_record(
                h.client_id,
                &actor,
                "package_updated",
                audit::diff(&h.audit_view(), &after),
            )
        })
        .collect();
    audit::record_many(tx, db, &records).await?;
    Ok(ids.len() as u64)
}

/// A client's packages, oldest first (removed ones when asked).
pub async fn of_client(
    db: &Db,
    client_id: u64,
    with_removed: bool,
) -> Result<Vec<ClientPackage>, PackageError> {
    let today = today(db).await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let held = repo::held_by_client(&mut conn, db, client_id, with_removed).await?;
    Ok(held.iter().map(|h| h.view(today)).collect())
}

/// A client's packages, identical ones grouped.
pub async fn groups(db: &Db, client_id: u64) -> Result<Vec<Group>, PackageError> {
    let today = today(db).await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let held = repo::held_by_client(&mut conn, db, client_id, false).await?;
    Ok(domain::group(&held, today))
}

/// A client's packages as its portal shows them.
#[derive(Clone, Debug)]
pub struct Holdings {
    /// Identical packages grouped, removed ones left out.
    pub groups: Vec<Group>,
    /// The packages the groups are of, with what they cover.
    pub packages: Vec<Package>,
    /// Every use of the grouped client packages, newest first.
    pub uses: Vec<Use>,
}

/// A client's packages, what they cover and the bookings that used them: a fixed number of
/// queries however many packages and uses the client has.
pub async fn holdings(db: &Db, client_id: u64) -> Result<Holdings, PackageError> {
    let today = today(db).await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let held = repo::held_by_client(&mut conn, db, client_id, false).await?;
    let groups = domain::group(&held, today);
    let mut package_ids: Vec<u64> = groups.iter().map(|g| g.package_id).collect();
    package_ids.sort_unstable();
    package_ids.dedup();
    let rows = repo::packages_by_ids(&mut conn, db, &package_ids).await?;
    let packages = with_coverage(&mut conn, db, rows).await?;
    let item_ids: Vec<u64> = groups
        .iter()
        .flat_map(|g| g.items.iter().map(|i| i.id))
        .collect();
    let uses = repo::uses(&mut conn, db, &item_ids).await?;
    Ok(Holdings {
        groups,
        packages,
        uses,
    })
}

/// A client package with what it covers and the bookings that used it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Details {
    #[serde(flatten)]
    pub package: ClientPackage,
    pub description: String,
    pub service_ids: Vec<u64>,
    /// Empty = every location.
    pub location_ids: Vec<u64>,
    /// Newest first.
    pub uses: Vec<Use>,
}

pub async fn details(db: &Db, id: u64) -> Result<Details, PackageError> {
    let today = today(db).await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let held = repo::held(&mut conn, db, id)
        .await?
        .ok_or(PackageError::ClientPackageNotFound)?;
    let package = load(&mut conn, db, held.package_id).await?;
    let uses = repo::uses(&mut conn, db, &[id]).await?;
    Ok(Details {
        package: held.view(today),
        description: package.description,
        service_ids: package.service_ids,
        location_ids: package.location_ids,
        uses,
    })
}

/// The uses of many client packages (a profile's history), newest first.
pub async fn uses(db: &Db, client_package_ids: &[u64]) -> Result<Vec<Use>, PackageError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    Ok(repo::uses(&mut conn, db, client_package_ids).await?)
}

/// The client a client package belongs to, for authorising a request about it.
pub async fn owner_of(db: &Db, id: u64) -> Result<u64, PackageError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    repo::held(&mut conn, db, id)
        .await?
        .map(|h| h.client_id)
        .ok_or(PackageError::ClientPackageNotFound)
}

/// Activates or deactivates, moves the dates, changes the sessions (never below those used).
pub async fn change(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    change: &ClientPackageChange,
) -> Result<ClientPackage, PackageError> {
    let today = today(db).await?;
    let held = repo::held_for_update(tx, db, id)
        .await?
        .ok_or(PackageError::ClientPackageNotFound)?;
    if held.removed_at.is_some() {
        return Err(PackageError::Removed);
    }
    let terms = change.apply(held.terms)?;
    repo::update_terms(tx, db, id, &terms).await?;
    let after = Held {
        terms,
        ..held.clone()
    };
    let changes = audit::diff(&held.audit_view(), &after.audit_view());
    audit::record(
        tx,
        db,
        &client_record(
            held.client_id,
            &actor.to_string(),
            "package_updated",
            changes,
        ),
    )
    .await?;
    Ok(after.view(today))
}

/// Removes a package from a profile, with the reason; its row and its uses stay.
pub async fn remove(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    reason: &str,
) -> Result<ClientPackage, PackageError> {
    let reason = removal_reason(reason)?;
    let today = today(db).await?;
    let held = repo::held_for_update(tx, db, id)
        .await?
        .ok_or(PackageError::ClientPackageNotFound)?;
    if held.removed_at.is_some() {
        return Err(PackageError::Removed);
    }
    let actor = actor.to_string();
    repo::remove(tx, db, id, &actor, &reason).await?;
    let mut before = held.audit_view();
    before["removed_reason"] = serde_json::Value::Null;
    let mut after = held.audit_view();
    after["removed_reason"] = reason.clone().into();
    audit::record(
        tx,
        db,
        &client_record(
            held.client_id,
            &actor,
            "package_removed",
            audit::diff(&before, &after),
        ),
    )
    .await?;
    let removed = repo::held(tx, db, id)
        .await?
        .ok_or(PackageError::ClientPackageNotFound)?;
    Ok(removed.view(today))
}

/// What a booking asks of a client package.
#[derive(Clone, Copy, Debug)]
pub struct SessionUse {
    pub client_package_id: u64,
    pub client_id: u64,
    pub service_id: u64,
    pub location_id: u64,
    pub booking_id: u64,
    /// The booking's start.
    pub start: DateTime<Utc>,
}

/// The session a booking took: "paid with package `name` (session `number` of `total`)".
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Taken {
    pub client_package_id: u64,
    pub name: String,
    pub number: u32,
    pub total: u32,
}

impl Taken {
    /// The line an invoice and a booking's payments show.
    pub fn description(&self) -> String {
        format!(
            "Paid with package {} (session {} of {})",
            self.name, self.number, self.total
        )
    }
}

/// Takes one session for a booking, in the booking's transaction under the client package's
/// row lock: concurrent bookings on one package queue on that lock (on every replica, the
/// update certifies on Galera), so no more sessions are used than it has. Anything that makes
/// it unusable answers `Unusable` and the caller's transaction writes nothing.
pub async fn use_session(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    u: SessionUse,
) -> Result<Taken, PackageError> {
    let today = today(db).await?;
    let booking_date = date_of(db, u.start).await?;
    let held = repo::held_for_update(tx, db, u.client_package_id)
        .await?
        .filter(|h| h.client_id == u.client_id)
        .ok_or(PackageError::Unusable("not this client's package"))?;
    if held.removed_at.is_some() {
        return Err(PackageError::Unusable("removed from the profile"));
    }
    if !held.terms.usable_for(today, booking_date) {
        return Err(PackageError::Unusable(match held.terms.status(today) {
            Status::Inactive => "deactivated",
            Status::Pending => "not active yet",
            Status::Expired if held.terms.remaining() == 0 => "no session left",
            Status::Expired => "expired",
            Status::Active => "expires before the booking's date",
        }));
    }
    if !repo::covers(tx, db, held.package_id, u.service_id, u.location_id).await? {
        return Err(PackageError::Unusable(
            "it does not cover this service or location",
        ));
    }
    let number = held.terms.sessions_used + 1;
    let total = held.terms.sessions_total;
    let actor = actor.to_string();
    repo::take_session(tx, db, held.id, u.booking_id, number, total, &actor).await?;
    let changes = audit::Changes::from([
        (
            "client_package_id".to_owned(),
            audit::Change {
                before: serde_json::Value::Null,
                after: held.id.into(),
            },
        ),
        (
            "booking_id".to_owned(),
            audit::Change {
                before: serde_json::Value::Null,
                after: u.booking_id.into(),
            },
        ),
        (
            "sessions_used".to_owned(),
            audit::Change {
                before: held.terms.sessions_used.into(),
                after: number.into(),
            },
        ),
    ]);
    audit::record(
        tx,
        db,
        &client_record(held.client_id, &actor, "package_session_used", changes),
    )
    .await?;
    Ok(Taken {
        client_package_id: held.id,
        name: held.name,
        number,
        total,
    })
}

/// Gives back the session a booking used, if it used one (its cancellation's transaction).
/// Returns the client package it went back to.
pub async fn give_back(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    booking_id: u64,
) -> Result<Option<u64>, PackageError> {
    // The booking's own lock (its cancellation holds it) already orders two cancellations.
    let Some((use_id, client_package_id)) = repo::open_use_of_booking(tx, db, booking_id).await?
    else {
        return Ok(None);
    };
    let held = repo::held_for_update(tx, db, client_package_id)
        .await?
        .ok_or(PackageError::ClientPackageNotFound)?;
    let actor = actor.to_string();
    repo::give_back(tx, db, use_id, client_package_id, &actor).await?;
    let changes = audit::Changes::from([
        (
            "booking_id".to_owned(),
            audit::Change {
                before: booking_id.into(),
                after: serde_json::Value::Null,
            },
        ),
        (
            "sessions_used".to_owned(),
            audit::Change {
                before: held.terms.sessions_used.into(),
                after: held.terms.sessions_used.saturating_sub(1).into(),
            },
        ),
    ]);
    audit::record(
        tx,
        db,
        &client_record(held.client_id, &actor, "package_session_returned", changes),
    )
    .await?;
    Ok(Some(client_package_id))
}

/// The session a booking used, for its details and invoice: (name, n, m, given back).
pub async fn used_by_booking(
    db: &Db,
    booking_id: u64,
) -> Result<Option<(Taken, bool)>, PackageError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    Ok(repo::use_of_booking(&mut conn, db, booking_id).await?.map(
        |(client_package_id, name, number, total, returned)| {
            (
                Taken {
                    client_package_id,
                    name,
                    number,
                    total,
                },
                returned,
            )
        },
    ))
}

/// The client's packages that could pay for this service at this location on this date now,
/// for a payment step to offer (the booking's own transaction decides).
pub async fn usable(
    db: &Db,
    client_id: u64,
    service_id: u64,
    location_id: u64,
    start: DateTime<Utc>,
) -> Result<Vec<ClientPackage>, PackageError> {
    let today = today(db).await?;
    let booking_date = date_of(db, start).await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let held = repo::held_by_client(&mut conn, db, client_id, false).await?;
    let mut found = Vec::new();
    for h in held {
        if h.terms.usable_for(today, booking_date)
            && repo::covers(&mut conn, db, h.package_id, service_id, location_id).await?
        {
            found.push(h.view(today));
        }
    }
    Ok(found)
}

/// Moves the packages of a merged client profile (`from`) to the kept one (`to`).
pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> Result<u64, DbError> {
    repo::reassign_client(tx, db, from, to).await
}
