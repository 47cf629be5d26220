//! Lookup tables for the half formats: an elementwise function of one f16 or bf16 input has
//! only 65,536 inputs, so once a function (with its parameters) has been applied to enough
//! elements, lanewise tabulates it and later calls read the table instead of computing.
//!
//! A table is built by the very kernel it replaces, on the active instruction set, over all
//! 65,536 bit patterns in one call, so it holds exactly the bits that kernel returns: the
//! correctly rounded value of every input (see [`Element`](crate::Element)). Tables change
//! speed, never results.
//!
//! **When.** In the default mode, [`Tables::Auto`], the table for a (function, parameters,
//! format, instruction set) is built by the call that brings the elements computed for it to
//! 65,536 or more, which is about the cost of building it; so the total work is at most
//! about twice what computing every element would have cost, and a caller that applies
//! the same activation again and again runs from the table after the first 65,536 elements.
//! [`Tables::Eager`] builds at the first call, [`Tables::Off`] never uses tables. The mode is
//! set per thread by [`with_tables`], or for the process by the environment variable
//! `LANEWISE_HALF_TABLES=auto|eager|off` (read once).
//!
//! **Which.** Every function built on the transcendental primitives (families
//! [`Transcendental`](crate::table::Family::Transcendental) and
//! [`Primitive`](crate::table::Family::Primitive)), and the piecewise-linear hard_swish,
//! softsign and sparse_plus (whose half kernels divide or round through the near-midpoint
//! test), for `f16` and `bf16`: [`OpInfo::half_table`](crate::table::OpInfo::half_table).
//! The other piecewise-linear ones keep their kernels, which outrun a lookup in cache. f32
//! never uses tables (2^32 inputs), nor do PReLU (two inputs) and the row-wise functions.
//!
//! **Reads.** One load per element, or on x86-64 AVX2 and AVX-512 gathers (8 or 16 entries
//! per instruction), whichever ran faster when timed once per process and instruction set
//! ([`table_reads`] says which).
//!
//! **Memory.** 128 KiB per table, at most [`MAX_TABLES`] tables (8 MiB) per process; calls
//! on further keys compute, and at most [`MAX_KEYS`] keys are counted. Tables live until
//! [`clear_tables`] or the process ends; building is thread-safe (one thread builds, others
//! wait for it).

use crate::dtype::Dtype;
use crate::isa::{Isa, active_isa};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

#[cfg(target_arch = "x86_64")]
mod gather;

/// The most tables a process builds (128 KiB each).
pub const MAX_TABLES: usize = 64;
/// The most (function, parameters, format, instruction set) keys a process counts elements
/// for; calls on further keys compute and are not counted.
pub const MAX_KEYS: usize = 4096;
/// Input patterns of a half format, and the elements after which [`Tables::Auto`] builds.
const PATTERNS: usize = 1 << 16;

/// A table: the output for each of the 65,536 inputs, and one entry of padding, so that a
/// gather's 4-byte read at the last entry stays inside.
type Table = [u16; PATTERNS + 1];

/// When half-format elementwise calls use lookup tables (see the [module](self) docs).
///
/// ```
/// use lanewise::{f16, lut::{Tables, with_tables}};
/// let x = [f16::from_f32(0.5)];
/// let mut y = [f16::ZERO];
/// with_tables(Tables::Off, || lanewise::sigmoid(&x, &mut y)); // always the kernel
/// let kernel = y[0];
/// with_tables(Tables::Eager, || lanewise::sigmoid(&x, &mut y)); // builds and reads a table
/// assert_eq!(y[0], kernel); // the same bits either way
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tables {
    /// Build a table once its key has been applied to 65,536 elements (the default).
    Auto,
    /// Build a table at the first call on its key.
    Eager,
    /// Never use tables: every call runs the kernel.
    Off,
}

impl Tables {
    /// Parses `auto`, `eager` or `off`.
    ///
    /// ```
    /// use lanewise::lut::Tables;
    /// assert_eq!(Tables::from_name("off"), Some(Tables::Off));
    /// assert_eq!(Tables::from_name("sometimes"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Tables> {
        match name.trim() {
            "auto" => Some(Tables::Auto),
            "eager" => Some(Tables::Eager),
            "off" => Some(Tables::Off),
            _ => None,
        }
    }
}

thread_local! {
    static MODE: Cell<Option<Tables>> = const { Cell::new(None) };
}

fn global_mode() -> Tables {
    static GLOBAL: OnceLock<Tables> = OnceLock::new();
    *GLOBAL.get_or_init(|| match std::env::var("LANEWISE_HALF_TABLES") {
        Ok(name) if !name.trim().is_empty() => Tables::from_name(&name).unwrap_or_else(|| {
            panic!("LANEWISE_HALF_TABLES: unknown mode {name:?} (expected auto, eager or off)")
        }),
        _ => Tables::Auto,
    })
}

