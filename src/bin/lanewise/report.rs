//! `lanewise report`: the quickstart. Which ISA runs, a sampled ULP check of every function
//! on every ISA (one row per function), and throughput on the best ISA.

use crate::bench;
use crate::cli::{self, ReportArgs};
use crate::dtype::Dtype;
use crate::output::{self, Field, Format, input_text, percent_text, ulp_text};
use crate::ulp::{self, UlpRow};
use lanewise::Isa;
use lanewise::accuracy::sweep_len;
use lanewise::lut::Tables;
use lanewise::table::OPS;
use std::process::ExitCode;

/// One row per function: the worst of its ISAs, and whether all ISAs gave the same bits.
fn accuracy_rows(rows: &[UlpRow]) -> Vec<Vec<Field>> {
    OPS.iter()
        .filter_map(|op| {
            let mine: Vec<&UlpRow> = rows.iter().filter(|r| r.op.name == op.name).collect();
            let worst = mine
                .iter()
                .max_by(|a, b| a.stats.max_ulp.total_cmp(&b.stats.max_ulp))?;
            let same = mine.iter().all(|r| r.same_bits != Some(false));
            let st = &worst.stats;
            Some(vec![
                Field::text("fn", "function", op.name),
                Field::num("bound", "bound", worst.bound, worst.bound.to_string()),
                Field::num("max_ulp", "max ulp", st.max_ulp, ulp_text(st.max_ulp)),
                Field::num(
                    "worst_input",
                    "at x",
                    st.worst_input as f64,
                    input_text(st.worst_input),
                ),
                Field::num(
                    "correctly_rounded",
                    "correctly rounded",
                    st.correctly_rounded_fraction(),
                    percent_text(st.correctly_rounded_fraction()),
                ),
                Field::text(
                    "same_bits",
                    "same bits on every ISA",
                    if same { "yes" } else { "NO" },
                ),
                Field::text(
                    "result",
                    "result",
                    if mine.iter().all(|r| r.failure(1.0).is_none()) {
                        "ok"
                    } else {
                        "FAIL"
                    },
                ),
            ])
        })
        .collect()
}

/// One line on the exhaustive half-type sweeps: outputs correctly rounded, the largest
/// error, and whether every ISA gave the same bits.
fn half_summary(rows: &[UlpRow]) -> String {
    let count: u64 = rows.iter().map(|r| r.stats.count).sum();
    let rounded: u64 = rows.iter().map(|r| r.stats.correctly_rounded).sum();
    let max = rows.iter().map(|r| r.stats.max_ulp).fold(0.0, f64::max);
    let same = rows.iter().all(|r| r.same_bits != Some(false));
    format!(
        "**f16 / bf16** (all 65,536 inputs of each, every function and ISA): {rounded} of \
         {count} outputs correctly rounded, max {} half ulp, same bits on every ISA: {}.",
        ulp_text(max),
        if same { "yes" } else { "NO" }
    )
}

/// Runs `lanewise report`.
pub fn run(args: &ReportArgs) -> Result<ExitCode, String> {
    let isas = Isa::available();
    let best = Isa::best();
    println!(
        "# lanewise {} on {} (available: {}; `LANEWISE_ISA` picks another)\n",
        env!("CARGO_PKG_VERSION"),
        lanewise::active_isa(),
        isas.iter().map(|i| i.name()).collect::<Vec<_>>().join(", ")
    );
    let plan = ulp::Plan {
        ops: OPS.iter().collect(),
        isas: isas.clone(),
        dtypes: vec![Dtype::F32],
        step: args.step,
        threads: cli::threads(None),
    };
    let rows = ulp::measure(&plan, true);
    println!(
        "## Accuracy: every {}th f32 bit pattern ({} inputs), worst ISA per function\n",
        args.step,
        sweep_len(args.step)
    );
    print!(
        "{}",
        output::render(Format::Markdown, &accuracy_rows(&rows))
    );
    println!(
        "\nErrors in f32 ulps against the f64 references. All 2^32 inputs: `lanewise ulp` \
         (see docs/accuracy.md).\n"
    );
    let half_plan = ulp::Plan {
        dtypes: Dtype::HALVES.to_vec(),
        step: 1,
        ..plan
    };
    let half_rows = ulp::measure(&half_plan, true);
    println!("{}\n", half_summary(&half_rows));
    let bench_plan = bench::Plan {
        ops: OPS.iter().collect(),
        row_ops: Vec::new(),
        isas: vec![best],
        dtypes: vec![Dtype::F32],
        sizes: vec![4096, 1 << 20],
        repeats: 7,
        tables: Tables::Auto,
        range: bench::DEFAULT_RANGE,
    };
    println!("## Throughput on {best}\n");
    let bench_rows = bench::measure(&bench_plan, true);
    print!(
        "{}",
        bench::render(
            &bench_rows,
            Format::Markdown,
            bench_plan.repeats,
            bench_plan.range,
        )
    );
    println!("\nEvery size, ISA and dtype: `lanewise bench`.");
    let mut failed = ulp::failures(&rows, 1.0);
    failed.extend(ulp::failures(&half_rows, 1.0));
    Ok(ulp::report_failures(&failed))
}
