use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_and_read_a_client() {
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({"first_name": " Ann ", "last_name": "Öztürk", "email": "ann@example.com", "phone": "+44 20 7946 0000"}))
        .await;
    assert_eq!(c["first_name"], "Ann");
    assert_eq!(c["phone"], "+442079460000");
    assert_eq!(c["wallet_balance"], "0.00");
    assert_eq!(c["status"], "New");
    let res = app.get(&format!("/v1/clients/{}", c["id"]), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["email"], "ann@example.com");
}

#[tokio::test]
async fn first_name_and_a_valid_email_are_required() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/v1/clients", MANAGER, &json!({"last_name": "Doe"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body["error"]["fields"]["first_name"].is_string());
    let res = app
        .post(
            "/v1/clients",
            MANAGER,
            &json!({"first_name": "Jo", "email": "jo@"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body["error"]["fields"]["email"].is_string());
    let res = app
        .post(
            "/v1/clients",
            MANAGER,
            &json!({"first_name": "Jo", "phone": "0207"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        0
    );
}

#[tokio::test]
async fn only_managers_create_clients() {
    let app = TestApp::spawn().await;
    for actor in ["client:5", "employee:2", "guest:0"] {
        let res = app
            .post("/v1/clients", actor, &json!({"first_name": "X"}))
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor}");
    }
    assert_eq!(
        app.post("/v1/clients", ADMIN, &json!({"first_name": "X"}))
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_client_limit_holds_on_create_and_on_restore() {
    let app = TestApp::spawn().await;
    app.patch("/v1/settings", ADMIN, &json!({"client_limit": 2}))
        .await;
    let a = app.create_client(json!({"first_name": "A"})).await;
    app.create_client(json!({"first_name": "B"})).await;
    let res = app
        .post("/v1/clients", MANAGER, &json!({"first_name": "C"}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "client_limit_reached");

    let id = a["id"].as_u64().expect("id");
    assert_eq!(
        app.delete(&format!("/v1/clients/{id}"), MANAGER)
            .await
            .status,
        StatusCode::OK
    );
    app.create_client(json!({"first_name": "C"})).await;
    let res = app
        .post(&format!("/v1/clients/{id}/restore"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "client_limit_reached");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients WHERE deleted_at IS NULL")
            .await,
        2
    );
}

#[tokio::test]
async fn the_limit_holds_under_concurrent_creates_on_two_replicas() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    app.patch("/v1/settings", ADMIN, &json!({"client_limit": 5}))
        .await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let target = if i % 2 == 0 {
            app.address.clone()
        } else {
            other.address.clone()
        };
        let mut probe = app.handle();
        probe.address = target;
        tasks.push(tokio::spawn(async move {
            probe
                .post(
                    "/v1/clients",
                    MANAGER,
                    &json!({"first_name": format!("P{i}")}),
                )
                .await
                .status
        }));
    }
    let mut created = 0;
    for t in tasks {
        if t.await.expect("task") == StatusCode::CREATED {
            created += 1;
        }
    }
    assert_eq!(created, 5);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        5
    );
}

#[tokio::test]
async fn deleted_clients_are_restored() {
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({"first_name": "Del", "wp_user_id": 77}))
        .await;
    let id = c["id"].as_u64().expect("id");
    let res = app.delete(&format!("/v1/clients/{id}"), MANAGER).await;
    assert!(res.body["deleted_at"].is_string());
    // The WordPress user is free again while the client is deleted …
    let other = app
        .create_client(json!({"first_name": "New", "wp_user_id": 77}))
        .await;
    // … so restoring the old one would link one user twice.
    let res = app
        .post(&format!("/v1/clients/{id}/restore"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.code(), "wp_user_taken");
    app.delete(&format!("/v1/clients/{}", other["id"]), MANAGER)
        .await;
    let res = app
        .post(&format!("/v1/clients/{id}/restore"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.body["deleted_at"].is_null());
}

#[tokio::test]
async fn a_wordpress_user_links_to_one_live_client() {
    let app = TestApp::spawn().await;
    app.create_client(json!({"first_name": "A", "wp_user_id": 9}))
        .await;
    let res = app
        .post(
            "/v1/clients",
            MANAGER,
            &json!({"first_name": "B", "wp_user_id": 9}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "wp_user_taken");
}

#[tokio::test]
async fn a_client_sees_itself_and_no_one_else() {
    let app = TestApp::spawn().await;
    let me = app
        .create_client(json!({"first_name": "Me", "wp_user_id": 42}))
        .await;
    let them = app
        .create_client(json!({"first_name": "Them", "wp_user_id": 43}))
        .await;
    let res = app
        .get(&format!("/v1/clients/{}", me["id"]), "client:42")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .get(&format!("/v1/clients/{}", them["id"]), "client:42")
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .get(&format!("/v1/clients/{}/wallet", them["id"]), "client:42")
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/v1/clients", "client:42").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn search_ignores_case_and_accents() {
    let app = TestApp::spawn().await;
    app.create_client(
        json!({"first_name": "Zoë", "last_name": "Ångström", "email": "zoe@example.com"}),
    )
    .await;
    app.create_client(json!({"first_name": "Bob", "phone": "+33 1 23 45 67 89"}))
        .await;
    let names = |res: &Response| -> Vec<String> {
        res.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| c["first_name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get("/v1/clients?search=zoe%20angstrom", MANAGER).await),
        ["Zoë"]
    );
    assert_eq!(
        names(&app.get("/v1/clients?search=ZOE%40EXAMPLE", MANAGER).await),
        ["Zoë"]
    );
    assert_eq!(
        names(&app.get("/v1/clients?search=23%2045", MANAGER).await),
        ["Bob"]
    );
}

#[tokio::test]
async fn the_list_pages_with_a_keyset_cursor() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        app.create_client(json!({"first_name": format!("C{i}")}))
            .await;
    }
    let first = app.get("/v1/clients?limit=3", MANAGER).await;
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(3));
    let cursor = first.body["next_cursor"].as_str().expect("cursor");
    let second = app
        .get(&format!("/v1/clients?limit=3&after={cursor}"), MANAGER)
        .await;
    assert_eq!(second.body["items"].as_array().map(Vec::len), Some(2));
    assert!(second.body["next_cursor"].is_null());
}
