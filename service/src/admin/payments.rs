//! wp-admin → Volixta → Flagged payments: WooCommerce payments the service could not count as
//! asked (a total or currency that differs, an overpayment, a package sold out meanwhile, …) and
//! refunds or cancellations of paid orders, newest first, with what a manager can do about each:
//! open the booking or the client, and mark it resolved with a note saying what was done
//! (`woocommerce::resolve_flag`, which only a flag still open passes, once).
use super::{
    display::{Clock, Formats, Names, Who},
    profile::Notice,
};
use crate::{
    admin::http::{locale, page},
    auth::Actor,
    clients,
    db::DbError,
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    state::AppState,
    woocommerce::{self, Intent, repo},
};
use axum::{
    extract::{Path, RawQuery, Request, State},
    http::HeaderMap,
    response::Html,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(payments_screen))
        .routes(routes!(resolve))
}

const PAGE: &str = "volixta-payments";
const PER_PAGE: u32 = 25;

/// `view=open` (the default: flags nobody answered yet) or `resolved`; `before` pages by id.
#[derive(Debug, Default)]
struct Query {
    resolved: bool,
    before: Option<u64>,
}

impl Query {
    fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let mut q = Self::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match (key.as_ref(), value.trim()) {
                ("view", "resolved") => q.resolved = true,
                ("view", "open" | "") => q.resolved = false,
                ("view", _) => return Err(ApiError::field("view", "open or resolved")),
                ("before", "") => {}
                ("before", v) => {
                    q.before = Some(
                        v.parse()
                            .map_err(|_| ApiError::field("before", "a payment id"))?,
                    );
                }
                _ => {}
            }
        }
        Ok(q)
    }

    fn query(&self) -> String {
        let view = if self.resolved { "resolved" } else { "open" };
        match self.before {
            Some(b) => format!("page={PAGE}&view={view}&before={b}"),
            None => format!("page={PAGE}&view={view}"),
        }
    }
}

#[derive(Debug, Serialize)]
struct RefundLine {
    amount: String,
    reason: String,
    date: String,
}

/// A paid order given up in the store: its status then and when the service learned of it.
#[derive(Debug, Serialize)]
struct CancellationLine {
    status: String,
    date: String,
}

#[derive(Debug, Serialize)]
struct Row {
    id: u64,
    kind: &'static str,
    client_id: u64,
    client: String,
    booking_id: Option<u64>,
    top_up_id: Option<u64>,
    package_id: Option<u64>,
    amount: String,
    order_id: Option<u64>,
    order_status: String,
    flag: String,
    detail: String,
    flagged: String,
    refunds: Vec<RefundLine>,
    cancellations: Vec<CancellationLine>,
    resolved: Option<String>,
    resolved_by: Option<Who>,
    note: String,
}

#[derive(Debug, Serialize)]
struct Screen {
    page: &'static str,
    resolved_view: bool,
    here: String,
    open_link: String,
    resolved_link: String,
    rows: Vec<Row>,
    next_page: Option<String>,
    first_page: Option<String>,
    timezone: &'static str,
    notice: Option<Notice>,
    /// The note as typed and why it was refused, for the row it was typed in.
    typed: BTreeMap<u64, String>,
    errors: BTreeMap<u64, String>,
    idempotency_key: String,
}

