//! WooCommerce deliveries reconciled per second on the real stack: authentic, signed `order.updated`
//! deliveries of paid top-up orders POSTed to `/v1/woocommerce/webhook` by 32 concurrent callers
//! (signature check on the raw body, JSON parse, the intent's row lock, the receipt insert, the
//! wallet credit and its ledger row, the delivery log), then the same deliveries again (each
//! finds its receipt and changes nothing). Prints a markdown table and writes it into
//! docs/benchmarks.md (section "WooCommerce deliveries"). `VOLIXTA_BENCH_ORDERS` sets how many
//! orders (default 4000).
#[path = "../tests/api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use helpers::{MANAGER, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use volixta_service::woocommerce::signature;

const CALLERS: usize = 32;
const SECRET: &str = "bench-webhook-secret";
const FIRST_ORDER: u64 = 100_000;

/// A paid order as WooCommerce delivers it (the fields of a REST v3 order the service reads,
/// among the usual others), PHP-encoded.
fn paid_order(order_id: u64, uuid: &str, top_up: u64) -> Vec<u8> {
    let body = json!({
        "id": order_id, "parent_id": 0, "status": "completed", "currency": "EUR", "version": "9.9.5",
        "prices_include_tax": false, "date_created": "2026-11-24T10:00:00",
        "date_modified": "2026-11-24T10:05:00", "total": "25.00", "total_tax": "0.00",
        "customer_id": 0, "order_key": format!("wc_order_{order_id}"),
        "billing": {"first_name": "Bench", "last_name": "Client", "email": "bench@example.com"},
        "payment_method": "stripe", "transaction_id": format!("pi_{order_id}"),
        "date_paid": "2026-11-24T10:04:59", "date_paid_gmt": "2026-11-24T08:04:59",
        "date_modified_gmt": "2026-11-24T08:05:00", "date_completed_gmt": "2026-11-24T08:05:00",
        "meta_data": [
            {"id": 1, "key": "volixta_top_up_id", "value": top_up.to_string()},
            {"id": 2, "key": "volixta_payment_intent", "value": uuid}
        ],
        "line_items": [], "tax_lines": [], "shipping_lines": [],
        "fee_lines": [{"id": 3, "name": format!("Wallet top-up #{top_up}"), "tax_status": "none",
                       "total": "25.00", "total_tax": "0.00"}],
        "refunds": [],
        "payment_url": format!("https://shop.example.com/checkout/order-pay/{order_id}/?pay_for_order=true&key=wc_order_{order_id}")
    });
    serde_json::to_string(&body)
        .expect("json")
        .replace('/', "\\/")
        .into_bytes()
}

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

