use super::{BuilderForm, PackagesQuery, client_tab, screen};
use crate::{
    admin::{
        client::{WalletForms, profile_screen},
        display::{Clock, Formats},
        domain::id_list,
        http::{locale, page},
        profile::{Notice, ProfileQuery, Tab},
    },
    auth::Actor,
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    packages::{self, AssignRequest, ClientPackageChange, SaleMethod},
    state::AppState,
};
use axum::{
    extract::{Path, RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
    response::Html,
};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

const TEMPLATE: &str = "admin/packages.html";

/// Money as the site's settings and language write it.
async fn formats(state: &AppState, headers: &HeaderMap) -> ApiResult<Formats> {
    Formats::load(&state.db, &locale(headers)).await
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(packages_screen))
        .routes(routes!(create_package))
        .routes(routes!(save_package))
        .routes(routes!(assign_clients))
        .routes(routes!(deactivate_clients))
        .routes(routes!(add_to_client))
        .routes(routes!(change_client_package))
        .routes(routes!(remove_client_package))
}

#[utoipa::path(get, path = "/v1/render/admin/packages", tag = "admin",
    description = "wp-admin → Volixta → Packages as an HTML fragment: the list; `action=new` the builder; `action=edit&id=N` the builder with the owners and bulk actions; `action=view&id=N` the owners; `action=assign&id=N` (with `search`) the clients to give it to.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn packages_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let q = PackagesQuery::parse(raw.as_deref());
    let view = screen(
        &state.db,
        &formats(&state, &headers).await?,
        &q,
        None,
        None,
        None,
    )
    .await?;
    page(&state, &headers, TEMPLATE, &view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BuilderFields {
    name: String,
    description: String,
    sessions: String,
    price: String,
    validity_days: String,
    quantity: String,
    active: Option<String>,
    #[serde(deserialize_with = "id_list")]
    service_ids: Vec<u64>,
    #[serde(deserialize_with = "id_list")]
    location_ids: Vec<u64>,
}

impl BuilderFields {
    fn typed(&self) -> BuilderForm {
        BuilderForm {
            name: self.name.clone(),
            description: self.description.clone(),
            sessions: self.sessions.clone(),
            price: self.price.clone(),
            validity_days: self.validity_days.clone(),
            quantity: self.quantity.clone(),
            active: self.active.is_some(),
            service_ids: self.service_ids.clone(),
            location_ids: self.location_ids.clone(),
            errors: BTreeMap::new(),
        }
    }
}

/// A refusal's field messages beside the fields, or its message as the screen's notice.
fn sort_refusal(
    e: ApiError,
    errors: &mut BTreeMap<String, String>,
) -> Result<Option<Notice>, ApiError> {
    match e {
        ApiError::Invalid { fields, .. } if !fields.is_empty() => {
            errors.extend(fields);
            Ok(None)
        }
        ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. } => {
            Ok(Some(Notice::refused(message)))
        }
        other => Err(other),
    }
}

/// Creates (`id` None) or saves a package from the builder form: the list with a notice, or the
/// form again with the reasons beside the fields and nothing saved.
async fn save(
    state: &AppState,
    id: Option<u64>,
    raw: Option<&str>,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<BuilderFields>::with_optional_body(request, state).await?;
    request.actor.require_manager()?;
    let mut q = PackagesQuery::parse(raw);
    let mut form = request.command.typed();
    let db = &state.db;
    let mut notice = None;
    if let Some(r) = form.request() {
        let checked = r.validate().map_err(ApiError::from);
        let outcome = match checked {
            Err(e) => Err(e),
            Ok(spec) => {
                let (actor, spec) = (request.actor, &spec);
                request
                    .run(db, StatusCode::OK, |mut tx| async move {
                        let result = match id {
                            None => packages::create(&mut tx, db, actor, spec).await,
                            Some(id) => packages::replace(&mut tx, db, actor, id, spec).await,
                        };
                        (tx, result)
                    })
                    .await
            }
        };
        match outcome {
            Ok(_) => {
                q.action = String::new();
                let done = Notice::done(
                    if id.is_some() { "saved" } else { "created" },
                    &form.name,
                    "",
                );
                let view = screen(
                    db,
                    &formats(state, &headers).await?,
                    &q,
                    Some(done),
                    None,
                    None,
                )
                .await?;
                return page(state, &headers, TEMPLATE, &view);
            }
            Err(e) => notice = sort_refusal(e, &mut form.errors)?,
        }
    }
    q.action = if id.is_some() { "edit" } else { "new" }.into();
    if let Some(id) = id {
        q.id = id.to_string();
    }
    let view = screen(
        db,
        &formats(state, &headers).await?,
        &q,
        notice,
        Some(form),
        None,
    )
    .await?;
    page(state, &headers, TEMPLATE, &view)
}

