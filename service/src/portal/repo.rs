//! Where templates come from: built into the binary, or a site owner's override folder.
use super::PortalError;
use minijinja::Environment;
use serde::Serialize;
use std::path::Path;

const BUILT_IN: &[(&str, &str)] = &[(
    "customer_profile.html",
    include_str!("../../../shortcodes/customer_profile.html"),
)];

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Loads the built-in templates, each replaced by a same-named file of `override_dir`.
    /// A broken override stops the start instead of breaking a page later.
    pub fn load(override_dir: Option<&Path>) -> Result<Self, PortalError> {
        let mut env = Environment::new();
        // `.html` names switch on HTML auto-escaping.
        for (name, built_in) in BUILT_IN {
            let source = match override_dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(path) => {
                    std::fs::read_to_string(&path).map_err(|source| PortalError::Override {
                        path: path.display().to_string(),
                        source,
                    })?
                }
                None => (*built_in).to_owned(),
            };
            env.add_template_owned(*name, source)
                .map_err(|source| PortalError::Template {
                    name: (*name).into(),
                    source,
                })?;
        }
        Ok(Self { env })
    }

    pub fn render<T: Serialize>(&self, name: &str, context: &T) -> Result<String, PortalError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map_err(|source| PortalError::Template {
                name: name.into(),
                source,
            })
    }
}
