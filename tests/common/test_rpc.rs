//! tests/fixtures/rpc_test.idl's generated code and one implementation of
//! its interface, shared by the RPC end-to-end and interop tests.

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
pub mod rpc_test {
    include!(concat!(env!("OUT_DIR"), "/rpc_test.rs"));
}

use std::sync::atomic::{AtomicU32, Ordering};

use msrpc::ndr::WString;
use msrpc::rpc::{CallContext, Fault};
use rpc_test::i_test_rpc::*;
use rpc_test::*;

/// Counts its calls; `Panic` panics, as a buggy method would.
#[derive(Default)]
pub struct TestRpc {
    pub calls: AtomicU32,
}

impl ITestRpcServer for TestRpc {
    async fn add(&self, _: &CallContext, a: i32, b: i32) -> Result<AddResponse, Fault> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(AddResponse {
            sum: a.wrapping_add(b),
            return_value: 0,
        })
    }

    async fn greet(&self, _: &CallContext, name: WString) -> Result<GreetResponse, Fault> {
        let text = format!("hello, {}", name.to_string_lossy());
        Ok(GreetResponse {
            greeting: Some(WString::from(text.as_str())),
            return_value: 0,
        })
    }

    async fn sum(&self, _: &CallContext, values: Vec<i32>) -> Result<SumResponse, Fault> {
        Ok(SumResponse {
            total: values.iter().map(|&v| i64::from(v)).sum(),
            return_value: values.len() as i32,
        })
    }

    async fn echo(&self, _: &CallContext, request: BUFFER) -> Result<EchoResponse, Fault> {
        let mut data = request.data;
        if let Some(d) = &mut data {
            d.reverse();
        }
        Ok(EchoResponse {
            reply: BUFFER { data },
            return_value: 0,
        })
    }

    async fn find(
        &self,
        _: &CallContext,
        hint: Option<Box<ITEM>>,
        items: Vec<ITEM>,
    ) -> Result<FindResponse, Fault> {
        let want = hint.map_or(0, |h| h.id);
        match items.into_iter().find(|i| i.id == want) {
            Some(found) => Ok(FindResponse {
                found,
                return_value: 0,
            }),
            None => Ok(FindResponse {
                found: ITEM::default(),
                return_value: 2, // ERROR_FILE_NOT_FOUND
            }),
        }
    }

    async fn bump(
        &self,
        _: &CallContext,
        counter: i32,
        maybe: Option<Box<i32>>,
    ) -> Result<BumpResponse, Fault> {
        Ok(BumpResponse {
            counter: counter + 1,
            maybe: maybe.map(|m| Box::new(*m * 10)),
        })
    }

    async fn panic(&self, _: &CallContext) -> Result<PanicResponse, Fault> {
        panic!("a bug in a server method");
    }
}
