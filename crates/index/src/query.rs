//! The search query language: words, "phrases", "proximity"~N, AND/OR/NOT, +/-, ( ), prefix*.
//!
//! Parsing is independent of any index, so a syntax error is found (with its character
//! position and a hint) before the index is opened or rebuilt. Adjacent terms are joined
//! by AND, as in SQLite FTS5 and web search engines: researchers narrowing down a theme
//! expect more words to mean fewer hits.

use crate::error::{Error, Result};

/// A parsed query, ready to run against any index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub(crate) text: String,
    pub(crate) root: Node,
}

/// A node of the query tree. Positions are 1-based characters, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// A word, analysed like the indexed text (one word may become a phrase: `e-mail`).
    Word { text: String, pos: usize },
    /// A quoted phrase; `slop` is the `~N` proximity (0 for an exact phrase).
    Phrase { text: String, slop: u32, pos: usize },
    /// `coordinat*`: any word starting with this (matched against unstemmed words).
    Prefix { text: String, pos: usize },
    /// All must match.
    And(Vec<Node>),
    /// Any may match.
    Or(Vec<Node>),
    /// Must not match.
    Not(Box<Node>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Word(String),
    Prefix(String),
    Phrase(String, u32),
}

fn syntax(query: &str, pos: usize, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::Syntax {
        query: query.to_string(),
        position: pos,
        message: message.into(),
        hint: hint.into(),
    }
}

