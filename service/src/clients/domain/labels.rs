//! Statuses and groups: the labels staff sort clients by, and the checks on their names.
use super::limit;
use crate::clients::ClientError;
use chrono::{DateTime, Utc};
use mysql_async::prelude::FromRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A custom status, offered when creating or editing clients.
#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Status {
    pub id: u64,
    pub name: String,
    /// An icon name the admin screens show beside the status.
    pub icon: String,
    pub position: i64,
    /// Live clients with this status.
    pub clients: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusInput {
    pub name: Option<String>,
    pub icon: Option<String>,
    pub position: Option<i64>,
}

/// A validated status name.
pub fn status_name(raw: &str) -> Result<String, ClientError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ClientError::Invalid {
            field: "name",
            message: "name is required".into(),
        });
    }
    if name.chars().count() > 40 {
        return Err(ClientError::StatusTooLong);
    }
    Ok(name.to_owned())
}

pub fn icon_name(raw: &str) -> Result<String, ClientError> {
    let icon = raw.trim();
    if icon.len() > 40
        || !icon
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ClientError::Invalid {
            field: "icon",
            message: "icon is a name of up to 40 letters, digits, - or _".into(),
        });
    }
    Ok(icon.to_owned())
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Group {
    pub id: u64,
    pub name: String,
    pub description: String,
    /// Live clients in the group.
    pub clients: u64,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
}

pub fn group_name(raw: &str) -> Result<String, ClientError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ClientError::Invalid {
            field: "name",
            message: "name is required".into(),
        });
    }
    limit("name", name, 100)?;
    Ok(name.to_owned())
}

pub fn group_description(raw: &str) -> Result<String, ClientError> {
    let d = raw.trim();
    limit("description", d, 500)?;
    Ok(d.to_owned())
}

/// Bulk membership changes: at most this many clients per request.
pub const MAX_BULK: usize = 10_000;
