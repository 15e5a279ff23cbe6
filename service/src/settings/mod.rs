//! Site-wide settings: time rules, client limit, money. Admins change them; every domain reads them.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{Settings, SettingsPatch, is_email};
pub use error::SettingsError;
pub use repo::lock_client_limit;

use crate::db::Db;

pub async fn load(db: &Db) -> Result<Settings, mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    repo::load(&mut conn, db).await
}

/// The settings as the caller's transaction (or connection) sees them.
pub async fn load_with<Q: mysql_async::prelude::Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Settings, mysql_async::Error> {
    repo::load(conn, db).await
}

pub async fn update(db: &Db, patch: SettingsPatch) -> Result<Settings, SettingsError> {
    patch.validate()?;
    let patch = &patch;
    db.transaction(|mut tx| async move {
        let result = save(&mut tx, db, patch).await;
        (tx, result)
    })
    .await
}

async fn save(
    tx: &mut crate::db::Tx,
    db: &Db,
    patch: &SettingsPatch,
) -> Result<Settings, SettingsError> {
    if let Some(Some(id)) = patch.greeting_gift_code_id
        && !repo::gift_code_usable(tx, db, id).await?
    {
        return Err(SettingsError::Text {
            field: "greeting_gift_code_id",
            message: "an existing gift code that is not revoked",
        });
    }
    repo::save(tx, db, patch).await?;
    Ok(repo::load(tx, db).await?)
}
