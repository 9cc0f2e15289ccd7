//! Hand-computed tables on a small fixture: every measure, every grouping, parents, totals,
//! filters and co-occurrence, plus property tests of the invariants.

use std::collections::BTreeMap;

use ambit_core::{Date, DocId, DocKind};
use proptest::prelude::*;

use crate::*;

/// Three phases (P3 empty), four codes (`a` with children `a.x`, `a.y`; `b`), three
/// documents (D3 unphased and undated), five passages, six codings. Comments give the
/// words each coding covers.
fn fixture() -> TableInput {
    let code = |id: &str, parent: Option<usize>| CodeInfo {
        id: id.into(),
        name: id.to_uppercase(),
        parent,
        color: None,
    };
    let doc =
        |id: u32, kind: DocKind, date: Option<&str>, phase: Option<usize>, org: Option<&str>| {
            DocInfo {
                id: DocId(id),
                title: format!("Document D{id}"),
                kind,
                date: date.map(|d| Date::parse(d).unwrap()),
                phase,
                attributes: org
                    .map(|o| BTreeMap::from([("org".to_string(), o.to_string())]))
                    .unwrap_or_default(),
            }
        };
    let (interview, workshop) = (DocKind::Interview, DocKind::Workshop);
    let p = |doc: u32, speaker: Option<u32>, words: u32| PassageInfo {
        doc,
        speaker,
        words,
    };
    let o = |coding: u32, passage: u32, first_word: u32, end_word: u32| Overlap {
        coding,
        passage,
        first_word,
        end_word,
    };
    TableInput {
        phases: ["P1", "P2", "P3"]
            .iter()
            .map(|id| PhaseInfo {
                id: id.to_string(),
                label: format!("Phase {id}"),
            })
            .collect(),
        codes: vec![
            code("a", None),
            code("a.x", Some(0)),
            code("a.y", Some(0)),
            code("b", None),
        ],
        documents: vec![
            doc(1, interview, Some("2020-01-05"), Some(0), Some("Acme")),
            doc(2, workshop, Some("2020-03-10"), Some(1), Some("Beta")),
            doc(3, interview, None, None, None),
        ],
        passages: vec![
            p(0, Some(0), 10),
            p(0, Some(1), 20),
            p(1, Some(0), 30),
            p(1, None, 40),
            p(2, Some(1), 50),
        ],
        speakers: vec!["Ann".into(), "Bob".into()],
        coders: vec!["anna".into(), "ben".into()],
        codings: vec![
            CodingInfo { code: 1, coder: 0 }, // c0 a.x
            CodingInfo { code: 2, coder: 0 }, // c1 a.y
            CodingInfo { code: 1, coder: 1 }, // c2 a.x by ben
            CodingInfo { code: 3, coder: 0 }, // c3 b, two passages
            CodingInfo { code: 0, coder: 0 }, // c4 a, unphased
            CodingInfo { code: 2, coder: 1 }, // c5 a.y by ben
        ],
        overlaps: vec![
            o(0, 0, 0, 5),
            o(1, 0, 3, 8),
            o(2, 1, 0, 4),
            o(3, 2, 0, 30),
            o(3, 3, 0, 10),
            o(4, 4, 0, 50),
            o(5, 2, 10, 20),
        ],
    }
}

