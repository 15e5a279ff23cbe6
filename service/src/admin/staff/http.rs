use super::{PreviewQuery, StaffForm};
use crate::{
    admin::{
        http::{locale, page},
        setup::fields::Fields,
    },
    auth::Actor,
    catalog,
    error::{ApiError, ApiResult},
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(staff_screen))
        .routes(routes!(staff_preview))
        .routes(routes!(save_staff))
}

/// `staff=<id>` of a query string, or `None`; `action=new` is the empty form.
fn staff_id(raw: Option<&str>) -> ApiResult<(Option<u64>, bool)> {
    let mut id = None;
    let mut new = false;
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "staff" if !value.is_empty() => {
                id = Some(value.parse().map_err(|_| ApiError::NotFound)?);
            }
            "action" => new = value == "new",
            _ => {}
        }
    }
    Ok((id, new))
}

#[utoipa::path(get, path = "/v1/render/admin/staff", tag = "admin",
    description = "The Staff screen of wp-admin as an HTML fragment: the list of staff members; with `action=new` the form of a new one; with `staff=<id>` its form and a week preview of its availability (`preview_service`, `preview_location`, `week=YYYY-MM-DD`: any day of the week shown). Managers and admins only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn staff_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let (id, new) = staff_id(raw.as_deref())?;
    if id.is_none() && !new {
        let screen = super::list_screen(&state.db).await?;
        return page(&state, &headers, "admin/staff.html", &screen);
    }
    let preview = PreviewQuery::parse(raw.as_deref())?;
    let screen = super::form_screen(&state.db, actor, &locale(&headers), id, &preview).await?;
    page(&state, &headers, "admin/staff_form.html", &screen)
}

#[utoipa::path(get, path = "/v1/render/admin/staff/{id}/preview", tag = "admin",
    description = "The week preview of a staff member's availability alone (for the form's preview controls): the slots the availability engine offers for `preview_service` at `preview_location` in the week of `week`, in the location's time zone. Managers and admins only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn staff_preview(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let q = PreviewQuery::parse(raw.as_deref())?;
    let staff = catalog::staff_member(&state.db, id).await?;
    let preview = super::preview_of(&state.db, actor, &locale(&headers), &staff, &q).await?;
    page(
        &state,
        &headers,
        "admin/staff_preview.html",
        &serde_json::json!({ "preview": preview, "page": super::PAGE }),
    )
}

#[utoipa::path(post, path = "/v1/render/admin/staff/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The staff form's fields as strings: `first_name`, `last_name`, `email`, `phone`, `wp_user_id`, `active`, `service_ids` (one or several), `can_edit`, `can_cancel`, `can_take_payments` (present when ticked), and numbered rows `wh<k>_{location,weekday,start,end}`, `br<k>_{weekday,start,end}`, `off<k>_{date,until,reason}`, `sd<k>_{date,location,start,end}`; empty rows are ignored. `op=more:<wh|br|off|sd>` adds rows and saves nothing."),
    description = "Creates (no `staff` in the query) or updates (`staff=<id>`) a staff member from the form. Answers the form with the saved values and the week preview, or the form as typed with the catalog's reasons beside the fields; a refusal saves nothing. Managers and admins only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn save_staff(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let (id, _) = staff_id(raw.as_deref())?;
    let posted = Fields::parse(&body)?;
    let op = posted.text("op");
    let form = StaffForm::read(&posted);
    let screen = super::save(
        &state.db,
        actor,
        &locale(&headers),
        id,
        form,
        op.strip_prefix("more:"),
    )
    .await?;
    page(&state, &headers, "admin/staff_form.html", &screen)
}
