//! The slot picker of the wp-admin screens: who may see it, that it offers exactly what the
//! availability engine offers, in the zone and on the clock asked for.
use crate::catalog::{create, id};
use crate::helpers::*;
use chrono::{Duration, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PICKER: &str = "/v1/render/admin/slot-picker";

pub struct Shop {
    pub location: u64,
    pub service: u64,
    pub staff: u64,
}

/// A Paris location, a 60-minute massage (with a 30-minute add-on) and a staff member whose name
/// needs escaping, working 09:00–12:00 every day there.
pub async fn shop(app: &TestApp) -> Shop {
    let location = id(&create(
        app,
        "/v1/locations",
        json!({"name": "Paris", "timezone": "Europe/Paris", "address": "1 rue de Rivoli"}),
    )
    .await);
    let service = id(&create(
        app,
        "/v1/services",
        json!({"name": "Massage", "category": "Wellness", "duration_minutes": 60, "price": "50",
               "addons": [{"name": "Hot stones", "price": "10", "duration_minutes": 30, "max_quantity": 2}]}),
    )
    .await);
    let hours: Vec<Value> = (1..=7)
        .map(|d| json!({"location_id": location, "weekday": d, "start": "09:00", "end": "12:00"}))
        .collect();
    let staff = id(&create(
        app,
        "/v1/staff",
        json!({"first_name": "<b>Ann</b>", "last_name": "Lee", "service_ids": [service], "working_hours": hours}),
    )
    .await);
    Shop {
        location,
        service,
        staff,
    }
}

pub fn ahead(days: i64) -> NaiveDate {
    (Utc::now() + Duration::days(days)).date_naive()
}

pub async fn html_in(app: &TestApp, path: &str, locale: &str) -> String {
    let res = app
        .request_with(
            Method::GET,
            path,
            MANAGER,
            None,
            &[("X-Volixta-Locale", locale)],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"), "{path}");
    res.text
}

/// The values of the radio buttons named `slot`, in page order.
pub fn slot_values(html: &str) -> Vec<String> {
    html.split("name=\"slot\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn managers_and_linked_employees_get_the_picker() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let path = format!(
        "{PICKER}?service_id={}&location_id={}",
        s.service, s.location
    );
    for actor in [MANAGER, ADMIN] {
        assert_eq!(
            app.get(&path, actor).await.status,
            StatusCode::OK,
            "{actor}"
        );
    }
    // An employee no staff member is linked to, clients and guests.
    for actor in ["employee:3", "client:42", "guest:0"] {
        assert_eq!(
            app.get(&path, actor).await.status,
            StatusCode::FORBIDDEN,
            "{actor}"
        );
    }
    // A linked employee: its own staff member's times only.
    let own = crate::bookings::add_staff(&app, s.location, s.service, Some(77)).await;
    assert_eq!(
        app.get(&format!("{path}&staff_id={own}"), "employee:77")
            .await
            .status,
        StatusCode::OK
    );
    for other in [format!("{path}&staff_id={}", s.staff), path.clone()] {
        assert_eq!(
            app.get(&other, "employee:77").await.status,
            StatusCode::NOT_FOUND,
            "{other}"
        );
    }
    let missing = app
        .get(&format!("{PICKER}?service_id={}", s.service), MANAGER)
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.text
    );
    assert_eq!(
        missing.body["error"]["fields"]["location_id"],
        "choose a location"
    );
    let nowhere = app
        .get(
            &format!("{PICKER}?service_id={}&location_id=999", s.service),
            MANAGER,
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_picker_offers_what_the_engine_offers_in_the_zone_and_clock_asked_for() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let day = ahead(20);
    let month = day.format("%Y-%m").to_string();
    let base = format!(
        "{PICKER}?service_id={}&location_id={}&staff_id=any&addons=&month={month}&date={day}",
        s.service, s.location
    );
    let html = html_in(&app, &base, "en_US").await;
    let engine = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&from={day}&to={day}",
                s.service, s.location
            ),
            MANAGER,
        )
        .await;
    let expected: Vec<String> = engine.body["days"][0]["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|v| format!("{}_{}", v["start"].as_str().expect("start"), v["staff_id"]))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(slot_values(&html), expected);
    // Paris in the winter or summer: the first slot is 9:00 AM on the location's clock.
    assert!(html.contains("9:00 AM"), "{html}");
    assert!(
        html.contains("&lt;b&gt;Ann&lt;&#x2f;b&gt; Lee")
            || html.contains("&lt;b&gt;Ann&lt;/b&gt; Lee"),
        "the name is escaped"
    );
    assert!(!html.contains("<b>Ann"));
    // Days with a slot are buttons for that day; the month calendar API agrees on which.
    let calendar = app
        .get(
            &format!(
                "/v1/availability/calendar?service_id={}&location_id={}&month={month}",
                s.service, s.location
            ),
            MANAGER,
        )
        .await;
    let free_days = calendar.body["days"].as_array().expect("days").len();
    assert_eq!(
        html.matches("class=\"volixta-pday").count()
            - html.matches("<span class=\"volixta-pday").count(),
        free_days
    );

    let german = html_in(&app, &base, "de_DE").await;
    assert!(german.contains("<span>09:00</span>"), "{german}");
    assert_eq!(
        slot_values(&german),
        expected,
        "the clock changes the words only"
    );

    let utc = html_in(&app, &format!("{base}&timezone=UTC"), "de_DE").await;
    let first = chrono::DateTime::parse_from_rfc3339(expected[0].split('_').next().expect("start"))
        .expect("instant");
    assert!(
        utc.contains(&format!("<span>{}</span>", first.format("%H:%M"))),
        "{utc}"
    );
    assert!(utc.contains("<option value=\"UTC\" selected>"));

    let bad = app
        .get(&format!("{base}&timezone=Mars/Base"), MANAGER)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
}

#[tokio::test]
async fn a_chosen_slot_stays_checked_and_a_taken_one_gets_its_nearest_neighbours() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let client = id(&app.create_client(json!({"first_name": "Cy"})).await);
    let day = ahead(21);
    let base = format!(
        "{PICKER}?service_id={}&location_id={}&staff_id={}&date={day}",
        s.service, s.location, s.staff
    );
    let offered = slot_values(&html_in(&app, &base, "en_US").await);
    let wanted = offered[1].clone();
    let checked = html_in(
        &app,
        &format!("{base}&slot={}", urlencoding(&wanted)),
        "en_US",
    )
    .await;
    assert!(
        checked.contains(&format!("value=\"{wanted}\" checked")),
        "{checked}"
    );

    let start = wanted.split('_').next().expect("start").to_owned();
    let booked = app
        .post(
            "/v1/bookings",
            MANAGER,
            &json!({"client_id": client, "service_id": s.service, "location_id": s.location,
                    "staff_id": s.staff, "start": start}),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.text);
    let after = html_in(
        &app,
        &format!("{base}&near={}", urlencoding(&start)),
        "en_US",
    )
    .await;
    assert!(
        !slot_values(&after).contains(&wanted),
        "the taken slot is gone"
    );
    assert!(after.contains("The nearest free times:"));
    assert!(slot_values(&after).len() > 3);
}

pub fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
