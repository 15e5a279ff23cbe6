use crate::helpers::*;
use chrono::{DateTime, Duration, Timelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A business in UTC open every day 06:00–22:00, one service, one staff member.
pub struct Shop {
    pub location: u64,
    pub service: u64,
    pub staff: u64,
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let res = app.post(path, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{path}: {}", res.text);
    res.body
}

pub fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

fn all_week() -> Vec<(u8, &'static str, &'static str)> {
    (1..=7).map(|d| (d, "06:00", "22:00")).collect()
}

pub async fn add_staff(app: &TestApp, location: u64, service: u64, wp_user_id: Option<u64>) -> u64 {
    let hours: Vec<Value> = all_week()
        .into_iter()
        .map(|(d, s, e)| json!({"location_id": location, "weekday": d, "start": s, "end": e}))
        .collect();
    id(&created(
        app,
        "/v1/staff",
        json!({"first_name": "Sam", "last_name": "Stylist", "service_ids": [service],
               "working_hours": hours, "wp_user_id": wp_user_id}),
    )
    .await)
}

pub async fn shop(app: &TestApp, service: Value) -> Shop {
    let location = id(&created(
        app,
        "/v1/locations",
        json!({"name": "Main street", "timezone": "UTC", "address": "1 Main Street, 75001 Paris"}),
    )
    .await);
    let service = id(&created(app, "/v1/services", service).await);
    let staff = add_staff(app, location, service, None).await;
    Shop {
        location,
        service,
        staff,
    }
}

pub fn massage() -> Value {
    json!({"name": "Massage", "duration_minutes": 60, "price": "50.00",
           "buffer_before_minutes": 0, "buffer_after_minutes": 10, "capacity": 1})
}

/// 10:00 UTC, `days` from today.
pub fn at(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    (Utc::now() + Duration::days(days))
        .with_hour(hour)
        .and_then(|t| t.with_minute(minute))
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .expect("a time")
}

pub fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn booking(s: &Shop, client: u64, start: DateTime<Utc>) -> Value {
    json!({"client_id": client, "service_id": s.service, "location_id": s.location,
           "staff_id": s.staff, "start": rfc(start)})
}

pub async fn client(app: &TestApp, wp_user_id: u64) -> u64 {
    id(&app
        .create_client(json!({"first_name": "Ann", "last_name": "Client",
            "email": format!("ann{wp_user_id}@example.com"), "phone": "+33 6 12 34 56 78",
            "wp_user_id": wp_user_id}))
        .await)
}

pub async fn credit(app: &TestApp, client: u64, amount: &str) {
    let res = app
        .post(
            &format!("/v1/clients/{client}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": amount, "reason": "goodwill"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

pub async fn book(app: &TestApp, actor: &str, body: &Value) -> Response {
    app.post("/v1/bookings", actor, body).await
}

pub async fn holding(app: &TestApp) -> u64 {
    app.scalar("SELECT COUNT(*) FROM {p}volixta_bookings WHERE status IN ('pending','confirmed')")
        .await
}

#[tokio::test]
async fn manager_books_and_reads_the_four_tabs() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 501).await;
    let start = at(3, 10, 0);
    let mut body = booking(&s, ann, start);
    body["notes"] = json!("  Please use unscented oil.  ");
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = &res.body;
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["payment_status"], "unpaid");
    assert_eq!(b["total"], "50.00");
    assert_eq!(b["amount_paid"], "0.00");
    assert_eq!(b["balance_due"], "50.00");
    assert_eq!(b["start"], json!(rfc(start)));
    assert_eq!(b["end"], json!(rfc(start + Duration::minutes(60))));

    let got = app.get(&format!("/v1/bookings/{}", id(b)), MANAGER).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text);
    let d = &got.body;
    assert_eq!(d["details"]["service"]["name"], "Massage");
    assert_eq!(d["details"]["staff"]["name"], "Sam Stylist");
    assert_eq!(
        d["details"]["location"]["address"],
        "1 Main Street, 75001 Paris"
    );
    assert_eq!(d["customer"]["email"], "ann501@example.com");
    assert_eq!(d["payment"]["status"], "unpaid");
    assert_eq!(d["payment"]["notes"], "Please use unscented oil.");
    assert_eq!(
        d["payment"]["invoice_url"],
        format!("/v1/bookings/{}/invoice.pdf", id(b))
    );
    assert_eq!(d["actions"]["cancel"]["allowed"], true);
    assert_eq!(d["history"][0]["action"], "created");
    assert_eq!(d["history"][0]["actor"], MANAGER);
}

#[tokio::test]
async fn a_taken_slot_answers_slot_taken_buffers_included() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 502).await;
    let first = book(&app, MANAGER, &booking(&s, ann, at(3, 10, 0))).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    // 10:00–11:00 plus 10 minutes after: 11:05 collides, 11:10 follows.
    for (start, expected) in [
        (at(3, 10, 30), StatusCode::CONFLICT),
        (at(3, 9, 30), StatusCode::CONFLICT),
        (at(3, 11, 5), StatusCode::CONFLICT),
        (at(3, 11, 10), StatusCode::CREATED),
        (at(3, 8, 50), StatusCode::CREATED),
    ] {
        let res = book(&app, MANAGER, &booking(&s, ann, start)).await;
        assert_eq!(res.status, expected, "{start}: {}", res.text);
        if expected == StatusCode::CONFLICT {
            assert_eq!(res.code(), "slot_taken");
        }
    }
    assert_eq!(holding(&app).await, 3);
}

