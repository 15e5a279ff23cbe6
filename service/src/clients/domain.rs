use super::ClientError;
use crate::money::Money;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

pub mod csv_io;
pub mod duplicates;
mod labels;
mod list;
pub mod search;
pub use labels::*;
pub use list::{Channel, Cursor, ListQuery, Sort, ids};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// A pragmatic check: one `@`, a non-empty local part, a dotted domain, no spaces.
    pub fn parse(raw: &str) -> Result<Self, ClientError> {
        let s = raw.trim();
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ClientError::Email)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// E.164: `+` and 8–15 digits. Spaces, dots, dashes and brackets are dropped; `00` stands for `+`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, ClientError> {
        let s = raw.trim();
        let international = s.starts_with('+') || s.starts_with("00");
        let mut digits = String::with_capacity(16);
        for (i, c) in s.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '.' | '-' | '(' | ')' | '/' => {}
                _ => return Err(ClientError::Phone),
            }
        }
        if s.starts_with("00") {
            digits.drain(..2);
        }
        if !international || !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(ClientError::Phone);
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The default avatars a client may pick instead of uploading a photo.
pub const DEFAULT_AVATARS: &[&str] = &[
    "fox", "owl", "bear", "cat", "deer", "rabbit", "hedgehog", "otter", "panda", "koala", "whale",
    "penguin",
];
/// The `avatar` of a client whose photo was uploaded.
pub const UPLOADED_AVATAR: &str = "upload";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "female" | "f" => Some(Self::Female),
            "male" | "m" => Some(Self::Male),
            "other" | "o" => Some(Self::Other),
            _ => None,
        }
    }
}

/// The permission level: what the client may do from its portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Permissions {
    pub book: bool,
    pub reschedule: bool,
    pub cancel: bool,
    pub view_invoices: bool,
}

impl Default for Permissions {
    fn default() -> Self {
        Self {
            book: true,
            reschedule: true,
            cancel: true,
            view_invoices: true,
        }
    }
}

/// What a client agreed to receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Notifications {
    pub reminders: bool,
    pub birthday: bool,
    pub marketing: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            reminders: true,
            birthday: true,
            marketing: false,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PermissionsInput {
    pub book: Option<bool>,
    pub reschedule: Option<bool>,
    pub cancel: Option<bool>,
    pub view_invoices: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct NotificationsInput {
    pub reminders: Option<bool>,
    pub birthday: Option<bool>,
    pub marketing: Option<bool>,
}

/// `Some(None)` for an explicit `null`, `None` (by `default`) when the key is absent.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The fields of a create or an edit. An absent key keeps the current value; `null` clears a
/// field that may be empty.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ClientInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// International, with the country code; stored as E.164.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    /// Any status; a new one is saved and offered for later clients.
    pub status: Option<String>,
    /// Internal notes ("About"), never shown to the client.
    pub notes: Option<String>,
    pub permissions: Option<PermissionsInput>,
    /// One of the default avatars (`GET /v1/client-avatars`); upload a photo with `PUT /v1/clients/{id}/avatar`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub avatar: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub birthday: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub anniversary: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    pub notifications: Option<NotificationsInput>,
    /// Blocked for online booking; a blocked client receives no marketing either.
    pub blocked: Option<bool>,
    /// The linked WordPress user, unique among live clients.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub wp_user_id: Option<Option<u64>>,
}