/// The table mode of calls on this thread now: the innermost [`with_tables`], else
/// `LANEWISE_HALF_TABLES`, else [`Tables::Auto`].
///
/// ```
/// use lanewise::lut::{Tables, tables_mode, with_tables};
/// assert_eq!(with_tables(Tables::Off, tables_mode), Tables::Off);
/// ```
pub fn tables_mode() -> Tables {
    MODE.with(|m| m.get()).unwrap_or_else(global_mode)
}

/// Runs `f` with every half-format call on this thread using tables as `mode` says.
///
/// ```
/// use lanewise::{bf16, lut::{Tables, with_tables}};
/// let mut y = [bf16::ZERO; 1];
/// with_tables(Tables::Off, || lanewise::gelu(&[bf16::ONE], &mut y));
/// assert_eq!(y[0], bf16::from_f32(0.8413447));
/// ```
pub fn with_tables<R>(mode: Tables, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Tables>);
    impl Drop for Restore {
        fn drop(&mut self) {
            MODE.with(|m| m.set(self.0));
        }
    }
    let _restore = Restore(MODE.with(|m| m.replace(Some(mode))));
    f()
}

/// How many tables this process has built, and their bytes.
///
/// ```
/// let (tables, bytes) = lanewise::lut::tables_built();
/// assert_eq!(bytes, tables * 2 * 65_536);
/// ```
pub fn tables_built() -> (usize, usize) {
    let n = registry().built.load(Ordering::Relaxed) as usize;
    (n, n * 2 * PATTERNS)
}

/// Drops every table and every element count (memory is freed once no call still reads a
/// table); later calls start counting afresh.
///
/// ```
/// use lanewise::lut::{clear_tables, tables_built};
/// clear_tables();
/// assert_eq!(tables_built(), (0, 0));
/// ```
pub fn clear_tables() {
    let reg = registry();
    let mut keys = reg.keys.write().unwrap_or_else(|e| e.into_inner());
    keys.clear();
    reg.built.store(0, Ordering::Relaxed);
    reg.generation.fetch_add(1, Ordering::AcqRel);
    LAST.set(None);
}

/// What a table is of: function name, parameter bits, format, instruction set.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Key {
    name: &'static str,
    params: [u32; 4],
    nparams: u8,
    dtype: Dtype,
    isa: Isa,
}

/// The state of one key: elements computed so far, and the table once built (the output for
/// each of the 65,536 inputs).
pub(crate) struct Entry {
    seen: AtomicU64,
    table: OnceLock<Option<Box<Table>>>,
}

struct Registry {
    keys: RwLock<HashMap<Key, Arc<Entry>>>,
    built: AtomicU64,
    /// Incremented by [`clear_tables`], so that threads drop their cached entries.
    generation: AtomicU64,
}

thread_local! {
    /// The last table this thread used, with the registry generation it came from: repeated
    /// calls on one key skip the registry's lock and hash.
    static LAST: std::cell::RefCell<Option<(Key, u64, Arc<Entry>)>> =
        const { std::cell::RefCell::new(None) };
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        keys: RwLock::new(HashMap::new()),
        built: AtomicU64::new(0),
        generation: AtomicU64::new(0),
    })
}

/// The entry of `key`, created if there is room.
fn entry(key: &Key) -> Option<Arc<Entry>> {
    let reg = registry();
    if let Some(e) = reg.keys.read().unwrap_or_else(|e| e.into_inner()).get(key) {
        return Some(e.clone());
    }
    let mut keys = reg.keys.write().unwrap_or_else(|e| e.into_inner());
    if keys.len() >= MAX_KEYS && !keys.contains_key(key) {
        return None;
    }
    Some(
        keys.entry(*key)
            .or_insert_with(|| {
                Arc::new(Entry {
                    seen: AtomicU64::new(0),
                    table: OnceLock::new(),
                })
            })
            .clone(),
    )
}

