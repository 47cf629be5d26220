//! Output digests: "same bits on every machine", checked by a line of text per function.
//!
//! A [`Case`] is one function at one set of parameters and one dtype, run over a fixed,
//! deterministic input set; its digest is a 64-bit FNV-1a hash of the output bits.
//! `tests/data/digests.txt` holds the digests of every case as generated on x86-64 (where
//! scalar, AVX2 and AVX-512 agree), and `tests/digests.rs` checks every instruction set of
//! the machine it runs on against that file: aarch64 NEON under qemu included.
//!
//! The file has one line per case, `dtype function params inputs digest`, so a new
//! function, parameter set, dtype or input set is a new line. Regenerate it (only when an
//! output change is intended, and on x86-64) with
//! `cargo run --release --example digests -- --write`.
//!
//! Covered: every elementwise function of [`OPS`] at its defaults and at [`ALT_PARAMS`],
//! PReLU per channel, and every row-wise function of [`ROW_OPS`](crate::table::ROW_OPS)
//! over contiguous and strided rows, with and without a mask; then the same for f16 and
//! bf16: every elementwise function over all 65,536 bit patterns (`all-f16`, `all-bf16`)
//! and every row-wise function over the same rows rounded to the half type.
//!
//! ```
//! use lanewise::digest;
//! let cases = digest::cases();
//! let relu = cases.iter().find(|c| c.key() == "f32 relu - unary-v1").unwrap();
//! // Every level this machine has gives the same digest.
//! let first = lanewise::with_isa(lanewise::Isa::Scalar, || relu.digest()).unwrap();
//! assert_eq!(relu.digest(), first);
//! ```

use crate::table::{OPS, OpInfo};
use std::collections::BTreeMap;

/// Alternative values tried for every scalar parameter of every function in [`OPS`], one
/// parameter at a time (the others at their defaults); values equal to the default are
/// skipped. Infinity and NaN are there because a parameter is user input: the outputs must
/// agree across machines for those too.
pub const ALT_PARAMS: [f32; 6] = [-0.75, 0.0, 0.25, 2.5, f32::INFINITY, f32::NAN];

/// PReLU's per-channel slopes in its digest case: seven channels, so rows straddle vectors.
pub const PRELU_ALPHA: [f32; 7] = [0.25, -0.5, 2.5, 0.0, 1.0, -0.0, 0.01];

/// One function, parameter set and dtype over one input set.
pub struct Case {
    /// The element type, as written in the digest file (`f32`).
    pub dtype: &'static str,
    /// The function's lanewise name.
    pub function: &'static str,
    /// `name=value,…` (values in Rust's shortest round-trip form), or `-` when there are none.
    pub params: String,
    /// The input set: `unary-v1` ([`unary_inputs`]); `rows-v1` and `rows-v1-strided`
    /// ([`rows_of_len`] for every length of [`ROW_LENS`]); `one-hot-v1[-strided]`; `all-f16`
    /// and `all-bf16` (every bit pattern of the half type).
    pub inputs: &'static str,
    run: Box<dyn Fn() -> Vec<u8> + Send + Sync>,
    input_bits: Option<fn() -> Vec<u32>>,
}

impl Case {
    /// The first four columns of the case's line: `dtype function params inputs`.
    ///
    /// ```
    /// let c = &lanewise::digest::cases()[0];
    /// assert!(c.key().starts_with("f32 "));
    /// ```
    pub fn key(&self) -> String {
        format!(
            "{} {} {} {}",
            self.dtype, self.function, self.params, self.inputs
        )
    }

    /// Bytes per output element (4 for f32, 2 for 16-bit dtypes).
    pub fn width(&self) -> usize {
        match self.dtype {
            "f32" => 4,
            _ => 2,
        }
    }

    /// The output bits, little-endian, [`Case::width`] bytes per element, computed on the
    /// active instruction set ([`crate::with_isa`] picks another).
    ///
    /// ```
    /// let c = &lanewise::digest::cases()[0];
    /// assert_eq!(c.outputs().len(), c.width() * lanewise::digest::unary_inputs().len());
    /// ```
    pub fn outputs(&self) -> Vec<u8> {
        (self.run)()
    }

