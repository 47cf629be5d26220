//! `lanewise bench`: throughput per function × ISA × dtype × size on one thread, next to
//! memcpy of the same number of bytes.

use crate::cli::{self, BenchArgs, size_name};
use crate::dtype::Dtype;
use crate::output::{self, Field, Format, percent_text};
use crate::progress::Progress;
use crate::rows;
use lanewise::lut::{Tables, with_tables};
use lanewise::table::{OpInfo, RowOpInfo};
use lanewise::{Element, Isa, bf16, f16, with_isa};
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// One measurement.
#[derive(Clone, Debug)]
pub struct BenchRow {
    /// The function (row-wise ones: `softmax (rows)`), or `memcpy`.
    pub name: String,
    /// Where it ran (`None` for memcpy).
    pub isa: Option<Isa>,
    /// The element type.
    pub dtype: Dtype,
    /// Elements per call.
    pub n: usize,
    /// Median throughput, 10^9 elements per second.
    pub gelem_s: f64,
    /// memcpy of `n` elements of `dtype` (the same bytes), same unit.
    pub memcpy_gelem_s: f64,
}

impl BenchRow {
    /// Throughput as a fraction of memcpy's.
    pub fn of_memcpy(&self) -> f64 {
        self.gelem_s / self.memcpy_gelem_s
    }

    /// The row's cells (the JSON line starts `{"fn":..,"isa":..,"dtype":..,"n":..,"gelem_s":..}`).
    pub fn fields(&self) -> Vec<Field> {
        vec![
            Field::text("fn", "function", self.name.clone()),
            Field {
                text: self.isa.map_or("—", |i| i.name()).to_string(),
                ..Field::text("isa", "isa", self.isa.map_or("none", |i| i.name()))
            },
            Field::text("dtype", "dtype", self.dtype.name()),
            Field {
                text: size_name(self.n),
                ..Field::int("n", "n", self.n as u64)
            },
            Field::num(
                "gelem_s",
                "Gelem/s",
                self.gelem_s,
                format!("{:.2}", self.gelem_s),
            ),
            Field::num(
                "memcpy_gelem_s",
                "memcpy Gelem/s",
                self.memcpy_gelem_s,
                format!("{:.2}", self.memcpy_gelem_s),
            ),
            Field::num(
                "of_memcpy",
                "of memcpy",
                self.of_memcpy(),
                percent_text(self.of_memcpy()),
            ),
        ]
    }
}

/// The default input range, [−10, 10]: where activations do their work, and the criterion
/// benches' inputs.
pub const DEFAULT_RANGE: (f32, f32) = (-10.0, 10.0);

/// The benchmark input: `n` values spread over `[lo, hi]` in a scrambled order.
pub fn inputs(n: usize, (lo, hi): (f32, f32)) -> Vec<f32> {
    (0..n)
        .map(|i| lo + (hi - lo) * ((i * 7919) % n) as f32 / n as f32)
        .collect()
}

/// [`inputs`] rounded to a half type (the criterion benches' half inputs).
fn narrow<T: Element>(n: usize, range: (f32, f32)) -> Vec<T> {
    inputs(n, range).into_iter().map(T::from_f32).collect()
}

