//! The catalog: locations (with their time zone and opening hours), service categories,
//! services (duration, price, capacity, buffers, add-ons, time-rule overrides) and staff (their
//! services, weekly hours per location, breaks, days off and special days).
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{
    Addon, AddonInput, Category, CategoryRequest, DayOff, DayOffInput, Location, LocationRequest,
    LocationSpecialDay, LocationSpecialDayInput, MAX_HOLD_MINUTES, Period, PeriodInput, Service,
    ServiceRequest, SpecialDay, SpecialDayInput, Staff, StaffCard, StaffHours, StaffHoursInput,
    StaffRequest, TimeRange, TimeRuleOverrides, TimeRules, WallTime, WeeklyHours, WeeklyHoursInput,
    parse_timezone,
};
pub use error::{CatalogError, CatalogResult};

use crate::db::{Db, DbError, Tx};
use domain::CategoryChoice;
use repo::StaffFilter;
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------- locations

pub async fn create_location(db: &Db, request: &LocationRequest) -> CatalogResult<Location> {
    let changes = &request.validate(true)?;
    db.transaction(|mut tx| async move {
        let result = insert_location(&mut tx, db, changes).await;
        (tx, result)
    })
    .await
}

async fn insert_location(
    tx: &mut Tx,
    db: &Db,
    changes: &domain::LocationChanges,
) -> CatalogResult<Location> {
    let id = repo::insert_location(tx, db, changes).await?;
    if let Some(hours) = &changes.opening_hours {
        repo::replace_location_hours(tx, db, id, hours).await?;
    }
    if let Some(days) = &changes.special_days {
        repo::replace_location_special_days(tx, db, id, days).await?;
    }
    one(
        repo::locations(tx, db, Some(id)).await?,
        CatalogError::LocationNotFound,
    )
}

pub async fn update_location(
    db: &Db,
    id: u64,
    request: &LocationRequest,
) -> CatalogResult<Location> {
    let changes = &request.validate(false)?;
    db.transaction(|mut tx| async move {
        let result = change_location(&mut tx, db, id, changes).await;
        (tx, result)
    })
    .await
}

async fn change_location(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    changes: &domain::LocationChanges,
) -> CatalogResult<Location> {
    if !repo::lock_row(tx, db, "locations", id).await? {
        return Err(CatalogError::LocationNotFound);
    }
    repo::update_location(tx, db, id, changes).await?;
    if let Some(hours) = &changes.opening_hours {
        repo::replace_location_hours(tx, db, id, hours).await?;
    }
    if let Some(days) = &changes.special_days {
        repo::replace_location_special_days(tx, db, id, days).await?;
    }
    one(
        repo::locations(tx, db, Some(id)).await?,
        CatalogError::LocationNotFound,
    )
}

pub async fn location(db: &Db, id: u64) -> CatalogResult<Location> {
    let mut conn = db.pool.get_conn().await?;
    one(
        repo::locations(&mut conn, db, Some(id)).await?,
        CatalogError::LocationNotFound,
    )
}

pub async fn locations(db: &Db) -> CatalogResult<Vec<Location>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::locations(&mut conn, db, None).await?)
}

/// The business's time zone: the setting, else the first location's zone (active ones first),
/// else UTC. Screens show times on it; packages count their days on it.
pub async fn business_zone(db: &Db) -> Result<chrono_tz::Tz, DbError> {
    let mut conn = db.pool.get_conn().await?;
    business_zone_in(&mut conn, db).await
}

/// [`business_zone`] read on the caller's connection or transaction.
pub async fn business_zone_in<Q: mysql_async::prelude::Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<chrono_tz::Tz, DbError> {
    let set = crate::settings::load_with(conn, db).await?.timezone;
    if let Some(zone) = set.as_deref().and_then(|z| z.parse().ok()) {
        return Ok(zone);
    }
    let first = repo::locations(conn, db, None)
        .await?
        .into_iter()
        .min_by_key(|l| (!l.active, l.id));
    Ok(first
        .and_then(|l| l.timezone.parse().ok())
        .unwrap_or(chrono_tz::Tz::UTC))
}

fn one<T>(mut rows: Vec<T>, missing: CatalogError) -> CatalogResult<T> {
    rows.pop().ok_or(missing)
}

// ---------------------------------------------------------------- categories

pub async fn create_category(db: &Db, request: &CategoryRequest) -> CatalogResult<Category> {
    let (name, position) = request.validate(true)?;
    let (name, position) = (name.as_deref().unwrap_or_default(), position.unwrap_or(0));
    let id = db
        .transaction(|mut tx| async move {
            let result = repo::insert_category(&mut tx, db, name, position)
                .await
                .map_err(|e| category_name_taken(e.into()));
            (tx, result)
        })
        .await?;
    category(db, id).await
}

