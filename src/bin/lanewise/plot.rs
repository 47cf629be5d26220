//! `lanewise plot`: error in ulps against the input, over the whole f32 range on a
//! symmetric log scale, as SVG or PNG.

use crate::cli::{self, PlotArgs};
use crate::output::ulp_text;
use lanewise::accuracy::{Stats, sweep_chunks, sweep_len};
use lanewise::reference::ulp_error_f32;
use lanewise::table::{OpInfo, find};
use lanewise::{Isa, parse_isa};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;
use std::error::Error;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The smallest positive f32 (2^−149): the edge of the linear part of the scale.
const TINY: f64 = 1.401_298_464_324_817e-45;

/// The symmetric log scale over f32 values: `u(x) = sign(x)·(1 + log10(|x|/2^−149))`, so
/// u(0) = 0, u(±2^−149) = ±1, and u(±FLT_MAX) ≈ ±84.4; between 0 and the smallest
/// subnormal the scale is linear. ±inf sit just past ±FLT_MAX.
#[derive(Clone, Copy, Debug)]
pub struct SymLog;

impl SymLog {
    /// The position of `x` on the scale.
    pub fn u(x: f64) -> f64 {
        let a = x.abs().min(f32::MAX as f64 * 4.0);
        let u = if a >= TINY {
            1.0 + (a / TINY).log10()
        } else {
            a / TINY
        };
        u.copysign(x)
    }

    /// The value at position `u` (the inverse of [`SymLog::u`]).
    pub fn x(u: f64) -> f64 {
        let a = u.abs();
        let x = if a >= 1.0 {
            TINY * 10f64.powf(a - 1.0)
        } else {
            a * TINY
        };
        x.copysign(u)
    }

    /// The ends of the scale (a little past ±FLT_MAX, where ±inf are drawn).
    pub fn end() -> f64 {
        f32::MAX as f64 * 4.0
    }
}

impl Ranged for SymLog {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let end = SymLog::u(SymLog::end());
        let t = (SymLog::u(*value) + end) / (2.0 * end);
        limit.0 + (t * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Powers of ten every `decades` decades, both signs, and zero.
        let max = hint.max_num_points();
        let decades = [10, 20, 40]
            .into_iter()
            .find(|d| 2 * (80 / d) < max)
            .unwrap_or(0);
        if decades == 0 {
            return if max >= 1 { vec![0.0] } else { vec![] };
        }
        let mut pts = vec![0.0];
        let mut e = -40;
        while e <= 30 {
            let p = 10f64.powi(e);
            pts.push(p);
            pts.push(-p);
            e += decades as i32;
        }
        pts.sort_by(f64::total_cmp);
        pts
    }

    fn range(&self) -> Range<f64> {
        -SymLog::end()..SymLog::end()
    }
}

impl ValueFormatter<f64> for SymLog {
    fn format_ext(&self, value: &f64) -> String {
        match *value {
            0.0 => "0".to_string(),
            1.0 => "1".to_string(),
            -1.0 => "-1".to_string(),
            v => format!("{v:e}"),
        }
    }
}

/// The errors of the inputs that fall in one slice of the scale.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bin {
    /// Inputs in the bin (NaN inputs are not binned).
    pub count: u64,
    /// Largest finite error.
    pub max: f64,
    /// Sum of finite errors.
    pub sum: f64,
    /// Outputs of the wrong kind (NaN/inf/overflow), whose error is infinite.
    pub special: u64,
}

/// Errors of `op` on `isa` over every `step`-th f32, binned into `bins` equal slices of
/// the symmetric log scale; also the overall statistics.
pub fn profile(op: &OpInfo, isa: Isa, step: u64, bins: usize, threads: usize) -> (Vec<Bin>, Stats) {
    let end = SymLog::u(SymLog::end());
    let parts = sweep_chunks(
        op,
        &op.defaults(),
        isa,
        step,
        threads,
        &|_, _| {},
        || (vec![Bin::default(); bins], Stats::default()),
        |(acc, st), c| {
            for ((&x, &y), &r) in c.x.iter().zip(c.y).zip(c.reference) {
                st.record(x, y, r);
                if x.is_nan() {
                    continue;
                }
                let t = (SymLog::u(x as f64) + end) / (2.0 * end);
                let b = &mut acc[((t * bins as f64) as usize).min(bins - 1)];
                let e = ulp_error_f32(y, r);
                b.count += 1;
                if e.is_finite() {
                    b.max = b.max.max(e);
                    b.sum += e;
                } else {
                    b.special += 1;
                }
            }
        },
    )
    .expect("the instruction set was checked when parsed");
    let mut bins_out = vec![Bin::default(); bins];
    let mut stats = Stats::default();
    for (acc, st) in &parts {
        stats.merge(st);
        for (o, b) in bins_out.iter_mut().zip(acc) {
            o.count += b.count;
            o.max = o.max.max(b.max);
            o.sum += b.sum;
            o.special += b.special;
        }
    }
    (bins_out, stats)
}

