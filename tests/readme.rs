//! Every example of the README's tour runs as written, in order, from a copy of the
//! repository's sample study, and finds something: a researcher following the README
//! never meets a command that fails or comes back empty.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::repo;

/// The lines of the first `sh` block after the heading `## A short tour`, without comments.
fn tour_lines(readme: &str) -> Vec<String> {
    let start = readme
        .find("## A short tour")
        .expect("the README has a tour");
    let rest = &readme[start..];
    let block = rest
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the tour has an sh block");
    block
        .lines()
        .map(|l| strip_comment(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// A line without its trailing `# comment` (a `#` outside quotes after whitespace).
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The file a command writes with `-o FILE`, if it names one.
fn output_file(line: &str) -> Option<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    words
        .iter()
        .position(|w| *w == "-o")
        .and_then(|i| words.get(i + 1).copied())
}

#[test]
fn every_tour_example_runs_and_finds_something() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let lines = tour_lines(&readme);
    assert!(lines.len() >= 20, "{lines:?}");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("data-samples"),
        &tmp.path().join("data-samples"),
    );
    let bin = assert_cmd::cargo::cargo_bin("ambit");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cwd: PathBuf = tmp.path().to_path_buf();
    let mut failures = Vec::new();
    for line in &lines {
        if let Some(dir) = line.strip_prefix("cd ") {
            cwd = cwd.join(dir.trim());
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(&cwd)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            failures.push(format!("{line}\n  exit {:?}: {stderr}", out.status.code()));
            continue;
        }
        if !line.starts_with("ambit") {
            continue;
        }
        // Found something: printed a result, or wrote the file it was asked for.
        let found = match output_file(line) {
            Some(file) => std::fs::metadata(cwd.join(file)).is_ok_and(|m| m.len() > 0),
            None => !stdout.trim().is_empty(),
        };
        if !found {
            failures.push(format!("{line}\n  found nothing (stderr: {stderr})"));
        }
        if stderr.starts_with("0 passage(s)") || stderr.starts_with("0 occurrence(s)") {
            failures.push(format!("{line}\n  found no passage"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn comments_are_stripped_outside_quotes_only() {
    assert_eq!(
        strip_comment("ambit search '\"a #b\"' --x   # a comment"),
        "ambit search '\"a #b\"' --x   "
    );
    assert_eq!(
        strip_comment("ambit code D1 --quote \"#1\""),
        "ambit code D1 --quote \"#1\""
    );
}
