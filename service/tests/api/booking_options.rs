use crate::bookings::{add_staff, at, book, booking, client, credit, id, rfc, shop};
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn facial() -> Value {
    json!({"name": "Facial", "duration_minutes": 45, "price": "40.00", "capacity": 4,
           "addons": [{"name": "Mask", "price": "7.35", "duration_minutes": 15, "max_quantity": 3},
                      {"name": "Oil", "price": "5.00", "duration_minutes": 10, "max_quantity": 1}]})
}

async fn addon_ids(app: &TestApp, service: u64) -> (u64, u64) {
    let svc = app.get(&format!("/v1/services/{service}"), MANAGER).await;
    let find = |name: &str| {
        svc.body["addons"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == name))
            .and_then(|x| x["id"].as_u64())
            .expect("addon")
    };
    (find("Mask"), find("Oil"))
}

async fn set_options(app: &TestApp, booking: u64, actor: &str, addons: Value) -> Response {
    app.post(
        &format!("/v1/bookings/{booking}/options"),
        actor,
        &json!({"addons": addons}),
    )
    .await
}

#[tokio::test]
async fn options_are_priced_by_the_rules_the_booking_was_placed_with() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"prices_include_tax": false, "tax_rate_percent": "20.00"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let s = shop(&app, facial()).await;
    let (mask, oil) = addon_ids(&app, s.service).await;
    let pricing = app
        .request(
            Method::PUT,
            &format!("/v1/services/{}/pricing", s.service),
            MANAGER,
            Some(&json!({"deposit": {"type": "percent", "value": "30"},
                          "discount": {"type": "percent", "value": "10"}})),
        )
        .await;
    assert_eq!(pricing.status, StatusCode::OK, "{}", pricing.text);
    let ann = client(&app, 2101).await;
    let mut first = booking(&s, ann, at(3, 9, 0));
    first["people"] = json!(2);
    first["addons"] = json!([{"id": mask, "quantity": 1}]);
    first["discount"] = json!({"type": "percent", "value": "5"});
    let placed = book(&app, MANAGER, &first).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let b = id(&placed.body);
    // What the same booking costs with the wanted options, placed under the same rules.
    let mut twin = first.clone();
    twin["start"] = json!(rfc(at(4, 9, 0)));
    twin["addons"] = json!([{"id": mask, "quantity": 3}, {"id": oil, "quantity": 1}]);
    let twin = book(&app, MANAGER, &twin).await;
    assert_eq!(twin.status, StatusCode::CREATED, "{}", twin.text);

    // The catalog changes afterwards; the booking keeps what it was booked with.
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/services/{}/pricing", s.service),
            MANAGER,
            Some(&json!({"discount": {"type": "percent", "value": "50"}})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .patch("/v1/settings", ADMIN, &json!({"tax_rate_percent": "7.00"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let res = set_options(
        &app,
        b,
        MANAGER,
        json!([{"id": mask, "quantity": 3}, {"id": oil, "quantity": 1}]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    for field in [
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "deposit_amount",
    ] {
        assert_eq!(res.body[field], twin.body[field], "{field}: {}", res.text);
    }
    assert_eq!(res.body["lines"], twin.body["lines"]);
    // 45 minutes, three masks of 15 and the oil's 10.
    assert_eq!(res.body["end"], json!(rfc(at(3, 10, 40))));
    let stored = app.get(&format!("/v1/bookings/{b}"), MANAGER).await;
    assert_eq!(stored.body["total"], twin.body["total"]);
    assert_eq!(stored.body["end"], json!(rfc(at(3, 10, 40))));
    let last = stored.body["history"]
        .as_array()
        .and_then(|h| h.last().cloned())
        .expect("history");
    assert_eq!(last["action"], "options_changed", "{last}");

    // Setting the same options again changes nothing; removing them all gives back the minutes.
    let again = set_options(
        &app,
        b,
        MANAGER,
        json!([{"id": mask, "quantity": 3}, {"id": oil, "quantity": 1}]),
    )
    .await;
    assert_eq!(again.body["total"], twin.body["total"]);
    let none = set_options(&app, b, MANAGER, json!([])).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert_eq!(none.body["end"], json!(rfc(at(3, 9, 45))));
    assert_eq!(none.body["lines"].as_array().map(Vec::len), Some(1));

    // Bad input is refused beside its field and changes nothing.
    for bad in [
        json!([{"id": mask, "quantity": 4}]),
        json!([{"id": 999_999, "quantity": 1}]),
        json!([{"id": oil, "quantity": 1}, {"id": oil, "quantity": 1}]),
    ] {
        let res = set_options(&app, b, MANAGER, bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(
            res.body["error"]["fields"]["addons[0]"].is_string()
                || res.body["error"]["fields"]["addons[1]"].is_string(),
            "{}",
            res.text
        );
    }
    let unchanged = app.get(&format!("/v1/bookings/{b}"), MANAGER).await;
    assert_eq!(unchanged.body["total"], none.body["total"]);
}

#[tokio::test]
async fn more_options_need_the_time_and_fewer_refund_what_was_paid_beyond() {
    let app = TestApp::spawn().await;
    let s = shop(
        &app,
        json!({"name": "Massage", "duration_minutes": 60, "price": "50.00",
               "buffer_after_minutes": 10, "capacity": 1,
               "addons": [{"name": "Stones", "price": "10.00", "duration_minutes": 15, "max_quantity": 2}]}),
    )
    .await;
    let svc = app
        .get(&format!("/v1/services/{}", s.service), MANAGER)
        .await;
    let stones = svc.body["addons"][0]["id"].as_u64().expect("addon");
    let ann = client(&app, 2201).await;
    let a = id(&book(&app, MANAGER, &booking(&s, ann, at(3, 10, 0)))
        .await
        .body);
    // 10:00–11:00, 10 minutes of buffer, then the next booking at 11:10.
    let next = book(&app, MANAGER, &booking(&s, ann, at(3, 11, 10))).await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.text);
    let res = set_options(&app, a, MANAGER, json!([{"id": stones, "quantity": 1}])).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "slot_taken");
    let kept = app.get(&format!("/v1/bookings/{a}"), MANAGER).await;
    assert_eq!(kept.body["total"], "50.00");
    assert_eq!(kept.body["end"], json!(rfc(at(3, 11, 0))));

    // Paid in full with credits, two stones; one removed: its price comes back to the wallet.
    credit(&app, ann, "70.00").await;
    let mut paid = booking(&s, ann, at(4, 10, 0));
    paid["addons"] = json!([{"id": stones, "quantity": 2}]);
    paid["payment"] = json!({"use_wallet": "70.00"});
    let paid = book(&app, MANAGER, &paid).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.text);
    assert_eq!(paid.body["payment_status"], "paid");
    let p = id(&paid.body);
    let res = set_options(&app, p, MANAGER, json!([{"id": stones, "quantity": 1}])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["total"], "60.00");
    assert_eq!(res.body["amount_paid"], "60.00");
    assert_eq!(res.body["payment_status"], "paid");
    let wallet = app.get(&format!("/v1/clients/{ann}/wallet"), MANAGER).await;
    assert_eq!(wallet.body["balance"], "10.00", "{}", wallet.text);
    let refunds: u64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM {{p}}volixta_wallet_ledger WHERE kind = 'booking_refund' \
             AND booking_id = {p} AND amount = 10"
        ))
        .await;
    assert_eq!(refunds, 1);

    // Where refunds do not go to the wallet, taking off what is paid is refused.
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"cancel_refund_to_wallet": false}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = set_options(&app, p, MANAGER, json!([])).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "paid_beyond_total");
    let kept = app.get(&format!("/v1/bookings/{p}"), MANAGER).await;
    assert_eq!(kept.body["total"], "60.00");
    assert_eq!(
        kept.body["payment"]["lines"].as_array().map(Vec::len),
        Some(2),
        "{}",
        kept.text
    );
}