fn render(t: &Table) -> String {
    let mut s = format!(
        "{}\n",
        t.columns
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    for r in &t.rows {
        let vals: Vec<String> = r.values.iter().map(|v| format!("{v}")).collect();
        s.push_str(&format!("{}: {}\n", r.code, vals.join(" ")));
    }
    s
}

fn check(spec: FreqSpec, expected: &str) {
    let t = freq(&fixture(), &spec).unwrap();
    assert_eq!(render(&t).trim(), expected.trim(), "{spec:?}");
}

fn spec(by: &str, measure: &str) -> FreqSpec {
    FreqSpec {
        by: by.parse().unwrap(),
        measure: measure.parse().unwrap(),
        ..FreqSpec::default()
    }
}

#[test]
fn passages_by_phase_with_zero_and_unphased_columns() {
    check(
        FreqSpec::default(),
        "P1 P2 P3 unphased\na: 2 1 0 1\na.x: 2 0 0 0\na.y: 1 1 0 0\nb: 0 2 0 0",
    );
}

#[test]
fn codings_by_phase() {
    check(
        spec("phase", "codings"),
        "P1 P2 P3 unphased\na: 3 1 0 1\na.x: 2 0 0 0\na.y: 1 1 0 0\nb: 0 1 0 0",
    );
}

#[test]
fn documents_by_phase() {
    check(
        spec("phase", "documents"),
        "P1 P2 P3 unphased\na: 1 1 0 1\na.x: 1 0 0 0\na.y: 1 1 0 0\nb: 0 1 0 0",
    );
}

#[test]
fn words_union_overlapping_codings() {
    check(
        spec("phase", "words"),
        "P1 P2 P3 unphased\na: 12 10 0 50\na.x: 9 0 0 0\na.y: 5 10 0 0\nb: 0 40 0 0",
    );
}

#[test]
fn per1k_of_column_words() {
    check(
        spec("phase", "per1k"),
        "P1 P2 P3 unphased\na: 400 142.86 0 1000\na.x: 300 0 0 0\na.y: 166.67 142.86 0 0\nb: 0 571.43 0 0",
    );
}

#[test]
fn share_of_column_passages() {
    check(
        spec("phase", "share"),
        "P1 P2 P3 unphased\na: 100 50 0 100\na.x: 100 0 0 0\na.y: 50 50 0 0\nb: 0 100 0 0",
    );
}

#[test]
fn by_kind() {
    check(
        spec("kind", "passages"),
        "interview workshop\na: 3 1\na.x: 2 0\na.y: 1 1\nb: 0 2",
    );
}

#[test]
fn by_doc_in_timeline_order() {
    check(
        spec("doc", "passages"),
        "D1 D2 D3\na: 2 1 1\na.x: 2 0 0\na.y: 1 1 0\nb: 0 2 0",
    );
}

#[test]
fn by_speaker_counts_a_coding_in_each_speakers_cell() {
    check(
        spec("speaker", "passages"),
        "Ann Bob (no speaker)\na: 2 2 0\na.x: 1 1 0\na.y: 2 0 0\nb: 1 0 1",
    );
    check(
        spec("speaker", "codings"),
        "Ann Bob (no speaker)\na: 3 2 0\na.x: 1 1 0\na.y: 2 0 0\nb: 1 0 1",
    );
    check(
        spec("speaker", "documents"),
        "Ann Bob (no speaker)\na: 2 2 0\na.x: 1 1 0\na.y: 2 0 0\nb: 1 0 1",
    );
}

#[test]
fn by_month_with_empty_months_and_undated() {
    check(
        spec("month", "passages"),
        "2020-01 2020-02 2020-03 undated\na: 2 0 1 1\na.x: 2 0 0 0\na.y: 1 0 1 0\nb: 0 0 2 0",
    );
}

/// [`check`] on the fixture with each document's kind and date replaced.
fn check_docs(docs: [(DocKind, Option<&str>); 3], spec: FreqSpec, expected: &str) {
    let mut input = fixture();
    for (d, (kind, date)) in input.documents.iter_mut().zip(docs) {
        d.kind = kind;
        d.date = date.map(|s| Date::parse(s).unwrap());
    }
    let t = freq(&input, &spec).unwrap();
    assert_eq!(render(&t).trim(), expected.trim(), "{docs:?} {spec:?}");
}

#[test]
fn kind_columns_are_in_name_order() {
    // `DocKind`'s own order would put interview first.
    use DocKind::{Archival, Interview, Survey};
    check_docs(
        [(Survey, None), (Archival, None), (Interview, None)],
        spec("kind", "passages"),
        "archival interview survey\na: 1 1 2\na.x: 0 0 2\na.y: 1 0 1\nb: 2 0 0",
    );
}

#[test]
fn month_columns_run_across_the_new_year() {
    let k = DocKind::Other;
    check_docs(
        [(k, Some("2019-11-30")), (k, Some("2020-02-01")), (k, None)],
        spec("month", "passages"),
        "2019-11 2019-12 2020-01 2020-02 undated\na: 2 0 0 1 1\na.x: 2 0 0 0 0\na.y: 1 0 0 1 0\nb: 0 0 0 2 0",
    );
    check_docs(
        [
            (k, Some("2020-02-01")),
            (k, Some("2020-02-29")),
            (k, Some("2020-02-15")),
        ],
        spec("month", "passages"),
        "2020-02\na: 4\na.x: 2\na.y: 2\nb: 2",
    );
}

#[test]
fn month_columns_when_no_document_has_a_date() {
    let k = DocKind::Other;
    check_docs(
        [(k, None), (k, None), (k, None)],
        spec("month", "passages"),
        "undated\na: 4\na.x: 2\na.y: 2\nb: 2",
    );
}

#[test]
fn by_attribute_with_missing_values() {
    check(
        spec("attr:org", "passages"),
        "Acme Beta (none)\na: 2 1 1\na.x: 2 0 0\na.y: 1 1 0\nb: 0 2 0",
    );
}

#[test]
fn coder_filter() {
    let mut s = FreqSpec::default();
    s.select.coders = vec!["ben".into()];
    check(
        s,
        "P1 P2 P3 unphased\na: 1 1 0 0\na.x: 1 0 0 0\na.y: 0 1 0 0\nb: 0 0 0 0",
    );
}

#[test]
fn depth_and_patterns_select_rows_but_parents_keep_children() {
    let mut s = FreqSpec::default();
    s.select.depth = Some(1);
    check(s, "P1 P2 P3 unphased\na: 2 1 0 1\nb: 0 2 0 0");
    let mut s = FreqSpec::default();
    s.select.codes = vec!["a.*".into()];
    check(s, "P1 P2 P3 unphased\na.x: 2 0 0 0\na.y: 1 1 0 0");
    let mut s = FreqSpec::default();
    s.select.codes = vec!["a".into()];
    check(s, "P1 P2 P3 unphased\na: 2 1 0 1");
}

#[test]
fn totals_are_distinct_not_sums() {
    let s = FreqSpec {
        totals: true,
        ..FreqSpec::default()
    };
    check(
        s,
        "P1 P2 P3 unphased total\na: 2 1 0 1 4\na.x: 2 0 0 0 2\na.y: 1 1 0 0 2\nb: 0 2 0 0 2\ntotal: 2 2 0 1 5",
    );
    let mut s = spec("phase", "codings");
    s.totals = true;
    check(
        s,
        "P1 P2 P3 unphased total\na: 3 1 0 1 5\na.x: 2 0 0 0 2\na.y: 1 1 0 0 2\nb: 0 1 0 0 1\ntotal: 3 2 0 1 6",
    );
}

#[test]
fn errors_name_what_is_missing() {
    let e = freq(&fixture(), &spec("attr:role", "passages")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no document has the attribute \"role\"; attributes in this project: org"
    );
    let mut s = FreqSpec::default();
    s.select.codes = vec!["zzz".into()];
    assert!(matches!(freq(&fixture(), &s), Err(Error::NoCodes(_))));
    let mut s = FreqSpec::default();
    s.select.coders = vec!["nobody".into()];
    assert!(matches!(freq(&fixture(), &s), Err(Error::UnknownCoder(_))));
    let mut bad = fixture();
    bad.overlaps[0].first_word = 7;
    assert!(matches!(
        freq(&bad, &FreqSpec::default()),
        Err(Error::Input(_))
    ));
    let mut bad = fixture();
    bad.overlaps[0].passage = 99;
    assert!(matches!(
        freq(&bad, &FreqSpec::default()),
        Err(Error::Input(_))
    ));
    assert!("weekday".parse::<Grouping>().is_err());
    assert!("median".parse::<Measure>().is_err());
}

fn check_cooccur(scope: CooccurScope, expected: &str) {
    let tables = cooccur(&fixture(), &Selection::default(), &scope).unwrap();
    let got: Vec<String> = tables
        .iter()
        .map(|t| format!("[{}]\n{}", t.name, render(t)))
        .collect();
    assert_eq!(got.join("").trim(), expected.trim());
}

#[test]
fn cooccurrence_whole_study() {
    check_cooccur(
        CooccurScope::All,
        "[cooccur]\na a.x a.y b\na: 4 2 2 1\na.x: 2 2 1 0\na.y: 2 1 2 1\nb: 1 0 1 2",
    );
}

#[test]
fn cooccurrence_one_phase_and_per_phase() {
    check_cooccur(
        CooccurScope::Phase("P1".into()),
        "[cooccur P1]\na a.x a.y b\na: 2 2 1 0\na.x: 2 2 1 0\na.y: 1 1 1 0\nb: 0 0 0 0",
    );
    let tables = cooccur(&fixture(), &Selection::default(), &CooccurScope::ByPhase).unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["cooccur P1", "cooccur P2", "cooccur P3", "cooccur unphased"]
    );
    assert!(matches!(
        cooccur(
            &fixture(),
            &Selection::default(),
            &CooccurScope::Phase("P9".into())
        ),
        Err(Error::UnknownPhase(_))
    ));
}

