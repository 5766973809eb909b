//! Screens: each with its own state, `Message` and `update`.

pub mod journal;
pub mod settings;
pub mod sign;
pub mod tokens;
pub mod verify;

use std::path::Path;

use crate::i18n::Text;

/// Writes `data` to `path` (creating its folder) through a temporary file
/// beside it, renamed into place only when complete (blocking: run it off
/// the UI thread). Reports, exports and settings all save this way.
pub fn write_file(path: &Path, data: &[u8]) -> Result<(), Text> {
    let io =
        |e: std::io::Error| Text::new("err-io").arg("path", path.display().to_string()).arg("detail", e.to_string());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, data).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}
