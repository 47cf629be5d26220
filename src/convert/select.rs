//! Select-only functions on half bits: relu, relu6, hard_tanh, hard_shrink, step and identity
//! return, for every input, either the input itself or a constant, chosen by comparing the
//! input with constants. On f16 and bf16 that needs no conversion: the comparisons run on
//! 16-bit keys ordered like the values, two (AVX2) to four times more lanes per register
//! than the f32 kernel, and the results are the bits the widen–kernel–narrow path gives
//! (NaN inputs quieted, constants rounded once to the format).
//!
//! A kernel describes itself as a [`Select`] (see [`crate::driver::Kernel::select`]); the
//! format's [`Plan`] turns each comparison into a key threshold once per call.

use super::{Format, Io, MAX_LANES, WithIo, dispatch};
use crate::driver::Kernel;
use pulp::Simd;
use std::cell::Cell;

/// What a [`Select`] returns for an input: the input itself (a NaN quieted, as the widening
/// does), or a constant (rounded to the format).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Pick {
    Input,
    Value(f32),
}

/// The inputs `x` with `x < c`, `x ≤ c`, `x > c` or `x ≥ c` for a constant `c`: no NaN
/// input, and no input at all when `c` is NaN (IEEE comparisons).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Side {
    Lt(f32),
    Le(f32),
    Gt(f32),
    Ge(f32),
}

/// A select-only function: every non-NaN input gets `rest`, then each rule in order
/// overrides it on its side (a later rule wins); NaN inputs get `nan`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Select {
    pub rest: Pick,
    pub rules: [Option<(Side, Pick)>; 2],
    pub nan: Pick,
}

impl Select {
    /// The function `x ↦ x`.
    pub(crate) const IDENTITY: Select = Select {
        rest: Pick::Input,
        rules: [None, None],
        nan: Pick::Input,
    };

    /// The function at one f32 input, as the kernel computes it there (the checks' model).
    fn at(&self, x: f32) -> f32 {
        let pick = |p: Pick| match p {
            Pick::Input => x,
            Pick::Value(c) => c,
        };
        if x.is_nan() {
            return pick(self.nan);
        }
        let mut y = pick(self.rest);
        for (side, p) in self.rules.iter().flatten() {
            let holds = match *side {
                Side::Lt(c) => x < c,
                Side::Le(c) => x <= c,
                Side::Gt(c) => x > c,
                Side::Ge(c) => x >= c,
            };
            if holds {
                y = pick(*p);
            }
        }
        y
    }
}

/// A half format as 16-bit keys: `key(h)` is `h` for a positive sign and `h` with its 15 low
/// bits flipped for a negative one, so that signed key order is value order (−0 just below
/// +0, NaNs beyond the infinities).
pub(crate) trait Keys: Format<Elem = u16> {
    /// The bits of +inf.
    const INF: u16;
    /// The quiet bit of a NaN.
    const QUIET: u16;
    /// One f32 rounded to the format as its stores round.
    fn narrow(y: f32) -> u16;
}

impl Keys for super::F16Bits {
    const INF: u16 = 0x7c00;
    const QUIET: u16 = 0x0200;
    fn narrow(y: f32) -> u16 {
        Self::narrow_one(y)
    }
}

impl Keys for super::Bf16Bits {
    const INF: u16 = 0x7f80;
    const QUIET: u16 = 0x0040;
    fn narrow(y: f32) -> u16 {
        Self::narrow_one(y)
    }
}

/// The key of the bits `h`.
fn key(h: u16) -> i32 {
    (if h & 0x8000 != 0 { h ^ 0x7fff } else { h }) as i16 as i32
}

/// The value of the key `k`.
fn value<H: Keys>(k: i32) -> f32 {
    let h = k as i16 as u16;
    H::widen_one(if k < 0 { h ^ 0x7fff } else { h })
}

/// The numbers of a [`Select`] in the format `H`: each rule's key threshold (see
/// [`threshold`]) and the bits of every constant pick (0 for input picks). What is picked
/// where comes from the kernel's [`Select`] itself, which the compiler sees as constants,
/// so the vector loop holds no test of it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plan {
    rest: u16,
    rules: [(i16, u16); 2],
    nan: u16,
    inf: u16,
    quiet: u16,
    /// The cheapest form that computes the select (see [`Form`]).
    form: Form,
}

