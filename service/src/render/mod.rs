//! HTML and text rendering shared by every screen and message the service produces: the
//! client portal today, e-mails and admin screens next. The templates live in `shortcodes/`,
//! are built into the binary, and a site owner may replace any of them file by file from
//! `VOLIXTA_TEMPLATE_DIR`, as WooCommerce themes do. A caller supplies only its context.
//! Text is translated with `_()` and `ngettext()` from the catalogs of that folder's `languages/`
//! (see `crate::i18n`), into the locale a template is rendered for (`render_in`).
mod error;

pub use error::RenderError;

use crate::i18n::{Catalog, Catalogs, Locale};
use minijinja::{AutoEscape, Environment, State, Value, context};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// Every built-in template, by the name callers render it with.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "customer_profile.html",
        include_str!("../../../shortcodes/customer_profile.html"),
    ),
    (
        "unsubscribe.html",
        include_str!("../../../shortcodes/unsubscribe.html"),
    ),
    (
        "booking_form.html",
        include_str!("../../../shortcodes/booking_form.html"),
    ),
    (
        "portal/_card.html",
        include_str!("../../../shortcodes/portal/_card.html"),
    ),
    (
        "portal/_sheet.html",
        include_str!("../../../shortcodes/portal/_sheet.html"),
    ),
    (
        "portal/_wallet.html",
        include_str!("../../../shortcodes/portal/_wallet.html"),
    ),
    (
        "portal/_packages.html",
        include_str!("../../../shortcodes/portal/_packages.html"),
    ),
    (
        "portal/_invoices.html",
        include_str!("../../../shortcodes/portal/_invoices.html"),
    ),
    (
        "portal/_profile.html",
        include_str!("../../../shortcodes/portal/_profile.html"),
    ),
    (
        "admin/clients.html",
        include_str!("../../../shortcodes/admin/clients.html"),
    ),
    (
        "admin/client.html",
        include_str!("../../../shortcodes/admin/client.html"),
    ),
    (
        "admin/client_form.html",
        include_str!("../../../shortcodes/admin/client_form.html"),
    ),
    (
        "admin/credits.html",
        include_str!("../../../shortcodes/admin/credits.html"),
    ),
    (
        "admin/packages.html",
        include_str!("../../../shortcodes/admin/packages.html"),
    ),
    (
        "admin/invoices.html",
        include_str!("../../../shortcodes/admin/invoices.html"),
    ),
    (
        "admin/_slot_picker.html",
        include_str!("../../../shortcodes/admin/_slot_picker.html"),
    ),
    (
        "admin/_who.html",
        include_str!("../../../shortcodes/admin/_who.html"),
    ),
    (
        "admin/new_booking.html",
        include_str!("../../../shortcodes/admin/new_booking.html"),
    ),
    (
        "admin/locations.html",
        include_str!("../../../shortcodes/admin/locations.html"),
    ),
    (
        "admin/location_form.html",
        include_str!("../../../shortcodes/admin/location_form.html"),
    ),
    (
        "admin/services.html",
        include_str!("../../../shortcodes/admin/services.html"),
    ),
    (
        "admin/service_form.html",
        include_str!("../../../shortcodes/admin/service_form.html"),
    ),
    (
        "admin/activity.html",
        include_str!("../../../shortcodes/admin/activity.html"),
    ),
    (
        "admin/payments.html",
        include_str!("../../../shortcodes/admin/payments.html"),
    ),
    (
        "admin/staff.html",
        include_str!("../../../shortcodes/admin/staff.html"),
    ),
    (
        "admin/staff_form.html",
        include_str!("../../../shortcodes/admin/staff_form.html"),
    ),
    (
        "admin/staff_preview.html",
        include_str!("../../../shortcodes/admin/staff_preview.html"),
    ),
    (
        "admin/settings.html",
        include_str!("../../../shortcodes/admin/settings.html"),
    ),
    (
        "admin/emails.html",
        include_str!("../../../shortcodes/admin/emails.html"),
    ),
    (
        "admin/marketing.html",
        include_str!("../../../shortcodes/admin/marketing.html"),
    ),
    (
        "admin/webhooks.html",
        include_str!("../../../shortcodes/admin/webhooks.html"),
    ),
    (
        "admin/_booking_labels.html",
        include_str!("../../../shortcodes/admin/_booking_labels.html"),
    ),
    (
        "admin/bookings.html",
        include_str!("../../../shortcodes/admin/bookings.html"),
    ),
    (
        "admin/booking.html",
        include_str!("../../../shortcodes/admin/booking.html"),
    ),
    (
        "admin/booking_calendar.html",
        include_str!("../../../shortcodes/admin/booking_calendar.html"),
    ),
    (
        "admin/my_bookings.html",
        include_str!("../../../shortcodes/admin/my_bookings.html"),
    ),
    (
        "admin/client_duplicates.html",
        include_str!("../../../shortcodes/admin/client_duplicates.html"),
    ),
    (
        "admin/client_merge.html",
        include_str!("../../../shortcodes/admin/client_merge.html"),
    ),
    (
        "admin/client_import.html",
        include_str!("../../../shortcodes/admin/client_import.html"),
    ),
    (
        "emails/booking.subject.txt",
        include_str!("../../../shortcodes/emails/booking.subject.txt"),
    ),
    (
        "emails/booking.txt",
        include_str!("../../../shortcodes/emails/booking.txt"),
    ),
    (
        "emails/booking.html",
        include_str!("../../../shortcodes/emails/booking.html"),
    ),
    (
        "emails/gift_code.subject.txt",
        include_str!("../../../shortcodes/emails/gift_code.subject.txt"),
    ),
    (
        "emails/gift_code.txt",
        include_str!("../../../shortcodes/emails/gift_code.txt"),
    ),
    (
        "emails/gift_code.html",
        include_str!("../../../shortcodes/emails/gift_code.html"),
    ),
    (
        "emails/notice.subject.txt",
        include_str!("../../../shortcodes/emails/notice.subject.txt"),
    ),
    (
        "emails/notice.txt",
        include_str!("../../../shortcodes/emails/notice.txt"),
    ),
    (
        "emails/notice.html",
        include_str!("../../../shortcodes/emails/notice.html"),
    ),
    (
        "emails/reminder.subject.txt",
        include_str!("../../../shortcodes/emails/reminder.subject.txt"),
    ),
    (
        "emails/reminder.txt",
        include_str!("../../../shortcodes/emails/reminder.txt"),
    ),
    (
        "emails/reminder.html",
        include_str!("../../../shortcodes/emails/reminder.html"),
    ),
    (
        "emails/greeting.subject.txt",
        include_str!("../../../shortcodes/emails/greeting.subject.txt"),
    ),
    (
        "emails/greeting.txt",
        include_str!("../../../shortcodes/emails/greeting.txt"),
    ),
    (
        "emails/greeting.html",
        include_str!("../../../shortcodes/emails/greeting.html"),
    ),
    (
        "emails/marketing.subject.txt",
        include_str!("../../../shortcodes/emails/marketing.subject.txt"),
    ),
    (
        "emails/marketing.txt",
        include_str!("../../../shortcodes/emails/marketing.txt"),
    ),
    (
        "emails/marketing.html",
        include_str!("../../../shortcodes/emails/marketing.html"),
    ),
];

