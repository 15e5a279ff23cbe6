//! The client profile screen: which client and tab a query asks for, the filters of each tab,
//! and the view models its template renders. Money and dates are worded here once, so every tab
//! shows them alike.
use super::{
    AdminError,
    display::{Clock, Formats},
};
use crate::{clients::Client, money::Money};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

mod tabs;

pub use tabs::*;

/// Rows per page of a tab's history.
pub const TAB_ROWS: u16 = 20;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tab {
    #[default]
    Profile,
    Wallet,
    Bookings,
    Rewards,
    Groups,
    Packages,
    Activity,
}

impl Tab {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "profile" => Self::Profile,
            "wallet" => Self::Wallet,
            "bookings" => Self::Bookings,
            "rewards" => Self::Rewards,
            "groups" => Self::Groups,
            "packages" => Self::Packages,
            "activity" => Self::Activity,
            _ => return None,
        })
    }
}

/// The filters a tab understands; anything else in the query is left out.
const TAB_FILTERS: &[&str] = &[
    "kind",
    "from",
    "to",
    "before",
    "scope",
    "status",
    "payment_status",
    "mode",
    "cursor",
    "search",
];

/// What the Clients page's query string asks for besides the list.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    List,
    Profile(ProfileQuery),
    New {
        page: String,
    },
    Edit {
        page: String,
        client_id: u64,
    },
    /// The likely duplicates.
    Duplicates {
        page: String,
    },
    /// Two profiles side by side (`with` chosen), or a search for the other one.
    Merge {
        page: String,
        client_id: u64,
        with: Option<u64>,
        search: String,
    },
    /// The CSV import: a new upload, or the steps of an uploaded file.
    Import {
        page: String,
        import_id: Option<u64>,
    },
}

/// The profile screen's state: the client, the tab and that tab's filters.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileQuery {
    pub page: String,
    pub client_id: u64,
    pub tab: Tab,
    values: BTreeMap<&'static str, String>,
}

/// An admin page slug as WordPress makes them: letters, digits, `-` and `_`.
pub fn plain_page(value: &str) -> Option<String> {
    let plain = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    plain.then(|| value.to_owned())
}

impl Route {
    pub fn parse(raw: Option<&str>) -> Result<Self, AdminError> {
        let mut page = None;
        let mut client = None;
        let mut action = None;
        let mut tab = None;
        let mut with = None;
        let mut import_id = None;
        let mut values = BTreeMap::new();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "page" => page = plain_page(value),
                "client" => {
                    client =
                        Some(value.parse::<u64>().map_err(|_| {
                            AdminError::Query("client is the id of a client".into())
                        })?);
                }
                "action" => action = Some(value.to_owned()),
                "with" if !value.is_empty() => {
                    with = Some(
                        value
                            .parse::<u64>()
                            .map_err(|_| AdminError::Query("with is the id of a client".into()))?,
                    );
                }
                "import" if !value.is_empty() => {
                    import_id =
                        Some(value.parse::<u64>().map_err(|_| {
                            AdminError::Query("import is the id of an import".into())
                        })?);
                }
                "tab" => tab = Some(value.to_owned()),
                key => {
                    if let Some(name) = TAB_FILTERS.iter().find(|f| **f == key)
                        && !value.is_empty()
                    {
                        values.insert(*name, value.to_owned());
                    }
                }
            }
        }
        let page = page.unwrap_or_else(|| "volixta-clients".to_owned());
        match (action.as_deref(), client) {
            (Some("new"), _) => Ok(Self::New { page }),
            (Some("edit"), Some(client_id)) => Ok(Self::Edit { page, client_id }),
            (Some("duplicates"), _) => Ok(Self::Duplicates { page }),
            (Some("merge"), Some(client_id)) => Ok(Self::Merge {
                page,
                client_id,
                with,
                search: values.remove("search").unwrap_or_default(),
            }),
            (Some("import"), _) => Ok(Self::Import { page, import_id }),
            (Some(_), _) => Err(AdminError::Query(
                "action is new, duplicates, import, or edit or merge with a client".into(),
            )),
            (None, Some(client_id)) => {
                let tab = match tab.as_deref() {
                    None | Some("") => Tab::Profile,
                    Some(t) => Tab::parse(t).ok_or_else(|| {
                        AdminError::Query(
                            "tab is profile, wallet, bookings, rewards, groups or activity".into(),
                        )
                    })?,
                };
                Ok(Self::Profile(ProfileQuery {
                    page,
                    client_id,
                    tab,
                    values,
                }))
            }
            (None, None) => Ok(Self::List),
        }
    }
}