/// How the vector loop computes a select: the general form (keys, rules, NaN lanes) is
/// always right; the others hold for some selects only, checked per call by [`Form::of`].
#[derive(Clone, Copy, Debug, PartialEq)]
enum Form {
    General,
    /// `min(max(h, lo), hi)` on the raw bits as signed integers, NaN lanes put back (relu,
    /// relu6): see [`clamp`].
    Clamp([i16; 2]),
    /// `min(|h|, hi)` with the sign of `h` put back, NaN lanes put back (hard_tanh with
    /// `min = −max`): see [`magnitude_clamp`].
    MagnitudeClamp(i16),
    /// `h` where `t < |h| ≤ ∞`, else +0 (hard_shrink): see [`magnitude_keep`].
    MagnitudeKeep(i16),
}

impl Form {
    fn of(s: &Select, rules: &[(i16, u16); 2], plan: &Plan) -> Form {
        if let Some(f) = magnitude_clamp(s, rules) {
            Form::MagnitudeClamp(f)
        } else if let Some(f) = clamp(s, rules) {
            Form::Clamp(f)
        } else if let Some(t) = magnitude_keep(s, rules, plan) {
            Form::MagnitudeKeep(t)
        } else {
            Form::General
        }
    }
}

impl Plan {
    fn new<H: Keys>(s: &Select) -> Plan {
        let bits = |p: Pick| match p {
            Pick::Input => 0,
            Pick::Value(c) => H::narrow(c),
        };
        let rules = s
            .rules
            .map(|r| r.map_or((0, 0), |(side, p)| (threshold::<H>(side), bits(p))));
        let mut plan = Plan {
            rest: bits(s.rest),
            rules,
            nan: bits(s.nan),
            inf: H::INF,
            quiet: H::QUIET,
            form: Form::General,
        };
        plan.form = Form::of(s, &rules, &plan);
        plan
    }
}

/// Whether `s` has the shape of a clamp: the input, NaN included, except where one of its
/// rules (at least one) picks a constant. Known at compile time once the kernel's [`Select`]
/// is inlined.
#[inline(always)]
fn clamp_shape(s: &Select) -> bool {
    s.rest == Pick::Input
        && s.nan == Pick::Input
        && s.rules.iter().any(Option::is_some)
        && s.rules
            .iter()
            .flatten()
            .all(|(_, p)| matches!(p, Pick::Value(_)))
}

/// `s` (with the `rules` of its [`Plan`]) as `[lo, hi]` such that, for every non-NaN input
/// `h`, the result is `min(max(h, lo), hi)` comparing the bits `h` as signed integers (as
/// relu and relu6 are): `None` when it is not.
///
/// A rule that picks the constant `c` on the keys above its threshold `t` is `min(k, key(c))`
/// exactly when `t ≤ key(c) ≤ t + 1` (the keys it moves move to `key(c)`, the others stay),
/// and one on the keys below `t` is `max(k, key(c))` when `t − 1 ≤ key(c) ≤ t`. With at most
/// one of each and `lo ≤ hi`, where both rules hold, both pick `lo = hi`, so applying them
/// in either order gives the rules' result. On the raw bits: a negative input's key and
/// bits are both negative, and the key of a non-negative one is its bits, so while
/// `lo ≥ 0` (or there is no lower rule) and `hi ≥ 0` the min and max of the bits give the
/// same lanes as those of the keys.
fn clamp(s: &Select, rules: &[(i16, u16); 2]) -> Option<[i16; 2]> {
    if !clamp_shape(s) {
        return None;
    }
    let (mut lo, mut hi) = (None, None);
    for (rule, &(t, c)) in s.rules.iter().zip(rules) {
        let Some((side, _)) = rule else { continue };
        let (t, kc) = (t as i32, key(c));
        if upper(*side) {
            if hi.is_some() || !(t..=t + 1).contains(&kc) {
                return None;
            }
            hi = Some(kc);
        } else {
            if lo.is_some() || !(t - 1..=t).contains(&kc) {
                return None;
            }
            lo = Some(kc);
        }
    }
    let (lo, hi) = (lo.unwrap_or(i16::MIN as i32), hi.unwrap_or(i16::MAX as i32));
    let raw = (lo >= 0 || lo == i16::MIN as i32) && hi >= 0;
    (lo <= hi && raw).then_some([lo as i16, hi as i16])
}

