//! The one idempotency wrapper, seen from outside: a repeat on another replica gets the first
//! answer, and a key cannot be reused for another body or another path.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn client(app: &TestApp, wp_user_id: u64) -> u64 {
    let c = app
        .create_client(json!({"first_name": "Ida", "wp_user_id": wp_user_id}))
        .await;
    c["id"].as_u64().expect("id")
}

async fn send(app: &TestApp, path: &str, key: &str, body: &Value) -> Response {
    app.request_with(
        Method::POST,
        path,
        MANAGER,
        Some(serde_json::to_vec(body).expect("json")),
        &[("Idempotency-Key", key)],
        Tamper::default(),
    )
    .await
}

async fn count(app: &TestApp, table: &str) -> u64 {
    app.scalar(&format!("SELECT COUNT(*) FROM {{p}}volixta_{table}"))
        .await
}

#[tokio::test]
async fn a_retry_on_the_other_replica_gets_the_first_answer() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let id = client(&app, 61).await;
    for (path, body, table) in [
        (
            format!("/v1/clients/{id}/wallet/adjustments"),
            json!({"amount": "7.00", "reason": "Welcome"}),
            "wallet_ledger",
        ),
        (
            format!("/v1/clients/{id}/wallet/top-ups"),
            json!({"amount": "20.00"}),
            "wallet_top_ups",
        ),
        (
            format!("/v1/clients/{id}/rewards"),
            json!({"points": 40, "reason": "Welcome"}),
            "reward_ledger",
        ),
    ] {
        let key = format!("retry-{table}");
        let first = send(&app, &path, &key, &body).await;
        assert_eq!(first.status, StatusCode::CREATED, "{path}: {}", first.text);
        let rows = count(&app, table).await;
        let again = send(&other, &path, &key, &body).await;
        assert_eq!(again.status, StatusCode::CREATED, "{path}");
        assert_eq!(again.body, first.body, "{path}");
        assert_eq!(count(&app, table).await, rows, "{path} changed on replay");
    }
}

#[tokio::test]
async fn a_key_is_refused_for_another_body_or_another_path() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let (ann, bob) = (client(&app, 62).await, client(&app, 63).await);
    let body = json!({"points": 5, "reason": "Visit"});
    let first = send(&app, &format!("/v1/clients/{ann}/rewards"), "k-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);

    let other_body = json!({"points": 6, "reason": "Visit"});
    let res = send(
        &other,
        &format!("/v1/clients/{ann}/rewards"),
        "k-1",
        &other_body,
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.code(), "idempotency_key_reused");

    let res = send(&other, &format!("/v1/clients/{bob}/rewards"), "k-1", &body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.code(), "idempotency_key_reused");

    let res = send(
        &app,
        &format!("/v1/clients/{ann}/rewards?x=1"),
        "k-1",
        &body,
    )
    .await;
    assert_eq!(
        res.code(),
        "idempotency_key_reused",
        "the query is part of the request"
    );
    assert_eq!(count(&app, "reward_ledger").await, 1);
}

#[tokio::test]
async fn a_refused_first_attempt_leaves_the_key_free() {
    let app = TestApp::spawn().await;
    let id = client(&app, 64).await;
    let path = format!("/v1/clients/{id}/wallet/adjustments");
    let body = json!({"amount": "-5.00", "reason": "Too much"});
    let refused = send(&app, &path, "debit-1", &body).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "insufficient_balance");
    let credit = app
        .post(&path, MANAGER, &json!({"amount": "5.00", "reason": "Gift"}))
        .await;
    assert_eq!(credit.status, StatusCode::CREATED);
    let retried = send(&app, &path, "debit-1", &body).await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.text);
    assert_eq!(retried.body["balance"], "0.00");
}
