//! The shared samples of real exports, and the other source kinds: PDFs, pictures, audio and video.

use ambit_qdpx::{read_qdc, ReadOptions};

use crate::util::{qdpx, read};

#[test]
fn atlas_ti_23_codes_without_sources() {
    let (p, report) = read(include_bytes!(
        "../fixtures/atlasti23_codes-no-sources.qdpx"
    ))
    .unwrap();
    assert_eq!(
        report.origin.as_deref(),
        Some("ATLAS.ti for Windows 23.2.3.27778")
    );
    assert_eq!(p.name, "target-atlas-project");
    assert_eq!(report.users, ["Enric Llagostera", "ATLAS.ti"]);
    assert_eq!(p.creating_user.as_deref(), Some("Enric Llagostera"));
    let codes: Vec<(&str, &str, Option<&str>)> = p
        .codebook
        .codes
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.parent.as_deref()))
        .collect();
    assert_eq!(
        codes,
        [
            ("commits", "Commits", None),
            (
                "commits.2022-05-10t02_05_59z_19e4dce",
                "2022-05-10T02:05:59Z 19e4dce",
                Some("commits")
            ),
            (
                "commits.2022-02-11t10_39_25z_cdbfd92",
                "2022-02-11T10:39:25Z cdbfd92",
                Some("commits")
            ),
        ]
    );
    assert_eq!(
        p.codebook.codes[0].guid.unwrap().to_string(),
        "A182CD3A-D83C-4D8C-BC80-26D9103EC6D6"
    );
    assert!(p.sources.is_empty() && report.sources.is_empty());
    assert!(report.tolerated.is_empty(), "{:?}", report.tolerated);
    // Codes in another tool's file make a valid Ambit codebook.
    let cb = p.codebook.to_codebook().unwrap();
    assert_eq!(cb.codes().len(), 3);
}

#[test]
fn portableqda_codebook() {
    let (tree, report) = read_qdc(
        &include_bytes!("../fixtures/portableqda_small.qdc")[..],
        &ReadOptions {
            name: "portableqda_small.qdc".into(),
            ..ReadOptions::default()
        },
    )
    .unwrap();
    let names: Vec<&str> = tree.codes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "testCodeCommon",
            "testCode NEw-compareQDC(Sun Mar  7 12:35:30 2021)"
        ]
    );
    assert_eq!(
        tree.codes[0].description,
        "test code  in both codebooks Desc"
    );
    assert_eq!(tree.codes[0].color.as_deref(), Some("#000000"));
    assert_eq!(
        tree.sets[0].name,
        "testSet NEw-compareQDC(Sun Mar  7 12:35:30 2021)"
    );
    assert_eq!(tree.sets[0].description, "testSet desc New");
    assert_eq!(report.codes, 2);
    assert!(report.tolerated.is_empty(), "{:?}", report.tolerated);
    tree.to_codebook().unwrap();
}

const USER: &str = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
const CODE: &str = "6B29FC40-CA47-1067-B31D-00DD010662DA";

fn media_project(sources: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Media" origin="MAXQDA 2022" creatingUserGUID="{USER}">
  <Users><User guid="{USER}" name="coder"/></Users>
  <CodeBook><Codes><Code guid="{CODE}" name="Theme" isCodable="true"/></Codes></CodeBook>
  <Sources>
{sources}
  </Sources>
  <Links>
    <Link guid="10000000-0000-4000-8000-000000000001" name="relates" originGUID="{CODE}" targetGUID="{CODE}"/>
  </Links>
  <Graphs>
    <Graph guid="10000000-0000-4000-8000-000000000002" name="Network"/>
  </Graphs>
</Project>
"#
    )
}

