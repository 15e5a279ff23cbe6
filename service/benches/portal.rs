//! The client portal's fragment for a client with 200 bookings (past and future, every status),
//! a wallet history and a few thousand other clients' bookings around it: `GET
//! /v1/render/customer_profile` over signed HTTP, as the plugin asks for it, with and without a
//! booking's sheet open. The goal is a p50 of at most 5 ms for the portal itself. Prints a
//! markdown table and writes it into its own section of docs/benchmarks.md.
#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;
#[path = "support/report.rs"]
mod report;

use helpers::{MANAGER, Tamper, TestApp};
use mysql_async::prelude::Queryable;
use reqwest::Method;
use serde_json::json;
use std::{fmt::Write as _, time::Instant};

const BOOKINGS: u64 = 200;
const OTHERS: u64 = 5_000;
const GOAL_MS: f64 = 5.0;

#[tokio::main]
async fn main() {
    let quick = report::quick_mode();
    let runs = if quick { 20 } else { 200 };
    let load_at_start = report::load_average();
    let mut app = TestApp::spawn().await;
    app.skip_ledger_check_on_drop();
    let created = |path: &'static str, body: serde_json::Value| {
        let app = &app;
        async move {
            let res = app.post(path, MANAGER, &body).await;
            assert_eq!(res.status.as_u16(), 201, "{path}: {}", res.text);
            res.body["id"].as_u64().expect("id")
        }
    };
    let location = created(
        "/v1/locations",
        json!({"name": "Leeds", "timezone": "Europe/London"}),
    )
    .await;
    let service = created(
        "/v1/services",
        json!({"name": "Massage", "duration_minutes": 60, "price": "50.00"}),
    )
    .await;
    let hours: Vec<_> = (1..=7)
        .map(|d| json!({"location_id": location, "weekday": d, "start": "07:00", "end": "21:00"}))
        .collect();
    let staff = created(
        "/v1/staff",
        json!({"first_name": "Sam", "last_name": "Cole", "service_ids": [service], "working_hours": hours}),
    )
    .await;
    let ann = created(
        "/v1/clients",
        json!({"first_name": "Ann", "last_name": "Client", "email": "ann@example.com", "wp_user_id": 42}),
    )
    .await;
    let bob = created(
        "/v1/clients",
        json!({"first_name": "Bob", "last_name": "Other", "email": "bob@example.com"}),
    )
    .await;
    for i in 0..30 {
        let res = app
            .post(
                &format!("/v1/clients/{ann}/wallet/adjustments"),
                MANAGER,
                &json!({"amount": "5.00", "reason": format!("Credit {i}")}),
            )
            .await;
        assert_eq!(res.status.as_u16(), 201, "{}", res.text);
    }
    // Ann's 200 bookings, one every 36 hours from 150 days ago, every status; and the business's
    // other bookings, which the portal must never read.
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    let statuses = ["confirmed", "pending", "cancelled", "completed", "no_show"];
    for i in 0..BOOKINGS {
        let status = if i >= 100 {
            statuses[(i % 2) as usize]
        } else {
            statuses[(i % 5) as usize]
        };
        conn.exec_drop(
            app.db.sql(
                "INSERT INTO {p}volixta_bookings (client_id, service_id, location_id, staff_id, start_at, end_at, status) \
                 VALUES (?, ?, ?, ?, UTC_TIMESTAMP() - INTERVAL 150 DAY + INTERVAL ? HOUR, UTC_TIMESTAMP() - INTERVAL 150 DAY + INTERVAL ? HOUR + INTERVAL 1 HOUR, ?)",
            ),
            (ann, service, location, staff, i * 36 + 3, i * 36 + 3, status),
        )
        .await
        .expect("a booking");
    }
    conn.exec_drop(
        app.db.sql(
            "INSERT INTO {p}volixta_bookings (client_id, service_id, location_id, staff_id, start_at, end_at, status) \
             SELECT ?, ?, ?, ?, UTC_TIMESTAMP() - INTERVAL 100 DAY + INTERVAL seq MINUTE, UTC_TIMESTAMP() - INTERVAL 100 DAY + INTERVAL seq + 30 MINUTE, 'confirmed' \
             FROM seq_1_to_5000",
        ),
        (bob, service, location, staff),
    )
    .await
    .expect("other bookings");
    let upcoming: u64 = conn
        .exec_first(
            app.db.sql(
                "SELECT id FROM {p}volixta_bookings WHERE client_id = ? AND status = 'confirmed' AND start_at > UTC_TIMESTAMP() + INTERVAL 3 DAY ORDER BY start_at LIMIT 1",
            ),
            (ann,),
        )
        .await
        .expect("query")
        .expect("an upcoming booking");
    drop(conn);

    let cases: Vec<(&str, String)> = vec![
        (
            "portal (cards, calendar, history, wallet, profile)",
            "/v1/render/customer_profile?tz=Asia%2FTokyo".into(),
        ),
        (
            "portal, history filtered (cancelled, a period)",
            "/v1/render/customer_profile?tz=Asia%2FTokyo&status=cancelled&from=2026-01-01&to=2027-12-31".into(),
        ),
        (
            "portal with a booking's Payment tab",
            format!("/v1/render/customer_profile?tz=Asia%2FTokyo&booking={upcoming}&tab=payment"),
        ),
        (
            "portal with Reschedule or cancel (slot picker)",
            format!("/v1/render/customer_profile?tz=Asia%2FTokyo&booking={upcoming}&tab=actions"),
        ),
    ];
    let mut table = format!(
        "| fragment (client with {BOOKINGS} bookings, {OTHERS} others') | p50 ms | p95 ms | KiB |\n| --- | ---: | ---: | ---: |\n"
    );
    let mut portal_p50 = 0.0;
    for (name, path) in &cases {
        for _ in 0..5 {
            app.get(path, "client:42").await;
        }
        let mut times = Vec::with_capacity(runs);
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let res = app
                .request_with(
                    Method::GET,
                    path,
                    "client:42",
                    None,
                    &[("X-Volixta-Locale", "en_GB")],
                    Tamper::default(),
                )
                .await;
            times.push(t.elapsed());
            assert_eq!(res.status.as_u16(), 200, "{path}: {}", res.text);
            assert!(
                res.text.contains("volixta-portal"),
                "{path}: not the portal"
            );
            size = res.text.len();
        }
        let p95 = report::percentile(&mut times, 0.95);
        let p50 = report::percentile(&mut times, 0.5);
        if portal_p50 == 0.0 {
            portal_p50 = p50.as_secs_f64() * 1000.0;
        }
        let _ = writeln!(
            table,
            "| {name} | {:.2} | {:.2} | {} |",
            p50.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0,
            size / 1024
        );
    }
    let verdict = if portal_p50 <= GOAL_MS {
        format!("met: the portal's p50 is {portal_p50:.2} ms, the goal {GOAL_MS} ms")
    } else {
        format!("missed: the portal's p50 is {portal_p50:.2} ms, the goal {GOAL_MS} ms")
    };
    let steps = if quick {
        String::new()
    } else {
        steps(&app, ann).await
    };
    let section = format!(
        "## Client portal fragment\n\n`cargo bench -p volixta-service --bench portal` (part of `make bench`): \
         the service and MariaDB on one {} host{}; a client with {BOOKINGS} bookings (past and future, \
         every status) and 30 wallet movements among {OTHERS} other bookings; each fragment asked {runs} \
         times over signed HTTP after 5 warm-ups, as the plugin asks for it. Goal: {verdict}. \
         1-minute load average {load_at_start} at the start, {} at the end.\n\n{table}\n{steps}",
        report::cpu(),
        if quick {
            " (quick run of a debug build: `cargo test --bench portal`)"
        } else {
            ""
        },
        report::load_average()
    );
    println!("{section}");
    if !quick {
        report::write_section("portal-fragment", &section);
    }
}