#[test]
fn glob_patterns() {
    for (pat, text, hit) in [
        ("kb", "kb", true),
        ("kb", "kb.semantic", false),
        ("kb*", "kb.semantic", true),
        ("*.objects", "coord.objects", true),
        ("k?.s*", "kb.semantic", true),
        ("*", "", true),
        ("a*b", "acb.x", false),
    ] {
        assert_eq!(glob_match(pat, text), hit, "{pat} {text}");
    }
}

#[test]
fn writers_are_deterministic_and_well_formed() {
    let t = freq(
        &fixture(),
        &FreqSpec {
            totals: true,
            ..FreqSpec::default()
        },
    )
    .unwrap();
    let tables = [t];
    let out = |f: write::Format, long: bool| {
        let mut buf = Vec::new();
        write::write_tables(&mut buf, &tables, f, long).unwrap();
        buf
    };
    for f in [
        write::Format::Text,
        write::Format::Md,
        write::Format::Csv,
        write::Format::Json,
        #[cfg(feature = "parquet")]
        write::Format::Parquet,
        write::Format::Xlsx,
    ] {
        assert_eq!(out(f, false), out(f, false), "{f:?} differs between runs");
        assert_eq!(
            out(f, true),
            out(f, true),
            "{f:?} --long differs between runs"
        );
    }
    let csv = String::from_utf8(out(write::Format::Csv, false)).unwrap();
    assert!(
        csv.starts_with("code,name,depth,P1,P2,P3,unphased,total\na,A,0,2,1,0,1,4\n"),
        "{csv}"
    );
    let long = String::from_utf8(out(write::Format::Csv, true)).unwrap();
    assert!(
        long.starts_with("code,name,depth,phase,passages\na,A,0,P1,2\n"),
        "{long}"
    );
    let md = String::from_utf8(out(write::Format::Md, false)).unwrap();
    assert!(
        md.contains("| `a.x` | &emsp;A.X | 2 | 0 | 0 | 0 | 2 |"),
        "{md}"
    );
    assert!(md.contains("P1 = Phase P1"), "{md}");
    let json: serde_json::Value = serde_json::from_slice(&out(write::Format::Json, false)).unwrap();
    assert_eq!(json["rows"][0]["values"][0], 2);
    #[cfg(feature = "parquet")]
    assert_eq!(write::to_dataframe(&tables, true).unwrap().height(), 5 * 5);
}

