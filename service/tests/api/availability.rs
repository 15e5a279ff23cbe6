use crate::catalog::{create, id};
use crate::helpers::*;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use mysql_async::prelude::Queryable;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Shop {
    location: u64,
    service: u64,
    staff: u64,
    client: u64,
}

/// A Paris location, a 60-minute service with 10 min buffer after, and Ann working 09:00–12:00
/// every day there.
async fn shop(app: &TestApp) -> Shop {
    let location = id(&create(
        app,
        "/v1/locations",
        json!({"name": "Paris", "timezone": "Europe/Paris"}),
    )
    .await);
    let service = id(&create(
        app,
        "/v1/services",
        json!({"name": "Massage", "duration_minutes": 60, "price": "50", "buffer_after_minutes": 10,
               "addons": [{"name": "Hot stones", "price": "10", "duration_minutes": 30, "max_quantity": 2}]}),
    )
    .await);
    let hours: Vec<Value> = (1..=7)
        .map(|d| json!({"location_id": location, "weekday": d, "start": "09:00", "end": "12:00"}))
        .collect();
    let staff = id(&create(
        app,
        "/v1/staff",
        json!({"first_name": "Ann", "service_ids": [service], "working_hours": hours}),
    )
    .await);
    let client = id(&app
        .create_client(json!({"first_name": "Cy", "wp_user_id": 77}))
        .await);
    Shop {
        location,
        service,
        staff,
        client,
    }
}

async fn book(app: &TestApp, s: &Shop, start: &str, end: &str, status: &str) {
    let naive = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .expect("rfc3339")
            .naive_utc()
    };
    let (start, end) = (naive(start), naive(end));
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.exec_drop(
        app.db.sql(
            "INSERT INTO {p}volixta_bookings (client_id, service_id, location_id, staff_id, \
             start_at, end_at, buffer_before_minutes, buffer_after_minutes, people, status) \
             VALUES (?, ?, ?, ?, ?, ?, 0, 10, 1, ?)",
        ),
        (s.client, s.service, s.location, s.staff, start, end, status),
    )
    .await
    .expect("insert booking");
}

fn starts(day: &Value) -> Vec<String> {
    day["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|s| s["start"].as_str().expect("start").to_owned())
        .collect()
}

/// A date a few weeks ahead: outside any notice, inside the booking horizon.
fn ahead(days: i64) -> NaiveDate {
    (Utc::now() + Duration::days(days)).date_naive()
}

fn paris_utc(date: NaiveDate, hhmm: &str) -> String {
    use chrono::TimeZone;
    let naive = date.and_time(chrono::NaiveTime::parse_from_str(hhmm, "%H:%M").expect("time"));
    chrono_tz::Europe::Paris
        .from_local_datetime(&naive)
        .single()
        .expect("unambiguous")
        .with_timezone(&Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test]
async fn contract_shape_and_the_clients_dates() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let day = ahead(20);
    let path = format!(
        "/v1/availability?service_id={}&location_id={}&from={day}&to={day}&timezone=Europe/Paris",
        s.service, s.location
    );
    let res = app.get(&path, "client:77").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["timezone"], "Europe/Paris");
    let days = res.body["days"].as_array().expect("days");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0]["date"], day.to_string());
    let got = starts(&days[0]);
    // 09:00 to 11:00 every 15 minutes (the site's default interval): 9 starts.
    assert_eq!(got.len(), 9, "{got:?}");
    assert_eq!(got[0], paris_utc(day, "09:00"));
    assert_eq!(got[8], paris_utc(day, "11:00"));
    assert_eq!(days[0]["slots"][0]["staff_id"], s.staff);

    // The same instants seen from Kiritimati (UTC+14), which is already the next day for some.
    let next = day.succ_opt().expect("date");
    let res = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&from={day}&to={next}&timezone=Pacific/Kiritimati",
                s.service, s.location
            ),
            "guest:0",
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mut all: Vec<String> = Vec::new();
    for d in res.body["days"].as_array().expect("days") {
        let date: NaiveDate = d["date"].as_str().expect("date").parse().expect("date");
        for start in starts(d) {
            let instant = chrono::DateTime::parse_from_rfc3339(&start).expect("rfc3339");
            let local = instant.with_timezone(&chrono_tz::Pacific::Kiritimati);
            assert_eq!(local.date_naive(), date, "{start} grouped under {date}");
            all.push(start);
        }
    }
    assert!(all.contains(&paris_utc(day, "09:00")));
    assert!(all.contains(&paris_utc(next, "09:00")));
}

