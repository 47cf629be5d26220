//! The f16/bf16 lookup tables (`lanewise::lut`): a table holds exactly its kernel's bits on
//! every instruction set, in place and out of place, at any length; `Auto` builds after
//! 65,536 elements and not before; only the functions that should use tables do; the cap
//! holds. One test, because the table registry is per process and the counts are global.

use lanewise::lut::{MAX_TABLES, Tables, clear_tables, tables_built, with_tables};
use lanewise::table::{Family, OPS, OpInfo, find};
use lanewise::{Element, Isa, bf16, f16, with_isa};

fn bits<T: Element>(y: &[T]) -> Vec<u16> {
    y.iter().map(|&v| bytemuck::cast(v)).collect()
}

fn all<T: Element>() -> Vec<T> {
    (0..=u16::MAX).map(bytemuck::cast).collect()
}

fn run<T: Element>(mode: Tables, isa: Isa, op: &OpInfo, p: &[f32], x: &[T]) -> Vec<u16> {
    let mut y = vec![T::default(); x.len()];
    with_isa(isa, || with_tables(mode, || op.run_as(x, &mut y, p))).unwrap();
    bits(&y)
}

/// Panics at the first differing output, with `what` (not the whole vectors).
#[track_caller]
fn same(got: &[u16], want: &[u16], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
        panic!(
            "{what}: output {i} is {:#06x}, the kernel gives {:#06x}",
            got[i], want[i]
        );
    }
}

fn built() -> usize {
    tables_built().0
}

/// The piecewise-linear functions that read tables: those whose half kernels divide or
/// round through the near-midpoint test.
const TABULATED_PIECEWISE: [&str; 3] = ["hard_swish", "softsign", "sparse_plus"];

/// Every function, every ISA: a table built eagerly gives the kernel's bits on all 65,536
/// inputs, out of place and in place, and exactly the non-piecewise-linear functions and
/// [`TABULATED_PIECEWISE`] build one.
fn every_table_equals_its_kernel<T: Element>() {
    let x = all::<T>();
    for isa in Isa::available() {
        clear_tables();
        for op in OPS {
            let p = op.defaults();
            let kernel = run(Tables::Off, isa, op, &p, &x);
            let before = built();
            let table = run(Tables::Eager, isa, op, &p, &x);
            let uses =
                op.family != Family::PiecewiseLinear || TABULATED_PIECEWISE.contains(&op.name);
            assert_eq!(op.half_table(), uses, "{}", op.name);
            assert_eq!(
                built() - before,
                uses as usize,
                "{} {} on {isa}",
                op.name,
                T::DTYPE
            );
            assert!(
                table == kernel,
                "{} {} on {isa}: table differs",
                op.name,
                T::DTYPE
            );
            let mut z = x.clone();
            with_isa(isa, || {
                with_tables(Tables::Eager, || op.run_inplace_as(&mut z, &p))
            })
            .unwrap();
            assert!(
                bits(&z) == kernel,
                "{} {} on {isa}: in place differs",
                op.name,
                T::DTYPE
            );
            assert_eq!(
                built() - before,
                uses as usize,
                "{} rebuilt its table",
                op.name
            );
        }
    }
}

/// `Auto` computes until 65,536 elements have been asked for on one key, then builds; the
/// key includes the parameters, and a table gives the same bits as the kernel at every
/// length and offset.
fn auto_builds_after_65536_elements() {
    clear_tables();
    let op = find("elu").unwrap();
    let x: Vec<f16> = (0..70_000)
        .map(|i| f16::from_f32(i as f32 * 1e-3 - 30.0))
        .collect();
    let isa = lanewise::active_isa();
    let chunk = &x[..30_000];
    let want = run(Tables::Off, isa, op, &[0.5], chunk);
    same(
        &run(Tables::Auto, isa, op, &[0.5], chunk),
        &want,
        "first call",
    );
    same(
        &run(Tables::Auto, isa, op, &[0.5], chunk),
        &want,
        "second call",
    );
    assert_eq!(built(), 0, "built before 65,536 elements");
    assert_eq!(
        run(Tables::Auto, isa, op, &[0.25], chunk).len(),
        chunk.len()
    );
    assert_eq!(built(), 0, "another alpha is another key");
    same(
        &run(Tables::Auto, isa, op, &[0.5], chunk),
        &want,
        "third call",
    );
    assert_eq!(built(), 1, "not built at 90,000 elements");
    // From the table now: every length 0..=70 and unaligned starts, in place too.
    for n in (0..=70).chain([1000, 1037]) {
        for off in [0, 1, 5] {
            let xs = &x[off..off + n];
            let want = run(Tables::Off, isa, op, &[0.5], xs);
            assert_eq!(
                run(Tables::Auto, isa, op, &[0.5], xs),
                want,
                "n={n} off={off}"
            );
            let mut z = xs.to_vec();
            with_tables(Tables::Auto, || lanewise::elu_inplace(&mut z, 0.5));
            same(&bits(&z), &want, &format!("in place n={n} off={off}"));
        }
    }
    assert_eq!(built(), 1);
    // Clearing drops the tables, this thread's cached one included: the next call rebuilds.
    clear_tables();
    same(
        &run(Tables::Eager, isa, op, &[0.5], chunk),
        &want,
        "after clear",
    );
    assert_eq!(built(), 1, "a cleared table was still in use");
    // Off never builds, whatever the count.
    run(Tables::Off, isa, op, &[0.75], &x);
    run(Tables::Off, isa, op, &[0.75], &x);
    assert_eq!(built(), 1);
}

/// Past `MAX_TABLES` tables, calls on new keys compute (and still return the right bits).
fn the_cap_holds() {
    clear_tables();
    let op = find("celu").unwrap();
    let x = all::<bf16>();
    let isa = lanewise::active_isa();
    for k in 0..MAX_TABLES + 3 {
        let p = [0.5 + k as f32 / 64.0];
        let want = run(Tables::Off, isa, op, &p, &x);
        same(
            &run(Tables::Eager, isa, op, &p, &x),
            &want,
            &format!("alpha {}", p[0]),
        );
        assert_eq!(built(), (k + 1).min(MAX_TABLES));
    }
    assert_eq!(tables_built().1, MAX_TABLES * 2 * 65_536);
    clear_tables();
    assert_eq!(tables_built(), (0, 0));
}

#[test]
fn tables() {
    auto_builds_after_65536_elements();
    every_table_equals_its_kernel::<f16>();
    every_table_equals_its_kernel::<bf16>();
    the_cap_holds();
}
