//! The activation properties BLOB (MS-DCOM 2.2.22): a CustomHeader and its
//! property structures, each serialized with MS-RPCE's type serialization
//! version 1 (2.2.6: an 8-byte common header, an 8-byte private header,
//! then the NDR body padded to 8), the whole carried in an OBJREF_CUSTOM.
//!
//! Properties msrpc acts on are decoded into their generated types; the
//! others are kept as bytes, as "servers SHOULD ignore properties that they
//! do not recognize".

use uuid::Uuid;

use super::objref::ObjRef;
use crate::dcom::{
    customREMOTE_REQUEST_SCM_INFO, CustomHeader, InstantiationInfoData, LocationInfoData,
    PropsOutInfo, ScmReplyInfoData, ScmRequestInfoData,
};
use crate::ndr::{self, Ndr};

const fn com_guid(d1: u32) -> Uuid {
    Uuid::from_u128(((d1 as u128) << 96) | 0x0000_0000_c000_0000_0000_0046)
}

/// The CLSID in the OBJREF_CUSTOM that carries a request's BLOB.
pub const CLSID_ACTIVATION_PROPERTIES_IN: Uuid = com_guid(0x338);
/// The CLSID in the OBJREF_CUSTOM that carries a reply's BLOB.
pub const CLSID_ACTIVATION_PROPERTIES_OUT: Uuid = com_guid(0x339);
/// The IID in the OBJREF_CUSTOM that carries a request's BLOB.
pub const IID_IACTIVATION_PROPERTIES_IN: Uuid = com_guid(0x1a2);
/// The IID in the OBJREF_CUSTOM that carries a reply's BLOB.
pub const IID_IACTIVATION_PROPERTIES_OUT: Uuid = com_guid(0x1a3);

/// The property InstantiationInfoData: the class to create and the
/// interfaces wanted.
pub const CLSID_INSTANTIATION_INFO: Uuid = com_guid(0x1ab);
/// The property SpecialPropertiesData: the session ID, the default
/// authentication level and other flags.
pub const CLSID_SPECIAL_SYSTEM_PROPERTIES: Uuid = com_guid(0x1b9);
/// The property InstanceInfoData: a persistent object to initialize the
/// new one from.
pub const CLSID_INSTANCE_INFO: Uuid = com_guid(0x1ad);
/// The property ScmRequestInfoData: the client's impersonation level and
/// the protocol sequences it asks for.
pub const CLSID_SCM_REQUEST_INFO: Uuid = com_guid(0x1aa);
/// The property ActivationContextInfoData: the client's and the
/// prototype's COM contexts.
pub const CLSID_ACTIVATION_CONTEXT_INFO: Uuid = com_guid(0x1a5);
/// The property LocationInfoData: where the object is to be created.
pub const CLSID_SERVER_LOCATION_INFO: Uuid = com_guid(0x1a4);
/// The property SecurityInfoData: authentication flags and the server
/// machine.
pub const CLSID_SECURITY_INFO: Uuid = com_guid(0x1a6);
/// The property ScmReplyInfoData: how to reach the object exporter.
pub const CLSID_SCM_REPLY_INFO: Uuid = com_guid(0x1b6);
/// The same value as CLSID_ActivationPropertiesOut (2.2.22.2.9).
pub const CLSID_PROPS_OUT_INFO: Uuid = com_guid(0x339);

