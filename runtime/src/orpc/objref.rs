//! OBJREF (MS-DCOM 2.2.18) and the packet form of DUALSTRINGARRAY
//! (2.2.19.1): hand-marshaled little-endian byte layouts, carried inside
//! an `MInterfacePointer`'s bytes. Decoding takes untrusted bytes and
//! answers with a typed error, never a panic or an allocation the input
//! cannot justify.
//!
//! The structures are the generated ones (`dcom::STDOBJREF`,
//! `dcom::DUALSTRINGARRAY`); what a DUALSTRINGARRAY's units mean, its
//! string and security bindings, is built and read here.

use uuid::Uuid;

use crate::dcom::{DUALSTRINGARRAY, STDOBJREF};
use crate::reader::{Reader, Truncated};

/// "MEOW".
pub const OBJREF_SIGNATURE: u32 = 0x574f_454d;
/// OBJREF.flags: a standard OBJREF follows.
pub const OBJREF_STANDARD: u32 = 0x1;
/// OBJREF.flags: a handler OBJREF follows.
pub const OBJREF_HANDLER: u32 = 0x2;
/// OBJREF.flags: a custom OBJREF follows.
pub const OBJREF_CUSTOM: u32 = 0x4;
/// OBJREF.flags: an extended OBJREF follows.
pub const OBJREF_EXTENDED: u32 = 0x8;
/// STDOBJREF.flags: the client is asked not to ping this object.
pub const SORF_NOPING: u32 = 0x1000;
/// OBJREF_EXTENDED's signatures (2.2.18.7).
const EXTENDED_SIGNATURE: u32 = 0x4E53_5956;

/// `wTowerId` of ncacn_ip_tcp (C706 appendix I).
pub const TOWER_NCACN_IP_TCP: u16 = 0x0007;
/// `wAuthnSvc` values (MS-RPCE 2.2.1.1.7).
pub const RPC_C_AUTHN_NONE: u16 = 0x00;
/// `wAuthnSvc` of NTLM.
pub const RPC_C_AUTHN_WINNT: u16 = 0x0A;

/// Why bytes are not an OBJREF; MS-DCOM answers all of these with
/// RPC_E_INVALID_OBJREF.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObjRefError {
    /// The signature is not [`OBJREF_SIGNATURE`].
    #[error("OBJREF signature {0:#010x} is not MEOW")]
    Signature(u32),
    /// The flags are not exactly one of the four kinds.
    #[error("OBJREF flags {0:#x} name no one kind")]
    Flags(u32),
    /// The structure named ends early.
    #[error("the {0} ends early")]
    Truncated(&'static str),
    /// The DUALSTRINGARRAY is malformed, as described.
    #[error("DUALSTRINGARRAY: {0}")]
    Bindings(&'static str),
    /// An OBJREF_EXTENDED's signatures or data element are malformed, as
    /// described.
    #[error("OBJREF_EXTENDED: {0}")]
    Extended(&'static str),
}

/// A STRINGBINDING: a protocol tower and a network address
/// (`host` for a resolver, `host[port]` for an exporter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringBinding {
    /// `wTowerId`: the protocol sequence, such as [`TOWER_NCACN_IP_TCP`].
    pub tower_id: u16,
    /// `aNetworkAddr`: the address, without its terminating NUL.
    pub network_addr: String,
}

/// A SECURITYBINDING: an authentication service and a principal name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityBinding {
    /// `wAuthnSvc`, such as [`RPC_C_AUTHN_WINNT`].
    pub authn_svc: u16,
    /// `None` for RPC_C_AUTHN_NONE, which carries no name.
    pub princ_name: Option<String>,
}