/// Median seconds per call of `f` over `repeats` timed repeats, each long enough (about
/// 5 ms, at least one call) for the clock to resolve it, after one warm-up call that also
/// calibrates. Calls slower than 0.1 s (the scalar level on large sizes) get 3 repeats at
/// most, so a full run stays within minutes.
pub fn median_seconds(repeats: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    f();
    let once = t.elapsed().max(Duration::from_nanos(1)).as_secs_f64();
    let calls = ((5e-3 / once).ceil() as u32).clamp(1, 1_000_000);
    let repeats = if once > 0.1 {
        repeats.clamp(1, 3)
    } else {
        repeats.max(1)
    };
    let mut times: Vec<f64> = (0..repeats)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            t.elapsed().as_secs_f64() / calls as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Bytes per call of the chunked copy in [`memcpy_seconds`].
const COPY_CHUNK: usize = 2048;

/// Median seconds of the faster of two copies of `x` into `y` with the C library's memcpy:
/// one call, and calls of [`COPY_CHUNK`] bytes. Both are memcpy; the chunked one keeps
/// below glibc's `rep movsb` threshold (4 KiB with AVX2), whose path ran 20× slower than
/// the vector loop at 16 KiB on an AMD EPYC (Zen 3) guest (0.4–0.7 against 12 Gelem/s of
/// f32), which would make every function look faster than memory.
fn memcpy_seconds<T: Element>(repeats: u32, x: &[T], y: &mut [T]) -> f64 {
    let whole = median_seconds(repeats, || y.copy_from_slice(black_box(x)));
    let per = COPY_CHUNK / size_of::<T>();
    let chunked = median_seconds(repeats, || {
        for (y, x) in y.chunks_mut(per).zip(black_box(x).chunks(per)) {
            y.copy_from_slice(x);
        }
    });
    whole.min(chunked)
}

/// What to measure.
pub struct Plan {
    /// Functions, in table order.
    pub ops: Vec<&'static OpInfo>,
    /// Row-wise functions, run on rows of [`rows::BENCH_ROW`].
    pub row_ops: Vec<&'static RowOpInfo>,
    /// Instruction sets.
    pub isas: Vec<Isa>,
    /// Element types.
    pub dtypes: Vec<Dtype>,
    /// Elements per call.
    pub sizes: Vec<usize>,
    /// Timed repeats per measurement.
    pub repeats: u32,
    /// When f16/bf16 calls use lookup tables.
    pub tables: Tables,
    /// The inputs' range ([`DEFAULT_RANGE`] but to see how outliers cost).
    pub range: (f32, f32),
}

/// Measures every size × dtype: memcpy first, then every function × ISA.
pub fn measure(plan: &Plan, show_progress: bool) -> Vec<BenchRow> {
    let per_dtype = 1 + (plan.ops.len() + plan.row_ops.len()) * plan.isas.len();
    let cells = plan.sizes.len() * plan.dtypes.len() * per_dtype;
    let progress = Progress::new(cells as u64, show_progress);
    let mut rows = Vec::new();
    for &n in &plan.sizes {
        for &dtype in &plan.dtypes {
            let one = Measure {
                plan,
                dtype,
                n,
                progress: &progress,
            };
            match dtype {
                Dtype::F32 => one.run_all(&inputs(n, plan.range), &mut rows),
                Dtype::F16 => one.run_all(&narrow::<f16>(n, plan.range), &mut rows),
                Dtype::Bf16 => one.run_all(&narrow::<bf16>(n, plan.range), &mut rows),
            }
        }
    }
    progress.finish();
    rows
}

/// The measurements of one size and element type.
struct Measure<'a> {
    plan: &'a Plan,
    dtype: Dtype,
    n: usize,
    progress: &'a Progress,
}

