//! A running decoder: one ffmpeg process that hands over consecutive frames from a
//! start frame on, each with the timestamp ffmpeg reports for it. Playing and stepping
//! forward read the next frame from it instead of starting ffmpeg again.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout};
use std::sync::mpsc;

use super::frames::FrameTable;
use super::grab::{decode_args, showinfo_line_pts};
use super::{Ffmpeg, VideoError};

/// Frames from one ffmpeg process, in presentation order.
pub struct FrameStream {
    child: Child,
    stdout: ChildStdout,
    timestamps: mpsc::Receiver<i64>,
    errors: mpsc::Receiver<String>,
    frame_bytes: usize,
    pub width: u32,
    pub height: u32,
    /// Bytes per pixel of the frames (4 for `rgba`, 3 for `rgb24`).
    pub channels: usize,
}

impl FrameStream {
    /// Starts decoding at frame `index`. `scale_to` gives the output size (else the
    /// displayed size `full`), `pix_fmt` is `rgba` or `rgb24`.
    pub fn start(
        ff: &Ffmpeg,
        path: &Path,
        table: &FrameTable,
        index: usize,
        full: (u32, u32),
        scale_to: Option<(u32, u32)>,
        pix_fmt: &str,
    ) -> Result<FrameStream, VideoError> {
        if index >= table.frame_count() {
            return Err(VideoError::Invalid(format!("no frame {index}")));
        }
        let channels = if pix_fmt == "rgb24" { 3 } else { 4 };
        let (width, height) = scale_to.unwrap_or(full);
        // From the first frame no seek is needed (and none can land late).
        let seek = (index > 0).then(|| table.seek_us(index));
        let list = decode_args(path, table, index, seek, scale_to, pix_fmt, None);
        let mut child = ff.spawn_ffmpeg(&list)?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| VideoError::Tool("ffmpeg: no output pipe".into()))?;
        let stderr = child.stderr.take();
        let (pts_tx, timestamps) = mpsc::channel();
        let (err_tx, errors) = mpsc::channel();
        std::thread::Builder::new()
            .name("ffmpeg-stderr".into())
            .spawn(move || {
                let Some(stderr) = stderr else { return };
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(pts) = showinfo_line_pts(&line) {
                        if pts_tx.send(pts).is_err() {
                            return;
                        }
                    } else if !line.trim().is_empty() {
                        let _ = err_tx.send(line);
                    }
                }
            })
            .map_err(|e| VideoError::Tool(format!("cannot start a reader thread: {e}")))?;
        Ok(FrameStream {
            child,
            stdout,
            timestamps,
            errors,
            frame_bytes: width as usize * height as usize * channels,
            width,
            height,
            channels,
        })
    }

    /// The next frame's timestamp and pixels; `None` at the end of the clip.
    pub fn next_frame(&mut self) -> Option<(i64, Vec<u8>)> {
        let mut buf = vec![0u8; self.frame_bytes];
        self.stdout.read_exact(&mut buf).ok()?;
        let pts = self.timestamps.recv().ok()?;
        Some((pts, buf))
    }

    /// What ffmpeg complained about so far (decoder damage, the reason it stopped).
    pub fn messages(&self) -> Vec<String> {
        self.errors.try_iter().collect()
    }
}

impl Drop for FrameStream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
