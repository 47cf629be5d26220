//! f64 reference implementations and the ULP metric the bounds are stated in.
//!
//! Each reference is a numerically stable f64 formula (gelu via erfc, softplus via log1p,
//! log_sigmoid as −softplus(−x), squareplus without cancellation, ...), so its own error is
//! far below one f32 ulp. Special values follow `spec/ACTIVATIONS.md` §4.

pub mod rows;

/// Logistic sigmoid in f64, stable in both tails.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

/// softplus in f64: max(x, 0) + log1p(e^−|x|).
pub fn softplus(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    x.max(0.0) + libm::log1p(libm::exp(-x.abs()))
}

fn relu(x: f64) -> f64 {
    if x > 0.0 || x.is_nan() { x } else { 0.0 }
}

fn relu6(x: f64) -> f64 {
    let y = relu(x);
    if y > 6.0 { 6.0 } else { y }
}

/// SELU constants (full precision).
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
/// SELU scale λ (full precision).
pub const SELU_LAMBDA: f64 = 1.050_700_987_355_480_5;

/// The f64 reference of an elementwise function by table name, with its parameters.
///
/// Returns `None` for a name that is not an elementwise function of the table.
///
/// ```
/// assert_eq!(lanewise::reference::elementwise("relu", -2.0, &[]), Some(0.0));
/// ```
pub fn elementwise(name: &str, x: f64, p: &[f64]) -> Option<f64> {
    elementwise_fn(name).map(|f| f(x, p))
}

/// An elementwise reference: `f(x, params)`.
pub type ReferenceFn = fn(f64, &[f64]) -> f64;

/// The f64 reference of an elementwise function by table name, as a function of the input
/// and the parameters: look it up once, call it for many inputs.
///
/// Returns `None` for a name that is not an elementwise function of the table.
///
/// ```
/// let f = lanewise::reference::elementwise_fn("leaky_relu").unwrap();
/// assert_eq!(f(-2.0, &[0.5]), -1.0);
/// ```
// Every arm takes the parameters; most functions have none.
#[allow(unused_variables)]
pub fn elementwise_fn(name: &str) -> Option<ReferenceFn> {
    Some(match name {
        "relu" => |x, p| relu(x),
        "relu6" => |x, p| relu6(x),
        "relu2" => |x, p| relu(x) * relu(x),
        "leaky_relu" => |x, p| {
            if x >= 0.0 { x } else { p[0] * x }
        },
        "identity" => |x, p| x,
        "elu" => |x, p| {
            if x > 0.0 { x } else { p[0] * libm::expm1(x) }
        },
        "celu" => |x, p| {
            if x > 0.0 {
                x
            } else {
                p[0] * libm::expm1(x / p[0]) + 0.0
            }
        },
        "selu" => |x, p| {
            SELU_LAMBDA
                * if x > 0.0 {
                    x
                } else {
                    SELU_ALPHA * libm::expm1(x)
                }
        },
        "sigmoid" => |x, p| sigmoid(x),
        "log_sigmoid" => |x, p| -softplus(-x),
        "softplus" => |x, p| softplus(x),
        "hard_sigmoid" => |x, p| relu6(x + 3.0) / 6.0,
        "hard_swish" => |x, p| x * (relu6(x + 3.0) / 6.0),
        "silu" => |x, p| x * sigmoid(x),
        "mish" => |x, p| x * libm::tanh(softplus(x)),
        "gelu" => |x, p| 0.5 * x * libm::erfc(-x * core::f64::consts::FRAC_1_SQRT_2),
        "gelu_tanh" => |x, p| {
            let u = (2.0 / core::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
            if x.is_infinite() {
                if x > 0.0 { x } else { f64::NAN }
            } else {
                x * sigmoid(2.0 * u)
            }
        },
        "gelu_fast" => |x, p| x * sigmoid(1.702 * x),
        "softsign" => |x, p| x / (1.0 + x.abs()),
        "tanh" => |x, p| libm::tanh(x),
        "hard_tanh" => |x, p| {
            let y = if x < p[0] { p[0] } else { x };
            if y > p[1] { p[1] } else { y }
        },
        "hard_shrink" => |x, p| {
            if x.abs() > p[0] { x } else { 0.0 }
        },
        "soft_shrink" => |x, p| {
            if x.abs() > p[0] {
                if x == 0.0 { 0.0 } else { x - p[0].copysign(x) }
            } else {
                0.0
            }
        },
        "step" => |x, p| {
            if x >= p[0] { 1.0 } else { 0.0 }
        },
        "sparse_plus" => |x, p| {
            if x <= -1.0 {
                0.0
            } else if x >= 1.0 {
                x
            } else {
                (x + 1.0) * (x + 1.0) / 4.0
            }
        },
        "sparse_sigmoid" => |x, p| 0.5 * (x + 1.0).clamp(0.0, 2.0),
        "squareplus" => |x, p| {
            let b = p[0];
            let r = (x * x + b).sqrt();
            if x == f64::NEG_INFINITY {
                f64::NAN
            } else if x >= 0.0 {
                0.5 * (x + r)
            } else {
                b / (2.0 * (r - x))
            }
        },
        "log1mexp" => |x, p| {
            if x < core::f64::consts::LN_2 {
                libm::log(-libm::expm1(-x))
            } else {
                libm::log1p(-libm::exp(-x))
            }
        },
        "exp" => |x, p| libm::exp(x),
        "expm1" => |x, p| libm::expm1(x),
        "log" => |x, p| libm::log(x),
        "log1p" => |x, p| libm::log1p(x),
        "erf" => |x, p| libm::erf(x),
        "erfc" => |x, p| libm::erfc(x),
        _ => return None,
    })
}

/// Error of an f32 result `y` against the true value `r`, in units of the f32 spacing at
/// |r| (`2^(max(⌊log2|r|⌋, −126) − 23)`).
///
/// NaN against NaN is 0; a NaN on one side only, or an infinity that the true value does
/// not round to, is `f64::INFINITY`.
///
/// ```
/// use lanewise::reference::ulp_error_f32;
/// assert_eq!(ulp_error_f32(1.0, 1.0), 0.0);
/// assert_eq!(ulp_error_f32(1.0 + f32::EPSILON, 1.0), 1.0);
/// ```
pub fn ulp_error_f32(y: f32, r: f64) -> f64 {
    ulp_error(y as f64, r, r as f32 as f64, 23, -126)
}

/// Error in units of a format with `mant` fraction bits and minimum normal exponent
/// `emin`; `rounded` is `r` rounded to that format (for overflow detection).
pub fn ulp_error(y: f64, r: f64, rounded: f64, mant: i32, emin: i32) -> f64 {
    if r.is_nan() || y.is_nan() {
        return if r.is_nan() && y.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if rounded.is_infinite() || y.is_infinite() {
        return if y == rounded { 0.0 } else { f64::INFINITY };
    }
    let e = if r == 0.0 {
        emin
    } else {
        (libm::frexp(r).1 - 1).max(emin)
    };
    (y - r).abs() / 2f64.powi(e - mant)
}
