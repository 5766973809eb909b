//! Screens: each with its own state, `Message` and `update`.

pub mod bridge;
pub mod home;
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
    use std::io::Write;
    let io =
        |e: std::io::Error| Text::new("err-io").arg("path", path.display().to_string()).arg("detail", e.to_string());
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    // A temporary name of its own (saves of different files, or the same
    // file twice, never share one), removed if anything fails.
    let mut tmp = tempfile::Builder::new().prefix(".kyso-").suffix(".part").tempfile_in(dir).map_err(io)?;
    tmp.write_all(data).and_then(|()| tmp.as_file().sync_all()).map_err(io)?;
    tmp.persist(path).map(|_| ()).map_err(|e| io(e.error))
}
