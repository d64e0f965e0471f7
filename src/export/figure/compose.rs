//! Composing a figure, in named stages: check the request, locate each panel's picture,
//! lay the panels out in rows, plan the insets, decode each source once at the size it
//! is needed, draw the panels, the insets, the legend of linked features and the caption
//! block. Each stage adds drawing items to the [`Page`] and moves its pen down.
//!
//! Sizes are in figure pixels at the reference width ([`BASE_WIDTH`]); every one is
//! multiplied by the page's scale `k` so a wider figure is the same figure, larger.

use super::error::{FigureError, RequestError};
use super::model::{
    BASE_WIDTH, Figure, FigureOptions, GREY, INK, Item, PANEL_BG, PANEL_CAPTION_SIZE, Source,
    WHITE, rect_points,
};
use super::parts::{
    Picture, badge_items, check_redactions, fitted, image_matrix, locate_picture, map_decorations,
    mark_items, on_shown_frames, panel_picture, rows, tag_items,
};
use super::skyline;
use super::text::Typesetter;
use crate::board::ViewTransform;
use crate::board::geometry;
use crate::board::marks::{MarkStyle, annotation_marks};
use crate::case::comparison::{Annotation, PanelSource, link_color};
use crate::case::{Case, Finding};

/// Space round the figure's content.
const MARGIN: f64 = 24.0;
/// Space between panels, rows and blocks.
const GAP: f64 = 12.0;
/// Marks are drawn this much heavier than on screen (print reads at a distance).
const MARK_WEIGHT: f64 = 1.4;
/// A row is at most this many times as tall as its cells are wide.
const MAX_ROW_ASPECT: f64 = 1.4;
/// The panel id in a cell's corner.
const PANEL_TAG_SIZE: f64 = 13.0;
/// Insets: per row, largest side, how much of the annotation's surroundings they show,
/// the smallest region they enlarge, their label.
const INSETS_PER_ROW: usize = 4;
const INSET_MAX_SIDE: f64 = 420.0;
const INSET_CONTEXT: f64 = 1.5;
const INSET_MIN_REGION: f64 = 16.0;
const INSET_LABEL_SIZE: f64 = 12.0;
/// The legend of linked features: text size and number badge radius.
const LEGEND_SIZE: f64 = 15.0;
const BADGE_RADIUS: f64 = 11.0;
/// The caption block: title, description and source lines.
const TITLE_SIZE: f64 = 22.0;
const DESCRIPTION_SIZE: f64 = 16.0;
const SOURCE_LINE_SIZE: f64 = 13.0;
/// Accepted output widths, pixels.
const WIDTHS: std::ops::RangeInclusive<u32> = 200..=20_000;

/// The figure being composed: its scale, the drawing so far and the pen's height.
struct Page {
    width: f64,
    /// Figure pixels per reference pixel.
    k: f64,
    margin: f64,
    gap: f64,
    style: MarkStyle,
    items: Vec<Item>,
    /// Where the next block starts.
    y: f64,
}

impl Page {
    fn new(width: u32) -> Page {
        let w = f64::from(width);
        let k = w / BASE_WIDTH;
        let margin = MARGIN * k;
        Page {
            width: w,
            k,
            margin,
            gap: GAP * k,
            style: MarkStyle::SCREEN.scaled(MARK_WEIGHT * k),
            // The background, sized when the height is known.
            items: vec![Item::Fill {
                points: rect_points([0.0, 0.0, w, 0.0]),
                color: WHITE,
            }],
            y: margin,
        }
    }

    fn text_width(&self) -> f64 {
        self.width - 2.0 * self.margin
    }
}

/// Each panel's picture (file, name, oriented size), in panel order.
struct Located {
    pictures: Vec<Picture>,
    /// The finding's skyline fit, on the panel showing its frame.
    skyline: Option<skyline::SkylineOverlay>,
}

impl Located {
    /// Panel `i`'s oriented full-resolution size.
    fn size(&self, i: usize) -> [f64; 2] {
        self.pictures[i].size
    }
}

/// An inset: the annotation, its panel's index, the image point it centres on, its zoom.
struct Inset {
    annotation: Annotation,
    panel: usize,
    center: [f64; 2],
    zoom: f64,
}

