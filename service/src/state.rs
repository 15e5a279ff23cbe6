use crate::{config::Config, db::Db, render::Templates};
use std::sync::Arc;

/// What every handler may reach. Cheap to clone; holds no per-request state.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
}

impl AppState {
    pub fn new(config: Config, db: Db) -> anyhow::Result<Self> {
        let templates = Templates::load(config.template_dir.as_deref())?;
        Ok(Self {
            db,
            config: Arc::new(config),
            templates: Arc::new(templates),
        })
    }
}
