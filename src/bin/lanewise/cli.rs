//! Command-line arguments, and turning names into table entries and instruction sets.

use crate::bench;
use crate::dtype::Dtype;
use clap::{Args, Parser, Subcommand};
use lanewise::Isa;
use lanewise::table::{OPS, OpInfo, ROW_OPS, RowOpInfo, find};
use std::path::PathBuf;

/// Accuracy reports, error plots and throughput of lanewise's kernels on this machine.
#[derive(Debug, Parser)]
#[command(name = "lanewise", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The quick report: chosen ISA, sampled ULP errors of every function on every ISA, one
    /// line on the exhaustive f16/bf16 sweeps, and throughput at n = 4096 and 1M on the best
    /// ISA (well under a minute).
    Report(ReportArgs),
    /// ULP error against the f64 references, per function × ISA × dtype. Exits with status 1
    /// when a published bound is exceeded or two ISAs disagree on an output bit.
    Ulp(UlpArgs),
    /// Error against input for one function and ISA, as an SVG or PNG picture.
    Plot(PlotArgs),
    /// Throughput (Gelem/s) per function × ISA × dtype × size, one thread, with memcpy of
    /// the same size as the roofline.
    Bench(BenchArgs),
    /// The README's generated tables: function/bound, speed, f16/bf16 accuracy and f16/bf16
    /// speed (print, check or rewrite them).
    Readme(ReadmeArgs),
}

/// Which functions, instruction sets and element types to cover.
#[derive(Debug, Args)]
pub struct Select {
    /// Functions, by lanewise name or MLX/Flax alias (comma-separated or repeated), row-wise
    /// ones (softmax, ...) included; default: every function of both tables.
    #[arg(value_name = "FN", value_delimiter = ',')]
    pub functions: Vec<String>,
    /// Instruction sets (scalar, avx2, avx512, neon, or `all`); default: all this machine has.
    #[arg(long, value_delimiter = ',')]
    pub isa: Vec<String>,
    /// Element types (f32, f16, bf16; comma-separated or repeated); row-wise functions
    /// accumulate in f32 and round each output once to the type.
    #[arg(long, value_delimiter = ',', default_value = "f32")]
    pub dtype: Vec<Dtype>,
}

/// How a table is printed.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// One JSON object per row and line.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Comma-separated values with a header line.
    #[arg(long)]
    pub csv: bool,
}

/// Arguments of `ulp`.
#[derive(Debug, Args)]
pub struct UlpArgs {
    #[command(flatten)]
    pub select: Select,
    /// f32: check every STEP-th bit pattern (1 = all 2^32 inputs, minutes per function and
    /// ISA). f16 and bf16 are always exhaustive (all 65,536 inputs, whatever STEP).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub step: u64,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Multiplies every published bound before the check (for testing the exit status).
    #[arg(long, default_value_t = 1.0, hide = true)]
    pub bound_scale: f64,
}

/// Arguments of `plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The function (lanewise name or MLX/Flax alias).
    #[arg(value_name = "FN")]
    pub function: String,
    /// The instruction set (default: the best this machine has).
    #[arg(long)]
    pub isa: Option<String>,
    /// Check every STEP-th f32 bit pattern (1 = all 2^32).
    #[arg(long, default_value_t = 4099, value_parser = clap::value_parser!(u64).range(1..))]
    pub step: u64,
    /// Output file; `.svg` or `.png` (default: FN-ISA.svg).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Picture width in pixels.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// Picture height in pixels.
    #[arg(long, default_value_t = 600)]
    pub height: u32,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Arguments of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub select: Select,
    /// Sizes in elements (suffixes K and M are powers of 2: 4K = 4096, 1M = 1048576).
    #[arg(long, value_delimiter = ',', default_value = "4096,1M,16M", value_parser = parse_size)]
    pub sizes: Vec<usize>,
    /// Timed repeats per measurement (the median is reported).
    #[arg(long, default_value_t = 11, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeats: u32,
    /// Inputs spread over LO:HI (a wide range shows what outliers cost, e.g. -100:100).
    #[arg(long, value_name = "LO:HI", default_value = "-10:10", allow_hyphen_values = true,
          value_parser = bench::parse_range)]
    pub range: (f32, f32),
    /// f16/bf16 lookup tables (`lanewise::lut`): `auto` (the library's default: the timed
    /// calls run from the table once 65,536 elements have been computed), `eager`, or `off`
    /// (the kernels alone).
    #[arg(long, default_value = "auto", value_parser = ["auto", "eager", "off"])]
    pub tables: String,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// f32 sample: every STEP-th bit pattern (65,537 gives 65,536 inputs).
    #[arg(long, default_value_t = 65537, value_parser = clap::value_parser!(u64).range(1..))]
    pub step: u64,
}

