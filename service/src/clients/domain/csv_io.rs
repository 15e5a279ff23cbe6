//! CSV import and export: which column is which field, a row as a client edit, and cells made
//! safe for spreadsheets.
use super::{ClientInput, Gender, NotificationsInput};
use crate::clients::ClientError;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The client fields a CSV column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    FirstName,
    LastName,
    FullName,
    Email,
    Phone,
    Street,
    Zip,
    City,
    Status,
    Notes,
    Birthday,
    Anniversary,
    Gender,
    NotifyReminders,
    NotifyBirthday,
    NotifyMarketing,
    Blocked,
}

impl Field {
    pub const ALL: [Self; 17] = [
        Self::FirstName,
        Self::LastName,
        Self::FullName,
        Self::Email,
        Self::Phone,
        Self::Street,
        Self::Zip,
        Self::City,
        Self::Status,
        Self::Notes,
        Self::Birthday,
        Self::Anniversary,
        Self::Gender,
        Self::NotifyReminders,
        Self::NotifyBirthday,
        Self::NotifyMarketing,
        Self::Blocked,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::FullName => "full_name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Street => "street",
            Self::Zip => "zip",
            Self::City => "city",
            Self::Status => "status",
            Self::Notes => "notes",
            Self::Birthday => "birthday",
            Self::Anniversary => "anniversary",
            Self::Gender => "gender",
            Self::NotifyReminders => "notify_reminders",
            Self::NotifyBirthday => "notify_birthday",
            Self::NotifyMarketing => "notify_marketing",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Headers recognised without a mapping (compared lowercase, without spaces, `-` and `_`).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::FirstName => &["firstname", "givenname", "forename", "first"],
            Self::LastName => &["lastname", "surname", "familyname", "last"],
            Self::FullName => &["fullname", "name", "customername", "clientname"],
            Self::Email => &["email", "emailaddress", "mail"],
            Self::Phone => &[
                "phone",
                "mobile",
                "mobilenumber",
                "telephone",
                "tel",
                "phonenumber",
                "cell",
            ],
            Self::Street => &["street", "address", "streetaddress", "address1"],
            Self::Zip => &["zip", "zipcode", "postcode", "postalcode"],
            Self::City => &["city", "town"],
            Self::Status => &["status", "customericon", "icon"],
            Self::Notes => &["notes", "about", "note", "comments"],
            Self::Birthday => &["birthday", "dateofbirth", "dob", "birthdate"],
            Self::Anniversary => &["anniversary", "anniversarydate"],
            Self::Gender => &["gender", "sex"],
            Self::NotifyReminders => &["notifyreminders", "sessionreminder", "reminders"],
            Self::NotifyBirthday => &["notifybirthday", "birthdaynotification"],
            Self::NotifyMarketing => &[
                "notifymarketing",
                "marketing",
                "marketingnotification",
                "newsletter",
            ],
            Self::Blocked => &["blocked", "isblocked"],
        }
    }
}

fn header_key(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field each column's header names, as far as usual headers tell; a field goes to the
/// first column that names it.
pub fn guess(headers: &[String]) -> Vec<Option<Field>> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let key = header_key(h);
            let f = Field::ALL
                .into_iter()
                .find(|f| f.synonyms().contains(&key.as_str()))
                .filter(|f| !taken.contains(f))?;
            taken.push(f);
            Some(f)
        })
        .collect()
}

/// Which column holds which field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping(BTreeMap<Field, usize>);

