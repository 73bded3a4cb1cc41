//! PostgreSQL's text forms of `tsvector` and `tsquery`, read back: PostgreSQL stays the one
//! that turns words into lexemes (its parser and `english` stemmer), this index only ranks.

use std::borrow::Cow;

use super::rank::{Node, Position};

/// A chunk's `tsvector` as PostgreSQL prints it, checked readable: kept as text until the
/// index is built from it, rather than as a string and a list per lexeme (for 100k chunks,
/// millions of small allocations at once).
#[derive(Debug, Clone, PartialEq)]
pub struct Tsvector(Box<str>);

impl Tsvector {
    /// `None` if the text is not a `tsvector`'s output.
    pub fn new(text: String) -> Option<Self> {
        each_lexeme(&text, |_, _| {})?;
        Some(Self(text.into_boxed_str()))
    }

    /// Calls `each` with every lexeme and its positions, in PostgreSQL's order (bytewise).
    pub fn each_lexeme(&self, each: impl FnMut(&str, &[Position])) {
        // Checked in `new`: cannot fail.
        let _ = each_lexeme(&self.0, each);
    }
}

/// Calls `each` with every lexeme of a `tsvector`'s text and its positions, in order; `None`
/// (once the lexemes before have been seen) if the text is not a `tsvector`'s output.
fn each_lexeme(text: &str, mut each: impl FnMut(&str, &[Position])) -> Option<()> {
    let mut rest = text;
    let mut positions = Vec::new();
    while !rest.is_empty() {
        let (lexeme, after) = quoted(rest)?;
        rest = after;
        positions.clear();
        if let Some(list) = rest.strip_prefix(':') {
            let end = list.find(' ').unwrap_or(list.len());
            for item in list[..end].split(',') {
                positions.push(position(item)?);
            }
            rest = &list[end..];
        }
        rest = rest.strip_prefix(' ').unwrap_or(rest);
        each(&lexeme, &positions);
    }
    Some(())
}

/// `12` or `12A`: a position and its weight (A 3 … D 0, D unprinted), packed as PostgreSQL's
/// `WordEntryPos` (weight in the top two bits).
fn position(item: &str) -> Option<Position> {
    let (digits, weight) = match item.as_bytes().last()? {
        b'A' => (&item[..item.len() - 1], 3),
        b'B' => (&item[..item.len() - 1], 2),
        b'C' => (&item[..item.len() - 1], 1),
        _ => (item, 0),
    };
    let pos: u16 = digits.parse().ok()?;
    (pos < 1 << 14).then_some(weight << 14 | pos)
}

/// A single-quoted lexeme (`''` stands for a quote, `\\` for a backslash) and what follows it:
/// borrowed from `text` unless it holds either.
fn quoted(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let body = text.strip_prefix('\'')?;
    let end = body.find(['\'', '\\'])?;
    if body.as_bytes()[end] == b'\'' && !body[end + 1..].starts_with('\'') {
        return Some((Cow::Borrowed(&body[..end]), &body[end + 1..]));
    }
    let mut chars = body.char_indices();
    let mut lexeme = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if body[i + 1..].starts_with('\'') => {
                lexeme.push('\'');
                chars.next();
            }
            '\'' => return Some((Cow::Owned(lexeme), &body[i + 1..])),
            '\\' => lexeme.push(chars.next()?.1),
            c => lexeme.push(c),
        }
    }
    None
}

/// A query this index can rank: `&` and `|` over plain lexemes.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Distinct lexemes, in order of first appearance; [`Node::Term`] indexes them.
    pub lexemes: Vec<String>,
    pub tree: Node,
}

/// Most distinct lexemes a query may have here (one bit each in [`Node::matches`]).
const MAX_LEXEMES: usize = 64;

/// Reads `websearch_to_tsquery`'s output. `Ok(None)` for the empty query (only stop words:
/// nothing matches); `Err(())` for what this index leaves to PostgreSQL: phrases (`<->`),
/// negation, prefixes and weights.
#[allow(clippy::result_unit_err)]
pub fn tsquery(text: &str) -> Result<Option<Query>, ()> {
    let mut parser = Parser { rest: text.trim_start(), lexemes: Vec::new() };
    if parser.rest.is_empty() {
        return Ok(None);
    }
    let tree = parser.or()?;
    if !parser.rest.is_empty() || parser.lexemes.len() > MAX_LEXEMES {
        return Err(());
    }
    Ok(Some(Query { lexemes: parser.lexemes, tree }))
}

