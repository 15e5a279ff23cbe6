use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_portal_fragment_shows_name_and_balance_escaped() {
    let app = TestApp::spawn().await;
    let c = app.create_client(json!({"first_name": "Ada", "last_name": "<b>Lovelace</b>", "wp_user_id": 42, "email": "ada@example.com"})).await;
    app.post(
        &format!("/v1/clients/{}/wallet/adjustments", c["id"]),
        MANAGER,
        &json!({"amount": "50.00", "reason": "Welcome & thanks"}),
    )
    .await;
    let res = app.get("/v1/render/customer_profile", "client:42").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.content_type.starts_with("text/html"),
        "{}",
        res.content_type
    );
    assert!(
        res.text
            .contains(r#"data-volixta-fragment="customer_profile""#)
    );
    assert!(
        res.text.contains("Ada &lt;b&gt;Lovelace&lt;&#x2f;b&gt;"),
        "{}",
        res.text
    );
    assert!(!res.text.contains("<b>Lovelace"));
    assert!(res.text.contains("€50.00"));
    assert!(res.text.contains("Welcome &amp; thanks"));
}

#[tokio::test]
async fn only_a_linked_client_gets_a_portal() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/v1/render/customer_profile", "client:99")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v1/render/customer_profile", MANAGER).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/render/customer_profile", "guest:0")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_portal_lists_upcoming_bookings_on_the_locations_clock() {
    let app = TestApp::spawn().await;
    let client = app
        .create_client(json!({"first_name": "Ada", "wp_user_id": 42}))
        .await;
    let post = |path: &'static str, body: serde_json::Value| {
        let app = app.handle();
        async move {
            let res = app.post(path, MANAGER, &body).await;
            assert_eq!(res.status, StatusCode::CREATED, "{path}: {}", res.text);
            res.body["id"].as_u64().expect("id")
        }
    };
    let location = post(
        "/v1/locations",
        json!({"name": "Rive Gauche", "timezone": "Europe/Paris"}),
    )
    .await;
    let service = post(
        "/v1/services",
        json!({"name": "Massage <deep>", "duration_minutes": 60, "price": "50.00",
        "buffer_before_minutes": 0, "buffer_after_minutes": 0, "capacity": 1}),
    )
    .await;
    let hours: Vec<_> = (1..=7)
        .map(|d| json!({"location_id": location, "weekday": d, "start": "00:00", "end": "23:59"}))
        .collect();
    let staff = post("/v1/staff", json!({"first_name": "Grace", "last_name": "Hopper", "service_ids": [service], "working_hours": hours})).await;
    // 09:00 UTC in ten days is 10:00 or 11:00 in Paris, never 09:00.
    let day = (chrono::Utc::now() + chrono::Duration::days(10)).date_naive();
    let start = day.and_hms_opt(9, 0, 0).expect("time").and_utc();
    let booked = app
        .post(
            "/v1/bookings",
            MANAGER,
            &json!({"client_id": client["id"], "service_id": service,
        "location_id": location, "staff_id": staff, "start": start.to_rfc3339()}),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.text);
    let paris = start
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%H:%M")
        .to_string();

    let res = app.get("/v1/render/customer_profile", "client:42").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.text
            .contains(&format!(r#"data-booking-id="{}""#, booked.body["id"])),
        "{}",
        res.text
    );
    assert!(res.text.contains("Massage &lt;deep&gt;"));
    assert!(res.text.contains("with Grace Hopper · Rive Gauche"));
    assert!(res.text.contains(&format!("{paris}–")), "{}", res.text);
    assert!(res.text.contains("€50.00 to pay"));
    assert!(
        res.text.contains(&format!(
            r#"data-volixta-action="bookings/{}/cancel""#,
            booked.body["id"]
        )),
        "{}",
        res.text
    );

    // Inside the change notice (24 h by default) the client may no longer cancel online.
    let soon_start = chrono::Utc::now() + chrono::Duration::hours(3);
    let soon_start =
        soon_start - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&soon_start)));
    let soon_booking = app.post("/v1/bookings", MANAGER, &json!({"client_id": client["id"], "service_id": service,
        "location_id": location, "staff_id": staff, "start": soon_start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)})).await;
    assert_eq!(
        soon_booking.status,
        StatusCode::CREATED,
        "{}",
        soon_booking.text
    );
    let res = app.get("/v1/render/customer_profile", "client:42").await;
    assert!(
        res.text
            .contains(&format!(r#"data-booking-id="{}""#, soon_booking.body["id"]))
    );
    assert!(
        !res.text
            .contains(&format!(r#"bookings/{}/cancel"#, soon_booking.body["id"])),
        "{}",
        res.text
    );
    app.post(
        &format!("/v1/bookings/{}/cancel", soon_booking.body["id"]),
        MANAGER,
        &json!({}),
    )
    .await;

    // A cancelled booking no longer shows.
    app.post(
        &format!("/v1/bookings/{}/cancel", booked.body["id"]),
        MANAGER,
        &json!({}),
    )
    .await;
    let res = app.get("/v1/render/customer_profile", "client:42").await;
    assert!(res.text.contains("No upcoming bookings."));
}
