use super::{
    Client, ClientError, ClientInput, DuplicateGroup, Group, GroupInput, ImportOptions,
    ImportReport, ListQuery, MergeRequest, MergeResult, Status, StatusInput,
};
use crate::{
    audit::http::AuditPage,
    auth::{Actor, Role},
    error::{ApiError, ApiResult, AppJson},
    idempotency::Idempotent,
    paging::PageRequest,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::DefaultBodyLimit,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Imports carry whole files: up to 64 MiB (about 500,000 rows).
const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    let import = OpenApiRouter::new()
        .routes(routes!(import_clients))
        .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT));
    OpenApiRouter::new()
        .merge(import)
        .routes(routes!(export_clients))
        .routes(routes!(create_client, list_clients))
        .routes(routes!(get_client, update_client, delete_client))
        .routes(routes!(restore_client))
        .routes(routes!(merge_clients))
        .routes(routes!(list_duplicates))
        .routes(routes!(dismiss_duplicates))
        .routes(routes!(client_history))
        .routes(routes!(put_avatar, get_avatar))
        .routes(routes!(default_avatars))
        .routes(routes!(list_statuses, create_status))
        .routes(routes!(update_status, delete_status))
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, update_group, delete_group))
        .routes(routes!(add_group_members))
        .routes(routes!(remove_group_members))
}

#[derive(Serialize, ToSchema)]
pub struct ClientPage {
    pub items: Vec<Client>,
    /// Pass as `after` (with the same `sort`) for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The view of a client for this actor: clients do not see internal notes.
fn view(actor: Actor, client: Client) -> Client {
    if actor.role == Role::Client {
        client.for_client()
    } else {
        client
    }
}

#[utoipa::path(post, path = "/v1/clients", tag = "clients", request_body = ClientInput,
    responses((status = 201, body = Client), (status = 409, description = "client_limit_reached or wp_user_taken"), (status = 422)))]
async fn create_client(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(input): AppJson<ClientInput>,
) -> ApiResult<(StatusCode, AppJson<Client>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create(&state.db, actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/v1/clients", tag = "clients", params(ListQuery),
    responses((status = 200, body = ClientPage), (status = 422)))]
