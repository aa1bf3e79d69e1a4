//! The error information ORPC extension (MS-DCOM 2.2.21.1 to 2.2.21.3):
//! a failing call's description travels back in ORPCTHAT, as an ORPC_EXTENT
//! holding an OBJREF_CUSTOM of CLSID_ErrorObject.
//!
//! A server method sets it with [`ErrorInfo::into_orpcthat`] on the
//! response it returns; a client reads it with [`ErrorInfo::from_orpcthat`].

use uuid::Uuid;

use super::objref::ObjRef;
use crate::dcom::{ORPCTHAT, ORPC_EXTENT, ORPC_EXTENT_ARRAY};
use crate::reader::Reader;

/// CLSID_ERROR_EXTENSION: the ORPC_EXTENT id.
pub const CLSID_ERROR_EXTENSION: Uuid = Uuid::from_u128(0x0000_031c_0000_0000_c000_0000_0000_0046);
/// CLSID_ErrorObject: the unmarshaler of the custom OBJREF.
pub const CLSID_ERROR_OBJECT: Uuid = Uuid::from_u128(0x0000_031b_0000_0000_c000_0000_0000_0046);
/// IID_IErrorInfo, the interface Windows marshals the error object for.
pub const IID_IERRORINFO: Uuid = Uuid::from_u128(0x1cf2_b120_547d_101b_8e65_0800_2b2b_d119);

/// What an error says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The interface whose method failed.
    pub iid: Uuid,
    /// Who raised the error: a ProgID or an application name.
    pub source: Option<String>,
    /// What went wrong, for a person to read.
    pub description: Option<String>,
    /// The path of a help file that explains the error.
    pub help_file: Option<String>,
    /// The topic in the help file.
    pub help_context: u32,
}

const PRESENT: u32 = 0xFFFF_FFFF;

fn put_u32(w: &mut Vec<u8>, v: u32) {
    w.extend_from_slice(&v.to_le_bytes());
}

/// An optional ErrorInfoString, after its presence signature.
fn put_string(w: &mut Vec<u8>, s: &Option<String>) {
    let Some(s) = s else {
        put_u32(w, 0);
        return;
    };
    put_u32(w, PRESENT);
    let units: Vec<u16> = s.encode_utf16().chain([0]).collect();
    put_u32(w, units.len() as u32); // dwMax, with the terminator
    put_u32(w, 0); // dwOffSet
    put_u32(w, units.len() as u32); // dwActual
    for u in units {
        w.extend_from_slice(&u.to_le_bytes());
    }
    // The next u32 starts 4-aligned, as NDR lays out the IDL form.
    w.resize((w.len() + 3) & !3, 0);
}

/// An optional ErrorInfoString, after its presence signature; `None` if
/// it is malformed.
fn read_string(r: &mut Reader<'_>) -> Option<Option<String>> {
    match r.u32().ok()? {
        0 => return Some(None),
        PRESENT => {}
        _ => return None,
    }
    let max = r.u32().ok()? as usize;
    let _offset = r.u32().ok()?;
    let actual = r.u32().ok()? as usize;
    if actual != max || actual == 0 {
        return None;
    }
    let units = r.u16s(actual).ok()?;
    // The next u32 starts 4-aligned. Padding cut off at the very end is
    // forgiven: nothing can be read after it anyway.
    let _ = r.align(4);
    let text = units.strip_suffix(&[0]).unwrap_or(&units);
    Some(Some(String::from_utf16_lossy(text)))
}

impl ErrorInfo {
    /// The custom-marshaled error object (2.2.21.2).
    fn object_data(&self) -> Vec<u8> {
        let mut w = Vec::new();
        put_u32(&mut w, 0); // dwVersion
        put_u32(&mut w, self.help_context);
        w.extend_from_slice(&self.iid.to_bytes_le());
        put_string(&mut w, &self.source);
        put_string(&mut w, &self.description);
        put_string(&mut w, &self.help_file);
        w
    }

