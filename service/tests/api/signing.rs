//! Every way a signed request can be wrong answers 401 and changes nothing.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn attempt(app: &TestApp, tamper: Tamper) -> StatusCode {
    let body = serde_json::to_vec(&json!({"first_name": "Eve", "email": "eve@example.com"}))
        .expect("json");
    app.request_with(
        Method::POST,
        "/v1/clients",
        MANAGER,
        Some(body),
        &[],
        tamper,
    )
    .await
    .status
}

async fn clients_count(app: &TestApp) -> u64 {
    app.scalar("SELECT COUNT(*) FROM {p}volixta_clients").await
}

#[tokio::test]
async fn a_correct_signature_passes() {
    let app = TestApp::spawn().await;
    assert_eq!(attempt(&app, Tamper::default()).await, StatusCode::CREATED);
    assert_eq!(clients_count(&app).await, 1);
}

#[tokio::test]
async fn every_signing_failure_is_401_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(&str, Tamper)> = vec![
        (
            "wrong secret",
            Tamper {
                secret: Some("not-the-secret".into()),
                ..Default::default()
            },
        ),
        (
            "stale timestamp",
            Tamper {
                timestamp: Some(now - 301),
                ..Default::default()
            },
        ),
        (
            "future timestamp",
            Tamper {
                timestamp: Some(now + 301),
                ..Default::default()
            },
        ),
        (
            "tampered body",
            Tamper {
                signed_body: Some(br#"{"first_name":"Eve"}"#.to_vec()),
                ..Default::default()
            },
        ),
        (
            "tampered path",
            Tamper {
                signed_path: Some("/v1/settings".into()),
                ..Default::default()
            },
        ),
        (
            "tampered query",
            Tamper {
                signed_path: Some("/v1/clients?x=1".into()),
                ..Default::default()
            },
        ),
        (
            "tampered actor",
            Tamper {
                signed_actor: Some("client:1".into()),
                ..Default::default()
            },
        ),
        (
            "missing signature",
            Tamper {
                omit_signature: true,
                ..Default::default()
            },
        ),
        (
            "short nonce",
            Tamper {
                nonce: Some("abc".into()),
                ..Default::default()
            },
        ),
    ];
    for (what, tamper) in cases {
        assert_eq!(
            attempt(&app, tamper).await,
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
    assert_eq!(clients_count(&app).await, 0);
}

#[tokio::test]
async fn a_tampered_query_string_is_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .request_with(
            Method::GET,
            "/v1/clients?search=ann",
            MANAGER,
            None,
            &[],
            Tamper {
                signed_path: Some("/v1/clients?search=bob".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.code(), "unauthorized");
}

#[tokio::test]
async fn a_nonce_is_refused_a_second_time_by_every_replica() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let reused = Tamper {
        nonce: Some(nonce()),
        ..Default::default()
    };
    assert_eq!(attempt(&app, reused.clone()).await, StatusCode::CREATED);
    assert_eq!(
        attempt(&app, reused.clone()).await,
        StatusCode::UNAUTHORIZED,
        "same replica"
    );
    assert_eq!(
        attempt(&other, reused).await,
        StatusCode::UNAUTHORIZED,
        "other replica"
    );
    assert_eq!(clients_count(&app).await, 1);
}

#[tokio::test]
async fn health_and_openapi_need_no_signature() {
    let app = TestApp::spawn().await;
    let get = |p: &str| app.http.get(format!("{}{p}", app.address)).send();
    assert_eq!(
        get("/healthz").await.expect("healthz").status(),
        StatusCode::OK
    );
    let ready: serde_json::Value = get("/readyz")
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    assert_eq!(ready["status"], "ready");
    let spec: serde_json::Value = get("/openapi.json")
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    assert!(spec["paths"]["/v1/clients"]["post"].is_object());
    assert!(spec["paths"]["/v1/clients/{id}/wallet/adjustments"]["post"].is_object());
    let unsigned = app
        .http
        .get(format!("{}/v1/clients", app.address))
        .send()
        .await
        .expect("send");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn extreme_timestamps_are_refused_without_a_panic() {
    let app = TestApp::spawn().await;
    for timestamp in [i64::MIN, i64::MIN + 1, i64::MAX] {
        assert_eq!(
            attempt(
                &app,
                Tamper {
                    timestamp: Some(timestamp),
                    ..Default::default()
                }
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "{timestamp}"
        );
    }
    assert_eq!(attempt(&app, Tamper::default()).await, StatusCode::CREATED);
    assert_eq!(clients_count(&app).await, 1);
}