fn coding(guid: &str) -> String {
    format!(r#"<Coding guid="{guid}"><CodeRef targetGUID="{CODE}"/></Coding>"#)
}

#[test]
fn pdf_picture_audio_and_video_sources() {
    let sources = format!(
        r#"    <PDFSource guid="20000000-0000-4000-8000-000000000001" name="Report" path="internal://20000000-0000-4000-8000-000000000001.pdf">
      <PDFSelection guid="20000000-0000-4000-8000-000000000002" page="1" firstX="0" firstY="0" secondX="10" secondY="10">{c1}</PDFSelection>
      <Representation guid="20000000-0000-4000-8000-000000000003" plainTextPath="internal://20000000-0000-4000-8000-000000000003.txt">
        <PlainTextSelection guid="20000000-0000-4000-8000-000000000004" startPosition="4" endPosition="10">{c2}</PlainTextSelection>
      </Representation>
    </PDFSource>
    <PictureSource guid="30000000-0000-4000-8000-000000000001" name="Whiteboard" path="absolute://C:/pics/board.jpg">
      <PictureSelection guid="30000000-0000-4000-8000-000000000002" firstX="0" firstY="0" secondX="5" secondY="5">{c3}</PictureSelection>
    </PictureSource>
    <AudioSource guid="40000000-0000-4000-8000-000000000001" name="Call" path="absolute://C:/a/call.mp3">
      <Transcript guid="40000000-0000-4000-8000-000000000002" name="Transcript">
        <PlainTextContent>Anna: Hello there.
Ben: Hi.</PlainTextContent>
        <SyncPoint guid="40000000-0000-4000-8000-000000000003" timeStamp="0" position="6"/>
        <SyncPoint guid="40000000-0000-4000-8000-000000000004" timeStamp="1500" position="18"/>
        <TranscriptSelection guid="40000000-0000-4000-8000-000000000005" fromSyncPoint="40000000-0000-4000-8000-000000000003" toSyncPoint="40000000-0000-4000-8000-000000000004">{c4}</TranscriptSelection>
      </Transcript>
      <AudioSelection guid="40000000-0000-4000-8000-000000000006" begin="0" end="1000">{c5}</AudioSelection>
    </AudioSource>
    <VideoSource guid="50000000-0000-4000-8000-000000000001" name="Clip"/>"#,
        c1 = coding("20000000-0000-4000-9000-000000000001"),
        c2 = coding("20000000-0000-4000-9000-000000000002"),
        c3 = coding("30000000-0000-4000-9000-000000000001"),
        c4 = coding("40000000-0000-4000-9000-000000000001"),
        c5 = coding("40000000-0000-4000-9000-000000000002"),
    );
    let bytes = qdpx(
        &media_project(&sources),
        &[
            (
                "Sources/20000000-0000-4000-8000-000000000003.txt",
                b"The annual report text.",
            ),
            (
                "Sources/20000000-0000-4000-8000-000000000001.pdf",
                b"%PDF-1.4 fake",
            ),
        ],
    );
    let (p, report) = read(&bytes).unwrap();
    let names: Vec<&str> = p.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Report", "Call"]);
    let texts: Vec<&str> = report.selections.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["annual", "Hello there."]);
    // The PDF's own file is its original.
    let original = p.sources[0].original.as_ref().unwrap();
    assert_eq!(original.bytes, b"%PDF-1.4 fake");
    assert_eq!(
        p.sources[0].guid.unwrap().to_string(),
        "20000000-0000-4000-8000-000000000001"
    );
    // The transcript's turns come from Ambit's reader.
    assert_eq!(p.sources[1].passages.len(), 2);
    let skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.element.as_str(), s.reason.as_str()))
        .collect();
    for (element, reason) in [
        ("PDFSelection", "has no position in the text"),
        ("PictureSelection", "has no position in the text"),
        ("PictureSource", "a picture without a text description"),
        ("AudioSelection", "has no position in the text"),
        ("VideoSource", "a video without a transcript"),
        ("Links", "Ambit has no place for them"),
        ("Graphs", "Ambit has no place for them"),
    ] {
        assert!(
            skipped
                .iter()
                .any(|(e, r)| *e == element && r.contains(reason)),
            "{element}: {reason} not in {skipped:#?}"
        );
    }
}

#[test]
fn a_coding_of_a_whole_source() {
    let sources = format!(
        r#"    <TextSource guid="60000000-0000-4000-8000-000000000001" name="Memo-ish">
      <PlainTextContent>All of it.</PlainTextContent>
      {}
    </TextSource>"#,
        coding("60000000-0000-4000-9000-000000000001")
    );
    let (p, report) = read(&qdpx(&media_project(&sources), &[])).unwrap();
    let sel = &p.sources[0].selections[0];
    assert_eq!((sel.start, sel.end), (0, 10));
    assert_eq!(sel.codings[0].coder, "coder");
    assert!(report
        .tolerated
        .iter()
        .any(|t| t.message.contains("whole source")));
}