async fn screen(
    state: &AppState,
    headers: &HeaderMap,
    q: &Query,
    notice: Option<Notice>,
    typed: BTreeMap<u64, String>,
    errors: BTreeMap<u64, String>,
) -> ApiResult<Html<String>> {
    let db = &state.db;
    let clock = Clock::business(db).await?;
    let formats = Formats::load(db, &locale(headers)).await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let mut intents: Vec<Intent> = repo::list(
        &mut conn,
        db,
        true,
        Some(q.resolved),
        None,
        q.before,
        PER_PAGE + 1,
    )
    .await?;
    let next = (intents.len() > PER_PAGE as usize).then(|| {
        intents.truncate(PER_PAGE as usize);
        intents.last().map(|i| i.id)
    });
    let names = Names::of(db, intents.iter().filter_map(|i| i.resolved_by.as_deref())).await?;
    let mut rows = Vec::with_capacity(intents.len());
    for i in intents {
        let refunds = repo::refunds(&mut conn, db, i.id).await?;
        let cancellations = repo::cancellations(&mut conn, db, i.id).await?;
        let client = clients::get(db, i.client_id)
            .await
            .map(|c| c.full_name())
            .unwrap_or_default();
        rows.push(Row {
            id: i.id,
            kind: i.kind.as_str(),
            client_id: i.client_id,
            client,
            booking_id: i.booking_id,
            top_up_id: i.top_up_id,
            package_id: i.package_id,
            amount: formats.money_in(i.amount, &i.currency),
            order_id: i.wc_order_id,
            order_status: i.order_status.clone().unwrap_or_default(),
            flag: i.flag.clone().unwrap_or_default(),
            detail: i.flag_detail.clone().unwrap_or_default(),
            flagged: i.flagged_at.map(|t| clock.when(t)).unwrap_or_default(),
            refunds: refunds
                .iter()
                .map(|r| RefundLine {
                    amount: formats.money_in(r.amount, &i.currency),
                    reason: r.reason.clone(),
                    date: clock.when(r.created_at),
                })
                .collect(),
            cancellations: cancellations
                .iter()
                .map(|c| CancellationLine {
                    status: c.order_status.clone(),
                    date: clock.when(c.created_at),
                })
                .collect(),
            resolved: i.resolved_at.map(|t| clock.when(t)),
            resolved_by: i.resolved_by.as_deref().map(|a| names.who(a)),
            note: i.resolution_note.clone().unwrap_or_default(),
        });
    }
    drop(conn);
    let view = |resolved| {
        Query {
            resolved,
            before: None,
        }
        .query()
    };
    let screen = Screen {
        page: PAGE,
        resolved_view: q.resolved,
        here: q.query(),
        open_link: view(false),
        resolved_link: view(true),
        rows,
        next_page: next.flatten().map(|b| {
            Query {
                resolved: q.resolved,
                before: Some(b),
            }
            .query()
        }),
        first_page: q.before.map(|_| view(q.resolved)),
        timezone: clock.name(),
        notice,
        typed,
        errors,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    };
    page(state, headers, "admin/payments.html", &screen)
}

#[utoipa::path(get, path = "/v1/render/admin/payments", tag = "admin",
    description = "The Flagged payments screen of wp-admin as an HTML fragment: WooCommerce payments flagged for a manager (a total or currency that differs, an overpayment, a refund or a cancellation of a paid order, …), newest first, `view=open` (not yet resolved, the default) or `view=resolved`, paged by `before` (a payment id); each with its booking or client and a form to mark it resolved with a note. Managers and admins only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn payments_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let q = Query::parse(raw.as_deref())?;
    screen(&state, &headers, &q, None, BTreeMap::new(), BTreeMap::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResolveForm {
    note: String,
}

#[utoipa::path(post, path = "/v1/render/admin/payments/{id}/resolve", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{note}`: what was done about it"),
    description = "Marks a flagged payment resolved with the manager's note (`POST /v1/woocommerce/intents/{id}/resolve`); answers the screen (the query it was posted from) saying so, or the reason beside the note with nothing changed. Managers and admins only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    // Resolving twice is refused by the database, so the key needs no claim of its own.
    let request = Idempotent::<ResolveForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let q = Query::parse(raw.as_deref())?;
    let note = request.command.note;
    let (mut typed, mut errors) = (BTreeMap::new(), BTreeMap::new());
    let notice = match woocommerce::resolve_flag(&state.db, request.actor, id, &note).await {
        Ok(_) => Some(Notice::done("resolved", format!("#{id}"), "")),
        Err(woocommerce::WooError::IntentNotFound) => return Err(ApiError::NotFound),
        Err(e @ woocommerce::WooError::NotFlagged) => Some(Notice::refused(e.to_string())),
        Err(e @ (woocommerce::WooError::NoteRequired | woocommerce::WooError::NoteTooLong)) => {
            typed.insert(id, note);
            errors.insert(id, e.to_string());
            None
        }
        Err(e) => return Err(e.into()),
    };
    screen(&state, &headers, &q, notice, typed, errors).await
}
