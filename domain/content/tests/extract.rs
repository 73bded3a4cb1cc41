//! Extraction specifications: each format's text shape, page metering and readable errors.

use content::extract::{count_pages, extract, ExtractError, Extracted, CHARS_PER_PAGE, MAX_PDF_PAGES};
use domain::DocumentFormat::{self, Html, Markdown, Pdf, PlainText};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn text(format: DocumentFormat, source: &str) -> String {
    extract(format, source.as_bytes()).unwrap().text
}

#[test]
fn plain_text_is_normalised() {
    let source = "\u{FEFF}Title  \r\n\r\n\r\n\r\nline\u{7}one\t \rline \u{E000}two\u{E001}\n\n\n";
    assert_eq!(text(PlainText, source), "Title\n\nlineone\nline two");
}

#[test]
fn tabs_and_indentation_survive_normalisation() {
    assert_eq!(text(PlainText, "a\tb\n    indented\n"), "a\tb\n    indented");
}

#[test]
fn text_that_is_not_utf8_is_refused_not_replaced() {
    let error = extract(PlainText, b"caf\xE9 latin-1").unwrap_err();
    assert_eq!(error, ExtractError::NotUtf8);
    assert_eq!(error.to_string(), "the file is not valid UTF-8 text");
    assert_eq!(count_pages(Markdown, b"\xFF\xFE"), Err(ExtractError::NotUtf8));
}

#[test]
fn a_document_without_text_is_refused() {
    for (format, source) in [(PlainText, " \n\t\r\n"), (Markdown, "<!-- only a comment -->"), (Html, "<p> </p>")] {
        let error = extract(format, source.as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), "the document contains no text", "{format}");
    }
}

#[test]
fn text_pages_are_metered_per_3000_characters_of_extracted_text() {
    let page = |chars: usize| extract(PlainText, "x".repeat(chars).as_bytes()).unwrap().pages;
    assert_eq!(CHARS_PER_PAGE, 3_000);
    assert_eq!(page(1), 1);
    assert_eq!(page(3_000), 1);
    assert_eq!(page(3_001), 2);
    assert_eq!(page(9_001), 4);
    // Characters, not bytes: 3,000 two-byte characters are one page.
    assert_eq!(extract(PlainText, "é".repeat(3_000).as_bytes()).unwrap().pages, 1);
    // Markup is not metered: only the extracted text is.
    let html = format!("<p>{}</p>", "y".repeat(3_000));
    assert_eq!(extract(Html, html.as_bytes()).unwrap(), Extracted { text: "y".repeat(3_000), pages: 1 });
}

#[test]
fn markdown_keeps_what_a_reader_sees_and_marks_headings() {
    let expected = "# Getting started\n\n\
        Install the CLI with the installer and check the version.\n\n\
        ## Steps\n\n\
        - Download\n\
        - Run ctxi init\n  \
        - nested item\n\n\
        # not a heading\n\
        ctxi push docs/\n\n\
        Plan | Pages\n\
        Free | 100\n\
        Pro | 10000\n\n\
        Architecture diagram\n\n\
        Embedded HTML note & more.\n\n\
        Quoted text.\n\n\
        Last paragraph.";
    assert_eq!(extract(Markdown, &fixture("extract-sample.md")).unwrap().text, expected);
}

#[test]
fn markdown_heading_levels_and_setext_headings() {
    assert_eq!(text(Markdown, "Title\n=====\n\n### Deep *one*\ntext"), "# Title\n\n### Deep one\n\ntext");
}

#[test]
fn markdown_inline_html_keeps_its_text_and_line_breaks() {
    assert_eq!(text(Markdown, "one<br/>two <span class=\"x\">three</span>"), "one\ntwo three");
}

#[test]
fn html_drops_what_is_not_content_and_decodes_entities() {
    let expected = "Home · Docs\n\n\
        # Café & Bar\n\n\
        Prices are <10\u{A0}€ and spread over lines.\n\n\
        ## Menu of the day\n\n\
        - Soup\n\
        - Bread\n\n\
        Dish | Price\n\
        Tea | 3 €\n\n\
        Unclosed bold italic\n\n  \
        keep\n    this\n\n\
        Last line.";
    assert_eq!(extract(Html, &fixture("extract-sample.html")).unwrap().text, expected);
}

#[test]
fn html_title_is_used_only_when_the_body_has_no_text() {
    assert_eq!(text(Html, "<title>Only &amp; title</title><body><script>x()</script></body>"), "Only & title");
    assert_eq!(text(Html, "<title>Site</title><p>Body</p>"), "Body");
}

#[test]
fn html_tolerates_malformed_markup() {
    assert_eq!(text(Html, "<p>one<p>two<div>three</span></b>"), "one\n\ntwo\n\nthree");
    assert_eq!(text(Html, "<head><title>t</title><p>implied body"), "implied body");
    assert_eq!(text(Html, "a<b>b</b> c <i>d </i>e"), "ab c d e");
    assert_eq!(text(Html, "<p>x &#xE000;y&#0;z &bogus; &lt"), "x y\u{FFFD}z &bogus; <");
}

