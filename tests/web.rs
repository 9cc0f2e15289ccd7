//! `ambit serve` as a process: the printed link, the remote-host rule, 8 × 250 codings
//! posted over HTTP while `ambit autocode` writes the same project from another process,
//! and a clean stop on Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use crate::util::Workdir;

#[test]
fn serve_refuses_a_remote_host_without_allow_remote() {
    let w = Workdir::project();
    let err = w.run(&["serve", "--host", "0.0.0.0", "--no-open"]).fails();
    assert!(err.contains("refusing to serve on 0.0.0.0"), "{err}");
    assert!(err.contains("--allow-remote"), "{err}");
}

/// One HTTP/1.1 request with the bearer token; returns the status and the body.
pub fn request(port: u16, token: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_codes_alongside_autocode_and_stops_on_ctrl_c() {
    let w = Workdir::project();
    let mut codebook = String::from("[codebook]\nname = \"Test\"\n");
    for code in ["kb", "c1", "c2", "c3"] {
        codebook.push_str(&format!(
            "\n[[code]]\nid = \"{code}\"\nname = \"{code}\"\n  [[code.rule]]\n  id = \"{code}.order\"\n  keywords = [\"order\"]\n"
        ));
    }
    w.write("codebook.toml", &codebook);
    let turns: Vec<String> = (0..800)
        .map(|t| format!("Päivi: order {t} came late again 👍, so we re-typed it."))
        .collect();
    w.write("interview.txt", &turns.join("\n\n"));
    w.run(&["add", "interview.txt", "--kind", "interview"]).ok();

    let bin = assert_cmd::cargo::cargo_bin("ambit");
    let mut child = Command::new(&bin)
        .current_dir(w.path())
        .args(["serve", "--no-open"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ambit serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the link");
    // `Ambit is serving NAME at http://127.0.0.1:PORT/?token=TOKEN`
    let url = line
        .trim()
        .strip_prefix("Ambit is serving Kaleva service network study at http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    let (port, token) = url.split_once("/?token=").expect("a token in the link");
    let port: u16 = port.parse().expect("a port");
    assert_eq!(token.len(), 32, "{token}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    assert_eq!(request(port, "wrong", "GET", "/api/documents", "").0, 401);

    let autocode = Command::new(&bin)
        .current_dir(w.path())
        .arg("autocode")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start autocode");
    let posts: Vec<_> = (0..8)
        .map(|t| {
            let token = token.to_string();
            std::thread::spawn(move || {
                for i in 0..250 {
                    let start = (t * 250 + i) * 3;
                    let body = format!(
                        r#"{{"doc": "D1", "start": {start}, "end": {}, "code": "kb", "coder": "web{t}"}}"#,
                        start + 2
                    );
                    let (status, answer) = request(port, &token, "POST", "/api/codings", &body);
                    assert_eq!(status, 201, "{answer}");
                }
            })
        })
        .collect();
    let autocode = autocode.wait_with_output().expect("run autocode");
    assert!(
        autocode.status.success(),
        "{}",
        String::from_utf8_lossy(&autocode.stderr)
    );
    for p in posts {
        p.join().expect("a posting thread failed");
    }
    let manual = w
        .run(&["codings", "--code", "kb", "--format", "json"])
        .json();
    let by_web = manual
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| {
            r["origin"] == "manual" && r["coder"].as_str().is_some_and(|c| c.starts_with("web"))
        })
        .count();
    assert_eq!(by_web, 2000);
    // Auto-coding replaced only its own codings: 800 turns × 4 codes.
    let auto = w.run(&["codings", "--coder", "researcher", "--count"]).ok();
    assert_eq!(auto.trim(), "3200");

    // Ctrl-C: the server finishes and exits successfully.
    #[cfg(unix)]
    {
        let mut server = server;
        let pid = server.0.id().to_string();
        let killed = Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = server.0.wait().expect("wait");
        assert!(status.success(), "{status:?}");
        let mut err = String::new();
        if let Some(mut e) = server.0.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        assert!(!err.contains("panicked"), "{err}");
    }
}
