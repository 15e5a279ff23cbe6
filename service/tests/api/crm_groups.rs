//! Client groups, list filters and sorting.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

fn first_names(res: &Response) -> Vec<String> {
    res.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["first_name"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn groups_are_created_renamed_filled_in_bulk_and_deleted() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for name in ["A", "B", "C", "D"] {
        ids.push(id(&app.create_client(json!({"first_name": name})).await));
    }
    let res = app
        .post(
            "/v1/client-groups",
            MANAGER,
            &json!({"name": "Yoga", "description": "Tuesday class"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let group = id(&res.body);
    let res = app
        .post("/v1/client-groups", MANAGER, &json!({"name": "yoga"}))
        .await;
    assert_eq!(res.code(), "group_name_taken");
    let res = app
        .post("/v1/client-groups", MANAGER, &json!({"name": ""}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    let members = format!("/v1/client-groups/{group}/members");
    // An unknown id refuses the whole request.
    let res = app
        .post(&members, MANAGER, &json!({"client_ids": [ids[0], 999_999]}))
        .await;
    assert_eq!(res.code(), "unknown_clients");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_client_group_members")
            .await,
        0
    );
    let res = app
        .post(
            &members,
            MANAGER,
            &json!({"client_ids": [ids[0], ids[1], ids[2], ids[0]]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["changed"], 3);
    assert_eq!(res.body["group"]["clients"], 3);
    let res = app
        .post(&members, MANAGER, &json!({"client_ids": [ids[1], ids[3]]}))
        .await;
    assert_eq!(res.body["changed"], 1);

    let res = app
        .get(&format!("/v1/clients?group_id={group}"), MANAGER)
        .await;
    assert_eq!(first_names(&res), ["A", "B", "C", "D"]);
    let res = app
        .post(
            &format!("{members}/remove"),
            MANAGER,
            &json!({"client_ids": [ids[1]]}),
        )
        .await;
    assert_eq!(res.body["changed"], 1);
    let res = app
        .get(&format!("/v1/clients?group_id={group}"), MANAGER)
        .await;
    assert_eq!(first_names(&res), ["A", "C", "D"]);
    let res = app.get(&format!("/v1/clients/{}", ids[0]), MANAGER).await;
    assert_eq!(res.body["groups"], json!([group]));

    let res = app
        .patch(
            &format!("/v1/client-groups/{group}"),
            MANAGER,
            &json!({"name": "Pilates"}),
        )
        .await;
    assert_eq!(res.body["name"], "Pilates");
    assert_eq!(res.body["description"], "Tuesday class");

    let res = app
        .get(&format!("/v1/clients/{}/audit", ids[1]), MANAGER)
        .await;
    let actions: Vec<&str> = res.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, ["group_removed", "group_added", "create"]);

    let res = app
        .delete(&format!("/v1/client-groups/{group}"), MANAGER)
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_client_group_members")
            .await,
        0
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients WHERE live = 1")
            .await,
        4
    );
    assert_eq!(
        app.get(&format!("/v1/client-groups/{group}"), MANAGER)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post("/v1/client-groups", "client:1", &json!({"name": "X"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_list_filters_by_status_blocked_and_subscription() {
    let app = TestApp::spawn().await;
    app.create_client(
        json!({"first_name": "Vip", "status": "VIP", "notifications": {"marketing": true}}),
    )
    .await;
    app.create_client(json!({"first_name": "New"})).await;
    app.create_client(json!({"first_name": "Blocked", "status": "VIP", "blocked": true, "notifications": {"marketing": true}}))
        .await;
    let gone = app
        .create_client(json!({"first_name": "Gone", "status": "VIP"}))
        .await;
    app.delete(&format!("/v1/clients/{}", id(&gone)), MANAGER)
        .await;

    let get = |q: &'static str| {
        let app = &app;
        async move { app.get(&format!("/v1/clients?{q}"), MANAGER).await }
    };
    assert_eq!(first_names(&get("status=VIP").await), ["Vip", "Blocked"]);
    assert_eq!(
        first_names(&get("status=VIP,New").await),
        ["Vip", "New", "Blocked"]
    );
    assert_eq!(first_names(&get("blocked=true").await), ["Blocked"]);
    // A blocked client receives no marketing, whatever it opted into.
    assert_eq!(first_names(&get("subscribed=marketing").await), ["Vip"]);
    assert_eq!(
        first_names(&get("subscribed=reminders").await),
        ["Vip", "New"]
    );
    assert_eq!(
        first_names(&get("status=VIP&include_deleted=true").await),
        ["Vip", "Blocked", "Gone"]
    );
    let res = get("subscribed=carrier-pigeon").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sorting_by_name_pages_through_every_client_once() {
    let app = TestApp::spawn().await;
    let people = [
        ("Zoë", "Adams"),
        ("Ann", "Smith"),
        ("Bob", "Smith"),
        ("Ann", "smith"),
        ("Émile", "Zola"),
        ("Cat", "Brown"),
        ("Dan", ""),
    ];
    for (first, last) in people {
        app.create_client(json!({"first_name": first, "last_name": last}))
            .await;
    }
    for (sort, expect_first) in [("name", "Dan"), ("-name", "Émile")] {
        let mut seen = Vec::new();
        let mut ids = Vec::new();
        let mut after = String::new();
        loop {
            let res = app
                .get(
                    &format!("/v1/clients?sort={sort}&limit=2&after={after}"),
                    MANAGER,
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            seen.extend(first_names(&res));
            ids.extend(res.body["items"].as_array().expect("items").iter().map(id));
            match res.body["next_cursor"].as_str() {
                Some(c) => after = c.to_owned(),
                None => break,
            }
        }
        assert_eq!(seen.len(), people.len(), "{sort}: {seen:?}");
        assert_eq!(seen[0], expect_first);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), people.len());
    }
    let res = app.get("/v1/clients?sort=last_name&limit=1", MANAGER).await;
    assert_eq!(
        first_names(&res),
        ["Dan"],
        "last_name is another name for the name order"
    );
    let res = app.get("/v1/clients?sort=-id&limit=1", MANAGER).await;
    assert_eq!(first_names(&res), ["Dan"]);
    let res = app.get("/v1/clients?sort=name&after=12", MANAGER).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn blocked_clients_and_permission_levels_gate_online_actions() {
    use volixta_service::clients::{ClientError, PortalAction, portal_rights};
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({"first_name": "A", "permissions": {"cancel": false}}))
        .await;
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    let rights = portal_rights(&mut conn, &app.db, id(&c))
        .await
        .expect("read")
        .expect("a live client");
    assert!(rights.allow(PortalAction::Book).is_ok());
    assert!(matches!(
        rights.allow(PortalAction::Cancel),
        Err(ClientError::NotPermitted("cancel"))
    ));
    app.patch(
        &format!("/v1/clients/{}", id(&c)),
        MANAGER,
        &json!({"blocked": true}),
    )
    .await;
    let rights = portal_rights(&mut conn, &app.db, id(&c))
        .await
        .expect("read")
        .expect("a live client");
    assert!(matches!(
        rights.allow(PortalAction::Book),
        Err(ClientError::Blocked)
    ));
    assert!(matches!(
        rights.allow(PortalAction::Reschedule),
        Err(ClientError::Blocked)
    ));
}

#[tokio::test]
async fn the_list_filters_by_what_clients_booked_and_when() {
    use crate::crm_merge::{book, catalog};
    let app = TestApp::spawn().await;
    let cat = catalog(&app).await;
    let hair = app
        .scalar::<u64>(&format!(
            "SELECT category_id FROM {{p}}volixta_services WHERE id = {}",
            cat.cut
        ))
        .await;
    let spa = app
        .scalar::<u64>(&format!(
            "SELECT category_id FROM {{p}}volixta_services WHERE id = {}",
            cat.massage
        ))
        .await;
    let ann = id(&app.create_client(json!({"first_name": "Ann"})).await);
    let bob = id(&app.create_client(json!({"first_name": "Bob"})).await);
    let cat_ = id(&app.create_client(json!({"first_name": "Cat"})).await);
    app.create_client(json!({"first_name": "Dan"})).await;
    book(&app, &cat, ann, cat.cut, "2026-03-02 10:00:00", "completed").await;
    book(
        &app,
        &cat,
        ann,
        cat.massage,
        "2099-05-04 10:00:00",
        "confirmed",
    )
    .await;
    book(&app, &cat, bob, cat.cut, "2026-04-01 09:00:00", "no_show").await;
    // A cancelled booking is no use of the service.
    book(
        &app,
        &cat,
        cat_,
        cat.massage,
        "2026-03-10 10:00:00",
        "cancelled",
    )
    .await;

    let get = |q: String| {
        let app = &app;
        async move { first_names(&app.get(&format!("/v1/clients?{q}"), MANAGER).await) }
    };
    assert_eq!(
        get(format!("used_service_ids={}", cat.cut)).await,
        ["Ann", "Bob"]
    );
    assert_eq!(
        get(format!("used_service_ids={},{}", cat.cut, cat.massage)).await,
        ["Ann", "Bob"]
    );
    assert_eq!(get(format!("used_category_ids={spa}")).await, ["Ann"]);
    assert_eq!(
        get(format!("unused_service_ids={}", cat.massage)).await,
        ["Bob", "Cat", "Dan"]
    );
    assert_eq!(
        get(format!("unused_category_ids={hair}")).await,
        ["Cat", "Dan"]
    );
    assert_eq!(
        get(format!(
            "used_category_ids={hair}&unused_category_ids={spa}"
        ))
        .await,
        ["Bob"]
    );
    assert_eq!(
        get("booked_from=2026-03-01&booked_to=2026-03-31".into()).await,
        ["Ann"]
    );
    assert_eq!(
        get("booked_from=2026-04-01&booked_to=2026-04-01".into()).await,
        ["Bob"]
    );
    assert_eq!(get("booked_from=2026-03-01".into()).await, ["Ann", "Bob"]);
    assert_eq!(get("active_bookings=true".into()).await, ["Ann"]);
    assert_eq!(
        get("active_bookings=false".into()).await,
        ["Bob", "Cat", "Dan"]
    );
    assert_eq!(
        get("active_bookings=true&booked_from=2026-01-01&booked_to=2026-12-31".into()).await,
        Vec::<String>::new()
    );
    let res = app.get("/v1/clients?used_service_ids=1,x", MANAGER).await;
    assert!(
        res.body["error"]["fields"]["used_service_ids"].is_string(),
        "{}",
        res.text
    );
    let res = app
        .get(
            "/v1/clients?booked_from=2026-05-01&booked_to=2026-04-01",
            MANAGER,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn search_finds_name_words_email_and_any_part_of_the_phone_after_edits() {
    let app = TestApp::spawn().await;
    let c = app
        .create_client(json!({"first_name": "Émile", "last_name": "Dubois-Martin", "email": "emile.d@mail.example", "phone": "+44 20 7946 0123"}))
        .await;
    app.create_client(json!({"first_name": "Emily", "last_name": "Stone"}))
        .await;
    let found = |q: &'static str| {
        let app = &app;
        async move { first_names(&app.get(&format!("/v1/clients?search={q}"), MANAGER).await) }
    };
    assert_eq!(found("emile").await, ["Émile"]);
    assert_eq!(found("EMIL").await, ["Émile", "Emily"]);
    assert_eq!(found("martin%20emile").await, ["Émile"]);
    assert_eq!(found("emile.d%40mail").await, ["Émile"]);
    assert_eq!(found("020%207946").await, ["Émile"]);
    assert_eq!(found("0123").await, ["Émile"]);
    assert_eq!(found("%2B44%2020%207946%200123").await, ["Émile"]);
    assert!(
        found("mile").await.is_empty(),
        "words match from their start"
    );
    // An edit re-indexes: the old name no longer finds the client.
    app.patch(
        &format!("/v1/clients/{}", id(&c)),
        MANAGER,
        &json!({"last_name": "Rossi", "phone": null}),
    )
    .await;
    assert!(found("dubois").await.is_empty());
    assert_eq!(found("rossi").await, ["Émile"]);
    assert!(found("0123").await.is_empty());
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_client_search WHERE token LIKE '%0123'")
            .await,
        0
    );
}