/// The mirror of a key: the key of the negated value (`−1 − k`).
fn mirror(k: i32) -> i32 {
    -1 - k
}

/// The upper and the lower rule of `s` with their thresholds and constants, when it has one
/// of each.
fn sides(s: &Select, rules: &[(i16, u16); 2]) -> Option<[(i32, Pick, u16); 2]> {
    let mut up = None;
    let mut down = None;
    for (rule, &(t, c)) in s.rules.iter().zip(rules) {
        let (side, p) = (*rule)?;
        let slot = if upper(side) { &mut up } else { &mut down };
        if slot.replace((t as i32, p, c)).is_some() {
            return None;
        }
    }
    Some([up?, down?])
}

/// `s` as `y = min(|h|, hi)` with the sign of `h` (as the bits of a non-NaN `h`), when it is
/// a clamp ([`clamp_shape`]) whose lower rule is the mirror of its upper one: the upper rule
/// moves the keys above `t` to `hi` with `t ≤ hi ≤ t + 1` and `hi ≥ 0` (see [`clamp`]), the
/// lower one moves the keys below `mirror(t)` to `−hi`. On magnitudes both are the upper
/// rule, and the keys in between keep their bits (−0 included).
fn magnitude_clamp(s: &Select, rules: &[(i16, u16); 2]) -> Option<i16> {
    if !clamp_shape(s) {
        return None;
    }
    let [(tu, _, cu), (tl, _, cl)] = sides(s, rules)?;
    let hi = key(cu);
    let ok = (tu..=tu + 1).contains(&hi) && hi >= 0 && cl == cu | 0x8000 && tl == mirror(tu);
    ok.then_some(hi as i16)
}

/// Whether `s` has the shape of hard_shrink: the input where one of two rules holds, else
/// a constant, NaN included. Known at compile time once the [`Select`] is inlined.
#[inline(always)]
fn keep_shape(s: &Select) -> bool {
    matches!(s.rest, Pick::Value(_))
        && matches!(s.nan, Pick::Value(_))
        && s.rules.iter().all(|r| matches!(r, Some((_, Pick::Input))))
}

/// `s` as `y = t < |h| ≤ ∞ ? h : +0` (as bits), when it keeps the input on the keys above
/// `t` and below `mirror(t)`, and gives +0 elsewhere and to NaN. On magnitudes both rules
/// hold on `|h| > t` (all of them when `t` is negative).
fn magnitude_keep(s: &Select, rules: &[(i16, u16); 2], plan: &Plan) -> Option<i16> {
    if !keep_shape(s) {
        return None;
    }
    let [(tu, ..), (tl, ..)] = sides(s, rules)?;
    (plan.rest == 0 && plan.nan == 0 && tl == mirror(tu)).then_some(tu as i16)
}

/// Whether `side` holds for keys above its threshold (else below).
#[inline(always)]
fn upper(side: Side) -> bool {
    matches!(side, Side::Gt(_) | Side::Ge(_))
}

/// `side` over the non-NaN keys of `H` as a threshold `t`: the keys `k > t` when
/// [`upper`], else the keys `k < t`.
fn threshold<H: Keys>(side: Side) -> i16 {
    let (lowest, highest) = (key(H::INF | 0x8000), key(H::INF));
    // The first key (from `lowest` up to `highest + 1`) where `holds`, which is false up to
    // some key and true from there on; the search starts at `c` rounded to the format, at
    // most a step or two from the answer.
    let first = |c: f32, holds: &dyn Fn(f32) -> bool| -> i32 {
        let mut k = key(H::narrow(c)).clamp(lowest, highest);
        while k > lowest && holds(value::<H>(k - 1)) {
            k -= 1;
        }
        while k <= highest && !holds(value::<H>(k)) {
            k += 1;
        }
        k
    };
    let t = match side {
        // No input compares with NaN: an empty side.
        Side::Lt(c) | Side::Le(c) if c.is_nan() => lowest,
        Side::Gt(c) | Side::Ge(c) if c.is_nan() => highest,
        Side::Lt(c) => first(c, &|x| x >= c),
        Side::Le(c) => first(c, &|x| x > c),
        Side::Gt(c) => first(c, &|x| x > c) - 1,
        Side::Ge(c) => first(c, &|x| x >= c) - 1,
    };
    t as i16
}

