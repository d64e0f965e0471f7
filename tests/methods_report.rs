//! The methods report as PDF (#34 item 5), checked with poppler's reference readers:
//! `pdftotext` finds every SHA-256 and every number of the HTML report, `pdffonts` shows
//! every font embedded, and `pdfimages` gives back the figure with the redacted pixels
//! exactly as the HTML's figure has them. The HTML report, printed by headless Chromium
//! with every host unresolvable, shows its figure and every hash. Uses the demo case's
//! findings.
#![allow(clippy::unwrap_used)]

mod util;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use base64::Engine;
use util::{demo_copy, geoproof};

/// A poppler tool's stdout; these tests need poppler-utils (see .ci/run).
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed: {e}"));
    assert!(out.status.success(), "{tool}: {:?}", out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes both reports of `finding` in one run (one report, two layouts).
fn reports(root: &Path, finding: &str, dir: &Path) -> (String, std::path::PathBuf) {
    let (html, pdf) = (
        dir.join(format!("{finding}.html")),
        dir.join(format!("{finding}.pdf")),
    );
    let run = geoproof([
        "report".as_ref(),
        root.as_os_str(),
        finding.as_ref(),
        "--html".as_ref(),
        html.as_os_str(),
        "--pdf".as_ref(),
        pdf.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(
        run.json()["pdf_sha256"],
        geoproof::evidence::sha256_hex(&bytes)
    );
    (std::fs::read_to_string(html).unwrap(), pdf)
}

/// The visible text of the HTML report (tags and the figure's data URI dropped).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let body = html.split_once("<body>").map_or(html, |(_, b)| b);
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// SHA-256s and numbers (digits with an optional sign and decimals) in `text`.
fn hashes_and_numbers(text: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(r"[0-9a-f]{64}|-?[0-9]+(?:\.[0-9]+)?").unwrap();
    re.find_iter(text).map(|m| m.as_str().to_owned()).collect()
}

#[test]
fn the_pdf_has_every_hash_and_number_of_the_html_report_as_searchable_text() {
    let (dir, root) = demo_copy();
    let mut checked = 0;
    for finding in [
        "F-demo-itaipu-georef",
        "F-demo-launch-pad",
        "F-demo-bryansk-arrest",
        "F-demo-shadow-when",
        "F-demo-skyline-synthetic",
    ] {
        let (html, pdf) = reports(&root, finding, dir.path());
        let text = poppler("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
        // Line breaks and the spaces pdftotext puts between runs aside.
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let wanted = hashes_and_numbers(&visible_text(&html));
        assert!(wanted.iter().any(|w| w.len() == 64), "{finding}: no hash");
        for w in &wanted {
            assert!(
                flat.contains(w.as_str()),
                "{finding}: {w} not in the PDF text"
            );
        }
        checked += wanted.len();
        let fonts = poppler("pdffonts", &[pdf.as_os_str()]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            // name type encoding emb sub uni object ID
            let cols: Vec<&str> = row.split_whitespace().collect();
            let emb = cols[cols.len() - 5];
            assert_eq!(emb, "yes", "font not embedded: {row}");
        }
    }
    assert!(checked > 40, "{checked} values checked");
}

/// The PNG embedded in the HTML report, decoded.
fn html_figure(html: &str) -> image::RgbImage {
    let start = html.find("data:image/png;base64,").unwrap() + "data:image/png;base64,".len();
    let end = start + html[start..].find('"').unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(&html[start..end])
        .unwrap();
    image::load_from_memory(&png).unwrap().to_rgb8()
}

#[test]
fn the_pdf_figure_is_the_redacted_figure_of_the_html_pixel_for_pixel() {
    let (dir, root) = demo_copy();
    let (html, pdf) = reports(&root, "F-demo-composite-redacted", dir.path());
    let want = html_figure(&html);
    let out = dir.path().join("img");
    poppler(
        "pdfimages",
        &["-png".as_ref(), pdf.as_os_str(), out.as_os_str()],
    );
    let mut got: Vec<image::RgbImage> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.to_owned();
            (name.starts_with("img-") && name.ends_with(".png"))
                .then(|| image::open(&p).unwrap().to_rgb8())
        })
        .filter(|i| i.dimensions() == want.dimensions())
        .collect();
    assert_eq!(got.len(), 1, "one figure of {:?}", want.dimensions());
    let got = got.remove(0);
    assert!(got.pixels().eq(want.pixels()), "the PDF figure differs");
}

#[test]
fn the_html_report_loads_nothing_from_the_network() {
    let (dir, root) = demo_copy();
    for finding in ["F-demo-composite-redacted", "F-demo-itaipu-georef"] {
        let (html, _) = reports(&root, finding, dir.path());
        for attr in ["src=", "href=", "url(", "@import", "srcset="] {
            for (at, _) in html.match_indices(attr) {
                let target = html[at + attr.len()..].trim_start_matches(['"', '\'']);
                assert!(
                    target.starts_with("data:"),
                    "{finding}: {attr}{}",
                    &target[..40.min(target.len())]
                );
            }
        }
        assert!(!html.contains("<script"), "{finding}: a script");
        assert!(!html.contains("<link"), "{finding}: a linked resource");
    }
}

/// Chromium, headless, prints `html` to `pdf` with every host unresolvable and a dead
/// proxy: what it shows comes from the file alone.
fn chromium_print(html: &Path, pdf: &Path, profile: &Path) {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap_or_else(|e| panic!("chromium is needed (see .ci/run): {e}"));
    assert!(
        out.status.success() && pdf.is_file(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_html_report_renders_offline_in_a_browser_with_its_figure_and_every_hash() {
    let (dir, root) = demo_copy();
    let finding = "F-demo-composite-redacted";
    let (html, _) = reports(&root, finding, dir.path());
    let printed = dir.path().join("printed.pdf");
    chromium_print(
        &dir.path().join(format!("{finding}.html")),
        &printed,
        &dir.path().join("chromium-profile"),
    );
    // The text a reader sees: every hash and number of the report.
    let text = poppler("pdftotext", &[printed.as_os_str(), "-".as_ref()]);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let wanted = hashes_and_numbers(&visible_text(&html));
    assert!(wanted.iter().any(|w| w.len() == 64), "no hash");
    for w in &wanted {
        assert!(
            flat.contains(w.as_str()),
            "{w} not in what the browser shows"
        );
    }
    // The figure was drawn from the embedded image (nothing else could be reached).
    let want = html_figure(&html);
    let out = dir.path().join("shown");
    poppler(
        "pdfimages",
        &["-png".as_ref(), printed.as_os_str(), out.as_os_str()],
    );
    let shown: Vec<image::RgbImage> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.to_owned();
            (name.starts_with("shown-") && name.ends_with(".png"))
                .then(|| image::open(&p).unwrap().to_rgb8())
        })
        .collect();
    assert!(
        shown.iter().any(|i| i.dimensions() == want.dimensions()),
        "the figure ({:?}) is not among the images the browser drew: {:?}",
        want.dimensions(),
        shown
            .iter()
            .map(image::RgbImage::dimensions)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_report_needs_somewhere_to_go() {
    let (_dir, root) = demo_copy();
    let run = geoproof([
        "report".as_ref(),
        root.as_os_str(),
        "F-demo-launch-pad".as_ref(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("--html") && run.stderr.contains("--pdf"),
        "{}",
        run.stderr
    );
}