/// The catalog of the locale the template is being rendered for.
fn catalog<'a>(catalogs: &'a Catalogs, state: &State) -> &'a Catalog {
    let locale = state.lookup("locale");
    catalogs.get(locale.as_ref().and_then(Value::as_str).unwrap_or(""))
}

/// HTML templates escape every value they print unless it is marked safe; plain-text ones (an
/// e-mail's text part) print values as they are.
fn escaping(name: &str) -> AutoEscape {
    if name.ends_with(".html") {
        AutoEscape::Html
    } else {
        AutoEscape::None
    }
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Loads the built-in templates, each replaced by a same-named file of `override_dir`, and the
    /// translations of `override_dir/languages/`. A broken override stops the start instead of
    /// breaking a page later.
    pub fn load(override_dir: Option<&Path>) -> Result<Self, RenderError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(escaping);
        let catalogs = Arc::new(
            Catalogs::load(override_dir)
                .map_err(|message| RenderError::Translations { message })?,
        );
        let c = Arc::clone(&catalogs);
        env.add_function("_", move |state: &State, msgid: String| -> String {
            catalog(&c, state).gettext(&msgid).to_owned()
        });
        let c = catalogs;
        env.add_function(
            "ngettext",
            move |state: &State, singular: String, plural: String, n: u64| -> String {
                catalog(&c, state)
                    .ngettext(&singular, &plural, n)
                    .to_owned()
            },
        );
        for (name, built_in) in BUILT_IN {
            let source = match override_dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(path) => {
                    std::fs::read_to_string(&path).map_err(|source| RenderError::Override {
                        path: path.display().to_string(),
                        source,
                    })?
                }
                None => (*built_in).to_owned(),
            };
            env.add_template_owned(*name, source)
                .map_err(|source| RenderError::Template {
                    name: (*name).into(),
                    source,
                })?;
        }
        Ok(Self { env })
    }

    pub fn render<T: Serialize>(&self, name: &str, context: &T) -> Result<String, RenderError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map_err(|source| RenderError::Template {
                name: name.into(),
                source,
            })
    }

    /// Renders for a locale: `_()` and `ngettext()` translate into it, `locale` and `lang` name it.
    pub fn render_in<T: Serialize>(
        &self,
        name: &str,
        locale: &Locale,
        view: &T,
    ) -> Result<String, RenderError> {
        let ctx = context! {
            locale => locale.as_str(),
            lang => locale.bcp47(),
            ..Value::from_serialize(view)
        };
        self.render(name, &ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_text_is_not() {
        assert_eq!(escaping("customer_profile.html"), AutoEscape::Html);
        assert_eq!(escaping("booking_created.txt"), AutoEscape::None);
    }

    #[test]
    fn an_override_replaces_a_built_in_template_and_a_broken_one_stops_the_load() {
        let dir = std::env::temp_dir().join(format!("volixta-render-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            dir.join("customer_profile.html"),
            "<p>{{ client.full_name }}</p>",
        )
        .expect("write");
        let templates = Templates::load(Some(&dir)).expect("loads");
        let html = templates
            .render(
                "customer_profile.html",
                &serde_json::json!({"client": {"full_name": "<Ada>"}}),
            )
            .expect("renders");
        assert_eq!(html, "<p>&lt;Ada&gt;</p>");
        std::fs::write(dir.join("customer_profile.html"), "{% if %}").expect("write");
        assert!(matches!(
            Templates::load(Some(&dir)),
            Err(RenderError::Template { .. })
        ));
        std::fs::remove_dir_all(&dir).expect("cleanup");
        assert!(
            Templates::load(None).is_ok(),
            "the built-in templates compile"
        );
    }
}
