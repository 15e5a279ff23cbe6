//! How the screens say when and by whom something happened: times on the business's wall
//! clock with the zone named, and actors (`manager:2`) by the names WordPress gave them.
use crate::{
    auth::{self, Actor, Role},
    catalog, clients,
    db::Db,
    error::ApiResult,
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
        let set = settings::load(db).await?.timezone;
        if let Some(zone) = set.as_deref().and_then(|z| z.parse().ok()) {
            return Ok(Self(zone));
        }
        let first = catalog::locations(db)
            .await?
            .into_iter()
            .min_by_key(|l| (!l.active, l.id));
        Ok(Self(
            first
                .and_then(|l| l.timezone.parse().ok())
                .unwrap_or(Tz::UTC),
        ))
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

/// Who did something, as a template words it: a name and what they are (`admin`, `manager`,
/// `employee`, `client`, or `system` for the service's own work and WooCommerce).
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

/// What the service itself or an integration wrote as the actor.
fn system(actor: &str) -> Who {
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
    fn integrations_are_the_system() {
        let names = Names::default();
        assert_eq!(names.who("woocommerce").name, "WooCommerce");
        assert_eq!(names.who("cli").role, "system");
    }
}
