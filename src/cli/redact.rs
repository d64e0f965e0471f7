//! `geoproof redact`: a quick redacted copy of one still, for publication (a PNG with no
//! metadata at all), without making a case.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use geoproof::case::comparison::{RedactMethod, Redaction, Shape};

use super::output::Outcome;

#[derive(Debug, Args)]
pub struct RedactArgs {
    /// The still (JPEG, PNG, TIFF, WebP, HEIC…): its EXIF orientation is applied, so
    /// coordinates are those of the image as viewers show it.
    image: PathBuf,
    /// A rectangle to hide, X,Y,W,H in image pixels (repeatable).
    #[arg(long = "region", value_name = "X,Y,W,H", allow_hyphen_values = true)]
    regions: Vec<String>,
    /// An ellipse to hide, inside the box X,Y,W,H (repeatable).
    #[arg(long = "ellipse", value_name = "X,Y,W,H", allow_hyphen_values = true)]
    ellipses: Vec<String>,
    /// box (solid black), pixelate, or blur.
    #[arg(long, default_value = "pixelate")]
    method: String,
    /// The redacted PNG (written whole or not at all).
    #[arg(long, value_name = "OUT.png")]
    out: PathBuf,
    #[arg(long)]
    json: bool,
}

/// `X,Y,W,H` as four finite numbers.
fn parse_box(flag: &str, text: &str) -> Result<[f64; 4]> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let numbers: Vec<f64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if parts.len() != 4 || numbers.len() != 4 {
        bail!("--{flag} {text:?}: expected X,Y,W,H in pixels");
    }
    if numbers.iter().any(|v| !v.is_finite()) {
        bail!("--{flag} {text:?}: every value must be a finite number");
    }
    Ok([numbers[0], numbers[1], numbers[2], numbers[3]])
}

pub fn redact_command(args: RedactArgs) -> Result<Outcome> {
    if args.regions.is_empty() && args.ellipses.is_empty() {
        bail!("say what to hide: --region X,Y,W,H or --ellipse X,Y,W,H");
    }
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    if same(&args.image, &args.out) {
        bail!(
            "{}: --out is the image itself; the original is never overwritten",
            args.out.display()
        );
    }
    let mut shapes = Vec::new();
    for text in &args.regions {
        let [x, y, w, h] = parse_box("region", text)?;
        shapes.push(("region", text, Shape::Rectangle { x, y, w, h }));
    }
    for text in &args.ellipses {
        let [x, y, w, h] = parse_box("ellipse", text)?;
        let shape = Shape::Ellipse {
            cx: x + w / 2.0,
            cy: y + h / 2.0,
            rx: w / 2.0,
            ry: h / 2.0,
        };
        shapes.push(("ellipse", text, shape));
    }
    let Some(method) = RedactMethod::parse(&args.method) else {
        bail!(
            "--method {:?}: unknown method; use box, pixelate or blur",
            args.method
        );
    };
    let redaction = Redaction {
        method,
        brush_px: None,
    };
    let loaded = geoproof::evidence::load_oriented(&args.image, u32::MAX)?;
    for w in &loaded.warnings {
        eprintln!("warning: {}: {w}", args.image.display());
    }
    let (image, width, height) = (loaded.image, loaded.width, loaded.height);
    let mut pixels = image.into_rgb8();
    for (flag, text, shape) in &shapes {
        geoproof::export::redact::check_on_image(
            shape,
            &redaction,
            [f64::from(width), f64::from(height)],
        )
        .map_err(|e| anyhow::anyhow!("{}: --{flag} {text}: {e}", args.image.display()))?;
    }
    for (_, _, shape) in &shapes {
        geoproof::export::redact::apply(&mut pixels, shape, &redaction);
    }
    let png = geoproof::export::redact::encode_png(&pixels)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.out.display()))?;
    geoproof::case::store::write_atomic(&args.out, &png, false)?;
    if args.json {
        super::output::print_json(&serde_json::json!({
            "image": args.image,
            "out": args.out,
            "sha256": geoproof::evidence::sha256_hex(&png),
            "width": width,
            "height": height,
            "method": method.as_str(),
            "regions": shapes.len(),
            "warnings": loaded.warnings,
        }))?;
    } else {
        println!(
            "{}: {} region(s) hidden ({}), {width}×{height} px, no metadata",
            args.out.display(),
            shapes.len(),
            method.as_str()
        );
    }
    Ok(Outcome::Success)
}