/// Where a render of the first portal goes, step by step, in the process (no HTTP, no signature):
/// each read the portal makes, alone, beside the whole assembly and the template.
async fn steps(app: &TestApp, client_id: u64) -> String {
    use volixta_service::{
        AppState, auth::Actor, bookings, catalog, clients, i18n::Locale, invoices, packages,
        paging::PageRequest, portal, settings, wallet,
    };
    const RUNS: usize = 100;
    let state = AppState::new(app.app_config(), app.db.clone()).expect("state");
    let db = &app.db;
    let actor = Actor::parse("client:42").expect("actor");
    let locale = Locale::parse(Some("en_GB"));
    let view = portal::PortalState::parse(Some("tz=Asia%2FTokyo"));
    let party = bookings::Party::Client { client_id };
    let mut rows: Vec<(&str, Vec<std::time::Duration>)> = [
        "the client of the actor (own_client_id)",
        "client row",
        "settings",
        "locations",
        "upcoming bookings (40)",
        "wallet movements (10)",
        "packages held",
        "services",
        "invoices (first page)",
        "packages on sale",
        "whole portal assembly (reads side by side, then the rest)",
        "template render",
    ]
    .into_iter()
    .map(|name| (name, Vec::with_capacity(RUNS)))
    .collect();
    for _ in 0..RUNS {
        let mut timed = Vec::with_capacity(rows.len());
        let mut t = Instant::now();
        let mut lap = |timed: &mut Vec<std::time::Duration>| {
            timed.push(t.elapsed());
            t = Instant::now();
        };
        clients::own_client_id(db, actor).await.expect("own");
        lap(&mut timed);
        clients::get(db, client_id).await.expect("client");
        lap(&mut timed);
        settings::load(db).await.expect("settings");
        lap(&mut timed);
        catalog::locations(db).await.expect("locations");
        lap(&mut timed);
        bookings::list(
            db,
            party,
            bookings::ListFilter {
                from: Some(chrono::Utc::now()),
                statuses: vec![bookings::Status::Pending, bookings::Status::Confirmed],
                ascending: true,
                ..bookings::ListFilter::default()
            },
            PageRequest::new(None, Some(40)),
        )
        .await
        .expect("upcoming");
        lap(&mut timed);
        wallet::history(db, client_id, PageRequest::new(None, Some(10)))
            .await
            .expect("wallet");
        lap(&mut timed);
        packages::holdings(db, client_id).await.expect("holdings");
        lap(&mut timed);
        catalog::services(db).await.expect("services");
        lap(&mut timed);
        invoices::list(db, actor, &invoices::ListQuery::default())
            .await
            .expect("invoices");
        lap(&mut timed);
        packages::list(db).await.expect("packages");
        lap(&mut timed);
        let screen = portal::portal(
            &state,
            actor,
            &locale,
            &view,
            portal::PortalForms::default(),
        )
        .await
        .expect("portal");
        lap(&mut timed);
        state
            .templates
            .render_in("customer_profile.html", &locale, &screen)
            .expect("render");
        lap(&mut timed);
        for ((_, times), d) in rows.iter_mut().zip(timed) {
            times.push(d);
        }
    }
    let mut out = format!(
        "In the process, the first portal step by step (p50 of {RUNS}; each read alone, then the \
         whole assembly as the handler runs it, then the template):\n\n| step | p50 ms |\n| --- | ---: |\n"
    );
    for (name, mut times) in rows {
        let p50 = report::percentile(&mut times, 0.5);
        let _ = writeln!(out, "| {name} | {:.2} |", p50.as_secs_f64() * 1000.0);
    }
    out
}
