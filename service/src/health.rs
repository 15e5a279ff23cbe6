use crate::{migrate, state::AppState};
use axum::{Json, extract::State, http::StatusCode};
use mysql_async::prelude::Queryable;
use serde_json::{Value, json};

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the database answers and every migration of this build is applied. Anyone may
/// ask, so the answer is only "not ready"; the cause (which may name hosts, tables or driver
/// errors) goes to the log.
pub async fn readyz(
    State(state): State<AppState>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    match schema_version(&state).await {
        Ok(applied) => Ok(Json(json!({"status": "ready", "schema_version": applied}))),
        Err(cause) => {
            tracing::warn!(%cause, "not ready");
            Err((
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "not ready"})),
            ))
        }
    }
}

/// The applied schema version, or why the service cannot serve yet.
async fn schema_version(state: &AppState) -> Result<i32, String> {
    let expected = migrate::migrations(state.db.prefix())
        .map_err(|e| e.to_string())?
        .iter()
        .map(|m| m.version())
        .max()
        .unwrap_or(0);
    let mut conn = state
        .db
        .pool
        .get_conn()
        .await
        .map_err(|e| format!("database unreachable: {e}"))?;
    let sql = format!(
        "SELECT COALESCE(MAX(version), 0) FROM {}",
        migrate::history_table(state.db.prefix())
    );
    let applied: Option<i32> = conn
        .query_first(sql)
        .await
        .map_err(|e| format!("schema not migrated: {e}"))?;
    let applied = applied.unwrap_or(0);
    if applied < expected {
        return Err(format!(
            "schema at version {applied}, this build needs {expected}"
        ));
    }
    Ok(applied)
}
