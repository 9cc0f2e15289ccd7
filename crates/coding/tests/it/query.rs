//! The code query language: parsing, precedence, errors, evaluation with NEAR and ancestors.

use ambit_coding::{Codebook, PassageCodes, Query};

/// Parses `expr` and compares its canonical (fully parenthesised) form.
fn check_parse(expr: &str, canonical: &str) {
    let q = Query::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    assert_eq!(q.to_string(), canonical, "{expr}");
    // The canonical form means the same thing.
    assert_eq!(Query::parse(canonical).unwrap(), q, "{expr}");
}

fn check_error(expr: &str, expected: &str) {
    let err = Query::parse(expr).unwrap_err();
    assert_eq!(err.to_string(), expected, "{expr}");
}

/// Passages as `(doc, ordinal, "code code")`.
fn passages(data: &[(u32, u32, &str)]) -> Vec<PassageCodes> {
    data.iter()
        .map(|(doc, ordinal, codes)| PassageCodes {
            doc: *doc,
            ordinal: *ordinal,
            codes: codes.split_whitespace().map(str::to_owned).collect(),
        })
        .collect()
}

const DATA: &[(u32, u32, &str)] = &[
    (1, 0, "a"),   // 0
    (1, 1, "b"),   // 1
    (1, 2, ""),    // 2
    (1, 3, "c"),   // 3
    (1, 4, "a b"), // 4
    (2, 0, "b"),   // 5
    (2, 2, "a"),   // 6
    (2, 5, "c a"), // 7
    (3, 0, "a"),   // 8
];

fn check_eval(expr: &str, expected: &[usize]) {
    let q = Query::parse(expr).unwrap();
    assert_eq!(q.eval(&passages(DATA)), expected, "{expr}");
}

#[test]
fn parse_precedence_and_parentheses() {
    check_parse("a", "a");
    check_parse("a AND b OR c", "(a AND b) OR c");
    check_parse("a OR b AND c", "a OR (b AND c)");
    check_parse("a or b and not c", "a OR (b AND NOT c)");
    check_parse("NOT a AND b", "NOT a AND b");
    check_parse("NOT (a AND b)", "NOT (a AND b)");
    check_parse("NOT NOT a", "NOT NOT a");
    check_parse("a AND b NEAR/2 c", "a AND (b NEAR/2 c)");
    check_parse("a near/0 b OR c", "(a NEAR/0 b) OR c");
    check_parse("NOT a NEAR/1 b", "NOT a NEAR/1 b");
    check_parse("a NEAR/1 b NEAR/3 c", "(a NEAR/1 b) NEAR/3 c");
    check_parse("(a OR b) AND c", "(a OR b) AND c");
    check_parse("((kb.semantic))", "kb.semantic");
    check_parse(
        "ee.explore AND act-1 AND Päivi_code",
        "(ee.explore AND act-1) AND Päivi_code",
    );
    check_parse("a OR b OR c", "(a OR b) OR c");
}

#[test]
fn parse_errors_with_positions() {
    check_error(
        "",
        "query syntax error at position 1: the query is empty; write a code id such as `kb`",
    );
    check_error("kb AND", "query syntax error at position 7: expected a code id after AND, found the end of the query");
    check_error(
        "kb.semantic AND OR su",
        "query syntax error at position 17: expected a code id after AND, found OR",
    );
    check_error(
        "a OR",
        "query syntax error at position 5: expected a code id after OR, found the end of the query",
    );
    check_error("NOT", "query syntax error at position 4: expected a code id after NOT, found the end of the query");
    check_error("(a OR b", "query syntax error at position 8: expected `)` to close the `(` at position 1, found the end of the query");
    check_error("a OR b)", "query syntax error at position 7: unmatched `)`");
    check_error(
        "()",
        "query syntax error at position 2: expected a code id after `(`, found `)`",
    );
    check_error(
        "a b",
        "query syntax error at position 3: expected AND, OR or NEAR/N between `a` and `b`",
    );
    check_error(
        "(a) (b)",
        "query syntax error at position 5: expected AND, OR or NEAR/N between `)` and `(`",
    );
    check_error("a NEAR b", "query syntax error at position 3: `NEAR`: write NEAR with a distance in passages, e.g. NEAR/2");
    check_error("a NEAR/x b", "query syntax error at position 3: `NEAR/x`: write NEAR with a distance in passages, e.g. NEAR/2");
    check_error("a NEAR/2", "query syntax error at position 9: expected a code id after NEAR/2, found the end of the query");
    check_error(
        "a & b",
        "query syntax error at position 3: unexpected character `&` (write AND)",
    );
    check_error("\"kb\"", "query syntax error at position 1: unexpected character `\"` (code ids are written without quotes)");
    check_error(
        "kb/x",
        "query syntax error at position 1: `kb/x`: `/` is only used in NEAR/N",
    );
    check_error("äö AND", "query syntax error at position 7: expected a code id after AND, found the end of the query");
}