    fn from_object_data(b: &[u8]) -> Option<ErrorInfo> {
        let mut r = Reader::new(b, "ErrorObjectData");
        if r.u32().ok()? != 0 {
            return None;
        }
        let help_context = r.u32().ok()?;
        let iid = r.guid().ok()?;
        Some(ErrorInfo {
            iid,
            help_context,
            source: read_string(&mut r)?,
            description: read_string(&mut r)?,
            help_file: read_string(&mut r)?,
        })
    }

    /// An ORPCTHAT carrying this error information.
    pub fn into_orpcthat(self) -> ORPCTHAT {
        let data = ObjRef::Custom {
            iid: IID_IERRORINFO,
            clsid: CLSID_ERROR_OBJECT,
            data: self.object_data(),
        }
        .to_bytes();
        let size = data.len() as u32;
        let mut padded = data;
        padded.resize((padded.len() + 7) & !7, 0);
        let extent = ORPC_EXTENT {
            id: CLSID_ERROR_EXTENSION,
            size,
            data: padded,
        };
        ORPCTHAT {
            flags: 0,
            extensions: Some(Box::new(ORPC_EXTENT_ARRAY {
                size: 1,
                reserved: 0,
                // The array's length is rounded up to even (2.2.13.2).
                extent: Some(vec![Some(Box::new(extent)), None]),
            })),
        }
    }

    /// The error information an ORPCTHAT carries, if it carries any that
    /// parses. Unknown extensions are ignored, as MS-DCOM requires.
    pub fn from_orpcthat(that: &ORPCTHAT) -> Option<ErrorInfo> {
        let extents = that.extensions.as_ref()?.extent.as_ref()?;
        let e = extents
            .iter()
            .flatten()
            .find(|e| e.id == CLSID_ERROR_EXTENSION)?;
        let data = e.data.get(..e.size as usize)?;
        match ObjRef::from_bytes(data).ok()? {
            ObjRef::Custom { clsid, data, .. } if clsid == CLSID_ERROR_OBJECT => {
                ErrorInfo::from_object_data(&data)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_information_round_trips_through_orpcthat_and_ndr() {
        let info = ErrorInfo {
            iid: Uuid::from_u128(0xac40e92e_1925_45a0_9f3e_95874a35497b),
            source: Some("calc".into()),
            description: Some("division by zero".into()),
            help_file: None,
            help_context: 7,
        };
        let that = info.clone().into_orpcthat();
        let bytes = crate::ndr::to_bytes(&that);
        let back: ORPCTHAT = crate::ndr::from_bytes(&bytes).expect("decodes");
        assert_eq!(ErrorInfo::from_orpcthat(&back), Some(info));
    }

    #[test]
    fn the_custom_object_has_the_spec_layout() {
        let info = ErrorInfo {
            iid: Uuid::nil(),
            source: None,
            description: Some("x".into()),
            help_file: None,
            help_context: 0,
        };
        let d = info.object_data();
        // dwVersion, dwHelpContext, iid, no source, then the description:
        // signature, dwMax 2, dwOffSet 0, dwActual 2, "x\0", no help file.
        assert_eq!(d[24..28], [0, 0, 0, 0]);
        assert_eq!(d[28..32], [0xff; 4]);
        assert_eq!(d[32..44], [2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]);
        assert_eq!(d[44..48], [b'x', 0, 0, 0]);
        assert_eq!(d[48..52], [0, 0, 0, 0]);
        assert_eq!(d.len(), 52);
    }

    #[test]
    fn hostile_error_objects_are_ignored() {
        assert_eq!(ErrorInfo::from_object_data(&[1, 0, 0, 0]), None);
        let mut d = ErrorInfo {
            description: Some("long".into()),
            ..ErrorInfo::default()
        }
        .object_data();
        d[32..36].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        assert_eq!(ErrorInfo::from_object_data(&d), None);
        for n in 0..d.len() {
            let _ = ErrorInfo::from_object_data(&d[..n]);
        }
    }
}
