//! The code query language: `kb.semantic AND NOT su`, `(coord.objects OR act.modelling) NEAR/2 su`.
//!
//! Precedence, tightest first: `NOT`, `NEAR/N`, `AND`, `OR`; operators are case-insensitive.

use std::collections::HashMap;
use std::fmt;

use crate::codebook::Codebook;
use crate::error::{Error, Result};

/// The codes of one passage, for query evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageCodes {
    /// Document key; `NEAR` only pairs passages of the same document.
    pub doc: u32,
    /// Position of the passage in its document.
    pub ordinal: u32,
    /// Code ids on the passage. [`Query::eval`] takes them literally; use
    /// [`Query::eval_in`] (or [`Codebook::with_ancestors`]) so that `kb` also finds `kb.semantic`.
    pub codes: Vec<String>,
}

/// A parsed code query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    root: Expr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Code(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Near(Box<Expr>, Box<Expr>, u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Code(String),
    And,
    Or,
    Not,
    Near(u32),
    Open,
    Close,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Code(c) => format!("`{c}`"),
            Tok::And => "AND".to_owned(),
            Tok::Or => "OR".to_owned(),
            Tok::Not => "NOT".to_owned(),
            Tok::Near(n) => format!("NEAR/{n}"),
            Tok::Open => "`(`".to_owned(),
            Tok::Close => "`)`".to_owned(),
        }
    }
}

