//! Volixta's e-mails. The causing transaction writes one outbox row per recipient with what the
//! e-mail must say (`booking_event`, `gift_code_send`); the outbox's workers hand each to
//! [`EmailCourier`], which renders the templates of `shortcodes/emails/` (HTML and text, with
//! an `.ics` for bookings) and sends it over SMTP.
mod courier;
mod domain;
mod error;
pub mod http;
mod mailer;
pub mod marketing;
pub mod occasions;
mod preview;
mod repo;

pub use courier::{EmailCourier, Rendered};
pub use domain::{Audience, CalendarEntry, ics, recipients};
pub use error::NotifyError;
pub use mailer::Mailer;
pub use preview::{SAMPLES, preview};

use crate::{
    db::{Db, DbError, Tx},
    outbox::{self, Channel, NewMessage},
    settings, webhooks,
};
use serde_json::{Value, json};

/// Writes a booking event's e-mails in its transaction: one to the client, one to the staff
/// member and one to each manager address, each saying what happened and who did it; and the
/// event's deliveries to the webhook endpoints of its topic (`booking.<action>`). `action` is
/// the booking history's (`created`, `rescheduled`, `cancelled`, `status_changed`); `changes`
/// its before/after record.
pub async fn booking_event(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    action: &str,
    actor: &str,
    changes: &Value,
) -> Result<(), DbError> {
    let Some(facts) = repo::booking(tx, db, booking_id).await? else {
        return Ok(());
    };
    let settings = settings::load_with(tx, db).await?;
    let sequence = repo::sequence(tx, db, booking_id).await?;
    let booking = booking_json(&facts);
    let topic = format!("booking.{action}");
    let event = outbox::new_id();
    let to = domain::recipients(
        facts.client_email.as_deref(),
        facts.staff_email.as_deref(),
        &settings.manager_emails,
    );
    for (i, (address, audience)) in to.iter().enumerate() {
        let payload = json!({
            "kind": "booking",
            "event": action,
            "audience": audience,
            "actor": actor,
            "changes": changes,
            "sequence": sequence,
            "booking": booking,
        });
        outbox::enqueue(
            tx,
            db,
            &NewMessage {
                channel: Channel::Email,
                topic: &topic,
                dedupe_key: &format!("{event}:{i}"),
                recipient: address,
                webhook_id: None,
                payload: &payload,
            },
        )
        .await?;
    }
    webhooks::publish(
        tx,
        db,
        &topic,
        &json!({"booking": booking, "actor": actor, "changes": changes}),
    )
    .await
}

/// What an e-mail about a booking records of it, as it is when the e-mail is written.
fn booking_json(facts: &repo::BookingFacts) -> Value {
    json!({
        "id": facts.id,
        "client_id": facts.client_id,
        "status": facts.status,
        "start": facts.start_at.and_utc(),
        "end": facts.end_at.and_utc(),
        "people": facts.people,
        "service": facts.service,
        "staff": facts.staff,
        "location": facts.location,
        "address": facts.address,
        "timezone": facts.timezone,
        "client_name": facts.client_name,
    })
}

/// Writes the e-mail of a manager's request to send gift code `gift_code_id` to a client (the
/// send request `send_id`), in the request's transaction. The code itself is read when the
/// e-mail is written, never stored in the outbox.
pub async fn gift_code_send(
    tx: &mut Tx,
    db: &Db,
    send_id: u64,
    gift_code_id: u64,
    client_id: u64,
) -> Result<(), DbError> {
    let Some(client) = repo::client(tx, db, client_id).await? else {
        return Ok(());
    };
    let Some(address) = client.email.filter(|a| settings::is_email(a)) else {
        return Ok(());
    };
    let payload = json!({
        "kind": "gift_code",
        "send_id": send_id,
        "gift_code_id": gift_code_id,
        "client_id": client.id,
        "client_name": client.name,
    });
    outbox::enqueue(
        tx,
        db,
        &NewMessage {
            channel: Channel::Email,
            topic: "gift_code.sent",
            dedupe_key: &format!("gift_code_send:{send_id}"),
            recipient: &address,
            webhook_id: None,
            payload: &payload,
        },
    )
    .await?;
    Ok(())
}

/// A short message to the managers (a webhook endpoint switched off, a test e-mail…), in the
/// caller's transaction. `key` makes it once per occasion.
pub async fn notice(
    tx: &mut Tx,
    db: &Db,
    key: &str,
    to: &[String],
    subject: &str,
    body: &str,
) -> Result<(), DbError> {
    for (i, address) in to.iter().enumerate() {
        if !settings::is_email(address) {
            continue;
        }
        let payload = json!({"kind": "notice", "subject": subject, "body": body});
        outbox::enqueue(
            tx,
            db,
            &NewMessage {
                channel: Channel::Email,
                topic: "notice",
                dedupe_key: &format!("notice:{key}:{i}"),
                recipient: address,
                webhook_id: None,
                payload: &payload,
            },
        )
        .await?;
    }
    Ok(())
}

/// A test e-mail to `to`, queued in the outbox like every other one (so it shows whether the
/// mail server takes Volixta's e-mails, and the messages list shows it leave).
pub async fn test_email(db: &Db, to: &str, subject: &str, body: &str) -> Result<(), DbError> {
    let key = &format!("test:{}", outbox::new_id());
    let to = &[to.to_owned()];
    db.transaction(|mut tx| async move {
        let result = notice(&mut tx, db, key, to, subject, body).await;
        (tx, result)
    })
    .await
}
