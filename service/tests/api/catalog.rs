use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn create(app: &TestApp, path: &str, body: Value) -> Value {
    let res = app.post(path, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{path}: {}", res.text);
    res.body
}

pub fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

#[tokio::test]
async fn contract_shapes_create_and_read_back() {
    let app = TestApp::spawn().await;
    let paris = create(
        &app,
        "/v1/locations",
        json!({"name": "Paris", "timezone": "Europe/Paris", "address": "1 rue de Rivoli",
               "opening_hours": [{"weekday": 1, "start": "08:00", "end": "20:00"}]}),
    )
    .await;
    assert_eq!(paris["timezone"], "Europe/Paris");
    assert_eq!(paris["opening_hours"][0]["start"], "08:00");
    let cut = create(
        &app,
        "/v1/services",
        json!({"name": "Haircut", "category": "Hair", "duration_minutes": 45, "price": "35.00",
               "buffer_before_minutes": 5, "buffer_after_minutes": 10, "capacity": 1}),
    )
    .await;
    assert_eq!(cut["price"], "35.00");
    assert_eq!(cut["category"], "Hair");
    assert_eq!(cut["buffer_after_minutes"], 10);
    let ann = create(
        &app,
        "/v1/staff",
        json!({"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com",
               "service_ids": [id(&cut)],
               "working_hours": [
                   {"location_id": id(&paris), "weekday": 1, "start": "09:00", "end": "17:00"},
                   {"location_id": id(&paris), "weekday": 2, "start": "09:00", "end": "12:30"}]}),
    )
    .await;
    assert_eq!(ann["service_ids"], json!([id(&cut)]));
    assert_eq!(ann["working_hours"][1]["end"], "12:30");
    assert_eq!(ann["working_hours"][1]["location_id"], id(&paris));

    // The staff link shows from the service's side too, and a second service reuses "Hair".
    let got = app
        .get(&format!("/v1/services/{}", id(&cut)), "guest:0")
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["staff_ids"], json!([id(&ann)]));
    let colour = create(
        &app,
        "/v1/services",
        json!({"name": "Colour", "category": "Hair", "duration_minutes": 90, "price": 80}),
    )
    .await;
    assert_eq!(colour["category_id"], cut["category_id"]);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_service_categories")
            .await,
        1
    );
}

