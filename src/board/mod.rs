//! The comparison board's domain: how panels are viewed, how annotations are shaped and
//! edited, undo history, autosaved drafts and image pyramids. No UI here: the desktop
//! board (`ui::board`) and the figure renderer both build on it.

pub mod geometry;
pub mod history;
pub mod marks;
pub mod ops;
pub mod pyramid;
pub mod recovery;
pub mod shield;
pub mod view;

pub use history::History;
pub use pyramid::Pyramid;
pub use view::ViewTransform;
