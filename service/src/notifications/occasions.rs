//! Reminders before bookings and birthday and anniversary greetings. A scheduler on every
//! replica looks for occasions that are due and writes one outbox e-mail per occasion; the
//! occasion is the message's dedupe key, so replicas that find the same occasion, or a replica
//! restarted in the middle, add it once (the outbox's unique key decides, not this process).
use super::repo;
use crate::{
    catalog,
    db::{Db, DbError, Tx, TxError},
    gift_codes::{self, CodeKeys},
    outbox::{self, Channel, NewMessage},
    settings,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde_json::json;
use std::time::Duration as StdDuration;

/// Occasions one look writes at most per kind; the next look continues.
const BATCH: u32 = 200;

/// The dedupe key of a booking's reminder: a rescheduled booking has a new start, so it gets
/// a reminder of its own.
pub fn reminder_key(booking_id: u64, start: DateTime<Utc>) -> String {
    format!("reminder:{booking_id}:{}", start.format("%Y%m%dT%H%M%SZ"))
}

/// Birthday or anniversary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Greeting {
    Birthday,
    Anniversary,
}

impl Greeting {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Birthday => "birthday",
            Self::Anniversary => "anniversary",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::Birthday => "birthday",
            Self::Anniversary => "anniversary",
        }
    }
}

/// Once per occasion and year.
pub fn greeting_key(greeting: Greeting, client_id: u64, year: i32) -> String {
    format!("{}:{client_id}:{year}", greeting.as_str())
}

/// The (month, days) whose dates are celebrated on `today`: a 29 February is celebrated on the
/// 28th in the years without one.
pub fn celebrated_on(today: NaiveDate) -> (u32, u32, u32) {
    let leap = NaiveDate::from_ymd_opt(today.year(), 2, 29).is_some();
    if today.month() == 2 && today.day() == 28 && !leap {
        (2, 28, 29)
    } else {
        (today.month(), today.day(), today.day())
    }
}

/// What one look wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub reminders: u64,
    pub greetings: u64,
}

/// One look at the clock: writes the reminders and greetings due at `now`.
pub async fn schedule(db: &Db, keys: &CodeKeys, now: DateTime<Utc>) -> Result<Written, DbError> {
    let settings = settings::load(db).await?;
    let mut written = Written::default();
    if settings.reminder_hours_before > 0 {
        let until = now + Duration::hours(i64::from(settings.reminder_hours_before));
        let mut after = 0;
        loop {
            let due = {
                let mut conn = db.pool.get_conn().await?;
                repo::due_reminders(&mut conn, db, now, until, after, BATCH).await?
            };
            for (booking_id, start) in &due {
                after = *booking_id;
                if remind(db, *booking_id, start.and_utc()).await? {
                    written.reminders += 1;
                }
            }
            if due.len() < BATCH as usize {
                break;
            }
        }
    }
    let today = catalog::business_zone(db)
        .await?
        .from_utc_datetime(&now.naive_utc())
        .date_naive();
    for (greeting, on) in [
        (Greeting::Birthday, settings.birthday_greetings),
        (Greeting::Anniversary, settings.anniversary_greetings),
    ] {
        if !on {
            continue;
        }
        let mut after = 0;
        loop {
            let due = {
                let mut conn = db.pool.get_conn().await?;
                repo::due_greetings(
                    &mut conn,
                    db,
                    greeting.column(),
                    greeting.as_str(),
                    today,
                    after,
                    BATCH,
                )
                .await?
            };
            for client in &due {
                after = client.id;
                if greet(
                    db,
                    keys,
                    greeting,
                    client,
                    today.year(),
                    settings.greeting_gift_code_id,
                    now,
                )
                .await?
                {
                    written.greetings += 1;
                }
            }
            if due.len() < BATCH as usize {
                break;
            }
        }
    }
    Ok(written)
}

/// Writes one booking's reminder; `false` when another look wrote it first or the booking
/// changed since it was found (cancelled, moved: the next look sees it as it is).
async fn remind(db: &Db, booking_id: u64, start: DateTime<Utc>) -> Result<bool, DbError> {
    db.transaction(|mut tx| async move {
        let result = remind_in(&mut tx, db, booking_id, start).await;
        (tx, result)
    })
    .await
}

