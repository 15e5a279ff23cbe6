use super::*;

#[test]
fn emails() {
    for good in ["ann@example.com", " a.b+c@sub.example.co.uk "] {
        assert!(Email::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "ann",
        "ann@",
        "@example.com",
        "ann@example",
        "a b@example.com",
        "a@@b.com",
        "a@b..com",
        "a@.b.com",
    ] {
        assert!(
            matches!(Email::parse(bad), Err(ClientError::Email)),
            "{bad}"
        );
    }
}

#[test]
fn phones_are_normalised_to_e164() {
    let p = |s: &str| Phone::parse(s).map(|p| p.0);
    assert_eq!(p("+44 20 7946 0000").ok(), Some("+442079460000".into()));
    assert_eq!(p("0033 (1) 23-45-67-89").ok(), Some("+33123456789".into()));
    assert_eq!(p("+1.555.010.0100").ok(), Some("+15550100100".into()));
    assert!(matches!(p("020 7946 0000"), Err(ClientError::Phone)));
    assert!(matches!(p("+12"), Err(ClientError::Phone)));
    assert!(matches!(p("+44 20 ext 5"), Err(ClientError::Phone)));
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")
}

fn input(json: serde_json::Value) -> ClientInput {
    serde_json::from_value(json).expect("input")
}

#[test]
fn first_name_is_required() {
    let r = Profile::blank().apply(input(serde_json::json!({"first_name": "  "})), today());
    assert!(matches!(r.err(), Some(ClientError::FirstNameRequired)));
}

#[test]
fn absent_keeps_and_null_clears() {
    let p = Profile::blank()
        .apply(
            input(serde_json::json!({"first_name": "Ann", "email": "a@b.co", "phone": "+44 20 7946 0000",
                "notifications": {"marketing": true}, "permissions": {"cancel": false}})),
            today(),
        )
        .expect("valid");
    assert!(p.notifications.marketing && p.notifications.reminders);
    assert!(!p.permissions.cancel && p.permissions.book);
    let q = p
        .clone()
        .apply(
            input(serde_json::json!({"email": null, "city": " Leeds "})),
            today(),
        )
        .expect("valid");
    assert_eq!(q.email, None);
    assert_eq!(q.phone, p.phone);
    assert_eq!(q.city, "Leeds");
}

#[test]
fn dates_are_in_the_past_and_avatars_are_known() {
    let bad = Profile::blank().apply(
        input(serde_json::json!({"first_name": "A", "birthday": "2030-01-01"})),
        today(),
    );
    assert!(matches!(
        bad,
        Err(ClientError::Invalid {
            field: "birthday",
            ..
        })
    ));
    let bad = Profile::blank().apply(
        input(serde_json::json!({"first_name": "A", "avatar": "../../etc/passwd"})),
        today(),
    );
    assert!(matches!(
        bad,
        Err(ClientError::Invalid {
            field: "avatar",
            ..
        })
    ));
    let bad = Profile::blank().apply(
        input(serde_json::json!({"first_name": "A", "avatar": "upload"})),
        today(),
    );
    assert!(bad.is_err(), "upload is chosen by uploading");
}

#[test]
fn clients_may_not_touch_staff_fields() {
    let i = input(serde_json::json!({"first_name": "A", "status": "VIP", "blocked": false}));
    assert_eq!(i.staff_only_fields(), ["status", "blocked"]);
    assert!(
        input(serde_json::json!({"phone": null}))
            .staff_only_fields()
            .is_empty()
    );
}

#[test]
fn images_are_recognised_by_their_bytes() {
    assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
    assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
    assert_eq!(sniff_image(b"GIF89a.."), Some("image/gif"));
    assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
    assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
    assert!(matches!(
        check_avatar(&vec![0xFF; MAX_AVATAR_BYTES + 1]),
        Err(ClientError::AvatarTooLarge)
    ));
}
