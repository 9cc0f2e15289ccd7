//! `ambit completions` and `ambit man`: the shell scripts and manual pages generated from
//! the same command definitions as `--help`, so they name every subcommand there is.

use crate::util::Workdir;

/// The subcommands `ambit --help` lists (besides `help`).
fn subcommands(w: &Workdir) -> Vec<String> {
    let help = w.run(&["--help"]).ok();
    let list = help
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("no Commands section in:\n{help}"));
    let names: Vec<String> = list
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect();
    assert!(names.len() > 20, "{names:?}");
    for expected in ["init", "chart", "completions", "man"] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    names
}

#[test]
fn the_bash_completion_knows_every_subcommand() {
    let w = Workdir::new();
    let script = w.run(&["completions", "bash"]).ok();
    assert!(script.contains("complete -F _ambit"), "{script}");
    for name in subcommands(&w) {
        // The script switches on `ambit,NAME` to complete each subcommand's own flags.
        assert!(script.contains(&format!("ambit,{name})")), "{name} missing");
    }
    // Flags of nested subcommands too, such as the chart's size.
    assert!(script.contains("--width") && script.contains("--scale"));
}

#[test]
fn every_shell_gets_a_script() {
    let w = Workdir::new();
    for (shell, marker) in [
        ("zsh", "#compdef ambit"),
        ("fish", "complete -c ambit"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[ambit]"),
    ] {
        let script = w.run(&["completions", shell]).ok();
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("chart"), "{shell}");
    }
    let r = w.run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("bash") && r.stderr.contains("powershell"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_man_page_lists_every_subcommand() {
    let w = Workdir::new();
    let page = w.run(&["man"]).ok();
    assert!(page.contains(".TH ambit 1"), "{page}");
    let section = page
        .split(".SH SUBCOMMANDS")
        .nth(1)
        .unwrap_or_else(|| panic!("no SUBCOMMANDS section:\n{page}"));
    for name in subcommands(&w) {
        // roff escapes the hyphen in `ambit-init(1)`.
        let entry = format!("ambit\\-{}(1)", name.replace('-', "\\-"));
        assert!(section.contains(&entry), "{entry} missing");
    }
}

#[test]
fn man_out_writes_a_page_per_subcommand() {
    let w = Workdir::new();
    let r = w.run(&["man", "--out", "share/man/man1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = w.path().join("share/man/man1");
    let names = subcommands(&w);
    for name in names
        .iter()
        .map(|n| format!("ambit-{n}.1"))
        .chain(["ambit.1".into()])
    {
        assert!(dir.join(&name).is_file(), "{name} missing");
    }
    // Nested subcommands have pages of their own, with their flags.
    let timeline = std::fs::read_to_string(dir.join("ambit-chart-timeline.1")).unwrap();
    assert!(
        timeline.contains(".TH ambit-chart-timeline 1  \"ambit "),
        "{timeline}"
    );
    assert!(timeline.contains("\\-\\-width") && timeline.contains("\\-\\-title"));
    let written = std::fs::read_dir(&dir).unwrap().count();
    assert!(
        r.stderr.contains(&format!("wrote {written} manual pages")),
        "{}",
        r.stderr
    );
    assert!(!dir.join("ambit-help.1").exists());
}
