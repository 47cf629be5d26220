//! The `lanewise` command-line tool end to end: output formats, exit status, plots, bench
//! lines (f32 and the half types), the exhaustive f16/bf16 sweeps, and the README's bound and
//! half-accuracy tables against the table of operations.
//!
//! `cargo test --release --features cli --test cli`
#![cfg(feature = "cli")]

use lanewise::table::OPS;
use serde_json::Value;
use std::process::{Command, Output};

fn lanewise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lanewise"))
        .args(args)
        .output()
        .expect("run lanewise")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json_lines(o: &Output) -> Vec<Row> {
    stdout(o)
        .lines()
        .map(|l| match serde_json::from_str(l) {
            Ok(Value::Object(m)) => m,
            other => panic!("not a JSON object line: {l:?} ({other:?})"),
        })
        .collect()
}

type Row = serde_json::Map<String, Value>;

/// `lanewise CMD FNS EXTRA…`, on `isa` alone unless it is empty.
fn command(cmd: &str, fns: &str, isa: &str, extra: &[&str]) -> Output {
    let mut args = vec![cmd, fns];
    if !isa.is_empty() {
        args.extend(["--isa", isa]);
    }
    args.extend(extra);
    lanewise(&args)
}

/// `lanewise ulp FNS -q EXTRA…` (see [`command`]).
fn ulp(fns: &str, isa: &str, extra: &[&str]) -> Output {
    command("ulp", fns, isa, &[&["-q"], extra].concat())
}

/// The rows of `lanewise ulp FNS --json -q EXTRA…`, which must exit 0.
fn ulp_json(fns: &str, isa: &str, extra: &[&str]) -> Vec<Row> {
    ok_rows(ulp(fns, isa, &[&["--json"], extra].concat()))
}

/// The rows of `lanewise bench FNS --json EXTRA…`, which must exit 0.
fn bench_json(fns: &str, isa: &str, extra: &[&str]) -> Vec<Row> {
    ok_rows(command("bench", fns, isa, &[&["--json"], extra].concat()))
}

fn ok_rows(o: Output) -> Vec<Row> {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json_lines(&o)
}

fn isa_count() -> usize {
    lanewise::Isa::available().len()
}

/// A coarse sweep: 2^32 / 65537 = 65,536 inputs per row.
const STEP: &str = "65537";

#[test]
fn ulp_markdown_has_a_row_per_function_and_isa_and_exits_zero() {
    let o = ulp("exp,hardswish", "", &["--step", STEP]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("# lanewise accuracy"), "{out}");
    assert!(out.contains("| function | isa | dtype | inputs | bound | max ulp |"));
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("| exp |") || l.starts_with("| hard_swish |"))
        .collect();
    assert_eq!(rows.len(), 2 * isa_count(), "{out}");
    assert!(rows.iter().all(|r| r.ends_with("| ok |")), "{out}");
    assert!(out.contains("every 65537th f32 bit pattern (65536 inputs)"));
    if isa_count() > 1 {
        assert!(
            out.contains("| yes |"),
            "later ISAs compare their bits with the first"
        );
    }
}

