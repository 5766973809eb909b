//! Modal dialogs: each with its own state, `Message`, `Event` and view.

pub mod pin;
