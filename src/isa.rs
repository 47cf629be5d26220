//! Which instruction set runs a kernel: detected once, overridable by `LANEWISE_ISA`, and
//! selectable per call with [`with_isa`].

use core::cell::Cell;
use core::fmt;
use std::sync::OnceLock;

/// An instruction-set level lanewise can run its kernels on.
///
/// Every level computes the same bits for the same input: the SIMD levels only change speed.
///
/// ```
/// let isa = lanewise::active_isa();
/// assert!(isa.is_available());
/// println!("running on {isa}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Isa {
    /// Portable scalar code (correctly rounded `fma` calls; slow, but bit-identical).
    Scalar,
    /// x86-64 AVX2 + FMA, 8 lanes of f32.
    Avx2,
    /// x86-64 AVX-512 (F, BW, DQ, VL, CD), 16 lanes of f32.
    Avx512,
    /// aarch64 Advanced SIMD (NEON), 4 lanes of f32.
    Neon,
}

impl Isa {
    /// All levels, slowest first.
    pub const ALL: [Isa; 4] = [Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon];

    /// The name used by `LANEWISE_ISA` and the report tool (`scalar`, `avx2`, `avx512`, `neon`).
    pub const fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
            Isa::Neon => "neon",
        }
    }

    /// Parses a level name as accepted by `LANEWISE_ISA`.
    pub fn from_name(name: &str) -> Option<Isa> {
        Isa::ALL
            .into_iter()
            .find(|isa| isa.name() == name.trim().to_ascii_lowercase())
    }

    /// Whether this machine can run the level.
    pub fn is_available(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => tokens().v3.is_some(),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => tokens().v4.is_some(),
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => tokens().neon.is_some(),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// Whether f16 calls on this level run some functions in f16 arithmetic rather than
    /// widening to f32: on avx512 where the processor has AVX512-FP16, relu, relu2,
    /// sparse_sigmoid, prelu, and leaky_relu and soft_shrink with parameters that f16 holds (their
    /// result is one IEEE operation, rounded once: the same bits either way, twice the lanes
    /// and no conversions).
    ///
    /// ```
    /// use lanewise::Isa;
    /// assert!(!Isa::Scalar.f16_arithmetic());
    /// ```
    pub fn f16_arithmetic(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => self.is_available() && std::arch::is_x86_feature_detected!("avx512fp16"),
            _ => false,
        }
    }

    /// The levels this machine can run, slowest first.
    pub fn available() -> Vec<Isa> {
        Isa::ALL
            .into_iter()
            .filter(|isa| isa.is_available())
            .collect()
    }

    /// The best level this machine can run.
    pub fn best() -> Isa {
        *Isa::available().last().expect("scalar is always available")
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A requested instruction set cannot run here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IsaError {
    /// The name is not one of `scalar`, `avx2`, `avx512`, `neon`.
    Unknown(String),
    /// The level exists but this machine (or this build's target) lacks it.
    Unavailable(Isa),
}

impl fmt::Display for IsaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IsaError::Unknown(name) => write!(
                f,
                "unknown instruction set {name:?}: expected one of scalar, avx2, avx512, neon"
            ),
            IsaError::Unavailable(isa) => write!(
                f,
                "instruction set {isa} is not available on this machine (available: {})",
                Isa::available()
                    .iter()
                    .map(|i| i.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for IsaError {}

/// Detected SIMD tokens, created once.
pub(crate) struct Tokens {
    #[cfg(target_arch = "x86_64")]
    pub v3: Option<pulp::x86::V3>,
    #[cfg(target_arch = "x86_64")]
    pub v4: Option<pulp::x86::V4>,
    /// AVX-512 with AVX512-BF16 (for the bf16 narrowing).
    #[cfg(target_arch = "x86_64")]
    pub v4_bf16: Option<crate::convert::V4Bf16>,
    #[cfg(target_arch = "aarch64")]
    pub neon: Option<pulp::aarch64::Neon>,
}

pub(crate) fn tokens() -> &'static Tokens {
    static TOKENS: OnceLock<Tokens> = OnceLock::new();
    TOKENS.get_or_init(|| Tokens {
        #[cfg(target_arch = "x86_64")]
        v3: pulp::x86::V3::try_new(),
        #[cfg(target_arch = "x86_64")]
        v4: pulp::x86::V4::try_new(),
        #[cfg(target_arch = "x86_64")]
        v4_bf16: crate::convert::V4Bf16::try_new(),
        #[cfg(target_arch = "aarch64")]
        neon: pulp::aarch64::Neon::try_new(),
    })
}

/// Parses a `LANEWISE_ISA` value and checks that the machine has it.
pub fn parse_isa(name: &str) -> Result<Isa, IsaError> {
    let isa = Isa::from_name(name).ok_or_else(|| IsaError::Unknown(name.to_string()))?;
    if isa.is_available() {
        Ok(isa)
    } else {
        Err(IsaError::Unavailable(isa))
    }
}

fn global_isa() -> Isa {
    static GLOBAL: OnceLock<Isa> = OnceLock::new();
    *GLOBAL.get_or_init(|| match std::env::var("LANEWISE_ISA") {
        Ok(name) if !name.trim().is_empty() => match parse_isa(&name) {
            Ok(isa) => isa,
            Err(e) => panic!("LANEWISE_ISA: {e}"),
        },
        _ => Isa::best(),
    })
}

thread_local! {
    static OVERRIDE: Cell<Option<Isa>> = const { Cell::new(None) };
}

/// The instruction set that calls on this thread run on now.
///
/// This is the best level the machine has, unless the environment variable `LANEWISE_ISA`
/// names another (read once, at the first call; an unknown or unavailable name panics with a
/// message that lists the available levels), or the call is inside [`with_isa`].
///
/// ```
/// println!("lanewise runs on {}", lanewise::active_isa());
/// ```
pub fn active_isa() -> Isa {
    OVERRIDE.with(|o| o.get()).unwrap_or_else(global_isa)
}

/// Runs `f` with every lanewise call on this thread forced onto `isa`.
///
/// Returns [`IsaError::Unavailable`] (and does not run `f`) when the machine lacks `isa`.
///
/// ```
/// use lanewise::{Isa, with_isa};
/// let x = [0.5f32, -1.0, 2.0];
/// let mut a = [0.0f32; 3];
/// let mut b = [0.0f32; 3];
/// with_isa(Isa::Scalar, || lanewise::silu(&x, &mut a)).unwrap();
/// lanewise::silu(&x, &mut b);
/// assert_eq!(a, b); // the same bits on every level
/// ```
pub fn with_isa<R>(isa: Isa, f: impl FnOnce() -> R) -> Result<R, IsaError> {
    if !isa.is_available() {
        return Err(IsaError::Unavailable(isa));
    }
    struct Restore(Option<Isa>);
    impl Drop for Restore {
        fn drop(&mut self) {
            OVERRIDE.with(|o| o.set(self.0));
        }
    }
    let _restore = Restore(OVERRIDE.with(|o| o.replace(Some(isa))));
    Ok(f())
}

/// Runs a pulp operation on the active instruction set.
#[inline]
pub(crate) fn dispatch<Op: pulp::WithSimd>(op: Op) -> Op::Output {
    use pulp::Simd;
    match active_isa() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => Simd::vectorize(tokens().v4.expect("checked at selection"), op),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => Simd::vectorize(tokens().v3.expect("checked at selection"), op),
        #[cfg(target_arch = "aarch64")]
        Isa::Neon => Simd::vectorize(tokens().neon.expect("checked at selection"), op),
        _ => Simd::vectorize(pulp::Scalar::new(), op),
    }
}

/// White-box checks, run by `tests/internals.rs` through [`crate::self_check`].
pub(crate) mod checks {
    use super::*;

    /// Reports the f32 lane count of the instruction set the dispatcher ran.
    struct Lanes;
    impl pulp::WithSimd for Lanes {
        type Output = usize;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> usize {
            S::F32_LANES
        }
    }

    /// Every level really runs its own SIMD code (not silently the scalar fallback), and
    /// aarch64 always has NEON.
    pub fn dispatch_runs_the_selected_level() {
        for isa in Isa::available() {
            let lanes = with_isa(isa, || dispatch(Lanes)).unwrap();
            let want = match isa {
                Isa::Scalar => 1,
                Isa::Avx2 => 8,
                Isa::Avx512 => 16,
                Isa::Neon => 4,
            };
            assert_eq!(lanes, want, "{isa} dispatched to {lanes} lanes");
        }
        if cfg!(target_arch = "aarch64") {
            assert_eq!(Isa::best(), Isa::Neon);
            assert_eq!(Isa::available(), [Isa::Scalar, Isa::Neon]);
        }
        if cfg!(target_arch = "x86_64") {
            assert!(!Isa::Neon.is_available());
        }
    }
}