/// Builds the figure of `finding` (decoding each source once, at the size needed).
pub fn build(
    case: &Case,
    finding: &Finding,
    options: &FigureOptions,
    type_setter: &mut Typesetter,
) -> Result<Figure, FigureError> {
    let finding = &on_shown_frames(finding);
    check_request(finding, options)?;
    let located = locate_panels(case, finding)?;
    let mut page = Page::new(options.width);
    let cells = lay_out_panels(&mut page, finding, &located, &options.layout, type_setter)?;
    let (need, insets) = plan_insets(&page, finding, &located, &cells, &options.insets)?;
    let sources = decode_sources(case, finding, &located, &need)?;
    let mut provenance = draw_panels(
        &mut page,
        case,
        finding,
        &located,
        &cells,
        &sources,
        type_setter,
    );
    draw_insets(
        &mut page,
        finding,
        &located,
        &cells,
        &sources,
        &insets,
        type_setter,
        &mut provenance,
    );
    draw_legend(&mut page, finding, type_setter);
    if let Some(o) = &located.skyline {
        page.y += page.gap;
        let text = skyline::legend_text(o, &finding.panels[o.panel].id);
        let (at, k, w, stroke) = (
            [page.margin, page.y],
            page.k,
            page.text_width(),
            page.style.stroke,
        );
        page.y += skyline::legend_items(&text, at, k, w, stroke, type_setter, &mut page.items);
    }
    draw_caption(&mut page, case, finding, &sources, options, type_setter);
    let height = (page.y + page.margin).ceil();
    page.items[0] = Item::Fill {
        points: rect_points([0.0, 0.0, page.width, height]),
        color: WHITE,
    };
    Ok(Figure {
        width: options.width,
        height: height as u32,
        items: page.items,
        sources,
        provenance,
        finding: finding.id.clone(),
        title: finding.title.clone(),
    })
}

