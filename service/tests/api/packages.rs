use crate::{
    bookings::{Shop, at, book, booking, client, id, massage, shop},
    helpers::*,
};
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

pub async fn package(app: &TestApp, s: &Shop, extra: Value) -> Value {
    let mut body = json!({"name": "Therapy Starter Pack", "sessions": 3, "price": "120.00",
        "validity_days": 30, "service_ids": [s.service]});
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    let res = app.post("/v1/packages", MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}

async fn give(app: &TestApp, client_id: u64, body: Value) -> Response {
    app.post(&format!("/v1/clients/{client_id}/packages"), MANAGER, &body)
        .await
}

pub async fn given(app: &TestApp, client_id: u64, package_id: u64) -> Value {
    let res = give(app, client_id, json!({"package_id": package_id})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

fn day(days: i64) -> String {
    (today() + Duration::days(days)).to_string()
}

#[tokio::test]
async fn the_builder_checks_its_fields_and_lists_packages() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    for (body, field) in [
        (
            json!({"name": " ", "sessions": 3, "price": "1.00", "service_ids": [s.service]}),
            "name",
        ),
        (
            json!({"name": "P", "sessions": 0, "price": "1.00", "service_ids": [s.service]}),
            "sessions",
        ),
        (
            json!({"name": "P", "sessions": 3, "price": "-1.00", "service_ids": [s.service]}),
            "price",
        ),
        (
            json!({"name": "P", "sessions": 3, "price": "1.00", "service_ids": []}),
            "service_ids",
        ),
        (
            json!({"name": "P", "sessions": 3, "price": "1.00", "service_ids": [999]}),
            "service_ids",
        ),
        (
            json!({"name": "P", "sessions": 3, "price": "1.00", "service_ids": [s.service], "location_ids": [999]}),
            "location_ids",
        ),
        (
            json!({"name": "P", "sessions": 3, "price": "1.00", "service_ids": [s.service], "validity_days": 0}),
            "validity_days",
        ),
    ] {
        let res = app.post("/v1/packages", MANAGER, &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(
            res.body["error"]["fields"][field].is_string(),
            "{field}: {}",
            res.text
        );
    }
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_packages")
            .await,
        0
    );
    let res = app
        .post(
            "/v1/packages",
            "client:5",
            &json!({"name": "P", "sessions": 3, "price": "1.00", "service_ids": [s.service]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let p = package(
        &app,
        &s,
        json!({"description": "Three massages", "location_ids": [s.location], "quantity": 10}),
    )
    .await;
    assert_eq!(p["name"], "Therapy Starter Pack");
    assert_eq!(p["sessions"], 3);
    assert_eq!(p["price"], "120.00");
    assert_eq!(p["validity_days"], 30);
    assert_eq!(p["quantity_left"], 10);
    assert_eq!(p["service_ids"], json!([s.service]));
    assert_eq!(p["location_ids"], json!([s.location]));
    assert_eq!(p["active"], true);
    let unlimited = package(&app, &s, json!({"name": "Forever", "validity_days": null})).await;
    assert_eq!(unlimited["validity_days"], Value::Null);
    assert_eq!(unlimited["quantity_left"], Value::Null);

    // Edit replaces the builder's fields; the change is in the audit log.
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/packages/{}", id(&p)),
            MANAGER,
            Some(
                &json!({"name": "Starter Pack", "sessions": 5, "price": "150.00",
                "service_ids": [s.service], "active": false}),
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["sessions"], 5);
    assert_eq!(res.body["active"], false);
    assert_eq!(res.body["location_ids"], json!([]));
    let list = app.get("/v1/packages", MANAGER).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let names: Vec<&str> = list.body["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Forever", "Starter Pack"]);
    let actions: Vec<String> = app
        .rows(&format!(
            "SELECT action FROM {{p}}volixta_audit_log WHERE entity = 'package' AND entity_id = {} ORDER BY id",
            id(&p)
        ))
        .await;
    assert_eq!(actions, ["create", "update"]);
}

#[tokio::test]
async fn a_client_package_has_a_computed_status_and_groups() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 41).await;
    let p = package(&app, &s, json!({})).await;
    let first = given(&app, ann, id(&p)).await;
    assert_eq!(first["package_id"], id(&p));
    assert_eq!(first["sessions_total"], 3);
    assert_eq!(first["sessions_used"], 0);
    assert_eq!(first["sessions_remaining"], 3);
    assert_eq!(first["status"], "active");
    assert_eq!(first["activation_date"], today().to_string());
    assert_eq!(first["expires_on"], day(30));
    given(&app, ann, id(&p)).await;
    let later = give(
        &app,
        ann,
        json!({"package_id": id(&p), "activation_date": day(5), "expires_on": day(60)}),
    )
    .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.text);
    assert_eq!(later.body["status"], "pending");
    let old = give(
        &app,
        ann,
        json!({"package_id": id(&p), "activation_date": day(-40), "expires_on": day(-10)}),
    )
    .await;
    assert_eq!(old.body["status"], "expired");
    let bad = give(
        &app,
        ann,
        json!({"package_id": id(&p), "activation_date": day(5), "expires_on": day(1)}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.body["error"]["fields"]["expires_on"].is_string());

    let res = app
        .get(&format!("/v1/clients/{ann}/packages"), MANAGER)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let groups = res.body["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 3, "{}", res.text);
    assert_eq!(groups[0]["count"], 2);
    assert_eq!(groups[0]["sessions_remaining"], 6);
    assert_eq!(groups[0]["name"], "Therapy Starter Pack");
    assert_eq!(groups[0]["items"][0]["id"], id(&first));
    assert_eq!(groups[0]["items"][0]["status"], "active");
    assert_eq!(groups[1]["items"][0]["status"], "pending");
    assert_eq!(groups[2]["items"][0]["status"], "expired");

    // The client sees its own; another client's answers 404; an employee gets 403.
    let own = app
        .get(&format!("/v1/clients/{ann}/packages"), "client:41")
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let bob = client(&app, 42).await;
    let other = app
        .get(&format!("/v1/clients/{ann}/packages"), "client:42")
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let detail = app
        .get(&format!("/v1/client-packages/{}", id(&first)), "client:42")
        .await;
    assert_eq!(detail.status, StatusCode::NOT_FOUND);
    let detail = app
        .get(&format!("/v1/client-packages/{}", id(&first)), "client:41")
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
    assert_eq!(detail.body["service_ids"], json!([s.service]));
    assert_eq!(detail.body["uses"], json!([]));
    let employee = app
        .get(&format!("/v1/clients/{ann}/packages"), "employee:9")
        .await;
    assert_eq!(employee.status, StatusCode::FORBIDDEN);
    let patch = app
        .patch(
            &format!("/v1/client-packages/{}", id(&first)),
            "client:41",
            &json!({"sessions_total": 10}),
        )
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("/v1/clients/{bob}/packages"), MANAGER)
            .await
            .body["groups"],
        json!([])
    );
}

#[tokio::test]
async fn a_manager_changes_dates_sessions_and_the_flag() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 51).await;
    let p = package(&app, &s, json!({})).await;
    let cp = given(&app, ann, id(&p)).await;
    let path = format!("/v1/client-packages/{}", id(&cp));

    let res = app.patch(&path, MANAGER, &json!({"active": false})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "inactive");
    let res = app
        .patch(
            &path,
            MANAGER,
            &json!({"active": true, "expires_on": null, "sessions_total": 8}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "active");
    assert_eq!(res.body["expires_on"], Value::Null);
    assert_eq!(res.body["sessions_remaining"], 8);
    let res = app
        .patch(&path, MANAGER, &json!({"activation_date": day(3)}))
        .await;
    assert_eq!(res.body["status"], "pending");
    let res = app
        .patch(
            &path,
            MANAGER,
            &json!({"activation_date": day(-20), "expires_on": day(-1)}),
        )
        .await;
    assert_eq!(res.body["status"], "expired");
    let res = app
        .patch(&path, MANAGER, &json!({"expires_on": day(-30)}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.body["error"]["fields"]["expires_on"].is_string());

    // Never below the sessions used: two used, two is fine, one is refused.
    app.exec(&format!(
        "UPDATE {{p}}volixta_client_packages SET sessions_used = 2 WHERE id = {}",
        id(&cp)
    ))
    .await;
    let res = app
        .patch(&path, MANAGER, &json!({"sessions_total": 1}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.body["error"]["fields"]["sessions_total"].is_string());
    let res = app
        .patch(&path, MANAGER, &json!({"sessions_total": 2}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["sessions_remaining"], 0);
    assert_eq!(
        app.scalar::<u64>(&format!(
            "SELECT sessions_total FROM {{p}}volixta_client_packages WHERE id = {}",
            id(&cp)
        ))
        .await,
        2
    );
    let actions: Vec<String> = app
        .rows(&format!(
            "SELECT action FROM {{p}}volixta_audit_log WHERE entity = 'client' AND entity_id = {ann} \
             AND action LIKE 'package%' ORDER BY id"
        ))
        .await;
    assert_eq!(
        actions.first().map(String::as_str),
        Some("package_assigned")
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "package_updated").count(),
        5
    );
}

#[tokio::test]
async fn removing_needs_a_reason_and_keeps_the_history() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 61).await;
    let p = package(&app, &s, json!({})).await;
    let cp = given(&app, ann, id(&p)).await;
    let path = format!("/v1/client-packages/{}/remove", id(&cp));
    let res = app.post(&path, MANAGER, &json!({"reason": "  "})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.body["error"]["fields"]["reason"].is_string());
    let res = app
        .post(&path, MANAGER, &json!({"reason": "Refunded at the desk"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["removed_reason"], "Refunded at the desk");
    assert!(res.body["removed_at"].is_string());
    let again = app.post(&path, MANAGER, &json!({"reason": "again"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "package_removed");
    let list = app
        .get(&format!("/v1/clients/{ann}/packages?include=all"), MANAGER)
        .await;
    assert_eq!(list.body["groups"], json!([]));
    assert_eq!(list.body["items"][0]["id"], id(&cp));
    assert_eq!(
        list.body["items"][0]["removed_reason"],
        "Refunded at the desk"
    );
    let reason: String = app
        .scalar(&format!(
            "SELECT JSON_UNQUOTE(JSON_EXTRACT(changes, '$.removed_reason.after')) \
             FROM {{p}}volixta_audit_log WHERE action = 'package_removed' AND entity_id = {ann}"
        ))
        .await;
    assert_eq!(reason, "Refunded at the desk");
}

#[tokio::test]
async fn bulk_assign_adds_and_bulk_deactivate_switches_off() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(client(&app, 70 + i).await);
    }
    let p = package(&app, &s, json!({"quantity": 5})).await;
    // Ann already owns one with a session used: it stays as it is.
    let owned = given(&app, ids[0], id(&p)).await;
    app.exec(&format!(
        "UPDATE {{p}}volixta_client_packages SET sessions_used = 1 WHERE id = {}",
        id(&owned)
    ))
    .await;
    let assign = format!("/v1/packages/{}/assign", id(&p));
    let res = app
        .post(&assign, MANAGER, &json!({"client_ids": ids}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body, json!({"assigned": 3}));
    let ann = app
        .get(&format!("/v1/clients/{}/packages", ids[0]), MANAGER)
        .await;
    assert_eq!(ann.body["groups"][0]["count"], 2, "{}", ann.text);
    assert_eq!(ann.body["groups"][0]["sessions_remaining"], 5);
    // One left in stock: two more are refused, and nothing is written.
    let res = app
        .post(&assign, MANAGER, &json!({"client_ids": [ids[1], ids[2]]}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "package_sold_out");
    let unknown = app
        .post(&assign, MANAGER, &json!({"client_ids": [ids[1], 9999]}))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body["error"]["fields"]["client_ids"].is_string());
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_client_packages")
            .await,
        4
    );
    let view = app
        .get(&format!("/v1/packages/{}/owners", id(&p)), MANAGER)
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text);
    assert_eq!(view.body["package"]["quantity_left"], 1);
    let owners = view.body["owners"].as_array().expect("owners");
    assert_eq!(owners.len(), 3);
    assert_eq!(owners[0]["client_id"], ids[0]);
    assert_eq!(owners[0]["count"], 2);
    assert_eq!(owners[0]["sessions_remaining"], 5);
    assert_eq!(owners[0]["status"], "active");

    // The client list filters on the package held.
    let list = app
        .get(&format!("/v1/clients?package_id={}", id(&p)), MANAGER)
        .await;
    assert_eq!(
        list.body["items"].as_array().expect("items").len(),
        3,
        "{}",
        list.text
    );
    let other = package(&app, &s, json!({"name": "Other"})).await;
    let list = app
        .get(&format!("/v1/clients?package_id={}", id(&other)), MANAGER)
        .await;
    assert_eq!(list.body["items"], json!([]));

    let res = app
        .post(
            &format!("/v1/packages/{}/deactivate", id(&p)),
            MANAGER,
            &json!({"client_ids": [ids[0], ids[1]]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body, json!({"deactivated": 3}));
    let statuses: HashMap<u64, Vec<String>> = {
        let mut m: HashMap<u64, Vec<String>> = HashMap::new();
        for o in app
            .get(&format!("/v1/packages/{}/owners", id(&p)), MANAGER)
            .await
            .body["owners"]
            .as_array()
            .expect("owners")
        {
            m.insert(
                o["client_id"].as_u64().expect("id"),
                o["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|i| i["status"].as_str().expect("status").to_owned())
                    .collect(),
            );
        }
        m
    };
    assert_eq!(statuses[&ids[0]], ["inactive", "inactive"]);
    assert_eq!(statuses[&ids[1]], ["inactive"]);
    assert_eq!(statuses[&ids[2]], ["active"]);

    // An inactive package is neither assigned nor sold.
    app.request(
        Method::PUT,
        &format!("/v1/packages/{}", id(&other)),
        MANAGER,
        Some(&json!({"name": "Other", "sessions": 3, "price": "1.00",
            "service_ids": [s.service], "active": false})),
    )
    .await;
    let res = give(&app, ids[2], json!({"package_id": id(&other)})).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "package_inactive");
}

#[tokio::test]
async fn recorded_as_sold_keeps_price_and_method() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 81).await;
    let p = package(&app, &s, json!({})).await;
    let res = give(&app, ann, json!({"package_id": id(&p), "sold": "card"})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["sold_price"], "120.00");
    assert_eq!(res.body["sold_method"], "card");
    let res = give(&app, ann, json!({"package_id": id(&p), "sold": "cheque"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let action: String = app
        .scalar(&format!(
            "SELECT action FROM {{p}}volixta_audit_log WHERE entity = 'client' AND entity_id = {ann} \
             ORDER BY id DESC LIMIT 1"
        ))
        .await;
    assert_eq!(action, "package_sold");
}

#[tokio::test]
async fn a_merge_moves_the_packages_to_the_kept_profile() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let keep = client(&app, 91).await;
    let other = client(&app, 92).await;
    let p = package(&app, &s, json!({})).await;
    given(&app, keep, id(&p)).await;
    given(&app, other, id(&p)).await;
    let res = app
        .post(
            &format!("/v1/clients/{keep}/merge"),
            MANAGER,
            &json!({"other_id": other}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["moved"]["packages"], 1, "{}", res.text);
    let list = app
        .get(&format!("/v1/clients/{keep}/packages"), MANAGER)
        .await;
    assert_eq!(list.body["groups"][0]["count"], 2, "{}", list.text);
}

#[tokio::test]
async fn a_booking_uses_a_session_and_cancelling_gives_it_back() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 101).await;
    let p = package(&app, &s, json!({})).await;
    let cp = given(&app, ann, id(&p)).await;
    let mut body = booking(&s, ann, at(2, 10, 0));
    body["payment"] = json!({"client_package_id": id(&cp)});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["payment_status"], "paid", "{}", res.text);
    assert_eq!(res.body["balance_due"], "0.00");
    let booking_id = id(&res.body);
    let detail = app
        .get(&format!("/v1/client-packages/{}", id(&cp)), MANAGER)
        .await;
    assert_eq!(detail.body["sessions_used"], 1);
    assert_eq!(detail.body["uses"][0]["booking_id"], booking_id);
    assert_eq!(detail.body["uses"][0]["session_number"], 1);
    assert_eq!(detail.body["uses"][0]["sessions_total"], 3);
    let got = app
        .get(&format!("/v1/bookings/{booking_id}"), MANAGER)
        .await;
    assert_eq!(
        got.body["payment"]["package"]["description"],
        "Paid with package Therapy Starter Pack (session 1 of 3)",
        "{}",
        got.text
    );

    // Its own client books with it too; a client paying with another's package gets 409.
    let mut own = booking(&s, ann, at(2, 12, 0));
    own["payment"] = json!({"client_package_id": id(&cp)});
    own.as_object_mut().expect("object").remove("client_id");
    let res = book(&app, "client:101", &own).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let bob = client(&app, 102).await;
    let mut theft = booking(&s, bob, at(2, 14, 0));
    theft["payment"] = json!({"client_package_id": id(&cp)});
    let res = book(&app, MANAGER, &theft).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "package_unusable");

    // A reschedule keeps the session; cancelling gives it back.
    let res = app
        .post(
            &format!("/v1/bookings/{booking_id}/reschedule"),
            MANAGER,
            &json!({"start": crate::bookings::rfc(at(3, 10, 0))}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let used = |app: &TestApp| {
        let q = format!(
            "SELECT sessions_used FROM {{p}}volixta_client_packages WHERE id = {}",
            id(&cp)
        );
        let app = app.handle();
        async move { app.scalar::<u64>(&q).await }
    };
    assert_eq!(used(&app).await, 2);
    let res = app
        .post(
            &format!("/v1/bookings/{booking_id}/cancel"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(used(&app).await, 1);
    // Nothing of the package went to the wallet.
    let wallet = app.get(&format!("/v1/clients/{ann}/wallet"), MANAGER).await;
    assert_eq!(wallet.body["balance"], "0.00", "{}", wallet.text);
    let detail = app
        .get(&format!("/v1/client-packages/{}", id(&cp)), MANAGER)
        .await;
    let returned: Vec<bool> = detail.body["uses"]
        .as_array()
        .expect("uses")
        .iter()
        .map(|u| u["returned_at"].is_string())
        .collect();
    assert_eq!(returned, [false, true]);
    // Removing the package keeps its uses.
    app.post(
        &format!("/v1/client-packages/{}/remove", id(&cp)),
        MANAGER,
        &json!({"reason": "moved away"}),
    )
    .await;
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_package_uses")
            .await,
        2
    );
}

#[tokio::test]
async fn a_package_that_cannot_pay_writes_nothing() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let other_service = id(&app
        .post(
            "/v1/services",
            MANAGER,
            &json!({"name": "Facial", "duration_minutes": 30, "price": "30.00",
                "buffer_before_minutes": 0, "buffer_after_minutes": 0, "capacity": 1}),
        )
        .await
        .body);
    let ann = client(&app, 111).await;
    let facial = package(
        &app,
        &s,
        json!({"name": "Facials", "service_ids": [other_service]}),
    )
    .await;
    let massage_pack = package(&app, &s, json!({"name": "Massages", "validity_days": 5})).await;
    let wrong_service = given(&app, ann, id(&facial)).await;
    let short = given(&app, ann, id(&massage_pack)).await;
    let pending = give(
        &app,
        ann,
        json!({"package_id": id(&massage_pack), "activation_date": day(3)}),
    )
    .await
    .body;
    let off = given(&app, ann, id(&massage_pack)).await;
    app.patch(
        &format!("/v1/client-packages/{}", id(&off)),
        MANAGER,
        &json!({"active": false}),
    )
    .await;
    for (cp, start) in [
        (id(&wrong_service), at(2, 10, 0)),
        (id(&short), at(9, 10, 0)),
        (id(&pending), at(4, 10, 0)),
        (id(&off), at(2, 10, 0)),
        (99_999, at(2, 10, 0)),
    ] {
        let mut body = booking(&s, ann, start);
        body["payment"] = json!({"client_package_id": cp});
        let res = book(&app, MANAGER, &body).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{cp}: {}", res.text);
        assert_eq!(res.code(), "package_unusable");
    }
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_bookings")
            .await,
        0
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COALESCE(SUM(sessions_used), 0) FROM {p}volixta_client_packages")
            .await,
        0
    );
}

#[tokio::test]
async fn ten_bookings_racing_on_three_sessions_through_two_replicas() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 121).await;
    let p = package(&app, &s, json!({})).await;
    let cp = given(&app, ann, id(&p)).await;
    // Two staff members: bookings on different staff do not queue on one staff row, so only
    // the package's row lock keeps the count.
    let second = crate::bookings::add_staff(&app, s.location, s.service, None).await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let target = if i % 2 == 0 {
            app.handle()
        } else {
            replica.handle()
        };
        // Ten different slots: only the package is contended.
        let i = u32::try_from(i).expect("small");
        let mut body = booking(&s, ann, at(2 + i64::from(i / 5), 6 + 2 * (i % 5), 0));
        body["payment"] = json!({"client_package_id": id(&cp)});
        if i % 2 == 1 {
            body["staff_id"] = json!(second);
        }
        tasks.push(tokio::spawn(async move {
            let res = book(&target, MANAGER, &body).await;
            (res.status, res.code().to_owned())
        }));
    }
    let mut outcomes: HashMap<(StatusCode, String), usize> = HashMap::new();
    for t in tasks {
        *outcomes.entry(t.await.expect("task")).or_default() += 1;
    }
    assert_eq!(
        outcomes.get(&(StatusCode::CREATED, String::new())),
        Some(&3),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get(&(StatusCode::CONFLICT, "package_unusable".into())),
        Some(&7),
        "{outcomes:?}"
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_bookings")
            .await,
        3
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_package_uses")
            .await,
        3
    );
    assert_eq!(
        app.scalar::<u64>(&format!(
            "SELECT sessions_used FROM {{p}}volixta_client_packages WHERE id = {}",
            id(&cp)
        ))
        .await,
        3
    );
}