    /// For elementwise cases (output `i` is the function of input `i`), the inputs' bits.
    ///
    /// ```
    /// let c = &lanewise::digest::cases()[0];
    /// assert_eq!(c.input_bits().unwrap().len(), lanewise::digest::unary_inputs().len());
    /// ```
    pub fn input_bits(&self) -> Option<Vec<u32>> {
        self.input_bits.map(|f| f())
    }

    /// FNV-1a 64 of [`Case::outputs`].
    ///
    /// ```
    /// let c = &lanewise::digest::cases()[0];
    /// assert_eq!(c.digest(), lanewise::digest::fnv1a64(&c.outputs()));
    /// ```
    pub fn digest(&self) -> u64 {
        fnv1a64(&self.outputs())
    }
}

/// The 64-bit FNV-1a hash of `bytes`.
///
/// ```
/// assert_eq!(lanewise::digest::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
/// assert_eq!(lanewise::digest::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// splitmix64, for the pseudo-random part of the input set (fixed seed, any platform).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Points where some function changes branch, saturates, overflows or underflows; the input
/// set holds each with both signs and its neighbouring f32 on either side.
pub const EDGES: &[f32] = &[
    0.5,
    1.0,
    2.0,
    3.0,
    6.0,
    16.0,
    1.0e-3,
    core::f32::consts::LN_2,
    0.044_715,
    1.702,
    87.0,
    87.336_55,
    88.722_84,
    88.8,
    103.97,
    104.0,
    120.0,
    1.0e18,
    1.844_674_4e19,
    f32::MIN_POSITIVE,
    f32::MAX,
];

/// The input set `unary-v1` (about 105 k values, fixed forever: a new set gets a new name):
///
/// 1. specials: ±0, ±inf, quiet and signalling NaNs of both signs with payloads, the largest
///    and smallest subnormals and normals;
/// 2. [`EDGES`] (branch points, saturation and overflow thresholds) with both signs and
///    their neighbouring f32 on each side;
/// 3. 8192 subnormals spread over the subnormal range, both signs;
/// 4. every 65 521st bit pattern (prime, so every exponent and sign is hit): 65 551 values,
///    NaNs and infinities included;
/// 5. 16 385 evenly spaced values in [−20, 20], where most functions bend;
/// 6. 16 384 pseudo-random bit patterns (splitmix64, seed 0x6c616e65).
///
/// ```
/// let x = lanewise::digest::unary_inputs();
/// assert!(x.iter().any(|v| v.is_nan()) && x.iter().any(|v| v.is_subnormal()));
/// ```
pub fn unary_inputs() -> Vec<f32> {
    let mut bits: Vec<u32> = vec![
        0x0000_0000,
        0x8000_0000,
        0x7f80_0000,
        0xff80_0000,
        0x7fc0_0000,
        0xffc0_0000,
        0x7f80_0001,
        0xff80_0001,
        0x7fa0_1234,
        0xffff_ffff,
        0x7fff_ffff,
        0x0000_0001,
        0x8000_0001,
        0x007f_ffff,
        0x807f_ffff,
    ];
    for &e in EDGES {
        for s in [0, 0x8000_0000u32] {
            let b = e.to_bits() | s;
            bits.extend([b.wrapping_sub(1), b, b.wrapping_add(1)]);
        }
    }
    for k in 0..4096u32 {
        let b = 1 + k * 2047;
        bits.extend([b, b | 0x8000_0000]);
    }
    bits.extend((0..=u32::MAX as u64).step_by(65_521).map(|b| b as u32));
    bits.extend(
        (0..=16_384)
            .map(|i| (-20.0 + 40.0 * i as f64 / 16_384.0) as f32)
            .map(f32::to_bits),
    );
    let mut state = 0x6c61_6e65u64;
    bits.extend((0..16_384).map(|_| splitmix64(&mut state) as u32));
    bits.into_iter().map(f32::from_bits).collect()
}

