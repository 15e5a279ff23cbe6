//! Translations of the service's templates, from gettext `.po` catalogs (the format WordPress
//! translators already use). Templates mark text with `_("…")` and `ngettext("…", "…", n)`; the
//! locale is the site's, sent by the plugin with each request.
use std::collections::HashMap;
use std::path::Path;

/// A WordPress locale name (`de_DE`, `pt_BR`, `fr`); anything else falls back to `en_US`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locale(String);

impl Locale {
    pub const DEFAULT: &'static str = "en_US";

    pub fn parse(raw: Option<&str>) -> Self {
        let raw = raw.unwrap_or("").trim();
        let ok = (2..=20).contains(&raw.len())
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && raw.chars().take(2).all(|c| c.is_ascii_lowercase());
        Self(if ok { raw } else { Self::DEFAULT }.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `de_DE` → `de-DE`, for the `lang` attribute.
    pub fn bcp47(&self) -> String {
        self.0.replace('_', "-")
    }

    /// Whether times read as "9:30 PM" rather than "21:30" where this locale is spoken.
    pub fn uses_12_hour_clock(&self) -> bool {
        const TWELVE: &[&str] = &[
            "en_US", "en_CA", "en_AU", "en_NZ", "en_PH", "en_IN", "es_MX", "es_US", "hi_IN", "ar",
            "bn_BD", "ur", "ko_KR", "fil",
        ];
        self.matches(TWELVE)
    }

    /// Whether calendars of this locale start their weeks on Sunday rather than Monday.
    pub fn week_starts_on_sunday(&self) -> bool {
        const SUNDAY: &[&str] = &[
            "en_US", "en_CA", "en_PH", "en_IN", "es_MX", "es_US", "pt_BR", "ja", "he_IL", "ko_KR",
            "hi_IN", "zh_TW", "zh_HK",
        ];
        self.matches(SUNDAY)
    }

    /// Whether the locale is one of `list`, an entry without a region standing for its language.
    fn matches(&self, list: &[&str]) -> bool {
        let lang = self.0.split('_').next().unwrap_or("");
        list.iter().any(|l| *l == self.0 || *l == lang)
    }
}

/// One locale's messages.
#[derive(Debug, Default)]
pub struct Catalog {
    messages: HashMap<String, Vec<String>>,
    plural: Option<Plural>,
}

impl Catalog {
    pub fn gettext<'a>(&'a self, msgid: &'a str) -> &'a str {
        self.messages
            .get(msgid)
            .and_then(|forms| forms.first())
            .filter(|s| !s.is_empty())
            .map_or(msgid, String::as_str)
    }

    pub fn ngettext<'a>(&'a self, singular: &'a str, plural: &'a str, n: u64) -> &'a str {
        let index = self
            .plural
            .as_ref()
            .map_or(usize::from(n != 1), |p| p.index(n));
        self.messages
            .get(singular)
            .and_then(|forms| forms.get(index))
            .filter(|s| !s.is_empty())
            .map_or(if n == 1 { singular } else { plural }, String::as_str)
    }

    /// Parses a `.po` file: `msgctxt` is not used by the templates and such entries are skipped;
    /// fuzzy entries are left out, as gettext's own tools do.
    pub fn parse_po(source: &str) -> Result<Self, String> {
        let mut catalog = Self::default();
        let source = source.replace("\r\n", "\n");
        for (n, entry) in source.split("\n\n").enumerate() {
            let entry = Entry::parse(entry).map_err(|e| format!("entry {}: {e}", n + 1))?;
            if entry.fuzzy || entry.context {
                continue;
            }
            let Some(id) = entry.id else { continue };
            if id.is_empty() {
                catalog.plural = header_plural(entry.strs.first().map_or("", String::as_str))?;
            } else {
                catalog.messages.insert(id, entry.strs);
            }
        }
        Ok(catalog)
    }
}

#[derive(Default)]
struct Entry {
    id: Option<String>,
    strs: Vec<String>,
    fuzzy: bool,
    context: bool,
}

impl Entry {
    fn parse(text: &str) -> Result<Self, String> {
        let mut entry = Self::default();
        // Which string a continuation line ("…") extends.
        let mut current: Option<(&str, usize)> = None;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(flags) = line.strip_prefix("#,") {
                entry.fuzzy |= flags.split(',').any(|f| f.trim() == "fuzzy");
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            let (keyword, rest) = match line.find(|c: char| c.is_whitespace()) {
                Some(i) if !line.starts_with('"') => (&line[..i], line[i..].trim()),
                _ => ("", line),
            };
            let value = unquote(rest)?;
            match keyword {
                "" => match current {
                    Some(("msgid", _)) => entry.id.get_or_insert_default().push_str(&value),
                    Some(("msgstr", i)) => entry.strs[i].push_str(&value),
                    _ => {}
                },
                "msgctxt" => {
                    entry.context = true;
                    current = Some(("msgctxt", 0));
                }
                "msgid" => {
                    entry.id = Some(value);
                    current = Some(("msgid", 0));
                }
                "msgid_plural" => current = Some(("msgid_plural", 0)),
                "msgstr" => {
                    entry.strs = vec![value];
                    current = Some(("msgstr", 0));
                }
                k if k.starts_with("msgstr[") => {
                    let i: usize = k
                        .trim_start_matches("msgstr[")
                        .trim_end_matches(']')
                        .parse()
                        .map_err(|_| format!("bad keyword {k}"))?;
                    if entry.strs.len() <= i {
                        entry.strs.resize(i + 1, String::new());
                    }
                    entry.strs[i] = value;
                    current = Some(("msgstr", i));
                }
                other => return Err(format!("unknown keyword {other}")),
            }
        }
        Ok(entry)
    }
}

