//! Each e-mail as it would leave today, rendered by the same templates and the same code as the
//! courier's, from made-up facts: what the E-mails screen of wp-admin previews.
use super::courier::{BookingFacts, BookingPayload, Rendered, event_view, render};
use crate::{
    admin::display::{Clock, Formats},
    db::Db,
    error::{ApiError, ApiResult},
    i18n::Locale,
    money::Money,
    render::Templates,
    settings::Settings,
};
use chrono::{Duration, DurationRound, Utc};
use chrono_tz::Tz;
use serde_json::json;

/// The samples a site owner can look at: (key, what it is).
pub const SAMPLES: &[(&str, &str)] = &[
    ("booking_created", "Booking confirmed"),
    ("booking_rescheduled", "Booking rescheduled"),
    ("booking_cancelled", "Booking cancelled"),
    ("gift_code", "Gift code"),
    ("notice", "Notice to the managers"),
];

/// Renders sample `key` (one of [`SAMPLES`]) as `actor` would be named in it; inside, why a
/// template (an override, say) fails, which is what the site owner needs to see.
pub async fn preview(
    db: &Db,
    templates: &Templates,
    settings: &Settings,
    actor: &str,
    key: &str,
) -> ApiResult<Result<Rendered, String>> {
    let zone: Tz = settings
        .timezone
        .as_deref()
        .and_then(|z| z.parse().ok())
        .unwrap_or(Tz::UTC);
    let start = (Utc::now() + Duration::days(3))
        .duration_trunc(Duration::hours(1))
        .unwrap_or_else(|_| Utc::now());
    let rendered = match key {
        "booking_created" | "booking_rescheduled" | "booking_cancelled" => {
            let event = key.trim_start_matches("booking_");
            let changes = match event {
                "rescheduled" => json!({"start": {
                    "before": start - Duration::days(1), "after": start}}),
                "cancelled" => json!({"reason": {"before": null,
                    "after": "The client asked to cancel"}}),
                _ => json!({}),
            };
            let payload = BookingPayload {
                event: event.to_owned(),
                audience: "client".into(),
                actor: actor.to_owned(),
                changes,
                sequence: 0,
                booking: BookingFacts {
                    id: 1042,
                    status: if event == "cancelled" {
                        "cancelled".into()
                    } else {
                        "confirmed".into()
                    },
                    start,
                    end: start + Duration::hours(1),
                    people: 1,
                    service: "Deep tissue massage".into(),
                    staff: "Maria Garcia".into(),
                    location: "Downtown studio".into(),
                    address: "12 Market Street".into(),
                    timezone: zone.name().into(),
                    client_name: "Ada Lovelace".into(),
                },
            };
            let view = event_view(db, settings, &payload).await?;
            render(templates, "booking", settings, &view)
        }
        "gift_code" => {
            let formats = Formats::of(settings, &Locale::parse(settings.locale.as_deref()));
            let value: Money = "25.00".parse().unwrap_or(Money::ZERO);
            let view = json!({
                "client_name": "Ada Lovelace",
                "code": "ABCD-EFGH-JKLM-NPQR",
                "value": formats.money(value),
                "expires": Clock::of_zone(zone).date(start + Duration::days(90)),
                "note": "A thank-you for your loyalty",
            });
            render(templates, "gift_code", settings, &view)
        }
        "notice" => render(
            templates,
            "notice",
            settings,
            &json!({
                "subject": "Volixta: a webhook endpoint was switched off",
                "body": "Deliveries to https://example.com/hooks failed for about a day, so the endpoint was switched off. Switch it back on under Volixta → Webhooks.",
            }),
        ),
        _ => return Err(ApiError::field("sample", "not an e-mail this site sends")),
    };
    Ok(rendered)
}
