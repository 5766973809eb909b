//! Screens: each with its own state, `Message` and `update`.

pub mod tokens;
