//! The wp-admin Staff screen: who may see it, saving a schedule through the form, refusals that
//! change nothing, and the week preview the availability engine answers.
use crate::admin_slot_picker::{ahead, html_in, shop};
use crate::catalog::{create, id};
use crate::helpers::*;
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SCREEN: &str = "/v1/render/admin/staff";

async fn save(app: &TestApp, query: &str, actor: &str, body: &Value) -> Response {
    app.request_with(
        Method::POST,
        &format!("{SCREEN}/save?{query}"),
        actor,
        Some(serde_json::to_vec(body).expect("json")),
        &[],
        Tamper::default(),
    )
    .await
}

fn monday_after(days: i64) -> NaiveDate {
    let d = ahead(days);
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

#[tokio::test]
async fn only_managers_and_admins_get_the_staff_screen() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    for actor in [MANAGER, ADMIN] {
        for query in [
            String::new(),
            "action=new".into(),
            format!("staff={}", s.staff),
        ] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::OK, "{actor} {query}: {}", res.text);
        }
    }
    let list = app.get(SCREEN, MANAGER).await.text;
    assert!(list.contains("wp-list-table"), "{list}");
    assert!(list.contains("&lt;b&gt;Ann&lt;&#x2f;b&gt;") || list.contains("&lt;b&gt;Ann"));
    assert!(!list.contains("<b>Ann"), "names are escaped");
    for actor in ["employee:3", "client:42", "guest:0"] {
        for path in [
            SCREEN.to_owned(),
            format!("{SCREEN}?staff={}", s.staff),
            format!("{SCREEN}/{}/preview", s.staff),
        ] {
            let res = app.get(&path, actor).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {path}");
        }
        let res = save(
            &app,
            &format!("staff={}", s.staff),
            actor,
            &json!({"first_name": "Mine"}),
        )
        .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor}");
    }
    let after = app.get(&format!("/v1/staff/{}", s.staff), MANAGER).await;
    assert_eq!(after.body["first_name"], "<b>Ann</b>");
    let res = app.get(&format!("{SCREEN}?staff=999999"), MANAGER).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_form_saves_hours_breaks_days_off_and_permissions() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let monday = monday_after(14);
    let wednesday = monday + Duration::days(2);
    let res = save(
        &app,
        "page=volixta-staff",
        MANAGER,
        &json!({
            "first_name": "Bo", "last_name": "Berg", "email": "bo@example.com",
            "service_ids": s.service.to_string(), "active": "1", "can_cancel": "1",
            "wh0_location": s.location.to_string(), "wh0_weekday": "1", "wh0_start": "09:00", "wh0_end": "12:00",
            "wh1_location": s.location.to_string(), "wh1_weekday": "3", "wh1_start": "09:00", "wh1_end": "12:00",
            "wh2_location": "", "wh2_weekday": "1", "wh2_start": "", "wh2_end": "",
            "br0_weekday": "1", "br0_start": "10:00", "br0_end": "11:00",
            "off0_date": wednesday.to_string(), "off0_until": "", "off0_reason": "Dentist",
            "op": "save"
        }),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.text.contains("was saved"), "{}", res.text);
    let list = app.get("/v1/staff", MANAGER).await.body;
    let bo = list
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["first_name"] == "Bo")
        .expect("Bo saved")
        .clone();
    assert_eq!(bo["working_hours"].as_array().map(Vec::len), Some(2));
    assert_eq!(bo["breaks"][0]["start"], "10:00");
    assert_eq!(bo["days_off"][0]["reason"], "Dentist");
    let bo_id = id(&bo);
    let rights = app
        .get(&format!("/v1/staff/{bo_id}/booking-permissions"), MANAGER)
        .await
        .body;
    assert_eq!(rights["can_cancel_bookings"], true);
    assert_eq!(rights["can_edit_bookings"], false);

    // The week preview: the break and the day off are not offered (Paris, 60-minute slots).
    // On a 24-hour clock, so that "09:00" cannot hide inside "9:00 am".
    let preview = html_in(
        &app,
        &format!(
            "{SCREEN}/{bo_id}/preview?preview_service={}&preview_location={}&week={monday}",
            s.service, s.location
        ),
        "fr_FR",
    )
    .await;
    let day = |date: NaiveDate| -> String {
        let html = &preview;
        let start = html
            .find(&format!("data-date=\"{date}\""))
            .expect("day shown");
        let end = html[start..]
            .find("</li>\n")
            .map_or(html.len(), |e| start + e);
        html[start..end].to_owned()
    };
    let mon = day(monday);
    // 09:00–12:00 less the 10:00–11:00 break: one hour before it, one after.
    assert!(mon.contains(">09:00<") && mon.contains(">11:00<"), "{mon}");
    assert!(
        !mon.contains(">09:15<") && !mon.contains(">10:00<"),
        "{mon}"
    );
    assert!(day(wednesday).contains("Day off"));
    assert!(day(monday + Duration::days(1)).contains("No free time"));
}

