//! What managers see of codes: each with its status, allowed clients and redemptions.
use super::{CodeStatus, GiftCode, GiftCodeError, Redemption, SendRequest, repo};
use crate::{
    db::{Db, DbError},
    paging::{Page, PageRequest},
};
use chrono::Utc;
use mysql_async::prelude::Queryable;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GiftCodeDetails {
    #[serde(flatten)]
    pub gift_code: GiftCode,
    pub status: CodeStatus,
    /// The clients a restricted code is for.
    pub client_ids: Vec<u64>,
    pub redemptions: Vec<Redemption>,
    /// E-mail requests, on the single-code view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sends: Option<Vec<SendRequest>>,
}

pub async fn load<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    with_sends: bool,
) -> Result<GiftCodeDetails, GiftCodeError> {
    let code = repo::find(conn, db, id, false)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    let mut details = describe(conn, db, vec![code]).await?;
    let mut one = details.pop().ok_or(GiftCodeError::NotFound)?;
    if with_sends {
        one.sends = Some(repo::sends_of(conn, db, id, 0).await?);
    }
    Ok(one)
}

/// Adds status, allowed clients and redemptions to codes, in two queries for the whole page.
async fn describe<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    codes: Vec<GiftCode>,
) -> Result<Vec<GiftCodeDetails>, DbError> {
    let ids: Vec<u64> = codes.iter().map(|c| c.id).collect();
    let allowed = repo::allowed_clients_of(conn, db, &ids).await?;
    let redemptions = repo::redemptions_of(conn, db, &ids).await?;
    let now = Utc::now();
    Ok(codes
        .into_iter()
        .map(|code| GiftCodeDetails {
            status: code.status(now),
            client_ids: allowed
                .iter()
                .filter(|(g, _)| *g == code.id)
                .map(|(_, c)| *c)
                .collect(),
            redemptions: redemptions
                .iter()
                .filter(|r| r.gift_code_id == code.id)
                .cloned()
                .collect(),
            sends: None,
            gift_code: code,
        })
        .collect())
}

pub async fn details(db: &Db, id: u64) -> Result<GiftCodeDetails, GiftCodeError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    load(&mut conn, db, id, true).await
}

pub async fn list(
    db: &Db,
    status: Option<CodeStatus>,
    page: PageRequest,
) -> Result<Page<GiftCodeDetails>, GiftCodeError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let codes = repo::list(&mut conn, db, status, page).await?;
    let codes = Page::from_rows(codes, page.limit, |c| c.id);
    Ok(Page {
        items: describe(&mut conn, db, codes.items).await?,
        next_cursor: codes.next_cursor,
    })
}