#[tokio::test]
async fn only_staff_change_options_of_a_booking_that_holds_its_slot() {
    let app = TestApp::spawn().await;
    let s = shop(&app, facial()).await;
    let (mask, _) = addon_ids(&app, s.service).await;
    let own = add_staff(&app, s.location, s.service, Some(77)).await;
    let ann = client(&app, 2301).await;
    let mut theirs = booking(&s, ann, at(3, 9, 0));
    theirs["staff_id"] = json!(own);
    let b = id(&book(&app, MANAGER, &theirs).await.body);
    let one = json!([{"id": mask, "quantity": 1}]);
    // The client itself, and the booking's employee while it may not edit bookings.
    assert_eq!(
        set_options(&app, b, "client:2301", one.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        set_options(&app, b, "employee:77", one.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/staff/{own}/booking-permissions"),
            MANAGER,
            Some(
                &json!({"can_edit_bookings": true, "can_cancel_bookings": false,
                          "can_take_payments": false}),
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = set_options(&app, b, "employee:77", one.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // A booking priced before its rules were kept keeps its options.
    app.exec(&format!(
        "UPDATE {{p}}volixta_bookings SET price_rules = NULL WHERE id = {b}"
    ))
    .await;
    let res = set_options(&app, b, MANAGER, one.clone()).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "options_fixed");
    let c = id(&book(&app, MANAGER, &booking(&s, ann, at(5, 9, 0)))
        .await
        .body);
    let res = app
        .post(&format!("/v1/bookings/{c}/cancel"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = set_options(&app, c, MANAGER, one).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "booking_closed");
}
