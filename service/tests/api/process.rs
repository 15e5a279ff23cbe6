//! The real binary: how it refuses a bad configuration and how it stops.
use crate::helpers::*;
use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use volixta_service::auth::{SignedRequest, sign};

fn service() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_volixta-service"));
    cmd.env_remove("VOLIXTA_SHARED_SECRET")
        .env_remove("VOLIXTA_DATA_KEY")
        .env("RUST_LOG", "warn");
    cmd
}

#[test]
fn a_missing_secret_stops_the_start_with_one_clear_line() {
    let out = service().arg("serve").output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("VOLIXTA_SHARED_SECRET is not set"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_malformed_data_key_stops_the_start_with_one_clear_line() {
    for key in ["0123456789abcdef", &"z".repeat(64), &"ab".repeat(33)] {
        let out = service()
            .arg("serve")
            .env("VOLIXTA_SHARED_SECRET", SECRET)
            .env("VOLIXTA_DATA_KEY", key)
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("VOLIXTA_DATA_KEY must be 64"), "{stderr}");
        assert!(!stderr.contains(key), "the key is not printed: {stderr}");
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn wait_until_listening(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            child.try_wait().expect("status").is_none(),
            "the service exited early"
        );
        assert!(
            Instant::now() < deadline,
            "the service did not listen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    let app = TestApp::spawn().await;
    let port = free_port();
    let mut child = service()
        .arg("serve")
        .env("VOLIXTA_DATABASE_URL", TestApp::database_url(&app.db_name))
        .env("VOLIXTA_TABLE_PREFIX", PREFIX)
        .env("VOLIXTA_SHARED_SECRET", SECRET)
        .env("VOLIXTA_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    wait_until_listening(&mut child, port);

    let body = br#"{"first_name":"Grace","last_name":"Late"}"#;
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let nonce = nonce();
    let signature = sign(
        SECRET.as_bytes(),
        &SignedRequest {
            method: "POST",
            path_and_query: "/v1/clients",
            timestamp: &timestamp,
            nonce: &nonce,
            actor: MANAGER,
            body,
        },
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "POST /v1/clients HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\nX-Volixta-Actor: {MANAGER}\r\n\
         X-Volixta-Timestamp: {timestamp}\r\nX-Volixta-Nonce: {nonce}\r\n\
         X-Volixta-Signature: {signature}\r\n\r\n",
        body.len()
    )
    .expect("headers");
    // Half the body is on the wire when the signal arrives: the request is in flight.
    stream.write_all(&body[..10]).expect("first half");
    stream.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(200));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().expect("status").is_none(),
        "the service quit with a request in flight"
    );
    stream.write_all(&body[10..]).expect("second half");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("status") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the service did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients WHERE first_name = 'Grace'")
            .await,
        1
    );
}

/// Starts `serve` on the test database (with `VOLIXTA_DATA_KEY` when given), stops it with
/// SIGTERM once it listens, and returns what it logged.
fn start_and_stop(app: &TestApp, data_key: Option<&str>) -> String {
    let port = free_port();
    let mut cmd = service();
    cmd.arg("serve")
        .env("VOLIXTA_DATABASE_URL", TestApp::database_url(&app.db_name))
        .env("VOLIXTA_TABLE_PREFIX", PREFIX)
        .env("VOLIXTA_SHARED_SECRET", SECRET)
        .env("VOLIXTA_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(key) = data_key {
        cmd.env("VOLIXTA_DATA_KEY", key);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    wait_until_listening(&mut child, port);
    std::thread::sleep(Duration::from_millis(200));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("the service stops");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn without_a_data_key_the_service_starts_and_warns_once() {
    let app = TestApp::spawn().await;
    let warning = "VOLIXTA_DATA_KEY is not set";
    let logged = start_and_stop(&app, None);
    assert_eq!(logged.matches(warning).count(), 1, "{logged}");
    let key = "ab".repeat(32);
    let logged = start_and_stop(&app, Some(&key));
    assert_eq!(logged.matches(warning).count(), 0, "{logged}");
    assert!(!logged.contains(&key), "the key is not logged: {logged}");
}
