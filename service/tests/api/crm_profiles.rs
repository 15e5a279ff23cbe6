//! Client profiles: every field, custom statuses, self-edits, avatars, the audit trail.
use crate::helpers::*;
use base64::{Engine, engine::general_purpose::STANDARD};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

#[tokio::test]
async fn a_full_profile_is_stored_and_read_back() {
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({
            "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com",
            "phone": "0044 20 7946 0000", "street": "1 High St", "zip": "LS1 1AA", "city": "Leeds",
            "status": "Regular", "notes": "Prefers e-mail.", "permissions": {"cancel": false},
            "avatar": "owl", "birthday": "1990-04-01", "anniversary": "2015-06-20", "gender": "female",
            "notifications": {"marketing": true, "birthday": false}, "blocked": false
        }))
        .await;
    let res = app.get(&format!("/v1/clients/{}", id(&c)), MANAGER).await;
    let b = &res.body;
    assert_eq!(b["phone"], "+442079460000");
    assert_eq!(b["street"], "1 High St");
    assert_eq!(b["zip"], "LS1 1AA");
    assert_eq!(b["city"], "Leeds");
    assert_eq!(b["status"], "Regular");
    assert_eq!(b["notes"], "Prefers e-mail.");
    assert_eq!(
        b["permissions"],
        json!({"book": true, "reschedule": true, "cancel": false, "view_invoices": true})
    );
    assert_eq!(b["avatar"], "owl");
    assert!(b["avatar_url"].is_null());
    assert_eq!(b["birthday"], "1990-04-01");
    assert_eq!(b["anniversary"], "2015-06-20");
    assert_eq!(b["gender"], "female");
    assert_eq!(
        b["notifications"],
        json!({"reminders": true, "birthday": false, "marketing": true})
    );
    assert_eq!(b["reward_points"], 0);
    assert_eq!(b["groups"], json!([]));
}