#[tokio::test]
async fn forty_simultaneous_requests_on_two_replicas_give_one_booking() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let s = shop(&app, massage()).await;
    let mut clients = Vec::new();
    for i in 0..4 {
        clients.push(client(&app, 600 + i).await);
    }
    let start = at(4, 12, 0);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let target = if i % 2 == 0 {
            app.handle()
        } else {
            replica.handle()
        };
        let body = booking(&s, clients[i % 4], start);
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
        Some(&1),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get(&(StatusCode::CONFLICT, "slot_taken".into())),
        Some(&39),
        "{outcomes:?}"
    );
    assert_eq!(holding(&app).await, 1);
}

#[tokio::test]
async fn a_group_session_fills_to_capacity_under_concurrency() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let s = shop(
        &app,
        json!({"name": "Yoga", "duration_minutes": 60, "price": "15.00", "capacity": 5}),
    )
    .await;
    let ann = client(&app, 701).await;
    let start = at(5, 18, 0);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let target = if i % 2 == 0 {
            app.handle()
        } else {
            replica.handle()
        };
        let body = booking(&s, ann, start);
        tasks.push(tokio::spawn(async move {
            book(&target, MANAGER, &body).await.status
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.expect("task") {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 5);
    let seats: u64 = app
        .scalar("SELECT CAST(SUM(people) AS UNSIGNED) FROM {p}volixta_bookings")
        .await;
    assert_eq!(seats, 5);
    // Two people more than the seats left is refused too; the same session at another time is not.
    let mut two = booking(&s, ann, start + Duration::hours(2));
    two["people"] = json!(2);
    assert_eq!(book(&app, MANAGER, &two).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn concurrent_reschedules_into_one_slot_leave_one_winner() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 801).await;
    let mut ids = Vec::new();
    for day in 6..16 {
        let res = book(&app, MANAGER, &booking(&s, ann, at(day, 10, 0))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(id(&res.body));
    }
    let target = at(6, 17, 0);
    let mut tasks = Vec::new();
    for (i, booking_id) in ids.iter().copied().enumerate() {
        let server = if i % 2 == 0 {
            app.handle()
        } else {
            replica.handle()
        };
        tasks.push(tokio::spawn(async move {
            let res = server
                .post(
                    &format!("/v1/bookings/{booking_id}/reschedule"),
                    MANAGER,
                    &json!({"start": rfc(target)}),
                )
                .await;
            (res.status, res.code().to_owned())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, code) = t.await.expect("task");
        if status == StatusCode::OK {
            ok += 1;
        } else {
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::CONFLICT, "slot_taken")
            );
        }
    }
    assert_eq!(ok, 1);
    let at_target: u64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM {{p}}volixta_bookings WHERE start_at = '{}'",
            target.naive_utc()
        ))
        .await;
    assert_eq!(at_target, 1);
    let moved: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_booking_history WHERE action = 'rescheduled'")
        .await;
    assert_eq!(moved, 1);
}

#[tokio::test]
async fn prices_with_addons_taxes_deposits_and_discounts() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"prices_include_tax": false, "tax_rate_percent": "20.00"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let s = shop(
        &app,
        json!({"name": "Facial", "duration_minutes": 45, "price": "40.00", "capacity": 4,
               "addons": [{"name": "Mask", "price": "7.35", "duration_minutes": 15, "max_quantity": 3}]}),
    )
    .await;
    let svc = app
        .get(&format!("/v1/services/{}", s.service), MANAGER)
        .await;
    let mask = svc.body["addons"][0]["id"].as_u64().expect("addon");
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/services/{}/pricing", s.service),
            MANAGER,
            Some(&json!({"deposit": {"type": "percent", "value": "30"},
                          "discount": {"type": "percent", "value": "10"}})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let ann = client(&app, 901).await;
    let mut body = booking(&s, ann, at(3, 9, 0));
    body["people"] = json!(2);
    body["addons"] = json!([{"id": mask, "quantity": 3}]);
    body["discount"] = json!({"type": "amount", "value": "5.00"});
    body["payment"] = json!({"choice": "deposit", "method": "cash", "status": "paid"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = &res.body;
    // Service: 40 × 2 = 80, −10 % = 72, −5.00 = 67, +20 % = 13.40 → 80.40.
    // Mask: 7.35 × 3 = 22.05, +20 % = 4.41 → 26.46.  Total 106.86; deposit 30 % = 32.06.
    assert_eq!(b["subtotal"], "102.05");
    assert_eq!(b["discount_total"], "13.00");
    assert_eq!(b["tax_total"], "17.81");
    assert_eq!(b["total"], "106.86");
    assert_eq!(b["deposit_amount"], "32.06");
    assert_eq!(b["amount_paid"], "32.06");
    assert_eq!(b["balance_due"], "74.80");
    assert_eq!(b["payment_status"], "partially_paid");
    assert_eq!(b["end"], json!(rfc(at(3, 10, 30))));
    let lines = b["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["total"], "26.46");

    // The price is the service's to compute: a caller-sent price is refused, not used.
    let mut priced = booking(&s, ann, at(3, 14, 0));
    priced["total"] = json!("1.00");
    let res = book(&app, MANAGER, &priced).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Too many add-ons, or more people than seats.
    let mut greedy = booking(&s, ann, at(3, 14, 0));
    greedy["addons"] = json!([{"id": mask, "quantity": 4}]);
    assert_eq!(
        book(&app, MANAGER, &greedy).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut crowd = booking(&s, ann, at(3, 14, 0));
    crowd["people"] = json!(5);
    assert_eq!(
        book(&app, MANAGER, &crowd).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(holding(&app).await, 1);
}

#[tokio::test]
async fn wallet_pays_part_and_too_much_credit_writes_nothing() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1001).await;
    credit(&app, ann, "30.00").await;
    let mut body = booking(&s, ann, at(3, 10, 0));
    body["payment"] = json!({"use_wallet": "100.00"});
    let res = book(&app, "client:1001", &body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    body["payment"] = json!({"use_wallet": "40.00"});
    let res = book(&app, "client:1001", &body).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "insufficient_balance");
    assert_eq!(holding(&app).await, 0);
    let payments: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_booking_payments")
        .await;
    assert_eq!(payments, 0);

    body["payment"] = json!({"use_wallet": "30.00", "method": "woocommerce"});
    let res = book(&app, "client:1001", &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = &res.body;
    assert_eq!(b["amount_paid"], "30.00");
    assert_eq!(b["balance_due"], "20.00");
    assert_eq!(b["payment_status"], "pending");
    let wallet = app.get(&format!("/v1/clients/{ann}/wallet"), MANAGER).await;
    assert_eq!(wallet.body["balance"], "0.00");
    assert_eq!(wallet.body["transactions"][0]["kind"], "booking_payment");
    assert_eq!(wallet.body["transactions"][0]["booking_id"], b["id"]);
    let d = app
        .get(&format!("/v1/bookings/{}", id(b)), "client:1001")
        .await;
    let history = d.body["payment"]["history"].as_array().expect("payments");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["method"], "wallet");
    assert_eq!(history[0]["status"], "paid");
    assert_eq!(history[0]["actor"], "client:1001");
    assert_eq!(history[1]["method"], "woocommerce");
    assert_eq!(history[1]["status"], "pending");
    assert_eq!(history[1]["amount"], "20.00");

    // A client cannot declare its own payment as paid.
    let mut cash = booking(&s, ann, at(3, 15, 0));
    cash["payment"] = json!({"method": "cash", "status": "paid"});
    assert_eq!(
        book(&app, "client:1001", &cash).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn cancelling_refunds_every_paid_amount_to_the_wallet() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1101).await;
    credit(&app, ann, "20.00").await;
    let mut body = booking(&s, ann, at(3, 10, 0));
    body["payment"] = json!({"use_wallet": "20.00", "method": "card", "status": "paid"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["payment_status"], "paid");
    let booking_id = id(&res.body);
    let res = app
        .request_with(
            Method::POST,
            &format!("/v1/bookings/{booking_id}/cancel"),
            MANAGER,
            Some(br#"{"reason": "client ill"}"#.to_vec()),
            &[("Idempotency-Key", "cancel-1")],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "cancelled");
    assert_eq!(res.body["payment_status"], "refunded");
    // A retried cancel answers the same and refunds nothing more.
    let again = app
        .request_with(
            Method::POST,
            &format!("/v1/bookings/{booking_id}/cancel"),
            MANAGER,
            Some(br#"{"reason": "client ill"}"#.to_vec()),
            &[("Idempotency-Key", "cancel-1")],
            Tamper::default(),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, res.body);
    let refunds: u64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM {{p}}volixta_wallet_ledger WHERE kind = 'cancellation_refund' \
             AND booking_id = {booking_id} AND amount = 50"
        ))
        .await;
    assert_eq!(refunds, 1);
    let wallet = app.get(&format!("/v1/clients/{ann}/wallet"), MANAGER).await;
    assert_eq!(wallet.body["balance"], "50.00");
    // Its slot is free again.
    let res = book(&app, MANAGER, &booking(&s, ann, at(3, 10, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let d = app
        .get(&format!("/v1/bookings/{booking_id}"), MANAGER)
        .await;
    assert_eq!(d.body["actions"]["cancel"]["reason"], "booking_closed");
    let last = d.body["history"].as_array().and_then(|h| h.last().cloned());
    assert_eq!(
        last.as_ref().map(|h| &h["action"]),
        Some(&json!("cancelled"))
    );
}

#[tokio::test]
async fn without_refund_setting_payments_stay() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"cancel_refund_to_wallet": false}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1151).await;
    let mut body = booking(&s, ann, at(3, 10, 0));
    body["payment"] = json!({"method": "cash", "status": "paid"});
    let b = book(&app, MANAGER, &body).await.body;
    let res = app
        .post(
            &format!("/v1/bookings/{}/cancel", id(&b)),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["amount_paid"], "50.00");
    let refunds: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger")
        .await;
    assert_eq!(refunds, 0);
}

#[tokio::test]
async fn clients_are_bound_by_change_notice_and_managers_are_not() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1201).await;
    // Inside the default 24 h notice.
    let soon = Utc::now() + Duration::hours(5);
    let soon = soon
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("t");
    let res = book(&app, MANAGER, &booking(&s, ann, soon)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let near = id(&res.body);
    let later = at(5, 10, 0);
    for path in [
        format!("/v1/bookings/{near}/cancel"),
        format!("/v1/bookings/{near}/reschedule"),
    ] {
        let res = app
            .post(&path, "client:1201", &json!({"start": rfc(later)}))
            .await;
        if path.ends_with("cancel") {
            // The reschedule body has no meaning for cancel; it is refused as invalid first.
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
            let res = app.post(&path, "client:1201", &json!({})).await;
            assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
            assert_eq!(res.code(), "notice_too_short");
        } else {
            assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
            assert_eq!(res.code(), "notice_too_short");
        }
    }
    let d = app
        .get(&format!("/v1/bookings/{near}"), "client:1201")
        .await;
    assert_eq!(d.body["actions"]["cancel"]["reason"], "notice_too_short");
    // The manager moves it, and then the client, far enough ahead now, may move it.
    let res = app
        .post(
            &format!("/v1/bookings/{near}/reschedule"),
            MANAGER,
            &json!({"start": rfc(later)}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            &format!("/v1/bookings/{near}/reschedule"),
            "client:1201",
            &json!({"start": rfc(later + Duration::hours(2))}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["start"], json!(rfc(later + Duration::hours(2))));
    let res = app
        .post(
            &format!("/v1/bookings/{near}/cancel"),
            "client:1201",
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let actors: Vec<String> = {
        let d = app.get(&format!("/v1/bookings/{near}"), MANAGER).await;
        d.body["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|h| {
                format!(
                    "{} {}",
                    h["action"].as_str().unwrap_or(""),
                    h["actor"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(
        actors,
        [
            "created manager:1",
            "rescheduled manager:1",
            "rescheduled client:1201",
            "cancelled client:1201"
        ]
    );
}

#[tokio::test]
async fn a_client_books_for_itself_within_the_rules() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1301).await;
    let mut body = booking(&s, ann, at(3, 10, 0));
    body.as_object_mut().map(|o| o.remove("client_id"));
    let res = book(&app, "client:1301", &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["client_id"], ann);
    // Outside working hours, or within the booking notice: not offered to a client.
    let night = booking(&s, ann, at(3, 23, 0));
    let res = book(&app, "client:1301", &night).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "slot_not_offered");
    // A manager may place it all the same.
    assert_eq!(
        book(&app, MANAGER, &night).await.status,
        StatusCode::CREATED
    );
    // A blocked client may not book online.
    let res = app
        .patch(
            &format!("/v1/clients/{ann}"),
            MANAGER,
            &json!({"blocked": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = book(&app, "client:1301", &booking(&s, ann, at(4, 10, 0))).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "client_blocked");
}

#[tokio::test]
async fn another_clients_booking_is_not_found() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1401).await;
    client(&app, 1402).await;
    let b = book(&app, MANAGER, &booking(&s, ann, at(3, 10, 0)))
        .await
        .body;
    let path = format!("/v1/bookings/{}", id(&b));
    assert_eq!(
        app.get(&path, "client:1402").await.status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(&format!("{path}/cancel"), "client:1402", &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .post(
            &format!("{path}/reschedule"),
            "client:1402",
            &json!({"start": rfc(at(4, 10, 0))}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .get(&format!("/v1/clients/{ann}/bookings"), "client:1402")
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Booking for someone else as a client is refused the same way.
    let res = book(&app, "client:1402", &booking(&s, ann, at(5, 10, 0))).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(holding(&app).await, 1);
    assert_eq!(app.get(&path, "client:1401").await.status, StatusCode::OK);
}

#[tokio::test]
async fn idempotency_key_returns_the_first_booking() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1501).await;
    let body = serde_json::to_vec(&booking(&s, ann, at(3, 10, 0))).expect("json");
    let mut answers = Vec::new();
    for _ in 0..2 {
        let res = app
            .request_with(
                Method::POST,
                "/v1/bookings",
                MANAGER,
                Some(body.clone()),
                &[("Idempotency-Key", "book-once")],
                Tamper::default(),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        answers.push(res.body);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(holding(&app).await, 1);
}

#[tokio::test]
async fn a_cancel_without_a_body_is_idempotent_too() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1551).await;
    let b = book(&app, MANAGER, &booking(&s, ann, at(3, 10, 0))).await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text);
    let path = format!("/v1/bookings/{}/cancel", id(&b.body));
    let cancel = |body: Option<Vec<u8>>| {
        let (app, path) = (app.handle(), path.clone());
        async move {
            app.request_with(
                Method::POST,
                &path,
                MANAGER,
                body,
                &[("Idempotency-Key", "cancel-bare")],
                Tamper::default(),
            )
            .await
        }
    };
    let first = cancel(None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["status"], "cancelled");
    let again = cancel(None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body, first.body);
    // The same key with another request is refused, not replayed.
    let other = cancel(Some(br#"{"reason": "changed my mind"}"#.to_vec())).await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        other.text
    );
    assert_eq!(other.code(), "idempotency_key_reused");
    let cancelled: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_booking_history WHERE action = 'cancelled'")
        .await;
    assert_eq!(cancelled, 1);
}

#[tokio::test]
async fn employees_act_as_their_role_allows() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let own = add_staff(&app, s.location, s.service, Some(77)).await;
    let ann = client(&app, 1601).await;
    let mut mine = booking(&s, ann, at(3, 10, 0));
    mine["staff_id"] = json!(own);
    let b = book(&app, MANAGER, &mine).await.body;
    let other = book(&app, MANAGER, &booking(&s, ann, at(3, 10, 0)))
        .await
        .body;
    let path = format!("/v1/bookings/{}", id(&b));
    assert_eq!(app.get(&path, "employee:77").await.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/v1/bookings/{}", id(&other)), "employee:77")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(&format!("{path}/cancel"), "employee:77", &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/staff/{own}/booking-permissions"),
            MANAGER,
            Some(&json!({"can_edit_bookings": true, "can_cancel_bookings": true})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            &format!("{path}/status"),
            "employee:77",
            &json!({"status": "completed"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "completed");
    let res = app
        .post(&format!("{path}/cancel"), "employee:77", &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "bad_transition");
    let schedule = app
        .get(
            &format!("/v1/staff/{own}/schedule?scope=all"),
            "employee:77",
        )
        .await;
    assert_eq!(schedule.status, StatusCode::OK, "{}", schedule.text);
    assert_eq!(schedule.body["days"][0]["bookings"][0]["id"], b["id"]);
    let res = app
        .get(&format!("/v1/staff/{}/schedule", s.staff), "employee:77")
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_clients_bookings_list_and_calendar_with_filters() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 1701).await;
    let mut ids = Vec::new();
    for (day, hour) in [(2, 9), (2, 14), (4, 10), (9, 10)] {
        let res = book(&app, MANAGER, &booking(&s, ann, at(day, hour, 0))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(id(&res.body));
    }
    let past = book(&app, MANAGER, &booking(&s, ann, at(-3, 10, 0))).await;
    assert_eq!(past.status, StatusCode::CREATED, "{}", past.text);
    let res = app
        .post(
            &format!("/v1/bookings/{}/payments", ids[3]),
            MANAGER,
            &json!({"amount": "50.00", "method": "bank_transfer"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["payment_status"], "paid");
    app.post(
        &format!("/v1/bookings/{}/cancel", ids[2]),
        MANAGER,
        &json!({}),
    )
    .await;

    let list = |q: &'static str| {
        let app = app.handle();
        async move {
            let res = app
                .get(&format!("/v1/clients/{ann}/bookings{q}"), "client:1701")
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            res.body["bookings"]
                .as_array()
                .expect("bookings")
                .iter()
                .map(|b| b["id"].as_u64().expect("id"))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("").await, ids);
    assert_eq!(list("?scope=past").await, vec![id(&past.body)]);
    assert_eq!(
        list("?status=confirmed").await,
        vec![ids[0], ids[1], ids[3]]
    );
    assert_eq!(list("?payment_status=paid").await, vec![ids[3]]);
    let first_day = at(2, 0, 0).date_naive();
    let window = Box::leak(format!("?from={first_day}&to={first_day}").into_boxed_str());
    assert_eq!(list(window).await, vec![ids[0], ids[1]]);
    let page = app
        .get(&format!("/v1/clients/{ann}/bookings?limit=3"), MANAGER)
        .await;
    let cursor = page.body["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let next = app
        .get(
            &format!("/v1/clients/{ann}/bookings?limit=3&cursor={cursor}"),
            MANAGER,
        )
        .await;
    assert_eq!(next.body["bookings"][0]["id"], ids[3]);
    let res = app
        .get(&format!("/v1/clients/{ann}/bookings?status=bogus"), MANAGER)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    let cal = app
        .get(
            &format!("/v1/clients/{ann}/bookings/calendar?timezone=Europe/Paris"),
            "client:1701",
        )
        .await;
    assert_eq!(cal.status, StatusCode::OK, "{}", cal.text);
    let days = cal.body["days"].as_array().expect("days");
    assert_eq!(days.len(), 3, "{}", cal.text);
    assert_eq!(days[0]["bookings"].as_array().map(Vec::len), Some(2));
    let item = &days[0]["bookings"][0];
    assert_eq!(item["service"], "Massage");
    assert_eq!(item["staff"], "Sam Stylist");
    assert_eq!(item["status"], "confirmed");
    assert!(item["time"] == "10:00" || item["time"] == "11:00", "{item}");
}

#[tokio::test]
async fn an_add_on_is_taken_between_its_fewest_and_its_most() {
    let app = TestApp::spawn().await;
    // A minimum above the maximum is refused by the catalog, and by the database itself.
    let res = app
        .post(
            "/v1/services",
            MANAGER,
            &json!({"name": "Stones", "duration_minutes": 60, "price": "50.00",
                    "addons": [{"name": "Hot stone", "price": "3.00", "duration_minutes": 5,
                                "min_quantity": 5, "max_quantity": 4}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(
        res.body["error"]["fields"]
            .get("addons[0].min_quantity")
            .is_some(),
        "{}",
        res.text
    );
    let s = shop(
        &app,
        json!({"name": "Stone massage", "duration_minutes": 60, "price": "50.00",
               "addons": [{"name": "Hot stone", "price": "3.00", "duration_minutes": 5,
                           "min_quantity": 2, "max_quantity": 4}]}),
    )
    .await;
    let svc = app
        .get(&format!("/v1/services/{}", s.service), MANAGER)
        .await;
    assert_eq!(svc.body["addons"][0]["min_quantity"], 2);
    let stone = svc.body["addons"][0]["id"].as_u64().expect("addon");
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    let refused = mysql_async::prelude::Queryable::query_drop(
        &mut conn,
        app.db.sql(&format!(
            "UPDATE {{p}}volixta_service_addons SET min_quantity = 9 WHERE id = {stone}"
        )),
    )
    .await;
    assert!(
        refused.is_err(),
        "the database keeps the minimum within the maximum"
    );
    drop(conn);

    let ann = client(&app, 902).await;
    // One stone is fewer than the fewest: refused by availability and by the booking alike.
    let slots = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&from={d}&to={d}&addons={stone}:1",
                s.service,
                s.location,
                d = at(3, 9, 0).date_naive()
            ),
            MANAGER,
        )
        .await;
    assert_eq!(
        slots.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        slots.text
    );
    let mut body = booking(&s, ann, at(3, 9, 0));
    body["addons"] = json!([{"id": stone, "quantity": 1}]);
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(
        res.body["error"]["fields"].get("addons[0]").is_some(),
        "{}",
        res.text
    );
    // Two are fine, as is none at all.
    body["addons"] = json!([{"id": stone, "quantity": 2}]);
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["end"], json!(rfc(at(3, 10, 10))));
    let res = book(&app, MANAGER, &booking(&s, ann, at(4, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}