#[tokio::test]
async fn bookings_buffers_and_add_ons_take_slots_away() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let day = ahead(21);
    // 10:00–11:00 with 10 minutes after; our service has 10 after and 0 before.
    book(
        &app,
        &s,
        &paris_utc(day, "10:00"),
        &paris_utc(day, "11:00"),
        "confirmed",
    )
    .await;
    let path = format!(
        "/v1/availability?service_id={}&location_id={}&from={day}&to={day}&timezone=Europe/Paris",
        s.service, s.location
    );
    let res = app.get(&path, MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // Before it: our end + 10 ≤ 10:00 → 08:50 at the latest, outside the hours. After it:
    // 11:00 + 10 ≤ start → 11:15 on the grid, which would end after 12:00. Nothing is left.
    assert_eq!(res.body["days"], json!([]), "{}", res.text);

    let next = day.succ_opt().expect("date");
    book(
        &app,
        &s,
        &paris_utc(next, "11:00"),
        &paris_utc(next, "12:00"),
        "pending",
    )
    .await;
    // A cancelled booking holds nothing.
    book(
        &app,
        &s,
        &paris_utc(next, "09:00"),
        &paris_utc(next, "10:00"),
        "cancelled",
    )
    .await;
    let path = format!(
        "/v1/availability?service_id={}&location_id={}&from={next}&to={next}&timezone=Europe/Paris",
        s.service, s.location
    );
    let plain = starts(&app.get(&path, MANAGER).await.body["days"][0]);
    // Ours ends, plus our 10 minutes after, by 11:00: the last start on the grid is 09:45.
    assert_eq!(
        plain,
        ["09:00", "09:15", "09:30", "09:45"].map(|t| paris_utc(next, t))
    );
    // With one hot-stones add-on (30 min) the last start moves back by 30 minutes.
    let addon = app
        .get(&format!("/v1/services/{}", s.service), MANAGER)
        .await
        .body["addons"][0]["id"]
        .as_u64()
        .expect("addon");
    let with_addon = app.get(&format!("{path}&addons={addon}:1"), MANAGER).await;
    let longer = starts(&with_addon.body["days"][0]);
    assert_eq!(longer.last(), Some(&paris_utc(next, "09:15")), "{longer:?}");
    let too_many = app.get(&format!("{path}&addons={addon}:3"), MANAGER).await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_many.body["error"]["fields"].get("addons").is_some());
}

