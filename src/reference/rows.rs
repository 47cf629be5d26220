//! f64 references of the row-wise functions, and the error metric their bounds use.
//!
//! Sums are exact enough: the terms are sorted by magnitude and added with Neumaier's
//! compensation in f64 (error about 2^-100 of the sum of magnitudes), shifts `x − m` are
//! exact in f64 where they matter, and `log Σ` is `log1p` of the terms below the maximum
//! when the maximum is unique. Each value comes with a *floor*: the error of an f32 result
//! is measured in ulps of `max(|r|, floor)` ([`ulp_error_floor_f32`]), which is a plain
//! relative (ulp) error where the floor is 0 and "ulps of the largest term" where a
//! relative bound is impossible (logsumexp when `m` and `log Σ` cancel, a standardized
//! element next to the mean, ...).

/// A reference value and the floor of its error scale.
///
/// ```
/// let r = lanewise::reference::rows::RowRef { value: 0.5, floor: 0.0 };
/// assert_eq!(lanewise::reference::rows::ulp_error_floor_f32(0.5, r), 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowRef {
    /// The true value (NaN and ±inf as the spec says).
    pub value: f64,
    /// Errors are measured in ulps of `max(|value|, floor)`.
    pub floor: f64,
}

impl RowRef {
    fn exact(value: f64) -> RowRef {
        RowRef { value, floor: 0.0 }
    }
}

/// Error of `y` against `r` in f32 ulps of `max(|r.value|, r.floor)`; NaN/inf mismatches
/// are `f64::INFINITY` as in [`ulp_error_f32`](super::ulp_error_f32).
///
/// ```
/// use lanewise::reference::rows::{RowRef, ulp_error_floor_f32};
/// let r = RowRef { value: 1e-10, floor: 1.0 };
/// assert!(ulp_error_floor_f32(0.0, r) < 0.01); // 1e-10 is far below one ulp of 1
/// ```
pub fn ulp_error_floor_f32(y: f32, r: RowRef) -> f64 {
    if r.value.is_nan() || y.is_nan() || r.value.is_infinite() || y.is_infinite() {
        return super::ulp_error_f32(y, r.value);
    }
    let scale = r.value.abs().max(r.floor);
    let e = if scale == 0.0 {
        -126
    } else {
        (libm::frexp(scale).1 - 1).max(-126)
    };
    (y as f64 - r.value).abs() / 2f64.powi(e - 23)
}

/// Error of `y` against `r` in ulps of the format `dtype` of `max(|r.value|, r.floor)`
/// (`ulp(s) = 2^(max(⌊log2 s⌋, min_exponent) − mantissa_bits)`); NaN/inf mismatches, and
/// true values that round to ±inf in `dtype`, as [`Dtype::ulp_error`](crate::Dtype::ulp_error).
/// For f32 this is [`ulp_error_floor_f32`].
///
/// ```
/// use lanewise::{Dtype, reference::rows::{RowRef, ulp_error_floor}};
/// let r = RowRef { value: 1.0 + 2f64.powi(-11), floor: 0.0 };
/// assert_eq!(ulp_error_floor(1.0, r, Dtype::F16), 0.5);
/// assert_eq!(ulp_error_floor(f64::INFINITY, RowRef { value: 7e4, floor: 0.0 }, Dtype::F16), 0.0);
/// ```
pub fn ulp_error_floor(y: f64, r: RowRef, dtype: crate::Dtype) -> f64 {
    if r.value.is_nan()
        || y.is_nan()
        || r.value.is_infinite()
        || y.is_infinite()
        || dtype.round(r.value).is_infinite()
    {
        return dtype.ulp_error(y, r.value);
    }
    let scale = r.value.abs().max(r.floor);
    let min = dtype.min_exponent();
    let e = if scale == 0.0 {
        min
    } else {
        (libm::frexp(scale).1 - 1).max(min)
    };
    (y - r.value).abs() / 2f64.powi(e - dtype.mantissa_bits())
}

/// Σ of f64 terms, sorted by magnitude, with Neumaier's compensation.
///
/// ```
/// assert_eq!(lanewise::reference::rows::sum(&[1e16, 1.0, -1e16]), 1.0);
/// ```
pub fn sum(terms: &[f64]) -> f64 {
    let mut t = terms.to_vec();
    t.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for &x in &t {
        let n = s + x;
        if s.abs() >= x.abs() {
            c += (s - n) + x;
        } else {
            c += (x - n) + s;
        }
        s = n;
    }
    s + c
}

fn valid(mask: Option<&[bool]>, j: usize) -> bool {
    mask.is_none_or(|m| m[j])
}