/// Runs `f` over `x` in chunks of 1, 2, …, 67 and then 4096 elements, repeated, so that
/// every tail length of every instruction set is exercised (the outputs do not depend on
/// the chunking: the driver's contract).
fn chunked<T>(x: &[T], out: &mut [T], f: impl Fn(&[T], &mut [T])) {
    let mut at = 0;
    let mut len = 1;
    while at < x.len() {
        let n = len.min(x.len() - at);
        f(&x[at..at + n], &mut out[at..at + n]);
        at += n;
        len = match len {
            4096 => 1,
            67 => 4096,
            _ => len + 1,
        };
    }
}

/// The little-endian bytes of `y`'s bit patterns.
fn le_bytes<T: bytemuck::Pod>(y: &[T]) -> Vec<u8> {
    let mut b: Vec<u8> = bytemuck::cast_slice(y).to_vec();
    if cfg!(target_endian = "big") {
        for e in b.chunks_exact_mut(size_of::<T>()) {
            e.reverse();
        }
    }
    b
}

fn unary_bits() -> Vec<u32> {
    unary_inputs().into_iter().map(f32::to_bits).collect()
}

fn params_text(op: &OpInfo, p: &[f32]) -> String {
    if op.params.is_empty() {
        return "-".into();
    }
    op.params
        .iter()
        .zip(p)
        .map(|(q, v)| format!("{}={v:?}", q.name))
        .collect::<Vec<_>>()
        .join(",")
}

/// Every parameter set a function's digests cover: the defaults, then [`ALT_PARAMS`] for
/// each parameter in turn.
fn param_sets(op: &OpInfo) -> Vec<Vec<f32>> {
    let defaults = op.defaults();
    let mut sets = vec![defaults.clone()];
    for i in 0..defaults.len() {
        for alt in ALT_PARAMS {
            if alt.to_bits() != defaults[i].to_bits() {
                let mut p = defaults.clone();
                p[i] = alt;
                sets.push(p);
            }
        }
    }
    sets
}

/// Every case, in file order: each function of [`OPS`] at each of its parameter sets, each
/// row-wise function of [`ROW_OPS`](crate::table::ROW_OPS) (both layouts, with and without
/// a mask), then PReLU with [`PRELU_ALPHA`].
///
/// A new dtype or table adds its cases here (one generator per table and dtype); the test
/// then asks for their lines in the file.
///
/// ```
/// let cases = lanewise::digest::cases();
/// for op in lanewise::table::OPS {
///     assert!(cases.iter().any(|c| c.function == op.name));
/// }
/// ```
pub fn cases() -> Vec<Case> {
    let mut cases = vec![];
    for op in OPS {
        for p in param_sets(op) {
            cases.push(Case {
                dtype: "f32",
                function: op.name,
                params: params_text(op, &p),
                inputs: "unary-v1",
                run: Box::new(move || {
                    let x = unary_inputs();
                    let mut y = vec![0.0f32; x.len()];
                    chunked(&x, &mut y, |x, o| (op.run)(x, o, &p));
                    le_bytes(&y)
                }),
                input_bits: Some(unary_bits),
            });
        }
    }
    for op in OPS {
        for p in param_sets(op) {
            cases.push(half_case::<crate::f16>(op, p.clone(), "all-f16"));
            cases.push(half_case::<crate::bf16>(op, p, "all-bf16"));
        }
    }
    for op in crate::table::ROW_OPS {
        cases.extend(row_cases::<f32>(op));
    }
    for op in crate::table::ROW_OPS {
        cases.extend(row_cases::<crate::f16>(op));
        cases.extend(row_cases::<crate::bf16>(op));
    }
    cases.push(Case {
        dtype: "f32",
        function: "prelu",
        params: format!(
            "alpha=[{}]",
            PRELU_ALPHA.map(|a| format!("{a:?}")).join(";")
        ),
        inputs: "unary-v1",
        run: Box::new(|| {
            let mut x = unary_inputs();
            x.truncate(x.len() / PRELU_ALPHA.len() * PRELU_ALPHA.len());
            let mut y = vec![0.0f32; x.len()];
            crate::prelu(&x, &mut y, &PRELU_ALPHA);
            le_bytes(&y)
        }),
        input_bits: Some(unary_bits),
    });
    cases
}