/// The 16-bit lanes of an instruction set.
type U16<IO> = <<IO as Io>::S as Simd>::u16s;
/// Their comparison masks.
type M16<IO> = <<IO as Io>::S as Simd>::m16s;

/// Signed `a > b` per lane.
#[inline(always)]
fn gt<IO: Io>(io: IO, a: U16<IO>, b: U16<IO>) -> M16<IO> {
    let s = io.simd();
    s.greater_than_i16s(s.transmute_i16s_u16s(a), s.transmute_i16s_u16s(b))
}

/// The lanes of `p`: `input`, or the constant `c`.
#[inline(always)]
fn picked<IO: Io>(io: IO, p: Pick, c: u16, input: U16<IO>) -> U16<IO> {
    match p {
        Pick::Input => input,
        Pick::Value(_) => io.simd().splat_u16s(c),
    }
}

/// The NaN lanes of `h`, and `h` with those quieted (the input as the picks return it).
#[inline(always)]
fn nan_and_input<IO: Io>(io: IO, plan: &Plan, h: U16<IO>) -> (M16<IO>, U16<IO>) {
    let simd = io.simd();
    let nan = gt(
        io,
        simd.and_u16s(h, simd.splat_u16s(0x7fff)),
        simd.splat_u16s(plan.inf),
    );
    let quiet = simd.and_u16s(io.ones16(nan), simd.splat_u16s(plan.quiet));
    (nan, simd.or_u16s(h, quiet))
}

/// The function `s` (numbers from `plan`) on the 16-bit lanes `h`.
#[inline(always)]
fn apply<IO: Io>(io: IO, s: &Select, plan: &Plan, h: U16<IO>) -> U16<IO> {
    let simd = io.simd();
    let low = simd.splat_u16s(0x7fff);
    // Bitwise rather than blends: AVX2's byte blend issues at one per cycle on Zen 3, where
    // `and`, `or` and `xor` issue four.
    let negative = io.ones16(gt(io, simd.splat_u16s(0), h));
    let k = simd.xor_u16s(h, simd.and_u16s(negative, low));
    let (nan, input) = nan_and_input(io, plan, h);
    let mut y = picked(io, s.rest, plan.rest, input);
    let mut all_input = s.rest == Pick::Input && s.nan == Pick::Input;
    for (rule, &(t, c)) in s.rules.iter().zip(&plan.rules) {
        if let Some((side, p)) = *rule {
            let t = simd.splat_u16s(t as u16);
            let m = if upper(side) {
                gt(io, k, t)
            } else {
                gt(io, t, k)
            };
            y = io.blend16(m, picked(io, p, c, input), y);
            all_input &= p == Pick::Input;
        }
    }
    // NaN keys lie beyond the infinities, inside the outermost sides: unless every pick is
    // the input, NaN lanes need their own.
    if all_input {
        y
    } else {
        io.blend16(nan, picked(io, s.nan, plan.nan, input), y)
    }
}

/// The clamp `s` (its [`clamp`] bounds `[lo, hi]`) on the 16-bit lanes `h`: a signed max
/// and min, then NaN inputs back, quieted.
#[inline(always)]
fn apply_clamp<IO: Io>(io: IO, s: &Select, plan: &Plan, [lo, hi]: [i16; 2], h: U16<IO>) -> U16<IO> {
    let simd = io.simd();
    let mut y = simd.transmute_i16s_u16s(h);
    // Whether each side exists is known at compile time; the bounds are not.
    let sides = s.rules.iter().flatten();
    if sides.clone().any(|(side, _)| !upper(*side)) {
        y = simd.max_i16s(y, simd.splat_i16s(lo));
    }
    if sides.clone().any(|(side, _)| upper(*side)) {
        y = simd.min_i16s(y, simd.splat_i16s(hi));
    }
    let (nan, input) = nan_and_input(io, plan, h);
    io.blend16(nan, input, simd.transmute_u16s_i16s(y))
}

