//! A temporary working folder that runs the real `ambit` binary (xsv's `Workdir` idea).

use std::path::{Path, PathBuf};
use std::process::Output;

pub struct Workdir {
    dir: tempfile::TempDir,
}

/// What a command printed and how it exited.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            code: o.status.code().unwrap_or(-1),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Asserts failure (exit 1) and returns stderr.
    #[track_caller]
    pub fn fails(self) -> String {
        assert_eq!(
            self.code, 1,
            "expected exit 1\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        self.stderr
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", self.stdout))
    }
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A folder with an initialised project using the sample study's timeline.
    pub fn project() -> Workdir {
        let w = Workdir::new();
        w.run(&["init", "--name", "test"]).ok();
        let timeline =
            std::fs::read_to_string(repo().join("data-samples/ambit.toml")).expect("sample toml");
        w.write("ambit.toml", &timeline);
        w
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        self.write_bytes(name, contents.as_bytes())
    }

    pub fn write_bytes(&self, name: &str, contents: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write");
        p
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(self.dir.path(), args)
    }

    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        let o = assert_cmd::Command::cargo_bin("ambit")
            .expect("binary")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("run ambit");
        Run::from(o)
    }

    /// Number of documents in the project.
    pub fn doc_count(&self) -> usize {
        let r = self.run(&["docs", "--format", "json"]);
        r.json().as_array().map_or(0, |a| a.len())
    }
}

/// The repository root (for data-samples).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
