//! Whatever text comes in, the front end answers with a model or with
//! errors: it never panics, never hangs, and every span it reports is real.

use msrpc_idl::{load_str, Options, Output};
use msrpc_tests::{load_files, workspace};
use proptest::prelude::*;

fn options() -> Options {
    Options {
        include_dirs: vec![workspace().join("codegen/idl")],
        ..Options::default()
    }
}

/// The invariants every run must keep.
fn check(src: &str) -> Output {
    let out = load_str("input.idl", src, &options());
    assert!(
        out.model.is_some() || out.diagnostics.has_errors(),
        "no model and no error for:\n{src}"
    );
    for d in out.diagnostics.iter() {
        let text = out.sources.text(d.span.file);
        assert!(d.span.start <= d.span.end, "{d:?}");
        assert!(
            d.span.end as usize <= text.len(),
            "span past the end: {d:?}"
        );
    }
    // Rendering walks every span through codespan; it must not panic either.
    let _ = out.render();
    out
}

/// A small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ";",
    ",",
    "*",
    "typedef",
    "struct",
    "union",
    "switch",
    "case",
    "default",
    "interface",
    "const",
    "size_is",
    "unique",
    "ref",
    "string",
    "#define X",
    "#if",
    "#endif",
    "\n#else\n",
    "import",
    "\"",
    "'",
    "/*",
    "*/",
    "//",
    "\\\n",
    "0x",
    "~",
    "->",
    "::",
    "uuid(",
    "long",
    "hyper",
    "IUnknown",
    "\u{e9}",
    "\0",
];

fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut s: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len());
        match rng.below(4) {
            0 => {
                let len = rng.below(40).min(s.len() - at);
                s.drain(at..at + len);
            }
            1 => {
                let len = rng.below(80).min(s.len() - at);
                let copy: Vec<char> = s[at..at + len].to_vec();
                let to = rng.below(s.len());
                s.splice(to..to, copy);
            }
            2 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                s.splice(at..at, tok.chars());
            }
            _ => {
                let other = rng.below(s.len());
                s.swap(at, other);
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn mutated_ms_dcom_never_panics() {
    let src =
        std::fs::read_to_string(workspace().join("codegen/idl/ms-dcom.idl")).expect("ms-dcom.idl");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rejected = 0;
    for _ in 0..150 {
        if check(&mutate(&src, &mut rng)).model.is_none() {
            rejected += 1;
        }
    }
    // The mutations must actually break things, or this test tests nothing.
    assert!(
        rejected > 50,
        "only {rejected} of 150 mutations were rejected"
    );
}

#[test]
fn mutated_fixture_never_panics() {
    let src = std::fs::read_to_string(workspace().join("tests/fixtures/everything.idl"))
        .expect("fixture");
    let mut rng = Rng(0xDEAD_BEEF_1234_5678);
    for _ in 0..100 {
        check(&mutate(&src, &mut rng));
    }
}

#[test]
fn deep_nesting_is_refused_with_an_error() {
    for open in ["(", "[", "{"] {
        let src = format!("const long A = {};", open.repeat(100_000));
        let out = check(&src);
        assert!(
            out.diagnostics
                .errors()
                .any(|d| d.message == "brackets nested too deeply"),
            "{}",
            out.render()
        );
    }
}

#[test]
fn long_operator_chains_are_refused_with_an_error() {
    let chain = format!("const long A = 1{};", "+1".repeat(100_000));
    let out = check(&chain);
    assert!(out
        .diagnostics
        .errors()
        .any(|d| d.message == "expression too long"));
    let prefixes = format!("const long A = {}1;", "-".repeat(100_000));
    let out = check(&prefixes);
    assert!(out
        .diagnostics
        .errors()
        .any(|d| d.message == "expression too long"));
}

#[test]
fn exponential_macros_hit_the_budget() {
    let mut src = String::from("#define M0 x\n");
    for i in 1..40 {
        src.push_str(&format!("#define M{i} M{} M{}\n", i - 1, i - 1));
    }
    src.push_str("M39\n");
    let out = check(&src);
    assert!(
        out.diagnostics
            .errors()
            .any(|d| d.message == "macro expansion is too large or too deep"),
        "{}",
        out.render()
    );
}

#[test]
fn self_referencing_macros_stop() {
    let out = check("#define A A B\n#define B A\ntypedef long A;\n");
    assert!(out.model.is_none());
}

#[test]
fn unterminated_things_are_errors() {
    for src in [
        "/* never closed\ntypedef long A;",
        "cpp_quote(\"open",
        "#if 1\n",
        "typedef struct {",
        "#define F(x) x\nF(1",
    ] {
        let out = check(src);
        assert!(out.diagnostics.has_errors(), "no error for {src:?}");
    }
}

#[test]
fn a_file_that_includes_itself_stops() {
    let out = load_files(
        &[("loop.idl", "#include \"loop.idl\"\ntypedef long A;\n")],
        "loop.idl",
    );
    assert!(
        out.diagnostics
            .errors()
            .any(|d| d.message.contains("nested more than 64 deep")),
        "{}",
        out.render()
    );
}

#[test]
fn huge_literals_are_errors_not_panics() {
    let out = check("const hyper A = 0x1ffffffffffffffffffffffffffffffffffff;");
    assert!(
        out.diagnostics
            .errors()
            .any(|d| d.message.contains("out of range")),
        "{}",
        out.render()
    );
    let out = check("const long A = 1 << 200;");
    assert!(
        out.diagnostics
            .errors()
            .any(|d| d.message == "shift amount out of range"),
        "{}",
        out.render()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        check(&src);
    }

    #[test]
    fn idl_shaped_token_soup_never_panics(tokens in proptest::collection::vec(0..TOKENS.len() + 4, 0..120)) {
        let words = ["A", "B", "1", " "];
        let src: String = tokens
            .iter()
            .map(|&t| if t < TOKENS.len() { TOKENS[t] } else { words[t - TOKENS.len()] })
            .collect::<Vec<_>>()
            .join(" ");
        check(&src);
    }
}

#[test]
fn long_macro_chains_stop_at_a_depth() {
    let mut src = String::new();
    for i in 0..5_000 {
        src.push_str(&format!("#define M{i} M{}\n", i + 1));
    }
    src.push_str("typedef long M0;\n");
    let out = check(&src);
    assert!(
        out.diagnostics
            .errors()
            .any(|d| d.message == "macro expansion is too large or too deep"),
        "{}",
        out.render()
    );
}

#[test]
fn deep_expression_trees_are_refused_before_they_overflow_the_stack() {
    // Each bracket level adds 500 prefixes: few brackets, a very deep tree.
    let level = format!("{}(", "!".repeat(500));
    let src = format!("const long X = {}1{};", level.repeat(200), ")".repeat(200));
    let out = check(&src);
    assert!(
        out.diagnostics
            .errors()
            .any(|d| d.message == "expression too long"),
        "{}",
        out.render()
    );
    let ternary = format!("const long Y = {}0;", "1 ? 2 : ".repeat(5000));
    let out = check(&ternary);
    assert!(out.diagnostics.has_errors(), "{}", out.render());
    let cond = format!("#if {}1{}\n#endif\n", level.repeat(200), ")".repeat(200));
    assert!(check(&cond).diagnostics.has_errors());
}

#[test]
fn many_syntax_errors_stop_early() {
    let src = "@;".repeat(200_000);
    let out = check(&src);
    assert!(
        out.diagnostics.errors().count() <= 101,
        "{}",
        out.diagnostics.len()
    );
}

#[test]
fn a_file_included_twice_by_itself_stops() {
    let out = load_files(
        &[(
            "twice.idl",
            "#include \"twice.idl\"\n#include \"twice.idl\"\n",
        )],
        "twice.idl",
    );
    assert!(out.diagnostics.has_errors());
}

#[test]
fn pragma_once_stops_repeated_includes() {
    let out = load_files(
        &[
            ("once.h", "#pragma once\ntypedef long ONCE;\n"),
            (
                "main.idl",
                "#include \"once.h\"\n#include \"once.h\"\ntypedef ONCE T;\n",
            ),
        ],
        "main.idl",
    );
    assert!(out.model.is_some(), "{}", out.render());
}

#[test]
fn long_strings_repeated_by_macros_hit_the_byte_budget() {
    let src = format!(
        "#define S \"{}\"\n{}\n",
        "x".repeat(1 << 20),
        "S ".repeat(100_000)
    );
    let out = check(&src);
    assert!(out
        .diagnostics
        .errors()
        .any(|d| d.message == "macro expansion is too large or too deep"));
}

#[test]
fn long_enums_and_definition_chains_do_not_recurse_per_item() {
    // A constant that uses the last of 50,000 implicit enumerators.
    let items: String = (0..50_000).map(|i| format!("E{i},")).collect();
    let out = check(&format!(
        "const long LAST = E49999;\nenum Big {{ {items} }};\n"
    ));
    assert!(out.model.is_some(), "{}", out.render());
    // Chains deeper than the resolver follows are errors, not stack overflows.
    let consts: String = (0..20_000)
        .map(|i| format!("const long C{i} = C{} + 1;\n", i + 1))
        .collect();
    let out = check(&format!("{consts}const long C20000 = 0;\n"));
    assert!(out
        .diagnostics
        .errors()
        .any(|d| d.message == "constant definitions nested too deeply"));
    let types: String = (0..20_000)
        .map(|i| format!("typedef T{} T{i};\n", i + 1))
        .collect();
    let out = check(&format!("{types}typedef long T20000;\n"));
    assert!(out
        .diagnostics
        .errors()
        .any(|d| d.message == "type definitions nested too deeply"));
    // A typedef cycle used by a correlation is reported, not followed forever.
    let out =
        check("typedef A A;\ntypedef struct { A n; [size_is(n)] long *p; [string] A *s; } S;\n");
    assert!(out.diagnostics.has_errors());
}
