//! `lanewise ulp`: error statistics per function × ISA × dtype, and the bound check that
//! sets the exit status.

use crate::cli::{self, UlpArgs};
use crate::dtype::Dtype;
use crate::output::{self, Field, Format, input_text, percent_text, ulp_text};
use crate::progress::{Progress, format_duration};
use crate::rows::{self, RowResult};
use lanewise::accuracy::rows::adversarial_rows;
use lanewise::accuracy::{SWEEP_CHUNK, Stats, halves, sweep, sweep_len};
use lanewise::table::OpInfo;
use lanewise::{Element, Isa, bf16, f16};
use std::process::ExitCode;
use std::time::Instant;

/// What to sweep.
pub struct Plan {
    /// Functions, in table order.
    pub ops: Vec<&'static OpInfo>,
    /// Instruction sets, slowest first.
    pub isas: Vec<Isa>,
    /// Element types.
    pub dtypes: Vec<Dtype>,
    /// f32: every `step`-th bit pattern.
    pub step: u64,
    /// Worker threads.
    pub threads: usize,
}

impl Plan {
    fn chunks(&self, dtype: Dtype) -> u64 {
        match dtype {
            Dtype::F32 => sweep_len(self.step).div_ceil(SWEEP_CHUNK),
            Dtype::F16 | Dtype::Bf16 => 1,
        }
    }
}

/// The result of one function on one instruction set and element type.
pub struct UlpRow {
    /// The function.
    pub op: &'static OpInfo,
    /// Where it ran.
    pub isa: Isa,
    /// The element type.
    pub dtype: Dtype,
    /// The published bound, in ulps of `dtype`.
    pub bound: f64,
    /// Whether every input of the type was checked.
    pub exhaustive: bool,
    /// Error statistics.
    pub stats: Stats,
    /// Hash of every output bit.
    pub hash: u64,
    /// Whether the outputs equal those of the first instruction set swept for this function
    /// and type (`None` on that first one).
    pub same_bits: Option<bool>,
    /// Wall time of the sweep.
    pub seconds: f64,
}

impl UlpRow {
    /// Whether the measured error is within the bound times `scale`.
    pub fn within_bound(&self, scale: f64) -> bool {
        self.stats.max_ulp <= self.bound * scale
    }

    /// Why this row fails the check, if it does.
    pub fn failure(&self, scale: f64) -> Option<String> {
        let what = format!("{} on {} ({})", self.op.name, self.isa, self.dtype.name());
        if !self.within_bound(scale) {
            Some(format!(
                "{what}: max {} ulp at x = {:e} ({:#010x}) exceeds the bound {}",
                ulp_text(self.stats.max_ulp),
                self.stats.worst_input,
                self.stats.worst_input.to_bits(),
                self.bound * scale
            ))
        } else if self.dtype.correctly_rounded()
            && (self.stats.correctly_rounded < self.stats.count
                || self.stats.special_mismatches > 0)
        {
            Some(format!(
                "{what}: {} of {} outputs are not the correctly rounded true value \
                 ({} special mismatches), which the crate promises for {}",
                self.stats.count - self.stats.correctly_rounded,
                self.stats.count,
                self.stats.special_mismatches,
                self.dtype.name()
            ))
        } else if self.same_bits == Some(false) {
            Some(format!(
                "{what}: output bits differ from the first ISA swept"
            ))
        } else {
            None
        }
    }

    /// The row's cells.
    pub fn fields(&self, scale: f64) -> Vec<Field> {
        let st = &self.stats;
        let inputs = if self.exhaustive {
            format!("{} (all)", st.count)
        } else {
            st.count.to_string()
        };
        let worst = st.worst_input;
        vec![
            Field::text("fn", "function", self.op.name),
            Field::text("isa", "isa", self.isa.name()),
            Field::text("dtype", "dtype", self.dtype.name()),
            Field {
                text: inputs,
                ..Field::int("inputs", "inputs", st.count)
            },
            Field::num("bound", "bound", self.bound, self.bound.to_string()),
            Field::num("max_ulp", "max ulp", st.max_ulp, ulp_text(st.max_ulp)),
            Field::num("worst_input", "at x", worst as f64, input_text(worst)),
            Field {
                hidden: true,
                ..Field::text("worst_input_bits", "", format!("{:#010x}", worst.to_bits()))
            },
            Field::num(
                "mean_ulp",
                "mean ulp",
                st.mean_ulp(),
                format!("{:.4}", st.mean_ulp()),
            ),
            Field::num(
                "correctly_rounded",
                "correctly rounded",
                st.correctly_rounded_fraction(),
                percent_text(st.correctly_rounded_fraction()),
            ),
            Field::num(
                "within_1_ulp",
                "≤ 1 ulp",
                st.within_one_fraction(),
                percent_text(st.within_one_fraction()),
            ),
            Field::int(
                "special_mismatches",
                "special mismatches",
                st.special_mismatches,
            ),
            same_bits_field(self.same_bits),
            Field {
                hidden: true,
                ..Field::text("output_hash", "", format!("{:016x}", self.hash))
            },
            time_field(self.seconds),
            result_field(self.failure(scale).is_none()),
        ]
    }
}

