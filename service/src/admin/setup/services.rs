//! wp-admin → Volixta → Services: service categories (add, rename, order, delete when empty) and
//! services with their booking terms, price rules, where and by whom they are offered, and their
//! add-ons. The catalog and the bookings' price rules decide; a refusal of either comes back
//! beside the field, and the service and its price rules are saved in one transaction, so a
//! refusal of either saves nothing.
use super::fields::{Errors, Fields, Op, number, remove_at, row_numbers};
use crate::{
    admin::http::page,
    auth::Actor,
    bookings::{self, BookingError, Deposit, Discount, ServicePricing},
    catalog::{
        self, AddonInput, CatalogError, CategoryRequest, Service, ServiceRequest, TimeRuleOverrides,
    },
    db::{Db, DbError, Tx, TxError},
    error::{ApiError, ApiResult},
    money::{Money, format_with_currency},
    settings,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(services_screen))
        .routes(routes!(save_service))
        .routes(routes!(change_categories))
}

const PAGE: &str = "volixta-services";

#[derive(Debug, Default, Serialize)]
struct AddonRow {
    id: String,
    name: String,
    price: String,
    duration_minutes: String,
    min_quantity: String,
    max_quantity: String,
}

/// The service form as typed; numbers stay text until saved, so what was typed comes back.
#[derive(Debug, Default, Serialize)]
struct ServiceForm {
    name: String,
    category_id: String,
    description: String,
    duration_minutes: String,
    price: String,
    capacity: String,
    buffer_before_minutes: String,
    buffer_after_minutes: String,
    min_booking_notice_minutes: String,
    min_change_notice_minutes: String,
    tax_rate_percent: String,
    deposit_type: String,
    deposit_value: String,
    discount_type: String,
    discount_value: String,
    location_ids: Vec<u64>,
    staff_ids: Vec<u64>,
    addons: Vec<AddonRow>,
    position: String,
    active: bool,
}

fn minutes(v: Option<u32>) -> String {
    v.map(|m| m.to_string()).unwrap_or_default()
}

impl ServiceForm {
    fn blank() -> Self {
        Self {
            duration_minutes: "60".into(),
            capacity: "1".into(),
            buffer_before_minutes: "0".into(),
            buffer_after_minutes: "0".into(),
            deposit_type: "none".into(),
            discount_type: "none".into(),
            position: "0".into(),
            active: true,
            ..Self::default()
        }
    }

    fn of(s: &Service, p: &ServicePricing) -> Self {
        let (deposit_type, deposit_value) = match p.deposit {
            Deposit::None => ("none", String::new()),
            Deposit::Fixed(v) => ("fixed", v.to_string()),
            Deposit::Percent(v) => ("percent", v.to_string()),
        };
        let (discount_type, discount_value) = match p.discount {
            None => ("none", String::new()),
            Some(Discount::Amount(v)) => ("amount", v.to_string()),
            Some(Discount::Percent(v)) => ("percent", v.to_string()),
        };
        Self {
            name: s.name.clone(),
            category_id: s.category_id.map(|c| c.to_string()).unwrap_or_default(),
            description: s.description.clone(),
            duration_minutes: s.duration_minutes.to_string(),
            price: s.price.to_string(),
            capacity: s.capacity.to_string(),
            buffer_before_minutes: s.buffer_before_minutes.to_string(),
            buffer_after_minutes: s.buffer_after_minutes.to_string(),
            min_booking_notice_minutes: minutes(s.time_rules.min_booking_notice_minutes),
            min_change_notice_minutes: minutes(s.time_rules.min_change_notice_minutes),
            tax_rate_percent: p
                .tax_rate_percent
                .map(|r| r.to_string())
                .unwrap_or_default(),
            deposit_type: deposit_type.into(),
            deposit_value,
            discount_type: discount_type.into(),
            discount_value,
            location_ids: s.location_ids.clone(),
            staff_ids: s.staff_ids.clone(),
            addons: s
                .addons
                .iter()
                .map(|a| AddonRow {
                    id: a.id.to_string(),
                    name: a.name.clone(),
                    price: a.price.to_string(),
                    duration_minutes: a.duration_minutes.to_string(),
                    min_quantity: a.min_quantity.to_string(),
                    max_quantity: a.max_quantity.to_string(),
                })
                .collect(),
            position: s.position.to_string(),
            active: s.active,
        }
    }

