//! Availability over HTTP, signed, on the real router and MariaDB on loopback: 20 staff, 10,000
//! bookings, then 300,000 (the extra ones are history). Client-side latency of whole requests.
//! `cargo bench -p volixta-service --bench availability_http`
#[path = "../tests/api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[path = "support/report.rs"]
mod report;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use helpers::{MANAGER, TestApp};
use mysql_async::prelude::Queryable;
use serde_json::{Value, json};
use std::time::Instant;

const STAFF: usize = 20;
const ACTOR: &str = "client:1";

struct Shop {
    location: u64,
    service: u64,
    staff: Vec<u64>,
    client: u64,
}

async fn created(app: &TestApp, path: &str, body: Value) -> u64 {
    let res = app.post(path, MANAGER, &body).await;
    assert_eq!(res.status.as_u16(), 201, "{path}: {}", res.text);
    res.body["id"].as_u64().expect("id")
}

async fn shop(app: &TestApp) -> Shop {
    let location = created(
        app,
        "/v1/locations",
        json!({"name": "Paris", "timezone": "Europe/Paris"}),
    )
    .await;
    let service = created(
        app,
        "/v1/services",
        json!({"name": "Massage", "duration_minutes": 60, "price": "50", "buffer_after_minutes": 10}),
    )
    .await;
    let hours: Vec<Value> = (1..=7)
        .map(|d| json!({"location_id": location, "weekday": d, "start": "08:00", "end": "18:00"}))
        .collect();
    let mut staff = Vec::new();
    for i in 0..STAFF {
        staff.push(
            created(
                app,
                "/v1/staff",
                json!({"first_name": format!("Staff {i}"), "service_ids": [service],
                       "working_hours": hours, "breaks": [{"weekday": 3, "start": "12:00", "end": "13:00"}]}),
            )
            .await,
        );
    }
    let client = created(
        app,
        "/v1/clients",
        json!({"first_name": "Bench", "wp_user_id": 1}),
    )
    .await;
    Shop {
        location,
        service,
        staff,
        client,
    }
}

/// Two one-hour bookings a day per staff member on the days `first..first + days`, written with
/// multi-row INSERTs straight into the table.
async fn insert_bookings(app: &TestApp, s: &Shop, first: NaiveDate, days: i64) -> usize {
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    let mut rows: Vec<String> = Vec::new();
    let mut total = 0;
    let fmt = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    for d in 0..days {
        let date = first + Duration::days(d);
        for (i, staff) in s.staff.iter().enumerate() {
            for hour in [8, 13] {
                let offset = i64::try_from(i % 4).unwrap_or(0) * 15;
                let start = date.and_hms_opt(hour, 0, 0).expect("time") + Duration::minutes(offset);
                let end = start + Duration::hours(1);
                rows.push(format!(
                    "({}, {}, {}, {staff}, '{}', '{}', 0, 10, 1, 'confirmed')",
                    s.client,
                    s.service,
                    s.location,
                    fmt(start),
                    fmt(end)
                ));
            }
        }
        if rows.len() >= 5000 || d == days - 1 {
            total += rows.len();
            conn.query_drop(app.db.sql(&format!(
                "INSERT INTO {{p}}volixta_bookings (client_id, service_id, location_id, staff_id, \
                 start_at, end_at, buffer_before_minutes, buffer_after_minutes, people, status) VALUES {}",
                rows.join(",")
            )))
            .await
            .expect("bulk insert");
            rows.clear();
        }
    }
    conn.query_drop(app.db.sql("ANALYZE TABLE {p}volixta_bookings"))
        .await
        .expect("analyze");
    total
}

/// The month's work inside the process, without HTTP and signature: p50 of each part.
async fn in_process(app: &TestApp, s: &Shop, first: NaiveDate, last: NaiveDate) -> String {
    use volixta_service::{availability, catalog};
    let zone = chrono_tz::Europe::Paris;
    let (from, to) = availability::date_window(zone, first, last).expect("window");
    let request = availability::SlotRequest {
        service_id: s.service,
        location_id: s.location,
        staff_id: None,
        people: 1,
        addons: Vec::new(),
        from,
        to,
        bound_by_notice: true,
        now: Utc::now(),
        moving_booking_id: None,
    };
    let (lo, hi) = availability::booking_window(from, to, 60, 0, 10);
    let runs = 50;
    let (mut catalog_t, mut bookings_t, mut total_t) = (Vec::new(), Vec::new(), Vec::new());
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        catalog::offering(&app.db, s.service, s.location)
            .await
            .expect("offering");
        catalog_t.push(t.elapsed());
        let t = Instant::now();
        let mut conn = app.db.pool.get_conn().await.expect("conn");
        rows = availability::busy_intervals(&mut conn, &app.db, &s.staff, lo, hi)
            .await
            .expect("bookings")
            .len();
        drop(conn);
        bookings_t.push(t.elapsed());
        let t = Instant::now();
        availability::slots(&app.db, &request).await.expect("slots");
        total_t.push(t.elapsed());
    }
    format!(
        "In the process, for the month (p50 of {runs}): catalog read {}, bookings read ({rows} rows) \
         {}, whole `availability::slots` (catalog, settings, bookings, engine) {}.",
        report::ms(report::percentile(&mut catalog_t, 0.5)),
        report::ms(report::percentile(&mut bookings_t, 0.5)),
        report::ms(report::percentile(&mut total_t, 0.5)),
    )
}

