//! Merging two profiles of one person: everything of the other profile moves to the kept one in
//! one transaction, the other is marked merged and points to the kept one, and nothing is lost.
use super::{ClientError, ClientResult, Profile, UPLOADED_AVATAR, record, repo};
use crate::{
    audit,
    auth::Actor,
    db::{Db, DbError, Tx},
    money::Money,
    reassign, rewards, wallet,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The profile merged into the one in the path; it is kept, marked merged.
    pub other_id: u64,
}

/// What moved to the kept profile.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Moved {
    pub wallet: Money,
    pub reward_points: u64,
    pub groups: usize,
    /// The rows other domains keep of a client.
    #[serde(flatten)]
    pub rows: reassign::Reassigned,
    /// Profile fields the kept profile lacked and took from the other one.
    pub filled_fields: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MergeResult {
    pub client: super::Client,
    pub merged: super::Client,
    pub moved: Moved,
}

/// The kept profile, with what it lacks taken from the other one. Internal notes of both are
/// kept; a block on either stays.
pub fn combine(keep: &Profile, other: &Profile, other_id: u64) -> (Profile, Vec<String>) {
    let mut p = keep.clone();
    let mut filled = Vec::new();
    let mut fill = |name: &str, empty: bool, take: &mut dyn FnMut()| {
        if empty {
            take();
            filled.push(name.to_owned());
        }
    };
    fill(
        "last_name",
        p.last_name.is_empty() && !other.last_name.is_empty(),
        &mut || {
            p.last_name.clone_from(&other.last_name);
        },
    );
    fill(
        "email",
        p.email.is_none() && other.email.is_some(),
        &mut || {
            p.email.clone_from(&other.email);
        },
    );
    fill(
        "phone",
        p.phone.is_none() && other.phone.is_some(),
        &mut || {
            p.phone.clone_from(&other.phone);
        },
    );
    let no_address = p.street.is_empty() && p.zip.is_empty() && p.city.is_empty();
    let other_address = !(other.street.is_empty() && other.zip.is_empty() && other.city.is_empty());
    fill("address", no_address && other_address, &mut || {
        p.street.clone_from(&other.street);
        p.zip.clone_from(&other.zip);
        p.city.clone_from(&other.city);
    });
    fill(
        "birthday",
        p.birthday.is_none() && other.birthday.is_some(),
        &mut || {
            p.birthday = other.birthday;
        },
    );
    fill(
        "anniversary",
        p.anniversary.is_none() && other.anniversary.is_some(),
        &mut || {
            p.anniversary = other.anniversary;
        },
    );
    fill(
        "gender",
        p.gender.is_none() && other.gender.is_some(),
        &mut || {
            p.gender = other.gender;
        },
    );
    fill(
        "avatar",
        p.avatar.is_none() && other.avatar.is_some(),
        &mut || {
            p.avatar.clone_from(&other.avatar);
        },
    );
    fill(
        "wp_user_id",
        p.wp_user_id.is_none() && other.wp_user_id.is_some(),
        &mut || {
            p.wp_user_id = other.wp_user_id;
        },
    );
    if !other.notes.is_empty() {
        p.notes = if p.notes.is_empty() {
            other.notes.clone()
        } else {
            format!("{}\n\n[merged from #{other_id}] {}", p.notes, other.notes)
        };
    }
    p.blocked = keep.blocked || other.blocked;
    (p, filled)
}

/// A profile cannot be merged into itself.
pub fn check_pair(keep_id: u64, other_id: u64) -> Result<(), ClientError> {
    if other_id == keep_id {
        return Err(ClientError::MergeSelf);
    }
    Ok(())
}