fn syntax(position: usize, message: String) -> Error {
    Error::QuerySyntax { position, message }
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Splits the query into tokens with 1-based character positions.
fn lex(src: &str) -> Result<Vec<(Tok, usize)>> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            toks.push((Tok::Open, pos));
            i += 1;
        } else if c == ')' {
            toks.push((Tok::Close, pos));
            i += 1;
        } else if is_id_char(c) {
            let start = i;
            while i < chars.len() && (is_id_char(chars[i]) || chars[i] == '/') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let upper = word.to_uppercase();
            let tok = match upper.as_str() {
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "NOT" => Tok::Not,
                _ if upper == "NEAR" || upper.starts_with("NEAR/") => {
                    let n = upper
                        .strip_prefix("NEAR/")
                        .and_then(|n| n.parse::<u32>().ok())
                        .ok_or_else(|| {
                            syntax(
                                pos,
                                format!(
                                    "`{word}`: write NEAR with a distance in passages, e.g. NEAR/2"
                                ),
                            )
                        })?;
                    Tok::Near(n)
                }
                _ if word.contains('/') => {
                    return Err(syntax(pos, format!("`{word}`: `/` is only used in NEAR/N")))
                }
                _ => Tok::Code(word),
            };
            toks.push((tok, pos));
        } else {
            let hint = match c {
                '&' => " (write AND)",
                '|' => " (write OR)",
                '!' => " (write NOT)",
                '"' | '\'' => " (code ids are written without quotes)",
                _ => "",
            };
            return Err(syntax(pos, format!("unexpected character `{c}`{hint}")));
        }
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |(_, p)| *p)
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the query".to_owned(), Tok::describe)
    }

    fn or(&mut self) -> Result<Expr> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            let right = self.and_after("OR")?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_after(&mut self, op: &str) -> Result<Expr> {
        self.expect_operand(op)?;
        self.and()
    }

    fn and(&mut self) -> Result<Expr> {
        let mut left = self.near()?;
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            self.expect_operand("AND")?;
            let right = self.near()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn near(&mut self) -> Result<Expr> {
        let mut left = self.unary()?;
        while let Some(&Tok::Near(n)) = self.peek() {
            self.at += 1;
            self.expect_operand(&format!("NEAR/{n}"))?;
            let right = self.unary()?;
            left = Expr::Near(Box::new(left), Box::new(right), n);
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.peek() == Some(&Tok::Not) {
            self.at += 1;
            self.expect_operand("NOT")?;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.atom()
    }

    /// Fails with a positioned hint unless an operand (code, NOT or `(`) comes next.
    fn expect_operand(&self, after: &str) -> Result<()> {
        match self.peek() {
            Some(Tok::Code(_) | Tok::Not | Tok::Open) => Ok(()),
            _ => Err(syntax(
                self.pos(),
                format!("expected a code id after {after}, found {}", self.found()),
            )),
        }
    }

    fn atom(&mut self) -> Result<Expr> {
        match self.peek().cloned() {
            Some(Tok::Code(c)) => {
                self.at += 1;
                Ok(Expr::Code(c))
            }
            Some(Tok::Open) => {
                let open = self.pos();
                self.at += 1;
                self.expect_operand("`(`")?;
                let inner = self.or()?;
                if self.peek() == Some(&Tok::Close) {
                    self.at += 1;
                    Ok(inner)
                } else {
                    Err(syntax(
                        self.pos(),
                        format!(
                            "expected `)` to close the `(` at position {open}, found {}",
                            self.found()
                        ),
                    ))
                }
            }
            _ => Err(syntax(
                self.pos(),
                format!("expected a code id, NOT or `(`, found {}", self.found()),
            )),
        }
    }
}

impl Query {
    /// Parses a query; errors give the 1-based character position and a hint.
    pub fn parse(expr: &str) -> Result<Query> {
        let toks = lex(expr)?;
        if toks.is_empty() {
            return Err(syntax(
                1,
                "the query is empty; write a code id such as `kb`".to_owned(),
            ));
        }
        let mut p = Parser {
            toks,
            at: 0,
            end: expr.chars().count() + 1,
        };
        let root = p.or()?;
        if let Some((tok, pos)) = p.toks.get(p.at) {
            let prev = p.toks[p.at - 1].0.describe();
            let message = match tok {
                Tok::Close => "unmatched `)`".to_owned(),
                other => format!(
                    "expected AND, OR or NEAR/N between {prev} and {}",
                    other.describe()
                ),
            };
            return Err(syntax(*pos, message));
        }
        Ok(Query { root })
    }

    /// Code ids named in the query, in order of first appearance.
    pub fn codes(&self) -> Vec<&str> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
            match e {
                Expr::Code(c) => {
                    if !out.contains(&c.as_str()) {
                        out.push(c);
                    }
                }
                Expr::Not(a) => walk(a, out),
                Expr::And(a, b) | Expr::Or(a, b) | Expr::Near(a, b, _) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    /// Checks every code id against the codebook; the error lists each unknown id, with a
    /// "did you mean" where one is close.
    pub fn validate(&self, codebook: &Codebook) -> Result<()> {
        codebook.require_codes(&self.codes())
    }

    /// Indices (ascending) of the passages the query selects, taking passage codes literally.
    pub fn eval(&self, passages: &[PassageCodes]) -> Vec<usize> {
        self.run(passages, &|c: &str| vec![c.to_owned()])
    }

    /// Like [`eval`](Query::eval), but a code also matches passages carrying any of its
    /// descendants, so `kb` finds passages coded `kb.semantic`.
    pub fn eval_in(&self, codebook: &Codebook, passages: &[PassageCodes]) -> Vec<usize> {
        self.run(passages, &|c: &str| {
            std::iter::once(c.to_owned())
                .chain(codebook.descendants(c).into_iter().map(|d| d.id.clone()))
                .collect()
        })
    }

    fn run(&self, passages: &[PassageCodes], expand: &dyn Fn(&str) -> Vec<String>) -> Vec<usize> {
        let ctx = Ctx::new(passages);
        ctx.eval(&self.root, expand)
            .into_iter()
            .enumerate()
            .filter(|(_, s)| *s)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Evaluation context: passages grouped by document in ordinal order, for `NEAR`.
struct Ctx<'a> {
    passages: &'a [PassageCodes],
    docs: Vec<Vec<usize>>,
}

impl<'a> Ctx<'a> {
    fn new(passages: &'a [PassageCodes]) -> Ctx<'a> {
        let mut by_doc: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, p) in passages.iter().enumerate() {
            by_doc.entry(p.doc).or_default().push(i);
        }
        let mut docs: Vec<Vec<usize>> = by_doc.into_values().collect();
        for d in &mut docs {
            d.sort_by_key(|&i| (passages[i].ordinal, i));
        }
        Ctx { passages, docs }
    }

    fn eval(&self, e: &Expr, expand: &dyn Fn(&str) -> Vec<String>) -> Vec<bool> {
        match e {
            Expr::Code(c) => {
                let wanted = expand(c);
                self.passages
                    .iter()
                    .map(|p| p.codes.iter().any(|pc| wanted.contains(pc)))
                    .collect()
            }
            Expr::Not(a) => self.eval(a, expand).into_iter().map(|s| !s).collect(),
            Expr::And(a, b) => zip(self.eval(a, expand), self.eval(b, expand), |x, y| x && y),
            Expr::Or(a, b) => zip(self.eval(a, expand), self.eval(b, expand), |x, y| x || y),
            Expr::Near(a, b, n) => {
                let a = self.eval(a, expand);
                let b = self.eval(b, expand);
                let mut out = vec![false; self.passages.len()];
                for doc in &self.docs {
                    let ords = |set: &[bool]| -> Vec<u32> {
                        doc.iter()
                            .filter(|&&i| set[i])
                            .map(|&i| self.passages[i].ordinal)
                            .collect()
                    };
                    let (a_ords, b_ords) = (ords(&a), ords(&b));
                    for &i in doc {
                        let o = self.passages[i].ordinal;
                        if (a[i] && has_within(&b_ords, o, *n))
                            || (b[i] && has_within(&a_ords, o, *n))
                        {
                            out[i] = true;
                        }
                    }
                }
                out
            }
        }
    }
}

fn zip(a: Vec<bool>, b: Vec<bool>, f: impl Fn(bool, bool) -> bool) -> Vec<bool> {
    a.into_iter().zip(b).map(|(x, y)| f(x, y)).collect()
}

/// Whether the sorted `ords` hold a value within `n` of `o`.
fn has_within(ords: &[u32], o: u32, n: u32) -> bool {
    let lo = o.saturating_sub(n);
    let idx = ords.partition_point(|&x| x < lo);
    ords.get(idx).is_some_and(|&x| x <= o.saturating_add(n))
}

impl fmt::Display for Query {
    /// The canonical form, fully parenthesised where precedence matters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn go(e: &Expr, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result {
            let (open, close) = if top { ("", "") } else { ("(", ")") };
            match e {
                Expr::Code(c) => f.write_str(c),
                Expr::Not(a) => {
                    f.write_str("NOT ")?;
                    go(a, f, false)
                }
                Expr::And(a, b) => {
                    write!(f, "{open}")?;
                    go(a, f, false)?;
                    f.write_str(" AND ")?;
                    go(b, f, false)?;
                    write!(f, "{close}")
                }
                Expr::Or(a, b) => {
                    write!(f, "{open}")?;
                    go(a, f, false)?;
                    f.write_str(" OR ")?;
                    go(b, f, false)?;
                    write!(f, "{close}")
                }
                Expr::Near(a, b, n) => {
                    write!(f, "{open}")?;
                    go(a, f, false)?;
                    write!(f, " NEAR/{n} ")?;
                    go(b, f, false)?;
                    write!(f, "{close}")
                }
            }
        }
        go(&self.root, f, true)
    }
}
