//! The New booking flow of wp-admin: who may use it, each step narrowing the next, the price it
//! shows being the bookings domain's, and a confirm that books once however often it is sent.
use crate::admin_slot_picker::{ahead, html_in, shop, slot_values, urlencoding};
use crate::catalog::{create, id};
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const FLOW: &str = "/v1/render/admin/new-booking";
const CONFIRM: &str = "/v1/render/admin/new-booking/confirm";

async fn confirm(app: &TestApp, query: &str, actor: &str, key: &str) -> Response {
    app.request_with(
        Method::POST,
        &format!("{CONFIRM}?{query}"),
        actor,
        None,
        &[("Idempotency-Key", key)],
        Tamper::default(),
    )
    .await
}

async fn bookings_of(app: &TestApp, client: u64) -> u64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM {{p}}volixta_bookings WHERE client_id = {client}"
    ))
    .await
}

#[tokio::test]
async fn only_managers_and_admins_book_through_the_flow() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let client = id(&app
        .create_client(json!({"first_name": "Cy", "wp_user_id": 42}))
        .await);
    let slot = &slot_values(
        &html_in(
            &app,
            &format!(
                "/v1/render/admin/slot-picker?service_id={}&location_id={}&staff_id={}&date={}",
                s.service,
                s.location,
                s.staff,
                ahead(15)
            ),
            "en_US",
        )
        .await,
    )[0];
    let query = format!(
        "client={client}&service_id={}&location_id={}&staff_id={}&addons=&slot={}",
        s.service,
        s.location,
        s.staff,
        urlencoding(slot)
    );
    for actor in [MANAGER, ADMIN] {
        let res = app.get(&format!("{FLOW}?{query}&step=review"), actor).await;
        assert_eq!(res.status, StatusCode::OK, "{actor}: {}", res.text);
    }
    for actor in ["employee:3", "client:42", "guest:0"] {
        for q in ["", query.as_str()] {
            let res = app.get(&format!("{FLOW}?{q}"), actor).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {q}");
        }
        let res = confirm(&app, &query, actor, &format!("k-{actor}")).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor}");
    }
    assert_eq!(bookings_of(&app, client).await, 0);
    let nobody = app.get(&format!("{FLOW}?client=999"), MANAGER).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_step_narrows_the_next() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let lyon = id(&create(
        &app,
        "/v1/locations",
        json!({"name": "Lyon", "timezone": "Europe/Paris"}),
    )
    .await);
    let yoga = id(&create(
        &app,
        "/v1/services",
        json!({"name": "Yoga", "category": "Classes", "duration_minutes": 60, "price": "15", "capacity": 8}),
    )
    .await);
    create(
        &app,
        "/v1/staff",
        json!({"first_name": "Bea", "service_ids": [yoga],
               "working_hours": [{"location_id": lyon, "weekday": 1, "start": "18:00", "end": "20:00"}]}),
    )
    .await;
    let client = id(&app
        .create_client(json!({"first_name": "Cy", "last_name": "<i>Lee</i>"}))
        .await);

    let pick = html_in(&app, &format!("{FLOW}?search=Lee"), "en_US").await;
    assert!(pick.contains("Which client is the booking for?"));
    assert!(pick.contains("Cy &lt;i&gt;Lee&lt;"), "escaped: {pick}");

    let start = html_in(&app, &format!("{FLOW}?client={client}"), "en_US").await;
    assert!(start.contains(">Massage") && start.contains(">Yoga"));
    assert!(start.contains("Choose a service type, or a service straight away."));
    let classes = html_in(
        &app,
        &format!("{FLOW}?client={client}&category_id=2"),
        "en_US",
    )
    .await;
    let wellness = html_in(
        &app,
        &format!("{FLOW}?client={client}&category_id=1"),
        "en_US",
    )
    .await;
    // One category each: the other's service is not offered.
    assert_ne!(classes.contains(">Massage"), wellness.contains(">Massage"));
    assert_ne!(classes.contains(">Yoga"), wellness.contains(">Yoga"));

    let yoga_step = html_in(
        &app,
        &format!("{FLOW}?client={client}&service_id={yoga}"),
        "en_US",
    )
    .await;
    assert!(
        yoga_step.contains("id=\"volixta-nb-people\""),
        "a group service asks for people"
    );
    assert!(yoga_step.contains(">Lyon") && !yoga_step.contains(">Paris"));
    let massage = html_in(
        &app,
        &format!("{FLOW}?client={client}&service_id={}", s.service),
        "en_US",
    )
    .await;
    assert!(!massage.contains("id=\"volixta-nb-people\""));
    // The only location offering it is chosen, and the staff step lists only who performs it.
    assert!(massage.contains(&format!("<option value=\"{}\" selected>Paris", s.location)));
    assert!(massage.contains("&lt;b&gt;Ann") && !massage.contains(">Bea"));
    // A service that the category no longer offers is forgotten, with what depended on it.
    let changed = html_in(
        &app,
        &format!(
            "{FLOW}?client={client}&category_id=2&service_id={}&location_id={}&staff_id=any",
            s.service, s.location
        ),
        "en_US",
    )
    .await;
    assert!(changed.contains("Choose the service."), "{changed}");

    // Add-ons come next for the massage; the time step cannot be skipped to.
    let chosen = format!(
        "client={client}&service_id={}&location_id={}&staff_id=any",
        s.service, s.location
    );
    let addons = html_in(&app, &format!("{FLOW}?{chosen}&step=payment"), "en_US").await;
    assert!(addons.contains("name=\"addon_"), "{addons}");
    let when = html_in(
        &app,
        &format!("{FLOW}?{chosen}&addon_1=2&step=payment"),
        "en_US",
    )
    .await;
    assert!(when.contains("id=\"volixta-slot-picker\""));
    assert!(when.contains("Choose a free time first."));
    // Two 30-minute add-ons make the booking 2 hours: only 9:00 and 10:00 fit in 9–12 (Paris).
    let day = ahead(16);
    let when = html_in(
        &app,
        &format!("{FLOW}?{chosen}&addons=1:2&step=when&date={day}"),
        "de_DE",
    )
    .await;
    let engine = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&from={day}&to={day}&addons=1:2",
                s.service, s.location
            ),
            MANAGER,
        )
        .await;
    assert_eq!(
        slot_values(&when).len(),
        engine.body["days"][0]["slots"]
            .as_array()
            .map_or(0, Vec::len)
    );
}

