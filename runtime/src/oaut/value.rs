//! Rust values for the OLE Automation wire types: a BSTR is a `String`
//! and a VARIANT a [`Variant`], converted to and from the generated
//! `FLAGGED_WORD_BLOB` and `wireVARIANTStr`.

use super::generated::{
    wireVARIANTStr, wireVARIANTStr__varUnion as Arm, BSTR, CURRENCY, DECIMAL, FLAGGED_WORD_BLOB,
    VARIANT_BOOL,
};
use crate::dcom::MInterfacePointer;
use crate::ndr;

/// 2.2.23.2: a null BSTR is a non-null pointer whose cBytes is all ones.
const NULL_BSTR: u32 = 0xFFFF_FFFF;
/// 2.2.27: VARIANT_BOOL's true and false.
const VARIANT_TRUE: VARIANT_BOOL = -1;

/// A BSTR holding `text`, as UTF-16 with no terminator.
pub fn bstr(text: &str) -> BSTR {
    let as_data: Vec<u16> = text.encode_utf16().collect();
    Some(Box::new(FLAGGED_WORD_BLOB {
        c_bytes: (as_data.len() * 2) as u32,
        as_data,
    }))
}

/// The text of a BSTR; `None` for a null one (a null pointer, or the
/// wire's null BSTR). Unpaired surrogates become U+FFFD.
pub fn bstr_string(b: &BSTR) -> Option<String> {
    let blob = b.as_ref()?;
    if blob.c_bytes == NULL_BSTR {
        return None;
    }
    Some(String::from_utf16_lossy(&blob.as_data))
}

/// A VARIANT's value. Arms with no plainer Rust form (SAFEARRAYs, records,
/// by-reference values) are kept as they are on the wire, in `Wire`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Variant {
    /// VT_EMPTY.
    Empty,
    /// VT_NULL, SQL's null.
    Null,
    /// VT_I1.
    I1(i8),
    /// VT_I2.
    I2(i16),
    /// VT_I4.
    I4(i32),
    /// VT_I8.
    I8(i64),
    /// VT_UI1.
    Ui1(u8),
    /// VT_UI2.
    Ui2(u16),
    /// VT_UI4.
    Ui4(u32),
    /// VT_UI8.
    Ui8(u64),
    /// VT_INT.
    Int(i32),
    /// VT_UINT.
    Uint(u32),
    /// VT_R4.
    R4(f32),
    /// VT_R8.
    R8(f64),
    /// VT_BOOL.
    Bool(bool),
    /// VT_ERROR: an SCODE.
    Error(crate::Hresult),
    /// VT_CY: currency, in units of 1/10,000.
    Currency(i64),
    /// VT_DATE: days since 1899-12-30, the fraction the time of day.
    Date(f64),
    /// VT_BSTR; `None` for a null BSTR.
    Bstr(Option<String>),
    /// VT_DECIMAL.
    Decimal(DECIMAL),
    /// VT_UNKNOWN: an interface pointer, or null.
    Unknown(Option<MInterfacePointer>),
    /// VT_DISPATCH: an IDispatch pointer, or null.
    Dispatch(Option<MInterfacePointer>),
    /// Any other arm, as the wire has it.
    Wire(Box<wireVARIANTStr>),
}

/// Why a [`Variant`] cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VariantError {
    /// The value does not marshal, so its size is unknown.
    #[error("the VARIANT does not marshal: {0}")]
    Ndr(String),
}

impl Variant {
    /// The VARTYPE (2.2.7) and union arm of this value.
    fn arm(self) -> Result<(u16, Arm), Box<wireVARIANTStr>> {
        Ok(match self {
            Variant::Empty => (0, Arm::Case0),
            Variant::Null => (1, Arm::Case1),
            Variant::I2(v) => (2, Arm::IVal(v)),
            Variant::I4(v) => (3, Arm::LVal(v)),
            Variant::R4(v) => (4, Arm::FltVal(v)),
            Variant::R8(v) => (5, Arm::DblVal(v)),
            Variant::Currency(v) => (6, Arm::CyVal(CURRENCY { int64: v })),
            Variant::Date(v) => (7, Arm::Date(v)),
            Variant::Bstr(Some(s)) => (8, Arm::BstrVal(bstr(&s))),
            Variant::Bstr(None) => (8, Arm::BstrVal(null_bstr())),
            Variant::Dispatch(p) => (9, Arm::PdispVal(p.map(Box::new))),
            Variant::Error(h) => (10, Arm::Scode(h.into())),
            Variant::Bool(b) => (11, Arm::BoolVal(if b { VARIANT_TRUE } else { 0 })),
            Variant::Unknown(p) => (13, Arm::PunkVal(p.map(Box::new))),
            Variant::Decimal(d) => (14, Arm::DecVal(d)),
            Variant::I1(v) => (16, Arm::CVal(v as u8)),
            Variant::Ui1(v) => (17, Arm::BVal(v)),
            Variant::Ui2(v) => (18, Arm::UiVal(v)),
            Variant::Ui4(v) => (19, Arm::UlVal(v)),
            Variant::I8(v) => (20, Arm::LlVal(v)),
            Variant::Ui8(v) => (21, Arm::UllVal(v)),
            Variant::Int(v) => (22, Arm::IntVal(v)),
            Variant::Uint(v) => (23, Arm::UintVal(v)),
            Variant::Wire(w) => return Err(w),
        })
    }