    fn read(f: &Fields) -> Self {
        let addon_parts = [
            "id",
            "name",
            "price",
            "duration_minutes",
            "min_quantity",
            "max_quantity",
        ];
        Self {
            name: f.text("name"),
            category_id: f.text("category_id"),
            description: f.text("description"),
            duration_minutes: f.text("duration_minutes"),
            price: f.text("price"),
            capacity: f.text("capacity"),
            buffer_before_minutes: f.text("buffer_before_minutes"),
            buffer_after_minutes: f.text("buffer_after_minutes"),
            min_booking_notice_minutes: f.text("min_booking_notice_minutes"),
            min_change_notice_minutes: f.text("min_change_notice_minutes"),
            tax_rate_percent: f.text("tax_rate_percent"),
            deposit_type: f.text("deposit_type"),
            deposit_value: f.text("deposit_value"),
            discount_type: f.text("discount_type"),
            discount_value: f.text("discount_value"),
            location_ids: f.ids("location_ids"),
            staff_ids: f.ids("staff_ids"),
            addons: row_numbers(f, "a", &addon_parts)
                .into_iter()
                .map(|i| AddonRow {
                    id: f.text(&format!("a{i}_id")),
                    name: f.text(&format!("a{i}_name")),
                    price: f.text(&format!("a{i}_price")),
                    duration_minutes: f.text(&format!("a{i}_duration_minutes")),
                    min_quantity: f.text(&format!("a{i}_min_quantity")),
                    max_quantity: f.text(&format!("a{i}_max_quantity")),
                })
                .collect(),
            position: f.text("position"),
            active: f.ticked("active"),
        }
    }

    fn edit(&mut self, name: &str, args: &[usize]) -> Option<String> {
        match name {
            "add_addon" => {
                self.addons.push(AddonRow {
                    min_quantity: "1".into(),
                    max_quantity: "1".into(),
                    duration_minutes: "0".into(),
                    ..AddonRow::default()
                });
                return Some(format!("a{}_name", self.addons.len() - 1));
            }
            "remove_addon" => remove_at(&mut self.addons, args.first()),
            _ => {}
        }
        None
    }

