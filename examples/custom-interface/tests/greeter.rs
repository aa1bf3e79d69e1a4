//! The example built by build.rs, run: its server and its client in one
//! process, over loopback.

use msrpc::ndr::WString;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_client_calls_the_generated_server() {
    let (resolver, exporter, _machine) =
        msrpc_example_greeter::serve("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("serves");
    let (_client, greeter) = msrpc_example_greeter::connect(resolver)
        .await
        .expect("activates");
    let r = greeter
        .greet(WString::from("build.rs"))
        .await
        .expect("Greet");
    assert_eq!(r.greeting, Some(WString::from("Hello, build.rs!")));
    let r = greeter.scores(vec![4, 2]).await.expect("Scores");
    let items = r.scores.items.expect("scores");
    assert_eq!(items.len(), 2);
    assert_eq!((items[1].id, items[1].points), (2, 200));
    assert_eq!(items[0].holder, Some(WString::from("player 4")));
    assert_eq!(exporter.objects(), 1);
}
