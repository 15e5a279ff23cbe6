//! A small SMTP server speaking the real protocol (RFC 5321: greeting, EHLO/HELO, MAIL, RCPT,
//! DATA with dot-stuffing, RSET, NOOP, QUIT) for the outbox tests: it keeps what it receives,
//! can be stopped and started again on the same port (an outage), and can refuse recipients
//! for good (550). Plus a reader of the MIME it received (multipart, base64, quoted-printable).
//! The SMTP bench (`benches/outbox_smtp.rs`) sends to it too.
use base64::{Engine, engine::general_purpose::STANDARD};
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    task::JoinSet,
};

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// When the sink accepted it (answered the end of DATA), for latencies measured against
    /// the database's clock on the same host (`benches/outbox_smtp.rs`; the tests do not read it).
    #[allow(dead_code)]
    pub accepted_at: std::time::SystemTime,
}

pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicBool>,
    tasks: Option<JoinSet<()>>,
}

/// A port nothing listens on (yet): where SMTP is "down".
pub async fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    l.local_addr().expect("addr").port()
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_on(free_port().await).await
    }

    pub async fn start_on(port: u16) -> Self {
        let mut sink = Self {
            port,
            received: Arc::new(Mutex::new(Vec::new())),
            refuse: Arc::new(AtomicBool::new(false)),
            tasks: None,
        };
        sink.resume().await;
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Closes the port and every open conversation.
    pub fn stop(&mut self) {
        if let Some(mut tasks) = self.tasks.take() {
            tasks.abort_all();
        }
    }

    /// Listens on the same port again.
    pub async fn resume(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the sink's port is free");
        let mut tasks = JoinSet::new();
        let received = Arc::clone(&self.received);
        let refuse = Arc::clone(&self.refuse);
        tasks.spawn(async move {
            let mut conversations = JoinSet::new();
            while let Ok((socket, _)) = listener.accept().await {
                let received = Arc::clone(&received);
                let refuse = Arc::clone(&refuse);
                conversations.spawn(async move {
                    let _ = converse(socket, received, refuse).await;
                });
            }
        });
        self.tasks = Some(tasks);
    }

    /// Answers RCPT with 550 (mailbox unavailable) while on.
    pub fn refuse_recipients(&self, on: bool) {
        self.refuse.store(on, Ordering::SeqCst);
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits until at least `n` messages arrived (at most `seconds`), then returns them all.
    pub async fn wait_for(&self, n: usize, seconds: u64) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let got = self.messages();
            if got.len() >= n || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn converse(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicBool>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                write
                    .write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            "HELO" => write.write_all(b"250 sink\r\n").await?,
            "MAIL" => {
                from = address(&command);
                to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "RCPT" if refuse.load(Ordering::SeqCst) => {
                write
                    .write_all(b"550 5.1.1 mailbox unavailable\r\n")
                    .await?;
            }
            "RCPT" => {
                to.push(address(&command));
                write.write_all(b"250 OK\r\n").await?;
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                    data.push_str(unstuffed);
                }
                received.lock().expect("lock").push(Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                    accepted_at: std::time::SystemTime::now(),
                });
                write.write_all(b"250 OK queued\r\n").await?;
            }
            "RSET" => {
                from.clear();
                to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "NOOP" => write.write_all(b"250 OK\r\n").await?,
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"502 command not implemented\r\n").await?,
        }
    }
}

fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}

/// One MIME part: its headers (lower-cased names) and its decoded body.
#[derive(Clone, Debug)]
pub struct Part {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn split_head(raw: &str) -> (Vec<(String, String)>, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

fn decode(encoding: Option<&str>, body: &str) -> String {
    match encoding.map(str::to_ascii_lowercase).as_deref() {
        Some("base64") => {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8(STANDARD.decode(joined).expect("base64")).expect("utf-8")
        }
        Some("quoted-printable") => {
            let mut out = Vec::new();
            let soft = body.replace("=\n", "");
            let b = soft.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'='
                    && i + 3 <= b.len()
                    && let Some(byte) = std::str::from_utf8(&b[i + 1..i + 3])
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                out.push(b[i]);
                i += 1;
            }
            String::from_utf8(out).expect("utf-8")
        }
        _ => body.to_owned(),
    }
}

/// The message's headers and every leaf part, decoded.
pub fn parse(data: &str) -> (Vec<(String, String)>, Vec<Part>) {
    let (headers, body) = split_head(data);
    let mut parts = Vec::new();
    collect(&headers, &body, &mut parts);
    (headers, parts)
}

fn collect(headers: &[(String, String)], body: &str, out: &mut Vec<Part>) {
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_owned())
            .expect("a boundary");
        let marker = format!("--{boundary}");
        for chunk in body.split(&marker).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
            let (h, b) = split_head(chunk);
            collect(&h, &b, out);
        }
    } else {
        let encoding = headers
            .iter()
            .find(|(k, _)| k == "content-transfer-encoding")
            .map(|(_, v)| v.as_str());
        out.push(Part {
            headers: headers.to_vec(),
            body: decode(encoding, body.trim_end_matches('\n')),
        });
    }
}

/// The decoded part whose Content-Type starts with `kind` (`text/plain`, `text/calendar`).
pub fn part<'a>(parts: &'a [Part], kind: &str) -> &'a Part {
    parts
        .iter()
        .find(|p| {
            p.header("content-type")
                .is_some_and(|c| c.starts_with(kind))
        })
        .unwrap_or_else(|| panic!("no {kind} part among {parts:#?}"))
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// An iCalendar text unfolded, as `(name with parameters, value)` lines.
pub fn ics_lines(ics: &str) -> Vec<(String, String)> {
    ics.replace("\r\n ", "")
        .replace("\n ", "")
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.trim_end_matches('\r').to_owned()))
        .collect()
}

pub fn ics_value(ics: &str, name: &str) -> String {
    ics_lines(ics)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} in {ics}"))
}
