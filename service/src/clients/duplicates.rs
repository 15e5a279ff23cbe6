//! Likely duplicates: the same e-mail, the same phone, or the same name spelled slightly
//! differently. A manager confirms by merging, or by marking the pair as two people.
use super::{
    ClientError, ClientResult, DuplicateGroup, domain::DuplicateReason, domain::duplicates, repo,
};
use crate::{
    auth::Actor,
    db::{Db, Tx},
};
use std::collections::HashSet;

/// At most `limit` groups, e-mail first, then phone, then name.
pub async fn find_duplicates(db: &Db, limit: usize) -> ClientResult<(Vec<DuplicateGroup>, bool)> {
    let mut conn = db.pool.get_conn().await?;
    let dismissed: HashSet<(u64, u64)> = repo::distinct_pairs(&mut conn, db)
        .await?
        .into_iter()
        .collect();
    let keep = |pairs: Vec<(u64, u64)>| -> Vec<(u64, u64)> {
        pairs
            .into_iter()
            .filter(|p| !dismissed.contains(p))
            .collect()
    };
    let email = keep(duplicates::pairs_within(
        &repo::shared_values(&mut conn, db, "email").await?,
    ));
    let phone = keep(duplicates::pairs_within(
        &repo::shared_values(&mut conn, db, "phone").await?,
    ));
    let reported: HashSet<(u64, u64)> = email.iter().chain(&phone).copied().collect();
    let names = duplicates::similar_name_pairs(&repo::live_names(&mut conn, db).await?);
    let names: Vec<(u64, u64)> = keep(names)
        .into_iter()
        .filter(|p| !reported.contains(p))
        .collect();

    let mut clustered: Vec<(DuplicateReason, Vec<u64>)> = Vec::new();
    for (reason, pairs) in [
        (DuplicateReason::Email, email),
        (DuplicateReason::Phone, phone),
        (DuplicateReason::Name, names),
    ] {
        clustered.extend(duplicates::cluster(&pairs).into_iter().map(|g| (reason, g)));
    }
    let truncated = clustered.len() > limit;
    clustered.truncate(limit);
    let mut groups = Vec::with_capacity(clustered.len());
    for (reason, ids) in clustered {
        let clients = repo::find_many(&mut conn, db, &ids).await?;
        groups.push(DuplicateGroup { reason, clients });
    }
    Ok((groups, truncated))
}

/// Records that two profiles are different people, so they are no longer offered together.
pub async fn mark_distinct(db: &Db, actor: Actor, a: u64, b: u64) -> ClientResult<()> {
    if a == b {
        return Err(ClientError::MergeSelf);
    }
    db.transaction(|mut tx| async move {
        let result = insert_distinct_pair(&mut tx, db, actor, a, b).await;
        (tx, result)
    })
    .await
}

async fn insert_distinct_pair(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    a: u64,
    b: u64,
) -> ClientResult<()> {
    for id in [a, b] {
        repo::find_for_update(tx, db, id)
            .await?
            .ok_or(ClientError::NotFound)?;
    }
    repo::insert_distinct_pair(tx, db, a.min(b), a.max(b), &actor.to_string()).await?;
    Ok(())
}
