#![allow(dead_code)]
//! Writes one benchmark's section of docs/benchmarks.md, between its own markers, leaving the
//! other sections as they are.
use std::{path::PathBuf, time::Duration};

pub fn docs_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md")
}

pub fn write_section(name: &str, body: &str) {
    let path = docs_path();
    let mut doc = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    doc = doc.replace(
        "No measurements have been recorded yet. Each one added here names",
        "Each measurement here names",
    );
    let begin = format!("<!-- BEGIN {name} -->");
    let end = format!("<!-- END {name} -->");
    let section = format!("{begin}\n{}\n{end}", body.trim_end());
    doc = match (doc.find(&begin), doc.find(&end)) {
        (Some(b), Some(e)) if b < e => format!("{}{section}{}", &doc[..b], &doc[e + end.len()..]),
        _ => format!("{}\n\n{section}\n", doc.trim_end()),
    };
    std::fs::write(&path, doc).expect("write docs/benchmarks.md");
    println!("wrote the {name} section of {}", path.display());
}

pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let rank = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[rank.min(samples.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// The first line of `/proc/cpuinfo`'s model name, for the record.
pub fn cpu() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

pub fn quick_mode() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// The 1-minute load average, to read the figures with.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// CPU time this thread has run, in nanoseconds (Linux `schedstat`): unlike wall time, it does
/// not grow when other processes take the cores.
pub fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
