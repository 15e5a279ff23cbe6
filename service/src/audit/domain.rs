use chrono::{DateTime, Utc};
use mysql_async::prelude::FromRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    #[schema(value_type = Object)]
    pub before: Value,
    #[schema(value_type = Object)]
    pub after: Value,
}

pub type Changes = BTreeMap<String, Change>;

/// A change about to be recorded.
#[derive(Clone, Debug)]
pub struct Record {
    pub entity: &'static str,
    pub entity_id: u64,
    pub actor: String,
    pub action: &'static str,
    pub changes: Changes,
}

impl Record {
    /// An `update` whose fields all kept their values is no change at all.
    pub fn is_empty_update(&self) -> bool {
        self.action == "update" && self.changes.is_empty()
    }
}

/// A recorded change.
#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Entry {
    pub id: u64,
    pub entity: String,
    pub entity_id: u64,
    /// `role:wp_user_id` of whoever made the change, or `system`.
    pub actor: String,
    pub action: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub changes: Changes,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
}

/// What a search across the whole log keeps; every part left empty keeps everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    pub entity: Option<String>,
    /// Entries about these records of `entity` (several when a name matched several).
    pub entity_ids: Option<Vec<u64>>,
    /// `role:wp_user_id`, or `system`.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Recorded at or after.
    pub from: Option<DateTime<Utc>>,
    /// Recorded before.
    pub until: Option<DateTime<Utc>>,
}

/// An entity name as other domains write it: `client`, `booking`, …
pub fn is_entity_name(s: &str) -> bool {
    (1..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// The fields of two JSON objects whose values differ (a field missing on one side is `null`).
pub fn diff(before: &Value, after: &Value) -> Changes {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut changes = Changes::new();
    for key in b.keys().chain(a.keys()) {
        let old = b.get(key).unwrap_or(&Value::Null);
        let new = a.get(key).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(
                key.clone(),
                Change {
                    before: old.clone(),
                    after: new.clone(),
                },
            );
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_keeps_only_changed_fields() {
        let changes = diff(
            &json!({"a": 1, "b": "x", "c": null}),
            &json!({"a": 1, "b": "y", "d": true}),
        );
        assert_eq!(changes.keys().collect::<Vec<_>>(), ["b", "d"]);
        assert_eq!(changes["b"].before, json!("x"));
        assert_eq!(changes["b"].after, json!("y"));
        assert_eq!(changes["d"].before, Value::Null);
    }

    #[test]
    fn a_creation_shows_every_field_as_new() {
        let changes = diff(&Value::Null, &json!({"first_name": "Ann"}));
        assert_eq!(changes["first_name"].after, json!("Ann"));
    }
}
