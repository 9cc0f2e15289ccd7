//! The bundled templates parse and every code carries a definition, criteria, colour and rules.

use ambit_coding::{template, Codebook, Matcher, TEMPLATE_NAMES};

#[test]
fn templates_parse_and_are_complete() {
    assert!(template("nope").is_none());
    for name in TEMPLATE_NAMES {
        let src = template(name).unwrap();
        let cb = Codebook::parse(src).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!cb.name().is_empty() && !cb.description().is_empty());
        let mut colours = std::collections::HashSet::new();
        for code in cb.codes() {
            let id = &code.id;
            assert!(
                code.description.len() > 40,
                "{name}: {id} needs a definition"
            );
            assert!(
                !code.include.is_empty(),
                "{name}: {id} needs inclusion criteria"
            );
            assert!(
                !code.exclude.is_empty(),
                "{name}: {id} needs exclusion criteria"
            );
            assert!(code.color.is_some(), "{name}: {id} needs a colour");
            assert!(
                colours.insert(code.color.clone()),
                "{name}: {id} reuses a colour"
            );
            if code.children.is_empty() {
                assert!(
                    !code.rules.is_empty(),
                    "{name}: {id} needs at least one rule"
                );
                assert!(
                    (1..=3).contains(&code.examples.len()),
                    "{name}: {id} needs 1–3 examples"
                );
            }
        }
        Matcher::compile(&cb, None).unwrap();
        assert_eq!(Codebook::parse(&cb.to_toml().unwrap()).unwrap(), cb);
    }
}

/// Each leaf code's example quotes are coded with that code by its own rules, so the examples
/// double as a regression test of the rules.
#[test]
fn template_rules_code_their_own_examples() {
    let cb = Codebook::parse(template("ambidexterity").unwrap()).unwrap();
    let m = Matcher::compile(&cb, None).unwrap();
    let mut missed = Vec::new();
    for code in cb.codes().iter().filter(|c| !c.rules.is_empty()) {
        for ex in &code.examples {
            let p = ambit_coding::PassageInput {
                doc: 0,
                text: ex,
                speaker: None,
                kind: ambit_core::DocKind::Interview,
                phase: None,
                codes: &[],
            };
            if !m.run(&[p]).iter().any(|h| h.code == code.id) {
                missed.push(format!("{}: {ex}", code.id));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "examples not coded by their own rules:\n{}",
        missed.join("\n")
    );
}
