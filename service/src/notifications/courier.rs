//! Turns an outbox row into an e-mail and hands it to SMTP. Rendering happens here, at send
//! time, from what the causing transaction recorded: the templates a site owner overrides apply
//! to e-mails still waiting, and a gift code is read from its sealed form only now.
use super::{
    Mailer,
    domain::{CalendarEntry, ics},
    marketing::UnsubscribeKey,
};
use crate::{
    admin::display::{Clock, Formats, Names},
    db::Db,
    gift_codes::{self, CodeKeys},
    i18n::Locale,
    outbox::{Claimed, Courier, Outcome},
    render::Templates,
    settings::{self, Settings},
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::{
    Message,
    message::{
        Attachment, Mailbox, MultiPart,
        header::{ContentType, HeaderName, HeaderValue},
    },
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::{future::Future, pin::Pin, sync::Arc};

pub struct EmailCourier {
    pub db: Db,
    pub mailer: Mailer,
    pub templates: Arc<Templates>,
    pub keys: CodeKeys,
    pub unsubscribe: UnsubscribeKey,
}

/// What a rendered e-mail consists of.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The `.ics` and its METHOD (REQUEST or CANCEL).
    pub calendar: Option<(String, &'static str)>,
    /// The `List-Unsubscribe` address of a marketing e-mail.
    pub list_unsubscribe: Option<String>,
}

/// Why a message could not be written. A template that fails or a payload that does not
/// parse will fail the same way on every try, so the message is parked with the reason; a
/// database that does not answer is tried again like an SMTP server that does not.
enum Problem {
    Unwritable(String),
    Transient(String),
}

fn unwritable(reason: String) -> Problem {
    Problem::Unwritable(reason)
}

fn transient(reason: String) -> Problem {
    Problem::Transient(reason)
}

#[derive(Deserialize)]
pub(super) struct BookingPayload {
    pub(super) event: String,
    pub(super) audience: String,
    pub(super) actor: String,
    #[serde(default)]
    pub(super) changes: Value,
    #[serde(default)]
    pub(super) sequence: u32,
    pub(super) booking: BookingFacts,
}

#[derive(Deserialize)]
pub(super) struct BookingFacts {
    pub(super) id: u64,
    pub(super) status: String,
    pub(super) start: DateTime<Utc>,
    pub(super) end: DateTime<Utc>,
    pub(super) people: u32,
    pub(super) service: String,
    pub(super) staff: String,
    pub(super) location: String,
    pub(super) address: String,
    pub(super) timezone: String,
    pub(super) client_name: String,
}

fn locale_of(settings: &Settings) -> Locale {
    Locale::parse(settings.locale.as_deref())
}

fn business(settings: &Settings) -> Value {
    json!({"name": settings.business_name, "address": settings.business_address})
}

/// A booking as the e-mails show it: times on its location's clock, in the site's habit.
fn booking_view(settings: &Settings, b: &BookingFacts) -> Value {
    let zone: Tz = b.timezone.parse().unwrap_or(Tz::UTC);
    let clock = Clock::of_zone(zone);
    let formats = Formats::of(settings, &locale_of(settings));
    let when = |t: DateTime<Utc>| json!({"date": clock.date(t), "time": formats.time(clock, t)});
    json!({
        "id": b.id,
        "status": b.status,
        "service": b.service,
        "staff": b.staff,
        "location": b.location,
        "address": b.address,
        "client_name": b.client_name,
        "people": b.people,
        "start": when(b.start),
        "end": when(b.end),
        "timezone": zone.name(),
    })
}

/// What the booking templates are given for an event: who did it (by role and name), the
/// booking's facts on its location's clock, and what changed.
pub(super) async fn event_view(
    db: &Db,
    settings: &Settings,
    p: &BookingPayload,
) -> Result<Value, crate::error::ApiError> {
    let b = &p.booking;
    let zone: Tz = b.timezone.parse().unwrap_or(Tz::UTC);
    let clock = Clock::of_zone(zone);
    let formats = Formats::of(settings, &locale_of(settings));
    let names = Names::of(db, [p.actor.as_str()]).await?;
    let mut who = names.who(&p.actor);
    if who.role == "guest" {
        // The public booking form books for the visitor it just made a client.
        who.role = "client";
        who.name.clone_from(&b.client_name);
    }
    let when = |t: DateTime<Utc>| json!({"date": clock.date(t), "time": formats.time(clock, t)});
    let before = p.changes["start"]["before"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| when(t.with_timezone(&Utc)));
    let view = json!({
        "event": p.event,
        "audience": p.audience,
        "who": who,
        "booking": booking_view(settings, b),
        "before": before,
        "status_before": p.changes["status"]["before"],
        "status_after": p.changes["status"]["after"],
        "reason": p.changes["reason"]["after"],
    });
    Ok(view)
}

/// Renders one e-mail (subject, text and HTML) from `shortcodes/emails/<name>.*` in the site's
/// language, with the business's name and address; the reason when a template fails.
pub(super) fn render(
    templates: &Templates,
    name: &str,
    settings: &Settings,
    view: &Value,
) -> Result<Rendered, String> {
    let locale = locale_of(settings);
    let mut ctx = view.clone();
    ctx["business"] = business(settings);
    let one = |suffix: &str| {
        templates
            .render_in(&format!("emails/{name}.{suffix}"), &locale, &ctx)
            .map_err(|e| format!("template emails/{name}.{suffix}: {e}"))
    };
    Ok(Rendered {
        subject: one("subject.txt")?.trim().replace(['\r', '\n'], " "),
        text: one("txt")?,
        html: one("html")?,
        calendar: None,
        list_unsubscribe: None,
    })
}

impl EmailCourier {
    async fn try_deliver(&self, m: &Claimed) -> Result<Outcome, Problem> {
        let settings = settings::load(&self.db)
            .await
            .map_err(|e| transient(format!("settings: {e}")))?;
        let payload: Value =
            serde_json::from_str(&m.payload).map_err(|e| unwritable(format!("payload: {e}")))?;
        let kind = payload["kind"].as_str().unwrap_or_default().to_owned();
        let rendered = match kind.as_str() {
            "booking" => self.booking(&settings, payload.clone()).await?,
            "gift_code" => self.gift_code(&settings, &payload).await?,
            "reminder" => self.reminder(&settings, payload.clone())?,
            "greeting" => self.greeting(&settings, &payload).await?,
            "marketing" => self.marketing(&settings, &payload)?,
            "notice" => self.render(
                "notice",
                &settings,
                &json!({"subject": payload["subject"], "body": payload["body"]}),
            )?,
            other => return Err(unwritable(format!("unknown e-mail kind {other:?}"))),
        };
        let message = self.message(m, &settings, rendered)?;
        let outcome = self.mailer.send(message).await;
        if matches!(outcome, Outcome::Sent { .. })
            && kind == "gift_code"
            && let Some(send_id) = payload["send_id"].as_u64()
            && let Err(e) = gift_codes::mark_sent(&self.db, send_id).await
        {
            tracing::warn!(error = %e, send_id, "gift code e-mail sent but not stamped");
        }
        Ok(outcome)
    }

    fn render(&self, name: &str, settings: &Settings, view: &Value) -> Result<Rendered, Problem> {
        render(&self.templates, name, settings, view).map_err(unwritable)
    }

    async fn booking(&self, settings: &Settings, payload: Value) -> Result<Rendered, Problem> {
        let p: BookingPayload =
            serde_json::from_value(payload).map_err(|e| unwritable(format!("payload: {e}")))?;
        let view = event_view(&self.db, settings, &p)
            .await
            .map_err(|e| transient(format!("actor names: {e}")))?;
        let mut rendered = self.render("booking", settings, &view)?;
        let b = &p.booking;
        let cancelled = p.event == "cancelled" || b.status == "cancelled";
        let uid = format!("booking-{}@{}", b.id, self.mailer.domain());
        let summary = format!("{} · {}", b.service, b.staff);
        let location = [b.location.as_str(), b.address.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let organizer = settings
            .mail_reply_to
            .clone()
            .unwrap_or_else(|| self.mailer.from.email.to_string());
        rendered.calendar = Some((
            ics(&CalendarEntry {
                uid: &uid,
                sequence: p.sequence,
                start: b.start,
                end: b.end,
                stamp: Utc::now(),
                summary: &summary,
                location: &location,
                description: &settings.business_name,
                organizer: &organizer,
                cancelled,
            }),
            if cancelled { "CANCEL" } else { "REQUEST" },
        ));
        Ok(rendered)
    }

    /// A reminder to the client: the booking as it was when the reminder was written, on the
    /// location's clock.
    fn reminder(&self, settings: &Settings, payload: Value) -> Result<Rendered, Problem> {
        let b: BookingFacts = serde_json::from_value(payload["booking"].clone())
            .map_err(|e| unwritable(format!("payload: {e}")))?;
        self.render(
            "reminder",
            settings,
            &json!({"booking": booking_view(settings, &b)}),
        )
    }

    /// A manager's marketing message, its text in paragraphs, with the client's own signed
    /// unsubscribe link in the body and in `List-Unsubscribe`.
    fn marketing(&self, settings: &Settings, payload: &Value) -> Result<Rendered, Problem> {
        let client_id = payload["client_id"]
            .as_u64()
            .ok_or_else(|| unwritable("payload: no client".to_owned()))?;
        let base = payload["unsubscribe_url"].as_str().unwrap_or_default();
        let link = self.unsubscribe.link(base, client_id);
        let paragraphs: Vec<&str> = payload["body"]
            .as_str()
            .unwrap_or_default()
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let mut rendered = self.render(
            "marketing",
            settings,
            &json!({
                "client_name": payload["client_name"],
                "subject": payload["subject"],
                "paragraphs": paragraphs,
                "unsubscribe_url": link,
            }),
        )?;
        rendered.list_unsubscribe = Some(link);
        Ok(rendered)
    }

    /// A birthday or anniversary greeting, with its gift code when one was issued for it.
    async fn greeting(&self, settings: &Settings, payload: &Value) -> Result<Rendered, Problem> {
        let gift = match payload["gift_code_id"].as_u64() {
            Some(id) => Some(self.gift_view(settings, id).await?),
            None => None,
        };
        self.render(
            "greeting",
            settings,
            &json!({
                "occasion": payload["occasion"],
                "client_name": payload["client_name"],
                "gift": gift,
            }),
        )
    }

    /// A code in clear with its value and expiry, read from its sealed form.
    async fn gift_view(&self, settings: &Settings, id: u64) -> Result<Value, Problem> {
        let problem = |e: gift_codes::GiftCodeError| match e {
            gift_codes::GiftCodeError::Db(e) => transient(format!("gift code {id}: {e}")),
            e => unwritable(format!("gift code {id}: {e}")),
        };
        let details = gift_codes::details(&self.db, id).await.map_err(problem)?;
        let code = gift_codes::reveal_code(&self.db, &self.keys, id)
            .await
            .map_err(problem)?
            .ok_or_else(|| unwritable(format!("gift code {id} cannot be opened with this key")))?;
        let formats = Formats::of(settings, &locale_of(settings));
        let clock = Clock::of_zone(
            settings
                .timezone
                .as_deref()
                .and_then(|z| z.parse().ok())
                .unwrap_or(Tz::UTC),
        );
        Ok(json!({
            "code": code.shown(),
            "value": formats.money(details.gift_code.value),
            "expires": details.gift_code.expires_at.map(|t| clock.date(t)),
            "note": details.gift_code.note,
        }))
    }

    async fn gift_code(&self, settings: &Settings, payload: &Value) -> Result<Rendered, Problem> {
        let id = payload["gift_code_id"].as_u64().unwrap_or_default();
        let mut view = self.gift_view(settings, id).await?;
        view["client_name"] = payload["client_name"].clone();
        self.render("gift_code", settings, &view)
    }

    fn message(&self, m: &Claimed, settings: &Settings, r: Rendered) -> Result<Message, Problem> {
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| unwritable(format!("recipient {:?}: {e}", m.recipient)))?;
        let from = if settings.mail_from_name.trim().is_empty() {
            self.mailer.from.clone()
        } else {
            Mailbox::new(
                Some(settings.mail_from_name.trim().to_owned()),
                self.mailer.from.email.clone(),
            )
        };
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(r.subject)
            // The same id on every try: a resend after a crash is recognisable as one message.
            .message_id(Some(format!("<{}@{}>", m.message_id, self.mailer.domain())));
        if let Some(reply_to) = settings.mail_reply_to.as_deref() {
            let reply_to: Mailbox = reply_to
                .parse()
                .map_err(|e| unwritable(format!("reply-to {reply_to:?}: {e}")))?;
            builder = builder.reply_to(reply_to);
        }
        if let Some(link) = r.list_unsubscribe {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{link}>"),
            ));
            // RFC 8058: a mail program may unsubscribe with one POST to the link, no page shown;
            // the link alone proves who it is for, and the unsubscribe route accepts that post.
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
        }
        let body = MultiPart::alternative_plain_html(r.text, r.html);
        let built = match r.calendar {
            None => builder.multipart(body),
            Some((ics, method)) => {
                let kind =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .map_err(|e| unwritable(format!("calendar type: {e}")))?;
                builder.multipart(
                    MultiPart::mixed()
                        .multipart(body)
                        .singlepart(Attachment::new("booking.ics".to_owned()).body(ics, kind)),
                )
            }
        };
        built.map_err(|e| unwritable(format!("message: {e}")))
    }
}

impl Courier for EmailCourier {
    fn deliver<'a>(&'a self, m: &'a Claimed) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
        Box::pin(async move {
            match self.try_deliver(m).await {
                Ok(outcome) => outcome,
                Err(Problem::Unwritable(error)) => Outcome::Refused {
                    error,
                    status_code: None,
                },
                Err(Problem::Transient(error)) => Outcome::Failed {
                    error,
                    status_code: None,
                },
            }
        })
    }
}