impl ClientInput {
    /// Fields only staff may set (DOMAIN.md): a client edits its own profile fields only.
    pub fn staff_only_fields(&self) -> Vec<&'static str> {
        [
            ("email", self.email.is_some()),
            ("status", self.status.is_some()),
            ("notes", self.notes.is_some()),
            ("permissions", self.permissions.is_some()),
            ("blocked", self.blocked.is_some()),
            ("wp_user_id", self.wp_user_id.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// Everything a manager may edit about a client, after every rule passed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Profile {
    pub wp_user_id: Option<u64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub street: String,
    pub zip: String,
    pub city: String,
    pub status: String,
    pub notes: String,
    pub permissions: Permissions,
    pub avatar: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub anniversary: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub notifications: Notifications,
    pub blocked: bool,
}

pub const DEFAULT_STATUS: &str = "New";

fn trimmed(s: String) -> String {
    s.trim().to_owned()
}

fn limit(field: &'static str, value: &str, max: usize) -> Result<(), ClientError> {
    if value.chars().count() > max {
        return Err(ClientError::Invalid {
            field,
            message: format!("{field} is limited to {max} characters"),
        });
    }
    Ok(())
}

fn check_date(
    field: &'static str,
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), ClientError> {
    match date {
        Some(d) if d > today || d.year() < 1900 => Err(ClientError::Invalid {
            field,
            message: format!("{field} must be a past date after 1900"),
        }),
        _ => Ok(()),
    }
}

impl Profile {
    /// The starting point of a new client: nothing but defaults.
    pub fn blank() -> Self {
        Self {
            wp_user_id: None,
            first_name: String::new(),
            last_name: String::new(),
            email: None,
            phone: None,
            street: String::new(),
            zip: String::new(),
            city: String::new(),
            status: DEFAULT_STATUS.into(),
            notes: String::new(),
            permissions: Permissions::default(),
            avatar: None,
            birthday: None,
            anniversary: None,
            gender: None,
            notifications: Notifications::default(),
            blocked: false,
        }
    }

    /// This profile with `input` applied, checked as a whole. `today` bounds the dates.
    pub fn apply(mut self, input: ClientInput, today: NaiveDate) -> Result<Self, ClientError> {
        if let Some(v) = input.first_name {
            self.first_name = trimmed(v);
        }
        if let Some(v) = input.last_name {
            self.last_name = trimmed(v);
        }
        if let Some(v) = input.email {
            self.email = v
                .map(trimmed)
                .filter(|s| !s.is_empty())
                .map(|s| Email::parse(&s))
                .transpose()?;
        }
        if let Some(v) = input.phone {
            self.phone = v
                .map(trimmed)
                .filter(|s| !s.is_empty())
                .map(|s| Phone::parse(&s))
                .transpose()?;
        }
        if let Some(v) = input.street {
            self.street = trimmed(v);
        }
        if let Some(v) = input.zip {
            self.zip = trimmed(v);
        }
        if let Some(v) = input.city {
            self.city = trimmed(v);
        }
        if let Some(v) = input.status {
            self.status = trimmed(v);
        }
        if let Some(v) = input.notes {
            self.notes = v.trim().to_owned();
        }
        if let Some(p) = input.permissions {
            let cur = &mut self.permissions;
            cur.book = p.book.unwrap_or(cur.book);
            cur.reschedule = p.reschedule.unwrap_or(cur.reschedule);
            cur.cancel = p.cancel.unwrap_or(cur.cancel);
            cur.view_invoices = p.view_invoices.unwrap_or(cur.view_invoices);
        }
        if let Some(v) = input.avatar {
            self.avatar = match v.map(trimmed).filter(|s| !s.is_empty()) {
                None => None,
                Some(name) if DEFAULT_AVATARS.contains(&name.as_str()) => Some(name),
                // Keeping the uploaded photo is allowed; choosing "upload" without one is not.
                Some(name)
                    if name == UPLOADED_AVATAR
                        && self.avatar.as_deref() == Some(UPLOADED_AVATAR) =>
                {
                    Some(name)
                }
                Some(_) => {
                    return Err(ClientError::Invalid {
                        field: "avatar",
                        message: format!("avatar is one of: {}", DEFAULT_AVATARS.join(", ")),
                    });
                }
            };
        }
        if let Some(v) = input.birthday {
            self.birthday = v;
        }
        if let Some(v) = input.anniversary {
            self.anniversary = v;
        }
        if let Some(v) = input.gender {
            self.gender = v;
        }
        if let Some(n) = input.notifications {
            let cur = &mut self.notifications;
            cur.reminders = n.reminders.unwrap_or(cur.reminders);
            cur.birthday = n.birthday.unwrap_or(cur.birthday);
            cur.marketing = n.marketing.unwrap_or(cur.marketing);
        }
        if let Some(v) = input.blocked {
            self.blocked = v;
        }
        if let Some(v) = input.wp_user_id {
            self.wp_user_id = v.filter(|id| *id > 0);
        }
        self.check(today)?;
        Ok(self)
    }

    fn check(&self, today: NaiveDate) -> Result<(), ClientError> {
        if self.first_name.is_empty() {
            return Err(ClientError::FirstNameRequired);
        }
        if self.first_name.chars().count() > 100 {
            return Err(ClientError::NameTooLong);
        }
        limit("last_name", &self.last_name, 100)?;
        if self.status.is_empty() {
            return Err(ClientError::Invalid {
                field: "status",
                message: "status may not be empty".into(),
            });
        }
        if self.status.chars().count() > 40 {
            return Err(ClientError::StatusTooLong);
        }
        limit("street", &self.street, 200)?;
        limit("zip", &self.zip, 20)?;
        limit("city", &self.city, 100)?;
        limit("notes", &self.notes, 5000)?;
        check_date("birthday", self.birthday, today)?;
        check_date("anniversary", self.anniversary, today)
    }

    /// What the audit log compares before and after a change.
    pub fn audit_view(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Client {
    pub id: u64,
    pub wp_user_id: Option<u64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: String,
    pub zip: String,
    pub city: String,
    pub status: String,
    /// Internal notes; absent when the client itself asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub permissions: Permissions,
    /// A default avatar's name, or `upload` when a photo was uploaded (see `avatar_url`).
    pub avatar: Option<String>,
    pub avatar_url: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub anniversary: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub notifications: Notifications,
    pub blocked: bool,
    pub wallet_balance: Money,
    pub reward_points: u64,
    /// Ids of the groups the client belongs to.
    pub groups: Vec<u64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Set when this profile was merged into another one; the other one is the client now.
    pub merged_into_id: Option<u64>,
}

impl Client {
    /// The uploaded photo's path for the plugin's proxy (`img[data-volixta-image]`), versioned
    /// by the last change so a new photo is not taken from the browser's cache; none without one.
    pub fn photo_path(&self) -> Option<String> {
        (self.avatar.as_deref() == Some(UPLOADED_AVATAR)).then(|| {
            format!(
                "clients/{}/avatar?v={}",
                self.id,
                self.updated_at.timestamp()
            )
        })
    }

    pub fn full_name(&self) -> String {
        if self.last_name.is_empty() {
            self.first_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }

    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none() && self.merged_into_id.is_none()
    }

    /// The stored profile, to apply an edit to. Stored values passed every rule when written.
    pub fn profile(&self) -> Profile {
        Profile {
            wp_user_id: self.wp_user_id,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone().map(Email),
            phone: self.phone.clone().map(Phone),
            street: self.street.clone(),
            zip: self.zip.clone(),
            city: self.city.clone(),
            status: self.status.clone(),
            notes: self.notes.clone().unwrap_or_default(),
            permissions: self.permissions,
            avatar: self.avatar.clone(),
            birthday: self.birthday,
            anniversary: self.anniversary,
            gender: self.gender,
            notifications: self.notifications,
            blocked: self.blocked,
        }
    }

    /// What the client itself may see of its profile.
    pub fn for_client(mut self) -> Self {
        self.notes = None;
        self
    }
}

/// The image formats accepted as a profile photo, recognised by their first bytes.
pub const MAX_AVATAR_BYTES: usize = 1024 * 1024;

pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Checks an uploaded photo; returns its sniffed content type.
pub fn check_avatar(bytes: &[u8]) -> Result<&'static str, ClientError> {
    if bytes.is_empty() {
        return Err(ClientError::AvatarType);
    }
    if bytes.len() > MAX_AVATAR_BYTES {
        return Err(ClientError::AvatarTooLarge);
    }
    sniff_image(bytes).ok_or(ClientError::AvatarType)
}

#[cfg(test)]
mod tests;

/// Why two or more profiles look like one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    Email,
    Phone,
    Name,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DuplicateGroup {
    pub reason: DuplicateReason,
    /// Two or more live clients, oldest first.
    pub clients: Vec<Client>,
}