/// Why bytes are not an activation properties BLOB.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// The OBJREF is not an OBJREF_CUSTOM of the CLSID named.
    #[error("the activation properties are not an OBJREF_CUSTOM of {0}")]
    Wrapper(&'static str),
    /// The OBJREF that carries the BLOB does not parse.
    #[error(transparent)]
    ObjRef(#[from] super::ObjRefError),
    /// A type serialization header is not version 1, little-endian.
    #[error("type serialization header: {0}")]
    Header(&'static str),
    /// The BLOB ends before the field named.
    #[error("the BLOB ends early: {0}")]
    Truncated(&'static str),
    /// The CustomHeader or a property does not encode or decode.
    #[error("{what}: {err}")]
    Ndr {
        /// The structure that failed.
        what: &'static str,
        /// Why.
        err: ndr::Error,
    },
    /// The CustomHeader's sizes and CLSIDs do not agree with each other or
    /// with the BLOB.
    #[error("CustomHeader: {0}")]
    Custom(&'static str),
}

/// One property of the BLOB.
#[derive(Clone, Debug, PartialEq)]
pub enum Property {
    /// InstantiationInfoData: the class to create and the interfaces wanted.
    Instantiation(InstantiationInfoData),
    /// LocationInfoData: where the object is to be created.
    Location(LocationInfoData),
    /// ScmRequestInfoData: the client's impersonation level and the
    /// protocol sequences it asks for.
    ScmRequest(ScmRequestInfoData),
    /// ScmReplyInfoData: the object exporter's OXID, bindings and
    /// IRemUnknown IPID.
    ScmReply(ScmReplyInfoData),
    /// PropsOutInfo, in a reply only: per interface asked for, an HRESULT
    /// and the marshaled pointer.
    PropsOut(PropsOutInfo),
    /// A property kept as its NDR body, unread.
    Other {
        /// The property's CLSID, which names its type.
        clsid: Uuid,
        /// The NDR body as received, padding included.
        body: Vec<u8>,
    },
}

impl Property {
    fn clsid(&self) -> Uuid {
        match self {
            Property::Instantiation(_) => CLSID_INSTANTIATION_INFO,
            Property::Location(_) => CLSID_SERVER_LOCATION_INFO,
            Property::ScmRequest(_) => CLSID_SCM_REQUEST_INFO,
            Property::ScmReply(_) => CLSID_SCM_REPLY_INFO,
            Property::PropsOut(_) => CLSID_PROPS_OUT_INFO,
            Property::Other { clsid, .. } => *clsid,
        }
    }

    fn body(&self) -> Result<Vec<u8>, ndr::Error> {
        match self {
            Property::Instantiation(p) => ndr::try_to_bytes(p),
            Property::Location(p) => ndr::try_to_bytes(p),
            Property::ScmRequest(p) => ndr::try_to_bytes(p),
            Property::ScmReply(p) => ndr::try_to_bytes(p),
            Property::PropsOut(p) => ndr::try_to_bytes(p),
            Property::Other { body, .. } => Ok(body.clone()),
        }
    }

    /// Reads a property by its CLSID; `incoming` says which direction's
    /// CLSIDs to expect (0x339 is PropsOutInfo only in a reply).
    fn read(clsid: Uuid, body: &[u8], reply: bool) -> Result<Property, BlobError> {
        fn de<T: Ndr>(what: &'static str, b: &[u8]) -> Result<T, BlobError> {
            lenient(b).map_err(|err| BlobError::Ndr { what, err })
        }
        Ok(match clsid {
            CLSID_INSTANTIATION_INFO => Property::Instantiation(de("InstantiationInfoData", body)?),
            CLSID_SERVER_LOCATION_INFO => Property::Location(de("LocationInfoData", body)?),
            CLSID_SCM_REQUEST_INFO => Property::ScmRequest(de("ScmRequestInfoData", body)?),
            CLSID_SCM_REPLY_INFO => Property::ScmReply(de("ScmReplyInfoData", body)?),
            CLSID_PROPS_OUT_INFO if reply => Property::PropsOut(de("PropsOutInfo", body)?),
            clsid => Property::Other {
                clsid,
                body: body.to_vec(),
            },
        })
    }
}

/// Decodes a serialized body, which is padded to 8 with bytes of any value.
fn lenient<T: Ndr>(b: &[u8]) -> ndr::Result<T> {
    let mut d = ndr::Decoder::new(b);
    ndr::decode_pointee(&mut d)
}

/// Writes one type-serialized stream: headers, body, padding to 8.
fn serialize(body: &[u8], out: &mut Vec<u8>) -> usize {
    let padded = (body.len() + 7) & !7;
    let start = out.len();
    out.extend_from_slice(&[0x01, 0x10, 0x08, 0x00, 0xcc, 0xcc, 0xcc, 0xcc]);
    out.extend_from_slice(&(padded as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(body);
    out.resize(start + 16 + padded, 0);
    16 + padded
}

/// Reads one type-serialized stream of at most `len` bytes; the body.
fn deserialize(b: &[u8]) -> Result<&[u8], BlobError> {
    if b.len() < 16 {
        return Err(BlobError::Truncated("type serialization header"));
    }
    if b[0] != 1 || b[1] != 0x10 || u16::from_le_bytes([b[2], b[3]]) != 8 {
        return Err(BlobError::Header("not version 1, little-endian, 8 bytes"));
    }
    let len = u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize;
    b.get(16..16usize.saturating_add(len))
        .ok_or(BlobError::Truncated("ObjectBufferLength"))
}

/// The activation properties: what a client asks for (In) or a server
/// answers (Out).
#[derive(Clone, Debug, PartialEq)]
pub struct ActivationProperties {
    /// CustomHeader.destCtx; Windows sends MSHCTX_DIFFERENTMACHINE (2).
    pub dest_ctx: u32,
    /// The properties, in the order the CustomHeader lists them.
    pub properties: Vec<Property>,
}

impl ActivationProperties {
    /// What a client sends to create an object of `clsid` (or get its
    /// class object) on another machine and marshal `iids`: instantiation,
    /// location and SCM request properties, as Windows clients send them
    /// (MS-DCOM 3.2.4.1.1), asking for ncacn_ip_tcp bindings.
    pub fn request(clsid: Uuid, iids: Vec<Uuid>) -> ActivationProperties {
        ActivationProperties {
            dest_ctx: 2, // MSHCTX_DIFFERENTMACHINE
            properties: vec![
                Property::Instantiation(InstantiationInfoData {
                    class_id: clsid,
                    class_ctx: 0x10, // CLSCTX_REMOTE_SERVER
                    p_iid: Some(iids),
                    client_com_version: super::COM_VERSION,
                    ..Default::default()
                }),
                Property::Location(LocationInfoData::default()),
                Property::ScmRequest(ScmRequestInfoData {
                    pdw_reserved: None,
                    remote_request: Some(Box::new(customREMOTE_REQUEST_SCM_INFO {
                        client_imp_level: 2, // RPC_C_IMP_LEVEL_IDENTIFY
                        p_requested_protseqs: Some(vec![super::objref::TOWER_NCACN_IP_TCP]),
                    })),
                }),
            ],
        }
    }

    /// The InstantiationInfoData property, if present.
    pub fn instantiation(&self) -> Option<&InstantiationInfoData> {
        self.properties.iter().find_map(|p| match p {
            Property::Instantiation(i) => Some(i),
            _ => None,
        })
    }

    /// The ScmReplyInfoData property, if present.
    pub fn scm_reply(&self) -> Option<&ScmReplyInfoData> {
        self.properties.iter().find_map(|p| match p {
            Property::ScmReply(i) => Some(i),
            _ => None,
        })
    }

    /// The PropsOutInfo property, if present.
    pub fn props_out(&self) -> Option<&PropsOutInfo> {
        self.properties.iter().find_map(|p| match p {
            Property::PropsOut(i) => Some(i),
            _ => None,
        })
    }

    /// The BLOB: dwSize, dwReserved, the CustomHeader and the properties.
    pub fn to_blob(&self) -> Result<Vec<u8>, BlobError> {
        let ndr_err = |what| move |err| BlobError::Ndr { what, err };
        let mut props = Vec::new();
        let mut sizes = Vec::new();
        for p in &self.properties {
            let body = p.body().map_err(ndr_err("property"))?;
            sizes.push(serialize(&body, &mut props) as u32);
        }
        let mut header = CustomHeader {
            total_size: 0,
            header_size: 0,
            dw_reserved: 0,
            dest_ctx: self.dest_ctx,
            class_info_clsid: Uuid::nil(),
            pclsid: Some(self.properties.iter().map(Property::clsid).collect()),
            p_sizes: Some(sizes.clone()),
            pdw_reserved: None,
        };
        // The header's own size is part of what it records: its length does
        // not depend on the values, so measure once, then fill them in.
        let measured = ndr::try_to_bytes(&header).map_err(ndr_err("CustomHeader"))?;
        let header_size = 16 + ((measured.len() + 7) & !7);
        let total = header_size + props.len();
        header.header_size = header_size as u32;
        header.total_size = total as u32;
        let body = ndr::try_to_bytes(&header).map_err(ndr_err("CustomHeader"))?;
        let mut out = Vec::with_capacity(8 + total);
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        serialize(&body, &mut out);
        out.extend_from_slice(&props);
        Ok(out)
    }

    /// Reads a BLOB; `reply` for ActivationPropertiesOut.
    pub fn from_blob(b: &[u8], reply: bool) -> Result<ActivationProperties, BlobError> {
        if b.len() < 8 {
            return Err(BlobError::Truncated("dwSize"));
        }
        let rest = &b[8..];
        let header_body = deserialize(rest)?;
        let header: CustomHeader = lenient(header_body).map_err(|err| BlobError::Ndr {
            what: "CustomHeader",
            err,
        })?;
        let clsids = header.pclsid.unwrap_or_default();
        let sizes = header.p_sizes.unwrap_or_default();
        if clsids.len() != sizes.len() || clsids.is_empty() {
            return Err(BlobError::Custom("pclsid and pSizes disagree"));
        }
        let mut at = header.header_size as usize;
        if at < 16 + header_body.len() || at > rest.len() {
            return Err(BlobError::Custom("headerSize does not fit the BLOB"));
        }
        let mut properties = Vec::with_capacity(clsids.len());
        for (clsid, size) in clsids.into_iter().zip(sizes) {
            let end = at
                .checked_add(size as usize)
                .filter(|&e| e <= rest.len())
                .ok_or(BlobError::Custom("pSizes run past the BLOB"))?;
            let body = deserialize(&rest[at..end])?;
            properties.push(Property::read(clsid, body, reply)?);
            at = end;
        }
        Ok(ActivationProperties {
            dest_ctx: header.dest_ctx,
            properties,
        })
    }

    /// The OBJREF_CUSTOM that carries the BLOB in an MInterfacePointer.
    pub fn to_objref(&self, reply: bool) -> Result<ObjRef, BlobError> {
        let (iid, clsid) = if reply {
            (
                IID_IACTIVATION_PROPERTIES_OUT,
                CLSID_ACTIVATION_PROPERTIES_OUT,
            )
        } else {
            (
                IID_IACTIVATION_PROPERTIES_IN,
                CLSID_ACTIVATION_PROPERTIES_IN,
            )
        };
        Ok(ObjRef::Custom {
            iid,
            clsid,
            data: self.to_blob()?,
        })
    }

    /// Reads the BLOB out of an OBJREF_CUSTOM's bytes, whose CLSID must be
    /// CLSID_ActivationPropertiesOut when `reply` is set, and
    /// CLSID_ActivationPropertiesIn when not.
    pub fn from_objref_bytes(b: &[u8], reply: bool) -> Result<ActivationProperties, BlobError> {
        let want = if reply {
            CLSID_ACTIVATION_PROPERTIES_OUT
        } else {
            CLSID_ACTIVATION_PROPERTIES_IN
        };
        match ObjRef::from_bytes(b)? {
            ObjRef::Custom { clsid, data, .. } if clsid == want => {
                ActivationProperties::from_blob(&data, reply)
            }
            _ => Err(BlobError::Wrapper(if reply {
                "CLSID_ActivationPropertiesOut"
            } else {
                "CLSID_ActivationPropertiesIn"
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dcom::{customREMOTE_REQUEST_SCM_INFO, COMVERSION};

    fn request() -> ActivationProperties {
        ActivationProperties {
            dest_ctx: 2,
            properties: vec![
                Property::Instantiation(InstantiationInfoData {
                    class_id: Uuid::from_u128(0x85911500_e978_4cc4_918c_e829b5e25e13),
                    class_ctx: 0x14,
                    p_iid: Some(vec![Uuid::from_u128(5)]),
                    client_com_version: COMVERSION {
                        major_version: 5,
                        minor_version: 7,
                    },
                    ..Default::default()
                }),
                Property::Other {
                    clsid: CLSID_SPECIAL_SYSTEM_PROPERTIES,
                    body: vec![0; 88], // a body as received: padded to 8
                },
                Property::ScmRequest(ScmRequestInfoData {
                    pdw_reserved: None,
                    remote_request: Some(Box::new(customREMOTE_REQUEST_SCM_INFO {
                        client_imp_level: 2,
                        p_requested_protseqs: Some(vec![7]),
                    })),
                }),
            ],
        }
    }

    #[test]
    fn a_blob_round_trips_and_its_sizes_add_up() {
        let a = request();
        let blob = a.to_blob().expect("encodes");
        let total = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
        assert_eq!(
            total,
            blob.len() - 8,
            "dwSize covers the header and properties"
        );
        // Type serialization version 1, little-endian.
        assert_eq!(blob[8..16], [1, 0x10, 8, 0, 0xcc, 0xcc, 0xcc, 0xcc]);
        assert_eq!(ActivationProperties::from_blob(&blob, false), Ok(a.clone()));
        let objref = a.to_objref(false).expect("wraps").to_bytes();
        assert_eq!(
            ActivationProperties::from_objref_bytes(&objref, false),
            Ok(a)
        );
    }

    #[test]
    fn hostile_blobs_are_typed_errors() {
        let blob = request().to_blob().expect("encodes");
        for n in 0..blob.len() {
            assert!(
                ActivationProperties::from_blob(&blob[..n], false).is_err(),
                "prefix of {n}"
            );
        }
        // A CustomHeader whose pSizes claim more than the BLOB holds.
        let mut big = blob.clone();
        let at = blob.len() - 1;
        big.truncate(at);
        assert!(ActivationProperties::from_blob(&big, false).is_err());
        // The wrong wrapper.
        let wrong = request().to_objref(true).expect("wraps").to_bytes();
        assert!(matches!(
            ActivationProperties::from_objref_bytes(&wrong, false),
            Err(BlobError::Wrapper(_))
        ));
    }
}
