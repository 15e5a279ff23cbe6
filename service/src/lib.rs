//! volixta-service: bookings, clients, the e-wallet and payments for WordPress sites.
//! `app` builds the whole HTTP surface; tests drive the same router the binary serves.
pub mod admin;
pub mod audit;
pub mod auth;
pub mod availability;
pub mod booking_form;
pub mod bookings;
pub mod catalog;
pub mod clients;
pub mod config;
pub mod db;
pub mod error;
pub mod gift_codes;
pub mod health;
pub mod i18n;
pub mod idempotency;
pub mod invoices;
pub mod ledger;
pub mod links;
pub mod migrate;
pub mod money;
pub mod notifications;
pub mod outbox;
pub mod packages;
pub mod paging;
pub mod portal;
pub mod reassign;
pub mod render;
pub mod rewards;
pub mod serve;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod wallet;
pub mod webhooks;
pub mod woocommerce;

pub use config::Config;
pub use state::AppState;

use axum::{
    Json, Router,
    http::{HeaderName, Request},
    middleware,
    routing::get,
};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "volixta-service",
        description = "Bookings, clients, e-wallet and payments for WordPress. Every /v1/ route is HMAC-signed by the plugin (see CONTRACT.md)."
    ),
    components(schemas(error::ErrorBody))
)]
struct ApiDoc;

/// The signed `/v1/` API, documented as it is built.
fn signed_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(clients::http::routes())
        .merge(wallet::http::routes())
        .merge(gift_codes::http::routes())
        .merge(packages::http::routes())
        .merge(settings::http::routes())
        .merge(portal::http::routes())
        .merge(booking_form::http::routes())
        .merge(admin::http::routes())
        .merge(catalog::http::routes())
        .merge(audit::http::routes())
        .merge(bookings::http::routes())
        .merge(invoices::http::routes())
        .merge(rewards::http::routes())
        .merge(availability::http::routes())
        .merge(woocommerce::http::routes())
        .merge(outbox::http::routes())
        .merge(notifications::http::routes())
        .merge(webhooks::http::routes())
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = signed_api().split_for_parts().1;
    api.merge(woocommerce::http::webhook_routes().split_for_parts().1);
    api
}

pub fn app(state: AppState) -> Router {
    let (v1, mut api) = signed_api().split_for_parts();
    let v1 = v1.layer(middleware::from_fn_with_state(
        state.clone(),
        auth::http::require_signature,
    ));
    let (woocommerce, woocommerce_api) = woocommerce::http::webhook_routes().split_for_parts();
    api.merge(woocommerce_api);
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(v1)
        .merge(woocommerce)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(move || async move { Json(api) }))
        .fallback(|| async { error::ApiError::NotFound })
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(),
                        request_id = %id, actor = tracing::field::Empty)
                }))
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
        .with_state(state)
}
