//! The built-in OLE Automation types (`msrpc::oaut`, generated from
//! ms-oaut.idl) against wire bytes from an independent encoder: impacket's
//! `dcom.oaut` classes wrote every vector in `vectors/oaut/` (see
//! `vectors/make_oaut_vectors.py` and the table in `vectors/oaut/README.md`).
//! Each decodes to the value the table gives, and re-encodes to the same
//! bytes but for impacket's padding markers.
//!
//! The `impacket-*` vectors are impacket's SAFEARRAY layout, which is not
//! the IDL's (the README says where): they must not decode as the IDL's
//! types to some other value without an error.

use msrpc::ndr::{from_bytes, to_bytes, wire, Decoder, Encoder, Ndr};
use msrpc::oaut::{
    _wireSAFEARRAY, bstr_string, wireVARIANTStr, wireVARIANTStr__varUnion as Arm, Variant, BSTR,
    DISPPARAMS, FLAGGED_WORD_BLOB, SAFEARRAYUNION, SF_BSTR, SF_I4, VARIANT,
};
use msrpc_tests::{assert_same_wire, vector_in};

fn round_trip<T: Ndr + std::fmt::Debug>(name: &str) -> T {
    let theirs = vector_in("oaut", name);
    let value: T = from_bytes(&theirs).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_same_wire(name, &to_bytes(&value), &theirs);
    value
}

/// [`round_trip`] for a pointer typedef (BSTR, VARIANT): a top-level
/// unique pointer, its referent ID and then its referent.
fn round_trip_unique<T: Ndr + std::fmt::Debug>(name: &str) -> Option<Box<T>> {
    let theirs = vector_in("oaut", name);
    let decode = || -> msrpc::ndr::Result<Option<Box<T>>> {
        let mut d = Decoder::new(&theirs);
        let mut v = wire::get::<wire::Unique<T>>(&mut d, &[])?;
        wire::get_deferred::<wire::Unique<T>>(&mut d, &mut v, &[])?;
        d.finish()?;
        Ok(v)
    };
    let value = decode().unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut e = Encoder::new();
    wire::put::<wire::Unique<T>>(&mut e, &value, &[]).expect("encode");
    wire::put_deferred::<wire::Unique<T>>(&mut e, &value, &[]).expect("encode");
    assert_same_wire(name, &e.into_bytes(), &theirs);
    value
}

fn variant(name: &str) -> Variant {
    Variant::from_wire(&round_trip::<wireVARIANTStr>(name))
}

#[test]
fn bstrs() {
    let hello: BSTR = round_trip_unique("BSTR-Hello");
    assert_eq!(bstr_string(&hello).as_deref(), Some("Hello"));
    assert_eq!(hello.as_ref().map(|b| b.c_bytes), Some(10));
    let empty: BSTR = round_trip_unique("BSTR-empty");
    assert_eq!(bstr_string(&empty).as_deref(), Some(""));
    // 2.2.23.2: a null BSTR is a blob whose cBytes is all ones.
    let null: BSTR = round_trip_unique("BSTR-null");
    assert!(null.is_some());
    assert_eq!(bstr_string(&null), None);
    let blob: FLAGGED_WORD_BLOB = round_trip("FLAGGED_WORD_BLOB-Hello");
    assert_eq!(String::from_utf16_lossy(&blob.as_data), "Hello");
}

#[test]
fn scalar_variants() {
    assert_eq!(variant("wireVARIANT-I4"), Variant::I4(0x1234_5678));
    assert_eq!(
        variant("wireVARIANT-BSTR"),
        Variant::Bstr(Some("Hello".into()))
    );
    assert_eq!(variant("wireVARIANT-BOOL"), Variant::Bool(true));
    assert_eq!(variant("wireVARIANT-R8"), Variant::R8(1.5));
    assert_eq!(variant("wireVARIANT-EMPTY"), Variant::Empty);
    assert_eq!(variant("wireVARIANT-NULL"), Variant::Null);
    // impacket's clSize is always 5; a reader keeps what came.
    let w: wireVARIANTStr = round_trip("wireVARIANT-I4");
    assert_eq!(w.cl_size, 5);
}