    /// The catalog's request and the price rules, or the fields the screen could not read as
    /// numbers. `rows` maps the request's add-ons to their form rows (blank rows left out).
    fn request(&self) -> Result<(ServiceRequest, ServicePricing, Vec<usize>), Errors> {
        let mut e = Errors::new();
        let whole = "a whole number";
        let amount = "an amount like 45.00";
        let percent = "a percentage like 20";
        let mut addons = Vec::new();
        let mut rows = Vec::new();
        for (i, a) in self.addons.iter().enumerate() {
            if a.name.is_empty() && a.price.is_empty() {
                continue;
            }
            let at = |f: &str| format!("a{i}_{f}");
            let price = number::<Money>(&mut e, &at("price"), &a.price, amount);
            addons.push(AddonInput {
                id: a.id.parse().ok(),
                name: a.name.clone(),
                price: price.unwrap_or(Money::ZERO),
                duration_minutes: number(
                    &mut e,
                    &at("duration_minutes"),
                    &a.duration_minutes,
                    whole,
                )
                .unwrap_or(0),
                // Left empty, as on a form from before there was a minimum: one.
                min_quantity: if a.min_quantity.is_empty() {
                    1
                } else {
                    number(&mut e, &at("min_quantity"), &a.min_quantity, whole).unwrap_or(1)
                },
                max_quantity: number(&mut e, &at("max_quantity"), &a.max_quantity, whole)
                    .unwrap_or(1),
            });
            if a.price.is_empty() {
                e.insert(at("price"), "price is required".into());
            }
            rows.push(i);
        }
        let value = |e: &mut Errors, field: &str, raw: &str, message: &str| -> Money {
            if raw.is_empty() {
                e.insert(field.to_owned(), message.to_owned());
            }
            number(e, field, raw, message).unwrap_or(Money::ZERO)
        };
        let deposit = match self.deposit_type.as_str() {
            "fixed" => Deposit::Fixed(value(&mut e, "deposit_value", &self.deposit_value, amount)),
            "percent" => {
                Deposit::Percent(value(&mut e, "deposit_value", &self.deposit_value, percent))
            }
            _ => Deposit::None,
        };
        let discount = match self.discount_type.as_str() {
            "amount" => Some(Discount::Amount(value(
                &mut e,
                "discount_value",
                &self.discount_value,
                amount,
            ))),
            "percent" => Some(Discount::Percent(value(
                &mut e,
                "discount_value",
                &self.discount_value,
                percent,
            ))),
            _ => None,
        };
        let request = ServiceRequest {
            name: Some(self.name.clone()),
            category_id: number(&mut e, "category_id", &self.category_id, whole),
            // An empty category name clears the category; an id sets it.
            category: self.category_id.is_empty().then(String::new),
            description: Some(self.description.clone()),
            duration_minutes: number(&mut e, "duration_minutes", &self.duration_minutes, whole),
            price: number(&mut e, "price", &self.price, amount),
            capacity: number(&mut e, "capacity", &self.capacity, whole),
            buffer_before_minutes: number(
                &mut e,
                "buffer_before_minutes",
                &self.buffer_before_minutes,
                whole,
            ),
            buffer_after_minutes: number(
                &mut e,
                "buffer_after_minutes",
                &self.buffer_after_minutes,
                whole,
            ),
            location_ids: Some(self.location_ids.clone()),
            staff_ids: Some(self.staff_ids.clone()),
            addons: Some(addons),
            time_rules: Some(TimeRuleOverrides {
                min_booking_notice_minutes: number(
                    &mut e,
                    "min_booking_notice_minutes",
                    &self.min_booking_notice_minutes,
                    whole,
                ),
                min_change_notice_minutes: number(
                    &mut e,
                    "min_change_notice_minutes",
                    &self.min_change_notice_minutes,
                    whole,
                ),
                ..TimeRuleOverrides::default()
            }),
            position: number(&mut e, "position", &self.position, whole),
            active: Some(self.active),
        };
        let pricing = ServicePricing {
            deposit,
            discount,
            tax_rate_percent: number(&mut e, "tax_rate_percent", &self.tax_rate_percent, percent),
        };
        if e.is_empty() {
            Ok((request, pricing, rows))
        } else {
            Err(e)
        }
    }
}

/// A catalog or price-rule field path as the form's field name.
fn form_field(path: &str, rows: &[usize]) -> String {
    if let Some(rest) = path.strip_prefix("addons[") {
        let (i, tail) = rest.split_once(']').unwrap_or((rest, ""));
        let row = i.parse::<usize>().ok().and_then(|i| rows.get(i)).copied();
        let tail = tail.trim_start_matches('.');
        return match row {
            Some(row) if tail.is_empty() => format!("a{row}_name"),
            Some(row) => format!("a{row}_{tail}"),
            None => "addons".to_owned(),
        };
    }
    match path {
        "deposit" => "deposit_value".to_owned(),
        "discount" => "discount_value".to_owned(),
        "category" => "category_id".to_owned(),
        other => other.trim_start_matches("time_rules.").to_owned(),
    }
}

#[derive(Serialize)]
struct Named {
    id: u64,
    name: String,
    active: bool,
}

#[derive(Serialize)]
struct CategoryRow {
    id: u64,
    name: String,
    position: i32,
    services: usize,
}

#[derive(Serialize)]
struct ServiceRow {
    id: u64,
    name: String,
    category: Option<String>,
    duration_minutes: u16,
    price: String,
    capacity: u16,
    addons: usize,
    active: bool,
}

