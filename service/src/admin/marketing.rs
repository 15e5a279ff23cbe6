//! wp-admin → Volixta → Marketing (managers): write a message, see how many clients it will
//! reach before sending (live, unblocked, opted in, with an address: the very rule the sending
//! applies), confirm, send, and the messages sent so far with who sent them and how their
//! e-mails fared in the outbox. The notifications domain checks and sends; a refusal comes back
//! beside its field with nothing written.
use super::{
    display::{Clock, Names, Who},
    http::page,
    setup::fields::{Errors, Fields},
};
use crate::{
    auth::Actor,
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    notifications::{
        http::UNSUBSCRIBE_HEADER,
        marketing::{self, MarketingError, SentMessage},
    },
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Html,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(marketing_screen))
        .routes(routes!(review_message))
        .routes(routes!(send_message))
}

const TEMPLATE: &str = "admin/marketing.html";
const PAGE_SIZE: u32 = 20;

/// The message as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Draft {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

impl Draft {
    fn read(f: &Fields) -> Self {
        Self {
            subject: f.text("subject"),
            // Kept as typed (inner blank lines make paragraphs); only the ends are trimmed.
            body: f.text("body"),
        }
    }
}

/// What the last action did, said above the screen.
#[derive(Serialize)]
struct Notice {
    action: &'static str,
    subject: String,
    count: u64,
}

/// One message sent, as the list shows it.
#[derive(Serialize)]
struct Row {
    id: u64,
    date: String,
    subject: String,
    by: Who,
    recipients: u64,
    delivered: u64,
    failed: u64,
    waiting: u64,
}

#[derive(Serialize)]
struct Screen {
    page: &'static str,
    /// `compose`, or `confirm` (the message checked, waiting for "Send now").
    step: &'static str,
    draft: Draft,
    errors: Errors,
    notice: Option<Notice>,
    /// Clients the message would reach now.
    audience: u64,
    /// The confirm step's Idempotency-Key: a double click sends one message.
    send_key: String,
    messages: Vec<Row>,
    next: Option<u64>,
    zone: &'static str,
}

struct Parts {
    step: &'static str,
    draft: Draft,
    errors: Errors,
    notice: Option<Notice>,
}

impl Parts {
    fn compose(draft: Draft) -> Self {
        Self {
            step: "compose",
            draft,
            errors: Errors::new(),
            notice: None,
        }
    }
}

fn before_of(raw: Option<&str>) -> ApiResult<Option<u64>> {
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k == "before" && !v.is_empty() {
            return v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::field("before", "a message id"));
        }
    }
    Ok(None)
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    before: Option<u64>,
    parts: Parts,
) -> ApiResult<Html<String>> {
    let db = &state.db;
    let audience = marketing::audience(db).await?;
    let mut sent = marketing::sent(db, before, PAGE_SIZE + 1).await?;
    let next = (sent.len() > PAGE_SIZE as usize).then(|| sent[PAGE_SIZE as usize - 1].id);
    sent.truncate(PAGE_SIZE as usize);
    let names = Names::of(db, sent.iter().map(|m| m.created_by.as_str())).await?;
    let clock = Clock::business(db).await?;
    let messages = sent
        .into_iter()
        .map(|m: SentMessage| Row {
            id: m.id,
            date: clock.when(m.created_at),
            by: names.who(&m.created_by),
            subject: m.subject,
            recipients: m.recipients,
            delivered: m.delivered,
            failed: m.failed,
            waiting: m.waiting,
        })
        .collect();
    let view = Screen {
        page: "volixta-marketing",
        step: parts.step,
        draft: parts.draft,
        errors: parts.errors,
        notice: parts.notice,
        audience,
        send_key: crate::outbox::new_id(),
        messages,
        next,
        zone: clock.name(),
    };
    page(state, headers, TEMPLATE, &view)
}

/// The field a refusal belongs beside, with its reason; other failures are errors.
fn refusal(e: MarketingError) -> ApiResult<Errors> {
    match e {
        MarketingError::Field { field, message } => {
            Ok(Errors::from([(field.to_owned(), message.to_owned())]))
        }
        MarketingError::Db(e) => Err(e.into()),
    }
}

fn unsubscribe_url(headers: &HeaderMap) -> &str {
    headers
        .get(UNSUBSCRIBE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[utoipa::path(get, path = "/v1/render/admin/marketing", tag = "admin",
    params(("before" = Option<u64>, Query, description = "Messages older than this one (paging).")),
    description = "The Marketing screen of wp-admin as an HTML fragment: a message's subject and body, how many clients it would reach now (live, unblocked, accepting marketing, with an address), and the messages sent, newest first, each with its date, subject, who sent it, recipients and how many of its e-mails the outbox delivered, gave up on or still holds. Managers.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn marketing_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let before = before_of(raw.as_deref())?;
    answer(&state, &headers, before, Parts::compose(Draft::default())).await
}

#[utoipa::path(post, path = "/v1/render/admin/marketing/review", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`subject`, `body`; `step: edit` goes back to the form with them."),
    description = "Checks a message (nothing is written) and answers the confirmation: the subject, the text and how many clients it goes to, with \"Send now\"; or the form with the reason beside the field. Managers.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn review_message(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let fields = Fields::parse(&body)?;
    let draft = Draft::read(&fields);
    let mut parts = Parts::compose(draft);
    if fields.text("step") != "edit" {
        // The page comes from the plugin at sending; here only the message itself is judged.
        match marketing::check(
            &parts.draft.subject,
            &parts.draft.body,
            "https://unsubscribe.invalid/",
        ) {
            Ok(()) => parts.step = "confirm",
            Err(e) => parts.errors = refusal(e)?,
        }
    }
    answer(&state, &headers, None, parts).await
}

#[utoipa::path(post, path = "/v1/render/admin/marketing/send", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`subject`, `body`, as confirmed."),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the confirmation rendered: a repeat answers the first send"),
        ("X-Volixta-Unsubscribe-Url" = String, Header, description = "the site's unsubscribe page (the plugin's proxy sets it)")),
    description = "Sends the message as `POST /v1/marketing` does (one e-mail to each live, unblocked client who accepts marketing, each with its signed unsubscribe link) and answers the screen saying to how many; a refusal comes back beside its field with nothing written. Managers.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn send_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Idempotent<Draft>,
) -> ApiResult<Html<String>> {
    request.actor.require_manager()?;
    let db = &state.db;
    let url = unsubscribe_url(&headers);
    let (subject, body) = (request.command.subject.trim(), request.command.body.trim());
    let draft = || Draft {
        subject: subject.to_owned(),
        body: body.to_owned(),
    };
    if let Err(e) = marketing::check(subject, body, url) {
        let mut parts = Parts::compose(draft());
        parts.errors = refusal(e)?;
        return answer(&state, &headers, None, parts).await;
    }
    let actor = request.actor.to_string();
    let actor = actor.as_str();
    let response = request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = marketing::send_in(&mut tx, db, actor, subject, body, url).await;
            (
                tx,
                result.map(|(id, recipients)| SentAnswer { id, recipients }),
            )
        })
        .await?;
    // The stored answer of the first send when this is a repeat (same key), else this one's.
    let bytes = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("reading the send's answer: {e}")))?;
    let sent: SentAnswer = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the send's answer: {e}")))?;
    let mut parts = Parts::compose(Draft::default());
    parts.notice = Some(Notice {
        action: "sent",
        subject: subject.to_owned(),
        count: sent.recipients,
    });
    answer(&state, &headers, None, parts).await
}

#[derive(Serialize, Deserialize)]
struct SentAnswer {
    id: u64,
    recipients: u64,
}
