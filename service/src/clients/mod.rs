//! Clients: the people who book. Managers keep their profiles; a client sees only its own.
mod domain;
mod error;
pub mod http;
pub(crate) mod repo;

pub use domain::{Client, Email, NewClient, NewClientRequest, Phone};
pub use error::ClientError;

use crate::{
    auth::{Actor, Role},
    db::{Db, Tx, is_duplicate_key},
    error::{ApiError, ApiResult},
    settings,
};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of the name, e-mail or phone; case- and accent-insensitive.
    pub search: Option<String>,
    /// Keyset cursor: the `next_cursor` of the previous page.
    pub after: Option<u64>,
    pub limit: Option<u16>,
    pub include_deleted: Option<bool>,
}

impl ListQuery {
    pub fn limit(&self) -> u16 {
        self.limit.unwrap_or(50).clamp(1, 500)
    }
}

pub async fn create(db: &Db, request: NewClientRequest) -> ApiResult<Client> {
    let new = NewClient::try_from(request)?;
    let mut tx = db.begin().await?;
    ensure_below_limit(&mut tx, db).await?;
    let id = match repo::insert(&mut tx, db, &new).await {
        Ok(id) => id,
        Err(e) if is_duplicate_key(&e) => return Err(ClientError::WpUserTaken.into()),
        Err(e) => return Err(e.into()),
    };
    let client = repo::find(&mut tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    tx.commit().await?;
    Ok(client)
}

/// The limit counts live clients; the settings row lock makes the count and the insert atomic.
async fn ensure_below_limit(tx: &mut Tx, db: &Db) -> ApiResult<()> {
    if let Some(limit) = settings::lock_client_limit(tx, db).await?
        && repo::count_live(tx, db).await? >= u64::from(limit)
    {
        return Err(ClientError::LimitReached.into());
    }
    Ok(())
}

/// The client this actor may see: managers any, a client only its own (others look absent).
pub async fn authorize(db: &Db, actor: Actor, client_id: u64) -> ApiResult<()> {
    match actor.role {
        Role::Admin | Role::Manager => Ok(()),
        Role::Client => {
            let mut conn = db.pool.get_conn().await?;
            match repo::live_id_for_wp_user(&mut conn, db, actor.wp_user_id).await? {
                Some(own) if own == client_id => Ok(()),
                _ => Err(ApiError::NotFound),
            }
        }
        Role::Employee | Role::Guest => Err(ApiError::Forbidden),
    }
}

/// The live client linked to a client actor.
pub async fn own_client_id(db: &Db, actor: Actor) -> ApiResult<u64> {
    if actor.role != Role::Client {
        return Err(ApiError::Forbidden);
    }
    let mut conn = db.pool.get_conn().await?;
    repo::live_id_for_wp_user(&mut conn, db, actor.wp_user_id)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn get(db: &Db, id: u64) -> ApiResult<Client> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::find(&mut conn, db, id)
        .await?
        .ok_or(ClientError::NotFound)?)
}

pub async fn list(db: &Db, query: &ListQuery) -> ApiResult<Vec<Client>> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::list(&mut conn, db, query).await?)
}

pub async fn delete(db: &Db, id: u64) -> ApiResult<Client> {
    let mut tx = db.begin().await?;
    let client = repo::find_for_update(&mut tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if client.deleted_at.is_none() {
        repo::set_deleted(&mut tx, db, id, true).await?;
    }
    let client = repo::find(&mut tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    tx.commit().await?;
    Ok(client)
}

pub async fn restore(db: &Db, id: u64) -> ApiResult<Client> {
    let mut tx = db.begin().await?;
    let client = repo::find_for_update(&mut tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if client.deleted_at.is_none() {
        return Err(ClientError::NotDeleted.into());
    }
    ensure_below_limit(&mut tx, db).await?;
    match repo::set_deleted(&mut tx, db, id, false).await {
        Ok(()) => {}
        Err(e) if is_duplicate_key(&e) => return Err(ClientError::WpUserTaken.into()),
        Err(e) => return Err(e.into()),
    }
    let client = repo::find(&mut tx, db, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    tx.commit().await?;
    Ok(client)
}