#[test]
fn ulp_json_and_csv_carry_every_statistic() {
    let rows = ulp_json("log", "scalar", &["--step", STEP]);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["fn"], "log");
    assert_eq!(r["isa"], "scalar");
    assert_eq!(r["dtype"], "f32");
    assert_eq!(r["inputs"], 65536);
    assert_eq!(r["bound"], 1.0);
    let max = r["max_ulp"].as_f64().unwrap();
    assert!(max > 0.0 && max <= 1.0, "{r:?}");
    for key in [
        "worst_input",
        "mean_ulp",
        "correctly_rounded",
        "within_1_ulp",
    ] {
        let v = r[key].as_f64().unwrap_or_else(|| panic!("{key}: {r:?}"));
        assert!(v.is_finite());
    }
    assert!(r["correctly_rounded"].as_f64().unwrap() > 0.99);
    assert_eq!(r["special_mismatches"], 0);
    assert_eq!(r["result"], "ok");
    assert_eq!(r["same_bits"], Value::Null);
    let bits = u32::from_str_radix(
        r["worst_input_bits"]
            .as_str()
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    assert_eq!(
        f32::from_bits(bits) as f64,
        r["worst_input"].as_f64().unwrap()
    );

    let o = ulp("log,relu", "scalar", &["--step", STEP, "--csv"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("fn,isa,dtype,inputs,bound,max_ulp,worst_input,"));
    assert!(lines[1].starts_with("relu,scalar,f32,65536,0.0,0.0,0.0,0x00000000,"));
    assert!(lines[2].starts_with("log,scalar,f32,65536,1.0,"));
    // One ISA: nothing to compare bits with (empty in CSV, null in JSON).
    assert!(lines[2].contains(",0,,"), "{out}");
}

#[test]
fn ulp_checks_row_functions_on_adversarial_rows() {
    let rows = ulp_json("exp,log_softmax", "scalar", &["--step", STEP]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["fn"], "exp");
    let r = &rows[1];
    assert_eq!(r["fn"], "log_softmax");
    assert_eq!(r["bound"], 2.5);
    assert!(r["outputs"].as_u64().unwrap() > 1000);
    assert!(r["max_ulp"].as_f64().unwrap() <= 2.5);
    assert_eq!(r["result"], "ok");
    // Gated like the elementwise rows.
    let o = ulp("log_softmax", "scalar", &["--bound-scale", "0.01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("FAIL log_softmax on scalar (f32 rows)"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("## Row-wise functions"));
}

#[test]
fn ulp_exits_one_when_a_bound_is_exceeded() {
    // exp's sampled max error is about 0.72 ulp: within its bound of 1, not within 0.5.
    let ok = ulp("exp", "scalar", &["--step", STEP]);
    assert_eq!(ok.status.code(), Some(0));
    let o = ulp("exp", "scalar", &["--step", STEP, "--bound-scale", "0.5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("| FAIL |"));
    assert!(
        stderr(&o).contains("FAIL exp on scalar (f32): max 0.718 ulp"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ulp_half_types_are_exhaustive_correctly_rounded_and_agree() {
    // The step applies to f32 only: f16/bf16 rows always cover all 65,536 inputs.
    let rows = ulp_json("gelu,exp", "", &["--dtype", "f16,bf16", "--step", STEP]);
    assert_eq!(rows.len(), 2 * 2 * isa_count());
    let mut order = Vec::new();
    for r in &rows {
        order.push((r["fn"].as_str().unwrap(), r["dtype"].as_str().unwrap()));
        assert_eq!(r["inputs"], 65536, "{r:?}");
        assert_eq!(r["bound"], 0.5, "{r:?}");
        assert!(r["max_ulp"].as_f64().unwrap() <= 0.5, "{r:?}");
        assert!(r["max_ulp"].as_f64().unwrap() > 0.4, "{r:?}");
        assert_eq!(r["correctly_rounded"], 1.0, "{r:?}");
        assert_eq!(r["within_1_ulp"], 1.0, "{r:?}");
        assert_eq!(r["special_mismatches"], 0, "{r:?}");
        assert_ne!(r["same_bits"], false, "{r:?}");
        assert_eq!(r["result"], "ok", "{r:?}");
    }
    order.dedup();
    assert_eq!(
        order,
        [
            ("gelu", "f16"),
            ("gelu", "bf16"),
            ("exp", "f16"),
            ("exp", "bf16")
        ]
    );

    let o = ulp("sigmoid", "scalar", &["--dtype", "bf16"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("| sigmoid | scalar | bf16 | 65536 (all) | 0.5 |"),
        "{out}"
    );
    assert!(out.contains("all 65,536 inputs of each half type"), "{out}");
    assert!(!out.contains("f32 bit pattern"), "{out}");
}

#[test]
fn ulp_half_exits_one_over_the_half_bound() {
    let o = ulp("exp", "scalar", &["--dtype", "f16", "--bound-scale", "0.5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("| FAIL |"));
    assert!(
        stderr(&o).contains("FAIL exp on scalar (f16): max 0.")
            && stderr(&o).contains("exceeds the bound 0.25"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_two() {
    let o = lanewise(&["ulp", "no_such_fn", "--step", STEP]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown function \"no_such_fn\""));
    let o = lanewise(&["ulp", "exp", "--isa", "sse9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown instruction set"));
    let o = lanewise(&["ulp", "--step", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn plot_writes_a_valid_svg_and_png() {
    let dir = std::env::temp_dir().join(format!("lanewise-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("tanh.svg");
    let o = command(
        "plot",
        "tanh",
        "scalar",
        &["--step", STEP, "-o", svg.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg ") && text.trim_end().ends_with("</svg>"));
    assert!(text.contains("tanh on scalar: error vs input"));
    assert!(text.contains("published bound (2 ulp)"));
    assert!(
        text.contains(">1e-40<") || text.contains(">\n1e-40\n<"),
        "x axis labels"
    );
    // Every element that opens also closes (a cheap well-formedness check).
    for tag in ["text", "svg"] {
        assert_eq!(
            text.matches(&format!("<{tag}")).count(),
            text.matches(&format!("</{tag}>")).count(),
            "<{tag}>"
        );
    }
    assert!(text.matches("<circle").count() > 100, "error points drawn");

    let png = dir.join("exp.png");
    let o = command(
        "plot",
        "exp",
        "",
        &["--step", STEP, "-o", png.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 10_000);

    let o = lanewise(&["plot", "exp", "-o", dir.join("x.gif").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must end in .svg or .png"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bench_json_lines_parse() {
    let rows = bench_json("relu,exp", "", &["--sizes", "4096,8K", "--repeats", "3"]);
    // Per size: memcpy, then every function × ISA.
    assert_eq!(rows.len(), 2 * (1 + 2 * isa_count()));
    for r in &rows {
        let keys: Vec<&str> = r.keys().map(String::as_str).collect();
        assert_eq!(&keys[..5], ["fn", "isa", "dtype", "n", "gelem_s"]);
        assert!(r["gelem_s"].as_f64().unwrap() > 0.0);
        assert!(r["memcpy_gelem_s"].as_f64().unwrap() > 0.0);
        assert_eq!(r["dtype"], "f32");
    }
    assert_eq!(rows[0]["fn"], "memcpy");
    assert_eq!(rows[0]["n"], 4096);
    assert_eq!(rows[1 + 2 * isa_count()]["n"], 8192);
    assert!(
        rows.iter()
            .any(|r| r["fn"] == "exp" && r["isa"] == lanewise::Isa::best().name())
    );
}

#[test]
fn bench_half_types() {
    let rows = bench_json(
        "relu,exp",
        "scalar",
        &["--dtype", "f16,bf16", "--sizes", "4096", "--repeats", "1"],
    );
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["fn"].as_str().unwrap(), r["dtype"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("memcpy", "f16"),
            ("relu", "f16"),
            ("exp", "f16"),
            ("memcpy", "bf16"),
            ("relu", "bf16"),
            ("exp", "bf16"),
        ]
    );
    for r in &rows {
        let keys: Vec<&str> = r.keys().map(String::as_str).collect();
        assert_eq!(&keys[..5], ["fn", "isa", "dtype", "n", "gelem_s"]);
        assert_eq!(r["n"], 4096);
        assert!(r["gelem_s"].as_f64().unwrap() > 0.0, "{r:?}");
    }
}

/// `--tables off|eager|auto` each run (the half lookup tables change speed, never the rows),
/// and an unknown mode is a usage error.
#[test]
fn bench_table_modes() {
    for mode in ["off", "eager", "auto"] {
        let rows = bench_json(
            "exp",
            "scalar",
            &[
                "--dtype",
                "bf16",
                "--sizes",
                "4096",
                "--repeats",
                "1",
                "--tables",
                mode,
            ],
        );
        let names: Vec<&str> = rows.iter().map(|r| r["fn"].as_str().unwrap()).collect();
        assert_eq!(names, ["memcpy", "exp"], "--tables {mode}");
    }
    let o = lanewise(&["bench", "exp", "--tables", "sometimes"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bench_runs_row_functions_on_rows() {
    let rows = bench_json(
        "softmax,glu",
        "scalar",
        &["--sizes", "8K", "--repeats", "1"],
    );
    let names: Vec<&str> = rows.iter().map(|r| r["fn"].as_str().unwrap()).collect();
    assert_eq!(names, ["memcpy", "softmax (rows)", "glu (rows)"]);
    assert!(
        rows.iter()
            .all(|r| r["gelem_s"].as_f64().unwrap() > 0.0 && r["n"] == 8192)
    );
}

#[test]
fn row_functions_run_on_half_rows() {
    let rows = ulp_json("softmax", "scalar", &["--dtype", "f16,bf16"]);
    let dtypes: Vec<&str> = rows.iter().map(|r| r["dtype"].as_str().unwrap()).collect();
    assert_eq!(dtypes, ["f16", "bf16"]);
    for r in &rows {
        assert_eq!(r["fn"], "softmax");
        let bound = r["bound"].as_f64().unwrap();
        assert!(bound > 0.5 && bound < 0.501, "{r:?}");
        assert!(r["max_ulp"].as_f64().unwrap() <= bound);
        assert_eq!(r["result"], "ok");
    }
    let o = ulp(
        "softmax",
        "scalar",
        &["--dtype", "bf16", "--bound-scale", "0.5"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("FAIL softmax on scalar (bf16 rows)"),
        "{}",
        stderr(&o)
    );
    let rows = bench_json(
        "logsumexp",
        "scalar",
        &["--dtype", "bf16", "--sizes", "8K", "--repeats", "1"],
    );
    assert_eq!(rows[1]["fn"], "logsumexp (rows)");
    assert_eq!(rows[1]["dtype"], "bf16");
}

#[test]
fn bench_markdown_has_one_column_per_size() {
    let o = command(
        "bench",
        "gelu",
        "scalar",
        &["--sizes", "1K,2K", "--repeats", "1"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("| function | isa | dtype | n = 1024 | n = 2048 |"),
        "{out}"
    );
    assert!(out.contains("| memcpy | — | f32 |"));
    assert!(out.contains("| gelu | scalar | f32 |"));
}

#[test]
fn readme_bound_table_matches_the_table_of_operations() {
    let readme = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let o = lanewise(&["readme", "--check", readme]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("({} functions)", OPS.len())));

    // A README whose bound disagrees with the table fails the check.
    let text = std::fs::read_to_string(readme).unwrap();
    let row = "| `exp` | `exp` | `exp` | — | 1 |";
    assert!(text.contains(row), "the README's exp row changed format");
    let dir = std::env::temp_dir().join(format!("lanewise-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("README.md");
    std::fs::write(
        &bad,
        text.replace(row, "| `exp` | `exp` | `exp` | — | 0.5 |"),
    )
    .unwrap();
    let o = lanewise(&["readme", "--check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`exp`"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}
