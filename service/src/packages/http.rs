use super::{
    AssignRequest, ClientPackage, ClientPackageChange, Details, Group, Owner, Package,
    PackageError, PackageOffer, PackageRequest,
};
use crate::{
    auth::Actor,
    clients,
    error::{ApiResult, AppJson},
    idempotency::Idempotent,
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_package, list_packages))
        .routes(routes!(get_package, replace_package))
        .routes(routes!(package_owners))
        .routes(routes!(assign_package))
        .routes(routes!(deactivate_package))
        .routes(routes!(create_client_package, client_packages))
        .routes(routes!(get_client_package, change_client_package))
        .routes(routes!(remove_client_package))
}

const IDEMPOTENCY: &str = "a retry with the same key returns the first answer";

/// Managers see the whole package; everyone else what is on sale, as an offer.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum PackageView {
    Full(Box<Package>),
    Offer(PackageOffer),
}

fn view(actor: Actor, p: Package) -> Option<PackageView> {
    if actor.is_manager() {
        Some(PackageView::Full(Box::new(p)))
    } else {
        p.on_sale().then(|| PackageView::Offer(p.offer()))
    }
}

#[derive(Serialize, ToSchema)]
pub struct PackageList {
    /// By name. Managers get every package; everyone else only those on sale.
    pub packages: Vec<PackageView>,
}

#[derive(Serialize, ToSchema)]
pub struct OwnerList {
    pub package: Package,
    /// By client id.
    pub owners: Vec<Owner>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkAssignRequest {
    pub client_ids: Vec<u64>,
    /// Default: today.
    pub activation_date: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct Assigned {
    /// How many clients got one.
    pub assigned: u64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDeactivateRequest {
    pub client_ids: Vec<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct Deactivated {
    /// How many client packages were deactivated (those already inactive are not counted).
    pub deactivated: u64,
}

#[derive(Serialize, ToSchema)]
pub struct ClientPackages {
    pub client_id: u64,
    /// Identical packages (same package, sessions total, activation date and expiry) are one.
    pub groups: Vec<Group>,
    /// With `include=all`: every package one by one, removed ones too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ClientPackage>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ClientPackagesQuery {
    /// `all`: also list every package one by one, removed ones included.
    pub include: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveRequest {
    pub reason: String,
}

#[utoipa::path(post, path = "/v1/packages", tag = "packages", request_body = PackageRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 201, body = Package), (status = 403), (status = 422)))]
async fn create_package(
    State(state): State<AppState>,
    request: Idempotent<PackageRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let spec = request.command.validate()?;
    let (db, actor, spec) = (&state.db, request.actor, &spec);
    request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::create(&mut tx, db, actor, spec).await;
            (tx, result)
        })
        .await
}

#[utoipa::path(get, path = "/v1/packages", tag = "packages",
    responses((status = 200, body = PackageList,
        description = "managers: every package; anyone else, guests too: the packages on sale, without stock or owners")))]
async fn list_packages(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<AppJson<PackageList>> {
    let packages = super::list(&state.db)
        .await?
        .into_iter()
        .filter_map(|p| view(actor, p))
        .collect();
    Ok(AppJson(PackageList { packages }))
}

#[utoipa::path(get, path = "/v1/packages/{id}", tag = "packages",
    responses((status = 200, body = PackageView), (status = 404, description = "absent, or not on sale for anyone but a manager")))]
async fn get_package(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<PackageView>> {
    let package = super::get(&state.db, id).await?;
    Ok(AppJson(view(actor, package).ok_or(PackageError::NotFound)?))
}

#[utoipa::path(put, path = "/v1/packages/{id}", tag = "packages", request_body = PackageRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = Package), (status = 403), (status = 404), (status = 422)))]
async fn replace_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<PackageRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let spec = request.command.validate()?;
    let (db, actor, spec) = (&state.db, request.actor, &spec);
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::replace(&mut tx, db, actor, id, spec).await;
            (tx, result)
        })
        .await
}

#[utoipa::path(get, path = "/v1/packages/{id}/owners", tag = "packages",
    responses((status = 200, body = OwnerList), (status = 403), (status = 404)))]
async fn package_owners(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<OwnerList>> {
    actor.require_manager()?;
    let package = super::get(&state.db, id).await?;
    let owners = super::owners(&state.db, id).await?;
    Ok(AppJson(OwnerList { package, owners }))
}

#[utoipa::path(post, path = "/v1/packages/{id}/assign", tag = "packages", request_body = BulkAssignRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = Assigned, description = "each named client got one more; nothing they owned changed"),
        (status = 403), (status = 404),
        (status = 409, description = "package_inactive, package_sold_out"), (status = 422)))]
