//! The posts window: every post an evidence item came from (a collection import), newest
//! first, searchable by caption, chat and author; a post opens its media on the board.

use egui::{RichText, Ui};

use super::command::{Command, Exposure, Selection};

use super::command::BoardCommand;
use super::thumbnails::Thumbnails;
use crate::case::{Case, EvidenceRecord, SourceRecord};

/// Rows shown at most; a search narrows the rest.
const MAX_ROWS: usize = 300;

/// The posts matching `query` (case-insensitive, in caption, chat, sender, signature and
/// forward), newest first; posts with only a local time after those with UTC.
pub fn matching<'a>(
    evidence: impl Iterator<Item = &'a EvidenceRecord>,
    query: &str,
) -> Vec<(&'a EvidenceRecord, &'a SourceRecord)> {
    let query = query.trim().to_lowercase();
    let mut posts: Vec<(&EvidenceRecord, &SourceRecord)> = evidence
        .flat_map(|e| e.sources.iter().map(move |s| (e, s)))
        .filter(|(_, s)| {
            query.is_empty()
                || [
                    Some(&s.text),
                    s.chat.as_ref(),
                    s.from.as_ref(),
                    s.author.as_ref(),
                    s.forwarded_from.as_ref(),
                ]
                .into_iter()
                .flatten()
                .any(|t| t.to_lowercase().contains(&query))
        })
        .collect();
    posts.sort_by(|a, b| {
        (
            b.1.posted_utc,
            &b.1.posted_local_unknown_zone,
            b.1.message_id,
        )
            .cmp(&(
                a.1.posted_utc,
                &a.1.posted_local_unknown_zone,
                a.1.message_id,
            ))
    });
    posts
}

/// The posts window: whether it is open, the search typed, the rows found.
#[derive(Default)]
pub struct PostsWindow {
    pub open: bool,
    pub query: String,
    rows: PostRows,
}

/// The rows shown (evidence id, index of its source), recomputed only when the case or
/// the search changes, not every frame.
#[derive(Default)]
pub struct PostRows {
    key: Option<(u64, String)>,
    rows: Vec<(String, usize)>,
}

impl PostRows {
    fn refresh(&mut self, case: &crate::case::Case, query: &str) {
        let key = (case.revision(), query.to_owned());
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.rows = matching(case.evidence(), query)
            .into_iter()
            .map(|(e, s)| {
                let index = e
                    .sources
                    .iter()
                    .position(|x| std::ptr::eq(x, s))
                    .unwrap_or_default();
                (e.sha256.clone(), index)
            })
            .collect();
        self.key = Some(key);
    }
}

pub fn posts_ui(
    ui: &mut Ui,
    window: &mut PostsWindow,
    case: Option<&Case>,
    exposure: &Exposure,
    commands_out: &mut Vec<Command>,
    thumbnails: &mut Thumbnails,
) {
    if !window.open {
        return;
    }
    let mut open = true;
    let ctx = ui.ctx().clone();
    let mut commands = Vec::new();
    egui::Window::new("Posts")
        .open(&mut open)
        .default_size([620.0, 640.0])
        .show(&ctx, |ui| {
            let Some(case) = case else {
                ui.label("No case is open.");
                return;
            };
            ui.horizontal(|ui| {
                let label = ui.label("Search captions");
                ui.add(
                    egui::TextEdit::singleline(&mut window.query)
                        .hint_text("text, chat or author")
                        .desired_width(300.0),
                )
                .labelled_by(label.id);
            });
            window.rows.refresh(case, &window.query);
            let posts: Vec<(&EvidenceRecord, &SourceRecord)> = window
                .rows
                .rows
                .iter()
                .take(MAX_ROWS)
                .filter_map(|(id, i)| {
                    let e = case.find_evidence(id).ok()?;
                    Some((e, e.sources.get(*i)?))
                })
                .collect();
            let total: usize = case.evidence().map(|e| e.sources.len()).sum();
            let found = window.rows.rows.len();
            ui.label(format!("{found} of {total} posts"));
            if total == 0 {
                ui.label("No posts yet: Case → Import collection… takes in a Telegram export.");
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                for (e, s) in &posts {
                    ui.separator();
                    ui.horizontal(|ui| {
                        let texture = thumbnails.get(
                            &e.sha256,
                            case.thumbnail_path(&e.sha256),
                            case.evidence_path(e),
                            exposure.blur_thumbnail(e),
                        );
                        match texture {
                            Some(t) => {
                                let size = t.size_vec2();
                                ui.image((t.id(), size * (64.0 / size.x.max(size.y))));
                            }
                            None => {
                                ui.spinner();
                            }
                        }
                        post_text_ui(ui, e, s, &mut commands);
                    });
                }
                if found > MAX_ROWS {
                    ui.label(format!(
                        "{} more: narrow the search to see them",
                        found - MAX_ROWS
                    ));
                }
            });
        });
    commands_out.extend(commands);
    if !open {
        window.open = false;
    }
}

/// A post's title, time, who posted it, its text and what can be done with its file.
fn post_text_ui(ui: &mut Ui, e: &EvidenceRecord, s: &SourceRecord, commands: &mut Vec<Command>) {
    ui.vertical(|ui| {
        ui.label(RichText::new(s.title()).strong());
        ui.label(RichText::new(s.time_text()).small());
        let mut who = Vec::new();
        if let Some(f) = &s.from {
            who.push(format!("from {f}"));
        }
        if let Some(a) = &s.author {
            who.push(format!("signed {a}"));
        }
        if let Some(f) = &s.forwarded_from {
            who.push(format!("forwarded from {f}"));
        }
        if let Some(r) = s.reply_to {
            who.push(format!("reply to #{r}"));
        }
        if !who.is_empty() {
            ui.label(RichText::new(who.join(" · ")).small());
        }
        if !s.text.is_empty() {
            let text: String = s.text.chars().take(400).collect();
            ui.label(text);
        }
        ui.horizontal(|ui| {
            if ui.small_button("Select").clicked() {
                commands.push(Command::Select(Selection::Evidence(e.sha256.clone())));
            }
            if ui
                .small_button("Open on board")
                .on_hover_text("A new comparison with this post's file")
                .clicked()
            {
                commands.push(Command::Board(BoardCommand::NewComparison(vec![
                    e.sha256.clone(),
                ])));
            }
            ui.label(RichText::new(&e.original_name).weak().small());
        });
    });
}