#[tokio::test]
async fn bad_fields_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    for (body, field) in [
        (
            json!({"first_name": "A", "birthday": "2999-01-01"}),
            "birthday",
        ),
        (json!({"first_name": "A", "avatar": "dragon"}), "avatar"),
        (json!({"first_name": "A", "zip": "x".repeat(21)}), "zip"),
        (json!({"first_name": "A", "status": " "}), "status"),
        (json!({"first_name": "A", "email": "a@b"}), "email"),
    ] {
        let res = app.post("/v1/clients", MANAGER, &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            res.body["error"]["fields"][field].is_string(),
            "{}",
            res.text
        );
    }
    let res = app
        .post(
            "/v1/clients",
            MANAGER,
            &json!({"first_name": "A", "gender": "robot"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        0
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_audit_log")
            .await,
        0
    );
}

#[tokio::test]
async fn a_new_status_is_saved_and_offered_later() {
    let app = TestApp::spawn().await;
    let names = |res: &Response| -> Vec<String> {
        res.body
            .as_array()
            .expect("statuses")
            .iter()
            .map(|s| s["name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let res = app.get("/v1/client-statuses", MANAGER).await;
    assert_eq!(names(&res), ["New", "VIP", "Returning"]);
    app.create_client(json!({"first_name": "A", "status": "Gold member"}))
        .await;
    // The same status typed differently is the saved one.
    let b = app
        .create_client(json!({"first_name": "B", "status": "vip"}))
        .await;
    assert_eq!(b["status"], "VIP");
    let res = app.get("/v1/client-statuses", MANAGER).await;
    assert_eq!(names(&res), ["New", "VIP", "Returning", "Gold member"]);
    let vip = &res.body[1];
    assert_eq!(vip["clients"], 1);

    // Renaming renames it on the clients too; a status in use is not deleted.
    let res = app
        .patch(
            &format!("/v1/client-statuses/{}", vip["id"]),
            MANAGER,
            &json!({"name": "Premium", "icon": "crown"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let b = app.get(&format!("/v1/clients/{}", id(&b)), MANAGER).await;
    assert_eq!(b.body["status"], "Premium");
    let res = app
        .delete(&format!("/v1/client-statuses/{}", vip["id"]), MANAGER)
        .await;
    assert_eq!(res.code(), "status_in_use");
    let res = app
        .post("/v1/client-statuses", MANAGER, &json!({"name": "premium"}))
        .await;
    assert_eq!(res.code(), "status_taken");
    let res = app
        .post(
            "/v1/client-statuses",
            MANAGER,
            &json!({"name": "Lapsed", "icon": "moon"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let res = app
        .delete(&format!("/v1/client-statuses/{}", res.body["id"]), MANAGER)
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn every_change_is_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({"first_name": "Ann", "email": "ann@example.com"}))
        .await;
    let path = format!("/v1/clients/{}", id(&c));
    let res = app
        .patch(
            &path,
            "admin:7",
            &json!({"email": "ann@work.example", "blocked": true, "first_name": "Ann"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["blocked"], true);
    // An edit that changes nothing records nothing.
    app.patch(&path, MANAGER, &json!({"first_name": "Ann"}))
        .await;
    app.delete(&path, MANAGER).await;
    app.post(&format!("{path}/restore"), MANAGER, &json!({}))
        .await;

    let res = app.get(&format!("{path}/audit"), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK);
    let items = res.body["items"].as_array().expect("items");
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, ["restore", "delete", "update", "create"]);
    let update = &items[2];
    assert_eq!(update["actor"], "admin:7");
    assert!(update["created_at"].is_string());
    let changes = update["changes"].as_object().expect("changes");
    assert_eq!(changes.keys().collect::<Vec<_>>(), ["blocked", "email"]);
    assert_eq!(changes["email"]["before"], "ann@example.com");
    assert_eq!(changes["email"]["after"], "ann@work.example");
    assert_eq!(items[3]["changes"]["first_name"]["after"], "Ann");
    assert_eq!(items[3]["actor"], MANAGER);

    // The same log through the generic endpoint other domains share.
    let res = app
        .get(
            &format!("/v1/audit?entity=client&entity_id={}&limit=2", id(&c)),
            MANAGER,
        )
        .await;
    assert_eq!(res.body["items"].as_array().map(Vec::len), Some(2));
    assert!(res.body["next_cursor"].is_u64());
    assert_eq!(
        app.get(&format!("{path}/audit"), "employee:3").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_client_edits_only_its_own_profile_fields() {
    let app = TestApp::spawn().await;
    let me = app
        .create_client(json!({"first_name": "Me", "wp_user_id": 42, "notes": "Late payer", "email": "me@example.com"}))
        .await;
    let other = app
        .create_client(json!({"first_name": "Other", "wp_user_id": 43}))
        .await;
    let path = format!("/v1/clients/{}", id(&me));

    let res = app.get(&path, "client:42").await;
    assert!(
        res.body.get("notes").is_none(),
        "internal notes stay internal"
    );

    let res = app
        .patch(
            &path,
            "client:42",
            &json!({"last_name": "Self", "phone": "+33 1 23 45 67 89", "city": "Lyon", "avatar": "fox",
                    "birthday": "1991-02-03", "notifications": {"marketing": true}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["last_name"], "Self");
    assert_eq!(res.body["phone"], "+33123456789");
    assert!(res.body.get("notes").is_none());

    for forbidden in [
        json!({"status": "VIP"}),
        json!({"notes": ""}),
        json!({"permissions": {"book": true}}),
        json!({"blocked": false}),
        json!({"email": "new@example.com"}),
        json!({"city": "Paris", "wp_user_id": 99}),
    ] {
        let res = app.patch(&path, "client:42", &forbidden).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{forbidden}");
    }
    let res = app.get(&path, MANAGER).await;
    assert_eq!(res.body["city"], "Lyon");
    assert_eq!(res.body["notes"], "Late payer");
    assert_eq!(res.body["email"], "me@example.com");

    let res = app
        .patch(
            &format!("/v1/clients/{}", id(&other)),
            "client:42",
            &json!({"city": "X"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.get(&format!("{path}/audit"), MANAGER).await;
    assert_eq!(res.body["items"][0]["actor"], "client:42");
}

#[tokio::test]
async fn employees_read_profiles_but_do_not_edit_them() {
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({"first_name": "A", "notes": "n"}))
        .await;
    let path = format!("/v1/clients/{}", id(&c));
    let res = app.get(&path, "employee:3").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["notes"], "n");
    assert_eq!(
        app.get("/v1/clients", "employee:3").await.status,
        StatusCode::OK
    );
    let res = app
        .patch(&path, "employee:3", &json!({"first_name": "B"}))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_uploaded_photo_is_checked_stored_and_served_with_its_real_type() {
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({"first_name": "A", "wp_user_id": 5, "avatar": "cat"}))
        .await;
    let path = format!("/v1/clients/{}/avatar", id(&c));

    let res = app
        .request(
            Method::PUT,
            &path,
            MANAGER,
            Some(&json!({"image": STANDARD.encode(PNG)})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["avatar"], "upload");
    assert_eq!(res.body["avatar_url"], path);

    let res = app.get(&path, MANAGER).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.content_type, "image/png");
    let bytes = app
        .scalar::<Vec<u8>>(&format!(
            "SELECT image FROM {{p}}volixta_client_avatars WHERE client_id = {}",
            id(&c)
        ))
        .await;
    assert_eq!(bytes, PNG);
    assert_eq!(app.get(&path, "client:5").await.status, StatusCode::OK);
    assert_eq!(
        app.get(&path, "client:6").await.status,
        StatusCode::NOT_FOUND
    );

    // HTML claiming to be a PNG, as raw bytes and as base64; too large; not base64.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let res = app
        .request_with(
            Method::PUT,
            &path,
            MANAGER,
            Some(html.clone()),
            &[("Content-Type", "image/png")],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .request(
            Method::PUT,
            &path,
            MANAGER,
            Some(&json!({"image": STANDARD.encode(&html)})),
        )
        .await;
    assert!(res.body["error"]["fields"]["image"].is_string());
    let mut big = PNG.to_vec();
    big.resize(1024 * 1024 + 1, 0);
    let res = app
        .request_with(
            Method::PUT,
            &path,
            MANAGER,
            Some(big),
            &[("Content-Type", "application/octet-stream")],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .request(Method::PUT, &path, MANAGER, Some(&json!({"image": "%%%"})))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get(&path, MANAGER).await.content_type, "image/png");

    // A GIF as raw bytes, by the client itself; then back to a default avatar drops the upload.
    let res = app
        .request_with(
            Method::PUT,
            &path,
            "client:5",
            Some(b"GIF89a\x01\0\x01\0\0\0\0;".to_vec()),
            &[("Content-Type", "text/html")],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(app.get(&path, MANAGER).await.content_type, "image/gif");
    app.patch(
        &format!("/v1/clients/{}", id(&c)),
        "client:5",
        &json!({"avatar": "owl"}),
    )
    .await;
    assert_eq!(app.get(&path, MANAGER).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_client_avatars")
            .await,
        0
    );
    let res = app.get("/v1/client-avatars", "client:5").await;
    assert!(
        res.body
            .as_array()
            .is_some_and(|a| a.contains(&json!("owl")))
    );
}

#[test]
fn every_crm_endpoint_is_in_the_openapi_document() {
    let spec = serde_json::to_value(volixta_service::openapi()).expect("json");
    for (path, method) in [
        ("/v1/clients/{id}", "patch"),
        ("/v1/clients/{id}/audit", "get"),
        ("/v1/clients/{id}/avatar", "put"),
        ("/v1/clients/{id}/avatar", "get"),
        ("/v1/clients/{id}/merge", "post"),
        ("/v1/clients/{id}/rewards", "post"),
        ("/v1/clients/duplicates", "get"),
        ("/v1/clients/duplicates/dismiss", "post"),
        ("/v1/clients/import", "post"),
        ("/v1/clients/export.csv", "get"),
        ("/v1/client-statuses/{id}", "patch"),
        ("/v1/client-groups/{id}/members", "post"),
        ("/v1/client-avatars", "get"),
        ("/v1/audit", "get"),
    ] {
        assert!(spec["paths"][path][method].is_object(), "{method} {path}");
    }
    let list = &spec["paths"]["/v1/clients"]["get"]["parameters"];
    let names: Vec<&str> = list
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in [
        "search",
        "status",
        "group_id",
        "unused_service_ids",
        "booked_from",
        "active_bookings",
        "sort",
        "after",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
}
