//! Who may put money on a booking: payments recorded as paid, wallet credits and discounts follow
//! the rule of `POST /v1/bookings/{id}/payments` (managers), unless the staff member's
//! `can_take_payments` permission lets an employee handle money on its own bookings.
use crate::bookings::{add_staff, at, book, booking, client, credit, holding, id, massage, shop};
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const EMPLOYEE: &str = "employee:77";

async fn permit(app: &TestApp, staff: u64, take_payments: bool) {
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/staff/{staff}/booking-permissions"),
            MANAGER,
            Some(
                &json!({"can_edit_bookings": true, "can_cancel_bookings": true,
                         "can_take_payments": take_payments}),
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

async fn balance(app: &TestApp, client: u64) -> Value {
    app.get(&format!("/v1/clients/{client}/wallet"), MANAGER)
        .await
        .body["balance"]
        .clone()
}

#[tokio::test]
async fn an_employee_cannot_mint_credit_through_a_booking() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let own = add_staff(&app, s.location, s.service, Some(77)).await;
    let ann = client(&app, 2101).await;
    credit(&app, ann, "30.00").await;
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/staff/{own}/booking-permissions"),
            MANAGER,
            Some(&json!({"can_edit_bookings": true, "can_cancel_bookings": true})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["can_take_payments"], false);

    // Every way of putting value on the booking: a payment recorded as paid (with or without
    // credits), credits by amount or by method, and a discount of either kind.
    let ways = [
        ("payment", json!({"method": "cash", "status": "paid"})),
        (
            "payment",
            json!({"method": "card", "status": "paid", "choice": "full"}),
        ),
        ("payment", json!({"use_wallet": "20.00"})),
        (
            "payment",
            json!({"use_wallet": "10.00", "method": "cash", "status": "paid"}),
        ),
        ("payment", json!({"method": "wallet"})),
        ("discount", json!({"type": "amount", "value": "50.00"})),
        ("discount", json!({"type": "percent", "value": "100"})),
    ];
    for (field, value) in ways {
        let mut body = booking(&s, ann, at(3, 10, 0));
        body["staff_id"] = json!(own);
        body[field] = value.clone();
        let res = book(&app, EMPLOYEE, &body).await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{field} {value}: {}",
            res.text
        );
    }
    assert_eq!(holding(&app).await, 0);
    let rows: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_booking_payments")
        .await;
    assert_eq!(rows, 0);
    assert_eq!(balance(&app, ann).await, "30.00");

    // Booking without money is still the employee's to do; recording a payment afterwards is not,
    // and cancelling leaves the wallet as it was.
    let mut plain = booking(&s, ann, at(3, 10, 0));
    plain["staff_id"] = json!(own);
    plain["payment"] = json!({"method": "cash", "status": "pending"});
    let res = book(&app, EMPLOYEE, &plain).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["amount_paid"], "0.00");
    let path = format!("/v1/bookings/{}", id(&res.body));
    let paid = app
        .post(
            &format!("{path}/payments"),
            EMPLOYEE,
            &json!({"amount": "50.00", "method": "cash"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::FORBIDDEN, "{}", paid.text);
    let d = app.get(&path, EMPLOYEE).await;
    assert_eq!(d.body["actions"]["record_payment"], false);
    let res = app
        .post(&format!("{path}/cancel"), EMPLOYEE, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(balance(&app, ann).await, "30.00");
    let refunds: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'cancellation_refund'")
        .await;
    assert_eq!(refunds, 0);
}

#[tokio::test]
async fn an_employee_allowed_to_take_payments_may() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let own = add_staff(&app, s.location, s.service, Some(77)).await;
    let ann = client(&app, 2201).await;
    credit(&app, ann, "30.00").await;
    let perms = app
        .get(&format!("/v1/staff/{own}/booking-permissions"), MANAGER)
        .await;
    assert_eq!(perms.body["can_take_payments"], false, "{}", perms.text);
    permit(&app, own, true).await;
    let perms = app
        .get(&format!("/v1/staff/{own}/booking-permissions"), MANAGER)
        .await;
    assert_eq!(perms.body["can_take_payments"], true, "{}", perms.text);

    let mut cash = booking(&s, ann, at(3, 10, 0));
    cash["staff_id"] = json!(own);
    cash["discount"] = json!({"type": "amount", "value": "5.00"});
    cash["payment"] = json!({"method": "cash", "status": "paid"});
    let res = book(&app, EMPLOYEE, &cash).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["total"], "45.00");
    assert_eq!(res.body["amount_paid"], "45.00");
    assert_eq!(res.body["payment_status"], "paid");

    let mut credits = booking(&s, ann, at(3, 14, 0));
    credits["staff_id"] = json!(own);
    credits["payment"] = json!({"use_wallet": "20.00"});
    let res = book(&app, EMPLOYEE, &credits).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["amount_paid"], "20.00");
    assert_eq!(balance(&app, ann).await, "10.00");
    let path = format!("/v1/bookings/{}", id(&res.body));
    let d = app.get(&path, EMPLOYEE).await;
    assert_eq!(d.body["actions"]["record_payment"], true, "{}", d.text);
    let res = app
        .post(
            &format!("{path}/payments"),
            EMPLOYEE,
            &json!({"amount": "30.00", "method": "card"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["payment_status"], "paid");

    // Only on its own bookings: another staff member's booking looks absent.
    let other = book(&app, MANAGER, &booking(&s, ann, at(4, 10, 0))).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    let res = app
        .post(
            &format!("/v1/bookings/{}/payments", id(&other.body)),
            EMPLOYEE,
            &json!({"amount": "10.00", "method": "cash"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);

    // Taking the permission back closes the door again.
    permit(&app, own, false).await;
    let mut again = booking(&s, ann, at(5, 10, 0));
    again["staff_id"] = json!(own);
    again["payment"] = json!({"method": "cash", "status": "paid"});
    assert_eq!(
        book(&app, EMPLOYEE, &again).await.status,
        StatusCode::FORBIDDEN
    );
}