#[test]
fn xlsx_opens_in_a_real_reader() {
    use calamine::{Data, Reader, Xlsx};
    let tables = cooccur(&fixture(), &Selection::default(), &CooccurScope::ByPhase).unwrap();
    let bytes = write::to_xlsx(&tables, false).unwrap();
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["cooccur P1", "cooccur P2", "cooccur P3", "cooccur unphased"]
    );
    let range = wb.worksheet_range("cooccur P1").unwrap();
    assert_eq!(range.get((0, 0)), Some(&Data::String("code".into())));
    assert_eq!(range.get((0, 2)), Some(&Data::String("a".into())));
    assert_eq!(
        range.get((1, 2)),
        Some(&Data::Float(2.0)),
        "numbers are numbers"
    );
    assert_eq!(range.get((2, 1)), Some(&Data::String("A.X".into())));
}

#[test]
fn long_xlsx_has_a_row_per_cell() {
    use calamine::{Data, Reader, Xlsx};
    let tables = cooccur(&fixture(), &Selection::default(), &CooccurScope::ByPhase).unwrap();
    let bytes = write::to_xlsx(&tables, true).unwrap();
    assert_eq!(bytes, write::to_xlsx(&tables, true).unwrap());
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("cooccur P2").unwrap();
    let row = |y: usize| -> Vec<String> {
        (0..6)
            .map(|x| match range.get((y, x)) {
                Some(Data::String(s)) => s.clone(),
                Some(Data::Float(f)) => f.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(
        row(0),
        ["phase", "code", "name", "depth", "with", "passages"]
    );
    let t = &tables[1];
    let n = t.rows.len() * t.columns.len();
    assert_eq!(range.height(), n + 1, "a header and one row per cell");
    // Every cell of the wide table appears once, in row-major order.
    for (i, r) in t.rows.iter().enumerate() {
        for (j, c) in t.columns.iter().enumerate() {
            let got = row(1 + i * t.columns.len() + j);
            assert_eq!(got[0], "P2");
            assert_eq!(got[1], r.code);
            assert_eq!(got[4], c.id);
            assert_eq!(got[5], r.values[j].to_string());
        }
    }
}

#[test]
fn charts_render_both_formats() {
    let t = freq(&fixture(), &FreqSpec::default()).unwrap();
    let svg = chart::timeline(&t, chart::ChartFormat::Svg).unwrap();
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("<svg") && svg.contains("P2"), "{svg}");
    let png = chart::timeline(&t, chart::ChartFormat::Png).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert_eq!(png, chart::timeline(&t, chart::ChartFormat::Png).unwrap());
    let heat = chart::heatmap(&t, chart::ChartFormat::Png).unwrap();
    assert_eq!(&heat[1..4], b"PNG");
    assert_eq!(chart::parse_color("#f80"), Some((255, 136, 0)));
    assert_eq!(chart::parse_color("#1f77b4"), Some((31, 119, 180)));
    assert_eq!(chart::parse_color("blue"), None);
}

/// The width and height a PNG's header declares.
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// The texts of an SVG's `<text>` elements, in order.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
        .filter_map(|t| {
            t.split_once("</text>")
                .map(|(text, _)| text.trim().to_string())
        })
        .collect()
}

fn chart_options(
    width: Option<u32>,
    height: Option<u32>,
    scale: u32,
    title: Option<&str>,
) -> chart::ChartOptions {
    chart::ChartOptions {
        width,
        height,
        scale,
        title: title.map(String::from),
    }
}

#[test]
fn default_chart_options_draw_the_default_charts() {
    let t = freq(&fixture(), &FreqSpec::default()).unwrap();
    let default = chart::ChartOptions::default();
    for format in [chart::ChartFormat::Svg, chart::ChartFormat::Png] {
        assert_eq!(
            chart::timeline_with(&t, format, &default).unwrap(),
            chart::timeline(&t, format).unwrap()
        );
        assert_eq!(
            chart::heatmap_with(&t, format, &default).unwrap(),
            chart::heatmap(&t, format).unwrap()
        );
    }
}

#[test]
fn charts_take_a_size_and_a_scale() {
    let t = freq(&fixture(), &FreqSpec::default()).unwrap();
    let (svg, png) = (chart::ChartFormat::Svg, chart::ChartFormat::Png);
    // (width, height, scale) → the PNG's pixels and the SVG's declared size and viewBox.
    let check =
        |w: Option<u32>, h: Option<u32>, scale: u32, pixels: (u32, u32), view: (u32, u32)| {
            let o = chart_options(w, h, scale, None);
            let p = chart::timeline_with(&t, png, &o).unwrap();
            assert_eq!(png_size(&p), pixels, "{w:?} {h:?} ×{scale}");
            let s = String::from_utf8(chart::timeline_with(&t, svg, &o).unwrap()).unwrap();
            let head = format!(
                "<svg width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\"",
                pixels.0, pixels.1, view.0, view.1
            );
            assert!(s.starts_with(&head), "{head}: {}", &s[..80]);
        };
    check(None, None, 1, (1280, 720), (1280, 720));
    check(None, None, 2, (2560, 1440), (1280, 720));
    check(Some(500), Some(600), 2, (1000, 1200), (500, 600));
    check(Some(1000), Some(400), 1, (1000, 400), (1000, 400));
    // A heatmap shares a given width and height out among its cells.
    let o = chart_options(Some(600), Some(300), 3, None);
    assert_eq!(
        png_size(&chart::heatmap_with(&t, png, &o).unwrap()),
        (1800, 900)
    );
}

#[test]
fn a_scaled_png_is_the_same_chart_drawn_larger() {
    // Twice the scale is a bitmap twice as large each way with the ink in the same places:
    // the layout does not change, only the resolution.
    let t = freq(&fixture(), &FreqSpec::default()).unwrap();
    let decode = |png: Vec<u8>| {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        (info.width as usize, buf)
    };
    let o = |scale| chart_options(Some(640), Some(480), scale, Some(""));
    let (w1, one) = decode(chart::timeline_with(&t, chart::ChartFormat::Png, &o(1)).unwrap());
    let (w2, two) = decode(chart::timeline_with(&t, chart::ChartFormat::Png, &o(2)).unwrap());
    assert_eq!(w2, 2 * w1);
    let dark = |buf: &[u8], w: usize, x: usize, y: usize| buf[(y * w + x) * 3 + 1] < 200;
    let (mut agree, mut inked) = (0, 0);
    for y in 0..480 {
        for x in 0..w1 {
            if dark(&one, w1, x, y) {
                inked += 1;
                let near = (0..2).any(|dy| (0..2).any(|dx| dark(&two, w2, 2 * x + dx, 2 * y + dy)));
                agree += usize::from(near);
            }
        }
    }
    assert!(inked > 1000 && agree * 10 > inked * 9, "{agree} of {inked}");
}

#[test]
fn a_chart_takes_a_title_or_none() {
    let t = freq(&fixture(), &FreqSpec::default()).unwrap();
    let svg = |o: &chart::ChartOptions, heat: bool| {
        let bytes = if heat {
            chart::heatmap_with(&t, chart::ChartFormat::Svg, o)
        } else {
            chart::timeline_with(&t, chart::ChartFormat::Svg, o)
        };
        svg_texts(&String::from_utf8(bytes.unwrap()).unwrap())
    };
    for heat in [false, true] {
        let default = svg(&chart::ChartOptions::default(), heat);
        let own = svg(
            &chart_options(None, None, 1, Some("Figure 2: Themes")),
            heat,
        );
        let none = svg(&chart_options(None, None, 1, Some("")), heat);
        assert!(default[0].starts_with("Coded passages per"), "{default:?}");
        assert_eq!(own[0], "Figure 2: Themes");
        assert_eq!(own[1..], default[1..]);
        assert!(
            !none.iter().any(|t| t.starts_with("Coded passages per")),
            "{none:?}"
        );
    }
}

/// A table whose first code has a name far longer than a legend line.
fn long_names() -> Table {
    let mut t = freq(&fixture(), &FreqSpec::default()).unwrap();
    t.rows[0].name = "Shared understanding / common ground between the customer \
                      service desk and the delivery technicians"
        .into();
    t
}

#[test]
fn legend_names_wrap_instead_of_being_cut() {
    let t = long_names();
    for o in [
        chart::ChartOptions::default(),
        chart_options(Some(500), Some(600), 1, None),
        chart_options(Some(700), Some(500), 1, Some("")),
    ] {
        let svg = chart::timeline_with(&t, chart::ChartFormat::Svg, &o).unwrap();
        let texts = svg_texts(&String::from_utf8(svg).unwrap());
        let start = texts
            .iter()
            .position(|t| t.starts_with("Shared"))
            .unwrap_or_else(|| panic!("{texts:?}"));
        let lines: Vec<&String> = texts[start..]
            .iter()
            .take_while(|l| **l != t.rows[1].code)
            .collect();
        assert!(lines.len() >= 2, "{o:?}: {lines:?}");
        let joined = lines
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(joined, t.rows[0].name, "{o:?}");
    }
    // PNGs wrap the same way (the layout is shared); they render at any of these sizes.
    let png = chart::timeline_with(
        &t,
        chart::ChartFormat::Png,
        &chart_options(Some(500), Some(600), 2, None),
    )
    .unwrap();
    assert_eq!(png_size(&png), (1000, 1200));
}

#[test]
fn a_chart_too_small_for_its_content_says_how_large_it_must_be() {
    let t = freq(&fixture(), &FreqSpec::default()).unwrap();
    let err = |o: chart::ChartOptions, heat: bool| {
        let r = if heat {
            chart::heatmap_with(&t, chart::ChartFormat::Png, &o)
        } else {
            chart::timeline_with(&t, chart::ChartFormat::Png, &o)
        };
        r.unwrap_err().to_string()
    };
    let e = err(chart_options(Some(200), None, 1, None), false);
    assert!(
        e.contains("200 pixels wide") && e.contains("at least 320"),
        "{e}"
    );
    let e = err(chart_options(Some(500), Some(200), 1, None), false);
    assert!(
        e.contains("200 pixels high") && e.contains("make it at least"),
        "{e}"
    );
    let e = err(chart_options(Some(100), None, 1, None), true);
    assert!(e.contains("columns") && e.contains("100"), "{e}");
    let e = err(chart_options(None, None, 11, None), true);
    assert!(e.contains("scale 11"), "{e}");
}

/// Random inputs: `n` codes (parents earlier), passages over documents in phases, codings.
fn arb_input() -> impl Strategy<Value = TableInput> {
    (1usize..6, 1usize..12, 0usize..40).prop_flat_map(|(ncodes, npass, ncod)| {
        (
            proptest::collection::vec(proptest::option::of(0usize..6), ncodes),
            proptest::collection::vec((0u32..4, 1u32..20), npass),
            proptest::collection::vec(
                (
                    0..ncodes as u32,
                    0u32..2,
                    0..npass as u32,
                    0u32..20,
                    0u32..20,
                ),
                ncod,
            ),
        )
            .prop_map(move |(parents, passages, codings)| {
                let mut input = TableInput {
                    phases: (0..3)
                        .map(|i| PhaseInfo {
                            id: format!("P{i}"),
                            label: String::new(),
                        })
                        .collect(),
                    coders: vec!["x".into(), "y".into()],
                    ..TableInput::default()
                };
                for (i, p) in parents.iter().enumerate() {
                    input.codes.push(CodeInfo {
                        id: format!("c{i}"),
                        name: String::new(),
                        parent: p.filter(|&p| p < i),
                        color: None,
                    });
                }
                for d in 0..4 {
                    input.documents.push(DocInfo {
                        id: DocId(d),
                        title: String::new(),
                        kind: DocKind::Other,
                        date: None,
                        phase: (d < 3).then_some(d as usize),
                        attributes: BTreeMap::new(),
                    });
                }
                // Passages grouped by document, as the pipeline delivers them.
                let mut passages = passages;
                passages.sort_by_key(|&(doc, _)| doc);
                input.speakers = vec!["A".into(), "B".into()];
                for (doc, words) in passages {
                    input.passages.push(PassageInfo {
                        doc,
                        speaker: (words % 3 != 0).then_some(words % 2),
                        words,
                    });
                }
                for (k, (code, coder, passage, a, b)) in codings.into_iter().enumerate() {
                    let w = input.passages[passage as usize].words;
                    let (a, b) = (a.min(b).min(w), a.max(b).min(w));
                    input.codings.push(CodingInfo { code, coder });
                    input.overlaps.push(Overlap {
                        coding: k as u32,
                        passage,
                        first_word: a,
                        end_word: b,
                    });
                    // Some codings run on into the next passage.
                    let next = passage as usize + 1;
                    if b % 3 == 0 && next < input.passages.len() {
                        input.overlaps.push(Overlap {
                            coding: k as u32,
                            passage: next as u32,
                            first_word: 0,
                            end_word: input.passages[next].words.min(2),
                        });
                    }
                }
                input
            })
    })
}

proptest! {
    #[test]
    fn cooccurrence_is_symmetric_with_the_diagonal_as_freq_total(input in arb_input()) {
        let t = cooccur(&input, &Selection::default(), &CooccurScope::All).unwrap().remove(0);
        let f = freq(&input, &FreqSpec { totals: true, ..FreqSpec::default() }).unwrap();
        for (i, r) in t.rows.iter().enumerate() {
            for (j, v) in r.values.iter().enumerate() {
                prop_assert_eq!(*v, t.rows[j].values[i]);
                prop_assert!(*v <= r.values[i]);
            }
            prop_assert_eq!(r.values[i], *f.rows[i].values.last().unwrap());
        }
    }

    #[test]
    fn a_parent_counts_at_least_each_child(input in arb_input()) {
        for m in Measure::ALL {
            let f = freq(&input, &FreqSpec { measure: m, ..FreqSpec::default() }).unwrap();
            for (i, c) in input.codes.iter().enumerate() {
                let children: Vec<usize> = (0..input.codes.len())
                    .filter(|&k| input.codes[k].parent == Some(i))
                    .collect();
                for col in 0..f.columns.len() {
                    let own = f.rows[i].values[col];
                    for &k in &children {
                        prop_assert!(own >= f.rows[k].values[col], "{} {m}", c.id);
                    }
                }
            }
        }
    }

    #[test]
    fn parallel_counts_equal_one_thread(input in arb_input(), threads in 2usize..5) {
        for by in ["phase", "kind", "doc", "speaker"] {
            for measure in ["codings", "passages", "documents", "words", "per1k", "share"] {
                let mut spec = spec(by, measure);
                spec.totals = true;
                let one = crate::compute::freq_in(&input, &spec, 1).unwrap();
                let many = crate::compute::freq_in(&input, &spec, threads).unwrap();
                prop_assert_eq!(render(&one), render(&many), "{} by {}", measure, by);
            }
        }
    }

    #[test]
    fn phase_columns_add_up_to_the_total_column(input in arb_input()) {
        for m in [Measure::Passages, Measure::Words, Measure::Documents] {
            let f = freq(&input, &FreqSpec { measure: m, totals: true, ..FreqSpec::default() }).unwrap();
            for r in &f.rows {
                let (total, cols) = r.values.split_last().unwrap();
                prop_assert_eq!(*total, cols.iter().sum::<f64>());
            }
        }
    }
}
