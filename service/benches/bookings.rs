//! Bookings per second over HTTP with 32 concurrent callers, beside the database's own commit
//! rate (a bare one-row INSERT transaction) measured in the same run on the same database, so
//! the ratio says how much of the database's capacity a booking costs.
//!
//! `cargo bench -p volixta-service --bench bookings` (BENCH_SECONDS sets each phase's length).
#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

use helpers::{MANAGER, TestApp};
use mysql_async::prelude::Queryable;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

const CALLERS: usize = 32;

fn seconds() -> u64 {
    std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

async fn created(app: &TestApp, path: &str, body: Value) -> u64 {
    let res = app.post(path, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{path}: {}", res.text);
    res.body["id"].as_u64().expect("id")
}

/// Runs `CALLERS` loops of `op` for `length`; returns operations per second.
async fn rate<F, Fut>(length: Duration, op: F) -> f64
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for caller in 0..CALLERS {
        let (op, stop, done) = (op.clone(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                op(caller, n).await;
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(length).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("caller");
    }
    #[allow(clippy::cast_precision_loss)]
    let ops = done.load(Ordering::Relaxed) as f64;
    ops / started.elapsed().as_secs_f64()
}

async fn commit_rate(app: &TestApp, length: Duration) -> f64 {
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.query_drop(
        "CREATE TABLE bench_commit (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB",
    )
    .await
    .expect("bench table");
    drop(conn);
    let pool = app.db.pool.clone();
    rate(length, move |_, n| {
        let pool = pool.clone();
        async move {
            let mut tx = pool
                .start_transaction(mysql_async::TxOpts::default())
                .await
                .expect("begin");
            tx.exec_drop("INSERT INTO bench_commit (v) VALUES (?)", (n,))
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
        }
    })
    .await
}

async fn booking_rate(app: &TestApp, length: Duration, round: u64) -> f64 {
    let location = created(
        app,
        "/v1/locations",
        json!({"name": "Bench", "timezone": "UTC"}),
    )
    .await;
    let service = created(
        app,
        "/v1/services",
        json!({"name": "Cut", "duration_minutes": 30, "price": "25.00", "capacity": 1}),
    )
    .await;
    let mut staff = Vec::new();
    let mut clients = Vec::new();
    for i in 0..CALLERS {
        staff.push(
            created(
                app,
                "/v1/staff",
                json!({"first_name": format!("Staff {round}-{i}"), "service_ids": [service]}),
            )
            .await,
        );
        clients.push(
            created(
                app,
                "/v1/clients",
                json!({"first_name": format!("Client {round}-{i}")}),
            )
            .await,
        );
    }
    let base = chrono::Utc::now() + chrono::Duration::days(2);
    let app = Arc::new(app.handle());
    rate(length, move |caller, n| {
        let app = app.clone();
        let body = json!({
            "client_id": clients[caller], "service_id": service, "location_id": location,
            "staff_id": staff[caller],
            "start": (base + chrono::Duration::minutes(i64::try_from(n).unwrap_or(0) * 30)).to_rfc3339(),
        });
        async move {
            let res = app.post("/v1/bookings", MANAGER, &body).await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        }
    })
    .await
}

fn write_section(table: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let (start, end) = ("<!-- bookings:start -->", "<!-- bookings:end -->");
    let section = format!("{start}\n{table}{end}");
    let doc = match (doc.find(start), doc.find(end)) {
        (Some(a), Some(b)) if a < b => format!("{}{section}{}", &doc[..a], &doc[b + end.len()..]),
        _ => format!("{}\n\n{section}\n", doc.trim_end()),
    };
    std::fs::write(&path, doc).expect("write docs/benchmarks.md");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let length = Duration::from_secs(seconds());
        // Other work on the host shares its 2 cores; the load says how much.
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| "unknown".into());
        let app = TestApp::spawn().await;
        // Warm the pool, the server and the buffer pool before measuring.
        booking_rate(&app, Duration::from_secs(1), 0).await;
        let commits = commit_rate(&app, length).await;
        let bookings = booking_rate(&app, length, 1).await;
        let holding: u64 = app
            .scalar(
                "SELECT COUNT(*) FROM {p}volixta_bookings WHERE status IN ('pending','confirmed')",
            )
            .await;
        assert!(holding > 0, "no booking was written");
        let table = format!(
            "## Bookings\n\n\
             `cargo bench -p volixta-service --bench bookings` ({CALLERS} concurrent callers, \
             {}s per phase, one service process and MariaDB on the same 2-core host; each \
             booking is a signed `POST /v1/bookings` by a manager on its own staff member's \
             next free slot: nonce, staff row lock, neighbour read, booking, price line and \
             history rows, one commit). Load average of the host when the run started: \
             {load}; both rates share the host with whatever else runs, so the ratio is the \
             figure to compare.\n\n\
             | measure | per second |\n| --- | ---: |\n\
             | bare one-row INSERT transactions | {commits:.0} |\n\
             | bookings over HTTP | {bookings:.0} |\n\
             | ratio bookings / bare commits | {:.3} |\n\n",
            length.as_secs(),
            bookings / commits,
        );
        println!("{table}");
        write_section(&table);
    });
}