struct Stats {
    p50: std::time::Duration,
    p95: std::time::Duration,
    slots: usize,
}

async fn measure(app: &TestApp, path: &str, runs: usize) -> Stats {
    for _ in 0..10 {
        app.get(path, ACTOR).await;
    }
    let mut samples = Vec::with_capacity(runs);
    let mut slots = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let res = app.get(path, ACTOR).await;
        samples.push(t.elapsed());
        assert_eq!(res.status.as_u16(), 200, "{path}: {}", res.text);
        slots = res.body["days"]
            .as_array()
            .map(|days| {
                days.iter()
                    .map(|d| {
                        d["slots"]
                            .as_array()
                            .map_or_else(|| d["slots"].as_u64().unwrap_or(0) as usize, Vec::len)
                    })
                    .sum()
            })
            .unwrap_or(0);
    }
    Stats {
        p50: report::percentile(&mut samples, 0.5),
        p95: report::percentile(&mut samples, 0.95),
        slots,
    }
}

#[tokio::main]
async fn main() {
    if report::quick_mode() {
        return;
    }
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let today = Utc::now().date_naive();
    let recent_first = today - Duration::days(190);
    let recent = insert_bookings(&app, &s, recent_first, 250).await;

    let day = today + Duration::days(14);
    let month = {
        let d = today + Duration::days(30);
        NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("month")
    };
    let month_end = {
        let next = (month + Duration::days(32)).with_day(1).expect("date");
        next - Duration::days(1)
    };
    let base = format!(
        "service_id={}&location_id={}&timezone=Europe/Paris",
        s.service, s.location
    );
    let day_path = format!("/v1/availability?{base}&from={day}&to={day}");
    let calendar_path = format!(
        "/v1/availability/calendar?{base}&month={}",
        month.format("%Y-%m")
    );
    let month_slots_path = format!("/v1/availability?{base}&from={month}&to={month_end}");

    // The floor every signed request pays (signature, nonce written and committed, one query).
    let floor = measure(&app, "/v1/service-categories", 300).await;
    let day_10k = measure(&app, &day_path, 300).await;
    let calendar_10k = measure(&app, &calendar_path, 100).await;
    let month_slots_10k = measure(&app, &month_slots_path, 50).await;
    let parts = in_process(&app, &s, month, month_end).await;

    let t = Instant::now();
    let history = insert_bookings(&app, &s, recent_first - Duration::days(7250), 7250).await;
    let insert_time = t.elapsed();
    let total = recent + history;
    let day_300k = measure(&app, &day_path, 300).await;
    let calendar_300k = measure(&app, &calendar_path, 100).await;

    let row = |what: &str, n: usize, st: &Stats| {
        format!(
            "| {what} | {n} | {} | {} | {} |",
            st.slots,
            report::ms(st.p50),
            report::ms(st.p95)
        )
    };
    let table = [
        "| request | bookings in table | slots answered | p50 | p95 |".to_owned(),
        "| --- | --- | --- | --- | --- |".to_owned(),
        row("floor: signed `GET /v1/service-categories`", recent, &floor),
        row("day view `GET /v1/availability` (1 day)", recent, &day_10k),
        row(
            "month view `GET /v1/availability/calendar`",
            recent,
            &calendar_10k,
        ),
        row(
            "month of slots `GET /v1/availability` (whole month)",
            recent,
            &month_slots_10k,
        ),
        row("day view `GET /v1/availability` (1 day)", total, &day_300k),
        row(
            "month view `GET /v1/availability/calendar`",
            total,
            &calendar_300k,
        ),
    ]
    .join("\n");
    println!(
        "\n{table}\n\n{parts}\n({history} history bookings inserted in {:.1} s)\n",
        insert_time.as_secs_f64()
    );
    report::write_section(
        "availability-http",
        &format!(
            "## Availability over HTTP\n\n\
             `cargo bench -p volixta-service --bench availability_http` (release). Whole signed \
             requests timed by the client (signing, loopback HTTP, signature check and nonce \
             write, catalog and bookings queries, engine, JSON), real router and MariaDB 10.11 on \
             the same host, fresh database. 20 staff working 08:00–18:00 daily in Europe/Paris, a \
             60-minute service with 10 minutes' buffer after, 15-minute grid, asked as a client. \
             Bookings: two a day per staff member over 250 days around today (10,000), then \
             290,000 more as twenty years of history, inserted with multi-row INSERTs. The day \
             view reads only its window through the (staff_id, start_at) index, so it does not \
             slow down with history. The floor row is the cheapest signed request: most of it is the \
             nonce's INSERT and commit (an fsync with `innodb_flush_log_at_trx_commit = 1`), which \
             every signed request pays before its handler runs. Machine: {}, 2 cores shared with \
             other work (load average {} when the run ended).\n\n{table}\n\n{parts}\n",
            report::cpu(),
            report::load_average()
        ),
    );
}
