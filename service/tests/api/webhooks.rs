//! Outbound webhooks against a real HTTP receiver: signed, the same delivery id on every try,
//! retried after failures, SSRF targets refused.
use crate::bookings::{at, booking, massage, shop};
use crate::helpers::*;
use axum::{Router, body::Bytes, http::HeaderMap, routing::post};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

#[derive(Clone, Debug)]
struct Hit {
    headers: HeaderMap,
    body: Bytes,
}

/// A receiver that answers 500 to its first `failures` deliveries, then 200.
async fn receiver(failures: usize) -> (String, Arc<Mutex<Vec<Hit>>>) {
    let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let h = Arc::clone(&hits);
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let h = Arc::clone(&h);
            async move {
                let mut hits = h.lock().expect("lock");
                hits.push(Hit { headers, body });
                if hits.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_failing_endpoint_gets_the_event_on_the_third_try_with_the_same_id_and_signature() {
    let app = TestApp::spawn().await;
    let (url, hits) = receiver(2).await;
    let server = app
        .replica_with(|c| c.webhook_allowed_hosts = vec!["127.0.0.1".into()])
        .await;
    let secret = "integrator-secret-0123456789";
    let res = server
        .post(
            "/v1/webhooks",
            ADMIN,
            &json!({"url": url, "topics": ["booking.created", "booking.cancelled"], "secret": secret}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["secret"], secret, "the secret is answered once");
    let webhook = res.body["id"].as_u64().expect("id");
    let listed = server.get("/v1/webhooks", ADMIN).await;
    assert!(
        listed.body["webhooks"][0].get("secret").is_none(),
        "{}",
        listed.text
    );
    assert_eq!(
        server.get("/v1/webhooks", MANAGER).await.status,
        StatusCode::FORBIDDEN
    );
    let _workers = app
        .outbox_workers(|c| c.webhook_allowed_hosts = vec!["127.0.0.1".into()])
        .await;
    let s = shop(&app, massage()).await;
    let client = app.create_client(json!({"first_name": "Bo"})).await;
    let client = client["id"].as_u64().expect("id");
    let started = std::time::Instant::now();
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, client, at(3, 10, 0)))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let booking_id = res.body["id"].as_u64().expect("id");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while hits.lock().expect("lock").len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "three tries within a minute"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(started.elapsed() < Duration::from_secs(60));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let hits = hits.lock().expect("lock").clone();
    assert_eq!(hits.len(), 3, "delivered once the endpoint answered 200");
    let id = |h: &Hit| {
        h.headers["x-volixta-webhook-delivery-id"]
            .to_str()
            .expect("id")
            .to_owned()
    };
    assert!(
        hits.iter().all(|h| id(h) == id(&hits[0])),
        "the same delivery id on every try"
    );
    for h in &hits {
        assert_eq!(h.headers["x-volixta-webhook-topic"], "booking.created");
        assert_eq!(
            h.headers["x-volixta-webhook-signature"]
                .to_str()
                .expect("sig"),
            sign(secret, &h.body)
        );
        assert!(h.headers.contains_key("x-volixta-webhook-timestamp"));
        assert_eq!(h.body, hits[0].body, "the same body on every try");
    }
    let body: Value = serde_json::from_slice(&hits[2].body).expect("json");
    assert_eq!(body["topic"], "booking.created");
    assert_eq!(body["data"]["booking"]["id"], booking_id);
    let log = server
        .get(&format!("/v1/webhooks/{webhook}/deliveries"), ADMIN)
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text);
    let delivery = &log.body["messages"][0];
    assert_eq!(delivery["status"], "sent");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["last_status_code"], 200);
    assert_eq!(delivery["message_id"], id(&hits[0]));
    // Redeliver: the same id and body once more.
    let d = delivery["id"].as_u64().expect("id");
    let res = server
        .post(
            &format!("/v1/webhooks/{webhook}/deliveries/{d}/redeliver"),
            ADMIN,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = server
        .post(
            &format!("/v1/webhooks/{webhook}/deliveries/{d}/redeliver"),
            ADMIN,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
}

#[tokio::test]
async fn private_targets_are_refused_unless_the_operator_lists_them() {
    let app = TestApp::spawn().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8/",
        "http://[::1]:8080/",
        "http://localhost/",
        "ftp://example.com/",
        "http://user:pw@example.com/",
    ] {
        let res = app
            .post(
                "/v1/webhooks",
                ADMIN,
                &json!({"url": url, "topics": ["booking.created"]}),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            res.text
        );
        assert!(res.body["error"]["fields"]["url"].is_string(), "{url}");
    }
    let res = app
        .post(
            "/v1/webhooks",
            ADMIN,
            &json!({"url": "http://127.0.0.1:9/", "topics": ["booking.eaten"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let count: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_webhooks").await;
    assert_eq!(count, 0, "a refusal writes nothing");
    // Registered where it was allowed, delivered from a replica that does not allow it: refused
    // at delivery too, and parked rather than retried.
    let allowed = app
        .replica_with(|c| c.webhook_allowed_hosts = vec!["127.0.0.1".into()])
        .await;
    let (url, hits) = receiver(0).await;
    let res = allowed
        .post(
            "/v1/webhooks",
            ADMIN,
            &json!({"url": url, "topics": ["booking.created"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.body["secret"].as_str().map(str::len),
        Some(64),
        "a generated secret"
    );
    let _workers = app.outbox_workers(|_| {}).await;
    let s = shop(&app, massage()).await;
    let client = app.create_client(json!({"first_name": "Cy"})).await;
    let res = app
        .post(
            "/v1/bookings",
            MANAGER,
            &booking(&s, client["id"].as_u64().expect("id"), at(3, 9, 0)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let failed: u64 = app
            .scalar("SELECT COUNT(*) FROM {p}volixta_outbox WHERE channel = 'webhook' AND status = 'failed'")
            .await;
        if failed == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the delivery is parked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(hits.lock().expect("lock").is_empty());
    let error: String = app
        .scalar("SELECT last_error FROM {p}volixta_outbox WHERE channel = 'webhook'")
        .await;
    assert!(error.contains("VOLIXTA_WEBHOOK_ALLOWED_HOSTS"), "{error}");
}

#[tokio::test]
async fn client_wallet_payment_and_package_changes_reach_a_subscribed_endpoint_once_each_signed() {
    let app = TestApp::spawn().await;
    let (url, hits) = receiver(0).await;
    let allow = |c: &mut volixta_service::config::Config| {
        c.webhook_allowed_hosts = vec!["127.0.0.1".into()];
    };
    let server = app.replica_with(allow).await;
    let secret = "integrator-secret-0123456789";
    let topics = [
        "payment.received",
        "client.created",
        "client.updated",
        "client.merged",
        "wallet.changed",
        "package.assigned",
    ];
    let res = server
        .post(
            "/v1/webhooks",
            ADMIN,
            &json!({"url": url, "topics": topics, "secret": secret}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let _workers = app.outbox_workers(allow).await;

    let s = shop(&app, massage()).await;
    let ann = app
        .create_client(json!({"first_name": "Ann", "email": "ann@example.com"}))
        .await;
    let ann = ann["id"].as_u64().expect("id");
    let res = app
        .patch(
            &format!("/v1/clients/{ann}"),
            MANAGER,
            &json!({"phone": "+4915112345678"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            &format!("/v1/clients/{ann}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "5.00", "reason": "welcome"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, ann, at(3, 10, 0)))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let booking_id = res.body["id"].as_u64().expect("id");
    let res = app
        .post(
            &format!("/v1/bookings/{booking_id}/payments"),
            MANAGER,
            &json!({"amount": "10.00", "method": "cash"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let package = crate::packages::package(&app, &s, json!({})).await;
    let package = package["id"].as_u64().expect("id");
    crate::packages::given(&app, ann, package).await;
    let bob = app.create_client(json!({"first_name": "Bob"})).await;
    let bob = bob["id"].as_u64().expect("id");
    let res = app
        .post(
            &format!("/v1/clients/{ann}/merge"),
            MANAGER,
            &json!({"other_id": bob}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // A change that rolls back tells no one: a debit beyond the balance is refused.
    let res = app
        .post(
            &format!("/v1/clients/{ann}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "-500.00", "reason": "too much"}),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.text);

    let expected = 7;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while hits.lock().expect("lock").len() < expected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "every event delivered: {:?}",
            hits.lock()
                .expect("lock")
                .iter()
                .map(|h| h.headers["x-volixta-webhook-topic"].clone())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let hits = hits.lock().expect("lock").clone();
    let mut seen: Vec<(String, Value)> = Vec::new();
    for h in &hits {
        assert_eq!(
            h.headers["x-volixta-webhook-signature"]
                .to_str()
                .expect("sig"),
            sign(secret, &h.body),
            "signed"
        );
        let body: Value = serde_json::from_slice(&h.body).expect("json");
        let topic = h.headers["x-volixta-webhook-topic"]
            .to_str()
            .expect("topic")
            .to_owned();
        assert_eq!(body["topic"], topic);
        seen.push((topic, body["data"].clone()));
    }
    let of = |topic: &str| -> Vec<&Value> {
        seen.iter()
            .filter(|(t, _)| t == topic)
            .map(|(_, d)| d)
            .collect()
    };
    assert_eq!(seen.len(), expected, "nothing else: {seen:?}");
    let created = of("client.created");
    assert_eq!(created.len(), 2, "{seen:?}");
    assert_eq!(created[0]["client"]["id"], ann);
    assert_eq!(created[1]["client"]["id"], bob);
    let updated = of("client.updated");
    assert_eq!(updated.len(), 1, "{seen:?}");
    assert_eq!(updated[0]["client"]["phone"], "+4915112345678");
    assert_eq!(updated[0]["changes"]["phone"]["after"], "+4915112345678");
    assert_eq!(updated[0]["actor"], MANAGER);
    let wallet = of("wallet.changed");
    assert_eq!(wallet.len(), 1, "{seen:?}");
    assert_eq!(wallet[0]["entry"]["client_id"], ann);
    assert_eq!(wallet[0]["entry"]["amount"], "5.00");
    assert_eq!(wallet[0]["entry"]["balance_after"], "5.00");
    let paid = of("payment.received");
    assert_eq!(paid.len(), 1, "{seen:?}");
    assert_eq!(paid[0]["booking_id"], booking_id);
    assert_eq!(paid[0]["client_id"], ann);
    assert_eq!(paid[0]["payment"]["amount"], "10.00");
    assert_eq!(paid[0]["payment"]["method"], "cash");
    let assigned = of("package.assigned");
    assert_eq!(assigned.len(), 1, "{seen:?}");
    assert_eq!(assigned[0]["client_package"]["client_id"], ann);
    assert_eq!(assigned[0]["client_package"]["package_id"], package);
    let merged = of("client.merged");
    assert_eq!(merged.len(), 1, "{seen:?}");
    assert_eq!(merged[0]["client"]["id"], ann);
    assert_eq!(merged[0]["merged_client_id"], bob);
}
