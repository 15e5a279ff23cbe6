//! Wallet throughput on the real stack: manual adjustments through signed HTTP requests
//! (signature, nonce, client row lock, ledger row, cached balance) under 32 concurrent callers,
//! beside the rate at which the same MariaDB commits a bare one-row INSERT transaction, measured
//! in the same run. Prints a markdown table and writes it into docs/benchmarks.md (section
//! "Wallet"). `VOLIXTA_BENCH_SECONDS` sets each scenario's length (default 10).
#[path = "../tests/api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use helpers::{MANAGER, TestApp};
use mysql_async::prelude::Queryable;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

const CALLERS: usize = 32;

struct Outcome {
    scenario: &'static str,
    ops: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// Runs `CALLERS` tasks, each calling `op(caller)` until `length` has passed.
async fn run<F, Fut>(scenario: &'static str, length: Duration, op: F) -> Outcome
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let start = Instant::now();
    let deadline = start + length;
    let mut tasks = Vec::new();
    for caller in 0..CALLERS {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                op(caller).await;
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("caller"));
    }
    Outcome {
        scenario,
        ops: latencies.len(),
        elapsed: start.elapsed(),
        latencies,
    }
}

async fn client_with_credit(app: &TestApp, n: usize) -> u64 {
    let id = app
        .create_client(json!({"first_name": format!("Bench {n}")}))
        .await["id"]
        .as_u64()
        .expect("id");
    let res = app
        .post(
            &format!("/v1/clients/{id}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "1000000.00", "reason": "bench float"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    id
}

/// Alternating debits and credits, so every balance stays far above zero.
fn adjustment(caller: usize, round: usize) -> serde_json::Value {
    let amount = if (caller + round).is_multiple_of(2) {
        "-1.00"
    } else {
        "1.00"
    };
    json!({"amount": amount, "reason": "bench"})
}

/// The 1-minute load average, so a reader knows what else the machine was doing.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn table(outcomes: &[Outcome], length: Duration, load: (String, String)) -> String {
    let mut out = format!(
        "{CALLERS} concurrent callers, {} s per scenario, one run of `cargo bench -p volixta-service --bench wallet` \
         (release build; service, MariaDB 10.11 and the load generator share the machine's 2 cores; \
         1-minute load average {} at the start, {} at the end).\n\n\
         | scenario | operations | ops/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |\n",
        length.as_secs(),
        load.0,
        load.1
    );
    for o in outcomes {
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.1} | {:.1} |\n",
            o.scenario,
            o.ops,
            o.per_second(),
            o.percentile_ms(0.5),
            o.percentile_ms(0.99)
        ));
    }
    out
}

const START: &str = "<!-- wallet-bench:start -->";
const END: &str = "<!-- wallet-bench:end -->";

fn write_section(table: &str) -> std::io::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/benchmarks.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let section = format!(
        "{START}\n## Wallet\n\nWhat a wallet adjustment costs next to the cheapest durable write the database can do. \
         \"bare commit\" is `BEGIN; INSERT one row; COMMIT` straight to MariaDB; \"adjustments\" are \
         `POST /v1/clients/{{id}}/wallet/adjustments` through the signed HTTP API, each on the caller's own client \
         or all on one client (whose row lock serialises them).\n\n{table}{END}"
    );
    let doc = match (doc.find(START), doc.find(END)) {
        (Some(s), Some(e)) if s < e => format!("{}{section}{}", &doc[..s], &doc[e + END.len()..]),
        _ => format!("{}\n\n{section}\n", doc.trim_end()),
    };
    std::fs::write(path, doc)
}

fn main() {
    let length = Duration::from_secs(
        std::env::var("VOLIXTA_BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let load_before = load_average();
    let outcomes = runtime.block_on(async {
        let app = TestApp::spawn().await;
        let mut conn = app.db.pool.get_conn().await.expect("conn");
        conn.query_drop(
            "CREATE TABLE bench_commit (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, \
             caller INT NOT NULL, at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB",
        )
        .await
        .expect("bench table");
        drop(conn);

        let db = app.db.clone();
        let bare = run("bare commit (one-row INSERT transaction)", length, move |caller| {
            let db = db.clone();
            async move {
                let mut tx = db
                    .pool
                    .start_transaction(mysql_async::TxOpts::default())
                    .await
                    .expect("begin");
                tx.exec_drop("INSERT INTO bench_commit (caller) VALUES (?)", (caller,))
                    .await
                    .expect("insert");
                tx.commit().await.expect("commit");
            }
        })
        .await;

        let mut own = Vec::new();
        for n in 0..CALLERS {
            own.push(client_with_credit(&app, n).await);
        }
        let shared = client_with_credit(&app, CALLERS).await;
        let mut outcomes = vec![bare];
        for (scenario, targets) in [
            ("adjustments, each caller its own client", own.clone()),
            ("adjustments, all callers on one client", vec![shared; CALLERS]),
        ] {
            let handle = std::sync::Arc::new(app.handle());
            let round = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            outcomes.push(
                run(scenario, length, move |caller| {
                    let app = handle.clone();
                    let client = targets[caller];
                    let round = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    async move {
                        let res = app
                            .post(
                                &format!("/v1/clients/{client}/wallet/adjustments"),
                                MANAGER,
                                &adjustment(caller, round),
                            )
                            .await;
                        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
                    }
                })
                .await,
            );
        }
        let broken = volixta_service::wallet::verify_ledgers(&app.db)
            .await
            .expect("ledger check");
        assert!(broken.is_empty(), "{broken:?}");
        outcomes
    });
    let table = table(&outcomes, length, (load_before, load_average()));
    println!("{table}");
    if let Err(e) = write_section(&table) {
        eprintln!("could not update docs/benchmarks.md: {e}");
    }
}
