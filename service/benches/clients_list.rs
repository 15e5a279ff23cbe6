//! The CRM at scale: 100,000 clients imported from CSV (the CLI's code path), then the client
//! list over signed HTTP with each filter. Prints a markdown table and writes it into its own
//! section of docs/benchmarks.md. `VOLIXTA_BENCH_CLIENTS` sets another count.
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
use volixta_service::clients::{self, ImportOptions};

const FIRST: &[&str] = &[
    "Ann", "Bob", "Zoë", "Émile", "Mia", "Noah", "Lena", "Omar", "Ivy", "Leo", "Sara", "Yusuf",
    "Chloé", "Jonas", "Priya", "Tom",
];
const LAST: &[&str] = &[
    "Smith",
    "Lee",
    "Ångström",
    "Dubois",
    "Rossi",
    "Novak",
    "García",
    "Kowalski",
    "Müller",
    "Brown",
    "Okafor",
    "Tanaka",
    "Silva",
    "Nielsen",
    "Murphy",
    "Haddad",
    "Costa",
];
const STATUSES: &[&str] = &["New", "VIP", "Returning", "Regular"];
const RUNS: usize = 40;

fn csv(n: usize) -> String {
    let mut out = String::with_capacity(n * 90);
    out.push_str("first_name,last_name,email,phone,city,status,notify_marketing\n");
    for i in 0..n {
        let (f, l) = (FIRST[i % FIRST.len()], LAST[(i / 7) % LAST.len()]);
        let _ = writeln!(
            out,
            "{f},{l},client{i}@example.com,+44 20 {:04} {:04},City {},{},{}",
            i / 10_000,
            i % 10_000,
            i % 50,
            STATUSES[i % 4],
            if i % 3 == 0 { "yes" } else { "no" }
        );
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn seed_catalog_and_bookings(app: &TestApp) -> (u64, u64, u64) {
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
    let cut = created(
        "/v1/services",
        json!({"name": "Haircut", "category": "Hair", "duration_minutes": 30, "price": "20.00"}),
    )
    .await;
    let massage = created(
        "/v1/services",
        json!({"name": "Massage", "category": "Spa", "duration_minutes": 60, "price": "50.00"}),
    )
    .await;
    let staff = created(
        "/v1/staff",
        json!({"first_name": "Sam", "last_name": "Cole", "email": "sam@example.com", "service_ids": [cut, massage],
               "working_hours": [{"location_id": location, "weekday": 1, "start": "09:00", "end": "17:00"}]}),
    )
    .await;
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    // A third of the clients booked a haircut in 2026; one in ten also has an upcoming massage.
    for (service, modulo, day0, status) in [
        (cut, 3, "2026-01-01", "completed"),
        (massage, 10, "2099-01-01", "confirmed"),
    ] {
        conn.exec_drop(
            app.db.sql(
                "INSERT INTO {p}volixta_bookings (client_id, service_id, location_id, staff_id, start_at, end_at, status) \
                 SELECT id, ?, ?, ?, DATE_ADD(?, INTERVAL (id % 365) DAY), DATE_ADD(DATE_ADD(?, INTERVAL (id % 365) DAY), INTERVAL 30 MINUTE), ? \
                 FROM {p}volixta_clients WHERE id % ? = 0",
            ),
            (service, location, staff, day0, day0, status, modulo),
        )
        .await
        .expect("bookings");
    }
    let spa: u64 = conn
        .exec_first(
            app.db
                .sql("SELECT category_id FROM {p}volixta_services WHERE id = ?"),
            (massage,),
        )
        .await
        .expect("category")
        .expect("spa");
    (cut, massage, spa)
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("VOLIXTA_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let load_at_start = load_average();
    let mut app = TestApp::spawn().await;
    app.skip_ledger_check_on_drop();

    let file = csv(n);
    let options = ImportOptions {
        dry_run: false,
        mapping: None,
        actor: "bench".into(),
    };
    let started = Instant::now();
    let report = clients::import_csv(&app.db, file.as_bytes(), &options, &|_, _| {})
        .await
        .expect("import");
    let import_secs = started.elapsed().as_secs_f64();
    assert_eq!(report.created as usize, n, "every row imported");
    let started = Instant::now();
    let again = clients::import_csv(&app.db, file.as_bytes(), &options, &|_, _| {})
        .await
        .expect("re-import");
    let reimport_secs = started.elapsed().as_secs_f64();
    assert_eq!(again.unchanged as usize, n, "a re-import changes nothing");

    let group = app
        .post("/v1/client-groups", MANAGER, &json!({"name": "Yoga"}))
        .await
        .body["id"]
        .as_u64()
        .expect("group");
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.exec_drop(
        app.db.sql(
            "INSERT INTO {p}volixta_client_group_members (group_id, client_id) \
             SELECT ?, id FROM {p}volixta_clients WHERE id % 20 = 0",
        ),
        (group,),
    )
    .await
    .expect("members");
    drop(conn);
    let (cut, massage, spa) = seed_catalog_and_bookings(&app).await;
    let second_page = app
        .get("/v1/clients?sort=name&limit=50", MANAGER)
        .await
        .body["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();

    let cases: Vec<(&str, String)> = vec![
        ("first page, no filter", "/v1/clients?limit=50".into()),
        ("status=VIP", "/v1/clients?status=VIP&limit=50".into()),
        (
            "group (5% of clients)",
            format!("/v1/clients?group_id={group}&limit=50"),
        ),
        (
            "search name (\"angstrom\")",
            "/v1/clients?search=angstrom&limit=50".into(),
        ),
        (
            "search e-mail, one match",
            format!("/v1/clients?search=client{}%40&limit=50", n - 7),
        ),
        (
            "subscribed=marketing & status=Returning",
            "/v1/clients?subscribed=marketing&status=Returning&limit=50".into(),
        ),
        (
            "sort=name, second page",
            format!("/v1/clients?sort=name&limit=50&after={second_page}"),
        ),
        (
            "used service",
            format!("/v1/clients?used_service_ids={cut}&limit=50"),
        ),
        (
            "never used category",
            format!("/v1/clients?unused_category_ids={spa}&limit=50"),
        ),
        (
            "booked between two dates",
            "/v1/clients?booked_from=2026-03-01&booked_to=2026-03-31&limit=50".into(),
        ),
        (
            "with active bookings",
            format!("/v1/clients?active_bookings=true&used_service_ids={massage}&limit=50"),
        ),
    ];
    let mut table = format!(
        "| query ({n} clients, 50 per page) | median ms | p95 ms | rows |\n| --- | ---: | ---: | ---: |\n"
    );
    for (name, path) in &cases {
        for _ in 0..3 {
            app.get(path, MANAGER).await;
        }
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let res = app.get(path, MANAGER).await;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(res.status.as_u16(), 200, "{path}: {}", res.text);
            rows = res.body["items"].as_array().map_or(0, Vec::len);
        }
        times.sort_by(f64::total_cmp);
        let _ = writeln!(
            table,
            "| {name} | {:.1} | {:.1} | {rows} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
    // The same lists as wp-admin's Clients screen asks for them: the HTML fragment the plugin
    // shows, with the filter panel's choices (statuses, groups, services, categories) and the
    // rows rendered through the template.
    let screens: Vec<(&str, String)> = vec![
        (
            "Clients screen, first page",
            "/v1/render/admin/clients?page=volixta-clients".into(),
        ),
        (
            "Clients screen, search name (\"angstrom\")",
            "/v1/render/admin/clients?page=volixta-clients&search=angstrom".into(),
        ),
        (
            "Clients screen, status=VIP, sort=name",
            "/v1/render/admin/clients?page=volixta-clients&status=VIP&sort=name".into(),
        ),
        (
            "Clients screen, used service",
            format!("/v1/render/admin/clients?page=volixta-clients&used_service_ids={cut}"),
        ),
    ];
    let mut screen_table = format!(
        "| wp-admin fragment ({n} clients) | median ms | p95 ms | KiB |\n| --- | ---: | ---: | ---: |\n"
    );
    for (name, path) in &screens {
        for _ in 0..3 {
            app.get(path, MANAGER).await;
        }
        let mut times = Vec::with_capacity(RUNS);
        let mut size = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let res = app
                .request_with(
                    Method::GET,
                    path,
                    MANAGER,
                    None,
                    &[("X-Volixta-Locale", "en_GB")],
                    Tamper::default(),
                )
                .await;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(res.status.as_u16(), 200, "{path}: {}", res.text);
            assert!(
                res.text.contains("volixta-clients"),
                "{path}: not the screen"
            );
            size = res.text.len();
        }
        times.sort_by(f64::total_cmp);
        let _ = writeln!(
            screen_table,
            "| {name} | {:.1} | {:.1} | {} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            size / 1024
        );
    }

    let breakdown = steps(&app, n).await;

    let t = Instant::now();
    let export = app.get("/v1/clients/export.csv?status=VIP", MANAGER).await;
    let export_secs = t.elapsed().as_secs_f64();
    let exported = export.text.lines().count().saturating_sub(1);

    let load_at_end = load_average();
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let section = format!(
        "## Client list and import (CRM)\n\n\
         `cargo bench -p volixta-service --bench clients_list` (part of `make bench`): a fresh database, \
         {n} clients imported from a generated CSV through `clients::import_csv` (what \
         `volixta-service import-clients` runs), a group of 5%, a third with a past booking and a tenth \
         with an upcoming one; then each list request {RUNS} times over signed HTTP on loopback \
         (signature check, nonce insert, query, JSON) after 3 warm-ups. Machine: 2 cores shared with \
         other work (1-minute load average {load_at_start} at the start, {load_at_end} at the end), \
         MariaDB 10.11 on the same host, {profile} build.\n\n\
         {table}\n\
         The Clients screen of wp-admin is the same list rendered as HTML by the service \
         (`GET /v1/render/admin/clients`, 50 rows, the filter panel's choices, the template); \
         the whole page through WordPress is measured by `tests/bench/admin-page.mjs` below.\n\n\
         {screen_table}\n\
         {breakdown}\n\
         | import | seconds |\n| --- | ---: |\n\
         | {n} new rows | {import_secs:.1} |\n\
         | the same file again (all unchanged) | {reimport_secs:.1} |\n\
         | export of status=VIP ({exported} rows) | {export_secs:.1} |\n"
    );
    println!("{section}");
    report::write_section("clients", &section);
}

/// Where a render of the first page goes, step by step, in the process (no HTTP, no signature):
/// the p50 of each step over RUNS runs, so the steps can be compared with the whole fragment.
async fn steps(app: &TestApp, n: usize) -> String {
    use volixta_service::{admin, catalog, i18n::Locale, render::Templates};
    let templates = Templates::load(None).expect("templates");
    let locale = Locale::parse(Some("en_GB"));
    let query = admin::ClientsQuery::parse(Some("page=volixta-clients")).expect("query");
    let list_query = query.list_query().expect("list query");
    let screen = admin::clients_screen(&app.db, &query, None)
        .await
        .expect("screen");
    let db = &app.db;
    let mut rows: Vec<(&str, Vec<f64>)> = [
        "list page (20 rows)",
        "statuses with their counts",
        "groups with their counts",
        "services and categories",
        "template render",
        "whole screen (all of the above)",
    ]
    .into_iter()
    .map(|name| (name, Vec::with_capacity(RUNS)))
    .collect();
    for _ in 0..RUNS {
        let mut timed = Vec::with_capacity(rows.len());
        let t = Instant::now();
        clients::list(db, &list_query).await.expect("list");
        timed.push(t.elapsed());
        let t = Instant::now();
        clients::list_statuses(db).await.expect("statuses");
        timed.push(t.elapsed());
        let t = Instant::now();
        clients::list_groups(db).await.expect("groups");
        timed.push(t.elapsed());
        let t = Instant::now();
        catalog::services(db).await.expect("services");
        catalog::categories(db).await.expect("categories");
        timed.push(t.elapsed());
        let t = Instant::now();
        templates
            .render_in("admin/clients.html", &locale, &screen)
            .expect("render");
        timed.push(t.elapsed());
        let t = Instant::now();
        let whole = admin::clients_screen(db, &query, None)
            .await
            .expect("screen");
        templates
            .render_in("admin/clients.html", &locale, &whole)
            .expect("render");
        timed.push(t.elapsed());
        for ((_, times), d) in rows.iter_mut().zip(timed) {
            times.push(d.as_secs_f64() * 1000.0);
        }
    }
    let mut out = format!(
        "In the process, the first page of the Clients screen step by step ({n} clients, p50 of {RUNS}):\n\n\
         | step | p50 ms |\n| --- | ---: |\n"
    );
    for (name, mut times) in rows {
        times.sort_by(f64::total_cmp);
        let _ = writeln!(out, "| {name} | {:.2} |", percentile(&times, 0.5));
    }
    out
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}
