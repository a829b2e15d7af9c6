//! Gzipped tar archives whose bytes depend only on their files (the ADR and GitOps bundles):
//! entries sorted by path, mtime 0, uid and gid 0, mode 0644, no user or group names, and a
//! gzip header without a time or file name.

use std::collections::BTreeMap;
use std::io::Write;

use crate::AppError;

/// The archive of `files` (path → text), in path order.
pub fn tar_gz(files: &BTreeMap<String, String>) -> Result<Vec<u8>, AppError> {
    let gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        tar.append_data(&mut header, path, text.as_bytes()).map_err(io_error)?;
    }
    let mut gz = tar.into_inner().map_err(io_error)?;
    gz.flush().map_err(io_error)?;
    gz.finish().map_err(io_error)
}

fn io_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "writing a tar.gz bundle");
    AppError::Internal
}