#[tokio::test]
async fn the_price_shown_is_the_domain_s_and_a_double_confirm_books_once() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let patched = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"tax_rate_percent": "20", "currency": "EUR"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let pricing = app
        .request(
            Method::PUT,
            &format!("/v1/services/{}/pricing", s.service),
            MANAGER,
            Some(&json!({"deposit": {"type": "percent", "value": "50"}})),
        )
        .await;
    assert_eq!(pricing.status, StatusCode::OK, "{}", pricing.text);
    let client = id(&app.create_client(json!({"first_name": "Cy"})).await);
    let credit = app
        .post(
            &format!("/v1/clients/{client}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "30.00", "reason": "welcome"}),
        )
        .await;
    assert_eq!(credit.status, StatusCode::CREATED, "{}", credit.text);
    let slot = slot_values(
        &html_in(
            &app,
            &format!(
                "/v1/render/admin/slot-picker?service_id={}&location_id={}&staff_id={}&date={}",
                s.service,
                s.location,
                s.staff,
                ahead(17)
            ),
            "en_US",
        )
        .await,
    )[0]
    .clone();
    let query = format!(
        "client={client}&service_id={}&location_id={}&staff_id={}&addons=1:1&slot={}\
         &method=cash&pay_status=paid&use_wallet=20",
        s.service,
        s.location,
        s.staff,
        urlencoding(&slot)
    );
    let review = html_in(&app, &format!("{FLOW}?{query}&step=review"), "en_US").await;
    assert!(review.contains("Confirm booking"), "{review}");
    // Massage 50 + stones 10, prices with 20 % tax in them: 60.00, of which 10.00 tax.
    assert!(
        review.contains("id=\"volixta-nb-total\">€60.00<"),
        "{review}"
    );
    assert!(review.contains("id=\"volixta-nb-tax\">€10.00<"));
    assert!(review.contains("id=\"volixta-nb-credits\">€20.00<"));
    assert!(review.contains("Paid by Cash"));
    // The same review for a German site writes amounts as people there do, and the time on
    // the Settings screen's clock.
    let german = html_in(&app, &format!("{FLOW}?{query}&step=review"), "de_DE").await;
    assert!(
        german.contains("id=\"volixta-nb-total\">60,00\u{a0}€<"),
        "{german}"
    );

    // Not enough credits: said beside the field, nothing booked.
    let greedy = query.replace("use_wallet=20", "use_wallet=40");
    let refused = confirm(&app, &greedy, MANAGER, "too-much").await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"volixta-nb-wallet-error\""),
        "{}",
        refused.text
    );
    assert_eq!(bookings_of(&app, client).await, 0);

    let (first, second) = tokio::join!(
        confirm(&app, &query, MANAGER, "book-once"),
        confirm(&app, &query, MANAGER, "book-once")
    );
    for res in [&first, &second] {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(res.text.contains("was made for Cy"), "{}", res.text);
    }
    assert_eq!(bookings_of(&app, client).await, 1);
    let booking: u64 = app
        .scalar(&format!(
            "SELECT id FROM {{p}}volixta_bookings WHERE client_id = {client}"
        ))
        .await;
    assert!(
        first
            .text
            .contains(&format!("page=volixta-bookings&amp;booking={booking}"))
    );
    let stored = app.get(&format!("/v1/bookings/{booking}"), MANAGER).await;
    assert_eq!(stored.body["total"], "60.00");
    assert_eq!(stored.body["tax_total"], "10.00");
    assert_eq!(stored.body["amount_paid"], "60.00");
    let wallet = app
        .get(&format!("/v1/clients/{client}/wallet"), MANAGER)
        .await;
    assert_eq!(
        wallet.body["balance"], "10.00",
        "the credits were taken once"
    );

    // The same time again for someone else: refused, and the picker offers the nearest times.
    let other = id(&app.create_client(json!({"first_name": "Dee"})).await);
    let again = query
        .replace(&format!("client={client}"), &format!("client={other}"))
        .replace("&use_wallet=20", "");
    let taken = confirm(&app, &again, MANAGER, "taken").await;
    assert_eq!(taken.status, StatusCode::OK);
    assert!(
        taken.text.contains("The booking was not made"),
        "{}",
        taken.text
    );
    assert!(taken.text.contains("The nearest free times:"));
    assert_eq!(bookings_of(&app, other).await, 0);
}