#[tokio::test]
async fn bad_periods_are_refused_beside_their_row_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let other = id(&create(
        &app,
        "/v1/locations",
        json!({"name": "Lyon", "timezone": "Europe/Paris"}),
    )
    .await);
    let before = app
        .get(&format!("/v1/staff/{}", s.staff), MANAGER)
        .await
        .body;
    let base = json!({
        "first_name": "Ann", "service_ids": [s.service.to_string()],
        "wh0_location": s.location.to_string(), "wh0_weekday": "2", "wh0_start": "09:00", "wh0_end": "17:00",
        "wh1_location": "", "wh1_weekday": "1", "wh1_start": "", "wh1_end": "",
        "wh2_location": other.to_string(), "wh2_weekday": "2", "wh2_start": "16:00", "wh2_end": "18:00",
    });
    let query = format!("staff={}", s.staff);
    let res = save(&app, &query, MANAGER, &base).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.text.contains("volixta-field-wh2-error"),
        "the overlap is told beside the third row: {}",
        res.text
    );
    assert!(res.text.contains("Nothing was saved"));
    let mut reversed = base.clone();
    reversed["wh2_weekday"] = json!("3");
    reversed["wh2_start"] = json!("18:00");
    reversed["wh2_end"] = json!("08:00");
    let res = save(&app, &query, MANAGER, &reversed).await;
    assert!(
        res.text.contains("volixta-field-wh2_end-error")
            && res.text.contains("The end must be after the start."),
        "{}",
        res.text
    );
    let mut bad_date = base.clone();
    bad_date["wh2_weekday"] = json!("3");
    bad_date["off0_date"] = json!("2026-12-10");
    bad_date["off0_until"] = json!("2026-12-01");
    let res = save(&app, &query, MANAGER, &bad_date).await;
    assert!(
        res.text.contains("volixta-field-off0_until-error"),
        "{}",
        res.text
    );
    let after = app
        .get(&format!("/v1/staff/{}", s.staff), MANAGER)
        .await
        .body;
    assert_eq!(before["working_hours"], after["working_hours"]);
    assert_eq!(before["days_off"], after["days_off"]);
    // Asking for more rows saves nothing either.
    let mut more = bad_date.clone();
    more["op"] = json!("more:off");
    let res = save(&app, &query, MANAGER, &more).await;
    assert!(res.text.contains("name=\"off2_date\""), "{}", res.text);
    let after = app
        .get(&format!("/v1/staff/{}", s.staff), MANAGER)
        .await
        .body;
    assert_eq!(before["days_off"], after["days_off"]);
}

