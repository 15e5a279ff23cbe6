//! Migrations, error shape, roles.
use crate::helpers::*;
use mysql_async::prelude::Queryable;
use reqwest::{Method, StatusCode};
use serde_json::json;
use volixta_service::{Config, db, migrate};

#[tokio::test]
async fn three_replicas_starting_together_apply_each_migration_once() {
    let app = TestApp::spawn().await;
    // A blank database beside the test's own: three replicas race to migrate it.
    let name = format!("{}_race", app.db_name);
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.query_drop(format!("CREATE DATABASE `{name}`"))
        .await
        .expect("create");
    let url = TestApp::database_url(&name);
    let runs = (0..3).map(|_| {
        let url = url.clone();
        tokio::spawn(async move {
            let db = db::connect(&Config::for_database(url, PREFIX, SECRET))
                .await
                .expect("connect");
            migrate::run(&db).await
        })
    });
    for run in futures_join(runs).await {
        run.expect("replica migrated");
    }
    let expected = migrate::migrations(PREFIX).expect("migrations").len();
    let (rows, versions): (u64, u64) = conn
        .query_first(format!(
            "SELECT COUNT(*), COUNT(DISTINCT version) FROM `{name}`.wp_volixta_schema_history"
        ))
        .await
        .expect("query")
        .expect("row");
    conn.query_drop(format!("DROP DATABASE `{name}`"))
        .await
        .expect("drop");
    assert_eq!(rows as usize, expected);
    assert_eq!(versions as usize, expected);
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn an_edited_applied_migration_stops_the_start() {
    let app = TestApp::spawn().await;
    // As if V2 had been edited after it was applied: its recorded checksum no longer matches.
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.query_drop("UPDATE wp_volixta_schema_history SET checksum = '1' WHERE version = 2")
        .await
        .expect("update");
    let err = migrate::run(&app.db)
        .await
        .expect_err("divergent migration refused");
    let message = err.to_string();
    assert!(
        message.contains("was edited after it was applied"),
        "{message}"
    );
}

#[tokio::test]
async fn bad_json_gets_the_error_shape() {
    let app = TestApp::spawn().await;
    let res = app
        .request_with(
            Method::POST,
            "/v1/clients",
            MANAGER,
            Some(b"{not json".to_vec()),
            &[],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.code(), "bad_request");
    assert!(res.body["error"]["message"].is_string());
    let res = app
        .post("/v1/clients", MANAGER, &json!({"first_name": 12}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.code(), "invalid_body");
}

#[tokio::test]
async fn unknown_routes_answer_404_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let res = app.get("/v1/nothing-here", MANAGER).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.code(), "not_found");
}

#[tokio::test]
async fn settings_are_admin_only_and_validated() {
    let app = TestApp::spawn().await;
    let res = app
        .patch("/v1/settings", MANAGER, &json!({"client_limit": 3}))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .patch("/v1/settings", ADMIN, &json!({"slot_interval_minutes": 1}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body["error"]["fields"]["slot_interval_minutes"].is_string());
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"min_change_notice_minutes": 120, "client_limit": 3}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["min_change_notice_minutes"], 120);
    assert_eq!(res.body["client_limit"], 3);
    let res = app
        .patch("/v1/settings", ADMIN, &json!({"client_limit": null}))
        .await;
    assert_eq!(res.body["client_limit"], serde_json::Value::Null);
    assert_eq!(res.body["min_change_notice_minutes"], 120);
}

/// `/readyz` needs no signature, so whoever reaches it learns only "not ready"; the cause
/// (here: a table prefix whose migrations were never applied) goes to the log.
#[tokio::test]
async fn readiness_does_not_tell_the_public_why() {
    let app = TestApp::spawn().await;
    let unmigrated = app
        .replica_with(|config| config.table_prefix = "other_".into())
        .await;
    let res = unmigrated
        .http
        .get(format!("{}/readyz", unmigrated.address))
        .send()
        .await
        .expect("readyz");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let text = res.text().await.expect("body");
    let body: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body, json!({"status": "not ready"}), "{text}");
    for leak in ["other_", "exist", "1146", "ERROR", &app.db_name] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
    let ready = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), StatusCode::OK);
}
