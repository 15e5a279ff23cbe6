//! Pure rules of Volixta's e-mails: who receives a booking's e-mail, and the calendar entry
//! (RFC 5545) attached to it.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why someone receives a booking's e-mail; it decides the wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Client,
    Staff,
    Manager,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Staff => "staff",
            Self::Manager => "manager",
        }
    }
}

/// One e-mail per address and event: an address that is both the staff member's and a
/// manager's gets the first role's e-mail only (client before staff before managers).
pub fn recipients(
    client: Option<&str>,
    staff: Option<&str>,
    managers: &[String],
) -> Vec<(String, Audience)> {
    let mut out: Vec<(String, Audience)> = Vec::new();
    let candidates = client
        .map(|a| (a, Audience::Client))
        .into_iter()
        .chain(staff.map(|a| (a, Audience::Staff)))
        .chain(managers.iter().map(|a| (a.as_str(), Audience::Manager)));
    for (address, audience) in candidates {
        let address = address.trim();
        if !crate::settings::is_email(address) {
            continue;
        }
        if out.iter().any(|(a, _)| a.eq_ignore_ascii_case(address)) {
            continue;
        }
        out.push((address.to_owned(), audience));
    }
    out
}

/// What a calendar entry says about one booking.
pub struct CalendarEntry<'a> {
    /// Stable for the booking's whole life, so calendars update the entry in place.
    pub uid: &'a str,
    /// Raised on every reschedule and on cancellation; a calendar keeps the highest.
    pub sequence: u32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub organizer: &'a str,
    pub cancelled: bool,
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 3.3.11).
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1),
/// never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out
}

/// The `.ics` of a booking: a request to add (or move) it, or its cancellation.
pub fn ics(e: &CalendarEntry<'_>) -> String {
    let method = if e.cancelled { "CANCEL" } else { "REQUEST" };
    let status = if e.cancelled {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Volixta//Bookings//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("METHOD:{method}"),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(e.uid)),
        format!("SEQUENCE:{}", e.sequence),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.start)),
        format!("DTEND:{}", utc(e.end)),
        format!("SUMMARY:{}", text(e.summary)),
    ];
    if !e.location.is_empty() {
        lines.push(format!("LOCATION:{}", text(e.location)));
    }
    if !e.description.is_empty() {
        lines.push(format!("DESCRIPTION:{}", text(e.description)));
    }
    if !e.organizer.is_empty() {
        lines.push(format!("ORGANIZER:mailto:{}", e.organizer));
    }
    lines.push(format!("STATUS:{status}"));
    lines.push("END:VEVENT".to_owned());
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in lines {
        out.push_str(&fold(&line));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn one_mail_per_address_in_the_first_role() {
        let managers = vec!["Boss@example.com".to_owned(), "desk@example.com".to_owned()];
        let r = recipients(Some("ann@example.com"), Some("boss@example.com"), &managers);
        assert_eq!(
            r,
            vec![
                ("ann@example.com".to_owned(), Audience::Client),
                ("boss@example.com".to_owned(), Audience::Staff),
                ("desk@example.com".to_owned(), Audience::Manager),
            ]
        );
        assert!(recipients(None, Some("not an address"), &[]).is_empty());
    }

    #[test]
    fn the_entry_is_utc_escaped_and_folded() {
        let long = "Deep tissue massage, with hot stones; and a long name ".repeat(3);
        let out = ics(&CalendarEntry {
            uid: "booking-7@example.com",
            sequence: 2,
            start: at("2026-03-29T00:30:00+01:00"),
            end: at("2026-03-29T03:30:00+02:00"),
            stamp: at("2026-03-01T10:00:00Z"),
            summary: &long,
            location: "Main street, 1\nParis",
            description: "",
            organizer: "desk@example.com",
            cancelled: false,
        });
        assert!(out.contains("\r\nDTSTART:20260328T233000Z\r\n"), "{out}");
        assert!(out.contains("\r\nDTEND:20260329T013000Z\r\n"));
        assert!(out.contains("\r\nSEQUENCE:2\r\n"));
        assert!(out.contains("\r\nMETHOD:REQUEST\r\n"));
        assert!(out.contains("LOCATION:Main street\\, 1\\nParis\r\n"));
        assert!(out.contains("Deep tissue massage\\, with hot stones\\;"));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
        }
        let unfolded = out.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", text(&long))));
        let cancel = ics(&CalendarEntry {
            cancelled: true,
            ..CalendarEntry {
                uid: "u",
                sequence: 3,
                start: at("2026-01-01T10:00:00Z"),
                end: at("2026-01-01T11:00:00Z"),
                stamp: at("2026-01-01T09:00:00Z"),
                summary: "Massage",
                location: "",
                description: "",
                organizer: "",
                cancelled: false,
            }
        });
        assert!(cancel.contains("METHOD:CANCEL\r\n") && cancel.contains("STATUS:CANCELLED\r\n"));
        assert!(!cancel.contains("LOCATION"));
    }

    #[test]
    fn folding_never_splits_a_character() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let folded = fold(&line);
        for part in folded.split("\r\n") {
            assert!(part.len() <= 75);
        }
        assert_eq!(folded.replace("\r\n ", ""), line);
    }
}