/// The *time* cell: seconds (JSON), a short duration (text).
pub fn time_field(seconds: f64) -> Field {
    Field::num("seconds", "time", seconds, format_duration(seconds))
}

/// The *result* cell: `ok`, or `FAIL` when a check failed.
pub fn result_field(ok: bool) -> Field {
    Field::text("result", "result", if ok { "ok" } else { "FAIL" })
}

/// The *same bits* cell: `—` (JSON null) on the first ISA of a function, else yes/NO.
pub fn same_bits_field(same: Option<bool>) -> Field {
    Field {
        key: "same_bits",
        header: "same bits".to_string(),
        value: same.map_or(serde_json::Value::Null, serde_json::Value::Bool),
        text: match same {
            None => "—",
            Some(true) => "yes",
            Some(false) => "NO",
        }
        .to_string(),
        hidden: false,
    }
}

/// The *same bits* of an ISA's output `hash`: `None` on a function's first ISA, whose hash
/// it keeps in `first`, then whether `hash` equals it.
pub fn same_bits(first: &mut Option<u64>, hash: u64) -> Option<bool> {
    match *first {
        None => {
            *first = Some(hash);
            None
        }
        Some(h) => Some(h == hash),
    }
}

/// Sweeps every function × dtype × ISA of the plan; `show_progress` draws a bar on stderr.
pub fn measure(plan: &Plan, show_progress: bool) -> Vec<UlpRow> {
    let total: u64 = plan
        .dtypes
        .iter()
        .map(|&d| plan.chunks(d) * (plan.ops.len() * plan.isas.len()) as u64)
        .sum();
    let progress = Progress::new(total, show_progress);
    let mut rows = Vec::new();
    for op in &plan.ops {
        for &dtype in &plan.dtypes {
            let mut first_hash = None;
            for &isa in &plan.isas {
                progress.set_label(format!("{} {isa} {}", op.name, dtype.name()));
                let t = Instant::now();
                let (stats, hash) = match dtype {
                    Dtype::F32 => {
                        sweep(op, &op.defaults(), isa, plan.step, plan.threads, &|_, _| {
                            progress.add(1)
                        })
                        .expect("the instruction sets were checked when parsed")
                    }
                    Dtype::F16 => half_stats::<f16>(op, isa, &progress),
                    Dtype::Bf16 => half_stats::<bf16>(op, isa, &progress),
                };
                let same_bits = same_bits(&mut first_hash, hash);
                rows.push(UlpRow {
                    op,
                    isa,
                    dtype,
                    bound: dtype.bound(op),
                    exhaustive: dtype.always_exhaustive() || plan.step == 1,
                    stats,
                    hash,
                    same_bits,
                    seconds: t.elapsed().as_secs_f64(),
                });
            }
        }
    }
    progress.finish();
    rows
}

/// All 65,536 inputs of a half type.
fn half_stats<T: Element>(op: &OpInfo, isa: Isa, progress: &Progress) -> (Stats, u64) {
    let r = halves::stats::<T>(op, &op.defaults(), isa)
        .expect("the instruction sets were checked when parsed");
    progress.add(1);
    r
}

/// Every failing row's message (bound exceeded, or bits that differ between ISAs).
pub fn failures(rows: &[UlpRow], scale: f64) -> Vec<String> {
    rows.iter().filter_map(|r| r.failure(scale)).collect()
}