async fn list_clients(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> ApiResult<AppJson<ClientPage>> {
    actor.require_staff()?;
    let page = super::list(&state.db, &query).await?;
    Ok(AppJson(ClientPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/clients/{id}", tag = "clients",
    responses((status = 200, body = Client), (status = 404)))]
async fn get_client(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Client>> {
    super::authorize_read(&state.db, actor, id).await?;
    Ok(AppJson(view(actor, super::get(&state.db, id).await?)))
}

#[utoipa::path(patch, path = "/v1/clients/{id}", tag = "clients", request_body = ClientInput,
    description = "Managers edit every field; a client edits its own names, phone, address, avatar, dates, gender and notification choices.",
    responses((status = 200, body = Client), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn update_client(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(input): AppJson<ClientInput>,
) -> ApiResult<AppJson<Client>> {
    super::authorize(&state.db, actor, id).await?;
    Ok(AppJson(view(
        actor,
        super::update(&state.db, actor, id, input).await?,
    )))
}

#[utoipa::path(delete, path = "/v1/clients/{id}", tag = "clients",
    responses((status = 200, body = Client), (status = 404)))]
async fn delete_client(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Client>> {
    actor.require_manager()?;
    Ok(AppJson(super::delete(&state.db, actor, id).await?))
}

#[utoipa::path(post, path = "/v1/clients/{id}/restore", tag = "clients",
    responses((status = 200, body = Client), (status = 404), (status = 409, description = "client_limit_reached")))]
async fn restore_client(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Client>> {
    actor.require_manager()?;
    Ok(AppJson(super::restore(&state.db, actor, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HistoryQuery {
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

#[utoipa::path(get, path = "/v1/clients/{id}/audit", tag = "clients", params(HistoryQuery),
    description = "Every change to the client: who, when, and each changed field before and after. Newest first.",
    responses((status = 200, body = AuditPage), (status = 404)))]
async fn client_history(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<AppJson<AuditPage>> {
    actor.require_manager()?;
    let page = PageRequest::new(q.before, q.limit);
    Ok(AppJson(super::history(&state.db, id, page).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct AvatarUpload {
    /// The image, base64-encoded (a `data:` URL is accepted too). PNG, JPEG, WebP or GIF, at most 1 MiB.
    pub image: String,
}

/// A JSON body carries base64; anything else is the image itself. Decided by the bytes, since an
/// image never starts with `{` and a proxy may label either one as anything.
fn decode_upload(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Ok(body.to_vec());
    }
    let upload: AvatarUpload = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid("invalid_body", e.to_string()))?;
    Ok(decode_image(&upload.image)?)
}

/// An image sent as base64 text, or as a `data:` URL of it.
pub(crate) fn decode_image(text: &str) -> Result<Vec<u8>, ClientError> {
    let data = text.split_once(";base64,").map_or(text, |(_, data)| data);
    let cleaned: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(cleaned)
        .map_err(|_| ClientError::AvatarEncoding)
}

#[utoipa::path(put, path = "/v1/clients/{id}/avatar", tag = "clients", request_body = AvatarUpload,
    description = "Uploads a profile photo: JSON `{image: base64}` or the raw image bytes (any content type). The type is recognised from the bytes, never taken from the request.",
    responses((status = 200, body = Client), (status = 404), (status = 422)))]
async fn put_avatar(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    body: Bytes,
) -> ApiResult<AppJson<Client>> {
    super::authorize(&state.db, actor, id).await?;
    let image = decode_upload(&body)?;
    Ok(AppJson(view(
        actor,
        super::upload_avatar(&state.db, actor, id, &image).await?,
    )))
}

#[utoipa::path(get, path = "/v1/clients/{id}/avatar", tag = "clients",
    responses((status = 200, description = "the image, with the type sniffed at upload", content_type = "image/*"), (status = 404)))]
async fn get_avatar(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<Response> {
    super::authorize_read(&state.db, actor, id).await?;
    let (content_type, image, sha) = super::avatar(&state.db, id).await?;
    stored_image(&content_type, image, &sha)
}

/// An uploaded photo as served back: its sniffed type, never sniffed again by the browser,
/// sandboxed in case a browser ever opens it as a document, and its hash as the ETag.
pub(crate) fn stored_image(content_type: &str, image: Vec<u8>, sha: &str) -> ApiResult<Response> {
    let content_type = HeaderValue::from_str(content_type)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored image type: {e}")))?;
    let etag = HeaderValue::from_str(&format!("\"{sha}\""))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored image hash: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            ),
            (header::ETAG, etag),
        ],
        image,
    )
        .into_response())
}

#[utoipa::path(get, path = "/v1/client-avatars", tag = "clients",
    responses((status = 200, body = Vec<String>, description = "the names of the default avatars")))]
async fn default_avatars(actor: Actor) -> ApiResult<AppJson<&'static [&'static str]>> {
    if actor.role == Role::Guest {
        return Err(ApiError::Forbidden);
    }
    Ok(AppJson(super::DEFAULT_AVATARS))
}

#[utoipa::path(get, path = "/v1/client-statuses", tag = "clients",
    responses((status = 200, body = Vec<Status>)))]
async fn list_statuses(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<AppJson<Vec<Status>>> {
    actor.require_staff()?;
    Ok(AppJson(super::list_statuses(&state.db).await?))
}

#[utoipa::path(post, path = "/v1/client-statuses", tag = "clients", request_body = StatusInput,
    responses((status = 201, body = Status), (status = 409, description = "status_taken"), (status = 422)))]
async fn create_status(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(input): AppJson<StatusInput>,
) -> ApiResult<(StatusCode, AppJson<Status>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create_status(&state.db, input).await?),
    ))
}

