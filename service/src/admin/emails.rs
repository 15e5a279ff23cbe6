//! wp-admin → Volixta → E-mails: who e-mails come from and whom they copy (administrators
//! change it, managers read it), a preview of each e-mail rendered by the real templates, a test
//! e-mail through the outbox, and the outbox's messages with "Retry" for parked ones.
use super::{
    display::{Clock, Names},
    http::page,
    setup::fields::{Errors, Fields},
};
use crate::{
    auth::Actor,
    error::{ApiError, ApiResult},
    notifications,
    outbox::{self, Channel, MessageRow, Status},
    settings::{self, Settings, SettingsPatch},
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
        .routes(routes!(emails_screen))
        .routes(routes!(save_emails))
        .routes(routes!(send_test))
        .routes(routes!(retry_message))
}

const TEMPLATE: &str = "admin/emails.html";
const PAGE_SIZE: u32 = 25;

/// The form as typed, so what was typed comes back beside a refusal.
#[derive(Debug, Default, Serialize)]
struct MailForm {
    mail_from_name: String,
    mail_reply_to: String,
    /// One address a line.
    manager_emails: String,
    business_name: String,
    business_address: String,
}

impl MailForm {
    fn of(s: &Settings) -> Self {
        Self {
            mail_from_name: s.mail_from_name.clone(),
            mail_reply_to: s.mail_reply_to.clone().unwrap_or_default(),
            manager_emails: s.manager_emails.join("\n"),
            business_name: s.business_name.clone(),
            business_address: s.business_address.clone(),
        }
    }

    fn read(f: &Fields) -> Self {
        Self {
            mail_from_name: f.text("mail_from_name"),
            mail_reply_to: f.text("mail_reply_to"),
            manager_emails: f.text("manager_emails"),
            business_name: f.text("business_name"),
            business_address: f.text("business_address"),
        }
    }

    fn patch(&self) -> SettingsPatch {
        let managers = self
            .manager_emails
            .split(['\n', ',', ';'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        SettingsPatch {
            mail_from_name: Some(self.mail_from_name.clone()),
            mail_reply_to: Some(
                (!self.mail_reply_to.is_empty()).then(|| self.mail_reply_to.clone()),
            ),
            manager_emails: Some(managers),
            business_name: Some(self.business_name.clone()),
            business_address: Some(self.business_address.clone()),
            ..SettingsPatch::default()
        }
    }
}

/// The screen's query: the sample previewed and the messages' filters.
#[derive(Debug, Default)]
struct Query {
    sample: String,
    status: Option<Status>,
    channel: Option<Channel>,
    before: Option<u64>,
}

impl Query {
    fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let mut q = Self::default();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "sample" => q.sample = v.into_owned(),
                "status" if !v.is_empty() => {
                    q.status = Some(
                        Status::parse(&v)
                            .ok_or_else(|| ApiError::field("status", "pending, sent or failed"))?,
                    );
                }
                "channel" if !v.is_empty() => {
                    q.channel = Some(
                        Channel::parse(&v)
                            .ok_or_else(|| ApiError::field("channel", "email or webhook"))?,
                    );
                }
                "before" if !v.is_empty() => {
                    q.before = Some(
                        v.parse()
                            .map_err(|_| ApiError::field("before", "a message id"))?,
                    );
                }
                _ => {}
            }
        }
        if q.sample.is_empty() {
            "booking_created".clone_into(&mut q.sample);
        }
        Ok(q)
    }
}