/// [`Form::MagnitudeClamp`] on the 16-bit lanes `h`.
#[inline(always)]
fn apply_magnitude_clamp<IO: Io>(io: IO, plan: &Plan, hi: i16, h: U16<IO>) -> U16<IO> {
    let simd = io.simd();
    let m = simd.and_u16s(h, simd.splat_u16s(0x7fff));
    let sign = simd.xor_u16s(h, m);
    let y = simd.min_i16s(simd.transmute_i16s_u16s(m), simd.splat_i16s(hi));
    let y = simd.or_u16s(simd.transmute_u16s_i16s(y), sign);
    let (nan, input) = nan_and_input(io, plan, h);
    io.blend16(nan, input, y)
}

/// [`Form::MagnitudeKeep`] on the 16-bit lanes `h`.
#[inline(always)]
fn apply_magnitude_keep<IO: Io>(io: IO, plan: &Plan, t: i16, h: U16<IO>) -> U16<IO> {
    let simd = io.simd();
    let m = simd.and_u16s(h, simd.splat_u16s(0x7fff));
    let above = io.ones16(gt(io, m, simd.splat_u16s(t as u16)));
    let nan = io.ones16(gt(io, m, simd.splat_u16s(plan.inf)));
    simd.and_u16s(
        simd.and_u16s(h, above),
        simd.xor_u16s(nan, simd.splat_u16s(0xffff)),
    )
}

/// The forms of a select on 16-bit lanes.
trait Apply: Copy {
    fn apply<IO: Io>(self, io: IO, h: U16<IO>) -> U16<IO>;
}

/// The general form: keys, rules, NaN lanes.
#[derive(Clone, Copy)]
struct General<'a>(&'a Select, &'a Plan);

impl Apply for General<'_> {
    #[inline(always)]
    fn apply<IO: Io>(self, io: IO, h: U16<IO>) -> U16<IO> {
        apply(io, self.0, self.1, h)
    }
}

/// The magnitude forms ([`Form::MagnitudeClamp`], [`Form::MagnitudeKeep`]).
#[derive(Clone, Copy)]
struct Magnitude<'a, const KEEP: bool>(&'a Plan, i16);

impl<const KEEP: bool> Apply for Magnitude<'_, KEEP> {
    #[inline(always)]
    fn apply<IO: Io>(self, io: IO, h: U16<IO>) -> U16<IO> {
        if KEEP {
            apply_magnitude_keep(io, self.0, self.1, h)
        } else {
            apply_magnitude_clamp(io, self.0, self.1, h)
        }
    }
}

/// The clamp form ([`clamp`]).
#[derive(Clone, Copy)]
struct Clamp<'a>(&'a Select, &'a Plan, [i16; 2]);

impl Apply for Clamp<'_> {
    #[inline(always)]
    fn apply<IO: Io>(self, io: IO, h: U16<IO>) -> U16<IO> {
        apply_clamp(io, self.0, self.1, self.2, h)
    }
}

/// The most 16-bit lanes of any instruction set (AVX-512), the size of the tail buffer.
const MAX_LANES16: usize = 2 * MAX_LANES;

/// The select kernel `k` (numbers from `plan`) over `x` into `out`, or in place over
/// `out` when `x` is `None`.
struct Run<'a, K> {
    k: K,
    plan: Plan,
    x: Option<&'a [u16]>,
    out: &'a mut [u16],
}

/// The first vector of `x`.
#[inline(always)]
fn load<IO: Io>(x: &[u16]) -> U16<IO> {
    let n = <IO::S as Simd>::U16_LANES;
    bytemuck::pod_read_unaligned(bytemuck::cast_slice(&x[..n]))
}

/// `y` into the first vector of `out`.
#[inline(always)]
fn store<IO: Io>(y: U16<IO>, out: &mut [u16]) {
    let n = <IO::S as Simd>::U16_LANES;
    out[..n].copy_from_slice(bytemuck::cast_slice(core::slice::from_ref(&y)));
}

