//! The client list's query: filters, sort order and the keyset cursor.
use crate::{clients::ClientError, paging::PageRequest};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum Sort {
    /// Oldest first (the order of creation).
    #[default]
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "-id")]
    IdDesc,
    /// By last name, then first name.
    #[serde(rename = "name", alias = "last_name")]
    Name,
    #[serde(rename = "-name", alias = "-last_name")]
    NameDesc,
}

/// A notification channel a client may be subscribed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Reminders,
    Birthday,
    Marketing,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name, e-mail or phone; case- and accent-insensitive.
    pub search: Option<String>,
    /// One status or several, comma-separated.
    pub status: Option<String>,
    pub group_id: Option<u64>,
    /// Holding this package (not removed from the profile).
    pub package_id: Option<u64>,
    pub blocked: Option<bool>,
    /// Subscribed to this channel (blocked clients never are).
    pub subscribed: Option<Channel>,
    /// Service categories (ids, comma-separated) the client has booked.
    pub used_category_ids: Option<String>,
    /// Services (ids, comma-separated) the client has booked.
    pub used_service_ids: Option<String>,
    /// Service categories (ids, comma-separated) the client has never booked.
    pub unused_category_ids: Option<String>,
    /// Services (ids, comma-separated) the client has never booked.
    pub unused_service_ids: Option<String>,
    /// With a booking starting on or after this date (UTC).
    pub booked_from: Option<chrono::NaiveDate>,
    /// With a booking starting on or before this date (UTC).
    pub booked_to: Option<chrono::NaiveDate>,
    /// With a pending or confirmed booking: within `booked_from`–`booked_to` when given, else one
    /// not yet over. `false`: without one.
    pub active_bookings: Option<bool>,
    /// Deleted and merged profiles too.
    pub include_deleted: Option<bool>,
    /// `true`: only deleted profiles (not merged ones), the ones that may be restored.
    pub deleted: Option<bool>,
    /// Only these clients (ids, comma-separated, at most 500), e.g. to export a selection.
    pub ids: Option<String>,
    #[param(inline)]
    pub sort: Option<Sort>,
    /// Keyset cursor: the `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<u16>,
}

impl ListQuery {
    /// The page asked for: after the decoded cursor, within the shared limits.
    pub fn page(&self) -> Result<PageRequest<Cursor>, ClientError> {
        Ok(PageRequest::new(self.cursor()?, self.limit))
    }

    pub fn sort(&self) -> Sort {
        self.sort.unwrap_or_default()
    }

    pub fn statuses(&self) -> Vec<String> {
        split(self.status.as_deref()).map(str::to_owned).collect()
    }

    pub fn cursor(&self) -> Result<Option<Cursor>, ClientError> {
        self.after
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| Cursor::decode(self.sort(), s))
            .transpose()
    }
}

fn split(raw: Option<&str>) -> impl Iterator<Item = &str> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Ids from a comma-separated list; anything else is a 422 on that parameter.
pub fn ids(field: &'static str, raw: Option<&str>) -> Result<Vec<u64>, ClientError> {
    split(raw)
        .map(|s| {
            s.parse::<u64>().map_err(|_| ClientError::Invalid {
                field,
                message: format!("{field} is a comma-separated list of ids"),
            })
        })
        .collect()
}

/// Where the previous page ended, in the sort order of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    Id(u64),
    Name {
        last: String,
        first: String,
        id: u64,
    },
}

impl Cursor {
    pub fn encode(&self) -> String {
        match self {
            Self::Id(id) => id.to_string(),
            Self::Name { last, first, id } => {
                let json = serde_json::to_vec(&(last, first, id)).unwrap_or_default();
                URL_SAFE_NO_PAD.encode(json)
            }
        }
    }

    pub fn decode(sort: Sort, raw: &str) -> Result<Self, ClientError> {
        let bad = || ClientError::Invalid {
            field: "after",
            message: "after is the next_cursor of a previous page with the same sort".into(),
        };
        match sort {
            Sort::Id | Sort::IdDesc => raw.parse().map(Self::Id).map_err(|_| bad()),
            Sort::Name | Sort::NameDesc => {
                let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
                let (last, first, id): (String, String, u64) =
                    serde_json::from_slice(&bytes).map_err(|_| bad())?;
                Ok(Self::Name { last, first, id })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor::Name {
            last: "Öztürk".into(),
            first: "Ann, \"Jr\"".into(),
            id: 7,
        };
        assert_eq!(Cursor::decode(Sort::Name, &c.encode()).ok(), Some(c));
        assert_eq!(
            Cursor::decode(Sort::IdDesc, "42").ok(),
            Some(Cursor::Id(42))
        );
        assert!(Cursor::decode(Sort::Id, "abc").is_err());
        assert!(Cursor::decode(Sort::Name, "42").is_err());
    }

    #[test]
    fn id_lists() {
        assert_eq!(ids("x", Some("1, 2,,3")).ok(), Some(vec![1, 2, 3]));
        assert!(ids("x", Some("1,a")).is_err());
        assert_eq!(ids("x", None).ok(), Some(vec![]));
    }
}
