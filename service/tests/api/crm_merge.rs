//! Reward points, duplicates and merging two profiles.
use crate::catalog::create;
use crate::helpers::*;
use mysql_async::prelude::Queryable;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

/// A location, two services in two categories and a staff member doing both.
pub struct Catalog {
    pub location: u64,
    pub cut: u64,
    pub massage: u64,
    pub staff: u64,
}

pub async fn catalog(app: &TestApp) -> Catalog {
    let location = id(&create(
        app,
        "/v1/locations",
        json!({"name": "Leeds", "timezone": "Europe/London"}),
    )
    .await);
    let cut = id(&create(
        app,
        "/v1/services",
        json!({"name": "Haircut", "category": "Hair", "duration_minutes": 30, "price": "20.00"}),
    )
    .await);
    let massage = id(&create(
        app,
        "/v1/services",
        json!({"name": "Massage", "category": "Spa", "duration_minutes": 60, "price": "50.00"}),
    )
    .await);
    let staff = id(&create(
        app,
        "/v1/staff",
        json!({"first_name": "Sam", "last_name": "Cole", "email": "sam@example.com", "service_ids": [cut, massage],
               "working_hours": [{"location_id": location, "weekday": 1, "start": "09:00", "end": "17:00"}]}),
    )
    .await);
    Catalog {
        location,
        cut,
        massage,
        staff,
    }
}

/// A booking row as the bookings domain stores it (its API is not needed to test the CRM side).
pub async fn book(
    app: &TestApp,
    c: &Catalog,
    client: u64,
    service: u64,
    start: &str,
    status: &str,
) -> u64 {
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.exec_drop(
        app.db.sql(
            "INSERT INTO {p}volixta_bookings (client_id, service_id, location_id, staff_id, start_at, end_at, status) \
             VALUES (?, ?, ?, ?, ?, DATE_ADD(?, INTERVAL 30 MINUTE), ?)",
        ),
        (client, service, c.location, c.staff, start, start, status),
    )
    .await
    .expect("insert booking");
    conn.last_insert_id().expect("id")
}

