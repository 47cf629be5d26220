//! `lanewise`: accuracy reports, error plots and throughput of lanewise's kernels on this
//! machine (cargo feature `cli`).
//!
//! ```text
//! cargo run --release --features cli -- report          # the quick report (< 1 minute)
//! cargo run --release --features cli -- ulp exp,log     # all 2^32 f32 inputs, every ISA
//! cargo run --release --features cli -- ulp --step 4099 --json
//! cargo run --release --features cli -- plot gelu -o gelu.svg
//! cargo run --release --features cli -- bench gelu silu --json
//! cargo run --release --features cli -- readme --check README.md
//! ```

mod bench;
mod cli;
mod dtype;
mod output;
mod plot;
mod progress;
mod readme;
mod report;
mod ulp;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Cli::parse();
    let result = match &args.command {
        Command::Report(a) => report::run(a),
        Command::Ulp(a) => ulp::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Readme(a) => readme::run(a),
    };
    result.unwrap_or_else(|e| {
        eprintln!("lanewise: {e}");
        ExitCode::from(2)
    })
}