/// The table for a call of `n` elements on (`name`, `params`, `dtype`), if tables are on and
/// this key has one or has now earned one (then built with `build`, which must fill its
/// slice with the function of every bit pattern, in order).
pub(crate) fn table_for(
    name: &'static str,
    params: &[f32],
    dtype: Dtype,
    n: usize,
    build: impl FnOnce(&mut [u16]),
) -> Option<Arc<Entry>> {
    let mode = tables_mode();
    if mode == Tables::Off || n == 0 || params.len() > 4 {
        return None;
    }
    let mut bits = [0u32; 4];
    for (b, p) in bits.iter_mut().zip(params) {
        *b = p.to_bits();
    }
    let key = Key {
        name,
        params: bits,
        nparams: params.len() as u8,
        dtype,
        isa: active_isa(),
    };
    let generation = registry().generation.load(Ordering::Acquire);
    let cached = LAST.with_borrow(|last| match last {
        Some((k, g, e)) if *k == key && *g == generation => Some(e.clone()),
        _ => None,
    });
    if cached.is_some() {
        return cached;
    }
    let e = entry(&key)?;
    if e.table.get().is_none() {
        let seen = e.seen.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if mode == Tables::Auto && seen < PATTERNS as u64 {
            return None;
        }
        e.table.get_or_init(|| {
            let reg = registry();
            if reg.built.fetch_add(1, Ordering::Relaxed) >= MAX_TABLES as u64 {
                reg.built.fetch_sub(1, Ordering::Relaxed);
                return None;
            }
            let mut t: Box<Table> = (0..=u16::MAX)
                .chain([0])
                .collect::<Box<[u16]>>()
                .try_into()
                .expect("one entry per pattern, and the padding");
            build(&mut t[..PATTERNS]);
            Some(t)
        });
    }
    e.table.get()?.as_ref()?;
    LAST.set(Some((key, generation, e.clone())));
    Some(e)
}

impl Entry {
    /// The table (present: [`table_for`] only returns entries that have one).
    fn table(&self) -> &Table {
        self.table
            .get()
            .and_then(|t| t.as_deref())
            .expect("table_for returns built entries")
    }

    /// `out[i] = table[x[i]]` (lengths checked by the caller), read as [`lookup`] chose.
    pub(crate) fn map(&self, x: &[u16], out: &mut [u16]) {
        debug_assert_eq!(x.len(), out.len());
        let t = self.table();
        lookup(active_isa(), t, x).map(t, x, out)
    }

    /// `x[i] = table[x[i]]`.
    pub(crate) fn map_inplace(&self, x: &mut [u16]) {
        let t = self.table();
        lookup(active_isa(), t, x).map_inplace(t, x)
    }
}

/// `out[i] = t[x[i]]`, one load per element (a u16 index into the table needs no bounds
/// check).
fn loads(t: &Table, x: &[u16], out: &mut [u16]) {
    for (o, &i) in out.iter_mut().zip(x) {
        *o = t[i as usize];
    }
}

/// `x[i] = t[x[i]]`, one load per element.
fn loads_inplace(t: &Table, x: &mut [u16]) {
    for x in x.iter_mut() {
        *x = t[*x as usize];
    }
}

/// How tables are read on one instruction set.
#[derive(Clone, Copy)]
enum Lookup {
    /// One load per element.
    Loads,
    /// Vector gathers (AVX2, AVX-512), the last elements of a call by loads.
    #[cfg(target_arch = "x86_64")]
    Gathers(gather::Token),
}

impl Lookup {
    /// `out[i] = t[x[i]]` (lengths equal).
    fn map(self, t: &Table, x: &[u16], out: &mut [u16]) {
        match self {
            Lookup::Loads => loads(t, x, out),
            #[cfg(target_arch = "x86_64")]
            Lookup::Gathers(g) => g.map(t, x, out),
        }
    }

    /// `x[i] = t[x[i]]`.
    fn map_inplace(self, t: &Table, x: &mut [u16]) {
        match self {
            Lookup::Loads => loads_inplace(t, x),
            #[cfg(target_arch = "x86_64")]
            Lookup::Gathers(g) => g.map_inplace(t, x),
        }
    }
}

/// Elements [`lookup`] times each form on.
const SAMPLE: usize = 4096;

/// The [`Lookup`] chosen for each instruction set (`Isa` order: scalar, avx2, avx512, neon).
static CHOSEN: [OnceLock<Lookup>; 4] = [const { OnceLock::new() }; 4];

fn slot(isa: Isa) -> usize {
    match isa {
        Isa::Scalar => 0,
        Isa::Avx2 => 1,
        Isa::Avx512 => 2,
        Isa::Neon => 3,
    }
}

/// How tables are read on `isa` for the input `x`. Chosen once per process, at the first
/// read of [`SAMPLE`] elements or more on `isa`, by timing both forms on the table and the
/// first [`SAMPLE`] elements at hand (smaller calls before then use loads): gathers where
/// the instruction set has them and they outran one load per element, loads otherwise.
/// Which form runs changes speed only: both read the same entries.
///
/// Neither wins everywhere. In standalone tests one load per element outran AVX2 and
/// AVX-512 gathers on AMD (Zen 3: 2.2–3.2 against 1.1–2.2 Gelem/s in cache; Zen 5: 3.7–4.0
/// against 2.4–3.1), and the gathers outran it on an Intel Xeon (Emerald Rapids): 4.9–5.0
/// against 4.0–4.2 in cache, 3.9–4.4 against 3.0–3.5 at 16M elements.
fn lookup(isa: Isa, t: &Table, x: &[u16]) -> Lookup {
    let chosen = &CHOSEN[slot(isa)];
    match chosen.get() {
        Some(&l) => l,
        None if x.len() < SAMPLE => Lookup::Loads,
        None => *chosen.get_or_init(|| timed(isa, t, &x[..SAMPLE])),
    }
}

