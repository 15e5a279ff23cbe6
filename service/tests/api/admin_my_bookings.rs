//! wp-admin → My bookings, the employees' dashboard: only the bookings of the staff member linked
//! to the employee's WordPress user, the managers' panel with the actions its permissions allow,
//! another staff member's booking absent (404) on the screen and to the panel's forms, and the
//! polling answer (204 while nothing it shows changed, the page once a manager moved a booking).
use crate::admin_client::post;
use crate::bookings::{add_staff, at, book, booking, client, id, massage, rfc, shop};
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const MINE: &str = "/v1/render/admin/my-bookings";
const SAM: &str = "employee:88";

struct Setup {
    own: u64,
    others: u64,
    week: String,
}

/// Two staff members linked to WordPress users 88 (may edit, not cancel nor take payments) and
/// 89, each with one booking on the same day.
async fn setup(app: &TestApp) -> Setup {
    let s = shop(app, massage()).await;
    let sam = add_staff(app, s.location, s.service, Some(88)).await;
    let zoe = add_staff(app, s.location, s.service, Some(89)).await;
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/staff/{sam}/booking-permissions"),
            MANAGER,
            Some(&json!({"can_edit_bookings": true, "can_cancel_bookings": false, "can_take_payments": false})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let ann = client(app, 2501).await;
    let bea = client(app, 2502).await;
    let mut body = booking(&s, ann, at(2, 10, 0));
    body["staff_id"] = json!(sam);
    let res = book(app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let own = id(&res.body);
    let mut body = booking(&s, bea, at(2, 12, 0));
    body["staff_id"] = json!(zoe);
    let res = book(app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let others = id(&res.body);
    Setup {
        own,
        others,
        week: format!("{MINE}?view=week&date={}", at(2, 10, 0).date_naive()),
    }
}

async fn status_of(app: &TestApp, booking: u64) -> String {
    app.scalar(&format!(
        "SELECT status FROM {{p}}volixta_bookings WHERE id = {booking}"
    ))
    .await
}

#[tokio::test]
async fn an_employee_sees_and_acts_on_its_own_bookings_only() {
    let app = TestApp::spawn().await;
    let Setup { own, others, week } = setup(&app).await;

    let res = app.get(&week, SAM).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text.contains(&format!("booking={own}\"")),
        "{}",
        res.text
    );
    assert!(!res.text.contains(&format!("booking={others}\"")));
    assert!(res.text.contains("data-hx-trigger=\"every 5s\""));

    // The other staff member's booking does not exist here, in any tab, nor to the forms.
    for tab in ["details", "customer", "payment", "actions"] {
        let res = app
            .get(&format!("{MINE}?booking={others}&tab={tab}"), SAM)
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{tab}");
    }
    for (action, body) in [
        ("status", json!({"status": "completed"})),
        ("cancel", json!({})),
        ("reschedule", json!({"slot": "x"})),
    ] {
        let path = format!("/v1/render/admin/booking/{others}/{action}");
        let res = post(&app, &path, SAM, &body, Some(&format!("k-{action}"))).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{action}: {}", res.text);
    }
    assert_eq!(status_of(&app, others).await, "confirmed");

    // Its own: the panel offers what its permissions allow, and links to no manager screen.
    let actions = app
        .get(&format!("{MINE}?booking={own}&tab=actions"), SAM)
        .await;
    assert_eq!(actions.status, StatusCode::OK, "{}", actions.text);
    assert!(
        actions
            .text
            .contains(&format!("render/admin/booking/{own}/reschedule"))
    );
    assert!(
        actions
            .text
            .contains(&format!("render/admin/booking/{own}/status"))
    );
    assert!(
        !actions
            .text
            .contains(&format!("render/admin/booking/{own}/cancel"))
    );
    assert!(
        actions
            .text
            .contains("render/admin/my-bookings?page=volixta-my-bookings")
    );
    for manager_only in [
        "page=volixta-clients",
        "page=volixta-bookings",
        "page=volixta-calendar",
    ] {
        assert!(!actions.text.contains(manager_only), "{manager_only}");
    }
    let payment = app
        .get(&format!("{MINE}?booking={own}&tab=payment"), SAM)
        .await;
    assert!(!payment.text.contains("volixta-record-payment"));
    let path = format!("/v1/render/admin/booking/{own}/cancel");
    let res = post(&app, &path, SAM, &json!({}), Some("k-cancel-own")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let path = format!("/v1/render/admin/booking/{own}/payment");
    let res = post(
        &app,
        &path,
        SAM,
        &json!({"amount": "10", "method": "cash"}),
        Some("k-pay"),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let path = format!("/v1/render/admin/booking/{own}/status");
    let res = post(
        &app,
        &path,
        SAM,
        &json!({"status": "completed"}),
        Some("k-done"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.text.contains("notice-success"), "{}", res.text);
    assert_eq!(status_of(&app, own).await, "completed");

    // Managers keep their screens; an employee without a staff member is told so.
    for actor in [MANAGER, ADMIN, "client:2501", "guest:0"] {
        assert_eq!(
            app.get(MINE, actor).await.status,
            StatusCode::FORBIDDEN,
            "{actor}"
        );
    }
    let res = app
        .get(&format!("{MINE}?booking={own}"), "employee:90")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains("not linked to a staff member"));
    assert!(!res.text.contains(&format!("Booking #{own}")));
    // Another staff member's calendar is not to be asked for either.
    let zoe_filter = format!("{week}&staff_id=999999");
    assert_eq!(
        app.get(&zoe_filter, SAM).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_dashboard_answers_204_until_a_manager_changes_one_of_its_bookings() {
    let app = TestApp::spawn().await;
    let Setup { own, others, week } = setup(&app).await;
    let version = |html: &str| {
        html.split("since=")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a version")
            .to_owned()
    };
    let first = version(&app.get(&week, SAM).await.text);
    let poll = format!("{week}&since={first}");
    let res = app.get(&poll, SAM).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert!(res.text.is_empty());

    // A change to another staff member's booking is nothing this page shows.
    let res = app
        .post(
            &format!("/v1/bookings/{others}/reschedule"),
            MANAGER,
            &json!({"start": rfc(at(2, 14, 0))}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(app.get(&poll, SAM).await.status, StatusCode::NO_CONTENT);

    let res = app
        .post(
            &format!("/v1/bookings/{own}/reschedule"),
            MANAGER,
            &json!({"start": rfc(at(2, 15, 0))}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app.get(&poll, SAM).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let second = version(&res.text);
    assert_ne!(first, second);
    assert!(res.text.contains(&format!("booking={own}\"")));
    assert_eq!(
        app.get(&format!("{week}&since={second}"), SAM).await.status,
        StatusCode::NO_CONTENT
    );
}