async fn remind_in(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    start: DateTime<Utc>,
) -> Result<bool, DbError> {
    let Some(facts) = repo::booking(tx, db, booking_id).await? else {
        return Ok(false);
    };
    if facts.start_at.and_utc() != start
        || !matches!(facts.status.as_str(), "pending" | "confirmed")
    {
        return Ok(false);
    }
    let Some(address) = facts
        .client_email
        .as_deref()
        .map(str::trim)
        .filter(|a| settings::is_email(a))
    else {
        return Ok(false);
    };
    let payload = json!({
        "kind": "reminder",
        "booking": super::booking_json(&facts),
    });
    outbox::enqueue(
        tx,
        db,
        &NewMessage {
            channel: Channel::Email,
            topic: "booking.reminder",
            dedupe_key: &reminder_key(booking_id, start),
            recipient: address,
            webhook_id: None,
            payload: &payload,
        },
    )
    .await
}

/// A greeting whose occasion had its message already: the gift code issued for it is undone.
enum GreetError {
    Taken,
    Db(DbError),
}

impl From<DbError> for GreetError {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl TxError for GreetError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

/// Writes one client's greeting, with a fresh gift code when a template is set, in one
/// transaction: when the occasion's message exists already, the code is rolled back with it.
async fn greet(
    db: &Db,
    keys: &CodeKeys,
    greeting: Greeting,
    client: &repo::ClientFacts,
    year: i32,
    template: Option<u64>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = db
        .transaction(|mut tx| async move {
            let result = greet_in(&mut tx, db, keys, greeting, client, year, template, now).await;
            (tx, result)
        })
        .await;
    match result {
        Ok(()) => Ok(true),
        Err(GreetError::Taken) => Ok(false),
        Err(GreetError::Db(e)) => Err(e),
    }
}

#[allow(clippy::too_many_arguments)]
async fn greet_in(
    tx: &mut Tx,
    db: &Db,
    keys: &CodeKeys,
    greeting: Greeting,
    client: &repo::ClientFacts,
    year: i32,
    template: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(), GreetError> {
    let Some(address) = client
        .email
        .as_deref()
        .map(str::trim)
        .filter(|a| settings::is_email(a))
    else {
        return Err(GreetError::Taken);
    };
    let gift_code_id = match template {
        Some(template) => {
            let note = format!("{} {year}: {}", greeting.as_str(), client.name);
            gift_codes::issue_from_template(tx, db, keys, template, client.id, &note, now).await?
        }
        None => None,
    };
    let payload = json!({
        "kind": "greeting",
        "occasion": greeting.as_str(),
        "client_id": client.id,
        "client_name": client.name,
        "gift_code_id": gift_code_id,
    });
    let added = outbox::enqueue(
        tx,
        db,
        &NewMessage {
            channel: Channel::Email,
            topic: match greeting {
                Greeting::Birthday => "client.birthday",
                Greeting::Anniversary => "client.anniversary",
            },
            dedupe_key: &greeting_key(greeting, client.id, year),
            recipient: address,
            webhook_id: None,
            payload: &payload,
        },
    )
    .await?;
    if added {
        Ok(())
    } else {
        Err(GreetError::Taken)
    }
}

/// How often each replica looks for due occasions.
const EVERY: StdDuration = StdDuration::from_secs(60);

/// The scheduler of one replica; runs until aborted.
pub fn spawn(db: Db, keys: CodeKeys) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            match schedule(&db, &keys, Utc::now()).await {
                Ok(w) if w.reminders + w.greetings > 0 => {
                    tracing::info!(
                        reminders = w.reminders,
                        greetings = w.greetings,
                        "reminders and greetings written"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "looking for reminders and greetings failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_day_birthdays_are_celebrated_on_the_28th_in_other_years() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(celebrated_on(d(2027, 2, 28)), (2, 28, 29));
        assert_eq!(celebrated_on(d(2028, 2, 28)), (2, 28, 28));
        assert_eq!(celebrated_on(d(2028, 2, 29)), (2, 29, 29));
        assert_eq!(celebrated_on(d(2027, 6, 5)), (6, 5, 5));
    }

    #[test]
    fn a_moved_booking_gets_a_reminder_key_of_its_own() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        assert_eq!(
            reminder_key(7, at("2026-03-01T09:30:00Z")),
            "reminder:7:20260301T093000Z"
        );
        assert_ne!(
            reminder_key(7, at("2026-03-01T09:30:00Z")),
            reminder_key(7, at("2026-03-01T10:30:00Z"))
        );
        assert_eq!(greeting_key(Greeting::Birthday, 3, 2026), "birthday:3:2026");
    }
}