/// Every delivery once, shared among the callers.
async fn deliver_all(scenario: &'static str, app: &TestApp, bodies: Arc<Vec<Vec<u8>>>) -> Outcome {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let url = format!("{}/v1/woocommerce/webhook", app.address);
    let http = reqwest::Client::new();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CALLERS {
        let (bodies, next, url, http) = (bodies.clone(), next.clone(), url.clone(), http.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let t = Instant::now();
                let res = http
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("X-WC-Webhook-Topic", "order.updated")
                    .header("X-WC-Webhook-Resource", "order")
                    .header("X-WC-Webhook-Event", "updated")
                    .header("X-WC-Webhook-ID", "12")
                    .header(
                        "X-WC-Webhook-Delivery-ID",
                        "5f0d6c1b9a8e4d2f7c3b1a0e9d8c7b6a",
                    )
                    .header("X-WC-Webhook-Signature", signature::sign(SECRET, body))
                    .body(body.clone())
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(res.status(), StatusCode::OK);
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

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

const START: &str = "<!-- woocommerce-bench:start -->";
const END: &str = "<!-- woocommerce-bench:end -->";

fn write_section(table: &str) -> std::io::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/benchmarks.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let section = format!(
        "{START}\n## WooCommerce deliveries\n\nAuthentic `order.updated` deliveries of paid top-up \
         orders POSTed to `/v1/woocommerce/webhook` (goal: at least 2,000 reconciled per second). \
         \"first deliveries\" each verify the signature on the raw body, lock the intent, insert the \
         receipt, credit the wallet (ledger row under the client's lock) and log the delivery; \
         \"repeats\" are the same bytes again, each finding its receipt and changing nothing but \
         the log.\n\n{table}{END}"
    );
    let doc = match (doc.find(START), doc.find(END)) {
        (Some(s), Some(e)) if s < e => format!("{}{section}{}", &doc[..s], &doc[e + END.len()..]),
        _ => format!("{}\n\n{section}\n", doc.trim_end()),
    };
    std::fs::write(path, doc)
}

fn main() {
    let orders: u64 = std::env::var("VOLIXTA_BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let load_before = load_average();
    let outcomes = runtime.block_on(async {
        let owner = TestApp::spawn().await;
        let app = owner
            .replica_with(|c| c.wc_webhook_secret = Some(SECRET.to_owned().into()))
            .await;
        // One client per caller, so the wallets' row locks do not queue everyone behind one.
        let mut clients = Vec::new();
        for n in 0..CALLERS {
            let id = app
                .create_client(json!({"first_name": format!("Bench {n}")}))
                .await["id"]
                .as_u64()
                .expect("id");
            clients.push(id);
        }
        let mut bodies = Vec::new();
        for n in 0..orders {
            let client = clients[(n as usize) % CALLERS];
            let res = app
                .post(&format!("/v1/clients/{client}/wallet/top-ups"), MANAGER, &json!({"amount": "25.00"}))
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            let top_up = res.body["id"].as_u64().expect("id");
            let order_id = FIRST_ORDER + n;
            let uuid = uuid::Uuid::new_v4().to_string();
            app.exec(&format!(
                "INSERT INTO {{p}}volixta_wc_intents (uuid, kind, client_id, top_up_id, amount, \
                 currency, status, wc_order_id, requested_by) VALUES ('{uuid}', 'top_up', {client}, \
                 {top_up}, 25, 'EUR', 'pending', {order_id}, 'manager:1')"
            ))
            .await;
            app.exec(&format!(
                "UPDATE {{p}}volixta_wallet_top_ups SET wc_order_id = {order_id} WHERE id = {top_up}"
            ))
            .await;
            bodies.push(paid_order(order_id, &uuid, top_up));
        }
        let bodies = Arc::new(bodies);
        let first = deliver_all("first deliveries (each credits a wallet)", &app, bodies.clone()).await;
        let credited: u64 = app
            .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'top_up'")
            .await;
        assert_eq!(credited, orders, "each order credited once");
        let repeats = deliver_all("repeats of the same deliveries (nothing to do)", &app, bodies).await;
        let credited: u64 = app
            .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'top_up'")
            .await;
        assert_eq!(credited, orders, "repeats credit nothing");
        vec![first, repeats]
    });
    let load_after = load_average();
    let build = if cfg!(debug_assertions) {
        "debug build (`--profile dev`)"
    } else {
        "release build"
    };
    let mut table = format!(
        "{CALLERS} concurrent callers, {orders} orders, one run of `cargo bench -p volixta-service --bench woocommerce` \
         ({build}; service, MariaDB 10.11 and the load generator share the machine's 2 cores; \
         1-minute load average {load_before} at the start, {load_after} at the end).\n\n\
         | scenario | deliveries | per second | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |\n"
    );
    for o in &outcomes {
        table.push_str(&format!(
            "| {} | {} | {:.0} | {:.1} | {:.1} |\n",
            o.scenario,
            o.ops,
            o.per_second(),
            o.percentile_ms(0.5),
            o.percentile_ms(0.99)
        ));
    }
    println!("{table}");
    write_section(&table).expect("docs/benchmarks.md written");
}
