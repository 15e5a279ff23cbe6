//! Structured logs: JSON lines when `VOLIXTA_LOG_FORMAT=json`, human lines otherwise.
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,volixta_service=info"));
    let json = std::env::var("VOLIXTA_LOG_FORMAT").is_ok_and(|v| v == "json");
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(fmt::layer().json().with_current_span(true))
            .try_init()
    } else {
        registry.with(fmt::layer().with_target(false)).try_init()
    };
    // A second init (tests spawn many apps in one process) is harmless.
    drop(result);
}