/// The lexemes of a query's text a match may hold, for marking them in excerpts: all but
/// those under a `!`, each once.
pub fn positive_lexemes(text: &str) -> Vec<String> {
    let mut lexemes = Vec::new();
    let mut rest = text;
    let (mut depth, mut negated_from, mut negate_next) = (0usize, None, false);
    while let Some(c) = rest.chars().next() {
        match c {
            '\'' => {
                let Some((lexeme, after)) = quoted(rest) else { break };
                if !negate_next && negated_from.is_none() && !lexemes.iter().any(|l| *l == lexeme) {
                    lexemes.push(lexeme.into_owned());
                }
                negate_next = false;
                rest = after;
                continue;
            }
            '!' => negate_next = true,
            '(' => {
                depth += 1;
                if negate_next && negated_from.is_none() {
                    negated_from = Some(depth);
                }
                negate_next = false;
            }
            ')' => {
                if negated_from == Some(depth) {
                    negated_from = None;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    lexemes
}

struct Parser<'a> {
    rest: &'a str,
    lexemes: Vec<String>,
}

impl Parser<'_> {
    /// `and ( '|' and )*`: `&` binds tighter, as PostgreSQL prints it.
    fn or(&mut self) -> Result<Node, ()> {
        let mut node = self.and()?;
        while self.eat("|") {
            node = Node::Or(Box::new(node), Box::new(self.and()?));
        }
        Ok(node)
    }

    fn and(&mut self) -> Result<Node, ()> {
        let mut node = self.operand()?;
        while self.eat("&") {
            node = Node::And(Box::new(node), Box::new(self.operand()?));
        }
        Ok(node)
    }

    fn operand(&mut self) -> Result<Node, ()> {
        if self.eat("(") {
            let node = self.or()?;
            return if self.eat(")") { Ok(node) } else { Err(()) };
        }
        let (lexeme, rest) = quoted(self.rest).ok_or(())?;
        // `'word':*` (prefix) or `'word':AB` (weights): not ranked here.
        if rest.starts_with(':') {
            return Err(());
        }
        self.rest = rest.trim_start();
        let term = match self.lexemes.iter().position(|l| *l == lexeme) {
            Some(term) => term,
            None => {
                self.lexemes.push(lexeme.into_owned());
                self.lexemes.len() - 1
            }
        };
        Ok(Node::Term(term))
    }

    fn eat(&mut self, token: &str) -> bool {
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest.trim_start();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(i: usize) -> Box<Node> {
        Box::new(Node::Term(i))
    }

    /// Every lexeme of a `tsvector`'s text with its positions, `None` if unreadable.
    fn tsvector(text: &str) -> Option<Vec<(String, Vec<Position>)>> {
        let tsvector = Tsvector::new(text.to_owned())?;
        let mut entries = Vec::new();
        tsvector.each_lexeme(|lexeme, positions| entries.push((lexeme.to_owned(), positions.to_vec())));
        Some(entries)
    }

    #[test]
    fn tsvector_text_reads_back_with_weights_and_escapes() {
        let entries = tsvector("'ab\\\\c''d':1,2A 'e':3C 'plain'").unwrap();
        assert_eq!(
            entries,
            vec![
                ("ab\\c'd".to_owned(), vec![1, 3 << 14 | 2]),
                ("e".to_owned(), vec![1 << 14 | 3]),
                ("plain".to_owned(), vec![]),
            ]
        );
        assert_eq!(tsvector("").unwrap(), vec![]);
        assert!(tsvector("'open").is_none());
        assert!(tsvector("'a':x").is_none());
        assert!(tsvector("'a':16384").is_none(), "positions stop at 16383");
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_group() {
        let q = tsquery("'a' | 'b' & 'c'").unwrap().unwrap();
        assert_eq!(q.lexemes, ["a", "b", "c"]);
        assert_eq!(q.tree, Node::Or(term(0), Box::new(Node::And(term(1), term(2)))));
        let q = tsquery("( 'a' | 'b' ) & 'a'").unwrap().unwrap();
        assert_eq!(q.lexemes, ["a", "b"]);
        assert_eq!(q.tree, Node::And(Box::new(Node::Or(term(0), term(1))), term(0)));
    }

    #[test]
    fn positive_lexemes_leave_out_what_is_negated() {
        let text = "'x' | 'y' & !'w' & 'p' <-> 'q' & !( 'a' <-> ( 'b' | 'c' ) ) & 'x' & 'd':*";
        assert_eq!(positive_lexemes(text), ["x", "y", "p", "q", "d"]);
        assert!(positive_lexemes("").is_empty());
    }

    #[test]
    fn phrases_negation_prefixes_go_to_postgresql_and_stop_words_match_nothing() {
        for text in ["'a' <-> 'b'", "'a' & !'b'", "'a':*", "'a':AB", "'a' <2> 'b'", "'a' &", "( 'a'"] {
            assert_eq!(tsquery(text), Err(()), "{text}");
        }
        assert_eq!(tsquery(""), Ok(None));
        assert_eq!(tsquery("'it''s'").unwrap().unwrap().lexemes, ["it's"]);
    }
}
