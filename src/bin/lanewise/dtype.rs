//! The element-type dimension of the reports.

use lanewise::table::OpInfo;

/// An element type the kernels take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dtype {
    /// IEEE single precision: swept over every (or every k-th) of its 2^32 bit patterns.
    F32,
    /// IEEE half precision: always all 65,536 inputs.
    F16,
    /// bfloat16: always all 65,536 inputs.
    Bf16,
}

impl Dtype {
    /// Every element type, in report order.
    pub const ALL: [Dtype; 3] = [Dtype::F32, Dtype::F16, Dtype::Bf16];

    /// The half types.
    pub const HALVES: [Dtype; 2] = [Dtype::F16, Dtype::Bf16];

    /// The library's name for the type.
    pub fn lib(self) -> lanewise::Dtype {
        match self {
            Dtype::F32 => lanewise::Dtype::F32,
            Dtype::F16 => lanewise::Dtype::F16,
            Dtype::Bf16 => lanewise::Dtype::Bf16,
        }
    }

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        self.lib().name()
    }

    /// The published bound of `op` for this type, in ulps of this type: the f32 bound of
    /// the table of operations for f32; for f16 and bf16 the crate promises correctly
    /// rounded outputs (`lanewise::Dtype`'s module: near-midpoint lanes are resolved from
    /// the f64 reference), so 0.5, or 0 where the function is exact in f32 (it then returns
    /// an input or a constant, exact in the half type too).
    pub fn bound(self, op: &OpInfo) -> f64 {
        match self {
            Dtype::F32 => op.ulp_f32,
            Dtype::F16 | Dtype::Bf16 => op.ulp_f32.min(0.5),
        }
    }

    /// Whether every output must be the correctly rounded true value (bit for bit), which
    /// the check enforces on top of the bound (a misrounded exact midpoint is 0.5 ulp off
    /// too).
    pub fn correctly_rounded(self) -> bool {
        self != Dtype::F32
    }

    /// Whether a sweep of this type covers every input whatever the step.
    pub fn always_exhaustive(self) -> bool {
        self != Dtype::F32
    }
}