impl Mapping {
    /// From `field → header` pairs, or recognised headers when none are given.
    pub fn resolve(
        headers: &[String],
        requested: Option<&HashMap<String, String>>,
    ) -> Result<Self, ClientError> {
        let bad = |message: String| ClientError::Invalid {
            field: "mapping",
            message,
        };
        let mut map = BTreeMap::new();
        match requested.filter(|m| !m.is_empty()) {
            Some(requested) => {
                for (field, header) in requested {
                    let f = Field::parse(field)
                        .ok_or_else(|| bad(format!("unknown field {field:?}")))?;
                    let wanted = header_key(header);
                    let col = headers
                        .iter()
                        .position(|h| header_key(h) == wanted)
                        .ok_or_else(|| bad(format!("the file has no column {header:?}")))?;
                    map.insert(f, col);
                }
            }
            None => {
                for (col, f) in guess(headers).into_iter().enumerate() {
                    if let Some(f) = f {
                        map.insert(f, col);
                    }
                }
            }
        }
        if !map.contains_key(&Field::FirstName) && !map.contains_key(&Field::FullName) {
            return Err(bad("map a column to first_name (or full_name)".into()));
        }
        Ok(Self(map))
    }

    #[cfg(test)]
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.0.keys().copied()
    }

    /// One row as an edit: empty cells leave a field as it is.
    pub fn row_input(&self, row: &csv::StringRecord) -> Result<ClientInput, String> {
        let mut input = ClientInput::default();
        let mut notifications = NotificationsInput::default();
        for (&field, &col) in &self.0 {
            let cell = un_neutralise(row.get(col).unwrap_or("").trim());
            if cell.is_empty() {
                continue;
            }
            let text = || Some(cell.to_owned());
            match field {
                Field::FirstName => input.first_name = text(),
                Field::LastName => input.last_name = text(),
                Field::FullName => {
                    let (first, last) = split_full_name(cell);
                    input.first_name.get_or_insert(first);
                    if !last.is_empty() {
                        input.last_name.get_or_insert(last);
                    }
                }
                Field::Email => input.email = Some(text()),
                Field::Phone => input.phone = Some(text()),
                Field::Street => input.street = text(),
                Field::Zip => input.zip = text(),
                Field::City => input.city = text(),
                Field::Status => input.status = text(),
                Field::Notes => input.notes = text(),
                Field::Birthday => input.birthday = Some(Some(date(field, cell)?)),
                Field::Anniversary => input.anniversary = Some(Some(date(field, cell)?)),
                Field::Gender => {
                    input.gender =
                        Some(Some(Gender::parse(cell).ok_or_else(|| {
                            format!("gender {cell:?} is not female, male or other")
                        })?));
                }
                Field::NotifyReminders => notifications.reminders = Some(flag(field, cell)?),
                Field::NotifyBirthday => notifications.birthday = Some(flag(field, cell)?),
                Field::NotifyMarketing => notifications.marketing = Some(flag(field, cell)?),
                Field::Blocked => input.blocked = Some(flag(field, cell)?),
            }
        }
        if notifications.reminders.is_some()
            || notifications.birthday.is_some()
            || notifications.marketing.is_some()
        {
            input.notifications = Some(notifications);
        }
        Ok(input)
    }
}

fn split_full_name(s: &str) -> (String, String) {
    match s.rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (s.to_owned(), String::new()),
    }
}

fn date(field: Field, s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{} {s:?} is not a date like 1990-04-01", field.name()))
}

fn flag(field: Field, s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "on" | "x" => Ok(true),
        "0" | "no" | "n" | "false" | "off" => Ok(false),
        _ => Err(format!("{} {s:?} is not yes or no", field.name())),
    }
}

/// A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection).
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// Undoes `neutralise`, so an exported file imports back as it was.
pub fn un_neutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if matches!(
                rest.chars().next(),
                Some('=' | '+' | '-' | '@' | '\t' | '\r')
            ) =>
        {
            rest
        }
        _ => cell,
    }
}

/// The export's columns; their names are import fields, so an export imports back.
pub const EXPORT_HEADERS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "zip",
    "city",
    "status",
    "notes",
    "birthday",
    "anniversary",
    "gender",
    "notify_reminders",
    "notify_birthday",
    "notify_marketing",
    "blocked",
    "wallet_balance",
    "reward_points",
    "groups",
    "created_at",
    "deleted_at",
];

