use super::{
    Category, CategoryRequest, Location, LocationRequest, Service, ServiceRequest, Staff,
    StaffCard, StaffRequest,
};
use crate::{
    auth::Actor,
    error::{ApiError, ApiResult, AppJson},
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_location, list_locations))
        .routes(routes!(get_location, patch_location))
        .routes(routes!(create_category, list_categories))
        .routes(routes!(patch_category, delete_category))
        .routes(routes!(create_service, list_services))
        .routes(routes!(get_service, patch_service))
        .routes(routes!(create_staff, list_staff))
        .routes(routes!(get_staff, patch_staff))
        .routes(routes!(get_staff_avatar))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LocationQuery {
    /// Managers only: also retired (inactive) locations.
    pub include_inactive: Option<bool>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ServiceQuery {
    pub category_id: Option<u64>,
    /// Services performed by this staff member.
    pub staff_id: Option<u64>,
    /// Managers only: also inactive services.
    pub include_inactive: Option<bool>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct StaffQuery {
    /// Staff performing this service.
    pub service_id: Option<u64>,
    /// Staff working (weekly or on special days) at this location.
    pub location_id: Option<u64>,
    /// Managers only: also inactive staff.
    pub include_inactive: Option<bool>,
}

/// Managers see the whole record; everyone else a card with the name.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum StaffView {
    Full(Box<Staff>),
    Card(StaffCard),
}

fn view(actor: Actor, s: Staff) -> StaffView {
    if actor.is_manager() {
        StaffView::Full(Box::new(s))
    } else {
        StaffView::Card(StaffCard::from(&s))
    }
}

fn show_inactive(actor: Actor, asked: Option<bool>) -> bool {
    actor.is_manager() && asked.unwrap_or(false)
}

// ---------------------------------------------------------------- locations

#[utoipa::path(post, path = "/v1/locations", tag = "catalog", request_body = LocationRequest,
    responses((status = 201, body = Location), (status = 403), (status = 422)))]
async fn create_location(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<LocationRequest>,
) -> ApiResult<(StatusCode, AppJson<Location>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create_location(&state.db, &request).await?),
    ))
}

#[utoipa::path(get, path = "/v1/locations", tag = "catalog", params(LocationQuery),
    responses((status = 200, body = Vec<Location>)))]
async fn list_locations(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<LocationQuery>,
) -> ApiResult<AppJson<Vec<Location>>> {
    let all = show_inactive(actor, q.include_inactive);
    let mut list = super::locations(&state.db).await?;
    list.retain(|l| all || l.active);
    Ok(AppJson(list))
}

#[utoipa::path(get, path = "/v1/locations/{id}", tag = "catalog",
    responses((status = 200, body = Location), (status = 404)))]
async fn get_location(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Location>> {
    let location = super::location(&state.db, id).await?;
    if !location.active && !actor.is_manager() {
        return Err(ApiError::NotFound);
    }
    Ok(AppJson(location))
}

#[utoipa::path(patch, path = "/v1/locations/{id}", tag = "catalog", request_body = LocationRequest,
    responses((status = 200, body = Location), (status = 403), (status = 404), (status = 422)))]
async fn patch_location(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<LocationRequest>,
) -> ApiResult<AppJson<Location>> {
    actor.require_manager()?;
    Ok(AppJson(
        super::update_location(&state.db, id, &request).await?,
    ))
}

// ---------------------------------------------------------------- categories

#[utoipa::path(post, path = "/v1/service-categories", tag = "catalog", request_body = CategoryRequest,
    responses((status = 201, body = Category), (status = 409, description = "category_name_taken"), (status = 422)))]
async fn create_category(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<CategoryRequest>,
) -> ApiResult<(StatusCode, AppJson<Category>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create_category(&state.db, &request).await?),
    ))
}

#[utoipa::path(get, path = "/v1/service-categories", tag = "catalog",
    responses((status = 200, body = Vec<Category>)))]
async fn list_categories(
    State(state): State<AppState>,
    _actor: Actor,
) -> ApiResult<AppJson<Vec<Category>>> {
    Ok(AppJson(super::categories(&state.db).await?))
}

#[utoipa::path(patch, path = "/v1/service-categories/{id}", tag = "catalog", request_body = CategoryRequest,
    responses((status = 200, body = Category), (status = 404), (status = 409), (status = 422)))]
async fn patch_category(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<CategoryRequest>,
) -> ApiResult<AppJson<Category>> {
    actor.require_manager()?;
    Ok(AppJson(
        super::update_category(&state.db, id, &request).await?,
    ))
}

