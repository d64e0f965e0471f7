//! Dates in the "Your imagery" menu: each layer's recorded date (kind and source said,
//! release and processing dates marked as not capture dates), editing it (one `Edit`
//! per change), sorting the layers by date, and the comparison of two dated layers
//! (swipe, blink) with its before/after figure.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::command::MapViewExtent;
use super::date_compare::{CompareMode, DateCompare};
use super::theme;
use crate::case::Case;
use crate::imagery::ImageryLayerRef;
use crate::imagery::dates::{self, DateKind, FoundDate, LayerDate};

/// The date being typed for a layer (kept in egui's memory while its editor is open).
#[derive(Clone, Default)]
struct Draft {
    text: String,
    kind: Option<DateKind>,
    error: Option<String>,
}

/// The layer's date line and, when opened, its editor. Returns the layers as they
/// should become when the analyst changed the date.
pub fn date_ui(
    ui: &mut Ui,
    current: &[ImageryLayerRef],
    i: usize,
    found: &[FoundDate],
) -> Option<Vec<ImageryLayerRef>> {
    let layer = &current[i];
    let id = ui.scope_id().with(("layer date", &layer.path));
    let mut changed = None;
    ui.horizontal(|ui| {
        let text = dates::caption(layer.date.as_ref());
        let color = match layer.date.as_ref().map(|d| d.kind) {
            Some(DateKind::Capture) => theme::ATTRIBUTION,
            Some(_) | None => theme::WARNING,
        };
        ui.label(RichText::new(format!("Date: {text}")).small().color(color));
        let open = ui.data(|d| d.get_temp::<Draft>(id).is_some());
        if !open && ui.small_button("Edit date…").clicked() {
            let draft = Draft {
                text: layer
                    .date
                    .as_ref()
                    .map(|d| d.date.clone())
                    .unwrap_or_default(),
                kind: Some(layer.date.as_ref().map_or(DateKind::Capture, |d| d.kind)),
                error: None,
            };
            ui.data_mut(|d| d.insert_temp(id, draft));
        }
    });
    let mut draft = ui.data(|d| d.get_temp::<Draft>(id))?;
    let mut close = false;
    let mut set = |date: Option<LayerDate>| {
        let mut next = current.to_vec();
        next[i].date = date;
        changed = Some(next);
    };
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut draft.text)
                .hint_text("YYYY-MM-DD")
                .desired_width(150.0),
        );
        let mut kind = draft.kind.unwrap_or(DateKind::Capture);
        for k in DateKind::ALL {
            let name = match k {
                DateKind::Capture => "capture",
                DateKind::Processing => "processing",
                DateKind::Release => "release",
            };
            ui.radio_value(&mut kind, k, name).on_hover_text(k.label());
        }
        draft.kind = Some(kind);
        if ui.button("Save as entered").clicked() {
            match LayerDate::entered(&draft.text, kind) {
                Ok(date) => {
                    set(Some(date));
                    close = true;
                }
                Err(e) => draft.error = Some(e.to_string()),
            }
        }
        if ui.button("Unknown").clicked() {
            set(None);
            close = true;
        }
        if ui.button("Cancel").clicked() {
            close = true;
        }
    });
    for f in found.iter().take(4) {
        let label = format!("Use the file's: {}", f.recorded().caption());
        if ui.small_button(label).clicked() {
            set(Some(f.recorded()));
            close = true;
        }
    }
    if let Some(e) = &draft.error {
        ui.label(RichText::new(e).color(theme::ERROR));
    }
    ui.data_mut(|d| {
        if close {
            d.remove::<Draft>(id);
        } else {
            d.insert_temp(id, draft);
        }
    });
    changed
}

/// "Sort by date": oldest at the bottom, undated last; `None` when already in order.
pub fn sort_ui(ui: &mut Ui, current: &[ImageryLayerRef]) -> Option<Vec<ImageryLayerRef>> {
    let mut sorted = current.to_vec();
    crate::imagery::sort_by_date(&mut sorted);
    let in_order = sorted == current;
    let response = ui
        .add_enabled(!in_order, egui::Button::new("Sort by date"))
        .on_hover_text("Oldest drawn at the bottom, newest on top; undated layers last");
    (response.clicked() && !in_order).then_some(sorted)
}

/// What the comparison controls need from the map besides the case: its view last
/// frame (for the figure) and which layer files opened.
pub struct MapNow<'a> {
    pub view: Option<&'a MapViewExtent>,
    pub center: Option<crate::spatial::LatLon>,
    pub zoom: f64,
    pub opened: &'a dyn Fn(&std::path::Path) -> bool,
}