#[test]
fn a_by_reference_variant_keeps_its_wire_form() {
    let w: wireVARIANTStr = round_trip("wireVARIANT-I4-BYREF");
    assert_eq!(w.vt, 0x4003);
    assert_eq!(w.var_union, Arm::PlVal(Some(Box::new(-2))));
    assert_eq!(Variant::from_wire(&w), Variant::Wire(Box::new(w)));
}

#[test]
fn a_variant_pointer() {
    let v: VARIANT = round_trip_unique("VARIANT-I4");
    let w = v.expect("non-null");
    assert_eq!(Variant::from_wire(&w), Variant::I4(7));
}

#[test]
fn dispparams() {
    let p: DISPPARAMS = round_trip("DISPPARAMS-two-args");
    let args: Vec<Variant> = p
        .rgvarg
        .expect("rgvarg")
        .iter()
        .map(|v| Variant::from_wire(v.as_deref().expect("non-null")))
        .collect();
    assert_eq!(args, [Variant::I4(42), Variant::Bstr(Some("Hi".into()))]);
    assert!(p.rgdispid_named_args.is_none());
    let none: DISPPARAMS = round_trip("DISPPARAMS-no-args");
    assert!(none.rgvarg.is_none() && none.rgdispid_named_args.is_none());
}

fn i4_array(a: &_wireSAFEARRAY) -> Vec<u32> {
    match &a.u_array_structs {
        SAFEARRAYUNION::LongStr(s) => s.p_data.clone().unwrap_or_default(),
        other => panic!("not SF_I4: {other:?}"),
    }
}

#[test]
fn safearrays_as_the_idl_lays_them_out() {
    let a: _wireSAFEARRAY = round_trip("spec-wireSAFEARRAY-I4");
    assert_eq!(a.u_array_structs.discriminant(), i128::from(SF_I4));
    assert_eq!(i4_array(&a), [1, 2, 3]);
    assert_eq!((a.rgsabound.len(), a.rgsabound[0].c_elements), (1, 3));

    let b: _wireSAFEARRAY = round_trip("wireSAFEARRAY-BSTR");
    assert_eq!(b.u_array_structs.discriminant(), i128::from(SF_BSTR));
    let SAFEARRAYUNION::BstrStr(s) = &b.u_array_structs else {
        panic!("not SF_BSTR");
    };
    let texts: Vec<Option<String>> = s.a_bstr.iter().map(bstr_string).collect();
    assert_eq!(texts, [Some("ab".into()), Some("c".into())]);
}

#[test]
fn array_variants() {
    let w: wireVARIANTStr = round_trip("spec-wireVARIANT-ARRAY-I4");
    assert_eq!(w.vt, 0x2003);
    let Arm::Parray(Some(p)) = &w.var_union else {
        panic!("not VT_ARRAY: {:?}", w.var_union);
    };
    assert_eq!(i4_array(p.as_deref().expect("SAFEARRAY")), [1, 2, 3]);
    let w: wireVARIANTStr = round_trip("spec-wireVARIANT-ARRAY-BSTR");
    assert_eq!(w.vt, 0x2008);
}

#[test]
fn impackets_own_safearray_layout_is_not_the_idls() {
    // impacket leaves out the IDL's pointers, so the bytes mean something
    // else as the IDL reads them: an error, never the same value.
    let theirs = vector_in("oaut", "impacket-wireSAFEARRAY-I4");
    if let Ok(a) = from_bytes::<_wireSAFEARRAY>(&theirs) {
        assert_ne!(i4_array(&a), [1, 2, 3]);
    }
    for name in [
        "impacket-wireVARIANT-ARRAY-I4",
        "impacket-wireVARIANT-ARRAY-BSTR",
    ] {
        let theirs = vector_in("oaut", name);
        let spec = vector_in("oaut", &name.replace("impacket-", "spec-"));
        if let Ok(w) = from_bytes::<wireVARIANTStr>(&theirs) {
            let spec: wireVARIANTStr = from_bytes(&spec).expect("spec vector");
            assert_ne!(w, spec, "{name}");
        }
    }
}