/// `op` at parameters `p` over every bit pattern of the 16-bit type `T` (input set
/// `all-f16` / `all-bf16`).
fn half_case<T: crate::Element>(op: &'static OpInfo, p: Vec<f32>, inputs: &'static str) -> Case {
    Case {
        dtype: T::DTYPE.name(),
        function: op.name,
        params: params_text(op, &p),
        inputs,
        run: Box::new(move || {
            let x: Vec<T> = (0..=u16::MAX).map(bytemuck::cast).collect();
            let mut y = vec![T::default(); x.len()];
            chunked(&x, &mut y, |x, o| op.run_as(x, o, &p));
            le_bytes(&y)
        }),
        input_bits: Some(|| (0..=u16::MAX as u32).collect()),
    }
}

/// Row lengths of the input set `rows-v1`: around every vector width and the 16 virtual
/// lanes of the row functions, and long rows.
pub const ROW_LENS: [usize; 24] = [
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 128, 129, 256, 257, 1000, 4098,
];

/// The rows of length `n` in the input set `rows-v1`: uniform in [−30, 30], in [−10^4, 10^4]
/// (terms that underflow), subnormal-sized, all equal, one −inf and one 1e30, one NaN, one
/// +inf, and all −inf (splitmix64, seed 0x726f7773 + n).
///
/// ```
/// let rows = lanewise::digest::rows_of_len(5);
/// assert!(rows.iter().all(|r| r.len() == 5));
/// ```
pub fn rows_of_len(n: usize) -> Vec<Vec<f32>> {
    let mut state = 0x726f_7773u64 + n as u64;
    let mut uniform = |lo: f64, hi: f64| {
        let u = (splitmix64(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
        (lo + (hi - lo) * u) as f32
    };
    let mut rows = vec![
        (0..n).map(|_| uniform(-30.0, 30.0)).collect::<Vec<_>>(),
        (0..n).map(|_| uniform(-1e4, 1e4)).collect(),
        (0..n).map(|_| uniform(-1.0, 1.0) * 1e-40).collect(),
        vec![7.5; n],
        vec![f32::NEG_INFINITY; n],
    ];
    for special in [f32::NEG_INFINITY, f32::NAN, f32::INFINITY] {
        let mut r: Vec<f32> = (0..n).map(|_| uniform(-30.0, 30.0)).collect();
        r[n / 3] = special;
        if special == f32::NEG_INFINITY {
            r[n / 2] = 1e30;
        }
        rows.push(r);
    }
    rows
}

/// The mask of the masked row cases: element `j` is kept unless `7j mod 5 = 0`.
fn row_mask(j: usize) -> bool {
    !(j * 7).is_multiple_of(5)
}

/// Indices and class counts of the one-hot cases: in-range classes, the edges, negatives,
/// non-integers, NaN, infinities.
const ONE_HOT: ([f32; 12], [usize; 4]) = (
    [
        0.0,
        -0.0,
        1.0,
        2.0,
        15.0,
        16.0,
        99.0,
        -1.0,
        1.5,
        f32::NAN,
        f32::INFINITY,
        16_777_216.0,
    ],
    [1, 3, 16, 100],
);

/// The cases of a row-wise function: every row of [`rows_of_len`] for every length of
/// [`ROW_LENS`], contiguous (`rows-v1`) and strided with the rows interleaved
/// (`rows-v1-strided`), unmasked and masked (where the function takes a mask). For f16 and
/// bf16 the inputs are those rows (and the one-hot indices) rounded to `T`.
fn row_cases<T: crate::Element>(op: &'static crate::table::RowOpInfo) -> Vec<Case> {
    use crate::Axis;
    use crate::table::RowKind;
    let params = if op.variant.is_empty() {
        "-"
    } else {
        op.variant
    };
    let mut cases = vec![];
    if op.kind == RowKind::Expand {
        for strided in [false, true] {
            cases.push(Case {
                dtype: T::DTYPE.name(),
                function: op.name,
                params: params.into(),
                inputs: if strided {
                    "one-hot-v1-strided"
                } else {
                    "one-hot-v1"
                },
                run: Box::new(move || {
                    let (idx, classes) = ONE_HOT;
                    let idx = idx.map(T::from_f32);
                    let mut bytes = vec![];
                    for c in classes {
                        let k = idx.len();
                        let axis = if strided {
                            Axis::new(1, c, k)
                        } else {
                            Axis::new(k, c, 1)
                        };
                        let mut y = vec![T::default(); axis.len()];
                        op.run_as(&idx, &mut y, axis, None);
                        bytes.extend(le_bytes(&y));
                    }
                    bytes
                }),
                input_bits: None,
            });
        }
        return cases;
    }
    let maskable = matches!(op.kind, RowKind::Normalize | RowKind::Reduce);
    for strided in [false, true] {
        for masked in [false, true] {
            if masked && !maskable {
                continue;
            }
            cases.push(Case {
                dtype: T::DTYPE.name(),
                function: op.name,
                params: if masked {
                    format!("{params},mask").replace("-,", "")
                } else {
                    params.into()
                },
                inputs: if strided {
                    "rows-v1-strided"
                } else {
                    "rows-v1"
                },
                run: Box::new(move || {
                    let mut bytes = vec![];
                    for n in ROW_LENS {
                        if op.kind == RowKind::Split && n % 2 == 1 {
                            continue;
                        }
                        let rows = rows_of_len(n);
                        let k = rows.len();
                        // Row r, element j: rows one after another, or interleaved.
                        let (axis, at) = if strided {
                            (Axis::new(1, n, k), (1, k))
                        } else {
                            (Axis::new(k, n, 1), (n, 1))
                        };
                        let mut x = vec![T::default(); n * k];
                        let mut mask = vec![true; n * k];
                        for (r, row) in rows.iter().enumerate() {
                            for (j, &v) in row.iter().enumerate() {
                                x[r * at.0 + j * at.1] = T::from_f32(v);
                                mask[r * at.0 + j * at.1] = row_mask(j);
                            }
                        }
                        let out_len = match op.kind {
                            RowKind::Reduce => axis.rows(),
                            RowKind::Split => axis.len() / 2,
                            _ => axis.len(),
                        };
                        let mut y = vec![T::default(); out_len];
                        op.run_as(&x, &mut y, axis, masked.then_some(&mask[..]));
                        bytes.extend(le_bytes(&y));
                    }
                    bytes
                }),
                input_bits: None,
            });
        }
    }
    cases
}

/// The digest file's header.
pub const HEADER: &str = "\
# lanewise output digests: one line per case, `dtype function params inputs fnv1a64`.
# Generated on x86-64 (scalar, AVX2 and AVX-512 agreeing); tests/digests.rs checks every
# instruction set of the machine it runs on (aarch64 NEON under qemu included) against it.
# Regenerate, only for an intended change of output bits:
#   cargo run --release --example digests -- --write
# Inputs and parameter sets: see `lanewise::digest` (src/digest.rs).
";

/// The complete digest file for the cases' outputs on `isa`.
///
/// ```
/// let text = lanewise::digest::file_text(lanewise::Isa::Scalar).unwrap();
/// assert!(text.lines().any(|l| l.starts_with("f32 gelu - unary-v1 ")));
/// ```
pub fn file_text(isa: crate::Isa) -> Result<String, crate::IsaError> {
    crate::with_isa(isa, || {
        let mut s = HEADER.to_string();
        for c in cases() {
            s += &format!("{} {:016x}\n", c.key(), c.digest());
        }
        s
    })
}

/// Parses a digest file into `key → digest` (comments and blank lines skipped).
///
/// ```
/// let m = lanewise::digest::parse("# c\nf32 relu - unary-v1 00000000000000ff\n").unwrap();
/// assert_eq!(m["f32 relu - unary-v1"], 0xff);
/// assert!(lanewise::digest::parse("f32 relu 12").is_err());
/// ```
pub fn parse(text: &str) -> Result<BTreeMap<String, u64>, String> {
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            format!(
                "line {}: expected `dtype function params inputs digest`: {line}",
                i + 1
            )
        };
        if words.len() != 5 {
            return Err(bad());
        }
        let digest = u64::from_str_radix(words[4], 16).map_err(|_| bad())?;
        if map.insert(words[..4].join(" "), digest).is_some() {
            return Err(format!(
                "line {}: duplicate case {}",
                i + 1,
                words[..4].join(" ")
            ));
        }
    }
    Ok(map)
}