fn unquote(s: &str) -> Result<String, String> {
    let inner = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or_else(|| format!("expected a quoted string, got {s}"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(c @ ('"' | '\\')) => out.push(c),
            other => return Err(format!("unknown escape \\{}", other.unwrap_or(' '))),
        }
    }
    Ok(out)
}

/// The `plural=` expression of a catalog header's `Plural-Forms` line.
fn header_plural(header: &str) -> Result<Option<Plural>, String> {
    let Some(line) = header
        .lines()
        .find_map(|l| l.trim().strip_prefix("Plural-Forms:"))
    else {
        return Ok(None);
    };
    let Some(expr) = line
        .split(';')
        .find_map(|part| part.trim().strip_prefix("plural="))
    else {
        return Ok(None);
    };
    Plural::parse(expr).map(Some)
}

/// A `Plural-Forms` expression: C syntax over `n` (`n != 1`, `n%10==1 && n%100!=11 ? 0 : …`).
#[derive(Debug)]
enum Plural {
    N,
    Num(u64),
    Not(Box<Plural>),
    Binary(Box<Plural>, &'static str, Box<Plural>),
    If(Box<Plural>, Box<Plural>, Box<Plural>),
}

impl Plural {
    fn parse(source: &str) -> Result<Self, String> {
        let tokens = tokenize(source)?;
        let mut pos = 0;
        let expr = ternary(&tokens, &mut pos)?;
        if pos != tokens.len() {
            return Err(format!("unexpected {:?} in plural expression", tokens[pos]));
        }
        Ok(expr)
    }

    fn eval(&self, n: u64) -> u64 {
        match self {
            Self::N => n,
            Self::Num(v) => *v,
            Self::Not(e) => u64::from(e.eval(n) == 0),
            Self::If(c, a, b) => {
                if c.eval(n) != 0 {
                    a.eval(n)
                } else {
                    b.eval(n)
                }
            }
            Self::Binary(a, op, b) => {
                let (x, y) = (a.eval(n), b.eval(n));
                match *op {
                    "%" => x.checked_rem(y).unwrap_or(0),
                    "==" => u64::from(x == y),
                    "!=" => u64::from(x != y),
                    "<" => u64::from(x < y),
                    ">" => u64::from(x > y),
                    "<=" => u64::from(x <= y),
                    ">=" => u64::from(x >= y),
                    "&&" => u64::from(x != 0 && y != 0),
                    _ => u64::from(x != 0 || y != 0),
                }
            }
        }
    }

    fn index(&self, n: u64) -> usize {
        usize::try_from(self.eval(n)).unwrap_or(0)
    }
}

fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["==", "!=", "<=", ">=", "&&", "||"].contains(&two.as_str()) {
                tokens.push(two);
                i += 2;
            } else if "n%<>!?:()".contains(c) {
                tokens.push(c.to_string());
                i += 1;
            } else {
                return Err(format!("unexpected {c:?} in plural expression"));
            }
        }
    }
    Ok(tokens)
}

fn ternary(t: &[String], pos: &mut usize) -> Result<Plural, String> {
    let cond = binary(t, pos, 0)?;
    if t.get(*pos).map(String::as_str) != Some("?") {
        return Ok(cond);
    }
    *pos += 1;
    let a = ternary(t, pos)?;
    if t.get(*pos).map(String::as_str) != Some(":") {
        return Err("expected : in plural expression".into());
    }
    *pos += 1;
    let b = ternary(t, pos)?;
    Ok(Plural::If(Box::new(cond), Box::new(a), Box::new(b)))
}

/// Operators by precedence, loosest first.
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["==", "!="],
    &["<", ">", "<=", ">="],
    &["%"],
];

fn binary(t: &[String], pos: &mut usize, level: usize) -> Result<Plural, String> {
    if level == LEVELS.len() {
        return unary(t, pos);
    }
    let mut left = binary(t, pos, level + 1)?;
    while let Some(op) = t
        .get(*pos)
        .and_then(|tok| LEVELS[level].iter().find(|op| **op == tok.as_str()))
    {
        *pos += 1;
        let right = binary(t, pos, level + 1)?;
        left = Plural::Binary(Box::new(left), op, Box::new(right));
    }
    Ok(left)
}

