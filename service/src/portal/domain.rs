use crate::{
    bookings::{Booking, Status},
    clients::Client,
    money::{Money, format_with_currency},
    wallet::{EntryKind, LedgerRow},
};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
pub struct ProfileView {
    client: ClientView,
    wallet: WalletView,
    upcoming: Vec<BookingCard>,
    labels: Labels,
}

#[derive(Serialize)]
struct ClientView {
    full_name: String,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Serialize)]
struct WalletView {
    balance: Money,
    balance_display: String,
    transactions: Vec<TransactionView>,
}

#[derive(Serialize)]
struct TransactionView {
    date: String,
    label: &'static str,
    reason: String,
    amount_display: String,
    negative: bool,
}

#[derive(Serialize)]
struct BookingCard {
    id: u64,
    service: String,
    staff: String,
    location: String,
    date: String,
    time: String,
    status: &'static str,
    balance_due: Option<String>,
    /// Whether this client may cancel it now (permission level, change notice).
    can_cancel: bool,
}

#[derive(Serialize)]
struct Labels {
    balance: &'static str,
    date: &'static str,
    description: &'static str,
    amount: &'static str,
    no_transactions: &'static str,
    gift_code: &'static str,
    redeem: &'static str,
    upcoming: &'static str,
    no_upcoming: &'static str,
    with: &'static str,
    to_pay: &'static str,
    cancel: &'static str,
    cancel_confirm: &'static str,
}

pub fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::ManualCredit => "Credit added",
        EntryKind::ManualDebit => "Credit removed",
        EntryKind::GiftCode => "Gift code",
        EntryKind::BookingPayment => "Booking payment",
        EntryKind::CancellationRefund => "Cancellation refund",
        EntryKind::TopUp => "Top-up",
        EntryKind::Merge => "Merged account",
    }
}

fn booking_card(
    b: &Booking,
    cancellable: bool,
    zones: &HashMap<u64, Tz>,
    currency: &str,
) -> BookingCard {
    let zone = zones.get(&b.location_id).copied().unwrap_or(Tz::UTC);
    let (start, end) = (b.start.with_timezone(&zone), b.end.with_timezone(&zone));
    BookingCard {
        id: b.id,
        service: b.service_name.clone().unwrap_or_default(),
        staff: b.staff_name.clone().unwrap_or_default(),
        location: b.location_name.clone().unwrap_or_default(),
        date: start.format("%a %-d %b %Y").to_string(),
        time: format!("{}–{}", start.format("%H:%M"), end.format("%H:%M %Z")),
        status: if b.status == Status::Pending {
            "Awaiting confirmation"
        } else {
            "Confirmed"
        },
        balance_due: (!b.balance_due.is_zero() && !b.balance_due.is_negative())
            .then(|| format_with_currency(b.balance_due, currency)),
        can_cancel: cancellable,
    }
}

pub fn profile_view(
    client: &Client,
    history: &[LedgerRow],
    upcoming: &[Booking],
    cancellable: &[u64],
    zones: &HashMap<u64, Tz>,
    currency: &str,
) -> ProfileView {
    ProfileView {
        upcoming: upcoming
            .iter()
            .map(|b| booking_card(b, cancellable.contains(&b.id), zones, currency))
            .collect(),
        client: ClientView {
            full_name: client.full_name(),
            email: client.email.clone(),
            phone: client.phone.clone(),
        },
        wallet: WalletView {
            balance: client.wallet_balance,
            balance_display: format_with_currency(client.wallet_balance, currency),
            transactions: history
                .iter()
                .map(|t| TransactionView {
                    date: t.created_at.format("%Y-%m-%d").to_string(),
                    label: kind_label(t.kind),
                    reason: t.reason.clone(),
                    amount_display: if t.amount.is_negative() {
                        format!("−{}", format_with_currency(t.amount.abs(), currency))
                    } else {
                        format!("+{}", format_with_currency(t.amount, currency))
                    },
                    negative: t.amount.is_negative(),
                })
                .collect(),
        },
        labels: Labels {
            balance: "Credit balance",
            date: "Date",
            description: "Description",
            amount: "Amount",
            no_transactions: "No credit movements yet.",
            upcoming: "Upcoming bookings",
            no_upcoming: "No upcoming bookings.",
            with: "with",
            to_pay: "to pay",
            cancel: "Cancel",
            cancel_confirm: "Cancel this booking?",
            gift_code: "Have a gift code?",
            redeem: "Redeem",
        },
    }
}
