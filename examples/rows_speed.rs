//! Prints the README's row-wise speed tables from the medians criterion saved for
//! `cargo bench --bench rowwise` (under `target/criterion`), in Gelem/s.
//!
//! `cargo run --release --example rows_speed`
use std::collections::BTreeMap;
use std::path::Path;

/// `"key":<number>` after the first occurrence of `after` in `s`.
fn number(s: &str, after: &str, key: &str) -> Option<f64> {
    let rest = &s[s.find(after)?..];
    let rest = &rest[rest.find(key)? + key.len()..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

fn main() {
    let root = Path::new("target/criterion");
    // full id → Gelem/s (median).
    let mut speed = BTreeMap::new();
    for group in std::fs::read_dir(root).expect("run `cargo bench --bench rowwise` first") {
        let group = group.unwrap().path();
        for bench in std::fs::read_dir(&group).unwrap() {
            let dir = bench.unwrap().path().join("new");
            let (Ok(meta), Ok(est)) = (
                std::fs::read_to_string(dir.join("benchmark.json")),
                std::fs::read_to_string(dir.join("estimates.json")),
            ) else {
                continue;
            };
            let id = meta
                .split("\"full_id\":\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap()
                .to_string();
            if !(id.starts_with("rows4096/") || id.starts_with("axis/")) {
                continue;
            }
            let elems = number(&meta, "\"throughput\"", "\"Elements\":").unwrap();
            let ns = number(&est, "\"median\"", "\"point_estimate\":").unwrap();
            speed.insert(id, elems / ns);
        }
    }
    let get = |id: &str| speed.get(id).copied();
    let fmt = |g: Option<f64>| g.map_or("—".to_string(), |g| format!("{g:.2}"));
    let names: Vec<String> = lanewise::table::ROW_OPS
        .iter()
        .map(|o| {
            if o.variant.is_empty() {
                o.name.to_string()
            } else {
                format!("{}[{}]", o.name, o.variant)
            }
        })
        .collect();
    let best = lanewise::Isa::best();
    println!("Rows of 4096, {best}, Gelem/s (criterion medians):\n");
    println!("| function | total 4096 | total 1M | total 16M | 16M vs memcpy |");
    println!("|---|---:|---:|---:|---:|");
    let memcpy16 = get("rows4096/total16M/memcpy");
    for n in names.iter().map(String::as_str).chain(["memcpy"]) {
        let id = |t: &str| {
            if n == "memcpy" {
                format!("rows4096/{t}/memcpy")
            } else {
                format!("rows4096/{t}/{n}/{best}")
            }
        };
        let s16 = get(&id("total16M"));
        let ratio = match (s16, memcpy16) {
            (Some(a), Some(b)) => format!("{:.0} %", 100.0 * a / b),
            _ => "—".into(),
        };
        println!(
            "| {n} | {} | {} | {} | {ratio} |",
            fmt(get(&id("total4096"))),
            fmt(get(&id("total1M"))),
            fmt(s16)
        );
    }
    println!("\nEvery ISA, total 4096, Gelem/s:\n");
    let isas = lanewise::Isa::available();
    println!(
        "| function | {} |",
        isas.iter()
            .map(|i| i.name())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---:|".repeat(isas.len()));
    for n in &names {
        let cells: Vec<String> = isas
            .iter()
            .map(|i| fmt(get(&format!("rows4096/total4096/{n}/{i}"))))
            .collect();
        println!("| {n} | {} |", cells.join(" | "));
    }
    println!("\n[64, 4096, 16] over axis 1 vs the same rows contiguous, {best}, Gelem/s:\n");
    println!("| function | axis 1 | contiguous | ratio |");
    println!("|---|---:|---:|---:|");
    for n in &names {
        let (a, c) = (
            get(&format!("axis/64x4096x16/{n}/axis1")),
            get(&format!("axis/64x4096x16/{n}/contiguous")),
        );
        if a.is_none() && c.is_none() {
            continue;
        }
        let ratio = match (a, c) {
            (Some(a), Some(c)) => format!("{:.2}", a / c),
            _ => "—".into(),
        };
        println!("| {n} | {} | {} | {ratio} |", fmt(a), fmt(c));
    }
}