#[utoipa::path(post, path = "/v1/render/admin/packages", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{name, description, sessions, price, validity_days, quantity, active, service_ids: [id, …], location_ids: [id, …]}` as form strings"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the form was rendered with: a resent form builds one package")),
    description = "Builds a package (as `POST /v1/packages`); answers the list, or the form with the reasons beside the fields and nothing saved.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn create_package(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    save(&state, None, raw.as_deref(), request).await
}

#[utoipa::path(post, path = "/v1/render/admin/packages/{id}", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "the builder's fields, as for a new package"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the form was rendered with")),
    description = "Saves a package's builder fields (as `PUT /v1/packages/{id}`); client packages already made keep their terms.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn save_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    save(&state, Some(id), raw.as_deref(), request).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClientsForm {
    #[serde(deserialize_with = "id_list")]
    client_ids: Vec<u64>,
}

/// A bulk action on the ticked clients: the owners with a notice, or the screen it came from
/// with the reason.
async fn bulk(
    state: &AppState,
    id: u64,
    raw: Option<&str>,
    request: Request,
    deactivate: bool,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<ClientsForm>::with_optional_body(request, state).await?;
    request.actor.require_manager()?;
    let mut q = PackagesQuery::parse(raw);
    q.id = id.to_string();
    let db = &state.db;
    let (actor, ids) = (request.actor, request.command.client_ids.as_slice());
    let outcome = match packages::bulk_clients(ids) {
        Err(e) => Err(ApiError::from(e)),
        Ok(_) => {
            request
                .run(db, StatusCode::OK, |mut tx| async move {
                    let result = if deactivate {
                        packages::deactivate_many(&mut tx, db, actor, id, ids).await
                    } else {
                        packages::assign_many(&mut tx, db, actor, id, ids, None).await
                    };
                    (tx, result.map(|n| serde_json::json!({ "changed": n })))
                })
                .await
        }
    };
    let view = match outcome {
        Ok(response) => {
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .map_err(anyhow::Error::from)?;
            let changed = serde_json::from_slice::<serde_json::Value>(&body)
                .map_err(anyhow::Error::from)?["changed"]
                .as_u64()
                .unwrap_or_default();
            q.action = "view".into();
            let action = if deactivate {
                "deactivated"
            } else {
                "assigned"
            };
            let done = Notice::done(action, changed.to_string(), "");
            screen(
                db,
                &formats(state, &headers).await?,
                &q,
                Some(done),
                None,
                None,
            )
            .await?
        }
        Err(e) => {
            let mut errors = BTreeMap::new();
            let notice = sort_refusal(e, &mut errors)?;
            let reason = errors.into_values().next();
            if q.action.is_empty() {
                q.action = "view".into();
            }
            screen(
                db,
                &formats(state, &headers).await?,
                &q,
                notice,
                None,
                reason,
            )
            .await?
        }
    };
    page(state, &headers, TEMPLATE, &view)
}

#[utoipa::path(post, path = "/v1/render/admin/packages/{id}/assign", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{client_ids: [id, …]}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the screen was rendered with: a resent form assigns once")),
    description = "Gives each ticked client one more of the package (as `POST /v1/packages/{id}/assign`); answers the owners.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn assign_clients(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    bulk(&state, id, raw.as_deref(), request, false).await
}

#[utoipa::path(post, path = "/v1/render/admin/packages/{id}/deactivate", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{client_ids: [id, …]}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the screen was rendered with")),
    description = "Deactivates the package for each ticked client (as `POST /v1/packages/{id}/deactivate`); answers the owners.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn deactivate_clients(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    bulk(&state, id, raw.as_deref(), request, true).await
}

