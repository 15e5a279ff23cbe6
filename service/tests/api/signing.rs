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
                // Far enough ahead that a slow machine's clock cannot catch up into the window.
                timestamp: Some(now + 330),
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

/// Sends the head of a `POST /v1/clients` that announces a 16 MB body, then only the body's
/// first bytes, and returns the status the service answers while the body is still unfinished
/// (None if it waits for the rest). The wait is generous for a loaded machine: without the
/// check before the body, no answer ever comes.
async fn answer_before_the_body_ends(app: &TestApp, headers: &[(&str, String)]) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut head = format!(
        "POST /v1/clients HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: 16000000\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n{\"first_name\": \"");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .ok()?
        .expect("read");
    let text = String::from_utf8_lossy(&answer[..read]);
    text.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn bad_signature_headers_are_refused_before_the_body_is_read() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let good = |name: &str| -> (&'static str, String) {
        match name {
            "actor" => ("X-Volixta-Actor", MANAGER.into()),
            "timestamp" => ("X-Volixta-Timestamp", now.to_string()),
            "nonce" => ("X-Volixta-Nonce", nonce()),
            _ => (
                "X-Volixta-Signature",
                "c2lnbmF0dXJlIG9mIGFub3RoZXIgYm9keQ==".into(),
            ),
        }
    };
    let all = ["actor", "timestamp", "nonce", "signature"];
    let with = |name: &'static str, value: String| -> Vec<(&'static str, String)> {
        all.iter()
            .map(|n| {
                if *n == name {
                    (good(n).0, value.clone())
                } else {
                    good(n)
                }
            })
            .collect()
    };
    let without = |name: &str| -> Vec<(&'static str, String)> {
        all.iter()
            .filter(|n| **n != name)
            .map(|n| good(n))
            .collect()
    };
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "stale timestamp",
            with("timestamp", (now - 301).to_string()),
        ),
        (
            "future timestamp",
            with("timestamp", (now + 330).to_string()),
        ),
        (
            "smallest timestamp",
            with("timestamp", i64::MIN.to_string()),
        ),
        ("malformed timestamp", with("timestamp", "yesterday".into())),
        ("malformed actor", with("actor", "boss:1".into())),
        ("malformed nonce", with("nonce", "short".into())),
        (
            "malformed signature",
            with("signature", "not base64!".into()),
        ),
        ("no signature", without("signature")),
        ("no timestamp", without("timestamp")),
        ("no actor", without("actor")),
        ("no nonce", without("nonce")),
        ("no header at all", Vec::new()),
    ];
    for (what, headers) in cases {
        assert_eq!(
            answer_before_the_body_ends(&app, &headers).await,
            Some(401),
            "{what}"
        );
    }
    assert_eq!(clients_count(&app).await, 0);
}

#[tokio::test]
async fn a_body_announced_beyond_the_limit_is_refused_unread() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let host = app.address.trim_start_matches("http://");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST /v1/clients HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: 1073741824\r\nX-Volixta-Actor: {MANAGER}\r\nX-Volixta-Timestamp: {now}\r\n\
         X-Volixta-Nonce: {}\r\nX-Volixta-Signature: c2lnbmF0dXJl\r\n\r\n{{",
        nonce()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered without waiting for the body")
        .expect("read");
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("too large"), "{text}");
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