#[tokio::test]
async fn the_preview_follows_a_new_york_week_across_the_dst_change() {
    let app = TestApp::spawn().await;
    let ny = id(&create(
        &app,
        "/v1/locations",
        json!({"name": "Manhattan", "timezone": "America/New_York"}),
    )
    .await);
    let service = id(&create(
        &app,
        "/v1/services",
        json!({"name": "Cut", "duration_minutes": 60, "price": "40"}),
    )
    .await);
    let hours: Vec<Value> = (1..=7)
        .map(|d| json!({"location_id": ny, "weekday": d, "start": "09:00", "end": "11:00"}))
        .collect();
    let staff = id(&create(
        &app,
        "/v1/staff",
        json!({"first_name": "Cy", "service_ids": [service], "working_hours": hours}),
    )
    .await);
    // The first Sunday of November ends daylight saving time in New York; the week after the
    // next one is at least a week ahead whenever the test runs.
    let year = ahead(8).year() + i32::from(ahead(8).month() > 10);
    let mut change = NaiveDate::from_ymd_opt(year, 11, 1).expect("date");
    while change.weekday() != chrono::Weekday::Sun {
        change += Duration::days(1);
    }
    let html = html_in(
        &app,
        &format!("{SCREEN}/{staff}/preview?week={change}"),
        "en_US",
    )
    .await;
    assert!(html.contains("America&#x2f;New_York"), "{html}");
    for date in [change - Duration::days(1), change] {
        let at = html.find(&format!("data-date=\"{date}\"")).expect("day");
        let day = &html[at..at + 400.min(html.len() - at)];
        assert!(
            day.contains(">9:00 am<") && day.contains(">10:00 am<") && !day.contains(">11:00"),
            "wall-clock hours on both sides of the change: {day}"
        );
    }
}

#[tokio::test]
async fn the_form_stores_a_photo_with_the_member_or_nothing_at_all() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    let form = |photo: &str, first_name: &str| {
        json!({"first_name": first_name, "active": "1", "service_ids": s.service.to_string(),
               "wh0_location": s.location.to_string(), "wh0_weekday": "1", "wh0_start": "09:00", "wh0_end": "12:00",
               "avatar_image": photo, "op": "save"})
    };
    let photos = || async {
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_staff_avatars")
            .await
    };
    let members = || async {
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_staff WHERE first_name = 'Ida'")
            .await
    };

    // Not an image: refused beside the photo, and no member either.
    let res = save(
        &app,
        "page=volixta-staff",
        MANAGER,
        &form("data:image/png;base64,aGVsbG8=", "Ida"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text.contains("volixta-field-avatar-error"),
        "{}",
        res.text
    );
    assert_eq!((members().await, photos().await), (0, 0));

    // A schedule the catalog refuses stores no photo.
    let mut bad = form(PNG, "Ida");
    bad["wh0_end"] = json!("08:00");
    let res = save(&app, "page=volixta-staff", MANAGER, &bad).await;
    assert!(res.text.contains("Nothing was saved"), "{}", res.text);
    assert_eq!((members().await, photos().await), (0, 0));

    let res = save(&app, "page=volixta-staff", MANAGER, &form(PNG, "Ida")).await;
    assert!(res.text.contains("was saved"), "{}", res.text);
    assert!(res.text.contains("A photo is on file."));
    let ida: u64 = app
        .scalar("SELECT id FROM {p}volixta_staff WHERE first_name = 'Ida'")
        .await;
    assert_eq!(photos().await, 1);
    for actor in [MANAGER, "guest:0", "client:42"] {
        let res = app.get(&format!("/v1/staff/{ida}/avatar"), actor).await;
        assert_eq!(res.status, StatusCode::OK, "{actor}");
        assert_eq!(res.content_type, "image/png");
    }

    // Saving again without a file keeps it; ticking "Remove it" removes it.
    let res = save(
        &app,
        &format!("page=volixta-staff&staff={ida}"),
        MANAGER,
        &form("", "Ida"),
    )
    .await;
    assert!(res.text.contains("A photo is on file."), "{}", res.text);
    let mut remove = form("", "Ida");
    remove["avatar_remove"] = json!("1");
    let res = save(
        &app,
        &format!("page=volixta-staff&staff={ida}"),
        MANAGER,
        &remove,
    )
    .await;
    assert!(res.text.contains("was saved"), "{}", res.text);
    assert!(!res.text.contains("A photo is on file."));
    assert_eq!(photos().await, 0);
    assert_eq!(
        app.get(&format!("/v1/staff/{ida}/avatar"), MANAGER)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