/// How f16/bf16 lookup tables are read on `isa` in this process, once chosen (at the first
/// table read of 4,096 elements or more on it, by timing both forms): `"gathers"` (AVX2,
/// AVX-512) or `"loads"` (one per element); `None` before. The choice changes speed only.
///
/// ```
/// use lanewise::{active_isa, f16, lut::{Tables, table_reads, with_tables}};
/// let x = vec![f16::ONE; 4096];
/// let mut y = x.clone();
/// with_tables(Tables::Eager, || lanewise::sigmoid(&x, &mut y));
/// assert!(matches!(table_reads(active_isa()), Some("gathers" | "loads")));
/// ```
pub fn table_reads(isa: Isa) -> Option<&'static str> {
    CHOSEN[slot(isa)].get().map(|l| match l {
        Lookup::Loads => "loads",
        #[cfg(target_arch = "x86_64")]
        Lookup::Gathers(_) => "gathers",
    })
}

/// The faster [`Lookup`] on `isa` for `t` and the indices `x`: the best of 7 alternating
/// reads by each form.
fn timed(isa: Isa, t: &Table, x: &[u16]) -> Lookup {
    #[cfg(target_arch = "x86_64")]
    if let Some(g) = gather::Token::of(isa) {
        let mut out = vec![0u16; x.len()];
        let forms = [Lookup::Loads, Lookup::Gathers(g)];
        let mut best = [f64::INFINITY; 2];
        for _ in 0..7 {
            for (form, best) in forms.iter().zip(&mut best) {
                let start = std::time::Instant::now();
                form.map(t, std::hint::black_box(x), &mut out);
                std::hint::black_box(&mut out);
                *best = best.min(start.elapsed().as_secs_f64());
            }
        }
        if best[1] < best[0] {
            return forms[1];
        }
    }
    let _ = (isa, t, x);
    Lookup::Loads
}

/// White-box checks, run by `tests/internals.rs` through [`crate::self_check`].
pub(crate) mod checks {
    use super::*;

    /// Every way this machine can read a table (loads, and the gathers of each instruction
    /// set that has them) gives the entries: every length up to 70 at offsets into a slice
    /// of all 65,536 indices (the last entry, next to the padding, included), out of place
    /// and in place.
    pub fn table_reads_agree() {
        let mut t: Box<Table> = vec![0u16; PATTERNS + 1]
            .into_boxed_slice()
            .try_into()
            .expect("the table's size");
        for (i, e) in t.iter_mut().enumerate() {
            *e = (i as u16).wrapping_mul(31_337) ^ 0x5a5a;
        }
        t[PATTERNS] = 0xdead;
        let mut x: Vec<u16> = (0..=u16::MAX).rev().collect();
        x.extend([u16::MAX, 0, u16::MAX, 1, u16::MAX]);
        let want: Vec<u16> = x.iter().map(|&i| t[i as usize]).collect();
        #[cfg(target_arch = "x86_64")]
        let gathers = [Isa::Avx512, Isa::Avx2]
            .into_iter()
            .filter_map(|isa| Some((isa.name(), Lookup::Gathers(gather::Token::of(isa)?))));
        #[cfg(not(target_arch = "x86_64"))]
        let gathers = std::iter::empty();
        for (name, form) in std::iter::once(("loads", Lookup::Loads)).chain(gathers) {
            let read = |x: &[u16], out: &mut [u16]| form.map(&t, x, out);
            let read_inplace = |x: &mut [u16]| form.map_inplace(&t, x);
            let mut out = vec![0u16; x.len()];
            read(&x, &mut out);
            assert!(out == want, "{name}: the whole slice");
            for len in 0..=70 {
                for at in [0, 1, 3, 7, 15, x.len() - 70] {
                    let (x, want) = (&x[at..at + len], &want[at..at + len]);
                    let mut out = vec![0u16; len];
                    read(x, &mut out);
                    assert_eq!(out, want, "{name}: length {len} at {at}");
                    let mut y = x.to_vec();
                    read_inplace(&mut y);
                    assert_eq!(y, want, "{name}: in place, length {len} at {at}");
                }
            }
        }
    }
}