/// The statistics of the softmax family over the valid elements of a row.
struct ExpStats {
    nan: bool,
    pinf: bool,
    m: f64,
    /// log Σ e^{x−m}.
    log_sum: f64,
}

fn exp_stats(x: &[f64], mask: Option<&[bool]>) -> ExpStats {
    let vals: Vec<f64> = (0..x.len())
        .filter(|&j| valid(mask, j))
        .map(|j| x[j])
        .collect();
    let nan = vals.iter().any(|v| v.is_nan());
    let pinf = vals.contains(&f64::INFINITY);
    let m = vals
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    let mut log_sum = f64::NAN;
    if m.is_finite() {
        let k = vals.iter().filter(|&&v| v == m).count() as f64;
        let t = sum(&vals
            .iter()
            .filter(|&&v| v < m)
            .map(|&v| libm::exp(v - m))
            .collect::<Vec<_>>());
        log_sum = if k == 1.0 {
            libm::log1p(t)
        } else {
            libm::log(k + t)
        };
    }
    ExpStats {
        nan,
        pinf,
        m,
        log_sum,
    }
}

fn widen(x: &[f32]) -> Vec<f64> {
    x.iter().map(|&v| v as f64).collect()
}

/// softmax of one row (masked-out elements 0; NaN rows per the spec). Relative (floor 0).
///
/// ```
/// let r = lanewise::reference::rows::softmax(&[0.0, 7.0], Some(&[true, false]));
/// assert_eq!((r[0].value, r[1].value), (1.0, 0.0));
/// ```
pub fn softmax(x: &[f32], mask: Option<&[bool]>) -> Vec<RowRef> {
    let xs = widen(x);
    let st = exp_stats(&xs, mask);
    let special = st.nan || !st.m.is_finite();
    (0..x.len())
        .map(|j| {
            RowRef::exact(if !valid(mask, j) {
                0.0
            } else if special {
                f64::NAN
            } else {
                libm::exp(xs[j] - st.m - st.log_sum)
            })
        })
        .collect()
}

/// softmin of one row: softmax of −x.
///
/// ```
/// assert_eq!(lanewise::reference::rows::softmin(&[0.0, f32::INFINITY], None)[0].value, 1.0);
/// ```
pub fn softmin(x: &[f32], mask: Option<&[bool]>) -> Vec<RowRef> {
    let neg: Vec<f32> = x.iter().map(|&v| -v).collect();
    softmax(&neg, mask)
}

/// log_softmax of one row (masked-out −inf). Relative (floor 0).
///
/// ```
/// let r = lanewise::reference::rows::log_softmax(&[0.0, 0.0], None);
/// assert_eq!(r[0].value, -core::f64::consts::LN_2);
/// ```
pub fn log_softmax(x: &[f32], mask: Option<&[bool]>) -> Vec<RowRef> {
    let xs = widen(x);
    let st = exp_stats(&xs, mask);
    let special = st.nan || !st.m.is_finite();
    (0..x.len())
        .map(|j| {
            RowRef::exact(if !valid(mask, j) {
                f64::NEG_INFINITY
            } else if special {
                f64::NAN
            } else {
                (xs[j] - st.m) - st.log_sum
            })
        })
        .collect()
}

/// logsumexp of one row: floor `log Σ e^{x−m}` (m and log Σ may cancel).
///
/// ```
/// assert_eq!(lanewise::reference::rows::logsumexp(&[f32::NEG_INFINITY; 2], None).value, f64::NEG_INFINITY);
/// ```
pub fn logsumexp(x: &[f32], mask: Option<&[bool]>) -> RowRef {
    let st = exp_stats(&widen(x), mask);
    let value = if st.nan {
        f64::NAN
    } else if st.pinf {
        f64::INFINITY
    } else if st.m == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else {
        st.m + st.log_sum
    };
    RowRef {
        value,
        floor: if st.log_sum.is_finite() {
            st.log_sum
        } else {
            0.0
        },
    }
}

/// logmeanexp of one row: floor `log n` (log Σ and log n may cancel).
///
/// ```
/// assert_eq!(lanewise::reference::rows::logmeanexp(&[3.0; 4], None).value, 3.0);
/// ```
pub fn logmeanexp(x: &[f32], mask: Option<&[bool]>) -> RowRef {
    let n = (0..x.len()).filter(|&j| valid(mask, j)).count() as f64;
    let st = exp_stats(&widen(x), mask);
    let lse = logsumexp(x, mask).value;
    let value = if n == 0.0 {
        f64::NAN
    } else if lse.is_finite() {
        st.m + (st.log_sum - libm::log(n))
    } else {
        lse
    };
    RowRef {
        value,
        floor: libm::log(n.max(1.0)),
    }
}