#[test]
fn pdf_text_comes_page_by_page() {
    let extracted = extract(Pdf, &fixture("extract-two-pages.pdf")).unwrap();
    assert_eq!(extracted.text, "Page one says hello.\nIt has a second line.\n\nPage two says goodbye.");
    assert_eq!(extracted.pages, 2);
    assert_eq!(count_pages(Pdf, &fixture("extract-two-pages.pdf")), Ok(2));
}

#[test]
fn a_pdf_with_only_an_owner_password_is_read() {
    let extracted = extract(Pdf, &fixture("extract-owner-only.pdf")).unwrap();
    assert_eq!(extracted.pages, 2);
    assert!(extracted.text.starts_with("Page one says hello."));
}

#[test]
fn an_encrypted_pdf_is_refused_with_a_readable_reason() {
    let bytes = fixture("extract-encrypted.pdf");
    assert_eq!(count_pages(Pdf, &bytes), Err(ExtractError::PdfEncrypted));
    let error = extract(Pdf, &bytes).unwrap_err();
    assert_eq!(error.to_string(), "the PDF is encrypted");
}

#[test]
fn a_damaged_or_fake_pdf_is_refused_without_panicking() {
    assert_eq!(extract(Pdf, &fixture("extract-corrupt.pdf")), Err(ExtractError::PdfMalformed));
    assert_eq!(count_pages(Pdf, b"hello, I am not a PDF"), Err(ExtractError::PdfMalformed));
    assert_eq!(extract(Pdf, b""), Err(ExtractError::PdfMalformed));
    assert_eq!(ExtractError::PdfMalformed.to_string(), "the file is not a readable PDF (it may be damaged)");
}

#[test]
fn a_pdf_over_the_page_limit_is_refused_before_it_is_read() {
    let bytes = minimal_pdf(MAX_PDF_PAGES + 1, 1, "");
    let error = count_pages(Pdf, &bytes).unwrap_err();
    assert_eq!(error, ExtractError::PdfTooManyPages { pages: 2_001, max: 2_000 });
    assert_eq!(error.to_string(), "the PDF has 2001 pages, more than the 2000 that can be read");
    assert_eq!(extract(Pdf, &bytes), Err(error));
}

#[test]
fn a_pdf_whose_page_tree_contradicts_its_count_is_refused() {
    let bytes = minimal_pdf(3, 1, "BT /F1 12 Tf 72 700 Td (Hi) Tj ET");
    assert_eq!(count_pages(Pdf, &bytes), Ok(3));
    assert_eq!(extract(Pdf, &bytes), Err(ExtractError::PdfMalformed));
}

#[test]
fn a_pdf_without_text_is_probably_a_scan() {
    let bytes = minimal_pdf(1, 1, "0 0 1 rg 10 10 100 100 re f");
    let error = extract(Pdf, &bytes).unwrap_err();
    assert_eq!(error.to_string(), "the PDF has no extractable text (is it a scan?)");
}

#[test]
fn pdf_lines_placed_by_td_and_words_by_tj_spacing_are_separated() {
    let content = "BT /F1 12 Tf 72 700 Td (First) Tj 0 -14 Td [(sec) 10 (ond) -300 (line)] TJ \
                   0 -40 Td (New) Tj 30 0 Td (paragraph) Tj ET";
    assert_eq!(text_of(&minimal_pdf(1, 1, content)), "First\nsecond line\n\nNew paragraph");
}

#[test]
fn count_pages_agrees_with_extract() {
    let cases: [(DocumentFormat, Vec<u8>); 6] = [
        (PlainText, "z".repeat(6_001).into_bytes()),
        (Markdown, fixture("extract-sample.md")),
        (Html, fixture("extract-sample.html")),
        (Html, format!("<p>{}</p>", "w ".repeat(4_000)).into_bytes()),
        (Pdf, fixture("extract-two-pages.pdf")),
        (Pdf, fixture("extract-owner-only.pdf")),
    ];
    for (format, bytes) in cases {
        assert_eq!(count_pages(format, &bytes), Ok(extract(format, &bytes).unwrap().pages), "{format}");
    }
}

#[test]
fn every_error_reads_as_a_sentence_for_the_end_user() {
    let errors = [
        ExtractError::NotUtf8,
        ExtractError::NoText,
        ExtractError::PdfEncrypted,
        ExtractError::PdfMalformed,
        ExtractError::PdfNoPages,
        ExtractError::PdfTooManyPages { pages: 5_000, max: 2_000 },
        ExtractError::PdfNoText,
    ];
    for error in errors {
        let message = error.to_string();
        assert!(message.starts_with("the "), "{message}");
        assert!(!message.contains("lopdf") && !message.ends_with('.'), "{message}");
    }
}

fn text_of(bytes: &[u8]) -> String {
    extract(Pdf, bytes).unwrap().text
}

/// A PDF whose page tree declares `declared` pages but holds `actual` pages, each drawing
/// `content` with Helvetica as /F1.
fn minimal_pdf(declared: u32, actual: u32, content: &str) -> Vec<u8> {
    let kids: Vec<String> = (0..actual).map(|page| format!("{} 0 R", 5 + page)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!("<< /Type /Pages /Count {declared} /Kids [{}] >>", kids.join(" ")),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
    ];
    for _ in 0..actual {
        objects.push(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 3 0 R >> >> >>"
                .to_owned(),
        );
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", index + 1).into_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    let trailer = format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    pdf.extend(trailer.into_bytes());
    pdf
}
