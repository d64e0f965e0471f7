//! A comparison's stated scale on the board: each linked feature's class (class or
//! individualising) and the image-quality limits noted, the conclusion on its written
//! scale with its wording, and the warnings the features call for (a "same" resting on
//! class features only, colour under unknown lighting).

use egui::{RichText, Ui};

use crate::case::comparison::{FeatureClass, LinkedFeature};
use crate::case::conclusion::{self, Conclusion, ConclusionScale};
use crate::case::{Finding, FindingKind};
use crate::ui::theme;

/// The limits offered as toggles; others already recorded are kept and shown.
pub const QUALITY_LIMITS: [&str; 6] = [
    "low resolution",
    "compression",
    "lighting",
    "viewing angle",
    "motion blur",
    "occlusion",
];

/// What colour readings always carry: values, not a colour name, and the light.
pub const LIGHTING_CAVEAT: &str = "Colour depends on the light, the camera and its \
    processing (CCTV, night and infrared footage especially): record the values read \
    (hex, L*a*b*) and the conditions, never a colour name as a finding.";

/// The feature's class picker and its quality limits; true when an edit finished.
pub fn feature_scale_ui(ui: &mut Ui, l: &mut LinkedFeature) -> bool {
    let mut commit = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(format!("Feature {} is", l.number));
        let shown = l.feature_class.map_or("not stated", |c| c.label());
        egui::ComboBox::from_id_salt(("link-class", l.number))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for c in FeatureClass::ALL {
                    commit |= ui
                        .selectable_value(&mut l.feature_class, Some(c), c.label())
                        .on_hover_text(match c {
                            FeatureClass::Class => {
                                "Shared by many items (type, colour, model): weak on its own"
                            }
                            FeatureClass::Individualising => {
                                "Sets this item apart (damage, wear, a unique print)"
                            }
                        })
                        .clicked();
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Limited by").small());
        for limit in QUALITY_LIMITS {
            let mut on = l.quality_limits.iter().any(|q| q == limit);
            if ui.checkbox(&mut on, limit).changed() {
                if on {
                    l.quality_limits.push(limit.to_owned());
                } else {
                    l.quality_limits.retain(|q| q != limit);
                }
                commit = true;
            }
        }
        for other in l
            .quality_limits
            .iter()
            .filter(|q| !QUALITY_LIMITS.contains(&q.as_str()))
        {
            ui.label(RichText::new(other).small().italics());
        }
    });
    commit
}

/// The conclusion on its written scale (a comparison only), its wording, a note, and
/// the warnings; true when an edit finished.
pub fn conclusion_ui(ui: &mut Ui, f: &mut Finding) -> bool {
    if f.kind != FindingKind::Comparison {
        return false;
    }
    let mut commit = false;
    ui.separator();
    ui.heading("Conclusion");
    ui.horizontal(|ui| {
        let label = ui.label("On the scale");
        let shown = f
            .conclusion
            .as_ref()
            .map_or("not stated", |c| c.scale.label());
        egui::ComboBox::from_id_salt("board-conclusion")
            .selected_text(shown)
            .width(190.0)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(f.conclusion.is_none(), "not stated")
                    .clicked()
                {
                    f.conclusion = None;
                    commit = true;
                }
                for s in ConclusionScale::ALL {
                    let on = f.conclusion.as_ref().is_some_and(|c| c.scale == s);
                    if ui
                        .selectable_label(on, s.label())
                        .on_hover_text(s.wording())
                        .clicked()
                        && !on
                    {
                        let note = f.conclusion.take().map(|c| c.note).unwrap_or_default();
                        f.conclusion = Some(Conclusion { scale: s, note });
                        commit = true;
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    if let Some(c) = &mut f.conclusion {
        ui.label(RichText::new(c.scale.wording()).italics());
        let label = ui.label("In your words");
        commit |= ui
            .add(
                egui::TextEdit::multiline(&mut c.note)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id)
            .lost_focus();
    }
    for w in conclusion::warnings(f.conclusion.as_ref(), &f.links) {
        ui.label(RichText::new(format!("⚠ {w}")).color(theme::WARNING));
    }
    if f.links
        .iter()
        .any(|l| l.feature_class == Some(FeatureClass::Class))
    {
        ui.label(RichText::new(format!("Note: {LIGHTING_CAVEAT}")).small());
    }
    commit
}