    /// The wire form, with clSize (2.2.29.1: the marshaled size in 8-byte
    /// units) worked out from the encoding.
    pub fn to_wire(self) -> Result<wireVARIANTStr, VariantError> {
        let (vt, var_union) = match self.arm() {
            Ok(arm) => arm,
            Err(wire) => return Ok(*wire),
        };
        let mut w = wireVARIANTStr {
            cl_size: 0,
            rpc_reserved: 0,
            vt,
            w_reserved1: 0,
            w_reserved2: 0,
            w_reserved3: 0,
            var_union,
        };
        let bytes = ndr::try_to_bytes(&w).map_err(|e| VariantError::Ndr(e.to_string()))?;
        w.cl_size = bytes.len().div_ceil(8) as u32;
        Ok(w)
    }

    /// The value of a wire VARIANT. Arms with no plainer form come back
    /// as [`Variant::Wire`]; nothing is lost either way.
    pub fn from_wire(w: &wireVARIANTStr) -> Variant {
        match &w.var_union {
            Arm::Case0 => Variant::Empty,
            Arm::Case1 => Variant::Null,
            Arm::IVal(v) => Variant::I2(*v),
            Arm::LVal(v) => Variant::I4(*v),
            Arm::FltVal(v) => Variant::R4(*v),
            Arm::DblVal(v) => Variant::R8(*v),
            Arm::CyVal(v) => Variant::Currency(v.int64),
            Arm::Date(v) => Variant::Date(*v),
            Arm::BstrVal(b) => Variant::Bstr(bstr_string(b)),
            Arm::PdispVal(p) => Variant::Dispatch(p.as_deref().cloned()),
            Arm::Scode(h) => Variant::Error((*h).into()),
            Arm::BoolVal(b) => Variant::Bool(*b != 0),
            Arm::PunkVal(p) => Variant::Unknown(p.as_deref().cloned()),
            Arm::DecVal(d) => Variant::Decimal(d.clone()),
            Arm::CVal(v) => Variant::I1(*v as i8),
            Arm::BVal(v) => Variant::Ui1(*v),
            Arm::UiVal(v) => Variant::Ui2(*v),
            Arm::UlVal(v) => Variant::Ui4(*v),
            Arm::LlVal(v) => Variant::I8(*v),
            Arm::UllVal(v) => Variant::Ui8(*v),
            Arm::IntVal(v) => Variant::Int(*v),
            Arm::UintVal(v) => Variant::Uint(*v),
            _ => Variant::Wire(Box::new(w.clone())),
        }
    }
}

fn null_bstr() -> BSTR {
    Some(Box::new(FLAGGED_WORD_BLOB {
        c_bytes: NULL_BSTR,
        as_data: Vec::new(),
    }))
}

// Shorthands for the common kinds.
impl From<&str> for Variant {
    fn from(s: &str) -> Self {
        Variant::Bstr(Some(s.to_owned()))
    }
}

impl From<i32> for Variant {
    fn from(v: i32) -> Self {
        Variant::I4(v)
    }
}

impl From<bool> for Variant {
    fn from(v: bool) -> Self {
        Variant::Bool(v)
    }
}

impl From<f64> for Variant {
    fn from(v: f64) -> Self {
        Variant::R8(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bstr_is_utf16_with_its_byte_count() {
        let b = bstr("Hé");
        let blob = b.as_ref().expect("non-null");
        assert_eq!(
            (blob.c_bytes, blob.as_data.as_slice()),
            (4, &[0x48, 0xE9][..])
        );
        assert_eq!(bstr_string(&b).as_deref(), Some("Hé"));
        assert_eq!(bstr_string(&null_bstr()), None);
        assert_eq!(bstr_string(&None), None);
    }

    #[test]
    fn variants_survive_the_wire_form() {
        for v in [
            Variant::Empty,
            Variant::I4(-7),
            Variant::Bool(true),
            Variant::R8(1.5),
            Variant::Bstr(Some("x".into())),
            Variant::Bstr(None),
            Variant::Ui8(u64::MAX),
            Variant::Error(crate::Hresult(0x8000_4005)),
        ] {
            let w = v.clone().to_wire().expect("marshals");
            let bytes = ndr::to_bytes(&w);
            assert_eq!(w.cl_size as usize, bytes.len().div_ceil(8), "{v:?}");
            let back: wireVARIANTStr = ndr::from_bytes(&bytes).expect("decodes");
            assert_eq!(Variant::from_wire(&back), v);
        }
    }

    #[test]
    fn a_variant_bool_is_all_ones() {
        let w = Variant::Bool(true).to_wire().expect("marshals");
        assert_eq!(w.var_union, Arm::BoolVal(-1));
        assert_eq!(Variant::from_wire(&w), Variant::Bool(true));
    }
}