/// A unique name refused is the category name taken; anything else stays what it was (a lock
/// conflict is still retried).
fn category_name_taken(e: DbError) -> CatalogError {
    if e.duplicate_key() == Some(repo::UNIQUE_CATEGORY_NAME) {
        CatalogError::CategoryNameTaken
    } else {
        e.into()
    }
}

pub async fn update_category(
    db: &Db,
    id: u64,
    request: &CategoryRequest,
) -> CatalogResult<Category> {
    let (name, position) = request.validate(false)?;
    let name = &name;
    db.transaction(|mut tx| async move {
        let result = change_category(&mut tx, db, id, name, position).await;
        (tx, result)
    })
    .await?;
    category(db, id).await
}

async fn change_category(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    name: &Option<String>,
    position: Option<i32>,
) -> CatalogResult<()> {
    if !repo::lock_row(tx, db, "service_categories", id).await? {
        return Err(CatalogError::CategoryNotFound);
    }
    repo::update_category(tx, db, id, name.clone(), position)
        .await
        .map_err(|e| category_name_taken(e.into()))
}

/// Deletes a category that no service belongs to (deactivated ones count: their history names
/// it); a category with services is refused rather than leaving them uncategorised unasked.
pub async fn delete_category(db: &Db, id: u64) -> CatalogResult<()> {
    db.transaction(|mut tx| async move {
        let result = delete_empty_category(&mut tx, db, id).await;
        (tx, result)
    })
    .await
}

async fn delete_empty_category(tx: &mut Tx, db: &Db, id: u64) -> CatalogResult<()> {
    if !repo::lock_row(tx, db, "service_categories", id).await? {
        return Err(CatalogError::CategoryNotFound);
    }
    if !repo::delete_empty_category(tx, db, id).await? {
        return Err(CatalogError::CategoryInUse);
    }
    Ok(())
}

async fn category(db: &Db, id: u64) -> CatalogResult<Category> {
    categories(db)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| CatalogError::CategoryNotFound)
}

pub async fn categories(db: &Db) -> CatalogResult<Vec<Category>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::categories(&mut conn, db).await?)
}