/// Renders the results in `format`. Markdown is a document of its own (title, the command
/// line, the machine, the tables, what was swept and how long it took), so that
/// `lanewise ulp > docs/accuracy.md` regenerates the accuracy page. JSON: one line per
/// result; CSV: one block per table, separated by an empty line.
pub fn render(
    rows: &[UlpRow],
    row_fns: &[RowResult],
    plan: &Plan,
    format: Format,
    scale: f64,
) -> String {
    let fields: Vec<_> = rows.iter().map(|r| r.fields(scale)).collect();
    let row_fields: Vec<_> = row_fns.iter().map(|r| r.fields(scale)).collect();
    match format {
        Format::Json => {
            return output::render(format, &fields) + &output::render(format, &row_fields);
        }
        Format::Csv => {
            let gap = if fields.is_empty() || row_fields.is_empty() {
                ""
            } else {
                "\n"
            };
            return output::render(format, &fields) + gap + &output::render(format, &row_fields);
        }
        Format::Markdown => {}
    }
    let command: Vec<String> = std::iter::once("lanewise".to_string())
        .chain(std::env::args().skip(1))
        .collect();
    let secs: f64 = rows.iter().map(|r| r.seconds).sum::<f64>()
        + row_fns.iter().map(|r| r.seconds).sum::<f64>();
    let mut out = format!(
        "# lanewise accuracy: max ULP error against f64 references\n\n\
         `{}` · lanewise {} · {} · {} threads · {} in all\n",
        command.join(" "),
        env!("CARGO_PKG_VERSION"),
        cpu_name(),
        plan.threads,
        format_duration(secs)
    );
    if !rows.is_empty() {
        let mut swept = Vec::new();
        if plan.dtypes.contains(&Dtype::F32) {
            swept.push(if plan.step == 1 {
                "all 2^32 f32 inputs".to_string()
            } else {
                format!(
                    "every {}th f32 bit pattern ({} inputs)",
                    plan.step,
                    sweep_len(plan.step)
                )
            });
        }
        if plan.dtypes.iter().any(|d| d.always_exhaustive()) {
            swept.push("all 65,536 inputs of each half type".to_string());
        }
        out += &format!(
            "\n## Elementwise functions\n\n{}\n\
             Swept: {} per row (column *inputs*; *(all)* marks an exhaustive row). Errors are \
             in ulps of the output type, `|y − r| / ulp(r)` with r the f64 reference; \
             *correctly rounded*: y equals r rounded to nearest; *special mismatches*: \
             NaN/±inf/overflow of the wrong kind; *same bits*: the outputs equal the first \
             ISA's of the same function.\n",
            output::render(format, &fields),
            swept.join("; ")
        );
    }
    if !row_fns.is_empty() {
        out += &format!(
            "\n## Row-wise functions\n\n{}\n\
             Checked on the adversarial rows of `lanewise::accuracy::rows` (2^16-long rows, \
             huge spreads, equal logits, −inf entries, single elements, masks, ...): rows \
             cannot be enumerated, so these bounds come from the error budget in \
             `lanewise::table::ROW_OPS` and this is evidence, not proof. Errors in ulps of the \
             element type of `max(|r|, floor)`; half rows are the f32 rows rounded to the type, \
             bound 0.5 + (f32 bound)·2^(p−24) for p-bit halves.\n",
            output::render(format, &row_fields)
        );
    }
    out
}

/// The processor's model name (Linux), for the report's header.
fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// Runs `lanewise ulp`.
pub fn run(args: &UlpArgs) -> Result<ExitCode, String> {
    let (ops, row_ops) = cli::selection(&args.select.functions)?;
    let plan = Plan {
        ops,
        isas: cli::isas(&args.select.isa)?,
        dtypes: args.select.dtype.clone(),
        step: args.step,
        threads: cli::threads(args.threads),
    };
    let rows = measure(&plan, !args.quiet);
    let row_ops: Vec<_> = row_ops.into_iter().filter(|o| rows::checkable(o)).collect();
    let row_fns = if row_ops.is_empty() {
        Vec::new()
    } else {
        let cells = row_ops.len() * plan.isas.len() * plan.dtypes.len();
        let progress = Progress::new(cells as u64, !args.quiet);
        progress.set_label("row-wise functions, adversarial rows".to_string());
        let r = rows::measure(
            &row_ops,
            &plan.isas,
            &plan.dtypes,
            &adversarial_rows(),
            &|| progress.add(1),
        );
        progress.finish();
        r
    };
    let format = Format::from_args(&args.format);
    print!(
        "{}",
        render(&rows, &row_fns, &plan, format, args.bound_scale)
    );
    let mut failed = failures(&rows, args.bound_scale);
    failed.extend(row_fns.iter().filter_map(|r| r.failure(args.bound_scale)));
    Ok(report_failures(&failed))
}