fn unary(t: &[String], pos: &mut usize) -> Result<Plural, String> {
    let token = t.get(*pos).ok_or("plural expression ends early")?;
    *pos += 1;
    match token.as_str() {
        "n" => Ok(Plural::N),
        "!" => Ok(Plural::Not(Box::new(unary(t, pos)?))),
        "(" => {
            let inner = ternary(t, pos)?;
            if t.get(*pos).map(String::as_str) != Some(")") {
                return Err("expected ) in plural expression".into());
            }
            *pos += 1;
            Ok(inner)
        }
        digits => digits
            .parse()
            .map(Plural::Num)
            .map_err(|_| format!("unexpected {digits:?} in plural expression")),
    }
}

/// Every locale's catalog: `languages/volixta-<locale>.po` of the override folder. The built-in
/// strings are English; a site without a catalog for its locale sees them as written.
#[derive(Debug, Default)]
pub struct Catalogs {
    by_locale: HashMap<String, Catalog>,
    empty: Catalog,
}

impl Catalogs {
    pub fn load(override_dir: Option<&Path>) -> Result<Self, String> {
        let mut catalogs = Self::default();
        let Some(dir) = override_dir.map(|d| d.join("languages")) else {
            return Ok(catalogs);
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(catalogs);
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(locale) = name
                .strip_prefix("volixta-")
                .and_then(|n| n.strip_suffix(".po"))
            else {
                continue;
            };
            let path = entry.path();
            let source =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let catalog =
                Catalog::parse_po(&source).map_err(|e| format!("{}: {e}", path.display()))?;
            catalogs.by_locale.insert(locale.to_owned(), catalog);
        }
        Ok(catalogs)
    }

    /// The catalog of a locale, else of its language (`de_AT` → `de`), else none.
    pub fn get(&self, locale: &str) -> &Catalog {
        self.by_locale
            .get(locale)
            .or_else(|| {
                locale
                    .split('_')
                    .next()
                    .and_then(|lang| self.by_locale.get(lang))
            })
            .unwrap_or(&self.empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PO: &str = r#"# German
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Clients"
msgstr "Kunden"

#, fuzzy
msgid "Search"
msgstr "Suchen"

msgid "%d client blocked."
msgid_plural "%d clients blocked."
msgstr[0] "%d Kunde gesperrt."
msgstr[1] "%d Kunden "
"gesperrt."

msgctxt "verb"
msgid "Book"
msgstr "Buchen"

msgid "Quote \"me\""
msgstr ""
"Zitat \"mich\"\n"
"#;

    #[test]
    fn po_files_translate() {
        let c = Catalog::parse_po(PO).expect("parses");
        assert_eq!(c.gettext("Clients"), "Kunden");
        assert_eq!(c.gettext("Search"), "Search", "fuzzy entries are left out");
        assert_eq!(c.gettext("Book"), "Book", "context entries are left out");
        assert_eq!(c.gettext("Unknown"), "Unknown");
        assert_eq!(c.gettext("Quote \"me\""), "Zitat \"mich\"\n");
        assert_eq!(
            c.ngettext("%d client blocked.", "%d clients blocked.", 1),
            "%d Kunde gesperrt."
        );
        assert_eq!(
            c.ngettext("%d client blocked.", "%d clients blocked.", 3),
            "%d Kunden gesperrt."
        );
        assert_eq!(c.ngettext("one", "many", 0), "many");
        assert!(Catalog::parse_po("msgid \"x\"\nmsgstr \"\\q\"").is_err());
    }

    #[test]
    fn plural_expressions() {
        // Polish: three forms.
        let pl =
            Plural::parse("(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)")
                .expect("parses");
        let forms: Vec<usize> = [1, 2, 5, 12, 22, 25, 112].map(|n| pl.index(n)).to_vec();
        assert_eq!(forms, vec![0, 1, 2, 2, 1, 2, 2]);
        assert_eq!(Plural::parse("n>1").expect("parses").index(1), 0);
        assert_eq!(Plural::parse("!(n == 1)").expect("parses").index(2), 1);
        assert_eq!(Plural::parse("n % 0").expect("parses").index(7), 0);
        assert!(Plural::parse("n +1").is_err());
        assert!(Plural::parse("(n").is_err());
    }

    #[test]
    fn locales() {
        assert_eq!(Locale::parse(Some("de_DE")).as_str(), "de_DE");
        assert_eq!(Locale::parse(Some("de_DE")).bcp47(), "de-DE");
        assert_eq!(Locale::parse(Some("fr")).as_str(), "fr");
        assert!(Locale::parse(None).uses_12_hour_clock());
        assert!(!Locale::parse(Some("de_DE")).uses_12_hour_clock());
        assert!(Locale::parse(Some("ar")).uses_12_hour_clock());
        assert!(Locale::parse(Some("ja")).week_starts_on_sunday());
        assert!(!Locale::parse(Some("fr_FR")).week_starts_on_sunday());
        for bad in [
            None,
            Some(""),
            Some("../x"),
            Some("DE"),
            Some("de-DE"),
            Some("x"),
        ] {
            assert_eq!(Locale::parse(bad).as_str(), "en_US", "{bad:?}");
        }
    }
}