async fn assign_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<BulkAssignRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let client_ids = super::bulk_clients(&request.command.client_ids)?;
    let (db, actor, ids, activation) = (
        &state.db,
        request.actor,
        client_ids.as_slice(),
        request.command.activation_date,
    );
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::assign_many(&mut tx, db, actor, id, ids, activation).await;
            (tx, result.map(|assigned| Assigned { assigned }))
        })
        .await
}

#[utoipa::path(post, path = "/v1/packages/{id}/deactivate", tag = "packages", request_body = BulkDeactivateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = Deactivated), (status = 403), (status = 404), (status = 422)))]
async fn deactivate_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<BulkDeactivateRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let client_ids = super::bulk_clients(&request.command.client_ids)?;
    let (db, actor, ids) = (&state.db, request.actor, client_ids.as_slice());
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::deactivate_many(&mut tx, db, actor, id, ids).await;
            (tx, result.map(|deactivated| Deactivated { deactivated }))
        })
        .await
}

#[utoipa::path(post, path = "/v1/clients/{id}/packages", tag = "packages", request_body = AssignRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 201, body = ClientPackage), (status = 403), (status = 404),
        (status = 409, description = "package_inactive, package_sold_out"), (status = 422)))]
async fn create_client_package(
    State(state): State<AppState>,
    Path(client_id): Path<u64>,
    request: Idempotent<AssignRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    super::check_assign(&request.command)?;
    clients::get(&state.db, client_id).await?;
    let (db, actor, assign) = (&state.db, request.actor, &request.command);
    request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::assign(&mut tx, db, actor, client_id, assign).await;
            (tx, result)
        })
        .await
}

#[utoipa::path(get, path = "/v1/clients/{id}/packages", tag = "packages", params(ClientPackagesQuery),
    responses((status = 200, body = ClientPackages), (status = 403), (status = 404)))]
async fn client_packages(
    State(state): State<AppState>,
    actor: Actor,
    Path(client_id): Path<u64>,
    Query(q): Query<ClientPackagesQuery>,
) -> ApiResult<AppJson<ClientPackages>> {
    actor.require_manager_or_client()?;
    clients::authorize(&state.db, actor, client_id).await?;
    let groups = super::groups(&state.db, client_id).await?;
    let items = match q.include.as_deref() {
        Some("all") => Some(super::of_client(&state.db, client_id, true).await?),
        _ => None,
    };
    Ok(AppJson(ClientPackages {
        client_id,
        groups,
        items,
    }))
}

/// Managers any; a client only its own (another's answers 404, as if absent).
async fn authorize(state: &AppState, actor: Actor, id: u64) -> ApiResult<()> {
    actor.require_manager_or_client()?;
    let owner = super::owner_of(&state.db, id).await?;
    clients::authorize(&state.db, actor, owner)
        .await
        .map_err(|_| PackageError::ClientPackageNotFound)?;
    Ok(())
}

#[utoipa::path(get, path = "/v1/client-packages/{id}", tag = "packages",
    responses((status = 200, body = Details, description = "with what it covers and the bookings that used it"),
        (status = 403), (status = 404)))]
async fn get_client_package(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Details>> {
    authorize(&state, actor, id).await?;
    Ok(AppJson(super::details(&state.db, id).await?))
}

#[utoipa::path(patch, path = "/v1/client-packages/{id}", tag = "packages", request_body = ClientPackageChange,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = ClientPackage), (status = 403), (status = 404),
        (status = 409, description = "package_removed"),
        (status = 422, description = "sessions_total below those used, expiry before activation")))]
async fn change_client_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<ClientPackageChange>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let (db, actor, change) = (&state.db, request.actor, &request.command);
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::change(&mut tx, db, actor, id, change).await;
            (tx, result)
        })
        .await
}

#[utoipa::path(post, path = "/v1/client-packages/{id}/remove", tag = "packages", request_body = RemoveRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = ClientPackage, description = "removed from the profile; its history stays"),
        (status = 403), (status = 404), (status = 409, description = "package_removed"), (status = 422)))]
async fn remove_client_package(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<RemoveRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    super::removal_reason(&request.command.reason)?;
    let (db, actor, reason) = (&state.db, request.actor, request.command.reason.as_str());
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::remove(&mut tx, db, actor, id, reason).await;
            (tx, result)
        })
        .await
}