pub fn export_row(c: &super::Client, group_names: &HashMap<u64, String>) -> Vec<String> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let groups: Vec<&str> = c
        .groups
        .iter()
        .filter_map(|g| group_names.get(g).map(String::as_str))
        .collect();
    [
        c.id.to_string(),
        c.first_name.clone(),
        c.last_name.clone(),
        c.email.clone().unwrap_or_default(),
        c.phone.clone().unwrap_or_default(),
        c.street.clone(),
        c.zip.clone(),
        c.city.clone(),
        c.status.clone(),
        c.notes.clone().unwrap_or_default(),
        date(c.birthday),
        date(c.anniversary),
        c.gender.map(|g| g.as_str().to_owned()).unwrap_or_default(),
        yes_no(c.notifications.reminders),
        yes_no(c.notifications.birthday),
        yes_no(c.notifications.marketing),
        yes_no(c.blocked),
        c.wallet_balance.to_string(),
        c.reward_points.to_string(),
        groups.join("; "),
        c.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        c.deleted_at
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
    ]
    .iter()
    .map(|cell| neutralise(cell))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for evil in ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tx"] {
            let safe = neutralise(evil);
            assert!(safe.starts_with('\''), "{evil}");
            assert_eq!(un_neutralise(&safe), evil);
        }
        assert_eq!(neutralise("Ann"), "Ann");
        assert_eq!(un_neutralise("'quoted'"), "'quoted'");
    }

    #[test]
    fn headers_are_recognised_or_mapped() {
        let h = headers(&[
            "\u{feff}First Name",
            "Surname",
            "E-mail",
            "Mobile",
            "Post code",
        ]);
        let m = Mapping::resolve(&h, None).expect("mapping");
        assert_eq!(
            m.fields().collect::<Vec<_>>(),
            [
                Field::FirstName,
                Field::LastName,
                Field::Email,
                Field::Phone,
                Field::Zip
            ]
        );
        let requested = HashMap::from([("first_name".to_owned(), "Mobile".to_owned())]);
        assert_eq!(
            Mapping::resolve(&h, Some(&requested))
                .map(|m| m.0[&Field::FirstName])
                .ok(),
            Some(3)
        );
        let unknown = HashMap::from([("shoe_size".to_owned(), "Mobile".to_owned())]);
        assert!(Mapping::resolve(&h, Some(&unknown)).is_err());
        let missing = HashMap::from([("first_name".to_owned(), "Nope".to_owned())]);
        assert!(Mapping::resolve(&h, Some(&missing)).is_err());
        assert!(
            Mapping::resolve(&headers(&["email"]), None).is_err(),
            "first name is required"
        );
        assert_eq!(
            guess(&headers(&["Name", "Mail", "E-mail", "Shoe size"])),
            [Some(Field::FullName), Some(Field::Email), None, None]
        );
    }

    #[test]
    fn a_row_becomes_an_edit() {
        let h = headers(&["name", "email", "marketing", "dob", "gender"]);
        let m = Mapping::resolve(&h, None).expect("mapping");
        let row = csv::StringRecord::from(vec![
            "Mary Ann Lee",
            "'=cmd@x.com",
            "yes",
            "1990-04-01",
            "F",
        ]);
        let input = m.row_input(&row).expect("row");
        assert_eq!(input.first_name.as_deref(), Some("Mary Ann"));
        assert_eq!(input.last_name.as_deref(), Some("Lee"));
        assert_eq!(input.email, Some(Some("=cmd@x.com".into())));
        assert_eq!(input.notifications.and_then(|n| n.marketing), Some(true));
        let bad = csv::StringRecord::from(vec!["Ann", "", "perhaps", "", ""]);
        assert!(m.row_input(&bad).is_err());
        let bad = csv::StringRecord::from(vec!["Ann", "", "", "01/04/1990", ""]);
        assert!(m.row_input(&bad).expect_err("not ISO").contains("birthday"));
    }
}