/// The profile's Packages tab, with a notice or a refused row's reasons.
async fn packages_tab(
    state: &AppState,
    headers: &HeaderMap,
    client_id: u64,
    notice: Option<Notice>,
    error_row: Option<u64>,
    errors: BTreeMap<String, String>,
) -> ApiResult<Html<String>> {
    let db = &state.db;
    let q = ProfileQuery::new("volixta-clients", client_id, Tab::Packages);
    let site = locale(headers);
    let mut view = profile_screen(db, &site, &q, notice, WalletForms::default()).await?;
    let clock = Clock::business(db).await?;
    let fmt = Formats::load(db, &site).await?;
    view.packages = Some(client_tab(db, client_id, clock, &fmt, error_row, errors).await?);
    page(state, headers, "admin/client.html", &view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddForm {
    package_id: String,
    /// Empty: given; `cash`, `card` or `bank_transfer`: recorded as sold.
    sold: String,
}

#[utoipa::path(post, path = "/v1/render/admin/client/{id}/packages", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{package_id, sold: '' | cash | card | bank_transfer}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the tab was rendered with: a resent form adds one package")),
    description = "Adds a package to the client (as `POST /v1/clients/{id}/packages`), given or recorded as sold; answers the profile's Packages tab.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn add_to_client(
    State(state): State<AppState>,
    Path(client_id): Path<u64>,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<AddForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let mut errors = BTreeMap::new();
    let package_id = request.command.package_id.parse::<u64>().ok();
    let sold = match request.command.sold.as_str() {
        "" => Ok(None),
        s => SaleMethod::parse(s).map(Some).ok_or(()),
    };
    let (Some(package_id), Ok(sold)) = (package_id, sold) else {
        errors.insert("package_id".into(), "Choose a package.".into());
        return packages_tab(&state, &headers, client_id, None, Some(0), errors).await;
    };
    let assign = &AssignRequest {
        package_id,
        activation_date: None,
        expires_on: None,
        sold,
    };
    let (db, actor) = (&state.db, request.actor);
    let outcome = request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = packages::assign(&mut tx, db, actor, client_id, assign).await;
            (tx, result)
        })
        .await;
    match outcome {
        Ok(_) => {
            let done = Notice::done("package_added", "", "");
            packages_tab(&state, &headers, client_id, Some(done), None, errors).await
        }
        Err(e) => {
            let notice = sort_refusal(e, &mut errors)?;
            packages_tab(&state, &headers, client_id, notice, Some(0), errors).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangeForm {
    /// `activate`, `deactivate`, or `save` (dates and sessions).
    change: String,
    activation_date: String,
    expires_on: String,
    sessions_total: String,
}

impl ChangeForm {
    fn typed(&self, errors: &mut BTreeMap<String, String>) -> ClientPackageChange {
        match self.change.as_str() {
            "activate" | "deactivate" => ClientPackageChange {
                active: Some(self.change == "activate"),
                ..ClientPackageChange::default()
            },
            _ => {
                let date = |raw: &str, field: &str, errors: &mut BTreeMap<String, String>| {
                    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                        .map_err(|_| {
                            errors.insert(field.into(), "Enter a date like 2026-12-31.".into());
                        })
                        .ok()
                };
                let activation_date = date(&self.activation_date, "activation_date", errors);
                let expires_on = if self.expires_on.trim().is_empty() {
                    Some(None)
                } else {
                    date(&self.expires_on, "expires_on", errors).map(Some)
                };
                let sessions_total = self.sessions_total.trim().parse::<u32>().ok();
                if sessions_total.is_none() {
                    errors.insert(
                        "sessions_total".into(),
                        "Enter a whole number of sessions.".into(),
                    );
                }
                ClientPackageChange {
                    active: None,
                    activation_date,
                    expires_on,
                    sessions_total,
                }
            }
        }
    }
}

#[utoipa::path(post, path = "/v1/render/admin/client-packages/{id}", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{change: activate | deactivate | save, activation_date, expires_on (empty = never), sessions_total}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the tab was rendered with")),
    description = "Activates, deactivates, or saves the dates and sessions of a client package (as `PATCH /v1/client-packages/{id}`); answers the profile's Packages tab, with the reasons beside the fields and nothing saved when refused.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn change_client_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<ChangeForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let client_id = packages::owner_of(&state.db, id).await?;
    let mut errors = BTreeMap::new();
    let change = &request.command.typed(&mut errors);
    if !errors.is_empty() {
        return packages_tab(&state, &headers, client_id, None, Some(id), errors).await;
    }
    let (db, actor) = (&state.db, request.actor);
    let outcome = request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = packages::change(&mut tx, db, actor, id, change).await;
            (tx, result)
        })
        .await;
    match outcome {
        Ok(_) => {
            let done = Notice::done("package_saved", "", "");
            packages_tab(&state, &headers, client_id, Some(done), None, errors).await
        }
        Err(e) => {
            let notice = sort_refusal(e, &mut errors)?;
            packages_tab(&state, &headers, client_id, notice, Some(id), errors).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RemoveForm {
    reason: String,
}

#[utoipa::path(post, path = "/v1/render/admin/client-packages/{id}/remove", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{reason}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the tab was rendered with")),
    description = "Removes a package from the client's profile with the reason (as `POST /v1/client-packages/{id}/remove`); its usage history stays.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn remove_client_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<RemoveForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let client_id = packages::owner_of(&state.db, id).await?;
    let mut errors = BTreeMap::new();
    let (db, actor, reason) = (&state.db, request.actor, request.command.reason.as_str());
    let outcome = match packages::removal_reason(reason) {
        Err(e) => Err(ApiError::from(e)),
        Ok(_) => {
            request
                .run(db, StatusCode::OK, |mut tx| async move {
                    let result = packages::remove(&mut tx, db, actor, id, reason).await;
                    (tx, result)
                })
                .await
        }
    };
    match outcome {
        Ok(_) => {
            let done = Notice::done("package_removed", "", "");
            packages_tab(&state, &headers, client_id, Some(done), None, errors).await
        }
        Err(e) => {
            let notice = sort_refusal(e, &mut errors)?;
            packages_tab(&state, &headers, client_id, notice, Some(id), errors).await
        }
    }
}
