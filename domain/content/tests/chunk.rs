//! Chunking specifications: bounded, heading-aware, overlapping, deterministic.

use content::chunk::{chunk, ChunkOptions};

fn options(max_chars: usize, overlap_chars: usize) -> ChunkOptions {
    ChunkOptions { max_chars, overlap_chars }
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// `count` numbered sentences of about 40 characters.
fn sentences(count: usize) -> String {
    (1..=count).map(|n| format!("Sentence number {n} says something useful.")).collect::<Vec<_>>().join(" ")
}

#[test]
fn defaults_are_1500_characters_with_200_of_overlap() {
    assert_eq!(ChunkOptions::default(), options(1_500, 200));
}

#[test]
fn a_text_shorter_than_the_maximum_is_one_chunk() {
    assert_eq!(
        chunk("  Hello world.\n\nSecond paragraph.  ", &ChunkOptions::default()),
        ["Hello world.\n\nSecond paragraph."]
    );
}

#[test]
fn blank_text_gives_no_chunks() {
    assert!(chunk(" \n\n\t ", &ChunkOptions::default()).is_empty());
    assert!(chunk("", &ChunkOptions::default()).is_empty());
    assert!(chunk("text", &options(0, 0)).is_empty());
}

#[test]
fn each_heading_starts_a_new_chunk() {
    let text = "Preamble.\n\n# One\n\nAlpha.\n\n## Two\n\nBeta.\n\n## Empty\n\n# Three\ngamma";
    assert_eq!(
        chunk(text, &ChunkOptions::default()),
        ["Preamble.", "# One\n\nAlpha.", "## Two\n\nBeta.", "## Empty", "# Three\n\ngamma"]
    );
}

#[test]
fn lines_that_only_look_like_headings_do_not_split() {
    let text = "#hashtag is not a heading\n####### seven is not either\n#  \nend";
    assert_eq!(chunk(text, &ChunkOptions::default()), [text]);
}

#[test]
fn every_chunk_of_a_split_section_repeats_its_heading() {
    let text = format!("## Billing\n\n{}\n\n# Next\n\nShort.", sentences(30));
    let chunks = chunk(&text, &options(300, 60));
    assert!(chunks.len() > 3, "{chunks:#?}");
    let (last, billing) = chunks.split_last().unwrap();
    assert_eq!(last, "# Next\n\nShort.");
    for piece in billing {
        assert!(piece.starts_with("## Billing\n\n"), "{piece}");
        assert!(chars(piece) <= 300);
    }
}

#[test]
fn consecutive_chunks_overlap_by_whole_sentences() {
    let chunks = chunk(&sentences(40), &options(400, 100));
    assert!(chunks.len() > 3);
    for pair in chunks.windows(2) {
        let first_sentence = pair[1].split_inclusive(". ").next().unwrap().trim();
        assert!(first_sentence.starts_with("Sentence number ") && first_sentence.ends_with('.'), "{}", pair[1]);
        assert!(pair[0].ends_with(first_sentence) || pair[0].contains(&format!("{first_sentence} ")), "{pair:#?}");
        let shared = pair[0].len() - pair[0].find(first_sentence).unwrap();
        assert!((30..=100).contains(&shared), "overlap of {shared}: {pair:#?}");
    }
}

#[test]
fn no_overlap_when_asked_for_none() {
    let text = sentences(40);
    let chunks = chunk(&text, &options(400, 0));
    assert_eq!(chunks.join(" "), text);
}

#[test]
fn cuts_prefer_paragraphs_then_sentences() {
    let paragraph = |n: usize| format!("Paragraph {n} has one sentence. And it has another one too.");
    let text = (1..=6).map(paragraph).collect::<Vec<_>>().join("\n\n");
    let chunks = chunk(&text, &options(130, 0));
    assert_eq!(chunks[0], format!("{}\n\n{}", paragraph(1), paragraph(2)));
    let unbroken = "Paragraph 1 has one sentence. And it has another one too. Paragraph 2 has one sentence. And it has another one too.";
    let chunks = chunk(unbroken, &options(100, 0));
    assert_eq!(
        chunks,
        [
            "Paragraph 1 has one sentence. And it has another one too. Paragraph 2 has one sentence.",
            "And it has another one too."
        ]
    );
}

#[test]
fn a_word_longer_than_the_maximum_is_cut_as_a_last_resort() {
    let word = "ü".repeat(250);
    let chunks = chunk(&format!("tiny {word} end"), &options(100, 20));
    assert!(chunks.iter().all(|piece| chars(piece) <= 100), "{chunks:#?}");
    assert_eq!(chunks.concat().replace(' ', "").matches('ü').count(), 250);
    assert!(chunks.last().unwrap().ends_with("end"));
}

#[test]
fn chunks_are_bounded_trimmed_non_empty_and_deterministic_for_any_text() {
    let mut generator = Generator(0x5EED);
    let settings = [(1, 0), (2, 1), (7, 3), (20, 200), (64, 16), (150, 40), (400, 100), (1_500, 200)];
    for _ in 0..300 {
        let text = generator.text();
        for (max_chars, overlap_chars) in settings {
            let chunks = chunk(&text, &options(max_chars, overlap_chars));
            for piece in &chunks {
                assert!(chars(piece) <= max_chars, "{} > {max_chars}: {piece:?}", chars(piece));
                assert!(!piece.trim().is_empty() && piece.trim() == piece, "{piece:?}");
            }
            assert_eq!(chunks, chunk(&text, &options(max_chars, overlap_chars)));
            if max_chars >= 64 {
                for word in text.split_whitespace().filter(|word| chars(word) <= 12) {
                    assert!(chunks.iter().any(|piece| piece.contains(word)), "lost {word:?} at {max_chars}");
                }
            }
        }
    }
}

#[test]
fn a_thousand_pages_are_chunked_whole_and_within_bounds() {
    // Also a guard against quadratic scans: this runs in well under a second, in minutes if one
    // crept in (speed itself is measured by `ctxi bench ingest`, not asserted here).
    let text = (0..500).map(|n| format!("# Part {n}\n\n{}\n\n", sentences(150))).collect::<String>();
    let chunks = chunk(&text, &ChunkOptions::default());
    assert!(chunks.len() > 2_000);
    assert!(chunks.iter().all(|c| c.chars().count() <= ChunkOptions::default().max_chars));
}

/// A tiny deterministic generator of text with varied shape: headings, paragraphs, lines,
/// sentences, long words, multi-byte characters and stray whitespace.
struct Generator(u64);

impl Generator {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }

    fn text(&mut self) -> String {
        const WORDS: [&str; 12] = [
            "alpha",
            "beta",
            "gamma",
            "δέλτα",
            "日本語",
            "e\u{301}",
            "x",
            "longer-word",
            "🦀crab",
            "tab\there",
            "end.",
            "why?",
        ];
        let mut text = String::new();
        for _ in 0..self.next(200) {
            match self.next(20) {
                0 => text.push_str(&format!("\n\n{} Heading {}\n\n", "#".repeat(1 + self.next(6)), self.next(99))),
                1 | 2 => text.push_str("\n\n"),
                3 => text.push('\n'),
                4 => text.push_str(". "),
                5 => text.push_str(&"w".repeat(self.next(400))),
                6 => text.push_str("   \t "),
                _ => {
                    text.push_str(WORDS[self.next(WORDS.len())]);
                    text.push(' ');
                }
            }
        }
        text
    }
}