impl ProfileQuery {
    pub fn new(page: &str, client_id: u64, tab: Tab) -> Self {
        Self {
            page: page.to_owned(),
            client_id,
            tab,
            values: BTreeMap::new(),
        }
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn number(&self, name: &'static str) -> Result<Option<u64>, AdminError> {
        match self.get(name) {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| AdminError::Query(format!("{name} is a number"))),
        }
    }

    pub fn before(&self) -> Result<Option<u64>, AdminError> {
        self.number("before")
    }

    /// `page=…&client=…&tab=…`: what every link of the screen starts with.
    pub fn base(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("page", &self.page)
            .append_pair("client", &self.client_id.to_string());
        if self.tab != Tab::Profile {
            out.append_pair("tab", tab_name(self.tab));
        }
        out.finish()
    }

    /// The query of this state with `extra` replacing a paging key (the next page's cursor).
    pub fn with(&self, key: &'static str, value: &str) -> String {
        let mut out = form_urlencoded::Serializer::new(self.base());
        for (k, v) in &self.values {
            if !matches!(*k, "before" | "cursor") {
                out.append_pair(k, v);
            }
        }
        out.append_pair(key, value);
        out.finish()
    }

    /// This state from its first page.
    pub fn first_page(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(self.base());
        for (k, v) in &self.values {
            if !matches!(*k, "before" | "cursor") {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }

    pub fn is_first_page(&self) -> bool {
        self.get("before").is_empty() && self.get("cursor").is_empty()
    }
}

fn tab_name(tab: Tab) -> &'static str {
    match tab {
        Tab::Profile => "profile",
        Tab::Wallet => "wallet",
        Tab::Bookings => "bookings",
        Tab::Rewards => "rewards",
        Tab::Groups => "groups",
        Tab::Packages => "packages",
        Tab::Activity => "activity",
    }
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// One option of a filter's list.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The client as the header and the Profile tab show it.
#[derive(Debug, Serialize)]
pub struct ClientView {
    pub id: u64,
    pub name: String,
    pub initials: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub street: String,
    pub zip: String,
    pub city: String,
    pub status: String,
    pub notes: String,
    pub avatar: String,
    pub birthday: String,
    pub anniversary: String,
    pub gender: String,
    pub permissions: crate::clients::Permissions,
    pub notifications: crate::clients::Notifications,
    pub blocked: bool,
    pub live: bool,
    pub deleted: bool,
    pub wp_user_id: Option<u64>,
    pub balance: String,
    pub reward_points: u64,
    pub created: String,
    pub updated: String,
}

/// A client's initials, shown where a photo would be.
pub fn initials(c: &Client) -> String {
    [c.first_name.chars().next(), c.last_name.chars().next()]
        .into_iter()
        .flatten()
        .flat_map(char::to_uppercase)
        .collect()
}

impl ClientView {
    pub fn new(c: &Client, fmt: &Formats, clock: Clock) -> Self {
        let initials = initials(c);
        Self {
            id: c.id,
            name: c.full_name(),
            initials,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            street: c.street.clone(),
            zip: c.zip.clone(),
            city: c.city.clone(),
            status: c.status.clone(),
            notes: c.notes.clone().unwrap_or_default(),
            avatar: c.avatar.clone().unwrap_or_default(),
            birthday: day(c.birthday),
            anniversary: day(c.anniversary),
            gender: c.gender.map(|g| g.as_str()).unwrap_or_default().to_owned(),
            permissions: c.permissions,
            notifications: c.notifications,
            blocked: c.blocked,
            live: c.is_live(),
            deleted: c.deleted_at.is_some(),
            wp_user_id: c.wp_user_id,
            balance: fmt.money(c.wallet_balance),
            reward_points: c.reward_points,
            created: clock.when(c.created_at),
            updated: clock.when(c.updated_at),
        }
    }
}

/// A notice above the screen: what an action did (`action` names it, so the template words
/// it in the site's language) or why it did nothing (`refused`, with the service's reason).
#[derive(Debug, Default, Serialize)]
pub struct Notice {
    /// `success` or `error`: the notice's class.
    pub kind: &'static str,
    /// `saved`, `added`, `credited`, `debited`, `code_applied`, `joined`, `left` or `refused`.
    pub action: &'static str,
    /// Whom or what it is about: a client's or group's name, an amount.
    pub subject: String,
    /// A second value (the new balance), or the reason of a refusal.
    pub detail: String,
}

impl Notice {
    pub fn done(
        action: &'static str,
        subject: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: "success",
            action,
            subject: subject.into(),
            detail: detail.into(),
        }
    }

    pub fn refused(reason: impl Into<String>) -> Self {
        Self {
            kind: "error",
            action: "refused",
            subject: String::new(),
            detail: reason.into(),
        }
    }
}

/// What the template of the profile screen shows.
#[derive(Debug, Serialize)]
pub struct ProfileScreen {
    pub page: String,
    /// `page=…&client=…`: links to the profile's tabs and screens.
    pub client_base: String,
    /// The current tab's state from its first page, for forms that answer with the tab.
    pub here: String,
    pub tab: Tab,
    /// The time zone every time of the screen is shown in.
    pub timezone: &'static str,
    pub client: ClientView,
    pub notice: Option<Notice>,
    pub wallet: Option<WalletTab>,
    pub bookings: Option<BookingsTab>,
    pub rewards: Option<RewardsTab>,
    pub groups: Option<Vec<GroupRow>>,
    pub packages: Option<super::packages::PackagesTab>,
    pub activity: Option<ActivityTab>,
}

/// The money a manager typed: `12`, `12.5`, `12,50`; positive.
pub fn typed_amount(raw: &str) -> Option<Money> {
    let text = raw.trim().replace(',', ".");
    let amount: Money = text.parse().ok()?;
    (!amount.is_negative() && !amount.is_zero()).then_some(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_from_the_clients_page_query() {
        assert_eq!(
            Route::parse(Some("page=volixta-clients")).expect("list"),
            Route::List
        );
        assert_eq!(
            Route::parse(Some("page=volixta-clients&action=new")).expect("new"),
            Route::New {
                page: "volixta-clients".into()
            }
        );
        assert_eq!(
            Route::parse(Some("action=edit&client=7")).expect("edit"),
            Route::Edit {
                page: "volixta-clients".into(),
                client_id: 7
            }
        );
        assert!(Route::parse(Some("action=edit")).is_err());
        assert!(Route::parse(Some("action=merge")).is_err());
        assert!(Route::parse(Some("action=merge&client=3&with=x")).is_err());
        assert_eq!(
            Route::parse(Some("action=merge&client=3&with=4&search=ann")).expect("merge"),
            Route::Merge {
                page: "volixta-clients".into(),
                client_id: 3,
                with: Some(4),
                search: "ann".into()
            }
        );
        assert_eq!(
            Route::parse(Some("action=import&import=9")).expect("import"),
            Route::Import {
                page: "volixta-clients".into(),
                import_id: Some(9)
            }
        );
        assert_eq!(
            Route::parse(Some("page=volixta-clients&action=duplicates")).expect("duplicates"),
            Route::Duplicates {
                page: "volixta-clients".into()
            }
        );
        assert!(Route::parse(Some("client=x")).is_err());
        assert!(Route::parse(Some("client=3&tab=secrets")).is_err());
        let Route::Profile(q) = Route::parse(Some(
            "page=volixta-clients&client=3&tab=wallet&kind=top_up&before=40&rest_route=x",
        ))
        .expect("profile") else {
            panic!("a profile");
        };
        assert_eq!((q.client_id, q.tab), (3, Tab::Wallet));
        assert_eq!(q.before().expect("number"), Some(40));
        assert_eq!(q.base(), "page=volixta-clients&client=3&tab=wallet");
        assert_eq!(
            q.first_page(),
            "page=volixta-clients&client=3&tab=wallet&kind=top_up"
        );
        assert_eq!(
            q.with("before", "12"),
            "page=volixta-clients&client=3&tab=wallet&kind=top_up&before=12"
        );
    }

    #[test]
    fn amounts_as_typed() {
        assert_eq!(
            typed_amount("12,5").map(|m| m.to_string()),
            Some("12.50".into())
        );
        assert_eq!(
            typed_amount(" 3 ").map(|m| m.to_string()),
            Some("3.00".into())
        );
        assert_eq!(typed_amount("-3"), None);
        assert_eq!(typed_amount("0"), None);
        assert_eq!(typed_amount("ten"), None);
    }
}