#[derive(Serialize, Default)]
struct ListScreen {
    page: &'static str,
    categories: Vec<CategoryRow>,
    services: Vec<ServiceRow>,
    /// What the last action did: `saved`, `category_added`, `category_saved`, `category_deleted`.
    done: Option<(&'static str, String)>,
    errors: Errors,
    /// The new category's name as typed, kept when refused.
    new_category: String,
}

#[derive(Serialize)]
struct FormScreen {
    page: &'static str,
    service_id: Option<u64>,
    form: ServiceForm,
    errors: Errors,
    focus: Option<String>,
    categories: Vec<Named>,
    locations: Vec<Named>,
    staff: Vec<Named>,
    currency: String,
    site_tax_rate: String,
}

async fn list_screen(state: &AppState) -> ApiResult<ListScreen> {
    let db = &state.db;
    let currency = settings::load(db).await?.currency;
    let services = catalog::services(db).await?;
    let categories = catalog::categories(db)
        .await?
        .into_iter()
        .map(|c| CategoryRow {
            services: services
                .iter()
                .filter(|s| s.category_id == Some(c.id))
                .count(),
            id: c.id,
            name: c.name,
            position: c.position,
        })
        .collect();
    let services = services
        .into_iter()
        .map(|s| ServiceRow {
            id: s.id,
            price: format_with_currency(s.price, &currency),
            name: s.name,
            category: s.category,
            duration_minutes: s.duration_minutes,
            capacity: s.capacity,
            addons: s.addons.len(),
            active: s.active,
        })
        .collect();
    Ok(ListScreen {
        page: PAGE,
        categories,
        services,
        ..ListScreen::default()
    })
}

async fn form_screen(
    state: &AppState,
    service_id: Option<u64>,
    form: ServiceForm,
    errors: Errors,
    focus: Option<String>,
) -> ApiResult<FormScreen> {
    let db = &state.db;
    let settings = settings::load(db).await?;
    let named = |id, name, active| Named { id, name, active };
    Ok(FormScreen {
        page: PAGE,
        service_id,
        form,
        errors,
        focus,
        categories: catalog::categories(db)
            .await?
            .into_iter()
            .map(|c| named(c.id, c.name, true))
            .collect(),
        locations: catalog::locations(db)
            .await?
            .into_iter()
            .map(|l| named(l.id, l.name, l.active))
            .collect(),
        staff: catalog::staff(db)
            .await?
            .into_iter()
            .map(|s| {
                let name = format!("{} {}", s.first_name, s.last_name);
                named(s.id, name.trim().to_owned(), s.active)
            })
            .collect(),
        currency: settings.currency,
        site_tax_rate: settings.tax_rate_percent.to_string(),
    })
}

const LIST: &str = "admin/services.html";
const FORM: &str = "admin/service_form.html";

#[utoipa::path(get, path = "/v1/render/admin/services", tag = "admin",
    description = "The Services screen of wp-admin as an HTML fragment: categories and services; with `action=new` the form of a new service, with `service=<id>` the form of that one (terms, price rules, locations, staff, add-ons). Managers and admins.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn services_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    match super::route(raw.as_deref(), "service")? {
        None => page(&state, &headers, LIST, &list_screen(&state).await?),
        Some(None) => {
            let screen = form_screen(&state, None, ServiceForm::blank(), Errors::new(), None);
            page(&state, &headers, FORM, &screen.await?)
        }
        Some(Some(id)) => {
            let service = catalog::service(&state.db, id).await?;
            let pricing = bookings::pricing(&state.db, id).await?;
            let form = ServiceForm::of(&service, &pricing);
            let screen = form_screen(&state, Some(id), form, Errors::new(), None).await?;
            page(&state, &headers, FORM, &screen)
        }
    }
}