#[utoipa::path(patch, path = "/v1/client-statuses/{id}", tag = "clients", request_body = StatusInput,
    description = "Renaming a status renames it on every client that has it.",
    responses((status = 200, body = Status), (status = 404), (status = 409, description = "status_taken")))]
async fn update_status(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(input): AppJson<StatusInput>,
) -> ApiResult<AppJson<Status>> {
    actor.require_manager()?;
    Ok(AppJson(
        super::update_status(&state.db, actor, id, input).await?,
    ))
}

#[utoipa::path(delete, path = "/v1/client-statuses/{id}", tag = "clients",
    responses((status = 204), (status = 404), (status = 409, description = "status_in_use")))]
async fn delete_status(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    actor.require_manager()?;
    super::delete_status(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/client-groups", tag = "clients",
    responses((status = 200, body = Vec<Group>)))]
async fn list_groups(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<AppJson<Vec<Group>>> {
    actor.require_staff()?;
    Ok(AppJson(super::list_groups(&state.db).await?))
}

#[utoipa::path(post, path = "/v1/client-groups", tag = "clients", request_body = GroupInput,
    responses((status = 201, body = Group), (status = 409, description = "group_name_taken"), (status = 422)))]
async fn create_group(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(input): AppJson<GroupInput>,
) -> ApiResult<(StatusCode, AppJson<Group>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create_group(&state.db, input).await?),
    ))
}

#[utoipa::path(get, path = "/v1/client-groups/{id}", tag = "clients",
    responses((status = 200, body = Group), (status = 404)))]
async fn get_group(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Group>> {
    actor.require_staff()?;
    Ok(AppJson(super::get_group(&state.db, id).await?))
}

#[utoipa::path(patch, path = "/v1/client-groups/{id}", tag = "clients", request_body = GroupInput,
    responses((status = 200, body = Group), (status = 404), (status = 409, description = "group_name_taken")))]
async fn update_group(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(input): AppJson<GroupInput>,
) -> ApiResult<AppJson<Group>> {
    actor.require_manager()?;
    Ok(AppJson(super::update_group(&state.db, id, input).await?))
}

#[utoipa::path(delete, path = "/v1/client-groups/{id}", tag = "clients",
    responses((status = 204), (status = 404)))]
async fn delete_group(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    actor.require_manager()?;
    super::delete_group(&state.db, actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct MembersRequest {
    pub client_ids: Vec<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct MembersResponse {
    pub group: Group,
    /// Memberships that changed (clients already in, or already out, are left as they were).
    pub changed: usize,
}

#[utoipa::path(post, path = "/v1/client-groups/{id}/members", tag = "clients", request_body = MembersRequest,
    description = "Adds clients to the group in bulk; every id must name a client or nothing changes.",
    responses((status = 200, body = MembersResponse), (status = 404), (status = 422)))]
async fn add_group_members(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<MembersRequest>,
) -> ApiResult<AppJson<MembersResponse>> {
    actor.require_manager()?;
    let (group, changed) =
        super::change_members(&state.db, actor, id, &request.client_ids, true).await?;
    Ok(AppJson(MembersResponse { group, changed }))
}

#[utoipa::path(post, path = "/v1/client-groups/{id}/members/remove", tag = "clients", request_body = MembersRequest,
    responses((status = 200, body = MembersResponse), (status = 404), (status = 422)))]
async fn remove_group_members(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<MembersRequest>,
) -> ApiResult<AppJson<MembersResponse>> {
    actor.require_manager()?;
    let (group, changed) =
        super::change_members(&state.db, actor, id, &request.client_ids, false).await?;
    Ok(AppJson(MembersResponse { group, changed }))
}