impl Measure<'_> {
    /// memcpy of `x`, every elementwise function × ISA, then every row-wise one.
    fn run_all<T: Element>(&self, x: &[T], rows: &mut Vec<BenchRow>) {
        let memcpy = self.run(x, rows);
        self.run_rows(x, memcpy, rows);
    }

    /// memcpy of `x`, then every elementwise function × ISA on it; returns memcpy's
    /// throughput.
    fn run<T: Element>(&self, x: &[T], rows: &mut Vec<BenchRow>) -> f64 {
        let (plan, dtype, n) = (self.plan, self.dtype, self.n);
        let mut y = vec![T::default(); n];
        self.progress
            .set_label(format!("memcpy {} n={}", dtype.name(), size_name(n)));
        let memcpy = n as f64 / memcpy_seconds(plan.repeats, x, &mut y) / 1e9;
        self.progress.add(1);
        rows.push(BenchRow {
            name: "memcpy".to_string(),
            isa: None,
            dtype,
            n,
            gelem_s: memcpy,
            memcpy_gelem_s: memcpy,
        });
        for op in &plan.ops {
            let params = op.defaults();
            for &isa in &plan.isas {
                self.progress.set_label(format!(
                    "{} {isa} {} n={}",
                    op.name,
                    dtype.name(),
                    size_name(n)
                ));
                let secs = with_isa(isa, || {
                    with_tables(plan.tables, || {
                        median_seconds(plan.repeats, || op.run_as(black_box(x), &mut y, &params))
                    })
                })
                .expect("the instruction sets were checked when parsed");
                self.progress.add(1);
                rows.push(BenchRow {
                    name: op.name.to_string(),
                    isa: Some(isa),
                    dtype,
                    n,
                    gelem_s: n as f64 / secs / 1e9,
                    memcpy_gelem_s: memcpy,
                });
            }
        }
        memcpy
    }

    /// Every row-wise function × ISA on `x` as rows of [`rows::BENCH_ROW`] (elements/s
    /// counts the inputs).
    fn run_rows<T: Element>(&self, x: &[T], memcpy: f64, rows: &mut Vec<BenchRow>) {
        let (plan, n) = (self.plan, self.n);
        for op in &plan.row_ops {
            let (axis, out_len) = rows::bench_layout(op, n);
            let mut y = vec![T::default(); out_len];
            let name = format!("{} (rows)", rows::label(op));
            for &isa in &plan.isas {
                self.progress.set_label(format!(
                    "{name} {isa} {} n={}",
                    self.dtype.name(),
                    size_name(n)
                ));
                let secs = with_isa(isa, || {
                    median_seconds(plan.repeats, || op.run_as(black_box(x), &mut y, axis, None))
                })
                .expect("the instruction sets were checked when parsed");
                self.progress.add(1);
                rows.push(BenchRow {
                    name: name.clone(),
                    isa: Some(isa),
                    dtype: self.dtype,
                    n,
                    gelem_s: n as f64 / secs / 1e9,
                    memcpy_gelem_s: memcpy,
                });
            }
        }
    }
}

/// A markdown table with one row per function × ISA × dtype and one column per size:
/// `Gelem/s (fraction of memcpy)`.
pub fn markdown(rows: &[BenchRow]) -> String {
    let mut sizes: Vec<usize> = rows.iter().map(|r| r.n).collect();
    sizes.sort();
    sizes.dedup();
    let mut keys: Vec<(&str, Option<Isa>, Dtype)> = Vec::new();
    for r in rows {
        let k = (r.name.as_str(), r.isa, r.dtype);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort_by_key(|k| k.0 != "memcpy");
    let mut out = String::from("| function | isa | dtype |");
    for &n in &sizes {
        out += &format!(" n = {} |", size_name(n));
    }
    out += "\n|---|---|---|";
    out += &"---:|".repeat(sizes.len());
    out += "\n";
    for (name, isa, dtype) in keys {
        out += &format!(
            "| {name} | {} | {} |",
            isa.map_or("—", |i| i.name()),
            dtype.name()
        );
        for &n in &sizes {
            let cell = rows
                .iter()
                .find(|r| r.name == name && r.isa == isa && r.dtype == dtype && r.n == n);
            out += &match cell {
                Some(r) if r.name == "memcpy" => format!(" {:.2} |", r.gelem_s),
                Some(r) => format!(" {:.2} ({:.0}%) |", r.gelem_s, 100.0 * r.of_memcpy()),
                None => " |".to_string(),
            };
        }
        out += "\n";
    }
    out
}

/// Renders the rows: the wide markdown table with a caption, or one JSON object / CSV
/// line per measurement.
pub fn render(rows: &[BenchRow], format: Format, repeats: u32, (lo, hi): (f32, f32)) -> String {
    match format {
        Format::Markdown => format!(
            "{}\nGelem/s = 10^9 elements per second, median of {repeats} repeats, one thread, \
             inputs in [{}, {}]; in brackets: the fraction of memcpy's throughput at the same \
             size and dtype. Row-wise functions *(rows)*: rows of {} elements (one row when n \
             is smaller), elements/s counting inputs.\n",
            markdown(rows),
            signed(lo),
            signed(hi),
            rows::BENCH_ROW
        ),
        _ => output::render(format, &rows.iter().map(|r| r.fields()).collect::<Vec<_>>()),
    }
}

/// `x` with a typographic minus sign, as the README's text writes ranges.
fn signed(x: f32) -> String {
    if x < 0.0 {
        format!("−{}", -x)
    } else {
        x.to_string()
    }
}

/// Reads `LO:HI`, the range of `--range` (finite, LO < HI).
pub fn parse_range(s: &str) -> Result<(f32, f32), String> {
    let bad = || format!("{s:?} is not a range LO:HI of finite numbers with LO < HI");
    let (lo, hi) = s.trim().split_once(':').ok_or_else(bad)?;
    let (lo, hi): (f32, f32) = (
        lo.trim().parse().map_err(|_| bad())?,
        hi.trim().parse().map_err(|_| bad())?,
    );
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok((lo, hi))
    } else {
        Err(bad())
    }
}