fn is_special(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

fn lex(q: &str) -> Result<Vec<(Tok, usize)>> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push((Tok::Open, pos));
                i += 1;
            }
            ')' => {
                out.push((Tok::Close, pos));
                i += 1;
            }
            '"' | '“' | '”' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&d| matches!(d, '"' | '“' | '”'))
                    .map(|k| i + 1 + k)
                    .ok_or_else(|| {
                        syntax(q, pos, "this quote is never closed", "add a closing \"")
                    })?;
                let text: String = chars[i + 1..close].iter().collect();
                if text.trim().is_empty() {
                    return Err(syntax(
                        q,
                        pos,
                        "empty phrase",
                        "put words between the quotes",
                    ));
                }
                i = close + 1;
                let mut slop = 0;
                if chars.get(i) == Some(&'~') {
                    let digits: String = chars[i + 1..]
                        .iter()
                        .take_while(|d| d.is_ascii_digit())
                        .collect();
                    slop = digits.parse::<u32>().map_err(|_| {
                        syntax(
                            q,
                            i + 1,
                            "`~` must be followed by a number",
                            "write a proximity as \"words here\"~5",
                        )
                    })?;
                    i += 1 + digits.len();
                }
                if chars.get(i).is_some_and(|d| !is_special(*d)) {
                    return Err(syntax(
                        q,
                        i + 1,
                        "unexpected character after a phrase",
                        "leave a space after the closing quote",
                    ));
                }
                out.push((Tok::Phrase(text, slop), pos));
            }
            '+' | '-' if chars.get(i + 1).is_some_and(|d| !is_special(*d)) => {
                out.push((if c == '+' { Tok::Plus } else { Tok::Minus }, pos));
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_special(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let tok = match word.as_str() {
                    "AND" | "&&" => Tok::And,
                    "OR" | "||" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => {
                        if let Some(k) = word.find('~') {
                            let at = pos + word[..k].chars().count();
                            return Err(syntax(
                                q,
                                at,
                                "`~` only follows a quoted phrase",
                                "write a proximity as \"words here\"~5",
                            ));
                        }
                        match word.strip_suffix('*') {
                            Some(stem) if !stem.is_empty() && !stem.contains('*') => {
                                Tok::Prefix(stem.to_string())
                            }
                            _ if word.contains('*') => {
                                let at = pos + word[..word.find('*').unwrap_or(0)].chars().count();
                                return Err(syntax(
                                    q,
                                    at,
                                    "`*` may only end a word",
                                    "search by prefix as in coordinat*",
                                ));
                            }
                            _ => Tok::Word(word),
                        }
                    }
                };
                out.push((tok, pos));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    query: &'a str,
    toks: Vec<(Tok, usize)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.0)
    }

    fn pos(&self) -> usize {
        self.toks
            .get(self.at)
            .map_or(self.query.chars().count() + 1, |t| t.1)
    }

    fn starts_term(&self) -> bool {
        matches!(
            self.peek(),
            Some(
                Tok::Open
                    | Tok::Not
                    | Tok::Plus
                    | Tok::Minus
                    | Tok::Word(_)
                    | Tok::Prefix(_)
                    | Tok::Phrase(..)
            )
        )
    }

    fn need_term_after(&self, op: &str, op_pos: usize) -> Result<()> {
        if self.starts_term() {
            Ok(())
        } else {
            Err(syntax(
                self.query,
                op_pos,
                format!("{op} needs a term after it"),
                format!("add a word after {op}, or remove it"),
            ))
        }
    }

    fn or(&mut self) -> Result<Node> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            let p = self.pos();
            self.at += 1;
            self.need_term_after("OR", p)?;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn and(&mut self) -> Result<Node> {
        let mut items = vec![self.unary()?];
        loop {
            if self.peek() == Some(&Tok::And) {
                let p = self.pos();
                self.at += 1;
                self.need_term_after("AND", p)?;
            } else if !self.starts_term() {
                break;
            }
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::And(items)
        })
    }

    fn unary(&mut self) -> Result<Node> {
        let p = self.pos();
        match self.peek() {
            Some(Tok::Not) => {
                self.at += 1;
                self.need_term_after("NOT", p)?;
                Ok(Node::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Minus) => {
                self.at += 1;
                Ok(Node::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Plus) => {
                self.at += 1;
                self.unary()
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node> {
        let p = self.pos();
        let Some((tok, _)) = self.toks.get(self.at).cloned() else {
            return Err(syntax(
                self.query,
                p,
                "the query ends where a term was expected",
                "add a word, or remove the trailing operator",
            ));
        };
        self.at += 1;
        match tok {
            Tok::Word(text) => Ok(Node::Word { text, pos: p }),
            Tok::Prefix(text) => Ok(Node::Prefix { text, pos: p }),
            Tok::Phrase(text, slop) => Ok(Node::Phrase { text, slop, pos: p }),
            Tok::Open => {
                if self.peek() == Some(&Tok::Close) {
                    return Err(syntax(
                        self.query,
                        p,
                        "empty parentheses",
                        "put a search between ( and )",
                    ));
                }
                let inner = self.or()?;
                if self.peek() == Some(&Tok::Close) {
                    self.at += 1;
                    Ok(inner)
                } else {
                    Err(syntax(
                        self.query,
                        p,
                        "this ( is never closed",
                        "add a matching )",
                    ))
                }
            }
            Tok::Close => Err(syntax(
                self.query,
                p,
                "unmatched )",
                "remove it or add a ( before it",
            )),
            Tok::And | Tok::Or => {
                let op = if tok == Tok::And { "AND" } else { "OR" };
                Err(syntax(
                    self.query,
                    p,
                    format!("{op} needs a term before it"),
                    format!(
                        "add a word before {op}; to search for the word, write it in lower case"
                    ),
                ))
            }
            Tok::Not | Tok::Plus | Tok::Minus => Err(syntax(
                self.query,
                p,
                "an operator where a term was expected",
                "add a word after the operator",
            )),
        }
    }
}

impl Query {
    /// Parses a query; a syntax error names the character position and how to fix it.
    pub fn parse(text: &str) -> Result<Query> {
        if text.trim().is_empty() {
            return Err(syntax(
                text,
                1,
                "the query is empty",
                "type the words to search for",
            ));
        }
        let mut p = Parser {
            query: text,
            toks: lex(text)?,
            at: 0,
        };
        let root = p.or()?;
        if p.at < p.toks.len() {
            let pos = p.pos();
            return Err(syntax(
                text,
                pos,
                "unmatched )",
                "remove it or add a ( before it",
            ));
        }
        Ok(Query {
            text: text.to_string(),
            root,
        })
    }

    /// The query as typed.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a tree compactly, so expectations are one line.
    fn show(n: &Node) -> String {
        match n {
            Node::Word { text, .. } => text.clone(),
            Node::Prefix { text, .. } => format!("{text}*"),
            Node::Phrase { text, slop: 0, .. } => format!("{text:?}"),
            Node::Phrase { text, slop, .. } => format!("{text:?}~{slop}"),
            Node::And(v) => format!("(and {})", v.iter().map(show).collect::<Vec<_>>().join(" ")),
            Node::Or(v) => format!("(or {})", v.iter().map(show).collect::<Vec<_>>().join(" ")),
            Node::Not(x) => format!("(not {})", show(x)),
        }
    }

    fn check(input: &str, expected: &str) {
        let got = match Query::parse(input) {
            Ok(q) => show(&q.root),
            Err(Error::Syntax {
                position, message, ..
            }) => format!("error@{position}: {message}"),
            Err(e) => format!("other error: {e}"),
        };
        assert_eq!(got, expected, "query {input:?}");
    }

    #[test]
    fn words_and_operators() {
        check("order", "order");
        check("purchase order", "(and purchase order)");
        check("a AND b OR c", "(or (and a b) c)");
        check("a OR b c", "(or a (and b c))");
        check("a (b OR c)", "(and a (or b c))");
        check("+a -b", "(and a (not b))");
        check("NOT a", "(not a)");
        check("a NOT b", "(and a (not b))");
        check("e-mail", "e-mail");
        check("Järvinen työ", "(and Järvinen työ)");
        check("and or", "(and and or)");
    }

    #[test]
    fn phrases_proximity_prefix() {
        check("\"purchase order\"", "\"purchase order\"");
        check("\"map together\"~3", "\"map together\"~3");
        check("coordinat*", "coordinat*");
        check("“curly quotes”", "\"curly quotes\"");
        check("(\"a b\"~2 OR c*) -d", "(and (or \"a b\"~2 c*) (not d))");
    }

    #[test]
    fn errors_have_positions() {
        check("", "error@1: the query is empty");
        check("\"open phrase", "error@1: this quote is never closed");
        check("a (b OR c", "error@3: this ( is never closed");
        check("a b)", "error@4: unmatched )");
        check("a AND", "error@3: AND needs a term after it");
        check("OR a", "error@1: OR needs a term before it");
        check("työ OR", "error@5: OR needs a term after it");
        check("\"a b\"~x", "error@6: `~` must be followed by a number");
        check("a~2", "error@2: `~` only follows a quoted phrase");
        check("co*rd", "error@3: `*` may only end a word");
        check("*", "error@1: `*` may only end a word");
        check("()", "error@1: empty parentheses");
        check("\"\"", "error@1: empty phrase");
        check("NOT", "error@1: NOT needs a term after it");
    }

    #[test]
    fn error_message_shows_caret() {
        let e = Query::parse("a (b").unwrap_err().to_string();
        assert_eq!(
            e,
            "query syntax error at character 3: this ( is never closed\n  a (b\n    ^ add a matching )"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[a-zé()\" *~+\\-ANDORT0-9]{0,30}") {
            let _ = Query::parse(&s);
        }
    }
}
