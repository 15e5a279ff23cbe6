use super::{Action, Entry, LedgerRow};
use crate::{
    db::row::Column,
    ledger::{History, LedgerSpec},
    paging::PageRequest,
};
use mysql_async::{FromValueError, Value, prelude::FromValue};

/// The reward points ledger, for `ledger`'s shared mechanics: points, cached on the client row.
pub(super) struct Ledger;

impl LedgerSpec for Ledger {
    type Quantity = i64;
    type Entry = Entry;
    type Row = LedgerRow;

    const TABLE: &'static str = "{p}volixta_reward_ledger";
    const HOLDER: &'static str = "{p}volixta_clients";
    const BALANCE: &'static str = "reward_points";
    const CHANGE: &'static str = "points";
    const COLUMNS: &'static str =
        "id, client_id, points, balance_after, action, reason, actor, created_at";

    fn client_id(entry: &Entry) -> u64 {
        entry.client_id
    }

    fn change(entry: &Entry) -> i64 {
        entry.points
    }

    fn details(entry: &Entry) -> Vec<(&'static str, Value)> {
        vec![
            ("action", entry.action.as_str().into()),
            ("reason", entry.reason.as_str().into()),
            ("actor", entry.actor.as_str().into()),
        ]
    }

    fn row_id(row: &LedgerRow) -> u64 {
        row.id
    }
}

/// Actions are stored as their names; a name this build does not know reads as an adjustment.
impl Column for Action {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let name = String::from_value_opt(value)?;
        Ok(Self::parse(&name).unwrap_or(Self::Adjusted))
    }

    fn into_column(self) -> Value {
        self.as_str().into()
    }
}

/// One client's rows, newest first, matching `search` when given; `before` is the keyset
/// cursor (an id).
pub fn history(client_id: u64, search: Option<&str>, page: PageRequest) -> History {
    let mut query = History::new(Some(client_id), page);
    if let Some(term) = search {
        let like = format!(
            "%{}%",
            term.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        // A bare number is a points value; anything else a date, an action or reason words.
        if let Ok(points) = term.trim_start_matches('+').parse::<i64>() {
            query.and(
                "points = ? OR ABS(points) = ? OR reason LIKE ?",
                [points.into(), points.into(), like.into()],
            );
        } else {
            query.and(
                "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i') LIKE ? OR action LIKE ? OR reason LIKE ?",
                [like.clone().into(), like.clone().into(), like.into()],
            );
        }
    }
    query
}