async fn credit(app: &TestApp, client: u64, amount: &str) {
    let res = app
        .post(
            &format!("/v1/clients/{client}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": amount, "reason": "gift"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

async fn points(app: &TestApp, client: u64, points: i64, reason: &str) -> Response {
    app.post(
        &format!("/v1/clients/{client}/rewards"),
        MANAGER,
        &json!({"points": points, "reason": reason}),
    )
    .await
}

#[tokio::test]
async fn reward_points_are_a_ledger_that_never_goes_below_zero() {
    let app = TestApp::spawn().await;
    let c = id(&app
        .create_client(json!({"first_name": "A", "wp_user_id": 8}))
        .await);
    let res = points(&app, c, 120, "Loyalty: 10th visit").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["total"], 120);
    assert_eq!(res.body["entry"]["action"], "added");
    assert_eq!(res.body["entry"]["actor"], MANAGER);
    let res = points(&app, c, -20, "Redeemed for a free coffee").await;
    assert_eq!(res.body["entry"]["action"], "redeemed");
    let res = app
        .post(
            &format!("/v1/clients/{c}/rewards"),
            "admin:2",
            &json!({"points": -5, "reason": "typo", "action": "adjusted"}),
        )
        .await;
    assert_eq!(res.body["total"], 95);

    let res = points(&app, c, -96, "too many").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "insufficient_points");
    assert_eq!(
        points(&app, c, 0, "zero").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        points(&app, c, 5, " ").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = app
        .post(
            &format!("/v1/clients/{c}/rewards"),
            MANAGER,
            &json!({"points": 5, "reason": "x", "action": "redeemed"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        points(&app, 999, 5, "nobody").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &format!("/v1/clients/{c}/rewards"),
            "client:8",
            &json!({"points": 5, "reason": "me"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The history: newest first, searchable, visible to the client itself.
    let res = app
        .get(&format!("/v1/clients/{c}/rewards"), "client:8")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["total"], 95);
    let entries = res.body["entries"].as_array().expect("entries");
    let totals: Vec<u64> = entries
        .iter()
        .map(|e| e["balance_after"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(totals, [95, 100, 120]);
    let search = |q: &str| {
        let app = &app;
        let path = format!("/v1/clients/{c}/rewards?search={q}");
        async move {
            app.get(&path, MANAGER).await.body["entries"]
                .as_array()
                .map_or(0, Vec::len)
        }
    };
    assert_eq!(search("coffee").await, 1);
    assert_eq!(search("redeemed").await, 1);
    assert_eq!(search("120").await, 1);
    assert_eq!(
        search("20").await,
        1,
        "a number is a points value, not part of a date"
    );
    assert_eq!(search("-5").await, 1);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(search(&today).await, 3);
    assert_eq!(
        app.scalar::<u64>(&format!(
            "SELECT reward_points FROM {{p}}volixta_clients WHERE id = {c}"
        ))
        .await,
        95
    );
}

#[tokio::test]
async fn concurrent_redemptions_never_overdraw_points() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let c = id(&app.create_client(json!({"first_name": "A"})).await);
    points(&app, c, 50, "start").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let mut probe = app.handle();
        if i % 2 == 1 {
            probe.address.clone_from(&other.address);
        }
        tasks.push(tokio::spawn(async move {
            points(&probe, c, -10, "spend").await.status
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.expect("task") == StatusCode::CREATED {
            ok += 1;
        }
    }
    assert_eq!(ok, 5);
    assert_eq!(
        app.scalar::<i64>(&format!(
            "SELECT SUM(points) FROM {{p}}volixta_reward_ledger WHERE client_id = {c}"
        ))
        .await,
        0
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_reward_ledger WHERE balance_after < 0")
            .await,
        0
    );
}

#[tokio::test]
async fn merging_moves_everything_in_one_transaction_and_keeps_the_sums() {
    let app = TestApp::spawn().await;
    let cat = catalog(&app).await;
    let keep = id(&app
        .create_client(json!({"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "notes": "Prefers mornings"}))
        .await);
    let other = id(&app
        .create_client(json!({"first_name": "Anne", "last_name": "Lee", "phone": "+44 20 7946 0000", "wp_user_id": 31,
                              "city": "Leeds", "notes": "Allergic to nuts"}))
        .await);
    credit(&app, keep, "15.00").await;
    credit(&app, other, "27.50").await;
    points(&app, keep, 10, "visit").await;
    points(&app, other, 40, "visit").await;
    let g1 = id(&create(&app, "/v1/client-groups", json!({"name": "Yoga"})).await);
    let g2 = id(&create(&app, "/v1/client-groups", json!({"name": "Newsletter"})).await);
    app.post(
        &format!("/v1/client-groups/{g1}/members"),
        MANAGER,
        &json!({"client_ids": [keep, other]}),
    )
    .await;
    app.post(
        &format!("/v1/client-groups/{g2}/members"),
        MANAGER,
        &json!({"client_ids": [other]}),
    )
    .await;
    book(
        &app,
        &cat,
        keep,
        cat.cut,
        "2026-03-02 10:00:00",
        "completed",
    )
    .await;
    let b2 = book(
        &app,
        &cat,
        other,
        cat.massage,
        "2026-03-09 10:00:00",
        "confirmed",
    )
    .await;
    let b3 = book(
        &app,
        &cat,
        other,
        cat.cut,
        "2026-01-05 10:00:00",
        "cancelled",
    )
    .await;
    let ledger_rows_before = app
        .scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger")
        .await;

    let res = app
        .request_with(
            Method::POST,
            &format!("/v1/clients/{keep}/merge"),
            MANAGER,
            Some(serde_json::to_vec(&json!({"other_id": other})).expect("json")),
            &[("Idempotency-Key", "merge-ann-1")],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let client = &res.body["client"];
    assert_eq!(client["wallet_balance"], "42.50");
    assert_eq!(client["reward_points"], 50);
    assert_eq!(client["groups"], json!([g1, g2]));
    assert_eq!(client["first_name"], "Ann");
    assert_eq!(client["phone"], "+442079460000");
    assert_eq!(client["city"], "Leeds");
    assert_eq!(client["wp_user_id"], 31);
    assert_eq!(
        client["notes"],
        format!("Prefers mornings\n\n[merged from #{other}] Allergic to nuts")
    );
    assert_eq!(res.body["merged"]["merged_into_id"], keep);
    assert_eq!(res.body["merged"]["wallet_balance"], "0.00");
    assert_eq!(res.body["moved"]["bookings"], 2);

    // Every booking is the kept client's now; the ledgers add up with two merge rows each.
    assert_eq!(
        app.scalar::<u64>(&format!("SELECT COUNT(*) FROM {{p}}volixta_bookings WHERE client_id = {keep} AND id IN ({b2}, {b3})")).await,
        2
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger")
            .await,
        ledger_rows_before + 2
    );
    assert_eq!(
        app.scalar::<String>(&format!(
            "SELECT CAST(SUM(amount) AS CHAR) FROM {{p}}volixta_wallet_ledger WHERE client_id = {keep}"
        ))
        .await,
        "42.5000"
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'merge'")
            .await,
        2
    );
    assert_eq!(
        app.scalar::<i64>(&format!(
            "SELECT SUM(points) FROM {{p}}volixta_reward_ledger WHERE client_id = {other}"
        ))
        .await,
        0
    );
    assert_eq!(
        app.scalar::<u64>(&format!(
            "SELECT COUNT(*) FROM {{p}}volixta_client_group_members WHERE client_id = {other}"
        ))
        .await,
        0
    );
    // The WordPress user now signs in to the kept profile.
    assert_eq!(
        app.get(&format!("/v1/clients/{keep}"), "client:31")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/clients/{other}"), "client:31")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Recorded on both profiles; the merged one is out of the list but still readable.
    let log = app.get(&format!("/v1/clients/{keep}/audit"), MANAGER).await;
    assert_eq!(log.body["items"][0]["action"], "merge");
    assert_eq!(
        log.body["items"][0]["changes"]["merged_from"]["after"],
        other
    );
    let log = app
        .get(&format!("/v1/clients/{other}/audit"), MANAGER)
        .await;
    assert_eq!(log.body["items"][0]["action"], "merged");
    let list = app.get("/v1/clients", MANAGER).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));

    // A retry with the same key answers the same and moves nothing twice.
    let again = app
        .request_with(
            Method::POST,
            &format!("/v1/clients/{keep}/merge"),
            MANAGER,
            Some(serde_json::to_vec(&json!({"other_id": other})).expect("json")),
            &[("Idempotency-Key", "merge-ann-1")],
            Tamper::default(),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["client"]["wallet_balance"], "42.50");
    let res = app
        .post(
            &format!("/v1/clients/{keep}/merge"),
            MANAGER,
            &json!({"other_id": other}),
        )
        .await;
    assert_eq!(res.code(), "client_not_active");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'merge'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_refused_merge_changes_nothing() {
    let app = TestApp::spawn().await;
    let a = id(&app.create_client(json!({"first_name": "A"})).await);
    let b = id(&app.create_client(json!({"first_name": "B"})).await);
    credit(&app, b, "5.00").await;
    let res = app
        .post(
            &format!("/v1/clients/{a}/merge"),
            MANAGER,
            &json!({"other_id": a}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &format!("/v1/clients/{a}/merge"),
            MANAGER,
            &json!({"other_id": 999}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    app.delete(&format!("/v1/clients/{a}"), MANAGER).await;
    let res = app
        .post(
            &format!("/v1/clients/{a}/merge"),
            MANAGER,
            &json!({"other_id": b}),
        )
        .await;
    assert_eq!(res.code(), "client_not_active");
    assert_eq!(
        app.post(
            &format!("/v1/clients/{b}/merge"),
            "employee:1",
            &json!({"other_id": a})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.scalar::<String>(&format!(
            "SELECT CAST(wallet_balance AS CHAR) FROM {{p}}volixta_clients WHERE id = {b}"
        ))
        .await,
        "5.0000"
    );
    assert_eq!(
        app.scalar::<u64>(
            "SELECT COUNT(*) FROM {p}volixta_clients WHERE merged_into_id IS NOT NULL"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn likely_duplicates_are_found_by_email_phone_and_similar_names() {
    let app = TestApp::spawn().await;
    let a = id(&app
        .create_client(json!({"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"}))
        .await);
    let b = id(&app
        .create_client(
            json!({"first_name": "Annie", "last_name": "Li", "email": "ANN@example.com"}),
        )
        .await);
    let c = id(&app
        .create_client(
            json!({"first_name": "Bob", "last_name": "Stone", "phone": "+44 20 7946 0001"}),
        )
        .await);
    let d = id(&app
        .create_client(
            json!({"first_name": "Robert", "last_name": "Stone", "phone": "0044 (20) 7946-0001"}),
        )
        .await);
    let e = id(&app
        .create_client(json!({"first_name": "Jonathan", "last_name": "Smith"}))
        .await);
    let f = id(&app
        .create_client(json!({"first_name": "Jonathon", "last_name": "Smyth"}))
        .await);
    let g = id(&app
        .create_client(json!({"first_name": "Zoë", "last_name": "Adams"}))
        .await);
    let h = id(&app
        .create_client(json!({"first_name": "zoe", "last_name": "ADAMS"}))
        .await);
    app.create_client(json!({"first_name": "Mary", "last_name": "Jones"}))
        .await;
    let gone = id(&app
        .create_client(json!({"first_name": "Mary", "last_name": "Jones"}))
        .await);
    app.delete(&format!("/v1/clients/{gone}"), MANAGER).await;

    let groups = |res: &Response| -> Vec<(String, Vec<u64>)> {
        res.body["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| {
                let ids = g["clients"]
                    .as_array()
                    .expect("clients")
                    .iter()
                    .map(id)
                    .collect();
                (g["reason"].as_str().unwrap_or("").to_owned(), ids)
            })
            .collect()
    };
    let res = app.get("/v1/clients/duplicates", MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        groups(&res),
        [
            ("email".to_owned(), vec![a, b]),
            ("phone".to_owned(), vec![c, d]),
            ("name".to_owned(), vec![e, f]),
            ("name".to_owned(), vec![g, h]),
        ]
    );
    assert_eq!(res.body["groups"][0]["clients"][1]["first_name"], "Annie");

    // A manager says Jonathan and Jonathon are two people; merging Zoë settles the other.
    let res = app
        .post(
            "/v1/clients/duplicates/dismiss",
            MANAGER,
            &json!({"client_ids": [f, e]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    app.post(
        &format!("/v1/clients/{g}/merge"),
        MANAGER,
        &json!({"other_id": h}),
    )
    .await;
    let res = app.get("/v1/clients/duplicates?limit=1", MANAGER).await;
    assert_eq!(groups(&res), [("email".to_owned(), vec![a, b])]);
    assert_eq!(res.body["truncated"], true);
    let res = app.get("/v1/clients/duplicates", MANAGER).await;
    assert_eq!(res.body["groups"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.get("/v1/clients/duplicates", "employee:1").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn gift_codes_follow_a_merge_and_stay_once_per_person() {
    let app = TestApp::spawn().await;
    let keep = id(&app
        .create_client(json!({"first_name": "Kept", "wp_user_id": 50}))
        .await);
    let other = id(&app
        .create_client(json!({"first_name": "Other", "wp_user_id": 51}))
        .await);
    let open = create(&app, "/v1/gift-codes", json!({"value": "10.00"})).await;
    let restricted = create(
        &app,
        "/v1/gift-codes",
        json!({"value": "5.00", "client_ids": [other]}),
    )
    .await;
    let redeem = |wp: u64, code: &Value| {
        let app = &app;
        let body = serde_json::to_vec(&json!({"code": code["code"]})).expect("json");
        async move {
            app.request_with(
                Method::POST,
                "/v1/gift-codes/redeem",
                &format!("client:{wp}"),
                Some(body),
                &[("X-Volixta-Client-Ip", "203.0.113.9")],
                Tamper::default(),
            )
            .await
        }
    };
    assert_eq!(redeem(51, &open).await.status, StatusCode::OK);
    let res = app
        .post(
            &format!("/v1/clients/{keep}/merge"),
            MANAGER,
            &json!({"other_id": other}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["moved"]["gift_code_redemptions"], 1);
    assert_eq!(res.body["client"]["wallet_balance"], "10.00");
    // The person redeemed the open code already; the code meant for the other profile is theirs.
    assert_eq!(redeem(50, &open).await.code(), "already_redeemed");
    let res = redeem(50, &restricted).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["balance"], "15.00");
}

#[tokio::test]
async fn crossing_merges_on_two_replicas_leave_one_profile_and_every_cent() {
    let app = TestApp::spawn().await;
    let other_replica = app.replica().await;
    let a = id(&app.create_client(json!({"first_name": "A"})).await);
    let b = id(&app.create_client(json!({"first_name": "B"})).await);
    credit(&app, a, "12.34").await;
    credit(&app, b, "7.66").await;
    points(&app, a, 3, "x").await;
    points(&app, b, 4, "y").await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let mut probe = app.handle();
        if i % 2 == 1 {
            probe.address.clone_from(&other_replica.address);
        }
        let (keep, other) = if i % 4 < 2 { (a, b) } else { (b, a) };
        tasks.push(tokio::spawn(async move {
            probe
                .post(
                    &format!("/v1/clients/{keep}/merge"),
                    MANAGER,
                    &json!({"other_id": other}),
                )
                .await
                .status
        }));
    }
    let mut merged = 0;
    for t in tasks {
        match t.await.expect("task") {
            StatusCode::OK => merged += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(merged, 1);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients WHERE live = 1")
            .await,
        1
    );
    assert_eq!(
        app.scalar::<String>(
            "SELECT CAST(SUM(wallet_balance) AS CHAR) FROM {p}volixta_clients WHERE live = 1"
        )
        .await,
        "20.0000"
    );
    assert_eq!(
        app.scalar::<u64>(
            "SELECT CAST(SUM(reward_points) AS UNSIGNED) FROM {p}volixta_clients WHERE live = 1"
        )
        .await,
        7
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'merge'")
            .await,
        2
    );
}
