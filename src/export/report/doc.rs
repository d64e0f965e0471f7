//! The content of a methods report as blocks in reading order, and its HTML layout
//! (self-contained: the figure is a data URI). `super::pdf` lays out the same blocks.

use std::fmt::Write;

use base64::Engine;

/// A piece of running text.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    Bold(String),
    /// A hash, an id or a fingerprint.
    Code(String),
}

/// One block of the report, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Para(Vec<Span>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<Vec<Span>>>,
    },
    /// The figure PNG with its pixel size.
    Figure {
        png: Vec<u8>,
        width: u32,
        height: u32,
        alt: String,
    },
}

/// The content of a methods report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// Text made safe for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn spans_html(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(x) => esc(x),
            Span::Bold(x) => format!("<b>{}</b>", esc(x)),
            Span::Code(x) => format!("<code>{}</code>", esc(x)),
        })
        .collect()
}

impl Report {
    /// The report as a self-contained HTML document.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Methods report: {}</title>\
             <style>body{{font-family:sans-serif;max-width:60em;margin:auto}}\
             table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:2px 6px;vertical-align:top}}\
             img{{max-width:100%}}</style></head><body>\n",
            esc(&self.title)
        );
        for block in &self.blocks {
            match block {
                Block::Title(x) => {
                    let _ = writeln!(out, "<h1>{}</h1>", esc(x));
                }
                Block::Heading(x) => {
                    let _ = writeln!(out, "<h2>{}</h2>", esc(x));
                }
                Block::Subheading(x) => {
                    let _ = writeln!(out, "<h3>{}</h3>", esc(x));
                }
                Block::Para(spans) => {
                    let _ = writeln!(out, "<p>{}</p>", spans_html(spans));
                }
                Block::Table { head, rows } => {
                    out.push_str("<table><tr>");
                    for h in head {
                        let _ = write!(out, "<th>{}</th>", esc(h));
                    }
                    out.push_str("</tr>\n");
                    for r in rows {
                        out.push_str("<tr>");
                        for c in r {
                            let _ = write!(out, "<td>{}</td>", spans_html(c));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</table>\n");
                }
                Block::Figure { png, alt, .. } => {
                    let _ = writeln!(
                        out,
                        "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                        esc(alt),
                        base64::engine::general_purpose::STANDARD.encode(png)
                    );
                }
            }
        }
        out.push_str("</body></html>\n");
        out
    }
}
