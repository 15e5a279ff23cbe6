use crate::{migrate, state::AppState};
use axum::{Json, extract::State, http::StatusCode};
use mysql_async::prelude::Queryable;
use serde_json::{Value, json};

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the database answers and every migration of this build is applied.
pub async fn readyz(
    State(state): State<AppState>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let unavailable = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": reason})),
        )
    };
    let expected = migrate::migrations(state.db.prefix())
        .map_err(|e| unavailable(e.to_string()))?
        .iter()
        .map(|m| m.version())
        .max()
        .unwrap_or(0);
    let mut conn = state
        .db
        .pool
        .get_conn()
        .await
        .map_err(|e| unavailable(format!("database unreachable: {e}")))?;
    let sql = format!(
        "SELECT COALESCE(MAX(version), 0) FROM {}",
        migrate::history_table(state.db.prefix())
    );
    let applied: Option<i32> = conn
        .query_first(sql)
        .await
        .map_err(|e| unavailable(format!("schema not migrated: {e}")))?;
    let applied = applied.unwrap_or(0);
    if applied < expected {
        return Err(unavailable(format!(
            "schema at version {applied}, this build needs {expected}"
        )));
    }
    Ok(Json(json!({"status": "ready", "schema_version": applied})))
}
