use super::RewardError;
use crate::ledger;
use chrono::{DateTime, Utc};
use mysql_async::prelude::FromRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Points given (loyalty, promotions).
    Added,
    /// Points spent by the client.
    Redeemed,
    /// A correction either way.
    Adjusted,
    /// Points moved between two profiles merged into one.
    Merge,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Redeemed => "redeemed",
            Self::Adjusted => "adjusted",
            Self::Merge => "merge",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Added, Self::Redeemed, Self::Adjusted, Self::Merge]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub client_id: u64,
    /// Positive adds, negative removes.
    pub points: i64,
    pub action: Action,
    pub reason: String,
    pub actor: String,
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct LedgerRow {
    pub id: u64,
    pub client_id: u64,
    pub points: i64,
    /// The client's total after this row.
    pub balance_after: u64,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub action: Action,
    pub reason: String,
    /// Who did it: `role:wp_user_id`, or `system`.
    pub actor: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
}

pub const MAX_POINTS_PER_ENTRY: u64 = 1_000_000_000;

/// Points are posted a bounded number at a time, so a typo of a few zeros is refused.
pub fn check_points(points: i64) -> Result<(), RewardError> {
    if points.unsigned_abs() > MAX_POINTS_PER_ENTRY {
        return Err(RewardError::TooManyPoints);
    }
    Ok(())
}

/// What a manual change is called: the manager may say `adjusted`; otherwise the sign decides.
pub fn manual_action(points: i64, requested: Option<Action>) -> Result<Action, RewardError> {
    match requested {
        None => Ok(if points < 0 {
            Action::Redeemed
        } else {
            Action::Added
        }),
        Some(Action::Adjusted) => Ok(Action::Adjusted),
        Some(Action::Added) if points > 0 => Ok(Action::Added),
        Some(Action::Redeemed) if points < 0 => Ok(Action::Redeemed),
        Some(_) => Err(RewardError::ActionMismatch),
    }
}

/// A manager's change of one client's points, checked: the reason given, the action agreeing
/// with the sign.
#[derive(Clone, Debug)]
pub struct Adjustment {
    pub client_id: u64,
    pub points: i64,
    pub action: Action,
    pub reason: String,
}

impl Adjustment {
    pub fn new(
        client_id: u64,
        points: i64,
        action: Option<Action>,
        reason: Option<&str>,
    ) -> Result<Self, RewardError> {
        let reason = ledger::clean_reason(reason)?;
        Ok(Self {
            client_id,
            points,
            action: manual_action(points, action)?,
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_come_a_billion_at_most() {
        assert!(check_points(1_000_000_000).is_ok());
        assert!(check_points(-1_000_000_000).is_ok());
        assert!(matches!(
            check_points(1_000_000_001),
            Err(RewardError::TooManyPoints)
        ));
        assert!(matches!(
            check_points(i64::MIN),
            Err(RewardError::TooManyPoints)
        ));
    }

    #[test]
    fn actions_follow_the_sign_unless_adjusted() {
        assert_eq!(manual_action(5, None).ok(), Some(Action::Added));
        assert_eq!(manual_action(-5, None).ok(), Some(Action::Redeemed));
        assert_eq!(
            manual_action(-5, Some(Action::Adjusted)).ok(),
            Some(Action::Adjusted)
        );
        assert!(matches!(
            manual_action(5, Some(Action::Redeemed)),
            Err(RewardError::ActionMismatch)
        ));
        assert!(matches!(
            manual_action(5, Some(Action::Merge)),
            Err(RewardError::ActionMismatch)
        ));
    }
}
