use super::{Invoice, ListQuery, Summary};
use crate::{
    auth::Actor,
    error::{ApiResult, AppJson},
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(booking_invoice))
        .routes(routes!(booking_invoice_pdf))
        .routes(routes!(invoice_pdf))
        .routes(routes!(list_invoices))
        .routes(routes!(get_invoice))
}

#[derive(Serialize, ToSchema)]
pub struct InvoicePage {
    /// Invoices and credit notes, newest first.
    pub invoices: Vec<Summary>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/bookings/{id}/invoice", tag = "invoices",
    responses((status = 200, body = Invoice), (status = 403), (status = 404)))]
async fn booking_invoice(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Invoice>> {
    Ok(AppJson(super::for_booking(&state.db, actor, id).await?))
}

#[utoipa::path(get, path = "/v1/invoices", tag = "invoices", params(ListQuery),
    responses((status = 200, body = InvoicePage), (status = 403), (status = 404), (status = 422)))]
async fn list_invoices(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> ApiResult<AppJson<InvoicePage>> {
    let page = super::list(&state.db, actor, &q).await?;
    Ok(AppJson(InvoicePage {
        invoices: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/invoices/{id}", tag = "invoices",
    responses((status = 200, body = Invoice), (status = 403), (status = 404)))]
async fn get_invoice(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Invoice>> {
    Ok(AppJson(super::get(&state.db, actor, id).await?))
}

fn pdf_response(pdf: super::Pdf) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                // Numbers are ASCII letters, digits and dashes (the series setting sees to it).
                format!("inline; filename=\"{}\"", pdf.file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf.bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/bookings/{id}/invoice.pdf", tag = "invoices",
    responses((status = 200, content_type = "application/pdf", description = "the booking's invoice"),
        (status = 403), (status = 404)))]
async fn booking_invoice_pdf(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<Response> {
    Ok(pdf_response(
        super::booking_pdf(&state.db, actor, id).await?,
    ))
}

#[utoipa::path(get, path = "/v1/invoices/{id}/pdf", tag = "invoices",
    responses((status = 200, content_type = "application/pdf", description = "the invoice or credit note"),
        (status = 403), (status = 404)))]
async fn invoice_pdf(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<Response> {
    Ok(pdf_response(super::pdf_of(&state.db, actor, id).await?))
}