#[utoipa::path(delete, path = "/v1/service-categories/{id}", tag = "catalog",
    description = "Deletes a category no service belongs to; one with services (deactivated ones too) is refused with 409 `category_in_use`.",
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "category_in_use")))]
async fn delete_category(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    actor.require_manager()?;
    super::delete_category(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- services

#[utoipa::path(post, path = "/v1/services", tag = "catalog", request_body = ServiceRequest,
    responses((status = 201, body = Service), (status = 403), (status = 422)))]
async fn create_service(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<ServiceRequest>,
) -> ApiResult<(StatusCode, AppJson<Service>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create_service(&state.db, &request).await?),
    ))
}

#[utoipa::path(get, path = "/v1/services", tag = "catalog", params(ServiceQuery),
    responses((status = 200, body = Vec<Service>)))]
async fn list_services(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ServiceQuery>,
) -> ApiResult<AppJson<Vec<Service>>> {
    let all = show_inactive(actor, q.include_inactive);
    let mut list = super::services(&state.db).await?;
    list.retain(|s| {
        (all || s.active)
            && q.category_id.is_none_or(|c| s.category_id == Some(c))
            && q.staff_id.is_none_or(|st| s.staff_ids.contains(&st))
    });
    Ok(AppJson(list))
}

#[utoipa::path(get, path = "/v1/services/{id}", tag = "catalog",
    responses((status = 200, body = Service), (status = 404)))]
async fn get_service(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Service>> {
    let service = super::service(&state.db, id).await?;
    if !service.active && !actor.is_manager() {
        return Err(ApiError::NotFound);
    }
    Ok(AppJson(service))
}

#[utoipa::path(patch, path = "/v1/services/{id}", tag = "catalog", request_body = ServiceRequest,
    responses((status = 200, body = Service), (status = 403), (status = 404), (status = 422)))]
async fn patch_service(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<ServiceRequest>,
) -> ApiResult<AppJson<Service>> {
    actor.require_manager()?;
    Ok(AppJson(
        super::update_service(&state.db, id, &request).await?,
    ))
}

// ---------------------------------------------------------------- staff

#[utoipa::path(post, path = "/v1/staff", tag = "catalog", request_body = StaffRequest,
    responses((status = 201, body = Staff), (status = 403), (status = 409, description = "wp_user_taken"), (status = 422)))]
async fn create_staff(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<StaffRequest>,
) -> ApiResult<(StatusCode, AppJson<Staff>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create_staff(&state.db, &request).await?),
    ))
}

#[utoipa::path(get, path = "/v1/staff", tag = "catalog", params(StaffQuery),
    responses((status = 200, body = Vec<StaffView>)))]
async fn list_staff(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<StaffQuery>,
) -> ApiResult<AppJson<Vec<StaffView>>> {
    let all = show_inactive(actor, q.include_inactive);
    let list = super::staff(&state.db).await?;
    Ok(AppJson(
        list.into_iter()
            .filter(|s| {
                (all || s.active)
                    && q.service_id.is_none_or(|id| s.service_ids.contains(&id))
                    && q.location_id
                        .is_none_or(|id| s.location_ids().contains(&id))
            })
            .map(|s| view(actor, s))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/v1/staff/{id}", tag = "catalog",
    responses((status = 200, body = StaffView), (status = 404)))]
async fn get_staff(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<StaffView>> {
    let staff = super::staff_member(&state.db, id).await?;
    if !staff.active && !actor.is_manager() {
        return Err(ApiError::NotFound);
    }
    Ok(AppJson(view(actor, staff)))
}

#[utoipa::path(get, path = "/v1/staff/{id}/avatar", tag = "catalog",
    description = "The staff member's photo (uploaded from wp-admin → Volixta → Staff), with the type sniffed at upload; anyone who may see the staff member may see it. 404 when it has none.",
    responses((status = 200, description = "the image", content_type = "image/*"), (status = 404)))]
async fn get_staff_avatar(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<Response> {
    let staff = super::staff_member(&state.db, id).await?;
    if !staff.active && !actor.is_manager() {
        return Err(ApiError::NotFound);
    }
    let (content_type, image, sha) = super::staff_avatar(&state.db, id).await?;
    crate::clients::http::stored_image(&content_type, image, &sha)
}

#[utoipa::path(patch, path = "/v1/staff/{id}", tag = "catalog", request_body = StaffRequest,
    responses((status = 200, body = Staff), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn patch_staff(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<StaffRequest>,
) -> ApiResult<AppJson<Staff>> {
    actor.require_manager()?;
    Ok(AppJson(super::update_staff(&state.db, id, &request).await?))
}