impl<K: Kernel> WithIo for Run<'_, K> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(self, io: IO) {
        let Run { k, plan, x, out } = self;
        let s = &k.select().expect("a select kernel");
        // The shape tests are constants here, so each kernel keeps only its possible forms.
        match plan.form {
            Form::Clamp(c) if clamp_shape(s) => sweep(io, Clamp(s, &plan, c), x, out),
            Form::MagnitudeClamp(hi) if clamp_shape(s) => {
                sweep(io, Magnitude::<false>(&plan, hi), x, out)
            }
            Form::MagnitudeKeep(t) if keep_shape(s) => {
                sweep(io, Magnitude::<true>(&plan, t), x, out)
            }
            _ => sweep(io, General(s, &plan), x, out),
        }
    }
}

/// `a` over `x` into `out`, or in place over `out` when `x` is `None`.
#[inline(always)]
fn sweep<IO: Io, A: Apply>(io: IO, a: A, x: Option<&[u16]>, out: &mut [u16]) {
    let n = <IO::S as Simd>::U16_LANES;
    let whole = out.len() / n * n;
    match x {
        Some(x) => {
            for (o, x) in out.chunks_exact_mut(n).zip(x.chunks_exact(n)) {
                store::<IO>(a.apply(io, load::<IO>(x)), o);
            }
        }
        None => {
            for o in out.chunks_exact_mut(n) {
                store::<IO>(a.apply(io, load::<IO>(o)), o);
            }
        }
    }
    if whole < out.len() {
        // The last elements (fewer than a vector), zero-padded through a stack buffer.
        let tail = out.len() - whole;
        let mut b = [0u16; MAX_LANES16];
        b[..tail].copy_from_slice(match x {
            Some(x) => &x[whole..],
            None => &out[whole..],
        });
        store::<IO>(a.apply(io, load::<IO>(&b)), &mut b);
        out[whole..].copy_from_slice(&b[..tail]);
    }
}

/// The numbers of a select, bit for bit: its picks' constants and its rules' sides and
/// thresholds (a NaN or a −0 constant is a constant of its own).
type Signature = [u64; 6];

fn signature(s: &Select) -> Signature {
    let pick = |p: Pick| match p {
        Pick::Input => 1 << 32,
        Pick::Value(c) => c.to_bits() as u64,
    };
    let side = |side: Side| match side {
        Side::Lt(c) => 1 << 32 | c.to_bits() as u64,
        Side::Le(c) => 2 << 32 | c.to_bits() as u64,
        Side::Gt(c) => 3 << 32 | c.to_bits() as u64,
        Side::Ge(c) => 4 << 32 | c.to_bits() as u64,
    };
    let rule = |r: Option<(Side, Pick)>| r.map_or((0, 0), |(s, p)| (side(s), pick(p)));
    let [(s0, p0), (s1, p1)] = s.rules.map(rule);
    [pick(s.rest), s0, p0, s1, p1, pick(s.nan)]
}

thread_local! {
    /// This thread's last plan, with its format (the bits of +inf) and select.
    static LAST_PLAN: Cell<Option<(u16, Signature, Plan)>> = const { Cell::new(None) };
}

/// The [`Plan`] of `s` in the format `H`: this thread's last one when it was of the same
/// format and select, else made anew. Making one searches the keys around each threshold,
/// which took about a third of a 4,096-element call.
fn plan_of<H: Keys>(s: &Select) -> Plan {
    let sig = signature(s);
    LAST_PLAN.with(|last| match last.get() {
        Some((inf, seen, plan)) if inf == H::INF && seen == sig => plan,
        _ => {
            let plan = Plan::new::<H>(s);
            last.set(Some((H::INF, sig, plan)));
            plan
        }
    })
}

/// `out[i] = k(x[i])` in the half format `H`, for a kernel whose [`Kernel::select`] is
/// `Some` (lengths checked by the caller).
pub(crate) fn select<K: Kernel, H: Keys>(k: K, x: &[u16], out: &mut [u16]) {
    let plan = plan_of::<H>(&k.select().expect("a select kernel"));
    dispatch(Run {
        k,
        plan,
        x: Some(x),
        out,
    });
}

/// `x[i] = k(x[i])` in the half format `H`.
pub(crate) fn select_inplace<K: Kernel, H: Keys>(k: K, x: &mut [u16]) {
    let plan = plan_of::<H>(&k.select().expect("a select kernel"));
    dispatch(Run {
        k,
        plan,
        x: None,
        out: x,
    });
}

