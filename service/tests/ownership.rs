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

/// The table name at the start of `s` (after `{p}volixta_`), if `s` starts with one; `None`
/// inside when the name is spliced in at run time (`{p}volixta_{kind}`, `{table}`).
fn table_at(s: &str) -> Option<Option<String>> {
    let Some(rest) = s.strip_prefix(TABLE) else {
        // `{p}` before anything but `volixta_` is one of WordPress's own tables.
        return (s.starts_with('{') && !s.starts_with("{p}")).then_some(None);
    };
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
            && let Some(first) = table_at(target)
            && !text[..at].trim_end().ends_with("KEY")
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
            found.push(Write { line, table: first });
            for (i, _) in head.match_indices(TABLE).filter(|&(i, _)| i > 0) {
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

/// `service/src/ledger/`, the mechanics the wallet and reward points share. It owns no table:
/// its statements name none, only the tables of the `LedgerSpec` they are called with, and
/// those count as writes of the domain that declares the spec (`spec_writes`).
const SHARED_LEDGER: &str = "ledger";

/// What each `impl LedgerSpec for X` in `source` lets the shared ledger code write: the
/// tables its `TABLE` and `HOLDER` name, written out, as writes of this file's domain. And
/// where `X` could be named by another domain (declared elsewhere, or visible beyond its
/// domain), a problem: only the owner of a ledger may post through its spec.
fn spec_writes(relative: &Path, source: &str) -> (Vec<Write>, Vec<(usize, String)>) {
    let line_of = |at: usize| source[..at].matches('\n').count() + 1;
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    for (at, keyword) in source.match_indices("LedgerSpec for ") {
        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
        if !source[line_start..at].trim_start().starts_with("impl") {
            continue;
        }
        let after = &source[at + keyword.len()..];
        let name: String = after
            .bytes()
            .take_while(|b| is_word_byte(*b))
            .map(char::from)
            .collect();
        let Some(open) = after.find('{') else {
            continue;
        };
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let block = &after[open..end];
        let block_at = at + keyword.len() + open;
        for constant in ["const TABLE", "const HOLDER"] {
            for (i, _) in block.match_indices(constant) {
                let value = block[i..].split_once('=').map(|(_, v)| skip_gap(v));
                let table = value
                    .and_then(|v| v.strip_prefix('"'))
                    .and_then(table_at)
                    .flatten();
                found.push(Write {
                    line: line_of(block_at + i),
                    table,
                });
            }
        }
        let declared = source
            .match_indices(&format!("struct {name}"))
            .find(|(i, _)| {
                !source
                    .as_bytes()
                    .get(i + "struct ".len() + name.len())
                    .is_some_and(|b| is_word_byte(*b))
            });
        let private = declared.is_some_and(|(i, _)| {
            let line_start = source[..i].rfind('\n').map_or(0, |l| l + 1);
            let visibility = source[line_start..i].trim();
            // `pub(super)` from a file below the domain's `mod.rs` stays inside the domain.
            let below_mod = relative.components().count() > 1
                && relative.file_name().is_some_and(|f| f != "mod.rs");
            visibility.is_empty() || (visibility == "pub(super)" && below_mod)
        });
        if !private {
            problems.push((
                line_of(at),
                format!(
                    "declares the ledger spec {name} where another domain could post through it; \
                     declare it here, visible to its own domain only"
                ),
            ));
        }
    }
    (found, problems)
}

/// Every violation in one file, as `file:line writes table, owned by …`.
fn violations(owners: &Owners, relative: &Path, source: &str) -> Vec<String> {
    let domain = domain_of(relative);
    let shown = Path::new("service/src").join(relative);
    let (spec_writes, spec_problems) = spec_writes(relative, source);
    writes(source)
        .into_iter()
        .filter(|w| !(domain == SHARED_LEDGER && w.table.is_none()))
        .chain(spec_writes)
        .filter_map(|w| {
            let problem = match &w.table {
                None => Err("a table whose name is built at run time; write the name out".into()),
                Some(table) => owners.may_write(&domain, table),
            };
            problem.err().map(|p| (w.line, format!("writes {p}")))
        })
        .chain(spec_problems)
        .map(|(line, p)| format!("{}:{line} ({domain}) {p}", shown.display()))
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
    let (mut seen, mut spec_tables) = (0, 0);
    for file in &files {
        let source = fs::read_to_string(file).expect("source");
        seen += writes(&source).len();
        let relative = file.strip_prefix(&src).expect("under src");
        spec_tables += spec_writes(relative, &source).0.len();
        problems.extend(violations(&owners, relative, &source));
    }
    assert!(seen > 50, "the scan found the service's writes ({seen})");
    assert!(
        spec_tables >= 4,
        "the scan found the tables of the wallet's and the rewards' ledger specs ({spec_tables})"
    );
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

#[test]
fn the_shared_ledger_writes_only_through_specs_their_owners_keep_to_themselves() {
    let owners = Owners::parse(
        "| `{prefix}volixta_clients` | `clients` | `wallet` (`wallet_balance`): why |\n\
         | `{prefix}volixta_wallet_ledger` | `wallet` | |\n\
         | `{prefix}volixta_reward_ledger` | `rewards` | |\n",
    );
    let shared = r#"
        fn append() { q(&format!("INSERT INTO {table} ({columns}) VALUES ({marks})")); }
        fn cache() { q(&format!("UPDATE {holder} SET {balance} = ? WHERE id = ?")); }
        fn upsert() { q(&format!("INSERT INTO {{p}}volixta_clients (id) VALUES (?) ON DUPLICATE KEY UPDATE {updates}")); }
    "#;
    assert_eq!(
        writes(shared)
            .iter()
            .map(|w| (w.line, w.table.clone()))
            .collect::<Vec<_>>(),
        [(2, None), (3, None), (4, Some("clients".to_owned()))],
        "names spliced in whole are writes too; ON DUPLICATE KEY UPDATE {{…}} is none"
    );
    assert_eq!(
        violations(&owners, Path::new("ledger/repo.rs"), shared),
        ["service/src/ledger/repo.rs:4 (ledger) writes {p}volixta_clients, owned by clients"],
        "the shared code writes spliced names (its callers' specs) and nothing by name"
    );
    assert_eq!(
        violations(&owners, Path::new("bookings/repo.rs"), shared)[0],
        "service/src/bookings/repo.rs:2 (bookings) writes a table whose name is built at run time; write the name out",
        "anywhere else a spliced name is refused as before"
    );

    let spec = |visibility: &str, table: &str| {
        format!(
            "{visibility}struct Ledger;\n\
             impl LedgerSpec for Ledger {{\n\
                 type Row = LedgerRow;\n\
                 const TABLE: &'static str = \"{table}\";\n\
                 const HOLDER: &'static str =\n\
                     \"{{p}}volixta_clients\";\n\
                 fn details(entry: &Entry) -> Vec<(&'static str, Value)> {{ vec![] }}\n\
             }}\n"
        )
    };
    let own = spec("pub(super) ", "{p}volixta_wallet_ledger");
    assert_eq!(
        spec_writes(Path::new("wallet/repo.rs"), &own)
            .0
            .iter()
            .map(|w| (w.line, w.table.clone()))
            .collect::<Vec<_>>(),
        [
            (4, Some("wallet_ledger".to_owned())),
            (5, Some("clients".to_owned()))
        ]
    );
    assert!(violations(&owners, Path::new("wallet/repo.rs"), &own).is_empty());
    assert_eq!(
        violations(&owners, Path::new("rewards/repo.rs"), &own),
        [
            "service/src/rewards/repo.rs:4 (rewards) writes {p}volixta_wallet_ledger, owned by wallet",
            "service/src/rewards/repo.rs:5 (rewards) writes {p}volixta_clients, owned by clients",
        ],
        "a spec's tables are its domain's writes"
    );
    assert_eq!(
        violations(
            &owners,
            Path::new("wallet/repo.rs"),
            &spec("", "{p}volixta_{name}")
        ),
        [
            "service/src/wallet/repo.rs:4 (wallet) writes a table whose name is built at run time; write the name out"
        ]
    );
    for (file, visibility) in [
        ("wallet/repo.rs", "pub "),
        ("wallet/repo.rs", "pub(crate) "),
        ("wallet/mod.rs", "pub(super) "),
    ] {
        assert_eq!(
            violations(
                &owners,
                Path::new(file),
                &spec(visibility, "{p}volixta_wallet_ledger")
            ),
            [format!(
                "service/src/{file}:2 (wallet) declares the ledger spec Ledger where another domain \
                 could post through it; declare it here, visible to its own domain only"
            )],
            "{visibility}in {file}"
        );
    }
}
