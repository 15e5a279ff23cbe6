//! The new / edit client form: the fields as the plugin forwards them (strings, a checkbox
//! present only when ticked), the edit they stand for, and the view model of the form.
use super::profile::{Notice, typed_amount};
use crate::clients::{Client, ClientInput, DEFAULT_AVATARS, Gender, Status, UPLOADED_AVATAR};
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The form as sent. Every field is there, so an absent checkbox means "no".
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClientForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub street: String,
    pub zip: String,
    pub city: String,
    pub status: String,
    pub notes: String,
    pub avatar: String,
    pub birthday: String,
    pub anniversary: String,
    pub gender: String,
    #[serde(deserialize_with = "ticked")]
    pub may_book: bool,
    #[serde(deserialize_with = "ticked")]
    pub may_reschedule: bool,
    #[serde(deserialize_with = "ticked")]
    pub may_cancel: bool,
    #[serde(deserialize_with = "ticked")]
    pub may_view_invoices: bool,
    #[serde(deserialize_with = "ticked")]
    pub reminders: bool,
    #[serde(deserialize_with = "ticked")]
    pub birthday_messages: bool,
    #[serde(deserialize_with = "ticked")]
    pub marketing: bool,
    #[serde(deserialize_with = "ticked")]
    pub blocked: bool,
    /// An uploaded photo as a `data:` URL, read by the plugin's script from the file input;
    /// never sent back with the form.
    #[serde(skip_serializing)]
    pub avatar_image: String,
    /// Credits to put in the new client's wallet (creation only).
    pub preload_credits: String,
    /// The WordPress account: empty (leave it), `link` (to `wp_user_id`), `unlink`, or `create`
    /// (the plugin makes the account and sends it as `link` with its id).
    pub wp_account: String,
    pub wp_user_id: String,
    /// `another` when "Save and add another" was pressed.
    #[serde(skip_serializing)]
    pub then: String,
}

/// A checkbox: present (any value but `0`/`false`/empty) is ticked.
fn ticked<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Number(i64),
        Text(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => false,
        Some(Raw::Bool(b)) => b,
        Some(Raw::Number(n)) => n != 0,
        Some(Raw::Text(s)) => !matches!(s.trim(), "" | "0" | "false"),
    })
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn date(field: &'static str, raw: &str) -> Result<Option<NaiveDate>, (&'static str, String)> {
    match raw.trim() {
        "" => Ok(None),
        v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| (field, format!("{field} must be a date like 1990-12-31"))),
    }
}

impl ClientForm {
    /// The form of an existing client, to edit.
    pub fn of(c: &Client) -> Self {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Self {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            street: c.street.clone(),
            zip: c.zip.clone(),
            city: c.city.clone(),
            status: c.status.clone(),
            notes: c.notes.clone().unwrap_or_default(),
            avatar: c.avatar.clone().unwrap_or_default(),
            birthday: day(c.birthday),
            anniversary: day(c.anniversary),
            gender: c.gender.map(|g| g.as_str()).unwrap_or_default().to_owned(),
            may_book: c.permissions.book,
            may_reschedule: c.permissions.reschedule,
            may_cancel: c.permissions.cancel,
            may_view_invoices: c.permissions.view_invoices,
            reminders: c.notifications.reminders,
            birthday_messages: c.notifications.birthday,
            marketing: c.notifications.marketing,
            blocked: c.blocked,
            wp_user_id: c.wp_user_id.map(|id| id.to_string()).unwrap_or_default(),
            ..Self::default()
        }
    }

    /// A new client's form, with the defaults the service gives a new profile.
    pub fn blank() -> Self {
        let p = crate::clients::Permissions::default();
        let n = crate::clients::Notifications::default();
        Self {
            status: "New".into(),
            may_book: p.book,
            may_reschedule: p.reschedule,
            may_cancel: p.cancel,
            may_view_invoices: p.view_invoices,
            reminders: n.reminders,
            birthday_messages: n.birthday,
            marketing: n.marketing,
            ..Self::default()
        }
    }

    /// The edit this form stands for. Only what the form itself can tell is wrong (a date that
    /// is no date, a gender not offered) is refused here; the clients domain checks the rest.
    pub fn input(&self) -> Result<ClientInput, (&'static str, String)> {
        let gender = match self.gender.trim() {
            "" => None,
            g => Some(
                Gender::parse(g).ok_or(("gender", "gender is female, male or other".to_owned()))?,
            ),
        };
        let wp_user_id = match self.wp_account.as_str() {
            "link" => Some(Some(self.wp_user_id.trim().parse::<u64>().map_err(
                |_| {
                    (
                        "wp_user_id",
                        "Choose the WordPress user to link.".to_owned(),
                    )
                },
            )?)),
            "unlink" => Some(None),
            _ => None,
        };
        // The clients domain's own input, built the way its API reads it.
        let mut input = serde_json::json!({
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": optional(&self.email),
            "phone": optional(&self.phone),
            "street": self.street,
            "zip": self.zip,
            "city": self.city,
            // A blank status keeps the current one (a new client starts as the default).
            "status": optional(&self.status),
            "notes": self.notes,
            "permissions": {
                "book": self.may_book,
                "reschedule": self.may_reschedule,
                "cancel": self.may_cancel,
                "view_invoices": self.may_view_invoices,
            },
            "avatar": optional(&self.avatar),
            "birthday": date("birthday", &self.birthday)?,
            "anniversary": date("anniversary", &self.anniversary)?,
            "gender": gender,
            "notifications": {
                "reminders": self.reminders,
                "birthday": self.birthday_messages,
                "marketing": self.marketing,
            },
            "blocked": self.blocked,
        });
        if let Some(link) = wp_user_id {
            input["wp_user_id"] = serde_json::json!(link);
        }
        serde_json::from_value(input).map_err(|e| ("form", e.to_string()))
    }