#[tokio::test]
async fn notice_binds_clients_not_managers_and_overrides_win() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let day = ahead(2);
    let path = format!(
        "/v1/availability?service_id={}&location_id={}&from={day}&to={day}",
        s.service, s.location
    );
    assert_eq!(
        app.get(&path, "client:77").await.body["days"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // Five days' notice for this service: the day after tomorrow is too soon for a client.
    let res = app
        .patch(
            &format!("/v1/services/{}", s.service),
            MANAGER,
            &json!({"time_rules": {"min_booking_notice_minutes": 5 * 24 * 60}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let client = app.get(&path, "client:77").await;
    assert_eq!(client.status, StatusCode::OK);
    assert_eq!(client.body["days"], json!([]));
    assert_eq!(client.body["timezone"], "Europe/Paris");
    let manager = app.get(&path, MANAGER).await;
    assert_eq!(manager.body["days"].as_array().map(Vec::len), Some(1));
    // Nothing in the past, for anyone.
    let past = (Utc::now() - Duration::days(3)).date_naive();
    let res = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&from={past}&to={past}",
                s.service, s.location
            ),
            MANAGER,
        )
        .await;
    assert_eq!(res.body["days"], json!([]));
}

#[tokio::test]
async fn month_calendar_leaves_out_days_off() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let month_start = {
        let d = ahead(40);
        NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("date")
    };
    let off = month_start + Duration::days(9);
    let res = app
        .patch(
            &format!("/v1/staff/{}", s.staff),
            MANAGER,
            &json!({"days_off": [{"date": off, "until": off + Duration::days(1)}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .get(
            &format!(
                "/v1/availability/calendar?service_id={}&location_id={}&month={}",
                s.service,
                s.location,
                month_start.format("%Y-%m")
            ),
            "client:77",
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let dates: Vec<String> = res.body["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["date"].as_str().expect("date").to_owned())
        .collect();
    let days_in_month = (month_start + Duration::days(40))
        .with_day(1)
        .expect("date")
        - month_start;
    assert_eq!(
        dates.len() as i64,
        days_in_month.num_days() - 2,
        "{dates:?}"
    );
    assert!(!dates.contains(&off.to_string()));
    assert!(!dates.contains(&(off + Duration::days(1)).to_string()));
    assert_eq!(res.body["days"][0]["slots"], 9);
}

#[tokio::test]
async fn bad_questions_get_clear_answers() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let base = format!(
        "/v1/availability?service_id={}&location_id={}",
        s.service, s.location
    );
    let day = ahead(10);
    for (query, status, field) in [
        (format!("{base}&from={day}&to=2020-01-01"), 422, "to"),
        (format!("{base}&from=2026-01-01&to=2026-06-01"), 422, "to"),
        (
            format!("{base}&from={day}&to={day}&timezone=Nowhere/Land"),
            422,
            "timezone",
        ),
        (
            format!("{base}&from={day}&to={day}&people=2"),
            422,
            "people",
        ),
        (
            format!("{base}&from={day}&to={day}&addons=abc"),
            422,
            "addons",
        ),
        (
            format!("{base}&from={day}&to={day}&addons=999:1"),
            422,
            "addons",
        ),
        (format!("{base}&from=12/01/2026&to={day}"), 422, ""),
        (
            format!(
                "/v1/availability?location_id={}&from={day}&to={day}",
                s.location
            ),
            422,
            "",
        ),
        (
            format!(
                "/v1/availability?service_id=999&location_id={}&from={day}&to={day}",
                s.location
            ),
            404,
            "",
        ),
        (
            format!(
                "/v1/availability/calendar?service_id={}&location_id={}&month=2026-13",
                s.service, s.location
            ),
            422,
            "month",
        ),
    ] {
        let res = app.get(&query, "client:77").await;
        assert_eq!(res.status.as_u16(), status, "{query}: {}", res.text);
        assert!(
            res.body["error"]["code"].is_string(),
            "{query}: {}",
            res.text
        );
        if !field.is_empty() {
            assert!(
                res.body["error"]["fields"].get(field).is_some(),
                "{query}: {}",
                res.text
            );
        }
    }
}

#[tokio::test]
async fn booking_flow_narrows_each_step() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let lyon = id(&create(
        &app,
        "/v1/locations",
        json!({"name": "Lyon", "timezone": "Europe/Paris"}),
    )
    .await);
    let yoga = id(&create(
        &app,
        "/v1/services",
        json!({"name": "Yoga", "category": "Classes", "duration_minutes": 60, "price": "15", "capacity": 8}),
    )
    .await);
    // Nobody performs this one: it is not offered anywhere.
    create(
        &app,
        "/v1/services",
        json!({"name": "Pilates", "category": "Classes", "duration_minutes": 60, "price": "15"}),
    )
    .await;
    let bea = id(&create(
        &app,
        "/v1/staff",
        json!({"first_name": "Bea", "service_ids": [yoga, s.service],
               "working_hours": [{"location_id": lyon, "weekday": 1, "start": "18:00", "end": "20:00"}]}),
    )
    .await);

    let start = app.get("/v1/booking-flow", "guest:0").await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.text);
    assert_eq!(start.body["next_step"], "category");
    let names: Vec<&str> = start.body["services"]
        .as_array()
        .expect("services")
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    assert_eq!(names, ["Massage", "Yoga"]);
    assert_eq!(start.body["categories"].as_array().map(Vec::len), Some(1));

    let class = app
        .get(&format!("/v1/booking-flow?service_id={yoga}"), "guest:0")
        .await;
    assert_eq!(class.body["next_step"], "people");
    assert_eq!(class.body["people"], json!({"min": 1, "max": 8}));
    assert_eq!(class.body["locations"].as_array().map(Vec::len), Some(1));
    assert_eq!(class.body["locations"][0]["id"], lyon);

    let massage = app
        .get(
            &format!("/v1/booking-flow?service_id={}", s.service),
            "guest:0",
        )
        .await;
    assert_eq!(massage.body["people"], Value::Null);
    assert_eq!(massage.body["next_step"], "location");
    assert_eq!(massage.body["locations"].as_array().map(Vec::len), Some(2));
    let in_paris = app
        .get(
            &format!(
                "/v1/booking-flow?service_id={}&location_id={}",
                s.service, s.location
            ),
            "guest:0",
        )
        .await;
    let staff: Vec<u64> = in_paris.body["staff"]
        .as_array()
        .expect("staff")
        .iter()
        .filter_map(|x| x["id"].as_u64())
        .collect();
    assert_eq!(staff, [s.staff]);
    let chosen = app
        .get(
            &format!(
                "/v1/booking-flow?service_id={}&location_id={}&staff_id={}",
                s.service, s.location, s.staff
            ),
            "guest:0",
        )
        .await;
    assert_eq!(chosen.body["next_step"], "addons");
    assert_eq!(chosen.body["duration_minutes"], 60);
    let addon = chosen.body["addons"][0]["id"].as_u64().expect("addon");
    let done = app
        .get(
            &format!(
                "/v1/booking-flow?service_id={}&location_id={}&staff_id={}&addons={addon}:2",
                s.service, s.location, s.staff
            ),
            "guest:0",
        )
        .await;
    assert_eq!(done.body["next_step"], "date");
    assert_eq!(done.body["duration_minutes"], 120);

    let wrong = app
        .get(
            &format!(
                "/v1/booking-flow?service_id={}&location_id={}&staff_id={bea}",
                s.service, s.location
            ),
            "guest:0",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body["error"]["fields"].get("staff_id").is_some());
    let wrong = app
        .get(
            &format!(
                "/v1/booking-flow?service_id={yoga}&location_id={}",
                s.location
            ),
            "guest:0",
        )
        .await;
    assert!(
        wrong.body["error"]["fields"].get("location_id").is_some(),
        "{}",
        wrong.text
    );
}

#[tokio::test]
async fn the_window_query_reads_through_the_staff_start_index() {
    let app = TestApp::spawn().await;
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    let plan: Vec<mysql_async::Row> = conn
        .query(app.db.sql(
            "EXPLAIN SELECT id FROM {p}volixta_bookings FORCE INDEX (idx_bookings_staff_start) \
             WHERE staff_id IN (1, 2) AND start_at >= '2026-01-01' AND start_at < '2026-01-03' \
             AND status IN ('pending', 'confirmed')",
        ))
        .await
        .expect("explain");
    let key: Option<String> = plan[0].get("key").flatten();
    let access: Option<String> = plan[0].get("type").flatten();
    assert_eq!(key.as_deref(), Some("idx_bookings_staff_start"));
    assert_eq!(access.as_deref(), Some("range"));
}

#[tokio::test]
async fn a_booking_being_rescheduled_does_not_block_itself() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let day = ahead(22);
    book(
        &app,
        &s,
        &paris_utc(day, "10:00"),
        &paris_utc(day, "11:00"),
        "confirmed",
    )
    .await;
    let booking: u64 = app.scalar("SELECT MAX(id) FROM {p}volixta_bookings").await;
    let path = format!(
        "/v1/availability?service_id={}&location_id={}&from={day}&to={day}&timezone=Europe/Paris",
        s.service, s.location
    );
    assert_eq!(app.get(&path, "client:77").await.body["days"], json!([]));
    let moving = app
        .get(
            &format!("{path}&reschedule_booking_id={booking}"),
            "client:77",
        )
        .await;
    assert_eq!(moving.status, StatusCode::OK, "{}", moving.text);
    assert!(starts(&moving.body["days"][0]).contains(&paris_utc(day, "10:15")));
    // Someone else's booking cannot be looked past.
    app.create_client(json!({"first_name": "Di", "wp_user_id": 78}))
        .await;
    let other = app
        .get(
            &format!("{path}&reschedule_booking_id={booking}"),
            "client:78",
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let manager = app
        .get(&format!("{path}&reschedule_booking_id={booking}"), MANAGER)
        .await;
    assert_eq!(
        manager.body["days"][0]["slots"].as_array().map(Vec::len),
        Some(9)
    );
}