#[utoipa::path(post, path = "/v1/clients/{id}/merge", tag = "clients", request_body = MergeRequest,
    description = "Merges `other_id` into this client in one transaction: wallet balance and reward points (as `merge` ledger rows), groups, bookings, pending top-ups, notes and the profile fields this client lacks. The other profile is kept, marked merged, pointing here.",
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first answer")),
    responses((status = 200, body = MergeResult), (status = 404), (status = 409, description = "client_not_active or wp_user_taken"), (status = 422)))]
async fn merge_clients(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<MergeRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let other_id = request.command.other_id;
    super::merge::check_pair(id, other_id)?;
    let (db, actor) = (&state.db, request.actor);
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::merge(&mut tx, db, actor, id, other_id).await;
            (tx, result)
        })
        .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DuplicatesQuery {
    /// At most this many groups (default 100).
    pub limit: Option<u16>,
}

#[derive(Serialize, ToSchema)]
pub struct DuplicatesView {
    pub groups: Vec<DuplicateGroup>,
    /// More groups exist than were returned.
    pub truncated: bool,
}

#[utoipa::path(get, path = "/v1/clients/duplicates", tag = "clients", params(DuplicatesQuery),
    description = "Likely duplicates among live clients: the same e-mail, the same phone, or a similar name. Confirm with merge, or mark a pair as two people.",
    responses((status = 200, body = DuplicatesView)))]
async fn list_duplicates(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DuplicatesQuery>,
) -> ApiResult<AppJson<DuplicatesView>> {
    actor.require_manager()?;
    let limit = usize::from(q.limit.unwrap_or(100).clamp(1, 1000));
    let (groups, truncated) = super::find_duplicates(&state.db, limit).await?;
    Ok(AppJson(DuplicatesView { groups, truncated }))
}

#[derive(Deserialize, ToSchema)]
pub struct DistinctRequest {
    /// Two clients that are different people.
    pub client_ids: [u64; 2],
}

#[utoipa::path(post, path = "/v1/clients/duplicates/dismiss", tag = "clients", request_body = DistinctRequest,
    responses((status = 204), (status = 404), (status = 422)))]
async fn dismiss_duplicates(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<DistinctRequest>,
) -> ApiResult<StatusCode> {
    actor.require_manager()?;
    let [a, b] = request.client_ids;
    super::mark_distinct(&state.db, actor, a, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ImportRequest {
    /// The file's text; comma- or semicolon-separated, with a header line.
    pub csv: String,
    /// `field → column header`, e.g. `{"first_name": "Given name", "email": "E-mail"}`; without it,
    /// usual headers are recognised. Fields: first_name, last_name, full_name, email, phone,
    /// street, zip, city, status, notes, birthday, anniversary, gender, notify_reminders,
    /// notify_birthday, notify_marketing, blocked.
    pub mapping: Option<HashMap<String, String>>,
    /// Report what would happen, change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[utoipa::path(post, path = "/v1/clients/import", tag = "clients", request_body = ImportRequest,
    description = "Imports clients from CSV. Rows match live clients by e-mail, then phone (so a re-import creates nobody twice); invalid rows are skipped and reported with line and reason.",
    responses((status = 200, body = ImportReport), (status = 422)))]
async fn import_clients(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<ImportRequest>,
) -> ApiResult<AppJson<ImportReport>> {
    actor.require_manager()?;
    let options = ImportOptions {
        dry_run: request.dry_run,
        mapping: request.mapping.as_ref(),
        actor: actor.to_string(),
    };
    let report = super::import_csv(&state.db, request.csv.as_bytes(), &options, &|_, _| {}).await?;
    Ok(AppJson(report))
}

#[utoipa::path(get, path = "/v1/clients/export.csv", tag = "clients", params(ListQuery),
    description = "The list with the same filters and sort, every page, as CSV. Cells starting with = + - @ are prefixed with an apostrophe so spreadsheets do not run them.",
    responses((status = 200, content_type = "text/csv", body = String)))]
async fn export_clients(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> ApiResult<Response> {
    actor.require_manager()?;
    let body = super::export_csv(&state.db, &query).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"clients.csv\""),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response())
}