/// Prints failures on stderr; the exit status: 1 if there are any.
pub fn report_failures(failures: &[String]) -> ExitCode {
    for f in failures {
        eprintln!("lanewise: FAIL {f}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(max_ulp: f64, same_bits: Option<bool>) -> UlpRow {
        let op = lanewise::table::find("exp").unwrap();
        UlpRow {
            op,
            isa: Isa::Scalar,
            dtype: Dtype::F32,
            bound: op.ulp_f32,
            exhaustive: false,
            stats: Stats {
                count: 10,
                max_ulp,
                worst_input: 88.5,
                ..Stats::default()
            },
            hash: 0,
            same_bits,
            seconds: 0.0,
        }
    }

    #[test]
    fn same_bits_compares_with_the_first_hash() {
        let mut first = None;
        assert_eq!(same_bits(&mut first, 7), None);
        assert_eq!(same_bits(&mut first, 7), Some(true));
        assert_eq!(same_bits(&mut first, 8), Some(false));
        assert_eq!(same_bits(&mut first, 7), Some(true));
    }

    #[test]
    fn gate_on_bound_and_bits() {
        assert!(failures(&[row(0.9, None), row(1.0, Some(true))], 1.0).is_empty());
        let f = failures(&[row(1.01, None)], 1.0);
        assert_eq!(f.len(), 1);
        assert!(f[0].contains("exp on scalar (f32): max 1.010 ulp at x = 8.85e1"));
        assert_eq!(failures(&[row(0.9, None)], 0.5).len(), 1);
        assert_eq!(failures(&[row(0.9, Some(false))], 1.0).len(), 1);
        assert_eq!(failures(&[row(f64::INFINITY, None)], 1e9).len(), 1);
    }

    #[test]
    fn half_rows_must_be_correctly_rounded() {
        let half = |correctly_rounded, special_mismatches| UlpRow {
            dtype: Dtype::F16,
            bound: 0.5,
            exhaustive: true,
            stats: Stats {
                count: 65536,
                max_ulp: 0.5,
                correctly_rounded,
                special_mismatches,
                ..Stats::default()
            },
            ..row(0.5, None)
        };
        assert!(failures(&[half(65536, 0)], 1.0).is_empty());
        // Within 0.5 ulp but misrounded (an exact midpoint rounded the wrong way).
        let f = failures(&[half(65535, 0)], 1.0);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].contains("exp on scalar (f16): 1 of 65536 outputs"),
            "{f:?}"
        );
        assert_eq!(failures(&[half(65536, 1)], 1.0).len(), 1);
        // The f32 rows have no such promise.
        let mut r = row(0.9, None);
        r.stats.correctly_rounded = 3;
        assert!(failures(&[r], 1.0).is_empty());
    }

    #[test]
    fn measured_half_rows_pass_and_agree() {
        let plan = Plan {
            ops: cli::functions(&["sigmoid".into(), "relu".into()]).unwrap(),
            isas: Isa::available(),
            dtypes: vec![Dtype::F16, Dtype::Bf16],
            step: 1 << 20, // ignored by the half types
            threads: 1,
        };
        let rows = measure(&plan, false);
        assert_eq!(rows.len(), 2 * 2 * plan.isas.len());
        assert!(failures(&rows, 1.0).is_empty());
        assert!(rows.iter().all(|r| r.stats.count == 65536 && r.exhaustive));
        assert!(
            rows.iter()
                .all(|r| r.stats.correctly_rounded == r.stats.count)
        );
    }

    #[test]
    fn measured_rows_pass_and_agree() {
        let plan = Plan {
            ops: cli::functions(&["exp".into(), "relu".into()]).unwrap(),
            isas: Isa::available(),
            dtypes: vec![Dtype::F32],
            step: 1 << 16,
            threads: 2,
        };
        let rows = measure(&plan, false);
        assert_eq!(rows.len(), 2 * plan.isas.len());
        assert!(failures(&rows, 1.0).is_empty());
        assert!(rows.iter().all(|r| r.stats.count == 1 << 16));
        assert_eq!(rows[0].op.name, "relu"); // table order
        assert_eq!(rows[0].stats.max_ulp, 0.0); // relu is exact
    }
}