/// Choosing layers A and B, swipe or blink, and the before/after figure.
pub fn compare_ui(ui: &mut Ui, case: &Case, compare: &mut DateCompare, map: &MapNow) {
    let choices: Vec<(PathBuf, String)> = case
        .meta()
        .imagery_layers
        .iter()
        .map(|l| {
            let path = case.imagery_path(l);
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let text = format!("{name} — {}", dates::caption(l.date.as_ref()));
            (path, text)
        })
        .collect();
    if choices.len() < 2 {
        return;
    }
    ui.label(RichText::new("Compare two dates").strong());
    // Buttons, not combo boxes: a combo's popup would close the menu around it.
    for (path, text) in &choices {
        ui.horizontal(|ui| {
            let mut pick = |slot: &mut Option<PathBuf>, tag: &str, hover: &str| {
                let on = slot.as_ref() == Some(path);
                if ui.selectable_label(on, tag).on_hover_text(hover).clicked() {
                    *slot = if on { None } else { Some(path.clone()) };
                }
            };
            pick(&mut compare.a, "A", "Layer A: left of the swipe divider");
            pick(&mut compare.b, "B", "Layer B: right of the swipe divider");
            ui.label(RichText::new(text).small());
        });
    }
    ui.horizontal(|ui| {
        ui.radio_value(&mut compare.mode, CompareMode::Off, "Off");
        ui.radio_value(&mut compare.mode, CompareMode::Swipe, "Swipe");
        ui.radio_value(&mut compare.mode, CompareMode::Blink, "Blink");
    });
    if compare.mode == CompareMode::Blink {
        ui.horizontal(|ui| {
            ui.checkbox(&mut compare.auto, "On its own every");
            ui.add(
                egui::Slider::new(&mut compare.interval_s, 0.2..=5.0)
                    .suffix(" s")
                    .logarithmic(true),
            );
        });
        ui.label(RichText::new("Key B flips between A and B by hand.").small());
    }
    if compare.mode != CompareMode::Off && compare.active().is_none() {
        ui.label(RichText::new("Choose two different layers.").color(theme::WARNING));
    }
    if let Some((a, b)) = compare.active()
        && !((map.opened)(a) && (map.opened)(b))
    {
        ui.label(RichText::new("A layer could not be opened.").color(theme::ERROR));
    }
    export_ui(ui, case, compare, map);
}

/// The before/after figure of A and B at the map's current view: rendered on a worker,
/// saved where the analyst says (PNG or SVG, with a manifest).
fn export_ui(ui: &mut Ui, case: &Case, compare: &mut DateCompare, map: &MapNow) {
    let busy = compare.export_job.is_some();
    if let Some(job) = &mut compare.export_job
        && let Some(result) = job.take_flat()
    {
        compare.export_note = Some(result.unwrap_or_else(|e| e));
        compare.export_job = None;
    }
    let ready = compare.active().is_some() && map.view.is_some();
    if ui
        .add_enabled(ready && !busy, egui::Button::new("Before/after figure…"))
        .on_hover_text("A and B at this view side by side, each captioned with its date")
        .clicked()
        && let Some(request) = figure_request(case, compare, map)
        && let Some(out) = rfd::FileDialog::new()
            .add_filter("PNG", &["png"])
            .add_filter("SVG", &["svg"])
            .set_file_name("before-after.png")
            .save_file()
    {
        let ctx = ui.ctx().clone();
        compare.export_job = Some(super::jobs::Jobs::of(&ctx).spawn(
            Some(&ctx),
            "before/after figure",
            move |_| write_figure(request, &out),
        ));
    }
    if busy {
        ui.label(RichText::new("Making the figure…").small());
    }
    if let Some(note) = &compare.export_note {
        ui.label(RichText::new(note).small());
    }
}

/// What the figure needs from the case and the map: both files with their dates, the view.
pub struct FigureRequest {
    pub title: String,
    pub view: crate::imagery::view::MapView,
    pub files: [crate::export::figure::before_after::DatedFile; 2],
}

fn figure_request(case: &Case, compare: &DateCompare, map: &MapNow) -> Option<FigureRequest> {
    use crate::export::figure::before_after::DatedFile;
    let (a, b) = compare.active()?;
    let extent = map.view?;
    let dated = |path: &PathBuf| DatedFile {
        path: path.clone(),
        date: case
            .meta()
            .imagery_layers
            .iter()
            .find(|l| case.imagery_path(l) == *path)
            .and_then(|l| l.date.clone()),
    };
    let center = map.center?;
    Some(FigureRequest {
        title: format!("{} — imagery before and after", case.meta().title),
        view: crate::imagery::view::MapView {
            center: [center.lat, center.lon],
            zoom: map.zoom,
            size: [
                (extent.rect.width().round() as u32).clamp(16, 8192),
                (extent.rect.height().round() as u32).clamp(16, 8192),
            ],
        },
        files: [dated(a), dated(b)],
    })
}

fn write_figure(request: FigureRequest, out: &std::path::Path) -> Result<String, String> {
    use crate::export::figure::{Typesetter, before_after};
    let mut ts = Typesetter::new().map_err(|e| e.to_string())?;
    let figure =
        before_after::from_files(&request.title, &request.view, request.files, 2400, &mut ts)
            .map_err(|e| e.to_string())?;
    let svg = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let (png, svg) = if svg {
        (None, Some(out))
    } else {
        (Some(out), None)
    };
    before_after::export(&figure, &request.view, png, svg).map_err(|e| e.to_string())?;
    Ok(format!("Saved {}", out.display()))
}