#[tokio::test]
async fn guests_read_the_catalog_but_see_only_staff_names() {
    let app = TestApp::spawn().await;
    let loc = create(
        &app,
        "/v1/locations",
        json!({"name": "A", "timezone": "UTC"}),
    )
    .await;
    create(
        &app,
        "/v1/staff",
        json!({"first_name": "Bo", "email": "bo@example.com", "phone": "+44 20 7946 0000",
               "working_hours": [{"location_id": id(&loc), "weekday": 3, "start": "10:00", "end": "11:00"}]}),
    )
    .await;
    let guest = app.get("/v1/staff", "guest:0").await;
    assert_eq!(guest.status, StatusCode::OK);
    assert_eq!(guest.body[0]["first_name"], "Bo");
    assert!(guest.body[0].get("email").is_none(), "{}", guest.text);
    assert!(guest.body[0].get("working_hours").is_none());
    let manager = app.get("/v1/staff", MANAGER).await;
    assert_eq!(manager.body[0]["email"], "bo@example.com");
    assert_eq!(manager.body[0]["phone"], "+442079460000");
    let filtered = app
        .get(&format!("/v1/staff?location_id={}", id(&loc) + 1), MANAGER)
        .await;
    assert_eq!(filtered.body, json!([]));

    for (path, body) in [
        ("/v1/locations", json!({"name": "X", "timezone": "UTC"})),
        (
            "/v1/services",
            json!({"name": "X", "duration_minutes": 30, "price": "1"}),
        ),
        ("/v1/staff", json!({"first_name": "X"})),
    ] {
        for actor in ["client:5", "employee:2", "guest:0"] {
            let res = app.post(path, actor, &body).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} as {actor}");
        }
    }
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_staff")
            .await,
        1
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let loc = create(
        &app,
        "/v1/locations",
        json!({"name": "A", "timezone": "America/New_York"}),
    )
    .await;
    let cases = [
        (
            "/v1/locations",
            json!({"name": "B", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
        ("/v1/locations", json!({"name": "B"}), "timezone"),
        (
            "/v1/locations",
            json!({"name": " ", "timezone": "UTC"}),
            "name",
        ),
        (
            "/v1/locations",
            json!({"name": "B", "timezone": "UTC", "opening_hours": [{"weekday": 8, "start": "09:00", "end": "10:00"}]}),
            "opening_hours[0].weekday",
        ),
        (
            "/v1/services",
            json!({"name": "S", "price": "10"}),
            "duration_minutes",
        ),
        (
            "/v1/services",
            json!({"name": "S", "duration_minutes": 30, "price": "1.005"}),
            "",
        ),
        (
            "/v1/services",
            json!({"name": "S", "duration_minutes": 30, "price": "10", "capacity": 0}),
            "capacity",
        ),
        (
            "/v1/services",
            json!({"name": "S", "duration_minutes": 30, "price": "10", "location_ids": [999]}),
            "location_ids",
        ),
        (
            "/v1/services",
            json!({"name": "S", "duration_minutes": 600, "price": "10",
                   "addons": [{"name": "Long", "price": "5", "duration_minutes": 300, "max_quantity": 3}]}),
            "duration_minutes",
        ),
        (
            "/v1/staff",
            json!({"first_name": "C", "working_hours": [{"location_id": 999, "weekday": 1, "start": "09:00", "end": "17:00"}]}),
            "working_hours",
        ),
        (
            "/v1/staff",
            json!({"first_name": "C", "working_hours": [{"location_id": id(&loc), "weekday": 1, "start": "17:00", "end": "09:00"}]}),
            "working_hours[0].end",
        ),
        (
            "/v1/staff",
            json!({"first_name": "C", "email": "not-an-email"}),
            "email",
        ),
        (
            "/v1/staff",
            json!({"first_name": "C", "service_ids": [42]}),
            "service_ids",
        ),
        (
            "/v1/staff",
            json!({"first_name": "C", "days_off": [{"date": "2026-12-10", "until": "2026-12-01"}]}),
            "days_off[0].until",
        ),
    ];
    for (path, body, field) in cases {
        let res = app.post(path, MANAGER, &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        if !field.is_empty() {
            assert!(
                res.body["error"]["fields"].get(field).is_some(),
                "{body}: expected field {field}, got {}",
                res.text
            );
        }
    }
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_locations")
            .await,
        1
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_services")
            .await,
        0
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_staff")
            .await,
        0
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_service_categories")
            .await,
        0
    );
}

#[tokio::test]
async fn patches_change_only_what_they_name() {
    let app = TestApp::spawn().await;
    let loc = create(
        &app,
        "/v1/locations",
        json!({"name": "A", "timezone": "UTC"}),
    )
    .await;
    let svc = create(
        &app,
        "/v1/services",
        json!({"name": "Massage", "duration_minutes": 60, "price": "50",
               "addons": [{"name": "Hot stones", "price": "10", "duration_minutes": 15},
                          {"name": "Oil", "price": "3"}],
               "time_rules": {"slot_interval_minutes": 30}}),
    )
    .await;
    let stones = svc["addons"][0]["id"].as_u64().expect("addon id");
    assert_eq!(svc["time_rules"]["slot_interval_minutes"], 30);
    assert_eq!(svc["time_rules"]["min_booking_notice_minutes"], Value::Null);

    let path = format!("/v1/services/{}", id(&svc));
    let res = app
        .patch(
            &path,
            MANAGER,
            &json!({"price": "55.50", "location_ids": [id(&loc)],
                    "addons": [{"id": stones, "name": "Hot stones", "price": "12", "duration_minutes": 20, "max_quantity": 2}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["price"], "55.50");
    assert_eq!(res.body["name"], "Massage");
    assert_eq!(res.body["location_ids"], json!([id(&loc)]));
    assert_eq!(res.body["addons"].as_array().map(Vec::len), Some(1));
    assert_eq!(res.body["addons"][0]["id"], stones);
    assert_eq!(res.body["addons"][0]["max_quantity"], 2);
    assert_eq!(res.body["time_rules"]["slot_interval_minutes"], 30);
    // The retired add-on is kept for the bookings that name it.
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_service_addons WHERE active = 0")
            .await,
        1
    );

    let other = create(
        &app,
        "/v1/services",
        json!({"name": "Other", "duration_minutes": 30, "price": "1",
        "addons": [{"name": "X", "price": "1"}]}),
    )
    .await;
    let foreign = other["addons"][0]["id"].as_u64().expect("id");
    let res = app
        .patch(
            &path,
            MANAGER,
            &json!({"addons": [{"id": foreign, "name": "Stolen", "price": "1"}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    let res = app.patch(&path, MANAGER, &json!({"active": false})).await;
    assert_eq!(res.body["active"], false);
    assert_eq!(
        app.get(&path, "guest:0").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path, MANAGER).await.status, StatusCode::OK);
    let listed = app.get("/v1/services", "client:3").await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));

    let staff = create(
        &app,
        "/v1/staff",
        json!({"first_name": "Dee", "wp_user_id": 7}),
    )
    .await;
    let res = app
        .patch(
            &format!("/v1/staff/{}", id(&staff)),
            MANAGER,
            &json!({"working_hours": [{"location_id": id(&loc), "weekday": 5, "start": "10:00", "end": "24:00"}],
                    "breaks": [{"weekday": 5, "start": "13:00", "end": "14:00"}],
                    "days_off": [{"date": "2026-12-24", "until": "2026-12-26", "reason": "Holidays"}],
                    "special_days": [{"date": "2026-12-31", "location_id": id(&loc), "start": "10:00", "end": "14:00"}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["first_name"], "Dee");
    assert_eq!(res.body["wp_user_id"], 7);
    assert_eq!(res.body["working_hours"][0]["end"], "24:00");
    assert_eq!(res.body["days_off"][0]["until"], "2026-12-26");
    assert_eq!(res.body["special_days"][0]["start"], "10:00");
    let taken = app
        .post(
            "/v1/staff",
            MANAGER,
            &json!({"first_name": "Eve", "wp_user_id": 7}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.code(), "wp_user_taken");
    assert_eq!(
        app.patch("/v1/staff/999", MANAGER, &json!({"active": false}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn concurrent_services_share_one_new_category() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let app = if i % 2 == 0 { app.handle() } else { replica.handle() };
            tokio::spawn(async move {
                let res = app
                    .post(
                        "/v1/services",
                        MANAGER,
                        &json!({"name": format!("Cut {i}"), "category": "Hair", "duration_minutes": 30, "price": "20"}),
                    )
                    .await;
                assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
                res.body["category_id"].as_u64().expect("category id")
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.expect("task"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_service_categories")
            .await,
        1
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(DISTINCT category_id) FROM {p}volixta_services WHERE category_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_services")
            .await,
        8
    );
}
