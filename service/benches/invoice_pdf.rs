//! Rendering one invoice as a PDF (layout, font subsetting, compression), from the document the
//! API answers: no database. `cargo bench -p volixta-service --bench invoice_pdf`
#[path = "support/report.rs"]
mod report;

use chrono::{Duration, TimeZone, Utc};
use criterion::Criterion;
use std::{hint::black_box, time::Instant};
use volixta_service::{
    bookings::{LineKind, PaymentKind, PaymentMethod, PaymentRowStatus, PaymentStatus, Status},
    invoices::{
        BookingInfo, Invoice, InvoiceLine, Kind, Parties, PaymentLine, Sibling, State, TaxAmount,
        pdf,
    },
    money::Money,
};

fn m(s: &str) -> Money {
    s.parse().expect("money")
}

/// A booking with a service for two, four add-ons, a discount, credits, a card payment and a
/// package-free balance: seven lines in all, names outside Latin-1.
fn sample() -> Invoice {
    let start = Utc
        .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("date");
    let line =
        |kind, d: &str, q: u32, unit: &str, disc: &str, tax: &str, total: &str| InvoiceLine {
            kind,
            description: d.to_owned(),
            quantity: q,
            unit_price: m(unit),
            amount: Money::round(m(unit).amount() * rust_decimal::Decimal::from(q)),
            discount: m(disc),
            tax_rate: m("20.00"),
            tax: m(tax),
            total: m(total),
        };
    let lines = vec![
        line(
            LineKind::Service,
            "Deep-tissue massage (90 min)",
            2,
            "60.00",
            "12.00",
            "18.00",
            "108.00",
        ),
        line(
            LineKind::Addon,
            "Hot stones",
            1,
            "12.00",
            "0.00",
            "2.00",
            "12.00",
        ),
        line(
            LineKind::Addon,
            "Aromatherapy oil — lavender",
            2,
            "4.50",
            "0.00",
            "1.50",
            "9.00",
        ),
        line(
            LineKind::Addon,
            "Face mask (Ωμέγα line)",
            1,
            "15.00",
            "0.00",
            "2.50",
            "15.00",
        ),
        line(
            LineKind::Addon,
            "Herbal tea",
            3,
            "2.00",
            "0.00",
            "1.00",
            "6.00",
        ),
        line(
            LineKind::Addon,
            "Towel service",
            1,
            "3.00",
            "0.00",
            "0.50",
            "3.00",
        ),
        line(
            LineKind::Addon,
            "Parking",
            1,
            "5.00",
            "0.00",
            "0.83",
            "5.00",
        ),
    ];
    let total: Money = lines.iter().map(|l| l.total).sum();
    let tax: Money = lines.iter().map(|l| l.tax).sum();
    Invoice {
        id: 1,
        kind: Kind::Invoice,
        number: "INV-2026-000123".into(),
        issued_at: start - Duration::days(7),
        state: State::Open,
        reason: String::new(),
        related_number: None,
        booking_id: 42,
        client_id: 7,
        currency: "EUR".into(),
        parties: Parties {
            seller_name: "Studio Łódź".into(),
            seller_address: "ul. Piotrkowska 1\n90-001 Łódź".into(),
            seller_tax_number: "PL1234567890".into(),
            buyer_name: "Zoë Łukasiewicz".into(),
            buyer_email: "zoe@example.com".into(),
            buyer_address: "Ulica 5\n00-001 Warszawa".into(),
        },
        booking: BookingInfo {
            id: 42,
            service: "Deep-tissue massage".into(),
            start,
            end: start + Duration::minutes(90),
            local_start: "2026-12-01T10:00:00+01:00".into(),
            timezone: "Europe/Warsaw".into(),
            people: 2,
            staff: "Sam Stylist".into(),
            location: "Main street".into(),
            location_address: "1 Main Street, 75001 Paris".into(),
            status: Status::Confirmed,
        },
        subtotal: lines.iter().map(|l| l.amount).sum(),
        discount_total: m("12.00"),
        taxes: vec![TaxAmount {
            rate: m("20.00"),
            base: total - tax,
            tax,
        }],
        tax_total: tax,
        total,
        lines,
        prices_include_tax: true,
        deposit: Some(m("30.00")),
        credits_used: m("25.00"),
        package_session: None,
        payments: vec![
            PaymentLine {
                kind: PaymentKind::Payment,
                method: PaymentMethod::Wallet,
                amount: m("25.00"),
                status: PaymentRowStatus::Paid,
                at: start - Duration::days(7),
            },
            PaymentLine {
                kind: PaymentKind::Payment,
                method: PaymentMethod::Card,
                amount: m("50.00"),
                status: PaymentRowStatus::Paid,
                at: start - Duration::days(2),
            },
        ],
        amount_paid: m("75.00"),
        balance_due: total - m("75.00"),
        payment_status: PaymentStatus::PartiallyPaid,
        documents: vec![Sibling {
            id: 1,
            kind: Kind::Invoice,
            number: "INV-2026-000123".into(),
            issued_at: start - Duration::days(7),
            total,
            state: State::Open,
        }],
    }
}

fn main() {
    let invoice = sample();
    let style = pdf::Style {
        locale: "en_US".into(),
    };
    let first = pdf::render(&invoice, &style).expect("fonts-dejavu-core is installed");
    let mut c = Criterion::default().configure_from_args();
    c.bench_function("invoice pdf: 7 lines, 2 payments", |b| {
        b.iter(|| pdf::render(black_box(&invoice), black_box(&style)))
    });
    c.final_summary();
    if report::quick_mode() {
        return;
    }
    let runs = 500;
    let cpu_before = report::thread_cpu_ns();
    let mut samples: Vec<_> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(pdf::render(black_box(&invoice), black_box(&style)).expect("pdf"));
            t.elapsed()
        })
        .collect();
    let cpu = match (cpu_before, report::thread_cpu_ns()) {
        (Some(a), Some(b)) => report::ms(std::time::Duration::from_nanos((b - a) / runs as u64)),
        _ => "n/a".into(),
    };
    let table = format!(
        "| case | PDF size | wall p50 | wall p99 | CPU per run (mean) | target |\n\
         | --- | ---: | ---: | ---: | ---: | --- |\n\
         | one invoice, 7 lines, 2 payments, one page | {} KB | {} | {} | {cpu} | < 5 ms |",
        first.len() / 1024,
        report::ms(report::percentile(&mut samples, 0.5)),
        report::ms(report::percentile(&mut samples, 0.99)),
    );
    println!("\n{table}\n");
    report::write_section(
        "invoice-pdf",
        &format!(
            "## Invoice PDF\n\n\
             `cargo bench -p volixta-service --bench invoice_pdf` (release, criterion; the table is \
             {runs} timed runs after criterion's own). One A4 page from the document \
             `GET /v1/invoices/{{id}}` answers (no database): layout, DejaVu Sans regular and bold \
             subset to the glyphs used, compression. Machine: {}, 2 cores shared with other work \
             (load average {} when the run ended).\n\n{table}\n",
            report::cpu(),
            report::load_average()
        ),
    );
}