    pub fn adds_another(&self) -> bool {
        self.then == "another"
    }

    /// The credits to preload: none when the field is blank; the field's error when it is no
    /// amount above zero.
    pub fn credits(&self) -> Result<Option<Money>, (&'static str, String)> {
        match self.preload_credits.trim() {
            "" => Ok(None),
            raw => typed_amount(raw).map(Some).ok_or((
                "preload_credits",
                "Enter an amount above zero, like 25.00, or leave it blank.".to_owned(),
            )),
        }
    }

    /// The uploaded photo's bytes, checked as the clients domain will: none when no file was
    /// chosen.
    pub fn photo(&self) -> Result<Option<Vec<u8>>, (&'static str, String)> {
        uploaded_photo(&self.avatar_image)
    }
}

/// A photo a form sent as a `data:` URL (the client's, a staff member's), checked as the
/// domains storing them will: none when no file was chosen, else the bytes or the reason
/// beside the `avatar` field.
pub fn uploaded_photo(data_url: &str) -> Result<Option<Vec<u8>>, (&'static str, String)> {
    if data_url.trim().is_empty() {
        return Ok(None);
    }
    let image =
        crate::clients::http::decode_image(data_url).map_err(|e| ("avatar", e.to_string()))?;
    crate::clients::check_photo(&image).map_err(|e| ("avatar", e.to_string()))?;
    Ok(Some(image))
}

/// What the template of the form shows.
#[derive(Debug, Serialize)]
pub struct FormScreen {
    pub page: String,
    /// The client being edited; none for a new one.
    pub client_id: Option<u64>,
    pub client_name: String,
    pub form: ClientForm,
    /// Field name → what is wrong with it, from the service's refusal.
    pub errors: BTreeMap<String, String>,
    pub notice: Option<Notice>,
    /// A profile just saved, to link to from the notice of "Save and add another".
    pub saved_id: Option<u64>,
    pub statuses: Vec<String>,
    pub avatars: Vec<&'static str>,
    /// The client has an uploaded photo, which the form may keep.
    pub has_photo: bool,
    /// The WordPress user the client is linked to.
    pub linked_user: Option<u64>,
    /// The largest photo the form uploads, in bytes.
    pub max_photo_bytes: usize,
    /// Sent as `Idempotency-Key` with a new client (it may preload credits).
    pub idempotency_key: String,
}

impl FormScreen {
    pub fn new(page: &str, client: Option<&Client>, form: ClientForm, statuses: &[Status]) -> Self {
        Self {
            page: page.to_owned(),
            client_id: client.map(|c| c.id),
            client_name: client.map(Client::full_name).unwrap_or_default(),
            form,
            errors: BTreeMap::new(),
            notice: None,
            saved_id: None,
            statuses: statuses.iter().map(|s| s.name.clone()).collect(),
            avatars: DEFAULT_AVATARS.to_vec(),
            has_photo: client.is_some_and(|c| c.avatar.as_deref() == Some(UPLOADED_AVATAR)),
            linked_user: client.and_then(|c| c.wp_user_id),
            max_photo_bytes: crate::clients::MAX_AVATAR_BYTES,
            idempotency_key: uuid::Uuid::new_v4().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forwarded_form_becomes_a_full_edit() {
        let form: ClientForm = serde_json::from_str(
            r#"{"first_name":" Ann ","email":"","phone":"+44 20 7946 0000","status":"Gold",
                "may_book":"1","marketing":"on","blocked":"0","birthday":"1990-02-03",
                "gender":"female","then":"another"}"#,
        )
        .expect("parses");
        assert!(form.adds_another());
        let input = form.input().expect("an edit");
        assert_eq!(input.email, Some(None));
        assert_eq!(input.status.as_deref(), Some("Gold"));
        assert_eq!(input.blocked, Some(false));
        let p = input.permissions.expect("permissions");
        assert_eq!((p.book, p.cancel), (Some(true), Some(false)));
        assert_eq!(input.notifications.expect("opt-ins").marketing, Some(true));
        assert_eq!(input.birthday, Some(NaiveDate::from_ymd_opt(1990, 2, 3)));
        let bad = ClientForm {
            anniversary: "soon".into(),
            ..ClientForm::blank()
        };
        assert_eq!(bad.input().err().map(|e| e.0), Some("anniversary"));
        let link = ClientForm {
            wp_account: "link".into(),
            wp_user_id: "12".into(),
            preload_credits: "12,5".into(),
            ..ClientForm::blank()
        };
        assert_eq!(link.input().expect("an edit").wp_user_id, Some(Some(12)));
        assert_eq!(
            link.credits().expect("credits").map(|m| m.to_string()),
            Some("12.50".into())
        );
        let unlink = ClientForm {
            wp_account: "unlink".into(),
            preload_credits: "-3".into(),
            ..ClientForm::blank()
        };
        assert_eq!(unlink.input().expect("an edit").wp_user_id, Some(None));
        assert_eq!(unlink.credits().err().map(|e| e.0), Some("preload_credits"));
        assert_eq!(
            ClientForm::blank().input().expect("an edit").wp_user_id,
            None
        );
        let not_an_image = ClientForm {
            avatar_image: "data:image/png;base64,aGVsbG8=".into(),
            ..ClientForm::blank()
        };
        assert_eq!(not_an_image.photo().err().map(|e| e.0), Some("avatar"));
    }
}
