//! A table has one owner (docs/architecture.md, "Who owns which table"): this test reads that
//! table, finds every SQL statement in `service/src/` that writes a `{p}volixta_*` table, and
//! fails naming the file, the line and the table when a domain writes one it does not own.
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// Who may write a table: its owner, and the domains allowed a few of its columns.
#[derive(Debug, Default)]
struct Owners {
    tables: BTreeMap<String, (String, BTreeSet<String>)>,
}

impl Owners {
    /// The rows `| `{prefix}volixta_x` | `owner` | `other` (…), … |` of the document.
    fn parse(doc: &str) -> Self {
        let mut owners = Self::default();
        for line in doc.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let Some(table) = cells
                .get(1)
                .and_then(|c| c.strip_prefix("`{prefix}volixta_"))
            else {
                continue;
            };
            let table = table.trim_end_matches('`').to_owned();
            let owner = cells.get(2).map_or("", |c| c.trim_matches('`')).to_owned();
            // The other writers are the backticked names before each parenthesis of columns.
            let mut others = BTreeSet::new();
            if let Some(cell) = cells.get(3) {
                let mut rest = *cell;
                while let Some(start) = rest.find('`') {
                    let after = &rest[start + 1..];
                    let Some(end) = after.find('`') else { break };
                    let name = &after[..end];
                    rest = &after[end + 1..];
                    if rest.trim_start().starts_with('(') {
                        others.insert(name.to_owned());
                    }
                }
            }
            owners.tables.insert(table, (owner, others));
        }
        owners
    }

    fn may_write(&self, domain: &str, table: &str) -> Result<(), String> {
        match self.tables.get(table) {
            None => Err(format!(
                "{{p}}volixta_{table}, which docs/architecture.md gives no owner"
            )),
            Some((owner, others)) if owner != domain && !others.contains(domain) => {
                Err(format!("{{p}}volixta_{table}, owned by {owner}"))
            }
            Some(_) => Ok(()),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Write {
    line: usize,
    /// The table, or `None` when its name is built at run time.
    table: Option<String>,
}

const TABLE: &str = "{p}volixta_";

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The table name at the start of `s` (after `{p}volixta_`), if `s` starts with one.
fn table_at(s: &str) -> Option<Option<String>> {
    let rest = s.strip_prefix(TABLE)?;
    if rest.starts_with('{') {
        return Some(None);
    }
    let name: String = rest
        .bytes()
        .take_while(|b| is_word_byte(*b))
        .map(char::from)
        .collect();
    Some(Some(name))
}

/// Skips what may sit between two words of one SQL statement in Rust source: spaces, newlines,
/// and the `\` that continues a string literal on the next line.
fn skip_gap(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_whitespace() || c == '\\')
}

/// Every statement in `source` that writes a `{p}volixta_*` table, with its line.
fn writes(source: &str) -> Vec<Write> {
    let text = source.replace("{{p}}", "{p}");
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for (at, _) in text.match_indices(|c: char| c.is_ascii_uppercase()) {
        if at > 0 && is_word_byte(bytes[at - 1]) {
            continue;
        }
        let rest = &text[at..];
        let line = text[..at].matches('\n').count() + 1;
        let after = [
            "INSERT INTO",
            "INSERT IGNORE INTO",
            "REPLACE INTO",
            "DELETE FROM",
        ]
        .iter()
        .find_map(|keyword| {
            let mut words = keyword.split(' ');
            let first = words.next()?;
            let mut s = rest.strip_prefix(first)?;
            for word in words {
                s = skip_gap(s).strip_prefix(word)?;
            }
            Some(skip_gap(s))
        });
        if let Some(target) = after {
            if let Some(table) = table_at(target) {
                found.push(Write { line, table });
            }
            continue;
        }
        // `UPDATE t SET`, `UPDATE a JOIN b … SET`, `UPDATE a, b SET`: every table named before
        // SET may be written. `ON DUPLICATE KEY UPDATE col = …` names no table and is skipped.
        if let Some(target) = rest.strip_prefix("UPDATE").map(skip_gap)
            && target.starts_with(TABLE)
        {
            let end = target
                .match_indices("SET")
                .map(|(i, _)| i)
                .find(|&i| {
                    target.as_bytes()[i - 1].is_ascii_whitespace()
                        && !target
                            .as_bytes()
                            .get(i + 3)
                            .is_some_and(|b| is_word_byte(*b))
                })
                .unwrap_or(target.len());
            let head = &target[..end];
            for (i, _) in head.match_indices(TABLE) {
                if let Some(table) = table_at(&head[i..]) {
                    found.push(Write { line, table });
                }
            }
        }
    }
    found
}

/// The domain of a file under `service/src/`: its folder, or the file's own name at the top.
fn domain_of(relative: &Path) -> String {
    let first = relative.components().next().map_or_else(String::new, |c| {
        c.as_os_str().to_string_lossy().into_owned()
    });
    first.trim_end_matches(".rs").to_owned()
}

/// Every violation in one file, as `file:line writes table, owned by …`.
fn violations(owners: &Owners, relative: &Path, source: &str) -> Vec<String> {
    let domain = domain_of(relative);
    let shown = Path::new("service/src").join(relative);
    writes(source)
        .into_iter()
        .filter_map(|w| {
            let problem = match &w.table {
                None => Err("a table whose name is built at run time; write the name out".into()),
                Some(table) => owners.may_write(&domain, table),
            };
            problem
                .err()
                .map(|p| format!("{}:{} ({domain}) writes {p}", shown.display(), w.line))
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn owners() -> Owners {
    let doc = fs::read_to_string(root().join("../docs/architecture.md")).expect("the document");
    Owners::parse(&doc)
}

#[test]
fn every_domain_writes_only_the_tables_it_owns() {
    let owners = owners();
    assert!(owners.tables.len() > 30, "the ownership table was read");
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in &files {
        let source = fs::read_to_string(file).expect("source");
        seen += writes(&source).len();
        let relative = file.strip_prefix(&src).expect("under src");
        problems.extend(violations(&owners, relative, &source));
    }
    assert!(seen > 50, "the scan found the service's writes ({seen})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_table_a_migration_creates_has_an_owner() {
    let owners = owners();
    let mut missing = Vec::new();
    for entry in fs::read_dir(root().join("../migrations")).expect("migrations") {
        let sql = fs::read_to_string(entry.expect("entry").path()).expect("migration");
        for (at, _) in sql.match_indices("CREATE TABLE {prefix}volixta_") {
            let name: String = sql[at + "CREATE TABLE {prefix}volixta_".len()..]
                .bytes()
                .take_while(|b| is_word_byte(*b))
                .map(char::from)
                .collect();
            if !owners.tables.contains_key(&name) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no owner in docs/architecture.md: {missing:?}"
    );
}

#[test]
fn the_scanner_names_the_file_and_the_table_of_a_foreign_write() {
    let owners = Owners::parse(
        "| `{prefix}volixta_clients` | `clients` | `wallet` (`wallet_balance`): why |\n\
         | `{prefix}volixta_bookings` | `bookings` | |\n",
    );
    assert_eq!(
        owners.tables["clients"].1,
        BTreeSet::from(["wallet".to_owned()])
    );
    let source = r#"
        fn a() { q("SELECT id FROM {p}volixta_bookings WHERE id = ? FOR UPDATE"); }
        fn b() { q("UPDATE {p}volixta_clients SET first_name = ? WHERE id = ?"); }
        fn c() {
            q("UPDATE {p}volixta_clients c JOIN {{p}}volixta_bookings b ON b.client_id = c.id \
               SET b.client_id = ? WHERE c.id = ?");
        }
        fn d() { q("INSERT INTO {p}volixta_clients (id) VALUES (?) ON DUPLICATE KEY UPDATE id = id"); }
        fn e() { q("DELETE FROM
            {p}volixta_bookings WHERE id = ?"); }
        fn f() { q(&format!("UPDATE {{p}}volixta_{table} SET x = 1")); }
    "#;
    let found = violations(&owners, Path::new("clients/repo.rs"), source);
    assert_eq!(
        found,
        [
            "service/src/clients/repo.rs:5 (clients) writes {p}volixta_bookings, owned by bookings",
            "service/src/clients/repo.rs:9 (clients) writes {p}volixta_bookings, owned by bookings",
            "service/src/clients/repo.rs:11 (clients) writes a table whose name is built at run time; write the name out",
        ],
        "a plain read, the owner's own writes and ON DUPLICATE KEY UPDATE pass"
    );
    assert!(
        violations(&owners, Path::new("wallet/repo.rs"), source)
            .iter()
            .any(|v| v.contains("wallet/repo.rs:5 (wallet) writes {p}volixta_bookings"))
    );
    assert_eq!(
        violations(&owners, Path::new("rewards/repo.rs"), source)[0],
        "service/src/rewards/repo.rs:3 (rewards) writes {p}volixta_clients, owned by clients"
    );
    let unknown = violations(
        &owners,
        Path::new("wallet.rs"),
        "q(\"REPLACE INTO {p}volixta_invoices VALUES (1)\")",
    );
    assert_eq!(
        unknown,
        [
            "service/src/wallet.rs:1 (wallet) writes {p}volixta_invoices, which docs/architecture.md gives no owner"
        ]
    );
}