/// Saves the service, then its price rules (already checked, so they are not refused after the
/// service was saved).
async fn save(
    state: &AppState,
    id: Option<u64>,
    request: &ServiceRequest,
    pricing: &ServicePricing,
) -> Result<Result<Service, (String, String)>, ApiError> {
    if let Err(e) = pricing.validate() {
        return match e {
            BookingError::Field { field, message } => Ok(Err((field, message))),
            other => Err(other.into()),
        };
    }
    let db = &state.db;
    let saved = db
        .transaction(|mut tx| async move {
            let result = save_in(&mut tx, db, id, request, pricing).await;
            (tx, result)
        })
        .await;
    match saved {
        Ok(service) => Ok(Ok(service)),
        Err(SaveError::Catalog(CatalogError::Field { field, message })) => {
            Ok(Err((field, message)))
        }
        Err(SaveError::Catalog(e)) => Err(e.into()),
        Err(SaveError::Pricing(BookingError::Field { field, message })) => {
            Ok(Err((field, message)))
        }
        Err(SaveError::Pricing(e)) => Err(e.into()),
    }
}

/// The service and its price rules in one transaction: both are saved, or neither.
async fn save_in(
    tx: &mut Tx,
    db: &Db,
    id: Option<u64>,
    request: &ServiceRequest,
    pricing: &ServicePricing,
) -> Result<Service, SaveError> {
    let service = match id {
        Some(id) => catalog::update_service_in(tx, db, id, request).await?,
        None => catalog::create_service_in(tx, db, request).await?,
    };
    bookings::set_pricing_in(tx, db, service.id, pricing).await?;
    Ok(service)
}

/// Why the service form's one transaction failed: the catalog's refusal or the price rules'.
#[derive(Debug)]
enum SaveError {
    Catalog(CatalogError),
    Pricing(BookingError),
}

impl From<CatalogError> for SaveError {
    fn from(e: CatalogError) -> Self {
        Self::Catalog(e)
    }
}

impl From<BookingError> for SaveError {
    fn from(e: BookingError) -> Self {
        Self::Pricing(e)
    }
}

impl From<DbError> for SaveError {
    fn from(e: DbError) -> Self {
        Self::Catalog(e.into())
    }
}

impl TxError for SaveError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Catalog(e) => e.is_retryable(),
            Self::Pricing(e) => e.is_retryable(),
        }
    }
}

#[utoipa::path(post, path = "/v1/render/admin/services/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The service form's fields as strings: `name`, `category_id`, `description`, `duration_minutes`, `price`, `capacity`, `buffer_before_minutes`, `buffer_after_minutes`, `min_booking_notice_minutes`, `min_change_notice_minutes` (empty: the site's), `tax_rate_percent` (empty: the site's), `deposit_type` (none|fixed|percent) and `deposit_value`, `discount_type` (none|amount|percent) and `discount_value`, `location_ids[]`, `staff_ids[]`, add-ons `a<n>_id|name|price|duration_minutes|min_quantity|max_quantity`, `position`, `active`; `op` is the button: `save`, `add_addon` or `remove_addon:<n>` (these answer the form changed and save nothing)"),
    params(("service" = Option<u64>, Query, description = "the service being edited; absent for a new one")),
    description = "Saves the service form through the catalog and the bookings' price rules, and answers the list with what was saved, or the form again with the reason beside the field (nothing saved).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn save_service(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let id = super::route(raw.as_deref(), "service")?.flatten();
    let fields = Fields::parse(&body)?;
    let mut form = ServiceForm::read(&fields);
    if let Op::Edit { name, args } = fields.op() {
        let focus = form.edit(&name, &args);
        let screen = form_screen(&state, id, form, Errors::new(), focus).await?;
        return page(&state, &headers, FORM, &screen);
    }
    let (request, pricing, rows) = match form.request() {
        Ok(parts) => parts,
        Err(errors) => {
            let screen = form_screen(&state, id, form, errors, None).await?;
            return page(&state, &headers, FORM, &screen);
        }
    };
    match save(&state, id, &request, &pricing).await? {
        Ok(service) => {
            let mut screen = list_screen(&state).await?;
            screen.done = Some(("saved", service.name));
            page(&state, &headers, LIST, &screen)
        }
        Err((field, message)) => {
            let errors = Errors::from([(form_field(&field, &rows), message)]);
            let screen = form_screen(&state, id, form, errors, None).await?;
            page(&state, &headers, FORM, &screen)
        }
    }
}