/// ```
/// let (r, sign) = lanewise::reference::rows::logsumexp_b(&[0.0, 0.0], None, &[1.0, -2.0]);
/// assert_eq!((r.value, r.floor, sign), (0.0, 3.0, -1.0));
/// ```
///
/// logsumexp with a scale `b` of one row: `(value, sign)`; the floor is the condition
/// number of the sum `κ = Σ|b·e^x| / |Σ b·e^x|` (≥ 1).
pub fn logsumexp_b(x: &[f32], mask: Option<&[bool]>, b: &[f32]) -> (RowRef, f64) {
    let keep: Vec<usize> = (0..x.len())
        .filter(|&j| valid(mask, j) && b[j] != 0.0)
        .collect();
    let nan = keep.iter().any(|&j| x[j].is_nan() || b[j].is_nan());
    let pos = keep.iter().any(|&j| x[j] == f32::INFINITY && b[j] > 0.0);
    let neg = keep.iter().any(|&j| x[j] == f32::INFINITY && b[j] < 0.0);
    let special = |v: f64, s: f64| (RowRef::exact(v), s);
    if nan || (pos && neg) {
        return special(f64::NAN, f64::NAN);
    }
    if pos {
        return special(f64::INFINITY, 1.0);
    }
    if neg {
        return special(f64::INFINITY, -1.0);
    }
    let m = keep
        .iter()
        .map(|&j| x[j] as f64)
        .fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return special(f64::NEG_INFINITY, 0.0);
    }
    let terms: Vec<f64> = keep
        .iter()
        .map(|&j| b[j] as f64 * libm::exp(x[j] as f64 - m))
        .collect();
    let s = sum(&terms);
    let abs = sum(&terms.iter().map(|t| t.abs()).collect::<Vec<_>>());
    if s == 0.0 {
        return special(f64::NEG_INFINITY, 0.0);
    }
    (
        RowRef {
            value: m + libm::log(s.abs()),
            floor: abs / s.abs(),
        },
        s.signum(),
    )
}

/// ```
/// let r = lanewise::reference::rows::standardize(&[1.0, 3.0], None, None, None, 0.0, false);
/// assert_eq!((r[0].value, r[1].value), (-1.0, 1.0));
/// ```
///
/// standardize of one row: `(x − μ)/√(v + ε)` in f64 with JAX's semantics for a given
/// mean and variance (`fast` with a given mean: `v = max(mean(x²) − μ², 0)`; otherwise the
/// true variance). The floor is 2^-16 of the largest |output| over the valid elements:
/// outputs next to the mean carry the error of μ, a tiny fraction of the row's spread.
pub fn standardize(
    x: &[f32],
    mask: Option<&[bool]>,
    mean: Option<f32>,
    variance: Option<f32>,
    epsilon: f32,
    fast: bool,
) -> Vec<RowRef> {
    let xs = widen(x);
    let vals: Vec<f64> = (0..x.len())
        .filter(|&j| valid(mask, j))
        .map(|j| xs[j])
        .collect();
    let n = vals.len() as f64;
    let mu = mean.map_or_else(|| sum(&vals) / n, |m| m as f64);
    let var = match variance {
        Some(v) => v as f64,
        None if fast && mean.is_some() => {
            (sum(&vals.iter().map(|v| v * v).collect::<Vec<_>>()) / n - mu * mu).max(0.0)
        }
        None => sum(&vals.iter().map(|v| (v - mu) * (v - mu)).collect::<Vec<_>>()) / n,
    };
    let rs = 1.0 / (var + epsilon as f64).sqrt();
    let big = vals.iter().fold(0.0f64, |a, v| a.max((v - mu).abs())) * rs;
    let floor = if big.is_finite() {
        big * 2f64.powi(-16)
    } else {
        0.0
    };
    xs.iter()
        .map(|&v| RowRef {
            value: (v - mu) * rs,
            floor,
        })
        .collect()
}

/// GLU of one row: first half × σ(second half). Relative (floor 0).
///
/// ```
/// assert_eq!(lanewise::reference::rows::glu(&[2.0, 0.0])[0].value, 1.0);
/// ```
pub fn glu(x: &[f32]) -> Vec<RowRef> {
    let h = x.len() / 2;
    (0..h)
        .map(|j| {
            let (a, b) = (x[j] as f64, x[h + j] as f64);
            let s = super::sigmoid(b);
            RowRef::exact(if a.is_infinite() && s == 0.0 {
                f64::NAN
            } else {
                a * s
            })
        })
        .collect()
}
