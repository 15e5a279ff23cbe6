//! How the screens say when and by whom something happened: times on the business's wall
//! clock with the zone named, and actors (`manager:2`) by the names WordPress gave them.
use crate::{
    auth::{self, Actor, Role},
    catalog, clients,
    db::Db,
    error::ApiResult,
    i18n::Locale,
    money::{self, Money},
    settings,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;

/// The business's time zone: the setting, else the first location's zone, else UTC.
#[derive(Clone, Copy, Debug)]
pub struct Clock(Tz);

impl Clock {
    pub async fn business(db: &Db) -> ApiResult<Self> {
        Ok(Self(catalog::business_zone(db).await?))
    }

    /// A clock of a given zone (a booking's location's).
    pub fn of_zone(zone: Tz) -> Self {
        Self(zone)
    }

    pub fn zone(self) -> Tz {
        self.0
    }

    /// The IANA name, as screens name the zone their times are in.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Date and time to the minute, on this clock.
    pub fn when(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn date(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%Y-%m-%d").to_string()
    }

    pub fn time(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%H:%M").to_string()
    }
}

/// How the admin screens write amounts and times of day: in the locale of the Settings screen
/// (else the site's language) and on its 12- or 24-hour clock (`auto`: that locale's habit).
#[derive(Clone, Debug)]
pub struct Formats {
    locale: Locale,
    /// Times of day read "2:00 PM" rather than "14:00".
    pub twelve: bool,
    /// The site's currency (ISO 4217).
    pub currency: String,
}

impl Formats {
    /// `site` is the site's language, as the plugin sends it with each request.
    pub async fn load(db: &Db, site: &Locale) -> ApiResult<Self> {
        Ok(Self::of(&settings::load(db).await?, site))
    }

    pub fn of(settings: &settings::Settings, site: &Locale) -> Self {
        let locale = settings
            .locale
            .as_deref()
            .map_or_else(|| site.clone(), |l| Locale::parse(Some(l)));
        let twelve = match settings.time_format.as_str() {
            "12h" => true,
            "24h" => false,
            _ => locale.uses_12_hour_clock(),
        };
        Self {
            locale,
            twelve,
            currency: settings.currency.clone(),
        }
    }

    /// An amount in the site's currency, for a screen that writes only that one.
    pub async fn site_money(db: &Db, site: &Locale, amount: Money) -> ApiResult<String> {
        Ok(Self::load(db, site).await?.money(amount))
    }

    /// An amount in the site's currency with its sign, as written in this locale (`60,00 €`,
    /// `€60.00`).
    pub fn money(&self, amount: Money) -> String {
        self.money_in(amount, &self.currency)
    }

    /// A time of day on `clock`, on this 12- or 24-hour clock (`2:00 PM`, `14:00`).
    pub fn time(&self, clock: Clock, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&clock.zone());
        if self.twelve {
            local.format("%-I:%M %p").to_string()
        } else {
            local.format("%H:%M").to_string()
        }
    }

    /// An amount in another currency (a booking keeps the one it was priced in).
    pub fn money_in(&self, amount: Money, currency: &str) -> String {
        money::format_for_locale(amount, currency, self.locale.as_str())
    }
}

/// Who did something, as a template words it: a name and what they are (`admin`, `manager`,
/// `employee`, `client`, `system` for the service's own work and WooCommerce, or `link` for a
/// client who used an e-mail's signed link).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Who {
    /// Empty when no name is known; the template then says the role and `user_id`.
    pub name: String,
    pub role: &'static str,
    pub user_id: u64,
}

/// The names of a page's actors, looked up once for the page.
#[derive(Debug, Default)]
pub struct Names(HashMap<String, Who>);

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Manager => "manager",
        Role::Employee => "employee",
        Role::Client => "client",
        Role::Guest => "guest",
    }
}

/// What the service itself or an integration wrote as the actor; a client who used the signed
/// link of an e-mail is `link` (the template words it), since no session named them.
fn system(actor: &str) -> Who {
    if actor == clients::UNSUBSCRIBE_LINK_ACTOR {
        return Who {
            name: String::new(),
            role: "link",
            user_id: 0,
        };
    }
    Who {
        name: match actor {
            "woocommerce" => "WooCommerce".to_owned(),
            _ => String::new(),
        },
        role: "system",
        user_id: 0,
    }
}

impl Names {
    /// Looks up every distinct actor of `actors`: the name the plugin last reported for it,
    /// else, for a client, the name of the client profile linked to that WordPress user.
    pub async fn of<'a>(db: &Db, actors: impl IntoIterator<Item = &'a str>) -> ApiResult<Self> {
        let mut distinct: Vec<&str> = actors.into_iter().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let known = auth::display_names(db, &distinct).await?;
        let mut names = HashMap::with_capacity(distinct.len());
        for actor in distinct {
            let who = match Actor::parse(actor) {
                Err(_) => system(actor),
                Ok(parsed) => {
                    let mut name = known.get(actor).cloned().unwrap_or_default();
                    if name.is_empty()
                        && parsed.role == Role::Client
                        && let Some(id) = clients::live_client_of(db, parsed.wp_user_id).await?
                    {
                        name = clients::get(db, id).await?.full_name();
                    }
                    Who {
                        name,
                        role: role_word(parsed.role),
                        user_id: parsed.wp_user_id,
                    }
                }
            };
            names.insert(actor.to_owned(), who);
        }
        Ok(Self(names))
    }

    pub fn who(&self, actor: &str) -> Who {
        self.0.get(actor).cloned().unwrap_or_else(|| system(actor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_on_the_business_clock() {
        let t = DateTime::parse_from_rfc3339("2026-07-01T10:30:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        let paris = Clock("Europe/Paris".parse().expect("zone"));
        assert_eq!(paris.when(t), "2026-07-01 12:30");
        assert_eq!(paris.name(), "Europe/Paris");
        let late = DateTime::parse_from_rfc3339("2026-01-01T23:30:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        assert_eq!(paris.date(late), "2026-01-02");
        assert_eq!(paris.time(late), "00:30");
    }

    #[test]
    fn money_and_clock_follow_the_settings_then_the_site() {
        let amount: Money = "60".parse().expect("money");
        let mut set = settings::Settings::default();
        let us = Formats::of(&set, &Locale::parse(Some("en_US")));
        assert_eq!((us.money(amount).as_str(), us.twelve), ("€60.00", true));
        let site_de = Formats::of(&set, &Locale::parse(Some("de_DE")));
        assert_eq!(
            (site_de.money(amount).as_str(), site_de.twelve),
            ("60,00\u{a0}€", false)
        );
        set.locale = Some("de_DE".into());
        set.time_format = "12h".into();
        let set_de = Formats::of(&set, &Locale::parse(Some("en_US")));
        assert_eq!(
            (set_de.money_in(amount, "EUR").as_str(), set_de.twelve),
            ("60,00\u{a0}€", true)
        );
        set.locale = None;
        set.time_format = "24h".into();
        assert!(!Formats::of(&set, &Locale::parse(Some("en_US"))).twelve);
    }

    #[test]
    fn integrations_are_the_system() {
        let names = Names::default();
        assert_eq!(names.who("woocommerce").name, "WooCommerce");
        assert_eq!(names.who("cli").role, "system");
        assert_eq!(names.who(clients::UNSUBSCRIBE_LINK_ACTOR).role, "link");
    }
}