#[derive(Serialize)]
struct Sample {
    key: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct Preview {
    subject: String,
    text: String,
    html: String,
}

/// One row of the messages list.
#[derive(Serialize)]
struct Row {
    id: u64,
    channel: String,
    topic: String,
    recipient: String,
    webhook_id: Option<u64>,
    status: String,
    attempts: u32,
    last_error: String,
    last_status_code: Option<u16>,
    created: String,
    /// When it was sent, or (pending) when it is tried next.
    when: String,
    message_id: String,
    /// Whether this user may put it back in line (parked or sent; webhook deliveries are the
    /// administrators').
    retry: bool,
}

/// What the last action did, said above the screen.
#[derive(Serialize, Default)]
struct Notice {
    kind: &'static str,
    action: &'static str,
    detail: String,
}

#[derive(Serialize)]
struct Screen {
    page: &'static str,
    can_edit: bool,
    form: MailForm,
    errors: Errors,
    notice: Option<Notice>,
    samples: Vec<Sample>,
    sample: String,
    preview: Option<Preview>,
    preview_error: String,
    test_to: String,
    messages: Vec<Row>,
    status: &'static str,
    channel: &'static str,
    next: Option<u64>,
    zone: &'static str,
    sender: String,
}

struct Parts {
    form: Option<MailForm>,
    errors: Errors,
    notice: Option<Notice>,
    test_to: String,
}

impl Parts {
    fn plain() -> Self {
        Self {
            form: None,
            errors: Errors::new(),
            notice: None,
            test_to: String::new(),
        }
    }
}

async fn screen(state: &AppState, actor: Actor, q: &Query, parts: Parts) -> ApiResult<Screen> {
    let db = &state.db;
    let current = settings::load(db).await?;
    let preview = notifications::preview(
        db,
        &state.templates,
        &current,
        &actor.to_string(),
        &q.sample,
    )
    .await?;
    let (preview, preview_error) = match preview {
        Ok(r) => (
            Some(Preview {
                subject: r.subject,
                text: r.text,
                html: r.html,
            }),
            String::new(),
        ),
        Err(reason) => (None, reason),
    };
    let rows = outbox::list(db, q.status, q.channel, None, q.before, PAGE_SIZE + 1).await?;
    let next = (rows.len() > PAGE_SIZE as usize)
        .then(|| rows.get(PAGE_SIZE as usize - 1).map(|r| r.id))
        .flatten();
    let clock = Clock::business(db).await?;
    let is_admin = actor.require_admin().is_ok();
    let messages = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| row(r, clock, is_admin))
        .collect();
    let sender = state.config.mail_from.clone();
    Ok(Screen {
        page: "volixta-emails",
        can_edit: is_admin,
        form: parts.form.unwrap_or_else(|| MailForm::of(&current)),
        errors: parts.errors,
        notice: parts.notice,
        samples: notifications::SAMPLES
            .iter()
            .map(|(key, label)| Sample { key, label })
            .collect(),
        sample: q.sample.clone(),
        preview,
        preview_error,
        test_to: parts.test_to,
        messages,
        status: q.status.map_or("", Status::as_str),
        channel: q.channel.map_or("", Channel::as_str),
        next,
        zone: clock.name(),
        sender,
    })
}

fn row(r: MessageRow, clock: Clock, is_admin: bool) -> Row {
    let status = Status::parse(&r.status).unwrap_or(Status::Pending);
    let webhook = r.channel == Channel::Webhook.as_str();
    let when = match (status, r.sent_at) {
        (Status::Sent, Some(t)) => clock.when(t.and_utc()),
        (Status::Pending, _) => clock.when(r.next_attempt_at.and_utc()),
        _ => r
            .last_attempt_at
            .map(|t| clock.when(t.and_utc()))
            .unwrap_or_default(),
    };
    Row {
        id: r.id,
        retry: status != Status::Pending && (is_admin || !webhook),
        channel: r.channel,
        topic: r.topic,
        recipient: r.recipient,
        webhook_id: r.webhook_id,
        status: r.status,
        attempts: r.attempts,
        last_error: r.last_error,
        last_status_code: r.last_status_code,
        created: clock.when(r.created_at.and_utc()),
        when,
        message_id: r.message_id,
    }
}

async fn answer(
    state: &AppState,
    actor: Actor,
    headers: &HeaderMap,
    q: &Query,
    parts: Parts,
) -> ApiResult<Html<String>> {
    let view = screen(state, actor, q, parts).await?;
    page(state, headers, TEMPLATE, &view)
}

