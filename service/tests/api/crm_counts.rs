//! The live clients of each status and group that the lists show, kept by the database's triggers:
//! after every kind of write, and after writes that bypass the service, each kept count equals a
//! count of the rows.
use crate::helpers::*;
use mysql_async::prelude::Queryable;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

/// Every status and group as the API answers it, beside a count of the rows, and whether the
/// database kept the count (not NULL) rather than the read counting.
async fn assert_counts_hold(app: &TestApp, step: &str) {
    let statuses = app.get("/v1/client-statuses", MANAGER).await;
    assert_eq!(statuses.status, StatusCode::OK, "{}", statuses.text);
    for s in statuses.body.as_array().expect("statuses") {
        let name = s["name"].as_str().expect("name");
        let mut conn = app.db.pool.get_conn().await.expect("conn");
        let (kept, counted): (Option<i64>, i64) = conn
            .exec_first(
                app.db.sql(
                    "SELECT s.live_clients, (SELECT COUNT(*) FROM {p}volixta_clients c \
                     WHERE c.live = 1 AND c.status = s.name) FROM {p}volixta_client_statuses s \
                     WHERE s.name = ?",
                ),
                (name,),
            )
            .await
            .expect("status row")
            .expect("status");
        assert_eq!(kept, Some(counted), "{step}: status {name} kept count");
        assert_eq!(s["clients"], counted, "{step}: status {name} as answered");
    }
    let groups = app.get("/v1/client-groups", MANAGER).await;
    for g in groups.body["items"]
        .as_array()
        .or_else(|| groups.body.as_array())
        .expect("groups")
    {
        let gid = id(g);
        let mut conn = app.db.pool.get_conn().await.expect("conn");
        let (kept, counted): (Option<i64>, i64) = conn
            .exec_first(
                app.db.sql(
                    "SELECT g.live_clients, (SELECT COUNT(*) FROM {p}volixta_client_group_members m \
                     JOIN {p}volixta_clients c ON c.id = m.client_id \
                     WHERE m.group_id = g.id AND c.live = 1) FROM {p}volixta_client_groups g WHERE g.id = ?",
                ),
                (gid,),
            )
            .await
            .expect("group row")
            .expect("group");
        assert_eq!(kept, Some(counted), "{step}: group {gid} kept count");
        assert_eq!(g["clients"], counted, "{step}: group {gid} as answered");
    }
}

#[tokio::test]
async fn status_and_group_counts_follow_every_kind_of_write() {
    let mut app = TestApp::spawn().await;
    app.skip_ledger_check_on_drop();
    let mut ids = Vec::new();
    for (name, status) in [
        ("Ann", "VIP"),
        ("Bob", "vip"),
        ("Cy", "New"),
        ("Di", "Gold"),
    ] {
        ids.push(id(&app
            .create_client(json!({"first_name": name, "email": format!("{name}@example.com"), "status": status}))
            .await));
    }
    assert_counts_hold(&app, "created, one with a new status").await;

    let group = id(&app
        .post("/v1/client-groups", MANAGER, &json!({"name": "Yoga"}))
        .await
        .body);
    let res = app
        .post(
            &format!("/v1/client-groups/{group}/members"),
            MANAGER,
            &json!({"client_ids": ids}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    assert_counts_hold(&app, "group filled").await;

    let res = app
        .patch(
            &format!("/v1/clients/{}", ids[2]),
            MANAGER,
            &json!({"status": "VIP"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_counts_hold(&app, "status changed").await;

    assert!(
        app.delete(&format!("/v1/clients/{}", ids[0]), MANAGER)
            .await
            .status
            .is_success()
    );
    assert_counts_hold(&app, "deleted").await;
    let res = app
        .post(
            &format!("/v1/clients/{}/restore", ids[0]),
            MANAGER,
            &json!({}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    assert_counts_hold(&app, "restored").await;

    let res = app
        .request_with(
            Method::POST,
            &format!("/v1/clients/{}/merge", ids[0]),
            MANAGER,
            Some(serde_json::to_vec(&json!({"other_id": ids[1]})).expect("json")),
            &[("Idempotency-Key", "counts-merge-1")],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_counts_hold(&app, "merged").await;

    let res = app
        .post(
            &format!("/v1/client-groups/{group}/members/remove"),
            MANAGER,
            &json!({"client_ids": [ids[2]]}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    assert_counts_hold(&app, "member removed").await;

    let statuses = app.get("/v1/client-statuses", MANAGER).await;
    let vip = statuses
        .body
        .as_array()
        .expect("statuses")
        .iter()
        .find(|s| s["name"] == "VIP")
        .map(id)
        .expect("VIP");
    let res = app
        .patch(
            &format!("/v1/client-statuses/{vip}"),
            MANAGER,
            &json!({"name": "Platinum"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_counts_hold(&app, "status renamed").await;

    // Writes that bypass the service: a client with a status nobody created yet, then the
    // status; a member added by hand; a client deleted by hand.
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.query_drop(app.db.sql(
        "INSERT INTO {p}volixta_clients (first_name, status) VALUES ('Eve', 'Silver'), ('Flo', 'Silver')",
    ))
    .await
    .expect("clients by hand");
    drop(conn);
    let res = app
        .post("/v1/client-statuses", MANAGER, &json!({"name": "Silver"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["clients"], 2, "{}", res.text);
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.query_drop(app.db.sql(&format!(
        "INSERT INTO {{p}}volixta_client_group_members (group_id, client_id) \
         SELECT {group}, id FROM {{p}}volixta_clients WHERE status = 'Silver'"
    )))
    .await
    .expect("members by hand");
    conn.query_drop(app.db.sql(
        "UPDATE {p}volixta_clients SET deleted_at = UTC_TIMESTAMP(6) WHERE first_name = 'Eve'",
    ))
    .await
    .expect("delete by hand");
    drop(conn);
    assert_counts_hold(&app, "written by hand").await;

    let res = app
        .delete(&format!("/v1/client-groups/{group}"), MANAGER)
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    assert_counts_hold(&app, "group deleted").await;
}

#[tokio::test]
async fn without_the_triggers_the_counts_are_counted_on_read() {
    let mut app = TestApp::spawn().await;
    app.skip_ledger_check_on_drop();
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    let triggers: Vec<String> = conn
        .query(
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS \
             WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE '%count%'",
        )
        .await
        .expect("triggers");
    assert_eq!(triggers.len(), 8, "{triggers:?}");
    // A database user without the TRIGGER privilege: no triggers, counts never kept.
    for t in &triggers {
        conn.query_drop(format!("DROP TRIGGER `{t}`"))
            .await
            .expect("drop");
    }
    conn.query_drop(
        app.db
            .sql("UPDATE {p}volixta_client_statuses SET live_clients = NULL"),
    )
    .await
    .expect("unkept");
    drop(conn);
    for status in ["VIP", "VIP", "Returning"] {
        app.create_client(json!({"first_name": "A", "status": status}))
            .await;
    }
    let statuses = app.get("/v1/client-statuses", MANAGER).await;
    let count = |name: &str| {
        statuses
            .body
            .as_array()
            .expect("statuses")
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["clients"].clone())
    };
    assert_eq!(count("VIP"), Some(json!(2)), "{}", statuses.text);
    assert_eq!(count("Returning"), Some(json!(1)), "{}", statuses.text);
}
