use crate::{
    clients::Client,
    money::{Money, format_with_currency},
    wallet::{EntryKind, LedgerRow},
};
use serde::Serialize;

#[derive(Serialize)]
pub struct ProfileView {
    client: ClientView,
    wallet: WalletView,
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
struct Labels {
    balance: &'static str,
    date: &'static str,
    description: &'static str,
    amount: &'static str,
    no_transactions: &'static str,
    gift_code: &'static str,
    redeem: &'static str,
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

pub fn profile_view(client: &Client, history: &[LedgerRow], currency: &str) -> ProfileView {
    ProfileView {
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
            gift_code: "Have a gift code?",
            redeem: "Redeem",
        },
    }
}
