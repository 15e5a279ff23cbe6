//! The wp-admin setup screens (locations, services, settings): who may open them, what their
//! forms save through the catalog and the settings, and that a refused form saves nothing.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const EMPLOYEE: &str = "employee:7";
const CLIENT: &str = "client:42";

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

async fn html(app: &TestApp, path: &str, actor: &str) -> String {
    let res = app.get(path, actor).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"), "{path}");
    res.text
}

async fn form(app: &TestApp, path: &str, actor: &str, body: &Value) -> String {
    let res = app.post(path, actor, body).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    res.text
}

async fn locations(app: &TestApp) -> Vec<Value> {
    let res = app
        .get("/v1/locations?include_inactive=true", MANAGER)
        .await;
    res.body.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn only_managers_and_admins_get_the_locations_screen() {
    let app = TestApp::spawn().await;
    for actor in [MANAGER, ADMIN] {
        let list = html(&app, "/v1/render/admin/locations", actor).await;
        assert!(list.contains("No locations yet"), "{list}");
        let new = html(&app, "/v1/render/admin/locations?action=new", actor).await;
        assert!(
            new.contains(r#"<option value="America&#x2f;New_York">"#),
            "the zone list"
        );
    }
    for actor in [EMPLOYEE, CLIENT, "guest:0"] {
        for path in [
            "/v1/render/admin/locations",
            "/v1/render/admin/locations?action=new",
        ] {
            assert_eq!(app.get(path, actor).await.status, StatusCode::FORBIDDEN);
        }
        let res = app
            .post(
                "/v1/render/admin/locations/save?page=volixta-locations",
                actor,
                &json!({"name": "X", "timezone": "UTC"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor}");
    }
    assert!(locations(&app).await.is_empty());
}

#[tokio::test]
async fn the_location_form_saves_split_hours_and_special_days() {
    let app = TestApp::spawn().await;
    let save = "/v1/render/admin/locations/save?page=volixta-locations";
    // "Add period" on Tuesday answers the form with a second row and saves nothing.
    let body = json!({"name": "Midtown <b>", "timezone": "America/New_York",
                      "h2_0_start": "09:00", "h2_0_end": "12:00", "op": "add_hours:2"});
    let page = form(&app, save, MANAGER, &body).await;
    assert!(
        page.contains(r#"name="h2_1_start""#),
        "a second Tuesday row"
    );
    assert!(
        page.contains("Midtown &lt;b&gt;"),
        "typed text kept, escaped"
    );
    assert!(locations(&app).await.is_empty());

    let body = json!({"name": "Midtown <b>", "address": "5th Avenue 1, New York",
                      "timezone": "America/New_York", "active": "1",
                      "h2_0_start": "09:00", "h2_0_end": "12:00",
                      "h2_1_start": "14:00", "h2_1_end": "18:00",
                      "h3_0_start": "", "h3_0_end": "",
                      "s0_date": "2026-12-25", "s0_kind": "closed",
                      "s1_date": "2026-12-24", "s1_kind": "hours",
                      "s1_0_start": "10:00", "s1_0_end": "14:00", "op": "save"});
    let page = form(&app, save, MANAGER, &body).await;
    assert!(page.contains("Midtown &lt;b&gt; was saved."), "{page}");
    let all = locations(&app).await;
    assert_eq!(all.len(), 1);
    let l = &all[0];
    assert_eq!(l["timezone"], "America/New_York");
    assert_eq!(
        l["opening_hours"],
        json!([{"weekday": 2, "start": "09:00", "end": "12:00"},
               {"weekday": 2, "start": "14:00", "end": "18:00"}])
    );
    assert_eq!(
        l["special_days"],
        json!([{"date": "2026-12-24", "closed": false, "periods": [{"start": "10:00", "end": "14:00"}]},
               {"date": "2026-12-25", "closed": true, "periods": []}])
    );
    // The edit form shows what was saved.
    let edit = html(
        &app,
        &format!("/v1/render/admin/locations?location={}", id(l)),
        MANAGER,
    )
    .await;
    assert!(edit.contains(r#"name="h2_1_end" value="18:00""#), "{edit}");
    assert!(edit.contains(r#"name="s0_0_start" value="10:00""#));
    assert_eq!(
        app.get("/v1/render/admin/locations?location=999", MANAGER)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_refused_location_form_says_why_beside_the_field_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let paris = app
        .post(
            "/v1/locations",
            MANAGER,
            &json!({"name": "Paris", "timezone": "Europe/Paris",
                    "opening_hours": [{"weekday": 1, "start": "09:00", "end": "17:00"}]}),
        )
        .await
        .body;
    let save = format!(
        "/v1/render/admin/locations/save?page=volixta-locations&location={}",
        id(&paris)
    );
    let base = json!({"name": "Paris", "timezone": "Europe/Paris", "active": "1",
                      "h1_0_start": "09:00", "h1_0_end": "17:00"});
    let cases = [
        (
            json!({"timezone": "Mars/Olympus"}),
            "volixta-field-timezone-error",
            "an IANA time zone",
        ),
        (
            json!({"h1_0_end": "08:00"}),
            "volixta-field-h1_0_end-error",
            "must be after start",
        ),
        (
            json!({"h1_1_start": "16:00", "h1_1_end": "18:00"}),
            "volixta-field-h1_1-error",
            "overlaps",
        ),
        (
            json!({"name": " "}),
            "volixta-field-name-error",
            "name is required",
        ),
        (
            json!({"s0_date": "2026-12-25", "s0_kind": "hours"}),
            "volixta-field-s0_periods-error",
            "mark it closed",
        ),
        (
            json!({"s0_date": "", "s0_kind": "closed"}),
            "volixta-field-s0_date-error",
            "a date like",
        ),
    ];
    for (change, error_id, message) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let page = form(&app, &save, MANAGER, &body).await;
        assert!(page.contains(error_id), "{change}: {page}");
        assert!(page.contains("was not saved"), "{change}");
        if message != "overlaps" {
            assert!(page.contains(message), "{change}: {message}");
        }
    }
    let now = app
        .get(&format!("/v1/locations/{}", id(&paris)), MANAGER)
        .await
        .body;
    assert_eq!(now["timezone"], "Europe/Paris");
    assert_eq!(now["opening_hours"], paris["opening_hours"]);
    assert_eq!(now["special_days"], json!([]));

    // The API answers the same refusals as 422 with the field's name.
    let res = app
        .patch(
            &format!("/v1/locations/{}", id(&paris)),
            MANAGER,
            &json!({"opening_hours": [{"weekday": 1, "start": "09:00", "end": "12:00"},
                                      {"weekday": 1, "start": "11:00", "end": "13:00"}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body["error"]["fields"]["opening_hours[1]"].is_string(),
        "{}",
        res.text
    );
    let res = app
        .patch(
            &format!("/v1/locations/{}", id(&paris)),
            MANAGER,
            &json!({"special_days": [{"date": "2026-12-25", "periods": [{"start": "12:00", "end": "10:00"}]}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body["error"]["fields"]["special_days[0].periods[0].end"].is_string());
}

#[tokio::test]
async fn a_location_s_special_days_shape_its_slots() {
    let app = TestApp::spawn().await;
    let ny = app
        .post(
            "/v1/locations",
            MANAGER,
            &json!({"name": "NY", "timezone": "America/New_York",
                    "opening_hours": [{"weekday": 1, "start": "09:00", "end": "12:00"},
                                      {"weekday": 1, "start": "14:00", "end": "16:00"}],
                    "special_days": [{"date": "2030-01-07", "closed": true},
                                     {"date": "2030-01-14", "periods": [{"start": "10:00", "end": "11:00"}]}]}),
        )
        .await
        .body;
    let service = app
        .post(
            "/v1/services",
            MANAGER,
            &json!({"name": "Cut", "duration_minutes": 60, "price": "30.00"}),
        )
        .await
        .body;
    app.post(
        "/v1/staff",
        MANAGER,
        &json!({"first_name": "Bo", "service_ids": [id(&service)],
                "working_hours": [{"location_id": id(&ny), "weekday": 1, "start": "08:00", "end": "18:00"}]}),
    )
    .await;
    let slots = app
        .get(
            &format!(
                "/v1/availability?service_id={}&location_id={}&from=2029-12-31&to=2030-01-14&timezone=America/New_York",
                id(&service),
                id(&ny)
            ),
            MANAGER,
        )
        .await;
    assert_eq!(slots.status, StatusCode::OK, "{}", slots.text);
    let days: Vec<(String, Vec<String>)> = slots.body["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| {
            (
                d["date"].as_str().expect("date").to_owned(),
                d["slots"]
                    .as_array()
                    .expect("slots")
                    .iter()
                    .map(|s| s["start"].as_str().expect("start").to_owned())
                    .collect(),
            )
        })
        .collect();
    let dates: Vec<&str> = days.iter().map(|(d, _)| d.as_str()).collect();
    // Monday the 7th is closed; the 14th opens 10:00–11:00 only (15:00 UTC in winter).
    assert_eq!(dates, ["2029-12-31", "2030-01-14"], "{days:?}");
    assert_eq!(days[1].1, ["2030-01-14T15:00:00Z"]);
    // Split hours: 09:00–12:00 and 14:00–16:00, an hour long every 15 minutes: 9 + 5 starts.
    assert_eq!(days[0].1.len(), 9 + 5, "{days:?}");
}

#[tokio::test]
async fn only_managers_and_admins_get_the_services_screen() {
    let app = TestApp::spawn().await;
    for actor in [MANAGER, ADMIN] {
        let list = html(&app, "/v1/render/admin/services", actor).await;
        assert!(list.contains("No services yet"), "{list}");
        html(&app, "/v1/render/admin/services?action=new", actor).await;
    }
    for actor in [EMPLOYEE, CLIENT, "guest:0"] {
        assert_eq!(
            app.get("/v1/render/admin/services", actor).await.status,
            StatusCode::FORBIDDEN
        );
        for path in [
            "/v1/render/admin/services/save?page=volixta-services",
            "/v1/render/admin/services/categories?page=volixta-services",
        ] {
            let res = app
                .post(
                    path,
                    actor,
                    &json!({"name": "X", "op": "add", "new_name": "X"}),
                )
                .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {path}");
        }
    }
    let all = app.get("/v1/services?include_inactive=true", MANAGER).await;
    assert_eq!(all.body, json!([]));
}

#[tokio::test]
async fn the_service_form_saves_terms_price_rules_and_add_ons() {
    let app = TestApp::spawn().await;
    let ny = id(&app
        .post(
            "/v1/locations",
            MANAGER,
            &json!({"name": "NY", "timezone": "America/New_York"}),
        )
        .await
        .body);
    let cats = "/v1/render/admin/services/categories?page=volixta-services";
    let page = form(
        &app,
        cats,
        MANAGER,
        &json!({"op": "add", "new_name": "Massage", "new_position": "2"}),
    )
    .await;
    assert!(page.contains("The category Massage was added."), "{page}");
    let massage = app.get("/v1/service-categories", MANAGER).await.body[0].clone();
    let save = "/v1/render/admin/services/save?page=volixta-services";
    let page = form(
        &app,
        save,
        MANAGER,
        &json!({"name": "Deep tissue", "op": "add_addon"}),
    )
    .await;
    assert!(page.contains(r#"name="a0_name""#) && page.contains("autofocus"));
    let body = json!({
        "name": "Deep tissue", "category_id": massage["id"].to_string(), "description": "",
        "duration_minutes": "60", "price": "80.00", "capacity": "1",
        "buffer_before_minutes": "10", "buffer_after_minutes": "15",
        "min_booking_notice_minutes": "120", "min_change_notice_minutes": "",
        "tax_rate_percent": "8.50", "deposit_type": "percent", "deposit_value": "25",
        "discount_type": "amount", "discount_value": "5.00",
        "location_ids": [ny.to_string()], "position": "3", "active": "1",
        "a0_id": "", "a0_name": "Hot stones", "a0_price": "15.00", "a0_duration_minutes": "15", "a0_max_quantity": "2",
        "a1_id": "", "a1_name": "", "a1_price": "", "a1_duration_minutes": "0", "a1_max_quantity": "1",
        "a2_id": "", "a2_name": "Aromatherapy oil", "a2_price": "5.00", "a2_duration_minutes": "0", "a2_max_quantity": "1",
        "op": "save"});
    let page = form(&app, save, MANAGER, &body).await;
    assert!(page.contains("Deep tissue was saved."), "{page}");
    let s = app
        .get("/v1/services?include_inactive=true", MANAGER)
        .await
        .body[0]
        .clone();
    assert_eq!(s["category"], "Massage");
    assert_eq!(
        (
            s["buffer_before_minutes"].clone(),
            s["buffer_after_minutes"].clone()
        ),
        (json!(10), json!(15))
    );
    assert_eq!(s["time_rules"]["min_booking_notice_minutes"], 120);
    assert_eq!(s["time_rules"]["min_change_notice_minutes"], Value::Null);
    assert_eq!(s["location_ids"], json!([ny]));
    assert_eq!(s["position"], 3);
    assert_eq!(s["addons"].as_array().map(Vec::len), Some(2));
    assert_eq!(s["addons"][0]["max_quantity"], 2);
    let pricing = app
        .get(&format!("/v1/services/{}/pricing", id(&s)), MANAGER)
        .await
        .body;
    assert_eq!(
        pricing["deposit"],
        json!({"type": "percent", "value": "25.00"})
    );
    assert_eq!(
        pricing["discount"],
        json!({"type": "amount", "value": "5.00"})
    );
    // The edit form shows it back; deactivating keeps the service (and its history).
    let edit = html(
        &app,
        &format!("/v1/render/admin/services?service={}", id(&s)),
        MANAGER,
    )
    .await;
    assert!(
        edit.contains(r#"name="a1_name" value="Aromatherapy oil""#),
        "{edit}"
    );
    let mut off = body.clone();
    off.as_object_mut().expect("object").remove("active");
    off["a0_id"] = s["addons"][0]["id"].to_string().into();
    off["a2_id"] = s["addons"][1]["id"].to_string().into();
    form(&app, &format!("{save}&service={}", id(&s)), MANAGER, &off).await;
    let s2 = app
        .get(&format!("/v1/services/{}", id(&s)), MANAGER)
        .await
        .body;
    assert_eq!(s2["active"], false);
    assert_eq!(
        s2["addons"][0]["id"], s["addons"][0]["id"],
        "add-ons kept by id"
    );

    // A category with services is not deleted; an empty one is.
    let refused = form(
        &app,
        cats,
        MANAGER,
        &json!({"op": format!("delete:{}", massage["id"])}),
    )
    .await;
    assert!(refused.contains("still has services"), "{refused}");
    assert_eq!(
        app.get("/v1/service-categories", MANAGER)
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let res = app
        .delete(
            &format!("/v1/service-categories/{}", massage["id"]),
            MANAGER,
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "category_in_use")
    );
    form(
        &app,
        cats,
        MANAGER,
        &json!({"op": "add", "new_name": "Spare"}),
    )
    .await;
    let spare = app
        .get("/v1/service-categories", MANAGER)
        .await
        .body
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["name"] == "Spare")
        .cloned()
        .expect("spare");
    let page = form(&app, cats, MANAGER, &json!({"op": format!("rename:{}", spare["id"]), format!("name_{}", spare["id"]): "Extras", format!("position_{}", spare["id"]): "1"})).await;
    assert!(page.contains("The category Extras was saved."), "{page}");
    let page = form(
        &app,
        cats,
        MANAGER,
        &json!({"op": format!("delete:{}", spare["id"])}),
    )
    .await;
    assert!(page.contains("The category Extras was deleted."), "{page}");
}

#[tokio::test]
async fn a_refused_service_form_says_why_beside_the_field_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let save = "/v1/render/admin/services/save?page=volixta-services";
    let base = json!({"name": "Cut", "duration_minutes": "30", "price": "20.00", "capacity": "1",
                      "buffer_before_minutes": "0", "buffer_after_minutes": "0",
                      "deposit_type": "none", "discount_type": "none", "position": "0", "active": "1"});
    let cases = [
        (
            json!({"price": "-5.00"}),
            "volixta-field-price-error",
            "may not be negative",
        ),
        (
            json!({"price": "abc"}),
            "volixta-field-price-error",
            "an amount like",
        ),
        (
            json!({"duration_minutes": "2"}),
            "volixta-field-duration_minutes-error",
            "between 5 and 1440",
        ),
        (
            json!({"name": ""}),
            "volixta-field-name-error",
            "name is required",
        ),
        (
            json!({"deposit_type": "percent", "deposit_value": "150"}),
            "volixta-field-deposit_value-error",
            "percentage between 0 and 100",
        ),
        (
            json!({"tax_rate_percent": "120"}),
            "volixta-field-tax_rate_percent-error",
            "between 0 and 100",
        ),
        (
            json!({"a0_name": "Oil", "a0_price": "-1.00", "a0_duration_minutes": "0", "a0_max_quantity": "1"}),
            "volixta-field-a0_price-error",
            "may not be negative",
        ),
        (
            json!({"a0_name": "Long", "a0_price": "1.00", "a0_duration_minutes": "600", "a0_max_quantity": "3"}),
            "volixta-field-duration_minutes-error",
            "at most 1440",
        ),
        (
            json!({"a0_name": "Stones", "a0_price": "1.00", "a0_duration_minutes": "0", "a0_min_quantity": "3", "a0_max_quantity": "2"}),
            "volixta-field-a0_min_quantity-error",
            "between 1 and the most per booking",
        ),
    ];
    for (change, error_id, message) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let page = form(&app, save, MANAGER, &body).await;
        assert!(page.contains(error_id), "{change}: {page}");
        assert!(page.contains(message), "{change}: {message}");
        assert!(page.contains("was not saved"), "{change}");
    }
    let all = app.get("/v1/services?include_inactive=true", MANAGER).await;
    assert_eq!(all.body, json!([]), "nothing saved");
    let res = app
        .post(
            "/v1/services",
            MANAGER,
            &json!({"name": "Cut", "duration_minutes": 30, "price": "-1.00"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body["error"]["fields"]["price"].is_string());
}

#[tokio::test]
async fn only_admins_get_the_settings_screen_and_bad_values_save_nothing() {
    let app = TestApp::spawn().await;
    let page = html(&app, "/v1/render/admin/settings", ADMIN).await;
    assert!(
        page.contains(r#"name="slot_interval_minutes" value="15""#),
        "{page}"
    );
    let save = "/v1/render/admin/settings/save?page=volixta-settings";
    for actor in [MANAGER, EMPLOYEE, CLIENT] {
        assert_eq!(
            app.get("/v1/render/admin/settings", actor).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post(save, actor, &json!({"slot_interval_minutes": "30"}))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
    let good = json!({"slot_interval_minutes": "30", "min_booking_notice_minutes": "0",
        "min_change_notice_minutes": "120", "max_booking_ahead_days": "60",
        "currency": "usd", "prices_include_tax": "0", "tax_rate_percent": "8.50",
        "client_limit": "", "locale": "en_US", "time_format": "12h"});
    for (change, field) in [
        (
            json!({"slot_interval_minutes": "1"}),
            "slot_interval_minutes",
        ),
        (json!({"currency": "dollars"}), "currency"),
        (json!({"tax_rate_percent": "-1"}), "tax_rate_percent"),
        (json!({"locale": "english"}), "locale"),
        (
            json!({"max_booking_ahead_days": "soon"}),
            "max_booking_ahead_days",
        ),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let page = form(&app, save, ADMIN, &body).await;
        assert!(
            page.contains(&format!("volixta-field-{field}-error")),
            "{change}: {page}"
        );
        assert!(page.contains("were not saved"));
    }
    let untouched = app.get("/v1/settings", ADMIN).await.body;
    assert_eq!(untouched["slot_interval_minutes"], 15, "nothing saved");
    let page = form(&app, save, ADMIN, &good).await;
    assert!(page.contains("Settings saved."), "{page}");
    let s = app.get("/v1/settings", ADMIN).await.body;
    assert_eq!(
        (
            s["slot_interval_minutes"].clone(),
            s["currency"].clone(),
            s["cancel_refund_to_wallet"].clone(),
            s["prices_include_tax"].clone(),
            s["client_limit"].clone(),
            s["locale"].clone(),
            s["time_format"].clone()
        ),
        (
            json!(30),
            json!("USD"),
            json!(false),
            json!(false),
            Value::Null,
            json!("en_US"),
            json!("12h")
        )
    );
    let res = app
        .patch("/v1/settings", ADMIN, &json!({"time_format": "13h"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body["error"]["fields"]["time_format"].is_string());
}
