//! WooCommerce checkout and reconciliation against the simulator of `tests/woocommerce-sim/`
//! (a real HTTP store that checks OAuth 1.0a as WooCommerce does and signs its deliveries as
//! `WC_Webhook::deliver` does): payments delivered many times, reordered and to two replicas
//! count once; tampered deliveries change nothing; wrong totals are flagged; a lost delivery is
//! found by the poll; top-ups and package sales land once; refunds are recorded.
use crate::bookings::{at, book, booking, client, id, massage, shop};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{process::Stdio, time::Duration};
use tokio::io::{AsyncBufReadExt, BufReader};
use volixta_service::woocommerce::{WcClient, poll};

const CK: &str = "ck_5d1c0a9b8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b";
const CS: &str = "cs_0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6";
const HOOK_SECRET: &str = "wcwh_7dF3kP9qLx2VnB8sRt4Yz6Hm";

pub struct Sim {
    pub url: String,
    _child: tokio::process::Child,
    http: reqwest::Client,
}

impl Sim {
    pub async fn start() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/woocommerce-sim/server.mjs"
        );
        let mut child = tokio::process::Command::new("node")
            .args([script, "--consumer-key", CK, "--consumer-secret", CS])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the simulator");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .expect("the simulator prints its address");
        let url = serde_json::from_str::<Value>(&line).expect("json")["url"]
            .as_str()
            .expect("url")
            .to_owned();
        Self {
            url,
            _child: child,
            http: reqwest::Client::new(),
        }
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("simulator answers");
        res.json().await.unwrap_or(Value::Null)
    }

    pub async fn deliveries(&self) -> Vec<Value> {
        let v: Value = self
            .http
            .get(format!("{}/__sim/deliveries", self.url))
            .send()
            .await
            .expect("simulator answers")
            .json()
            .await
            .expect("json");
        v["deliveries"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until the simulator has sent `n` order deliveries (or dropped them).
    pub async fn wait_deliveries(&self, n: usize) -> Vec<Value> {
        for _ in 0..100 {
            let d: Vec<Value> = self
                .deliveries()
                .await
                .into_iter()
                .filter(|d| d["kind"] == "delivery")
                .collect();
            if d.len() >= n {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the simulator did not deliver {n} times");
    }
}

/// The main app (owns the database) and one replica configured with the simulator.
async fn stack(sim: &Sim, secret: &str) -> (TestApp, TestApp) {
    let app = TestApp::spawn().await;
    let (url, secret) = (sim.url.clone(), secret.to_owned());
    let replica = app
        .replica_with(move |c| {
            c.wc_url = Some(url);
            c.wc_consumer_key = Some(CK.into());
            c.wc_consumer_secret = Some(CS.to_owned().into());
            c.wc_webhook_secret = Some(secret.into());
        })
        .await;
    (app, replica)
}

async fn replica_of(app: &TestApp, sim: &Sim) -> TestApp {
    let url = sim.url.clone();
    app.replica_with(move |c| {
        c.wc_url = Some(url);
        c.wc_consumer_key = Some(CK.into());
        c.wc_consumer_secret = Some(CS.to_owned().into());
        c.wc_webhook_secret = Some(HOOK_SECRET.to_owned().into());
    })
    .await
}

async fn hook(sim: &Sim, app: &TestApp, topic: &str) -> Value {
    let w = sim
        .control(
            "/__sim/webhooks",
            json!({"topic": topic, "secret": HOOK_SECRET,
                   "delivery_url": format!("{}/v1/woocommerce/webhook", app.address)}),
        )
        .await;
    assert_eq!(
        w["last_ping"]["status"], 200,
        "the ping is answered 200: {w}"
    );
    w
}

async fn a_booking(app: &TestApp, wp_user: u64) -> (u64, u64, String) {
    let s = shop(app, massage()).await;
    let c = client(app, wp_user).await;
    let res = book(app, MANAGER, &booking(&s, c, at(3, 10, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    (
        id(&res.body),
        c,
        res.body["balance_due"]
            .as_str()
            .expect("balance")
            .to_owned(),
    )
}

async fn checkout(app: &TestApp, booking: u64, actor: &str) -> Value {
    let res = app
        .post(
            &format!("/v1/bookings/{booking}/checkout"),
            actor,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}

async fn booking_of(app: &TestApp, id: u64) -> Value {
    app.get(&format!("/v1/bookings/{id}"), MANAGER).await.body
}

async fn paid_rows(app: &TestApp, booking: u64) -> u64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM {{p}}volixta_booking_payments WHERE booking_id = {booking} \
         AND method = 'woocommerce' AND status = 'paid'"
    ))
    .await
}

#[tokio::test]
async fn a_balance_paid_in_woocommerce_counts_once_whatever_the_deliveries() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    let second = replica_of(&app, &sim).await;
    let (booking, _, balance) = a_booking(&replica, 4001).await;
    // Two webhooks, one per replica: every state reaches both.
    hook(&sim, &replica, "order.updated").await;
    hook(&sim, &second, "order.updated").await;
    hook(&sim, &second, "order.created").await;
    // An integrator listening for payments: the order's payment is told once, however often the
    // store delivers it, and the pending row the checkout opens is not a payment received.
    let integrator = app
        .replica_with(|c| c.webhook_allowed_hosts = vec!["127.0.0.1".into()])
        .await;
    let res = integrator
        .post(
            "/v1/webhooks",
            ADMIN,
            &json!({"url": "http://127.0.0.1:9/hook", "topics": ["payment.received"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let first = checkout(&replica, booking, "client:4001").await;
    let again = checkout(&second, booking, MANAGER).await;
    assert_eq!(
        first["order_id"], again["order_id"],
        "asked again: the same order"
    );
    assert_eq!(first["amount"], balance.as_str());
    assert!(
        first["payment_url"]
            .as_str()
            .is_some_and(|u| u.contains("/checkout/order-pay/")),
        "{first}"
    );
    assert_eq!(booking_of(&app, booking).await["payment_status"], "pending");
    let order_id = first["order_id"].as_u64().expect("order id");

    // The store holds its queue: paid, then the deliveries go out repeated and newest first.
    sim.control("/__sim/queue", json!({"hold": true})).await;
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    sim.control(
        "/__sim/queue",
        json!({"flush": "reverse", "repeat": 4, "hold": false}),
    )
    .await;
    let sent = sim.wait_deliveries(9).await;
    assert!(sent.iter().all(|d| d["status"] == 200), "{sent:?}");

    let b = booking_of(&app, booking).await;
    assert_eq!(b["payment_status"], "paid", "{b}");
    assert_eq!(b["balance_due"], "0.00");
    assert_eq!(b["amount_paid"], balance.as_str());
    assert_eq!(paid_rows(&app, booking).await, 1);
    let receipts: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_receipts")
        .await;
    assert_eq!(receipts, 1);
    let outcomes: Vec<String> = app
        .rows("SELECT outcome FROM {p}volixta_wc_deliveries WHERE signature_valid = 1 ORDER BY id")
        .await;
    assert_eq!(
        outcomes.iter().filter(|o| *o == "paid").count(),
        1,
        "{outcomes:?}"
    );
    let told: Vec<String> = app
        .rows("SELECT payload FROM {p}volixta_outbox WHERE topic = 'payment.received'")
        .await;
    assert_eq!(told.len(), 1, "{told:?}");
    let told: Value = serde_json::from_str(&told[0]).expect("json");
    assert_eq!(told["data"]["booking_id"], booking);
    assert_eq!(told["data"]["payment"]["method"], "woocommerce");
    assert_eq!(told["data"]["payment"]["status"], "paid");
    assert_eq!(told["data"]["payment"]["amount"], balance.as_str());

    // Once paid there is nothing left to check out.
    let res = replica
        .post(
            &format!("/v1/bookings/{booking}/checkout"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "nothing_due");
}

#[tokio::test]
async fn concurrent_deliveries_of_one_payment_to_two_replicas_count_once() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    let second = replica_of(&app, &sim).await;
    let (booking, _, _) = a_booking(&replica, 4002).await;
    let order_id = checkout(&replica, booking, MANAGER).await["order_id"]
        .as_u64()
        .expect("order");
    hook(&sim, &replica, "order.updated").await;
    sim.control("/__sim/queue", json!({"hold": true})).await;
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    sim.control("/__sim/queue", json!({"flush": "fifo"})).await;
    let body = sim.wait_deliveries(1).await[0].clone();
    let bytes = body["body"].as_str().expect("body").as_bytes().to_vec();
    let headers: Vec<(String, String)> = body["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    // The same authentic bytes, twenty times at once, spread over both replicas.
    let sends: Vec<_> = (0..20)
        .map(|i| {
            let target = if i % 2 == 0 { &replica } else { &second };
            let mut req = target
                .http
                .post(format!("{}/v1/woocommerce/webhook", target.address))
                .body(bytes.clone());
            for (k, v) in &headers {
                req = req.header(k.as_str(), v.as_str());
            }
            tokio::spawn(req.send())
        })
        .collect();
    for send in sends {
        let res = send.await.expect("joined").expect("sent");
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(paid_rows(&app, booking).await, 1);
    assert_eq!(booking_of(&app, booking).await["payment_status"], "paid");
}

/// Sends a delivery the simulator recorded, with its body changed or not.
async fn resend(
    app: &TestApp,
    delivery: &Value,
    body: &[u8],
    drop_signature: bool,
) -> reqwest::Response {
    let mut req = app
        .http
        .post(format!("{}/v1/woocommerce/webhook", app.address))
        .body(body.to_vec());
    for (k, v) in delivery["headers"].as_object().expect("headers") {
        if drop_signature && k == "X-WC-Webhook-Signature" {
            continue;
        }
        req = req.header(k.as_str(), v.as_str().unwrap_or_default());
    }
    req.send().await.expect("sent")
}

#[tokio::test]
async fn a_tampered_or_unsigned_delivery_is_refused_and_changes_nothing() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    let (booking, _, _) = a_booking(&replica, 4003).await;
    let order_id = checkout(&replica, booking, MANAGER).await["order_id"]
        .as_u64()
        .expect("order");
    // The store's webhook is configured with another secret: its deliveries do not verify.
    let w = sim
        .control(
            "/__sim/webhooks",
            json!({"topic": "order.updated", "secret": "someone-else",
                   "delivery_url": format!("{}/v1/woocommerce/webhook", replica.address)}),
        )
        .await;
    assert_eq!(w["last_ping"]["status"], 200);
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    let sent = sim.wait_deliveries(1).await;
    assert_eq!(sent[0]["status"], 401, "{:?}", sent[0]);

    // An authentic delivery with one byte changed, and the same without a signature.
    let body = sent[0]["body"].as_str().expect("body");
    let signed = volixta_service::woocommerce::signature::sign(HOOK_SECRET, body.as_bytes());
    let mut authentic = sent[0].clone();
    authentic["headers"]["X-WC-Webhook-Signature"] = json!(signed);
    let tampered = body.replace("\"status\":\"completed\"", "\"status\":\"processing\"");
    assert_ne!(tampered, body);
    assert_eq!(
        resend(&replica, &authentic, tampered.as_bytes(), false)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        resend(&replica, &authentic, body.as_bytes(), true)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(booking_of(&app, booking).await["payment_status"], "pending");
    assert_eq!(paid_rows(&app, booking).await, 0);
    let receipts: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_receipts")
        .await;
    assert_eq!(receipts, 0);
    let refused: Vec<String> = app
        .rows("SELECT detail FROM {p}volixta_wc_deliveries WHERE outcome = 'bad_signature' ORDER BY id")
        .await;
    assert_eq!(
        refused.len(),
        3,
        "each refusal is logged for support: {refused:?}"
    );

    // The untampered bytes with the right signature: counted.
    assert_eq!(
        resend(&replica, &authentic, body.as_bytes(), false)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(booking_of(&app, booking).await["payment_status"], "paid");
}

#[tokio::test]
async fn a_wrong_total_is_flagged_and_never_counted() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    let (booking, _, _) = a_booking(&replica, 4004).await;
    hook(&sim, &replica, "order.updated").await;
    let order_id = checkout(&replica, booking, MANAGER).await["order_id"]
        .as_u64()
        .expect("order");
    // Someone in the store edited the order down before it was paid.
    sim.control(
        &format!("/__sim/orders/{order_id}/pay"),
        json!({"total": "1.00"}),
    )
    .await;
    sim.wait_deliveries(1).await;
    let b = booking_of(&app, booking).await;
    assert_ne!(b["payment_status"], "paid", "{b}");
    assert_eq!(b["amount_paid"], "0.00");
    let flagged = replica
        .get("/v1/woocommerce/intents?flagged=true", MANAGER)
        .await;
    assert_eq!(flagged.status, StatusCode::OK, "{}", flagged.text);
    let intents = flagged.body["intents"].as_array().expect("intents");
    assert_eq!(intents.len(), 1, "{}", flagged.text);
    assert_eq!(intents[0]["flag"], "amount_mismatch");
    assert!(
        intents[0]["flag_detail"]
            .as_str()
            .is_some_and(|d| d.contains("1.00"))
    );
    let receipts: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_receipts")
        .await;
    assert_eq!(receipts, 0);
    // Clients do not see the managers' list.
    let res = replica
        .get("/v1/woocommerce/intents?flagged=true", "client:4004")
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_lost_delivery_is_found_by_the_poll_on_one_replica_at_a_time() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    let (booking, _, _) = a_booking(&replica, 4005).await;
    hook(&sim, &replica, "order.updated").await;
    let order_id = checkout(&replica, booking, MANAGER).await["order_id"]
        .as_u64()
        .expect("order");
    sim.control("/__sim/queue", json!({"drop_next": 1})).await;
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    let sent = sim.wait_deliveries(1).await;
    assert_eq!(sent[0]["dropped"], true);
    assert_eq!(booking_of(&app, booking).await["payment_status"], "pending");

    let mut config = volixta_service::Config::for_database(String::new(), PREFIX, SECRET);
    config.wc_url = Some(sim.url.clone());
    config.wc_consumer_key = Some(CK.into());
    config.wc_consumer_secret = Some(CS.to_owned().into());
    let wc = WcClient::from_config(&config).expect("configured");
    // Not due yet: the first poll waits VOLIXTA_WC_POLL_SECONDS after the order was made.
    assert_eq!(
        poll::poll_once(&app.db, &wc, "replica-b", 60)
            .await
            .expect("poll"),
        0
    );
    app.exec("UPDATE {p}volixta_wc_intents SET next_poll_at = NOW(6) - INTERVAL 1 SECOND")
        .await;
    // Replica B holds the lease: replica A asks nothing.
    let lease = poll::poll_once(&app.db, &wc, "replica-b", 60)
        .await
        .expect("poll");
    assert_eq!(lease, 1);
    app.exec(
        "UPDATE {p}volixta_wc_intents SET next_poll_at = NOW(6) - INTERVAL 1 SECOND \
         WHERE next_poll_at IS NOT NULL",
    )
    .await;
    assert_eq!(
        poll::poll_once(&app.db, &wc, "replica-a", 60)
            .await
            .expect("poll"),
        0
    );
    let b = booking_of(&app, booking).await;
    assert_eq!(b["payment_status"], "paid", "{b}");
    assert_eq!(paid_rows(&app, booking).await, 1);
    let source: String = app
        .scalar("SELECT source FROM {p}volixta_wc_receipts")
        .await;
    assert_eq!(source, "poll");
    // Paid intents are polled no more.
    let waiting: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_intents WHERE next_poll_at IS NOT NULL")
        .await;
    assert_eq!(waiting, 0);
}

#[tokio::test]
async fn a_top_up_is_credited_once() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    hook(&sim, &replica, "order.updated").await;
    let c = client(&replica, 4006).await;
    let res = replica
        .post(
            &format!("/v1/clients/{c}/wallet/top-ups"),
            "client:4006",
            &json!({"amount": "30.00"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let order_id = res.body["order_id"].as_u64().expect("order id");
    assert!(res.body["payment_url"].as_str().is_some());
    let top_up = id(&res.body);
    sim.control("/__sim/queue", json!({"hold": true})).await;
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    sim.control(
        "/__sim/queue",
        json!({"flush": "fifo", "repeat": 3, "hold": false}),
    )
    .await;
    sim.wait_deliveries(3).await;
    let wallet = app.get(&format!("/v1/clients/{c}/wallet"), MANAGER).await;
    assert_eq!(wallet.body["balance"], "30.00", "{}", wallet.text);
    let rows: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'top_up'")
        .await;
    assert_eq!(rows, 1);
    let t = app
        .get(&format!("/v1/wallet/top-ups/{top_up}"), MANAGER)
        .await;
    assert_eq!(t.body["status"], "paid");
    assert_eq!(t.body["wc_order_id"], order_id);
}

#[tokio::test]
async fn a_package_sale_creates_the_client_package_once_and_a_refund_is_recorded() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    hook(&sim, &replica, "order.updated").await;
    let s = shop(&replica, massage()).await;
    let c = client(&replica, 4007).await;
    let package = replica
        .post(
            "/v1/packages",
            MANAGER,
            &json!({"name": "Five massages", "sessions": 5,
            "price": "200.00", "service_ids": [s.service]}),
        )
        .await;
    assert_eq!(package.status, StatusCode::CREATED, "{}", package.text);
    let package = id(&package.body);
    let res = replica
        .post(
            &format!("/v1/packages/{package}/checkout"),
            "client:4007",
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let order_id = res.body["order_id"].as_u64().expect("order");
    assert_eq!(res.body["amount"], "200.00");
    let again = replica
        .post(
            &format!("/v1/packages/{package}/checkout"),
            "client:4007",
            &json!({}),
        )
        .await;
    assert_eq!(again.body["order_id"], order_id);

    sim.control("/__sim/queue", json!({"hold": true})).await;
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    sim.control(
        "/__sim/queue",
        json!({"flush": "fifo", "repeat": 3, "hold": false}),
    )
    .await;
    sim.wait_deliveries(3).await;
    let held: u64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM {{p}}volixta_client_packages WHERE client_id = {c}              AND sold_method = 'woocommerce'"
        ))
        .await;
    assert_eq!(held, 1);
    let groups = app.get(&format!("/v1/clients/{c}/packages"), MANAGER).await;
    assert_eq!(
        groups.body["groups"][0]["sessions_remaining"], 5,
        "{}",
        groups.text
    );

    // Refunded in the store a moment later: recorded once and flagged; the package stays until
    // a manager acts.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    sim.control(
        &format!("/__sim/orders/{order_id}/refund"),
        json!({"reason": "changed her mind"}),
    )
    .await;
    sim.wait_deliveries(4).await;
    let intents = replica
        .get("/v1/woocommerce/intents?flagged=true", MANAGER)
        .await;
    let i = &intents.body["intents"][0];
    assert_eq!(i["flag"], "refunded", "{}", intents.text);
    assert_eq!(i["status"], "refunded");
    assert_eq!(i["refunds"][0]["amount"], "200.00");
    assert_eq!(i["refunds"][0]["reason"], "changed her mind");
    // A late copy of the paid state changes nothing.
    let d = sim.wait_deliveries(4).await;
    let paid_delivery = &d[0];
    let body = paid_delivery["body"].as_str().expect("body");
    assert_eq!(
        resend(&replica, paid_delivery, body.as_bytes(), false)
            .await
            .status(),
        StatusCode::OK
    );
    let held: u64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM {{p}}volixta_client_packages WHERE client_id = {c}"
        ))
        .await;
    assert_eq!(held, 1);
    let last: String = app
        .scalar("SELECT outcome FROM {p}volixta_wc_deliveries ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(last, "stale");
}

#[tokio::test]
async fn a_wrong_oauth_secret_is_refused_by_the_store_and_nothing_is_opened() {
    let sim = Sim::start().await;
    let app = TestApp::spawn().await;
    let url = sim.url.clone();
    let wrong = app
        .replica_with(move |c| {
            c.wc_url = Some(url);
            c.wc_consumer_key = Some(CK.into());
            c.wc_consumer_secret = Some("cs_wrong".to_owned().into());
        })
        .await;
    let (booking, _, _) = a_booking(&wrong, 4008).await;
    let res = wrong
        .post(
            &format!("/v1/bookings/{booking}/checkout"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_GATEWAY, "{}", res.text);
    assert_eq!(res.code(), "woocommerce_unavailable");
    assert!(res.text.contains("signature"), "{}", res.text);
    let status = wrong.get("/v1/woocommerce/status", MANAGER).await;
    assert_eq!(status.body["rest"]["ok"], false, "{}", status.text);

    // Not configured at all: the setup check and checkout say so.
    let res = app
        .post(
            &format!("/v1/bookings/{booking}/checkout"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.code(), "woocommerce_not_configured");
}

#[tokio::test]
async fn the_setup_check_sees_the_keys_the_webhook_and_the_last_deliveries() {
    let sim = Sim::start().await;
    let (_app, replica) = stack(&sim, HOOK_SECRET).await;
    let delivery_url = format!("{}/v1/woocommerce/webhook", replica.address);
    hook(&sim, &replica, "order.updated").await;
    let res = replica
        .get(
            &format!("/v1/woocommerce/status?delivery_url={delivery_url}"),
            MANAGER,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["rest"]["ok"], true, "{}", res.text);
    assert_eq!(res.body["webhook_ok"], true, "{}", res.text);
    assert_eq!(res.body["last_deliveries"][0]["outcome"], "ping");
    let res = replica.get("/v1/woocommerce/status", "client:1").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

const PORTAL_PAGE: &str = "https://salon.example/my-account/";

/// A portal form posted through the plugin's proxy, which names the portal page.
async fn portal_post(app: &TestApp, path: &str, actor: &str, body: &Value) -> Response {
    let key = uuid::Uuid::new_v4().to_string();
    app.request_with(
        reqwest::Method::POST,
        path,
        actor,
        Some(serde_json::to_vec(body).expect("json")),
        &[
            ("X-Volixta-Portal-Url", PORTAL_PAGE),
            ("Idempotency-Key", key.as_str()),
        ],
        Tamper::default(),
    )
    .await
}

fn redirect(res: &Response) -> String {
    res.headers
        .get("hx-redirect")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn sim_order(sim: &Sim, url: &str) -> Value {
    let id = url
        .split("/order-pay/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("an order-pay address");
    sim.control(&format!("/__sim/orders/{id}"), json!({})).await
}

fn meta(order: &Value, key: &str) -> String {
    order["meta_data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["key"] == key)
        .and_then(|m| m["value"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn pay_and_deliver(sim: &Sim, order: &Value) {
    let before = sim
        .deliveries()
        .await
        .iter()
        .filter(|d| d["kind"] == "delivery")
        .count();
    sim.control(&format!("/__sim/orders/{}/pay", order["id"]), json!({}))
        .await;
    sim.wait_deliveries(before + 1).await;
}

#[tokio::test]
async fn the_portals_pay_buttons_open_an_order_that_returns_to_the_portal_and_count_once() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    hook(&sim, &replica, "order.updated").await;
    let (booking, c, balance) = a_booking(&replica, 4020).await;
    let me = "client:4020";
    let service = booking_of(&app, booking).await["service_id"].clone();
    let package = replica
        .post(
            "/v1/packages",
            MANAGER,
            &json!({"name": "Three massages <b>", "sessions": 3, "price": "150.00",
                "service_ids": [service]}),
        )
        .await;
    assert_eq!(package.status, StatusCode::CREATED, "{}", package.text);
    let package = id(&package.body);

    // Without WooCommerce (the main app has none) no pay button shows, and posting is refused
    // with a reason, nothing opened.
    let page = app.get("/v1/render/customer_profile", me).await.text;
    assert!(page.contains("to pay"), "a balance is due");
    assert!(!page.contains("data-volixta-pay"), "no pay button");
    assert!(!page.contains("volixta-top-up-form"), "no top-up form");
    assert!(!page.contains("Three massages"), "no package on sale");
    let refused = portal_post(
        &app,
        &format!("/v1/render/portal/booking/{booking}/pay"),
        me,
        &json!({}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text);
    assert!(redirect(&refused).is_empty());
    assert!(refused.text.contains("Paying online is not available"));
    let intents: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_intents")
        .await;
    assert_eq!(intents, 0);

    // With it: the card, the payment tab, the wallet and the packages offer to pay.
    let page = replica.get("/v1/render/customer_profile", me).await.text;
    assert!(
        page.contains(&format!(
            "data-hx-post=\"render/portal/booking/{booking}/pay?"
        )),
        "the card's button"
    );
    assert!(page.contains("volixta-top-up-form"));
    assert!(page.contains("Three massages &lt;b&gt;"), "escaped");
    assert!(page.contains(&format!("render/portal/package/{package}/buy?")));
    let tab = replica
        .get(
            &format!("/v1/render/customer_profile?booking={booking}&tab=payment"),
            me,
        )
        .await
        .text;
    assert!(tab.contains("Pay the balance"), "the payment tab's button");

    // Another client's booking is not found, and nothing is opened for it.
    client(&replica, 4021).await;
    let forged = portal_post(
        &replica,
        &format!("/v1/render/portal/booking/{booking}/pay"),
        "client:4021",
        &json!({}),
    )
    .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND, "{}", forged.text);

    // Paying the balance: the redirect goes to the order's payment page, asked twice it is the
    // same order, and the order sends the client back to the booking's payment tab.
    let path = format!("/v1/render/portal/booking/{booking}/pay?tz=Europe%2FParis");
    let first = portal_post(&replica, &path, me, &json!({})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let pay_url = redirect(&first);
    assert!(pay_url.contains("/checkout/order-pay/"), "{pay_url}");
    assert!(first.text.contains("Continue to the payment page"));
    let again = portal_post(&replica, &path, me, &json!({})).await;
    assert_eq!(redirect(&again), pay_url, "the same order");
    let order = sim_order(&sim, &pay_url).await;
    assert_eq!(order["total"], balance.as_str());
    let back = meta(&order, "volixta_return_url");
    assert!(
        back.starts_with(PORTAL_PAGE) && back.contains(&format!("booking={booking}")),
        "{back}"
    );
    assert!(
        back.contains("tab=payment") && back.contains("tz=Europe%2FParis"),
        "{back}"
    );
    let pending = replica.get("/v1/render/customer_profile", me).await.text;
    assert!(
        pending.contains("A payment is in progress"),
        "pending until reconciled"
    );
    assert!(pending.contains("Continue the payment"));
    pay_and_deliver(&sim, &order).await;
    let paid = replica.get("/v1/render/customer_profile", me).await.text;
    assert!(
        !paid.contains(&format!("render/portal/booking/{booking}/pay")),
        "nothing left to pay"
    );
    assert_eq!(booking_of(&app, booking).await["payment_status"], "paid");
    assert_eq!(paid_rows(&app, booking).await, 1);
    let late = portal_post(&replica, &path, me, &json!({})).await;
    assert!(
        late.text.contains("Nothing is left to pay"),
        "{}",
        late.text
    );

    // A top-up: a bad amount is said beside the field and nothing is stored; a good one is
    // credited once.
    for bad in ["abc", "0", "-5", ""] {
        let res = portal_post(
            &replica,
            "/v1/render/portal/top-up",
            me,
            &json!({"amount": bad}),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(
            res.text.contains("id=\"volixta-top-up-error\""),
            "{bad}: {}",
            res.text
        );
        assert!(redirect(&res).is_empty());
    }
    let top_ups: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_top_ups")
        .await;
    assert_eq!(top_ups, 0, "a refused amount stores nothing");
    let res = portal_post(
        &replica,
        "/v1/render/portal/top-up",
        me,
        &json!({"amount": "25"}),
    )
    .await;
    let url = redirect(&res);
    assert!(url.contains("/checkout/order-pay/"), "{}", res.text);
    let order = sim_order(&sim, &url).await;
    assert_eq!(order["total"], "25.00");
    assert!(meta(&order, "volixta_return_url").ends_with("#volixta-portal-wallet"));
    pay_and_deliver(&sim, &order).await;
    sim.control("/__sim/queue", json!({"flush": "fifo", "repeat": 3}))
        .await;
    let wallet = app.get(&format!("/v1/clients/{c}/wallet"), MANAGER).await;
    assert_eq!(wallet.body["balance"], "25.00", "{}", wallet.text);

    // A package: bought once, the client's once paid.
    let res = portal_post(
        &replica,
        &format!("/v1/render/portal/package/{package}/buy"),
        me,
        &json!({}),
    )
    .await;
    let url = redirect(&res);
    let order = sim_order(&sim, &url).await;
    assert_eq!(order["total"], "150.00");
    pay_and_deliver(&sim, &order).await;
    let held: u64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM {{p}}volixta_client_packages WHERE client_id = {c}"
        ))
        .await;
    assert_eq!(held, 1);
    let page = replica.get("/v1/render/customer_profile", me).await.text;
    assert!(page.contains("volixta-package-card"), "the package shows");
}

async fn open_flags(app: &TestApp) -> u64 {
    app.scalar(
        "SELECT COUNT(*) FROM {p}volixta_wc_intents WHERE flag IS NOT NULL AND resolved_at IS NULL",
    )
    .await
}

#[tokio::test]
async fn a_manager_resolves_a_flagged_payment_once_with_a_note_and_a_new_flag_reopens_it() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    let (booking, _, _) = a_booking(&replica, 4030).await;
    hook(&sim, &replica, "order.updated").await;
    let order_id = checkout(&replica, booking, MANAGER).await["order_id"]
        .as_u64()
        .expect("order");
    sim.control(
        &format!("/__sim/orders/{order_id}/pay"),
        json!({"total": "1.00"}),
    )
    .await;
    sim.wait_deliveries(1).await;
    let intent: u64 = app
        .scalar("SELECT id FROM {p}volixta_wc_intents WHERE flag = 'amount_mismatch'")
        .await;

    // The screen lists it with the booking to open; clients and employees get none.
    let screen = app.get("/v1/render/admin/payments", MANAGER).await;
    assert_eq!(screen.status, StatusCode::OK, "{}", screen.text);
    assert!(
        screen
            .text
            .contains(&format!("data-intent-id=\"{intent}\""))
    );
    assert!(screen.text.contains("Total or currency differs"));
    assert!(
        screen
            .text
            .contains(&format!("?page=volixta-bookings&amp;booking={booking}"))
    );
    for who in ["client:4030", "employee:77"] {
        let res = app.get("/v1/render/admin/payments", who).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
        let res = app
            .post(
                &format!("/v1/render/admin/payments/{intent}/resolve"),
                who,
                &json!({"note": "mine"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
    }

    // No note: said beside the field, nothing changed.
    let res = app
        .post(
            &format!("/v1/render/admin/payments/{intent}/resolve?page=volixta-payments&view=open"),
            MANAGER,
            &json!({"note": "   "}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text
            .contains(&format!("id=\"volixta-resolve-error-{intent}\""))
    );
    assert_eq!(open_flags(&app).await, 1);

    // A note (escaped on the screen): resolved once, by this manager.
    let note = "Called Ann: <script>x()</script> she pays the rest on site";
    let res = app
        .post(
            &format!("/v1/render/admin/payments/{intent}/resolve?page=volixta-payments&view=open"),
            MANAGER,
            &json!({ "note": note }),
        )
        .await;
    assert!(res.text.contains("was marked resolved"), "{}", res.text);
    assert!(res.text.contains("No flagged payment is waiting"));
    assert_eq!(open_flags(&app).await, 0);
    let resolved = app
        .get("/v1/render/admin/payments?view=resolved", MANAGER)
        .await
        .text;
    assert!(resolved.contains("&lt;script&gt;x()&lt;"), "{resolved}");
    assert!(!resolved.contains("<script>x()"));
    let again = app
        .post(
            &format!("/v1/woocommerce/intents/{intent}/resolve"),
            MANAGER,
            &json!({"note": "twice"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(again.code(), "not_flagged");
    let kept: String = app
        .scalar(&format!(
            "SELECT resolution_note FROM {{p}}volixta_wc_intents WHERE id = {intent}"
        ))
        .await;
    assert_eq!(kept, note, "the first answer stays");
    let listed = app
        .get("/v1/woocommerce/intents?resolved=true", MANAGER)
        .await;
    assert_eq!(listed.body["intents"][0]["resolution_note"], note);
    let missing = app
        .post(
            "/v1/woocommerce/intents/999999/resolve",
            MANAGER,
            &json!({"note": "x"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The store refunds the order later: flagged again, to look at, the earlier note shown.
    sim.control(
        &format!("/__sim/orders/{order_id}/refund"),
        json!({"amount": "1.00", "reason": "duplicate"}),
    )
    .await;
    sim.wait_deliveries(2).await;
    assert_eq!(open_flags(&app).await, 1);
    let screen = app.get("/v1/render/admin/payments", MANAGER).await.text;
    assert!(screen.contains("Refunded in the store"), "{screen}");
    assert!(screen.contains("Earlier note: Called Ann"));
}

/// Sends `body` signed with the webhook secret under `topic`, with the headers of a delivery the
/// simulator made (what a reordered or repeated delivery of WooCommerce looks like).
async fn deliver_as(app: &TestApp, like: &Value, topic: &str, body: &str) -> Value {
    let mut d = like.clone();
    d["headers"]["X-WC-Webhook-Topic"] = json!(topic);
    d["headers"]["X-WC-Webhook-Event"] = json!(topic.trim_start_matches("order."));
    d["headers"]["X-WC-Webhook-Signature"] = json!(volixta_service::woocommerce::signature::sign(
        HOOK_SECRET,
        body.as_bytes()
    ));
    let res = resend(app, &d, body.as_bytes(), false).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

async fn cancellations(app: &TestApp, order_id: u64) -> Vec<String> {
    app.rows(&format!(
        "SELECT order_status FROM {{p}}volixta_wc_cancellations WHERE wc_order_id = {order_id} \
         ORDER BY id"
    ))
    .await
}

async fn intent_of_order(app: &TestApp, order_id: u64) -> Value {
    let listed = app.get("/v1/woocommerce/intents?limit=200", MANAGER).await;
    listed.body["intents"]
        .as_array()
        .expect("intents")
        .iter()
        .find(|i| i["wc_order_id"] == order_id)
        .cloned()
        .expect("the order's intent")
}

#[tokio::test]
async fn a_paid_order_cancelled_or_deleted_in_the_store_is_recorded_once_and_flagged_and_the_booking_stays()
 {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    let second = replica_of(&app, &sim).await;
    let (booking, _, balance) = a_booking(&replica, 4040).await;
    hook(&sim, &replica, "order.updated").await;
    hook(&sim, &second, "order.deleted").await;
    let order_id = checkout(&replica, booking, "client:4040").await["order_id"]
        .as_u64()
        .expect("order");
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    let paid = sim.wait_deliveries(1).await[0].clone();
    let before = booking_of(&app, booking).await;
    assert_eq!(before["payment_status"], "paid", "{before}");

    // A second later the store cancels the paid order; the state is delivered three times.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    sim.control("/__sim/queue", json!({"hold": true})).await;
    sim.control(
        &format!("/__sim/orders/{order_id}/status"),
        json!({"status": "cancelled"}),
    )
    .await;
    sim.control(
        "/__sim/queue",
        json!({"flush": "fifo", "repeat": 3, "hold": false}),
    )
    .await;
    let sent = sim.wait_deliveries(4).await;
    assert!(sent.iter().all(|d| d["status"] == 200), "{sent:?}");
    let cancelled = sent[1].clone();
    assert_eq!(cancelled["status_sent"], "cancelled");

    assert_eq!(cancellations(&app, order_id).await, ["cancelled"]);
    let i = intent_of_order(&app, order_id).await;
    assert_eq!(i["flag"], "cancelled_after_paid", "{i}");
    assert_eq!(
        i["status"], "paid",
        "the money arrived: the intent stays paid"
    );
    assert_eq!(i["order_status"], "cancelled");
    assert_eq!(i["cancellations"][0]["order_status"], "cancelled");
    assert!(
        i["flag_detail"]
            .as_str()
            .is_some_and(|d| d.contains("cancelled") && d.contains(&format!("booking {booking}"))),
        "{i}"
    );
    assert_eq!(open_flags(&app).await, 1);
    let outcomes: Vec<String> = app
        .rows(&format!(
            "SELECT outcome FROM {{p}}volixta_wc_deliveries WHERE wc_order_id = {order_id} \
             ORDER BY id"
        ))
        .await;
    assert_eq!(
        outcomes,
        [
            "paid",
            "cancellation_recorded",
            "already_paid",
            "already_paid"
        ]
    );
    // Nothing changed on the booking: a manager decides.
    let after = booking_of(&app, booking).await;
    for field in ["status", "payment_status", "amount_paid", "balance_due"] {
        assert_eq!(after[field], before[field], "{field}");
    }
    assert_eq!(after["amount_paid"], balance.as_str());
    assert_eq!(paid_rows(&app, booking).await, 1);
    let receipts: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_receipts")
        .await;
    assert_eq!(receipts, 1);
    let screen = app.get("/v1/render/admin/payments", MANAGER).await.text;
    assert!(screen.contains("Paid order cancelled"), "{screen}");
    assert!(screen.contains("Cancelled in the store on"), "{screen}");

    // The manager resolves it; the same cancelled state delivered again, and the older paid
    // state arriving late, reopen nothing and record nothing.
    let intent = i["id"].as_u64().expect("id");
    let res = app
        .post(
            &format!("/v1/woocommerce/intents/{intent}/resolve"),
            MANAGER,
            &json!({"note": "refunded by hand in the store"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let body = cancelled["body"].as_str().expect("body");
    let again = deliver_as(&second, &cancelled, "order.updated", body).await;
    assert_eq!(again["outcome"], "already_paid");
    let late = deliver_as(
        &replica,
        &paid,
        "order.updated",
        paid["body"].as_str().expect("body"),
    )
    .await;
    assert_eq!(late["outcome"], "stale");
    assert_eq!(open_flags(&app).await, 0);
    assert_eq!(cancellations(&app, order_id).await, ["cancelled"]);
    let i = intent_of_order(&app, order_id).await;
    assert_eq!(
        i["order_status"], "cancelled",
        "the late paid state undid nothing"
    );
    assert_eq!(paid_rows(&app, booking).await, 1);

    // Then the store deletes it: a new change, recorded and flagged once however often told.
    let res = reqwest::Client::new()
        .delete(format!("{}/__sim/orders/{order_id}", sim.url))
        .send()
        .await
        .expect("deleted");
    assert!(res.status().is_success());
    let sent = sim.wait_deliveries(5).await;
    assert_eq!(sent[4]["topic"], "order.deleted");
    assert_eq!(sent[4]["status"], 200, "{:?}", sent[4]);
    let twice = deliver_as(
        &replica,
        &sent[4],
        "order.deleted",
        sent[4]["body"].as_str().expect("body"),
    )
    .await;
    assert_eq!(twice["outcome"], "unchanged");
    assert_eq!(
        cancellations(&app, order_id).await,
        ["cancelled", "deleted"]
    );
    let i = intent_of_order(&app, order_id).await;
    assert_eq!(i["flag"], "deleted_after_paid", "{i}");
    assert_eq!(open_flags(&app).await, 1);
    assert_eq!(paid_rows(&app, booking).await, 1);
    assert_eq!(booking_of(&app, booking).await["payment_status"], "paid");
}

#[tokio::test]
async fn a_payment_and_its_cancellation_delivered_in_reverse_count_once_and_are_flagged() {
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    // The store's webhook delivers nowhere: the test keeps each delivery and sends it itself,
    // newest first and twice, as WooCommerce's queue may.
    let w = sim
        .control(
            "/__sim/webhooks",
            json!({"topic": "order.updated", "secret": HOOK_SECRET,
                   "delivery_url": "http://127.0.0.1:9/nowhere"}),
        )
        .await;
    assert_ne!(w["last_ping"]["status"], 200);

    // Paid, then marked failed in the store (the failed state keeps its payment date).
    let (failed_booking, _, balance) = a_booking(&replica, 4041).await;
    let order_id = checkout(&replica, failed_booking, MANAGER).await["order_id"]
        .as_u64()
        .expect("order");
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    sim.control(
        &format!("/__sim/orders/{order_id}/status"),
        json!({"status": "failed"}),
    )
    .await;
    let kept = sim.wait_deliveries(2).await;
    let (paid, failed) = (&kept[0], &kept[1]);
    assert_eq!(failed["status_sent"], "failed");
    let body = |d: &Value| d["body"].as_str().expect("body").to_owned();
    let mut outcomes = Vec::new();
    for d in [failed, failed, paid, paid] {
        outcomes.push(deliver_as(&replica, d, "order.updated", &body(d)).await["outcome"].clone());
    }
    assert_eq!(
        outcomes,
        ["cancellation_recorded", "already_paid", "stale", "stale"]
    );
    let b = booking_of(&app, failed_booking).await;
    assert_eq!(
        b["payment_status"], "paid",
        "the failed state proves the payment: {b}"
    );
    assert_eq!(b["amount_paid"], balance.as_str());
    assert_eq!(paid_rows(&app, failed_booking).await, 1);
    assert_eq!(cancellations(&app, order_id).await, ["failed"]);
    let i = intent_of_order(&app, order_id).await;
    assert_eq!(i["flag"], "cancelled_after_paid", "{i}");
    assert_eq!(i["order_status"], "failed");

    // Paid, then deleted: the deletion (whose body is only the id) arrives first, twice; the
    // paid state after it. The payment counts once and the deletion is flagged.
    let (deleted_booking, _, _) = a_booking(&replica, 4042).await;
    let order_id = checkout(&replica, deleted_booking, MANAGER).await["order_id"]
        .as_u64()
        .expect("order");
    sim.control(&format!("/__sim/orders/{order_id}/pay"), json!({}))
        .await;
    let paid = sim.wait_deliveries(3).await[2].clone();
    assert_eq!(paid["order_id"], order_id);
    let deleted = format!("{{\"id\":{order_id}}}");
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        outcomes
            .push(deliver_as(&replica, &paid, "order.deleted", &deleted).await["outcome"].clone());
    }
    assert_eq!(
        booking_of(&app, deleted_booking).await["payment_status"],
        "unpaid",
        "the deletion alone gives the unpaid order up"
    );
    for _ in 0..2 {
        outcomes.push(
            deliver_as(&replica, &paid, "order.updated", &body(&paid)).await["outcome"].clone(),
        );
    }
    assert_eq!(
        outcomes,
        ["cancelled", "unchanged", "cancellation_recorded", "stale"]
    );
    assert_eq!(
        booking_of(&app, deleted_booking).await["payment_status"],
        "paid"
    );
    assert_eq!(paid_rows(&app, deleted_booking).await, 1);
    assert_eq!(cancellations(&app, order_id).await, ["deleted"]);
    let i = intent_of_order(&app, order_id).await;
    assert_eq!(i["flag"], "deleted_after_paid", "{i}");
    assert_eq!(i["status"], "paid");
    assert_eq!(i["order_status"], "deleted", "the newer state stays");
    let receipts: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_receipts")
        .await;
    assert_eq!(receipts, 2);
    assert_eq!(open_flags(&app).await, 2);
}

/// A visitor's "Book now" (or "Book and pay") post, through the plugin's proxy that names the
/// portal page.
async fn book_on_the_form(app: &TestApp, query: &str, key: &str, wp_user: u64) -> Response {
    let body = json!({"first_name": "Mae", "last_name": "Jemison", "phone": "", "notes": "",
        "email": format!("mae{wp_user}@example.com"), "website": "", "wp_user_id": wp_user});
    app.request_with(
        reqwest::Method::POST,
        &format!("/v1/render/booking-form/book?{query}"),
        "guest:0",
        Some(serde_json::to_vec(&body).expect("json")),
        &[
            ("X-Volixta-Portal-Url", PORTAL_PAGE),
            ("Idempotency-Key", key),
        ],
        Tamper::default(),
    )
    .await
}

#[tokio::test]
async fn the_booking_form_pays_the_deposit_online_through_the_bookings_checkout() {
    use crate::admin_slot_picker::{ahead, shop, slot_values, urlencoding};
    let sim = Sim::start().await;
    let (app, replica) = stack(&sim, HOOK_SECRET).await;
    hook(&sim, &replica, "order.updated").await;
    let s = shop(&replica).await;
    let res = replica
        .request(
            reqwest::Method::PUT,
            &format!("/v1/services/{}/pricing", s.service),
            MANAGER,
            Some(&json!({"deposit": {"type": "percent", "value": "50"}})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // The first free time of three different days, so the bookings never overlap.
    let mut slots = Vec::new();
    for days in [2, 3, 4] {
        let picker = replica
            .get(
                &format!(
                    "/v1/render/booking-form/slot-picker?service_id={}&location_id={}&staff_id={}&date={}",
                    s.service,
                    s.location,
                    s.staff,
                    ahead(days)
                ),
                "guest:0",
            )
            .await
            .text;
        let first = slot_values(&picker).into_iter().next();
        slots.push(first.unwrap_or_else(|| panic!("no slot offered: {picker}")));
    }
    let query = |slot: &str| {
        format!(
            "service_id={}&location_id={}&staff_id={}&addons=&slot={}&choice=deposit",
            s.service,
            s.location,
            s.staff,
            urlencoding(slot)
        )
    };

    // Without WooCommerce (the main app has none) the payment step offers no online payment.
    let plain = app
        .get(
            &format!("/v1/render/booking-form?{}&step=payment", query(&slots[0])),
            "guest:0",
        )
        .await
        .text;
    assert!(!plain.contains("value=\"online\""), "{plain}");
    assert!(plain.contains("value=\"on_site\" checked"));
    // With it: offered, and chosen unless the visitor picks on site.
    let step = replica
        .get(
            &format!("/v1/render/booking-form?{}&step=payment", query(&slots[0])),
            "guest:0",
        )
        .await
        .text;
    assert!(
        step.contains("value=\"online\" aria-describedby=\"volixta-bf-online-help\" checked"),
        "{step}"
    );
    assert!(step.contains("value=\"on_site\">"));
    let review = replica
        .get(
            &format!("/v1/render/booking-form?{}&step=review", query(&slots[0])),
            "guest:0",
        )
        .await
        .text;
    assert!(
        review.contains("The deposit online, right after booking"),
        "{review}"
    );
    assert!(review.contains("Book and pay"));

    // "Book and pay": the client and the booking are made, and the answer sends the browser to
    // the order's payment page for the deposit, which returns to the booking's Payment tab.
    let first = book_on_the_form(&replica, &query(&slots[0]), "k-form-online", 4050).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert!(
        first.text.contains("Thank you, your booking is made."),
        "{}",
        first.text
    );
    assert!(first.text.contains("Continue to the payment page"));
    let url = redirect(&first);
    assert!(url.contains("/checkout/order-pay/"), "{url}");
    let order = sim_order(&sim, &url).await;
    assert_eq!(order["total"], "25.00", "the deposit of 50.00: {order}");
    let booking: u64 = app
        .scalar("SELECT b.id FROM {p}volixta_bookings b JOIN {p}volixta_clients c ON c.id = b.client_id WHERE c.wp_user_id = 4050")
        .await;
    assert_eq!(meta(&order, "volixta_booking_id"), booking.to_string());
    let back = meta(&order, "volixta_return_url");
    assert!(
        back.starts_with(PORTAL_PAGE)
            && back.contains(&format!("booking={booking}"))
            && back.contains("tab=payment"),
        "{back}"
    );
    assert_eq!(booking_of(&app, booking).await["payment_status"], "pending");
    let intent_by: String = app
        .scalar("SELECT requested_by FROM {p}volixta_wc_intents")
        .await;
    assert_eq!(
        intent_by, "client:4050",
        "the new client asked for its order"
    );

    // Posted again (a double click, a lost answer): the same booking and the same order.
    let again = book_on_the_form(&replica, &query(&slots[0]), "k-form-online", 4050).await;
    assert_eq!(redirect(&again), url);
    let (bookings, intents): (u64, u64) = (
        app.scalar("SELECT COUNT(*) FROM {p}volixta_bookings").await,
        app.scalar("SELECT COUNT(*) FROM {p}volixta_wc_intents")
            .await,
    );
    assert_eq!((bookings, intents), (1, 1));

    // Paid in the store: the deposit counts once, the rest stays to pay.
    pay_and_deliver(&sim, &order).await;
    let b = booking_of(&app, booking).await;
    assert_eq!(b["payment_status"], "partially_paid", "{b}");
    assert_eq!(b["amount_paid"], "25.00");
    assert_eq!(paid_rows(&app, booking).await, 1);

    // On site, chosen: no order.
    let on_site = format!("{}&method=on_site", query(&slots[1]));
    let res = book_on_the_form(&replica, &on_site, "k-form-on-site", 4051).await;
    assert!(
        res.text.contains("Thank you, your booking is made."),
        "{}",
        res.text
    );
    assert!(redirect(&res).is_empty());
    let intents: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wc_intents")
        .await;
    assert_eq!(intents, 1);

    // The store cannot be reached: the booking stands, and the visitor is told to pay later.
    let down = app
        .replica_with(|c| {
            c.wc_url = Some("http://127.0.0.1:9".into());
            c.wc_consumer_key = Some(CK.into());
            c.wc_consumer_secret = Some(CS.to_owned().into());
        })
        .await;
    let res = book_on_the_form(&down, &query(&slots[2]), "k-form-down", 4052).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text.contains("Thank you, your booking is made."),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("The payment page could not be opened"),
        "{}",
        res.text
    );
    assert!(redirect(&res).is_empty());
    let made: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_bookings b JOIN {p}volixta_clients c ON c.id = b.client_id WHERE c.wp_user_id = 4052")
        .await;
    assert_eq!(made, 1);
}