/// Runs `lanewise bench`.
pub fn run(args: &BenchArgs) -> Result<ExitCode, String> {
    let (ops, row_ops) = cli::selection(&args.select.functions)?;
    let plan = Plan {
        ops,
        row_ops: row_ops.into_iter().filter(|o| rows::benchable(o)).collect(),
        isas: cli::isas(&args.select.isa)?,
        dtypes: args.select.dtype.clone(),
        sizes: args.sizes.clone(),
        repeats: args.repeats,
        tables: Tables::from_name(&args.tables).expect("clap checked the name"),
        range: args.range,
    };
    let rows = measure(&plan, true);
    for &isa in &plan.isas {
        if let Some(reads) = lanewise::lut::table_reads(isa) {
            eprintln!("# f16/bf16 lookup tables on {isa}: read by {reads}");
        }
        if isa.f16_arithmetic() {
            eprintln!(
                "# f16 on {isa}: relu, relu2, sparse_sigmoid, prelu (and leaky_relu, soft_shrink with f16 parameters) in AVX512-FP16 arithmetic"
            );
        }
    }
    print!(
        "{}",
        render(
            &rows,
            Format::from_args(&args.format),
            args.repeats,
            args.range
        )
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_cover_the_range() {
        let x = inputs(4096, DEFAULT_RANGE);
        assert_eq!(x.len(), 4096);
        assert!(x.iter().all(|v| (-10.0..=10.0).contains(v)));
        assert!(x.iter().any(|&v| v < -9.9) && x.iter().any(|&v| v > 9.9));
        let y = inputs(4096, (-200.0, 100.0));
        assert!(y.iter().all(|v| (-200.0..=100.0).contains(v)));
        assert!(y.iter().any(|&v| v < -199.0) && y.iter().any(|&v| v > 99.0));
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("-100:100"), Ok((-100.0, 100.0)));
        assert_eq!(parse_range(" 0 : 1e3 "), Ok((0.0, 1000.0)));
        for bad in ["", "5", "1:1", "2:1", "-inf:0", "a:b", "0:NaN"] {
            assert!(parse_range(bad).is_err(), "{bad:?}");
        }
        assert_eq!(signed(-10.0), "−10");
        assert_eq!(signed(2.5), "2.5");
    }

    #[test]
    fn median_of_repeats() {
        let mut calls = 0u32;
        let s = median_seconds(3, || calls += 1);
        assert!(s >= 0.0 && calls >= 4);
    }

    #[test]
    fn wide_markdown() {
        let row = |name: &str, isa, n, g| BenchRow {
            name: name.to_string(),
            isa,
            dtype: Dtype::F32,
            n,
            gelem_s: g,
            memcpy_gelem_s: 8.0,
        };
        let md = markdown(&[
            row("memcpy", None, 4096, 8.0),
            row("exp", Some(Isa::Scalar), 4096, 2.0),
            row("memcpy", None, 1 << 20, 8.0),
            row("exp", Some(Isa::Scalar), 1 << 20, 4.0),
        ]);
        assert_eq!(
            md,
            "| function | isa | dtype | n = 4096 | n = 1M |\n|---|---|---|---:|---:|\n\
             | memcpy | — | f32 | 8.00 | 8.00 |\n| exp | scalar | f32 | 2.00 (25%) | 4.00 (50%) |\n"
        );
    }
}