/// An OBJREF, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjRef {
    /// OBJREF_STANDARD: a reference the standard proxy unmarshals.
    Standard {
        /// The IID of the interface referred to.
        iid: Uuid,
        /// Who holds the object, and the references handed over.
        std: STDOBJREF,
        /// The bindings of the object resolver on the object's machine.
        resolver: DUALSTRINGARRAY,
    },
    /// OBJREF_HANDLER: a standard reference that a client-side handler
    /// unmarshals.
    Handler {
        /// The IID of the interface referred to.
        iid: Uuid,
        /// Who holds the object, and the references handed over.
        std: STDOBJREF,
        /// The handler's CLSID.
        clsid: Uuid,
        /// The bindings of the object resolver on the object's machine.
        resolver: DUALSTRINGARRAY,
    },
    /// OBJREF_CUSTOM: data that an unmarshaler of the object's choosing
    /// reads; activation properties travel in one.
    Custom {
        /// The IID of the interface referred to.
        iid: Uuid,
        /// The unmarshaler's CLSID.
        clsid: Uuid,
        /// `pObjectData`, opaque to the OBJREF.
        data: Vec<u8>,
    },
    /// OBJREF_EXTENDED: a standard reference with envoy data.
    Extended {
        /// The IID of the interface referred to.
        iid: Uuid,
        /// Who holds the object, and the references handed over.
        std: STDOBJREF,
        /// The bindings of the object resolver on the object's machine.
        resolver: DUALSTRINGARRAY,
        /// The data elements; a parsed OBJREF_EXTENDED has exactly one.
        elements: Vec<DataElement>,
    },
}

/// DATAELEMENT (2.2.18.8): an envoy context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataElement {
    /// `dataID`: what the data is.
    pub data_id: Uuid,
    /// The data, without its padding to 8 bytes.
    pub data: Vec<u8>,
}

impl DUALSTRINGARRAY {
    /// The array of `strings` and `security`: each binding, then a 0 that
    /// ends the list (a lone 0 pair for an empty one), MS-DCOM 2.2.19.1.
    /// `DUALSTRINGARRAY::default()` has no terminators, and no reader
    /// accepts it.
    pub fn new(strings: &[StringBinding], security: &[SecurityBinding]) -> DUALSTRINGARRAY {
        let mut a = Vec::new();
        for s in strings {
            a.push(s.tower_id);
            a.extend(s.network_addr.encode_utf16());
            a.push(0);
        }
        if strings.is_empty() {
            a.push(0); // an empty list still needs its terminator pair
        }
        a.push(0);
        let offset = a.len() as u16;
        for s in security {
            a.push(s.authn_svc);
            if let Some(name) = &s.princ_name {
                a.push(0xffff); // Reserved
                a.extend(name.encode_utf16());
                a.push(0);
            }
        }
        if security.is_empty() {
            a.push(0);
        }
        a.push(0);
        DUALSTRINGARRAY {
            w_security_offset: offset,
            a_string_array: a,
        }
    }

    /// `aStringArray` before and after `wSecurityOffset`.
    fn halves(&self) -> Result<(&[u16], &[u16]), ObjRefError> {
        let offset = usize::from(self.w_security_offset);
        if offset > self.a_string_array.len() || offset == 0 {
            return Err(ObjRefError::Bindings("wSecurityOffset outside the array"));
        }
        Ok(self.a_string_array.split_at(offset))
    }

    /// The string bindings: where the server can be reached.
    pub fn string_bindings(&self) -> Result<Vec<StringBinding>, ObjRefError> {
        let (strs, _) = self.halves()?;
        let mut strings = Vec::new();
        let mut i = 0;
        while i < strs.len() && strs[i] != 0 {
            let tower_id = strs[i];
            let end = strs[i + 1..]
                .iter()
                .position(|&c| c == 0)
                .ok_or(ObjRefError::Bindings("a string binding is not terminated"))?;
            let network_addr = String::from_utf16_lossy(&strs[i + 1..i + 1 + end]);
            strings.push(StringBinding {
                tower_id,
                network_addr,
            });
            i += end + 2;
        }
        Ok(strings)
    }

    /// The security bindings: the authentication services the server
    /// accepts.
    pub fn security_bindings(&self) -> Result<Vec<SecurityBinding>, ObjRefError> {
        let (_, secs) = self.halves()?;
        let mut security = Vec::new();
        let mut i = 0;
        while i < secs.len() && secs[i] != 0 {
            let authn_svc = secs[i];
            // RPC_C_AUTHN_NONE carries no Reserved and no name.
            if authn_svc == RPC_C_AUTHN_NONE {
                security.push(SecurityBinding {
                    authn_svc,
                    princ_name: None,
                });
                i += 1;
                continue;
            }
            let name_at = i + 2;
            let rest = secs
                .get(name_at..)
                .ok_or(ObjRefError::Bindings("a security binding ends early"))?;
            let end = rest
                .iter()
                .position(|&c| c == 0)
                .ok_or(ObjRefError::Bindings(
                    "a security binding is not terminated",
                ))?;
            security.push(SecurityBinding {
                authn_svc,
                princ_name: Some(String::from_utf16_lossy(&rest[..end])),
            });
            i = name_at + end + 1;
        }
        Ok(security)
    }
}

