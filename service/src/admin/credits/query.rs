//! The Credits & Gifts screen's query string: which tab, its filters, and the forms' state.
use super::NewCodeForm;
use crate::{admin::AdminError, gift_codes::CodeStatus};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The keys the screen reads; anything else in the query (`rest_route`, …) is left out.
const KEYS: &[&str] = &[
    "status",
    "before",
    "code",
    "confirm",
    "action",
    "search",
    "client",
    "client_id",
    "kind",
    "from",
    "to",
    "actor",
    "value",
    "expires",
    "max_redemptions",
    "own_code",
    "note",
];

/// Keys that belong to one visit of a form, not to the list it sits on.
const TRANSIENT: &[&str] = &[
    "before",
    "confirm",
    "search",
    "value",
    "expires",
    "max_redemptions",
    "own_code",
    "note",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreditsQuery {
    pub page: String,
    pub movements: bool,
    /// Clients chosen so far for a code (`client_ids[]`).
    pub chosen: Vec<u64>,
    values: BTreeMap<&'static str, String>,
}

fn query_error(message: &str) -> AdminError {
    AdminError::Query(message.to_owned())
}

impl CreditsQuery {
    pub fn parse(raw: Option<&str>) -> Result<Self, AdminError> {
        let mut q = Self {
            page: "volixta-credits".to_owned(),
            ..Self::default()
        };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "page" => {
                    let plain = (1..=64).contains(&value.len())
                        && value
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                    if plain {
                        value.clone_into(&mut q.page);
                    }
                }
                "tab" => {
                    q.movements = match value {
                        "" | "gift-codes" => false,
                        "movements" => true,
                        _ => return Err(query_error("tab is gift-codes or movements")),
                    }
                }
                "client_ids[]" | "client_ids" => {
                    if value.is_empty() {
                        continue;
                    }
                    let id = value
                        .parse()
                        .map_err(|_| query_error("client_ids are ids of clients"))?;
                    if !q.chosen.contains(&id) && q.chosen.len() < 500 {
                        q.chosen.push(id);
                    }
                }
                key => {
                    if let Some(name) = KEYS.iter().find(|k| **k == key)
                        && !value.is_empty()
                    {
                        q.values.insert(*name, value.chars().take(200).collect());
                    }
                }
            }
        }
        Ok(q)
    }

    /// The same state with `key` set (or, with `None`, removed): where a form's answer lands.
    pub fn set(&mut self, key: &'static str, value: Option<String>) {
        match value {
            Some(v) => self.values.insert(key, v),
            None => self.values.remove(key),
        };
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn number(&self, name: &'static str) -> Result<Option<u64>, AdminError> {
        match self.get(name) {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| AdminError::Query(format!("{name} is a number"))),
        }
    }

    pub fn before(&self) -> Result<Option<u64>, AdminError> {
        self.number("before")
    }

    pub fn code(&self) -> Result<Option<u64>, AdminError> {
        self.number("code")
    }

    pub fn client_id(&self) -> Result<Option<u64>, AdminError> {
        self.number("client_id")
    }

    pub fn creating(&self) -> bool {
        self.get("action") == "new"
    }

    pub fn status(&self) -> Result<Option<CodeStatus>, AdminError> {
        match self.get("status") {
            "" => Ok(None),
            s => CodeStatus::parse(s)
                .map(Some)
                .ok_or_else(|| query_error("status is active, expired, used_up or revoked")),
        }
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, AdminError> {
        match self.get(name) {
            "" => Ok(None),
            v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| AdminError::Query(format!("{name} is a date like 2026-01-31"))),
        }
    }

    /// The create form as the query carries it (while clients are searched for it).
    pub fn typed_form(&self) -> NewCodeForm {
        NewCodeForm {
            value: self.get("value").to_owned(),
            expires: self.get("expires").to_owned(),
            max_redemptions: self.get("max_redemptions").to_owned(),
            code: self.get("own_code").to_owned(),
            note: self.get("note").to_owned(),
            errors: BTreeMap::new(),
        }
    }

    fn serializer(&self, skip: &[&str]) -> form_urlencoded::Serializer<'static, String> {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("page", &self.page);
        if self.movements {
            out.append_pair("tab", "movements");
        }
        for (k, v) in &self.values {
            if !TRANSIENT.contains(k) && !skip.contains(k) {
                out.append_pair(k, v);
            }
        }
        out
    }

    /// This list (its tab and filters, the open code) from its first page.
    pub fn first_page(&self) -> String {
        self.serializer(&[]).finish()
    }

    pub fn with_before(&self, before: u64) -> String {
        let mut out = self.serializer(&[]);
        out.append_pair("before", &before.to_string());
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_keeps_its_filters_and_drops_a_form_s_visit() {
        let q = CreditsQuery::parse(Some(
            "page=volixta-credits&tab=movements&kind=gift_code&before=9&actor=manager%3A2\
             &client_ids%5B%5D=4&client_ids%5B%5D=4&client_ids%5B%5D=7&rest_route=x&search=ann",
        ))
        .expect("query");
        assert!(q.movements);
        assert_eq!(q.chosen, vec![4, 7]);
        assert_eq!(q.before().expect("number"), Some(9));
        assert_eq!(
            q.first_page(),
            "page=volixta-credits&tab=movements&actor=manager%3A2&kind=gift_code"
        );
        assert_eq!(
            q.with_before(3),
            "page=volixta-credits&tab=movements&actor=manager%3A2&kind=gift_code&before=3"
        );
        assert!(CreditsQuery::parse(Some("tab=secrets")).is_err());
        assert!(
            CreditsQuery::parse(Some("status=lost"))
                .expect("q")
                .status()
                .is_err()
        );
        assert!(
            CreditsQuery::parse(Some("code=x"))
                .expect("q")
                .code()
                .is_err()
        );
    }
}