/// Arguments of `readme`.
#[derive(Debug, Args)]
pub struct ReadmeArgs {
    /// Check that FILE's function/bound table and f16/bf16 accuracy table match the table of
    /// operations (exit 1 if not); measures nothing.
    #[arg(long, value_name = "FILE", conflicts_with = "update")]
    pub check: Option<PathBuf>,
    /// Rewrite every generated table in FILE between its markers.
    #[arg(long, value_name = "FILE")]
    pub update: Option<PathBuf>,
}

/// Parses `4096`, `4K`, `1M`, `16M` (K and M are powers of two).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let (digits, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1 << 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 1 << 20),
        _ => (s, 1),
    };
    match digits.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n * mult),
        _ => Err(format!(
            "{s:?} is not a size (a positive count, optionally with K or M)"
        )),
    }
}

/// Writes a size the way `parse_size` reads it (`16M`, `4096`).
pub fn size_name(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{}M", n >> 20)
    } else {
        n.to_string()
    }
}

/// The functions named (by lanewise name or alias), in table order; all when none is named.
pub fn functions(names: &[String]) -> Result<Vec<&'static OpInfo>, String> {
    if names.is_empty() {
        return Ok(OPS.iter().collect());
    }
    let mut picked = Vec::new();
    for name in names {
        let op = find(name.trim()).ok_or_else(|| {
            let mut known: Vec<&str> = OPS.iter().map(|o| o.name).collect();
            for r in ROW_OPS {
                if !known.contains(&r.name) {
                    known.push(r.name);
                }
            }
            format!("unknown function {name:?}; known: {}", known.join(", "))
        })?;
        if !picked.iter().any(|p: &&OpInfo| p.name == op.name) {
            picked.push(op);
        }
    }
    picked.sort_by_key(|op| OPS.iter().position(|o| o.name == op.name));
    Ok(picked)
}

/// The elementwise and row-wise functions named; every one of both tables when none is.
pub fn selection(
    names: &[String],
) -> Result<(Vec<&'static OpInfo>, Vec<&'static RowOpInfo>), String> {
    if names.is_empty() {
        return Ok((OPS.iter().collect(), ROW_OPS.iter().collect()));
    }
    let mut elementwise = Vec::new();
    let mut rows: Vec<&'static RowOpInfo> = Vec::new();
    for name in names {
        let found = crate::rows::find(name.trim());
        if found.is_empty() {
            elementwise.push(name.clone());
        }
        for op in found {
            if !rows.iter().any(|r| std::ptr::eq(*r, op)) {
                rows.push(op);
            }
        }
    }
    rows.sort_by_key(|op| ROW_OPS.iter().position(|o| std::ptr::eq(o, *op)));
    let ops = if elementwise.is_empty() {
        Vec::new()
    } else {
        functions(&elementwise)?
    };
    Ok((ops, rows))
}

/// The instruction sets named (or `all`), slowest first; all available ones when none is
/// named. A level this machine lacks is an error.
pub fn isas(names: &[String]) -> Result<Vec<Isa>, String> {
    if names.is_empty() || names.iter().any(|n| n.trim() == "all") {
        return Ok(Isa::available());
    }
    let mut picked = Vec::new();
    for name in names {
        let isa = lanewise::parse_isa(name).map_err(|e| e.to_string())?;
        if !picked.contains(&isa) {
            picked.push(isa);
        }
    }
    picked.sort();
    Ok(picked)
}

/// The worker count: the one asked for, else every core.
pub fn threads(asked: Option<usize>) -> usize {
    asked
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("16m"), Ok(16 << 20));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert!(parse_size("0").is_err());
        assert!(parse_size("x").is_err());
        assert_eq!(size_name(16 << 20), "16M");
        assert_eq!(size_name(4096), "4096");
    }

    #[test]
    fn names_resolve_aliases_in_table_order() {
        let ops = functions(&["hardswish".into(), "relu".into(), "hard_swish".into()]).unwrap();
        let names: Vec<_> = ops.iter().map(|o| o.name).collect();
        assert_eq!(names, ["relu", "hard_swish"]);
        assert!(functions(&["nope".into()]).unwrap_err().contains("nope"));
        assert_eq!(functions(&[]).unwrap().len(), OPS.len());
    }

    #[test]
    fn selection_splits_row_functions() {
        let (ops, rows) =
            selection(&["softmax".into(), "gelu".into(), "standardize".into()]).unwrap();
        assert_eq!(ops.len(), 1);
        assert_eq!(rows.len(), 3); // softmax and both standardize variants
        let (ops, rows) = selection(&[]).unwrap();
        assert_eq!((ops.len(), rows.len()), (OPS.len(), ROW_OPS.len()));
        assert!(
            selection(&["softmaxx".into()])
                .unwrap_err()
                .contains("softmax")
        );
    }

    #[test]
    fn isa_names() {
        assert_eq!(isas(&["scalar".into()]).unwrap(), [Isa::Scalar]);
        assert_eq!(isas(&[]).unwrap(), Isa::available());
        assert!(isas(&["sse9".into()]).is_err());
    }
}