#[tokio::test]
async fn guests_and_clients_see_only_packages_on_sale_without_owners_or_stock() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let on_sale = package(&app, &s, json!({"name": "B on sale", "quantity": 5})).await;
    let off = package(&app, &s, json!({"name": "C off", "active": false})).await;
    let last = package(&app, &s, json!({"name": "A last one", "quantity": 1})).await;
    let ann = client(&app, 101).await;
    given(&app, ann, id(&last)).await;
    given(&app, ann, id(&on_sale)).await;

    for actor in ["guest:0", "client:101", "employee:7"] {
        let list = app.get("/v1/packages", actor).await;
        assert_eq!(list.status, StatusCode::OK, "{actor}: {}", list.text);
        let packages = list.body["packages"].as_array().expect("packages");
        assert_eq!(packages.len(), 1, "{actor}: {}", list.text);
        let offer = &packages[0];
        assert_eq!(offer["id"], id(&on_sale));
        assert_eq!(offer["name"], "B on sale");
        assert_eq!(offer["sessions"], 3);
        assert_eq!(offer["price"], "120.00");
        assert_eq!(offer["validity_days"], 30);
        assert_eq!(offer["service_ids"], json!([s.service]));
        for hidden in ["owners", "quantity_left", "active", "created_at"] {
            assert!(offer.get(hidden).is_none(), "{actor} sees {hidden}");
        }
        let one = app
            .get(&format!("/v1/packages/{}", id(&on_sale)), actor)
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.text);
        assert!(one.body.get("owners").is_none());
        for hidden in [&off, &last] {
            let res = app
                .get(&format!("/v1/packages/{}", id(hidden)), actor)
                .await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{actor}: {}", res.text);
        }
    }
    // Managers still see everything, stock and owners included.
    let list = app.get("/v1/packages", MANAGER).await;
    let names: Vec<&str> = list.body["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["A last one", "B on sale", "C off"]);
    assert_eq!(list.body["packages"][0]["quantity_left"], 0);
    assert_eq!(list.body["packages"][1]["owners"], 1);
}
