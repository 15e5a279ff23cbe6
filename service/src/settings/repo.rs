use super::{Settings, SettingsPatch};
use crate::db::{Db, Tx};
use mysql_async::prelude::Queryable;

pub async fn load<Q: Queryable>(conn: &mut Q, db: &Db) -> Result<Settings, mysql_async::Error> {
    let rows: Vec<(String, String)> = conn
        .query(db.sql("SELECT name, value FROM {p}volixta_settings"))
        .await?;
    let mut object = serde_json::to_value(Settings::default()).unwrap_or_default();
    for (name, value) in rows {
        if let Ok(v) = serde_json::from_str(&value) {
            object[name] = v;
        }
    }
    // A row written by an older version that no longer parses falls back to the defaults.
    Ok(serde_json::from_value(object).unwrap_or_default())
}

pub async fn save(tx: &mut Tx, db: &Db, patch: &SettingsPatch) -> Result<(), mysql_async::Error> {
    for (name, value) in patch.rows() {
        tx.exec_drop(
            db.sql(
                "INSERT INTO {p}volixta_settings (name, value) VALUES (?, ?) \
                 ON DUPLICATE KEY UPDATE value = VALUES(value)",
            ),
            (name, value.to_string()),
        )
        .await?;
    }
    Ok(())
}

/// Serialises client creation and restore while a limit is set, so two replicas cannot both
/// take the last place. Returns the limit in force.
pub async fn lock_client_limit(tx: &mut Tx, db: &Db) -> Result<Option<u32>, mysql_async::Error> {
    let value: Option<String> = tx
        .exec_first(
            db.sql("SELECT value FROM {p}volixta_settings WHERE name = 'client_limit' FOR UPDATE"),
            (),
        )
        .await?;
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()).flatten())
}

/// Whether gift code `id` exists and is not revoked, read under a share lock so it cannot be
/// revoked while the setting that names it is saved.
pub async fn gift_code_usable(tx: &mut Tx, db: &Db, id: u64) -> Result<bool, mysql_async::Error> {
    let found: Option<u64> = tx
        .exec_first(
            db.sql(
                "SELECT id FROM {p}volixta_gift_codes WHERE id = ? AND revoked_at IS NULL \
                 LOCK IN SHARE MODE",
            ),
            (id,),
        )
        .await?;
    Ok(found.is_some())
}