/// What one picture shows.
struct Picture<'a> {
    op: &'a OpInfo,
    isa: Isa,
    step: u64,
    bins: &'a [Bin],
    stats: Stats,
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, p: &Picture) -> Result<(), Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let end = SymLog::u(SymLog::end());
    let mid = |i: usize| SymLog::x(-end + (i as f64 + 0.5) * 2.0 * end / p.bins.len() as f64);
    let max_finite = p.bins.iter().map(|b| b.max).fold(0.0, f64::max);
    let ymax = (max_finite.max(p.op.ulp_f32).max(0.5) * 1.15 * 100.0).ceil() / 100.0;
    root.fill(&WHITE)?;
    let inputs = if p.step == 1 {
        "all 2^32 f32 inputs".to_string()
    } else {
        format!("every {}th f32, {} inputs", p.step, sweep_len(p.step))
    };
    let title = format!(
        "{} on {}: error vs input ({inputs}); max {} ulp at x = {:e}, bound {}",
        p.op.name,
        p.isa,
        ulp_text(p.stats.max_ulp),
        p.stats.worst_input,
        p.op.ulp_f32
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(SymLog, 0.0..ymax)?;
    chart
        .configure_mesh()
        .x_desc("input x (symmetric log scale: linear below 2^-149, logarithmic above)")
        .y_desc("error (ulp)")
        .y_label_formatter(&|v| format!("{v:.2}"))
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            [
                (-SymLog::end(), p.op.ulp_f32),
                (SymLog::end(), p.op.ulp_f32),
            ],
            RED.stroke_width(2),
        ))?
        .label(format!("published bound ({} ulp)", p.op.ulp_f32))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart
        .draw_series(
            p.bins
                .iter()
                .enumerate()
                .filter(|(_, b)| b.count > b.special)
                .map(|(i, b)| Circle::new((mid(i), b.max), 2, BLUE.filled())),
        )?
        .label("max error per bin")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.filled()));
    chart
        .draw_series(
            p.bins
                .iter()
                .enumerate()
                .filter(|(_, b)| b.count > b.special)
                .map(|(i, b)| {
                    Circle::new(
                        (mid(i), b.sum / (b.count - b.special) as f64),
                        1,
                        BLACK.mix(0.5).filled(),
                    )
                }),
        )?
        .label("mean error per bin")
        .legend(|(x, y)| Circle::new((x + 10, y), 2, BLACK.mix(0.5).filled()));
    if p.bins.iter().any(|b| b.special > 0) {
        chart
            .draw_series(
                p.bins
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.special > 0)
                    .map(|(i, _)| Cross::new((mid(i), ymax * 0.97), 5, RED.stroke_width(2))),
            )?
            .label("special-value mismatch (NaN/inf of the wrong kind)")
            .legend(|(x, y)| Cross::new((x + 10, y), 4, RED.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Writes the picture to `path` (`.svg` or `.png`).
fn write(path: &Path, size: (u32, u32), p: &Picture) -> Result<(), Box<dyn Error>> {
    // plotters lays text out (and, for PNG, draws it) with this embedded font.
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the embedded DejaVu Sans font did not load")?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => draw(SVGBackend::new(path, size).into_drawing_area(), p),
        Some("png") => draw(BitMapBackend::new(path, size).into_drawing_area(), p),
        _ => Err(format!("{}: the file name must end in .svg or .png", path.display()).into()),
    }
}

/// Runs `lanewise plot`.
pub fn run(args: &PlotArgs) -> Result<ExitCode, String> {
    let op = find(&args.function).ok_or_else(|| {
        cli::functions(std::slice::from_ref(&args.function))
            .err()
            .unwrap_or_default()
    })?;
    let isa = match &args.isa {
        Some(name) => parse_isa(name).map_err(|e| e.to_string())?,
        None => Isa::best(),
    };
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{isa}.svg", op.name)));
    if !matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("svg" | "png")
    ) {
        return Err(format!(
            "{}: the file name must end in .svg or .png",
            path.display()
        ));
    }
    let bins = (args.width as usize / 2).max(16);
    let (bins, stats) = profile(op, isa, args.step, bins, cli::threads(args.threads));
    let picture = Picture {
        op,
        isa,
        step: args.step,
        bins: &bins,
        stats,
    };
    write(&path, (args.width, args.height), &picture)
        .map_err(|e| format!("plot {}: {e}", path.display()))?;
    eprintln!(
        "wrote {}: {} on {isa}, {} inputs, max {} ulp at x = {:e}",
        path.display(),
        op.name,
        stats.count,
        ulp_text(stats.max_ulp),
        stats.worst_input
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_round_trips_and_is_symmetric() {
        for x in [0.0, TINY, 1e-40, 1.0, -3.5, 1e30, f32::MAX as f64] {
            let u = SymLog::u(x);
            assert_eq!(SymLog::u(-x), -u);
            assert!((SymLog::x(u) - x).abs() <= 1e-9 * x.abs(), "{x}");
        }
        assert_eq!(SymLog::u(0.0), 0.0);
        assert!((SymLog::u(TINY) - 1.0).abs() < 1e-12);
        assert!(SymLog::u(1.0) < SymLog::u(2.0));
        assert_eq!(SymLog::u(f64::INFINITY), SymLog::u(SymLog::end()));
    }

    #[test]
    fn profile_bins_every_non_nan_input() {
        let op = find("exp").unwrap();
        let (bins, st) = profile(op, Isa::Scalar, 1 << 16, 100, 2);
        assert_eq!(st.count, 1 << 16);
        let binned: u64 = bins.iter().map(|b| b.count).sum();
        let nans = (0..1u64 << 32)
            .step_by(1 << 16)
            .filter(|&b| f32::from_bits(b as u32).is_nan())
            .count() as u64;
        assert_eq!(binned + nans, 1 << 16);
        let max = bins.iter().map(|b| b.max).fold(0.0, f64::max);
        assert_eq!(max, st.max_ulp);
    }
}
