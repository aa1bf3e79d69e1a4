//! Property tests over every generated type (the fixtures' and
//! `msrpc::dcom`'s, listed by tests/build.rs): a value `arbitrary` builds
//! either encodes and decodes back to itself, or is refused by the encoder
//! with a typed error, never a panic. Values the IDL forbids (a count field
//! that disagrees with its array, a value outside `[range]`, a
//! discriminant that fits no arm) are the refused ones.

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod fixture {
    include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
}

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod uses_dcom {
    include!(concat!(env!("OUT_DIR"), "/uses_dcom.rs"));
}

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod everything {
    include!(concat!(env!("OUT_DIR"), "/everything.rs"));
}

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod rpc_test {
    include!(concat!(env!("OUT_DIR"), "/rpc_test.rs"));
}

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod orpc_test {
    include!(concat!(env!("OUT_DIR"), "/orpc_test.rs"));
}

use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};
use msrpc::ndr::{from_bytes, try_to_bytes, Ndr};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRng, TestRunner};

trait Visit {
    fn visit<T: Ndr + Debug + for<'a> Arbitrary<'a>>(&mut self, name: &'static str);
}

include!(concat!(env!("OUT_DIR"), "/every_type.rs"));

/// How many values of each type encoded, and how many were refused.
#[derive(Default)]
struct Tally {
    rows: Vec<(&'static str, u32, u32)>,
}

impl Visit for Tally {
    fn visit<T: Ndr + Debug + for<'a> Arbitrary<'a>>(&mut self, name: &'static str) {
        // A fixed seed: the same values every run, so the tally is stable.
        let config = Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::deterministic_rng(config.rng_algorithm);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let (ok, refused) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
        let result = runner.run(&proptest::collection::vec(any::<u8>(), 0..512), |seed| {
            let Ok(v) = T::arbitrary(&mut Unstructured::new(&seed)) else {
                return Ok(());
            };
            match try_to_bytes(&v) {
                Ok(bytes) => {
                    let back: T = from_bytes(&bytes)
                        .map_err(|e| TestCaseError::fail(format!("{name}: {e} for {v:?}")))?;
                    // Debug, not PartialEq, so that a NaN equals itself.
                    prop_assert_eq!(format!("{back:?}"), format!("{v:?}"), "{}", name);
                    prop_assert_eq!(try_to_bytes(&back).ok(), Some(bytes), "{}", name);
                    ok.set(ok.get() + 1);
                }
                Err(_) => refused.set(refused.get() + 1),
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
        self.rows.push((name, ok.get(), refused.get()));
    }
}

#[test]
fn every_generated_type_round_trips_or_is_refused() {
    let mut t = Tally::default();
    every_type(&mut t);
    assert!(t.rows.len() > 60, "{} types visited", t.rows.len());
    let never: Vec<_> = t.rows.iter().filter(|r| r.1 == 0).collect();
    for r in &t.rows {
        eprintln!("{:50} {:4} round-tripped {:4} refused", r.0, r.1, r.2);
    }
    // Every type must round-trip some values, or the property says nothing
    // about it. These keep fields that must agree with others, which random
    // values almost never do; the tests named here build valid ones.
    let agreeing = [
        // kind = switch_is of value: codegen_fixture.rs, switch_is_must_agree...,
        // and everything_types_with_agreeing_fields below
        "fixture::TAGGED",
        "fixture::KINDED",
        "everything::HAS_UNION",
        "everything::ARRAYS",
        // first_is/last_is/length_is against the window: varying_fixed_arrays...
        "fixture::WINDOWS",
        // size against (size+7)&~7 data bytes: ndr_vectors.rs, ORPCTHIS vectors
        "msrpc::dcom::ORPC_EXTENT",
        // Requests whose count also sizes the response, or whose arrays are
        // windows given by other parameters: tests/rpc.rs calls them.
        "msrpc::dcom::i_rem_unknown::RemAddRefRequest",
        "everything::i_everything_rpc::ArraysRequest",
        // Holds a HAS_UNION and an ARRAYS, above.
        "everything::i_everything_rpc::TypesRequest",
        // cIfs sizes three arrays at once: ndr_vectors.rs, props_out_info...
        "msrpc::dcom::PropsOutInfo",
    ];
    let unexplained: Vec<_> = never.iter().filter(|r| !agreeing.contains(&r.0)).collect();
    assert!(
        unexplained.is_empty(),
        "never round-tripped: {unexplained:?}"
    );
}

#[test]
fn everything_types_with_agreeing_fields() {
    use everything::*;
    let v = HAS_UNION {
        kind: 3,
        u: NE_UNION::D(3, 0.5),
    };
    let b = try_to_bytes(&v).expect("encodes");
    assert_eq!(from_bytes::<HAS_UNION>(&b), Ok(v));
    let v = ARRAYS {
        fixed4: [1, 2, 3, 4],
        m: [[1, 2, 3], [4, 5, 6]],
        bytes: *b"8 bytes!",
        first_idx: 2,
        last_idx: 4,
        window: vec![20, 30, 40],
        used: 1,
        partial: vec![-1],
        conformant: vec![7, 8],
    };
    let b = try_to_bytes(&v).expect("encodes");
    assert_eq!(from_bytes::<ARRAYS>(&b), Ok(v));
}