/// Refuses what cannot make a figure: no panels, a width out of range, an inset of an
/// annotation the finding does not have.
fn check_request(finding: &Finding, options: &FigureOptions) -> Result<(), FigureError> {
    if finding.panels.is_empty() {
        return Err(RequestError::NoPanels {
            finding: finding.id.clone(),
        }
        .into());
    }
    if !WIDTHS.contains(&options.width) {
        return Err(RequestError::Width {
            width: options.width,
        }
        .into());
    }
    for id in &options.insets {
        if !finding.annotations.iter().any(|a| a.id == *id) {
            return Err(RequestError::UnknownInset {
                finding: finding.id.clone(),
                annotation: id.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// Each panel's file and oriented size, without decoding; every redaction checked to
/// lie on its picture.
fn locate_panels(case: &Case, finding: &Finding) -> Result<Located, FigureError> {
    let pictures: Vec<Picture> = finding
        .panels
        .iter()
        .map(|p| locate_picture(case, p))
        .collect::<Result<_, _>>()?;
    check_redactions(finding, &pictures)?;
    Ok(Located {
        pictures,
        skyline: skyline::overlay(case, finding),
    })
}

/// Panel cells, row by row, each panel's caption under it.
fn lay_out_panels(
    page: &mut Page,
    finding: &Finding,
    located: &Located,
    layout: &[usize],
    type_setter: &mut Typesetter,
) -> Result<Vec<[f64; 4]>, FigureError> {
    let (w, k, margin, gap) = (page.width, page.k, page.margin, page.gap);
    let n = finding.panels.len();
    let mut cells = Vec::new();
    let mut start = 0;
    for (count, across) in rows(n, layout)? {
        let cell_w = (w - 2.0 * margin - gap * (across as f64 - 1.0)) / across as f64;
        let row_h = (start..start + count)
            .map(|i| {
                let view = fitted(&finding.panels[i], located.size(i), [0.0, 0.0, cell_w, 1e9]);
                let turned = if finding.panels[i].view.quarter_turns % 2 == 1 {
                    located.size(i)[0]
                } else {
                    located.size(i)[1]
                };
                turned * view.zoom
            })
            .fold(0.0, f64::max)
            .min(cell_w * MAX_ROW_ASPECT);
        let mut caption_h: f64 = 0.0;
        for j in 0..count {
            let x = margin + j as f64 * (cell_w + gap);
            let cell = [x, page.y, x + cell_w, page.y + row_h];
            let caption = &finding.panels[start + j].caption;
            if !caption.is_empty() {
                let block =
                    type_setter.layout(caption, PANEL_CAPTION_SIZE * k, Some(cell_w), false);
                page.items.push(Item::Path {
                    commands: block.placed([cell[0], cell[3] + 4.0 * k]),
                    color: INK,
                });
                caption_h = caption_h.max(block.height + 6.0 * k);
            }
            cells.push(cell);
        }
        page.y += row_h + caption_h + gap;
        start += count;
    }
    Ok(cells)
}

/// The resolution each source is needed at (its panel's zoom, or an inset's if larger),
/// and where each inset looks.
fn plan_insets(
    page: &Page,
    finding: &Finding,
    located: &Located,
    cells: &[[f64; 4]],
    inset_ids: &[String],
) -> Result<(Vec<f64>, Vec<Inset>), FigureError> {
    let mut need: Vec<f64> = (0..finding.panels.len())
        .map(|i| fitted(&finding.panels[i], located.size(i), cells[i]).zoom)
        .collect();
    let side = inset_side(page);
    let mut insets = Vec::new();
    for id in inset_ids {
        let missing = || RequestError::UnknownInset {
            finding: finding.id.clone(),
            annotation: id.clone(),
        };
        let a = finding
            .annotations
            .iter()
            .find(|a| a.id == *id)
            .ok_or_else(missing)?;
        let i = finding
            .panels
            .iter()
            .position(|p| p.id == a.panel)
            .ok_or_else(missing)?;
        let b = geometry::bounds(&a.shape);
        let region = ((b[2] - b[0]).max(b[3] - b[1]) * INSET_CONTEXT).max(INSET_MIN_REGION);
        let zoom = side / region;
        need[i] = need[i].max(zoom);
        insets.push(Inset {
            annotation: a.clone(),
            panel: i,
            center: [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0],
            zoom,
        });
    }
    Ok((need, insets))
}

fn inset_side(page: &Page) -> f64 {
    let per_row = INSETS_PER_ROW as f64;
    ((page.width - 2.0 * page.margin - (per_row - 1.0) * page.gap) / per_row)
        .min(INSET_MAX_SIDE * page.k)
}

/// Each panel's picture decoded once, no larger than needed, redacted before anything
/// can read its pixels (PNG, SVG and preview alike).
fn decode_sources(
    case: &Case,
    finding: &Finding,
    located: &Located,
    need: &[f64],
) -> Result<Vec<Source>, FigureError> {
    let mut sources = Vec::new();
    for (i, panel) in finding.panels.iter().enumerate() {
        let Picture {
            path,
            sha256,
            name,
            kind,
            ..
        } = &located.pictures[i];
        let longest = located.size(i)[0].max(located.size(i)[1]);
        let max_side = (longest * need[i].min(1.0)).ceil().max(1.0) as u32;
        let (img, fw, fh) = panel_picture(case, panel, path, max_side)?;
        let mut pixels = img.into_rgb8();
        let scale = f64::from(fw) / f64::from(pixels.width().max(1));
        crate::export::redact::apply_panel(
            &mut pixels,
            finding.annotations.iter().filter(|a| a.panel == panel.id),
            scale,
        );
        sources.push(Source {
            panel: panel.id.clone(),
            sha256: sha256.clone(),
            name: name.clone(),
            kind,
            scale,
            full_size: [fw, fh],
            pixels,
        });
    }
    Ok(sources)
}

/// Each panel in its cell with its marks (map panels with scale bar and north arrow)
/// and its id; returns what each source contributed, for the manifest.
fn draw_panels(
    page: &mut Page,
    case: &Case,
    finding: &Finding,
    located: &Located,
    cells: &[[f64; 4]],
    sources: &[Source],
    type_setter: &mut Typesetter,
) -> Vec<serde_json::Value> {
    let (k, style) = (page.k, page.style);
    let items = &mut page.items;
    let mut provenance = Vec::new();
    for (i, panel) in finding.panels.iter().enumerate() {
        let cell = cells[i];
        let size = located.size(i);
        let view = fitted(panel, size, cell);
        begin_picture(items, cell, i, &view, sources[i].scale);
        for a in finding
            .annotations
            .iter()
            .filter(|a| a.panel == panel.id && a.redaction.is_none())
        {
            for m in annotation_marks(finding, a, &view, style) {
                mark_items(&m, type_setter, cell, items);
            }
        }
        if let Some(o) = located.skyline.as_ref().filter(|o| o.panel == i) {
            skyline::panel_items(o, &view, size, style.stroke, items);
        }
        if let PanelSource::MapSnapshot {
            west,
            east,
            south,
            north,
            ..
        } = &panel.source
        {
            map_decorations(
                items,
                type_setter,
                &view,
                size,
                [*west, *south, *east, *north],
                cell,
                k,
            );
        }
        items.push(Item::EndClip);
        let tag = type_setter.layout(&panel.id, PANEL_TAG_SIZE * k, None, true);
        tag_items(items, &tag, [cell[0] + 6.0 * k, cell[1] + 6.0 * k], k);
        let derived_from = case
            .find_evidence(&sources[i].sha256)
            .ok()
            .and_then(|r| r.derived_from.clone());
        provenance.push(serde_json::json!({
            "panel": panel.id,
            "derived_from": derived_from,
            "video_frame": panel.frame,
            "kind": sources[i].kind,
            "sha256": sources[i].sha256,
            "name": sources[i].name,
            "full_size": sources[i].full_size,
            "decoded_size": [sources[i].pixels.width(), sources[i].pixels.height()],
            "crop": [0, 0, sources[i].full_size[0], sources[i].full_size[1]],
            "quarter_turns": panel.view.quarter_turns,
            "flip_horizontal": panel.view.flip_horizontal,
            "figure_pixels_per_image_pixel": view.zoom,
            "placed_at": cell,
            "caption": panel.caption,
            "skyline_fit": located
                .skyline
                .as_ref()
                .filter(|o| o.panel == i)
                .map(skyline::manifest),
            "redactions": finding
                .annotations
                .iter()
                .filter(|a| a.panel == panel.id)
                .filter_map(crate::export::redact::manifest_entry)
                .collect::<Vec<_>>(),
        }));
    }
    provenance
}

/// The insets: each annotation's surroundings enlarged, with its marks and a label
/// saying how much; their crops go into the manifest.
#[allow(clippy::too_many_arguments)]
fn draw_insets(
    page: &mut Page,
    finding: &Finding,
    located: &Located,
    cells: &[[f64; 4]],
    sources: &[Source],
    insets: &[Inset],
    type_setter: &mut Typesetter,
    provenance: &mut Vec<serde_json::Value>,
) {
    if insets.is_empty() {
        return;
    }
    let (k, margin, gap, style) = (page.k, page.margin, page.gap, page.style);
    let side = inset_side(page);
    for (j, inset) in insets.iter().enumerate() {
        let (a, i, zoom) = (&inset.annotation, inset.panel, inset.zoom);
        let col = j % INSETS_PER_ROW;
        if col == 0 && j > 0 {
            page.y += side + gap * 3.0;
        }
        let x = margin + col as f64 * (side + gap);
        let cell = [x, page.y, x + side, page.y + side];
        let panel = &finding.panels[i];
        let view = ViewTransform {
            center: inset.center,
            origin: [(cell[0] + cell[2]) / 2.0, (cell[1] + cell[3]) / 2.0],
            zoom,
            quarter_turns: panel.view.quarter_turns % 4,
            flip_horizontal: panel.view.flip_horizontal,
        };
        let items = &mut page.items;
        begin_picture(items, cell, i, &view, sources[i].scale);
        if a.redaction.is_none() {
            for m in annotation_marks(finding, a, &view, style) {
                mark_items(&m, type_setter, cell, items);
            }
        }
        items.push(Item::EndClip);
        items.push(Item::Stroke {
            points: rect_points(cell),
            closed: true,
            color: INK,
            width: k,
        });
        let label = format!(
            "{} on {} ×{:.1}",
            a.id,
            a.panel,
            zoom / fitted(panel, located.size(i), cells[i]).zoom
        );
        let text = type_setter.layout(&label, INSET_LABEL_SIZE * k, Some(side), false);
        items.push(Item::Path {
            commands: text.placed([cell[0], cell[3] + 4.0 * k]),
            color: GREY,
        });
        let crop = view.visible_image_rect([cell[0], cell[1]], [cell[2], cell[3]]);
        provenance.push(serde_json::json!({
            "inset": a.id, "panel": a.panel, "sha256": sources[i].sha256,
            "crop": crop, "figure_pixels_per_image_pixel": zoom, "placed_at": cell,
        }));
    }
    page.y += side + gap * 3.0;
}

/// A cell's background, its clip, and source `source` drawn through `view`; the caller
/// draws the marks and ends the clip.
fn begin_picture(
    items: &mut Vec<Item>,
    cell: [f64; 4],
    source: usize,
    view: &ViewTransform,
    scale: f64,
) {
    items.push(Item::Fill {
        points: rect_points(cell),
        color: PANEL_BG,
    });
    items.push(Item::BeginClip(cell));
    items.push(Item::Image {
        source,
        transform: image_matrix(view, scale),
    });
}

/// One line per linked feature: its number badge, description, assessment and ends.
fn draw_legend(page: &mut Page, finding: &Finding, type_setter: &mut Typesetter) {
    if finding.links.is_empty() {
        return;
    }
    let (k, margin) = (page.k, page.margin);
    let text_w = page.text_width();
    page.y += page.gap;
    for l in &finding.links {
        let badge_r = BADGE_RADIUS * k;
        let description = if l.description.is_empty() {
            "(no description)"
        } else {
            &l.description
        };
        let line = format!(
            "{description} — {} ({} ↔ {})",
            l.assessment.label(),
            l.a,
            l.b
        );
        let block = type_setter.layout(&line, LEGEND_SIZE * k, Some(text_w - 3.0 * badge_r), false);
        let center = [margin + badge_r, page.y + badge_r];
        badge_items(
            &mut page.items,
            type_setter,
            center,
            badge_r,
            l.number,
            link_color(l.number),
        );
        page.items.push(Item::Path {
            commands: block.placed([
                margin + 3.0 * badge_r,
                page.y + badge_r - LEGEND_SIZE * k * 0.65,
            ]),
            color: INK,
        });
        page.y += block.height.max(2.0 * badge_r) + 6.0 * k;
    }
}

/// The caption block: figure number and title, description, one line per source, the
/// analyst's credits and the finding and program.
fn draw_caption(
    page: &mut Page,
    case: &Case,
    finding: &Finding,
    sources: &[Source],
    options: &FigureOptions,
    type_setter: &mut Typesetter,
) {
    let (k, margin) = (page.k, page.margin);
    let text_w = page.text_width();
    page.y += page.gap;
    let title = type_setter.layout(
        &format!("Figure {}. {}", options.figure_number, finding.title),
        TITLE_SIZE * k,
        Some(text_w),
        true,
    );
    page.items.push(Item::Path {
        commands: title.placed([margin, page.y]),
        color: INK,
    });
    page.y += title.height + 6.0 * k;
    let description = options
        .description
        .clone()
        .unwrap_or_else(|| finding.verdict.clone());
    if !description.is_empty() {
        let block = type_setter.layout(&description, DESCRIPTION_SIZE * k, Some(text_w), false);
        page.items.push(Item::Path {
            commands: block.placed([margin, page.y]),
            color: INK,
        });
        page.y += block.height + 8.0 * k;
    }
    let mut lines: Vec<String> = finding
        .panels
        .iter()
        .zip(sources)
        .map(|(p, s)| source_line(case, p, s))
        .collect();
    lines.extend(options.credits.iter().cloned());
    lines.push(format!(
        "Finding {} · made with geoproof {}",
        finding.id,
        env!("CARGO_PKG_VERSION")
    ));
    for line in lines {
        let block = type_setter.layout(&line, SOURCE_LINE_SIZE * k, Some(text_w), false);
        page.items.push(Item::Path {
            commands: block.placed([margin, page.y]),
            color: GREY,
        });
        page.y += block.height + 2.0 * k;
    }
}

/// Where a panel's picture came from, as the caption says it.
fn source_line(case: &Case, p: &crate::case::comparison::Panel, s: &Source) -> String {
    let short = &s.sha256[..16.min(s.sha256.len())];
    match &p.source {
        PanelSource::MapSnapshot {
            basemap,
            west,
            south,
            east,
            north,
            taken_at,
            ..
        } => format!(
            "{}: map view {south:.5}, {west:.5} – {north:.5}, {east:.5}; {basemap}; captured {}",
            p.id,
            taken_at.format("%Y-%m-%d %H:%M UTC")
        ),
        PanelSource::Evidence { sha256 }
            if case
                .find_evidence(sha256)
                .is_ok_and(|r| r.kind().has_frames()) =>
        {
            let frame = p.frame.unwrap_or(crate::case::comparison::FrameRef {
                index: 0,
                time_s: 0.0,
            });
            format!(
                "{}: frame {} at {} of {} (SHA-256 {short}…)",
                p.id,
                frame.index,
                crate::video::format_timecode((frame.time_s * 1e6).round() as i64),
                s.name,
            )
        }
        PanelSource::Evidence { sha256 } => match case
            .find_evidence(sha256)
            .ok()
            .filter(|r| r.derived_from.is_some())
        {
            // A frame grab names the frame and the video it was taken from.
            Some(record) => format!("{}: {}; still SHA-256 {short}…", p.id, record.source_line()),
            None => format!("{}: {} (SHA-256 {short}…)", p.id, s.name),
        },
    }
}
