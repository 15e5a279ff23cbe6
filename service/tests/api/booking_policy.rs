//! One policy for who is bound by what: the slots availability offers a caller are the slots that
//! caller may book, for the minimum booking notice in particular.
use crate::bookings::{add_staff, at, book, booking, client, id, massage, rfc, shop};
use crate::helpers::*;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The starts offered on `at`'s date for one staff member, as `actor` sees them.
async fn offered(
    app: &TestApp,
    actor: &str,
    s: &crate::bookings::Shop,
    staff: u64,
    day: DateTime<Utc>,
) -> Vec<String> {
    let date = day.date_naive();
    let res = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&staff_id={staff}&from={date}&to={date}",
                s.service, s.location
            ),
            actor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|d| d["slots"].as_array().cloned().unwrap_or_default())
        .map(|s| s["start"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn an_employee_is_offered_exactly_the_slots_inside_notice_it_may_book() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let own = add_staff(&app, s.location, s.service, Some(88)).await;
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/staff/{own}/booking-permissions"),
            MANAGER,
            Some(&json!({"can_edit_bookings": true, "can_cancel_bookings": true})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // Three days' notice: every slot of tomorrow lies inside it.
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"min_booking_notice_minutes": 3 * 24 * 60}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let ann = client(&app, 2301).await;
    let tomorrow = at(1, 10, 0);

    // The employee acts for the business: the slot is offered, and it may book it.
    let for_employee = offered(&app, "employee:88", &s, own, tomorrow).await;
    assert!(
        for_employee.contains(&rfc(tomorrow)),
        "{tomorrow} inside notice not offered to the employee: {for_employee:?}"
    );
    let mut body = booking(&s, ann, tomorrow);
    body["staff_id"] = json!(own);
    let res = book(&app, "employee:88", &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // Taken now: no longer offered, and no longer bookable.
    let for_employee = offered(&app, "employee:88", &s, own, tomorrow).await;
    assert!(!for_employee.contains(&rfc(tomorrow)), "{for_employee:?}");
    let mut again = booking(&s, ann, tomorrow);
    again["staff_id"] = json!(own);
    let res = book(&app, "employee:88", &again).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "slot_taken");

    // A client is bound by notice: not offered, and not bookable either.
    let for_client = offered(&app, "client:2301", &s, own, tomorrow).await;
    assert!(for_client.is_empty(), "{for_client:?}");
    let mut own_body = booking(&s, ann, at(1, 14, 0));
    own_body["staff_id"] = json!(own);
    own_body.as_object_mut().map(|o| o.remove("client_id"));
    let res = book(&app, "client:2301", &own_body).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "slot_not_offered");

    // Rescheduling its own booking, the employee may ask which slots it could move to.
    let moving = id(&booked_for_staff(&app, &s, ann, own).await);
    let res = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&staff_id={own}&from={d}&to={d}&reschedule_booking_id={moving}",
                s.service,
                s.location,
                d = tomorrow.date_naive()
            ),
            "employee:88",
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // Another staff member's booking looks absent.
    let other = book(&app, MANAGER, &booking(&s, ann, at(2, 10, 0))).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    let res = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&from={d}&to={d}&reschedule_booking_id={}",
                s.service,
                s.location,
                id(&other.body),
                d = tomorrow.date_naive()
            ),
            "employee:88",
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
}

/// A booking tomorrow afternoon of `staff`, placed by a manager.
async fn booked_for_staff(
    app: &TestApp,
    s: &crate::bookings::Shop,
    client: u64,
    staff: u64,
) -> serde_json::Value {
    let mut body = booking(s, client, at(1, 16, 0));
    body["staff_id"] = json!(staff);
    let res = book(app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}