/// A category given by name is found, or created on first use.
async fn resolve_category(
    tx: &mut Tx,
    db: &Db,
    choice: &CategoryChoice,
) -> CatalogResult<Option<Option<u64>>> {
    Ok(match choice {
        CategoryChoice::Keep => None,
        CategoryChoice::None => Some(None),
        CategoryChoice::Id(id) => {
            if repo::existing_ids(tx, db, "service_categories", &[*id])
                .await?
                .is_empty()
            {
                return Err(CatalogError::field("category_id", "no such category"));
            }
            Some(Some(*id))
        }
        CategoryChoice::Named(name) => {
            if let Some(id) = repo::category_id_by_name(tx, db, name, false).await? {
                Some(Some(id))
            } else {
                match repo::insert_category(tx, db, name, 0)
                    .await
                    .map_err(DbError::from)
                {
                    Ok(id) => Some(Some(id)),
                    // Created meanwhile by a concurrent request: it is the same category.
                    Err(e) if e.duplicate_key() == Some(repo::UNIQUE_CATEGORY_NAME) => {
                        repo::category_id_by_name(tx, db, name, true)
                            .await?
                            .map(Some)
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    })
}

async fn ensure_exist(
    tx: &mut Tx,
    db: &Db,
    table: &str,
    field: &str,
    ids: &[u64],
) -> CatalogResult<()> {
    let found = repo::existing_ids(tx, db, table, ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        return Err(CatalogError::field(field, format!("no such id {missing}")));
    }
    Ok(())
}

// ---------------------------------------------------------------- services

pub async fn create_service(db: &Db, request: &ServiceRequest) -> CatalogResult<Service> {
    db.transaction(|mut tx| async move {
        let result = create_service_in(&mut tx, db, request).await;
        (tx, result)
    })
    .await
}

pub async fn update_service(db: &Db, id: u64, request: &ServiceRequest) -> CatalogResult<Service> {
    db.transaction(|mut tx| async move {
        let result = update_service_in(&mut tx, db, id, request).await;
        (tx, result)
    })
    .await
}

/// `create_service` on the caller's transaction, for a save that writes more with it (the
/// service form saves the bookings domain's price rules in the same transaction).
pub async fn create_service_in(
    tx: &mut Tx,
    db: &Db,
    request: &ServiceRequest,
) -> CatalogResult<Service> {
    let changes = request.validate(true)?;
    let category_id = resolve_category(tx, db, &changes.category).await?.flatten();
    let id = repo::insert_service(tx, db, &changes, category_id).await?;
    apply_service_links(tx, db, id, &changes).await?;
    checked_service(tx, db, id).await
}

/// `update_service` on the caller's transaction.
pub async fn update_service_in(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    request: &ServiceRequest,
) -> CatalogResult<Service> {
    let changes = request.validate(false)?;
    if !repo::lock_row(tx, db, "services", id).await? {
        return Err(CatalogError::ServiceNotFound);
    }
    let category_id = resolve_category(tx, db, &changes.category).await?;
    repo::update_service(tx, db, id, &changes, category_id).await?;
    apply_service_links(tx, db, id, &changes).await?;
    checked_service(tx, db, id).await
}

async fn apply_service_links(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    c: &domain::ServiceChanges,
) -> CatalogResult<()> {
    if let Some(location_ids) = &c.location_ids {
        ensure_exist(tx, db, "locations", "location_ids", location_ids).await?;
        repo::replace_service_locations(tx, db, id, location_ids).await?;
    }
    if let Some(staff_ids) = &c.staff_ids {
        ensure_exist(tx, db, "staff", "staff_ids", staff_ids).await?;
        repo::replace_service_staff(tx, db, id, staff_ids).await?;
    }
    if let Some(addons) = &c.addons {
        let own = repo::addon_ids(tx, db, id).await?;
        for (i, a) in addons.iter().enumerate() {
            if let Some(addon_id) = a.id
                && !own.contains(&addon_id)
            {
                return Err(CatalogError::field(
                    format!("addons[{i}].id"),
                    "not an add-on of this service",
                ));
            }
        }
        repo::replace_addons(tx, db, id, addons).await?;
    }
    Ok(())
}

/// The service as stored in `tx`, refused when its longest booking could not be held.
async fn checked_service(tx: &mut Tx, db: &Db, id: u64) -> CatalogResult<Service> {
    let service = one(
        repo::services(tx, db, Some(id)).await?,
        CatalogError::ServiceNotFound,
    )?;
    if service.longest_hold_minutes() > MAX_HOLD_MINUTES {
        return Err(CatalogError::field(
            "duration_minutes",
            format!(
                "duration, buffers and add-ons at their maximum quantity come to {} minutes; at most {MAX_HOLD_MINUTES}",
                service.longest_hold_minutes()
            ),
        ));
    }
    Ok(service)
}

pub async fn service(db: &Db, id: u64) -> CatalogResult<Service> {
    let mut conn = db.pool.get_conn().await?;
    one(
        repo::services(&mut conn, db, Some(id)).await?,
        CatalogError::ServiceNotFound,
    )
}

pub async fn services(db: &Db) -> CatalogResult<Vec<Service>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::services(&mut conn, db, None).await?)
}

// ---------------------------------------------------------------- staff

/// What saving a staff member does to its photo.
#[derive(Clone, Copy, Debug)]
pub enum StaffPhoto<'a> {
    Keep,
    /// These bytes, checked as a client's photo is (type from the bytes, 1 MiB at most).
    Set(&'a [u8]),
    Remove,
}

pub async fn create_staff(db: &Db, request: &StaffRequest) -> CatalogResult<Staff> {
    save_staff(db, None, request, StaffPhoto::Keep).await
}

pub async fn update_staff(db: &Db, id: u64, request: &StaffRequest) -> CatalogResult<Staff> {
    save_staff(db, Some(id), request, StaffPhoto::Keep).await
}

/// Creates (`id` none) or updates a staff member and its photo in one transaction: a refused
/// schedule stores no photo, and a refused photo changes nothing else.
pub async fn save_staff(
    db: &Db,
    id: Option<u64>,
    request: &StaffRequest,
    photo: StaffPhoto<'_>,
) -> CatalogResult<Staff> {
    // Checked before anything is written, so that a refused photo leaves no half-saved member.
    let upload = match photo {
        StaffPhoto::Set(image) => Some((
            crate::clients::check_photo(image)
                .map_err(|e| CatalogError::field("avatar", e.to_string()))?,
            hex::encode(Sha256::digest(image)),
        )),
        StaffPhoto::Keep | StaffPhoto::Remove => None,
    };
    let changes = &request.validate(id.is_none())?;
    let upload = upload.as_ref();
    db.transaction(|mut tx| async move {
        let result = save_staff_in(&mut tx, db, id, changes, photo, upload).await;
        (tx, result)
    })
    .await
}

async fn save_staff_in(
    tx: &mut Tx,
    db: &Db,
    id: Option<u64>,
    changes: &domain::StaffChanges,
    photo: StaffPhoto<'_>,
    upload: Option<&(&'static str, String)>,
) -> CatalogResult<Staff> {
    let staff = match id {
        None => insert_staff(tx, db, changes).await?,
        Some(id) => change_staff(tx, db, id, changes).await?,
    };
    match (photo, upload) {
        (StaffPhoto::Set(image), Some((content_type, sha))) => {
            repo::put_staff_avatar(tx, db, staff.id, content_type, image, sha).await?;
        }
        (StaffPhoto::Remove, _) => repo::delete_staff_avatar(tx, db, staff.id).await?,
        _ => {}
    }
    Ok(staff)
}

/// The staff member's photo: its type, bytes and hash.
pub async fn staff_avatar(db: &Db, id: u64) -> CatalogResult<(String, Vec<u8>, String)> {
    let mut conn = db.pool.get_conn().await?;
    repo::staff_avatar(&mut conn, db, id)
        .await?
        .ok_or(CatalogError::StaffNotFound)
}

pub async fn has_staff_avatar(db: &Db, id: u64) -> CatalogResult<bool> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::has_staff_avatar(&mut conn, db, id).await?)
}

async fn insert_staff(
    tx: &mut Tx,
    db: &Db,
    changes: &domain::StaffChanges,
) -> CatalogResult<Staff> {
    let id = repo::insert_staff(tx, db, changes)
        .await
        .map_err(|e| wp_user_taken(e.into()))?;
    apply_staff_links(tx, db, id, changes).await?;
    one(
        repo::staff(tx, db, StaffFilter::One(id)).await?,
        CatalogError::StaffNotFound,
    )
}

async fn change_staff(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    changes: &domain::StaffChanges,
) -> CatalogResult<Staff> {
    if !repo::lock_row(tx, db, "staff", id).await? {
        return Err(CatalogError::StaffNotFound);
    }
    repo::update_staff(tx, db, id, changes)
        .await
        .map_err(|e| wp_user_taken(e.into()))?;
    apply_staff_links(tx, db, id, changes).await?;
    one(
        repo::staff(tx, db, StaffFilter::One(id)).await?,
        CatalogError::StaffNotFound,
    )
}

/// The WordPress user's unique index refusing the row means another member has that user.
fn wp_user_taken(e: DbError) -> CatalogError {
    if e.duplicate_key() == Some(repo::UNIQUE_STAFF_WP_USER) {
        CatalogError::WpUserTaken
    } else {
        e.into()
    }
}

async fn apply_staff_links(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    c: &domain::StaffChanges,
) -> CatalogResult<()> {
    if let Some(service_ids) = &c.service_ids {
        ensure_exist(tx, db, "services", "service_ids", service_ids).await?;
        repo::replace_staff_services(tx, db, id, service_ids).await?;
    }
    if let Some(hours) = &c.working_hours {
        let ids: Vec<u64> = hours.iter().map(|h| h.location_id).collect();
        ensure_exist(tx, db, "locations", "working_hours", &ids).await?;
        repo::replace_staff_hours(tx, db, id, hours).await?;
    }
    if let Some(breaks) = &c.breaks {
        repo::replace_staff_breaks(tx, db, id, breaks).await?;
    }
    if let Some(days) = &c.days_off {
        repo::replace_days_off(tx, db, id, days).await?;
    }
    if let Some(days) = &c.special_days {
        let ids: Vec<u64> = days.iter().map(|d| d.location_id).collect();
        ensure_exist(tx, db, "locations", "special_days", &ids).await?;
        repo::replace_special_days(tx, db, id, days).await?;
    }
    Ok(())
}

pub async fn staff_member(db: &Db, id: u64) -> CatalogResult<Staff> {
    let mut conn = db.pool.get_conn().await?;
    one(
        repo::staff(&mut conn, db, StaffFilter::One(id)).await?,
        CatalogError::StaffNotFound,
    )
}

pub async fn staff(db: &Db) -> CatalogResult<Vec<Staff>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::staff(&mut conn, db, StaffFilter::All).await?)
}

/// What availability reads of the catalog for one service at one location: the service and the
/// location (each `None` when there is no such record), and the active staff performing the
/// service (wherever they work).
pub async fn offering(
    db: &Db,
    service_id: u64,
    location_id: u64,
) -> Result<(Option<Service>, Option<Location>, Vec<Staff>), DbError> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::offering(&mut conn, db, service_id, location_id).await?)
}
