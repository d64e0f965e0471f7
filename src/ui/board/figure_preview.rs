//! The figure dialog's state: its options as typed, and the preview rendered in the
//! background with the exporter's own code.

use std::path::PathBuf;

use crate::case::{Case, Finding};
use crate::export::figure::{self, FigureOptions, Typesetter};
use crate::ui::jobs::{Job, Jobs};

/// Width of the preview raster, pixels.
pub(super) const PREVIEW_WIDTH: u32 = 900;
/// A change waits this long for the next one before the preview renders again (typing a
/// caption does not start a render per letter).
const DEBOUNCE_SECONDS: f64 = 0.35;

/// What a preview shows: the options and the finding as it is on the board.
type PreviewKey = (FigureOptions, Finding);

pub struct FigureDialog {
    pub options: FigureOptions,
    /// Credits as typed, one per line.
    pub credits: String,
    pub caption: String,
    /// Panels per row as typed (`3,2`); empty: automatic.
    pub layout: String,
    pub preview: Option<egui::TextureHandle>,
    pub error: Option<String>,
    /// The render in progress, and what it renders.
    job: Option<(PreviewKey, Job<Result<image::RgbaImage, String>>)>,
    /// What the shown preview (or error) was rendered for.
    shown: Option<PreviewKey>,
    /// The inputs seen last frame and when they last changed.
    latest: Option<(PreviewKey, f64)>,
}

impl FigureDialog {
    pub fn new() -> FigureDialog {
        FigureDialog {
            options: FigureOptions::default(),
            credits: String::new(),
            caption: String::new(),
            layout: String::new(),
            preview: None,
            error: None,
            job: None,
            shown: None,
            latest: None,
        }
    }

    /// Whether the preview on screen shows the current options and finding.
    pub fn preview_is_current(&self) -> bool {
        self.shown.is_some() && self.shown.as_ref() == self.latest.as_ref().map(|(k, _)| k)
    }

    /// Collects a finished render, and starts one when the inputs changed and have been
    /// still for a moment (at once when nothing was rendered yet).
    pub(super) fn update_preview(
        &mut self,
        ctx: &egui::Context,
        root: &std::path::Path,
        key: PreviewKey,
    ) {
        let now = ctx.input(|i| i.time);
        match &self.latest {
            Some((k, _)) if *k == key => {}
            _ => self.latest = Some((key.clone(), now)),
        }
        if let Some((rendered, job)) = &mut self.job {
            let Some(result) = job.take_flat() else {
                return;
            };
            match result {
                Ok(rgba) => {
                    let image = egui::ColorImage::from_rgba_unmultiplied(
                        [rgba.width() as usize, rgba.height() as usize],
                        rgba.as_raw(),
                    );
                    self.preview = Some(ctx.load_texture(
                        "figure-preview",
                        image,
                        egui::TextureOptions::LINEAR,
                    ));
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
            self.shown = Some(rendered.clone());
            self.job = None;
        }
        if self.shown.as_ref() == Some(&key) {
            return;
        }
        let changed_at = self.latest.as_ref().map_or(now, |(_, t)| *t);
        let waited = now - changed_at;
        if self.shown.is_some() && waited < DEBOUNCE_SECONDS {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                DEBOUNCE_SECONDS - waited,
            ));
            return;
        }
        self.job = Some((key.clone(), start_render(ctx, root.to_owned(), key)));
    }

    pub(super) fn options(&self) -> FigureOptions {
        FigureOptions {
            layout: parse_layout(&self.layout).unwrap_or_default(),
            credits: self
                .credits
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            description: Some(self.caption.trim().to_owned()).filter(|c| !c.is_empty()),
            ..self.options.clone()
        }
    }
}

/// `3,2` → three panels in the first row, two in the second; empty → automatic.
pub fn parse_layout(text: &str) -> Result<Vec<usize>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|n| match n.trim().parse::<usize>() {
            Ok(v) if v > 0 => Ok(v),
            _ => Err(format!(
                "panels per row {text:?}: give counts like 3,2 (each at least 1)"
            )),
        })
        .collect()
}

impl Default for FigureDialog {
    fn default() -> FigureDialog {
        FigureDialog::new()
    }
}

/// Renders a preview as a job with the exporter's own code. The worker reads the case
/// from disk (every change is saved at once) and gets the board's finding by value.
fn start_render(
    ctx: &egui::Context,
    root: PathBuf,
    (options, finding): PreviewKey,
) -> Job<Result<image::RgbaImage, String>> {
    Jobs::of(ctx).spawn(Some(ctx), "the figure preview", move |_| {
        let case = Case::open_read_only(&root).map_err(|e| e.to_string())?;
        let mut ts = Typesetter::new().map_err(|e| e.to_string())?;
        let fig = figure::build(&case, &finding, &options, &mut ts).map_err(|e| e.to_string())?;
        figure::pixels(&fig).map_err(|e| e.to_string())
    })
}