#[utoipa::path(get, path = "/v1/render/admin/emails", tag = "admin",
    description = "The E-mails screen of wp-admin as an HTML fragment: the sender name, reply-to, managers' addresses and the business's name and address (administrators change them; managers read them), a preview of each e-mail (`sample`: booking_created, booking_rescheduled, booking_cancelled, gift_code, notice) rendered by the real templates with sample data into a sandboxed iframe, a test e-mail, and the outbox's messages newest first (`status`: pending|sent|failed, `channel`: email|webhook, `before`: a message id) with Retry for parked ones. Managers and administrators.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn emails_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let q = Query::parse(raw.as_deref())?;
    answer(&state, actor, &headers, &q, Parts::plain()).await
}

#[utoipa::path(post, path = "/v1/render/admin/emails/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The form's fields as strings: `mail_from_name`, `mail_reply_to` (empty: answers go to the sender), `manager_emails` (one address a line), `business_name`, `business_address`."),
    description = "Saves the e-mail settings through the settings domain; answers the screen with what was saved, or the reason beside the field (nothing saved). Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn save_emails(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let form = MailForm::read(&Fields::parse(&body)?);
    let q = Query::parse(None)?;
    match settings::update(&state.db, form.patch()).await {
        Ok(_) => {
            let mut parts = Parts::plain();
            parts.notice = Some(Notice {
                kind: "success",
                action: "saved",
                detail: String::new(),
            });
            answer(&state, actor, &headers, &q, parts).await
        }
        Err(e) => match e.field() {
            Some(field) => {
                let mut parts = Parts::plain();
                parts.errors = Errors::from([(field.to_owned(), e.to_string())]);
                parts.form = Some(form);
                answer(&state, actor, &headers, &q, parts).await
            }
            None => Err(ApiError::from(e)),
        },
    }
}

#[utoipa::path(post, path = "/v1/render/admin/emails/test", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`to`: the address to send the test e-mail to."),
    description = "Queues a test e-mail to the address through the outbox, as every e-mail leaves; the screen's messages list shows it waiting, then sent (or why not). Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn send_test(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let to = Fields::parse(&body)?.text("to");
    let q = Query::parse(None)?;
    let mut parts = Parts::plain();
    if !settings::is_email(&to) {
        parts.errors = Errors::from([("to".to_owned(), "an e-mail address".to_owned())]);
        parts.test_to = to;
        return answer(&state, actor, &headers, &q, parts).await;
    }
    let who = Names::of(&state.db, [actor.to_string().as_str()])
        .await?
        .who(&actor.to_string())
        .name;
    notifications::test_email(
        &state.db,
        &to,
        "Volixta: a test e-mail",
        &format!(
            "This is a test e-mail sent by {who} from wp-admin → Volixta → E-mails. If you can read it, Volixta's e-mails reach this address."
        ),
    )
    .await?;
    parts.notice = Some(Notice {
        kind: "success",
        action: "test_queued",
        detail: to,
    });
    answer(&state, actor, &headers, &q, parts).await
}

#[utoipa::path(post, path = "/v1/render/admin/emails/retry", tag = "admin",
    params(("id" = u64, Query, description = "The message's id.")),
    description = "Puts a parked (or sent) message back in line now with the same message id, as `POST /v1/outbox/{id}/retry` does; answers the screen saying so, or why not (already waiting). Managers; webhook deliveries administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn retry_message(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let id: u64 = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| ApiError::field("id", "a message id"))?;
    let found = outbox::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if found.channel == Channel::Webhook.as_str() {
        actor.require_admin()?;
    }
    let mut parts = Parts::plain();
    parts.notice = Some(if outbox::retry(&state.db, id).await? {
        Notice {
            kind: "success",
            action: "retried",
            detail: found.recipient,
        }
    } else {
        Notice {
            kind: "warning",
            action: "already_pending",
            detail: found.recipient,
        }
    });
    answer(&state, actor, &headers, &Query::parse(None)?, parts).await
}