/// Merges `other_id` into `keep_id` (a pair `check_pair` accepted) in the caller's transaction.
pub async fn merge(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    keep_id: u64,
    other_id: u64,
) -> ClientResult<MergeResult> {
    // Both rows locked in id order, so two merges of the same pair cannot deadlock.
    let (first, second) = (keep_id.min(other_id), keep_id.max(other_id));
    let a = repo::find_for_update(tx, db, first)
        .await?
        .ok_or(ClientError::NotFound)?;
    let b = repo::find_for_update(tx, db, second)
        .await?
        .ok_or(ClientError::NotFound)?;
    let (keep, other) = if a.id == keep_id { (a, b) } else { (b, a) };
    if !keep.is_live() || !other.is_live() {
        return Err(ClientError::MergeNotLive);
    }
    let actor_name = actor.to_string();
    let mut moved = Moved::default();

    if !other.wallet_balance.is_zero() {
        let amount = other.wallet_balance;
        for (client_id, amount, reason) in [
            (other_id, -amount, format!("merged into client #{keep_id}")),
            (keep_id, amount, format!("merged from client #{other_id}")),
        ] {
            wallet::post(
                tx,
                db,
                wallet::Entry {
                    client_id,
                    amount,
                    kind: wallet::EntryKind::Merge,
                    reason,
                    actor: actor_name.clone(),
                    refs: wallet::References::default(),
                },
            )
            .await?;
        }
        moved.wallet = amount;
    }
    if other.reward_points > 0 {
        let points = i64::try_from(other.reward_points).map_err(anyhow::Error::from)?;
        for (client_id, points, reason) in [
            (other_id, -points, format!("merged into client #{keep_id}")),
            (keep_id, points, format!("merged from client #{other_id}")),
        ] {
            rewards::post(
                tx,
                db,
                rewards::Entry {
                    client_id,
                    points,
                    action: rewards::Action::Merge,
                    reason,
                    actor: actor_name.clone(),
                },
            )
            .await?;
        }
        moved.reward_points = other.reward_points;
    }
    moved.groups = repo::move_memberships(tx, db, other_id, keep_id)
        .await?
        .len();
    moved.rows = reassign::reassign_client(tx, db, other_id, keep_id).await?;

    let before = keep.profile();
    let (combined, filled) = combine(&before, &other.profile(), other_id);
    if filled.iter().any(|f| f == "avatar") && other.avatar.as_deref() == Some(UPLOADED_AVATAR) {
        repo::move_avatar(tx, db, other_id, keep_id).await?;
    }
    moved.filled_fields = filled;
    // The other profile stops being live first, which frees its WordPress user for the kept one.
    repo::mark_merged(tx, db, other_id, keep_id).await?;
    match repo::save(tx, db, keep_id, &combined)
        .await
        .map_err(DbError::from)
    {
        Ok(()) => {}
        Err(e) if e.duplicate_key() == Some(repo::UNIQUE_WP_USER) => {
            return Err(ClientError::WpUserTaken);
        }
        Err(e) => return Err(e.into()),
    }

    let mut keep_changes = audit::diff(&before.audit_view(), &combined.audit_view());
    keep_changes.insert(
        "merged_from".into(),
        audit::Change {
            before: serde_json::Value::Null,
            after: other_id.into(),
        },
    );
    let other_changes = audit::Changes::from([(
        "merged_into_id".to_owned(),
        audit::Change {
            before: serde_json::Value::Null,
            after: keep_id.into(),
        },
    )]);
    super::log(
        tx,
        db,
        &[
            record(keep_id, &actor_name, "merge", keep_changes),
            record(other_id, &actor_name, "merged", other_changes),
        ],
    )
    .await?;

    let client = repo::find(tx, db, keep_id)
        .await?
        .ok_or(ClientError::NotFound)?;
    let merged = repo::find(tx, db, other_id)
        .await?
        .ok_or(ClientError::NotFound)?;
    Ok(MergeResult {
        client,
        merged,
        moved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::ClientInput;

    fn profile(json: serde_json::Value) -> Profile {
        let input: ClientInput = serde_json::from_value(json).expect("input");
        Profile::blank()
            .apply(
                input,
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            )
            .expect("valid")
    }

    #[test]
    fn the_kept_profile_wins_and_takes_what_it_lacks() {
        let keep = profile(
            serde_json::json!({"first_name": "Ann", "email": "ann@a.com", "notes": "VIP table"}),
        );
        let other = profile(
            serde_json::json!({"first_name": "Anne", "last_name": "Lee", "email": "ann@b.com",
            "phone": "+44 20 7946 0000", "city": "Leeds", "notes": "Allergic to nuts", "blocked": true}),
        );
        let (p, filled) = combine(&keep, &other, 9);
        assert_eq!(p.first_name, "Ann");
        assert_eq!(p.email, keep.email);
        assert_eq!(p.last_name, "Lee");
        assert_eq!(p.phone, other.phone);
        assert_eq!(p.city, "Leeds");
        assert!(p.blocked);
        assert_eq!(p.notes, "VIP table\n\n[merged from #9] Allergic to nuts");
        assert_eq!(filled, ["last_name", "phone", "address"]);
    }
}
