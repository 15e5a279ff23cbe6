//! The pure availability engine: a 31-day month for 20 staff, with the bookings of that month.
//! `cargo bench -p volixta-service --bench availability`
#[path = "support/report.rs"]
mod report;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::Criterion;
use std::{hint::black_box, time::Instant};
use volixta_service::{
    availability::{BusyInterval, SlotQuery, StaffSchedule, available_slots},
    catalog::{TimeRange, WallTime},
};

const STAFF: u64 = 20;

fn range(a: u16, b: u16) -> TimeRange {
    TimeRange::new(
        WallTime::from_minutes(a * 60).expect("start"),
        WallTime::from_minutes(b * 60).expect("end"),
    )
    .expect("range")
}

/// March 2027 in Paris (the month of a DST change): 20 staff working Monday–Saturday 09:00–18:00
/// with a lunch break, four one-hour bookings each per working day, 60-minute service, 15-minute
/// grid, 10 minutes' buffer after.
fn month() -> (SlotQuery, Vec<BusyInterval>) {
    let zone = chrono_tz::Europe::Paris;
    let from: DateTime<Utc> = zone
        .with_ymd_and_hms(2027, 3, 1, 0, 0, 0)
        .single()
        .expect("date")
        .with_timezone(&Utc);
    let to = zone
        .with_ymd_and_hms(2027, 4, 1, 0, 0, 0)
        .single()
        .expect("date")
        .with_timezone(&Utc);
    let staff: Vec<StaffSchedule> = (1..=STAFF)
        .map(|staff_id| {
            let mut s = StaffSchedule {
                staff_id,
                ..Default::default()
            };
            for day in 0..6 {
                s.weekly[day] = vec![range(9, 18)];
                s.breaks[day] = vec![range(12, 13)];
            }
            s
        })
        .collect();
    let mut bookings = Vec::new();
    for day in 0..31 {
        for staff_id in 1..=STAFF {
            for (i, hour) in [9, 11, 14, 16].into_iter().enumerate() {
                // Staggered per staff member so the free slots differ between them.
                let start = from
                    + Duration::days(day)
                    + Duration::hours(hour - 1)
                    + Duration::minutes(i64::try_from(staff_id % 4).unwrap_or(0) * 15);
                bookings.push(BusyInterval {
                    booking_id: Some(
                        u64::try_from(day).unwrap_or(0) * 1000 + staff_id * 10 + i as u64,
                    ),
                    staff_id,
                    service_id: 1,
                    location_id: 1,
                    start,
                    end: start + Duration::hours(1),
                    buffer_before_minutes: 0,
                    buffer_after_minutes: 10,
                    people: 1,
                });
            }
        }
    }
    let query = SlotQuery {
        service_id: 1,
        location_id: 1,
        zone,
        opening_hours: None,
        special_opening: std::collections::HashMap::new(),
        staff,
        duration_minutes: 60,
        buffer_before_minutes: 0,
        buffer_after_minutes: 10,
        capacity: 1,
        people: 1,
        slot_interval_minutes: 15,
        earliest: from - Duration::days(1),
        latest: None,
        from,
        to,
    };
    (query, bookings)
}

fn main() {
    let (month_query, bookings) = month();
    let mut day_query = month_query.clone();
    day_query.from = month_query.from + Duration::days(9);
    day_query.to = day_query.from + Duration::days(1);

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("engine month: 31 days x 20 staff", |b| {
        b.iter(|| available_slots(black_box(&month_query), black_box(&bookings)))
    });
    c.bench_function("engine day: 1 day x 20 staff", |b| {
        b.iter(|| available_slots(black_box(&day_query), black_box(&bookings)))
    });
    c.final_summary();
    if report::quick_mode() {
        return;
    }

    // Wall-time percentiles, and the mean CPU time of the thread, which other load on the shared
    // cores does not inflate.
    let time = |q: &SlotQuery, runs: usize| {
        let cpu_before = report::thread_cpu_ns();
        let mut samples: Vec<_> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                black_box(available_slots(black_box(q), black_box(&bookings)));
                t.elapsed()
            })
            .collect();
        let cpu = match (cpu_before, report::thread_cpu_ns()) {
            (Some(a), Some(b)) => {
                report::ms(std::time::Duration::from_nanos((b - a) / runs as u64))
            }
            _ => "n/a".into(),
        };
        (
            report::percentile(&mut samples, 0.5),
            report::percentile(&mut samples, 0.99),
            cpu,
        )
    };
    let slots_month = available_slots(&month_query, &bookings).len();
    let slots_day = available_slots(&day_query, &bookings).len();
    let (month_p50, month_p99, month_cpu) = time(&month_query, 500);
    let (day_p50, day_p99, day_cpu) = time(&day_query, 2000);
    let table = format!(
        "| case | bookings in input | slots offered | wall p50 | wall p99 | CPU per run (mean) |\n\
         | --- | --- | --- | --- | --- | --- |\n\
         | month: 31 days × 20 staff | {} | {slots_month} | {} | {} | {month_cpu} |\n\
         | day: 1 day × 20 staff | {} | {slots_day} | {} | {} | {day_cpu} |",
        bookings.len(),
        report::ms(month_p50),
        report::ms(month_p99),
        bookings.len(),
        report::ms(day_p50),
        report::ms(day_p99),
    );
    println!("\n{table}\n");
    report::write_section(
        "availability",
        &format!(
            "## Availability engine (pure code)\n\n\
             `cargo bench -p volixta-service --bench availability` (release, criterion; the table is \
             500 / 2000 timed runs after criterion's own). March 2027 in Europe/Paris (a DST month), \
             20 staff working Monday–Saturday 09:00–18:00 with a lunch break, four one-hour \
             bookings per staff member and working day, 60-minute service, 15-minute grid, \
             10 minutes' buffer after. Machine: {}, 2 cores shared with other work (load \
             average {} when the run ended).\n\n{table}\n",
            report::cpu(),
            report::load_average()
        ),
    );
}
