//! Writes a figure as SVG: source images embedded as PNG under their transforms,
//! annotations as vector shapes, text as glyph outlines (so it needs no installed font).

use std::fmt::Write as _;

use base64::Engine as _;

use super::error::RenderError;
use super::model::{Figure, Item};
use super::text::PathCmd;

fn color(c: [u8; 4]) -> String {
    if c[3] == 255 {
        format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
    } else {
        format!(
            "rgba({},{},{},{:.3})",
            c[0],
            c[1],
            c[2],
            f64::from(c[3]) / 255.0
        )
    }
}

fn points(pts: &[[f64; 2]]) -> String {
    pts.iter()
        .map(|p| format!("{:.2},{:.2}", p[0], p[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

fn path_data(commands: &[PathCmd]) -> String {
    let mut d = String::new();
    for c in commands {
        let _ = match *c {
            PathCmd::MoveTo(p) => write!(d, "M{:.2} {:.2}", p[0], p[1]),
            PathCmd::LineTo(p) => write!(d, "L{:.2} {:.2}", p[0], p[1]),
            PathCmd::QuadTo(a, b) => write!(d, "Q{:.2} {:.2} {:.2} {:.2}", a[0], a[1], b[0], b[1]),
            PathCmd::CubicTo(a, b, e) => write!(
                d,
                "C{:.2} {:.2} {:.2} {:.2} {:.2} {:.2}",
                a[0], a[1], b[0], b[1], e[0], e[1]
            ),
            PathCmd::Close => write!(d, "Z"),
        };
    }
    d
}

pub fn write(figure: &Figure) -> Result<String, RenderError> {
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#,
        w = figure.width,
        h = figure.height
    );
    // Each source once, referenced by every panel and inset that shows it.
    let _ = writeln!(s, "<defs>");
    for (i, src) in figure.sources.iter().enumerate() {
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(src.pixels.clone())
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|source| RenderError::Embed {
                name: src.name.clone(),
                source,
            })?;
        let _ = writeln!(
            s,
            r#"<image id="src{i}" width="{}" height="{}" xlink:href="data:image/png;base64,{}"/>"#,
            src.pixels.width(),
            src.pixels.height(),
            base64::engine::general_purpose::STANDARD.encode(&png)
        );
    }
    let _ = writeln!(s, "</defs>");
    let mut clip_id = 0;
    for item in &figure.items {
        let _ = match item {
            Item::BeginClip(r) => {
                clip_id += 1;
                writeln!(
                    s,
                    r#"<clipPath id="clip{clip_id}"><rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}"/></clipPath><g clip-path="url(#clip{clip_id})">"#,
                    r[0],
                    r[1],
                    r[2] - r[0],
                    r[3] - r[1]
                )
            }
            Item::EndClip => writeln!(s, "</g>"),
            Item::Image {
                source,
                transform: t,
                ..
            } => writeln!(
                s,
                r##"<use xlink:href="#src{source}" transform="matrix({:.6} {:.6} {:.6} {:.6} {:.3} {:.3})"/>"##,
                t[0], t[1], t[2], t[3], t[4], t[5]
            ),
            Item::Stroke {
                points: p,
                closed,
                color: c,
                width,
            } => writeln!(
                s,
                r#"<{tag} points="{}" fill="none" stroke="{}" stroke-width="{:.2}" stroke-linejoin="round" stroke-linecap="round"/>"#,
                points(p),
                color(*c),
                width,
                tag = if *closed { "polygon" } else { "polyline" }
            ),
            Item::Fill {
                points: p,
                color: c,
            } => {
                writeln!(
                    s,
                    r#"<polygon points="{}" fill="{}"/>"#,
                    points(p),
                    color(*c)
                )
            }
            Item::Circle {
                center,
                radius,
                fill,
                outline,
            } => {
                let stroke = outline.map_or(String::new(), |(c, w)| {
                    format!(r#" stroke="{}" stroke-width="{w:.2}""#, color(c))
                });
                writeln!(
                    s,
                    r#"<circle cx="{:.2}" cy="{:.2}" r="{:.2}" fill="{}"{stroke}/>"#,
                    center[0],
                    center[1],
                    radius,
                    color(*fill)
                )
            }
            Item::Path { commands, color: c } => {
                if commands.is_empty() {
                    Ok(())
                } else {
                    writeln!(
                        s,
                        r#"<path d="{}" fill="{}"/>"#,
                        path_data(commands),
                        color(*c)
                    )
                }
            }
        };
    }
    s.push_str("</svg>\n");
    Ok(s)
}
