use super::*;
use crate::catalog::{TimeRange, WallTime};
use chrono::{DateTime, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use std::collections::HashMap;

fn t(hhmm: &str) -> WallTime {
    WallTime::parse(hhmm).expect("time")
}

fn range(a: &str, b: &str) -> TimeRange {
    TimeRange::new(t(a), t(b)).expect("range")
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("rfc3339")
        .with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// Staff 1 working `hours` every day of the week.
fn every_day(staff_id: u64, hours: &[TimeRange]) -> StaffSchedule {
    StaffSchedule {
        staff_id,
        weekly: std::array::from_fn(|_| hours.to_vec()),
        ..Default::default()
    }
}

fn query(zone: Tz, staff: Vec<StaffSchedule>, from: &str, to: &str) -> SlotQuery {
    SlotQuery {
        service_id: 10,
        location_id: 20,
        zone,
        opening_hours: None,
        special_opening: HashMap::new(),
        staff,
        duration_minutes: 60,
        buffer_before_minutes: 0,
        buffer_after_minutes: 0,
        capacity: 1,
        people: 1,
        slot_interval_minutes: 30,
        earliest: utc("2000-01-01T00:00:00Z"),
        latest: None,
        from: utc(from),
        to: utc(to),
    }
}

fn booking(staff_id: u64, start: &str, end: &str, before: u32, after: u32) -> BusyInterval {
    BusyInterval {
        booking_id: Some(1),
        staff_id,
        service_id: 99,
        location_id: 20,
        start: utc(start),
        end: utc(end),
        buffer_before_minutes: before,
        buffer_after_minutes: after,
        people: 1,
    }
}

fn starts(slots: &[Slot]) -> Vec<String> {
    slots
        .iter()
        .map(|s| s.start.format("%Y-%m-%dT%H:%MZ").to_string())
        .collect()
}

#[test]
fn slots_start_at_each_period_and_every_interval_and_must_fit() {
    let q = query(
        Tz::UTC,
        vec![every_day(
            1,
            &[range("09:00", "12:00"), range("13:00", "14:15")],
        )],
        "2026-12-01T00:00:00Z",
        "2026-12-02T00:00:00Z",
    );
    assert_eq!(
        starts(&available_slots(&q, &[])),
        [
            "2026-12-01T09:00Z",
            "2026-12-01T09:30Z",
            "2026-12-01T10:00Z",
            "2026-12-01T10:30Z",
            "2026-12-01T11:00Z",
            "2026-12-01T13:00Z",
        ]
    );
}

#[test]
fn add_on_minutes_lengthen_the_booking() {
    let mut q = query(
        Tz::UTC,
        vec![every_day(1, &[range("09:00", "12:00")])],
        "2026-12-01T00:00:00Z",
        "2026-12-02T00:00:00Z",
    );
    q.duration_minutes = 60 + 2 * 45;
    assert_eq!(
        starts(&available_slots(&q, &[])),
        ["2026-12-01T09:00Z", "2026-12-01T09:30Z"]
    );
    // A booking 11:00–12:00 leaves no room for 150 minutes before it either.
    let b = booking(1, "2026-12-01T11:30:00Z", "2026-12-01T12:00:00Z", 0, 0);
    assert_eq!(starts(&available_slots(&q, &[b])), ["2026-12-01T09:00Z"]);
}

#[test]
fn buffers_of_both_neighbours_add_up() {
    let mut q = query(
        Tz::UTC,
        vec![every_day(1, &[range("08:00", "14:00")])],
        "2026-12-01T00:00:00Z",
        "2026-12-02T00:00:00Z",
    );
    q.slot_interval_minutes = 5;
    q.duration_minutes = 30;
    q.buffer_before_minutes = 10;
    q.buffer_after_minutes = 5;
    // Existing 10:00–11:00 with 15 before and 20 after: busy 09:45–11:20 for it.
    let b = booking(1, "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", 15, 20);
    let slots = starts(&available_slots(&q, &[b]));
    // Before it: slot end + 5 (ours after) + 15 (its before) ≤ 10:00 → last start 09:10.
    assert!(slots.contains(&"2026-12-01T09:10Z".to_owned()));
    assert!(!slots.contains(&"2026-12-01T09:15Z".to_owned()));
    // After it: 11:00 + 20 (its after) + 10 (ours before) ≤ start → first start 11:30.
    assert!(!slots.contains(&"2026-12-01T11:25Z".to_owned()));
    assert!(slots.contains(&"2026-12-01T11:30Z".to_owned()));
}

#[test]
fn the_overlap_rule() {
    let a = booking(1, "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", 0, 0);
    let mut b = BusyInterval {
        booking_id: None,
        ..booking(1, "2026-12-01T11:00:00Z", "2026-12-01T12:00:00Z", 0, 0)
    };
    assert!(
        slot_is_free(&b, 1, std::slice::from_ref(&a)),
        "touching is fine"
    );
    b.buffer_before_minutes = 1;
    assert!(!slot_is_free(&b, 1, std::slice::from_ref(&a)));
    let mut other_staff = a.clone();
    other_staff.staff_id = 2;
    assert!(slot_is_free(&b, 1, &[other_staff]));
    // Moving booking 1 onto its own old time is no conflict with itself.
    let moving = BusyInterval {
        booking_id: Some(1),
        ..a.clone()
    };
    assert!(slot_is_free(&moving, 1, std::slice::from_ref(&a)));
    let not_moving = BusyInterval {
        booking_id: Some(2),
        ..a.clone()
    };
    assert!(!slot_is_free(&not_moving, 1, &[a]));
}

#[test]
fn group_sessions_fill_up_to_capacity() {
    let mut q = query(
        Tz::UTC,
        vec![every_day(1, &[range("09:00", "11:00")])],
        "2026-12-01T00:00:00Z",
        "2026-12-02T00:00:00Z",
    );
    q.capacity = 5;
    q.slot_interval_minutes = 60;
    let session = |people| BusyInterval {
        service_id: 10,
        people,
        ..booking(1, "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", 0, 0)
    };
    q.people = 2;
    let both = ["2026-12-01T09:00Z", "2026-12-01T10:00Z"];
    assert_eq!(starts(&available_slots(&q, &[session(3)])), both);
    assert_eq!(
        starts(&available_slots(&q, &[session(4)])),
        ["2026-12-01T10:00Z"]
    );
    q.people = 6;
    assert!(available_slots(&q, &[]).is_empty());
    // Another service at that time is a plain overlap, whatever the seats.
    q.people = 1;
    let other = BusyInterval {
        service_id: 11,
        ..session(1)
    };
    assert_eq!(
        starts(&available_slots(&q, &[other])),
        ["2026-12-01T10:00Z"]
    );
}

#[test]
fn minimum_notice_past_and_booking_horizon() {
    let mut q = query(
        Tz::UTC,
        vec![every_day(1, &[range("09:00", "12:00")])],
        "2026-12-01T00:00:00Z",
        "2026-12-03T00:00:00Z",
    );
    // Now is 09:40 on the 1st with 60 minutes' notice: nothing before 10:40.
    q.earliest = utc("2026-12-01T10:40:00Z");
    q.latest = Some(utc("2026-12-02T10:00:00Z"));
    assert_eq!(
        starts(&available_slots(&q, &[])),
        [
            "2026-12-01T11:00Z",
            "2026-12-02T09:00Z",
            "2026-12-02T09:30Z"
        ]
    );
}

#[test]
fn days_off_special_days_breaks_and_opening_hours() {
    let mut staff = every_day(1, &[range("09:00", "13:00")]);
    staff.breaks = std::array::from_fn(|_| vec![range("10:00", "11:00")]);
    staff.days_off = vec![(date("2026-12-02"), date("2026-12-03"))];
    staff
        .special_days
        .insert(date("2026-12-04"), vec![range("15:00", "16:00")]);
    // Special hours elsewhere on the 5th: not working here at all that day.
    staff.special_days.insert(date("2026-12-05"), vec![]);
    let mut q = query(
        Tz::UTC,
        vec![staff],
        "2026-12-01T00:00:00Z",
        "2026-12-07T00:00:00Z",
    );
    q.slot_interval_minutes = 60;
    assert_eq!(
        starts(&available_slots(&q, &[])),
        [
            "2026-12-01T09:00Z",
            "2026-12-01T11:00Z",
            "2026-12-01T12:00Z",
            "2026-12-04T15:00Z",
            "2026-12-06T09:00Z",
            "2026-12-06T11:00Z",
            "2026-12-06T12:00Z",
        ]
    );
    // The location opens at 11:30 on Sundays (the 6th).
    let mut open: Week = std::array::from_fn(|_| vec![range("00:00", "24:00")]);
    open[6] = vec![range("11:30", "20:00")];
    q.opening_hours = Some(open);
    let slots = starts(&available_slots(&q, &[]));
    assert_eq!(slots[slots.len() - 1..], ["2026-12-06T11:30Z"], "{slots:?}");
}

#[test]
fn a_location_special_day_replaces_its_weekly_opening_hours() {
    let staff = every_day(1, &[range("09:00", "13:00")]);
    let mut q = query(
        Tz::UTC,
        vec![staff],
        "2026-12-01T00:00:00Z",
        "2026-12-04T00:00:00Z",
    );
    q.slot_interval_minutes = 60;
    // Closed on the 1st; open 11:00–20:00 on the 2nd, though the weekly hours end at 10:00.
    q.opening_hours = Some(std::array::from_fn(|_| vec![range("08:00", "10:00")]));
    q.special_opening.insert(date("2026-12-01"), vec![]);
    q.special_opening
        .insert(date("2026-12-02"), vec![range("11:00", "20:00")]);
    assert_eq!(
        starts(&available_slots(&q, &[])),
        [
            "2026-12-02T11:00Z",
            "2026-12-02T12:00Z",
            "2026-12-03T09:00Z",
        ]
    );
    // Without weekly opening hours a special day still cuts the staff hours to it.
    q.opening_hours = None;
    assert_eq!(
        starts(&available_slots(&q, &[]))[..3],
        [
            "2026-12-02T11:00Z",
            "2026-12-02T12:00Z",
            "2026-12-03T09:00Z",
        ]
    );
}

#[test]
fn europe_spring_gap_is_not_offered_and_the_day_is_shorter() {
    // Paris, 29 March 2026: at 02:00 CET the clock jumps to 03:00 CEST.
    let mut q = query(
        chrono_tz::Europe::Paris,
        vec![every_day(1, &[range("01:00", "04:00")])],
        "2026-03-28T12:00:00Z",
        "2026-03-29T12:00:00Z",
    );
    q.duration_minutes = 30;
    assert_eq!(
        starts(&available_slots(&q, &[])),
        [
            "2026-03-29T00:00Z", // 01:00 CET
            "2026-03-29T00:30Z", // 01:30 CET
            "2026-03-29T01:00Z", // 03:00 CEST; 02:00 and 02:30 do not exist
            "2026-03-29T01:30Z", // 03:30 CEST
        ]
    );
    // A 90-minute booking at 01:00 CET ends at 03:30 CEST: within 01:00–04:00 in real time.
    q.duration_minutes = 90;
    assert_eq!(
        starts(&available_slots(&q, &[])),
        ["2026-03-29T00:00Z", "2026-03-29T00:30Z"]
    );
}

#[test]
fn europe_autumn_repeat_is_offered_once_per_instant() {
    // Paris, 25 October 2026: at 03:00 CEST the clock goes back to 02:00 CET.
    let mut q = query(
        chrono_tz::Europe::Paris,
        vec![every_day(1, &[range("01:00", "04:00")])],
        "2026-10-24T12:00:00Z",
        "2026-10-25T12:00:00Z",
    );
    q.duration_minutes = 30;
    let slots = starts(&available_slots(&q, &[]));
    assert_eq!(
        slots,
        [
            "2026-10-24T23:00Z", // 01:00 CEST
            "2026-10-24T23:30Z", // 01:30 CEST
            "2026-10-25T00:00Z", // 02:00 CEST
            "2026-10-25T00:30Z", // 02:30 CEST
            "2026-10-25T01:00Z", // 02:00 CET
            "2026-10-25T01:30Z", // 02:30 CET
            "2026-10-25T02:00Z", // 03:00 CET
            "2026-10-25T02:30Z", // 03:30 CET
        ]
    );
    // Four real hours of work (three by the wall clock): 3 h 40 fits from 01:00 CEST only.
    q.duration_minutes = 220;
    assert_eq!(starts(&available_slots(&q, &[])), ["2026-10-24T23:00Z"]);
}

#[test]
fn america_dst_week_moves_the_utc_instants() {
    let ny = chrono_tz::America::New_York;
    // 9:00–10:00 every day; DST starts Sunday 8 March 2026 at 02:00.
    let mut q = query(
        ny,
        vec![every_day(1, &[range("09:00", "10:00")])],
        "2026-03-06T00:00:00Z",
        "2026-03-10T00:00:00Z",
    );
    q.slot_interval_minutes = 60;
    assert_eq!(
        starts(&available_slots(&q, &[])),
        [
            "2026-03-06T14:00Z",
            "2026-03-07T14:00Z",
            "2026-03-08T13:00Z",
            "2026-03-09T13:00Z"
        ]
    );
    // DST ends Sunday 1 November 2026 at 02:00: a night shift 00:00–03:00 lasts four hours.
    let mut q = query(
        ny,
        vec![every_day(1, &[range("00:00", "03:00")])],
        "2026-11-01T00:00:00Z",
        "2026-11-02T00:00:00Z",
    );
    q.slot_interval_minutes = 60;
    assert_eq!(
        starts(&available_slots(&q, &[])),
        [
            "2026-11-01T04:00Z", // 00:00 EDT
            "2026-11-01T05:00Z", // 01:00 EDT
            "2026-11-01T06:00Z", // 01:00 EST
            "2026-11-01T07:00Z", // 02:00 EST
        ]
    );
    // Spring gap in New York: 02:30 on 8 March does not exist and is not offered.
    let mut q = query(
        ny,
        vec![every_day(1, &[range("01:30", "04:00")])],
        "2026-03-08T00:00:00Z",
        "2026-03-09T00:00:00Z",
    );
    q.slot_interval_minutes = 60;
    q.duration_minutes = 30;
    assert_eq!(
        starts(&available_slots(&q, &[])),
        ["2026-03-08T06:30Z", "2026-03-08T07:30Z"] // 01:30 EST, 03:30 EDT
    );
}

#[test]
fn client_dates_group_the_same_instants() {
    let mut g = DateGrouper::new(chrono_tz::Asia::Tokyo);
    assert_eq!(g.date_of(utc("2026-12-01T14:59:00Z")), date("2026-12-01"));
    assert_eq!(g.date_of(utc("2026-12-01T15:00:00Z")), date("2026-12-02"));
    let (from, to) = DateGrouper::window(
        chrono_tz::Europe::Paris,
        date("2026-03-29"),
        date("2026-03-29"),
    );
    assert_eq!(from, utc("2026-03-28T23:00:00Z"));
    assert_eq!(to - from, Duration::hours(23));
}

// ---------------------------------------------------------------- properties

/// Three days around a DST change (spring or autumn, Europe, America, Australia), three staff
/// with one period a day, and up to 40 bookings over those days.
fn arb_case() -> impl Strategy<Value = (SlotQuery, Vec<BusyInterval>)> {
    let around = prop_oneof![
        Just(("2026-03-28T00:00:00Z", chrono_tz::Europe::Paris)),
        Just(("2026-10-24T00:00:00Z", chrono_tz::Europe::Paris)),
        Just(("2026-03-07T00:00:00Z", chrono_tz::America::New_York)),
        Just(("2026-10-31T00:00:00Z", chrono_tz::America::New_York)),
        Just(("2026-04-04T00:00:00Z", chrono_tz::Australia::Lord_Howe)),
        Just(("2026-03-28T00:00:00Z", Tz::UTC)),
    ];
    let bookings = proptest::collection::vec(
        (
            1u64..=3,
            0i64..(3 * 24 * 60),
            5i64..=240,
            0u32..=60,
            0u32..=60,
        ),
        0..40,
    );
    (
        around,
        0u16..(20 * 60),
        60u16..(10 * 60),
        prop_oneof![Just(5u32), Just(15), Just(20), Just(30), Just(45), Just(60)],
        10u32..=180,
        0u32..=45,
        0u32..=45,
        bookings,
    )
        .prop_map(
            |((day, zone), start, len, interval, duration, before, after, bookings)| {
                let end = (start + len).min(1440);
                let hours = [TimeRange::new(
                    WallTime::from_minutes(start).expect("start"),
                    WallTime::from_minutes(end).expect("end"),
                )
                .expect("range")];
                let from = utc(day) - Duration::hours(12);
                let mut q = query(
                    zone,
                    (1..=3).map(|id| every_day(id, &hours)).collect(),
                    "2000-01-01T00:00:00Z",
                    "2000-01-01T00:00:00Z",
                );
                q.from = from;
                q.to = from + Duration::days(3);
                q.slot_interval_minutes = interval;
                q.duration_minutes = duration;
                q.buffer_before_minutes = before;
                q.buffer_after_minutes = after;
                let bookings = bookings
                    .into_iter()
                    .enumerate()
                    .map(|(i, (staff_id, start, len, before, after))| BusyInterval {
                        booking_id: Some(i as u64 + 1),
                        staff_id,
                        service_id: 99,
                        location_id: 20,
                        start: from + Duration::minutes(start),
                        end: from + Duration::minutes(start + len),
                        buffer_before_minutes: before,
                        buffer_after_minutes: after,
                        people: 1,
                    })
                    .collect();
                (q, bookings)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Checked against the inequality of DOMAIN.md written out, not through `slot_is_free`.
    #[test]
    fn no_offered_slot_overlaps_a_booking_with_buffers((q, bookings) in arb_case()) {
        let slots = available_slots(&q, &bookings);
        let duration = Duration::minutes(i64::from(q.duration_minutes));
        let minutes = |m: u32| Duration::minutes(i64::from(m));
        for s in &slots {
            let (s_start, s_end) = (s.start, s.start + duration);
            for b in bookings.iter().filter(|b| b.staff_id == s.staff_id) {
                let slot_after_b = b.end + minutes(b.buffer_after_minutes) + minutes(q.buffer_before_minutes) <= s_start;
                let b_after_slot = s_end + minutes(q.buffer_after_minutes) + minutes(b.buffer_before_minutes) <= b.start;
                prop_assert!(slot_after_b || b_after_slot, "slot {:?} overlaps {:?}", s, b);
            }
            prop_assert!(s.start >= q.from && s.start < q.to);
        }
    }

    /// The engine's look-up of nearby bookings misses none: same answer as the rule applied to
    /// every booking, for every candidate offered without bookings.
    #[test]
    fn windowed_lookup_equals_the_rule_over_all_bookings((q, bookings) in arb_case()) {
        let with = available_slots(&q, &bookings);
        let expected: Vec<Slot> = available_slots(&q, &[])
            .into_iter()
            .filter(|s| {
                let candidate = BusyInterval {
                    booking_id: None,
                    staff_id: s.staff_id,
                    service_id: q.service_id,
                    location_id: q.location_id,
                    start: s.start,
                    end: s.start + Duration::minutes(i64::from(q.duration_minutes)),
                    buffer_before_minutes: q.buffer_before_minutes,
                    buffer_after_minutes: q.buffer_after_minutes,
                    people: q.people,
                };
                slot_is_free(&candidate, q.capacity, &bookings)
            })
            .collect();
        prop_assert_eq!(with, expected);
    }

    /// Bookings outside `booking_window` never change the answer, so the query may skip them.
    #[test]
    fn bookings_outside_the_window_do_not_matter((q, bookings) in arb_case()) {
        let (lo, hi) = booking_window(q.from, q.to, q.duration_minutes, q.buffer_before_minutes, q.buffer_after_minutes);
        let inside: Vec<BusyInterval> = bookings.iter().filter(|b| b.start >= lo && b.start < hi).cloned().collect();
        let mut narrow = q.clone();
        narrow.from = q.from + Duration::hours(30);
        narrow.to = q.from + Duration::hours(40);
        let (lo, hi) = booking_window(narrow.from, narrow.to, q.duration_minutes, q.buffer_before_minutes, q.buffer_after_minutes);
        let narrow_inside: Vec<BusyInterval> = bookings.iter().filter(|b| b.start >= lo && b.start < hi).cloned().collect();
        prop_assert_eq!(available_slots(&q, &bookings), available_slots(&q, &inside));
        prop_assert_eq!(available_slots(&narrow, &bookings), available_slots(&narrow, &narrow_inside));
    }

    /// Every offered start is a wall-clock time of the grid that exists in the zone, offered once.
    #[test]
    fn starts_are_real_grid_times_offered_once((q, _bookings) in arb_case()) {
        let slots = available_slots(&q, &[]);
        let mut seen = std::collections::HashSet::new();
        for s in &slots {
            prop_assert!(seen.insert((s.start, s.staff_id)), "duplicate {:?}", s);
            let local = s.start.with_timezone(&q.zone);
            let back = q.zone.from_local_datetime(&local.naive_local());
            prop_assert!(!matches!(back, LocalResult::None));
        }
        prop_assert!(slots.windows(2).all(|w| w[0] <= w[1]));
    }
}
