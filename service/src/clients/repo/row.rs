use crate::{
    clients::{Client, Gender, Notifications, Permissions, UPLOADED_AVATAR},
    money::Money,
};
use chrono::{DateTime, NaiveDate, Utc};
use mysql_async::prelude::FromRow;

/// A client row as `COLUMNS` selects it; `Client` nests and derives the rest.
#[derive(FromRow)]
pub struct ClientRow {
    id: u64,
    wp_user_id: Option<u64>,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    street: String,
    zip: String,
    city: String,
    status: String,
    notes: String,
    can_book: bool,
    can_reschedule: bool,
    can_cancel: bool,
    can_view_invoices: bool,
    avatar: Option<String>,
    birthday: Option<NaiveDate>,
    anniversary: Option<NaiveDate>,
    gender: Option<String>,
    notify_reminders: bool,
    notify_birthday: bool,
    notify_marketing: bool,
    blocked: bool,
    wallet_balance: Money,
    reward_points: u64,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    created_at: DateTime<Utc>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    updated_at: DateTime<Utc>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    deleted_at: Option<DateTime<Utc>>,
    merged_into_id: Option<u64>,
}

impl From<ClientRow> for Client {
    fn from(r: ClientRow) -> Self {
        Client {
            avatar_url: (r.avatar.as_deref() == Some(UPLOADED_AVATAR))
                .then(|| format!("/v1/clients/{}/avatar", r.id)),
            id: r.id,
            wp_user_id: r.wp_user_id,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            street: r.street,
            zip: r.zip,
            city: r.city,
            status: r.status,
            notes: Some(r.notes),
            permissions: Permissions {
                book: r.can_book,
                reschedule: r.can_reschedule,
                cancel: r.can_cancel,
                view_invoices: r.can_view_invoices,
            },
            avatar: r.avatar,
            birthday: r.birthday,
            anniversary: r.anniversary,
            gender: r.gender.as_deref().and_then(Gender::parse),
            notifications: Notifications {
                reminders: r.notify_reminders,
                birthday: r.notify_birthday,
                marketing: r.notify_marketing,
            },
            blocked: r.blocked,
            wallet_balance: r.wallet_balance,
            reward_points: r.reward_points,
            groups: Vec::new(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            merged_into_id: r.merged_into_id,
        }
    }
}
