//! A class's class object (MS-DCOM 3.1.2.5.2.3.1): IClassFactory over the
//! class's factory, which RemoteGetClassObject hands out.

use super::framing::orpcthat;
use super::framing::CallContext;
use super::machine::Factory;
use super::marshaler::Marshaler;
use crate::com::i_class_factory::{RemoteCreateInstanceResponse, RemoteLockServerResponse};
use crate::com::IClassFactoryServer;
use crate::dcom::IID;
use crate::rpc::Fault;

/// A class's class object: IClassFactory over its factory.
pub(super) struct ClassObject {
    pub(super) factory: Factory,
    pub(super) marshaler: Marshaler,
}

impl IClassFactoryServer for ClassObject {
    async fn remote_create_instance(
        &self,
        _: &CallContext,
        riid: IID,
    ) -> Result<RemoteCreateInstanceResponse, Fault> {
        Ok(match self.marshaler.marshal((self.factory)(), riid) {
            Ok(m) => RemoteCreateInstanceResponse {
                orpcthat: orpcthat(),
                ppv_object: Some(Box::new(m)),
                return_value: 0,
            },
            Err(hr) => RemoteCreateInstanceResponse {
                orpcthat: orpcthat(),
                ppv_object: None,
                return_value: hr.into(),
            },
        })
    }

    async fn remote_lock_server(
        &self,
        _: &CallContext,
        _f_lock: i32,
    ) -> Result<RemoteLockServerResponse, Fault> {
        // Objects live as long as their references and pings say.
        Ok(RemoteLockServerResponse {
            orpcthat: orpcthat(),
            return_value: 0,
        })
    }
}
