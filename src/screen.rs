//! Screens: each with its own state, `Message` and `update`.

pub mod journal;
pub mod settings;
pub mod sign;
pub mod tokens;
pub mod verify;