/// White-box checks, run by `tests/internals.rs` through [`crate::self_check`].
pub(crate) mod checks {
    use super::*;
    use crate::convert::{Bf16Bits, F16Bits, map, map_inplace};
    use crate::driver::Exact;
    use crate::isa::{Isa, with_isa};
    use crate::ops::kernels::{HardShrink, HardTanh, Identity, Relu, Relu6, Step};

    /// Constants where the sides are delicate: zeros, half midpoints and neighbours, the
    /// formats' extremes, infinities, NaN.
    fn constants() -> Vec<f32> {
        let mut c = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            6.0,
            -6.0,
            f32::INFINITY,
            f32::NAN,
        ];
        c.extend([
            f32::NEG_INFINITY,
            65504.0,
            65520.0,
            1e30,
            -1e30,
            5.96e-8,
            1e-40,
        ]);
        // 1 + 2^-11 is an f16 midpoint, 1 + 2^-8 a bf16 one; ± an f32 ulp around them.
        for m in [
            1.0 + 2f32.powi(-11),
            1.0 + 2f32.powi(-8),
            0.1,
            2f32.powi(-25),
        ] {
            for d in [-1i32, 0, 1] {
                let b = f32::from_bits((m.to_bits() as i32 + d) as u32);
                c.extend([b, -b]);
            }
        }
        c
    }

    /// The select path equals the widen–kernel–narrow path on all 65,536 inputs of `H`, out
    /// of place and in place, at a length with a tail, on every instruction set here.
    fn agrees<K: Kernel + core::fmt::Debug, H: Keys>(k: K) {
        let exact = Exact {
            name: "select",
            params: &[],
            slope: false,
        };
        let x: Vec<u16> = (0..=u16::MAX).chain(0..37).collect();
        for isa in Isa::available() {
            with_isa(isa, || {
                let mut want = vec![0u16; x.len()];
                map::<K, H, 0>(&exact, k, &x, &mut want);
                let mut got = vec![0u16; x.len()];
                select::<K, H>(k, &x, &mut got);
                let mut inplace = x.clone();
                select_inplace::<K, H>(k, &mut inplace);
                let mut want_inplace = x.clone();
                map_inplace::<K, H, 0>(&exact, k, &mut want_inplace);
                assert_eq!(want, want_inplace);
                for (i, (&w, (&g, &p))) in want.iter().zip(got.iter().zip(&inplace)).enumerate() {
                    assert!(
                        w == g && w == p,
                        "{k:?} {isa}: input {:#06x}: kernel {w:#06x}, select {g:#06x}, in place {p:#06x}",
                        x[i]
                    );
                }
            })
            .expect("available");
        }
    }

    fn every_kernel<H: Keys>() {
        agrees::<_, H>(Identity {});
        agrees::<_, H>(Relu {});
        agrees::<_, H>(Relu6 {});
        let c = constants();
        for &a in &c {
            agrees::<_, H>(HardShrink { lambda: a });
            agrees::<_, H>(Step { threshold: a });
            for &b in c.iter().step_by(3) {
                agrees::<_, H>(HardTanh { min: a, max: b });
                agrees::<_, H>(HardTanh { min: b, max: a });
            }
        }
    }

    /// Each kernel takes the form expected of it (every form is checked against the kernel
    /// by the tests above, on parameters that reach each of them).
    pub fn forms_are_recognised() {
        fn form<H: Keys>(k: impl Kernel) -> Form {
            Plan::new::<H>(&k.select().unwrap()).form
        }
        use Form::*;
        assert_eq!(form::<F16Bits>(Relu {}), Clamp([0, i16::MAX]));
        assert_eq!(form::<F16Bits>(Relu6 {}), Clamp([0, 0x4600]));
        assert_eq!(form::<Bf16Bits>(Relu6 {}), Clamp([0, 0x40c0]));
        assert_eq!(
            form::<F16Bits>(HardTanh { min: 0.5, max: 6.0 }),
            Clamp([0x3800, 0x4600])
        );
        assert_eq!(form::<F16Bits>(HardTanh { min: 0.5, max: 0.1 }), General);
        // −0 is not below 0, so it stays −0: not a clamp of the bits.
        assert_eq!(form::<F16Bits>(HardTanh { min: 0.0, max: 0.1 }), General);
        assert_eq!(
            form::<F16Bits>(HardTanh {
                min: -1.0,
                max: 1.0
            }),
            MagnitudeClamp(0x3c00)
        );
        assert_eq!(
            form::<Bf16Bits>(HardTanh {
                min: -1.0,
                max: 1.0
            }),
            MagnitudeClamp(0x3f80)
        );
        assert_eq!(
            form::<F16Bits>(HardTanh {
                min: -1.0,
                max: 2.0
            }),
            General
        );
        assert_eq!(form::<F16Bits>(HardTanh { min: 2.0, max: 1.0 }), General);
        assert_eq!(
            form::<F16Bits>(HardShrink { lambda: 0.5 }),
            MagnitudeKeep(0x3800)
        );
        assert_eq!(
            form::<F16Bits>(HardShrink { lambda: -0.5 }),
            MagnitudeKeep(-0x3801)
        );
        assert_eq!(form::<F16Bits>(Step { threshold: 0.0 }), General);
        assert_eq!(form::<F16Bits>(Identity {}), General);
    }

    /// A cached plan is the plan of the call's select and format: alternating formats and
    /// selects whose constants are equal as numbers but not as bits (±0, NaN payloads) each
    /// get their own.
    pub fn plans_follow_format_and_bits() {
        fn fresh<H: Keys>(s: &Select) -> Plan {
            Plan::new::<H>(s)
        }
        let quiet = f32::from_bits(0x7fc0_0000);
        let other = f32::from_bits(0x7fc0_0001);
        let selects = [
            HardTanh {
                min: -0.0,
                max: 1.0,
            },
            HardTanh { min: 0.0, max: 1.0 },
            HardTanh {
                min: quiet,
                max: 1.0,
            },
            HardTanh {
                min: other,
                max: 1.0,
            },
            HardTanh {
                min: -0.0,
                max: 1.0,
            },
        ]
        .map(|k| k.select().unwrap());
        assert_ne!(signature(&selects[0]), signature(&selects[1]));
        assert_ne!(signature(&selects[2]), signature(&selects[3]));
        assert_ne!(fresh::<F16Bits>(&selects[0]), fresh::<F16Bits>(&selects[1]));
        for s in selects.iter().chain(selects.iter().rev()) {
            assert_eq!(plan_of::<F16Bits>(s), fresh::<F16Bits>(s), "{s:?}");
            assert_eq!(plan_of::<Bf16Bits>(s), fresh::<Bf16Bits>(s), "{s:?}");
            assert_eq!(plan_of::<Bf16Bits>(s), fresh::<Bf16Bits>(s), "{s:?} again");
        }
    }

    /// The f16 select path equals the widen–kernel–narrow path on all 65,536 inputs, for
    /// delicate parameters, in and out of place, on every instruction set here.
    pub fn select_equals_the_kernel_on_f16() {
        every_kernel::<F16Bits>();
    }

    /// As [`select_equals_the_kernel_on_f16`], on bf16.
    pub fn select_equals_the_kernel_on_bf16() {
        every_kernel::<Bf16Bits>();
    }

    /// The model `Select::at` is each kernel at f32 inputs (so the rules say what the
    /// kernels do, whatever the format).
    pub fn rules_model_the_kernels() {
        let v = crate::simd::V(pulp::Scalar::new());
        let c = constants();
        let check = |k: &dyn Fn(f32) -> f32, s: Select| {
            for &x in c.iter().chain(&[3.0, -3.0, 7.0, 1e-3, -1e-3]) {
                let (a, b) = (k(x), s.at(x));
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{s:?} at {x}: {a} vs {b}"
                );
            }
        };
        check(&|x| Relu {}.apply(v, x), Relu {}.select().unwrap());
        check(&|x| Relu6 {}.apply(v, x), Relu6 {}.select().unwrap());
        for &a in &c {
            let k = HardShrink { lambda: a };
            check(&|x| k.apply(v, x), k.select().unwrap());
            let k = Step { threshold: a };
            check(&|x| k.apply(v, x), k.select().unwrap());
            for &b in &c {
                let k = HardTanh { min: a, max: b };
                check(&|x| k.apply(v, x), k.select().unwrap());
            }
        }
    }
}
