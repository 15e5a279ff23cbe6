//! The POSTs of the duplicates, merge and import screens. Each answers the screen it came from
//! (or the kept profile after a merge), with what was done or why not.
use super::{
    import::{self, ImportScreen},
    merge::{self, MergeQuery},
};
use crate::{
    admin::{
        client::{self, WalletForms},
        http::{form_body, locale, page},
        profile::{self, Notice, ProfileQuery, Tab},
    },
    auth::Actor,
    clients,
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Path, RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
    response::Html,
};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(merge_clients))
        .routes(routes!(dismiss_pair))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_import))
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .routes(routes!(run_import))
}

/// A CSV of `clients::MAX_UPLOAD_BYTES` as a JSON string, escaped at worst.
const UPLOAD_BODY_LIMIT: usize = 6 * clients::MAX_UPLOAD_BYTES + 4096;

/// The wp-admin page the screen is shown on (`?page=…`), as the screens' queries carry it.
pub(super) fn page_slug(raw: Option<&str>) -> String {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| profile::plain_page(&v))
        .unwrap_or_else(|| "volixta-clients".to_owned())
}

fn id_field(field: &str, raw: &str) -> ApiResult<u64> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::field(field, format!("{field} is the id of a client")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MergeForm {
    /// The profile the screen was opened for.
    client: String,
    /// The profile compared with it.
    with: String,
    /// Which of the two stays: `client` or `with`'s id.
    keep: String,
    /// The box that says the two are the same person; present when ticked.
    confirm: String,
}

#[utoipa::path(post, path = "/v1/render/admin/clients/merge", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{client, with, keep}`: the two profiles compared and the id of the one to keep"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the merge screen rendered with its form: a resent form merges once")),
    description = "Merges the other profile into the kept one through the clients domain's merge (as `POST /v1/clients/{id}/merge`, in one transaction). Answers the kept profile with a notice, or the comparison again with the reason it was refused.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn merge_clients(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<MergeForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let slug = page_slug(raw.as_deref());
    let form = &request.command;
    let client_id = id_field("client", &form.client)?;
    let with = id_field("with", &form.with)?;
    let keep = id_field("keep", &form.keep)?;
    if keep != client_id && keep != with {
        return Err(ApiError::field("keep", "keep one of the two profiles"));
    }
    let other = if keep == client_id { with } else { client_id };
    clients::check_pair(keep, other)?;
    let db = &state.db;
    let other_name = clients::get(db, other).await?.full_name();
    let actor = request.actor;
    let outcome = if form.confirm.trim().is_empty() {
        Err(ApiError::field(
            "confirm",
            "Tick the box to confirm that the two profiles are the same person.",
        ))
    } else {
        request
            .run(db, StatusCode::OK, |mut tx| async move {
                let result = clients::merge(&mut tx, db, actor, keep, other).await;
                (tx, result)
            })
            .await
    };
    match outcome {
        Ok(_) => {
            let q = ProfileQuery::new(&slug, keep, Tab::Profile);
            let notice = Notice::done("merged", other_name, "");
            let screen = client::profile_screen(
                db,
                &locale(&headers),
                &q,
                Some(notice),
                WalletForms::default(),
            )
            .await?;
            page(&state, &headers, "admin/client.html", &screen)
        }
        Err(ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. }) => {
            let q = MergeQuery {
                page: &slug,
                client_id,
                with: Some(with),
                search: "",
                keep: Some(keep),
            };
            let screen =
                merge::merge_screen(db, &locale(&headers), &q, Some(Notice::refused(message)))
                    .await?;
            page(&state, &headers, "admin/client_merge.html", &screen)
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PairForm {
    a: String,
    b: String,
}

#[utoipa::path(post, path = "/v1/render/admin/clients/duplicates/dismiss", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{a, b}`: two clients that are different people"),
    description = "Marks two profiles as different people (as `POST /v1/clients/duplicates/dismiss`), so the pair is no longer offered; answers the duplicates screen with a notice.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn dismiss_pair(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let form: PairForm = form_body(&body)?;
    let (a, b) = (id_field("a", &form.a)?, id_field("b", &form.b)?);
    let db = &state.db;
    clients::mark_distinct(db, actor, a, b).await?;
    let names = [
        clients::get(db, a).await?.full_name(),
        clients::get(db, b).await?.full_name(),
    ];
    let notice = Notice::done("dismissed", names[0].clone(), names[1].clone());
    let screen = merge::duplicates_screen(db, &page_slug(raw.as_deref()), Some(notice)).await?;
    page(&state, &headers, "admin/client_duplicates.html", &screen)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UploadForm {
    /// The file's text, read by the plugin's script from the file input.
    csv: String,
    file_name: String,
}

#[utoipa::path(post, path = "/v1/render/admin/clients/import", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{csv, file_name}`: the file's text (at most 2 MiB) and its name"),
    description = "Keeps an uploaded CSV file for the import screen's next steps (for a week) and answers the column mapping step, with the fields its headers suggest; a file that does not read as CSV answers the upload step with the reason beside the file field.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn upload_import(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let form: UploadForm = form_body(&body)?;
    let slug = page_slug(raw.as_deref());
    let db = &state.db;
    let uploaded = if form.csv.trim().is_empty() {
        Err(ApiError::field("csv", "Choose a CSV file first."))
    } else {
        clients::upload_import(db, &actor.to_string(), &form.file_name, form.csv.as_bytes())
            .await
            .map_err(ApiError::from)
    };
    let screen = match uploaded {
        Ok(id) => import::import_screen(db, &slug, id, None).await?,
        Err(ApiError::Invalid { message, .. }) => {
            let mut screen = ImportScreen::upload(&slug);
            screen.errors.insert("csv".into(), message);
            screen
        }
        Err(e) => return Err(e),
    };
    page(&state, &headers, "admin/client_import.html", &screen)
}

#[utoipa::path(post, path = "/v1/render/admin/clients/import/{id}/run", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{column_0: field, column_1: field, …, dry_run}`: the field of each column (empty: not imported); `dry_run` present for a dry run"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the screen rendered with its form: a resent form starts one run")),
    description = "Starts a dry run or the import of an uploaded file with the chosen columns, in the background (rows are written in chunks, as `POST /v1/clients/import` does), and answers the screen, which polls for the progress until the report is there. A mapping the import cannot use answers the mapping step with the reason.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn run_import(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request =
        Idempotent::<HashMap<String, String>>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let slug = page_slug(raw.as_deref());
    let db = &state.db;
    let form = &request.command;
    let dry_run = form.get("dry_run").is_some_and(|v| !v.trim().is_empty());
    let columns = clients::import_preview(db, id).await?.headers;
    let started = match import::mapping_of(form, &columns) {
        Err((field, message)) => Err(ApiError::field(&field, message)),
        Ok(mapping) => {
            // The answer names the request that started the run: a repeat of the form gets the
            // first request's answer, not its own token, and starts nothing.
            let token = uuid::Uuid::new_v4().to_string();
            let (mapping, answer) = (&mapping, token.as_str());
            match request
                .run(db, StatusCode::ACCEPTED, |mut tx| async move {
                    let result = clients::start_import(&mut tx, db, id, mapping, dry_run).await;
                    (tx, result.map(|()| answer))
                })
                .await
            {
                Ok(response) => {
                    let body = axum::body::to_bytes(response.into_body(), 1024)
                        .await
                        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored answer: {e}")))?;
                    Ok(serde_json::from_slice::<String>(&body).ok() == Some(token))
                }
                Err(e) => Err(e),
            }
        }
    };
    let screen = match started {
        Ok(fresh) => {
            if fresh {
                tokio::spawn(clients::run_import(db.clone(), id));
            }
            import::import_screen(db, &slug, id, None).await?
        }
        Err(ApiError::Invalid {
            fields, message, ..
        }) => {
            let chosen: HashMap<String, String> = columns
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    form.get(&format!("column_{i}"))
                        .filter(|f| !f.is_empty())
                        .map(|f| (f.clone(), h.clone()))
                })
                .collect();
            let mut screen = import::import_screen(db, &slug, id, Some(&chosen)).await?;
            if fields.is_empty() {
                screen.errors.insert("mapping".into(), message);
            } else {
                screen.errors.extend(fields);
            }
            screen
        }
        Err(ApiError::Conflict { .. }) => import::import_screen(db, &slug, id, None).await?,
        Err(e) => return Err(e),
    };
    page(&state, &headers, "admin/client_import.html", &screen)
}