#[utoipa::path(post, path = "/v1/render/admin/services/categories", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`op`: `add` (with `new_name`, `new_position`), `rename:<id>` (with `name_<id>`, `position_<id>`) or `delete:<id>`"),
    description = "Adds, renames, reorders or deletes a service category through the catalog; answers the Services screen with what was done, or with the catalog's reason beside the category (a category that still has services is not deleted).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn change_categories(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let f = Fields::parse(&body)?;
    let mut errors = Errors::new();
    let mut e = Errors::new();
    let (op, target) = match f.op() {
        Op::Edit { name, args } => (name, args.first().copied()),
        Op::Save => (String::new(), None),
    };
    let target = target.and_then(|t| u64::try_from(t).ok());
    let outcome = match (op.as_str(), target) {
        ("add", _) => {
            let request = CategoryRequest {
                name: Some(f.text("new_name")),
                position: number(
                    &mut e,
                    "new_name",
                    &f.text("new_position"),
                    "a whole number",
                ),
            };
            if !e.is_empty() {
                return categories_refused(&state, &headers, e, f.text("new_name")).await;
            }
            catalog::create_category(&state.db, &request)
                .await
                .map(|c| ("category_added", c.name))
                .map_err(|err| ("new", err))
        }
        ("rename", Some(id)) => {
            let request = CategoryRequest {
                name: Some(f.text(&format!("name_{id}"))),
                position: number(
                    &mut e,
                    &format!("category_{id}"),
                    &f.text(&format!("position_{id}")),
                    "a whole number",
                ),
            };
            if !e.is_empty() {
                return categories_refused(&state, &headers, e, String::new()).await;
            }
            catalog::update_category(&state.db, id, &request)
                .await
                .map(|c| ("category_saved", c.name))
                .map_err(|err| ("row", err))
        }
        ("delete", Some(id)) => {
            let name = catalog::categories(&state.db)
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .map(|c| c.name)
                .unwrap_or_default();
            catalog::delete_category(&state.db, id)
                .await
                .map(|()| ("category_deleted", name))
                .map_err(|err| ("row", err))
        }
        _ => {
            return Err(ApiError::invalid(
                "invalid_body",
                "op: add, rename:<id> or delete:<id>",
            ));
        }
    };
    let mut screen = list_screen(&state).await?;
    match outcome {
        Ok(done) => screen.done = Some(done),
        Err((which, err)) => {
            let key = match (which, target) {
                ("row", Some(id)) => format!("category_{id}"),
                _ => "new_name".to_owned(),
            };
            match err {
                CatalogError::Field { message, .. } => {
                    errors.insert(key, message);
                }
                CatalogError::CategoryNameTaken | CatalogError::CategoryInUse => {
                    errors.insert(key, err.to_string());
                }
                CatalogError::CategoryNotFound => return Err(ApiError::NotFound),
                other => return Err(other.into()),
            }
        }
    }
    if !errors.is_empty() && op == "add" {
        screen.new_category = f.text("new_name");
    }
    screen.errors = errors;
    page(&state, &headers, LIST, &screen)
}

async fn categories_refused(
    state: &AppState,
    headers: &HeaderMap,
    errors: Errors,
    new_category: String,
) -> ApiResult<Html<String>> {
    let mut screen = list_screen(state).await?;
    screen.errors = errors;
    screen.new_category = new_category;
    page(state, headers, LIST, &screen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_and_price_paths_become_form_fields() {
        let rows = vec![0, 2];
        assert_eq!(form_field("addons[1].price", &rows), "a2_price");
        assert_eq!(
            form_field("addons[0].max_quantity", &rows),
            "a0_max_quantity"
        );
        assert_eq!(form_field("addons[1].id", &rows), "a2_id");
        assert_eq!(
            form_field("time_rules.min_booking_notice_minutes", &rows),
            "min_booking_notice_minutes"
        );
        assert_eq!(form_field("deposit", &rows), "deposit_value");
        assert_eq!(form_field("price", &rows), "price");
    }
}