/// The packet form of a DUALSTRINGARRAY (2.2.19.1): `wNumEntries`, then
/// the fields of the IDL form, with no NDR around them.
fn write_bindings(d: &DUALSTRINGARRAY, w: &mut Vec<u8>) {
    w.extend_from_slice(&(d.a_string_array.len() as u16).to_le_bytes());
    w.extend_from_slice(&d.w_security_offset.to_le_bytes());
    for u in &d.a_string_array {
        w.extend_from_slice(&u.to_le_bytes());
    }
}

/// Reads the packet form; both lists must parse.
fn read_bindings(r: &mut Reader<'_>) -> Result<DUALSTRINGARRAY, ObjRefError> {
    r.part("DUALSTRINGARRAY");
    let n = r.u16()?;
    let d = DUALSTRINGARRAY {
        w_security_offset: r.u16()?,
        a_string_array: r.u16s(usize::from(n))?,
    };
    d.string_bindings()?;
    d.security_bindings()?;
    Ok(d)
}

impl From<Truncated> for ObjRefError {
    fn from(t: Truncated) -> ObjRefError {
        ObjRefError::Truncated(t.part)
    }
}

fn read_std(r: &mut Reader<'_>) -> Result<STDOBJREF, Truncated> {
    r.part("STDOBJREF");
    Ok(STDOBJREF {
        flags: r.u32()?,
        c_public_refs: r.u32()?,
        oxid: r.u64()?,
        oid: r.u64()?,
        ipid: r.guid()?,
    })
}

fn put_std(w: &mut Vec<u8>, s: &STDOBJREF) {
    w.extend_from_slice(&s.flags.to_le_bytes());
    w.extend_from_slice(&s.c_public_refs.to_le_bytes());
    w.extend_from_slice(&s.oxid.to_le_bytes());
    w.extend_from_slice(&s.oid.to_le_bytes());
    w.extend_from_slice(&s.ipid.to_bytes_le());
}

/// An OBJREF as the interface pointer that carries it.
pub(crate) fn mip(o: &ObjRef) -> Box<crate::dcom::MInterfacePointer> {
    Box::new(crate::dcom::MInterfacePointer {
        ab_data: o.to_bytes(),
    })
}

impl ObjRef {
    /// The IID of the interface referred to.
    pub fn iid(&self) -> Uuid {
        match self {
            ObjRef::Standard { iid, .. }
            | ObjRef::Handler { iid, .. }
            | ObjRef::Custom { iid, .. }
            | ObjRef::Extended { iid, .. } => *iid,
        }
    }

    /// The STDOBJREF of a standard, handler or extended OBJREF.
    pub fn std(&self) -> Option<&STDOBJREF> {
        match self {
            ObjRef::Standard { std, .. }
            | ObjRef::Handler { std, .. }
            | ObjRef::Extended { std, .. } => Some(std),
            ObjRef::Custom { .. } => None,
        }
    }

