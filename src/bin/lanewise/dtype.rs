//! The element-type dimension of the reports.

use lanewise::table::OpInfo;

/// An element type the kernels take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dtype {
    /// IEEE single precision: swept over every (or every k-th) of its 2^32 bit patterns.
    F32,
}

impl Dtype {
    /// Every element type, in report order.
    pub const ALL: [Dtype; 1] = [Dtype::F32];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
        }
    }

    /// The published bound of `op` for this type, in ulps of this type.
    pub fn bound(self, op: &OpInfo) -> f64 {
        match self {
            Dtype::F32 => op.ulp_f32,
        }
    }

    /// Whether a sweep of this type covers every input whatever the step.
    pub fn always_exhaustive(self) -> bool {
        match self {
            Dtype::F32 => false,
        }
    }
}