#[test]
fn eval_boolean_operators() {
    check_eval("a", &[0, 4, 6, 7, 8]);
    check_eval("a AND b", &[4]);
    check_eval("a OR b", &[0, 1, 4, 5, 6, 7, 8]);
    check_eval("NOT a", &[1, 2, 3, 5]);
    check_eval("a AND NOT b", &[0, 6, 7, 8]);
    check_eval("NOT (a OR b)", &[2, 3]);
    check_eval("a OR b AND c", &[0, 4, 6, 7, 8]);
    check_eval("(a OR b) AND c", &[7]);
    check_eval("missing", &[]);
    check_eval("NOT missing", &[0, 1, 2, 3, 4, 5, 6, 7, 8]);
}

#[test]
fn eval_near() {
    // NEAR/0: both on the same passage.
    check_eval("a NEAR/0 b", &[4]);
    check_eval("a NEAR/0 c", &[7]);
    // NEAR/1: neighbours in the same document; never across documents (5 and 6 are 2 apart).
    check_eval("a NEAR/1 b", &[0, 1, 4]);
    check_eval("a NEAR/2 b", &[0, 1, 4, 5, 6]);
    check_eval("b NEAR/2 a", &[0, 1, 4, 5, 6]);
    check_eval("c NEAR/1 b", &[3, 4]);
    check_eval("c NEAR/3 b", &[1, 3, 4]);
    check_eval("c NEAR/5 b", &[1, 3, 4, 5, 7]);
    // Document 3 has no b at all.
    check_eval("a NEAR/100 b", &[0, 1, 4, 5, 6, 7]);
    // NEAR combines with the other operators.
    check_eval("(a NEAR/1 b) AND NOT b", &[0]);
    check_eval("NOT a NEAR/1 a", &[0, 1, 3, 4]);
}

#[test]
fn eval_in_codebook_counts_descendants() {
    let cb = Codebook::parse(
        r#"
[codebook]
name = "q"
[[code]]
id = "kb"
name = "kb"
[[code]]
id = "kb.semantic"
name = "s"
[[code]]
id = "su"
name = "su"
"#,
    )
    .unwrap();
    let ps = passages(&[
        (1, 0, "kb.semantic"),
        (1, 1, "kb"),
        (1, 2, "su"),
        (1, 3, ""),
    ]);
    let q = Query::parse("kb").unwrap();
    assert_eq!(q.eval(&ps), [1]);
    assert_eq!(q.eval_in(&cb, &ps), [0, 1]);
    let q = Query::parse("kb.semantic NEAR/2 su").unwrap();
    assert_eq!(q.eval_in(&cb, &ps), [0, 2]);
    // Expanding the passages with ancestors is the same as eval_in.
    let expanded: Vec<PassageCodes> = ps
        .iter()
        .map(|p| PassageCodes {
            codes: cb.with_ancestors(&p.codes),
            ..p.clone()
        })
        .collect();
    assert_eq!(
        Query::parse("kb AND NOT su").unwrap().eval(&expanded),
        [0, 1]
    );

    assert!(Query::parse("kb OR kb.semantic")
        .unwrap()
        .validate(&cb)
        .is_ok());
    let err = Query::parse("kb.semantik AND nothing_like_it OR su")
        .unwrap()
        .validate(&cb)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown code ids: kb.semantik (did you mean `kb.semantic`?), nothing_like_it; \
         run `ambit codebook show` to list the codes"
    );
    assert_eq!(Query::parse("a AND (b OR a)").unwrap().codes(), ["a", "b"]);
}

fn expr() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let leaf = prop::sample::select(vec!["a", "b.c", "kb.semantic", "Ö_1"]).prop_map(str::to_owned);
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("NOT {e}")),
            inner.clone().prop_map(|e| format!("({e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} OR {b}")),
            (inner.clone(), 0u32..4, inner).prop_map(|(a, n, b)| format!("{a} Near/{n} {b}")),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// The canonical form parses back to the same query, and evaluation never panics.
    #[test]
    fn canonical_form_round_trips(e in expr()) {
        let q = Query::parse(&e).unwrap();
        proptest::prop_assert_eq!(Query::parse(&q.to_string()).unwrap(), q.clone());
        let hits = q.eval(&passages(DATA));
        proptest::prop_assert!(hits.windows(2).all(|w| w[0] < w[1]));
    }
}
