//! The calculator class, shared by the example server and the ORPC tests:
//! one object implements ICalculator and IStatistics
//! (examples/idl/calculator.idl, generated into calculator_idl.rs).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use msrpc::ndr::WString;
use msrpc::orpc::{CallContext, Factory, Object};
use msrpc::rpc::Fault;

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
pub mod idl {
    include!("calculator_idl.rs");
}

use idl::i_calculator::{AddResponse, ConcatResponse, SumResponse};
use idl::i_statistics::CountResponse;
use idl::{ICalculatorServer, ICalculatorStub, IStatisticsServer, IStatisticsStub};

pub const CLSID_CALCULATOR: uuid::Uuid = uuid::uuid!("85911500-e978-4cc4-918c-e829b5e25e13");

/// One calculator object; it counts the calls it serves.
#[derive(Default)]
pub struct Calculator {
    calls: AtomicU32,
}

impl Calculator {
    fn served(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }
}

impl ICalculatorServer for Calculator {
    async fn add(&self, _: &CallContext, a: i32, b: i32) -> Result<AddResponse, Fault> {
        self.served();
        Ok(AddResponse {
            sum: a.wrapping_add(b),
            ..Default::default()
        })
    }

    async fn concat(
        &self,
        _: &CallContext,
        left: WString,
        right: WString,
    ) -> Result<ConcatResponse, Fault> {
        self.served();
        let mut joined = left.0;
        joined.extend_from_slice(&right.0);
        Ok(ConcatResponse {
            joined: Some(WString(joined)),
            ..Default::default()
        })
    }

    async fn sum(&self, _: &CallContext, values: Vec<i32>) -> Result<SumResponse, Fault> {
        self.served();
        Ok(SumResponse {
            total: values.iter().map(|&v| i64::from(v)).sum(),
            ..Default::default()
        })
    }
}

impl IStatisticsServer for Calculator {
    async fn count(&self, _: &CallContext) -> Result<CountResponse, Fault> {
        Ok(CountResponse {
            calls: self.calls.load(Ordering::Relaxed),
            ..Default::default()
        })
    }
}

/// Makes calculator objects: each one a new Calculator behind both interfaces.
#[allow(dead_code)] // the client example includes this module too
pub fn factory() -> Factory {
    Arc::new(|| {
        let c = Arc::new(Calculator::default());
        Object::new()
            .with(ICalculatorStub(c.clone()))
            .with(IStatisticsStub(c))
    })
}