    /// The OBJREF's bytes, as an `MInterfacePointer` carries them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(128);
        let flags = match self {
            ObjRef::Standard { .. } => OBJREF_STANDARD,
            ObjRef::Handler { .. } => OBJREF_HANDLER,
            ObjRef::Custom { .. } => OBJREF_CUSTOM,
            ObjRef::Extended { .. } => OBJREF_EXTENDED,
        };
        w.extend_from_slice(&OBJREF_SIGNATURE.to_le_bytes());
        w.extend_from_slice(&flags.to_le_bytes());
        w.extend_from_slice(&self.iid().to_bytes_le());
        match self {
            ObjRef::Standard { std, resolver, .. } => {
                put_std(&mut w, std);
                write_bindings(resolver, &mut w);
            }
            ObjRef::Handler {
                std,
                clsid,
                resolver,
                ..
            } => {
                put_std(&mut w, std);
                w.extend_from_slice(&clsid.to_bytes_le());
                write_bindings(resolver, &mut w);
            }
            ObjRef::Custom { clsid, data, .. } => {
                w.extend_from_slice(&clsid.to_bytes_le());
                w.extend_from_slice(&0u32.to_le_bytes()); // cbExtension
                                                          // reserved: "any arbitrary value"; Windows and impacket send the size.
                w.extend_from_slice(&(data.len() as u32 + 8).to_le_bytes());
                w.extend_from_slice(data);
            }
            ObjRef::Extended {
                std,
                resolver,
                elements,
                ..
            } => {
                put_std(&mut w, std);
                w.extend_from_slice(&EXTENDED_SIGNATURE.to_le_bytes());
                write_bindings(resolver, &mut w);
                w.extend_from_slice(&(elements.len() as u32).to_le_bytes());
                w.extend_from_slice(&EXTENDED_SIGNATURE.to_le_bytes());
                for e in elements {
                    w.extend_from_slice(&e.data_id.to_bytes_le());
                    w.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
                    let rounded = (e.data.len() + 7) & !7;
                    w.extend_from_slice(&(rounded as u32).to_le_bytes());
                    w.extend_from_slice(&e.data);
                    w.resize(w.len() + rounded - e.data.len(), 0);
                }
            }
        }
        w
    }

    /// Reads an OBJREF from untrusted bytes, such as an `MInterfacePointer`'s.
    pub fn from_bytes(b: &[u8]) -> Result<ObjRef, ObjRefError> {
        let mut r = Reader::new(b, "OBJREF");
        let signature = r.u32()?;
        if signature != OBJREF_SIGNATURE {
            return Err(ObjRefError::Signature(signature));
        }
        let flags = r.u32()?;
        let iid = r.guid()?;
        Ok(match flags {
            OBJREF_STANDARD => {
                let std = read_std(&mut r)?;
                let resolver = read_bindings(&mut r)?;
                ObjRef::Standard { iid, std, resolver }
            }
            OBJREF_HANDLER => {
                let std = read_std(&mut r)?;
                let clsid = r.part("OBJREF_HANDLER").guid()?;
                let resolver = read_bindings(&mut r)?;
                ObjRef::Handler {
                    iid,
                    std,
                    clsid,
                    resolver,
                }
            }
            OBJREF_CUSTOM => {
                r.part("OBJREF_CUSTOM");
                let clsid = r.guid()?;
                let _cb_extension = r.u32()?;
                let _reserved = r.u32()?;
                let data = r.rest().to_vec();
                ObjRef::Custom { iid, clsid, data }
            }
            OBJREF_EXTENDED => {
                let std = read_std(&mut r)?;
                if r.part("OBJREF_EXTENDED").u32()? != EXTENDED_SIGNATURE {
                    return Err(ObjRefError::Extended("Signature1 is not 0x4E535956"));
                }
                let resolver = read_bindings(&mut r)?;
                let n = r.part("OBJREF_EXTENDED").u32()?;
                if r.u32()? != EXTENDED_SIGNATURE {
                    return Err(ObjRefError::Extended("Signature2 is not 0x4E535956"));
                }
                if n != 1 {
                    return Err(ObjRefError::Extended("nElms is not 1"));
                }
                r.part("DATAELEMENT");
                let data_id = r.guid()?;
                let size = r.u32()? as usize;
                let rounded = r.u32()? as usize;
                if size == 0 || rounded != (size + 7) & !7 {
                    return Err(ObjRefError::Extended(
                        "cbRounded is not cbSize rounded to 8",
                    ));
                }
                let data = r.take(rounded)?[..size].to_vec();
                ObjRef::Extended {
                    iid,
                    std,
                    resolver,
                    elements: vec![DataElement { data_id, data }],
                }
            }
            other => return Err(ObjRefError::Flags(other)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings() -> Vec<StringBinding> {
        vec![StringBinding {
            tower_id: TOWER_NCACN_IP_TCP,
            network_addr: "host".into(),
        }]
    }

    fn security() -> Vec<SecurityBinding> {
        vec![SecurityBinding {
            authn_svc: RPC_C_AUTHN_WINNT,
            princ_name: Some(String::new()),
        }]
    }

    fn resolver() -> DUALSTRINGARRAY {
        DUALSTRINGARRAY::new(&strings(), &security())
    }

    fn units(a: &[u16], offset: u16) -> DUALSTRINGARRAY {
        DUALSTRINGARRAY {
            w_security_offset: offset,
            a_string_array: a.to_vec(),
        }
    }

    #[test]
    fn the_spec_example_counts_units_with_both_terminators() {
        // MS-DCOM 2.2.19.1: [0007]host[0][0] [000A][FFFF][0][0]
        let d = resolver();
        let a = &d.a_string_array;
        assert_eq!(d.w_security_offset, 7);
        assert_eq!(a.len(), 11);
        assert_eq!(a[..7], [7, 104, 111, 115, 116, 0, 0]);
        assert_eq!(a[7..], [10, 0xffff, 0, 0]);
        assert_eq!(d.string_bindings(), Ok(strings()));
        assert_eq!(d.security_bindings(), Ok(security()));
    }

    #[test]
    fn the_smallest_dualstringarray_is_four_zeros() {
        assert_eq!(DUALSTRINGARRAY::new(&[], &[]), units(&[0, 0, 0, 0], 2));
    }

    #[test]
    fn every_kind_round_trips() {
        let std = STDOBJREF {
            flags: SORF_NOPING,
            c_public_refs: 5,
            oxid: 0x1122_3344_5566_7788,
            oid: 42,
            ipid: Uuid::from_u128(7),
        };
        let iid = Uuid::from_u128(0xac40e92e_1925_45a0_9f3e_95874a35497b);
        for o in [
            ObjRef::Standard {
                iid,
                std: std.clone(),
                resolver: resolver(),
            },
            ObjRef::Handler {
                iid,
                std: std.clone(),
                clsid: Uuid::from_u128(9),
                resolver: resolver(),
            },
            ObjRef::Custom {
                iid,
                clsid: Uuid::from_u128(0x338),
                data: vec![1, 2, 3],
            },
            ObjRef::Extended {
                iid,
                std,
                resolver: resolver(),
                elements: vec![DataElement {
                    data_id: Uuid::from_u128(3),
                    data: vec![9; 5],
                }],
            },
        ] {
            let bytes = o.to_bytes();
            assert_eq!(bytes[..4], *b"MEOW");
            assert_eq!(ObjRef::from_bytes(&bytes), Ok(o));
        }
    }

    #[test]
    fn a_standard_objref_has_the_spec_offsets() {
        let o = ObjRef::Standard {
            iid: Uuid::from_u128(1),
            std: STDOBJREF {
                c_public_refs: 5,
                ..STDOBJREF::default()
            },
            resolver: DUALSTRINGARRAY::new(&[], &[]),
        };
        let b = o.to_bytes();
        // signature, flags, iid (16), STDOBJREF (40) at 24, bindings at 64.
        assert_eq!(b[4..8], 1u32.to_le_bytes());
        assert_eq!(b[28..32], 5u32.to_le_bytes());
        assert_eq!(b[64..68], [4, 0, 2, 0]);
        assert_eq!(b.len(), 64 + 4 + 8);
    }

    #[test]
    fn hostile_objrefs_are_typed_errors() {
        assert_eq!(
            ObjRef::from_bytes(b"WOEM\x01\0\0\0"),
            Err(ObjRefError::Signature(0x4d454f57))
        );
        let mut two = ObjRef::Standard {
            iid: Uuid::nil(),
            std: STDOBJREF::default(),
            resolver: resolver(),
        }
        .to_bytes();
        two[4] = 3; // standard and handler at once
        assert_eq!(ObjRef::from_bytes(&two), Err(ObjRefError::Flags(3)));
        // A DUALSTRINGARRAY claiming 0xffff units in a short buffer.
        let mut big = two.clone();
        big[4] = 1;
        big[64..66].copy_from_slice(&0xffffu16.to_le_bytes());
        assert_eq!(
            ObjRef::from_bytes(&big),
            Err(ObjRefError::Truncated("DUALSTRINGARRAY"))
        );
        // Every truncation of a valid OBJREF fails cleanly.
        let good = ObjRef::Extended {
            iid: Uuid::nil(),
            std: STDOBJREF::default(),
            resolver: resolver(),
            elements: vec![DataElement {
                data_id: Uuid::from_u128(1),
                data: vec![1; 9],
            }],
        }
        .to_bytes();
        for n in 0..good.len() {
            assert!(
                ObjRef::from_bytes(&good[..n]).is_err(),
                "prefix of {n} bytes"
            );
        }
    }

    #[test]
    fn bindings_without_terminators_are_refused() {
        assert!(units(&[7, 104, 105], 3).string_bindings().is_err());
        assert!(units(&[0, 0, 10, 0xffff, 65], 2)
            .security_bindings()
            .is_err());
        assert!(units(&[0, 0], 5).string_bindings().is_err());
        assert!(units(&[0, 0], 5).security_bindings().is_err());
    }
}
